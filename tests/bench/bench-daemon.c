/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * bench-daemon: N simulated rollers streaming full-rate telemetry (100 Hz
 * force, MTU 247) into rollerd on a private bus, for N = 1, 10 and 50, on
 * the AcquireNotify and the StartNotify path.  Prints, per case, rollerd's
 * CPU time per 1,000 notifications, its peak RSS, and the latency from a
 * notification leaving roller-sim to its LiveUpdate reaching a client
 * (p50, p99): roller-sim's ground truth stamps each frame with the
 * monotonic clock, and LiveUpdate's "frames" says which frame it reports.
 *
 * First, for reference, the floor of this machine: a bare GDBus program
 * that emits a signal of LiveUpdate's shape at the rate of the N=10 case
 * (20 a second, from a timer) to another process through the same
 * dbus-daemon, with its CPU per 1,000 signals and the signal's latency.
 * rollerd cannot publish a notification for less than that.
 *
 * Usage: bench-daemon [SECONDS] [N...]   (defaults: 15 s; 1 10 50)
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench-util.h"

#define ADDRESS_FMT "C0:52:4C:00:00:%02X"
#define REFERENCE_NAME "org.rollerd.BenchReference"
#define REFERENCE_HZ 20

typedef struct {
	gint64 arrival_us;
	guint frames;
	guint roller;
} Update;

typedef struct {
	TestBus *bus;
	GDBusConnection *conn;
	GPid rollerd;
	GArray *updates;	/* Update */
	guint n;
	guint pending;
} Bench;

static char *
roller_path(guint i)
{
	return g_strdup_printf("/org/rollerd/roller/C0_52_4C_00_00_%02X", i + 1);
}

static void
on_live_update(GDBusConnection *conn, const char *sender, const char *path,
	       const char *iface, const char *name, GVariant *params, gpointer user_data)
{
	Bench *b = user_data;
	g_autoptr(GVariant) frames = g_variant_get_child_value(params, 9);
	Update u = { g_get_monotonic_time(), 0, 0 };

	u.frames = g_variant_get_uint32(frames);
	u.roller = (guint)g_ascii_strtoull(path + strlen("/org/rollerd/roller/C0_52_4C_00_00_"),
					   NULL, 16) - 1;
	g_array_append_val(b->updates, u);
}

static void
on_connected(GObject *source, GAsyncResult *res, gpointer user_data)
{
	Bench *b = user_data;
	g_autoptr(GError) error = NULL;
	g_autoptr(GVariant) ret = g_dbus_connection_call_finish(G_DBUS_CONNECTION(source),
								res, &error);

	if (!ret) {
		bench_die("a roller did not connect: %s", error->message);
	}
	b->pending--;
}

static gboolean
nothing_pending(gpointer user_data)
{
	return ((Bench *)user_data)->pending == 0;
}

static void
connect_all(Bench *b)
{
	g_autoptr(GPtrArray) paths = g_ptr_array_new_with_free_func(g_free);

	for (guint i = 0; i < b->n; i++)
		g_ptr_array_add(paths, roller_path(i));
	g_ptr_array_add(paths, NULL);
	bench_discover(b->bus, (const char *const *)paths->pdata);
	for (guint i = 0; i < b->n; i++) {
		b->pending++;
		g_dbus_connection_call(b->conn, "org.rollerd", paths->pdata[i],
				       "org.rollerd.Roller2", "Connect", NULL, NULL,
				       G_DBUS_CALL_FLAGS_NONE, 120000, NULL, on_connected, b);
	}
	if (!test_bus_wait_until(nothing_pending, b, 180000))
		bench_die("connecting took too long");
}

/* A "Field:  N kB" line of /proc/PID/status. */
static long
status_kib(GPid pid, const char *field)
{
	g_autofree char *path = g_strdup_printf("/proc/%d/status", pid);
	g_autofree char *text = NULL;
	const char *line;

	if (!g_file_get_contents(path, &text, NULL, NULL) || !(line = strstr(text, field)))
		bench_die("cannot read %s of rollerd", field);
	return strtol(line + strlen(field), NULL, 10);
}

