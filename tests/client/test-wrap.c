/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Words wrapped for the monitor's alerts: breaks at spaces, long words cut, UTF-8 counted. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "client/rc-wrap.h"

static void
assert_lines(const char *text, guint width, const char *const *expect)
{
	g_auto(GStrv) lines = rc_wrap_words(text, width);
	guint n = g_strv_length(lines);

	for (guint i = 0; i < n && expect[i]; i++)
		assert_string_equal(lines[i], expect[i]);
	assert_int_equal(n, g_strv_length((char **)expect));
}

static void
test_breaks_at_words(void **state)
{
	/* The alert that ran into the next one, at a terminal's width. */
	assert_lines("direction-neglected: After 40 strokes, few went diagonal (under 10% each): "
		     "roll in every direction.", 40,
		     (const char *const[]){ "direction-neglected: After 40 strokes,",
					    "few went diagonal (under 10% each): roll",
					    "in every direction.", NULL });
}

static void
test_fits_on_one_line(void **state)
{
	assert_lines("too-fast: roll more slowly.", 27,
		     (const char *const[]){ "too-fast: roll more slowly.", NULL });
	assert_lines("", 10, (const char *const[]){ "", NULL });
	assert_lines("   ", 10, (const char *const[]){ "", NULL });
}

static void
test_spaces_at_a_break_are_dropped(void **state)
{
	assert_lines("  ab   cd  ", 3, (const char *const[]){ "ab", "cd", NULL });
	assert_lines("ab cd", 5, (const char *const[]){ "ab cd", NULL });
	assert_lines("ab cd", 4, (const char *const[]){ "ab", "cd", NULL });
}

static void
test_long_words_are_cut(void **state)
{
	assert_lines("abcdefgh ij", 3, (const char *const[]){ "abc", "def", "gh", "ij", NULL });
	assert_lines("abc", 0, (const char *const[]){ "a", "b", "c", NULL });
}

/* Characters, not bytes: "é" and "…" take one column each. */
static void
test_counts_characters(void **state)
{
	assert_lines("éé éé…", 6, (const char *const[]){ "éé éé…", NULL });
	assert_lines("éé éé…", 5, (const char *const[]){ "éé", "éé…", NULL });
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_breaks_at_words),
		cmocka_unit_test(test_fits_on_one_line),
		cmocka_unit_test(test_spaces_at_a_break_are_dropped),
		cmocka_unit_test(test_long_words_are_cut),
		cmocka_unit_test(test_counts_characters),
	};

	return cmocka_run_group_tests_name("wrap", tests, NULL, NULL);
}
