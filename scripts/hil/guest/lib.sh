# Shared by the guest test scripts of `make hil` (POSIX sh: busybox ash in the devices guest,
# dash in the systemd guest). Each test prints one line of the result, "PASS name" or
# "FAIL name: why", on the results channel (HIL_RESULTS, a serial port the host reads), and the
# last line is "N passed, N failed". Notes ("NOTE ...") and figures ("FIGURE ...") go there too.
# Everything else (daemon logs, details) goes to the console, which the host keeps in a log.

HIL_RESULTS=${HIL_RESULTS:-/dev/ttyS1}
hil_passed=0
hil_failed=0
WHY=

# Writes a line to the results channel and to the console.
report() {
    printf '%s\n' "$*" >>"$HIL_RESULTS"
    printf 'hil: %s\n' "$*"
}

note() { report "NOTE $*"; }

# run_test NAME FUNCTION: runs FUNCTION; it returns 0 to pass, or calls `fail WHY` (which
# returns 1). The host checks that every `run_test` line of the script reported once.
run_test() {
    WHY=
    _started=$(now_ms)
    printf '\nhil: --- %s (at %d ms)\n' "$1" "$_started"
    if "$2"; then
        hil_passed=$((hil_passed + 1))
        report "PASS $1"
    else
        hil_failed=$((hil_failed + 1))
        report "FAIL $1: ${WHY:-failed}"
    fi
    printf 'hil: --- %s took %d ms\n' "$1" $(($(now_ms) - _started))
}

fail() {
    WHY=$*
    return 1
}

finish() {
    report "$hil_passed passed, $hil_failed failed"
}

# Milliseconds since boot.
now_ms() {
    awk '{ printf "%d\n", $1 * 1000 }' /proc/uptime
}

# wait_until TIMEOUT_MS COMMAND...: runs COMMAND every 50 ms until it succeeds; 1 on timeout.
wait_until() {
    _deadline=$(($(now_ms) + $1))
    shift
    while ! "$@" >/dev/null 2>&1; do
        [ "$(now_ms)" -lt "$_deadline" ] || return 1
        usleep 50000 2>/dev/null || sleep 0.05
    done
}

# wait_until_slow TIMEOUT_MS COMMAND...: the same every 250 ms, for commands that are costly in
# an emulated guest (systemctl, journalctl).
wait_until_slow() {
    _deadline=$(($(now_ms) + $1))
    shift
    while ! "$@" >/dev/null 2>&1; do
        [ "$(now_ms)" -lt "$_deadline" ] || return 1
        sleep 0.25
    done
}

# near VALUE EXPECTED TOLERANCE: whether |VALUE - EXPECTED| <= TOLERANCE (numbers as text).
near() {
    awk -v v="$1" -v e="$2" -v t="$3" 'BEGIN { d = v - e; if (d < 0) d = -d; exit !(v != "" && d <= t + 1e-9) }'
}

# --- Lamp and buzzer patterns -------------------------------------------------------------
# A sample file holds "T_MS NAME VALUE" lines from `hilctl sample`: the first value of each
# line and every change.

# segments FILE NAME: "VALUE SECONDS" for each complete segment of NAME (the partial first and
# last segments are left out).
segments() {
    # The segment ending at the k-th change (k >= 2) began at change k-1, so it is complete.
    awk -v name="$2" '
        $2 == name { if (n >= 2) printf "%s %.3f\n", value, ($1 - since) / 1000; since = $1; value = $3; n++ }
    ' "$1"
}

# changes FILE NAME: how many times NAME changed after its first value.
changes() {
    awk -v name="$2" '$2 == name { n++ } END { print (n > 0 ? n - 1 : 0) }' "$1"
}

# first_value FILE NAME, last_value FILE NAME
first_value() { awk -v name="$2" '$2 == name { print $3; exit }' "$1"; }
last_value() { awk -v name="$2" '$2 == name { v = $3 } END { print v }' "$1"; }

# segments_within FILE NAME VALUE MIN MAX [SKIP]: the median of the complete VALUE segments
# lies within MIN..MAX seconds, each of them within HIL_JITTER of that range, and there is at
# least one. (Frames are drawn every 50 ms, and an emulated guest's timers run late now and
# then: HIL_JITTER is 0.1 s under TCG, 0.04 s otherwise.) SKIP leaves out the first SKIP
# segments of the line (a pattern that starts mid-sample: blinks follow the renderer's clock,
# so its first one is cut short). Prints the durations.
HIL_JITTER=${HIL_JITTER:-$([ "${HIL_ACCEL:-}" = tcg ] && echo 0.1 || echo 0.04)}
segments_within() {
    segments "$1" "$2" | awk -v want="$3" -v lo="$4" -v hi="$5" -v skip="${6:-0}" -v j="$HIL_JITTER" '
        NR <= skip { next }
        $1 == want { d[n++] = $2; list = list " " $2; if ($2 < lo - j || $2 > hi + j) bad++ }
        END {
            for (i = 0; i < n; i++) for (k = i + 1; k < n; k++) if (d[k] < d[i]) { t = d[i]; d[i] = d[k]; d[k] = t }
            median = n % 2 ? d[(n - 1) / 2] : (d[n / 2 - 1] + d[n / 2]) / 2
            printf "%d segment(s):%s (median %.3f)\n", n, list, median
            exit !(n > 0 && bad == 0 && median >= lo && median <= hi) }'
}

# steady_at FILE NAME VALUE: NAME never changed and read VALUE.
steady_at() {
    [ "$(changes "$1" "$2")" = 0 ] && [ "$(first_value "$1" "$2")" = "$3" ]
}

# describe FILE NAME: a short description of a line's behaviour for failure messages.
describe() {
    _segs=$(segments "$1" "$2" | head -n 12 | tr '\n' ' ')
    printf '%s: first %s, %s change(s), segments [%s]' "$2" "$(first_value "$1" "$2")" "$(changes "$1" "$2")" "$_segs"
}
