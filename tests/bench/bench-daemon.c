/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * bench-daemon: what rollerd's live path costs, printed (never asserted),
 * each figure beside a reference measured in the same run, since this is a
 * shared VM where one wakeup costs tens of microseconds.  Parts (--parts):
 *
 * floor     A bare GDBus program emits a signal of LiveUpdate's shape 20
 *           times a second to another process through the same
 *           dbus-daemon: its CPU per 1,000 signals and the signal's
 *           latency, the least a D-Bus signal costs on this machine.
 *
 * peer      rollerd against a real peer: a Python bleak script
 *           (bench-bleak-peer.py, Debian's python3-bleak) with
 *           DBUS_SYSTEM_BUS_ADDRESS on the private bus where
 *           `roller-sim --mock-bluez` owns org.bluez, subscribed to the same
 *           simulated roller's Telemetry.  bleak 0.20's start_notify() calls
 *           StartNotify (it uses AcquireNotify only to learn the MTU), so
 *           each notification reaches it as a PropertiesChanged through
 *           dbus-daemon; rollerd uses AcquireNotify, a socket that bypasses
 *           dbus-daemon.  The two cannot subscribe at once: bluetoothd, and
 *           the mock after it (sim/mock-bluez), refuse AcquireNotify while a
 *           StartNotify session exists (InProgress) and StartNotify while the
 *           socket is acquired (NotPermitted), and running both would also
 *           mix their dbus-daemon costs.  So each side runs alone on a fresh
 *           bus and roller-sim with the same seed, speed and MTU, and the
 *           sides are interleaved in rounds (bleak, rollerd with nobody
 *           watching, with a stream watcher, with a signal watcher; again),
 *           so that a neighbour's load falls on all alike.  Each run starts
 *           the session with the roller's button (Sim1.PressButton), waits
 *           2 s, then measures --seconds: the CPU clock of the consumer
 *           (rollerd, or python) plus, with a watcher, the watcher's (a
 *           child process: bench-daemon --watcher), and of dbus-daemon,
 *           per 1,000 notifications roller-sim sent in the window (its
 *           ground truth).  Printed: min and median of each side, and of
 *           its ratio to the bleak run of the same round, alone and with
 *           dbus-daemon counted on both sides.  At about 10 notifications
 *           a second (--speed=5: the model sends a frame per stroke or
 *           event at MTU 247) and at a flood (--speed=200: more than the
 *           link carries, so roller-sim sends at its fastest real-time
 *           pace, 4 notifications per 7.5 ms connection interval at most,
 *           sim/host/sim-link-rate.h).
 *           The watchers print the latency, p50/p99: a stream watcher's
 *           receipt of a packet minus the packet's arrival_us (rollerd's
 *           clock when it read the notification; the floor above is what
 *           a bare signal takes), and minus roller-sim's send time of that
 *           frame (--ground-truth-times, CLOCK_MONOTONIC like ours; the
 *           packet's and LiveUpdate's "frames" say which frame), for the
 *           stream and for LiveUpdate.
 *
 * callgrind rollerd under `valgrind --tool=callgrind --instr-atstart=no`,
 *           about 10 notifications a second; after the session has
 *           settled, `callgrind_control -i on`, --callgrind-seconds of
 *           notifications, `-i off`: instructions of every thread (the
 *           GDBus worker's too) divided by the notifications roller-sim
 *           sent in between, per watcher mode, with the functions that
 *           cost the most (self cost per notification).  Counting over a
 *           window in the middle of the session leaves out start-up,
 *           discovery and connection (millions of instructions that a
 *           difference of two runs would have to cancel), and keeps what
 *           a notification brings with it (timers, the once-a-second
 *           property flush); the window's edges are off by a notification
 *           at most, under 0.5 % at 250.
 *
 * memory    rollerd with 1, 10 and 50 rollers streaming (nobody watching):
 *           its CPU per 1,000 notifications, peak RSS, anonymous RSS, and
 *           from /proc/PID/smaps_rollup its anonymous and proportional
 *           (PSS) memory.
 *
 * Usage: bench-daemon [--parts=floor,peer,callgrind,memory] [--seconds=10]
 *                     [--runs=3] [--no-bleak] [--callgrind-seconds=25] ...
 *        (--help lists them; make bench runs every part with the defaults)
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench-callgrind.h"
#include "bench-live.h"
#include "bench-peer.h"

#define REFERENCE_NAME "org.rollerd.BenchReference"
#define REFERENCE_HZ 20

/* A "Field:  N kB" line of /proc/PID/@file. */
static long
proc_kib(GPid pid, const char *file, const char *field)
{
	g_autofree char *path = g_strdup_printf("/proc/%d/%s", pid, file);
	g_autofree char *text = NULL;
	const char *line;

	if (!g_file_get_contents(path, &text, NULL, NULL) || !(line = strstr(text, field)))
		bench_die("cannot read %s of rollerd's %s", field, file);
	return strtol(line + strlen(field), NULL, 10);
}

static void
run_memory_case(guint n, guint seconds)
{
	BenchRigOptions ro = { n, 1.0, TRUE, NULL };
	BenchRig *rig = bench_rig_new(&ro);
	g_autoptr(GPtrArray) unused = g_ptr_array_new_with_free_func((GDestroyNotify)g_array_unref);
	guint notifications = 0;
	double cpu0, cpu1;
	gint64 t0, t1;

	bench_rig_start_sessions(rig);
	test_bus_run_for(2000);
	cpu0 = bench_cpu_seconds(rig->rollerd);
	t0 = g_get_monotonic_time();
	test_bus_run_for(seconds * 1000);
	t1 = g_get_monotonic_time();
	cpu1 = bench_cpu_seconds(rig->rollerd);
	for (guint i = 0; i < n; i++)
		g_ptr_array_add(unused, bench_frame_times(rig, i, t0, t1, &notifications));
	if (!notifications)
		bench_die("no notification with %u rollers", n);
	printf("  N=%-3u notifications=%-6u cpu_ms_per_1000=%-7.1f peak_rss_mib=%-6.2f "
	       "rss_anon_mib=%-5.2f anonymous_mib=%-5.2f pss_mib=%-5.2f\n", n, notifications,
	       (cpu1 - cpu0) * 1e6 / notifications,
	       proc_kib(rig->rollerd, "status", "VmHWM:") / 1024.0,
	       proc_kib(rig->rollerd, "status", "RssAnon:") / 1024.0,
	       proc_kib(rig->rollerd, "smaps_rollup", "\nAnonymous:") / 1024.0,
	       proc_kib(rig->rollerd, "smaps_rollup", "\nPss:") / 1024.0);
	fflush(stdout);
	bench_rig_free(rig);
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
	guint64 sent_us = (guint64)g_get_monotonic_time();

	/* LiveUpdate's shape, as rollerd builds it; the send time (µs) in
	 * frames_lost and frames_rejected (high and low half). */
	g_dbus_connection_emit_signal(
		e->conn, NULL, "/org/rollerd/bench", REFERENCE_NAME, "LiveUpdate",
		g_variant_new("(udqqq(uuuu)@ayubuuu)", 12u, 30.0, 300, 280, 700, 3u, 2u, 4u, 3u,
			      g_variant_new_fixed_array(G_VARIANT_TYPE_BYTE, passes, 80, 1),
			      12345u, FALSE, 40u, (guint32)(sent_us >> 32), (guint32)sent_us),
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
	g_autoptr(GVariant) high = NULL, low = NULL;
	gint64 latency;

	if (g_str_equal(name, "Done")) {
		g_variant_get(params, "(d)", &r->cpu_seconds);
		r->done = TRUE;
		return;
	}
	high = g_variant_get_child_value(params, 10);
	low = g_variant_get_child_value(params, 11);
	latency = g_get_monotonic_time() -
		  (gint64)(((guint64)g_variant_get_uint32(high) << 32) | g_variant_get_uint32(low));
	g_array_append_val(r->latencies, latency);
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

static gboolean
has_part(const char *parts, const char *part)
{
	g_auto(GStrv) list = g_strsplit(parts, ",", -1);

	return g_strv_contains((const char *const *)list, part);
}

int
main(int argc, char **argv)
{
	int seconds = 10, runs = 3, callgrind_seconds = 25, top = 12;
	double slow_speed = 5, flood_speed = 200;
	gboolean no_bleak = FALSE;
	g_autofree char *parts = NULL, *rollers = NULL, *self = NULL;
	const GOptionEntry entries[] = {
		{ "parts", 0, 0, G_OPTION_ARG_STRING, &parts,
		  "What to run: floor,peer,callgrind,memory (all)", "LIST" },
		{ "seconds", 0, 0, G_OPTION_ARG_INT, &seconds,
		  "Seconds measured per run (10)", "S" },
		{ "runs", 0, 0, G_OPTION_ARG_INT, &runs,
		  "Interleaved rounds of the peer part (3)", "R" },
		{ "no-bleak", 0, 0, G_OPTION_ARG_NONE, &no_bleak,
		  "Peer part without the bleak peer: rollerd's CPU and latency only", NULL },
		{ "slow-speed", 0, 0, G_OPTION_ARG_DOUBLE, &slow_speed,
		  "roller-sim --speed for about 10 notifications a second (5)", "X" },
		{ "flood-speed", 0, 0, G_OPTION_ARG_DOUBLE, &flood_speed,
		  "roller-sim --speed for the flood (200; 0: no flood)", "X" },
		{ "callgrind-seconds", 0, 0, G_OPTION_ARG_INT, &callgrind_seconds,
		  "Seconds counted under callgrind per mode (25)", "S" },
		{ "top", 0, 0, G_OPTION_ARG_INT, &top,
		  "Functions listed per callgrind mode (12)", "N" },
		{ "rollers", 0, 0, G_OPTION_ARG_STRING, &rollers,
		  "Roller counts of the memory part (1,10,50)", "LIST" },
		{ NULL },
	};
	g_autoptr(GOptionContext) context = g_option_context_new("- rollerd's live path, measured");
	g_autoptr(GError) error = NULL;

	g_set_prgname("bench-daemon");
	if (argc == 3 && g_str_equal(argv[1], "--reference-emitter"))
		return run_reference_emitter((guint)atoi(argv[2]));
	if (argc == 4 && g_str_equal(argv[1], "--watcher"))
		return bench_watcher_main(argv[2], argv[3]);
	g_option_context_add_main_entries(context, entries, NULL);
	if (!g_option_context_parse(context, &argc, &argv, &error))
		bench_die("%s", error->message);
	if (seconds < 1 || runs < 1 || callgrind_seconds < 1 || top < 0)
		bench_die("--seconds, --runs and --callgrind-seconds must be at least 1");
	if (!parts)
		parts = g_strdup("floor,peer,callgrind,memory");
	if (!g_getenv("ROLLER_BUILDDIR"))
		g_setenv("ROLLER_BUILDDIR", ".", TRUE);
	if (!(self = g_file_read_link("/proc/self/exe", NULL)))
		bench_die("cannot find this program's path");
	printf("bench-daemon: MTU 247; CPU is each process's CPU clock (every thread); "
	       "figures, not assertions\n");
	if (has_part(parts, "floor"))
		run_reference((guint)seconds, self);
	if (has_part(parts, "peer")) {
		BenchPeerOptions po = { self, (guint)seconds, (guint)runs, !no_bleak };

		bench_peer_run(&po, slow_speed, "about 10/s");
		if (flood_speed > 0)
			bench_peer_run(&po, flood_speed, "flood");
		printf("  targets: own/bleak <= 0.5 nobody watching, <= 0.7 with a stream "
		       "watcher; stream p99 (arrival_us) within 1 ms\n");
	}
	if (has_part(parts, "callgrind"))
		bench_callgrind_run(self, (guint)callgrind_seconds, (guint)top);
	if (has_part(parts, "memory")) {
		g_auto(GStrv) counts = g_strsplit(rollers ? rollers : "1,10,50", ",", -1);

		printf("memory: rollerd, nobody watching, 1x speed, %d s per case\n", seconds);
		for (gsize i = 0; counts[i]; i++)
			run_memory_case((guint)atoi(counts[i]), (guint)seconds);
		printf("  target: anonymous_mib <= 3 at N=10\n");
	}
	return 0;
}
