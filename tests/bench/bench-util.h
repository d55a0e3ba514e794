/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * What the daemon benchmarks share: roller-sim and rollerd on a private
 * bus (test-bus), calls that must succeed, a child's CPU time and
 * percentiles.  A benchmark has nothing to recover from: any failure
 * prints why (with rollerd's log) and exits.
 */
#pragma once

#include "tests/harness/test-bus.h"

/* Prints "<prgname>: <message>" and exits with status 1. */
G_NORETURN void bench_die(const char *format, ...) G_GNUC_PRINTF(1, 2);

/* test_bus_spawn(), then waits for @name; dies when it does not appear. */
GPid bench_spawn(TestBus *bus, const char *log_name, const char *const *argv,
		 const char *name);

/* A call to org.rollerd that must succeed; the reply (transfer full). */
GVariant *bench_call(TestBus *bus, const char *path, const char *iface,
		     const char *method, GVariant *args);

/* Scans until every Roller2 object of @paths (NULL-terminated) exists. */
void bench_discover(TestBus *bus, const char *const *paths);

/* The CPU time of @pid (utime + stime of all its threads), in seconds. */
double bench_cpu_seconds(GPid pid);

/* Sorts @values (gint64) in place. */
void bench_sort(GArray *values);
/* The @percent'th percentile of sorted @values (nearest rank, below). */
gint64 bench_percentile(GArray *values, guint percent);
