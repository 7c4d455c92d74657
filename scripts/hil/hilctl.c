/*
 * hilctl: the timing half of VenueGuard's hardware-in-the-loop tests (`make hil`), run inside
 * the guests. It is built statically on the host (scripts/hil/run.sh), so it needs nothing
 * from the guest. The guest test scripts are busybox/POSIX shell; they call this for what a
 * shell cannot do precisely:
 *
 *   hilctl sample MS NAME=PATH...
 *       Reads the sysfs `value` files every 2 ms for MS milliseconds and prints the
 *       initial value and every change: "T_MS NAME VALUE" (T_MS from the start, 3 decimals).
 *       With HILCTL_READY=FILE in the environment, creates FILE once the first sample is taken.
 *   hilctl latency IRQ_PULL BUZZER_VALUE BLUE_VALUE EDGES [QUIET_MS] [TIMEOUT_MS] [GAP_MS]
 *       Lightning IRQ edge to buzzer, through the kernel: waits until GAP_MS (the all-clear
 *       time) have passed since the previous edge and the buzzer and the blue lamp have both
 *       been off for QUIET_MS after that (lightning no longer `danger`), writes
 *       "pull-up" to the IRQ line's gpio-sim `pull` (a rising edge), times until the buzzer
 *       line reads 1, then pulls the line down again. Repeats EDGES times and prints one
 *       "edge N MS" line per edge and "latency edges=N answered=N median_ms=… p99_ms=… max_ms=… min_ms=…".
 *   hilctl pulse PATH VALUE US [VALUE US]...
 *       Writes VALUE to PATH, waits US microseconds, writes the next one: a bouncing button.
 *       Prints "T_MS VALUE" for each write, T_MS from the first (the delays a busy machine
 *       really gave).
 *   hilctl wait PATH VALUE TIMEOUT_MS [STABLE_MS]
 *       Waits until PATH reads VALUE (and keeps reading it for STABLE_MS); exit status 1 on timeout.
 *   hilctl bounce-events GPIOCHIP_DEV LINE PULL_PATH REPEAT
 *       What the kernel reports to a v1 uAPI reader (libgpiod 1.6's API) for the bouncing button
 *       press of the debounce test: requests LINE for both edges with a pull-up, as the daemon
 *       requests its button, plays the press REPEAT times and prints the writes and the events
 *       (times in ms from the first write), and how many presses the daemon's rule (an edge to
 *       active at least 30 ms after the previous edge) makes of each.
 *   hilctl json FILE PATH
 *       Prints one value of a JSON file. PATH is dot-separated keys, with [N] or [KEY=VALUE]
 *       to pick an array element: sensors[sensor=hall].values.air_temperature.value
 *       Strings are printed without quotes; objects and arrays as JSON. Exit status 1 when absent.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/gpio.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static void sleep_us(long us)
{
	struct timespec ts = { us / 1000000, (us % 1000000) * 1000 };
	while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
	}
}

static int open_or_die(const char *path, int flags)
{
	int fd = open(path, flags);
	if (fd < 0) {
		fprintf(stderr, "hilctl: %s: %s\n", path, strerror(errno));
		exit(2);
	}
	return fd;
}

/* The first character of a sysfs value file ('0' or '1'), or -1. */
static int read_value(int fd)
{
	char c[8];
	ssize_t n = pread(fd, c, sizeof c, 0);
	return n > 0 ? c[0] : -1;
}

static void write_text(int fd, const char *path, const char *text)
{
	if (pwrite(fd, text, strlen(text), 0) < 0) {
		fprintf(stderr, "hilctl: writing '%s' to %s: %s\n", text, path, strerror(errno));
		exit(2);
	}
}

/* --- sample --------------------------------------------------------------------------------- */

struct change {
	double t;
	int line;
	char value;
};

