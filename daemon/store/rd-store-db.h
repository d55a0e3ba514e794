/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Shared by the rd-store-*.c files (and the store's tests): the handle,
 * the statement cache, transactions and error helpers.
 */
#pragma once

#include <sqlite3.h>

#include "rd-store.h"

struct _RdStore {
	sqlite3 *db;
	char *path;
	/* SQL text -> sqlite3_stmt, prepared once and reset after each use. */
	GHashTable *stmts;
};

/*
 * A statement from the cache.  Its g_autoptr cleanup resets it and clears
 * its bindings (it stays cached), so no early return leaves it busy.
 */
typedef sqlite3_stmt RdCachedStmt;

void rd_cached_stmt_release(RdCachedStmt *stmt);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(RdCachedStmt, rd_cached_stmt_release)

/* @sql must outlive @store (a string literal): it is the cache key. */
RdCachedStmt *rd_store_stmt(RdStore *store, const char *sql, GError **error);

/* RD_ERROR_STORAGE_FAILED "<what>: <sqlite3_errmsg>". */
void rd_store_set_sqlite_error(RdStore *store, GError **error, const char *what);

/* Steps a statement that returns no row (or whose rows are ignored). */
gboolean rd_store_step_done(RdStore *store, sqlite3_stmt *stmt,
			    const char *what, GError **error);

/* BEGIN IMMEDIATE: the write lock up front, so COMMIT cannot hit BUSY. */
gboolean rd_store_begin(RdStore *store, GError **error);
/* BEGIN DEFERRED: several reads from one snapshot. */
gboolean rd_store_begin_read(RdStore *store, GError **error);
gboolean rd_store_commit(RdStore *store, GError **error);
/* Rolls back if a transaction is still open; keeps the first error. */
void rd_store_rollback(RdStore *store);

gint64 rd_store_now(void);

/*
 * rd-store-schema.c: reads the schema version and refuses one newer than
 * RD_STORE_SCHEMA_VERSION (before anything touches the file), then runs
 * the missing migrations from @version, one transaction each.
 */
gboolean rd_store_check_schema_version(RdStore *store, int *version, GError **error);
gboolean rd_store_migrate(RdStore *store, int version, GError **error);

/*
 * rd-store-journal.c: the head a session at @start with @needle_um counts
 * towards (creating one if needed), its counts raised; 0 if none.
 */
gboolean rd_store_count_session_on_head(RdStore *store, const char *serial,
					guint16 needle_um, gint64 start,
					guint32 strokes, gint64 *head_id,
					GError **error);

/*
 * rd-store-query.c: the summaries @filter selects, newest first; without
 * @paged a filter's limit of 0 means all of them (for export).
 */
gboolean rd_store_select_sessions(RdStore *store, const RdSessionFilter *filter,
				  gboolean paged, GPtrArray **rows, GError **error);

/* For tests: the connection, e.g. to lower PRAGMA max_page_count. */
sqlite3 *rd_store_get_sqlite(RdStore *store);
