// Thin access to libmosquitto (Debian's libmosquitto-dev 2.0).
#include <mosquitto.h>
#include <mqtt_protocol.h>
// The network thread's wake-up (eventfd(2)), which Glibc's Swift module does not expose.
#include <sys/eventfd.h>
// TCP_CORK for the network thread's batched writes (tcp(7)).
#include <netinet/tcp.h>
