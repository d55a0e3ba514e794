/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A damaged journal is refused before anything writes to it (a file
 * truncated to 0 bytes or gone while its identity file says one was
 * there, a file that is no database, a page damaged mid-file), a first
 * start makes a journal and its identity, a committed record that
 * reads back different is caught, and damage SQLite meets later marks
 * the journal damaged.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/stat.h>
#include <cmocka.h>
#include <glib/gstdio.h>

#include "daemon/store/rd-store-db.h"
#include "test-store-util.h"

static char *
id_path_of(const TestStoreDir *d)
{
	return g_build_filename(d->dir, "history.id", NULL);
}

/* A journal of 30 sessions made by a first start, closed again. */
static TestStoreDir *
journal_new(void)
{
	TestStoreDir *d = test_store_dir_new();
	g_autoptr(GError) error = NULL;
	RdStore *store = rd_store_open(d->path, &error);

	assert_non_null(store);
	test_fill_history(store);
	assert_true(rd_store_flush(store, &error));
	rd_store_free(store);
	return d;
}

/* Opening is refused with a message naming the file and what to do. */
static void
assert_refused(const TestStoreDir *d, const char *mentions)
{
	g_autoptr(GError) error = NULL;
	RdStore *store = rd_store_open(d->path, &error);

	if (store)
		fail_msg("a damaged journal was opened");
	assert_true(g_error_matches(error, RD_ERROR, RD_ERROR_STORAGE_FAILED));
	if (!strstr(error->message, d->path) || !strstr(error->message, "restore a backup") ||
	    !strstr(error->message, mentions))
		fail_msg("unclear refusal: %s", error->message);
}

