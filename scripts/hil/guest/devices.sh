#!/bin/sh
# The devices guest of `make hil`: the real `venueguard` binary against the real kernel
# interfaces of simulated hardware (i2c-stub, hil-i2c, gpio-sim; see hardware.sh), in an
# initramfs with busybox. Run by /init; prints one result line per test (lib.sh).
#
# Three daemon runs:
#   A  the standard safety parameters: probe, readings, lamp patterns, unplug and replug,
#      a strike and its alarm, the button, SIGTERM;
#   B  lightning all-clear after 1 s, so that every IRQ edge sounds the alarm afresh: the
#      edge-to-buzzer latency over HIL_EDGES edges;
#   C  a hot hall (the BME280 registers say 38 °C): the stop pattern and the button.
HIL=/hil
. $HIL/lib.sh
. $HIL/chips.env
. $HIL/hardware.sh

HIL_EDGES=${HIL_EDGES:-100}
WORK=/run/hil
mkdir -p "$WORK" "$WORK/cores"
# A crashing or aborted daemon leaves a core here; /init hands the directory to the host.
echo "$WORK/cores/core.%e.%p.signal%s" >/proc/sys/kernel/core_pattern

# --- The daemon ---------------------------------------------------------------------------------

# daemon_start NAME SITE_FILE: starts `venueguard run` with its own state and runtime
# directories (so no memory carries over between runs) and waits until the hall is `safe`
# or `stop` with every BME280 reading (at most 20 s).
daemon_start() {
    DAEMON_DEATH=
    DAEMON_DIR=$WORK/$1
    mkdir -p "$DAEMON_DIR/run" "$DAEMON_DIR/lib"
    STATE_FILE=$DAEMON_DIR/run/state.json
    DAEMON_LOG=$DAEMON_DIR/daemon.log
    (ulimit -c unlimited; RUNTIME_DIRECTORY=$DAEMON_DIR/run STATE_DIRECTORY=$DAEMON_DIR/lib \
        exec venueguard run --config "$2" --plain --state-file "$STATE_FILE" >"$DAEMON_LOG" 2>&1) &
    DAEMON_PID=$!
    if ! wait_until 20000 daemon_settled; then
        echo "daemon $1 did not settle; its log:"
        cat "$DAEMON_LOG"
        daemon_diagnose
        return 1
    fi
    echo "daemon $1 (pid $DAEMON_PID) settled: $(state state.status)"
}

daemon_settled() {
    kill -0 "$DAEMON_PID" && [ "$(state running)" = true ] &&
        [ "$(state 'sensors[sensor=stub-bme280].quality')" = ok ] &&
        case "$(state state.areas.hall.status)" in safe | stop) true ;; *) false ;; esac
}

# daemon_diagnose: what a daemon that does not get on is doing (its threads' states and kernel
# stacks), then SIGABRT for a core dump, which the host takes out and reads with gdb.
daemon_diagnose() {
    daemon_alive || return
    echo "the daemon's threads (state, wchan, kernel stack):"
    for _t in /proc/$DAEMON_PID/task/*; do
        echo "  ${_t##*/} $(cat "$_t/comm") $(awk '{ print $3 }' "$_t/stat") $(cat "$_t/wchan" 2>/dev/null)"
        sed 's/^/      /' "$_t/stack" 2>/dev/null | head -n 6
    done
    echo "state file: $(head -c 600 "$STATE_FILE" 2>/dev/null)"
    kill -ABRT "$DAEMON_PID"
    wait "$DAEMON_PID"
    note "daemon $(basename "$DAEMON_DIR") did not settle: aborted for a core dump ($(ls /run/hil/cores 2>/dev/null | tr '\n' ' '))"
}

# daemon_alive: whether the daemon still runs; when it has ended by itself, says how (once).
DAEMON_DEATH=
daemon_alive() {
    kill -0 "$DAEMON_PID" 2>/dev/null && return 0
    if [ -z "$DAEMON_DEATH" ]; then
        wait "$DAEMON_PID"
        _status=$?
        DAEMON_DEATH="daemon $(basename "$DAEMON_DIR") ended by itself with status $_status$([ "$_status" -gt 128 ] && echo " (signal $((_status - 128)))")"
        note "$DAEMON_DEATH; core dumps: $(ls /run/hil/cores 2>/dev/null | tr '\n' ' ')"
        tail -n 5 "$DAEMON_LOG"
    fi
    return 1
}

