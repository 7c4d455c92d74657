#!/usr/bin/env bash
# `make hil`: the real venueguard binary and the real package against a real Linux kernel and
# a real systemd, under QEMU, with no board. README "Hardware in the loop: make hil" says what
# it proves and what it does not.
#
#   scripts/hil/run.sh [devices] [systemd]     (default: both guests)
#
# 1. Installs what it needs from Debian (QEMU, busybox-static, debootstrap, i2c-tools, …).
# 2. Downloads the Debian kernel that `linux-image-amd64` points at, its headers and the
#    matching `linux-source` (for gpio-sim.c, irq_sim.c and the private gpiolib.h), and builds
#    gpio-sim (Debian's kernels do not) and hil-i2c (scripts/hil/modules) out of tree.
# 3. Guest "devices": an initramfs with busybox, the binary and the libraries `ldd` lists;
#    i2c-stub, hil-i2c and gpio-sim; guest/devices.sh.
#    Guest "systemd": a Debian rootfs made with debootstrap, systemd as PID 1; the .deb is
#    installed there and the unit runs on the same simulated devices; guest/systemd.sh.
#    With two cores or more the two guests run side by side, one virtual CPU each.
# 4. Each guest prints "PASS name" / "FAIL name: why" per test and "N passed, N failed" on a
#    serial port; this script checks that every test of the guest scripts reported, and exits
#    non-zero unless all passed. What the guests hand back (logs, samples, the unit's journal,
#    core dumps with a gdb backtrace) goes to HIL_OUT.
#
# Settings (environment):
#   VENUEGUARD_BIN   the binary (default .build/release/venueguard, from `make release`)
#   VENUEGUARD_DEB   the package (default out/venueguard_<VERSION>_<arch>.deb, from `make deb`)
#   HIL_CACHE        downloads, kernel, modules, rootfs image (default ${XDG_CACHE_HOME:-~/.cache}/venueguard-hil)
#   HIL_OUT          logs and results of this run (default out/hil)
#   HIL_ACCEL        kvm, tcg or auto (default: kvm when /dev/kvm works)
#   HIL_EDGES        IRQ edges for the latency figure (default 100)
#   HIL_MIRROR       the Debian mirror for debootstrap (default: the one apt uses, else deb.debian.org)
set -euo pipefail
cd "$(dirname "$0")/../.."
REPO=$PWD
HIL_DIR=$REPO/scripts/hil

VENUEGUARD_BIN=${VENUEGUARD_BIN:-.build/release/venueguard}
VENUEGUARD_DEB=${VENUEGUARD_DEB:-out/venueguard_$(tr -d ' \t\r\n' <VERSION)_$(dpkg --print-architecture).deb}
CACHE=${HIL_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/venueguard-hil}
OUT=${HIL_OUT:-out/hil}
HIL_EDGES=${HIL_EDGES:-100}
GUESTS=("$@")
[ ${#GUESTS[@]} -gt 0 ] || GUESTS=(devices systemd)

started=$(date +%s)
say() { printf 'hil: [%3d s] %s\n' "$(( $(date +%s) - started ))" "$*" >&2; }
die() { say "error: $*"; exit 1; }
elapsed() { echo "$(( $(date +%s) - started )) s"; }

as_root() {
    if [ "$(id -u)" -eq 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else
        die "need root to run: $*  (install sudo or run as root)"; fi
}

case "$(uname -m)" in x86_64) ;; *) die "make hil boots an x86-64 Debian kernel; this machine is $(uname -m)" ;; esac
for guest in "${GUESTS[@]}"; do
    case "$guest" in devices | systemd) ;; *) die "unknown guest '$guest' (devices, systemd)" ;; esac
done
[ -x "$VENUEGUARD_BIN" ] || die "no binary at $VENUEGUARD_BIN (make release, or set VENUEGUARD_BIN)"
if [[ " ${GUESTS[*]} " == *" systemd "* ]]; then
    [ -f "$VENUEGUARD_DEB" ] || die "no package at $VENUEGUARD_DEB (make deb, or set VENUEGUARD_DEB)"
fi
VENUEGUARD_BIN=$(realpath "$VENUEGUARD_BIN")
[ ! -f "$VENUEGUARD_DEB" ] || VENUEGUARD_DEB=$(realpath "$VENUEGUARD_DEB")
mkdir -p "$CACHE" "$OUT"
OUT=$(realpath "$OUT")
WORK=$(mktemp -d "${TMPDIR:-/tmp}/venueguard-hil.XXXXXX")
cleanup() {
    local pid
    for pid in $(jobs -p); do kill "$pid" 2>/dev/null || true; done
    rm -rf "$WORK"
}
trap cleanup EXIT

