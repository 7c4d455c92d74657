#!/usr/bin/env bash
# Checks systemd/venueguard.service offline, without root (called by `make test`; well under 1 s):
#   - `systemd-analyze security --offline=yes`: the overall exposure must be 2.0 or lower;
#   - the read-only clock query must survive the syscall filter (adjtimex allowed);
#   - settings that would break the daemon must not creep in;
#   - `systemd-analyze verify` on a copy whose ExecStart= points at a stub executable
#     (verify insists the binary exists); any complaint about the unit fails the check.
set -euo pipefail
cd "$(dirname "$0")/.."

UNIT_FILE=systemd/venueguard.service
MAX_EXPOSURE=2.0

failures=0
ok()   { printf 'ok    %s\n' "$*"; }
fail() { printf 'FAIL  %s\n' "$*" >&2; failures=$((failures + 1)); }

command -v systemd-analyze >/dev/null \
    || { echo "check-systemd: systemd-analyze is missing (package systemd; scripts/setup.sh installs it)" >&2; exit 1; }
[ -f "$UNIT_FILE" ] || { echo "check-systemd: no $UNIT_FILE" >&2; exit 1; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# --- exposure --------------------------------------------------------------------------------
if ! systemd-analyze security --offline=yes "$UNIT_FILE" > "$work/security" 2> "$work/security.err"; then
    cat "$work/security.err" >&2
    echo "check-systemd: 'systemd-analyze security --offline=yes' failed (it needs systemd 250 or newer)" >&2
    exit 1
fi
exposure=$(sed -n 's/.*Overall exposure level for [^:]*: *\([0-9][0-9.]*\).*/\1/p' "$work/security" | tail -n1)
if [ -z "$exposure" ]; then
    cat "$work/security" >&2
    fail "could not read the overall exposure level"
elif awk -v e="$exposure" -v max="$MAX_EXPOSURE" 'BEGIN { exit !(e + 0 <= max + 0) }'; then
    ok "overall exposure $exposure (at most $MAX_EXPOSURE)"
else
    grep '✗' "$work/security" >&2 || true
    fail "overall exposure $exposure is above $MAX_EXPOSURE"
fi
# The daemon reads the clock's NTP status with adjtimex(); a filter that drops it (for
# instance the adjtimex line moved before the ~@privileged line) makes every reading look
# unsynchronised, and lowers the score, which is why it is checked here.
clock_line=$(grep 'SystemCallFilter=~@clock' "$work/security" || true)
case "$clock_line" in
    *"is included"*) ok "adjtimex stays allowed by the syscall filter" ;;
    "") ok "(this systemd-analyze does not report @clock: adjtimex check skipped)" ;;
    *) fail "the syscall filter no longer allows adjtimex: $clock_line" ;;
esac

# --- settings that would break the daemon ------------------------------------------------------
for bad in 'ProtectClock=yes' 'ProtectClock=true' 'PrivateDevices=yes' 'PrivateDevices=true' \
           'PrivateUsers=yes' 'PrivateUsers=true' 'PrivateNetwork=yes' 'PrivateNetwork=true' 'IPAddressDeny='; do
    if grep -q "^$bad" "$UNIT_FILE"; then fail "$bad would break the daemon (see the unit's comments)"; fi
done
for good in 'Type=notify' 'NotifyAccess=main' 'RuntimeDirectoryMode=0755' 'SystemCallErrorNumber=EPERM' \
            'SupplementaryGroups=gpio i2c dialout'; do
    grep -qx "$good" "$UNIT_FILE" && ok "$good" || fail "$UNIT_FILE lacks $good"
done

# --- verify ----------------------------------------------------------------------------------
printf '#!/bin/sh\nexit 0\n' > "$work/venueguard"
chmod 0755 "$work/venueguard"
sed "s#^ExecStart=/usr/bin/venueguard #ExecStart=$work/venueguard #" "$UNIT_FILE" > "$work/venueguard.service"
systemd-analyze verify --man=no "$work/venueguard.service" > "$work/verify" 2>&1 || true
sed -i "s#$work/#(tmp)/#g" "$work/verify"
# Complaints about other units (a host's own broken unit files) are shown but do not count.
grep -v 'venueguard' "$work/verify" | sed 's/^/note  (not about venueguard) /' >&2 || true
if grep -q 'venueguard' "$work/verify"; then
    grep 'venueguard' "$work/verify" >&2
    fail "systemd-analyze verify complained about the unit"
else
    ok "systemd-analyze verify: no complaints about the unit"
fi

# --- the companion service -----------------------------------------------------------------------
# Network yes, devices never: no device classes, no hardware groups, PrivateDevices.
COMPANION=systemd/venueguard-companion.service
systemd-analyze security --offline=yes "$COMPANION" > "$work/companion-security" 2>&1 || true
companion_exposure=$(sed -n 's/.*Overall exposure level for [^:]*: *\([0-9][0-9.]*\).*/\1/p' "$work/companion-security" | tail -n1)
if [ -n "$companion_exposure" ] && awk -v e="$companion_exposure" -v max="$MAX_EXPOSURE" 'BEGIN { exit !(e + 0 <= max + 0) }'; then
    ok "companion: overall exposure $companion_exposure (at most $MAX_EXPOSURE)"
else
    grep '✗' "$work/companion-security" >&2 || true
    fail "companion: overall exposure '${companion_exposure:-unknown}' is above $MAX_EXPOSURE"
fi
for good in 'PrivateDevices=yes' 'DevicePolicy=closed' 'User=venueguard-companion' 'SupplementaryGroups=venueguard' 'CapabilityBoundingSet='; do
    grep -qx "$good" "$COMPANION" && ok "companion: $good" || fail "$COMPANION lacks $good"
done
for bad in 'DeviceAllow=' 'SupplementaryGroups=.*gpio' 'SupplementaryGroups=.*i2c' 'SupplementaryGroups=.*dialout' 'User=venueguard$' 'User=root'; do
    if grep -q "^$bad" "$COMPANION"; then fail "companion: '$bad' would give network code access to the hardware"; fi
done
printf '#!/bin/sh\nexit 0\n' > "$work/venueguard-companion"
chmod 0755 "$work/venueguard-companion"
sed "s#^ExecStart=/usr/bin/venueguard-companion #ExecStart=$work/venueguard-companion #" "$COMPANION" > "$work/venueguard-companion.service"
systemd-analyze verify --man=no "$work/venueguard-companion.service" > "$work/companion-verify" 2>&1 || true
if grep 'venueguard-companion' "$work/companion-verify" | grep -v 'venueguard.service' >&2; then
    fail "systemd-analyze verify complained about the companion unit"
else
    ok "companion: systemd-analyze verify: no complaints"
fi

if [ "$failures" -gt 0 ]; then
    printf 'check-systemd: %d problem(s) in %s or %s\n' "$failures" "$UNIT_FILE" "$COMPANION" >&2
    exit 1
fi
printf 'check-systemd: OK %s (exposure %s), %s (exposure %s)\n' "$UNIT_FILE" "$exposure" "$COMPANION" "$companion_exposure"
