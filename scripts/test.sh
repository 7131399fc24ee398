#!/usr/bin/env bash
# The test command from the README. Works on a fresh machine with Node and npm only (an older
# Node is fine: scripts/ensure-node.sh fetches Node 22 from the npm registry once): it installs
# pnpm's packages, the OS packages the tests need, builds, and runs every test.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/ensure-node.sh
bash scripts/pnpm.sh install --frozen-lockfile
bash scripts/ensure-system-deps.sh
bash scripts/pnpm.sh build
bash scripts/with-keyring.sh bash scripts/pnpm.sh test
