/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The two ways sessions come in: records synced from a roller and live
 * sessions the daemon watched.  See rd-store.h for the key and merge rules.
 */
#include "config.h"

#include "roller-record.h"

#include "rd-store.h"
#include "rd-store-db.h"
#include "rd-store-heads.h"
#include "rd-store-row.h"

/* A SELECT of at most one row whose first column is an id: 0 if none. */
static gboolean
step_for_id(RdStoreDb *db, sqlite3_stmt *stmt, gint64 *id, GError **error)
{
	int rc = sqlite3_step(stmt);

	*id = 0;
	if (rc == SQLITE_ROW)
		*id = sqlite3_column_int64(stmt, 0);
	else if (rc != SQLITE_DONE) {
		rd_store_db_set_error(db, error, "Could not look up a session");
		return FALSE;
	}
	return TRUE;
}

/* The id of the record stored under this key, 0 if none. */
static gboolean
lookup_record(RdStoreDb *db, const char *serial, guint16 record_id,
	      guint32 start_unix, guint32 crc, gint64 *id, GError **error)
{
	g_autoptr(RdCachedStmt) stmt = NULL;

	stmt = rd_store_db_stmt(db,
				"SELECT id FROM sessions WHERE roller_serial = ?1 AND record_id = ?2 "
				"AND record_start = ?3 AND record_crc = ?4", error);
	if (!stmt)
		return FALSE;
	sqlite3_bind_text(stmt, 1, serial, -1, SQLITE_STATIC);
	sqlite3_bind_int(stmt, 2, record_id);
	sqlite3_bind_int64(stmt, 3, start_unix);
	sqlite3_bind_int64(stmt, 4, start_unix ? 0 : crc);
	return step_for_id(db, stmt, id, error);
}

gboolean
rd_store_has_record(RdStore *store, const char *serial, guint16 record_id,
		    guint32 start_unix, guint32 crc, gboolean *found,
		    GError **error)
{
	gint64 id;

	g_return_val_if_fail(store && serial && found, FALSE);

	if (!lookup_record(rd_store_get_db(store), serial, record_id, start_unix, crc, &id, error))
		return FALSE;
	*found = id != 0;
	return TRUE;
}

/*
 * The live half of a record: the closest start within the slack when the
 * roller's clock was set, else (a roller's clock drifts, or was unset) the
 * newest one of the same area and a duration within the slack, started
 * within RD_STORE_MATCH_FINGERPRINT_WINDOW_S when the clock was set.
 */
static const char find_live_by_start_sql[] =
	"SELECT id, strokes, head_id FROM sessions "
	"WHERE roller_serial = ?1 AND record_id = ?2 AND source = 'live' "
	"AND (live_start BETWEEN ?3 - " G_STRINGIFY(RD_STORE_MATCH_START_SLACK_S)
	" AND ?3 + " G_STRINGIFY(RD_STORE_MATCH_START_SLACK_S) " "
	"OR (area_id = ?4 AND abs(duration_ms - ?5) <= "
	G_STRINGIFY(RD_STORE_MATCH_DURATION_SLACK_MS) " AND abs(live_start - ?3) <= "
	G_STRINGIFY(RD_STORE_MATCH_FINGERPRINT_WINDOW_S) ")) "
	"ORDER BY abs(live_start - ?3), id LIMIT 1";
static const char find_live_unset_clock_sql[] =
	"SELECT id, strokes, head_id FROM sessions "
	"WHERE roller_serial = ?1 AND record_id = ?2 AND source = 'live' "
	"AND area_id = ?4 AND abs(duration_ms - ?5) <= "
	G_STRINGIFY(RD_STORE_MATCH_DURATION_SLACK_MS) " "
	"ORDER BY live_start DESC, id DESC LIMIT 1";

/*
 * Onto the live half: the record's totals and key, its start when its
 * clock was set, the live trace unless the live side had none.
 */
static const char merge_record_sql[] =
	"UPDATE sessions SET roller_address = iif(roller_address = '', :roller_address, "
	"roller_address), area_id = :area_id, "
	"start_unix = iif(:record_start = 0, start_unix, :record_start), "
	"clock_set = :clock_set, record_start = :record_start, record_crc = :record_crc, "
	"duration_ms = :duration_ms, end_reason = :end_reason, needle_um = :needle_um, "
	"strokes = :strokes, force_mean_cn = :force_mean_cn, force_max_cn = :force_max_cn, "
	"in_band_permille = :in_band_permille, dir_vertical = :dir_vertical, "
	"dir_diagonal = :dir_diagonal, dir_horizontal = :dir_horizontal, "
	"dir_antidiagonal = :dir_antidiagonal, cols = :cols, rows = :rows, "
	"passes = :passes, "
	"trace_period_ms = iif(length(trace) > 0, trace_period_ms, :trace_period_ms), "
	"trace = iif(length(trace) > 0, trace, :trace), "
	"source = 'both', synced_at = :synced_at, head_id = coalesce(head_id, :head_id) "
	"WHERE id = :id";