# run_daemon_test NAME FUNCTION: run_test, unless the daemon has died (then that is the reason).
run_daemon_test() {
    if daemon_alive; then run_test "$1" "$2"; else run_test "$1" t_daemon_dead; fi
}
t_daemon_dead() { fail "$DAEMON_DEATH"; }

# daemon_stop: SIGTERM and wait; DAEMON_EXIT is its exit status.
daemon_stop() {
    kill -TERM "$DAEMON_PID" 2>/dev/null
    wait "$DAEMON_PID"
    DAEMON_EXIT=$?
    echo "daemon exited with status $DAEMON_EXIT; its log:"
    cat "$DAEMON_LOG"
}

# state QUERY: one value of the state file (hilctl json: dots, [N] and [key=value]).
state() {
    hilctl json "$STATE_FILE" "$1" 2>/dev/null
}

sensor() { state "sensors[sensor=$1].$2"; }

# expect_values SENSOR T RH [P]: the sensor is ok and reports exactly these values (as published,
# rounded to 0.01).
expect_values() {
    # A read can fail now and then for a reason of the test's own (a probe's scan reading a
    # command chip between its command and its read takes the result): the next one counts.
    wait_until 5000 sh -c "[ \"\$(hilctl json $STATE_FILE 'sensors[sensor=$1].quality')\" = ok ]"
    _q=$(sensor "$1" quality)
    [ "$_q" = ok ] || { fail "$1 is $_q: $(sensor "$1" reason)"; return 1; }
    _t=$(sensor "$1" values.air_temperature.value)
    _h=$(sensor "$1" values.humidity.value)
    _p=$(sensor "$1" values.pressure.value)
    _got="T $_t °C, RH $_h %${4:+, P $_p hPa}"
    _want="T $2 °C, RH $3 %${4:+, P $4 hPa}"
    echo "$1: reported $_got; the registers encode $_want"
    near "$_t" "$2" 0.005 && near "$_h" "$3" 0.005 && { [ -z "${4:-}" ] || near "$_p" "$4" 0.005; } ||
        { fail "$1 reported $_got, the registers encode $_want"; return 1; }
}

log_count() {
    grep -c "$1" "$DAEMON_LOG"
}

# --- Tests ------------------------------------------------------------------------------------

t_probe_i2c() {
    venueguard probe >"$WORK/probe.txt" 2>&1 || { fail "venueguard probe failed: $(tail -n 3 "$WORK/probe.txt")"; return 1; }
    cat "$WORK/probe.txt"
    # The lines of one bus: from "  i2c-N:" to the next bus or section.
    _stub=$(awk -v b="  i2c-$HIL_STUB_BUS:" '$0 ~ "^  i2c-" { on = (index($0, b) == 1) } /^[A-Z]/ { on = 0 } on' "$WORK/probe.txt")
    _sim=$(awk -v b="  i2c-$HIL_SIM_BUS:" '$0 ~ "^  i2c-" { on = (index($0, b) == 1) } /^[A-Z]/ { on = 0 } on' "$WORK/probe.txt")
    _missing=
    echo "$_stub" | grep -q '0x3: AS3935' || _missing="$_missing AS3935 at 0x03 on i2c-$HIL_STUB_BUS (i2c-stub);"
    echo "$_stub" | grep -q '0x76: BME280 (chip id 0x60)' || _missing="$_missing BME280 at 0x76 on i2c-$HIL_STUB_BUS (i2c-stub);"
    echo "$_sim" | grep -q '0x77: BME280 (chip id 0x60)' || _missing="$_missing BME280 at 0x77 on i2c-$HIL_SIM_BUS (hil-i2c);"
    grep -q "kind: as3935" "$WORK/probe.txt" && grep -q "kind: bme280" "$WORK/probe.txt" ||
        _missing="$_missing the configuration snippet;"
    # What a read scan sees of the command chips (not asserted: it depends on the chip).
    note "probe on hil-i2c (command chips answer a read only with a result pending):$(echo "$_sim" | sed -n 's/^ *\(0x[0-9a-f]*:.*\)/ \1;/p' | tr -d '\n')"
    [ -z "$_missing" ] || fail "probe did not name:$_missing"
}

