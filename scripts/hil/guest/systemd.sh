#!/bin/sh
# The systemd guest of `make hil`: Debian 12 with systemd as PID 1, the package that `make deb`
# builds installed with dpkg, and the service running on the simulated board of hardware.sh
# (the same i2c-stub, hil-i2c and gpio-sim as the devices guest) plus a USB serial adapter that
# QEMU emulates (an FTDI FT232, 0403:6001, serial number VGHIL0001) with a child's board behind
# it printing "temp:24.5" once a second. Started by hil-tests.service (rootfs-setup.sh).
HIL=/run/hil
export PATH=$HIL:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
. $HIL/run.env
. $HIL/lib.sh
. $HIL/chips.env
. $HIL/hardware.sh
stty -F "$HIL_RESULTS" raw -echo 115200 2>/dev/null

UNIT=venueguard.service
SITE=/etc/venueguard/venueguard.yaml
STATE_FILE=/run/venueguard/state.json
WORK=/run/hil/work
mkdir -p "$WORK"

main_pid() { systemctl show -p MainPID --value "$UNIT"; }
prop() { systemctl show -p "$1" --value "$UNIT"; }
journal() { journalctl -u "$UNIT" --no-pager -o cat "$@"; }
# state QUERY: one value of the state file (world-readable; t_status_line checks that
# `venueguard status` run by an unprivileged user reads it too).
state() {
    hilctl json "$STATE_FILE" "$1" 2>/dev/null
}
sensor() { state "sensors[sensor=$1].$2"; }
is_active() { [ "$(systemctl is-active "$UNIT")" = active ]; }

# The site: the hall's BME280 and the AS3935 on i2c-stub, a child's board on the USB adapter
# (by its stable name from the package's udev rules), the tower and the button on gpio-sim.
write_site() {
    cat >"$1" <<EOF
site:
  id: hil-systemd
  name: HIL bench under systemd (make hil)
  latitude: 35.68
  longitude: 139.77
  elevation: 40
hardware: linux
areas:
  - id: hall
    name: Hall
    exposure: indoor
    sensors: [hall-climate]
sensors:
  - { id: hall-climate, kind: bme280, bus: $HIL_STUB_BUS, address: 0x76, period: 2s }
  - id: lightning
    kind: as3935
    bus: $HIL_STUB_BUS
    address: 0x03
    irq: { chip: $HIL_GPIOCHIP, line: $LINE_IRQ }
    environment: indoor
  - id: microbit
    kind: serial
    port: /dev/venueguard/ftdi-*
    format: makecode
    quantities: [air_temperature]
official:
  heat_alert_area: "130000"
  thunder_municipality: "1310100"
  wbgt_point: "44132"
signal:
  lamps:
    green:  { chip: $HIL_GPIOCHIP, line: $LINE_GREEN, active: high }
    yellow: { chip: $HIL_GPIOCHIP, line: $LINE_YELLOW, active: high }
    red:    { chip: $HIL_GPIOCHIP, line: $LINE_RED, active: high }
    blue:   { chip: $HIL_GPIOCHIP, line: $LINE_BLUE, active: high }
  buzzer:   { chip: $HIL_GPIOCHIP, line: $LINE_BUZZER, active: high }
  button:   { chip: $HIL_GPIOCHIP, line: $LINE_BUTTON, active: low, debounce: 30ms }
EOF
}

# --- Tests ------------------------------------------------------------------------------------

