/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * rollerctl backup, restore and import against rollerd and roller-sim on
 * the private bus: the copy, what restore refuses and keeps, and an
 * export imported into a fresh rollerd.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <fcntl.h>
#include <unistd.h>
#include <sys/stat.h>
#include <cmocka.h>
#include <gio/gunixfdlist.h>
#include <glib/gstdio.h>
#include <sqlite3.h>

#include "test-rollerctl-util.h"

#define MANAGER "/org/rollerd"
#define MANAGER1 "org.rollerd.Manager1"

static int
teardown(void **state)
{
	return test_daemon_free(*state);
}

/* rollerd and a roller whose 3 stored sessions are synced. */
static TestDaemon *
synced_daemon(void)
{
	const char *sim_args[] = { "--stored=3", NULL };
	TestDaemon *td = test_daemon_new(sim_args);

	test_daemon_start_rollerd(td, NULL);
	test_daemon_discover(td, 1);
	test_daemon_connect(td);
	test_daemon_wait_synced(td, 20000);
	return td;
}

static guint
history_size(TestDaemon *td)
{
	g_autoptr(GVariant) rows = test_daemon_query(td, "{}");

	return (guint)g_variant_n_children(rows);
}

static char *
path_in(TestDaemon *td, const char *name)
{
	return g_build_filename(test_bus_get_dir(td->bus), name, NULL);
}

static void
sql(const char *path, const char *statement, const char *expect)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *stmt = NULL;

	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, statement, -1, &stmt, NULL), SQLITE_OK);
	if (expect) {
		assert_int_equal(sqlite3_step(stmt), SQLITE_ROW);
		assert_string_equal(sqlite3_column_text(stmt, 0), expect);
	} else {
		assert_int_equal(sqlite3_step(stmt), SQLITE_DONE);
	}
	sqlite3_finalize(stmt);
	sqlite3_close(db);
}

static int
schema_version(const char *path)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *stmt = NULL;
	int version;

	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &stmt, NULL),
			 SQLITE_OK);
	assert_int_equal(sqlite3_step(stmt), SQLITE_ROW);
	version = sqlite3_column_int(stmt, 0);
	sqlite3_finalize(stmt);
	sqlite3_close(db);
	return version;
}

static void
expect_failure(const Run *r, const char *mentions)
{
	assert_int_equal(r->status, 1);
	if (!strstr(r->err, mentions))
		fail_msg("stderr '%s' does not mention '%s'", r->err, mentions);
}

/* Manager1.@method with @fd as its argument. */
static GVariant *
call_with_fd(TestDaemon *td, const char *method, int fd, GError **error)
{
	g_autoptr(GUnixFDList) fds = g_unix_fd_list_new_from_array(&fd, 1);

	return g_dbus_connection_call_with_unix_fd_list_sync(td->conn, "org.rollerd", MANAGER,
							     MANAGER1, method,
							     g_variant_new("(h)", 0), NULL,
							     G_DBUS_CALL_FLAGS_NONE, 30000,
							     fds, NULL, NULL, error);
}

static void
test_backup(void **state)
{
	TestDaemon *td = *state = synced_daemon();
	g_autofree char *file = path_in(td, "journal.backup");
	g_autofree char *fifo = path_in(td, "fifo");
	g_autofree char *leftover = NULL;
	g_autoptr(GError) error = NULL;
	g_autoptr(GVariant) reply = NULL;
	g_auto(Run) r = { 0 };
	GStatBuf st;
	int pipe_fds[2];

	/* What a rollerd killed mid-backup left goes at the next start. */
	leftover = g_build_filename(td->state_dir, ".backup-Ab12Cd", NULL);
	assert_true(g_file_set_contents(leftover, "SQLite format 3", -1, NULL));
	test_daemon_start_rollerd(td, NULL);
	assert_false(g_file_test(leftover, G_FILE_TEST_EXISTS));

	rollerctl(&r, "backup", file, NULL);
	if (r.status != 0)
		fail_msg("backup: %s", r.err);
	assert_non_null(strstr(r.out, "backed up to"));
	assert_int_equal(g_stat(file, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	sql(file, "PRAGMA integrity_check", "ok");
	sql(file, "SELECT count(*) FROM sessions", "3");

	/* rollerctl never renames over what is not a regular file. */
	assert_int_equal(mkfifo(fifo, 0600), 0);
	rollerctl(&r, "backup", fifo, NULL);
	expect_failure(&r, "not a regular file");
	rollerctl(&r, "backup", NULL);
	assert_int_equal(r.status, 2);

	/* rollerd refuses an fd it cannot make a file of. */
	assert_int_equal(pipe(pipe_fds), 0);
	reply = call_with_fd(td, "Backup", pipe_fds[1], &error);
	close(pipe_fds[0]);
	close(pipe_fds[1]);
	assert_null(reply);
	test_daemon_assert_error(error, "InvalidArguments", "pipe", "Backup with a pipe");
	test_daemon_assert_alive(td);
}

/* The rows of @path's sessions as "id:record_id:strokes:start", by id. */
static char **
backup_rows(const char *path)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *stmt = NULL;
	char **rows;

	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, "SELECT group_concat(r, ',') FROM (SELECT id || ':' "
					    "|| record_id || ':' || strokes || ':' || start_unix AS r "
					    "FROM sessions ORDER BY id)", -1, &stmt, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(stmt), SQLITE_ROW);
	rows = g_strsplit(sqlite3_column_text(stmt, 0) ?
			  (const char *)sqlite3_column_text(stmt, 0) : "", ",", -1);
	sqlite3_finalize(stmt);
	sqlite3_close(db);
	return rows;
}

