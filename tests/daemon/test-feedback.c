/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * rd-feedback: each rule raises its alert when it should and not
 * otherwise, the hold-off, pauses, the end of a session, disabled kinds.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "daemon/live/rd-feedback.h"
#include "daemon/live/rd-live-session.h"
#include "test-live-util.h"

#define HOLD_OFF_MS 10000

typedef struct {
	RdLiveSession *session;
	RdFeedback *fb;
	TestFeeder feeder;
	guint count[RD_ALERT_N_KINDS];
	guint total;
	char *last_message;
	RdAlertKind last_kind;
} Fixture;

static const RdFeedbackConfig test_config = {
	.hold_off_ms = HOLD_OFF_MS,
	.force_low_ms = 1000,
	.force_high_ms = 500,
	.max_strokes_per_minute = 60,
	.max_passes_per_cell = 3,
	.direction_min_strokes = 8,
	.direction_min_share_percent = 10,
	.coverage_min_passes = 1,
	.coverage_min_share_percent = 50,
	.disabled = 0,
};

static void
on_alert(RdAlertKind kind, const char *kind_name, const char *message, gpointer user_data)
{
	Fixture *f = user_data;

	assert_string_equal(kind_name, rd_alert_kind_to_string(kind));
	assert_true(message && *message);
	f->count[kind]++;
	f->total++;
	f->last_kind = kind;
	g_free(f->last_message);
	f->last_message = g_strdup(message);
}

static Fixture *
fixture_new(const RdFeedbackConfig *config)
{
	Fixture *f = g_new0(Fixture, 1);
	struct roller_info info = test_roller_info();

	f->session = rd_live_session_new(&info, TEST_SESSION_ID, NULL, NULL);
	f->fb = rd_feedback_new(config, on_alert, f);
	test_feeder_init(&f->feeder, f->session);
	return f;
}

static int
setup(void **state)
{
	*state = fixture_new(&test_config);
	return 0;
}

static int
teardown(void **state)
{
	Fixture *f = *state;

	rd_feedback_free(f->fb);
	rd_live_session_free(f->session);
	g_free(f->last_message);
	g_free(f);
	return 0;
}

static void
evaluate(Fixture *f)
{
	rd_feedback_evaluate(f->fb, f->session, rd_live_session_get_time_ms(f->session));
}

/* @n samples of @value from @t_ms, 10 a frame, evaluated after each frame. */
static void
roll(Fixture *f, guint32 t_ms, guint16 value, guint n)
{
	for (guint done = 0; done < n; done += 10) {
		test_send_constant(&f->feeder, t_ms + done * TEST_PERIOD_MS, value, MIN(10, n - done));
		evaluate(f);
	}
}

static void
stroke(Fixture *f, guint32 t_ms, guint16 count, guint8 heading, guint8 zone)
{
	test_send_stroke(&f->feeder, t_ms, count, heading, zone);
	evaluate(f);
}

static void
test_force_low_after_sustained_time(void **state)
{
	Fixture *f = *state;

	roll(f, 0, 150, 100);			/* 0..990 ms under the band */
	assert_int_equal(f->total, 0);
	roll(f, 1000, 150, 1);			/* 1000 ms: now */
	assert_int_equal(f->count[RD_ALERT_FORCE_LOW], 1);
	assert_non_null(strstr(f->last_message, "press a little harder"));
	roll(f, 1010, 150, 899);		/* still low, within the hold-off */
	assert_int_equal(f->count[RD_ALERT_FORCE_LOW], 1);
	roll(f, 10000, 150, 101);		/* 11 s: the hold-off is over, still low */
	assert_int_equal(f->count[RD_ALERT_FORCE_LOW], 2);
	assert_int_equal(f->total, 2);
}

static void
test_force_low_run_broken_by_lift(void **state)
{
	Fixture *f = *state;

	roll(f, 0, 150, 90);			/* 890 ms */
	roll(f, 900, 20, 1);			/* lifted: the run ends */
	roll(f, 910, 150, 90);			/* 890 ms again */
	roll(f, 1810, 0xFFFF, 1);		/* no reading: ends it too */
	roll(f, 1820, 150, 90);
	roll(f, 2720, 300, 100);		/* in the band */
	assert_int_equal(f->total, 0);
}

static void
test_force_high_after_sustained_time(void **state)
{
	Fixture *f = *state;

	roll(f, 0, 300, 200);			/* in the band: nothing */
	roll(f, 2000, 401, 50);			/* 2000..2490: 490 ms over */
	assert_int_equal(f->total, 0);
	roll(f, 2500, 401, 1);
	assert_int_equal(f->count[RD_ALERT_FORCE_HIGH], 1);
	assert_non_null(strstr(f->last_message, "press more lightly"));
	/* Back in, then over again within the hold-off: not repeated. */
	roll(f, 2510, 300, 10);
	roll(f, 2610, 450, 100);
	assert_int_equal(f->count[RD_ALERT_FORCE_HIGH], 1);
	/* Over again once the hold-off has passed. */
	roll(f, 12600, 300, 1);
	roll(f, 12610, 450, 51);
	assert_int_equal(f->count[RD_ALERT_FORCE_HIGH], 2);
	assert_int_equal(f->count[RD_ALERT_FORCE_LOW], 0);
}