/* The send times of each roller's delivered frames, in order. */
static GArray *
frame_times(const char *truth_dir, guint roller, gint64 since_us, gint64 until_us,
	    guint *in_window)
{
	g_autofree char *path = g_strdup_printf("%s/" ADDRESS_FMT ".txt", truth_dir, roller + 1);
	g_autofree char *text = NULL;
	g_auto(GStrv) lines = NULL;
	GArray *times = g_array_new(FALSE, FALSE, sizeof(gint64));
	gboolean delivered = FALSE;

	if (!g_file_get_contents(path, &text, NULL, NULL))
		bench_die("cannot read roller-sim's ground truth");
	lines = g_strsplit(text, "\n", -1);
	for (gsize i = 0; lines[i]; i++) {
		if (g_str_has_prefix(lines[i], "frame ")) {
			delivered = TRUE;
		} else if (g_str_has_prefix(lines[i], "lost ")) {
			delivered = FALSE;
		} else if (g_str_has_prefix(lines[i], "at ") && delivered) {
			gint64 t = g_ascii_strtoll(lines[i] + 3, NULL, 10);

			g_array_append_val(times, t);
			if (t >= since_us && t < until_us)
				(*in_window)++;
		}
	}
	return times;
}

static void
run_case(guint n, gboolean acquire, guint seconds)
{
	Bench b = { 0 };
	g_autofree char *address = NULL, *truth = NULL, *state = NULL, *truth_arg = NULL;
	g_autofree char *count = g_strdup_printf("--count=%u", n);
	g_autoptr(GArray) latencies = g_array_new(FALSE, FALSE, sizeof(gint64));
	double cpu0, cpu1;
	gint64 t0, t1;
	guint notifications = 0;
	long rss, rss_anon;

	b.bus = test_bus_new();
	b.conn = test_bus_get_connection(b.bus);
	b.n = n;
	b.updates = g_array_new(FALSE, FALSE, sizeof(Update));
	address = g_strdup_printf("--bus=%s", test_bus_get_address(b.bus));
	truth = g_build_filename(test_bus_get_dir(b.bus), "truth", NULL);
	state = g_build_filename(test_bus_get_dir(b.bus), "rollerd", NULL);
	truth_arg = g_strconcat("--ground-truth=", truth, NULL);
	{
		const char *sim_argv[] = { "@builddir@/sim/roller-sim",
					   "--mock-bluez", address, count, "--mtu=247",
					   "--session-seconds=0", truth_arg,
					   "--ground-truth-times", NULL };
		g_autofree char *state_arg = g_strconcat("--state-dir=", state, NULL);
		const char *rollerd_argv[] = { "@builddir@/daemon/rollerd", "--session",
					       "--bluez-bus=session", state_arg,
					       acquire ? NULL : "--no-acquire-notify", NULL };

		bench_spawn(b.bus, "roller-sim", sim_argv, "org.bluez");
		b.rollerd = bench_spawn(b.bus, "rollerd", rollerd_argv, "org.rollerd");
	}
	connect_all(&b);
	for (guint i = 0; i < n; i++) {
		g_autofree char *path = roller_path(i);

		g_dbus_connection_signal_subscribe(b.conn, "org.rollerd", "org.rollerd.Roller2",
						   "LiveUpdate", path, NULL,
						   G_DBUS_SIGNAL_FLAGS_NONE, on_live_update,
						   &b, NULL);
	}
	test_bus_run_for(500);
	for (guint i = 0; i < n; i++) {
		g_autofree char *path = roller_path(i);
		g_autoptr(GVariant) ret = bench_call(b.bus, path, "org.rollerd.Roller2",
						     "StartSession",
						     g_variant_new("(s)", "abdomen"));
	}
	/* Measure once every session runs. */
	test_bus_run_for(2000);
	g_array_set_size(b.updates, 0);
	cpu0 = bench_cpu_seconds(b.rollerd);
	t0 = g_get_monotonic_time();
	test_bus_run_for(seconds * 1000);
	t1 = g_get_monotonic_time();
	cpu1 = bench_cpu_seconds(b.rollerd);
	test_bus_run_for(200);	/* updates still on their way */
	rss = status_kib(b.rollerd, "VmHWM:");
	/* What rollerd has to itself; the rest is shared libraries' pages. */
	rss_anon = status_kib(b.rollerd, "RssAnon:");

	for (guint i = 0; i < n; i++) {
		g_autoptr(GArray) times = frame_times(truth, i, t0, t1, &notifications);

		for (guint k = 0; k < b.updates->len; k++) {
			Update *u = &g_array_index(b.updates, Update, k);
			gint64 latency;

			if (u->roller != i || u->frames == 0 || u->frames > times->len)
				continue;
			latency = u->arrival_us - g_array_index(times, gint64, u->frames - 1);
			g_array_append_val(latencies, latency);
		}
	}
	bench_sort(latencies);
	if (!latencies->len || !notifications)
		bench_die("no update was measured");
	printf("%-13s N=%-3u notifications=%-6u cpu_ms_per_1000=%-7.2f peak_rss_mib=%-6.2f "
	       "anon_mib=%-5.2f latency_ms p50=%.3f p99=%.3f updates=%u\n",
	       acquire ? "AcquireNotify" : "StartNotify", n, notifications,
	       (cpu1 - cpu0) * 1e6 / notifications, rss / 1024.0, rss_anon / 1024.0,
	       bench_percentile(latencies, 50) / 1000.0,
	       bench_percentile(latencies, 99) / 1000.0,
	       latencies->len);
	fflush(stdout);
	g_array_unref(b.updates);
	test_bus_free(b.bus);
}