t_install() {
    dpkg -i "$HIL/venueguard.deb" >"$WORK/dpkg.log" 2>&1 || { cat "$WORK/dpkg.log"; fail "dpkg -i failed: $(tail -n 2 "$WORK/dpkg.log" | tr '\n' ' ')"; return 1; }
    cat "$WORK/dpkg.log"
    id venueguard
    getent passwd venueguard | grep -q ':/usr/sbin/nologin$' || { fail "no system user venueguard with nologin: $(getent passwd venueguard)"; return 1; }
    _groups=" $(id -nG venueguard) "
    for _g in gpio i2c dialout; do
        case "$_groups" in *" $_g "*) ;; *) fail "venueguard is not in group $_g (groups:$_groups)"; return 1 ;; esac
    done
    # A first installation is neither enabled nor started: the example site may name GPIO lines
    # that belong to someone else's hardware. The package says what to do instead.
    [ "$(systemctl is-enabled "$UNIT")" = disabled ] || { fail "after a first install the unit is $(systemctl is-enabled "$UNIT"), not disabled"; return 1; }
    [ "$(systemctl is-active "$UNIT")" != active ] || { fail "the unit runs before its site is configured"; return 1; }
    grep -q 'installed but not started' "$WORK/dpkg.log" || { fail "dpkg -i did not say how to configure and start the box"; return 1; }
    [ "$(stat -c '%U:%G %a' "$SITE")" = "root:venueguard 640" ] || fail "$SITE is $(stat -c '%U:%G %a' "$SITE"), not root:venueguard 640"
}

# The package's own example site started by hand: refused at once with EX_CONFIG (78), which
# the unit's RestartPreventExitStatus keeps from a restart loop, and the journal says why.
t_example_refused() {
    systemctl start "$UNIT" >/dev/null 2>&1
    wait_until_slow $((30000 * ${SLOW:-1})) sh -c "[ \"\$(systemctl is-active $UNIT)\" = failed ]" ||
        { fail "with the example site the unit is $(systemctl is-active "$UNIT"), not failed: $(journal | tail -n 3 | tr '\n' ' ')"; return 1; }
    [ "$(prop ExecMainStatus)" = 78 ] || { fail "exit status $(prop ExecMainStatus), expected 78 (EX_CONFIG)"; return 1; }
    journal | grep -q 'this is the example site' || { fail "the journal does not say the site is the example: $(journal | tail -n 2 | tr '\n' ' ')"; return 1; }
    sleep $((3 * ${SLOW:-1}))
    [ "$(prop NRestarts)" = 0 ] || { fail "$(prop NRestarts) restarts with the example site (a restart loop)"; return 1; }
    systemctl reset-failed "$UNIT"
}

t_udev_groups() {
    ls -l /dev/gpiochip* /dev/i2c-*
    for _dev in /dev/$HIL_GPIOCHIP:gpio /dev/i2c-$HIL_STUB_BUS:i2c /dev/i2c-$HIL_SIM_BUS:i2c; do
        _path=${_dev%:*} _group=${_dev#*:}
        [ "$(stat -c '%G %a' "$_path")" = "$_group 660" ] || { fail "$_path is $(stat -c '%U:%G %a' "$_path"), not group $_group mode 660"; return 1; }
    done
}

t_udev_usb_serial() {
    wait_until 10000 sh -c 'ls /dev/venueguard/ftdi-VGHIL0001' || { fail "no /dev/venueguard/ftdi-VGHIL0001 ($(ls /dev/venueguard 2>&1); ttyUSB: $(ls /dev/ttyUSB* 2>&1))"; return 1; }
    ls -l /dev/venueguard/ /dev/ttyUSB*
    _target=$(readlink -f /dev/venueguard/ftdi-VGHIL0001)
    case "$_target" in /dev/ttyUSB*) ;; *) fail "ftdi-VGHIL0001 points at $_target"; return 1 ;; esac
    _port=$(ls /dev/venueguard/ | grep '^ftdi-port-' | head -n 1)
    [ -n "$_port" ] && [ "$(readlink -f "/dev/venueguard/$_port")" = "$_target" ] || { fail "no ftdi-port-… name for $_target"; return 1; }
    [ "$(stat -c '%G %a' "$_target")" = "dialout 660" ] || { fail "$_target is $(stat -c '%G %a' "$_target")"; return 1; }
    udevadm info "$_target" | grep -q 'ID_MM_DEVICE_IGNORE=1' || { fail "$_target lacks ID_MM_DEVICE_IGNORE=1"; return 1; }
    note "udev rules: covered by QEMU's emulated FTDI FT232 (0403:6001, serial VGHIL0001) on xHCI: ftdi-VGHIL0001 and $_port; the micro:bit, Arduino, CH340 and CP210x ids are matched by the same rules but not emulated"
}

