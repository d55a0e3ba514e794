/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* People and whose sessions are whose (see rd-store-people.h). */
#include "config.h"

#include "rd-store-people.h"
#include "rd-store-db.h"

void
rd_person_free(RdPerson *person)
{
	if (!person)
		return;
	g_free(person->name);
	g_free(person->notes);
	if (person->areas)
		g_byte_array_unref(person->areas);
	g_free(person);
}

char *
rd_person_name_check(const char *name, GError **error)
{
	g_autofree char *trimmed = NULL;
	glong chars;

	if (!name || !g_utf8_validate(name, -1, NULL)) {
		g_set_error_literal(error, RD_ERROR, RD_ERROR_INVALID_ARGUMENTS,
				    "A person's name must be valid UTF-8");
		return NULL;
	}
	trimmed = g_strstrip(g_strdup(name));
	chars = g_utf8_strlen(trimmed, -1);
	if (chars == 0) {
		g_set_error_literal(error, RD_ERROR, RD_ERROR_INVALID_ARGUMENTS,
				    "A person's name must not be empty");
		return NULL;
	}
	if (chars > RD_PERSON_NAME_MAX) {
		g_set_error(error, RD_ERROR, RD_ERROR_INVALID_ARGUMENTS,
			    "A person's name is at most %d characters, not %ld",
			    RD_PERSON_NAME_MAX, chars);
		return NULL;
	}
	for (const char *p = trimmed; *p; p = g_utf8_next_char(p)) {
		if (g_unichar_iscntrl(g_utf8_get_char(p))) {
			g_set_error_literal(error, RD_ERROR, RD_ERROR_INVALID_ARGUMENTS,
					    "A person's name must not contain control characters");
			return NULL;
		}
	}
	return g_steal_pointer(&trimmed);
}

char *
rd_person_name_key(const char *name)
{
	g_autofree char *normal = g_utf8_normalize(name, -1, G_NORMALIZE_NFKC);

	return g_utf8_casefold(normal ? normal : name, -1);
}

static gboolean
check_props(const RdPersonProps *props, GError **error)
{
	if (props->notes && (strlen(props->notes) > RD_PERSON_NOTES_MAX ||
			     !g_utf8_validate(props->notes, -1, NULL))) {
		g_set_error(error, RD_ERROR, RD_ERROR_INVALID_ARGUMENTS,
			    "A person's notes are valid UTF-8 of at most %d bytes",
			    RD_PERSON_NOTES_MAX);
		return FALSE;
	}
	if (!props->set_defaults)
		return TRUE;
	if (props->needle_um > RD_PERSON_NEEDLE_MAX_UM) {
		g_set_error(error, RD_ERROR, RD_ERROR_INVALID_ARGUMENTS,
			    "A default needle length is at most %d µm, not %u",
			    RD_PERSON_NEEDLE_MAX_UM, props->needle_um);
		return FALSE;
	}
	if (props->n_areas > RD_PERSON_AREAS_MAX) {
		g_set_error(error, RD_ERROR, RD_ERROR_INVALID_ARGUMENTS,
			    "A person has at most %d areas, not %u", RD_PERSON_AREAS_MAX,
			    props->n_areas);
		return FALSE;
	}
	return TRUE;
}

/* A UNIQUE failure on name_key is a name taken, said as such. */
static void
set_write_error(RdStoreDb *db, const char *name, GError **error, const char *what)
{
	if (sqlite3_extended_errcode(db->sqlite) == SQLITE_CONSTRAINT_UNIQUE)
		g_set_error(error, RD_ERROR, RD_ERROR_INVALID_ARGUMENTS,
			    "There is already a person called “%s”", name);
	else
		rd_store_db_set_error(db, error, what);
}

gboolean
rd_store_add_person(RdStore *store, const char *name, const RdPersonProps *props,
		    gint64 *id, GError **error)
{
	static const RdPersonProps none = { NULL };
	RdStoreDb *db = rd_store_get_db(store);
	g_autoptr(RdCachedStmt) stmt = NULL;
	g_autofree char *clean = rd_person_name_check(name, error);
	g_autofree char *key = NULL;

	if (!props)
		props = &none;
	if (!clean || !check_props(props, error))
		return FALSE;
	key = rd_person_name_key(clean);
	stmt = rd_store_db_stmt(db,
				"INSERT INTO people (name, name_key, notes, needle_um, areas, "
				"created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)", error);
	if (!stmt)
		return FALSE;
	sqlite3_bind_text(stmt, 1, clean, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 2, key, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 3, props->notes ? props->notes : "", -1, SQLITE_STATIC);
	sqlite3_bind_int(stmt, 4, props->set_defaults ? props->needle_um : 0);
	sqlite3_bind_blob(stmt, 5, props->set_defaults && props->areas ? props->areas : (const void *)"",
			  props->set_defaults ? (int)props->n_areas : 0, SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 6, rd_store_db_now());
	if (sqlite3_step(stmt) != SQLITE_DONE) {
		set_write_error(db, clean, error, "Could not add the person");
		return FALSE;
	}
	if (id)
		*id = sqlite3_last_insert_rowid(db->sqlite);
	return TRUE;
}

