/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* rm-cursor: moves only over acknowledged ids, in order; survives a restart. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include <glib/gstdio.h>

#include "mqtt/rm-cursor.h"

static char *
acked_file(const char *dir)
{
	g_autofree char *path = g_build_filename(dir, "acked", NULL);
	char *text = NULL;

	assert_true(g_file_get_contents(path, &text, NULL, NULL));
	return text;
}

static void
test_moves_in_order(void **state)
{
	g_autofree char *dir = g_dir_make_tmp("rm-cursor-XXXXXX", NULL);
	g_autofree char *sub = g_build_filename(dir, "state", NULL);
	g_autoptr(GError) error = NULL;
	g_autofree char *text = NULL;
	g_autofree char *file = g_build_filename(sub, "acked", NULL);
	RmCursor *c = rm_cursor_new(sub, 0, &error);
	gint64 start = 0;

	(void)state;
	assert_non_null(c);
	assert_int_equal(rm_cursor_get_acked(c), 0);
	assert_false(rm_cursor_get_acked_start(c, &start));
	rm_cursor_sent(c, 3, 1700000003, 10);
	rm_cursor_sent(c, 5, 1700000005, 11);
	rm_cursor_sent(c, 9, 1700000009, 12);
	assert_int_equal(rm_cursor_get_sent(c), 9);
	/* 5 acknowledged before 3: nothing moves until 3 is. */
	rm_cursor_acked(c, 11);
	assert_int_equal(rm_cursor_get_acked(c), 0);
	rm_cursor_acked(c, 99);	/* a QoS 0 message's */
	rm_cursor_acked(c, 10);
	assert_int_equal(rm_cursor_get_acked(c), 5);
	text = acked_file(sub);
	assert_string_equal(text, "5 1700000005\n");
	assert_true(rm_cursor_get_acked_start(c, &start));
	assert_int_equal(start, 1700000005);
	/* The connection is lost with 9 in flight: it goes out again. */
	rm_cursor_reset(c);
	assert_int_equal(rm_cursor_get_sent(c), 5);
	rm_cursor_acked(c, 12);
	assert_int_equal(rm_cursor_get_acked(c), 5);
	rm_cursor_free(c);

	c = rm_cursor_new(sub, 0, &error);
	assert_int_equal(rm_cursor_get_acked(c), 5);
	assert_int_equal(rm_cursor_get_sent(c), 5);
	assert_true(rm_cursor_get_acked_start(c, &start));
	assert_int_equal(start, 1700000005);
	/* Another journal: back to 0, saved with the next acknowledgement. */
	rm_cursor_rewind(c);
	assert_int_equal(rm_cursor_get_acked(c), 0);
	assert_int_equal(rm_cursor_get_sent(c), 0);
	assert_false(rm_cursor_get_acked_start(c, &start));
	rm_cursor_sent(c, 1, 1600000001, 13);
	rm_cursor_acked(c, 13);
	g_free(text);
	text = acked_file(sub);
	assert_string_equal(text, "1 1600000001\n");
	rm_cursor_free(c);

	/* A first bridge's file, an id alone: loaded, its start unknown. */
	assert_true(g_file_set_contents(file, "7\n", -1, NULL));
	c = rm_cursor_new(sub, 0, &error);
	assert_non_null(c);
	assert_int_equal(rm_cursor_get_acked(c), 7);
	assert_false(rm_cursor_get_acked_start(c, &start));
	rm_cursor_free(c);
	g_unlink(file);
	g_rmdir(sub);
	g_rmdir(dir);
}

