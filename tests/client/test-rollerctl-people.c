/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * rollerctl's people: people, person add|rename|remove|show|notes|
 * defaults|use, assign, and --person on start, sessions, plan, export
 * and report, against rollerd and roller-sim on a private bus.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "test-rollerctl-util.h"

#define WAIT_MS 60000

static int
teardown(void **state)
{
	return test_daemon_free(*state);
}

static void
assert_ok(const Run *r, const char *out_has)
{
	if (r->status != 0 || (out_has && !strstr(r->out, out_has)))
		fail_msg("status %d, out '%s', err '%s'; wanted '%s'", r->status, r->out, r->err,
			 out_has ? out_has : "");
}

static void
assert_fails(const Run *r, int status, const char *err_has)
{
	if (r->status != status || !strstr(r->err, err_has))
		fail_msg("status %d (wanted %d), err '%s'; wanted '%s'", r->status, status, r->err,
			 err_has);
}

/* Starts a session on the roller with @args and waits until it is stored. */
static guint
count_lines(const char *text, const char *separator)
{
	g_auto(GStrv) lines = g_strsplit(text, separator, -1);

	return g_strv_length(lines);
}

static void
roll(TestDaemon *td, const char *area, const char *person)
{
	g_auto(Run) r = { 0 };
	g_autofree char *live = g_strdup_printf("'%s/live'", td->roller_path);

	if (person)
		rollerctl(&r, "start", "--area", area, "--person", person, NULL);
	else
		rollerctl(&r, "start", "--area", area, NULL);
	assert_ok(&r, "Session started");
	assert_true(test_daemon_wait_property(td, td->roller_path, "org.rollerd.Roller2",
					      "Session", live, WAIT_MS));
	assert_true(test_daemon_wait_property(td, td->roller_path, "org.rollerd.Roller2",
					      "Session", "'/'", WAIT_MS));
}

static void
test_people_commands(void **state)
{
	TestDaemon *td = *state = test_daemon_new(NULL);
	g_auto(Run) r = { 0 };

	test_daemon_start_rollerd(td, NULL);
	rollerctl(&r, "people", NULL);
	assert_ok(&r, "Me ");
	rollerctl(&r, "person", "add", "Anna", "--needle", "0.5", "--areas", "face,scalp", NULL);
	assert_ok(&r, "Added Anna");
	rollerctl(&r, "person", "add", "Ben", "--notes", "beard only", NULL);
	assert_ok(&r, "Added Ben");
	rollerctl(&r, "people", NULL);
	assert_ok(&r, "Anna                     0.50    face,scalp\n");
	rollerctl(&r, "person", "show", "BEN", NULL);
	assert_ok(&r, "Notes: beard only");
	rollerctl(&r, "person", "rename", "ben", "Benjamin", NULL);
	assert_ok(&r, NULL);
	rollerctl(&r, "person", "defaults", "Benjamin", "--needle", "1", "--areas", "abdomen", NULL);
	assert_ok(&r, NULL);
	rollerctl(&r, "--json", "people", NULL);
	assert_ok(&r, "\"needle_um\" : 1000");

	/* Mistakes: usage (2), or what rollerd refuses (1), each said. */
	rollerctl(&r, "person", "add", "anna", NULL);
	assert_fails(&r, 1, "already a person called");
	rollerctl(&r, "person", "add", "", NULL);
	assert_fails(&r, 1, "empty");
	rollerctl(&r, "person", "add", "Carl", "--areas", "elbow", NULL);
	assert_fails(&r, 2, "unknown area 'elbow'; the areas are unspecified, abdomen");
	rollerctl(&r, "person", "add", "Carl", "--needle", "lots", NULL);
	assert_fails(&r, 2, "--needle takes millimetres");
	rollerctl(&r, "person", "show", "Nobody", NULL);
	assert_fails(&r, 1, "no person called 'Nobody'");
	rollerctl(&r, "person", "rename", "Anna", NULL);
	assert_fails(&r, 2, "usage");
	rollerctl(&r, "person", "frobnicate", "Anna", NULL);
	assert_fails(&r, 2, "usage");
	rollerctl(&r, "person", "show", "Anna", "--needle", "1", NULL);
	assert_fails(&r, 2, "usage");
	rollerctl(&r, "people", "extra", NULL);
	assert_fails(&r, 2, "takes no argument");

	/* On a session bus there is no polkit: a person without sessions goes. */
	rollerctl(&r, "person", "remove", "Benjamin", NULL);
	assert_ok(&r, NULL);
	rollerctl(&r, "person", "remove", "Me", NULL);
	assert_fails(&r, 1, "default person");
	rollerctl(&r, "people", NULL);
	assert_null(strstr(r.out, "Benjamin"));
}

