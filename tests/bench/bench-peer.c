/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench-live.h"
#include "bench-peer.h"

#define PYTHON "/usr/bin/python3"
#define SETTLE_MS 2000
#define TAIL_MS 300

/* Who consumes the roller's notifications in a run. */
typedef enum {
	SIDE_BLEAK,		/* the bleak script alone, no rollerd */
	SIDE_NOBODY,		/* rollerd, nobody watching */
	SIDE_STREAM,		/* rollerd and a stream watcher */
	SIDE_SIGNAL,		/* rollerd and a signal watcher */
	N_SIDES
} Side;

static const char *const side_names[N_SIDES] = {
	"bleak", "rollerd, nobody watching", "rollerd + stream watcher",
	"rollerd + signal watcher",
};

typedef struct {
	gboolean done;		/* FALSE: not measured (no such watcher) */
	double own_ms;		/* the consumer's CPU (and its watcher's), per 1,000 */
	double bus_ms;		/* dbus-daemon's, per 1,000 */
	guint notifications;	/* sent by roller-sim in the window */
	double seconds;
} Sample;

typedef struct {
	GArray *arrival;	/* stream: arrival_us -> the watcher, µs */
	GArray *sent;		/* roller-sim's send -> the watcher, µs */
} Latencies;

static const char *
peer_script(void)
{
	static char *path;

	if (!path) {
		const char *srcdir = g_getenv("ROLLER_SRCDIR");

		path = g_build_filename(srcdir ? srcdir : TOP_SRCDIR, "tests", "bench",
					"bench-bleak-peer.py", NULL);
	}
	return path;
}

/* Whether the peer can run here: python3-bleak installed. */
static gboolean
have_bleak(void)
{
	const char *argv[] = { PYTHON, "-c", "import bleak", NULL };
	int status = -1;

	return g_spawn_sync(NULL, (char **)argv, NULL,
			    G_SPAWN_STDOUT_TO_DEV_NULL | G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL,
			    NULL, NULL, &status, NULL) &&
	       g_spawn_check_wait_status(status, NULL);
}

static gboolean
file_exists(gpointer user_data)
{
	return g_file_test(user_data, G_FILE_TEST_EXISTS);
}

static GPid
start_bleak(BenchRig *rig, char **count_path)
{
	g_autofree char *address = bench_roller_address(0);
	g_autofree char *ready = g_build_filename(test_bus_get_dir(rig->bus), "bleak-ready", NULL);
	const char *argv[] = { PYTHON, peer_script(), address, ready, NULL, NULL };
	GPid pid;

	*count_path = g_build_filename(test_bus_get_dir(rig->bus), "bleak-count", NULL);
	argv[4] = *count_path;
	/* bleak talks to bluetoothd on the system bus: here, roller-sim's. */
	g_setenv("DBUS_SYSTEM_BUS_ADDRESS", test_bus_get_address(rig->bus), TRUE);
	pid = test_bus_spawn(rig->bus, "bleak", argv);
	if (!test_bus_wait_until(file_exists, ready, 90000)) {
		test_bus_dump_log(rig->bus, "bleak");
		bench_die("the bleak peer did not subscribe");
	}
	return pid;
}

static double
cpu_of(GPid a, GPid b)
{
	return bench_cpu_seconds(a) + (b ? bench_cpu_seconds(b) : 0.0);
}

static void
collect_latencies(BenchRig *rig, GArray *receipts, gint64 t0, gint64 t1, Latencies *out)
{
	guint in_window = 0;
	g_autoptr(GArray) times = bench_frame_times(rig, 0, t0, t1, &in_window);

	for (guint k = 0; k < receipts->len; k++) {
		BenchReceipt *r = &g_array_index(receipts, BenchReceipt, k);
		gint64 sent, latency;

		if (r->frames == 0 || r->frames > times->len)
			continue;
		sent = g_array_index(times, gint64, r->frames - 1);
		if (sent < t0 || sent >= t1)
			continue;
		latency = r->receipt_us - sent;
		g_array_append_val(out->sent, latency);
		if (r->arrival_us) {
			latency = r->receipt_us - r->arrival_us;
			g_array_append_val(out->arrival, latency);
		}
	}
}