t_configure() {
    write_site "$WORK/site.yaml"
    install -m 0640 -o root -g venueguard "$WORK/site.yaml" "$SITE"
    systemctl enable "$UNIT" >/dev/null 2>&1 || { fail "systemctl enable failed"; return 1; }
    runuser -u venueguard -- venueguard check-config --quiet "$SITE" || { fail "check-config as venueguard refuses the site"; return 1; }
    _t0=$(now_ms)
    systemctl restart "$UNIT" || { fail "systemctl restart failed: $(journal | tail -n 3 | tr '\n' ' ')"; return 1; }
    _took=$(($(now_ms) - _t0))
    # Type=notify: the start job ends only when READY=1 arrives, so the unit is active now.
    is_active || { fail "after the restart the unit is $(systemctl is-active "$UNIT")"; return 1; }
    echo "restart to READY=1 in $_took ms; $(systemctl show -p Type,ActiveState,SubState,NRestarts "$UNIT" | tr '\n' ' ')"
    [ "$(prop Type)" = notify ] || fail "Type=$(prop Type)"
}

t_status_line() {
    wait_until_slow 15000 sh -c "systemctl status $UNIT --no-pager | grep -q 'Status: \"safe'" ||
        { systemctl status "$UNIT" --no-pager; fail "no 'Status: \"safe …' line in systemctl status"; return 1; }
    systemctl status "$UNIT" --no-pager | grep 'Status:'
    # Any user reads the state: `venueguard status --json` as nobody.
    runuser -u nobody -- venueguard status --json >"$WORK/status-nobody.json" ||
        { fail "venueguard status --json as nobody exits $?"; return 1; }
    [ "$(hilctl json "$WORK/status-nobody.json" state.status)" = safe ] || fail "venueguard status as nobody does not show the state"
}

t_sandbox_i2c_gpio() {
    _pid=$(main_pid)
    ls -l "/proc/$_pid/fd" | grep -E 'gpiochip|i2c-|ttyUSB'
    ls -l "/proc/$_pid/fd" | grep -q "/dev/$HIL_GPIOCHIP" && ls -l "/proc/$_pid/fd" | grep -q "/dev/i2c-$HIL_STUB_BUS" ||
        { fail "the daemon has not opened /dev/$HIL_GPIOCHIP and /dev/i2c-$HIL_STUB_BUS"; return 1; }
    [ "$(sensor hall-climate quality)" = ok ] || { fail "hall-climate: $(sensor hall-climate quality) $(sensor hall-climate reason)"; return 1; }
    _t=$(sensor hall-climate values.air_temperature.value) _p=$(sensor hall-climate values.pressure.value)
    near "$_t" "$BME280_STUB_T" 0.005 && near "$_p" "$BME280_STUB_P" 0.005 ||
        { fail "hall-climate reports $_t °C, $_p hPa; the registers encode $BME280_STUB_T °C, $BME280_STUB_P hPa"; return 1; }
    sample_signal 3300 "$WORK/safe.txt"
    segments_within "$WORK/safe.txt" green 0 0.09 0.22 >/dev/null || { fail "green: $(describe "$WORK/safe.txt" green) (expected steady with a 0.15 s blip)"; return 1; }
    # An IRQ edge: the strike (gpiochip edge events and i2c-dev reads inside the sandbox).
    pull $LINE_IRQ up
    hilctl wait "$(value_path $LINE_BUZZER)" 1 5000 || { fail "no buzzer after an IRQ edge"; pull $LINE_IRQ down; return 1; }
    pull $LINE_IRQ down
    wait_until 5000 sh -c "[ \"\$(hilctl json $STATE_FILE state.lightning.state)\" = danger ]" ||
        { fail "lightning $(state state.lightning.state) after the edge"; return 1; }
    hilctl pulse "$(pull_path $LINE_BUTTON)" pull-down 100000 pull-up
    wait_until_slow 10000 sh -c "journalctl -u $UNIT -o cat | grep -q 'acknowledged by button: alarm silenced'" ||
        { fail "the button did not silence the alarm"; return 1; }
    _denied=$(journal | grep -Ei 'operation not permitted|permission denied|EPERM|EACCES' | head -n 3)
    [ -z "$_denied" ] || { fail "the journal shows: $_denied"; return 1; }
    # Not a device: libdispatch renices its worker threads with setpriority(), which the unit's
    # SystemCallFilter=~@resources refuses (SystemCallErrorNumber=EPERM, hence errno=1).
    _prio=$(journal | grep -c 'Failed to set thread priority')
    [ "$_prio" = 0 ] || note "the journal has $_prio 'Failed to set thread priority for worker thread … errno=1' lines (libdispatch's setpriority(), refused by SystemCallFilter=~@resources); no device is refused"
}

