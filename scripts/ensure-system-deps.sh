#!/usr/bin/env bash
# Tests need from the operating system: a Secret Service (gnome-keyring under a D-Bus session)
# for the OS-keychain key source, moto (python3) for the AWS emulator, bash-completion for the
# shell completion test, man (man-db) to render the man page, and chromium for the vault
# screen's browser tests.
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
missing=()
[ -f /usr/share/bash-completion/bash_completion ] || missing+=(bash-completion)
command -v man >/dev/null 2>&1 || missing+=(man-db)
if [ "${#missing[@]}" -gt 0 ]; then
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    echo "Installing ${missing[*]} (Debian packages) for the completion and man page tests..."
    apt-get update -qq >/dev/null
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  else
    echo "error: the completion and man page tests need ${missing[*]}." >&2
    echo "hint: install them with 'sudo apt-get install ${missing[*]}' and run again." >&2
    exit 1
  fi
fi
# The vault screen's browser tests (packages/ui) drive Debian's Chromium with playwright-core;
# playwright's own browser download is never used.
if [ -z "${VAULTLINK_CHROMIUM:-}" ] && [ ! -x /usr/bin/chromium ]; then
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    echo "Installing chromium (Debian package) for the vault screen's browser tests..."
    apt-get update -qq >/dev/null
    apt-get install -y -qq --no-install-recommends chromium >/dev/null
  else
    echo "error: the vault screen's browser tests need Chromium at /usr/bin/chromium." >&2
    echo "hint: install it with 'sudo apt-get install chromium' (or set VAULTLINK_CHROMIUM to a Chromium binary) and run again." >&2
    exit 1
  fi
fi
