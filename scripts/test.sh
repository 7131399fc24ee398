#!/usr/bin/env bash
# The test command from the README. Works on a fresh machine with Node 20 and npm only:
# it installs pnpm's packages, the OS packages the tests need, builds, and runs every test.
set -euo pipefail
cd "$(dirname "$0")/.."
export AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED=true
bash scripts/pnpm.sh install --frozen-lockfile
bash scripts/ensure-system-deps.sh
bash scripts/pnpm.sh build
bash scripts/with-keyring.sh bash scripts/pnpm.sh test
