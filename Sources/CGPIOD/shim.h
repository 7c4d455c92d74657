// Thin access to libgpiod's v1 API (libgpiod 1.6: Debian 12, Raspberry Pi OS bookworm).
#include <gpiod.h>

// Only the v1 API defines GPIOD_LINE_BULK_MAX_LINES; libgpiod 2.x removed it along with
// gpiod_line_request_output and gpiod_line_event_get_fd, which VenueGuard uses.
#ifndef GPIOD_LINE_BULK_MAX_LINES
#error "VenueGuard needs libgpiod 1.x (the 1.6 API of Debian 12 / Raspberry Pi OS bookworm); this gpiod.h is libgpiod 2.x. Install libgpiod-dev 1.6."
#endif
