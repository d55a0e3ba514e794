/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Lossless sync against roller-sim: every stored record ends up in the
 * history exactly once and leaves the roller only once stored, whatever
 * breaks in between (the link, a chunk, rollerd, the simulated roller,
 * the disk).
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/wait.h>
#include <cmocka.h>

#include "tests/harness/test-daemon-util.h"

#define ROLLER2 "org.rollerd.Roller2"
#define ADDRESS "C0:52:4C:00:00:01"

static int
teardown(void **state)
{
	return test_daemon_free(*state);
}

static void
assert_history_is_truth(TestDaemon *td, guint expect)
{
	g_autoptr(GPtrArray) truth = test_daemon_truth_records(td, ADDRESS);

	test_daemon_assert_history_is(td, truth, expect);
}

static void
sync_k(void **state, guint k, const char *stored_arg)
{
	const char *sim_args[] = { stored_arg, "--speed=20", NULL };
	TestDaemon *td = *state = test_daemon_new(sim_args);
	g_autoptr(GError) error = NULL;
	g_autoptr(GVariant) ret = NULL;

	test_daemon_discover(td, 1);
	test_daemon_connect(td);	/* syncs by itself */
	test_daemon_wait_synced(td, 60000);
	assert_history_is_truth(td, k);
	/* No fault: the first attempt takes every record (a spurious GAP
	 * came from a mock sending faster than any BLE link). */
	assert_int_equal(test_daemon_log_count(td, "rollerd", "arrived broken"), 0);

	/* Again: nothing new, nothing doubled. */
	ret = test_daemon_call(td, td->roller_path, ROLLER2, "Sync", NULL, &error);
	assert_non_null(ret);
	test_bus_run_for(500);
	test_daemon_wait_synced(td, 10000);
	assert_history_is_truth(td, k);
}

static void
test_sync_0(void **state)
{
	sync_k(state, 0, "--stored=0");
}

static void
test_sync_1(void **state)
{
	sync_k(state, 1, "--stored=1");
}

static void
test_sync_300(void **state)
{
	sync_k(state, 300, "--stored=300");
}

static void
test_link_lost_mid_transfer(void **state)
{
	const char *sim_args[] = { "--stored=20", "--fault-disconnect-after-bytes=3000", NULL };
	TestDaemon *td = *state = test_daemon_new(sim_args);

	test_daemon_discover(td, 1);
	test_daemon_connect(td);
	/* Remembered, it is reconnected and the sync completes. */
	test_daemon_wait_synced(td, 60000);
	assert_history_is_truth(td, 20);
}

static void
test_corrupted_chunk(void **state)
{
	const char *sim_args[] = { "--stored=10", "--fault-corrupt-chunk=7", NULL };
	TestDaemon *td = *state = test_daemon_new(sim_args);

	test_daemon_discover(td, 1);
	test_daemon_connect(td);
	test_daemon_wait_synced(td, 60000);
	assert_history_is_truth(td, 10);
}

typedef struct {
	TestDaemon *td;
} ProgressWait;

/* Every record committed (done == total), the delete not yet answered. */
static gboolean
all_committed(gpointer user_data)
{
	TestDaemon *td = ((ProgressWait *)user_data)->td;
	g_autoptr(GVariant) progress = test_daemon_get(td, td->roller_path, ROLLER2,
						      "SyncProgress");
	g_autoptr(GVariant) state = test_daemon_get(td, td->roller_path, ROLLER2, "SyncState");
	guint done, total;

	g_variant_get(progress, "(uu)", &done, &total);
	if (total > 0 && done == total && g_str_equal(g_variant_get_string(state, NULL), "syncing"))
		return TRUE;
	g_usleep(5000);
	return FALSE;
}

static void
test_rollerd_killed_between_commit_and_delete(void **state)
{
	const char *sim_args[] = { "--stored=5", "--fault-delay-ms=400", NULL };
	TestDaemon *td = *state = test_daemon_new(sim_args);
	ProgressWait w = { td };

	test_daemon_discover(td, 1);
	test_daemon_connect(td);
	assert_true(test_bus_wait_until(all_committed, &w, 60000));
	test_bus_kill(td->bus, td->rollerd);
	td->rollerd = 0;

	/* Restarted, rollerd reconnects the remembered roller and syncs. */
	test_daemon_start_rollerd(td, NULL);
	test_daemon_wait_synced(td, 60000);
	assert_history_is_truth(td, 5);
}

static gboolean
transfer_under_way(gpointer user_data)
{
	TestDaemon *td = ((ProgressWait *)user_data)->td;
	g_autoptr(GVariant) progress = test_daemon_get(td, td->roller_path, ROLLER2,
						      "SyncProgress");
	guint done, total;

	g_variant_get(progress, "(uu)", &done, &total);
	if (done >= 2 && done < total)
		return TRUE;
	g_usleep(2000);
	return FALSE;
}

