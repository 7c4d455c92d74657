#!/usr/bin/env bash
# Prepares a Debian 12 / Raspberry Pi OS machine to build and test VenueGuard:
# the Debian packages the build and the tests need (installed with apt only when missing),
# and a Swift 6 toolchain (installed with swiftly only when none is found).
# Safe to run again: it does nothing when everything is in place.
set -euo pipefail

# Debian packages: C libraries the Platform modules link, and tools the tests run.
DEBIAN_PACKAGES=(pkg-config libgpiod-dev libi2c-dev libmosquitto-dev libsqlite3-dev mosquitto mosquitto-clients openssl python3-jsonschema python3-jinja2 python3-prometheus-client)
# With --tests (make test) also what only the tests use: chromium, poppler-utils and tmux check
# the companion's page, its legend card and the terminal panel; fonts-noto-cjk draws their
# Japanese. `make demo` does not need them.
if [ "${1:-}" = "--tests" ]; then DEBIAN_PACKAGES+=(chromium fonts-noto-cjk poppler-utils tmux); fi
# systemd-analyze checks the service unit (scripts/check-systemd.sh); minimal containers lack it.
command -v systemd-analyze >/dev/null || DEBIAN_PACKAGES+=(systemd)

say() { printf 'setup: %s\n' "$*" >&2; }

find_swift() {
    if command -v swift >/dev/null; then command -v swift
    elif [ -x /opt/swift/usr/bin/swift ]; then echo /opt/swift/usr/bin/swift
    elif [ -x "$HOME/.local/share/swiftly/bin/swift" ]; then echo "$HOME/.local/share/swiftly/bin/swift"
    fi
}

# --find-swift: only print the toolchain's path (for the Makefile), install nothing.
if [ "${1:-}" = "--find-swift" ]; then
    found=$(find_swift); echo "${found:-swift}"; exit 0
fi

as_root() {
    if [ "$(id -u)" -eq 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else
        say "need root to run: $*  (install sudo or run as root)"; exit 1; fi
}

missing=()
for package in "${DEBIAN_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if [ "${#missing[@]}" -gt 0 ]; then
    if ! command -v apt-get >/dev/null; then
        say "missing ${missing[*]} and no apt-get: install them with your package manager"; exit 1
    fi
    say "installing ${missing[*]} with apt"
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi

# Swift: on PATH, in /opt/swift, or from swiftly.
swift_bin=$(find_swift)
if [ -z "$swift_bin" ]; then
    say "no Swift toolchain found: installing the current release with swiftly (https://www.swift.org/install/linux/)"
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq curl binutils git gnupg2 libc6-dev libcurl4-openssl-dev \
        libedit2 libgcc-12-dev libpython3-dev libsqlite3-0 libstdc++-12-dev libxml2-dev libncurses-dev libz3-dev tzdata zlib1g-dev >/dev/null
    work=$(mktemp -d)
    (cd "$work" && curl -fsSLO "https://download.swift.org/swiftly/linux/swiftly-$(uname -m).tar.gz" \
        && tar zxf "swiftly-$(uname -m).tar.gz" && ./swiftly init --assume-yes --quiet-shell-followup)
    rm -rf "$work"
    swift_bin="$HOME/.local/share/swiftly/bin/swift"
    [ -x "$swift_bin" ] || { say "swiftly did not install Swift; see https://www.swift.org/install/linux/"; exit 1; }
fi
version=$("$swift_bin" --version 2>/dev/null | sed -n 's/.*Swift version \([0-9]*\)\..*/\1/p' | head -n1)
if [ -z "$version" ] || [ "$version" -lt 6 ]; then
    say "$swift_bin is not Swift 6 or newer: install Swift 6 (https://www.swift.org/install/linux/)"; exit 1
fi
echo "$swift_bin"
