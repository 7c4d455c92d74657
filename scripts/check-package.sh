#!/usr/bin/env bash
# Checks a VenueGuard .deb: control fields, Depends against the binary's libraries, the file
# list and ownership, conffiles, the maintainer scripts and the packaged unit.
#
#   scripts/check-package.sh [--release] out/venueguard_<version>_<arch>.deb
#
# --release: also fail when the binary needs the Swift runtime from a toolchain (a debug or
# non --static-swift-stdlib build); without it that is only a warning.
# Prints every problem it finds and exits 1 if there was any.
set -euo pipefail
cd "$(dirname "$0")/.."

release=
if [ "${1:-}" = --release ]; then release=1; shift; fi
[ $# -eq 1 ] || { echo "usage: $0 [--release] PACKAGE.deb" >&2; exit 2; }
deb=$1
[ -f "$deb" ] || { echo "check-package: no such file: $deb" >&2; exit 2; }

failures=0
ok()   { printf 'ok    %s\n' "$*"; }
fail() { printf 'FAIL  %s\n' "$*" >&2; failures=$((failures + 1)); }
warn() { printf 'WARN  %s\n' "$*" >&2; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# --- control fields --------------------------------------------------------------------------
dpkg-deb --info "$deb" >/dev/null || { echo "check-package: $deb is not a Debian package" >&2; exit 1; }
field() { dpkg-deb --field "$deb" "$1"; }
[ "$(field Package)" = venueguard ] && ok "Package: venueguard" || fail "Package is '$(field Package)', not venueguard"
version=$(field Version)
if [ -f VERSION ]; then
    [ "$version" = "$(tr -d ' \t\r\n' < VERSION)" ] && ok "Version: $version (as in VERSION)" \
        || fail "Version '$version' differs from the VERSION file ($(cat VERSION))"
else
    [ -n "$version" ] && ok "Version: $version" || fail "no Version"
fi
arch=$(field Architecture)
case "$arch" in amd64|arm64|armhf|riscv64) ok "Architecture: $arch" ;; *) fail "unexpected Architecture '$arch'" ;; esac
for name in Maintainer Description Installed-Size Section Priority; do
    [ -n "$(field "$name")" ] && ok "$name present" || fail "no $name field"
done
case "$(basename "$deb")" in
    "venueguard_${version}_${arch}.deb") ok "file name matches the control fields" ;;
    *) fail "file name $(basename "$deb") is not venueguard_${version}_${arch}.deb" ;;
esac
depends=$(field Depends)
has_dependency() { # package: in Depends, with or without a version
    printf '%s\n' "$depends" | tr ',' '\n' | sed 's/^ *//; s/[ (].*//' | grep -x "$1" >/dev/null
}
for package in libc6 libgpiod2 libi2c0 libmosquitto1 libsqlite3-0 adduser; do
    has_dependency "$package" && ok "Depends: $package" || fail "Depends lacks $package: $depends"
done

# --- files -----------------------------------------------------------------------------------
dpkg-deb --contents "$deb" > "$work/contents"
awk '{ print $NF }' "$work/contents" | sed 's|/$||' > "$work/paths"
for path in \
    ./usr/bin/venueguard \
    ./lib/systemd/system/venueguard.service \
    ./lib/systemd/system/venueguard-companion.service \
    ./usr/bin/venueguard-companion \
    ./lib/udev/rules.d/60-venueguard.rules \
    ./etc/venueguard/venueguard.yaml \
    ./etc/venueguard/regions/standard.yaml \
    ./usr/share/venueguard/examples/raspberry-pi.yaml \
    ./usr/share/venueguard/examples/demo.yaml \
    ./usr/share/venueguard/examples/scenarios/demo-afternoon.yaml \
    ./usr/share/venueguard/examples/regions/standard.yaml \
    ./usr/share/venueguard/regions/standard.yaml \
    ./usr/share/venueguard/schemas/state.schema.json \
    ./usr/share/venueguard/mosquitto/venueguard.conf \
    ./usr/share/venueguard/mosquitto/acl \
    ./usr/share/doc/venueguard/README.md \
    ./usr/share/doc/venueguard/docs/companion.md \
    ./usr/share/doc/venueguard/copyright \
    ./usr/share/doc/venueguard/Hardware/wiring-raspberry-pi.md \
    ./usr/share/doc/venueguard/Hardware/boards/README.md
