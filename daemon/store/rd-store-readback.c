/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Reading a committed record back before the sync deletes it from the
 * roller: a write that did not reach the file whole (damage, a lost
 * write) must not cost the only other copy.  The record side and the row
 * side feed the same digests, value by value in one order.
 */
#include "config.h"

#include "roller-record.h"

#include "rd-store.h"
#include "rd-store-db.h"

static void
feed_int(GChecksum *sum, gint64 value)
{
	guint8 le[8];

	for (int i = 0; i < 8; i++)
		le[i] = (guint8)((guint64)value >> (8 * i));
	g_checksum_update(sum, le, sizeof(le));
}

/* Length first: two blobs cannot run into each other. */
static void
feed_blob(GChecksum *sum, const void *data, gsize len)
{
	feed_int(sum, (gint64)len);
	if (len)
		g_checksum_update(sum, data, len);
}

static void
take_digest(GChecksum *sum, guint8 out[16])
{
	guint8 digest[32];
	gsize len = sizeof(digest);

	g_checksum_get_digest(sum, digest, &len);
	memcpy(out, digest, 16);
}

/* The values the sessions row keeps of a record, totals apart from trace. */
typedef struct {
	gint64 area_id, duration_ms, end_reason, needle_um, strokes;
	gint64 force_mean_cn, force_max_cn, in_band_permille, dirs[4], cols, rows;
	const void *passes;
	gsize passes_len;
	gint64 trace_period_ms;
	const void *trace;
	gsize trace_len;
} RecordValues;

static void
digest_values(const RecordValues *v, guint8 totals[16], guint8 trace[16])
{
	g_autoptr(GChecksum) sum = g_checksum_new(G_CHECKSUM_SHA256);

	feed_int(sum, v->area_id);
	feed_int(sum, v->duration_ms);
	feed_int(sum, v->end_reason);
	feed_int(sum, v->needle_um);
	feed_int(sum, v->strokes);
	feed_int(sum, v->force_mean_cn);
	feed_int(sum, v->force_max_cn);
	feed_int(sum, v->in_band_permille);
	for (int i = 0; i < 4; i++)
		feed_int(sum, v->dirs[i]);
	feed_int(sum, v->cols);
	feed_int(sum, v->rows);
	feed_blob(sum, v->passes, v->passes_len);
	take_digest(sum, totals);

	g_checksum_reset(sum);
	feed_int(sum, v->trace_period_ms);
	feed_blob(sum, v->trace, v->trace_len);
	take_digest(sum, trace);
}

void
rd_store_record_check_init(RdRecordCheck *check, const struct roller_stored_record *rec)
{
	RecordValues v = {
		.area_id = rec->area_id, .duration_ms = rec->duration_ms,
		.end_reason = rec->end_reason, .needle_um = rec->needle_um,
		.strokes = rec->roll_count, .force_mean_cn = rec->force_mean_cN,
		.force_max_cn = rec->force_max_cN, .in_band_permille = rec->in_band_permille,
		.cols = rec->cols, .rows = rec->rows, .passes = rec->passes,
		.passes_len = (gsize)rec->cols * rec->rows,
		.trace_period_ms = rec->trace_period_ms, .trace = rec->trace,
		/* u16 LE, as the column keeps it */
		.trace_len = 2 * (gsize)rec->trace_len,
	};

	for (int i = 0; i < 4; i++)
		v.dirs[i] = rec->dirs[i];
	memset(check, 0, sizeof(*check));
	check->record_id = rec->record_id;
	check->start_unix = rec->start_unix;
	check->crc = rec->crc;
	digest_values(&v, check->totals, check->trace);
}

/* The record's key as rd-store-commit.c's lookup_record() has it. */
static const char read_back_sql[] =
	"SELECT area_id, duration_ms, end_reason, needle_um, strokes, force_mean_cn, "
	"force_max_cn, in_band_permille, dir_vertical, dir_diagonal, dir_horizontal, "
	"dir_antidiagonal, cols, rows, passes, trace_period_ms, trace, source "
	"FROM sessions WHERE roller_serial = ?1 AND record_id = ?2 "
	"AND record_start = ?3 AND record_crc = ?4";