t_probe_gpio() {
    venueguard probe --no-identify >"$WORK/probe-running.txt" 2>&1 || { fail "venueguard probe failed"; return 1; }
    sed -n '/^GPIO chips:/,/^I2C buses:/p' "$WORK/probe-running.txt"
    _chip=$(grep "^  $HIL_GPIOCHIP \[venueguard-hil\]: $HIL_GPIO_LINES lines" "$WORK/probe-running.txt") ||
        { fail "probe does not list $HIL_GPIOCHIP [venueguard-hil] with $HIL_GPIO_LINES lines"; return 1; }
    _missing=
    for _l in $LINE_GREEN $LINE_YELLOW $LINE_RED $LINE_BLUE $LINE_BUZZER; do
        grep -q "^    line $_l GPIO$_l used by venueguard (output)" "$WORK/probe-running.txt" || _missing="$_missing $_l(output)"
    done
    for _l in $LINE_BUTTON $LINE_IRQ; do
        grep -Eq "^    line $_l GPIO$_l used by venueguard\$" "$WORK/probe-running.txt" || _missing="$_missing $_l(input)"
    done
    [ -z "$_missing" ] || fail "probe shows '$_chip' but not the daemon's lines:$_missing"
}

t_bme280_stub() { expect_values stub-bme280 "$BME280_STUB_T" "$BME280_STUB_RH" "$BME280_STUB_P"; }
t_bme280_sim() { expect_values sim-bme280 "$BME280_SIM_T" "$BME280_SIM_RH" "$BME280_SIM_P"; }
t_sht3x() { expect_values sim-sht31 "$SHT3X_T" "$SHT3X_RH"; }
t_sht4x() { expect_values sim-sht40 "$SHT4X_T" "$SHT4X_RH"; }
t_aht20() { expect_values sim-aht20 "$AHT20_T" "$AHT20_RH"; }

t_sht3x_smbus_only() {
    _q=$(sensor stub-sht31 quality) _r=$(sensor stub-sht31 reason)
    echo "stub-sht31 on i2c-stub: $_q, $_r"
    [ "$_q" = faulted ] || { fail "an SHT31 on the SMBus-only i2c-stub is '$_q', not faulted"; return 1; }
    echo "$_r" | grep -qi "smbus" || fail "the fault does not say the bus speaks SMBus only: '$_r'"
}

t_lamps_safe() {
    [ "$(state state.status)" = safe ] || { fail "the status is $(state state.status), not safe"; return 1; }
    sample_signal 6700 "$WORK/safe.txt"
    for _l in yellow red blue buzzer; do
        steady_at "$WORK/safe.txt" $_l 0 || { fail "$(describe "$WORK/safe.txt" $_l), expected off throughout"; return 1; }
    done
    # Steady green with a heartbeat: off 0.15 s every 3 s (frames are 50 ms apart).
    _off=$(segments_within "$WORK/safe.txt" green 0 0.09 0.22) || { fail "green blips: $_off (expected 0.15 s)"; return 1; }
    _on=$(segments_within "$WORK/safe.txt" green 1 2.74 2.96) || { fail "green between blips: $_on (expected 2.85 s)"; return 1; }
    echo "green off $_off; on $_on"
}

t_unplug() {
    sample_signal_background 3500 "$WORK/unplug.txt" || { fail "the sampler did not start"; return 1; }
    echo 0 >"$HIL_SIM_DEBUG/0x77/present"
    _t0=$(now_ms)
    wait_until 10000 sh -c "[ \"\$(hilctl json $STATE_FILE state.areas.annex.status)\" = unknown ]"
    _took=$(($(now_ms) - _t0))
    wait "$SAMPLER_PID"
    _q=$(sensor sim-bme280 quality) _r=$(sensor sim-bme280 reason)
    _status=$(state state.status) _annex=$(state state.areas.annex.status)
    echo "after unplugging hil-i2c 0x77: sim-bme280 $_q ($_r), annex $_annex, overall $_status, after ${_took} ms"
    state state.areas.annex.reasons
    [ "$_q" = faulted ] && echo "$_r" | grep -q "no response" ||
        { fail "sim-bme280 is '$_q' ('$_r'), not faulted with 'no response'"; return 1; }
    [ "$_annex" = unknown ] && [ "$_status" = unknown ] || { fail "annex $_annex, overall $_status: expected unknown"; return 1; }
    state state.areas.annex.reasons | grep -q sim-bme280 || { fail "the annex's reasons do not name sim-bme280"; return 1; }
    # The tower: yellow fast blink (2.5 Hz), green and red off, two short beeps once.
    _y=$(segments_within "$WORK/unplug.txt" yellow 1 0.14 0.26 1) || { fail "yellow on: $_y (expected 0.2 s)"; return 1; }
    _beeps=$(segments "$WORK/unplug.txt" buzzer | awk '$1 == 1' | wc -l)
    _beep_ok=$(segments_within "$WORK/unplug.txt" buzzer 1 0.05 0.16) || true
    [ "$(last_value "$WORK/unplug.txt" green)" = 0 ] && [ "$(last_value "$WORK/unplug.txt" red)" = 0 ] ||
        { fail "green or red still lit: $(describe "$WORK/unplug.txt" green); $(describe "$WORK/unplug.txt" red)"; return 1; }
    [ "$_beeps" = 2 ] && [ -n "$_beep_ok" ] && [ "$(last_value "$WORK/unplug.txt" buzzer)" = 0 ] ||
        { fail "buzzer: $(describe "$WORK/unplug.txt" buzzer) (expected two 0.1 s beeps once)"; return 1; }
    echo "yellow on $_y; buzzer $_beep_ok"
    note "i2c-stub cannot drop a chip mid-run (its chips are fixed at load time, and rmmod: $(rmmod i2c_stub 2>&1 | head -n 1 || true)); the unplug runs on hil-i2c, whose chips stop acknowledging their address"
}

