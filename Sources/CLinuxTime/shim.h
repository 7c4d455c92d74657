// The kernel's clock discipline status (adjtimex), which Glibc's Swift module does not expose.
#include <sys/timex.h>

// 1 when the kernel says the wall clock is synchronised (only NTP clears STA_UNSYNC; an RTC alone
// does not), 0 when not.
static inline int venueguard_clock_synchronized(void) {
    struct timex t = {0};
    int state = adjtimex(&t);
    // A failed call (a seccomp filter, say) proves nothing: unsynchronised.
    if (state == -1) return 0;
    return state != TIME_ERROR && (t.status & STA_UNSYNC) == 0;
}