t_sandbox_serial() {
    wait_until 15000 sh -c "[ \"\$(hilctl json $STATE_FILE 'sensors[sensor=microbit].quality')\" = ok ]" ||
        { fail "the board on /dev/venueguard/ftdi-*: $(sensor microbit quality) $(sensor microbit reason)"; return 1; }
    _t=$(sensor microbit values.air_temperature.value)
    ls -l "/proc/$(main_pid)/fd" | grep -q ttyUSB || { fail "the daemon has no ttyUSB open"; return 1; }
    near "$_t" 24.5 0.001 || fail "the board's temperature reads $_t, not 24.5"
}

# The USB adapter unplugged and plugged back, as the kernel sees it: the device is
# de-authorised (the driver lets go, the tty hangs up and /dev/ttyUSB0 goes), then authorised
# again (it enumerates anew and udev gives it its names back).
t_usb_unplug() {
    _pid=$(main_pid)
    _dev=$(for _d in /sys/bus/usb/devices/*; do [ "$(cat "$_d/idVendor" 2>/dev/null)" = 0403 ] && echo "$_d"; done | head -n 1)
    [ -n "$_dev" ] || { fail "no FTDI device in /sys/bus/usb/devices"; return 1; }
    echo 0 >"$_dev/authorized"
    # The unplug itself: under TCG the guest kernel once kept /dev/ttyUSB0 for more than 15 s
    # after the de-authorisation. The daemon is judged only once the device is really gone.
    if ! wait_until 15000 sh -c "! ls /dev/ttyUSB* >/dev/null 2>&1"; then
        note "the guest kernel kept $(ls /dev/ttyUSB* 2>&1) 15 s after the de-authorisation; de-authorising again"
        echo 1 >"$_dev/authorized"
        wait_until 10000 sh -c "[ \"\$(cat $_dev/authorized)\" = 1 ] && ls /dev/ttyUSB* >/dev/null 2>&1" || true
        echo 0 >"$_dev/authorized"
        wait_until 15000 sh -c "! ls /dev/ttyUSB* >/dev/null 2>&1" ||
            { echo 1 >"$_dev/authorized"; fail "the guest kernel did not remove $(ls /dev/ttyUSB* 2>&1) after de-authorising the adapter twice"; return 1; }
    fi
    wait_until 15000 sh -c "[ \"\$(hilctl json $STATE_FILE 'sensors[sensor=microbit].quality')\" != ok ]" ||
        { echo 1 >"$_dev/authorized"; fail "the board still reads ok 15 s after the unplug ($(ls /dev/ttyUSB* 2>&1))"; return 1; }
    echo "unplugged ($_dev): microbit $(sensor microbit quality), $(sensor microbit reason); daemon pid $(main_pid)"
    _reason=$(sensor microbit reason)
    echo 1 >"$_dev/authorized"
    wait_until 20000 sh -c "[ \"\$(hilctl json $STATE_FILE 'sensors[sensor=microbit].quality')\" = ok ]" ||
        { fail "the board is not read again 20 s after the replug: $(sensor microbit quality) $(sensor microbit reason)"; return 1; }
    ls -l /dev/venueguard/
    [ "$(main_pid)" = "$_pid" ] && is_active || { fail "the daemon did not survive the unplug: pid $(main_pid), was $_pid"; return 1; }
    echo "$_reason" | grep -q unplugged || fail "the fault while unplugged was '$_reason', not 'unplugged'"
}

t_sandbox_writes() {
    _pid=$(main_pid)
    ls -l /var/lib/venueguard /run/venueguard
    [ "$(stat -c '%U' /var/lib/venueguard/memory.json 2>/dev/null)" = venueguard ] ||
        { fail "no /var/lib/venueguard/memory.json written by venueguard after the strike"; return 1; }
    [ "$(stat -c '%U %a' $STATE_FILE)" = "venueguard 644" ] || { fail "$STATE_FILE is $(stat -c '%U %a' $STATE_FILE)"; return 1; }
    # ProtectSystem=strict: the daemon's / is read-only, its state and runtime directories are not.
    _root=$(awk '$5 == "/" { print $6 }' "/proc/$_pid/mountinfo" | tail -n 1)
    _lib=$(awk '$5 == "/var/lib/venueguard" { print $6 }' "/proc/$_pid/mountinfo" | tail -n 1)
    echo "in the daemon's mount namespace: / $_root, /var/lib/venueguard $_lib"
    case "$_root" in ro*) ;; *) fail "/ is '$_root' for the daemon, not read-only"; return 1 ;; esac
    case "$_lib" in rw*) ;; *) fail "/var/lib/venueguard is '$_lib' for the daemon"; return 1 ;; esac
}

t_unprivileged() {
    _pid=$(main_pid)
    grep -E '^(Uid|Gid|Groups|CapInh|CapPrm|CapEff|CapBnd|CapAmb|NoNewPrivs):' "/proc/$_pid/status"
    _uid=$(id -u venueguard) _gid=$(id -g venueguard)
    # systemd sets the user's groups (initgroups: its own group and the package's memberships)
    # plus SupplementaryGroups=: exactly venueguard, gpio, i2c and dialout.
    _want_groups=$(for _g in venueguard gpio i2c dialout; do getent group "$_g" | cut -d: -f3; done | sort -n | tr '\n' ' ')
    _groups=$(awk '/^Groups:/ { for (i = 2; i <= NF; i++) print $i }' "/proc/$_pid/status" | sort -n | tr '\n' ' ')
    awk -v u="$_uid" '/^Uid:/ { exit !($2 == u && $3 == u && $4 == u && $5 == u) }' "/proc/$_pid/status" || { fail "not running as venueguard ($_uid)"; return 1; }
    awk -v g="$_gid" '/^Gid:/ { exit !($2 == g && $3 == g && $4 == g && $5 == g) }' "/proc/$_pid/status" || { fail "group is not venueguard ($_gid)"; return 1; }
    [ "$_groups" = "$_want_groups" ] || { fail "groups '$_groups', expected venueguard gpio i2c dialout ('$_want_groups')"; return 1; }
    for _c in CapInh CapPrm CapEff CapBnd CapAmb; do
        grep -q "^$_c:[[:space:]]*0000000000000000$" "/proc/$_pid/status" || { fail "$_c is not empty"; return 1; }
    done
    grep -q '^NoNewPrivs:[[:space:]]*1$' "/proc/$_pid/status" || fail "NoNewPrivs is not set"
}

t_reload_bad() {
    _pid=$(main_pid)
    cp "$SITE" "$WORK/good.yaml"
    { echo "bogus_key: 1"; cat "$WORK/good.yaml"; } >"$SITE"
    systemctl reload "$UNIT"
    wait_until_slow 15000 sh -c "journalctl -u $UNIT -o cat | grep -q 'reload rejected'" ||
        { cp "$WORK/good.yaml" "$SITE"; fail "no 'reload rejected' in the journal: $(journal | tail -n 2 | tr '\n' ' ')"; return 1; }
    journal | grep 'reload rejected'
    journalctl -u "$UNIT" -p warning --no-pager -o cat | grep -q 'reload rejected' || echo "(the rejection is not logged at warning or above)"
    cp "$WORK/good.yaml" "$SITE"
    is_active && [ "$(main_pid)" = "$_pid" ] || { fail "after the bad reload: $(systemctl is-active "$UNIT"), pid $(main_pid) (was $_pid)"; return 1; }
    [ "$(state running)" = true ] && [ "$(sensor hall-climate quality)" = ok ] || fail "the daemon stopped monitoring after the bad reload"
}

t_security() {
    systemd-analyze security "$UNIT" --no-pager >"$WORK/security.txt" 2>&1 || { fail "systemd-analyze security failed: $(tail -n 2 "$WORK/security.txt")"; return 1; }
    grep '✗' "$WORK/security.txt" | head -n 40
    _line=$(grep 'Overall exposure level' "$WORK/security.txt")
    echo "$_line"
    _e=$(echo "$_line" | sed -n 's/.*: *\([0-9][0-9.]*\).*/\1/p')
    note "systemd-analyze security on the live unit: ${_line#→ }"
    awk -v e="$_e" 'BEGIN { exit !(e != "" && e <= 2.0) }' || fail "exposure $_e is above 2.0"
}

t_watchdog() {
    _pid=$(main_pid) _restarts=$(prop NRestarts)
    note "watchdog: waiting for systemd to kill the daemon frozen with SIGSTOP (WatchdogSec=$(prop WatchdogUSec), RestartSec=$(prop RestartUSec))"
    kill -STOP "$_pid"
    _t0=$(now_ms)
    wait_until_slow $((90000 * ${SLOW:-1})) sh -c "[ \"\$(systemctl show -p MainPID --value $UNIT)\" != $_pid ] && [ \"\$(systemctl is-active $UNIT)\" = active ]" ||
        { kill -CONT "$_pid" 2>/dev/null; fail "not restarted within 90 s: $(systemctl is-active "$UNIT"), pid $(main_pid)"; return 1; }
    echo "restarted as pid $(main_pid) after $(($(now_ms) - _t0)) ms"
    journalctl -u "$UNIT" --no-pager | grep -iE 'watchdog|restart|Main process exited' | tail -n 5
    journalctl -u "$UNIT" --no-pager | grep -qi 'watchdog timeout' || { fail "no watchdog timeout in the journal"; return 1; }
    [ "$(prop NRestarts)" -gt "$_restarts" ] || fail "NRestarts did not grow ($(prop NRestarts))"
}

t_stop() {
    _pid=$(main_pid)
    systemctl stop "$UNIT"
    echo "stopped: $(systemctl show -p Result,ExecMainStatus,ExecMainCode "$UNIT" | tr '\n' ' ')"
    journal | tail -n 4
    [ "$(prop Result)" = success ] && [ "$(prop ExecMainStatus)" = 0 ] || { fail "stop: Result=$(prop Result), exit status $(prop ExecMainStatus)"; return 1; }
    for _l in $LINE_GREEN $LINE_YELLOW $LINE_RED $LINE_BLUE $LINE_BUZZER; do
        [ "$(value "$_l")" = 0 ] || { fail "line $_l reads $(value "$_l") after stop"; return 1; }
    done
    # systemd removes the runtime directory on stop, and with it the daemon's last state file
    # ("not monitoring"): `venueguard status` then says it is not running here (exit 3).
    runuser -u nobody -- venueguard status
    _s=$?
    case "$_s" in
        1 | 3) note "after systemctl stop, venueguard status exits $_s ($([ "$_s" = 3 ] && echo 'no state file: RuntimeDirectory= is removed on stop' || echo 'not monitoring'))" ;;
        *) fail "venueguard status exits $_s after stop (0 would claim it runs)" ;;
    esac
}

