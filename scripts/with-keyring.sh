#!/usr/bin/env bash
# Runs a command inside a private D-Bus session with an unlocked gnome-keyring, so the OS
# keychain (Secret Service) is real but never touches the user's own keyring.
set -euo pipefail
if [ -z "${VAULTLINK_IN_KEYRING_SESSION:-}" ]; then
  export VAULTLINK_IN_KEYRING_SESSION=1
  exec dbus-run-session -- "$0" "$@"
fi
export XDG_RUNTIME_DIR="${XDG_RUNTIME_DIR:-$(mktemp -d)}"
chmod 700 "$XDG_RUNTIME_DIR"
eval "$(printf '' | gnome-keyring-daemon --unlock --components=secrets 2>/dev/null)" || true
eval "$(gnome-keyring-daemon --start --components=secrets 2>/dev/null)" || true
export GNOME_KEYRING_CONTROL SSH_AUTH_SOCK 2>/dev/null || true
exec "$@"
