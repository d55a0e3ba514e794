/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "bench-callgrind.h"
#include "bench-live.h"

/* About 10 notifications a second at MTU 247. */
#define CALLGRIND_SPEED 5.0
#define SETTLE_MS 3000

/* callgrind_control -i on|off PID: counting starts or stops. */
static void
instrument(BenchRig *rig, const char *on_off)
{
	g_autofree char *pid = g_strdup_printf("%d", rig->rollerd);
	const char *argv[] = { "callgrind_control", "-i", on_off, pid, NULL };
	g_autofree char *out = NULL;
	g_autoptr(GError) error = NULL;
	int status;

	if (!g_spawn_sync(NULL, (char **)argv, NULL,
			  G_SPAWN_SEARCH_PATH | G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL, &out,
			  NULL, &status, &error) ||
	    !g_spawn_check_wait_status(status, &error))
		bench_die("callgrind_control -i %s: %s", on_off,
			  error ? error->message : "failed");
}

/* The "totals:" (or "summary:") line of a callgrind output file: Ir. */
static guint64
total_instructions(const char *path)
{
	g_autofree char *text = NULL;
	const char *line;

	if (!g_file_get_contents(path, &text, NULL, NULL))
		bench_die("callgrind wrote no %s", path);
	if (!(line = strstr(text, "\ntotals: ")) && !(line = strstr(text, "\nsummary: ")))
		bench_die("no totals in %s", path);
	return g_ascii_strtoull(strchr(line, ':') + 1, NULL, 10);
}

/* "1,234,567 (12.34%)  file:function [object]" of callgrind_annotate:
 * the count, and "function [object's base name]" in *@what. */
static gboolean
parse_annotate_line(char *line, guint64 *ir, char **what)
{
	GString *digits = g_string_new(NULL);
	char *p = line, *name, *object;

	for (; g_ascii_isdigit(*p) || *p == ','; p++) {
		if (*p != ',')
			g_string_append_c(digits, *p);
	}
	*ir = g_ascii_strtoull(digits->str, NULL, 10);
	g_string_free(digits, TRUE);
	if (p == line || !(p = strchr(p, ')')))
		return FALSE;
	name = g_strstrip(p + 1);
	/* Drop the source file of "file:function". */
	if ((p = strchr(name, ':')) && p < strchr(name, ' '))
		name = p + 1;
	object = strrchr(name, '/');
	if ((p = strchr(name, '[')) && object && object > p)
		*what = g_strdup_printf("%.*s[%s", (int)(p - name), name, object + 1);
	else
		*what = g_strdup(name);
	return TRUE;
}

/*
 * The @top functions of callgrind_annotate over @path, per notification:
 * by self cost, or by inclusive cost among those of @object only.
 */
static void
print_top(const char *path, guint notifications, guint top, gboolean inclusive,
	  const char *object)
{
	const char *argv[] = { "callgrind_annotate",
			       inclusive ? "--inclusive=yes" : "--inclusive=no",
			       "--threshold=100", path, NULL };
	g_autofree char *out = NULL;
	g_auto(GStrv) lines = NULL;
	guint printed = 0;
	gboolean past_totals = FALSE;

	if (!g_spawn_sync(NULL, (char **)argv, NULL,
			  G_SPAWN_SEARCH_PATH | G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL, &out,
			  NULL, NULL, NULL))
		return;
	printf("    %s per notification, %s:\n", inclusive ? "inclusive" : "self",
	       inclusive ? "rollerd's own functions" : "every function");
	lines = g_strsplit(out, "\n", -1);
	for (gsize i = 0; lines[i] && printed < top; i++) {
		char *line = g_strstrip(lines[i]);
		g_autofree char *what = NULL;
		guint64 ir;

		if (strstr(line, "PROGRAM TOTALS")) {
			past_totals = TRUE;
			continue;
		}
		if (!past_totals || !g_ascii_isdigit(line[0]) ||
		    (object && !strstr(line, object)) || !parse_annotate_line(line, &ir, &what))
			continue;
		printf("      %8.0f  %s\n", (double)ir / notifications, what);
		printed++;
	}
}

static void
run_mode(const char *argv0, guint seconds, guint top, BenchWatch watch)
{
	g_autofree char *out = NULL, *out_arg = NULL;
	const char *wrapper[] = { "valgrind", "--tool=callgrind", "--instr-atstart=no", NULL,
				  NULL };
	BenchRigOptions ro = { 1, CALLGRIND_SPEED, TRUE, wrapper };
	BenchRig *rig;
	BenchWatcher *watcher = NULL;
	g_autoptr(GArray) times = NULL;
	guint notifications = 0;
	gint64 t0, t1, t;
	guint64 ir;
	int status;

	out = g_strdup_printf("%s/callgrind-%d.out", g_get_tmp_dir(), (int)getpid());
	out_arg = g_strconcat("--callgrind-out-file=", out, NULL);
	wrapper[3] = out_arg;
	rig = bench_rig_new(&ro);
	if (watch != BENCH_WATCH_NONE && !(watcher = bench_watcher_start(rig, watch, argv0))) {
		bench_rig_free(rig);
		return;
	}
	bench_rig_start_sessions(rig);
	test_bus_run_for(SETTLE_MS);
	/* The window starts and ends somewhere during each call: take the
	 * middle.  One notification more or less is 1/(10 * seconds). */
	t = g_get_monotonic_time();
	instrument(rig, "on");
	t0 = (t + g_get_monotonic_time()) / 2;
	test_bus_run_for(seconds * 1000);
	t = g_get_monotonic_time();
	instrument(rig, "off");
	t1 = (t + g_get_monotonic_time()) / 2;
	if (watcher)
		g_array_unref(bench_watcher_stop(rig, watcher));
	status = test_bus_stop(rig->bus, rig->rollerd);
	if (status != 0)
		test_bus_dump_log(rig->bus, "rollerd");
	times = bench_frame_times(rig, 0, t0, t1, &notifications);
	if (!notifications)
		bench_die("no notification under callgrind");
	ir = total_instructions(out);
	printf("  %-8s notifications=%-5u instructions per notification=%.0f\n",
	       bench_watch_name(watch), notifications, (double)ir / notifications);
	if (top) {
		print_top(out, notifications, top, FALSE, NULL);
		print_top(out, notifications, top, TRUE, "/daemon/rollerd]");
	}
	fflush(stdout);
	g_unlink(out);
	bench_rig_free(rig);
}

void
bench_callgrind_run(const char *argv0, guint seconds, guint top)
{
	printf("callgrind: rollerd's instructions (every thread) per Telemetry notification, "
	       "1 roller, about 10/s, %u s counted (callgrind_control -i on/off)\n", seconds);
	for (BenchWatch watch = BENCH_WATCH_NONE; watch <= BENCH_WATCH_SIGNAL; watch++)
		run_mode(argv0, seconds, top, watch);
	printf("  target: nobody <= 20000\n");
	fflush(stdout);
}
