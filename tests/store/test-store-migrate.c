/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * rd-store's schema and failure modes: the migration from every earlier
 * version, refusal of newer and broken files, a full disk, a read-only
 * file.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>
#include <glib/gstdio.h>

#include "daemon/store/rd-store-db.h"
#include "daemon/store/rd-store-restore.h"
#include "daemon/store/rd-store-people.h"
#include "daemon/store/rd-store-schema.h"
#include "test-store-util.h"

#define NOBODY 65534
#define EXIT_SKIP 77

/*
 * Schema version 1 exactly as rollerd 0.1 created it: frozen here, so a
 * change to the shipped migration (instead of a new one) fails this test.
 */
static const char frozen_schema_v1[] =
	"CREATE TABLE sessions (\n"
	"	id INTEGER PRIMARY KEY AUTOINCREMENT,\n"
	"	roller_serial TEXT NOT NULL CHECK (roller_serial <> ''),\n"
	"	roller_address TEXT NOT NULL,\n"
	"	record_id INTEGER NOT NULL CHECK (record_id BETWEEN 0 AND 65535),\n"
	"	area_id INTEGER NOT NULL CHECK (area_id BETWEEN 0 AND 255),\n"
	"	start_unix INTEGER NOT NULL,\n"
	"	clock_set INTEGER NOT NULL CHECK (clock_set IN (0, 1)),\n"
	"	record_start INTEGER,\n"
	"	record_crc INTEGER,\n"
	"	live_start INTEGER,\n"
	"	duration_ms INTEGER NOT NULL,\n"
	"	end_reason INTEGER,\n"
	"	needle_um INTEGER NOT NULL,\n"
	"	strokes INTEGER NOT NULL,\n"
	"	force_mean_cn INTEGER NOT NULL,\n"
	"	force_max_cn INTEGER NOT NULL,\n"
	"	in_band_permille INTEGER NOT NULL CHECK (in_band_permille BETWEEN 0 AND 1000),\n"
	"	dir_vertical INTEGER NOT NULL,\n"
	"	dir_diagonal INTEGER NOT NULL,\n"
	"	dir_horizontal INTEGER NOT NULL,\n"
	"	dir_antidiagonal INTEGER NOT NULL,\n"
	"	cols INTEGER NOT NULL CHECK (cols BETWEEN 1 AND 15),\n"
	"	rows INTEGER NOT NULL CHECK (rows BETWEEN 1 AND 15),\n"
	"	passes BLOB NOT NULL CHECK (length(passes) = cols * rows),\n"
	"	trace_period_ms INTEGER NOT NULL,\n"
	"	trace BLOB NOT NULL,\n"
	"	source TEXT NOT NULL CHECK (source IN ('live', 'synced', 'both')),\n"
	"	synced_at INTEGER,\n"
	"	created_at INTEGER NOT NULL,\n"
	"	frames_lost INTEGER NOT NULL DEFAULT 0,\n"
	"	CHECK ((source = 'live') = (record_start IS NULL)),\n"
	"	CHECK ((source = 'synced') = (live_start IS NULL)),\n"
	"	UNIQUE (roller_serial, record_id, record_start, record_crc),\n"
	"	UNIQUE (roller_serial, record_id, live_start)\n"
	");\n"
	"CREATE INDEX sessions_by_start ON sessions (start_unix, id);\n"
	"CREATE INDEX sessions_by_serial ON sessions (roller_serial, start_unix, id);\n"
	"CREATE INDEX sessions_by_address ON sessions (roller_address, start_unix, id);\n"
	"CREATE INDEX sessions_by_area ON sessions (area_id, start_unix, id);\n";

/*
 * Data a 0.1 user has: roller A with two 500 um sessions (one live and
 * synced), then a 1000 um one; roller B with a live-only session.
 */
