/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The clinic's outbox: off for a home journal, on it records every change
 * to people, sessions, notes and heads in the change's transaction, a
 * journal switched on brings its history, and a version 3 journal (the
 * last release) migrates with its data.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "daemon/store/rd-store-db.h"
#include "daemon/store/rd-store-outbox.h"
#include "daemon/store/rd-store-people.h"
#include "test-store-util.h"

/* The outbox's kinds in seq order, space-separated. */
static char *
kinds(RdStore *store)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GPtrArray) rows = NULL;
	GString *out = g_string_new(NULL);

	assert_true(rd_store_outbox_read(store, 0, 1000, &rows, &error));
	for (guint i = 0; i < rows->len; i++) {
		RdOutboxRow *row = rows->pdata[i];

		if (i > 0)
			assert_true(row->seq > ((RdOutboxRow *)rows->pdata[i - 1])->seq);
		g_string_append_printf(out, "%s%s", i ? " " : "", row->kind);
	}
	return g_string_free(out, FALSE);
}

static void
enable(RdStore *store, gboolean on)
{
	g_autoptr(GError) error = NULL;

	assert_true(rd_store_outbox_enable(store, on, &error));
}

static void
test_off_records_nothing(void **state)
{
	TestStoreFixture *f = *state;
	g_autoptr(GError) error = NULL;
	gint64 count = -1;

	test_fill_history(f->store);
	assert_true(rd_store_add_person(f->store, "Ann", NULL, NULL, &error));
	assert_true(rd_store_outbox_count(f->store, &count, &error));
	assert_int_equal(count, 0);
}

static void
test_each_change_writes_its_row(void **state)
{
	TestStoreFixture *f = *state;
	g_autoptr(GError) error = NULL;
	g_autoptr(GBytes) rec = test_record_new(7, TEST_START, 1, 500, 120);
	g_autofree char *after_enable = NULL, *all = NULL;
	g_autoptr(GPtrArray) rows = NULL;
	gint64 ann = 0, session;

	enable(f->store, TRUE);
	/* The default person, brought by the switch. */
	after_enable = kinds(f->store);
	assert_string_equal(after_enable, "person");
	assert_true(rd_store_add_person(f->store, "Ann", NULL, &ann, &error));
	session = test_commit(f->store, rec, RD_COMMIT_INSERTED);
	assert_true(rd_store_set_notes(f->store, session,
				       g_variant_new_parsed("{'text': <'calm'>}"), &error));
	assert_true(rd_store_set_session_person(f->store, session, ann, &error));
	assert_true(rd_store_rename_person(f->store, ann, "Anna", &error));
	assert_true(rd_store_delete_session(f->store, session, &error));
	assert_true(rd_store_remove_person(f->store, ann, &error));
	all = kinds(f->store);
	assert_string_equal(all, "person person head head session notes session person "
			    "session-delete person-delete");

	/* The rename says which name it was; the tombstone names the session. */
	assert_true(rd_store_outbox_read(f->store, 0, 1000, &rows, &error));
	assert_non_null(strstr(((RdOutboxRow *)rows->pdata[7])->body, "\"old_key\":\"ann\""));
	assert_non_null(strstr(((RdOutboxRow *)rows->pdata[7])->body, "\"key\":\"anna\""));
	assert_string_equal(((RdOutboxRow *)rows->pdata[8])->body, "{\"id\":1}");
}

static void
test_switching_on_brings_the_history(void **state)
{
	TestStoreFixture *f = *state;
	g_autoptr(GError) error = NULL;
	gint64 count = 0, seq;
	g_autoptr(GPtrArray) rows = NULL;

	test_fill_history(f->store);
	enable(f->store, TRUE);
	assert_int_equal(test_sql_int(f->store, "SELECT count(*) FROM outbox WHERE kind = 'session'"),
			 30);
	assert_int_equal(test_sql_int(f->store, "SELECT count(*) FROM outbox WHERE kind = 'person'"),
			 1);
	/* On again: nothing sent twice. */
	assert_true(rd_store_outbox_count(f->store, &count, &error));
	enable(f->store, TRUE);
	assert_int_equal(test_sql_int(f->store, "SELECT count(*) FROM outbox"), count);

	/* Read in batches and trimmed after each. */
	assert_true(rd_store_outbox_read(f->store, 0, 10, &rows, &error));
	assert_int_equal(rows->len, 10);
	seq = ((RdOutboxRow *)rows->pdata[9])->seq;
	assert_true(rd_store_outbox_done(f->store, seq, &error));
	assert_int_equal(test_sql_int(f->store, "SELECT count(*) FROM outbox"), count - 10);
	g_clear_pointer(&rows, g_ptr_array_unref);
	assert_true(rd_store_outbox_read(f->store, seq, 1000, &rows, &error));
	assert_int_equal(rows->len, count - 10);

	/* Off empties it and records nothing more. */
	enable(f->store, FALSE);
	assert_true(rd_store_add_person(f->store, "Bo", NULL, NULL, &error));
	assert_int_equal(test_sql_int(f->store, "SELECT count(*) FROM outbox"), 0);
	/* Seqs are never reused: a clinic's cursor stays behind the next. */
	enable(f->store, TRUE);
	assert_true(test_sql_int(f->store, "SELECT min(seq) FROM outbox") > seq);
}

/* A journal of the last release (version 3) keeps its data and gains the outbox. */
static void
test_version_3_migrates(void **state)
{
	static const char *const triggers[] = {
		"session_insert", "session_update", "session_delete", "notes_insert",
		"notes_update", "person_insert", "person_update", "person_delete",
		"head_insert", "head_update",
	};
	g_autoptr(TestStoreDir) d = test_store_dir_new();
	g_autoptr(GError) error = NULL;
	RdStore *store = rd_store_open(d->path, &error);
	sqlite3 *db;

	assert_non_null(store);
	test_fill_history(store);
	rd_store_free(store);
	/* Version 4 only adds: without its objects, the file is version 3's. */
	assert_int_equal(sqlite3_open(d->path, &db), SQLITE_OK);
	for (guint i = 0; i < G_N_ELEMENTS(triggers); i++) {
		g_autofree char *drop = g_strdup_printf("DROP TRIGGER outbox_%s", triggers[i]);

		assert_int_equal(sqlite3_exec(db, drop, NULL, NULL, NULL), SQLITE_OK);
	}
	assert_int_equal(sqlite3_exec(db,
				      "DROP TABLE outbox; DROP TABLE outbox_on; "
				      "PRAGMA user_version = 3;", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);

	store = rd_store_open(d->path, &error);
	assert_non_null(store);
	assert_int_equal(test_sql_int(store, "PRAGMA user_version"), 4);
	assert_int_equal(test_sql_int(store, "SELECT count(*) FROM sessions"), 30);
	assert_int_equal(test_sql_int(store, "SELECT count(*) FROM sqlite_master "
				      "WHERE type = 'trigger' AND name LIKE 'outbox%'"),
			 G_N_ELEMENTS(triggers));
	enable(store, TRUE);
	assert_int_equal(test_sql_int(store, "SELECT count(*) FROM outbox WHERE kind = 'session'"),
			 30);
	rd_store_free(store);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_off_records_nothing, test_store_setup,
						test_store_teardown),
		cmocka_unit_test_setup_teardown(test_each_change_writes_its_row, test_store_setup,
						test_store_teardown),
		cmocka_unit_test_setup_teardown(test_switching_on_brings_the_history,
						test_store_setup, test_store_teardown),
		cmocka_unit_test(test_version_3_migrates),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
