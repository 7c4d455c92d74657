#!/usr/bin/env python3
"""The register contents of the simulated chips in `make hil`, and the values they encode.

Prints shell assignments (sourced by the guest test scripts): the bytes to load into the
i2c-stub and hil-i2c register maps, the raw words of the command chips, and what VenueGuard
must report for them. The expectations are computed here, independently of the Swift drivers,
from the datasheets:

  BME280   Bosch BST-BME280-DS002 §4.2.3 and §8.2: the 32/64-bit integer compensation,
           transcribed from the datasheet's C (C's truncating division included).
  SHT3x    T = -45 + 175 * S / 65535, RH = 100 * S / 65535 (Sensirion SHT3x-DIS §4.13).
  SHT4x    T = -45 + 175 * S / 65535, RH = -6 + 125 * S / 65535 (Sensirion SHT4x §4.6).
  AHT20    RH = S / 2^20 * 100, T = S / 2^20 * 200 - 50 (Aosong AHT20 §6).
  AS3935   interrupt register 0x03 low nibble 0x8 = lightning; distance 0x07[5:0] in km;
           energy 0x04 (LSB), 0x05 (MSB), 0x06[4:0] (MMSB) (ams AS3935 datasheet §8.9-8.11).

The BME280 calibration block: the temperature and pressure trimming values are the worked
example of Bosch's BMP280 datasheet (BST-BMP280-DS001 §3.12; the BME280 has the same T/P
compensation), whose adc_T 519888 and adc_P 415148 are used as the "normal" reading. The
humidity trimming values (H1 75, H2 362, H3 0, H4 313, H5 50, H6 30) are those of a real
BME280 part, the set the project's BME280Tests use.

VenueGuard publishes numbers rounded to 0.01, so each expectation is given rounded the same way.
"""
import math

CALIBRATION = dict(t1=27504, t2=26435, t3=-1000,
                   p1=36477, p2=-10685, p3=3024, p4=2855, p5=140, p6=-7, p7=15500, p8=-14600, p9=6000,
                   h1=75, h2=362, h3=0, h4=313, h5=50, h6=30)

INT32 = (-(1 << 31), (1 << 31) - 1)
INT64 = (-(1 << 63), (1 << 63) - 1)


def checked(value, bounds):
    """The datasheet's C works in int32/int64: refuse values that would overflow there."""
    if not bounds[0] <= value <= bounds[1]:
        raise OverflowError(f"{value} overflows the datasheet's integer type")
    return value


def c_div(a, b):
    """C's integer division truncates toward zero; Python's // floors."""
    q = abs(a) // abs(b)
    return q if (a >= 0) == (b >= 0) else -q


def t_fine(c, adc_t):
    var1 = checked((((adc_t >> 3) - (c["t1"] << 1)) * c["t2"]) >> 11, INT32)
    d = (adc_t >> 4) - c["t1"]
    var2 = checked((((d * d) >> 12) * c["t3"]) >> 14, INT32)
    return checked(var1 + var2, INT32)


def temperature_centi(fine):
    return (fine * 5 + 128) >> 8


def pressure_q24_8(c, adc_p, fine):
    var1 = fine - 128000
    var2 = checked(var1 * var1 * c["p6"], INT64)
    var2 = checked(var2 + ((var1 * c["p5"]) << 17), INT64)
    var2 = checked(var2 + (c["p4"] << 35), INT64)
    var1 = checked(((var1 * var1 * c["p3"]) >> 8) + ((var1 * c["p2"]) << 12), INT64)
    var1 = checked((((1 << 47) + var1) * c["p1"]) >> 33, INT64)
    if var1 == 0:
        return 0
    p = 1048576 - adc_p
    p = c_div(checked(((p << 31) - var2) * 3125, INT64), var1)
    var1 = checked((c["p9"] * (p >> 13) * (p >> 13)) >> 25, INT64)
    var2 = checked((c["p8"] * p) >> 19, INT64)
    return ((p + var1 + var2) >> 8) + (c["p7"] << 4)