# --- 1. Host packages ------------------------------------------------------------------------
HOST_PACKAGES=(qemu-system-x86 qemu-utils busybox-static debootstrap cpio kmod xz-utils i2c-tools
    gcc make libc6-dev python3 e2fsprogs tar)
missing=()
for package in "${HOST_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if [ ${#missing[@]} -gt 0 ]; then
    say "installing ${missing[*]}"
    if ! as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null; then
        as_root apt-get update -qq
        as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
    fi
fi

# --- 2. Kernel, headers, source; out-of-tree modules -----------------------------------------
# The kernel `linux-image-amd64` depends on (the current Debian 12 kernel, >= 5.17 for gpio-sim).
resolve_kernel() {
    KERNEL_PACKAGE=$(apt-cache depends linux-image-amd64 2>/dev/null | awk '/Depends: linux-image-[0-9]/ { print $2; exit }')
    [ -n "$KERNEL_PACKAGE" ] || return 1
    KERNEL_VERSION=$(apt-cache show --no-all-versions "$KERNEL_PACKAGE" 2>/dev/null | awk '/^Version:/ { print $2; exit }')
    [ -n "$KERNEL_VERSION" ]
}
# Asking apt takes seconds; the answer is kept until apt's lists change.
lists_stamp=$(ls -l --time-style=+%s /var/lib/apt/lists/ 2>/dev/null | sha256sum | cut -c1-12)
if [ -f "$CACHE/kernel-choice" ] && [ "$(sed -n 1p "$CACHE/kernel-choice")" = "$lists_stamp" ]; then
    KERNEL_PACKAGE=$(sed -n 2p "$CACHE/kernel-choice") KERNEL_VERSION=$(sed -n 3p "$CACHE/kernel-choice")
else
    resolve_kernel || { as_root apt-get update -qq; resolve_kernel; } || die "apt knows no linux-image-amd64 (is this Debian 12?)"
    printf '%s\n%s\n%s\n' "$lists_stamp" "$KERNEL_PACKAGE" "$KERNEL_VERSION" >"$CACHE/kernel-choice"
