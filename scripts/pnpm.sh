#!/usr/bin/env bash
# Runs the pinned pnpm on a machine that has only Node and npm (under a supported Node: see
# scripts/ensure-node.sh).
set -euo pipefail
source "$(dirname "$0")/ensure-node.sh"
exec npx -y pnpm@11.29.0 "$@"