def humidity_q22_10(c, adc_h, fine):
    v = fine - 76800
    a = checked(((adc_h << 14) - (c["h4"] << 20) - (c["h5"] * v)) + 16384, INT32) >> 15
    b = checked(((((((v * c["h6"]) >> 10) * (((v * c["h3"]) >> 11) + 32768)) >> 10) + 2097152) * c["h2"] + 8192), INT32) >> 14
    v = checked(a * b, INT32)
    v = v - (((((v >> 15) * (v >> 15)) >> 7) * c["h1"]) >> 4)
    v = min(max(v, 0), 419430400)
    return v >> 12


def humidity_double(c, adc_h, fine):
    """The datasheet's floating-point humidity (§8.1), to cross-check the integer one."""
    h = fine - 76800.0
    h = (adc_h - (c["h4"] * 64.0 + c["h5"] / 16384.0 * h)) * (
        c["h2"] / 65536.0 * (1.0 + c["h6"] / 67108864.0 * h * (1.0 + c["h3"] / 67108864.0 * h)))
    h = h * (1.0 - c["h1"] * h / 524288.0)
    return min(100.0, max(0.0, h))


def rounded(x):
    """Swift's .rounded() (half away from zero) to 0.01, as VenueGuard publishes numbers."""
    scaled = x * 100
    return math.copysign(math.floor(abs(scaled) + 0.5), scaled) / 100


def bme280_reading(c, adc_t, adc_p, adc_h):
    fine = t_fine(c, adc_t)
    return (temperature_centi(fine) / 100, pressure_q24_8(c, adc_p, fine) / 256 / 100,
            humidity_q22_10(c, adc_h, fine) / 1024)


def bme280_adc_for(c, temperature, humidity, pressure):
    """Raw ADC values that read as about `temperature` °C, `humidity` %RH and `pressure` hPa."""
    low, high = 400000, 600000  # temperature rises with adc_T
    while high - low > 1:
        middle = (low + high) // 2
        if temperature_centi(t_fine(c, middle)) / 100 < temperature:
            low = middle
        else:
            high = middle
    adc_t = min((low, high), key=lambda a: abs(temperature_centi(t_fine(c, a)) / 100 - temperature))
    fine = t_fine(c, adc_t)
    low, high = 0, 65535  # humidity rises with adc_H
    while high - low > 1:
        middle = (low + high) // 2
        if humidity_q22_10(c, middle, fine) / 1024 < humidity:
            low = middle
        else:
            high = middle
    adc_h = min((low, high), key=lambda a: abs(humidity_q22_10(c, a, fine) / 1024 - humidity))
    low, high = 0, (1 << 20) - 1  # pressure falls as adc_P rises
    while high - low > 1:
        middle = (low + high) // 2
        if pressure_q24_8(c, middle, fine) / 25600 > pressure:
            low = middle
        else:
            high = middle
    adc_p = min((low, high), key=lambda a: abs(pressure_q24_8(c, a, fine) / 25600 - pressure))
    return adc_t, adc_p, adc_h


def bme280_blocks(c):
    def le16(v):
        v &= 0xFFFF
        return [v & 0xFF, v >> 8]
    block1 = []
    for key in ("t1", "t2", "t3", "p1", "p2", "p3", "p4", "p5", "p6", "p7", "p8", "p9"):
        block1 += le16(c[key])
    block1 += [0x00, c["h1"]]  # 0xA0 is reserved, 0xA1 is H1
    h4, h5 = c["h4"] & 0xFFF, c["h5"] & 0xFFF
    block2 = le16(c["h2"]) + [c["h3"], h4 >> 4, (h4 & 0x0F) | ((h5 & 0x0F) << 4), h5 >> 4, c["h6"] & 0xFF]
    assert len(block1) == 26 and len(block2) == 7
    return block1, block2


def bme280_data(adc_t, adc_p, adc_h):
    """0xF7-0xFE: press_msb, press_lsb, press_xlsb, temp_msb, temp_lsb, temp_xlsb, hum_msb, hum_lsb."""
    return [adc_p >> 12, (adc_p >> 4) & 0xFF, (adc_p & 0x0F) << 4,
            adc_t >> 12, (adc_t >> 4) & 0xFF, (adc_t & 0x0F) << 4,
            adc_h >> 8, adc_h & 0xFF]