static const char v1_data[] =
	"INSERT INTO sessions VALUES (1, 'RL-A', 'AA:AA', 1, 7, 1767225600, 1, 1767225600, 0, NULL, "
	"  600000, 0, 500, 100, 250, 480, 800, 25, 25, 25, 25, 2, 2, x'01020304', 1000, x'6400c800', "
	"  'synced', 1767230000, 1767230000, 0);"
	"INSERT INTO sessions VALUES (2, 'RL-A', 'AA:AA', 2, 7, 1767312000, 1, 1767312000, 0, 1767312010, "
	"  500000, 0, 500, 50, 240, 470, 790, 20, 10, 10, 10, 2, 2, x'05060708', 50, x'2c01', "
	"  'both', 1767320000, 1767312600, 4);"
	"INSERT INTO sessions VALUES (3, 'RL-A', 'AA:AA', 3, 2, 1767398400, 1, 1767398400, 0, NULL, "
	"  400000, 1, 1000, 30, 230, 460, 780, 30, 0, 0, 0, 1, 1, x'09', 0, x'', "
	"  'synced', 1767400000, 1767400000, 0);"
	"INSERT INTO sessions VALUES (4, 'RL-B', 'BB:BB', 1, 1, 1767484800, 0, NULL, NULL, 1767484800, "
	"  300000, NULL, 250, 20, 220, 450, 770, 5, 5, 5, 5, 1, 1, x'0a', 0, x'', "
	"  'live', NULL, 1767485100, 2);"
	"PRAGMA user_version = 1;";

/* Version 2 as rollerd 0.2 added it, frozen likewise. */
static const char frozen_schema_v2[] =
	"CREATE TABLE heads (\n"
	"	id INTEGER PRIMARY KEY,\n"
	"	roller_serial TEXT NOT NULL,\n"
	"	needle_um INTEGER NOT NULL,\n"
	"	fitted_at INTEGER NOT NULL,\n"
	"	sessions INTEGER NOT NULL DEFAULT 0,\n"
	"	strokes INTEGER NOT NULL DEFAULT 0\n"
	");\n"
	"CREATE INDEX heads_by_serial ON heads (roller_serial, fitted_at, id);\n"
	"CREATE TABLE session_notes (\n"
	"	session_id INTEGER PRIMARY KEY REFERENCES sessions (id) ON DELETE CASCADE,\n"
	"	topical TEXT,\n"
	"	numbing INTEGER CHECK (numbing IN (0, 1)),\n"
	"	redness TEXT CHECK (redness IN ('none', 'mild', 'moderate', 'strong')),\n"
	"	text TEXT,\n"
	"	cleaned INTEGER CHECK (cleaned IN (0, 1)),\n"
	"	updated_at INTEGER NOT NULL\n"
	");\n"
	"ALTER TABLE sessions ADD COLUMN head_id INTEGER REFERENCES heads (id) ON DELETE SET NULL;\n"
	"CREATE INDEX sessions_by_head ON sessions (head_id);\n";

/*
 * What a 0.2 user has on top of v1_data: the heads its migration rebuilt,
 * a session deleted (its id must not come back), and notes.
 */
static const char v2_data[] =
	"INSERT INTO heads VALUES (1, 'RL-A', 500, 1767225600, 2, 150);"
	"INSERT INTO heads VALUES (2, 'RL-A', 1000, 1767398400, 1, 30);"
	"INSERT INTO heads VALUES (3, 'RL-B', 250, 1767484800, 1, 20);"
	"UPDATE sessions SET head_id = CASE id WHEN 3 THEN 2 WHEN 4 THEN 3 ELSE 1 END;"
	"INSERT INTO sessions VALUES (5, 'RL-B', 'BB:BB', 2, 1, 1767571200, 0, NULL, NULL, "
	"  1767571200, 300000, NULL, 250, 20, 220, 450, 770, 5, 5, 5, 5, 1, 1, x'0a', 0, x'', "
	"  'live', NULL, 1767571500, 0, 3);"
	"DELETE FROM sessions WHERE id = 5;"
	"INSERT INTO session_notes VALUES (2, 'HA serum', 1, 'mild', 'ok', 1, 1767320000);"
	"PRAGMA user_version = 2;";

static sqlite3 *
raw_open(const char *path)
{
	sqlite3 *db = NULL;

	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	return db;
}

static void
raw_exec(sqlite3 *db, const char *sql)
{
	if (sqlite3_exec(db, sql, NULL, NULL, NULL) != SQLITE_OK)
		fail_msg("%s: %s", sql, sqlite3_errmsg(db));
}

