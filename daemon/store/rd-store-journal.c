/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The journal around the sessions: notes, deletion, and needle head
 * changes and wear for the reminder (the counting: rd-store-heads.c).
 */
#include "config.h"

#include "rd-store.h"
#include "rd-store-db.h"
#include "rd-store-heads.h"

/* Bits of the "given" mask bound as ?8 below, one per notes key. */
enum {
	NOTE_TOPICAL = 1 << 0,
	NOTE_NUMBING = 1 << 1,
	NOTE_REDNESS = 1 << 2,
	NOTE_TEXT = 1 << 3,
	NOTE_CLEANED = 1 << 4,
};

typedef struct {
	guint given;
	char *topical;
	gboolean numbing;
	char *redness;
	char *text;
	gboolean cleaned;
} NotesUpdate;

static void
notes_update_clear(NotesUpdate *u)
{
	g_clear_pointer(&u->topical, g_free);
	g_clear_pointer(&u->redness, g_free);
	g_clear_pointer(&u->text, g_free);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(NotesUpdate, notes_update_clear)

static const char *const redness_values[] = { "none", "mild", "moderate", "strong", NULL };

static gboolean
check_type(const char *key, GVariant *value, const GVariantType *type, GError **error)
{
	if (g_variant_is_of_type(value, type))
		return TRUE;
	g_set_error(error, RD_ERROR, RD_ERROR_INVALID_ARGUMENTS,
		    "Notes key “%s” must be of type %.*s, not %s", key,
		    (int)g_variant_type_get_string_length(type),
		    g_variant_type_peek_string(type), g_variant_get_type_string(value));
	return FALSE;
}

static gboolean
check_string(const char *key, const char *value, gsize max, GError **error)
{
	if (strlen(value) > max) {
		g_set_error(error, RD_ERROR, RD_ERROR_INVALID_ARGUMENTS,
			    "Notes key “%s” is longer than %" G_GSIZE_FORMAT " bytes",
			    key, max);
		return FALSE;
	}
	if (!g_utf8_validate(value, -1, NULL)) {
		g_set_error(error, RD_ERROR, RD_ERROR_INVALID_ARGUMENTS,
			    "Notes key “%s” is not valid UTF-8", key);
		return FALSE;
	}
	return TRUE;
}

/* Checks every key before anything is written. */
static gboolean
parse_notes(GVariant *notes, NotesUpdate *update, GError **error)
{
	GVariantIter iter;
	const char *key;
	GVariant *value;

	if (!g_variant_is_of_type(notes, G_VARIANT_TYPE_VARDICT)) {
		g_set_error(error, RD_ERROR, RD_ERROR_INVALID_ARGUMENTS,
			    "Notes must be of type a{sv}, not %s",
			    g_variant_get_type_string(notes));
		return FALSE;
	}
	g_variant_iter_init(&iter, notes);
	while (g_variant_iter_next(&iter, "{&sv}", &key, &value)) {
		g_autoptr(GVariant) owned = value;

		if (g_str_equal(key, "topical")) {
			if (!check_type(key, value, G_VARIANT_TYPE_STRING, error))
				return FALSE;
			g_free(update->topical);
			update->topical = g_variant_dup_string(value, NULL);
			if (!check_string(key, update->topical, RD_STORE_NOTES_TOPICAL_MAX, error))
				return FALSE;
			update->given |= NOTE_TOPICAL;
		} else if (g_str_equal(key, "numbing")) {
			if (!check_type(key, value, G_VARIANT_TYPE_BOOLEAN, error))
				return FALSE;
			update->numbing = g_variant_get_boolean(value);
			update->given |= NOTE_NUMBING;
		} else if (g_str_equal(key, "redness")) {
			if (!check_type(key, value, G_VARIANT_TYPE_STRING, error))
				return FALSE;
			g_free(update->redness);
			update->redness = g_variant_dup_string(value, NULL);
			if (!g_strv_contains(redness_values, update->redness)) {
				g_set_error(error, RD_ERROR, RD_ERROR_INVALID_ARGUMENTS,
					    "Notes key “redness” must be none, mild, "
					    "moderate or strong, not “%s”", update->redness);
				return FALSE;
			}
			update->given |= NOTE_REDNESS;
		} else if (g_str_equal(key, "text")) {
			if (!check_type(key, value, G_VARIANT_TYPE_STRING, error))
				return FALSE;
			g_free(update->text);
			update->text = g_variant_dup_string(value, NULL);
			if (!check_string(key, update->text, RD_STORE_NOTES_TEXT_MAX, error))
				return FALSE;
			update->given |= NOTE_TEXT;
		} else if (g_str_equal(key, "cleaned")) {
			if (!check_type(key, value, G_VARIANT_TYPE_BOOLEAN, error))
				return FALSE;
			update->cleaned = g_variant_get_boolean(value);
			update->given |= NOTE_CLEANED;
		} else {
			g_set_error(error, RD_ERROR, RD_ERROR_INVALID_ARGUMENTS,
				    "Unknown notes key “%s” (known: topical, numbing, "
				    "redness, text, cleaned)", key);
			return FALSE;
		}
	}
	return TRUE;
}

static gboolean
session_exists(RdStoreDb *db, gint64 id, GError **error)
{
	g_autoptr(RdCachedStmt) stmt = rd_store_db_stmt(db,
		"SELECT 1 FROM sessions WHERE id = ?1", error);
	int rc;

	if (!stmt)
		return FALSE;
	sqlite3_bind_int64(stmt, 1, id);
	rc = sqlite3_step(stmt);
	if (rc == SQLITE_ROW)
		return TRUE;
	if (rc == SQLITE_DONE)
		g_set_error(error, RD_ERROR, RD_ERROR_NOT_FOUND,
			    "No session %" G_GINT64_FORMAT " in the history", id);
	else
		rd_store_db_set_error(db, error, "Could not look up the session");
	return FALSE;
}

/* A key not given keeps its value; a new row starts from NULLs. */
static const char upsert_notes_sql[] =
	"INSERT INTO session_notes (session_id, topical, numbing, redness, text, "
	"cleaned, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) "
	"ON CONFLICT (session_id) DO UPDATE SET "
	"topical = iif(?8 & 1, excluded.topical, topical), "
	"numbing = iif(?8 & 2, excluded.numbing, numbing), "
	"redness = iif(?8 & 4, excluded.redness, redness), "
	"text = iif(?8 & 8, excluded.text, text), "
	"cleaned = iif(?8 & 16, excluded.cleaned, cleaned), "
	"updated_at = excluded.updated_at";

static gboolean
set_notes_locked(RdStoreDb *db, gint64 id, const NotesUpdate *u, GError **error)
{
	g_autoptr(RdCachedStmt) stmt = NULL;

	if (!session_exists(db, id, error))
		return FALSE;
	stmt = rd_store_db_stmt(db, upsert_notes_sql, error);
	if (!stmt)
		return FALSE;
	sqlite3_bind_int64(stmt, 1, id);
	if (u->given & NOTE_TOPICAL)
		sqlite3_bind_text(stmt, 2, u->topical, -1, SQLITE_STATIC);
	if (u->given & NOTE_NUMBING)
		sqlite3_bind_int(stmt, 3, u->numbing ? 1 : 0);
	if (u->given & NOTE_REDNESS)
		sqlite3_bind_text(stmt, 4, u->redness, -1, SQLITE_STATIC);
	if (u->given & NOTE_TEXT)
		sqlite3_bind_text(stmt, 5, u->text, -1, SQLITE_STATIC);
	if (u->given & NOTE_CLEANED)
		sqlite3_bind_int(stmt, 6, u->cleaned ? 1 : 0);
	sqlite3_bind_int64(stmt, 7, rd_store_db_now());
	sqlite3_bind_int(stmt, 8, (int)u->given);
	return rd_store_db_step_done(db, stmt, "Could not save the notes", error);
}

gboolean
rd_store_set_notes(RdStore *store, gint64 id, GVariant *notes, GError **error)
{
	g_auto(NotesUpdate) update = { 0 };
	g_autoptr(GVariant) owned = NULL;
	RdStoreDb *db;

	g_return_val_if_fail(store != NULL && notes != NULL, FALSE);

	db = rd_store_get_db(store);
	owned = g_variant_ref_sink(notes);
	if (!parse_notes(notes, &update, error))
		return FALSE;
	if (!rd_store_db_begin(db, error))
		return FALSE;
	if (!set_notes_locked(db, id, &update, error)) {
		rd_store_db_rollback(db);
		return FALSE;
	}
	return rd_store_db_commit(db, error);
}

gboolean
rd_store_delete_session(RdStore *store, gint64 id, GError **error)
{
	g_autoptr(RdCachedStmt) stmt = NULL;
	RdStoreDb *db;

	g_return_val_if_fail(store != NULL, FALSE);

	db = rd_store_get_db(store);
	/* One statement is one transaction; the notes go by ON DELETE CASCADE. */
	stmt = rd_store_db_stmt(db, "DELETE FROM sessions WHERE id = ?1", error);
	if (!stmt)
		return FALSE;
	sqlite3_bind_int64(stmt, 1, id);
	if (!rd_store_db_step_done(db, stmt, "Could not delete the session", error))
		return FALSE;
	if (sqlite3_changes(db->sqlite) == 0) {
		g_set_error(error, RD_ERROR, RD_ERROR_NOT_FOUND,
			    "No session %" G_GINT64_FORMAT " in the history", id);
		return FALSE;
	}
	return TRUE;
}

static gboolean
read_current_head(RdStoreDb *db, const char *serial, gint64 at,
		  RdHeadUsage *usage, GError **error)
{
	g_autoptr(RdCachedStmt) stmt = rd_store_db_stmt(db,
		"SELECT id, needle_um, fitted_at, sessions, strokes FROM heads "
		"WHERE roller_serial = ?1 AND fitted_at <= ?2 "
		"ORDER BY fitted_at DESC, id DESC LIMIT 1", error);
	int rc;

	memset(usage, 0, sizeof(*usage));
	if (!stmt)
		return FALSE;
	sqlite3_bind_text(stmt, 1, serial, -1, SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 2, at);
	rc = sqlite3_step(stmt);
	if (rc == SQLITE_ROW) {
		usage->head_id = sqlite3_column_int64(stmt, 0);
		usage->needle_um = (guint16)sqlite3_column_int(stmt, 1);
		usage->fitted_at = sqlite3_column_int64(stmt, 2);
		usage->sessions = (guint)sqlite3_column_int64(stmt, 3);
		usage->strokes = (guint64)sqlite3_column_int64(stmt, 4);
	} else if (rc != SQLITE_DONE) {
		rd_store_db_set_error(db, error, "Could not read the needle head");
		return FALSE;
	}
	return TRUE;
}

gboolean
rd_store_note_head_changed(RdStore *store, const char *serial, guint16 needle_um,
			   gint64 when, GError **error)
{
	RdHeadUsage current;
	RdStoreDb *db;

	g_return_val_if_fail(store != NULL, FALSE);

	db = rd_store_get_db(store);
	if (!serial || !*serial) {
		g_set_error_literal(error, RD_ERROR, RD_ERROR_INVALID_ARGUMENTS,
				    "A head change needs its roller's serial number");
		return FALSE;
	}
	/* The same event seen twice (a reconnect replays it) is one change. */
	if (!read_current_head(db, serial, when, &current, error))
		return FALSE;
	if (current.head_id != 0 && current.fitted_at == when &&
	    current.needle_um == needle_um)
		return TRUE;

	return rd_store_heads_fit(db, serial, needle_um, when, "Could not note the head change",
				  NULL, error);
}

gboolean
rd_store_head_usage(RdStore *store, const char *serial, RdHeadUsage *usage,
		    GError **error)
{
	g_return_val_if_fail(store != NULL && serial != NULL && usage != NULL, FALSE);

	return read_current_head(rd_store_get_db(store), serial, G_MAXINT64, usage, error);
}
