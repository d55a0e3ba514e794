/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <glib/gstdio.h>

#include "daemon/store/rd-store-db.h"
#include "test-store-util.h"

TestStoreDir *
test_store_dir_new(void)
{
	g_autoptr(GError) error = NULL;
	TestStoreDir *d = g_new0(TestStoreDir, 1);

	d->dir = g_dir_make_tmp("rd-store-XXXXXX", &error);
	assert_non_null(d->dir);
	d->path = g_build_filename(d->dir, "history.db", NULL);
	return d;
}

static void
remove_tree(const char *path)
{
	GDir *dir = g_dir_open(path, 0, NULL);
	const char *name;

	if (dir) {
		while ((name = g_dir_read_name(dir))) {
			g_autofree char *child = g_build_filename(path, name, NULL);

			remove_tree(child);
		}
		g_dir_close(dir);
		g_rmdir(path);
	} else {
		g_unlink(path);
	}
}

void
test_store_dir_free(TestStoreDir *d)
{
	if (!d)
		return;
	g_chmod(d->dir, 0700);
	remove_tree(d->dir);
	g_free(d->dir);
	g_free(d->path);
	g_free(d);
}

int
test_store_setup(void **state)
{
	g_autoptr(GError) error = NULL;
	TestStoreFixture *f = g_new0(TestStoreFixture, 1);

	f->dir = test_store_dir_new();
	f->store = rd_store_open(f->dir->path, &error);
	if (!f->store)
		fail_msg("open: %s", error->message);
	*state = f;
	return 0;
}

int
test_store_teardown(void **state)
{
	TestStoreFixture *f = *state;

	rd_store_free(f->store);
	test_store_dir_free(f->dir);
	g_free(f);
	return 0;
}

void
test_fill_history(RdStore *store)
{
	for (guint i = 0; i < 30; i++) {
		g_autoptr(GBytes) rec = test_record_new((guint16)(i + 1), TEST_START + i * DAY,
							(guint8)(i % 3 + 1), 500, 10);

		assert_true(test_commit_bytes(store, i % 2 ? "RL-OTHER" : TEST_SERIAL,
					      i % 2 ? "AA:BB:CC:DD:EE:FF" : TEST_ADDRESS,
					      rec, NULL, NULL, NULL));
	}
}

static guint8 test_passes[ROLLER_GRID_CELLS_MAX];

void
test_record_init(struct roller_stored_record *rec, guint16 record_id,
		 guint32 start_unix, guint8 area_id, guint16 needle_um,
		 guint16 strokes, guint16 trace_len)
{
	for (guint i = 0; i < G_N_ELEMENTS(test_passes); i++)
		test_passes[i] = (guint8)(i % 7 + 1);
	memset(rec, 0, sizeof(*rec));
	rec->record_id = record_id;
	rec->start_unix = start_unix;
	rec->duration_ms = 600000;
	rec->area_id = area_id;
	rec->end_reason = 0;
	rec->needle_um = needle_um;
	rec->roll_count = strokes;
	rec->force_mean_cN = 250;
	rec->force_max_cN = 480;
	rec->in_band_permille = 812;
	for (int i = 0; i < 4; i++)
		rec->dirs[i] = (guint16)(strokes / 4 + (i == 0 ? strokes % 4 : 0));
	rec->cols = 4;
	rec->rows = 3;
	rec->passes = test_passes;
	rec->trace_period_ms = trace_len ? 1000 : 0;
	rec->trace_len = trace_len;
}

GBytes *
test_record_encode(const struct roller_stored_record *rec, guint16 trace_offset)
{
	g_autofree guint16 *trace = g_new0(guint16, rec->trace_len + 1);
	guint8 *buf = g_malloc(ROLLER_RECORD_MAX_LEN);
	size_t len = 0;

	for (guint i = 0; i < rec->trace_len; i++)
		trace[i] = (guint16)(100 + i % 400 + trace_offset);
	assert_int_equal(roller_stored_record_encode(rec, trace, buf, ROLLER_RECORD_MAX_LEN, &len),
			 ROLLER_OK);
	return g_bytes_new_take(buf, len);
}

GBytes *
test_record_new(guint16 record_id, guint32 start_unix, guint8 area_id,
		guint16 needle_um, guint16 strokes)
{
	struct roller_stored_record rec;

	test_record_init(&rec, record_id, start_unix, area_id, needle_um, strokes, 10);
	return test_record_encode(&rec, 0);
}

void
test_record_decode(GBytes *record, struct roller_stored_record *rec)
{
	gsize len;
	const guint8 *data = g_bytes_get_data(record, &len);

	assert_int_equal(roller_stored_record_decode(data, len, rec), ROLLER_OK);
}

gboolean
test_commit_bytes(RdStore *store, const char *serial, const char *address,
		  GBytes *record, RdCommitResult *result, gint64 *session_id,
		  GError **error)
{
	struct roller_stored_record rec;

	test_record_decode(record, &rec);
	return rd_store_commit_record(store, serial, address, &rec, 0, result, session_id,
				      error);
}

gint64
test_commit(RdStore *store, GBytes *record, RdCommitResult expect)
{
	g_autoptr(GError) error = NULL;
	RdCommitResult result = 99;
	gint64 id = 0;

	if (!test_commit_bytes(store, TEST_SERIAL, TEST_ADDRESS, record, &result, &id, &error))
		fail_msg("commit failed: %s", error->message);
	assert_int_equal(result, expect);
	assert_true(id > 0);
	return id;
}

static guint16 test_trace[4096];

void
test_live_row_init(RdLiveSessionRow *row, guint16 record_id, gint64 start_unix,
		   guint8 area_id, guint16 needle_um, guint32 strokes, guint trace_len)
{
	g_assert(trace_len <= G_N_ELEMENTS(test_trace));
	for (guint i = 0; i < G_N_ELEMENTS(test_passes); i++)
		test_passes[i] = (guint8)(i % 7 + 1);
	for (guint i = 0; i < trace_len; i++)
		test_trace[i] = (guint16)(300 + i % 100);
	memset(row, 0, sizeof(*row));
	row->serial = TEST_SERIAL;
	row->address = TEST_ADDRESS;
	row->record_id = record_id;
	row->area_id = area_id;
	row->start_unix = start_unix;
	row->clock_set = TRUE;
	row->duration_ms = 598000;
	row->end_reason = 0;
	row->needle_um = needle_um;
	row->strokes = strokes;
	row->force_mean_cn = 245;
	row->force_max_cn = 470;
	row->in_band_permille = 800;
	for (int i = 0; i < 4; i++)
		row->dirs[i] = strokes / 4;
	row->cols = 4;
	row->rows = 3;
	row->passes = test_passes;
	row->trace_period_ms = 50;
	row->trace = test_trace;
	row->trace_len = trace_len;
	row->frames_lost = 3;
}

gint64
test_sql_int(RdStore *store, const char *sql)
{
	sqlite3_stmt *stmt = NULL;
	gint64 value;

	if (sqlite3_prepare_v2(rd_store_get_db(store)->sqlite, sql, -1, &stmt, NULL) != SQLITE_OK)
		fail_msg("%s: %s", sql, sqlite3_errmsg(rd_store_get_db(store)->sqlite));
	assert_int_equal(sqlite3_step(stmt), SQLITE_ROW);
	value = sqlite3_column_int64(stmt, 0);
	sqlite3_finalize(stmt);
	return value;
}
