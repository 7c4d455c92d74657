# The simulated board of `make hil`, the same in both guests (sourced; needs lib.sh and the
# chip values from chips.env). Everything is a real kernel interface:
#   - i2c-stub (Debian's module): register maps of the SMBus-style chips, a BME280 with a real
#     calibration block at 0x76 and an AS3935 at 0x03, plus an empty chip at 0x44 where an
#     SHT3x would be (it shows that a command chip cannot be driven over SMBus only);
#   - hil-i2c (built here, scripts/hil/modules/hil-i2c): plain I2C transfers, for the command
#     chips i2c-stub cannot hold (SHT3x at 0x45, SHT4x at 0x44, AHT20 at 0x38) and a second
#     BME280 register map at 0x77 that can be unplugged mid-run;
#   - gpio-sim (built here from Debian's linux-source): one chip of 28 lines named GPIO0..GPIO27
#     like a Raspberry Pi header, set up through configfs; lines are read through sysfs
#     `value` and driven from outside through `pull`.
# The wiring follows Config/raspberry-pi.yaml: lamps on GPIO17/27/22/23, buzzer GPIO24,
# acknowledge button GPIO25 (to ground, active low), AS3935 IRQ GPIO5.

HIL_GPIO_LINES=28
LINE_GREEN=17 LINE_YELLOW=27 LINE_RED=22 LINE_BLUE=23 LINE_BUZZER=24 LINE_BUTTON=25 LINE_IRQ=5
HIL_STUB_CHIPS=0x03,0x44,0x76
HIL_SIM_CHIPS=sht3x@0x45,sht4x@0x44,aht20@0x38,regmap@0x77

# hw_setup MODULE_DIR: loads the modules (gpio-sim.ko and hil-i2c.ko from MODULE_DIR), creates
# the gpio-sim chip, fills the registers. Sets HIL_STUB_BUS, HIL_SIM_BUS, HIL_GPIOCHIP, HIL_GPIO
# (the chip's sysfs directory) and HIL_SIM_DEBUG.
hw_setup() {
    _modules=$1
    modprobe configfs && modprobe i2c-dev || return 1
    grep -q ' /sys/kernel/config ' /proc/mounts || mount -t configfs configfs /sys/kernel/config || return 1
    grep -q ' /sys/kernel/debug ' /proc/mounts || mount -t debugfs debugfs /sys/kernel/debug || return 1
    # hil-i2c first: it becomes i2c-0 and i2c-stub i2c-1, the Raspberry Pi's header bus.
    insmod "$_modules/hil-i2c.ko" chips="$HIL_SIM_CHIPS" || return 1
    modprobe i2c-stub chip_addr="$HIL_STUB_CHIPS" || return 1
    insmod "$_modules/gpio-sim.ko" || return 1

    HIL_STUB_BUS= HIL_SIM_BUS=
    for _d in /sys/bus/i2c/devices/i2c-*; do
        case "$(cat "$_d/name")" in
            "SMBus stub driver") HIL_STUB_BUS=${_d##*/i2c-} ;;
            "VenueGuard HIL I2C adapter") HIL_SIM_BUS=${_d##*/i2c-} ;;
        esac
    done
    [ -n "$HIL_STUB_BUS" ] && [ -n "$HIL_SIM_BUS" ] || { echo "hw_setup: i2c-stub or hil-i2c adapter missing"; return 1; }
    HIL_SIM_DEBUG=/sys/kernel/debug/hil-i2c

    _cfg=/sys/kernel/config/gpio-sim/venueguard
    mkdir "$_cfg" "$_cfg/bank0" || return 1
    echo "$HIL_GPIO_LINES" >"$_cfg/bank0/num_lines"
    echo venueguard-hil >"$_cfg/bank0/label"
    _lines=$(seq 0 $((HIL_GPIO_LINES - 1)))
    (cd "$_cfg/bank0" && mkdir $(for _i in $_lines; do echo "line$_i"; done)) || return 1
    for _i in $_lines; do echo "GPIO$_i" >"$_cfg/bank0/line$_i/name"; done
    echo 1 >"$_cfg/live" || return 1
    HIL_GPIOCHIP=$(cat "$_cfg/bank0/chip_name")
    HIL_GPIO=/sys/devices/platform/$(cat "$_cfg/dev_name")/$HIL_GPIOCHIP
    [ -e "$HIL_GPIO/sim_gpio$LINE_IRQ/pull" ] || { echo "hw_setup: no $HIL_GPIO/sim_gpio$LINE_IRQ/pull"; return 1; }

    stub_fill && sim_fill
}

# Register contents through the kernel: i2cset (i2c-tools; -a for 0x03, below 0x08). By path:
# busybox's shell would run its own i2cset applet, which has no -a.
for I2C_TOOLS in /usr/local/bin /usr/sbin; do [ -x "$I2C_TOOLS/i2cset" ] && break; done
# i2c_block BUS ADDRESS REGISTER BYTES...: an I2C block write (at most 32 bytes).
i2c_block() {
    _bus=$1 _addr=$2 _reg=$3
    shift 3
    "$I2C_TOOLS/i2cset" -y -a "$_bus" "$_addr" "$_reg" "$@" i
}

stub_bme280_data() {  # BYTES for 0xF7-0xFE
    # shellcheck disable=SC2086
    i2c_block "$HIL_STUB_BUS" 0x76 0xf7 $1
}

