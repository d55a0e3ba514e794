/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* rd-store-backup: a consistent copy while commits go on, and bad fds refused. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>
#include <sys/resource.h>
#include <cmocka.h>
#include <glib/gstdio.h>
#include <sqlite3.h>

#include "test-store-util.h"
#include "daemon/store/rd-store-backup.h"
#include "daemon/store/rd-store-db.h"

/* @n sessions of 4 KiB each, in one statement: a journal of many pages. */
static void
add_bulk_sessions(RdStore *store, int n)
{
	g_autofree char *sql = g_strdup_printf(
		"WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < %d) "
		"INSERT INTO sessions (roller_serial, roller_address, record_id, area_id, "
		"start_unix, clock_set, record_start, record_crc, duration_ms, needle_um, "
		"strokes, force_mean_cn, force_max_cn, in_band_permille, dir_vertical, "
		"dir_diagonal, dir_horizontal, dir_antidiagonal, cols, rows, passes, "
		"trace_period_ms, trace, source, synced_at, created_at) "
		"SELECT 'RL-BULK', '', x, 1, 1700000000 + x, 1, 1700000000 + x, 0, 60000, 500, "
		"x, 100, 200, 500, 1, 1, 1, 1, 1, 1, x'01', 1000, randomblob(4096), 'synced', "
		"0, 0 FROM c", n);

	assert_int_equal(sqlite3_exec(rd_store_get_db(store)->sqlite, sql, NULL, NULL, NULL),
			 SQLITE_OK);
}

typedef struct {
	gboolean done;
	GError *error;
} Outcome;

static void
on_done(const GError *error, gpointer user_data)
{
	Outcome *o = user_data;

	o->done = TRUE;
	o->error = error ? g_error_copy(error) : NULL;
}

/* "id:strokes,..." of every session, by id. */
static char *
sessions_digest(sqlite3 *db)
{
	sqlite3_stmt *stmt = NULL;
	char *out;

	assert_int_equal(sqlite3_prepare_v2(db, "SELECT group_concat(id || ':' || strokes, ',') "
					    "FROM (SELECT id, strokes FROM sessions ORDER BY id)",
					    -1, &stmt, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(stmt), SQLITE_ROW);
	out = g_strdup((const char *)sqlite3_column_text(stmt, 0));
	sqlite3_finalize(stmt);
	return out;
}

static char *
open_copy_digest(const char *path)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *stmt = NULL;
	char *digest;

	assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &stmt, NULL),
			 SQLITE_OK);
	assert_int_equal(sqlite3_step(stmt), SQLITE_ROW);
	assert_string_equal(sqlite3_column_text(stmt, 0), "ok");
	sqlite3_finalize(stmt);
	digest = sessions_digest(db);
	sqlite3_close(db);
	return digest;
}

typedef struct {
	RdStore *store;
	guint16 next_id;
	GPtrArray *states;	/* the journal's digest before and after each commit */
} Writer;

/* A sync's commits, one per main loop iteration, beside the backup's steps. */
static gboolean
commit_one(gpointer user_data)
{
	Writer *w = user_data;
	g_autoptr(GBytes) rec = test_record_new(w->next_id, TEST_START + w->next_id, 2, 500,
					       w->next_id);

	test_commit(w->store, rec, RD_COMMIT_INSERTED);
	w->next_id++;
	g_ptr_array_add(w->states, sessions_digest(rd_store_get_db(w->store)->sqlite));
	return G_SOURCE_CONTINUE;
}

/*
 * The copy is the journal as it stood at one moment (the backup's last
 * step), commits made while the backup ran included: never a mix.
 */