t_replug() {
    echo 1 >"$HIL_SIM_DEBUG/0x77/present"
    _t0=$(now_ms)
    wait_until 20000 sh -c "[ \"\$(hilctl json $STATE_FILE state.status)\" = safe ]" ||
        { fail "not safe again 20 s after the replug: $(state state.status), sim-bme280 $(sensor sim-bme280 quality)"; return 1; }
    echo "safe again after $(($(now_ms) - _t0)) ms"
    expect_values sim-bme280 "$BME280_SIM_T" "$BME280_SIM_RH" "$BME280_SIM_P" || return 1
    [ "$(log_count 'sensor sim-bme280 recovered')" -ge 1 ] || { fail "no 'sensor sim-bme280 recovered' in the log"; return 1; }
    sample_signal 1500 "$WORK/replug.txt"
    steady_at "$WORK/replug.txt" yellow 0 || fail "yellow still blinking: $(describe "$WORK/replug.txt" yellow)"
}

t_strike() {
    # The daemon's first strike: the path from the edge to the buzzer runs for the first time
    # (code paged in, and under TCG translated), so it is timed and reported on its own.
    hilctl latency "$(pull_path $LINE_IRQ)" "$(value_path $LINE_BUZZER)" "$(value_path $LINE_BLUE)" 1 250 10000 >"$WORK/first-strike.txt"
    cat "$WORK/first-strike.txt"
    note "the daemon's first strike sounded the buzzer $(sed -n 's/^latency .*median_ms=\([0-9.]*\).*/\1/p' "$WORK/first-strike.txt") ms after the edge (cold path; $HIL_ACCEL)"
    wait_until 5000 sh -c "[ \"\$(hilctl json $STATE_FILE state.lightning.state)\" = danger ]"
    sample_signal 4200 "$WORK/strike.txt"
    _state=$(state state.lightning.state) _km=$(state state.lightning.last_strike_km)
    echo "lightning $_state, last strike $_km km"
    [ "$_state" = danger ] && near "$_km" "$AS3935_DISTANCE_KM" 0 || { fail "lightning $_state, last strike $_km km: expected danger at $AS3935_DISTANCE_KM km"; return 1; }
    grep "lightning strike" "$DAEMON_LOG" || { fail "no strike in the log"; return 1; }
    _b=$(segments_within "$WORK/strike.txt" blue 1 0.14 0.26) || { fail "blue on: $_b (expected a 0.2 s fast blink)"; return 1; }
    # Triple beeps: on 0.15, off 0.15, on 0.15, off 0.15, on 0.15, off 1.5.
    _on=$(segments_within "$WORK/strike.txt" buzzer 1 0.09 0.21) || { fail "buzzer on: $_on (expected 0.15 s beeps)"; return 1; }
    _gaps=$(segments "$WORK/strike.txt" buzzer | awk -v j="$HIL_JITTER" '$1 == 0 { if ($2 >= 0.09 - j && $2 <= 0.21 + j) s++; else if ($2 >= 1.4 - j && $2 <= 1.6 + j) l++; else bad++ }
        END { printf "%d short, %d long, %d other", s, l, bad; exit !(s >= 2 && l >= 1 && bad == 0) }') ||
        { fail "buzzer gaps: $_gaps (expected 0.15 s within a triple, 1.5 s between triples)"; return 1; }
    echo "blue on $_b; buzzer on $_on; gaps $_gaps"
}

# press_count PULSES: from the write times "T_MS pull-up|pull-down" of `hilctl pulse`, how the
# 30 ms debounce must take them: "PRESSES BOUNCES UNSURE". A press (pull-down: the button is
# active low) counts when the line was quiet for 30 ms before it; a gap within 5 ms of 30 ms
# is unsure (the kernel's edge times differ a little from the write times).
press_count() {
    awk 'NR > 1 { gap = $1 - last
                  if ($2 == "pull-down") { if (gap > 35) p++; else if (gap < 25) b++; else u++ } }
         NR == 1 && $2 == "pull-down" { p++ }
         { last = $1 }
         END { print p + 0, b + 0, u + 0 }' "$1"
}

