// Preloaded into VenueGuard under valgrind only (`make bench` --instructions): libdispatch
// passes a signal set in read-only memory to sigsuspend, and valgrind's rt_sigsuspend wrapper
// writes into the set it is given, which faults. Suspending on a copy on the stack is the same
// call for the kernel.
#define _GNU_SOURCE
#include <dlfcn.h>
#include <signal.h>

int sigsuspend(const sigset_t *mask) {
    static int (*real)(const sigset_t *);
    if (!real) real = (int (*)(const sigset_t *))dlsym(RTLD_NEXT, "sigsuspend");
    sigset_t copy = *mask;
    return real(&copy);
}