# The only abnormal end of the daemon in this run is the watchdog's SIGABRT of the frozen daemon.
# The companion service under its own unit: its own user, no devices in its namespace, the
# daemon's socket reachable through the group, and (the guest has no network) every feed
# "not known" rather than "no alert".
t_companion() {
    _sock=/run/venueguard/companion.sock
    [ -S "$_sock" ] || { fail "the daemon made no $_sock (the site has an official: section)"; return 1; }
    [ "$(stat -c '%G %a' "$_sock")" = "venueguard 660" ] || { fail "$_sock is $(stat -c '%U:%G %a' "$_sock"), not group venueguard mode 660"; return 1; }
    systemctl start venueguard-companion.service || { fail "systemctl start venueguard-companion failed"; return 1; }
    _state=/run/venueguard-companion/state.json
    wait_until_slow $((30000 * ${SLOW:-1})) sh -c "grep -q 'not known' $_state" ||
        { fail "no 'not known' in the companion's state: $(cat $_state 2>&1 | head -c 300) $(journalctl -u venueguard-companion --no-pager -o cat | tail -n 3 | tr '\n' ' ')"; return 1; }
    head -c 600 "$_state"; echo
    _pid=$(systemctl show -p MainPID --value venueguard-companion)
    [ "$(stat -c %U /proc/$_pid)" = venueguard-companion ] || { fail "the companion runs as $(stat -c %U /proc/$_pid)"; return 1; }
    _groups=$(id -nG venueguard-companion)
    case " $_groups " in *" gpio "* | *" i2c "* | *" dialout "*) fail "the companion's user is in a device group: $_groups"; return 1 ;; esac
    _devs=$(ls /proc/$_pid/root/dev 2>/dev/null | grep -cE '^(gpiochip|i2c-|ttyUSB)')
    [ "$_devs" = 0 ] || { fail "the companion's namespace shows $_devs hardware devices"; return 1; }
    systemctl stop venueguard-companion.service
    is_active || { fail "the safety daemon is $(systemctl is-active "$UNIT") after the companion came and went"; return 1; }
    note "companion: user venueguard-companion (groups: $_groups), no hardware devices in its namespace; with no network every feed says 'not known'"
}

