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
	RmCursor *c = rm_cursor_new(sub, &error);
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
	assert_true(rm_cursor_acked(c, 11, NULL));
	assert_int_equal(rm_cursor_get_acked(c), 0);
	assert_true(rm_cursor_acked(c, 99, NULL));	/* a QoS 0 message's */
	assert_true(rm_cursor_acked(c, 10, NULL));
	assert_int_equal(rm_cursor_get_acked(c), 5);
	text = acked_file(sub);
	assert_string_equal(text, "5 1700000005\n");
	assert_true(rm_cursor_get_acked_start(c, &start));
	assert_int_equal(start, 1700000005);
	/* The connection is lost with 9 in flight: it goes out again. */
	rm_cursor_reset(c);
	assert_int_equal(rm_cursor_get_sent(c), 5);
	assert_true(rm_cursor_acked(c, 12, NULL));
	assert_int_equal(rm_cursor_get_acked(c), 5);
	rm_cursor_free(c);

	c = rm_cursor_new(sub, &error);
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
	assert_true(rm_cursor_acked(c, 13, NULL));
	g_free(text);
	text = acked_file(sub);
	assert_string_equal(text, "1 1600000001\n");
	rm_cursor_free(c);

	/* A first bridge's file, an id alone: loaded, its start unknown. */
	assert_true(g_file_set_contents(file, "7\n", -1, NULL));
	c = rm_cursor_new(sub, &error);
	assert_non_null(c);
	assert_int_equal(rm_cursor_get_acked(c), 7);
	assert_false(rm_cursor_get_acked_start(c, &start));
	rm_cursor_free(c);
	g_unlink(file);
	g_rmdir(sub);
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
		assert_null(rm_cursor_new(dir, &error));
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
		cmocka_unit_test(test_damaged_file),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
