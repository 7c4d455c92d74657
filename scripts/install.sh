#!/usr/bin/env bash
# Installs or uninstalls VenueGuard without a Debian package (`make install`, `make uninstall`,
# `make install-files`), and stages the files for scripts/build-deb.sh.
#
#   scripts/install.sh install     binary, unit, udev rules, configuration, examples, docs
#   scripts/install.sh uninstall   removes them again, except /etc/venueguard and /var/lib/venueguard
#
# Settings (environment; the Makefile passes them through):
#   VENUEGUARD_BIN  the binary to install (default .build/release/venueguard)
#   DESTDIR         a staging root; empty means the live system
#   PREFIX          /usr/local           binary in PREFIX/bin
#   SYSCONFDIR      /etc                 configuration in SYSCONFDIR/venueguard
#   UNITDIR         /etc/systemd/system
#   UDEVRULESDIR    /etc/udev/rules.d
#   DATADIR         PREFIX/share/venueguard       examples, regions, schemas, mosquitto
#   DOCDIR          PREFIX/share/doc/venueguard   README.md, docs/ and Hardware/
#   VENUEGUARD_REQUIRE_FRESH=1   refuse a binary older than the sources (`sudo make install`)
#   VENUEGUARD_PACKAGING=1       staging for the .deb: no users, no reloads, no messages
#
# On the live system (empty DESTDIR, as root) `install` also creates the groups gpio and i2c
# when missing and the system user venueguard (groups gpio, i2c, dialout), and reloads udev
# and systemd when systemd is running. It never enables or starts the service.
set -euo pipefail
cd "$(dirname "$0")/.."

ACTION=${1:-}
VENUEGUARD_BIN=${VENUEGUARD_BIN:-.build/release/venueguard}
# The companion service (official alerts and forecast), beside the daemon's binary.
COMPANION_BIN=${VENUEGUARD_COMPANION_BIN:-$(dirname "$VENUEGUARD_BIN")/venueguard-companion}
COMPANION_UNIT=venueguard-companion.service
DESTDIR=${DESTDIR:-}
PREFIX=${PREFIX:-/usr/local}
SYSCONFDIR=${SYSCONFDIR:-/etc}
UNITDIR=${UNITDIR:-/etc/systemd/system}
UDEVRULESDIR=${UDEVRULESDIR:-/etc/udev/rules.d}
DATADIR=${DATADIR:-$PREFIX/share/venueguard}
DOCDIR=${DOCDIR:-$PREFIX/share/doc/venueguard}
PACKAGING=${VENUEGUARD_PACKAGING:-}

CONFDIR=$SYSCONFDIR/venueguard
STATEDIR=/var/lib/venueguard
UNIT=venueguard.service
RULES=60-venueguard.rules

say() { [ -n "$PACKAGING" ] || printf '%s\n' "$*"; }
die() { printf 'install.sh: %s\n' "$*" >&2; exit 1; }

live=; [ -z "$DESTDIR" ] && live=1
is_root=; [ "$(id -u)" -eq 0 ] && is_root=1
systemd_running=; [ -d /run/systemd/system ] && systemd_running=1

