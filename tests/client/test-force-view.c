/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The monitor's force view: the contact-force gauge (the mean of the
 * contact samples of the last 500 ms) and the curve's columns, lifts as
 * gaps.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "client/rc-force-view.h"
#include "roller-record.h"

#define PERIOD_MS 10

/* @n samples of @cn each from @t_ms, as one FORCE record. */
static void
add_run(RcForceView *view, guint32 t_ms, guint16 cn, guint n, gboolean paused)
{
	g_autofree guint8 *bytes = g_new(guint8, 2 * n);
	struct roller_force f = { .t_ms = t_ms, .period_ms = PERIOD_MS, .n = (uint16_t)n,
				  .samples = bytes };

	for (guint i = 0; i < n; i++) {
		bytes[2 * i] = (guint8)cn;
		bytes[2 * i + 1] = (guint8)(cn >> 8);
	}
	rc_force_view_add(view, &f, paused);
}

static guint
gauge(RcForceView *view)
{
	guint16 cn = 0;

	assert_true(rc_force_view_contact_cn(view, &cn));
	return cn;
}

static void
test_empty_has_no_gauge_and_empty_columns(void **state)
{
	g_autoptr(RcForceView) view = rc_force_view_new();
	RcForceColumn c[3];
	guint16 cn = 7;

	assert_false(rc_force_view_contact_cn(view, &cn));
	assert_int_equal(cn, 7);
	rc_force_view_columns(view, 100, c, 3);
	for (guint i = 0; i < 3; i++)
		assert_int_equal(c[i].kind, RC_FORCE_COLUMN_EMPTY);
}

/* The complaint: the latest sample reads 0 after every lift; the gauge does not. */
static void
test_gauge_survives_a_short_lift(void **state)
{
	g_autoptr(RcForceView) view = rc_force_view_new();

	add_run(view, 0, 300, 30, FALSE);	/* 0..290 ms pressed */
	add_run(view, 300, 0, 20, FALSE);	/* 300..490 ms lifted */
	assert_int_equal(gauge(view), 300);
}

static void
test_gauge_is_the_mean_of_the_last_500_ms(void **state)
{
	g_autoptr(RcForceView) view = rc_force_view_new();

	add_run(view, 0, 900, 50, FALSE);	/* 0..490: out of the window at the end */
	add_run(view, 500, 200, 25, FALSE);	/* 500..740 */
	add_run(view, 750, 400, 25, FALSE);	/* 750..990 */
	/* The window is (490, 990]: 200 and 400 cN, 25 samples each. */
	assert_int_equal(gauge(view), 300);
	/* One more sample moves the window by 10 ms: a 200 drops out, a 400 comes. */
	add_run(view, 1000, 400, 1, FALSE);
	assert_int_equal(gauge(view), (24 * 200 + 26 * 400 + 25) / 50);
}

static void
test_lifted_for_500_ms_has_no_gauge(void **state)
{
	g_autoptr(RcForceView) view = rc_force_view_new();
	guint16 cn = 0;

	add_run(view, 0, 300, 30, FALSE);
	add_run(view, 300, 0, 49, FALSE);	/* up to 780: 290 is 490 ms old */
	assert_int_equal(gauge(view), 300);
	add_run(view, 790, 0, 1, FALSE);	/* 290 is now 500 ms old: out */
	assert_false(rc_force_view_contact_cn(view, &cn));
}

/* Light touches, sensor dropouts and paused samples are not contact. */
static void
test_only_contact_samples_count(void **state)
{
	g_autoptr(RcForceView) view = rc_force_view_new();
	guint16 cn = 0;

	add_run(view, 0, ROLLER_CONTACT_MIN_CN - 1, 10, FALSE);
	add_run(view, 100, ROLLER_FORCE_INVALID, 10, FALSE);
	add_run(view, 200, 400, 10, TRUE);
	assert_false(rc_force_view_contact_cn(view, &cn));
	add_run(view, 300, ROLLER_CONTACT_MIN_CN, 10, FALSE);
	assert_int_equal(gauge(view), ROLLER_CONTACT_MIN_CN);
}