t_no_crash() {
    journalctl -u "$UNIT" --no-pager -o cat | grep -E 'Main process exited|Failed with result' >"$WORK/exits.txt"
    cat "$WORK/exits.txt"
    ls -l /var/lib/hil-cores
    # Expected: the example site's refusal (78/CONFIG) and the watchdog's SIGABRT.
    _others=$(grep 'Main process exited' "$WORK/exits.txt" | grep -v -e 'status=6/ABRT' -e 'status=78/' | head -n 3 | tr '\n' ' ')
    _aborts=$(grep -c 'status=6/ABRT' "$WORK/exits.txt")
    [ -z "$_others" ] || { fail "the daemon ended unexpectedly: $_others(core dumps: $(ls /var/lib/hil-cores | grep '^core' | tr '\n' ' '))"; return 1; }
    [ "$_aborts" -le 1 ] || fail "$_aborts watchdog aborts, expected the one of the SIGSTOP test"
}

# --- Run ----------------------------------------------------------------------------------------

note "systemd guest: kernel $(uname -r), accel ${HIL_ACCEL:-?}, $(systemctl --version | head -n 1)"
case "${HIL_ACCEL:-}" in tcg) SLOW=4 ;; *) SLOW=1 ;; esac
if ! hw_setup "$HIL"; then
    report "FAIL setup: the simulated hardware could not be set up (see the console log)"
    hil_failed=$((hil_failed + 1))
    finish
    systemctl poweroff --force
    exit 1
