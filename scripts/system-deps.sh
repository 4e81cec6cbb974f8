#!/usr/bin/env bash
# Install the Debian packages the test suite needs, only those that are missing.
# Silent when everything is already installed; safe to run on every `make test`.
set -euo pipefail

# Add packages here (space separated).
#   postgresql                 server + client for tests/_support/wdtest/postgres.py
#   freeradius-utils           radclient, for RADIUS end-to-end tests
#   chromium chromium-driver   headless browser tests
PACKAGES="postgresql freeradius-utils chromium chromium-driver"

is_installed() {
    [[ "$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null || true)" == "install ok installed" ]]
}

if ! command -v dpkg-query >/dev/null 2>&1 || ! command -v apt-get >/dev/null 2>&1; then
    echo "system-deps: not a Debian/Ubuntu system; install manually: $PACKAGES" >&2
    exit 1
fi

missing=()
for pkg in $PACKAGES; do
    is_installed "$pkg" || missing+=("$pkg")
done

if [[ ${#missing[@]} -eq 0 ]]; then
    exit 0
fi

if [[ $(id -u) -eq 0 ]]; then
    as_root=()
elif command -v sudo >/dev/null 2>&1; then
    as_root=(sudo)
else
    echo "system-deps: missing packages (${missing[*]}) and not root and no sudo: run as root: apt-get install ${missing[*]}" >&2
    exit 1
fi

echo "system-deps: installing ${missing[*]}" >&2
apt=("${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get -q -o DPkg::Lock::Timeout=300)
"${apt[@]}" update
"${apt[@]}" install -y --no-install-recommends "${missing[@]}"
