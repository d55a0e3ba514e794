/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * bench-mqtt: what rollerd-mqtt costs, printed (never asserted), beside
 * rollerd's and the broker's own CPU measured in the same run.  Each run
 * has two parts, and the runs alternate them so that a neighbour's load
 * falls on all alike:
 *
 * live     10 rollers of `roller-sim --mock-bluez --speed=5` (about 10
 *          Telemetry notifications a second each) in a live session,
 *          rollerd, a real mosquitto and the bridge with LiveInterval=0.05
 *          (so that it forwards every LiveUpdate rollerd sends, at most 10
 *          a second a roller), and a subscriber of the test's own.  Over
 *          --seconds after 2 s of warm-up: the CPU time of the bridge per
 *          1,000 live messages it published, of rollerd per 1,000
 *          notifications roller-sim sent (its ground truth), of mosquitto
 *          and dbus-daemon per 1,000 live messages; and the latency from
 *          roller-sim's send of a Telemetry frame (--ground-truth-times,
 *          CLOCK_MONOTONIC) to the subscriber's receipt of the first live
 *          message whose "frames" counts it, p50 and p99.
 *
 * stored   One roller holding --stored records, connected while the
 *          bridge runs: rollerd syncs them, the bridge publishes each
 *          summary at QoS 1 and moves its cursor on each PUBACK.  The CPU
 *          time of the bridge and of rollerd per stored session, from the
 *          Connect call to the last summary received.
 *
 * Printed: min and median over --runs of each figure, and of the ratio
 * of the bridge's CPU per live message to rollerd's per notification.
 *
 * Usage: bench-mqtt [--runs=3] [--seconds=10] [--stored=200]
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "bench-live.h"
#include "bench-util.h"
#include "tests/mqtt/mqtt-harness.h"

#define ROLLERS 10
#define WARMUP_MS 2000
#define WAIT_MS 120000

typedef struct {
	GArray *bridge_per_k;	/* ms of CPU per 1,000 live messages */
	GArray *rollerd_per_k;	/* ms per 1,000 notifications */
	GArray *ratio;		/* the two above, bridge / rollerd */
	GArray *broker_per_k;
	GArray *dbus_per_k;
	GArray *p50_us;
	GArray *p99_us;
	GArray *bridge_per_session;	/* ms per stored session */
	GArray *rollerd_per_session;
} Figures;

static void
add(GArray *a, double v)
{
	g_array_append_val(a, v);
}