do
    grep -qxF "$path" "$work/paths" && ok "contains $path" || fail "missing $path"
done
for source in Config/regions/*.yaml; do
    grep -qxF "./etc/venueguard/regions/$(basename "$source")" "$work/paths" \
        || fail "missing ./etc/venueguard/regions/$(basename "$source")"
done
for source in schemas/*.json; do
    grep -qxF "./usr/share/venueguard/schemas/$(basename "$source")" "$work/paths" \
        || fail "missing ./usr/share/venueguard/schemas/$(basename "$source")"
done
strays=$(grep -vE '^\.(/usr(/bin(/venueguard(-companion)?)?|/share(/venueguard(/.*)?|/doc(/venueguard(/.*)?)?)?)?|/lib(/systemd(/system(/venueguard(-companion)?\.service)?)?|/udev(/rules\.d(/60-venueguard\.rules)?)?)?|/etc(/venueguard(/.*)?)?)?$' "$work/paths" || true)
[ -z "$strays" ] && ok "no files outside the expected directories" || fail "unexpected paths: $(echo $strays)"
not_root=$(awk '$2 != "root/root" { print $NF }' "$work/contents")
[ -z "$not_root" ] && ok "every entry is owned by root/root" || fail "not owned by root/root: $(echo $not_root)"
grep -qE '^-rwxr-xr-x .* \./usr/bin/venueguard$' "$work/contents" && ok "venueguard is mode 0755" \
    || fail "./usr/bin/venueguard is not -rwxr-xr-x"
grep -qE '^-rwxr-xr-x .* \./usr/bin/venueguard-companion$' "$work/contents" && ok "venueguard-companion is mode 0755" \
    || fail "./usr/bin/venueguard-companion is not -rwxr-xr-x"
writable=$(awk '$1 ~ /^.....w|^........w/ { print $NF }' "$work/contents")
[ -z "$writable" ] && ok "nothing is group- or world-writable" || fail "group/world-writable: $(echo $writable)"

# --- conffiles -------------------------------------------------------------------------------
dpkg-deb --control "$deb" "$work/DEBIAN"
if [ -f "$work/DEBIAN/conffiles" ]; then
    sort "$work/DEBIAN/conffiles" > "$work/conffiles"
    awk '$1 ~ /^-/ && $NF ~ /^\.\/etc\// { sub(/^\./, "", $NF); print $NF }' "$work/contents" | sort > "$work/etc-files"
    if cmp -s "$work/conffiles" "$work/etc-files"; then
        ok "conffiles lists exactly the $(wc -l < "$work/conffiles") files under /etc"
    else
        fail "conffiles and the files under /etc differ: $(diff "$work/conffiles" "$work/etc-files" | grep '^[<>]' | tr '\n' ' ')"
    fi
    grep -qx /etc/venueguard/venueguard.yaml "$work/conffiles" && ok "conffile /etc/venueguard/venueguard.yaml" \
        || fail "/etc/venueguard/venueguard.yaml is not a conffile"
else
    fail "no DEBIAN/conffiles"
fi

# --- maintainer scripts ----------------------------------------------------------------------
for script in postinst prerm postrm; do
    file=$work/DEBIAN/$script
    if [ ! -f "$file" ]; then fail "no $script"; continue; fi
    [ -x "$file" ] || fail "$script is not executable"
    [ "$(head -n1 "$file")" = "#!/bin/sh" ] || fail "$script does not start with #!/bin/sh"
    grep -qx 'set -e' "$file" || fail "$script has no 'set -e' line"
    if sh -n "$file" 2>"$work/syntax"; then ok "$script: POSIX sh syntax"; else fail "$script: $(cat "$work/syntax")"; fi
    if command -v dash >/dev/null && [ "$(readlink -f "$(command -v sh)")" != "$(readlink -f "$(command -v dash)")" ]; then
        dash -n "$file" || fail "$script: dash syntax"
    fi
done
grep -q 'adduser .*--system' "$work/DEBIAN/postinst" 2>/dev/null && ok "postinst creates the system user" \
    || fail "postinst does not create the venueguard system user"
[ -f "$work/DEBIAN/md5sums" ] && ok "md5sums present" || warn "no DEBIAN/md5sums"

# --- the packaged unit and the binary ----------------------------------------------------------
dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$work" ./lib/systemd/system/venueguard.service ./usr/bin/venueguard \
    ./lib/systemd/system/venueguard-companion.service
companion_unit=$work/lib/systemd/system/venueguard-companion.service
for line in 'User=venueguard-companion' 'PrivateDevices=yes' 'DevicePolicy=closed' \
            'ExecStart=/usr/bin/venueguard-companion --config /etc/venueguard/venueguard.yaml --socket /run/venueguard/companion.sock'; do
    grep -qxF "$line" "$companion_unit" && ok "companion unit: $line" || fail "companion unit lacks '$line'"
done
unit=$work/lib/systemd/system/venueguard.service
for line in 'Type=notify' 'ExecStart=/usr/bin/venueguard run --config /etc/venueguard/venueguard.yaml --plain' \
            'User=venueguard' 'RuntimeDirectory=venueguard' 'StateDirectory=venueguard' 'WatchdogSec=30'; do
    grep -qxF "$line" "$unit" && ok "unit: $line" || fail "unit lacks '$line'"
done

binary=$work/usr/bin/venueguard
if command -v objdump >/dev/null; then
    needed=$(objdump -p "$binary" | awk '$1 == "NEEDED" { print $2 }')
    swift_runtime_re='^(libswift.*|lib_?Foundation.*|libdispatch|libBlocksRuntime|libXCTest|libTesting)\.so'
    swift_libs=$(printf '%s\n' "$needed" | grep -E "$swift_runtime_re" || true)
    if [ -n "$swift_libs" ]; then
        msg="the binary needs $(echo $swift_libs | wc -w) Swift runtime libraries (e.g. $(echo "$swift_libs" | sed -n 1p)) that no Debian package provides"
        if [ -n "$release" ]; then fail "$msg"; else warn "$msg (fine for a structure check only)"; fi
    else
        ok "the binary does not need the Swift runtime from a toolchain"
    fi
    # Every other library must come from a package in Depends.
    for soname in $needed; do
        printf '%s\n' "$soname" | grep -E "$swift_runtime_re" >/dev/null && continue
        path=$(ldconfig -p | awk -v s="$soname" '$1 == s && !found { print $NF; found = 1 }')
        if [ -z "$path" ]; then warn "$soname is not installed here: cannot check its package"; continue; fi
        owner=
        for candidate in "$path" "$(readlink -f "$path")" "${path/#\/usr\/lib\//\/lib\/}" "${path/#\/lib\//\/usr\/lib\/}"; do
            owner=$(dpkg-query -S "$candidate" 2>/dev/null | sed -n 1p | cut -d: -f1) && [ -n "$owner" ] && break
        done
        if [ -z "$owner" ]; then fail "$soname ($path) belongs to no Debian package"
        elif has_dependency "$owner"; then ok "$soname -> $owner (in Depends)"
        else fail "$soname comes from $owner, which is not in Depends"
        fi
    done
else
    warn "no objdump (binutils): the binary's libraries were not checked against Depends"
fi

if [ "$failures" -gt 0 ]; then
    printf 'check-package: %d problem(s) in %s\n' "$failures" "$deb" >&2
    exit 1
fi
printf 'check-package: OK %s\n' "$deb"
