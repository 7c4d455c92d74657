#!/usr/bin/env bash
# Builds out/venueguard_<VERSION>_<arch>.deb from an already built binary (`make deb`,
# `make deb-package`), then checks it with scripts/check-package.sh.
#
#   scripts/build-deb.sh [--release]
#
# --release: the package is meant to be installed (`make deb`): the binary must not need the
# Swift runtime from a toolchain (it must be built with --static-swift-stdlib).
#
# Settings (environment):
#   VENUEGUARD_BIN   the binary (default .build/release/venueguard)
#   OUT_DIR          where the .deb goes (default out)
#   DEB_MAINTAINER   the Maintainer field (default "VenueGuard maintainers <venueguard@localhost>")
#   VENUEGUARD_STRIP=no   keep the binary's debug information (default: strip --strip-debug)
#
# Depends: is worked out from the binary's ELF NEEDED entries: with dpkg-shlibdeps (package
# dpkg-dev) when it is there, which gives versioned dependencies, otherwise by asking dpkg
# which package owns each library. Swift runtime libraries are never dependencies.
set -euo pipefail
cd "$(dirname "$0")/.."

release=
case "${1:-}" in --release) release=1 ;; "") ;; *) echo "usage: $0 [--release]" >&2; exit 2 ;; esac

BIN=${VENUEGUARD_BIN:-.build/release/venueguard}
OUT_DIR=${OUT_DIR:-out}
MAINTAINER=${DEB_MAINTAINER:-VenueGuard maintainers <venueguard@localhost>}

say() { printf 'build-deb: %s\n' "$*" >&2; }
die() { say "error: $*"; exit 1; }

for tool in dpkg dpkg-deb dpkg-query; do command -v "$tool" >/dev/null || die "$tool is missing (this needs Debian or Raspberry Pi OS)"; done
[ -f VERSION ] || die "no VERSION file"
VERSION=$(tr -d ' \t\r\n' < VERSION)
[[ "$VERSION" =~ ^[0-9][A-Za-z0-9.+~-]*$ ]] || die "VERSION '$VERSION' is not a Debian version"
ARCH=$(dpkg --print-architecture)
[ -f "$BIN" ] && [ -x "$BIN" ] || die "no binary at '$BIN' (build it with 'make release', or pass VENUEGUARD_BIN=...)"

# The binary must be an ELF file for this architecture (e_machine at offset 18).
[ "$(head -c 4 "$BIN" | od -An -c | tr -d ' ')" = '177ELF' ] || die "$BIN is not an ELF file"
machine=$(od -An -t u2 -j 18 -N 2 "$BIN" | tr -d ' ')
case "$machine" in 62) elf_arch=amd64 ;; 183) elf_arch=arm64 ;; 40) elf_arch=armhf ;; 243) elf_arch=riscv64 ;; *) elf_arch="e_machine $machine" ;; esac
[ "$elf_arch" = "$ARCH" ] || die "$BIN is built for $elf_arch, but this machine packages for $ARCH: build the .deb on the target architecture"

if command -v objdump >/dev/null; then
    needed=$(objdump -p "$BIN" | awk '$1 == "NEEDED" { print $2 }')
