/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The force trace's gaps (a 0: the roller lifted the whole period): its
 * runs, show's sparkline with a space for each, and the report chart's
 * path, which never draws a line through one.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "client/rc-report-private.h"
#include "client/rc-trace.h"

/* Two runs, a lone value, gaps at both ends and two in a row (the last
 * run not in a straight line: cairo would merge its segments). */
static const guint16 trace[] = { 0, 300, 310, 0, 0, 200, 0, 250, 280, 270, 0 };

static void
test_runs_between_gaps(void **state)
{
	const gsize want[][2] = { { 1, 3 }, { 5, 6 }, { 7, 10 } };
	gsize pos = 0, start, end, k = 0;

	while (rc_trace_next_run(trace, G_N_ELEMENTS(trace), &pos, &start, &end)) {
		assert_true(k < G_N_ELEMENTS(want));
		assert_int_equal(start, want[k][0]);
		assert_int_equal(end, want[k][1]);
		k++;
	}
	assert_int_equal(k, G_N_ELEMENTS(want));
	assert_int_equal(pos, G_N_ELEMENTS(trace));
	/* All gaps, or nothing: no run. */
	pos = 0;
	assert_false(rc_trace_next_run(trace, 1, &pos, &start, &end));
	pos = 0;
	assert_false(rc_trace_next_run(trace, 0, &pos, &start, &end));
	assert_int_equal(rc_trace_max(trace, G_N_ELEMENTS(trace)), 310);
	assert_int_equal(rc_trace_max(trace, 1), 0);
}

static void
test_sparkline_gaps(void **state)
{
	g_autofree char *ascii = rc_trace_sparkline(trace, G_N_ELEMENTS(trace), 60, FALSE);
	g_autofree char *blocks = rc_trace_sparkline(trace, G_N_ELEMENTS(trace), 60, TRUE);
	g_autofree char *halved = rc_trace_sparkline(trace, G_N_ELEMENTS(trace), 6, FALSE);
	g_autofree char *empty = rc_trace_sparkline(trace, 0, 60, FALSE);

	/* 300 * 7 / 310 = 6, 310 the top; 200 -> 4; 250, 280, 270 -> 5, 6, 6. */
	assert_string_equal(ascii, " #@  + *## ");
	assert_string_equal(blocks, " ▇█  ▅ ▆▇▇ ");
	/* Two periods a character, a gap only where both are: {0, 300} -> 300,
	 * {310, 0}, {0, 200}, {0, 250}, {280, 270} -> 275 -> 6, and {0}. */
	assert_string_equal(halved, "#@+*# ");
	assert_string_equal(empty, "");
}

/* The chart's line for @v: one sub-path per run, no point at 0 cN. */
static void
test_chart_breaks_at_gaps(void **state)
{
	const RcBox plot = { 100, 50, 220, 100 };	/* 20 points a period */
	const double bottom = plot.y + plot.h;
	cairo_surface_t *surface = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, 400, 200);
	cairo_t *cr = cairo_create(surface);
	cairo_path_t *path;
	const double want_x[][2] = {	/* each sub-path's first and last x */
		{ 130, 150 }, { 200, 220 }, { 250, 290 },
	};
	guint moves = 0, points = 0, closes = 0;

	rc_force_chart_path(cr, plot, trace, G_N_ELEMENTS(trace), 400, FALSE);
	path = cairo_copy_path(cr);
	assert_int_equal(path->status, CAIRO_STATUS_SUCCESS);
	for (int i = 0; i < path->num_data; i += path->data[i].header.length) {
		const cairo_path_data_t *d = &path->data[i];

		if (d->header.type == CAIRO_PATH_CLOSE_PATH) {
			closes++;
			continue;
		}
		assert_true(d->header.type == CAIRO_PATH_MOVE_TO ||
			    d->header.type == CAIRO_PATH_LINE_TO);
		/* Never down to 0 cN: a gap is not a point. */
		assert_true(d[1].point.y < bottom - 1);
		if (d->header.type == CAIRO_PATH_MOVE_TO) {
			assert_true(moves < G_N_ELEMENTS(want_x));
			assert_float_equal(d[1].point.x, want_x[moves][0], 1e-9);
			moves++;
		}
		/* Each line stays within its own run. */
		assert_true(d[1].point.x >= want_x[moves - 1][0] - 1e-9);
		assert_true(d[1].point.x <= want_x[moves - 1][1] + 1e-9);
		points++;
	}
	assert_int_equal(moves, 3);
	/* 2 values, a lone one as a step across its period, then 3. */
	assert_int_equal(points, 2 + 2 + 3);
	assert_int_equal(closes, 0);
	/* 300 cN of 400 is three quarters up. */
	assert_float_equal(path->data[1].point.y, bottom - 75, 1e-9);
	cairo_path_destroy(path);

	/* Closed for the fill: each run down to the bottom, still apart. */
	rc_force_chart_path(cr, plot, trace, G_N_ELEMENTS(trace), 400, TRUE);
	path = cairo_copy_path(cr);
	moves = closes = 0;
	for (int i = 0; i < path->num_data; i += path->data[i].header.length) {
		/* Not the MOVE_TO cairo leaves after the last CLOSE_PATH. */
		moves += path->data[i].header.type == CAIRO_PATH_MOVE_TO &&
			 i + path->data[i].header.length < path->num_data;
		closes += path->data[i].header.type == CAIRO_PATH_CLOSE_PATH;
	}
	assert_int_equal(moves, 3);
	assert_int_equal(closes, 3);
	cairo_path_destroy(path);

	/* A trace that is all gaps draws nothing. */
	rc_force_chart_path(cr, plot, trace, 1, 400, FALSE);
	path = cairo_copy_path(cr);
	assert_int_equal(path->num_data, 0);
	cairo_path_destroy(path);
	cairo_destroy(cr);
	cairo_surface_destroy(surface);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_runs_between_gaps),
		cmocka_unit_test(test_sparkline_gaps),
		cmocka_unit_test(test_chart_breaks_at_gaps),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