static void
test_first_start_makes_identity(void **state)
{
	g_autoptr(TestStoreDir) d = test_store_dir_new();
	g_autofree char *id_path = id_path_of(d);
	g_autoptr(GError) error = NULL;
	RdStore *store;
	GStatBuf st;

	store = rd_store_open(d->path, &error);
	assert_non_null(store);
	rd_store_free(store);
	assert_int_equal(g_stat(id_path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_true(st.st_size > 0);
	/* And again: the journal is whole, the identity stays. */
	store = rd_store_open(d->path, &error);
	assert_non_null(store);
	rd_store_free(store);
}

/* A journal from before identity files is adopted: it gets one. */
static void
test_identity_added_to_an_old_journal(void **state)
{
	g_autoptr(TestStoreDir) d = journal_new();
	g_autofree char *id_path = id_path_of(d);
	g_autoptr(GError) error = NULL;
	RdStore *store;

	assert_int_equal(g_unlink(id_path), 0);
	store = rd_store_open(d->path, &error);
	assert_non_null(store);
	assert_int_equal(test_sql_int(store, "SELECT count(*) FROM sessions"), 30);
	rd_store_free(store);
	assert_true(g_file_test(id_path, G_FILE_TEST_EXISTS));
}

static void
test_truncated_to_zero_refused(void **state)
{
	g_autoptr(TestStoreDir) d = journal_new();
	g_autoptr(GError) error = NULL;
	GStatBuf st;

	assert_true(g_file_set_contents(d->path, "", 0, &error));
	assert_refused(d, "empty");
	/* Left as it was: no new journal made in its place. */
	assert_int_equal(g_stat(d->path, &st), 0);
	assert_int_equal(st.st_size, 0);
}

static void
test_missing_refused(void **state)
{
	g_autoptr(TestStoreDir) d = journal_new();

	assert_int_equal(g_unlink(d->path), 0);
	assert_refused(d, "missing");
	assert_false(g_file_test(d->path, G_FILE_TEST_EXISTS));
}

static void
test_wrong_file_type_refused(void **state)
{
	g_autoptr(TestStoreDir) d = journal_new();
	g_autoptr(GError) error = NULL;
	g_autofree char *text = g_strnfill(8192, 'x');

	assert_true(g_file_set_contents(d->path, text, -1, &error));
	assert_refused(d, "not a database");
}

/* Not even a first start writes to a stranger's file. */
static void
test_wrong_file_type_refused_without_identity(void **state)
{
	g_autoptr(TestStoreDir) d = test_store_dir_new();
	g_autoptr(GError) error = NULL;
	g_autofree char *text = g_strnfill(8192, 'x');
	g_autofree char *id_path = id_path_of(d);

	assert_true(g_file_set_contents(d->path, text, -1, &error));
	assert_refused(d, "not a database");
	assert_false(g_file_test(id_path, G_FILE_TEST_EXISTS));
}

/*
 * Garbage over the page in the middle of the file, as a bad sector leaves
 * it, or with @all over every page after the first (the header).
 */
static void
damage_file(const char *path, gboolean all)
{
	g_autoptr(GError) error = NULL;
	g_autofree char *contents = NULL;
	gsize len, page = 4096, at, n;
	FILE *f;

	assert_true(g_file_get_contents(path, &contents, &len, &error));
	assert_true(len >= 4 * page);
	at = all ? page : len / page / 2 * page;
	n = all ? len - page : page;
	for (gsize i = 0; i < n; i++)
		contents[at + i] = (char)(0xA5 ^ i);
	/* In place: the store may have the file open. */
	f = fopen(path, "r+b");
	assert_non_null(f);
	assert_int_equal(fseek(f, (long)at, SEEK_SET), 0);
	assert_int_equal(fwrite(contents + at, 1, n, f), n);
	assert_int_equal(fclose(f), 0);
}

static void
test_damaged_mid_file_refused(void **state)
{
	g_autoptr(TestStoreDir) d = journal_new();

	damage_file(d->path, FALSE);
	assert_refused(d, "damaged");
}

/* What the sync keeps of @bytes at its commit. */
static void
check_of(GBytes *bytes, RdRecordCheck *check)
{
	struct roller_stored_record rec;

	test_record_decode(bytes, &rec);
	rd_store_record_check_init(check, &rec);
}

static void
test_read_back_catches_a_changed_row(void **state)
{
	g_autoptr(TestStoreDir) d = test_store_dir_new();
	g_autoptr(GBytes) bytes = test_record_new(3, TEST_START, 1, 500, 80);
	g_autoptr(GError) error = NULL;
	g_autoptr(RdStore) store = rd_store_open(d->path, &error);
	RdStoreDb *db = rd_store_get_db(store);
	RdRecordCheck check;

	test_commit(store, bytes, RD_COMMIT_INSERTED);
	check_of(bytes, &check);
	assert_true(rd_store_read_back_record(store, TEST_SERIAL, &check, &error));

	/* One stroke more than the roller counted. */
	assert_int_equal(sqlite3_exec(db->sqlite, "UPDATE sessions SET strokes = strokes + 1",
				      NULL, NULL, NULL), SQLITE_OK);
	assert_false(rd_store_read_back_record(store, TEST_SERIAL, &check, &error));
	assert_true(g_error_matches(error, RD_ERROR, RD_ERROR_STORAGE_FAILED));
	assert_non_null(strstr(error->message, "Record 3"));
	g_clear_error(&error);
	assert_int_equal(sqlite3_exec(db->sqlite, "UPDATE sessions SET strokes = strokes - 1",
				      NULL, NULL, NULL), SQLITE_OK);
	assert_true(rd_store_read_back_record(store, TEST_SERIAL, &check, &error));

	/* A trace value of a synced-only row. */
	assert_int_equal(sqlite3_exec(db->sqlite,
				      "UPDATE sessions SET trace = zeroblob(length(trace))",
				      NULL, NULL, NULL), SQLITE_OK);
	assert_false(rd_store_read_back_record(store, TEST_SERIAL, &check, &error));
	g_clear_error(&error);

	/* Gone altogether. */
	assert_int_equal(sqlite3_exec(db->sqlite, "DELETE FROM sessions", NULL, NULL, NULL),
			 SQLITE_OK);
	assert_false(rd_store_read_back_record(store, TEST_SERIAL, &check, &error));
	assert_non_null(strstr(error->message, "Record 3"));
}

/* Merged with its live half, the row keeps the live trace: still equal. */
static void
test_read_back_of_a_merged_record(void **state)
{
	g_autoptr(TestStoreDir) d = test_store_dir_new();
	g_autoptr(GBytes) bytes = test_record_new(4, TEST_START, 1, 500, 80);
	g_autoptr(GError) error = NULL;
	g_autoptr(RdStore) store = rd_store_open(d->path, &error);
	RdLiveSessionRow live;
	RdRecordCheck check;

	test_live_row_init(&live, 4, TEST_START + 5, 1, 500, 78, 200);
	assert_true(rd_store_save_live_session(store, &live, NULL, NULL, &error));
	test_commit(store, bytes, RD_COMMIT_MERGED);
	check_of(bytes, &check);
	assert_true(rd_store_read_back_record(store, TEST_SERIAL, &check, &error));
}

/*
 * Damage that appears while rollerd runs: the first error SQLite reports
 * of it marks the journal damaged (the sync then deletes nothing).  A
 * full disk does not: tests/integration/test-daemon-sync's test_full_disk.
 */
static void
test_damage_seen_while_open(void **state)
{
	g_autoptr(TestStoreDir) d = journal_new();
	g_autoptr(GError) error = NULL;
	g_autoptr(RdStore) store = rd_store_open(d->path, &error);
	g_autofree char *json = NULL;
	RdSessionFilter filter = RD_SESSION_FILTER_INIT;

	assert_non_null(store);
	assert_false(rd_store_is_damaged(store));
	damage_file(d->path, TRUE);
	/* What SQLite holds from the start's check is read again. */
	sqlite3_db_release_memory(rd_store_get_db(store)->sqlite);
	/* Every page: the export reads each session whole. */
	assert_false(rd_store_export_sessions(store, &filter, "json", &json, &error));
	assert_true(rd_store_is_damaged(store));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_first_start_makes_identity),
		cmocka_unit_test(test_identity_added_to_an_old_journal),
		cmocka_unit_test(test_truncated_to_zero_refused),
		cmocka_unit_test(test_missing_refused),
		cmocka_unit_test(test_wrong_file_type_refused),
		cmocka_unit_test(test_wrong_file_type_refused_without_identity),
		cmocka_unit_test(test_damaged_mid_file_refused),
		cmocka_unit_test(test_read_back_catches_a_changed_row),
		cmocka_unit_test(test_read_back_of_a_merged_record),
		cmocka_unit_test(test_damage_seen_while_open),
	};

	return cmocka_run_group_tests_name("store damage", tests, NULL, NULL);
}