static char *
raw_text(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *stmt = NULL;
	GString *out = g_string_new(NULL);

	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &stmt, NULL), SQLITE_OK);
	while (sqlite3_step(stmt) == SQLITE_ROW) {
		for (int i = 0; i < sqlite3_column_count(stmt); i++)
			g_string_append_printf(out, "%s|", sqlite3_column_text(stmt, i));
		g_string_append_c(out, '\n');
	}
	sqlite3_finalize(stmt);
	return g_string_free(out, FALSE);
}

/* Every row of @sql, blobs in hex and NULL as such: one line a row. */
static char *
raw_rows(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *stmt = NULL;
	GString *out = g_string_new(NULL);

	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &stmt, NULL), SQLITE_OK);
	while (sqlite3_step(stmt) == SQLITE_ROW) {
		for (int i = 0; i < sqlite3_column_count(stmt); i++) {
			const guint8 *blob;

			switch (sqlite3_column_type(stmt, i)) {
			case SQLITE_NULL:
				g_string_append(out, "NULL|");
				break;
			case SQLITE_BLOB:
				blob = sqlite3_column_blob(stmt, i);
				for (int b = 0; b < sqlite3_column_bytes(stmt, i); b++)
					g_string_append_printf(out, "%02x", blob[b]);
				g_string_append_c(out, '|');
				break;
			default:
				g_string_append_printf(out, "%s|", sqlite3_column_text(stmt, i));
			}
		}
		g_string_append_c(out, '\n');
	}
	sqlite3_finalize(stmt);
	return g_string_free(out, FALSE);
}

static void
make_v1_database(const char *path, const char *extra_sql)
{
	sqlite3 *db = raw_open(path);

	raw_exec(db, frozen_schema_v1);
	raw_exec(db, v1_data);
	if (extra_sql)
		raw_exec(db, extra_sql);
	sqlite3_close(db);
}

static void
make_v2_database(const char *path, const char *extra_sql)
{
	g_autofree char *v2 = g_strconcat(frozen_schema_v2, v2_data, extra_sql, NULL);

	make_v1_database(path, v2);
}

static void
test_fresh_database_is_wal_and_current(void **state)
{
	g_autoptr(TestStoreDir) d = test_store_dir_new();
	g_autoptr(GError) error = NULL;
	g_autoptr(RdStore) store = rd_store_open(d->path, &error);
	g_autofree char *mode = NULL;

	assert_non_null(store);
	mode = raw_text(rd_store_get_db(store)->sqlite, "PRAGMA journal_mode");
	assert_string_equal(mode, "wal|\n");
	assert_int_equal(test_sql_int(store, "PRAGMA user_version"), RD_STORE_SCHEMA_VERSION);
	/* NORMAL: durable at rd_store_flush() (test-store), not at each commit. */
	assert_int_equal(test_sql_int(store, "PRAGMA synchronous"), 1);
	assert_int_equal(test_sql_int(store, "PRAGMA foreign_keys"), 1);
	assert_true(test_sql_int(store, "PRAGMA busy_timeout") > 0);
}

