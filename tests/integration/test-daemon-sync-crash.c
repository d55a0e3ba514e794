/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Sync after a crash: rollerd SIGKILLed while a sync runs leaves the
 * roller connected through bluetoothd and busy with a REPORT_RECORDS no
 * central owns any more.  Restarted, rollerd brings the roller back and
 * the sync completes by itself (no Sync call), every record stored once.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "tests/harness/test-daemon-util.h"

#define ADDRESS "C0:52:4C:00:00:01"
#define STORED 60
/* Fixed: the random kill delays are the same on every run. */
#define SEED 4242

typedef enum {
	KILL_AFTER_COMMIT,	/* right after the Nth record's commit */
	KILL_AFTER_DELAY,	/* a seeded random delay into the transfer */
	KILL_AT_SETUP,		/* then the second rollerd at SET_TIME */
	KILL_AT_COUNT,		/* then the second rollerd at REPORT_NUMBER */
} KillKind;

static int
teardown(void **state)
{
	return test_daemon_free(*state);
}

static void
assert_history_is_truth(TestDaemon *td)
{
	g_autoptr(GPtrArray) truth = test_daemon_truth_records(td, ADDRESS);

	test_daemon_assert_history_is(td, truth, STORED);
}

static void
kill_rollerd(TestDaemon *td)
{
	test_bus_kill(td->bus, td->rollerd);
	td->rollerd = 0;
}

/* Kills the restarted rollerd once it writes @opcode_name at setup. */
static void
kill_second_at(TestDaemon *td, const char *opcode_name)
{
	g_autofree char *line = g_strdup_printf("Control point: %s", opcode_name);
	guint before = test_daemon_log_count(td, "rollerd", line);

	test_daemon_start_rollerd(td, NULL);
	if (!test_daemon_wait_log(td, "rollerd", line, before, 20000)) {
		test_bus_dump_log(td->bus, "rollerd");
		fail_msg("the restarted rollerd did not write %s", opcode_name);
	}
	kill_rollerd(td);
}

static void
crash_and_resume(void **state, KillKind kind, guint n)
{
	/* Slowed: the transfer lasts seconds, for the kill to fall inside. */
	const char *sim_args[] = { "--stored=" G_STRINGIFY(STORED), "--speed=0.25", NULL };
	TestDaemon *td = *state = test_daemon_new(sim_args);
	guint before = test_daemon_log_count(td, "rollerd", "committed as session");
	guint commits = kind == KILL_AFTER_COMMIT ? n : 1;

	test_daemon_discover(td, 1);
	test_daemon_connect(td);	/* syncs by itself */
	if (!test_daemon_wait_log(td, "rollerd", "committed as session", before + commits - 1,
				  30000)) {
		test_bus_dump_log(td->bus, "rollerd");
		fail_msg("no transfer started");
	}
	if (kind == KILL_AFTER_DELAY) {
		g_autoptr(GRand) rand = g_rand_new_with_seed(SEED);

		test_bus_run_for((guint)g_rand_int_range(rand, 0, (gint32)n));
	}
	kill_rollerd(td);
	if (kind == KILL_AT_SETUP)
		kill_second_at(td, "SET_TIME");
	else if (kind == KILL_AT_COUNT)
		kill_second_at(td, "REPORT_NUMBER");

	/* Restarted, it reconnects the remembered roller and syncs. */
	test_daemon_start_rollerd(td, NULL);
	test_daemon_wait_synced(td, 30000);
	assert_history_is_truth(td);
}

static void
test_kill_after_first_commit(void **state)
{
	crash_and_resume(state, KILL_AFTER_COMMIT, 1);
}

static void
test_kill_after_commit_20(void **state)
{
	crash_and_resume(state, KILL_AFTER_COMMIT, 20);
}

static void
test_kill_after_random_delay(void **state)
{
	crash_and_resume(state, KILL_AFTER_DELAY, 1500);
}

/* The restarted rollerd killed in turn while it sets the roller's clock... */
static void
test_kill_again_at_set_time(void **state)
{
	crash_and_resume(state, KILL_AT_SETUP, 0);
}

/* ...or counts the records: the third one syncs. */
static void
test_kill_again_at_report_number(void **state)
{
	crash_and_resume(state, KILL_AT_COUNT, 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_kill_after_first_commit, teardown),
		cmocka_unit_test_teardown(test_kill_after_commit_20, teardown),
		cmocka_unit_test_teardown(test_kill_after_random_delay, teardown),
		cmocka_unit_test_teardown(test_kill_again_at_set_time, teardown),
		cmocka_unit_test_teardown(test_kill_again_at_report_number, teardown),
	};

	return cmocka_run_group_tests_name("rollerd sync after a crash", tests, NULL, NULL);
}
