// Thin access to libmosquitto (Debian's libmosquitto-dev 2.0).
#include <mosquitto.h>
#include <mqtt_protocol.h>