static void
test_migrates_from_v1(void **state)
{
	g_autoptr(TestStoreDir) d = test_store_dir_new();
	g_autoptr(TestStoreDir) fresh_dir = test_store_dir_new();
	g_autoptr(GError) error = NULL;
	g_autoptr(RdStore) store = NULL;
	g_autoptr(RdStore) fresh = NULL;
	g_autoptr(GPtrArray) rows = NULL;
	g_autoptr(RdSession) s = NULL;
	g_autoptr(GBytes) again = test_record_new(1, 1767225600, 7, 500, 100);
	g_autofree char *schema = NULL;
	g_autofree char *fresh_schema = NULL;
	RdSessionFilter filter = RD_SESSION_FILTER_INIT;
	RdHeadUsage u;
	RdCommitResult result;
	gint64 id;
	const char *text;

	make_v1_database(d->path, NULL);
	store = rd_store_open(d->path, &error);
	if (!store)
		fail_msg("open v1: %s", error->message);
	assert_int_equal(test_sql_int(store, "PRAGMA user_version"), RD_STORE_SCHEMA_VERSION);

	/* The sessions survived, as they were. */
	assert_true(rd_store_query_sessions(store, &filter, &rows, &error));
	assert_int_equal(rows->len, 4);
	assert_int_equal(((RdSessionSummary *)g_ptr_array_index(rows, 0))->id, 4);
	assert_true(rd_store_get_session(store, 2, &s, &error));
	assert_int_equal(s->summary.source, RD_SESSION_SOURCE_BOTH);
	assert_int_equal(s->summary.strokes, 50);
	assert_int_equal(s->frames_lost, 4);
	assert_int_equal(s->trace_len, 1);
	assert_int_equal(s->trace[0], 300);
	assert_int_equal(s->passes[3], 8);
	assert_int_equal(g_variant_n_children(s->notes), 0);

	/* Heads were rebuilt from the needle lengths. */
	assert_true(rd_store_head_usage(store, "RL-A", &u, &error));
	assert_int_equal(u.needle_um, 1000);
	assert_int_equal(u.sessions, 1);
	assert_int_equal(u.fitted_at, 1767398400);
	assert_int_equal(test_sql_int(store, "SELECT strokes FROM heads WHERE needle_um = 500"), 150);
	assert_int_equal(test_sql_int(store, "SELECT count(*) FROM sessions WHERE head_id IS NULL"), 0);
	assert_true(rd_store_head_usage(store, "RL-B", &u, &error));
	assert_int_equal(u.strokes, 20);

	/* The keys still hold, the new tables work. */
	assert_true(test_commit_bytes(store, "RL-A", "AA:AA", again, &result, &id, &error));
	assert_int_equal(result, RD_COMMIT_DUPLICATE);
	assert_int_equal(id, 1);
	assert_true(rd_store_set_notes(store, 4, g_variant_new_parsed("{'text': <'v1 session'>}"),
				       &error));
	g_clear_pointer(&s, rd_session_free);
	assert_true(rd_store_get_session(store, 4, &s, &error));
	assert_true(g_variant_lookup(s->notes, "text", "&s", &text));
	assert_string_equal(text, "v1 session");
	/* New ids continue after the old ones. */
	g_clear_pointer(&again, g_bytes_unref);
	again = test_record_new(9, 1767571200, 7, 1000, 10);
	assert_true(test_commit(store, again, RD_COMMIT_INSERTED) > 4);

	/* A migrated database has the schema of a new one. */
	fresh = rd_store_open(fresh_dir->path, &error);
	assert_non_null(fresh);
	schema = raw_text(rd_store_get_db(store)->sqlite,
			  "SELECT type, name, sql FROM sqlite_master ORDER BY name");
	fresh_schema = raw_text(rd_store_get_db(fresh)->sqlite,
				"SELECT type, name, sql FROM sqlite_master ORDER BY name");
	assert_string_equal(schema, fresh_schema);
}

/* Every session of 0.2 goes, as it was, to the default person. */
static void
test_migrates_from_v2(void **state)
{
	g_autoptr(TestStoreDir) d = test_store_dir_new();
	g_autoptr(GError) error = NULL;
	g_autoptr(RdStore) store = NULL;
	g_autoptr(GPtrArray) rows = NULL;
	g_autoptr(GPtrArray) people = NULL;
	g_autoptr(RdSession) s = NULL;
	g_autofree char *before = NULL;
	g_autofree char *after = NULL;
	g_autofree char *check = NULL;
	RdSessionFilter filter = RD_SESSION_FILTER_INIT;
	RdHeadUsage u;
	sqlite3 *db;
	const char *text;

	make_v2_database(d->path, NULL);
	db = raw_open(d->path);
	before = raw_rows(db, "SELECT * FROM sessions ORDER BY id");
	sqlite3_close(db);

	store = rd_store_open(d->path, &error);
	if (!store)
		fail_msg("open v2: %s", error->message);
	assert_int_equal(test_sql_int(store, "PRAGMA user_version"), RD_STORE_SCHEMA_VERSION);
	/* Each row as it was, with the default person after it. */
	after = raw_rows(rd_store_get_db(store)->sqlite, "SELECT * FROM sessions ORDER BY id");
	{
		g_autoptr(GString) expect = g_string_new(NULL);
		g_auto(GStrv) lines = g_strsplit(before, "\n", -1);

		for (guint i = 0; lines[i] && *lines[i]; i++)
			g_string_append_printf(expect, "%s1|\n", lines[i]);
		assert_string_equal(after, expect->str);
	}
	assert_true(rd_store_list_people(store, &people, &error));
	assert_int_equal(people->len, 1);
	assert_string_equal(((RdPerson *)people->pdata[0])->name, "Me");
	assert_int_equal(((RdPerson *)people->pdata[0])->sessions, 4);

	filter.person_id = RD_PERSON_DEFAULT_ID;
	assert_true(rd_store_query_sessions(store, &filter, &rows, &error));
	assert_int_equal(rows->len, 4);
	assert_true(rd_store_get_session(store, 2, &s, &error));
	assert_true(g_variant_lookup(s->notes, "topical", "&s", &text));
	assert_string_equal(text, "HA serum");
	assert_string_equal(s->summary.person_name, "Me");
	assert_true(rd_store_head_usage(store, "RL-A", &u, &error));
	assert_int_equal(u.head_id, 2);
	assert_int_equal(u.strokes, 30);
	check = raw_text(rd_store_get_db(store)->sqlite, "PRAGMA foreign_key_check");
	assert_string_equal(check, "");
	g_free(check);
	check = raw_text(rd_store_get_db(store)->sqlite, "PRAGMA integrity_check");
	assert_string_equal(check, "ok|\n");

	/* A deleted session's id still does not come back. */
	{
		g_autoptr(GBytes) rec = test_record_new(9, 1767657600, 7, 1000, 10);

		assert_int_equal(test_commit(store, rec, RD_COMMIT_INSERTED), 6);
	}
}

