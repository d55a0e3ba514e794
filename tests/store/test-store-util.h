/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Helpers of the store's tests: a temporary directory, records, live rows. */
#pragma once

#include <glib.h>

#include "roller-record.h"
#include "daemon/store/rd-store.h"

#define TEST_SERIAL "RL-0001A7"
#define TEST_ADDRESS "C0:FF:EE:00:01:A7"
#define TEST_START 1767225600	/* 2026-01-01 00:00:00 UTC */
#define DAY (24 * 60 * 60)

typedef struct {
	char *dir;
	char *path;	/* dir/history.db, not created */
} TestStoreDir;

TestStoreDir *test_store_dir_new(void);
/* Removes the directory and everything in it. */
void test_store_dir_free(TestStoreDir *d);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(TestStoreDir, test_store_dir_free)

/* cmocka setup/teardown: a store in a fresh temporary directory. */
typedef struct {
	TestStoreDir *dir;
	RdStore *store;
} TestStoreFixture;

int test_store_setup(void **state);
int test_store_teardown(void **state);

/*
 * 30 days from TEST_START, one session a day: even days on TEST_SERIAL,
 * odd days on "RL-OTHER" (address AA:BB:CC:DD:EE:FF), area day % 3 + 1.
 */
void test_fill_history(RdStore *store);

/* A plausible record: 4x3 grid, @trace_len trace values at 1000 ms. */
void test_record_init(struct roller_stored_record *rec, guint16 record_id,
		      guint32 start_unix, guint8 area_id, guint16 needle_um,
		      guint16 strokes, guint16 trace_len);
/* Encodes @rec with trace values 100 + i % 400 (+ @trace_offset). */
GBytes *test_record_encode(const struct roller_stored_record *rec, guint16 trace_offset);
GBytes *test_record_new(guint16 record_id, guint32 start_unix, guint8 area_id,
			guint16 needle_um, guint16 strokes);

/* Decodes @record, asserting it decodes; @rec points into @record. */
void test_record_decode(GBytes *record, struct roller_stored_record *rec);
/* rd_store_commit_record() of @record, decoded as the sync does first. */
gboolean test_commit_bytes(RdStore *store, const char *serial, const char *address,
			   GBytes *record, RdCommitResult *result, gint64 *session_id,
			   GError **error);

/* Commits a record, asserting success and the expected result. */
gint64 test_commit(RdStore *store, GBytes *record, RdCommitResult expect);

/*
 * A live row matching test_record_init()'s record, with a 50 ms trace of
 * @trace_len values 300 + i % 100; passes and trace stay owned by the
 * helper until the next call.
 */
void test_live_row_init(RdLiveSessionRow *row, guint16 record_id, gint64 start_unix,
			guint8 area_id, guint16 needle_um, guint32 strokes,
			guint trace_len);

/* One integer from a SQL statement on @store's connection. */
gint64 test_sql_int(RdStore *store, const char *sql);