static void
test_roller_sim_restarted_mid_transfer(void **state)
{
	/* Slowed: the transfer lasts seconds, for the restart to fall inside. */
	const char *sim_args[] = { "--stored=40", "--fault-delay-ms=20", "--speed=0.25", NULL };
	TestDaemon *td = *state = test_daemon_new(sim_args);
	ProgressWait w = { td };
	g_autoptr(GPtrArray) truth = NULL;

	test_daemon_discover(td, 1);
	test_daemon_connect(td);
	assert_true(test_bus_wait_until(transfer_under_way, &w, 60000));
	/* Its stored records survive in its state directory (its new ground
	 * truth starts empty: the first one is the reference). */
	truth = test_daemon_truth_records(td, ADDRESS);
	test_daemon_start_sim(td, sim_args);
	test_daemon_wait_synced(td, 60000);
	test_daemon_assert_history_is(td, truth, 40);
}

static void
test_full_disk(void **state)
{
	const char *sim_args[] = { "--stored=30", NULL };
	/* Room for the schema and a few records, not for thirty. */
	const char *limited[] = { "prlimit", "--fsize=180000", "--", NULL };
	TestDaemon *td = *state = test_daemon_new(sim_args);
	g_autoptr(GVariant) stored = NULL, rows = NULL;

	test_daemon_start_rollerd_wrapped(td, limited, NULL);
	test_daemon_discover(td, 1);
	test_daemon_connect(td);
	if (!test_daemon_wait_property(td, td->roller_path, ROLLER2, "SyncState", "'failed'",
				       60000)) {
		test_bus_dump_log(td->bus, "rollerd");
		fail_msg("the sync did not fail on a full disk");
	}
	/* Nothing unstored was deleted; rollerd still answers. */
	stored = test_daemon_get(td, td->roller_path, ROLLER2, "StoredRecords");
	rows = test_daemon_query(td, "{'limit': <uint32 1000>}");
	assert_int_equal(g_variant_get_uint16(stored) + g_variant_n_children(rows), 30);
	assert_true(g_variant_get_uint16(stored) > 0);

	/* With room again, the rest comes, each once. */
	test_daemon_start_rollerd(td, NULL);
	test_daemon_wait_synced(td, 60000);
	assert_history_is_truth(td, 30);
}

/*
 * Each control point answer overtakes the reply to its WriteValue, as the
 * real bluetoothd delivered them with EATT: the sync completes all the
 * same (the teardown fails on rollerd's critical warnings).
 */
static void
test_write_reply_after_the_answer(void **state)
{
	const char *sim_args[] = { "--stored=5", "--fault-late-write-reply-ms=300", NULL };
	TestDaemon *td = *state = test_daemon_new(sim_args);

	test_daemon_discover(td, 1);
	test_daemon_connect(td);
	test_daemon_wait_synced(td, 60000);
	assert_history_is_truth(td, 5);
}

/*
 * Records out of order, the last after the control point's answer, as
 * the real bluetoothd delivered them over EATT: each stored once, and
 * all deleted from the roller once all are committed.
 */
static void
test_records_reordered(void **state)
{
	const char *sim_args[] = { "--stored=7", "--fault-reorder-records", NULL };
	TestDaemon *td = *state = test_daemon_new(sim_args);

	test_daemon_discover(td, 1);
	test_daemon_connect(td);
	test_daemon_wait_synced(td, 60000);
	assert_history_is_truth(td, 7);
}

/*
 * A record lost whole (every chunk of it, as a full notification socket
 * loses them) leaves no gap in the chunks: the roller's count shows it,
 * nothing is deleted until it has come too.
 */
static void
test_record_lost_whole(void **state)
{
	const char *sim_args[] = { "--stored=10", "--fault-drop-record=4", NULL };
	TestDaemon *td = *state = test_daemon_new(sim_args);

	test_daemon_discover(td, 1);
	test_daemon_connect(td);
	test_daemon_wait_synced(td, 60000);
	assert_history_is_truth(td, 10);
}

/* The last record lost whole: REPORT_RECORDS answers success all the
 * same; the sync is not over until that record has come too. */
static void
test_last_record_lost_whole(void **state)
{
	const char *sim_args[] = { "--stored=5", "--fault-drop-record=5", NULL };
	TestDaemon *td = *state = test_daemon_new(sim_args);

	test_daemon_discover(td, 1);
	test_daemon_connect(td);
	test_daemon_wait_synced(td, 60000);
	assert_history_is_truth(td, 5);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_sync_0, teardown),
		cmocka_unit_test_teardown(test_sync_1, teardown),
		cmocka_unit_test_teardown(test_sync_300, teardown),
		cmocka_unit_test_teardown(test_link_lost_mid_transfer, teardown),
		cmocka_unit_test_teardown(test_corrupted_chunk, teardown),
		cmocka_unit_test_teardown(test_rollerd_killed_between_commit_and_delete, teardown),
		cmocka_unit_test_teardown(test_roller_sim_restarted_mid_transfer, teardown),
		cmocka_unit_test_teardown(test_full_disk, teardown),
		cmocka_unit_test_teardown(test_write_reply_after_the_answer, teardown),
		cmocka_unit_test_teardown(test_records_reordered, teardown),
		cmocka_unit_test_teardown(test_record_lost_whole, teardown),
		cmocka_unit_test_teardown(test_last_record_lost_whole, teardown),
	};

	return cmocka_run_group_tests_name("rollerd sync", tests, NULL, NULL);
}
