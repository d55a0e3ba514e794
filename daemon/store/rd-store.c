/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The history's handle: opening, the statement cache, transactions and
 * the SQLite-to-GError mapping every other rd-store-*.c file uses.
 */
#include "config.h"

#include "rd-store-private.h"

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
rd_store_stmt(RdStore *store, const char *sql, GError **error)
{
	sqlite3_stmt *stmt = g_hash_table_lookup(store->stmts, sql);

	if (stmt)
		return stmt;
	if (sqlite3_prepare_v3(store->db, sql, -1, SQLITE_PREPARE_PERSISTENT,
			       &stmt, NULL) != SQLITE_OK) {
		rd_store_set_sqlite_error(store, error, "Could not prepare a query");
		return NULL;
	}
	g_hash_table_insert(store->stmts, (gpointer)sql, stmt);
	return stmt;
}

void
rd_store_set_sqlite_error(RdStore *store, GError **error, const char *what)
{
	g_set_error(error, RD_ERROR, RD_ERROR_STORAGE_FAILED, "%s: %s", what,
		    sqlite3_errmsg(store->db));
}

gboolean
rd_store_step_done(RdStore *store, sqlite3_stmt *stmt, const char *what,
		   GError **error)
{
	int rc = sqlite3_step(stmt);

	if (rc == SQLITE_DONE || rc == SQLITE_ROW)
		return TRUE;
	rd_store_set_sqlite_error(store, error, what);
	return FALSE;
}

static gboolean
exec_cached(RdStore *store, const char *sql, const char *what, GError **error)
{
	g_autoptr(RdCachedStmt) stmt = rd_store_stmt(store, sql, error);

	return stmt && rd_store_step_done(store, stmt, what, error);
}

gboolean
rd_store_begin(RdStore *store, GError **error)
{
	return exec_cached(store, "BEGIN IMMEDIATE", "Could not start a transaction", error);
}

gboolean
rd_store_begin_read(RdStore *store, GError **error)
{
	return exec_cached(store, "BEGIN DEFERRED", "Could not start a transaction", error);
}

gboolean
rd_store_commit(RdStore *store, GError **error)
{
	if (exec_cached(store, "COMMIT", "Could not commit", error))
		return TRUE;
	rd_store_rollback(store);
	return FALSE;
}

void
rd_store_rollback(RdStore *store)
{
	/* SQLITE_FULL and I/O errors may have rolled back already. */
	if (sqlite3_get_autocommit(store->db))
		return;
	if (!exec_cached(store, "ROLLBACK", "", NULL))
		g_debug("ROLLBACK failed: %s", sqlite3_errmsg(store->db));
}

gint64
rd_store_now(void)
{
	return g_get_real_time() / G_USEC_PER_SEC;
}

sqlite3 *
rd_store_get_sqlite(RdStore *store)
{
	return store->db;
}

void
rd_store_free(RdStore *store)
{
	if (!store)
		return;
	g_clear_pointer(&store->stmts, g_hash_table_unref);
	if (store->db && sqlite3_close(store->db) != SQLITE_OK)
		g_warning("Could not close %s: %s", store->path, sqlite3_errmsg(store->db));
	g_free(store->path);
	g_free(store);
}