/* Message ids wrap at 65535: one PUBACK acknowledges one session, the oldest. */
static void
test_shared_message_id(void **state)
{
	g_autofree char *dir = g_dir_make_tmp("rm-cursor-XXXXXX", NULL);
	g_autofree char *file = g_build_filename(dir, "acked", NULL);
	RmCursor *c = rm_cursor_new(dir, 0, NULL);

	(void)state;
	rm_cursor_sent(c, 1, 1700000001, 7);
	rm_cursor_sent(c, 2, 1700000002, 8);
	rm_cursor_sent(c, 3, 1700000003, 7);
	assert_int_equal(rm_cursor_get_in_flight(c), 3);
	rm_cursor_acked(c, 7);
	assert_int_equal(rm_cursor_get_acked(c), 1);
	assert_int_equal(rm_cursor_get_in_flight(c), 2);
	/* Session 3 is not acknowledged yet: the cursor stops at 2. */
	rm_cursor_acked(c, 8);
	assert_int_equal(rm_cursor_get_acked(c), 2);
	rm_cursor_acked(c, 7);
	assert_int_equal(rm_cursor_get_acked(c), 3);
	assert_int_equal(rm_cursor_get_in_flight(c), 0);
	rm_cursor_free(c);
	g_unlink(file);
	g_rmdir(dir);
}

static gboolean
file_holds(gpointer data)
{
	const char *const *want = data;
	g_autofree char *text = NULL;

	return g_file_get_contents(want[0], &text, NULL, NULL) && g_str_equal(text, want[1]);
}

/* A burst of acknowledgements: one write, the rest at the interval's end or at exit. */
static void
test_coalesced_writes(void **state)
{
	g_autofree char *dir = g_dir_make_tmp("rm-cursor-XXXXXX", NULL);
	g_autofree char *file = g_build_filename(dir, "acked", NULL);
	const char *want[] = { file, "40 1700000040\n" };
	RmCursor *c = rm_cursor_new(dir, 3600 * 1000, NULL);
	g_autofree char *text = NULL;
	(void)state;
	for (int mid = 1; mid <= 40; mid++)
		rm_cursor_sent(c, (guint64)mid, 1700000000 + mid, mid);
	for (int mid = 1; mid <= 40; mid++)
		rm_cursor_acked(c, mid);
	assert_int_equal(rm_cursor_get_acked(c), 40);
	/* The first acknowledgement was written, the others wait. */
	text = acked_file(dir);
	assert_string_equal(text, "1 1700000001\n");
	rm_cursor_flush(c);
	assert_true(file_holds(want));
	/* A clean stop writes what waited. */
	rm_cursor_sent(c, 41, 1700000041, 41);
	rm_cursor_sent(c, 42, 1700000042, 42);
	rm_cursor_acked(c, 41);
	assert_true(file_holds(want));
	rm_cursor_free(c);
	want[1] = "41 1700000041\n";
	assert_true(file_holds(want));

	/* A short interval: the last value lands by itself from the main loop. */
	c = rm_cursor_new(dir, 50, NULL);
	for (int mid = 1; mid <= 20; mid++) {
		rm_cursor_sent(c, 41 + (guint64)mid, 1700000041 + mid, mid);
		rm_cursor_acked(c, mid);
	}
	want[1] = "61 1700000061\n";
	while (!file_holds(want))
		g_main_context_iteration(NULL, TRUE);
	rm_cursor_free(c);
	g_unlink(file);
	g_rmdir(dir);
}

static void
test_damaged_file(void **state)
{
	g_autofree char *dir = g_dir_make_tmp("rm-cursor-XXXXXX", NULL);
	g_autofree char *path = g_build_filename(dir, "acked", NULL);
	g_autoptr(GError) error = NULL;
	const char *bad[] = { "twelve\n", "12 noon\n", "12 1700000000 3\n", "\n" };

	(void)state;
	for (gsize i = 0; i < G_N_ELEMENTS(bad); i++) {
		g_clear_error(&error);
		assert_true(g_file_set_contents(path, bad[i], -1, NULL));
		assert_null(rm_cursor_new(dir, 0, &error));
		assert_non_null(strstr(error->message, path));
		assert_non_null(strstr(error->message, "remove it"));
	}
	g_unlink(path);
	g_rmdir(dir);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_moves_in_order),
		cmocka_unit_test(test_shared_message_id),
		cmocka_unit_test(test_coalesced_writes),
		cmocka_unit_test(test_damaged_file),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
