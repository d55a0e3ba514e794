/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The two ways sessions come in: records synced from a roller and live
 * sessions the daemon watched.  See rd-store.h for the key and merge rules.
 */
#include "config.h"

#include "roller-record.h"

#include "rd-store-private.h"

/* A SELECT of at most one row whose first column is an id: 0 if none. */
static gboolean
step_for_id(RdStore *store, sqlite3_stmt *stmt, gint64 *id, GError **error)
{
	int rc = sqlite3_step(stmt);

	*id = 0;
	if (rc == SQLITE_ROW)
		*id = sqlite3_column_int64(stmt, 0);
	else if (rc != SQLITE_DONE) {
		rd_store_set_sqlite_error(store, error, "Could not look up a session");
		return FALSE;
	}
	return TRUE;
}

/* The id of the record stored under this key, 0 if none. */
static gboolean
lookup_record(RdStore *store, const char *serial, guint16 record_id,
	      guint32 start_unix, guint32 crc, gint64 *id, GError **error)
{
	g_autoptr(RdCachedStmt) stmt = NULL;

	stmt = rd_store_stmt(store,
			     "SELECT id FROM sessions WHERE roller_serial = ?1 AND record_id = ?2 "
			     "AND record_start = ?3 AND record_crc = ?4", error);
	if (!stmt)
		return FALSE;
	sqlite3_bind_text(stmt, 1, serial, -1, SQLITE_STATIC);
	sqlite3_bind_int(stmt, 2, record_id);
	sqlite3_bind_int64(stmt, 3, start_unix);
	sqlite3_bind_int64(stmt, 4, start_unix ? 0 : crc);
	return step_for_id(store, stmt, id, error);
}

gboolean
rd_store_has_record(RdStore *store, const char *serial, guint16 record_id,
		    guint32 start_unix, guint32 crc, gboolean *found,
		    GError **error)
{
	gint64 id;

	g_return_val_if_fail(store && serial && found, FALSE);

	if (!lookup_record(store, serial, record_id, start_unix, crc, &id, error))
		return FALSE;
	*found = id != 0;
	return TRUE;
}