/* Binds @row to @stmt, and @id to its :id when it has one. */
static void
bind_row(sqlite3_stmt *stmt, const RdSessionRow *row, gint64 id)
{
	int i = sqlite3_bind_parameter_index(stmt, ":id");

	rd_session_row_bind(stmt, row);
	if (i)
		sqlite3_bind_int64(stmt, i, id);
}

/* Inserts @row as a new session; its id in *session_id. */
static gboolean
insert_row(RdStoreDb *db, const RdSessionRow *row, gint64 *session_id, GError **error)
{
	g_autoptr(RdCachedStmt) write = rd_store_db_stmt(db, rd_session_row_insert_sql, error);
	const char *what = row->source == RD_SESSION_SOURCE_LIVE ?
		"Could not store the live session" : "Could not store the record";

	if (!write)
		return FALSE;
	bind_row(write, row, 0);
	if (!rd_store_db_step_done(db, write, what, error))
		return FALSE;
	*session_id = sqlite3_last_insert_rowid(db->sqlite);
	return TRUE;
}

/* Merges @row into the session @id, which holds the other half. */
static gboolean
merge_row(RdStoreDb *db, const char *sql, const RdSessionRow *row, gint64 id,
	  const char *what, RdCommitResult *result, gint64 *session_id, GError **error)
{
	g_autoptr(RdCachedStmt) write = rd_store_db_stmt(db, sql, error);

	if (!write)
		return FALSE;
	bind_row(write, row, id);
	if (!rd_store_db_step_done(db, write, what, error))
		return FALSE;
	*result = RD_COMMIT_MERGED;
	*session_id = id;
	return TRUE;
}

/* A session of its own; the head first, so that a failure after it
 * leaves no trace of either. */
static gboolean
insert_new_row(RdStoreDb *db, RdSessionRow *row, RdCommitResult *result,
	       gint64 *session_id, GError **error)
{
	if (!rd_store_heads_count_session(db, row->serial, row->needle_um, row->start_unix,
					  row->strokes, &row->head_id, error) ||
	    !insert_row(db, row, session_id, error))
		return FALSE;
	*result = RD_COMMIT_INSERTED;
	return TRUE;
}

/* Runs inside the transaction; the caller commits or rolls back. */
static gboolean
commit_record_locked(RdStoreDb *db, RdSessionRow *row, RdCommitResult *result,
		     gint64 *session_id, GError **error)
{
	g_autoptr(RdCachedStmt) find = NULL;
	gint64 live_id = 0, live_strokes = 0, head_id = 0;
	int rc;

	if (!lookup_record(db, row->serial, row->record_id, row->record_start,
			   row->record_crc, session_id, error))
		return FALSE;
	if (*session_id != 0) {
		*result = RD_COMMIT_DUPLICATE;
		return TRUE;
	}

	find = rd_store_db_stmt(db, row->record_start ? find_live_by_start_sql
				      : find_live_unset_clock_sql, error);
	if (!find)
		return FALSE;
	sqlite3_bind_text(find, 1, row->serial, -1, SQLITE_STATIC);
	sqlite3_bind_int(find, 2, row->record_id);
	sqlite3_bind_int64(find, 3, row->record_start);
	sqlite3_bind_int(find, 4, row->area_id);
	sqlite3_bind_int64(find, 5, row->duration_ms);
	rc = sqlite3_step(find);
	if (rc == SQLITE_ROW) {
		live_id = sqlite3_column_int64(find, 0);
		live_strokes = sqlite3_column_int64(find, 1);
		head_id = sqlite3_column_int64(find, 2);
	} else if (rc != SQLITE_DONE) {
		rd_store_db_set_error(db, error, "Could not look up the live session");
		return FALSE;
	}

	if (live_id != 0) {
		if (head_id != 0) {
			/* The roller's stroke count is the one the head wore. */
			if (!rd_store_heads_add_strokes(db, head_id,
							(gint64)row->strokes - live_strokes, error))
				return FALSE;
		} else if (!rd_store_heads_count_session(db, row->serial, row->needle_um,
							 row->start_unix, row->strokes,
							 &row->head_id, error)) {
			/* The live half did not know its needle; the record may. */
			return FALSE;
		}
		return merge_row(db, merge_record_sql, row, live_id, "Could not merge the record",
				 result, session_id, error);
	}
	return insert_new_row(db, row, result, session_id, error);
}

