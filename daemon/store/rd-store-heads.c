/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Needle heads as sessions wear them: which head a session counts on
 * (fitting a new one when the length changed) and its counts.  Under the
 * commits and the schema's backfill; it knows only the connection.
 */
#include "config.h"

#include "rd-store-heads.h"

gboolean
rd_store_heads_fit(RdStoreDb *db, const char *serial, guint16 needle_um, gint64 when,
		   const char *what, gint64 *head_id, GError **error)
{
	g_autoptr(RdCachedStmt) stmt = rd_store_db_stmt(db,
		"INSERT INTO heads (roller_serial, needle_um, fitted_at) VALUES (?1, ?2, ?3)",
		error);

	if (!stmt)
		return FALSE;
	sqlite3_bind_text(stmt, 1, serial, -1, SQLITE_STATIC);
	sqlite3_bind_int(stmt, 2, needle_um);
	sqlite3_bind_int64(stmt, 3, when);
	if (!rd_store_db_step_done(db, stmt, what, error))
		return FALSE;
	if (head_id)
		*head_id = sqlite3_last_insert_rowid(db->sqlite);
	return TRUE;
}

gboolean
rd_store_heads_count_session(RdStoreDb *db, const char *serial,
			     guint16 needle_um, gint64 start, guint32 strokes,
			     gint64 *head_id, GError **error)
{
	g_autoptr(RdCachedStmt) find = NULL;
	g_autoptr(RdCachedStmt) count = NULL;
	gint64 id = 0;
	guint16 head_needle = 0;
	int rc;

	*head_id = 0;
	find = rd_store_db_stmt(db,
				"SELECT id, needle_um FROM heads "
				"WHERE roller_serial = ?1 AND fitted_at <= ?2 "
				"ORDER BY fitted_at DESC, id DESC LIMIT 1", error);
	if (!find)
		return FALSE;
	sqlite3_bind_text(find, 1, serial, -1, SQLITE_STATIC);
	sqlite3_bind_int64(find, 2, start);
	rc = sqlite3_step(find);
	if (rc == SQLITE_ROW) {
		id = sqlite3_column_int64(find, 0);
		head_needle = (guint16)sqlite3_column_int(find, 1);
	} else if (rc != SQLITE_DONE) {
		rd_store_db_set_error(db, error, "Could not look up the needle head");
		return FALSE;
	}

	if (id != 0 && head_needle == 0 && needle_um != 0) {
		/* A head fitted with its length unknown learns it now. */
		g_autoptr(RdCachedStmt) learn = rd_store_db_stmt(db,
			"UPDATE heads SET needle_um = ?2 WHERE id = ?1", error);

		if (!learn)
			return FALSE;
		sqlite3_bind_int64(learn, 1, id);
		sqlite3_bind_int(learn, 2, needle_um);
		if (!rd_store_db_step_done(db, learn, "Could not update the needle head", error))
			return FALSE;
	} else if (needle_um != 0 && (id == 0 || head_needle != needle_um)) {
		if (!rd_store_heads_fit(db, serial, needle_um, start, "Could not add a needle head",
					&id, error))
			return FALSE;
	}
	if (id == 0)
		return TRUE;	/* length unknown and no head yet */

	count = rd_store_db_stmt(db,
				 "UPDATE heads SET sessions = sessions + 1, strokes = strokes + ?2 "
				 "WHERE id = ?1", error);
	if (!count)
		return FALSE;
	sqlite3_bind_int64(count, 1, id);
	sqlite3_bind_int64(count, 2, strokes);
	if (!rd_store_db_step_done(db, count, "Could not count on the needle head", error))
		return FALSE;
	*head_id = id;
	return TRUE;
}

gboolean
rd_store_heads_add_strokes(RdStoreDb *db, gint64 head_id, gint64 delta, GError **error)
{
	g_autoptr(RdCachedStmt) stmt = NULL;

	if (head_id == 0 || delta == 0)
		return TRUE;
	stmt = rd_store_db_stmt(db,
				"UPDATE heads SET strokes = max(0, strokes + ?2) WHERE id = ?1",
				error);
	if (!stmt)
		return FALSE;
	sqlite3_bind_int64(stmt, 1, head_id);
	sqlite3_bind_int64(stmt, 2, delta);
	return rd_store_db_step_done(db, stmt, "Could not count on the needle head", error);
}