static int cmd_sample(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: hilctl sample MS NAME=PATH...\n");
		return 2;
	}
	double duration = atof(argv[0]);
	int lines = argc - 1;
	int fds[32];
	char *names[32];
	int last[32];
	if (lines > 32)
		lines = 32;
	for (int i = 0; i < lines; i++) {
		char *eq = strchr(argv[i + 1], '=');
		if (!eq) {
			fprintf(stderr, "hilctl: '%s' is not NAME=PATH\n", argv[i + 1]);
			return 2;
		}
		*eq = '\0';
		names[i] = argv[i + 1];
		fds[i] = open_or_die(eq + 1, O_RDONLY);
		last[i] = -2;
	}
	size_t capacity = 65536, count = 0;
	struct change *changes = malloc(capacity * sizeof *changes);
	double start = now_ms();
	struct timespec next;
	clock_gettime(CLOCK_MONOTONIC, &next);
	const char *ready = getenv("HILCTL_READY");
	for (;;) {
		double t = now_ms() - start;
		if (t > duration)
			break;
		for (int i = 0; i < lines; i++) {
			int v = read_value(fds[i]);
			if (v != last[i] && count < capacity) {
				changes[count++] = (struct change){ t, i, (char)v };
				last[i] = v;
			}
		}
		if (ready) {
			close(open(ready, O_WRONLY | O_CREAT, 0644)); /* the first sample is taken */
			ready = NULL;
		}
		next.tv_nsec += 2000000;
		if (next.tv_nsec >= 1000000000) {
			next.tv_nsec -= 1000000000;
			next.tv_sec++;
		}
		while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &next, NULL) == EINTR) {
		}
	}
	for (size_t i = 0; i < count; i++)
		printf("%.3f %s %c\n", changes[i].t, names[changes[i].line], changes[i].value);
	return 0;
}

/* --- latency -------------------------------------------------------------------------------- */

static int compare_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static int cmd_latency(int argc, char **argv)
{
	if (argc < 4) {
		fprintf(stderr, "usage: hilctl latency IRQ_PULL BUZZER_VALUE BLUE_VALUE EDGES [QUIET_MS] [TIMEOUT_MS] [GAP_MS]\n");
		return 2;
	}
	const char *irq_path = argv[0];
	int irq = open_or_die(argv[0], O_WRONLY);
	int buzzer = open_or_die(argv[1], O_RDONLY);
	int blue = open_or_die(argv[2], O_RDONLY);
	int edges = atoi(argv[3]);
	double quiet = argc > 4 ? atof(argv[4]) : 300;
	double timeout = argc > 5 ? atof(argv[5]) : 10000;
	double gap = argc > 6 ? atof(argv[6]) : 0;
	double previous = -1e12;
	double *latency = calloc(edges > 0 ? edges : 1, sizeof *latency);
	int answered = 0;

	write_text(irq, irq_path, "pull-down");
	for (int edge = 1; edge <= edges; edge++) {
		/* Lightning must have left `danger`, or the strike would not sound: no earlier than GAP
		 * after the previous edge (the all-clear time), and both lines quiet for QUIET. */
		double deadline = now_ms() + timeout, quiet_since = now_ms();
		for (;;) {
			double t = now_ms();
			if (read_value(buzzer) != '0' || read_value(blue) != '0' || t - previous < gap)
				quiet_since = t;
			else if (t - quiet_since >= quiet)
				break;
			if (t > deadline) {
				printf("edge %d: the buzzer or the blue lamp never went quiet for %.0f ms within %.0f ms\n", edge, quiet, timeout);
				goto done;
			}
			sleep_us(2000);
		}
		double before = now_ms();
		previous = before;
		write_text(irq, irq_path, "pull-up");
		double on = -1;
		deadline = before + timeout;
		for (;;) {
			double t = now_ms();
			if (read_value(buzzer) == '1') {
				on = t;
				break;
			}
			if (t > deadline)
				break;
			sleep_us(100);
		}
		write_text(irq, irq_path, "pull-down");
		if (on < 0) {
			printf("edge %d: no buzzer within %.0f ms\n", edge, timeout);
			continue;
		}
		latency[answered++] = on - before;
		printf("edge %d %.3f\n", edge, on - before);
		fflush(stdout);
	}
done:
	qsort(latency, answered, sizeof *latency, compare_double);
	if (answered > 0) {
		/* Nearest rank, as venueguard-bench computes its percentiles. */
		int p50 = (answered + 1) / 2 - 1, p99 = (int)((99 * answered + 99) / 100) - 1;
		if (p99 >= answered)
			p99 = answered - 1;
		printf("latency edges=%d answered=%d median_ms=%.3f p99_ms=%.3f max_ms=%.3f min_ms=%.3f\n", edges, answered,
		       latency[p50], latency[p99], latency[answered - 1], latency[0]);
	} else {
		printf("latency edges=%d answered=0\n", edges);
	}
	return answered == edges ? 0 : 1;
}

/* --- pulse, wait ---------------------------------------------------------------------------- */

static int cmd_pulse(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: hilctl pulse PATH VALUE US [VALUE US]...\n");
		return 2;
	}
	int fd = open_or_die(argv[0], O_WRONLY);
	double start = now_ms();
	for (int i = 1; i < argc; i += 2) {
		double t = now_ms() - start;
		write_text(fd, argv[0], argv[i]);
		printf("%.3f %s\n", t, argv[i]);
		if (i + 1 < argc)
			sleep_us(atol(argv[i + 1]));
	}
	return 0;
}