fi
ABI=${KERNEL_PACKAGE#linux-image-}          # 6.1.0-57-amd64
SERIES=$(echo "$ABI" | cut -d. -f1,2)       # 6.1
KERNEL=$CACHE/kernel/$ABI
KROOT=$KERNEL/root
HEADERS=$KROOT/usr/src/linux-headers-$ABI
major=${SERIES%%.*} minor=${SERIES#*.}
[ "$major" -gt 5 ] || { [ "$major" -eq 5 ] && [ "$minor" -ge 17 ]; } || die "kernel $ABI: gpio-sim needs 5.17 or later"

if [ ! -f "$KERNEL/.complete" ]; then
    say "downloading $KERNEL_PACKAGE $KERNEL_VERSION, its headers and linux-source-$SERIES"
    rm -rf "$KERNEL"
    mkdir -p "$KERNEL/debs" "$KROOT" "$KERNEL/src"
    (cd "$KERNEL/debs" && apt-get download -q=2 "$KERNEL_PACKAGE=$KERNEL_VERSION" "linux-headers-$ABI=$KERNEL_VERSION" \
        "linux-headers-${ABI%-amd64}-common=$KERNEL_VERSION" "linux-kbuild-$SERIES=$KERNEL_VERSION" \
        "linux-source-$SERIES=$KERNEL_VERSION" 2>&1 | grep -v 'unsandboxed' || true)
    for deb in "$KERNEL"/debs/linux-{image,headers,kbuild}-*.deb; do dpkg-deb -x "$deb" "$KROOT"; done
    depmod -b "$KROOT" "$ABI"   # the package leaves the index to its postinst
    # The headers' Makefile includes the common tree by its installed path; point it here.
    sed -i "s|^include /usr/src/|include $KROOT/usr/src/|" "$HEADERS/Makefile"
    dpkg-deb --fsys-tarfile "$KERNEL"/debs/linux-source-*.deb | tar -xO "./usr/src/linux-source-$SERIES.tar.xz" |
        tar -xJ -C "$KERNEL/src" --strip-components=1 "linux-source-$SERIES/drivers/gpio/gpio-sim.c" \
            "linux-source-$SERIES/drivers/gpio/gpiolib.h" "linux-source-$SERIES/kernel/irq/irq_sim.c"
    rm -rf "$KERNEL/debs" "$KROOT/usr/share"
    [ -f "$KROOT/boot/vmlinuz-$ABI" ] && [ -f "$KERNEL/src/drivers/gpio/gpio-sim.c" ] || die "the kernel packages did not unpack as expected"
    touch "$KERNEL/.complete"
    find "$CACHE/kernel" -mindepth 1 -maxdepth 1 ! -path "$KERNEL" -exec rm -rf {} +  # older kernels
fi
VMLINUZ=$KROOT/boot/vmlinuz-$ABI
MODROOT=$KROOT/lib/modules/$ABI

# gpio-sim needs irq_sim, which Debian's kernels do not build (nothing built in selects
# CONFIG_IRQ_SIM): it is compiled into the module, calling the exported generic_handle_irq()
# where the built-in version calls the unexported irq_to_desc().
MODULE_RECIPE=1  # bump when the build steps below change
modules_hash=$( { echo "$MODULE_RECIPE"; cat "$HIL_DIR"/modules/*/*; } | sha256sum | cut -c1-12)
MODULES=$CACHE/modules/$ABI-$modules_hash
if [ ! -f "$MODULES/gpio-sim.ko" ] || [ ! -f "$MODULES/hil-i2c.ko" ]; then
    say "building gpio-sim and hil-i2c for $ABI"
    rm -rf "$MODULES"
    mkdir -p "$MODULES/build/gpio-sim" "$MODULES/build/hil-i2c"
    b=$MODULES/build/gpio-sim
    cp "$HIL_DIR/modules/gpio-sim/Kbuild" "$b/"
    cp "$KERNEL/src/drivers/gpio/gpio-sim.c" "$b/gpio-sim-main.c"
    cp "$KERNEL/src/drivers/gpio/gpiolib.h" "$b/"
    sed 's/handle_simple_irq(irq_to_desc(irqnum));/generic_handle_irq(irqnum);/' "$KERNEL/src/kernel/irq/irq_sim.c" >"$b/irq-sim.c"
    grep -q 'generic_handle_irq(irqnum);' "$b/irq-sim.c" || die "irq_sim.c of $ABI changed: the patch for the out-of-tree build does not apply"
    cp "$HIL_DIR/modules/hil-i2c/"* "$MODULES/build/hil-i2c/"
    for m in gpio-sim hil-i2c; do
        make -C "$HEADERS" M="$MODULES/build/$m" modules >"$MODULES/build/$m.log" 2>&1 ||
            { cat "$MODULES/build/$m.log" >&2; die "building $m failed"; }
        cp "$MODULES/build/$m/$m.ko" "$MODULES/"
    done
    find "$CACHE/modules" -mindepth 1 -maxdepth 1 ! -path "$MODULES" -exec rm -rf {} +  # older builds
fi

# hilctl, the guests' timing helper: static, so it needs nothing from the guest.
hilctl_hash=$(sha256sum "$HIL_DIR/hilctl.c" | cut -c1-12)
HILCTL=$CACHE/tools/hilctl-$hilctl_hash
if [ ! -x "$HILCTL" ]; then
    mkdir -p "$CACHE/tools"
    gcc -O2 -Wall -static -o "$HILCTL.tmp" "$HIL_DIR/hilctl.c" && mv "$HILCTL.tmp" "$HILCTL"
    find "$CACHE/tools" -name 'hilctl-*' ! -path "$HILCTL" -delete
fi

python3 "$HIL_DIR/chips.py" >"$WORK/chips.env"

# --- 3. Guest images ---------------------------------------------------------------------------
# copy_with_libraries ROOT FILE DEST: FILE to ROOT/DEST, and every library `ldd` lists, at its path.
copy_with_libraries() {
    local root=$1 file=$2 dest=$3 lib
    install -D -m 0755 "$file" "$root$dest"
    for lib in $(ldd "$file" 2>/dev/null | awk '/=> \// { print $3 } /^\t\/[^ ]*ld-linux/ { print $1 }'); do
        [ -e "$root$lib" ] || install -D -m 0755 "$(readlink -f "$lib")" "$root$lib"
    done
}

# copy_modules ROOT NAME...: the kernel's modules NAME and what they depend on, then depmod.
copy_modules() {
    local root=$1 name path dep
    shift
    local queue=("$@") seen=" "
    while [ ${#queue[@]} -gt 0 ]; do
        name=${queue[0]}
        queue=("${queue[@]:1}")
        [[ "$seen" == *" $name "* ]] && continue
        seen="$seen$name "
        path=$(modinfo -b "$KROOT" -k "$ABI" -F filename "$name" 2>/dev/null) || die "module $name not in $ABI"
        [ "$path" = "(builtin)" ] && continue
        install -D -m 0644 "$path" "$root/lib/modules/$ABI/${path#"$MODROOT"/}"
        for dep in $(modinfo -b "$KROOT" -k "$ABI" -F depends "$name" | tr ',' ' '); do queue+=("$dep"); done
    done
    cp "$MODROOT"/modules.{order,builtin,builtin.modinfo} "$root/lib/modules/$ABI/" 2>/dev/null || true
    depmod -b "$root" "$ABI"
}

make_cpio() {  # DIR OUTPUT
    (cd "$1" && find . -print0 | cpio --null -o -H newc --quiet) >"$2"
}

build_devices_initramfs() {
    local root=$WORK/devices-root tool
    mkdir -p "$root"/{bin,sbin,usr/bin,usr/sbin,usr/local/bin,hil,lib/modules/hil,etc}
    install -m 0755 /bin/busybox "$root/bin/busybox"
    install -m 0755 "$HIL_DIR/guest/init" "$root/init"
    copy_with_libraries "$root" "$VENUEGUARD_BIN" /usr/bin/venueguard
    # As the package does: without debug information the image is a third of the size.
    ! command -v strip >/dev/null || strip --strip-debug "$root/usr/bin/venueguard"
    for tool in i2cset i2cget i2cdetect i2cdump i2ctransfer; do
        copy_with_libraries "$root" "$(command -v "$tool")" "/usr/local/bin/$tool"
    done
    install -m 0755 "$HILCTL" "$root/usr/local/bin/hilctl"
    copy_modules "$root" i2c-dev i2c-stub configfs virtio_pci virtio_blk
    install -m 0644 "$MODULES/gpio-sim.ko" "$MODULES/hil-i2c.ko" "$root/lib/modules/hil/"
    install -m 0644 "$HIL_DIR"/guest/{lib.sh,hardware.sh,devices.sh} "$WORK/chips.env" "$root/hil/"
    printf 'root:x:0:0:root:/root:/bin/sh\n' >"$root/etc/passwd"
    printf 'root:x:0:\n' >"$root/etc/group"
    make_cpio "$root" "$WORK/devices.cpio"
    rm -rf "$root"
}

build_boot_initramfs() {
    local root=$WORK/boot-root
    mkdir -p "$root"/{bin,lib}
    install -m 0755 /bin/busybox "$root/bin/busybox"
    install -m 0755 "$HIL_DIR/guest/init" "$root/init"
    copy_modules "$root" virtio_pci virtio_blk ext4 crc32c_generic
    make_cpio "$root" "$WORK/boot.cpio"
    rm -rf "$root"
}

# The systemd guest's root file system: Debian 12 (minbase) with systemd, udev, the libraries
# the package depends on and the kernel's modules for the devices; cached as a raw ext4 image
# and used through a qcow2 overlay, so every run starts from the same image.
ROOTFS_PACKAGES=(systemd systemd-sysv udev dbus kmod procps adduser gpiod i2c-tools
    libgpiod2 libi2c0 libmosquitto1 libsqlite3-0 libssl3 libstdc++6 libgcc-s1)
deb_packages() {  # the package names in the .deb's Depends and Recommends
    dpkg-deb -f "$VENUEGUARD_DEB" Depends Recommends 2>/dev/null | sed 's/^[A-Za-z]*: //' | tr ',|' '\n\n' |
        sed -e 's/(.*)//' -e 's/ //g' -e '/^$/d'
}
build_rootfs() {
    local packages hash image dir mirror
    packages=$( { printf '%s\n' "${ROOTFS_PACKAGES[@]}"; deb_packages; } | sort -u | paste -sd, -)
    hash=$( { echo "$packages"; echo "$ABI"; cat "$HIL_DIR/guest/rootfs-setup.sh"; } | sha256sum | cut -c1-12)
    ROOTFS_IMAGE=$CACHE/rootfs/bookworm-$ABI-$hash.img
    [ -f "$ROOTFS_IMAGE" ] && return 0
    mirror=${HIL_MIRROR:-$(sed -n 's/^URIs: *\(http[^ ]*debian\)$/\1/p' /etc/apt/sources.list.d/debian.sources 2>/dev/null | head -n 1)}
    mirror=${mirror:-http://deb.debian.org/debian}
    say "building the Debian root file system with debootstrap ($mirror; a few minutes, once)"
    dir=$CACHE/rootfs/build
    as_root rm -rf "$dir"
    mkdir -p "$CACHE/rootfs"
    as_root debootstrap --variant=minbase --include="$packages" bookworm "$dir" "$mirror" >"$OUT/debootstrap.log" 2>&1 ||
        { tail -n 20 "$OUT/debootstrap.log" >&2; die "debootstrap failed (log: $OUT/debootstrap.log)"; }
    # The kernel's modules that the guest's udev and the tests load, with depmod's index.
    local modules_root=$WORK/rootfs-modules
    copy_modules "$modules_root" i2c-dev i2c-stub configfs virtio_pci virtio_blk ext4 xhci-pci xhci-hcd usbcore \
        usbserial ftdi_sio autofs4 loop efivarfs
    as_root cp -a "$modules_root/lib/modules" "$dir/lib/"
    as_root install -m 0755 "$HIL_DIR/guest/rootfs-setup.sh" "$dir/tmp/rootfs-setup.sh"
    as_root chroot "$dir" /bin/sh /tmp/rootfs-setup.sh >>"$OUT/debootstrap.log" 2>&1 ||
        { tail -n 20 "$OUT/debootstrap.log" >&2; die "setting up the root file system failed"; }
    as_root rm -f "$dir/tmp/rootfs-setup.sh"
    as_root mkfs.ext4 -q -F -L hil-root -d "$dir" "$ROOTFS_IMAGE.tmp" 2G >/dev/null
    as_root chown "$(id -u):$(id -g)" "$ROOTFS_IMAGE.tmp"
    mv "$ROOTFS_IMAGE.tmp" "$ROOTFS_IMAGE"
    as_root rm -rf "$dir"
    # Older images of other package sets or kernels.
    find "$CACHE/rootfs" -name 'bookworm-*.img' ! -path "$ROOTFS_IMAGE" -delete
}

# --- 4. QEMU -----------------------------------------------------------------------------------
# KVM is used when a guest really runs with it: on some virtual machines /dev/kvm opens but
# a guest never gets past its first instructions. The check boots the kernel without a root
# file system (it stops at once with a panic) and is remembered until the host reboots.
kvm_works() {
    local verdict=$CACHE/kvm-$(cat /proc/sys/kernel/random/boot_id 2>/dev/null || echo unknown)
    [ -f "$verdict" ] && { [ "$(cat "$verdict")" = yes ]; return; }
    rm -f "$CACHE"/kvm-*
    local answer=no
    if [ -w /dev/kvm ] && timeout 15 qemu-system-x86_64 -accel kvm -cpu host -machine pc -m 256 -display none -nodefaults \
        -no-reboot -serial stdio -kernel "$VMLINUZ" -append "console=ttyS0 panic=-1" 2>/dev/null | grep -q 'Kernel panic'; then
        answer=yes
    fi
    echo "$answer" >"$verdict"
    [ "$answer" = yes ]
}
ACCEL=${HIL_ACCEL:-auto}
if [ "$ACCEL" = auto ]; then
    if kvm_works; then ACCEL=kvm; else ACCEL=tcg; fi
fi
case "$ACCEL" in
    kvm) QEMU_ACCEL=(-accel kvm -cpu host); SLOW=1 ;;
    tcg) QEMU_ACCEL=(-accel tcg,thread=multi -cpu max); SLOW=3 ;;
    *) die "HIL_ACCEL must be kvm, tcg or auto" ;;
esac
say "kernel $ABI ($KERNEL_VERSION), accel $ACCEL, binary $VENUEGUARD_BIN${VENUEGUARD_DEB:+, package $(basename "$VENUEGUARD_DEB")}"

# start_guest NAME TIMEOUT_S QEMU_ARGS...: boots a guest in the background (GUEST_PID[NAME]). Its
# console goes to OUT/NAME-console.log, its results (the second serial port) to
# OUT/NAME-results.txt, shown here as they come, prefixed with the guest's name.
declare -A GUEST_PID
start_guest() {
    local name=$1 limit=$2 console=$OUT/$1-console.log results=$OUT/$1-results.txt
    shift 2
    : >"$console"
    : >"$results"
    say "booting the $name guest ($SMP CPU, at most ${limit} s)"
    timeout -k 10 "$limit" qemu-system-x86_64 "${QEMU_ACCEL[@]}" -machine pc -m 1536 -smp "$SMP" -nographic -nodefaults \
        -no-reboot -nic none -monitor none -serial "file:$console" -serial "file:$results" -kernel "$VMLINUZ" "$@" &
    GUEST_PID[$name]=$!
    tail -n +1 -f --pid="${GUEST_PID[$name]}" "$results" 2>/dev/null | tr -d '\r' | sed -u "s/^/  $name: /" &
}

guest_running() { [ -n "${GUEST_PID[$1]:-}" ] && kill -0 "${GUEST_PID[$1]}" 2>/dev/null; }

wait_guest() {
    local status=0
    wait "${GUEST_PID[$1]}" || status=$?
    [ "$status" -ne 124 ] || say "the $1 guest did not finish in time (console log: $OUT/$1-console.log)"
    return 0
}

# take_out NAME IMAGE BINARY: the tar archive a guest left on its output disk, to OUT/NAME-out,
# with a gdb backtrace of every core dump in it.
take_out() {
    local core demangle=cat
    # Swift's symbols read better demangled, with the toolchain's swift-demangle when there is one.
    local demangler
    demangler=$(command -v swift-demangle || ls "$(dirname "$(./scripts/setup.sh --find-swift)")/swift-demangle" 2>/dev/null || true)
    [ -z "$demangler" ] || demangle="$demangler --simplified"
    rm -rf "$OUT/$1-out"
    mkdir -p "$OUT/$1-out"
    tar -xf "$2" -C "$OUT/$1-out" 2>/dev/null || true
    while IFS= read -r core; do
        say "$1: the daemon dumped core: $core"
        if command -v gdb >/dev/null; then
            gdb -batch -ex 'info threads' -ex 'thread apply all bt 40' "$3" "$core" 2>&1 | grep -v '^During symbol reading' |
                $demangle >"$core.backtrace.txt" || true
            say "$1: backtrace of every thread: $core.backtrace.txt; where it stopped:"
            gdb -batch -ex 'bt 4' "$3" "$core" 2>/dev/null | grep -E '^(Program terminated|#[0-3] )' | awk '!seen[$0]++' | $demangle |
                cut -c1-220 | sed 's/^/    /' >&2 || true
        fi
    done < <(find "$OUT/$1-out" -type f -name 'core.*' ! -name '*.txt')
}

# check_results NAME SCRIPT: every `run_test NAME` of SCRIPT reported exactly once, and the
# closing line agrees. Adds to the totals.
total_passed=0 total_failed=0 problems=()
check_results() {
    local name=$1 script=$2 results=$OUT/$1-results.txt expected reported closing passed failed t
    expected=$(grep -oE 'run_(daemon_)?test [a-z0-9][a-z0-9-]*' "$script" | awk '{ print $2 }' | sort -u)
    tr -d '\r' <"$results" >"$results.clean" && mv "$results.clean" "$results"
    reported=$(sed -n 's/^\(PASS\|FAIL\) \([a-z0-9-]*\).*/\2/p' "$results" | sort)
    passed=$(grep -c '^PASS ' "$results" || true)
    failed=$(grep -c '^FAIL ' "$results" || true)
    closing=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$results" | tail -n 1 || true)
    for t in $expected; do
        case "$(printf '%s\n' $reported | grep -cx "$t")" in
            1) ;;
            0) problems+=("$name: no result for $t"); failed=$((failed + 1)) ;;
            *) problems+=("$name: $t reported more than once") ;;
        esac
    done
    [ "$closing" = "$(grep -c '^PASS ' "$results" || true) passed, $(grep -c '^FAIL ' "$results" || true) failed" ] ||
        problems+=("$name: closing line '${closing:-missing}' does not match the result lines")
    total_passed=$((total_passed + passed))
    total_failed=$((total_failed + failed))
    grep '^FAIL ' "$results" | sed "s/^/$name: /" | while read -r line; do say "$line"; done || true
    grep '^FIGURE ' "$results" >>"$OUT/figures.txt" || true
}