/*
 * A backup taken while a sync stores 40 sessions: whole, and every
 * session in it as the history has it once the sync is over.
 */
static void
test_backup_during_sync(void **state)
{
	const char *sim_args[] = { "--stored=40", NULL };
	TestDaemon *td = *state = test_daemon_new(sim_args);
	g_autofree char *conf = path_in(td, "rollerd.conf");
	g_autofree char *config_arg = g_strdup_printf("--config=%s", conf);
	const char *extra[] = { config_arg, NULL };
	g_autofree char *during = path_in(td, "during.backup");
	g_autofree char *after = path_in(td, "after.backup");
	g_auto(GStrv) rows_during = NULL, rows_after = NULL;
	g_auto(Run) r = { 0 };

	assert_true(g_file_set_contents(conf, "[Daemon]\nSyncOnConnect=false\n", -1, NULL));
	test_daemon_start_rollerd(td, extra);
	test_daemon_discover(td, 1);
	test_daemon_connect(td);
	test_daemon_call_ok(td, td->roller_path, "org.rollerd.Roller2", "Sync", NULL);
	rollerctl(&r, "backup", during, NULL);
	if (r.status != 0)
		fail_msg("backup: %s", r.err);
	assert_true(test_daemon_wait_property(td, td->roller_path, "org.rollerd.Roller2",
					      "SyncState", "'idle'", 60000));
	rollerctl(&r, "backup", after, NULL);
	assert_int_equal(r.status, 0);

	sql(during, "PRAGMA integrity_check", "ok");
	sql(after, "SELECT count(*) FROM sessions", "40");
	rows_during = backup_rows(during);
	rows_after = backup_rows(after);
	for (guint i = 0; rows_during[i] && *rows_during[i]; i++)
		assert_true(g_strv_contains((const char *const *)rows_after, rows_during[i]));
}

static void
copy_file(const char *from, const char *to)
{
	g_autofree char *bytes = NULL;
	gsize len;

	assert_true(g_file_get_contents(from, &bytes, &len, NULL));
	assert_true(g_file_set_contents(to, bytes, (gssize)len, NULL));
}

static gboolean
is_exported(TestDaemon *td, const char *path)
{
	g_autoptr(GVariant) objects = test_daemon_call(td, MANAGER,
						       "org.freedesktop.DBus.ObjectManager",
						       "GetManagedObjects", NULL, NULL);
	g_autoptr(GVariant) dict = g_variant_get_child_value(objects, 0);
	g_autoptr(GVariant) found = g_variant_lookup_value(dict, path, NULL);

	return found != NULL;
}