/* Writes @row in one transaction: committed whole or not at all. */
static gboolean
write_row(RdStore *store, gboolean (*write_locked)(RdStoreDb *, RdSessionRow *,
						    RdCommitResult *, gint64 *, GError **),
	  RdSessionRow *row, RdCommitResult *result, gint64 *session_id, GError **error)
{
	RdStoreDb *db = rd_store_get_db(store);
	RdCommitResult dummy_result;
	gint64 dummy_id;

	if (!rd_store_db_begin(db, error))
		return FALSE;
	if (!write_locked(db, row, result ? result : &dummy_result,
			  session_id ? session_id : &dummy_id, error)) {
		rd_store_db_rollback(db);
		return FALSE;
	}
	return rd_store_db_commit(db, error);
}

gboolean
rd_store_commit_record(RdStore *store, const char *serial, const char *address,
		       const struct roller_stored_record *record, gint64 person_id,
		       RdCommitResult *result, gint64 *session_id, GError **error)
{
	g_auto(RdSessionRow) row = { 0 };

	g_return_val_if_fail(store != NULL && record != NULL, FALSE);

	if (!rd_session_row_from_record(&row, serial, address, record, rd_store_db_now(), error))
		return FALSE;
	row.person_id = person_id;
	return write_row(store, commit_record_locked, &row, result, session_id, error);
}

/* The synced half of a live session, by the rule in rd-store.h. */
static const char find_synced_sql[] =
	"SELECT id FROM sessions "
	"WHERE roller_serial = ?1 AND record_id = ?2 AND source = 'synced' "
	"AND ((record_start <> 0 AND abs(record_start - ?3) <= "
	G_STRINGIFY(RD_STORE_MATCH_START_SLACK_S) ") "
	"OR (area_id = ?4 AND abs(duration_ms - ?5) <= "
	G_STRINGIFY(RD_STORE_MATCH_DURATION_SLACK_MS) " AND (record_start = 0 "
	"OR abs(record_start - ?3) <= " G_STRINGIFY(RD_STORE_MATCH_FINGERPRINT_WINDOW_S)
	"))) "
	"ORDER BY record_start = 0, abs(record_start - ?3), id DESC LIMIT 1";

/* Onto the synced half: the live trace and losses; the live start if better. */
static const char merge_live_sql[] =
	"UPDATE sessions SET roller_address = iif(roller_address = '', :roller_address, "
	"roller_address), start_unix = iif(clock_set, start_unix, :live_start), "
	"live_start = :live_start, "
	"trace_period_ms = iif(length(:trace) > 0, :trace_period_ms, trace_period_ms), "
	"trace = iif(length(:trace) > 0, :trace, trace), frames_lost = :frames_lost, "
	"source = 'both', person_id = :person_id WHERE id = :id";

static gboolean
save_live_locked(RdStoreDb *db, RdSessionRow *row, RdCommitResult *result,
		 gint64 *session_id, GError **error)
{
	g_autoptr(RdCachedStmt) find = NULL;
	gint64 id;

	/* The live half's key: saved before (merged since, or not) is a duplicate. */
	find = rd_store_db_stmt(db,
				"SELECT id FROM sessions WHERE roller_serial = ?1 AND record_id = ?2 "
				"AND live_start = ?3", error);
	if (!find)
		return FALSE;
	sqlite3_bind_text(find, 1, row->serial, -1, SQLITE_STATIC);
	sqlite3_bind_int(find, 2, row->record_id);
	sqlite3_bind_int64(find, 3, row->live_start);
	if (!step_for_id(db, find, &id, error))
		return FALSE;
	if (id != 0) {
		*result = RD_COMMIT_DUPLICATE;
		*session_id = id;
		return TRUE;
	}
	g_clear_pointer(&find, rd_cached_stmt_release);

	find = rd_store_db_stmt(db, find_synced_sql, error);
	if (!find)
		return FALSE;
	sqlite3_bind_text(find, 1, row->serial, -1, SQLITE_STATIC);
	sqlite3_bind_int(find, 2, row->record_id);
	sqlite3_bind_int64(find, 3, row->live_start);
	sqlite3_bind_int(find, 4, row->area_id);
	sqlite3_bind_int64(find, 5, row->duration_ms);
	if (!step_for_id(db, find, &id, error))
		return FALSE;
	if (id != 0)
		return merge_row(db, merge_live_sql, row, id, "Could not merge the live session",
				 result, session_id, error);
	return insert_new_row(db, row, result, session_id, error);
}

gboolean
rd_store_save_live_session(RdStore *store, const RdLiveSessionRow *row,
			   RdCommitResult *result, gint64 *session_id,
			   GError **error)
{
	g_auto(RdSessionRow) session_row = { 0 };

	g_return_val_if_fail(store != NULL && row != NULL, FALSE);

	return rd_session_row_from_live(&session_row, row, rd_store_db_now(), error) &&
	       write_row(store, save_live_locked, &session_row, result, session_id, error);
}
