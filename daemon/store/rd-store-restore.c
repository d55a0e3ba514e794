/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Checking a backup and putting it in the journal's place (rd-store-restore.h). */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <glib/gstdio.h>

#include "rd-store-check.h"
#include "rd-store-db.h"
#include "rd-store-outbox.h"
#include "rd-store-restore.h"
#include "rd-store-schema.h"

static const char sqlite_magic[16] = "SQLite format 3";

static gboolean
has_sqlite_header(const char *path, GError **error)
{
	char header[sizeof(sqlite_magic)] = { 0 };
	int fd = g_open(path, O_RDONLY | O_CLOEXEC, 0);
	ssize_t n;

	if (fd < 0) {
		g_set_error(error, RD_ERROR, RD_ERROR_STORAGE_FAILED,
			    "Could not read %s: %s", path, g_strerror(errno));
		return FALSE;
	}
	n = read(fd, header, sizeof(header));
	close(fd);
	if (n != sizeof(header) || memcmp(header, sqlite_magic, sizeof(header)) != 0) {
		g_set_error(error, RD_ERROR, RD_ERROR_INVALID_ARGUMENTS,
			    "The file is not an SQLite database, so not a rollerd backup");
		return FALSE;
	}
	return TRUE;
}

static gboolean
check_open(sqlite3 *db, int *version, GError **error)
{
	g_autoptr(GString) problems = g_string_new(NULL);
	g_autoptr(GString) text = g_string_new(NULL);

	if (!rd_store_db_collect(db, "PRAGMA integrity_check(5)", problems) || problems->len) {
		g_set_error(error, RD_ERROR, RD_ERROR_INVALID_ARGUMENTS,
			    "The backup is damaged (%s); nothing was replaced", problems->str);
		return FALSE;
	}
	if (!rd_store_db_collect(db, "PRAGMA user_version", text)) {
		g_set_error(error, RD_ERROR, RD_ERROR_INVALID_ARGUMENTS,
			    "Could not read the backup's schema version: %s", text->str);
		return FALSE;
	}
	*version = atoi(text->str);
	if (*version > RD_STORE_SCHEMA_VERSION) {
		g_set_error(error, RD_ERROR, RD_ERROR_INVALID_ARGUMENTS,
			    "The backup has schema version %d, newer than version %d that "
			    "this rollerd knows; restore it with a newer rollerd",
			    *version, RD_STORE_SCHEMA_VERSION);
		return FALSE;
	}
	g_string_truncate(text, 0);
	if (*version < 1 ||
	    !rd_store_db_collect(db, "SELECT name FROM sqlite_master WHERE type = 'table' "
			 "AND name = 'sessions'", text) || !g_str_equal(text->str, "sessions")) {
		g_set_error(error, RD_ERROR, RD_ERROR_INVALID_ARGUMENTS,
			    "The file is an SQLite database but not a rollerd journal "
			    "(schema version %d, no sessions table)", *version);
		return FALSE;
	}
	return TRUE;
}

gboolean
rd_store_restore_check(const char *path, int *version, GError **error)
{
	sqlite3 *db = NULL;
	gboolean ok;

	if (!has_sqlite_header(path, error))
		return FALSE;
	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK) {
		g_set_error(error, RD_ERROR, RD_ERROR_INVALID_ARGUMENTS,
			    "Could not open the backup: %s", sqlite3_errmsg(db));
		sqlite3_close(db);
		return FALSE;
	}
	ok = check_open(db, version, error);
	sqlite3_close(db);
	return ok;
}

/* "<journal>.replaced-20261206T032426Z", "-2" and on if taken. */
static char *
keep_old(const char *path, GError **error)
{
	g_autoptr(GDateTime) now = g_date_time_new_now_utc();
	g_autofree char *stamp = g_date_time_format(now, "%Y%m%dT%H%M%SZ");

	for (guint i = 1; i < 100; i++) {
		g_autofree char *kept = i == 1 ?
			g_strdup_printf("%s.replaced-%s", path, stamp) :
			g_strdup_printf("%s.replaced-%s-%u", path, stamp, i);

		/* A hard link: the journal stays in place until the rename. */
		if (link(path, kept) == 0)
			return g_steal_pointer(&kept);
		if (errno != EEXIST)
			break;
	}
	g_set_error(error, RD_ERROR, RD_ERROR_STORAGE_FAILED,
		    "Could not keep the journal %s aside: %s", path, g_strerror(errno));
	return NULL;
}

static void
sync_dir(const char *path)
{
	g_autofree char *dir = g_path_get_dirname(path);
	int fd = g_open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0);

	if (fd < 0)
		return;
	if (fsync(fd) < 0)
		g_debug("Could not sync %s: %s", dir, g_strerror(errno));
	close(fd);
}

/* The old journal's WAL must be gone: SQLite would replay it onto the new one. */
static gboolean
wal_is_gone(const char *path, GError **error)
{
	g_autofree char *wal = g_strconcat(path, "-wal", NULL);
	GStatBuf st;

	if (g_stat(wal, &st) == 0 && st.st_size > 0) {
		g_set_error(error, RD_ERROR, RD_ERROR_STORAGE_FAILED,
			    "The journal's write-ahead log %s was not emptied; nothing "
			    "was replaced", wal);
		return FALSE;
	}
	return TRUE;
}

static gboolean
reopen(RdStore **store, const char *path, GError **error)
{
	*store = rd_store_open(path, error);
	return *store != NULL;
}

/*
 * The restored journal's AUTOINCREMENT counters raised to the replaced
 * one's: ids and outbox seqs given after the backup are never given
 * again, so a session made after the restore cannot take the id (or the
 * clinic's copy) of one made before it.  The restored outbox's rows (its
 * history, put there by rd_store_restore_prepare()) move past the
 * replaced one's seqs too, or the clinic's cursor would count them sent.
 */
