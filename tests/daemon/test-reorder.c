/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Telemetry frames put back in sequence order: what is held, what is released when. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "daemon/live/rd-reorder.h"

typedef struct {
	RdReorder *r;
	GString *order;		/* what reached the session, as "seq " */
} Fixture;

/* A stand-in frame: its first byte is its seq, enough to tell them apart. */
static void
on_release(const guint8 *data, gsize len, gpointer user_data)
{
	Fixture *f = user_data;

	assert_int_equal(len, 8);
	g_string_append_printf(f->order, "%u ", data[0]);
}

/* As rd-live does: apply what may be applied, then tell the reorderer. */
static void
arrive(Fixture *f, guint16 session, guint8 seq)
{
	guint8 frame[8] = { seq, 0xAA, 0xBB };

	if (rd_reorder_arrived(f->r, session, seq, frame, sizeof(frame)) == RD_REORDER_HELD)
		return;
	g_string_append_printf(f->order, "%u ", seq);
	rd_reorder_applied(f->r);
}

static void
arrive_all(Fixture *f, guint16 session, const char *seqs)
{
	g_auto(GStrv) list = g_strsplit(seqs, " ", -1);

	for (gsize i = 0; list[i]; i++)
		arrive(f, session, (guint8)g_ascii_strtoull(list[i], NULL, 10));
}

static int
setup(void **state)
{
	Fixture *f = g_new0(Fixture, 1);

	f->order = g_string_new(NULL);
	f->r = rd_reorder_new(on_release, f);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	Fixture *f = *state;

	rd_reorder_free(f->r);
	g_string_free(f->order, TRUE);
	g_free(f);
	return 0;
}

static void
test_in_order_passes_through(void **state)
{
	Fixture *f = *state;

	arrive_all(f, 7, "5 6 7 8 9");
	assert_string_equal(f->order->str, "5 6 7 8 9 ");
	assert_int_equal(rd_reorder_get_held(f->r), 0);
}

/* 2, 1, 3 as EATT delivered stored records in the VM. */
static void
test_overtaken_frame_put_back(void **state)
{
	Fixture *f = *state;

	arrive_all(f, 7, "0 2 4 3 1 5");
	assert_string_equal(f->order->str, "0 1 2 3 4 5 ");
	assert_int_equal(rd_reorder_get_held(f->r), 0);
}

static void
test_sequence_wraps(void **state)
{
	Fixture *f = *state;

	arrive_all(f, 7, "254 0 255 1");
	assert_string_equal(f->order->str, "254 255 0 1 ");
}

/* A frame really lost: the held ones go on after the hold, in order. */
static void
test_gap_released_after_the_hold(void **state)
{
	Fixture *f = *state;
	gint64 start = g_get_monotonic_time();

	arrive_all(f, 7, "10 12 13");
	assert_string_equal(f->order->str, "10 ");
	assert_int_equal(rd_reorder_get_held(f->r), 2);
	while (rd_reorder_get_held(f->r))
		g_main_context_iteration(NULL, TRUE);
	assert_true(g_get_monotonic_time() - start >= RD_REORDER_HOLD_MS * 1000);
	assert_string_equal(f->order->str, "10 12 13 ");
	/* The lost one, late after all: the session is told (as stale). */
	arrive_all(f, 7, "11 14");
	assert_string_equal(f->order->str, "10 12 13 11 14 ");
}

static void
test_wide_gap_is_a_loss(void **state)
{
	Fixture *f = *state;

	arrive_all(f, 7, "1 3");
	arrive(f, 7, (guint8)(2 + RD_REORDER_WINDOW + 1));
	/* Frame 3 is released before the far one, which needs no hold. */
	assert_string_equal(f->order->str, "1 3 19 ");
	assert_int_equal(rd_reorder_get_held(f->r), 0);
}

static void
test_duplicates_and_old_frames_pass(void **state)
{
	Fixture *f = *state;

	arrive_all(f, 7, "1 2 3 3 2 5 5");
	assert_string_equal(f->order->str, "1 2 3 3 2 ");
	assert_int_equal(rd_reorder_get_held(f->r), 1);
	arrive(f, 7, 4);
	assert_string_equal(f->order->str, "1 2 3 3 2 4 5 ");
}

/* The next session's first frame: the last one's held frames go first. */
static void
test_other_session_releases_held(void **state)
{
	Fixture *f = *state;

	arrive_all(f, 7, "1 3");
	arrive(f, 8, 40);
	assert_string_equal(f->order->str, "1 3 40 ");
	arrive(f, 8, 41);
	assert_string_equal(f->order->str, "1 3 40 41 ");
}

static void
test_flush(void **state)
{
	Fixture *f = *state;

	arrive_all(f, 7, "1 4 3");
	rd_reorder_flush(f->r);
	assert_string_equal(f->order->str, "1 3 4 ");
	arrive(f, 7, 5);
	assert_string_equal(f->order->str, "1 3 4 5 ");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_in_order_passes_through, setup, teardown),
		cmocka_unit_test_setup_teardown(test_overtaken_frame_put_back, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sequence_wraps, setup, teardown),
		cmocka_unit_test_setup_teardown(test_gap_released_after_the_hold, setup, teardown),
		cmocka_unit_test_setup_teardown(test_wide_gap_is_a_loss, setup, teardown),
		cmocka_unit_test_setup_teardown(test_duplicates_and_old_frames_pass, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_other_session_releases_held, setup, teardown),
		cmocka_unit_test_setup_teardown(test_flush, setup, teardown),
	};

	return cmocka_run_group_tests_name("telemetry reordering", tests, NULL, NULL);
}