: >"$OUT/figures.txt"
want() { [[ " ${GUESTS[*]} " == *" $1 "* ]]; }

# With two cores or more the guests run side by side, one virtual CPU each, so that neither
# takes time from the other (under TCG every virtual CPU is a busy host thread); otherwise one
# after the other. With KVM each guest gets two.
PARALLEL=
[ "$(nproc)" -ge 2 ] && want systemd && want devices && PARALLEL=1
if [ "$ACCEL" = kvm ]; then SMP=2; elif [ -n "$PARALLEL" ]; then SMP=1; else SMP=2; fi
if want systemd; then
    build_boot_initramfs
    build_rootfs
    # The run's files, as a tar archive on a second disk: the package, the scripts, the modules.
    mkdir -p "$WORK/systemd-files"
    cp "$VENUEGUARD_DEB" "$WORK/systemd-files/venueguard.deb"
    cp "$HIL_DIR"/guest/{lib.sh,hardware.sh,systemd.sh} "$WORK/chips.env" "$MODULES"/{gpio-sim,hil-i2c}.ko "$WORK/systemd-files/"
    install -m 0755 "$HILCTL" "$WORK/systemd-files/hilctl"
    echo "HIL_ACCEL=$ACCEL" >"$WORK/systemd-files/run.env"
    tar -C "$WORK/systemd-files" -cf "$WORK/systemd-files.tar" .
    qemu-img create -q -f qcow2 -F raw -b "$ROOTFS_IMAGE" "$WORK/systemd-root.qcow2"
    truncate -s 1G "$WORK/systemd-out.img"  # what the guest hands back: the journal, core dumps
    # A USB serial adapter (QEMU's FTDI FT232, 0403:6001) with a child's board behind it: the
    # board prints a line a second into a FIFO. Both ends are held open here, so QEMU's opens
    # do not wait.
    mkfifo "$WORK/board.in" "$WORK/board.out"
    exec 5<>"$WORK/board.in" 6<>"$WORK/board.out"
    start_guest systemd $((300 * SLOW)) -initrd "$WORK/boot.cpio" \
        -drive "file=$WORK/systemd-root.qcow2,if=virtio,format=qcow2" \
        -drive "file=$WORK/systemd-files.tar,if=virtio,format=raw,readonly=on" \
        -drive "file=$WORK/systemd-out.img,if=virtio,format=raw" \
        -chardev "pipe,id=board,path=$WORK/board" -device qemu-xhci -device usb-serial,chardev=board,serial=VGHIL0001 \
        -append "console=ttyS0 quiet loglevel=3 panic=-1 8250.nr_uarts=2 hil.mode=boot systemd.show_status=false rw"
    # The board: "temp:24.5" (a micro:bit's MakeCode format) once a second while the guest runs.
    (while guest_running systemd; do printf 'temp:24.5\n' >&5; sleep 1; done) &