static void
run_one(const BenchPeerOptions *o, double speed, Side side, Sample *s, Latencies *lat)
{
	BenchRigOptions ro = { 1, speed, side != SIDE_BLEAK, NULL };
	BenchRig *rig = bench_rig_new(&ro);
	BenchWatcher *watcher = NULL;
	g_autofree char *count_path = NULL;
	GPid own, helper = 0;
	double own0, own1, bus0, bus1;
	gint64 t0, t1;
	g_autoptr(GArray) times = NULL;

	memset(s, 0, sizeof(*s));
	if (side == SIDE_BLEAK) {
		own = start_bleak(rig, &count_path);
	} else {
		own = rig->rollerd;
		if (side != SIDE_NOBODY) {
			watcher = bench_watcher_start(rig, side == SIDE_STREAM ? BENCH_WATCH_STREAM
									      : BENCH_WATCH_SIGNAL,
						      o->argv0);
			if (!watcher) {
				bench_rig_free(rig);
				return;
			}
			helper = watcher->pid;
		}
	}
	bench_rig_start_sessions(rig);
	test_bus_run_for(SETTLE_MS);
	own0 = cpu_of(own, helper);
	bus0 = bench_cpu_seconds(rig->daemon);
	t0 = g_get_monotonic_time();
	test_bus_run_for(o->seconds * 1000);
	t1 = g_get_monotonic_time();
	own1 = cpu_of(own, helper);
	bus1 = bench_cpu_seconds(rig->daemon);
	test_bus_run_for(TAIL_MS);	/* what is still on its way */

	times = bench_frame_times(rig, 0, t0, t1, &s->notifications);
	if (!s->notifications)
		bench_die("roller-sim sent nothing in %s's window", side_names[side]);
	s->done = TRUE;
	s->seconds = (double)(t1 - t0) / 1e6;
	s->own_ms = (own1 - own0) * 1e6 / s->notifications;
	s->bus_ms = (bus1 - bus0) * 1e6 / s->notifications;
	if (watcher) {
		g_autoptr(GArray) receipts = bench_watcher_stop(rig, watcher);

		collect_latencies(rig, receipts, t0, t1, lat);
	}
	if (side == SIDE_BLEAK) {
		g_autofree char *counts = NULL;

		test_bus_stop(rig->bus, own);
		if (!g_file_get_contents(count_path, &counts, NULL, NULL)) {
			test_bus_dump_log(rig->bus, "bleak");
			bench_die("the bleak peer did not report");
		}
	}
	bench_rig_free(rig);
}

