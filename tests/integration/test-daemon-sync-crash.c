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

/*
 * rollerd killed @delay_ms after its @commits-th commit; with @again_at,
 * the restarted one killed in turn when it writes that request.  The
 * next one must sync the roller by itself.
 */
static void
crash_and_resume(void **state, guint commits, guint delay_ms, const char *again_at)
{
	/* Slowed: the transfer lasts seconds, for the kill to fall inside. */
	const char *sim_args[] = { "--stored=" G_STRINGIFY(STORED), "--speed=0.25", NULL };
	TestDaemon *td = *state = test_daemon_new(sim_args);
	guint before = test_daemon_log_count(td, "rollerd", "committed as session");

	test_daemon_discover(td, 1);
	test_daemon_connect(td);	/* syncs by itself */
	if (!test_daemon_wait_log(td, "rollerd", "committed as session", before + commits - 1,
				  30000)) {
		test_bus_dump_log(td->bus, "rollerd");
		fail_msg("no transfer started");
	}
	test_bus_run_for(delay_ms);
	kill_rollerd(td);
	if (again_at)
		kill_second_at(td, again_at);

	/* Restarted, it reconnects the remembered roller and syncs. */
	test_daemon_start_rollerd(td, NULL);
	test_daemon_wait_synced(td, 30000);
	assert_history_is_truth(td);
}

static void
test_kill_after_first_commit(void **state)
{
	crash_and_resume(state, 1, 0, NULL);
}

static void
test_kill_after_commit_20(void **state)
{
	crash_and_resume(state, 20, 0, NULL);
}

/* Seeded: the same points on every run, between two chunks or two commits. */
static void
kill_at_random(void **state, guint32 seed)
{
	g_autoptr(GRand) rand = g_rand_new_with_seed(seed);
	guint commits = (guint)g_rand_int_range(rand, 1, STORED - 10);
	guint delay_ms = (guint)g_rand_int_range(rand, 0, 40);

	print_message("killing rollerd %u ms after commit %u\n", delay_ms, commits);
	crash_and_resume(state, commits, delay_ms, NULL);
}

static void
test_kill_at_random_1(void **state)
{
	kill_at_random(state, 4242);
}

static void
test_kill_at_random_2(void **state)
{
	kill_at_random(state, 7);
}

/* The restarted rollerd killed in turn while it sets the roller's clock... */
static void
test_kill_again_at_set_time(void **state)
{
	crash_and_resume(state, 1, 0, "SET_TIME");
}

/* ...or counts the records: the third one syncs. */
static void
test_kill_again_at_report_number(void **state)
{
	crash_and_resume(state, 1, 0, "REPORT_NUMBER");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_kill_after_first_commit, teardown),
		cmocka_unit_test_teardown(test_kill_after_commit_20, teardown),
		cmocka_unit_test_teardown(test_kill_at_random_1, teardown),
		cmocka_unit_test_teardown(test_kill_at_random_2, teardown),
		cmocka_unit_test_teardown(test_kill_again_at_set_time, teardown),
		cmocka_unit_test_teardown(test_kill_again_at_report_number, teardown),
	};

	return cmocka_run_group_tests_name("rollerd sync after a crash", tests, NULL, NULL);
}