fi
if want devices; then
    build_devices_initramfs
    [ -n "$PARALLEL" ] || ! want systemd || wait_guest systemd
    truncate -s 2G "$WORK/devices-out.img"  # what the guest hands back: logs, samples, core dumps
    start_guest devices $((300 * SLOW)) -initrd "$WORK/devices.cpio" -drive "file=$WORK/devices-out.img,if=virtio,format=raw" \
        -append "console=ttyS0 quiet loglevel=3 panic=-1 8250.nr_uarts=2 hil.mode=devices hil.accel=$ACCEL hil.edges=$HIL_EDGES"
    wait_guest devices
    check_results devices "$HIL_DIR/guest/devices.sh"
    take_out devices "$WORK/devices-out.img" "$VENUEGUARD_BIN"
fi
if want systemd; then
    wait_guest systemd
    check_results systemd "$HIL_DIR/guest/systemd.sh"
    # The package's binary is the release binary without its debug information: the release
    # binary's symbols fit its core dumps.
    take_out systemd "$WORK/systemd-out.img" "$VENUEGUARD_BIN"
fi

say "logs: $OUT (console logs, results; IRQ latency figures in figures.txt)"
for problem in "${problems[@]}"; do say "$problem"; done
say "finished in $(elapsed)"
echo "$total_passed passed, $total_failed failed"
[ "$total_failed" -eq 0 ] && [ ${#problems[@]} -eq 0 ] && [ "$total_passed" -gt 0 ]
