// VenueGuard thermometer for an Arduino (Uno, Nano) with an SHT31 (I2C: A4 SDA, A5 SCL) or
// a DHT22 (data on D2 with a 10 kΩ pull-up). Prints "t=<°C>,h=<%>" once a second at 115200
// baud. Libraries (Library Manager): "Adafruit SHT31 Library", or "DHT sensor library".
#define USE_SHT31 1   // 0 for a DHT22

#if USE_SHT31
#include <Adafruit_SHT31.h>
Adafruit_SHT31 sensor;
#else
#include <DHT.h>
DHT sensor(2, DHT22);
#endif

void setup() {
  Serial.begin(115200);
  Serial.println("VenueGuard Arduino thermometer starting");  // counted as unparsable by the box
#if USE_SHT31
  if (!sensor.begin(0x44)) {
    Serial.println("no SHT31 found");
  }
#else
  sensor.begin();
#endif
}

void loop() {
  float t = sensor.readTemperature();
#if USE_SHT31
  float h = sensor.readHumidity();
#else
  float h = sensor.readHumidity();
#endif
  // A failed read gives NaN: print it anyway, the box counts it as "nan" and waits for the next.
  Serial.print("t=");
  Serial.print(t, 1);
  Serial.print(",h=");
  Serial.println(h, 1);
  delay(1000);
}
