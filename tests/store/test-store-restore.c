/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* rd-store-restore: what a backup must be, and the journal replaced whole. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include <glib/gstdio.h>
#include <sqlite3.h>

#include "test-store-util.h"
#include "daemon/store/rd-store-outbox.h"
#include "daemon/store/rd-store-restore.h"
#include "daemon/store/rd-store-schema.h"

/* A journal of @n sessions, closed, at dir/@name. */
static char *
make_journal(const TestStoreDir *d, const char *name, guint n)
{
	g_autofree char *path = g_build_filename(d->dir, name, NULL);
	g_autoptr(RdStore) store = rd_store_open(path, NULL);

	assert_non_null(store);
	for (guint i = 1; i <= n; i++) {
		g_autoptr(GBytes) rec = test_record_new((guint16)i, TEST_START + i * DAY, 1, 500, 7);

		test_commit(store, rec, RD_COMMIT_INSERTED);
	}
	return g_steal_pointer(&path);
}

static void
raw_exec(const char *path, const char *sql)
{
	sqlite3 *db = NULL;

	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
}

static void
expect_refused(const char *path, const char *mentions)
{
	g_autoptr(GError) error = NULL;
	int version = -1;

	assert_false(rd_store_restore_check(path, &version, &error));
	assert_true(g_error_matches(error, RD_ERROR, RD_ERROR_INVALID_ARGUMENTS));
	if (!strstr(error->message, mentions))
		fail_msg("'%s' does not mention '%s'", error->message, mentions);
}

static void
test_check_refuses_what_is_no_backup(void **state)
{
	g_autoptr(TestStoreDir) d = test_store_dir_new();
	g_autofree char *text = g_build_filename(d->dir, "notes.txt", NULL);
	g_autofree char *other = g_build_filename(d->dir, "other.db", NULL);
	g_autofree char *newer = make_journal(d, "newer.db", 2);
	g_autofree char *damaged = make_journal(d, "damaged.db", 40);
	g_autofree char *newer_sql = g_strdup_printf("PRAGMA user_version = %d",
						     RD_STORE_SCHEMA_VERSION + 1);
	g_autofree char *newer_text = g_strdup_printf("schema version %d, newer than version %d",
						      RD_STORE_SCHEMA_VERSION + 1,
						      RD_STORE_SCHEMA_VERSION);
	g_autofree char *bytes = NULL;
	gsize len;

	assert_true(g_file_set_contents(text, "id,roller\r\n1,RL\r\n", -1, NULL));
	expect_refused(text, "not an SQLite database");

	raw_exec(other, "CREATE TABLE photos (x); PRAGMA user_version = 1");
	expect_refused(other, "not a rollerd journal");

	raw_exec(newer, newer_sql);
	expect_refused(newer, newer_text);

	/* Page 3 on overwritten: the tables' pages no longer parse. */
	assert_true(g_file_get_contents(damaged, &bytes, &len, NULL));
	assert_true(len > 4 * 4096);
	memset(bytes + 2 * 4096, 0x5a, len - 2 * 4096);
	assert_true(g_file_set_contents(damaged, bytes, (gssize)len, NULL));
	expect_refused(damaged, "damaged");
}

static gint64
sessions_in(const char *path)
{
	g_autoptr(RdStore) store = rd_store_open(path, NULL);

	assert_non_null(store);
	return test_sql_int(store, "SELECT count(*) FROM sessions");
}

static void
test_replace_keeps_the_old_journal(void **state)
{
	g_autoptr(TestStoreDir) d = test_store_dir_new();
	g_autofree char *backup = make_journal(d, "backup.db", 3);
	g_autofree char *live = make_journal(d, "sessions.db", 5);
	g_autofree char *kept = NULL;
	g_autoptr(GError) error = NULL;
	RdStore *store = rd_store_open(live, NULL);
	int version = 0;

	assert_true(rd_store_restore_check(backup, &version, &error));
	assert_int_equal(version, RD_STORE_SCHEMA_VERSION);
	assert_true(rd_store_restore_replace(&store, backup, &kept, &error));
	assert_non_null(store);
	assert_false(g_file_test(backup, G_FILE_TEST_EXISTS));	/* renamed into place */
	assert_int_equal(test_sql_int(store, "SELECT count(*) FROM sessions"), 3);
	/* The store works on: a new session goes into the restored journal. */
	{
		g_autoptr(GBytes) rec = test_record_new(99, TEST_START + 99 * DAY, 1, 500, 7);

		/* Its id counts on from the replaced journal's 5: never given twice. */
		assert_int_equal(test_commit(store, rec, RD_COMMIT_INSERTED), 6);
	}
	rd_store_free(store);
	assert_true(g_str_has_prefix(kept, live));
	assert_non_null(strstr(kept, ".replaced-"));
	assert_int_equal(sessions_in(kept), 5);
	assert_int_equal(sessions_in(live), 4);
}

static gint64
outbox_in(const char *path)
{
	g_autoptr(RdStore) store = rd_store_open(path, NULL);
	g_autoptr(GError) error = NULL;
	gint64 n = -1;

	assert_non_null(store);
	assert_true(rd_store_outbox_count(store, &n, &error));
	return n;
}

/*
 * The worker thread's part: in a clinic the backup's history goes into
 * its outbox before it replaces the journal, out of one its outbox goes;
 * the candidate gets no identity file of its own.
 */
static void
test_prepare_sets_the_outbox(void **state)
{
	g_autoptr(TestStoreDir) d = test_store_dir_new();
	g_autofree char *candidate = make_journal(d, "restore-candidate", 3);
	g_autofree char *id_path = g_strconcat(candidate, ".id", NULL);
	g_autoptr(GError) error = NULL;

	assert_int_equal(g_unlink(id_path), 0);
	/* As Backup leaves it: rollback journal mode. */
	raw_exec(candidate, "PRAGMA journal_mode = DELETE");
	assert_true(rd_store_restore_prepare(candidate, TRUE, &error));
	assert_false(g_file_test(id_path, G_FILE_TEST_EXISTS));
	assert_true(outbox_in(candidate) >= 3);
	assert_int_equal(g_unlink(id_path), 0);
	assert_true(rd_store_restore_prepare(candidate, FALSE, &error));
	assert_false(g_file_test(id_path, G_FILE_TEST_EXISTS));
	assert_int_equal(outbox_in(candidate), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_check_refuses_what_is_no_backup),
		cmocka_unit_test(test_replace_keeps_the_old_journal),
		cmocka_unit_test(test_prepare_sets_the_outbox),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