/* The row's values into @v (pointing into @stmt's current row). */
static void
row_values(sqlite3_stmt *stmt, RecordValues *v)
{
	v->area_id = sqlite3_column_int64(stmt, 0);
	v->duration_ms = sqlite3_column_int64(stmt, 1);
	v->end_reason = sqlite3_column_type(stmt, 2) == SQLITE_NULL ? -1 :
		sqlite3_column_int64(stmt, 2);
	v->needle_um = sqlite3_column_int64(stmt, 3);
	v->strokes = sqlite3_column_int64(stmt, 4);
	v->force_mean_cn = sqlite3_column_int64(stmt, 5);
	v->force_max_cn = sqlite3_column_int64(stmt, 6);
	v->in_band_permille = sqlite3_column_int64(stmt, 7);
	for (int i = 0; i < 4; i++)
		v->dirs[i] = sqlite3_column_int64(stmt, 8 + i);
	v->cols = sqlite3_column_int64(stmt, 12);
	v->rows = sqlite3_column_int64(stmt, 13);
	v->passes = sqlite3_column_blob(stmt, 14);
	v->passes_len = (gsize)sqlite3_column_bytes(stmt, 14);
	v->trace_period_ms = sqlite3_column_int64(stmt, 15);
	v->trace = sqlite3_column_blob(stmt, 16);
	v->trace_len = (gsize)sqlite3_column_bytes(stmt, 16);
}

gboolean
rd_store_read_back_record(RdStore *store, const char *serial, const RdRecordCheck *check,
			  GError **error)
{
	RdStoreDb *db = rd_store_get_db(store);
	g_autoptr(RdCachedStmt) stmt = NULL;
	RecordValues v = { 0 };
	guint8 totals[16], trace[16];
	gboolean live_trace;
	int rc;

	g_return_val_if_fail(store && serial && check, FALSE);

	/* From the file, not from pages SQLite still holds from the commit. */
	sqlite3_db_release_memory(db->sqlite);
	stmt = rd_store_db_stmt(db, read_back_sql, error);
	if (!stmt)
		return FALSE;
	sqlite3_bind_text(stmt, 1, serial, -1, SQLITE_STATIC);
	sqlite3_bind_int(stmt, 2, check->record_id);
	sqlite3_bind_int64(stmt, 3, check->start_unix);
	sqlite3_bind_int64(stmt, 4, check->start_unix ? 0 : check->crc);
	rc = sqlite3_step(stmt);
	if (rc == SQLITE_DONE) {
		g_set_error(error, RD_ERROR, RD_ERROR_STORAGE_FAILED,
			    "Record %u is not in the journal after its commit",
			    check->record_id);
		return FALSE;
	}
	if (rc != SQLITE_ROW) {
		g_autofree char *what = g_strdup_printf("Could not read record %u back",
							check->record_id);

		rd_store_db_set_error(db, error, what);
		return FALSE;
	}
	row_values(stmt, &v);
	digest_values(&v, totals, trace);
	live_trace = g_strcmp0((const char *)sqlite3_column_text(stmt, 17), "both") == 0;
	if (memcmp(totals, check->totals, sizeof(totals)) != 0 ||
	    (!live_trace && memcmp(trace, check->trace, sizeof(trace)) != 0)) {
		g_set_error(error, RD_ERROR, RD_ERROR_STORAGE_FAILED,
			    "Record %u reads back from the journal different from what "
			    "was committed", check->record_id);
		return FALSE;
	}
	return TRUE;
}

gboolean
rd_store_read_back_records(RdStore *store, const char *serial, const RdRecordCheck *checks,
			   guint n_checks, GError **error)
{
	/* Corruption or a failed read anywhere, this sync or before. */
	if (rd_store_is_damaged(store)) {
		g_set_error(error, RD_ERROR, RD_ERROR_STORAGE_FAILED,
			    "The journal %s reported damage", rd_store_get_db(store)->path);
		return FALSE;
	}
	for (guint i = 0; i < n_checks; i++) {
		if (!rd_store_read_back_record(store, serial, &checks[i], error))
			return FALSE;
	}
	return TRUE;
}
