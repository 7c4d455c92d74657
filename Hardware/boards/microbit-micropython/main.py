# VenueGuard thermometer for the micro:bit, in MicroPython.
# Prints the temperature once a second as "temp:<value>" (MakeCode's name:value format),
# and, with an SHT31 on the I2C pins (P19 SCL, P20 SDA, 3V, GND), "hum:<value>" as well.
# Flash it with https://python.microbit.org and plug the micro:bit into the sensor box.
from microbit import display, i2c, sleep, temperature, Image

SHT31 = 0x44


def crc8(data):
    # Sensirion CRC-8: polynomial 0x31, initial 0xFF (the box checks it the same way).
    crc = 0xFF
    for byte in data:
        crc ^= byte
        for _ in range(8):
            crc = ((crc << 1) ^ 0x31) & 0xFF if crc & 0x80 else (crc << 1) & 0xFF
    return crc


def read_sht31():
    # Single-shot, high repeatability; None when no SHT31 answers or the CRC is wrong.
    try:
        i2c.write(SHT31, bytes([0x24, 0x00]))
        sleep(20)
        data = i2c.read(SHT31, 6)
    except OSError:
        return None
    if crc8(data[0:2]) != data[2] or crc8(data[3:5]) != data[5]:
        return None
    raw_t = data[0] << 8 | data[1]
    raw_h = data[3] << 8 | data[4]
    return -45 + 175 * raw_t / 65535, 100 * raw_h / 65535


print("VenueGuard micro:bit thermometer starting")  # the box counts this line as unparsable
while True:
    reading = read_sht31()
    if reading:
        t, h = reading
        print("temp:%.1f" % t)
        print("hum:%.1f" % h)
    else:
        # The micro:bit's own sensor measures the chip: it reads 1-3 degrees warm.
        print("temp:%d" % temperature())
    display.show(Image.HEART if reading else Image.SQUARE_SMALL)
    sleep(1000)