def hexes(values):
    return " ".join(f"0x{v:02x}" for v in values)


def emit(name, value):
    print(f"{name}='{value}'")


def main():
    c = CALIBRATION
    # The datasheet's worked example still reads as the datasheet says.
    fine = t_fine(c, 519888)
    assert fine == 128422 and temperature_centi(fine) == 2508
    assert abs(pressure_q24_8(c, 415148, fine) / 256 - 100653.27) < 0.02

    block1, block2 = bme280_blocks(c)
    emit("BME280_CALIB_88", hexes(block1))
    emit("BME280_CALIB_E1", hexes(block2))
    readings = {
        # A mild hall: safe (indoor chart WBGT about 19 °C).
        "STUB": (519888, 415148, bme280_adc_for(c, 25.08, 40.37, 1006.53)[2]),
        # The second BME280 (on hil-i2c) reads a little cooler, so the two are told apart.
        "SIM": bme280_adc_for(c, 23.46, 45.61, 1004.28),
        # A hot, humid hall: stop (indoor chart WBGT above 31 °C).
        "HOT": bme280_adc_for(c, 38.07, 70.23, 1006.81),
    }
    for name, (adc_t, adc_p, adc_h) in readings.items():
        t, p, h = bme280_reading(c, adc_t, adc_p, adc_h)
        assert abs(h - humidity_double(c, adc_h, t_fine(c, adc_t))) < 0.05
        emit(f"BME280_{name}_DATA_F7", hexes(bme280_data(adc_t, adc_p, adc_h)))
        emit(f"BME280_{name}_ADC", f"T={adc_t} P={adc_p} H={adc_h}")
        emit(f"BME280_{name}_T", f"{rounded(t):.2f}")
        emit(f"BME280_{name}_P", f"{rounded(p):.2f}")
        emit(f"BME280_{name}_RH", f"{rounded(h):.2f}")

    # Command chips on hil-i2c: raw words and what they mean.
    sht3x_t, sht3x_h = 26500, 29000
    emit("SHT3X_RAW_T", sht3x_t)
    emit("SHT3X_RAW_H", sht3x_h)
    emit("SHT3X_T", f"{rounded(-45 + 175 * sht3x_t / 65535):.2f}")
    emit("SHT3X_RH", f"{rounded(100 * sht3x_h / 65535):.2f}")
    sht4x_t, sht4x_h = 26000, 30000
    emit("SHT4X_RAW_T", sht4x_t)
    emit("SHT4X_RAW_H", sht4x_h)
    emit("SHT4X_T", f"{rounded(-45 + 175 * sht4x_t / 65535):.2f}")
    emit("SHT4X_RH", f"{rounded(min(100, max(0, -6 + 125 * sht4x_h / 65535))):.2f}")
    aht20_t, aht20_h = 382000, 470000
    emit("AHT20_RAW_T", aht20_t)
    emit("AHT20_RAW_H", aht20_h)
    emit("AHT20_T", f"{rounded(aht20_t / 2**20 * 200 - 50):.2f}")
    emit("AHT20_RH", f"{rounded(aht20_h / 2**20 * 100):.2f}")

    # AS3935: the chip's power-on registers, with a lightning interrupt pending for every IRQ
    # edge: 0x00 AFE gain 0x12 (indoor), 0x01 noise floor 2 / watchdog 2, 0x02 statistics
    # (CL_STAT, spike rejection 2), 0x03 INT_L = 0x8 (lightning), 0x04-0x06 energy, 0x07 5 km.
    energy = 0x011234
    emit("AS3935_REGS_00", hexes([0x24, 0x22, 0xC2, 0x08, energy & 0xFF, (energy >> 8) & 0xFF, energy >> 16, 0x05]))
    emit("AS3935_DISTANCE_KM", 5)
    emit("AS3935_ENERGY", energy)


if __name__ == "__main__":
    main()