fi
note "i2c-stub is i2c-$HIL_STUB_BUS, hil-i2c is i2c-$HIL_SIM_BUS, gpio-sim is $HIL_GPIOCHIP"

run_test deb-install t_install
run_test package-example-refused t_example_refused
run_test udev-device-groups t_udev_groups
run_test udev-usb-serial-names t_udev_usb_serial
run_test configure-ready-active t_configure
run_test status-line t_status_line
run_test sandbox-i2c-gpio t_sandbox_i2c_gpio
run_test sandbox-usb-serial t_sandbox_serial
run_test usb-serial-unplug-replug t_usb_unplug
run_test sandbox-state-writes t_sandbox_writes
run_test unprivileged-user t_unprivileged
run_test reload-bad-config-refused t_reload_bad
run_test security-live-unit t_security
run_test companion-unit t_companion
run_test watchdog-sigstop-restart t_watchdog
run_test stop-not-monitoring t_stop
run_test no-unexpected-exits t_no_crash

finish
journalctl -u "$UNIT" --no-pager >/dev/console 2>&1
# For the host: the unit's journal and any core dump, as a tar archive on the third disk.
journalctl -u "$UNIT" --no-pager -o short-monotonic >/var/lib/hil-cores/venueguard-journal.txt 2>&1
tar -cf /dev/vdc -C /var/lib hil-cores 2>/dev/null
sync
systemctl poweroff --force
