#!/usr/bin/env bash
# Runs the pinned pnpm on a machine that has only Node and npm.
set -euo pipefail
exec npx -y pnpm@10.34.9 "$@"
