/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The store's connection: opening, the statement cache, transactions and
 * the SQLite-to-GError mapping every other rd-store-*.c file uses.
 */
#include "config.h"

#include "rd-store-db.h"

/* A SQLite writer elsewhere (rollerctl, a backup) gets this long. */
#define BUSY_TIMEOUT_MS 5000

void
rd_cached_stmt_release(RdCachedStmt *stmt)
{
	sqlite3_reset(stmt);
	sqlite3_clear_bindings(stmt);
}

static void
finalize_stmt(gpointer stmt)
{
	sqlite3_finalize(stmt);
}

RdCachedStmt *
rd_store_db_stmt(RdStoreDb *db, const char *sql, GError **error)
{
	sqlite3_stmt *stmt = g_hash_table_lookup(db->stmts, sql);

	if (stmt)
		return stmt;
	if (sqlite3_prepare_v3(db->sqlite, sql, -1, SQLITE_PREPARE_PERSISTENT,
			       &stmt, NULL) != SQLITE_OK) {
		rd_store_db_set_error(db, error, "Could not prepare a query");
		return NULL;
	}
	g_hash_table_insert(db->stmts, (gpointer)sql, stmt);
	return stmt;
}

/*
 * Whether the last error says the file cannot be trusted: it is damaged,
 * or reading it failed.  A failed write (a full disk, the file size limit,
 * which SQLite reports as a write I/O error without its errno) fails its
 * transaction only: SQLite rolls it back, and the sync reads back what it
 * committed before, past the cache, before deleting anything.
 */
static gboolean
error_is_damage(sqlite3 *sqlite)
{
	int code = sqlite3_extended_errcode(sqlite);

	switch (code & 0xff) {
	case SQLITE_CORRUPT:
	case SQLITE_NOTADB:
		return TRUE;
	case SQLITE_IOERR:
		return code == SQLITE_IOERR_READ || code == SQLITE_IOERR_SHORT_READ
#ifdef SQLITE_IOERR_CORRUPTFS
		       || code == SQLITE_IOERR_CORRUPTFS
#endif
		       ;
	default:
		return FALSE;
	}
}

void
rd_store_db_set_error(RdStoreDb *db, GError **error, const char *what)
{
	if (!db->damaged && error_is_damage(db->sqlite)) {
		g_warning("%s: SQLite reports damage (%s); no record is deleted from a "
			  "roller until rollerd has checked it again at its next start",
			  db->path, sqlite3_errmsg(db->sqlite));
		db->damaged = TRUE;
	}
	g_set_error(error, RD_ERROR, RD_ERROR_STORAGE_FAILED, "%s: %s", what,
		    sqlite3_errmsg(db->sqlite));
}

gboolean
rd_store_db_step_done(RdStoreDb *db, sqlite3_stmt *stmt, const char *what,
		      GError **error)
{
	int rc = sqlite3_step(stmt);

	if (rc == SQLITE_DONE || rc == SQLITE_ROW)
		return TRUE;
	rd_store_db_set_error(db, error, what);
	return FALSE;
}

static gboolean
exec_cached(RdStoreDb *db, const char *sql, const char *what, GError **error)
{
	g_autoptr(RdCachedStmt) stmt = rd_store_db_stmt(db, sql, error);

	return stmt && rd_store_db_step_done(db, stmt, what, error);
}

gboolean
rd_store_db_begin(RdStoreDb *db, GError **error)
{
	return exec_cached(db, "BEGIN IMMEDIATE", "Could not start a transaction", error);
}

gboolean
rd_store_db_begin_read(RdStoreDb *db, GError **error)
{
	return exec_cached(db, "BEGIN DEFERRED", "Could not start a transaction", error);
}

gboolean
rd_store_db_commit(RdStoreDb *db, GError **error)
{
	if (exec_cached(db, "COMMIT", "Could not commit", error))
		return TRUE;
	rd_store_db_rollback(db);
	return FALSE;
}

void
rd_store_db_rollback(RdStoreDb *db)
{
	/* SQLITE_FULL and I/O errors may have rolled back already. */
	if (sqlite3_get_autocommit(db->sqlite))
		return;
	if (!exec_cached(db, "ROLLBACK", "", NULL))
		g_debug("ROLLBACK failed: %s", sqlite3_errmsg(db->sqlite));
}

gboolean
rd_store_db_collect(sqlite3 *sqlite, const char *sql, GString *out)
{
	sqlite3_stmt *stmt = NULL;
	int rc;

	if (sqlite3_prepare_v2(sqlite, sql, -1, &stmt, NULL) != SQLITE_OK) {
		g_string_append_printf(out, "%s%s", out->len ? "; " : "", sqlite3_errmsg(sqlite));
		return FALSE;
	}
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		const char *line = (const char *)sqlite3_column_text(stmt, 0);

		if (line && g_str_equal(line, "ok"))
			continue;
		g_string_append_printf(out, "%s%s", out->len ? "; " : "", line ? line : "");
	}
	if (rc != SQLITE_DONE)
		g_string_append_printf(out, "%s%s", out->len ? "; " : "", sqlite3_errmsg(sqlite));
	sqlite3_finalize(stmt);
	return rc == SQLITE_DONE;
}

gint64
rd_store_db_now(void)
{
	return g_get_real_time() / G_USEC_PER_SEC;
}

void
rd_store_db_free(RdStoreDb *db)
{
	if (!db)
		return;
	g_clear_pointer(&db->stmts, g_hash_table_unref);
	if (db->sqlite && sqlite3_close(db->sqlite) != SQLITE_OK)
		g_warning("Could not close %s: %s", db->path, sqlite3_errmsg(db->sqlite));
	g_free(db->path);
	g_free(db);
}

RdStoreDb *
rd_store_db_open(const char *path, GError **error)
{
	g_autoptr(RdStoreDb) db = g_new0(RdStoreDb, 1);

	db->path = g_strdup(path);
	db->stmts = g_hash_table_new_full(g_str_hash, g_str_equal, NULL, finalize_stmt);
	if (sqlite3_open_v2(path, &db->sqlite,
			    SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) != SQLITE_OK) {
		g_autofree char *what = g_strdup_printf("Could not open the history %s", path);

		rd_store_db_set_error(db, error, what);
		return NULL;
	}
	/* SQLite falls back to reading only; every sync would then fail late. */
	if (sqlite3_db_readonly(db->sqlite, "main") == 1) {
		g_set_error(error, RD_ERROR, RD_ERROR_STORAGE_FAILED,
			    "The history %s is read-only; rollerd needs to write it", path);
		return NULL;
	}
	sqlite3_extended_result_codes(db->sqlite, 1);
	sqlite3_busy_timeout(db->sqlite, BUSY_TIMEOUT_MS);
	if (sqlite3_exec(db->sqlite, "PRAGMA foreign_keys = ON", NULL, NULL, NULL) != SQLITE_OK) {
		rd_store_db_set_error(db, error, "Could not enable foreign keys");
		return NULL;
	}
	return g_steal_pointer(&db);
}