static void
test_failed_migration_from_v2_changes_nothing(void **state)
{
	g_autoptr(TestStoreDir) d = test_store_dir_new();
	g_autoptr(GError) error = NULL;
	g_autofree char *version = NULL;
	g_autofree char *columns = NULL;
	sqlite3 *db;

	/* A table in the way makes version 3's CREATE TABLE fail. */
	make_v2_database(d->path, "CREATE TABLE reminders (x)");
	assert_null(rd_store_open(d->path, &error));
	assert_true(g_error_matches(error, RD_ERROR, RD_ERROR_STORAGE_FAILED));
	assert_non_null(strstr(error->message, "version 2 to 3"));

	db = raw_open(d->path);
	version = raw_text(db, "PRAGMA user_version");
	assert_string_equal(version, "2|\n");
	assert_int_equal(sqlite3_exec(db, "SELECT * FROM people", NULL, NULL, NULL), SQLITE_ERROR);
	columns = raw_text(db, "SELECT count(*) FROM pragma_table_info('sessions') "
			   "WHERE name = 'person_id'");
	assert_string_equal(columns, "0|\n");
	sqlite3_close(db);
}

static void
test_failed_migration_changes_nothing(void **state)
{
	g_autoptr(TestStoreDir) d = test_store_dir_new();
	g_autoptr(GError) error = NULL;
	g_autofree char *version = NULL;
	g_autofree char *count = NULL;
	RdStore *store;
	sqlite3 *db;

	/* A table in the way makes version 2's CREATE TABLE fail halfway. */
	make_v1_database(d->path, "CREATE TABLE heads (x)");
	store = rd_store_open(d->path, &error);
	assert_null(store);
	assert_true(g_error_matches(error, RD_ERROR, RD_ERROR_STORAGE_FAILED));
	assert_non_null(strstr(error->message, "version 1 to 2"));

	db = raw_open(d->path);
	assert_int_equal(sqlite3_exec(db, "SELECT * FROM session_notes", NULL, NULL, NULL),
			 SQLITE_ERROR);
	version = raw_text(db, "PRAGMA user_version");
	assert_string_equal(version, "1|\n");
	count = raw_text(db, "SELECT count(*) FROM sessions");
	assert_string_equal(count, "4|\n");
	sqlite3_close(db);
}