elif command -v readelf >/dev/null; then
    needed=$(readelf -d "$BIN" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p')
else
    die "objdump or readelf (package binutils) is needed to read the binary's libraries"
fi
swift_runtime_re='^(libswift.*|lib_?Foundation.*|libdispatch|libBlocksRuntime|libXCTest|libTesting)\.so'
swift_libs=$(printf '%s\n' "$needed" | grep -E "$swift_runtime_re" || true)
if [ -n "$swift_libs" ]; then
    msg="$BIN links the Swift runtime dynamically ($(echo $swift_libs | wc -w) libraries such as $(echo "$swift_libs" | sed -n 1p)): the package would not run without a Swift toolchain. A release build (make release: --static-swift-stdlib) does not."
    [ -z "$release" ] || die "$msg"
    say "WARNING: $msg"
    say "WARNING: this package is only good for checking the package structure."
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
root=$work/root

# Files: the same layout as `make install`, with Debian's paths.
VENUEGUARD_PACKAGING=1 VENUEGUARD_BIN="$BIN" DESTDIR="$root" PREFIX=/usr SYSCONFDIR=/etc \
    UNITDIR=/lib/systemd/system UDEVRULESDIR=/lib/udev/rules.d \
    DATADIR=/usr/share/venueguard DOCDIR=/usr/share/doc/venueguard \
    ./scripts/install.sh install
install -m 0644 packaging/debian/copyright "$root/usr/share/doc/venueguard/copyright"
if [ "${VENUEGUARD_STRIP:-yes}" != no ]; then
    if command -v strip >/dev/null; then
        strip --strip-debug "$root/usr/bin/venueguard" "$root/usr/bin/venueguard-companion"
    else
        say "no strip (binutils): the binary keeps its debug information"
    fi
fi

# Depends.
if command -v dpkg-shlibdeps >/dev/null; then
    mkdir -p "$work/shlibs/debian"
    printf 'Source: venueguard\n\nPackage: venueguard\nArchitecture: any\n' > "$work/shlibs/debian/control"
    if ! shlibs=$(cd "$work/shlibs" && dpkg-shlibdeps -O "$root/usr/bin/venueguard" "$root/usr/bin/venueguard-companion" 2>"$work/shlibdeps.log"); then
        cat "$work/shlibdeps.log" >&2
        die "dpkg-shlibdeps could not work out the dependencies (a library not installed from a Debian package?)"
    fi
    lib_depends=$(printf '%s\n' "$shlibs" | sed -n 's/^shlibs:Depends=//p')
    how="dpkg-shlibdeps"
else
    # Which package owns each library (usrmerge: dpkg may know it under /lib or /usr/lib).
    packages=()
    for soname in $needed; do
        if printf '%s\n' "$soname" | grep -E "$swift_runtime_re" >/dev/null; then continue; fi
        path=$(ldconfig -p | awk -v s="$soname" '$1 == s && !found { print $NF; found = 1 }')
        [ -n "$path" ] || die "$soname: not found by ldconfig; install the library's package"
        owner=
        for candidate in "$path" "$(readlink -f "$path")" "${path/#\/usr\/lib\//\/lib\/}" "${path/#\/lib\//\/usr\/lib\/}"; do
            owner=$(dpkg-query -S "$candidate" 2>/dev/null | sed -n 1p | cut -d: -f1) && [ -n "$owner" ] && break
        done
        [ -n "$owner" ] || die "$soname ($path) does not belong to any Debian package"
        packages+=("$owner")
    done
    lib_depends=$(printf '%s\n' "${packages[@]}" | sort -u | paste -sd, - | sed 's/,/, /g')
    how="dpkg -S (unversioned; install dpkg-dev for versioned dependencies)"
fi
[ -n "$lib_depends" ] || die "found no library dependencies in $BIN"
depends="$lib_depends, adduser"
say "Depends: $depends  (from $how)"

# Control files.
install -d -m 0755 "$root/DEBIAN"
installed_size=$(du -sk --apparent-size "$root" | cut -f1)
maintainer_escaped=$(printf '%s' "$MAINTAINER" | sed 's/[|&\\]/\\&/g')
sed -e "s|@VERSION@|$VERSION|" -e "s|@ARCH@|$ARCH|" -e "s|@MAINTAINER@|$maintainer_escaped|" \
    -e "s|@INSTALLED_SIZE@|$installed_size|" -e "s|@DEPENDS@|$depends|" \
    packaging/debian/control.in > "$root/DEBIAN/control"
! grep -n '@[A-Z_]*@' "$root/DEBIAN/control" || die "unfilled placeholder in the control file"
(cd "$root" && find etc -type f | sort | sed 's|^|/|') > "$root/DEBIAN/conffiles"
(cd "$root" && find usr lib -type f -print0 | sort -z | xargs -0 md5sum) > "$root/DEBIAN/md5sums"
for script in postinst prerm postrm; do
    install -m 0755 "packaging/debian/$script" "$root/DEBIAN/$script"
done
chmod 0644 "$root/DEBIAN/control" "$root/DEBIAN/conffiles" "$root/DEBIAN/md5sums"

mkdir -p "$OUT_DIR"
deb="$OUT_DIR/venueguard_${VERSION}_${ARCH}.deb"
dpkg-deb --root-owner-group -Zzstd --build "$root" "$deb" >/dev/null
say "built $deb"

./scripts/check-package.sh ${release:+--release} "$deb"
