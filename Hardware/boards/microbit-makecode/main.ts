// VenueGuard thermometer for the micro:bit, in MakeCode (paste into the JavaScript tab of
// https://makecode.microbit.org). Prints "temp:<value>" once a second over USB serial.
// With the "dht11_dht22" extension and a DHT22 on P0, uncomment the humidity line.
serial.redirectToUSB()
serial.setBaudRate(BaudRate.BaudRate115200)
basic.forever(function () {
    serial.writeValue("temp", input.temperature())
    // serial.writeValue("hum", dht11_dht22.readData(dataType.humidity))
    basic.pause(1000)
})