/* A zero-length blob, not NULL, when @len is 0: the columns are NOT NULL. */
static void
bind_blob(sqlite3_stmt *stmt, int index, const void *data, gsize len)
{
	if (len == 0 || !data)
		sqlite3_bind_zeroblob(stmt, index, 0);
	else
		sqlite3_bind_blob(stmt, index, data, (int)len, SQLITE_STATIC);
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

/* The record's fields, bound as ?1.. by bind_record(). */
static const char insert_record_sql[] =
	"INSERT INTO sessions (roller_serial, roller_address, record_id, area_id, "
	"start_unix, clock_set, record_start, record_crc, duration_ms, end_reason, "
	"needle_um, strokes, force_mean_cn, force_max_cn, in_band_permille, "
	"dir_vertical, dir_diagonal, dir_horizontal, dir_antidiagonal, cols, rows, "
	"passes, trace_period_ms, trace, source, synced_at, created_at, head_id) "
	"VALUES (?1, ?2, ?3, ?4, iif(?5 = 0, ?24, ?5), ?5 <> 0, ?5, ?6, ?7, ?8, "
	"?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, "
	"'synced', ?24, ?24, ?23)";

/*
 * Onto the live half: the record's totals and key, its start when its
 * clock was set, the live trace unless the live side had none.
 */
static const char merge_record_sql[] =
	"UPDATE sessions SET roller_address = iif(roller_address = '', ?2, roller_address), "
	"area_id = ?4, start_unix = iif(?5 = 0, start_unix, ?5), clock_set = ?5 <> 0, "
	"record_start = ?5, record_crc = ?6, duration_ms = ?7, end_reason = ?8, "
	"needle_um = ?9, strokes = ?10, force_mean_cn = ?11, force_max_cn = ?12, "
	"in_band_permille = ?13, dir_vertical = ?14, dir_diagonal = ?15, "
	"dir_horizontal = ?16, dir_antidiagonal = ?17, cols = ?18, rows = ?19, "
	"passes = ?20, "
	"trace_period_ms = iif(length(trace) > 0, trace_period_ms, ?21), "
	"trace = iif(length(trace) > 0, trace, ?22), "
	"source = 'both', synced_at = ?24, head_id = coalesce(head_id, ?25) "
	"WHERE id = ?23";

static void
bind_record(sqlite3_stmt *stmt, const char *serial, const char *address,
	    const struct roller_stored_record *rec)
{
	sqlite3_bind_text(stmt, 1, serial, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 2, address ? address : "", -1, SQLITE_STATIC);
	sqlite3_bind_int(stmt, 3, rec->record_id);
	sqlite3_bind_int(stmt, 4, rec->area_id);
	sqlite3_bind_int64(stmt, 5, rec->start_unix);
	sqlite3_bind_int64(stmt, 6, rec->start_unix ? 0 : rec->crc);
	sqlite3_bind_int64(stmt, 7, rec->duration_ms);
	sqlite3_bind_int(stmt, 8, rec->end_reason);
	sqlite3_bind_int(stmt, 9, rec->needle_um);
	sqlite3_bind_int(stmt, 10, rec->roll_count);
	sqlite3_bind_int(stmt, 11, rec->force_mean_cN);
	sqlite3_bind_int(stmt, 12, rec->force_max_cN);
	sqlite3_bind_int(stmt, 13, rec->in_band_permille);
	for (int i = 0; i < 4; i++)
		sqlite3_bind_int(stmt, 14 + i, rec->dirs[i]);
	sqlite3_bind_int(stmt, 18, rec->cols);
	sqlite3_bind_int(stmt, 19, rec->rows);
	bind_blob(stmt, 20, rec->passes, (gsize)rec->cols * rec->rows);
	sqlite3_bind_int(stmt, 21, rec->trace_period_ms);
	/* The record's trace is u16 LE already, as the column keeps it. */
	bind_blob(stmt, 22, rec->trace, 2 * (gsize)rec->trace_len);
	sqlite3_bind_int64(stmt, 24, rd_store_now());
}

static gboolean
add_head_strokes(RdStore *store, gint64 head_id, gint64 delta, GError **error)
{
	g_autoptr(RdCachedStmt) stmt = NULL;

	if (head_id == 0 || delta == 0)
		return TRUE;
	stmt = rd_store_stmt(store,
			     "UPDATE heads SET strokes = max(0, strokes + ?2) WHERE id = ?1",
			     error);
	if (!stmt)
		return FALSE;
	sqlite3_bind_int64(stmt, 1, head_id);
	sqlite3_bind_int64(stmt, 2, delta);
	return rd_store_step_done(store, stmt, "Could not count on the needle head", error);
}

/* Runs inside the transaction; the caller commits or rolls back. */
static gboolean
commit_record_locked(RdStore *store, const char *serial, const char *address,
		     const struct roller_stored_record *rec, RdCommitResult *result,
		     gint64 *session_id, GError **error)
{
	g_autoptr(RdCachedStmt) find = NULL;
	g_autoptr(RdCachedStmt) write = NULL;
	gint64 live_id = 0, live_strokes = 0, head_id = 0;
	int rc;

	if (!lookup_record(store, serial, rec->record_id, rec->start_unix,
			   rec->crc, session_id, error))
		return FALSE;
	if (*session_id != 0) {
		*result = RD_COMMIT_DUPLICATE;
		return TRUE;
	}

	find = rd_store_stmt(store, rec->start_unix ? find_live_by_start_sql
				   : find_live_unset_clock_sql, error);
	if (!find)
		return FALSE;
	sqlite3_bind_text(find, 1, serial, -1, SQLITE_STATIC);
	sqlite3_bind_int(find, 2, rec->record_id);
	sqlite3_bind_int64(find, 3, rec->start_unix);
	sqlite3_bind_int(find, 4, rec->area_id);
	sqlite3_bind_int64(find, 5, rec->duration_ms);
	rc = sqlite3_step(find);
	if (rc == SQLITE_ROW) {
		live_id = sqlite3_column_int64(find, 0);
		live_strokes = sqlite3_column_int64(find, 1);
		head_id = sqlite3_column_int64(find, 2);
	} else if (rc != SQLITE_DONE) {
		rd_store_set_sqlite_error(store, error, "Could not look up the live session");
		return FALSE;
	}

	if (live_id != 0) {
		gint64 new_head_id = 0;

		if (head_id != 0) {
			/* The roller's stroke count is the one the head wore. */
			if (!add_head_strokes(store, head_id,
					      (gint64)rec->roll_count - live_strokes, error))
				return FALSE;
		} else if (!rd_store_count_session_on_head(store, serial, rec->needle_um,
							   rec->start_unix ? rec->start_unix : rd_store_now(),
							   rec->roll_count, &new_head_id, error)) {
			/* The live half did not know its needle; the record may. */
			return FALSE;
		}
		write = rd_store_stmt(store, merge_record_sql, error);
		if (!write)
			return FALSE;
		bind_record(write, serial, address, rec);
		sqlite3_bind_int64(write, 23, live_id);
		if (new_head_id)
			sqlite3_bind_int64(write, 25, new_head_id);
		if (!rd_store_step_done(store, write, "Could not merge the record", error))
			return FALSE;
		*result = RD_COMMIT_MERGED;
		*session_id = live_id;
		return TRUE;
	}

	/* The head first: a failure after it must leave no trace of either. */
	if (!rd_store_count_session_on_head(store, serial, rec->needle_um,
					    rec->start_unix ? rec->start_unix : rd_store_now(),
					    rec->roll_count, &head_id, error))
		return FALSE;
	write = rd_store_stmt(store, insert_record_sql, error);
	if (!write)
		return FALSE;
	bind_record(write, serial, address, rec);
	if (head_id)
		sqlite3_bind_int64(write, 23, head_id);
	if (!rd_store_step_done(store, write, "Could not store the record", error))
		return FALSE;
	*result = RD_COMMIT_INSERTED;
	*session_id = sqlite3_last_insert_rowid(store->db);
	return TRUE;
}

/* What the decoder guarantees and the columns' CHECKs rely on. */
static gboolean
validate_record(const char *serial, const struct roller_stored_record *rec,
		GError **error)
{
	const char *problem = NULL;

	if (!serial || !*serial) {
		g_set_error_literal(error, RD_ERROR, RD_ERROR_INVALID_ARGUMENTS,
				    "A record needs its roller's serial number");
		return FALSE;
	}
	if (rec->cols < 1 || rec->cols > ROLLER_GRID_MAX ||
	    rec->rows < 1 || rec->rows > ROLLER_GRID_MAX)
		problem = "its grid is not 1..15 by 1..15 cells";
	else if (!rec->passes)
		problem = "it has no passes";
	else if (rec->in_band_permille > 1000)
		problem = "its in-band share is over 1000 per mille";
	else if (rec->trace_len > 0 && !rec->trace)
		problem = "its force trace is missing";
	if (!problem)
		return TRUE;
	g_set_error(error, RD_ERROR, RD_ERROR_INVALID_ARGUMENTS,
		    "Cannot store the record from %s: %s", serial, problem);
	return FALSE;
}

gboolean
rd_store_commit_record(RdStore *store, const char *serial, const char *address,
		       const struct roller_stored_record *record,
		       RdCommitResult *result, gint64 *session_id, GError **error)
{
	RdCommitResult dummy_result;
	gint64 dummy_id;

	g_return_val_if_fail(store != NULL && record != NULL, FALSE);

	if (!validate_record(serial, record, error))
		return FALSE;
	if (!result)
		result = &dummy_result;
	if (!session_id)
		session_id = &dummy_id;

	if (!rd_store_begin(store, error))
		return FALSE;
	if (!commit_record_locked(store, serial, address, record, result, session_id, error)) {
		rd_store_rollback(store);
		return FALSE;
	}
	return rd_store_commit(store, error);
}

static gboolean
validate_live_row(const RdLiveSessionRow *row, GError **error)
{
	const char *problem = NULL;

	if (!row->serial || !*row->serial)
		problem = "it has no roller serial number";
	else if (row->cols < 1 || row->cols > ROLLER_GRID_MAX ||
		 row->rows < 1 || row->rows > ROLLER_GRID_MAX)
		problem = "its grid is not 1..15 by 1..15 cells";
	else if (!row->passes)
		problem = "it has no passes";
	else if (row->in_band_permille > 1000)
		problem = "its in-band share is over 1000 per mille";
	else if (row->start_unix <= 0)
		problem = "it has no start time";
	else if (row->trace_len > RD_STORE_LIVE_TRACE_MAX)
		problem = "its force trace is too long";
	else if (row->trace_len > 0 && !row->trace)
		problem = "its force trace is missing";
	else if (row->end_reason < -1 || row->end_reason > 255)
		problem = "its end reason is not a byte";
	if (!problem)
		return TRUE;
	g_set_error(error, RD_ERROR, RD_ERROR_INVALID_ARGUMENTS,
		    "Cannot store the live session: %s", problem);
	return FALSE;
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
	"UPDATE sessions SET roller_address = iif(roller_address = '', ?2, roller_address), "
	"start_unix = iif(clock_set, start_unix, ?3), live_start = ?3, "
	"trace_period_ms = iif(?7 > 0, ?6, trace_period_ms), "
	"trace = iif(?7 > 0, ?8, trace), frames_lost = ?9, source = 'both' "
	"WHERE id = ?1";

static const char insert_live_sql[] =
	"INSERT INTO sessions (roller_serial, roller_address, record_id, area_id, "
	"start_unix, live_start, clock_set, duration_ms, end_reason, needle_um, strokes, "
	"force_mean_cn, force_max_cn, in_band_permille, dir_vertical, dir_diagonal, "
	"dir_horizontal, dir_antidiagonal, cols, rows, passes, trace_period_ms, trace, "
	"frames_lost, source, created_at, head_id) "
	"VALUES (?1, ?2, ?3, ?4, ?5, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, "
	"?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23, 'live', ?24, ?25)";

static gboolean
save_live_locked(RdStore *store, const RdLiveSessionRow *row, GBytes *trace,
		 RdCommitResult *result, gint64 *session_id, GError **error)
{
	g_autoptr(RdCachedStmt) find = NULL;
	g_autoptr(RdCachedStmt) write = NULL;
	const char *address = row->address ? row->address : "";
	gint64 id, head_id;

	/* The live half's key: saved before (merged since, or not) is a duplicate. */
	find = rd_store_stmt(store,
			     "SELECT id FROM sessions WHERE roller_serial = ?1 AND record_id = ?2 "
			     "AND live_start = ?3", error);
	if (!find)
		return FALSE;
	sqlite3_bind_text(find, 1, row->serial, -1, SQLITE_STATIC);
	sqlite3_bind_int(find, 2, row->record_id);
	sqlite3_bind_int64(find, 3, row->start_unix);
	if (!step_for_id(store, find, &id, error))
		return FALSE;
	if (id != 0) {
		*result = RD_COMMIT_DUPLICATE;
		*session_id = id;
		return TRUE;
	}
	g_clear_pointer(&find, rd_cached_stmt_release);

	find = rd_store_stmt(store, find_synced_sql, error);
	if (!find)
		return FALSE;
	sqlite3_bind_text(find, 1, row->serial, -1, SQLITE_STATIC);
	sqlite3_bind_int(find, 2, row->record_id);
	sqlite3_bind_int64(find, 3, row->start_unix);
	sqlite3_bind_int(find, 4, row->area_id);
	sqlite3_bind_int64(find, 5, row->duration_ms);
	if (!step_for_id(store, find, &id, error))
		return FALSE;
	if (id != 0) {
		write = rd_store_stmt(store, merge_live_sql, error);
		if (!write)
			return FALSE;
		sqlite3_bind_int64(write, 1, id);
		sqlite3_bind_text(write, 2, address, -1, SQLITE_STATIC);
		sqlite3_bind_int64(write, 3, row->start_unix);
		sqlite3_bind_int(write, 6, row->trace_period_ms);
		sqlite3_bind_int(write, 7, row->trace_len);
		bind_blob(write, 8, g_bytes_get_data(trace, NULL), g_bytes_get_size(trace));
		sqlite3_bind_int64(write, 9, row->frames_lost);
		if (!rd_store_step_done(store, write, "Could not merge the live session", error))
			return FALSE;
		*result = RD_COMMIT_MERGED;
		*session_id = id;
		return TRUE;
	}

	if (!rd_store_count_session_on_head(store, row->serial, row->needle_um,
					    row->start_unix, row->strokes, &head_id,
					    error))
		return FALSE;
	write = rd_store_stmt(store, insert_live_sql, error);
	if (!write)
		return FALSE;
	sqlite3_bind_text(write, 1, row->serial, -1, SQLITE_STATIC);
	sqlite3_bind_text(write, 2, address, -1, SQLITE_STATIC);
	sqlite3_bind_int(write, 3, row->record_id);
	sqlite3_bind_int(write, 4, row->area_id);
	sqlite3_bind_int64(write, 5, row->start_unix);
	sqlite3_bind_int(write, 6, row->clock_set ? 1 : 0);
	sqlite3_bind_int64(write, 7, row->duration_ms);
	if (row->end_reason >= 0)
		sqlite3_bind_int(write, 8, row->end_reason);
	sqlite3_bind_int(write, 9, row->needle_um);
	sqlite3_bind_int64(write, 10, row->strokes);
	sqlite3_bind_int(write, 11, row->force_mean_cn);
	sqlite3_bind_int(write, 12, row->force_max_cn);
	sqlite3_bind_int(write, 13, row->in_band_permille);
	for (int i = 0; i < 4; i++)
		sqlite3_bind_int64(write, 14 + i, row->dirs[i]);
	sqlite3_bind_int(write, 18, row->cols);
	sqlite3_bind_int(write, 19, row->rows);
	bind_blob(write, 20, row->passes, (gsize)row->cols * row->rows);
	sqlite3_bind_int(write, 21, row->trace_period_ms);
	bind_blob(write, 22, g_bytes_get_data(trace, NULL), g_bytes_get_size(trace));
	sqlite3_bind_int64(write, 23, row->frames_lost);
	sqlite3_bind_int64(write, 24, rd_store_now());
	if (head_id)
		sqlite3_bind_int64(write, 25, head_id);
	if (!rd_store_step_done(store, write, "Could not store the live session", error))
		return FALSE;
	*result = RD_COMMIT_INSERTED;
	*session_id = sqlite3_last_insert_rowid(store->db);
	return TRUE;
}

gboolean
rd_store_save_live_session(RdStore *store, const RdLiveSessionRow *row,
			   RdCommitResult *result, gint64 *session_id,
			   GError **error)
{
	g_autoptr(GBytes) trace = NULL;
	guint16 *le;
	RdCommitResult dummy_result;
	gint64 dummy_id;

	g_return_val_if_fail(store != NULL && row != NULL, FALSE);

	if (!validate_live_row(row, error))
		return FALSE;
	/* The column holds u16 LE, as records carry it. */
	le = g_new(guint16, MAX(row->trace_len, 1));
	for (guint i = 0; i < row->trace_len; i++)
		le[i] = GUINT16_TO_LE(row->trace[i]);
	trace = g_bytes_new_take(le, 2 * (gsize)row->trace_len);
	if (!result)
		result = &dummy_result;
	if (!session_id)
		session_id = &dummy_id;

	if (!rd_store_begin(store, error))
		return FALSE;
	if (!save_live_locked(store, row, trace, result, session_id, error)) {
		rd_store_rollback(store);
		return FALSE;
	}
	return rd_store_commit(store, error);
}
