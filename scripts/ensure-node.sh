# Sourced (not run) by scripts/pnpm.sh, scripts/test.sh, scripts/demo.sh and .ci/run: makes sure
# the `node` first on PATH is a supported one (22.22.2+ on the 22 line, 24.15+ on 24 or newer).
# When it is not, a Node 22 is fetched once from the npm registry (the `node` package) into
# ~/.cache/vaultlink/node-22 and put first on PATH, with one line saying so.
#
#   VAULTLINK_NODE_LINE=24 bash scripts/test.sh   # run under a given line (CI proves 22 and 24)
#   VAULTLINK_NODE_CACHE=<dir>                     # where fetched Nodes live (default ~/.cache/vaultlink)

# Exit status 0 when the given node binary is a supported version (and, with a second argument,
# is on that major line).
vaultlink_node_supported() {
  "$1" -e '
    const [major, minor, patch] = process.versions.node.split(".").map(Number);
    const supported = (major === 22 && (minor > 22 || (minor === 22 && patch >= 2))) ||
      (major === 24 && minor >= 15) || major > 24;
    const line = process.argv[1];
    process.exit(supported && (line === undefined || String(major) === line) ? 0 : 1);
  ' ${2:+"$2"} >/dev/null 2>&1
}

# Fetches the newest Node of a major line into the cache (once) and puts it first on PATH.
vaultlink_use_node_line() {
  local line="$1"
  local cache="${VAULTLINK_NODE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/vaultlink}/node-$line"
  local bin="$cache/node_modules/node/bin"
  if ! vaultlink_node_supported "$bin/node" "$line"; then
    if ! command -v npm >/dev/null 2>&1; then
      echo "error: vaultlink needs Node 22 or 24, and npm to fetch one (npm was not found)." >&2
      echo "hint: install Node 22 or 24 from https://nodejs.org and run again." >&2
      return 1
    fi
    mkdir -p "$(dirname "$cache")"
    # Install next to the cache and move it into place, so two scripts fetching at once never
    # see a half-installed Node.
    local staging
    staging="$(mktemp -d "$cache.fetch.XXXXXX")"
    if ! npm install --silent --no-audit --no-fund --prefix "$staging" "node@$line" >/dev/null; then
      rm -rf "$staging"
      echo "error: could not fetch Node $line from the npm registry (npm install node@$line failed)." >&2
      echo "hint: check the network or install Node 22 or 24 yourself, then run again." >&2
      return 1
    fi
    rm -rf "$cache"
    mv -T "$staging" "$cache" 2>/dev/null || rm -rf "$staging"
  fi
  local was="none"
  command -v node >/dev/null 2>&1 && was="$(node --version)"
  export PATH="$bin:$PATH"
  echo "Using Node $(node --version) from $cache (this machine's node: $was; vaultlink needs 22 or 24)." >&2
}

if [ -n "${VAULTLINK_NODE_LINE:-}" ]; then
  if ! vaultlink_node_supported node "$VAULTLINK_NODE_LINE"; then
    vaultlink_use_node_line "$VAULTLINK_NODE_LINE" || exit 1
  fi
elif ! vaultlink_node_supported node; then
  vaultlink_use_node_line 22 || exit 1
fi
