/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * rollerctl's command line: wrong or extra arguments are usage errors
 * (exit 2) that say what is wrong, and several rollers are listed in one
 * order.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "test-rollerctl-util.h"

static int
teardown(void **state)
{
	return test_daemon_free(*state);
}

/* Exit status 2 and one line on stderr naming @mentions; nothing on stdout. */
static void
assert_usage_error(const Run *r, const char *mentions)
{
	if (r->status != 2 || !strstr(r->err, mentions))
		fail_msg("exit %d, stderr '%s': not a usage error naming '%s'", r->status, r->err,
			 mentions);
	assert_ptr_equal(strchr(r->err, '\n'), r->err + strlen(r->err) - 1);
	assert_string_equal(r->out, "");
}

/* Each is refused before rollerd is asked, so none changes anything. */
static void
test_wrong_arguments(void **state)
{
	TestDaemon *td = *state = test_daemon_new(NULL);
	g_auto(Run) r = { 0 };

	test_daemon_start_rollerd(td, NULL);
	rollerctl(&r, "note", "5", NULL);
	assert_usage_error(&r, "nothing to note");
	rollerctl(&r, "status", "extra", NULL);
	assert_usage_error(&r, "rollerctl status: unexpected argument 'extra'");
	rollerctl(&r, "list", "foo", NULL);
	assert_usage_error(&r, "rollerctl list: unexpected argument 'foo'");
	rollerctl(&r, "sessions", "foo", NULL);
	assert_usage_error(&r, "rollerctl sessions: unexpected argument 'foo'");
	rollerctl(&r, "export", "foo", NULL);
	assert_usage_error(&r, "rollerctl export: unexpected argument 'foo'");
	rollerctl(&r, "scan", "foo", NULL);
	assert_usage_error(&r, "rollerctl scan: unexpected argument 'foo'");
	rollerctl(&r, "show", "5", "6", NULL);
	assert_usage_error(&r, "rollerctl show: unexpected argument '6'");
	rollerctl(&r, "delete", "5", "6", NULL);
	assert_usage_error(&r, "rollerctl delete: unexpected argument '6'");
	rollerctl(&r, "identify", "C0:52:4C:00:00:01", "x", NULL);
	assert_usage_error(&r, "rollerctl identify: unexpected argument 'x'");
	rollerctl(&r, "sessions", "--limit", "0", NULL);
	assert_usage_error(&r, "--limit takes 1 to 1000");
	rollerctl(&r, "export", "--limit", "0", NULL);
	assert_usage_error(&r, "--limit takes 1 to 1000");

	/* A bad area lists the good ones, wherever an area is given. */
	rollerctl(&r, "start", "--area", "abdomn", NULL);
	assert_usage_error(&r, "rollerctl start: unknown area 'abdomn'; the areas are "
			   "unspecified, abdomen, thighs,");
	assert_non_null(strstr(r.err, "calves"));
	rollerctl(&r, "sessions", "--area", "abdomn", NULL);
	assert_usage_error(&r, "rollerctl sessions: unknown area 'abdomn'; the areas are");
	rollerctl(&r, "report", "--area", "abdomn", "--output", "x.pdf", NULL);
	assert_usage_error(&r, "rollerctl report: unknown area 'abdomn'; the areas are");
	rollerctl(&r, "note", "5", "--redness", "purple", NULL);
	assert_usage_error(&r, "--redness is none, mild, moderate or strong, not 'purple'");

	/* A mistyped command: the nearest, when one is near. */
	rollerctl(&r, "sessoins", NULL);
	assert_usage_error(&r, "unknown command 'sessoins'; did you mean 'sessions'?");
	rollerctl(&r, "stauts", NULL);
	assert_usage_error(&r, "did you mean 'status'?");
	rollerctl(&r, "frobnicate", NULL);
	assert_usage_error(&r, "unknown command 'frobnicate'; see 'rollerctl --help'");
}

/* "a\nb\n" -> the first word of each line. */
static GPtrArray *
first_words(const char *text)
{
	g_auto(GStrv) lines = g_strsplit(text, "\n", -1);
	GPtrArray *words = g_ptr_array_new_with_free_func(g_free);

	for (gsize i = 0; lines[i]; i++) {
		if (*lines[i])
			g_ptr_array_add(words, g_strndup(lines[i], strcspn(lines[i], " ")));
	}
	return words;
}

static void
assert_addresses_sorted(GPtrArray *addresses, guint expect)
{
	assert_int_equal(addresses->len, expect);
	for (guint i = 1; i < addresses->len; i++) {
		if (strcmp(addresses->pdata[i - 1], addresses->pdata[i]) >= 0)
			fail_msg("%s listed before %s", (char *)addresses->pdata[i - 1],
				 (char *)addresses->pdata[i]);
	}
}

/* Several rollers: list, status and --json list give them by address, every time. */
static void
test_several_rollers(void **state)
{
	const char *sim_args[] = { "--count=5", NULL };
	TestDaemon *td = *state = test_daemon_new(sim_args);
	g_auto(Run) r = { 0 };

	test_daemon_discover(td, 5);
	for (int round = 0; round < 3; round++) {
		g_autoptr(GPtrArray) listed = NULL, shown = NULL;
		g_autoptr(GPtrArray) json = g_ptr_array_new();
		g_autoptr(JsonNode) node = NULL;
		JsonArray *array;

		rollerctl(&r, "list", NULL);
		assert_int_equal(r.status, 0);
		listed = first_words(r.out);
		assert_addresses_sorted(listed, 5);
		rollerctl(&r, "status", NULL);
		assert_int_equal(r.status, 0);
		shown = first_words(strchr(r.out, '\n') + 1);
		assert_addresses_sorted(shown, 5);
		rollerctl(&r, "--json", "list", NULL);
		assert_int_equal(r.status, 0);
		node = parse_json(r.out);
		array = expect_array(node);
		for (guint i = 0; i < json_array_get_length(array); i++)
			g_ptr_array_add(json, (char *)json_object_get_string_member(
						expect_object_at(array, i), "address"));
		assert_addresses_sorted(json, 5);
	}

	/* Which of them is meant is the command line's to say: a usage error. */
	rollerctl(&r, "identify", NULL);
	assert_usage_error(&r, "5 rollers are known; say which one (ADDR)");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_wrong_arguments, teardown),
		cmocka_unit_test_teardown(test_several_rollers, teardown),
	};

	return cmocka_run_group_tests_name("rollerctl-usage", tests, NULL, NULL);
}
