/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * data/rollerctl.bash-completion driven by bash as the shell does
 * (COMP_WORDS, COMP_CWORD, _rollerctl), its rollerctl the one built, its
 * rollerd the test's: each command's options, and addresses, session
 * ids, people and areas from rollerd.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "test-rollerctl-util.h"

/* Sources the completion and completes the last of @words (the line so far). */
static const char script[] =
	"source \"$1\"; shift\n"
	"COMP_WORDS=(\"$@\"); COMP_CWORD=$(($# - 1))\n"
	"_rollerctl\n"
	"printf '%s\\n' \"${COMPREPLY[@]}\"\n";

static int
teardown(void **state)
{
	return test_daemon_free(*state);
}

/* The candidates for the last of @words, NULL-terminated, one per line. */
static char **
complete(const char *const *words)
{
	const char *builddir = g_getenv("ROLLER_BUILDDIR");
	g_autofree char *client = g_build_filename(builddir ? builddir : ".", "client", NULL);
	g_autofree char *path = g_strconcat(client, ":", g_getenv("PATH"), NULL);
	g_autofree char *file = g_build_filename(TOP_SRCDIR, "data", "rollerctl.bash-completion",
						 NULL);
	g_auto(GStrv) env = g_environ_setenv(g_get_environ(), "PATH", path, TRUE);
	g_autoptr(GPtrArray) argv = g_ptr_array_new();
	g_autoptr(GError) error = NULL;
	g_autofree char *out = NULL, *err = NULL;
	int status;

	for (const char *const *a = (const char *const[]){ "bash", "--norc", "--noprofile", "-c",
							    script, "completion", file, NULL };
	     *a; a++)
		g_ptr_array_add(argv, (gpointer)*a);
	for (gsize i = 0; words[i]; i++)
		g_ptr_array_add(argv, (gpointer)words[i]);
	g_ptr_array_add(argv, NULL);
	if (!g_spawn_sync(NULL, (char **)argv->pdata, env, G_SPAWN_SEARCH_PATH, NULL, NULL, &out,
			  &err, &status, &error))
		fail_msg("cannot run bash: %s", error->message);
	if (!g_spawn_check_wait_status(status, NULL) || *err)
		fail_msg("completing '%s': %s", words[g_strv_length((char **)words) - 1], err);
	g_strchomp(out);
	return *out ? g_strsplit(out, "\n", -1) : g_new0(char *, 1);
}

#define COMPLETE(...) complete((const char *const[]){ "rollerctl", "--session", __VA_ARGS__, NULL })

static void
assert_offers(char **candidates, const char *word)
{
	if (!g_strv_contains((const char *const *)candidates, word)) {
		g_autofree char *all = g_strjoinv(" ", candidates);

		fail_msg("'%s' not offered, only: %s", word, all);
	}
}

static void
test_options_per_command(void **state)
{
	g_auto(GStrv) sessions = COMPLETE("sessions", "--");
	g_auto(GStrv) export = COMPLETE("export", "--");
	g_auto(GStrv) areas = COMPLETE("start", "--area", "");
	g_auto(GStrv) ab = COMPLETE("start", "--area", "ab");

	*state = NULL;
	/* sessions refuses --format and --output: not offered. */
	assert_offers(sessions, "--limit");
	assert_offers(sessions, "--person");
	assert_false(g_strv_contains((const char *const *)sessions, "--format"));
	assert_false(g_strv_contains((const char *const *)sessions, "--output"));
	assert_offers(export, "--format");
	assert_offers(export, "--output");
	/* Areas need no rollerd. */
	assert_int_equal(g_strv_length(areas), 11);
	assert_offers(areas, "upper-arms");
	assert_int_equal(g_strv_length(ab), 1);
	assert_string_equal(ab[0], "abdomen");
}

static void
test_words_from_rollerd(void **state)
{
	const char *sim_args[] = { "--stored=2", "--count=2", NULL };
	TestDaemon *td = *state = test_daemon_new(sim_args);
	g_autofree char *newest = NULL;
	g_auto(Run) r = { 0 };
	g_auto(GStrv) none = NULL, addresses = NULL, ids = NULL, people = NULL, assignee = NULL;
	g_auto(GStrv) roller = NULL, user = NULL;

	/* No rollerd: nothing offered, and nothing said. */
	none = COMPLETE("connect", "");
	assert_int_equal(g_strv_length(none), 0);

	test_daemon_discover(td, 2);
	test_daemon_connect(td);
	test_daemon_wait_synced(td, 20000);
	rollerctl(&r, "person", "add", "Anna Lee", NULL);
	assert_int_equal(r.status, 0);
	newest = g_strdup_printf("%" G_GUINT64_FORMAT, newest_session_id(td));

	addresses = COMPLETE("connect", "");
	assert_int_equal(g_strv_length(addresses), 2);
	assert_string_equal(addresses[0], "C0:52:4C:00:00:01");
	assert_string_equal(addresses[1], "C0:52:4C:00:00:02");
	roller = COMPLETE("sessions", "--roller", "C0:52:4C:00:00:0");
	assert_int_equal(g_strv_length(roller), 2);
	ids = COMPLETE("show", "");
	assert_int_equal(g_strv_length(ids), 2);
	assert_offers(ids, newest);
	/* A name with a space comes quoted for the shell. */
	people = COMPLETE("plan", "--person", "");
	assert_offers(people, "Anna\\ Lee");
	assert_offers(people, "Me");
	assignee = COMPLETE("assign", newest, "A");
	assert_int_equal(g_strv_length(assignee), 1);
	assert_string_equal(assignee[0], "Anna\\ Lee");
	user = COMPLETE("person", "use", "Anna\\ Lee", "");
	assert_int_equal(g_strv_length(user), 2);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_options_per_command),
		cmocka_unit_test_teardown(test_words_from_rollerd, teardown),
	};

	return cmocka_run_group_tests_name("rollerctl-completion", tests, NULL, NULL);
}
