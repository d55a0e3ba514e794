/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The clinic's outbox: switched on and off, read in order, trimmed. */
#include "config.h"

#include "rd-store-outbox.h"
#include "rd-store-db.h"

void
rd_outbox_row_free(RdOutboxRow *row)
{
	if (!row)
		return;
	g_free(row->kind);
	g_free(row->body);
	g_free(row);
}

/*
 * Touching every row fires the triggers, so the history already there
 * goes out as its later changes will: people first, whom sessions name.
 */
static const char backfill_sql[] =
	"UPDATE people SET id = id;"
	"UPDATE heads SET id = id;"
	"UPDATE sessions SET id = id;"
	"UPDATE session_notes SET session_id = session_id;";

static gboolean
exec(RdStoreDb *db, const char *sql, const char *what, GError **error)
{
	if (sqlite3_exec(db->sqlite, sql, NULL, NULL, NULL) != SQLITE_OK) {
		rd_store_db_set_error(db, error, what);
		return FALSE;
	}
	return TRUE;
}

static gboolean
enable_locked(RdStoreDb *db, gboolean on, GError **error)
{
	g_autoptr(RdCachedStmt) stmt = rd_store_db_stmt(db, "SELECT count(*) FROM outbox_on",
							error);
	gboolean was_on;

	if (!stmt)
		return FALSE;
	if (sqlite3_step(stmt) != SQLITE_ROW) {
		rd_store_db_set_error(db, error, "Could not read the outbox's state");
		return FALSE;
	}
	was_on = sqlite3_column_int(stmt, 0) > 0;
	if (on == was_on)
		return TRUE;
	if (!on)
		return exec(db, "DELETE FROM outbox_on; DELETE FROM outbox;",
			    "Could not switch the outbox off", error);
	return exec(db, "INSERT INTO outbox_on (one) VALUES (1);",
		    "Could not switch the outbox on", error) &&
	       exec(db, backfill_sql, "Could not put the history in the outbox", error);
}

gboolean
rd_store_outbox_enable(RdStore *store, gboolean on, GError **error)
{
	RdStoreDb *db = rd_store_get_db(store);

	if (!rd_store_db_begin(db, error))
		return FALSE;
	if (!enable_locked(db, on, error)) {
		rd_store_db_rollback(db);
		return FALSE;
	}
	return rd_store_db_commit(db, error);
}

/*
 * Each row's content as it is now: a session changed three times before
 * it is sent goes three times with its last state, which PostgreSQL stores
 * once.  A session or note gone since has no body (its tombstone follows);
 * a person gone since still carries the rename the row recorded.
 */
static const char read_sql[] =
	"SELECT o.seq, o.kind, o.at, CASE o.kind "
	"WHEN 'session' THEN (SELECT json_object('id', s.id, 'serial', s.roller_serial, "
	"'address', s.roller_address, 'record_id', s.record_id, 'area', s.area_id, "
	"'start', s.start_unix, 'clock_set', s.clock_set, 'record_start', s.record_start, "
	"'record_crc', s.record_crc, 'live_start', s.live_start, "
	"'duration_ms', s.duration_ms, 'end_reason', s.end_reason, "
	"'needle_um', s.needle_um, 'strokes', s.strokes, 'force_mean_cn', s.force_mean_cn, "
	"'force_max_cn', s.force_max_cn, 'in_band_permille', s.in_band_permille, "
	"'dirs', json_array(s.dir_vertical, s.dir_diagonal, s.dir_horizontal, "
	"s.dir_antidiagonal), 'cols', s.cols, 'rows', s.rows, 'passes', hex(s.passes), "
	"'trace_period_ms', s.trace_period_ms, 'trace', hex(s.trace), 'source', s.source, "
	"'synced_at', s.synced_at, 'created_at', s.created_at, "
	"'frames_lost', s.frames_lost, 'person', p.name_key, 'head_fitted_at', h.fitted_at) "
	"FROM sessions s LEFT JOIN people p ON p.id = s.person_id "
	"LEFT JOIN heads h ON h.id = s.head_id WHERE s.id = o.ref) "
	"WHEN 'notes' THEN (SELECT json_object('session', session_id, 'topical', topical, "
	"'numbing', numbing, 'redness', redness, 'text', text, 'cleaned', cleaned) "
	"FROM session_notes WHERE session_id = o.ref) "
	"WHEN 'person' THEN coalesce((SELECT json_object('key', o.key, 'old_key', o.old_key, "
	"'name', name, 'notes', notes, 'needle_um', needle_um, 'areas', hex(areas)) "
	"FROM people WHERE id = o.ref AND name_key = o.key), "
	"json_object('key', o.key, 'old_key', o.old_key)) "
	"WHEN 'head' THEN (SELECT json_object('serial', roller_serial, 'needle_um', needle_um, "
	"'fitted_at', fitted_at, 'sessions', sessions, 'strokes', strokes) "
	"FROM heads WHERE id = o.ref) "
	"WHEN 'session-delete' THEN json_object('id', o.ref) "
	"WHEN 'person-delete' THEN json_object('key', o.key) END "
	"FROM outbox o WHERE o.seq > ?1 ORDER BY o.seq LIMIT ?2";