static const char carry_sql[] =
	/* Past both counters: no row moves onto another on the way. */
	"UPDATE main.outbox SET seq = seq + (SELECT r.seq FROM replaced.sqlite_sequence r "
	"WHERE r.name = 'outbox') + coalesce((SELECT m.seq FROM main.sqlite_sequence m "
	"WHERE m.name = 'outbox'), 0) WHERE EXISTS (SELECT 1 FROM replaced.sqlite_sequence r "
	"WHERE r.name = 'outbox');"
	"UPDATE main.sqlite_sequence SET seq = (SELECT r.seq FROM replaced.sqlite_sequence r "
	"WHERE r.name = main.sqlite_sequence.name) WHERE seq < (SELECT r.seq FROM "
	"replaced.sqlite_sequence r WHERE r.name = main.sqlite_sequence.name);"
	"INSERT INTO main.sqlite_sequence (name, seq) SELECT r.name, r.seq FROM "
	"replaced.sqlite_sequence r WHERE r.name NOT IN (SELECT name FROM main.sqlite_sequence) "
	"AND r.name IN (SELECT name FROM main.sqlite_master WHERE type = 'table');"
	"UPDATE main.sqlite_sequence SET seq = max(seq, (SELECT coalesce(max(seq), 0) "
	"FROM main.outbox)) WHERE name = 'outbox';";

static gboolean
carry_counters(RdStoreDb *db, const char *replaced, GError **error)
{
	sqlite3_stmt *attach = NULL;
	gboolean ok;

	if (sqlite3_prepare_v2(db->sqlite, "ATTACH DATABASE ?1 AS replaced", -1, &attach,
			       NULL) != SQLITE_OK) {
		rd_store_db_set_error(db, error, "Could not open the replaced journal");
		return FALSE;
	}
	sqlite3_bind_text(attach, 1, replaced, -1, SQLITE_STATIC);
	ok = sqlite3_step(attach) == SQLITE_DONE;
	sqlite3_finalize(attach);
	if (!ok) {
		rd_store_db_set_error(db, error, "Could not open the replaced journal");
		return FALSE;
	}
	ok = rd_store_db_begin(db, error);
	if (ok && sqlite3_exec(db->sqlite, carry_sql, NULL, NULL, NULL) != SQLITE_OK) {
		rd_store_db_set_error(db, error, "Could not carry the replaced journal's counters");
		rd_store_db_rollback(db);
		ok = FALSE;
	} else if (ok) {
		ok = rd_store_db_commit(db, error);
	}
	sqlite3_exec(db->sqlite, "DETACH DATABASE replaced", NULL, NULL, NULL);
	return ok;
}

gboolean
rd_store_restore_prepare(const char *candidate, gboolean outbox, GError **error)
{
	g_autofree char *id_path = rd_store_check_identity_path(candidate);
	gboolean had_identity = g_file_test(id_path, G_FILE_TEST_EXISTS);
	RdStore *store;
	sqlite3 *db = NULL;
	gboolean ok;

	/*
	 * A backup is in rollback journal mode; the store's first flush, in
	 * the connection that switched it to WAL, fails with "database table
	 * is locked".  Switched here on a connection of its own.
	 */
	ok = sqlite3_open_v2(candidate, &db, SQLITE_OPEN_READWRITE, NULL) == SQLITE_OK &&
	     sqlite3_exec(db, "PRAGMA journal_mode = WAL", NULL, NULL, NULL) == SQLITE_OK;
	if (!ok)
		g_set_error(error, RD_ERROR, RD_ERROR_STORAGE_FAILED,
			    "Could not prepare the backup: %s", sqlite3_errmsg(db));
	sqlite3_close(db);
	if (!ok || !(store = rd_store_open(candidate, error)))
		return FALSE;
	ok = rd_store_outbox_enable(store, outbox, error);
	rd_store_free(store);
	/* The journal's identity stays the one beside the journal. */
	if (!had_identity)
		g_unlink(id_path);
	return ok;
}

gboolean
rd_store_restore_replace(RdStore **store, const char *candidate, char **kept,
			 GError **error)
{
	g_autofree char *path = g_strdup(rd_store_get_db(*store)->path);
	g_autofree char *old = NULL;
	g_autoptr(GError) local = NULL;

	if (!rd_store_flush(*store, error))
		return FALSE;
	g_clear_pointer(store, rd_store_free);
	if (!wal_is_gone(path, error) || !(old = keep_old(path, error))) {
		if (!reopen(store, path, &local))
			g_error("Could not reopen the journal %s: %s", path, local->message);
		return FALSE;
	}
	if (g_rename(candidate, path) < 0) {
		g_set_error(error, RD_ERROR, RD_ERROR_STORAGE_FAILED,
			    "Could not put the backup in place of %s: %s", path,
			    g_strerror(errno));
		g_unlink(old);
		if (!reopen(store, path, &local))
			g_error("Could not reopen the journal %s: %s", path, local->message);
		return FALSE;
	}
	sync_dir(path);
	if (!reopen(store, path, error)) {
		/* Checked a moment ago; still, the old journal comes back whole. */
		if (g_rename(old, path) < 0 || !reopen(store, path, &local))
			g_error("Could not put the journal %s back from %s", path, old);
		sync_dir(path);
		return FALSE;
	}
	/* A replaced journal too damaged to read leaves its ids to chance. */
	if (!carry_counters(rd_store_get_db(*store), old, &local))
		g_warning("Journal %s restored, but ids given since the backup may be given "
			  "again: %s", path, local->message);
	g_message("Journal %s restored from a backup; the replaced one is kept as %s",
		  path, old);
	*kept = g_steal_pointer(&old);
	return TRUE;
}
