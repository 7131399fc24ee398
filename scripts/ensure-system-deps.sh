#!/usr/bin/env bash
# Tests need two things from the operating system: a Secret Service (gnome-keyring under a
# D-Bus session) for the OS-keychain key source, and moto (python3) for the AWS emulator.
set -euo pipefail
if ! command -v gnome-keyring-daemon >/dev/null 2>&1 || ! command -v dbus-run-session >/dev/null 2>&1; then
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    echo "Installing gnome-keyring and dbus (Debian packages) for the keychain tests..."
    apt-get update -qq >/dev/null
    apt-get install -y -qq --no-install-recommends gnome-keyring dbus dbus-x11 libsecret-1-0 >/dev/null
  else
    echo "error: the keychain tests need gnome-keyring and dbus-run-session." >&2
    echo "hint: install them with 'sudo apt-get install gnome-keyring dbus' and run again." >&2
    exit 1
  fi
fi
if ! python3 -c "import moto.server" >/dev/null 2>&1; then
  echo "error: the AWS emulator needs moto, which this machine image normally ships." >&2
  echo "hint: install it with 'pip install \"moto[server]\"' and run again." >&2
  exit 1
fi