t_button_debounced() {
    [ "$(state state.outputs.buzzer)" = lightning-alarm ] || { fail "no alarm sounding (buzzer $(state state.outputs.buzzer))"; return 1; }
    _b=$(pull_path $LINE_BUTTON)
    # One press with contact bounce: falling edges at 0, 4 and 8 ms, held 150 ms, a bouncing
    # release. A busy machine may stretch the 2 ms gaps; the press is repeated (up to three
    # times) until one burst really bounced within the debounce time.
    _attempt=1
    while :; do
        _before=$(log_count 'acknowledged by button')
        hilctl pulse "$_b" pull-down 2000 pull-up 2000 pull-down 2000 pull-up 2000 pull-down 150000 pull-up 2000 pull-down 2000 pull-up >"$WORK/pulses.txt"
        set -- $(press_count "$WORK/pulses.txt")
        _presses=$1 _bounces=$2 _unsure=$3
        echo "attempt $_attempt: writes at $(awk '{ printf "%s ", $1 }' "$WORK/pulses.txt")ms: $_presses press(es), $_bounces bounce(s), $_unsure unsure"
        [ "$_unsure" = 0 ] && [ "$_bounces" -gt 0 ] && break
        [ "$_attempt" -lt 3 ] || { fail "the machine never ran a bounce burst within the 30 ms debounce (last: $(tr '\n' ' ' <"$WORK/pulses.txt"))"; return 1; }
        _attempt=$((_attempt + 1))
        wait_until 3000 sh -c "[ \$(grep -c 'acknowledged by button' $DAEMON_LOG) -ge $((_before + 1)) ]"
    done
    wait_until 3000 sh -c "[ \"\$(hilctl json $STATE_FILE state.outputs.buzzer)\" = off ]" ||
        { fail "the alarm still sounds after the press (buzzer $(state state.outputs.buzzer))"; return 1; }
    sample_signal 2600 "$WORK/ack.txt"
    steady_at "$WORK/ack.txt" buzzer 0 || { fail "the buzzer sounds after the press: $(describe "$WORK/ack.txt" buzzer)"; return 1; }
    segments_within "$WORK/ack.txt" blue 1 0.14 0.26 >/dev/null || { fail "the blue lamp stopped its fast blink: $(describe "$WORK/ack.txt" blue)"; return 1; }
    _after=$(log_count 'acknowledged by button')
    grep 'acknowledged by button' "$DAEMON_LOG"
    [ $((_after - _before)) = "$_presses" ] ||
        { fail "$((_after - _before)) acknowledgement(s) from a burst of $_presses press(es) and $_bounces bounce(s)"; return 1; }
    grep -q 'acknowledged by button: alarm silenced' "$DAEMON_LOG" || { fail "the press did not silence the alarm"; return 1; }
    # A second, separate press counts again (nothing left to silence).
    hilctl pulse "$_b" pull-down 100000 pull-up >/dev/null
    wait_until 3000 sh -c "[ \$(grep -c 'acknowledged by button' $DAEMON_LOG) -ge $((_after + 1)) ]" ||
        fail "a second press 150 ms later was not counted"
}