static int
compare_double(gconstpointer a, gconstpointer b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* Min and median of @values (sorted in place); FALSE when empty. */
static gboolean
min_median(GArray *values, double *min, double *median)
{
	if (!values->len)
		return FALSE;
	g_array_sort(values, compare_double);
	*min = g_array_index(values, double, 0);
	*median = values->len % 2 ? g_array_index(values, double, values->len / 2)
				  : (g_array_index(values, double, values->len / 2 - 1) +
				     g_array_index(values, double, values->len / 2)) / 2;
	return TRUE;
}

static void
print_pair(GArray *values, int decimals)
{
	double min, median;

	if (min_median(values, &min, &median))
		printf(" %6.*f %6.*f ", decimals, min, decimals, median);
	else
		printf(" %6s %6s ", "-", "-");
}

static void
print_latency(const char *what, GArray *values)
{
	if (!values->len) {
		printf("  %-38s   -\n", what);
		return;
	}
	bench_sort(values);
	printf("  %-38s p50=%7.3f p99=%7.3f max=%7.3f n=%u\n", what,
	       bench_percentile(values, 50) / 1000.0, bench_percentile(values, 99) / 1000.0,
	       g_array_index(values, gint64, values->len - 1) / 1000.0, values->len);
}

void
bench_peer_run(const BenchPeerOptions *o, double speed, const char *label)
{
	gboolean bleak = o->bleak && have_bleak();
	Sample samples[N_SIDES][16] = { 0 };
	Latencies lat[N_SIDES];
	guint runs = MIN(o->runs, G_N_ELEMENTS(samples[0]));
	guint notifications = 0;
	double seconds = 0;

	for (Side side = 0; side < N_SIDES; side++) {
		lat[side].arrival = g_array_new(FALSE, FALSE, sizeof(gint64));
		lat[side].sent = g_array_new(FALSE, FALSE, sizeof(gint64));
	}
	printf("%s: 1 roller, roller-sim --speed=%g, %u interleaved rounds of %u s\n", label,
	       speed, runs, o->seconds);
	fflush(stdout);
	if (o->bleak && !bleak)
		printf("  (no bleak peer: %s cannot import bleak; apt-get install python3-bleak)\n",
		       PYTHON);
	/* Interleaved: each round runs every side once, so a neighbour's
	 * load falls on all of them alike. */
	for (guint r = 0; r < runs; r++) {
		for (Side side = bleak ? SIDE_BLEAK : SIDE_NOBODY; side < N_SIDES; side++) {
			Sample *s = &samples[side][r];

			run_one(o, speed, side, s, &lat[side]);
			if (s->done) {
				notifications += s->notifications;
				seconds += s->seconds;
			}
		}
	}
	printf("  %.1f notifications/s\n", seconds > 0 ? notifications / seconds : 0.0);
	printf("  %-26s %-14s %-14s %-14s %-14s\n", "CPU ms per 1,000", "own", "+dbus-daemon",
	       "own/bleak", "(+dbus)/(+dbus)");
	printf("  %-26s %-14s %-14s %-14s %-14s\n", "notifications", "min median",
	       "min median", "min median", "min median");
	for (Side side = 0; side < N_SIDES; side++) {
		g_autoptr(GArray) own = g_array_new(FALSE, FALSE, sizeof(double));
		g_autoptr(GArray) both = g_array_new(FALSE, FALSE, sizeof(double));
		g_autoptr(GArray) ratio = g_array_new(FALSE, FALSE, sizeof(double));
		g_autoptr(GArray) ratio_both = g_array_new(FALSE, FALSE, sizeof(double));

		for (guint r = 0; r < runs; r++) {
			Sample *s = &samples[side][r], *b = &samples[SIDE_BLEAK][r];
			double v;

			if (!s->done)
				continue;
			g_array_append_val(own, s->own_ms);
			v = s->own_ms + s->bus_ms;
			g_array_append_val(both, v);
			if (!b->done || side == SIDE_BLEAK)
				continue;
			/* Against the bleak run of the same round. */
			v = s->own_ms / b->own_ms;
			g_array_append_val(ratio, v);
			v = (s->own_ms + s->bus_ms) / (b->own_ms + b->bus_ms);
			g_array_append_val(ratio_both, v);
		}
		if (!own->len && side != SIDE_BLEAK)
			continue;
		printf("  %-26s", side_names[side]);
		print_pair(own, 1);
		print_pair(both, 1);
		print_pair(ratio, 2);
		print_pair(ratio_both, 2);
		printf("\n");
	}
	printf("  latency, ms (watcher's receipt minus):\n");
	print_latency("stream: rollerd's arrival_us", lat[SIDE_STREAM].arrival);
	print_latency("stream: roller-sim's send", lat[SIDE_STREAM].sent);
	print_latency("LiveUpdate: roller-sim's send", lat[SIDE_SIGNAL].sent);
	fflush(stdout);
	for (Side side = 0; side < N_SIDES; side++) {
		g_array_unref(lat[side].arrival);
		g_array_unref(lat[side].sent);
	}
}
