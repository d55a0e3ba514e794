/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The store's lowest layer: its SQLite connection, the statement cache,
 * transactions and the SQLite-to-GError mapping.  It knows nothing of
 * RdStore; every other rd-store-*.c file builds on it.
 */
#pragma once

#include <glib.h>
#include <sqlite3.h>

#include "common/rd-error.h"

typedef struct _RdStoreDb {
	sqlite3 *sqlite;
	char *path;
	/* SQL text -> sqlite3_stmt, prepared once and reset after each use. */
	GHashTable *stmts;
	/* SQLite reported corruption or a failed read (not a failed write). */
	gboolean damaged;
} RdStoreDb;

/*
 * Opens (creating if needed) the database at @path for reading and
 * writing, foreign keys on; refuses a file SQLite can only read.
 */
RdStoreDb *rd_store_db_open(const char *path, GError **error);
void rd_store_db_free(RdStoreDb *db);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(RdStoreDb, rd_store_db_free)

/*
 * A statement from the cache.  Its g_autoptr cleanup resets it and clears
 * its bindings (it stays cached), so no early return leaves it busy.
 */
typedef sqlite3_stmt RdCachedStmt;

void rd_cached_stmt_release(RdCachedStmt *stmt);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(RdCachedStmt, rd_cached_stmt_release)

/* @sql must outlive @db (a string literal): it is the cache key. */
RdCachedStmt *rd_store_db_stmt(RdStoreDb *db, const char *sql, GError **error);

/* RD_ERROR_STORAGE_FAILED "<what>: <sqlite3_errmsg>"; notes damage. */
void rd_store_db_set_error(RdStoreDb *db, GError **error, const char *what);

/* Steps a statement that returns no row (or whose rows are ignored). */
gboolean rd_store_db_step_done(RdStoreDb *db, sqlite3_stmt *stmt,
			       const char *what, GError **error);

/* BEGIN IMMEDIATE: the write lock up front, so COMMIT cannot hit BUSY. */
gboolean rd_store_db_begin(RdStoreDb *db, GError **error);
/* BEGIN DEFERRED: several reads from one snapshot. */
gboolean rd_store_db_begin_read(RdStoreDb *db, GError **error);
gboolean rd_store_db_commit(RdStoreDb *db, GError **error);
/* Rolls back if a transaction is still open; keeps the first error. */
void rd_store_db_rollback(RdStoreDb *db);

/*
 * Runs @sql on @sqlite (any connection, e.g. a copy's) and appends the
 * first column of its rows but "ok" to @out, "; " between; SQLite's
 * message when it fails, and FALSE.  For checks (integrity_check) and
 * one-value pragmas.
 */
gboolean rd_store_db_collect(sqlite3 *sqlite, const char *sql, GString *out);

/* The wall clock in seconds, as the history's timestamps keep it. */
gint64 rd_store_db_now(void);