/* The reference emitter, a child of the bench: REFERENCE_HZ signals a second. */
typedef struct {
	GDBusConnection *conn;
	guint left;
	double cpu_start;
} Emitter;

static gboolean
on_emit_tick(gpointer user_data)
{
	Emitter *e = user_data;
	const guint8 passes[80] = { 0 };

	/* LiveUpdate's shape, as rollerd builds it. */
	g_dbus_connection_emit_signal(
		e->conn, NULL, "/org/rollerd/bench", REFERENCE_NAME, "LiveUpdate",
		g_variant_new("(udqqq(uuuu)@ayubuuu)", 12u, 30.0, 300, 280, 700, 3u, 2u, 4u, 3u,
			      g_variant_new_fixed_array(G_VARIANT_TYPE_BYTE, passes, 80, 1),
			      (guint32)(g_get_monotonic_time() / 1000), FALSE, 40u, 0u, 0u),
		NULL);
	if (--e->left)
		return G_SOURCE_CONTINUE;
	g_dbus_connection_emit_signal(e->conn, NULL, "/org/rollerd/bench", REFERENCE_NAME,
				      "Done", g_variant_new("(d)", bench_cpu_seconds(getpid()) - e->cpu_start),
				      NULL);
	g_dbus_connection_flush_sync(e->conn, NULL, NULL);
	exit(0);
}

static int
run_reference_emitter(guint count)
{
	g_autoptr(GError) error = NULL;
	Emitter e = { g_bus_get_sync(G_BUS_TYPE_SESSION, NULL, &error), count, 0 };
	g_autoptr(GVariant) ret = NULL;

	if (!e.conn)
		bench_die("reference emitter: %s", error->message);
	ret = g_dbus_connection_call_sync(e.conn, "org.freedesktop.DBus", "/org/freedesktop/DBus",
					  "org.freedesktop.DBus", "RequestName",
					  g_variant_new("(su)", REFERENCE_NAME, 0), NULL,
					  G_DBUS_CALL_FLAGS_NONE, -1, NULL, &error);
	if (!ret)
		bench_die("reference emitter: %s", error->message);
	/* The bench subscribed before starting us; give it the name change first. */
	g_usleep(200000);
	e.cpu_start = bench_cpu_seconds(getpid());
	g_timeout_add(1000 / REFERENCE_HZ, on_emit_tick, &e);
	g_main_loop_run(g_main_loop_new(NULL, FALSE));
	return 0;
}

