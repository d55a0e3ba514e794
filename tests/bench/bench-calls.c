/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * bench-calls: what hostile or busy callers cost rollerd and the others.
 *
 * rollerd on a private bus; another client Pings it every 20 ms and
 * times each answer.  Three loads, interleaved over several rounds:
 *   quiet   nothing else (the reference, measured in the same run);
 *   busy    20 clients calling Properties.Get in tight loops;
 *   big     20 clients sending 4 MiB arguments to Properties.Get in
 *           tight loops (rd-call-guard refuses them).
 * For each: rollerd's Ping p50, p99 and max beside the bus's own Ping
 * (the floor: the same dbus-daemon and queues, without rollerd), the
 * calls the load made, and rollerd's largest RSS sampled with each Ping.  Figures are printed, never asserted.
 *
 * usage: bench-calls [SECONDS_PER_ROUND [ROUNDS]]  (default 4 and 3)
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench-util.h"

#define CLIENTS 20
#define BIG_BYTES (4 * 1024 * 1024)

typedef enum { LOAD_QUIET, LOAD_BUSY, LOAD_BIG, N_LOADS } Load;
static const char *const load_names[] = { "quiet", "busy", "big" };

typedef struct {
	const char *address;
	Load load;
	gint stop;
	gint calls;
} Clients;

static long
status_kib(GPid pid, const char *field)
{
	g_autofree char *path = g_strdup_printf("/proc/%d/status", (int)pid);
	g_autofree char *text = NULL;
	const char *p;

	if (!g_file_get_contents(path, &text, NULL, NULL) || !(p = strstr(text, field)))
		return -1;
	return strtol(p + strlen(field), NULL, 10);
}

static gpointer
client_thread(gpointer user_data)
{
	Clients *c = user_data;
	g_autoptr(GError) error = NULL;
	g_autoptr(GDBusConnection) conn = NULL;
	g_autofree char *big = NULL;

	conn = g_dbus_connection_new_for_address_sync(c->address,
						      G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT |
						      G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION,
						      NULL, NULL, &error);
	if (!conn)
		bench_die("cannot connect: %s", error->message);
	if (c->load == LOAD_BIG) {
		big = g_malloc(BIG_BYTES + 1);
		memset(big, 'Q', BIG_BYTES);
		big[BIG_BYTES] = '\0';
	}
	while (!g_atomic_int_get(&c->stop)) {
		g_autoptr(GVariant) ret =
			g_dbus_connection_call_sync(conn, "org.rollerd", "/org/rollerd",
						    "org.freedesktop.DBus.Properties", "Get",
						    g_variant_new("(ss)", big ? big
								  : "org.rollerd.Manager1",
								  "Version"),
						    NULL, G_DBUS_CALL_FLAGS_NONE, 60000, NULL, NULL);

		g_atomic_int_inc(&c->calls);
	}
	return NULL;
}

static void
run_round(TestBus *bus, GPid rollerd, Load load, guint seconds, GArray *pings,
	  GArray *bus_pings, guint *calls, long *rss_max)
{
	Clients c = { .address = test_bus_get_address(bus), .load = load };
	GThread *threads[CLIENTS];
	guint n_threads = load == LOAD_QUIET ? 0 : CLIENTS;
	gint64 end;

	for (guint i = 0; i < n_threads; i++)
		threads[i] = g_thread_new("client", client_thread, &c);
	end = g_get_monotonic_time() + (gint64)seconds * G_USEC_PER_SEC;
	while (g_get_monotonic_time() < end) {
		gint64 t0 = g_get_monotonic_time(), us;
		g_autoptr(GVariant) ret = bench_call(bus, "/org/rollerd",
						     "org.freedesktop.DBus.Peer", "Ping", NULL);

		us = g_get_monotonic_time() - t0;
		g_array_append_val(pings, us);
		/* The floor: the bus itself, through the same queues. */
		t0 = g_get_monotonic_time();
		g_variant_unref(g_dbus_connection_call_sync(test_bus_get_connection(bus),
							    "org.freedesktop.DBus", "/org/freedesktop/DBus",
							    "org.freedesktop.DBus.Peer", "Ping", NULL, NULL,
							    G_DBUS_CALL_FLAGS_NONE, 60000, NULL, NULL));
		us = g_get_monotonic_time() - t0;
		g_array_append_val(bus_pings, us);
		*rss_max = MAX(*rss_max, status_kib(rollerd, "VmRSS:"));
		g_usleep(20000);
	}
	g_atomic_int_set(&c.stop, 1);
	for (guint i = 0; i < n_threads; i++)
		g_thread_join(threads[i]);
	*calls += (guint)g_atomic_int_get(&c.calls);
}

int
main(int argc, char **argv)
{
	guint seconds = argc > 1 ? (guint)atoi(argv[1]) : 4;
	guint rounds = argc > 2 ? (guint)atoi(argv[2]) : 3;
	GArray *pings[N_LOADS], *bus_pings[N_LOADS];
	guint calls[N_LOADS] = { 0 };
	long rss[N_LOADS] = { 0 };
	g_autofree char *state = NULL, *state_arg = NULL;
	TestBus *bus;
	GPid rollerd;

	g_set_prgname("bench-calls");
	bus = test_bus_new();
	state = g_build_filename(test_bus_get_dir(bus), "rollerd", NULL);
	state_arg = g_strconcat("--state-dir=", state, NULL);
	{
		g_autofree char *address = g_strdup_printf("--bus=%s", test_bus_get_address(bus));
		const char *sim_argv[] = { "@builddir@/sim/roller-sim", "--mock-bluez", address,
					   NULL };
		const char *rollerd_argv[] = { "@builddir@/daemon/rollerd", "--session",
					       "--bluez-bus=session", state_arg, NULL };

		bench_spawn(bus, "roller-sim", sim_argv, "org.bluez");
		rollerd = bench_spawn(bus, "rollerd", rollerd_argv, "org.rollerd");
	}
	for (Load l = 0; l < N_LOADS; l++)
		pings[l] = g_array_new(FALSE, FALSE, sizeof(gint64)),
		bus_pings[l] = g_array_new(FALSE, FALSE, sizeof(gint64));

	printf("%u rounds of %u s per load, interleaved; Ping every 20 ms from another client\n",
	       rounds, seconds);
	for (guint r = 0; r < rounds; r++) {
		for (Load l = 0; l < N_LOADS; l++) {
			run_round(bus, rollerd, l, seconds, pings[l], bus_pings[l], &calls[l],
				  &rss[l]);
		}
	}
	for (Load l = 0; l < N_LOADS; l++) {
		bench_sort(pings[l]);
		bench_sort(bus_pings[l]);
		printf("%-6s %2u clients %6u calls: rollerd Ping p50 %6.2f p99 %7.2f max %7.2f ms; "
		       "the bus's own Ping p50 %6.2f p99 %7.2f ms; rollerd RSS up to %ld KiB\n",
		       load_names[l], l == LOAD_QUIET ? 0 : CLIENTS, calls[l],
		       bench_percentile(pings[l], 50) / 1000.0,
		       bench_percentile(pings[l], 99) / 1000.0,
		       g_array_index(pings[l], gint64, pings[l]->len - 1) / 1000.0,
		       bench_percentile(bus_pings[l], 50) / 1000.0,
		       bench_percentile(bus_pings[l], 99) / 1000.0, rss[l]);
	}
	for (Load l = 0; l < N_LOADS; l++)
		g_array_unref(pings[l]), g_array_unref(bus_pings[l]);
	test_bus_free(bus);
	return 0;
}
