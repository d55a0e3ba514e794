/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bench-util.h"

void
bench_die(const char *format, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", g_get_prgname());
	va_start(ap, format);
	vfprintf(stderr, format, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

GPid
bench_spawn(TestBus *bus, const char *log_name, const char *const *argv, const char *name)
{
	GPid pid = test_bus_spawn(bus, log_name, argv);

	if (!test_bus_wait_for_name(bus, name, 10000)) {
		test_bus_dump_log(bus, log_name);
		bench_die("%s did not start", log_name);
	}
	return pid;
}

GVariant *
bench_call(TestBus *bus, const char *path, const char *iface, const char *method,
	   GVariant *args)
{
	g_autoptr(GError) error = NULL;
	GVariant *ret = g_dbus_connection_call_sync(test_bus_get_connection(bus),
						    "org.rollerd", path, iface, method, args,
						    NULL, G_DBUS_CALL_FLAGS_NONE, 60000, NULL,
						    &error);

	if (!ret) {
		test_bus_dump_log(bus, "rollerd");
		bench_die("%s.%s on %s: %s", iface, method, path, error->message);
	}
	return ret;
}

typedef struct {
	TestBus *bus;
	const char *const *paths;
} DiscoverWait;

static gboolean
all_found(gpointer user_data)
{
	DiscoverWait *w = user_data;
	g_autoptr(GVariant) ret = bench_call(w->bus, "/org/rollerd",
					     "org.freedesktop.DBus.ObjectManager",
					     "GetManagedObjects", NULL);
	g_autoptr(GVariant) objects = g_variant_get_child_value(ret, 0);

	for (gsize i = 0; w->paths[i]; i++) {
		g_autoptr(GVariant) ifaces = g_variant_lookup_value(objects, w->paths[i],
								    G_VARIANT_TYPE("a{sa{sv}}"));
		g_autoptr(GVariant) roller = ifaces ?
			g_variant_lookup_value(ifaces, "org.rollerd.Roller2", NULL) : NULL;

		if (!roller) {
			g_usleep(50000);
			return FALSE;
		}
	}
	return TRUE;
}

void
bench_discover(TestBus *bus, const char *const *paths)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GVariant) started = NULL;
	DiscoverWait w = { bus, paths };

	/* rollerd may not have found the adapter yet. */
	for (int tries = 0; tries < 100 && !started; tries++) {
		g_clear_error(&error);
		started = g_dbus_connection_call_sync(test_bus_get_connection(bus),
						      "org.rollerd", "/org/rollerd",
						      "org.rollerd.Manager1", "StartDiscovery",
						      NULL, NULL, G_DBUS_CALL_FLAGS_NONE, -1,
						      NULL, &error);
		if (!started)
			test_bus_run_for(50);
	}
	if (!started || !test_bus_wait_until(all_found, &w, 30000))
		bench_die("the rollers were not found");
	/* Discovery's RSSI updates are not what is measured. */
	g_variant_unref(bench_call(bus, "/org/rollerd", "org.rollerd.Manager1",
				   "StopDiscovery", NULL));
}

/*
 * The process's CPU clock, every thread included (those that have ended
 * too): nanoseconds, where /proc/PID/stat counts 10 ms ticks.
 */
double
bench_cpu_seconds(GPid pid)
{
	struct timespec ts;
	clockid_t clock;
	int err = clock_getcpuclockid(pid, &clock);

	if (err != 0)
		bench_die("no CPU clock for process %d: %s", pid, g_strerror(err));
	if (clock_gettime(clock, &ts) != 0)
		bench_die("cannot read the CPU clock of process %d: %s", pid,
			  g_strerror(errno));
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int
compare_int64(gconstpointer a, gconstpointer b)
{
	gint64 x = *(const gint64 *)a, y = *(const gint64 *)b;

	return x < y ? -1 : x > y;
}

void
bench_sort(GArray *values)
{
	g_array_sort(values, compare_int64);
}

gint64
bench_percentile(GArray *values, guint percent)
{
	guint i = values->len * percent / 100;

	g_assert(values->len > 0);
	return g_array_index(values, gint64, MIN(i, values->len - 1));
}