static int
cmp_double(gconstpointer a, gconstpointer b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static void
print_row(const char *what, GArray *a, const char *unit)
{
	g_array_sort(a, cmp_double);
	printf("  %-44s min %9.3f  median %9.3f %s\n", what, g_array_index(a, double, 0),
	       g_array_index(a, double, a->len / 2), unit);
}

/* The live messages of the window, with the latency of each first sight of a frame. */
static guint
live_window(MqttSub *sub, BenchRig *rig, gint64 t0, gint64 t1, GArray *latencies)
{
	g_autoptr(GPtrArray) msgs = mqtt_sub_messages(sub, NULL);
	GArray *times[ROLLERS] = { NULL };
	guint last_frames[ROLLERS] = { 0 };
	guint n = 0, unused = 0;

	for (guint i = 0; i < rig->n; i++)
		times[i] = bench_frame_times(rig, i, 0, 0, &unused);
	for (guint k = 0; k < msgs->len; k++) {
		MqttMessage *m = msgs->pdata[k];
		const char *p = strstr(m->topic, "/roller/RL0000");
		const char *f = strstr(m->payload, "\"frames\":");
		guint i, frames;

		if (!p || !g_str_has_suffix(m->topic, "/live") || !f)
			continue;
		i = (guint)g_ascii_strtoull(p + strlen("/roller/RL0000"), NULL, 16) - 1;
		frames = (guint)g_ascii_strtoull(f + strlen("\"frames\":"), NULL, 10);
		if (i >= rig->n)
			continue;
		if (m->at_us >= t0 && m->at_us < t1) {
			n++;
			/* Each frame newly counted: its send to this receipt. */
			for (guint fr = last_frames[i] + 1; fr <= frames && fr <= times[i]->len; fr++)
				if (last_frames[i])
					g_array_append_val(latencies, (gint64){
						m->at_us - g_array_index(times[i], gint64, fr - 1) });
		}
		last_frames[i] = MAX(last_frames[i], frames);
	}
	for (guint i = 0; i < rig->n; i++)
		g_array_unref(times[i]);
	return n;
}

static void
run_live(Figures *fig, guint seconds)
{
	BenchRigOptions o = { .n = ROLLERS, .speed = 5, .rollerd = TRUE };
	BenchRig *rig = bench_rig_new(&o);
	MqttBroker *broker = mqtt_broker_new(rig->bus, NULL);
	MqttSub *sub = mqtt_sub_new(broker, "rollerd/#", NULL, NULL);
	g_autofree char *conf = mqtt_bridge_config(rig->bus, broker, "rollerd-mqtt", "bench",
						   "LiveInterval=0.05\n");
	GPid bridge = mqtt_bridge_start(rig->bus, "rollerd-mqtt", conf);
	g_autoptr(GArray) lat = g_array_new(FALSE, FALSE, sizeof(gint64));
	double c_bridge, c_rollerd, c_broker, c_dbus;
	guint notifications = 0, live;
	gint64 t0, t1;

	if (!mqtt_sub_wait_last(sub, "rollerd/bench/status", "online", WAIT_MS))
		bench_die("the bridge did not connect");
	bench_rig_start_sessions(rig);
	test_bus_run_for(WARMUP_MS);
	c_bridge = bench_cpu_seconds(bridge);
	c_rollerd = bench_cpu_seconds(rig->rollerd);
	c_broker = bench_cpu_seconds(mqtt_broker_get_pid(broker));
	c_dbus = bench_cpu_seconds(rig->daemon);
	t0 = g_get_monotonic_time();
	test_bus_run_for(seconds * 1000);
	t1 = g_get_monotonic_time();
	c_bridge = bench_cpu_seconds(bridge) - c_bridge;
	c_rollerd = bench_cpu_seconds(rig->rollerd) - c_rollerd;
	c_broker = bench_cpu_seconds(mqtt_broker_get_pid(broker)) - c_broker;
	c_dbus = bench_cpu_seconds(rig->daemon) - c_dbus;
	test_bus_run_for(300);	/* the window's last messages */
	for (guint i = 0; i < rig->n; i++)
		g_array_unref(bench_frame_times(rig, i, t0, t1, &notifications));
	live = live_window(sub, rig, t0, t1, lat);
	if (!live || !notifications || !lat->len)
		bench_die("no live messages (%u) or notifications (%u) in the window", live,
			  notifications);
	add(fig->bridge_per_k, c_bridge * 1e6 / live);
	add(fig->rollerd_per_k, c_rollerd * 1e6 / notifications);
	add(fig->ratio, (c_bridge / live) / (c_rollerd / notifications));
	add(fig->broker_per_k, c_broker * 1e6 / live);
	add(fig->dbus_per_k, c_dbus * 1e6 / live);
	bench_sort(lat);
	add(fig->p50_us, (double)bench_percentile(lat, 50) / 1000);
	add(fig->p99_us, (double)bench_percentile(lat, 99) / 1000);
	printf("  live run: %u notifications, %u live messages, %u frames timed in %u s\n",
	       notifications, live, lat->len, seconds);
	test_bus_stop(rig->bus, bridge);
	mqtt_sub_free(sub);
	mqtt_broker_free(broker);
	bench_rig_free(rig);
}

static void
run_stored(Figures *fig, guint stored)
{
	g_autoptr(TestBus) bus = test_bus_new();
	g_autofree char *bus_arg = g_strdup_printf("--bus=%s", test_bus_get_address(bus));
	g_autofree char *stored_arg = g_strdup_printf("--stored=%u", stored);
	g_autofree char *sim_state = g_strdup_printf("--state-dir=%s/sim", test_bus_get_dir(bus));
	g_autofree char *rd_state = g_strdup_printf("--state-dir=%s/rollerd",
						    test_bus_get_dir(bus));
	const char *sim_argv[] = { "@builddir@/sim/roller-sim", "--mock-bluez", bus_arg,
				   stored_arg, "--speed=50", sim_state, NULL };
	const char *rd_argv[] = { "@builddir@/daemon/rollerd", "--session", "--bluez-bus=session",
				  rd_state, NULL };
	const char *paths[] = { "/org/rollerd/roller/C0_52_4C_00_00_01", NULL };
	MqttBroker *broker;
	MqttSub *sub;
	g_autofree char *conf = NULL;
	GPid rollerd, bridge;
	double c_bridge, c_rollerd;

	bench_spawn(bus, "roller-sim", sim_argv, "org.bluez");
	rollerd = bench_spawn(bus, "rollerd", rd_argv, "org.rollerd");
	broker = mqtt_broker_new(bus, NULL);
	sub = mqtt_sub_new(broker, "rollerd/#", NULL, NULL);
	conf = mqtt_bridge_config(bus, broker, "rollerd-mqtt", "bench", NULL);
	bridge = mqtt_bridge_start(bus, "rollerd-mqtt", conf);
	if (!mqtt_sub_wait_last(sub, "rollerd/bench/status", "online", WAIT_MS))
		bench_die("the bridge did not connect");
	bench_discover(bus, paths);
	test_bus_run_for(500);
	c_bridge = bench_cpu_seconds(bridge);
	c_rollerd = bench_cpu_seconds(rollerd);
	g_variant_unref(bench_call(bus, paths[0], "org.rollerd.Roller2", "Connect", NULL));
	if (!mqtt_sub_wait_count(sub, "rollerd/bench/roller/RL000001/session", stored, WAIT_MS))
		bench_die("%u summaries of %u", mqtt_sub_count(sub,
			  "rollerd/bench/roller/RL000001/session"), stored);
	c_bridge = bench_cpu_seconds(bridge) - c_bridge;
	c_rollerd = bench_cpu_seconds(rollerd) - c_rollerd;
	add(fig->bridge_per_session, c_bridge * 1e3 / stored);
	add(fig->rollerd_per_session, c_rollerd * 1e3 / stored);
	test_bus_stop(bus, bridge);
	mqtt_sub_free(sub);
	mqtt_broker_free(broker);
}

int
main(int argc, char **argv)
{
	guint runs = 3, seconds = 10, stored = 200;
	GOptionEntry entries[] = {
		{ "runs", 0, 0, G_OPTION_ARG_INT, &runs, "Runs of each part [3]", "N" },
		{ "seconds", 0, 0, G_OPTION_ARG_INT, &seconds, "Live window [10]", "S" },
		{ "stored", 0, 0, G_OPTION_ARG_INT, &stored, "Stored sessions synced [200]", "N" },
		{ NULL }
	};
	g_autoptr(GOptionContext) ctx = g_option_context_new("- what rollerd-mqtt costs");
	g_autoptr(GError) error = NULL;
	Figures fig;
	GArray **all = (GArray **)&fig;

	g_option_context_add_main_entries(ctx, entries, NULL);
	if (!g_option_context_parse(ctx, &argc, &argv, &error) || runs < 1 || seconds < 1 ||
	    stored < 1 || stored > 500)
		bench_die("%s", error ? error->message : "--runs, --seconds >= 1, --stored 1..500");
	for (gsize i = 0; i < sizeof(fig) / sizeof(GArray *); i++)
		all[i] = g_array_new(FALSE, FALSE, sizeof(double));
	for (guint r = 0; r < runs; r++) {
		printf("run %u of %u\n", r + 1, runs);
		run_live(&fig, seconds);
		run_stored(&fig, stored);
	}
	printf("rollerd-mqtt, %u rollers live (--speed=5), %u runs:\n", ROLLERS, runs);
	print_row("bridge CPU per 1,000 live messages", fig.bridge_per_k, "ms");
	print_row("rollerd CPU per 1,000 notifications", fig.rollerd_per_k, "ms");
	print_row("bridge per message / rollerd per notification", fig.ratio, "");
	print_row("mosquitto CPU per 1,000 live messages", fig.broker_per_k, "ms");
	print_row("dbus-daemon CPU per 1,000 live messages", fig.dbus_per_k, "ms");
	print_row("Telemetry send to subscriber, p50", fig.p50_us, "ms");
	print_row("Telemetry send to subscriber, p99", fig.p99_us, "ms");
	printf("rollerd-mqtt, %u stored sessions synced and published:\n", stored);
	print_row("bridge CPU per stored session", fig.bridge_per_session, "ms");
	print_row("rollerd CPU per stored session (its sync)", fig.rollerd_per_session, "ms");
	for (gsize i = 0; i < sizeof(fig) / sizeof(GArray *); i++)
		g_array_unref(all[i]);
	return 0;
}