static void
test_columns_downsample_with_lifts_as_gaps(void **state)
{
	g_autoptr(RcForceView) view = rc_force_view_new();
	RcForceColumn c[4];

	add_run(view, 1000, 100, 5, FALSE);	/* 1000..1040 */
	add_run(view, 1050, 300, 5, FALSE);	/* 1050..1090 */
	add_run(view, 1100, 0, 10, FALSE);	/* 1100..1190 lifted */
	add_run(view, 1300, 250, 1, FALSE);	/* 1200..1290 nothing arrived */
	/* Columns by 100 ms, aligned: [1000,1100) [1100,1200) [1200,1300) [1300,1400). */
	rc_force_view_columns(view, 100, c, 4);
	assert_int_equal(c[0].kind, RC_FORCE_COLUMN_CONTACT);
	assert_int_equal(c[0].mean_cn, 200);
	assert_int_equal(c[0].max_cn, 300);
	assert_int_equal(c[1].kind, RC_FORCE_COLUMN_LIFTED);
	assert_int_equal(c[1].max_cn, 0);
	assert_int_equal(c[2].kind, RC_FORCE_COLUMN_EMPTY);
	assert_int_equal(c[3].kind, RC_FORCE_COLUMN_CONTACT);
	assert_int_equal(c[3].mean_cn, 250);

	/* Wider than the samples: the older columns are empty. */
	{
		RcForceColumn wide[8];

		rc_force_view_columns(view, 100, wide, 8);
		assert_int_equal(wide[3].kind, RC_FORCE_COLUMN_EMPTY);
		assert_int_equal(wide[4].kind, RC_FORCE_COLUMN_CONTACT);
		assert_int_equal(wide[7].mean_cn, 250);
	}
}

static void
test_overlap_is_kept_once_and_an_older_clock_starts_over(void **state)
{
	g_autoptr(RcForceView) view = rc_force_view_new();
	RcForceColumn c[2];

	add_run(view, 0, 100, 10, FALSE);	/* 0..90 */
	add_run(view, 50, 500, 10, FALSE);	/* 50..140: only 100..140 are new */
	rc_force_view_columns(view, 100, c, 2);
	assert_int_equal(c[0].mean_cn, 100);
	assert_int_equal(c[0].max_cn, 100);
	assert_int_equal(c[1].mean_cn, 500);

	/* A new session's clock starts at 0 again. */
	add_run(view, 0, 60, 3, FALSE);
	rc_force_view_columns(view, 100, c, 2);
	assert_int_equal(c[0].kind, RC_FORCE_COLUMN_EMPTY);
	assert_int_equal(c[1].max_cn, 60);
	assert_int_equal(gauge(view), 60);

	rc_force_view_clear(view);
	rc_force_view_columns(view, 100, c, 2);
	assert_int_equal(c[1].kind, RC_FORCE_COLUMN_EMPTY);
}

/* More samples than kept: the newest stay, the gauge and columns still right. */
static void
test_ring_keeps_the_newest(void **state)
{
	g_autoptr(RcForceView) view = rc_force_view_new();
	RcForceColumn c[1];
	guint32 t = 0;

	for (guint i = 0; i < RC_FORCE_VIEW_KEEP / 100 + 5; i++, t += 100 * PERIOD_MS)
		add_run(view, t, (guint16)(100 + i), 100, FALSE);
	/* The last record: 100 samples of 100 + i; the window holds its last 50. */
	assert_int_equal(gauge(view), 100 + RC_FORCE_VIEW_KEEP / 100 + 4);
	rc_force_view_columns(view, 1000, c, 1);
	assert_int_equal(c[0].mean_cn, 100 + RC_FORCE_VIEW_KEEP / 100 + 4);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_empty_has_no_gauge_and_empty_columns),
		cmocka_unit_test(test_gauge_survives_a_short_lift),
		cmocka_unit_test(test_gauge_is_the_mean_of_the_last_500_ms),
		cmocka_unit_test(test_lifted_for_500_ms_has_no_gauge),
		cmocka_unit_test(test_only_contact_samples_count),
		cmocka_unit_test(test_columns_downsample_with_lifts_as_gaps),
		cmocka_unit_test(test_overlap_is_kept_once_and_an_older_clock_starts_over),
		cmocka_unit_test(test_ring_keeps_the_newest),
	};

	return cmocka_run_group_tests_name("force-view", tests, NULL, NULL);
}