#define PERSON_COLUMNS \
	"p.id, p.name, p.notes, p.needle_um, p.areas, " \
	"(SELECT count(*) FROM sessions AS s WHERE s.person_id = p.id)"

static RdPerson *
read_person(sqlite3_stmt *stmt)
{
	RdPerson *p = g_new0(RdPerson, 1);

	p->id = sqlite3_column_int64(stmt, 0);
	p->name = g_strdup((const char *)sqlite3_column_text(stmt, 1));
	p->notes = g_strdup((const char *)sqlite3_column_text(stmt, 2));
	p->needle_um = (guint16)sqlite3_column_int(stmt, 3);
	p->areas = g_byte_array_new();
	g_byte_array_append(p->areas, sqlite3_column_blob(stmt, 4),
			    (guint)sqlite3_column_bytes(stmt, 4));
	p->sessions = (guint)sqlite3_column_int64(stmt, 5);
	return p;
}

gboolean
rd_store_list_people(RdStore *store, GPtrArray **people, GError **error)
{
	RdStoreDb *db = rd_store_get_db(store);
	g_autoptr(RdCachedStmt) stmt = NULL;
	g_autoptr(GPtrArray) result = NULL;
	int rc;

	stmt = rd_store_db_stmt(db, "SELECT " PERSON_COLUMNS " FROM people AS p "
				"ORDER BY p.name_key, p.id", error);
	if (!stmt)
		return FALSE;
	result = g_ptr_array_new_with_free_func((GDestroyNotify)rd_person_free);
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW)
		g_ptr_array_add(result, read_person(stmt));
	if (rc != SQLITE_DONE) {
		rd_store_db_set_error(db, error, "Could not read the people");
		return FALSE;
	}
	*people = g_steal_pointer(&result);
	return TRUE;
}

static void
set_not_found(GError **error, gint64 id)
{
	g_set_error(error, RD_ERROR, RD_ERROR_NOT_FOUND,
		    "No person %" G_GINT64_FORMAT " in the journal", id);
}

gboolean
rd_store_get_person(RdStore *store, gint64 id, RdPerson **out, GError **error)
{
	RdStoreDb *db = rd_store_get_db(store);
	g_autoptr(RdCachedStmt) stmt = NULL;
	int rc;

	stmt = rd_store_db_stmt(db, "SELECT " PERSON_COLUMNS " FROM people AS p WHERE p.id = ?1",
				error);
	if (!stmt)
		return FALSE;
	sqlite3_bind_int64(stmt, 1, id);
	rc = sqlite3_step(stmt);
	if (rc == SQLITE_DONE) {
		set_not_found(error, id);
		return FALSE;
	}
	if (rc != SQLITE_ROW) {
		rd_store_db_set_error(db, error, "Could not read the person");
		return FALSE;
	}
	*out = read_person(stmt);
	return TRUE;
}

gboolean
rd_store_has_person(RdStore *store, gint64 id, gboolean *found, GError **error)
{
	g_autoptr(RdPerson) p = NULL;
	g_autoptr(GError) local = NULL;

	*found = rd_store_get_person(store, id, &p, &local);
	if (!*found && !g_error_matches(local, RD_ERROR, RD_ERROR_NOT_FOUND)) {
		g_propagate_error(error, g_steal_pointer(&local));
		return FALSE;
	}
	return TRUE;
}

gboolean
rd_store_find_person(RdStore *store, const char *name, gint64 *id, GError **error)
{
	RdStoreDb *db = rd_store_get_db(store);
	g_autoptr(RdCachedStmt) stmt = NULL;
	g_autofree char *clean = rd_person_name_check(name, error);
	g_autofree char *key = NULL;
	int rc;

	if (!clean)
		return FALSE;
	key = rd_person_name_key(clean);
	stmt = rd_store_db_stmt(db, "SELECT id FROM people WHERE name_key = ?1", error);
	if (!stmt)
		return FALSE;
	sqlite3_bind_text(stmt, 1, key, -1, SQLITE_STATIC);
	rc = sqlite3_step(stmt);
	if (rc == SQLITE_ROW) {
		*id = sqlite3_column_int64(stmt, 0);
		return TRUE;
	}
	if (rc == SQLITE_DONE)
		g_set_error(error, RD_ERROR, RD_ERROR_NOT_FOUND, "No person called “%s”", clean);
	else
		rd_store_db_set_error(db, error, "Could not look up the person");
	return FALSE;
}

