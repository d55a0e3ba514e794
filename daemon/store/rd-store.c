/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The history's handle: it owns the connection (rd-store-db.c), opens
 * it, brings its schema up to date (rd-store-schema.c) and flushes it.
 * The other rd-store-*.c files reach the connection by rd_store_get_db().
 */
#include "config.h"

#include "rd-store.h"
#include "rd-store-check.h"
#include "rd-store-db.h"
#include "rd-store-schema.h"

struct _RdStore {
	RdStoreDb *db;
};

RdStoreDb *
rd_store_get_db(RdStore *store)
{
	return store->db;
}

gboolean
rd_store_is_damaged(RdStore *store)
{
	return store->db->damaged;
}

void
rd_store_free(RdStore *store)
{
	if (!store)
		return;
	g_clear_pointer(&store->db, rd_store_db_free);
	g_free(store);
}

/* PRAGMA journal_mode answers with a row; the others run quietly. */
static gboolean
set_pragmas(RdStoreDb *db, GError **error)
{
	sqlite3_stmt *stmt = NULL;
	gboolean ok;

	if (sqlite3_prepare_v2(db->sqlite, "PRAGMA journal_mode = WAL", -1, &stmt, NULL) != SQLITE_OK) {
		rd_store_db_set_error(db, error, "Could not enable WAL");
		return FALSE;
	}
	ok = sqlite3_step(stmt) == SQLITE_ROW;
	if (!ok)
		rd_store_db_set_error(db, error, "Could not enable WAL");
	else if (g_ascii_strcasecmp((const char *)sqlite3_column_text(stmt, 0), "wal") != 0)
		g_debug("%s stays in journal mode %s", db->path, sqlite3_column_text(stmt, 0));
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
	if (sqlite3_exec(db->sqlite,
			 "PRAGMA synchronous = NORMAL;"
			 "PRAGMA cache_size = -512;"
			 "PRAGMA trusted_schema = OFF;",
			 NULL, NULL, NULL) != SQLITE_OK) {
		rd_store_db_set_error(db, error, "Could not configure the history");
		return FALSE;
	}
	return TRUE;
}

gboolean
rd_store_flush(RdStore *store, GError **error)
{
	RdStoreDb *db = store->db;
	sqlite3_stmt *stmt = NULL;
	gboolean ok;

	/* WAL, NORMAL: the WAL is synced before a checkpoint, and FULL
	 * copies all of it into the database and syncs that too. */
	if (sqlite3_prepare_v2(db->sqlite, "PRAGMA wal_checkpoint(FULL)", -1, &stmt,
			       NULL) != SQLITE_OK) {
		rd_store_db_set_error(db, error, "Could not write the history to disk");
		return FALSE;
	}
	ok = sqlite3_step(stmt) == SQLITE_ROW;
	if (!ok)
		rd_store_db_set_error(db, error, "Could not write the history to disk");
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
	gboolean need_identity;
	int version;

	g_return_val_if_fail(path != NULL, NULL);

	/* A damaged journal is never written to: SQLite would make an empty
	 * one of a missing file, and write around damage until it hit it. */
	if (!rd_store_check_presence(path, &need_identity, error))
		return NULL;
	store = g_new0(RdStore, 1);
	store->db = rd_store_db_open(path, error);
	if (!store->db)
		return NULL;
	/* Before anything writes: a damaged or newer file is left as it is. */
	if (!rd_store_check_integrity(store->db, error) ||
	    !rd_store_schema_check_version(store->db, &version, error) ||
	    !set_pragmas(store->db, error) ||
	    !rd_store_schema_migrate(store->db, version, error))
		return NULL;
	/* The identity only once the journal it vouches for is on disk. */
	if (need_identity &&
	    (!rd_store_flush(store, error) || !rd_store_check_note_identity(store->db, error)))
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