typedef struct {
	GArray *latencies;
	double cpu_seconds;
	gboolean done;
} Reference;

static void
on_reference_signal(GDBusConnection *conn, const char *sender, const char *path,
		    const char *iface, const char *name, GVariant *params, gpointer user_data)
{
	Reference *r = user_data;
	g_autoptr(GVariant) values = NULL;
	gint64 sent;

	if (g_str_equal(name, "Done")) {
		g_variant_get(params, "(d)", &r->cpu_seconds);
		r->done = TRUE;
		return;
	}
	values = g_variant_get_child_value(params, 0);
	if (g_variant_lookup(values, "sent_us", "x", &sent)) {
		gint64 latency = g_get_monotonic_time() - sent;

		g_array_append_val(r->latencies, latency);
	}
}

static gboolean
reference_done(gpointer user_data)
{
	return ((Reference *)user_data)->done;
}

static void
run_reference(guint seconds, const char *self)
{
	TestBus *bus = test_bus_new();
	g_autofree char *count = g_strdup_printf("%u", seconds * REFERENCE_HZ);
	const char *argv[] = { self, "--reference-emitter", count, NULL };
	Reference r = { g_array_new(FALSE, FALSE, sizeof(gint64)), 0, FALSE };

	g_dbus_connection_signal_subscribe(test_bus_get_connection(bus), NULL, REFERENCE_NAME,
					   NULL, "/org/rollerd/bench", NULL,
					   G_DBUS_SIGNAL_FLAGS_NONE, on_reference_signal, &r, NULL);
	bench_spawn(bus, "reference", argv, REFERENCE_NAME);
	if (!test_bus_wait_until(reference_done, &r, (seconds + 30) * 1000) || !r.latencies->len)
		bench_die("the reference emitter did not finish");
	bench_sort(r.latencies);
	printf("%-13s %u/s  signals=%-6u cpu_ms_per_1000=%-7.2f (the emitter's)         "
	       "latency_ms p50=%.3f p99=%.3f\n", "GDBus floor", REFERENCE_HZ,
	       r.latencies->len, r.cpu_seconds * 1e6 / r.latencies->len,
	       bench_percentile(r.latencies, 50) / 1000.0,
	       bench_percentile(r.latencies, 99) / 1000.0);
	fflush(stdout);
	g_array_unref(r.latencies);
	test_bus_free(bus);
}

int
main(int argc, char **argv)
{
	guint seconds = argc > 1 ? (guint)atoi(argv[1]) : 15;
	guint sizes[8] = { 1, 10, 50 }, n_sizes = 3;

	g_set_prgname("bench-daemon");
	if (argc == 3 && g_str_equal(argv[1], "--reference-emitter"))
		return run_reference_emitter((guint)atoi(argv[2]));
	if (argc > 2) {
		n_sizes = 0;
		for (int i = 2; i < argc && n_sizes < G_N_ELEMENTS(sizes); i++)
			sizes[n_sizes++] = (guint)atoi(argv[i]);
	}
	if (!g_getenv("ROLLER_BUILDDIR"))
		g_setenv("ROLLER_BUILDDIR", ".", TRUE);
	printf("bench-daemon: %u s of 100 Hz telemetry per case, MTU 247; CPU is rollerd's "
	       "utime+stime\n", seconds);
	{
		g_autofree char *self = g_file_read_link("/proc/self/exe", NULL);

		if (!self)
			bench_die("cannot find this program's path");
		run_reference(seconds, self);
	}
	for (int acquire = 1; acquire >= 0; acquire--) {
		for (guint i = 0; i < n_sizes; i++)
			run_case(sizes[i], acquire, seconds);
	}
	printf("targets: AcquireNotify cpu_ms_per_1000 <= 10, p99 < 2 ms at N=10, "
	       "peak RSS < 8 MiB at N=10\n");
	return 0;
}