gboolean
rd_store_outbox_read(RdStore *store, gint64 after, guint limit, GPtrArray **rows,
		     GError **error)
{
	RdStoreDb *db = rd_store_get_db(store);
	g_autoptr(RdCachedStmt) stmt = rd_store_db_stmt(db, read_sql, error);
	g_autoptr(GPtrArray) out = g_ptr_array_new_with_free_func((GDestroyNotify)rd_outbox_row_free);
	int rc;

	if (!stmt)
		return FALSE;
	sqlite3_bind_int64(stmt, 1, after);
	sqlite3_bind_int64(stmt, 2, limit);
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		RdOutboxRow *row = g_new0(RdOutboxRow, 1);

		row->seq = sqlite3_column_int64(stmt, 0);
		row->kind = g_strdup((const char *)sqlite3_column_text(stmt, 1));
		row->at = sqlite3_column_int64(stmt, 2);
		row->body = g_strdup((const char *)sqlite3_column_text(stmt, 3));
		g_ptr_array_add(out, row);
	}
	if (rc != SQLITE_DONE) {
		rd_store_db_set_error(db, error, "Could not read the outbox");
		return FALSE;
	}
	*rows = g_steal_pointer(&out);
	return TRUE;
}

gboolean
rd_store_outbox_done(RdStore *store, gint64 seq, GError **error)
{
	RdStoreDb *db = rd_store_get_db(store);
	g_autoptr(RdCachedStmt) stmt = rd_store_db_stmt(db, "DELETE FROM outbox WHERE seq <= ?1",
							error);

	if (!stmt)
		return FALSE;
	sqlite3_bind_int64(stmt, 1, seq);
	return rd_store_db_step_done(db, stmt, "Could not trim the outbox", error);
}

gboolean
rd_store_outbox_count(RdStore *store, gint64 *count, GError **error)
{
	RdStoreDb *db = rd_store_get_db(store);
	g_autoptr(RdCachedStmt) stmt = rd_store_db_stmt(db, "SELECT count(*) FROM outbox", error);

	if (!stmt)
		return FALSE;
	if (sqlite3_step(stmt) != SQLITE_ROW) {
		rd_store_db_set_error(db, error, "Could not count the outbox");
		return FALSE;
	}
	*count = sqlite3_column_int64(stmt, 0);
	return TRUE;
}

static gboolean
rebase_locked(RdStoreDb *db, gint64 cursor, GError **error)
{
	g_autoptr(RdCachedStmt) stmt = rd_store_db_stmt(db,
		"SELECT coalesce((SELECT seq FROM sqlite_sequence WHERE name = 'outbox'), 0)",
		error);
	g_autoptr(RdCachedStmt) move = NULL;
	gint64 top;

	if (!stmt)
		return FALSE;
	if (sqlite3_step(stmt) != SQLITE_ROW) {
		rd_store_db_set_error(db, error, "Could not read the outbox's counter");
		return FALSE;
	}
	top = sqlite3_column_int64(stmt, 0);
	if (top >= cursor)
		return TRUE;
	g_debug("The outbox counted to %" G_GINT64_FORMAT ", the clinic to %" G_GINT64_FORMAT
		": renumbered", top, cursor);
	/* Every seq <= top < cursor: seq + cursor collides with none. */
	move = rd_store_db_stmt(db, "UPDATE outbox SET seq = seq + ?1", error);
	if (!move)
		return FALSE;
	sqlite3_bind_int64(move, 1, cursor);
	if (!rd_store_db_step_done(db, move, "Could not renumber the outbox", error))
		return FALSE;
	/* sqlite_sequence has no key: its row is updated, or the first made. */
	g_clear_pointer(&move, rd_cached_stmt_release);
	move = rd_store_db_stmt(db, "UPDATE sqlite_sequence SET seq = ?1 WHERE name = 'outbox'",
				error);
	if (!move)
		return FALSE;
	sqlite3_bind_int64(move, 1, top + cursor);
	if (!rd_store_db_step_done(db, move, "Could not renumber the outbox", error))
		return FALSE;
	if (sqlite3_changes(db->sqlite) > 0)
		return TRUE;
	g_clear_pointer(&move, rd_cached_stmt_release);
	move = rd_store_db_stmt(db, "INSERT INTO sqlite_sequence (name, seq) VALUES ('outbox', ?1)",
				error);
	if (!move)
		return FALSE;
	sqlite3_bind_int64(move, 1, top + cursor);
	return rd_store_db_step_done(db, move, "Could not renumber the outbox", error);
}

gboolean
rd_store_outbox_rebase(RdStore *store, gint64 cursor, GError **error)
{
	RdStoreDb *db = rd_store_get_db(store);

	if (!rd_store_db_begin(db, error))
		return FALSE;
	if (!rebase_locked(db, cursor, error)) {
		rd_store_db_rollback(db);
		return FALSE;
	}
	return rd_store_db_commit(db, error);
}