static void
test_person_option_everywhere(void **state)
{
	const char *sim_args[] = { "--stored=1", "--speed=20", "--session-seconds=20", NULL };
	TestDaemon *td = *state = test_daemon_new(sim_args);
	g_autofree char *pdf = g_build_filename(test_bus_get_dir(td->bus), "anna.pdf", NULL);
	g_auto(Run) r = { 0 };

	test_daemon_start_rollerd(td, NULL);
	test_daemon_discover(td, 1);
	rollerctl(&r, "person", "add", "Anna", NULL);
	rollerctl(&r, "person", "add", "Ben", NULL);
	rollerctl(&r, "person", "use", "Ben", NULL);
	assert_ok(&r, "Sessions on C0:52:4C:00:00:01 are Ben's from now on");
	rollerctl(&r, "connect", NULL);
	assert_ok(&r, NULL);
	test_daemon_wait_synced(td, WAIT_MS);	/* the stored session: Ben's */
	roll(td, "face", "anna");
	roll(td, "scalp", NULL);		/* still Anna's: --person chose her */
	rollerctl(&r, "start", "--area", "face", "--person", "Zoe", NULL);
	assert_fails(&r, 1, "no person called 'Zoe'");

	rollerctl(&r, "sessions", "--person", "Anna", NULL);
	assert_ok(&r, " face ");
	assert_non_null(strstr(r.out, " scalp "));
	assert_int_equal(count_lines(r.out, "\n"), 4);	/* header, 2, "" */
	assert_non_null(strstr(r.out, "Anna\n"));
	rollerctl(&r, "sessions", "--person", "Ben", NULL);
	assert_ok(&r, "Ben\n");
	assert_null(strstr(r.out, "Anna"));
	rollerctl(&r, "sessions", "--person", "Nobody", NULL);
	assert_fails(&r, 1, "no person called 'Nobody'");

	rollerctl(&r, "plan", "--person", "Anna", NULL);
	assert_ok(&r, "PERSON");
	assert_non_null(strstr(r.out, "Anna             face               1"));
	assert_null(strstr(r.out, "Ben"));
	rollerctl(&r, "plan", NULL);
	assert_ok(&r, "Ben ");
	assert_non_null(strstr(r.out, "Me "));
	rollerctl(&r, "plan", "extra", NULL);
	assert_fails(&r, 2, "takes no argument");

	rollerctl(&r, "export", "--person", "Anna", NULL);
	assert_ok(&r, "id,roller,");
	assert_non_null(strstr(r.out, ",person\r\n"));
	assert_int_equal(count_lines(r.out, "\r\n"), 4);
	assert_null(strstr(r.out, ",Ben\r\n"));
	rollerctl(&r, "report", "--area", "face", "--person", "Anna", "--output", pdf, NULL);
	assert_ok(&r, NULL);
	rollerctl(&r, "report", "1", "--person", "Anna", "--output", pdf, NULL);
	assert_fails(&r, 2, "usage");

	/* Ben's stored session was Anna's after all. */
	rollerctl(&r, "assign", "1", "Anna", NULL);
	assert_ok(&r, "Session 1 is Anna's");
	rollerctl(&r, "sessions", "--person", "Ben", NULL);
	assert_ok(&r, "No session matches --person Ben;");
	rollerctl(&r, "assign", "x", "Anna", NULL);
	assert_fails(&r, 2, "not a session id");
	rollerctl(&r, "person", "remove", "Anna", NULL);
	assert_fails(&r, 1, "3 session(s)");
	assert_non_null(strstr(r.err, "rollerctl assign ID OTHER"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_people_commands, teardown),
		cmocka_unit_test_teardown(test_person_option_everywhere, teardown),
	};

	return cmocka_run_group_tests_name("rollerctl people", tests, NULL, NULL);
}
