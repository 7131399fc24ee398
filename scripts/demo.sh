#!/usr/bin/env bash
# The demo from the README: the whole product, end to end, with the real CLI against local
# emulators of AWS Secrets Manager, Azure Key Vault, HashiCorp Vault and 1Password Connect.
# Works on a fresh machine with Node and npm only (an older Node is fine: scripts/ensure-node.sh
# fetches Node 22 from the npm registry once): it installs pnpm's packages and builds first.
# The AWS emulator needs moto (python3 -m moto.server); without it the AWS step is skipped with
# a notice and the rest runs.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v node >/dev/null 2>&1; then
  echo "error: the demo needs Node.js and npm (node was not found)." >&2
  echo "hint: install Node 22 or 24 from https://nodejs.org and run again." >&2
  exit 1
fi
source scripts/ensure-node.sh

echo "Installing packages (pnpm install --frozen-lockfile)..."
bash scripts/pnpm.sh install --frozen-lockfile
echo "Building (pnpm build)..."
bash scripts/pnpm.sh build

python="${MOTO_PYTHON:-python3}"
if ! "$python" -c "import moto.server" >/dev/null 2>&1; then
  echo
  echo "notice: moto is not installed ('$python -c \"import moto.server\"' failed), so the AWS" >&2
  echo "        Secrets Manager part of the demo is skipped; everything else runs." >&2
  echo "        To include it: $python -m pip install \"moto[server]\"  (moto 5.x)" >&2
  export VAULTLINK_DEMO_SKIP_AWS=1
fi

echo
exec node apps/demo/dist/main.js