/* PRAGMA journal_mode answers with a row; the others run quietly. */
static gboolean
set_pragmas(RdStore *store, GError **error)
{
	sqlite3_stmt *stmt = NULL;
	gboolean ok;

	if (sqlite3_prepare_v2(store->db, "PRAGMA journal_mode = WAL", -1, &stmt, NULL) != SQLITE_OK) {
		rd_store_set_sqlite_error(store, error, "Could not enable WAL");
		return FALSE;
	}
	ok = sqlite3_step(stmt) == SQLITE_ROW;
	if (!ok)
		rd_store_set_sqlite_error(store, error, "Could not enable WAL");
	else if (g_ascii_strcasecmp((const char *)sqlite3_column_text(stmt, 0), "wal") != 0)
		g_debug("%s stays in journal mode %s", store->path, sqlite3_column_text(stmt, 0));
	sqlite3_finalize(stmt);
	if (!ok)
		return FALSE;

	/*
	 * NORMAL: a commit does not wait for the disk, which would hold the
	 * main loop (and the roller's notifications, whose socket holds a few
	 * dozen milliseconds of them) for an fsync per record; rd_store_flush()
	 * makes everything durable before a sync deletes from the roller.  A
	 * 512 KiB page cache: a page of 100 sessions reads a few dozen pages,
	 * and the daemon's memory budget is a few MiB.
	 */
	if (sqlite3_exec(store->db,
			 "PRAGMA synchronous = NORMAL;"
			 "PRAGMA cache_size = -512;"
			 "PRAGMA trusted_schema = OFF;",
			 NULL, NULL, NULL) != SQLITE_OK) {
		rd_store_set_sqlite_error(store, error, "Could not configure the history");
		return FALSE;
	}
	return TRUE;
}

gboolean
rd_store_flush(RdStore *store, GError **error)
{
	sqlite3_stmt *stmt = NULL;
	gboolean ok;

	/* WAL, NORMAL: the WAL is synced before a checkpoint, and FULL
	 * copies all of it into the database and syncs that too. */
	if (sqlite3_prepare_v2(store->db, "PRAGMA wal_checkpoint(FULL)", -1, &stmt,
			       NULL) != SQLITE_OK) {
		rd_store_set_sqlite_error(store, error, "Could not write the history to disk");
		return FALSE;
	}
	ok = sqlite3_step(stmt) == SQLITE_ROW;
	if (!ok)
		rd_store_set_sqlite_error(store, error, "Could not write the history to disk");
	else if (sqlite3_column_int(stmt, 0) != 0) {
		g_set_error(error, RD_ERROR, RD_ERROR_STORAGE_FAILED,
			    "Could not write the history to disk: the database is busy");
		ok = FALSE;
	}
	sqlite3_finalize(stmt);
	return ok;
}

RdStore *
rd_store_open(const char *path, GError **error)
{
	g_autoptr(RdStore) store = NULL;
	int version;

	g_return_val_if_fail(path != NULL, NULL);

	store = g_new0(RdStore, 1);
	store->path = g_strdup(path);
	store->stmts = g_hash_table_new_full(g_str_hash, g_str_equal, NULL, finalize_stmt);
	if (sqlite3_open_v2(path, &store->db,
			    SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) != SQLITE_OK) {
		g_autofree char *what = g_strdup_printf("Could not open the history %s", path);

		rd_store_set_sqlite_error(store, error, what);
		return NULL;
	}
	/* SQLite falls back to reading only; every sync would then fail late. */
	if (sqlite3_db_readonly(store->db, "main") == 1) {
		g_set_error(error, RD_ERROR, RD_ERROR_STORAGE_FAILED,
			    "The history %s is read-only; rollerd needs to write it", path);
		return NULL;
	}
	sqlite3_extended_result_codes(store->db, 1);
	sqlite3_busy_timeout(store->db, BUSY_TIMEOUT_MS);
	if (sqlite3_exec(store->db, "PRAGMA foreign_keys = ON", NULL, NULL, NULL) != SQLITE_OK) {
		rd_store_set_sqlite_error(store, error, "Could not enable foreign keys");
		return NULL;
	}
	/* Before anything writes: a newer file is left as it is. */
	if (!rd_store_check_schema_version(store, &version, error) ||
	    !set_pragmas(store, error) ||
	    !rd_store_migrate(store, version, error))
		return NULL;
	return g_steal_pointer(&store);
}

const char *
rd_session_source_to_string(RdSessionSource source)
{
	switch (source) {
	case RD_SESSION_SOURCE_LIVE:
		return "live";
	case RD_SESSION_SOURCE_SYNCED:
		return "synced";
	case RD_SESSION_SOURCE_BOTH:
		return "both";
	}
	return "unknown";
}