static void
test_backup_while_commits_is_consistent(void **state)
{
	TestStoreFixture *f = *state;
	g_autofree char *out_path = g_build_filename(f->dir->dir, "copy.db", NULL);
	g_autofree char *copy = NULL;
	g_autoptr(RdStoreBackup) backup = NULL;
	g_autoptr(GError) error = NULL;
	g_autoptr(GPtrArray) states = g_ptr_array_new_with_free_func(g_free);
	Outcome outcome = { 0 };
	Writer w = { f->store, 1, states };
	guint writer;
	gboolean found = FALSE;
	int fd;

	add_bulk_sessions(f->store, 1000);	/* some 1000 pages: several steps */
	g_ptr_array_add(states, sessions_digest(rd_store_get_db(f->store)->sqlite));
	fd = g_open(out_path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	assert_true(fd >= 0);
	writer = g_idle_add(commit_one, &w);
	backup = rd_store_backup_start(f->store, f->dir->dir, fd, on_done, &outcome, &error);
	close(fd);	/* the backup keeps its own */
	while (backup && !outcome.done)
		g_main_context_iteration(NULL, TRUE);
	g_source_remove(writer);
	assert_non_null(backup);
	assert_null(outcome.error);

	copy = open_copy_digest(out_path);
	for (guint i = 1; i < states->len && !found; i++)
		found = g_str_equal(copy, g_ptr_array_index(states, i));
	assert_true(found);
}

/* Only the journal's own files are left in its directory. */
static void
assert_no_temporary_files(const char *dir)
{
	g_autoptr(GDir) d = g_dir_open(dir, 0, NULL);
	const char *name;

	while ((name = g_dir_read_name(d)))
		assert_false(g_str_has_prefix(name, ".backup-"));
}

static void
expect_refused(RdStore *store, const char *dir, int fd, const char *mentions)
{
	g_autoptr(GError) error = NULL;
	Outcome outcome = { 0 };

	assert_null(rd_store_backup_start(store, dir, fd, on_done, &outcome, &error));
	assert_true(g_error_matches(error, RD_ERROR, RD_ERROR_INVALID_ARGUMENTS));
	if (!strstr(error->message, mentions))
		fail_msg("'%s' does not mention '%s'", error->message, mentions);
	assert_false(outcome.done);
}

static void
test_backup_refuses_bad_fds(void **state)
{
	TestStoreFixture *f = *state;
	g_autofree char *ro_path = g_build_filename(f->dir->dir, "read-only", NULL);
	int pipe_fds[2];
	int fd;

	assert_int_equal(pipe(pipe_fds), 0);
	expect_refused(f->store, f->dir->dir, pipe_fds[1], "a pipe");
	close(pipe_fds[0]);
	close(pipe_fds[1]);

	fd = g_open(f->dir->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0);
	expect_refused(f->store, f->dir->dir, fd, "a directory");
	close(fd);

	assert_true(g_file_set_contents(ro_path, "", 0, NULL));
	fd = g_open(ro_path, O_RDONLY | O_CLOEXEC, 0);
	expect_refused(f->store, f->dir->dir, fd, "for reading only");
	close(fd);
	fd = g_open(ro_path, O_WRONLY | O_APPEND | O_CLOEXEC, 0);
	expect_refused(f->store, f->dir->dir, fd, "appending");
	close(fd);
	assert_no_temporary_files(f->dir->dir);
}

/* A full disk (the file size limit): an error, and no copy that looks whole. */
static void
test_backup_on_full_disk_leaves_nothing(void **state)
{
	TestStoreFixture *f = *state;
	g_autofree char *out_path = g_build_filename(f->dir->dir, "copy.db", NULL);
	g_autoptr(RdStoreBackup) backup = NULL;
	g_autoptr(GError) error = NULL;
	struct rlimit old, small = { 256 * 1024, 0 };
	Outcome outcome = { 0 };
	GStatBuf st;
	int fd;

	add_bulk_sessions(f->store, 200);	/* some 1 MiB */
	assert_true(rd_store_flush(f->store, NULL));
	fd = g_open(out_path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	assert_true(fd >= 0);
	signal(SIGXFSZ, SIG_IGN);
	assert_int_equal(getrlimit(RLIMIT_FSIZE, &old), 0);
	small.rlim_max = old.rlim_max;
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &small), 0);
	backup = rd_store_backup_start(f->store, f->dir->dir, fd, on_done, &outcome, &error);
	assert_non_null(backup);
	while (!outcome.done)
		g_main_context_iteration(NULL, TRUE);
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &old), 0);
	close(fd);

	assert_non_null(outcome.error);
	assert_true(g_error_matches(outcome.error, RD_ERROR, RD_ERROR_STORAGE_FAILED));
	g_clear_error(&outcome.error);
	assert_int_equal(g_stat(out_path, &st), 0);
	assert_int_equal(st.st_size, 0);
	g_clear_pointer(&backup, rd_store_backup_free);
	assert_no_temporary_files(f->dir->dir);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
#define T(name) cmocka_unit_test_setup_teardown(name, test_store_setup, test_store_teardown)
		T(test_backup_while_commits_is_consistent),
		T(test_backup_refuses_bad_fds),
		T(test_backup_on_full_disk_leaves_nothing),
#undef T
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
