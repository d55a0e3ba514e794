/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * rollerctl's command line: wrong or extra arguments are usage errors
 * (exit 2) that say what is wrong.
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

/* Several rollers and none named. */
static void
test_several_rollers(void **state)
{
	const char *sim_args[] = { "--count=5", NULL };
	TestDaemon *td = *state = test_daemon_new(sim_args);
	g_auto(Run) r = { 0 };

	test_daemon_discover(td, 5);
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