static void
test_restore(void **state)
{
	TestDaemon *td = *state = synced_daemon();
	g_autofree char *good = path_in(td, "good.backup");
	g_autofree char *text = path_in(td, "notes.txt");
	g_autofree char *newer = path_in(td, "newer.backup");
	g_autofree char *damaged = path_in(td, "damaged.backup");
	g_autofree char *bytes = NULL;
	g_autofree char *kept = NULL;
	g_autoptr(GVariant) exported = NULL;
	g_autofree char *live = NULL;
	g_autofree char *set_version = NULL, *newer_message = NULL;
	const char *session_path;
	g_auto(Run) r = { 0 };
	int version;
	gsize len;

	rollerctl(&r, "backup", good, NULL);
	assert_int_equal(r.status, 0);

	assert_true(g_file_set_contents(text, "id,roller\r\n", -1, NULL));
	rollerctl(&r, "restore", text, NULL);
	expect_failure(&r, "not an SQLite database");
	copy_file(good, newer);
	version = schema_version(good);
	set_version = g_strdup_printf("PRAGMA user_version = %d", version + 1);
	sql(newer, set_version, NULL);
	rollerctl(&r, "restore", newer, NULL);
	newer_message = g_strdup_printf("schema version %d, newer than version %d",
					version + 1, version);
	expect_failure(&r, newer_message);
	assert_true(g_file_get_contents(good, &bytes, &len, NULL));
	memset(bytes + 2 * 4096, 0x5a, len - 2 * 4096);
	assert_true(g_file_set_contents(damaged, bytes, (gssize)len, NULL));
	rollerctl(&r, "restore", damaged, NULL);
	expect_failure(&r, "damaged");
	assert_int_equal(history_size(td), 3);

	/* A session deleted, one exported; the backup brings the history back. */
	rollerctl(&r, "delete", "1", NULL);
	assert_int_equal(r.status, 0);
	exported = test_daemon_call(td, MANAGER, MANAGER1, "GetSession",
				    g_variant_new("(t)", (guint64)2), NULL);
	g_variant_get(exported, "(&o)", &session_path);
	assert_true(is_exported(td, session_path));
	rollerctl(&r, "--json", "restore", good, NULL);
	if (r.status != 0)
		fail_msg("restore: %s", r.err);
	{
		g_autoptr(JsonNode) node = parse_json(r.out);

		kept = g_strdup(json_object_get_string_member(expect_object(node), "replaced"));
	}
	assert_true(g_str_has_prefix(kept, td->state_dir));
	assert_non_null(strstr(kept, "sessions.db.replaced-"));
	sql(kept, "SELECT count(*) FROM sessions", "2");
	assert_int_equal(history_size(td), 3);
	assert_false(is_exported(td, session_path));

	/* Not while a session runs: its end would land in the other journal. */
	rollerctl(&r, "start", "--area", "face", NULL);
	assert_int_equal(r.status, 0);
	live = g_strdup_printf("'%s/live'", td->roller_path);
	assert_true(test_daemon_wait_property(td, td->roller_path, "org.rollerd.Roller2",
					      "Session", live, 10000));
	rollerctl(&r, "restore", good, NULL);
	expect_failure(&r, "stop it");
	test_daemon_assert_alive(td);
}

/* The export of the whole history, ids left out (each journal has its own). */
static char *
export_without_ids(TestDaemon *td, const char *file)
{
	g_autoptr(GRegex) id = g_regex_new("\"id\" : [0-9]+", 0, 0, NULL);
	g_autofree char *json = NULL;
	g_auto(Run) r = { 0 };

	rollerctl(&r, "export", "--json", "--output", file, NULL);
	assert_int_equal(r.status, 0);
	assert_true(g_file_get_contents(file, &json, NULL, NULL));
	return g_regex_replace_literal(id, json, -1, 0, "\"id\" : _", 0, NULL);
}

static void
test_import_into_fresh_rollerd(void **state)
{
	TestDaemon *td = *state = synced_daemon();
	g_autofree char *file = path_in(td, "history.json");
	g_autofree char *again = path_in(td, "again.json");
	g_autofree char *bad = path_in(td, "bad.json");
	g_autofree char *before = export_without_ids(td, file);
	g_autofree char *after = NULL;
	g_auto(Run) r = { 0 };

	rollerctl(&r, "import", file, NULL);
	assert_int_equal(r.status, 0);
	assert_non_null(strstr(r.out, "Imported 0 sessions"));

	/* Another machine: a new state directory, an empty journal. */
	g_free(td->state_dir);
	td->state_dir = path_in(td, "rollerd-elsewhere");
	test_daemon_start_rollerd(td, NULL);
	assert_int_equal(history_size(td), 0);
	assert_true(g_file_set_contents(bad, "[{\"roller\": 5}]", -1, NULL));
	rollerctl(&r, "import", bad, NULL);
	expect_failure(&r, "Session 1 of the file");
	rollerctl(&r, "--json", "import", file, NULL);
	assert_int_equal(r.status, 0);
	{
		g_autoptr(JsonNode) node = parse_json(r.out);
		JsonObject *o = expect_object(node);

		assert_int_equal(json_object_get_int_member(o, "imported"), 3);
		assert_int_equal(json_object_get_int_member(o, "present"), 0);
	}
	rollerctl(&r, "import", file, NULL);
	assert_int_equal(r.status, 0);
	assert_non_null(strstr(r.out, "Imported 0 sessions"));
	assert_non_null(strstr(r.out, "3 were in the history already"));
	after = export_without_ids(td, again);
	assert_string_equal(before, after);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_backup, teardown),
		cmocka_unit_test_teardown(test_backup_during_sync, teardown),
		cmocka_unit_test_teardown(test_restore, teardown),
		cmocka_unit_test_teardown(test_import_into_fresh_rollerd, teardown),
	};

	return cmocka_run_group_tests_name("rollerctl journal", tests, NULL, NULL);
}
