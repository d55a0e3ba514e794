/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * rollerd and a damaged journal: it refuses to start on one, naming the
 * file; a sync whose committed record reads back different deletes
 * nothing from the roller.  The difference comes from a trigger the test
 * plants in sessions.db, as a write that did not reach the file whole
 * would show it to rollerd.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <cmocka.h>
#include <glib/gstdio.h>
#include <sqlite3.h>

#include "tests/harness/test-daemon-util.h"

#define ROLLER2 "org.rollerd.Roller2"
#define ADDRESS "C0:52:4C:00:00:01"
#define STORED 5

static int
teardown(void **state)
{
	return test_daemon_free(*state);
}

static char *
journal_path(TestDaemon *td)
{
	return g_build_filename(td->state_dir, "sessions.db", NULL);
}

/* rollerd refuses to start, saying which file and what to do. */
static void
assert_refuses_to_start(TestDaemon *td, const char *why)
{
	g_autofree char *path = journal_path(td);
	g_autofree char *naming = g_strdup_printf("The journal %s is damaged", path);
	int status = test_daemon_run_rollerd_to_exit(td);

	if (!WIFEXITED(status) || WEXITSTATUS(status) == 0 ||
	    test_daemon_log_count(td, "rollerd", naming) == 0 ||
	    test_daemon_log_count(td, "rollerd", "restore a backup") == 0 ||
	    test_daemon_log_count(td, "rollerd", why) == 0) {
		test_bus_dump_log(td->bus, "rollerd");
		fail_msg("rollerd did not refuse the damaged journal clearly");
	}
}

/* A journal made by a first start, then rollerd stopped. */
static TestDaemon *
daemon_with_journal(void **state, const char *const *sim_args)
{
	TestDaemon *td = *state = test_daemon_new(sim_args);

	test_daemon_start_rollerd(td, NULL);
	test_bus_stop(td->bus, td->rollerd);
	td->rollerd = 0;
	return td;
}

static void
test_refuses_truncated_journal(void **state)
{
	TestDaemon *td = daemon_with_journal(state, NULL);
	g_autofree char *path = journal_path(td);
	g_autoptr(GError) error = NULL;

	assert_true(g_file_set_contents(path, "", 0, &error));
	assert_refuses_to_start(td, "it is empty");
}

static void
test_refuses_wrong_file_type(void **state)
{
	TestDaemon *td = daemon_with_journal(state, NULL);
	g_autofree char *path = journal_path(td);
	g_autofree char *text = g_strnfill(16384, '#');
	g_autoptr(GError) error = NULL;

	assert_true(g_file_set_contents(path, text, -1, &error));
	assert_refuses_to_start(td, "not a database");
}

/* Plants @sql (a trigger) in rollerd's stopped journal. */
static void
plant(TestDaemon *td, const char *sql)
{
	g_autofree char *path = journal_path(td);
	sqlite3 *db = NULL;
	char *message = NULL;

	assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL), SQLITE_OK);
	if (sqlite3_exec(db, sql, NULL, NULL, &message) != SQLITE_OK)
		fail_msg("%s: %s", sql, message);
	sqlite3_close(db);
}

/* Connects, waits for the sync to fail; the roller keeps all it had. */
static void
assert_sync_deletes_nothing(TestDaemon *td, const char *logged)
{
	g_autoptr(GVariant) stored = NULL;

	test_daemon_start_rollerd(td, NULL);
	test_daemon_discover(td, 1);
	test_daemon_connect(td);
	if (!test_daemon_wait_property(td, td->roller_path, ROLLER2, "SyncState", "'failed'",
				       60000) ||
	    !test_daemon_wait_log(td, "rollerd", logged, 0, 10000)) {
		test_bus_dump_log(td->bus, "rollerd");
		fail_msg("the sync did not fail on the journal");
	}
	stored = test_daemon_get(td, td->roller_path, ROLLER2, "StoredRecords");
	if (g_variant_get_uint16(stored) != STORED) {
		test_bus_dump_log(td->bus, "rollerd");
		fail_msg("%u of %u records left on the roller", g_variant_get_uint16(stored),
			 STORED);
	}
	{
		g_autoptr(GPtrArray) truth = test_daemon_truth_records(td, ADDRESS);

		assert_int_equal(truth->len, STORED);
	}
}

/* Record 3's row reads back with a stroke more than the roller counted. */
static void
test_record_reading_back_different(void **state)
{
	const char *sim_args[] = { "--stored=" G_STRINGIFY(STORED), NULL };
	TestDaemon *td = daemon_with_journal(state, sim_args);

	plant(td, "CREATE TRIGGER test_damage AFTER INSERT ON sessions "
		  "WHEN NEW.record_id = 3 BEGIN "
		  "UPDATE sessions SET strokes = strokes + 1 WHERE id = NEW.id; END");
	assert_sync_deletes_nothing(td, "Record 3 reads back from the journal different");
}

/* Whatever the caller's umask and an existing directory's mode, the
 * journal and everything beside it is rollerd's user's alone. */
static void
test_journal_files_private(void **state)
{
	const char *sim_args[] = { "--stored=2", NULL };
	TestDaemon *td = *state = test_daemon_new(sim_args);
	g_autofree char *old_ini = NULL;
	g_autoptr(GDir) dir = NULL;
	mode_t old_umask;
	const char *name;
	GStatBuf st;
	guint files = 0;

	assert_int_equal(g_mkdir(td->state_dir, 0755), 0);
	assert_int_equal(g_chmod(td->state_dir, 0755), 0);
	old_ini = g_build_filename(td->state_dir, "rollers.ini", NULL);
	assert_true(g_file_set_contents(old_ini, "", 0, NULL));
	assert_int_equal(g_chmod(old_ini, 0644), 0);
	old_umask = umask(022);
	test_daemon_start_rollerd(td, NULL);
	umask(old_umask);
	test_daemon_discover(td, 1);
	test_daemon_connect(td);
	assert_true(test_daemon_wait_property(td, td->roller_path, ROLLER2, "StoredRecords",
					      "0", 20000));

	assert_int_equal(g_stat(td->state_dir, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0700);
	dir = g_dir_open(td->state_dir, 0, NULL);
	assert_non_null(dir);
	while ((name = g_dir_read_name(dir))) {
		g_autofree char *path = g_build_filename(td->state_dir, name, NULL);

		assert_int_equal(g_stat(path, &st), 0);
		if ((st.st_mode & 077) != 0)
			fail_msg("%s has mode %04o", name, (unsigned)(st.st_mode & 07777));
		files++;
	}
	/* sessions.db, its WAL and shared memory, sessions.id, rollers.ini */
	assert_true(files >= 4);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_refuses_truncated_journal, teardown),
		cmocka_unit_test_teardown(test_refuses_wrong_file_type, teardown),
		cmocka_unit_test_teardown(test_record_reading_back_different, teardown),
		cmocka_unit_test_teardown(test_journal_files_private, teardown),
	};

	return cmocka_run_group_tests_name("rollerd and a damaged journal", tests, NULL, NULL);
}