static int read_text(const char *path, char *buffer, size_t size)
{
	int fd = open(path, O_RDONLY);
	if (fd < 0)
		return -1;
	ssize_t n = read(fd, buffer, size - 1);
	close(fd);
	if (n < 0)
		return -1;
	while (n > 0 && (buffer[n - 1] == '\n' || buffer[n - 1] == ' '))
		n--;
	buffer[n] = '\0';
	return 0;
}

static int cmd_wait(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: hilctl wait PATH VALUE TIMEOUT_MS [STABLE_MS]\n");
		return 2;
	}
	double deadline = now_ms() + atof(argv[2]), stable = argc > 3 ? atof(argv[3]) : 0, since = -1;
	char buffer[256];
	for (;;) {
		double t = now_ms();
		if (read_text(argv[0], buffer, sizeof buffer) == 0 && strcmp(buffer, argv[1]) == 0) {
			if (since < 0)
				since = t;
			if (t - since >= stable)
				return 0;
		} else {
			since = -1;
		}
		if (t > deadline)
			return 1;
		sleep_us(1000);
	}
}

/* --- bounce-events -------------------------------------------------------------------------- */

static int cmd_bounce_events(int argc, char **argv)
{
	if (argc < 4) {
		fprintf(stderr, "usage: hilctl bounce-events GPIOCHIP_DEV LINE PULL_PATH REPEAT\n");
		return 2;
	}
	int chip = open_or_die(argv[0], O_RDWR);
	int pull = open_or_die(argv[2], O_WRONLY);
	int repeat = atoi(argv[3]);
	/* The debounce test's press: down, 2 ms, up, 2 ms, down, 2 ms, up, 2 ms, down, 150 ms, up, 2 ms, down, 2 ms, up. */
	static const char *values[] = { "pull-down", "pull-up", "pull-down", "pull-up", "pull-down", "pull-up", "pull-down", "pull-up" };
	static const long gaps[] = { 2000, 2000, 2000, 2000, 150000, 2000, 2000, 0 };
	int histogram[8] = { 0 };
	for (int r = 1; r <= repeat; r++) {
		write_text(pull, argv[2], "pull-up");
		struct gpioevent_request request = { 0 };
		request.lineoffset = (unsigned)atoi(argv[1]);
		request.handleflags = GPIOHANDLE_REQUEST_INPUT | GPIOHANDLE_REQUEST_BIAS_PULL_UP;
		request.eventflags = GPIOEVENT_REQUEST_BOTH_EDGES;
		strcpy(request.consumer_label, "hilctl");
		if (ioctl(chip, GPIO_GET_LINEEVENT_IOCTL, &request) < 0) {
			fprintf(stderr, "hilctl: line event request: %s\n", strerror(errno));
			return 2;
		}
		sleep_us(50000);
		double start = now_ms();
		printf("burst %d writes:", r);
		for (int i = 0; i < 8; i++) {
			printf(" %.1f", now_ms() - start);
			write_text(pull, argv[2], values[i]);
			if (gaps[i])
				sleep_us(gaps[i]);
		}
		sleep_us(100000);
		printf("; events:");
		struct gpioevent_data event;
		struct pollfd pfd = { request.fd, POLLIN, 0 };
		double last = -1e9;
		int presses = 0;
		while (poll(&pfd, 1, 0) > 0 && read(request.fd, &event, sizeof event) == (ssize_t)sizeof event) {
			double t = event.timestamp / 1e6 - start; /* both CLOCK_MONOTONIC */
			int falling = event.id == GPIOEVENT_EVENT_FALLING_EDGE;
			if (falling && t - last >= 30)
				presses++;
			printf(" %.1f%s", t, falling ? "F" : "R");
			last = t;
		}
		printf("; presses by the daemon's rule: %d\n", presses);
		histogram[presses < 7 ? presses : 7]++;
		close(request.fd);
	}
	printf("bounce-events: %d bursts; presses per burst:", repeat);
	for (int i = 0; i < 8; i++)
		if (histogram[i])
			printf(" %d in %d", i, histogram[i]);
	printf("\n");
	return 0;
}

/* --- json ------------------------------------------------------------------------------------ */

static const char *skip_space(const char *p)
{
	while (*p == ' ' || *p == '\n' || *p == '\r' || *p == '\t')
		p++;
	return p;
}

/* The end of the string starting at p (on its opening quote), after the closing quote. */
static const char *skip_string(const char *p)
{
	for (p++; *p && *p != '"'; p++)
		if (*p == '\\' && p[1])
			p++;
	return *p ? p + 1 : p;
}