static void
test_newer_schema_is_refused_untouched(void **state)
{
	g_autoptr(TestStoreDir) d = test_store_dir_new();
	g_autoptr(GError) error = NULL;
	g_autofree char *mode = NULL;
	sqlite3 *db = raw_open(d->path);
	RdStore *store;

	raw_exec(db, "CREATE TABLE from_the_future (x); PRAGMA user_version = 99");
	sqlite3_close(db);
	store = rd_store_open(d->path, &error);
	assert_null(store);
	assert_true(g_error_matches(error, RD_ERROR, RD_ERROR_STORAGE_FAILED));
	assert_non_null(strstr(error->message, "newer"));

	db = raw_open(d->path);
	mode = raw_text(db, "PRAGMA user_version");
	assert_string_equal(mode, "99|\n");
	g_free(mode);
	mode = raw_text(db, "PRAGMA journal_mode");
	assert_string_equal(mode, "delete|\n");	/* not even WAL was switched on */
	sqlite3_close(db);
}

static void
test_not_a_database_is_refused(void **state)
{
	g_autoptr(TestStoreDir) d = test_store_dir_new();
	g_autoptr(GError) error = NULL;
	g_autofree char *junk = g_strnfill(4096, 'j');

	assert_true(g_file_set_contents(d->path, junk, -1, NULL));
	assert_null(rd_store_open(d->path, &error));
	assert_true(g_error_matches(error, RD_ERROR, RD_ERROR_STORAGE_FAILED));
}

static void
set_max_page_count(RdStore *store, gint64 pages)
{
	g_autofree char *sql = g_strdup_printf("PRAGMA max_page_count = %" G_GINT64_FORMAT, pages);

	raw_exec(rd_store_get_db(store)->sqlite, sql);
}

static void
test_full_disk_fails_whole_then_recovers(void **state)
{
	g_autoptr(TestStoreDir) d = test_store_dir_new();
	g_autoptr(GError) error = NULL;
	g_autoptr(RdStore) store = rd_store_open(d->path, &error);
	g_autoptr(GBytes) big = NULL;
	struct roller_stored_record rec;
	RdLiveSessionRow row;
	g_autofree char *check = NULL;
	gint64 sessions, heads;
	gboolean found = TRUE;

	assert_non_null(store);
	for (guint i = 1; i <= 3; i++) {
		g_autoptr(GBytes) small = test_record_new((guint16)i, TEST_START + i * DAY, 7, 500, 10);

		test_commit(store, small, RD_COMMIT_INSERTED);
	}
	/* 8 KB of trace and a new needle length: a head row, then the session. */
	test_record_init(&rec, 50, TEST_START + 9 * DAY, 7, 750, 10, 4000);
	big = test_record_encode(&rec, 0);
	sessions = test_sql_int(store, "SELECT count(*) FROM sessions");
	heads = test_sql_int(store, "SELECT count(*) FROM heads");

	set_max_page_count(store, test_sql_int(store, "PRAGMA page_count"));
	assert_false(test_commit_bytes(store, TEST_SERIAL, TEST_ADDRESS, big, NULL, NULL, &error));
	assert_true(g_error_matches(error, RD_ERROR, RD_ERROR_STORAGE_FAILED));
	assert_non_null(strstr(error->message, "full"));
	g_clear_error(&error);
	test_live_row_init(&row, 51, TEST_START + 10 * DAY, 7, 1000, 10, 4000);
	assert_false(rd_store_save_live_session(store, &row, NULL, NULL, &error));
	assert_true(g_error_matches(error, RD_ERROR, RD_ERROR_STORAGE_FAILED));
	g_clear_error(&error);

	/* Nothing half-written: no session, no head, and the store still works. */
	assert_int_equal(test_sql_int(store, "SELECT count(*) FROM sessions"), sessions);
	assert_int_equal(test_sql_int(store, "SELECT count(*) FROM heads"), heads);
	assert_true(rd_store_has_record(store, TEST_SERIAL, 50, rec.start_unix, 0, &found, &error));
	assert_false(found);

	set_max_page_count(store, 1000000);
	test_commit(store, big, RD_COMMIT_INSERTED);
	test_commit(store, big, RD_COMMIT_DUPLICATE);
	assert_int_equal(test_sql_int(store, "SELECT count(*) FROM sessions WHERE record_id = 50"), 1);
	assert_int_equal(test_sql_int(store, "SELECT count(*) FROM heads"), heads + 1);
	assert_true(rd_store_save_live_session(store, &row, NULL, NULL, &error));
	check = raw_text(rd_store_get_db(store)->sqlite, "PRAGMA integrity_check");
	assert_string_equal(check, "ok|\n");
}

