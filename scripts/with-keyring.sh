#!/usr/bin/env bash
# Runs a command inside a private D-Bus session with an unlocked gnome-keyring, so the OS
# keychain (Secret Service) is real but never touches the user's own keyring: the keyring
# files live in a throwaway XDG_DATA_HOME and the daemon exits when the private bus
# goes away at the end of dbus-run-session.
#
#   bash scripts/with-keyring.sh npx vitest run test/vault
set -euo pipefail
if [ "$#" -eq 0 ]; then
  echo "usage: $0 <command> [args...]" >&2
  exit 2
fi
if [ -z "${VAULTLINK_IN_KEYRING_SESSION:-}" ]; then
  command -v dbus-run-session >/dev/null || { echo "with-keyring: dbus-run-session not found (install dbus)" >&2; exit 127; }
  command -v gnome-keyring-daemon >/dev/null || { echo "with-keyring: gnome-keyring-daemon not found (install gnome-keyring)" >&2; exit 127; }
  export VAULTLINK_IN_KEYRING_SESSION=1
  exec dbus-run-session -- bash "$0" "$@"
fi

scratch="$(mktemp -d "${TMPDIR:-/tmp}/vaultlink-keyring.XXXXXX")"
cleanup() {
  rm -rf "$scratch"
}
trap cleanup EXIT

export XDG_RUNTIME_DIR="$scratch/run"
export XDG_DATA_HOME="$scratch/data"
mkdir -p "$XDG_RUNTIME_DIR" "$XDG_DATA_HOME"
chmod 700 "$XDG_RUNTIME_DIR" "$XDG_DATA_HOME"

# A non-empty password is required: with an empty one gnome-keyring creates no "login"
# collection, and the Secret Service then has no default collection to store items in.
printf 'vaultlink-test-keyring' | gnome-keyring-daemon --unlock --components=secrets >/dev/null 2>&1

# Wait until the daemon owns org.freedesktop.secrets and the default collection exists.
ready=""
for _ in $(seq 1 100); do
  if dbus-send --session --print-reply --dest=org.freedesktop.secrets /org/freedesktop/secrets \
    org.freedesktop.Secret.Service.ReadAlias string:default 2>/dev/null | grep -q collection/; then
    ready=1
    break
  fi
  sleep 0.05
done
if [ -z "$ready" ]; then
  echo "with-keyring: gnome-keyring did not provide a default Secret Service collection" >&2
  exit 1
fi

set +e
"$@"
status=$?
set -e
exit "$status"