static const char *skip_value(const char *p)
{
	p = skip_space(p);
	if (*p == '"')
		return skip_string(p);
	if (*p == '{' || *p == '[') {
		int depth = 0;
		for (; *p; p++) {
			if (*p == '"') {
				p = skip_string(p) - 1;
			} else if (*p == '{' || *p == '[') {
				depth++;
			} else if (*p == '}' || *p == ']') {
				if (--depth == 0)
					return p + 1;
			}
		}
		return p;
	}
	while (*p && *p != ',' && *p != '}' && *p != ']' && *p != ' ' && *p != '\n')
		p++;
	return p;
}

static int string_equals(const char *p, const char *text, size_t length)
{
	/* p on an opening quote; compares the raw (unescaped) contents. */
	const char *end = skip_string(p) - 1;
	return (size_t)(end - p - 1) == length && strncmp(p + 1, text, length) == 0;
}

/* The value of member `key` of the object at p, or NULL. */
static const char *member(const char *p, const char *key, size_t length)
{
	p = skip_space(p);
	if (*p != '{')
		return NULL;
	p = skip_space(p + 1);
	while (*p == '"') {
		int match = string_equals(p, key, length);
		p = skip_space(skip_string(p));
		if (*p != ':')
			return NULL;
		p = skip_space(p + 1);
		if (match)
			return p;
		p = skip_space(skip_value(p));
		if (*p == ',')
			p = skip_space(p + 1);
	}
	return NULL;
}

/* Element `selector` of the array at p: a number, or KEY=VALUE (a member with that string or number). */
static const char *element(const char *p, const char *selector, size_t length)
{
	p = skip_space(p);
	if (*p != '[')
		return NULL;
	const char *eq = memchr(selector, '=', length);
	long index = eq ? -1 : strtol(selector, NULL, 10);
	p = skip_space(p + 1);
	for (long i = 0; *p && *p != ']'; i++) {
		if (!eq && i == index)
			return p;
		if (eq) {
			const char *v = member(p, selector, (size_t)(eq - selector));
			size_t want = length - (size_t)(eq - selector) - 1;
			if (v && (*v == '"' ? string_equals(v, eq + 1, want)
			                    : (size_t)(skip_value(v) - v) == want && strncmp(v, eq + 1, want) == 0))
				return p;
		}
		p = skip_space(skip_value(p));
		if (*p == ',')
			p = skip_space(p + 1);
	}
	return NULL;
}

static int cmd_json(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: hilctl json FILE PATH\n");
		return 2;
	}
	FILE *file = fopen(argv[0], "r");
	if (!file) {
		fprintf(stderr, "hilctl: %s: %s\n", argv[0], strerror(errno));
		return 2;
	}
	size_t capacity = 1 << 16, size = 0;
	char *text = malloc(capacity);
	size_t n;
	while ((n = fread(text + size, 1, capacity - size - 1, file)) > 0) {
		size += n;
		if (size + 1 >= capacity)
			text = realloc(text, capacity *= 2);
	}
	fclose(file);
	text[size] = '\0';

	const char *p = text, *path = argv[1];
	while (p && *path) {
		if (*path == '.') {
			path++;
			continue;
		}
		if (*path == '[') {
			const char *close = strchr(path, ']');
			if (!close)
				return 2;
			p = element(p, path + 1, (size_t)(close - path - 1));
			path = close + 1;
			continue;
		}
		size_t length = strcspn(path, ".[");
		p = member(p, path, length);
		path += length;
	}
	if (!p)
		return 1;
	p = skip_space(p);
	const char *end = skip_value(p);
	if (*p == '"')
		printf("%.*s\n", (int)(end - p - 2), p + 1);
	else
		printf("%.*s\n", (int)(end - p), p);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: hilctl sample|latency|pulse|wait|json ...\n");
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (strcmp(argv[1], "sample") == 0)
		return cmd_sample(argc - 2, argv + 2);
	if (strcmp(argv[1], "latency") == 0)
		return cmd_latency(argc - 2, argv + 2);
	if (strcmp(argv[1], "pulse") == 0)
		return cmd_pulse(argc - 2, argv + 2);
	if (strcmp(argv[1], "wait") == 0)
		return cmd_wait(argc - 2, argv + 2);
	if (strcmp(argv[1], "json") == 0)
		return cmd_json(argc - 2, argv + 2);
	if (strcmp(argv[1], "bounce-events") == 0)
		return cmd_bounce_events(argc - 2, argv + 2);
	fprintf(stderr, "hilctl: unknown command '%s'\n", argv[1]);
	return 2;
}