static void
test_nothing_while_paused(void **state)
{
	Fixture *f = *state;

	test_send_event(&f->feeder, 0, ROLLER_EVENT_PAUSE, 0);
	roll(f, 0, 150, 300);
	roll(f, 3000, 900, 300);
	for (guint16 i = 1; i <= 20; i++)
		stroke(f, 6000 + i * 100, i, 0, 0);	/* fast, one cell, one direction */
	assert_int_equal(f->total, 0);
	/* What was pending comes once it resumes. */
	test_send_event(&f->feeder, 9000, ROLLER_EVENT_RESUME, 0);
	evaluate(f);
	assert_int_equal(f->count[RD_ALERT_TOO_FAST], 1);
	assert_int_equal(f->count[RD_ALERT_CELL_OVERWORKED], 1);
	assert_int_equal(f->count[RD_ALERT_DIRECTION_NEGLECTED], 1);
	assert_int_equal(f->count[RD_ALERT_FORCE_LOW] + f->count[RD_ALERT_FORCE_HIGH], 0);
}

static void
test_too_fast_above_threshold_only(void **state)
{
	Fixture *f = *state;
	guint16 n = 0;

	/* One a second for a minute and more: 60 a minute is not over 60. */
	for (guint32 t = 1000; t <= 90000; t += 1000, n++)
		stroke(f, t, n + 1, (guint8)(n * 32), (guint8)(n % 12));
	assert_int_equal(f->count[RD_ALERT_TOO_FAST], 0);
	/* Faster: the last minute soon holds more than 60. */
	for (guint32 t = 90500; t <= 100000; t += 500, n++)
		stroke(f, t, n + 1, (guint8)(n * 32), (guint8)(n % 12));
	assert_int_equal(f->count[RD_ALERT_TOO_FAST], 1);
	assert_non_null(strstr(f->last_message, "roll more slowly"));
}

static void
test_cell_overworked_once_per_cell(void **state)
{
	Fixture *f = *state;

	for (guint16 i = 1; i <= 3; i++)
		stroke(f, i * 2000, i, 0, 5);
	assert_int_equal(f->count[RD_ALERT_CELL_OVERWORKED], 0);
	stroke(f, 8000, 4, 0, 5);			/* 4 passes, over 3 */
	assert_int_equal(f->count[RD_ALERT_CELL_OVERWORKED], 1);
	assert_non_null(strstr(f->last_message, "Row 2, column 2 has had 4 passes"));
	stroke(f, 10000, 5, 0, 5);
	assert_int_equal(f->count[RD_ALERT_CELL_OVERWORKED], 1);
	/* Another cell over within the hold-off: held back, then raised. */
	for (guint16 i = 6; i <= 9; i++)
		stroke(f, 10000 + i * 100, i, 0, 11);
	assert_int_equal(f->count[RD_ALERT_CELL_OVERWORKED], 1);
	stroke(f, 18000, 10, 0, ROLLER_ZONE_OUTSIDE);
	assert_int_equal(f->count[RD_ALERT_CELL_OVERWORKED], 2);
	assert_non_null(strstr(f->last_message, "Row 3, column 4"));
}

static void
test_direction_neglected_after_min_strokes(void **state)
{
	Fixture *f = *state;
	g_autofree char *message = NULL;

	for (guint16 i = 1; i <= 7; i++)
		stroke(f, i * 5000, i, i % 2 ? 0 : 64, (guint8)i);
	assert_int_equal(f->count[RD_ALERT_DIRECTION_NEGLECTED], 0);
	stroke(f, 40000, 8, 0, 8);
	assert_int_equal(f->count[RD_ALERT_DIRECTION_NEGLECTED], 1);
	message = g_strdup(f->last_message);
	assert_non_null(strstr(message, "diagonal and anti-diagonal"));
	assert_null(strstr(message, "vertical"));
}

static void
test_direction_balanced_is_fine(void **state)
{
	Fixture *f = *state;
	static const guint8 headings[] = { 0, 32, 64, 96 };

	for (guint16 i = 1; i <= 40; i++)
		stroke(f, i * 5000, i, headings[i % 4], ROLLER_ZONE_OUTSIDE);
	assert_int_equal(f->total, 0);
}

static void
test_coverage_incomplete_at_end(void **state)
{
	Fixture *f = *state;

	for (guint16 i = 1; i <= 5; i++)
		stroke(f, i * 5000, i, (guint8)(i * 32), (guint8)i);	/* 5 of 12 cells */
	assert_int_equal(f->total, 0);
	test_send_event(&f->feeder, 60000, ROLLER_EVENT_SESSION_END, ROLLER_END_USER);
	evaluate(f);
	assert_int_equal(f->count[RD_ALERT_COVERAGE_INCOMPLETE], 1);
	assert_non_null(strstr(f->last_message, "Only 5 of the 12 cells"));
	evaluate(f);
	rd_feedback_finish(f->fb, f->session, 60000);
	assert_int_equal(f->total, 1);
}

