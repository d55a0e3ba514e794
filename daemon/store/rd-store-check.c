/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The journal's checks at start (rd-store-check.h).  The identity file
 * is "<name>.id" beside "<name>.db": a random id written once the first
 * journal is on disk.  It only has to exist: a journal deleted or
 * truncated to 0 bytes opens as a new, empty one in SQLite, and without
 * it rollerd could not tell that from a first start.
 */
#include "config.h"

#include <string.h>
#include <glib/gstdio.h>

#include "rd-store-check.h"

#define ADVICE "restore a backup, or move it aside to start a new journal"

char *
rd_store_check_identity_path(const char *path)
{
	g_autofree char *stem = g_str_has_suffix(path, ".db") ?
		g_strndup(path, strlen(path) - 3) : g_strdup(path);

	return g_strconcat(stem, ".id", NULL);
}

gboolean
rd_store_check_presence(const char *path, gboolean *need_identity, GError **error)
{
	g_autofree char *id_path = rd_store_check_identity_path(path);
	GStatBuf st;
	gboolean have_db = g_stat(path, &st) == 0;
	gboolean have_id = g_file_test(id_path, G_FILE_TEST_EXISTS);

	*need_identity = !have_id;
	if (have_id && !have_db) {
		g_set_error(error, RD_ERROR, RD_ERROR_STORAGE_FAILED,
			    "The journal %s is damaged: it is missing, but %s says one was "
			    "kept there. rollerd does not start a new one in its place: "
			    "restore a backup, or move %s aside to start a new journal",
			    path, id_path, id_path);
		return FALSE;
	}
	if (have_id && st.st_size == 0) {
		g_set_error(error, RD_ERROR, RD_ERROR_STORAGE_FAILED,
			    "The journal %s is damaged: it is empty, but %s says one was "
			    "kept there. rollerd does not start a new one in its place: "
			    ADVICE " (and %s with it)", path, id_path, id_path);
		return FALSE;
	}
	return TRUE;
}

static void
set_damaged(RdStoreDb *db, GError **error, const char *what)
{
	g_set_error(error, RD_ERROR, RD_ERROR_STORAGE_FAILED,
		    "The journal %s is damaged (%s). rollerd does not write to a "
		    "damaged journal: " ADVICE, db->path, what);
}

gboolean
rd_store_check_integrity(RdStoreDb *db, GError **error)
{
	sqlite3_stmt *stmt = NULL;
	g_autoptr(GString) problems = g_string_new(NULL);
	int rc;

	/* The first read of the file: a file that is no database fails here. */
	if (sqlite3_prepare_v2(db->sqlite, "PRAGMA quick_check(5)", -1, &stmt,
			       NULL) != SQLITE_OK) {
		set_damaged(db, error, sqlite3_errmsg(db->sqlite));
		return FALSE;
	}
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		const char *line = (const char *)sqlite3_column_text(stmt, 0);

		if (line && g_str_equal(line, "ok"))
			continue;
		if (problems->len)
			g_string_append(problems, "; ");
		g_string_append(problems, line ? line : "?");
	}
	if (rc != SQLITE_DONE && !problems->len)
		g_string_append(problems, sqlite3_errmsg(db->sqlite));
	sqlite3_finalize(stmt);
	if (problems->len) {
		set_damaged(db, error, problems->str);
		return FALSE;
	}
	return TRUE;
}

gboolean
rd_store_check_note_identity(RdStoreDb *db, GError **error)
{
	g_autofree char *id_path = rd_store_check_identity_path(db->path);
	g_autofree char *uuid = g_uuid_string_random();
	g_autofree char *id = g_strconcat(uuid, "\n", NULL);
	g_autoptr(GError) local = NULL;

	/* Durable, as the journal it vouches for (flushed before this). */
	if (!g_file_set_contents_full(id_path, id, -1,
				      G_FILE_SET_CONTENTS_CONSISTENT |
				      G_FILE_SET_CONTENTS_DURABLE, 0600, &local)) {
		g_set_error(error, RD_ERROR, RD_ERROR_STORAGE_FAILED,
			    "Could not write the journal's identity: %s", local->message);
		return FALSE;
	}
	return TRUE;
}

char *
rd_store_check_read_identity(RdStoreDb *db, GError **error)
{
	g_autofree char *id_path = rd_store_check_identity_path(db->path);
	g_autofree char *text = NULL;
	g_autoptr(GError) local = NULL;

	if (!g_file_get_contents(id_path, &text, NULL, &local)) {
		g_set_error(error, RD_ERROR, RD_ERROR_STORAGE_FAILED,
			    "Could not read the journal's identity: %s", local->message);
		return NULL;
	}
	return g_strdup(g_strstrip(text));
}