stub_fill() {
    # shellcheck disable=SC2086
    {
        "$I2C_TOOLS/i2cset" -y "$HIL_STUB_BUS" 0x76 0xd0 0x60 b &&     # chip id: BME280
            "$I2C_TOOLS/i2cset" -y "$HIL_STUB_BUS" 0x76 0xf3 0x00 b && # status: not measuring, NVM copied
            i2c_block "$HIL_STUB_BUS" 0x76 0x88 $BME280_CALIB_88 &&
            i2c_block "$HIL_STUB_BUS" 0x76 0xe1 $BME280_CALIB_E1 &&
            stub_bme280_data "$BME280_STUB_DATA_F7" &&
            i2c_block "$HIL_STUB_BUS" 0x03 0x00 $AS3935_REGS_00
    }
}

# sim_regs ADDRESS OFFSET BYTES...: writes hil-i2c register-map bytes through debugfs.
sim_regs() {
    _file=$HIL_SIM_DEBUG/$1/regs _off=$(($2))
    shift 2
    _octal=
    for _b in "$@"; do _octal="$_octal\\$(printf '%03o' "$_b")"; done
    # shellcheck disable=SC2059
    printf "$_octal" | dd of="$_file" bs=1 seek="$_off" conv=notrunc 2>/dev/null
}

sim_fill() {
    # shellcheck disable=SC2086
    sim_regs 0x77 0xd0 0x60 && sim_regs 0x77 0xf3 0x00 &&
        sim_regs 0x77 0x88 $BME280_CALIB_88 && sim_regs 0x77 0xe1 $BME280_CALIB_E1 &&
        sim_regs 0x77 0xf7 $BME280_SIM_DATA_F7 || return 1
    echo "$SHT3X_RAW_T" >"$HIL_SIM_DEBUG/0x45/raw_t" && echo "$SHT3X_RAW_H" >"$HIL_SIM_DEBUG/0x45/raw_h" &&
        echo "$SHT4X_RAW_T" >"$HIL_SIM_DEBUG/0x44/raw_t" && echo "$SHT4X_RAW_H" >"$HIL_SIM_DEBUG/0x44/raw_h" &&
        echo "$AHT20_RAW_T" >"$HIL_SIM_DEBUG/0x38/raw_t" && echo "$AHT20_RAW_H" >"$HIL_SIM_DEBUG/0x38/raw_h"
}

# Line helpers. value LINE: the line's level (1 high). pull LINE up|down: drives an input line.
value() { cat "$HIL_GPIO/sim_gpio$1/value"; }
pull() { echo "pull-$2" >"$HIL_GPIO/sim_gpio$1/pull"; }
value_path() { echo "$HIL_GPIO/sim_gpio$1/value"; }
pull_path() { echo "$HIL_GPIO/sim_gpio$1/pull"; }

# sample_signal MS FILE: the lamps and the buzzer, every 2 ms, for MS milliseconds.
sample_signal() {
    hilctl sample "$1" green="$(value_path $LINE_GREEN)" yellow="$(value_path $LINE_YELLOW)" \
        red="$(value_path $LINE_RED)" blue="$(value_path $LINE_BLUE)" buzzer="$(value_path $LINE_BUZZER)" >"$2"
}

# sample_signal_background MS FILE: the same in the background (SAMPLER_PID), returning once
# the first sample is taken.
sample_signal_background() {
    rm -f "$2.ready"
    HILCTL_READY="$2.ready" sample_signal "$1" "$2" &
    SAMPLER_PID=$!
    wait_until 5000 test -e "$2.ready"
}

# The site file for the daemon on this board. site_file FILE [EXTRA_YAML]
# Areas: hall (the i2c-stub BME280), annex (the hil-i2c BME280, the one unplugged mid-run).
# The command chips on hil-i2c are advisory (shown, not used for a level), and an SHT31 on the
# SMBus-only i2c-stub shows the error such a bus gives.
site_file() {
    cat >"$1" <<EOF
site:
  id: hil
  name: HIL bench (make hil)
  latitude: 35.68
  longitude: 139.77
  elevation: 40
hardware: linux
areas:
  - id: hall
    name: Hall
    exposure: indoor
    sensors: [stub-bme280]
  - id: annex
    name: Annex
    exposure: indoor
    sensors: [sim-bme280]
sensors:
  - { id: stub-bme280, kind: bme280, bus: $HIL_STUB_BUS, address: 0x76, period: 1s }
  - { id: sim-bme280, kind: bme280, bus: $HIL_SIM_BUS, address: 0x77, period: 1s }
  - { id: sim-sht31, kind: sht3x, bus: $HIL_SIM_BUS, address: 0x45, period: 1s, trust: advisory }
  - { id: sim-sht40, kind: sht4x, bus: $HIL_SIM_BUS, address: 0x44, period: 1s, trust: advisory }
  - { id: sim-aht20, kind: aht20, bus: $HIL_SIM_BUS, address: 0x38, period: 1s, trust: advisory }
  - { id: stub-sht31, kind: sht3x, bus: $HIL_STUB_BUS, address: 0x44, period: 1s, trust: advisory }
  - id: lightning
    kind: as3935
    bus: $HIL_STUB_BUS
    address: 0x03
    irq: { chip: $HIL_GPIOCHIP, line: $LINE_IRQ }
    environment: indoor
signal:
  lamps:
    green:  { chip: $HIL_GPIOCHIP, line: $LINE_GREEN, active: high }
    yellow: { chip: $HIL_GPIOCHIP, line: $LINE_YELLOW, active: high }
    red:    { chip: $HIL_GPIOCHIP, line: $LINE_RED, active: high }
    blue:   { chip: $HIL_GPIOCHIP, line: $LINE_BLUE, active: high }
  buzzer:   { chip: $HIL_GPIOCHIP, line: $LINE_BUZZER, active: high }
  button:   { chip: $HIL_GPIOCHIP, line: $LINE_BUTTON, active: low, debounce: 30ms }
${2:-}
EOF
}