static void
test_coverage_enough_or_no_strokes(void **state)
{
	Fixture *f = *state;
	g_autoptr(RdLiveSession) idle = NULL;
	g_autoptr(RdFeedback) fb = rd_feedback_new(&test_config, on_alert, f);
	struct roller_info info = test_roller_info();

	for (guint16 i = 1; i <= 6; i++)
		stroke(f, i * 5000, i, (guint8)(i * 32), (guint8)i);	/* half the cells */
	/* The roller's Status ended it; no SESSION_END came. */
	rd_feedback_finish(f->fb, f->session, 40000);
	assert_int_equal(f->total, 0);

	idle = rd_live_session_new(&info, 9, NULL, NULL);
	rd_feedback_finish(fb, idle, 0);
	assert_int_equal(f->total, 0);
}

static void
test_overforce_each_event_with_hold_off(void **state)
{
	Fixture *f = *state;

	test_send_event(&f->feeder, 1000, ROLLER_EVENT_OVERFORCE, 650);
	evaluate(f);
	assert_int_equal(f->count[RD_ALERT_OVERFORCE], 1);
	assert_non_null(strstr(f->last_message, "6.5 N"));
	test_send_event(&f->feeder, 2000, ROLLER_EVENT_OVERFORCE, 700);
	evaluate(f);
	assert_int_equal(f->count[RD_ALERT_OVERFORCE], 1);
	evaluate(f);					/* nothing new */
	test_send_event(&f->feeder, 11000, ROLLER_EVENT_OVERFORCE, 800);
	evaluate(f);
	assert_int_equal(f->count[RD_ALERT_OVERFORCE], 2);
	/* Even while paused. */
	test_send_event(&f->feeder, 30000, ROLLER_EVENT_PAUSE, 0);
	test_send_event(&f->feeder, 31000, ROLLER_EVENT_OVERFORCE, 800);
	evaluate(f);
	assert_int_equal(f->count[RD_ALERT_OVERFORCE], 3);
	assert_int_equal(f->total, 3);
}

static void
test_battery_low_event(void **state)
{
	Fixture *f = *state;

	evaluate(f);
	assert_int_equal(f->total, 0);
	test_send_event(&f->feeder, 1000, ROLLER_EVENT_BATTERY_LOW, 15);
	evaluate(f);
	assert_int_equal(f->count[RD_ALERT_BATTERY_LOW], 1);
	assert_non_null(strstr(f->last_message, "15%"));
}

static void
test_disabled_kinds_never_raised(void **state)
{
	RdFeedbackConfig config = test_config;
	Fixture *f;

	config.disabled = 1u << RD_ALERT_FORCE_LOW | 1u << RD_ALERT_OVERFORCE |
			  1u << RD_ALERT_COVERAGE_INCOMPLETE;
	f = fixture_new(&config);
	*state = f;
	roll(f, 0, 150, 300);
	test_send_event(&f->feeder, 3000, ROLLER_EVENT_OVERFORCE, 650);
	stroke(f, 3500, 1, 0, 0);
	test_send_event(&f->feeder, 4000, ROLLER_EVENT_SESSION_END, 0);
	evaluate(f);
	assert_int_equal(f->total, 0);
}

static void
test_kind_names(void **state)
{
	static const char *const names[] = {
		"force-low", "force-high", "overforce", "too-fast", "cell-overworked",
		"direction-neglected", "coverage-incomplete", "battery-low",
	};
	RdAlertKind kind;

	assert_int_equal(G_N_ELEMENTS(names), RD_ALERT_N_KINDS);
	for (guint i = 0; i < RD_ALERT_N_KINDS; i++) {
		assert_string_equal(rd_alert_kind_to_string((RdAlertKind)i), names[i]);
		assert_true(rd_alert_kind_from_string(names[i], &kind));
		assert_int_equal(kind, i);
	}
	assert_null(rd_alert_kind_to_string(RD_ALERT_N_KINDS));
	assert_false(rd_alert_kind_from_string("head-worn", &kind));
	assert_false(rd_alert_kind_from_string(NULL, &kind));
}

int
main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_force_low_after_sustained_time),
		T(test_force_low_run_broken_by_lift),
		T(test_force_high_after_sustained_time),
		T(test_nothing_while_paused),
		T(test_too_fast_above_threshold_only),
		T(test_cell_overworked_once_per_cell),
		T(test_direction_neglected_after_min_strokes),
		T(test_direction_balanced_is_fine),
		T(test_coverage_incomplete_at_end),
		T(test_coverage_enough_or_no_strokes),
		T(test_overforce_each_event_with_hold_off),
		T(test_battery_low_event),
		cmocka_unit_test_teardown(test_disabled_kinds_never_raised, teardown),
		cmocka_unit_test(test_kind_names),
	};
#undef T

	return cmocka_run_group_tests(tests, NULL, NULL);
}