/* Runs @stmt (its parameters bound), which must change person @id's row. */
static gboolean
update_person(RdStoreDb *db, sqlite3_stmt *stmt, gint64 id, const char *name,
	      const char *what, GError **error)
{
	if (sqlite3_step(stmt) != SQLITE_DONE) {
		set_write_error(db, name, error, what);
		return FALSE;
	}
	if (sqlite3_changes(db->sqlite) == 0) {
		set_not_found(error, id);
		return FALSE;
	}
	return TRUE;
}

gboolean
rd_store_rename_person(RdStore *store, gint64 id, const char *name, GError **error)
{
	RdStoreDb *db = rd_store_get_db(store);
	g_autoptr(RdCachedStmt) stmt = NULL;
	g_autofree char *clean = rd_person_name_check(name, error);
	g_autofree char *key = NULL;

	if (!clean)
		return FALSE;
	key = rd_person_name_key(clean);
	stmt = rd_store_db_stmt(db, "UPDATE people SET name = ?2, name_key = ?3 WHERE id = ?1",
				error);
	if (!stmt)
		return FALSE;
	sqlite3_bind_int64(stmt, 1, id);
	sqlite3_bind_text(stmt, 2, clean, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 3, key, -1, SQLITE_STATIC);
	return update_person(db, stmt, id, clean, "Could not rename the person", error);
}

gboolean
rd_store_set_person_props(RdStore *store, gint64 id, const RdPersonProps *props,
			  GError **error)
{
	RdStoreDb *db = rd_store_get_db(store);
	g_autoptr(RdCachedStmt) stmt = NULL;

	if (!check_props(props, error))
		return FALSE;
	stmt = rd_store_db_stmt(db,
				"UPDATE people SET notes = coalesce(?2, notes), "
				"needle_um = iif(?3, ?4, needle_um), areas = iif(?3, ?5, areas) "
				"WHERE id = ?1", error);
	if (!stmt)
		return FALSE;
	sqlite3_bind_int64(stmt, 1, id);
	if (props->notes)
		sqlite3_bind_text(stmt, 2, props->notes, -1, SQLITE_STATIC);
	sqlite3_bind_int(stmt, 3, props->set_defaults);
	sqlite3_bind_int(stmt, 4, props->needle_um);
	sqlite3_bind_blob(stmt, 5, props->areas ? props->areas : (const void *)"",
			  (int)props->n_areas, SQLITE_STATIC);
	return update_person(db, stmt, id, NULL, "Could not change the person", error);
}

gboolean
rd_store_remove_person(RdStore *store, gint64 id, GError **error)
{
	RdStoreDb *db = rd_store_get_db(store);
	g_autoptr(RdCachedStmt) stmt = NULL;
	g_autoptr(RdPerson) p = NULL;

	if (!rd_store_get_person(store, id, &p, error))
		return FALSE;
	if (id == RD_PERSON_DEFAULT_ID) {
		g_set_error(error, RD_ERROR, RD_ERROR_FAILED,
			    "%s is the default person, who holds the sessions nobody else "
			    "was chosen for, and cannot be removed (rename them instead)",
			    p->name);
		return FALSE;
	}
	if (p->sessions > 0) {
		g_set_error(error, RD_ERROR, RD_ERROR_FAILED,
			    "%s still has %u session(s); give them to someone else first, so "
			    "that none is lost", p->name, p->sessions);
		return FALSE;
	}
	/* The foreign key refuses it too, should a session come in between. */
	stmt = rd_store_db_stmt(db, "DELETE FROM people WHERE id = ?1", error);
	if (!stmt)
		return FALSE;
	sqlite3_bind_int64(stmt, 1, id);
	return update_person(db, stmt, id, p->name, "Could not remove the person", error);
}

gboolean
rd_store_set_session_person(RdStore *store, gint64 session_id, gint64 person_id,
			    GError **error)
{
	RdStoreDb *db = rd_store_get_db(store);
	g_autoptr(RdCachedStmt) stmt = NULL;
	gboolean found;

	if (!rd_store_has_person(store, person_id, &found, error))
		return FALSE;
	if (!found) {
		set_not_found(error, person_id);
		return FALSE;
	}
	stmt = rd_store_db_stmt(db, "UPDATE sessions SET person_id = ?2 WHERE id = ?1", error);
	if (!stmt)
		return FALSE;
	sqlite3_bind_int64(stmt, 1, session_id);
	sqlite3_bind_int64(stmt, 2, person_id);
	if (!rd_store_db_step_done(db, stmt, "Could not move the session", error))
		return FALSE;
	if (sqlite3_changes(db->sqlite) == 0) {
		g_set_error(error, RD_ERROR, RD_ERROR_NOT_FOUND,
			    "No session %" G_GINT64_FORMAT " in the history", session_id);
		return FALSE;
	}
	return TRUE;
}