case "$ACTION" in install|uninstall) ;; *) die "usage: $0 install|uninstall" ;; esac
for dir in "$PREFIX" "$SYSCONFDIR" "$UNITDIR" "$UDEVRULESDIR" "$DATADIR" "$DOCDIR"; do
    case "$dir" in /*) ;; *) die "'$dir' is not an absolute path" ;; esac
done
if [ -n "$live" ] && [ -z "$is_root" ]; then
    die "installing into / needs root: sudo make $ACTION (or stage with DESTDIR=/some/dir)"
fi
if [ -n "$live" ] && [ "$ACTION" = install ] \
    && dpkg-query -W -f='${Status}' venueguard 2>/dev/null | grep 'install ok installed' >/dev/null; then
    die "the venueguard package is installed; its unit would be shadowed by $UNITDIR/$UNIT. Use the package, or remove it first: sudo apt remove venueguard"
fi

# --- uninstall -------------------------------------------------------------------------------
if [ "$ACTION" = uninstall ]; then
    if [ -n "$live" ] && [ -n "$systemd_running" ] && [ -e "$UNITDIR/$UNIT" ]; then
        systemctl disable --now "$UNIT" >/dev/null 2>&1 || true
        say "stopped and disabled $UNIT"
    fi
    rm -f "$DESTDIR$UNITDIR/multi-user.target.wants/$UNIT"
    if [ -n "$live" ] && [ -n "$systemd_running" ] && [ -e "$UNITDIR/$COMPANION_UNIT" ]; then
        systemctl disable --now "$COMPANION_UNIT" >/dev/null 2>&1 || true
    fi
    rm -f "$DESTDIR$UNITDIR/multi-user.target.wants/$COMPANION_UNIT"
    for path in "$PREFIX/bin/venueguard" "$PREFIX/bin/venueguard-companion" "$UNITDIR/$UNIT" "$UNITDIR/$COMPANION_UNIT" "$UDEVRULESDIR/$RULES"; do
        if [ -e "$DESTDIR$path" ]; then rm -f "$DESTDIR$path"; say "removed $DESTDIR$path"; fi
    done
    for path in "$DATADIR" "$DOCDIR"; do
        if [ -e "$DESTDIR$path" ]; then rm -rf "$DESTDIR$path"; say "removed $DESTDIR$path/"; fi
    done
    if [ -n "$live" ]; then
        [ -z "$systemd_running" ] || systemctl daemon-reload || true
        udevadm control --reload-rules >/dev/null 2>&1 || true
    fi
    say "kept $DESTDIR$CONFDIR/ (your configuration) and $DESTDIR$STATEDIR/ (the MQTT outbox)."
    if [ -n "$live" ]; then
        say "kept the venueguard user and the gpio/i2c groups. Remove them by hand if you want:"
        say "  sudo rm -r $CONFDIR $STATEDIR; sudo deluser --system venueguard"
    fi
    exit 0
fi

# --- install ---------------------------------------------------------------------------------
[ -f "$VENUEGUARD_BIN" ] && [ -x "$VENUEGUARD_BIN" ] \
    || die "no binary at '$VENUEGUARD_BIN': build it with 'make release' (or pass VENUEGUARD_BIN=...)"
if [ -n "${VENUEGUARD_REQUIRE_FRESH:-}" ]; then
    newer=$(find Sources Package.swift -type f -newer "$VENUEGUARD_BIN" -print -quit 2>/dev/null || true)
    [ -z "$newer" ] || die "$newer is newer than $VENUEGUARD_BIN: run 'make release' as ${SUDO_USER:-yourself} first, then 'sudo make install' again"
fi

umask 022
inst() { install -D -m "$1" "$2" "$DESTDIR$3"; }

# Binary, unit (ExecStart= and the docs path rewritten to where they are installed), udev rules.
inst 0755 "$VENUEGUARD_BIN" "$PREFIX/bin/venueguard"
say "installed $DESTDIR$PREFIX/bin/venueguard"
install -d -m 0755 "$DESTDIR$UNITDIR"
sed -e "s#^ExecStart=/usr/bin/venueguard #ExecStart=$PREFIX/bin/venueguard #" \
    -e "s#^Documentation=file:/usr/share/doc/venueguard/#Documentation=file:$DOCDIR/#" \
    systemd/venueguard.service > "$DESTDIR$UNITDIR/$UNIT"
chmod 0644 "$DESTDIR$UNITDIR/$UNIT"
grep -q "^ExecStart=$PREFIX/bin/venueguard run " "$DESTDIR$UNITDIR/$UNIT" \
    || die "could not point ExecStart= at $PREFIX/bin/venueguard in $DESTDIR$UNITDIR/$UNIT"
say "installed $DESTDIR$UNITDIR/$UNIT"
[ -f "$COMPANION_BIN" ] && [ -x "$COMPANION_BIN" ] \
    || die "no companion binary at '$COMPANION_BIN': build it with 'make release' (or pass VENUEGUARD_COMPANION_BIN=...)"
inst 0755 "$COMPANION_BIN" "$PREFIX/bin/venueguard-companion"
sed -e "s#^ExecStart=/usr/bin/venueguard-companion #ExecStart=$PREFIX/bin/venueguard-companion #" \
    -e "s#^Documentation=file:/usr/share/doc/venueguard/#Documentation=file:$DOCDIR/#" \
    systemd/$COMPANION_UNIT > "$DESTDIR$UNITDIR/$COMPANION_UNIT"
chmod 0644 "$DESTDIR$UNITDIR/$COMPANION_UNIT"
say "installed $DESTDIR$PREFIX/bin/venueguard-companion and $DESTDIR$UNITDIR/$COMPANION_UNIT"
inst 0644 "systemd/$RULES" "$UDEVRULESDIR/$RULES"
say "installed $DESTDIR$UDEVRULESDIR/$RULES"

# Configuration: never overwrite a file that is already there.
install_config() { # source destination
    if [ -e "$DESTDIR$2" ]; then
        if cmp -s "$1" "$DESTDIR$2"; then return; fi
        inst 0644 "$1" "$2.example"
        say "kept your $DESTDIR$2; the shipped version is $DESTDIR$2.example"
    else
        inst 0644 "$1" "$2"
        say "installed $DESTDIR$2"
        [ "$2" != "$CONFDIR/venueguard.yaml" ] || new_site_file=1
    fi
}
new_site_file=
install -d -m 0755 "$DESTDIR$CONFDIR" "$DESTDIR$CONFDIR/regions"
install_config Config/raspberry-pi.yaml "$CONFDIR/venueguard.yaml"
for region in Config/regions/*.yaml; do
    install_config "$region" "$CONFDIR/regions/$(basename "$region")"
done

# Examples laid out like Config/ (so `venueguard run --config DATADIR/examples/demo.yaml` finds
# its scenario and region), the regional profiles as shipped (the daemon's last place to look
# for a region), schemas, the mosquitto example, and the documentation.
install -d -m 0755 "$DESTDIR$DATADIR/examples/scenarios" "$DESTDIR$DATADIR/examples/regions" \
    "$DESTDIR$DATADIR/regions" "$DESTDIR$DATADIR/schemas" "$DESTDIR$DATADIR/mosquitto"
install -m 0644 Config/*.yaml "$DESTDIR$DATADIR/examples/"
install -m 0644 Config/scenarios/*.yaml "$DESTDIR$DATADIR/examples/scenarios/"
install -m 0644 Config/regions/*.yaml "$DESTDIR$DATADIR/examples/regions/"
install -m 0644 Config/regions/*.yaml "$DESTDIR$DATADIR/regions/"
install -m 0644 schemas/*.json "$DESTDIR$DATADIR/schemas/"
install -m 0644 Config/mosquitto/* "$DESTDIR$DATADIR/mosquitto/"
say "installed examples, regions, schemas and the mosquitto example in $DESTDIR$DATADIR/"
install -d -m 0755 "$DESTDIR$DOCDIR"
install -m 0644 README.md "$DESTDIR$DOCDIR/"
install -d -m 0755 "$DESTDIR$DOCDIR/docs"
install -m 0644 docs/*.md "$DESTDIR$DOCDIR/docs/"
(cd Hardware && find . -type d -exec install -d -m 0755 "$DESTDIR$DOCDIR/Hardware/{}" \; \
    && find . -type f -exec install -m 0644 {} "$DESTDIR$DOCDIR/Hardware/{}" \;)
say "installed README.md, docs/ and Hardware/ in $DESTDIR$DOCDIR/"

[ -z "$PACKAGING" ] || exit 0

# Users, groups, permissions and reloads: only on the live system.
if [ -z "$live" ]; then
    say ""
    say "Staged in $DESTDIR (nothing else done). On the target machine, as root:"
    say "  create the groups gpio and i2c if missing and the system user venueguard"
    say "  (home $STATEDIR, groups gpio,i2c,dialout), then: udevadm control --reload-rules; systemctl daemon-reload"
    exit 0
fi

ensure_group() {
    getent group "$1" >/dev/null && return
    if command -v addgroup >/dev/null; then addgroup --quiet --system "$1"; else groupadd --system "$1"; fi
    say "created group $1"
}
ensure_group gpio
ensure_group i2c
if ! getent passwd venueguard >/dev/null; then
    if command -v adduser >/dev/null; then
        adduser --quiet --system --group --home "$STATEDIR" --no-create-home \
            --shell /usr/sbin/nologin --gecos "VenueGuard daemon" venueguard
    else
        useradd --system --user-group --home-dir "$STATEDIR" --no-create-home \
            --shell /usr/sbin/nologin --comment "VenueGuard daemon" venueguard
    fi
    say "created system user venueguard"
fi
usermod -a -G gpio,i2c,dialout venueguard
# The companion's own user: network code never runs as the daemon's user or in a device group.
if ! getent passwd venueguard-companion >/dev/null; then
    if command -v adduser >/dev/null; then
        adduser --quiet --system --group --home /nonexistent --no-create-home \
            --shell /usr/sbin/nologin --gecos "VenueGuard companion (official feeds)" venueguard-companion
    else
        useradd --system --user-group --home-dir /nonexistent --no-create-home \
            --shell /usr/sbin/nologin --comment "VenueGuard companion (official feeds)" venueguard-companion
    fi
    say "created system user venueguard-companion"
fi
usermod -a -G venueguard venueguard-companion
install -d -o venueguard -g venueguard -m 0750 "$STATEDIR"
# A new site file may come to hold MQTT account details: readable by the daemon, not by
# everyone. An existing one keeps the owner and mode you gave it.
if [ -n "$new_site_file" ]; then
    chown root:venueguard "$CONFDIR/venueguard.yaml"
    chmod 0640 "$CONFDIR/venueguard.yaml"
fi

if command -v udevadm >/dev/null && udevadm control --reload-rules >/dev/null 2>&1; then
    udevadm trigger --action=change --subsystem-match=gpio --subsystem-match=i2c-dev \
        --subsystem-match=tty >/dev/null 2>&1 || true
    say "reloaded the udev rules"
fi
if [ -n "$systemd_running" ]; then
    systemctl daemon-reload
    say "reloaded systemd"
fi

cat <<EOF

VenueGuard is installed but not started. Next:
  1. Edit $CONFDIR/venueguard.yaml (site, sensors, lamps) and check it as the service will read it:
       sudo -u venueguard $PREFIX/bin/venueguard check-config $CONFDIR/venueguard.yaml
  2. Start it now and at every boot:
       sudo systemctl enable --now venueguard
  3. Watch it:
       systemctl status venueguard; journalctl -u venueguard -f; venueguard status
EOF
if [ -n "$systemd_running" ] && systemctl --quiet is-active "$UNIT" 2>/dev/null; then
    echo "The service is running the old binary: sudo systemctl restart venueguard"
fi