/* In a child: it may drop root, which cannot be taken back. */
static int
open_read_only_in_child(const char *path)
{
	g_autoptr(GError) error = NULL;
	RdStore *store;

	if (geteuid() == 0 && (setgid(NOBODY) != 0 || setuid(NOBODY) != 0))
		return EXIT_SKIP;
	store = rd_store_open(path, &error);
	if (store) {
		fprintf(stderr, "a read-only history opened\n");
		rd_store_free(store);
		return 1;
	}
	if (!g_error_matches(error, RD_ERROR, RD_ERROR_STORAGE_FAILED) ||
	    !strstr(error->message, "read-only")) {
		fprintf(stderr, "unexpected error: %s\n", error->message);
		return 1;
	}
	return 0;
}

/* The file's SHA-256 into @out (65 bytes): no heap left for the child. */
static void
file_checksum(const char *path, char *out)
{
	g_autofree char *data = NULL;
	g_autofree char *sum = NULL;
	gsize len;

	assert_true(g_file_get_contents(path, &data, &len, NULL));
	sum = g_compute_checksum_for_data(G_CHECKSUM_SHA256, (const guchar *)data, len);
	g_strlcpy(out, sum, 65);
}

/* Static, so that what the forked child inherits is still reachable. */
static TestStoreDir *read_only_dir;

static void
test_read_only_file_is_refused(void **state)
{
	char before[65], after[65];
	int status;
	pid_t pid;

	read_only_dir = test_store_dir_new();
	{
		g_autoptr(GBytes) rec = test_record_new(1, TEST_START, 7, 500, 10);
		g_autoptr(RdStore) store = rd_store_open(read_only_dir->path, NULL);

		assert_non_null(store);
		test_commit(store, rec, RD_COMMIT_INSERTED);
	}
	file_checksum(read_only_dir->path, before);
	assert_int_equal(g_chmod(read_only_dir->path, 0444), 0);
	assert_int_equal(g_chmod(read_only_dir->dir, 0555), 0);

	fflush(NULL);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0)
		_exit(open_read_only_in_child(read_only_dir->path));
	assert_int_equal(waitpid(pid, &status, 0), pid);
	file_checksum(read_only_dir->path, after);
	g_clear_pointer(&read_only_dir, test_store_dir_free);
	assert_true(WIFEXITED(status));
	if (WEXITSTATUS(status) == EXIT_SKIP)
		skip();
	assert_int_equal(WEXITSTATUS(status), 0);
	assert_string_equal(after, before);	/* the refusal wrote nothing */
}

/* A backup made by rollerd 0.1 is taken, and migrated once in place. */
static void
test_restored_v1_backup_is_migrated(void **state)
{
	g_autoptr(TestStoreDir) d = test_store_dir_new();
	g_autofree char *backup = g_build_filename(d->dir, "v1-backup.db", NULL);
	g_autofree char *kept = NULL;
	g_autoptr(GError) error = NULL;
	RdStore *store = rd_store_open(d->path, NULL);
	int version = 0;

	assert_non_null(store);
	make_v1_database(backup, NULL);
	assert_true(rd_store_restore_check(backup, &version, &error));
	assert_int_equal(version, 1);
	if (!rd_store_restore_replace(&store, backup, &kept, &error))
		fail_msg("restore: %s", error->message);
	assert_int_equal(test_sql_int(store, "PRAGMA user_version"), RD_STORE_SCHEMA_VERSION);
	assert_int_equal(test_sql_int(store, "SELECT count(*) FROM sessions"), 4);
	assert_true(test_sql_int(store, "SELECT count(*) FROM heads") > 0);
	rd_store_free(store);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fresh_database_is_wal_and_current),
		cmocka_unit_test(test_migrates_from_v1),
		cmocka_unit_test(test_failed_migration_changes_nothing),
		cmocka_unit_test(test_migrates_from_v2),
		cmocka_unit_test(test_failed_migration_from_v2_changes_nothing),
		cmocka_unit_test(test_newer_schema_is_refused_untouched),
		cmocka_unit_test(test_not_a_database_is_refused),
		cmocka_unit_test(test_full_disk_fails_whole_then_recovers),
		cmocka_unit_test(test_read_only_file_is_refused),
		cmocka_unit_test(test_restored_v1_backup_is_migrated),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