t_sigterm() {
    # With pull-ups on the output lines, a released line reads 1: so lines that read 0 just
    # before the release were written off by the daemon itself, not by the kernel.
    for _l in $LINE_GREEN $LINE_YELLOW $LINE_RED $LINE_BLUE $LINE_BUZZER; do pull "$_l" up; done
    sample_signal_background 2500 "$WORK/sigterm.txt" || { fail "the sampler did not start"; return 1; }
    kill -TERM "$DAEMON_PID"
    _t0=$(now_ms)
    wait "$DAEMON_PID"
    DAEMON_EXIT=$?
    _took=$(($(now_ms) - _t0))
    wait "$SAMPLER_PID"
    for _l in $LINE_GREEN $LINE_YELLOW $LINE_RED $LINE_BLUE $LINE_BUZZER; do pull "$_l" down; done
    echo "exit status $DAEMON_EXIT after $_took ms"
    cat "$DAEMON_LOG" | tail -n 5
    [ "$DAEMON_EXIT" = 0 ] || { fail "exit status $DAEMON_EXIT after SIGTERM"; return 1; }
    # The last stretch in which all five read 0 must end with the release: from there on the
    # lines only rise, and all end at 1.
    _r=$(awk '
        { v[$2] = $3; t = $1
          if (!($2 in seen)) { seen[$2] = 1; k++ }
          if (k < 5) next
          all0 = (v["green"] == 0 && v["yellow"] == 0 && v["red"] == 0 && v["blue"] == 0 && v["buzzer"] == 0)
          if (all0) { if (!in0) { start = t; in0 = 1 }; rising = 1; found = 1 }
          else { if (in0) { off = t - start; in0 = 0 }; if ($3 == 0) rising = 0 }
          all1 = (v["green"] == 1 && v["yellow"] == 1 && v["red"] == 1 && v["blue"] == 1 && v["buzzer"] == 1) }
        END { if (found && rising && all1 && off > 0) printf "all off for %.1f ms before the lines were released\n", off
              else { print "the outputs were not all off before the release"; exit 1 } }' "$WORK/sigterm.txt") ||
        { fail "$_r: $(describe "$WORK/sigterm.txt" green); $(describe "$WORK/sigterm.txt" blue)"; return 1; }
    echo "$_r"
    [ "$(state running)" = false ] || { fail "the state file still says running"; return 1; }
    venueguard status --state-file "$STATE_FILE"
    _s=$?
    [ "$_s" = 1 ] || fail "venueguard status exits $_s after SIGTERM, not 1 (not monitoring)"
}

t_latency() {
    # One warm-up edge first: the strike path's first run is reported by the strike test.
    pull $LINE_IRQ up
    wait_until 5000 sh -c "grep -q 'lightning strike' $DAEMON_LOG" || { fail "no strike from the warm-up edge"; pull $LINE_IRQ down; return 1; }
    pull $LINE_IRQ down
    echo "$HIL_EDGES edges"
    # An edge waits for the previous one's danger to end: 1 s (the all-clear) after it, and the
    # blue lamp and the buzzer off for 0.4 s (a fast blink is off 0.2 s at a time).
    hilctl latency "$(pull_path $LINE_IRQ)" "$(value_path $LINE_BUZZER)" "$(value_path $LINE_BLUE)" "$HIL_EDGES" 400 10000 1000 >"$WORK/latency.txt"
    _rc=$?
    echo "latencies (ms), edge by edge:"
    awk '/^edge [0-9]+ [0-9.]+$/ { printf "%s ", $3 } END { print "" }' "$WORK/latency.txt" | fold -s -w 120
    grep -v '^edge [0-9]* [0-9.]*$' "$WORK/latency.txt"
    _summary=$(grep '^latency ' "$WORK/latency.txt")
    _strikes=$(log_count 'lightning strike')
    eval "$(echo "$_summary" | sed -n 's/^latency edges=\([0-9]*\) answered=\([0-9]*\) median_ms=\([0-9.]*\) p99_ms=\([0-9.]*\) max_ms=\([0-9.]*\) min_ms=\([0-9.]*\)$/_edges=\1 _answered=\2 _median=\3 _p99=\4 _max=\5 _min=\6/p')"
    report "FIGURE irq_to_buzzer edges=${_edges:-0} answered=${_answered:-0} median_ms=${_median:-} p99_ms=${_p99:-} max_ms=${_max:-} min_ms=${_min:-} strikes_logged=$_strikes accel=${HIL_ACCEL:-?} kernel=$(uname -r)"
    [ "$_rc" = 0 ] && [ "${_answered:-0}" -ge 100 ] || { fail "${_answered:-0} of $HIL_EDGES edges sounded the buzzer: $(grep -v '^edge [0-9]* [0-9.]*$' "$WORK/latency.txt" | head -n 2 | tr '\n' ' ')"; return 1; }
    [ "$_strikes" -gt "$_answered" ] || { fail "$_strikes strikes logged for the warm-up and $_answered edges"; return 1; }
    # The project's target (BENCHMARKS.md) is a p99 under 20 ms; it is checked where the guest's
    # CPU runs natively (KVM). Under TCG every instruction is emulated (the Swift code about 25
    # times slower than natively) and the guest shares the host with the other guest, so its
    # tail is the emulator's: there the check is on the median, under 50 ms, which still
    # catches an alarm that waits for the next 50 ms frame or the next evaluation instead of
    # being drawn at once. The figures are reported either way.
    if [ "${HIL_ACCEL:-}" = kvm ]; then
        awk -v p="$_p99" 'BEGIN { exit !(p < 20) }' || fail "p99 $_p99 ms is above the 20 ms target"
    else
        awk -v m="$_median" 'BEGIN { exit !(m < 50) }' || fail "median $_median ms is above 50 ms (TCG)"
    fi
}

t_stop_pattern() {
    _status=$(state state.status) _level=$(state state.areas.hall.heat_level)
    echo "hall: $_status, heat level $_level, WBGT $(state state.areas.hall.wbgt) ($(state state.areas.hall.wbgt_method))"
    expect_values stub-bme280 "$BME280_HOT_T" "$BME280_HOT_RH" "$BME280_HOT_P" || return 1
    [ "$_status" = stop ] || { fail "status $_status at $BME280_HOT_T °C, $BME280_HOT_RH %RH: expected stop"; return 1; }
    sample_signal 3600 "$WORK/stop.txt"
    for _l in green yellow blue; do
        steady_at "$WORK/stop.txt" $_l 0 || { fail "$(describe "$WORK/stop.txt" $_l), expected off"; return 1; }
    done
    _r1=$(segments_within "$WORK/stop.txt" red 1 0.44 0.56) && _r0=$(segments_within "$WORK/stop.txt" red 0 0.44 0.56) ||
        { fail "red: $(describe "$WORK/stop.txt" red) (expected a 1 Hz blink)"; return 1; }
    _b1=$(segments_within "$WORK/stop.txt" buzzer 1 0.94 1.06) && _b0=$(segments_within "$WORK/stop.txt" buzzer 0 0.94 1.06) ||
        { fail "buzzer: $(describe "$WORK/stop.txt" buzzer) (expected long beeps, 1 s on, 1 s off)"; return 1; }
    echo "red on $_r1, off $_r0; buzzer on $_b1, off $_b0"
}

t_button_heat() {
    [ "$(state state.outputs.buzzer)" = heat-alarm ] || { fail "no heat alarm sounding (buzzer $(state state.outputs.buzzer))"; return 1; }
    hilctl pulse "$(pull_path $LINE_BUTTON)" pull-down 100000 pull-up
    wait_until 3000 sh -c "[ \"\$(hilctl json $STATE_FILE state.outputs.buzzer)\" = off ]" ||
        { fail "the alarm still sounds after the press"; return 1; }
    sample_signal 2500 "$WORK/ack-heat.txt"
    steady_at "$WORK/ack-heat.txt" buzzer 0 || { fail "the buzzer sounds after the press: $(describe "$WORK/ack-heat.txt" buzzer)"; return 1; }
    segments_within "$WORK/ack-heat.txt" red 1 0.44 0.56 >/dev/null || { fail "red stopped blinking: $(describe "$WORK/ack-heat.txt" red)"; return 1; }
    grep -q 'acknowledged by button: alarm silenced' "$DAEMON_LOG" || fail "no 'alarm silenced' in the log"
}

t_no_daemon() {
    fail "the daemon did not start or settle${DAEMON_DEATH:+: $DAEMON_DEATH}: $(tail -n 2 "$DAEMON_LOG" 2>/dev/null | tr '\n' ' ')"
}

# --- Run ----------------------------------------------------------------------------------------

note "devices guest: kernel $(uname -r), accel ${HIL_ACCEL:-?}, $(grep -c ^processor /proc/cpuinfo) CPU(s); venueguard $(venueguard --version 2>/dev/null || echo '?')"
if ! hw_setup /lib/modules/hil; then
    report "FAIL setup: the simulated hardware could not be set up (see the console log)"
    hil_failed=$((hil_failed + 1))
    finish
    exit 1
fi
note "i2c-stub is i2c-$HIL_STUB_BUS (BME280 0x76, AS3935 0x03), hil-i2c is i2c-$HIL_SIM_BUS (SHT3x 0x45, SHT4x 0x44, AHT20 0x38, BME280 0x77), gpio-sim is $HIL_GPIOCHIP ($HIL_GPIO_LINES lines)"
note "SHT3x, SHT4x and AHT20 need plain I2C transfers (a command, then a read), which i2c-stub (SMBus only) lacks: they run on hil-i2c, an adapter with master_xfer"
"$I2C_TOOLS/i2cdetect" -y -a "$HIL_STUB_BUS" 0x03 0x77

run_test probe-i2c t_probe_i2c

# What the v1 uAPI (libgpiod 1.6) reports for the debounce test's bouncing press, on a free line
# requested as the daemon requests its button: the edge type of each event is the level read
# when the kernel's IRQ thread runs, so a burst can arrive with edges merged or mislabelled.
hilctl bounce-events "/dev/$HIL_GPIOCHIP" 26 "$(pull_path 26)" 5 >"$WORK/bounce.txt"
cat "$WORK/bounce.txt"
note "$(tail -n 1 "$WORK/bounce.txt") (v1 uAPI events of the debounce test's press on a free line, before the daemon runs)"

site_file "$WORK/site-a.yaml"
venueguard check-config --quiet "$WORK/site-a.yaml" || cat "$WORK/site-a.yaml"
if daemon_start a "$WORK/site-a.yaml"; then
    run_daemon_test probe-gpio t_probe_gpio
    run_daemon_test bme280-i2c-stub-smbus t_bme280_stub
    run_daemon_test bme280-hil-i2c-rdwr t_bme280_sim
    run_daemon_test sht3x-hil-i2c t_sht3x
    run_daemon_test sht4x-hil-i2c t_sht4x
    run_daemon_test aht20-hil-i2c t_aht20
    run_daemon_test sht3x-on-smbus-only-bus t_sht3x_smbus_only
    run_daemon_test lamps-safe-heartbeat t_lamps_safe
    run_daemon_test unplug-no-response-unknown t_unplug
    run_daemon_test replug-recovers t_replug
    run_daemon_test strike-danger-pattern t_strike
    run_daemon_test button-debounced-ack t_button_debounced
    run_daemon_test sigterm-not-monitoring t_sigterm
else
    for _t in probe-gpio bme280-i2c-stub-smbus bme280-hil-i2c-rdwr sht3x-hil-i2c sht4x-hil-i2c aht20-hil-i2c sht3x-on-smbus-only-bus \
        lamps-safe-heartbeat unplug-no-response-unknown replug-recovers strike-danger-pattern button-debounced-ack sigterm-not-monitoring; do
        run_test "$_t" t_no_daemon
    done
    kill "$DAEMON_PID" 2>/dev/null
fi

# B: every strike sounds afresh when the danger ends 1 s after it (an edge whose alarm took
# longer than that would find its strike already too old to sound; the test then fails on it). A BME280 read five times a
# second on the other bus (hil-i2c; its maximum age raised so that a slow emulated read does
# not make it stale) makes the engine evaluate often enough to notice that at once; the lightning detector's bus (i2c-stub) carries a BME280 read every 10 s, as the
# example box (Config/raspberry-pi.yaml) reads its SHT31 on the detector's bus.
site_file "$WORK/site-b.yaml" "lightning:
  all_clear: 1s"
sed -i -e '/id: sim-bme280,/s/period: 1s/period: 200ms, max_age: 10s/' -e '/id: stub-bme280,/s/period: 1s/period: 10s/' "$WORK/site-b.yaml"
if daemon_start b "$WORK/site-b.yaml"; then
    run_daemon_test irq-latency t_latency
    daemon_stop
else
    run_test irq-latency t_no_daemon
    kill "$DAEMON_PID" 2>/dev/null
fi

# C: a hot, humid hall.
stub_bme280_data "$BME280_HOT_DATA_F7"
site_file "$WORK/site-c.yaml"
if daemon_start c "$WORK/site-c.yaml"; then
    run_daemon_test stop-pattern t_stop_pattern
    run_daemon_test button-ack-heat-alarm t_button_heat
    daemon_stop
else
    run_test stop-pattern t_no_daemon
    run_test button-ack-heat-alarm t_no_daemon
    kill "$DAEMON_PID" 2>/dev/null
fi

finish
