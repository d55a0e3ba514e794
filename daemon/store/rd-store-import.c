/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Importing exported sessions (rd-store-import.h). */
#include "config.h"

#include <json-glib/json-glib.h>

#include "roller-crc.h"

#include "common/rd-area.h"
#include "rd-store-db.h"
#include "rd-store-heads.h"
#include "rd-store-import.h"
#include "rd-store-people.h"
#include "rd-store-row.h"

/* One session of the file, checked. */
typedef struct {
	guint index;		/* 1-based place in the file */
	gint64 file_id;
	RdSessionRow row;
	char *serial;
	char *address;
	char *person;		/* a name; NULL or "": the default person */
	guint8 passes[15 * 15];
	GByteArray *trace;	/* u16 LE */
	char *notes_topical;
	char *notes_redness;
	char *notes_text;
	gint notes_numbing;	/* -1: not noted */
	gint notes_cleaned;
} ImportSession;

static void
import_session_free(ImportSession *s)
{
	g_free(s->serial);
	g_free(s->address);
	g_free(s->person);
	if (s->trace)
		g_byte_array_unref(s->trace);
	g_free(s->notes_topical);
	g_free(s->notes_redness);
	g_free(s->notes_text);
	g_free(s);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC(ImportSession, import_session_free)

static const char *const session_fields[] = {
	"id", "roller", "address", "area", "start", "clock_set", "duration_ms",
	"needle_um", "strokes", "force_mean_cn", "force_max_cn", "in_band_permille",
	"source", "record_id", "end_reason", "frames_lost", "directions",
	"grid_columns", "grid_rows", "passes", "trace", "notes", "person", NULL,
};
static const char *const trace_fields[] = { "period_ms", "values", NULL };
static const char *const notes_fields[] = {
	"topical", "numbing", "redness", "text", "cleaned", NULL,
};
static const char *const redness_values[] = { "none", "mild", "moderate", "strong", NULL };

/* What a message says about the session: its place, and its id there. */
typedef struct {
	guint index;
	gint64 file_id;
} Where;

G_GNUC_PRINTF(3, 4) static gboolean
fail(const Where *w, GError **error, const char *format, ...)
{
	g_autofree char *what = NULL;
	va_list args;

	va_start(args, format);
	what = g_strdup_vprintf(format, args);
	va_end(args);
	if (w->file_id >= 0)
		g_set_error(error, RD_ERROR, RD_ERROR_INVALID_ARGUMENTS,
			    "Session %u of the file (id %" G_GINT64_FORMAT "): %s; nothing "
			    "was imported", w->index, w->file_id, what);
	else
		g_set_error(error, RD_ERROR, RD_ERROR_INVALID_ARGUMENTS,
			    "Session %u of the file: %s; nothing was imported", w->index, what);
	return FALSE;
}

static gboolean
check_members(JsonObject *o, const char *const *known, const char *in,
	      const Where *w, GError **error)
{
	g_autoptr(GList) names = json_object_get_members(o);

	for (GList *l = names; l; l = l->next) {
		if (!g_strv_contains(known, l->data))
			return fail(w, error, "unknown field “%s%s”", in, (const char *)l->data);
	}
	return TRUE;
}

static JsonNode *
member(JsonObject *o, const char *name, const char *in, const Where *w, GError **error)
{
	JsonNode *n = json_object_get_member(o, name);

	if (!n)
		fail(w, error, "field “%s%s” is missing", in, name);
	return n;
}

/* An integer member in [min, max]. */
static gboolean
get_int(JsonObject *o, const char *name, gint64 min, gint64 max, gint64 *out,
	const Where *w, GError **error)
{
	JsonNode *n = member(o, name, "", w, error);

	if (!n)
		return FALSE;
	if (!JSON_NODE_HOLDS_VALUE(n) || json_node_get_value_type(n) != G_TYPE_INT64)
		return fail(w, error, "field “%s” must be an integer", name);
	*out = json_node_get_int(n);
	if (*out < min || *out > max)
		return fail(w, error, "field “%s” must be %" G_GINT64_FORMAT " to %"
			    G_GINT64_FORMAT ", not %" G_GINT64_FORMAT, name, min, max, *out);
	return TRUE;
}

static const char *
get_string(JsonObject *o, const char *name, const char *in, const Where *w, GError **error)
{
	JsonNode *n = member(o, name, in, w, error);

	if (!n)
		return NULL;
	if (!JSON_NODE_HOLDS_VALUE(n) || json_node_get_value_type(n) != G_TYPE_STRING) {
		fail(w, error, "field “%s%s” must be a string", in, name);
		return NULL;
	}
	return json_node_get_string(n);
}

/* An array of @min_len..@max_len integers, each in [0, max]. */
static JsonArray *
get_int_array(JsonObject *o, const char *name, const char *in, guint min_len,
	      guint max_len, gint64 max, const Where *w, GError **error)
{
	JsonNode *n = member(o, name, in, w, error);
	JsonArray *a;
	guint len;

	if (!n)
		return NULL;
	if (!JSON_NODE_HOLDS_ARRAY(n)) {
		fail(w, error, "field “%s%s” must be an array", in, name);
		return NULL;
	}
	a = json_node_get_array(n);
	len = json_array_get_length(a);
	if (len < min_len || len > max_len) {
		fail(w, error, "field “%s%s” must have %u to %u values, not %u", in, name,
		     min_len, max_len, len);
		return NULL;
	}
	for (guint i = 0; i < len; i++) {
		JsonNode *e = json_array_get_element(a, i);
		gint64 v;

		if (!JSON_NODE_HOLDS_VALUE(e) || json_node_get_value_type(e) != G_TYPE_INT64 ||
		    (v = json_node_get_int(e)) < 0 || v > max) {
			fail(w, error, "value %u of “%s%s” must be an integer 0 to %"
			     G_GINT64_FORMAT, i + 1, in, name, max);
			return NULL;
		}
	}
	return a;
}

static gboolean
get_bool(JsonObject *o, const char *name, const char *in, gboolean nullable, gint *out,
	 const Where *w, GError **error)
{
	JsonNode *n = member(o, name, in, w, error);

	if (!n)
		return FALSE;
	if (nullable && JSON_NODE_HOLDS_NULL(n)) {
		*out = -1;
		return TRUE;
	}
	if (!JSON_NODE_HOLDS_VALUE(n) || json_node_get_value_type(n) != G_TYPE_BOOLEAN)
		return fail(w, error, "field “%s%s” must be true or false%s", in, name,
			    nullable ? " or null" : "");
	*out = json_node_get_boolean(n) ? 1 : 0;
	return TRUE;
}

/* A string note no longer than @max, or null; NULL in *out for null. */
static gboolean
get_note_string(JsonObject *o, const char *name, gsize max, char **out,
		const Where *w, GError **error)
{
	JsonNode *n = member(o, name, "notes.", w, error);
	const char *s;

	if (!n)
		return FALSE;
	if (JSON_NODE_HOLDS_NULL(n))
		return TRUE;
	if (!(s = get_string(o, name, "notes.", w, error)))
		return FALSE;
	if (strlen(s) > max || !g_utf8_validate(s, -1, NULL))
		return fail(w, error, "field “notes.%s” must be UTF-8 of at most %"
			    G_GSIZE_FORMAT " bytes", name, max);
	*out = g_strdup(s);
	return TRUE;
}

static gboolean
parse_notes(JsonObject *o, ImportSession *s, const Where *w, GError **error)
{
	JsonNode *n = member(o, "notes", "", w, error);
	JsonObject *notes;

	if (!n)
		return FALSE;
	if (!JSON_NODE_HOLDS_OBJECT(n))
		return fail(w, error, "field “notes” must be an object");
	notes = json_node_get_object(n);
	if (!check_members(notes, notes_fields, "notes.", w, error) ||
	    !get_note_string(notes, "topical", RD_STORE_NOTES_TOPICAL_MAX, &s->notes_topical,
			     w, error) ||
	    !get_bool(notes, "numbing", "notes.", TRUE, &s->notes_numbing, w, error) ||
	    !get_note_string(notes, "redness", 16, &s->notes_redness, w, error) ||
	    !get_note_string(notes, "text", RD_STORE_NOTES_TEXT_MAX, &s->notes_text, w, error) ||
	    !get_bool(notes, "cleaned", "notes.", TRUE, &s->notes_cleaned, w, error))
		return FALSE;
	if (s->notes_redness && !g_strv_contains(redness_values, s->notes_redness))
		return fail(w, error, "field “notes.redness” must be none, mild, moderate or "
			    "strong, or null");
	return TRUE;
}

static gboolean
parse_trace(JsonObject *o, ImportSession *s, const Where *w, GError **error)
{
	JsonNode *n = member(o, "trace", "", w, error);
	JsonObject *trace;
	JsonArray *values;
	gint64 period;

	if (!n)
		return FALSE;
	if (!JSON_NODE_HOLDS_OBJECT(n))
		return fail(w, error, "field “trace” must be an object");
	trace = json_node_get_object(n);
	if (!check_members(trace, trace_fields, "trace.", w, error) ||
	    !get_int(trace, "period_ms", 0, G_MAXUINT16, &period, w, error) ||
	    !(values = get_int_array(trace, "values", "trace.", 0, RD_STORE_LIVE_TRACE_MAX,
				     G_MAXUINT16, w, error)))
		return FALSE;
	s->row.trace_period_ms = (guint16)period;
	s->trace = g_byte_array_sized_new(2 * json_array_get_length(values));
	for (guint i = 0; i < json_array_get_length(values); i++) {
		guint16 v = (guint16)json_array_get_int_element(values, i);
		guint8 le[2] = { (guint8)v, (guint8)(v >> 8) };

		g_byte_array_append(s->trace, le, 2);
	}
	s->row.trace = s->trace->data;
	s->row.trace_size = s->trace->len;
	return TRUE;
}

static gboolean
parse_source(JsonObject *o, RdSessionSource *source, const Where *w, GError **error)
{
	const char *text = get_string(o, "source", "", w, error);

	if (!text)
		return FALSE;
	for (RdSessionSource i = RD_SESSION_SOURCE_LIVE; i <= RD_SESSION_SOURCE_BOTH; i++) {
		if (g_str_equal(text, rd_session_source_to_string(i))) {
			*source = i;
			return TRUE;
		}
	}
	return fail(w, error, "field “source” must be live, synced or both");
}

/* The columns the export leaves out: each half's key, from the start. */
static void
derive_keys(ImportSession *s, gint64 now)
{
	RdSessionRow *r = &s->row;

	r->created_at = now;
	if (r->source != RD_SESSION_SOURCE_SYNCED)
		r->live_start = r->start_unix;
	if (r->source == RD_SESSION_SOURCE_LIVE)
		return;
	r->synced_at = now;
	r->record_start = r->clock_set ? r->start_unix : 0;
	if (!r->clock_set) {
		g_autofree char *key = g_strdup_printf("%s/%u/%" G_GINT64_FORMAT, r->serial,
						       r->record_id, r->start_unix);

		r->record_crc = roller_crc32(ROLLER_CRC32_INIT, (const guint8 *)key,
					     strlen(key));
	}
}

static gboolean
parse_numbers(JsonObject *o, RdSessionRow *r, const Where *w, GError **error)
{
	gint64 start, duration, needle, strokes, mean, max, in_band, record_id, frames_lost;
	gint clock_set;

	if (!get_int(o, "start", 0, G_MAXINT64, &start, w, error) ||
	    !get_bool(o, "clock_set", "", FALSE, &clock_set, w, error) ||
	    !get_int(o, "duration_ms", 0, G_MAXUINT32, &duration, w, error) ||
	    !get_int(o, "needle_um", 0, G_MAXUINT16, &needle, w, error) ||
	    !get_int(o, "strokes", 0, G_MAXUINT32, &strokes, w, error) ||
	    !get_int(o, "force_mean_cn", 0, G_MAXUINT16, &mean, w, error) ||
	    !get_int(o, "force_max_cn", 0, G_MAXUINT16, &max, w, error) ||
	    !get_int(o, "in_band_permille", 0, 1000, &in_band, w, error) ||
	    !get_int(o, "record_id", 0, G_MAXUINT16, &record_id, w, error) ||
	    !get_int(o, "frames_lost", 0, G_MAXUINT32, &frames_lost, w, error))
		return FALSE;
	r->start_unix = start;
	r->clock_set = clock_set;
	r->duration_ms = (guint32)duration;
	r->needle_um = (guint16)needle;
	r->strokes = (guint32)strokes;
	r->force_mean_cn = (guint16)mean;
	r->force_max_cn = (guint16)max;
	r->in_band_permille = (guint16)in_band;
	r->record_id = (guint16)record_id;
	r->frames_lost = (guint32)frames_lost;
	return TRUE;
}

static gboolean
parse_grid(JsonObject *o, ImportSession *s, const Where *w, GError **error)
{
	RdSessionRow *r = &s->row;
	JsonArray *dirs, *passes;
	gint64 cols, rows;
	guint cells;

	if (!(dirs = get_int_array(o, "directions", "", 4, 4, G_MAXUINT32, w, error)) ||
	    !get_int(o, "grid_columns", 1, 15, &cols, w, error) ||
	    !get_int(o, "grid_rows", 1, 15, &rows, w, error))
		return FALSE;
	cells = (guint)(cols * rows);
	if (!(passes = get_int_array(o, "passes", "", cells, cells, G_MAXUINT8, w, error)))
		return FALSE;
	for (guint i = 0; i < 4; i++)
		r->dirs[i] = (guint32)json_array_get_int_element(dirs, i);
	for (guint i = 0; i < cells; i++)
		s->passes[i] = (guint8)json_array_get_int_element(passes, i);
	r->cols = (guint8)cols;
	r->rows = (guint8)rows;
	r->passes = s->passes;
	return TRUE;
}

static ImportSession *
parse_session(JsonNode *node, guint index, gint64 now, GError **error)
{
	g_autoptr(ImportSession) s = g_new0(ImportSession, 1);
	Where w = { index, -1 };
	JsonObject *o;
	JsonNode *n;
	const char *text;
	gint64 end_reason;

	if (!JSON_NODE_HOLDS_OBJECT(node)) {
		fail(&w, error, "not an object");
		return NULL;
	}
	o = json_node_get_object(node);
	if ((n = json_object_get_member(o, "id")) && JSON_NODE_HOLDS_VALUE(n) &&
	    json_node_get_value_type(n) == G_TYPE_INT64)
		w.file_id = json_node_get_int(n);
	s->index = index;
	s->file_id = w.file_id;
	if (!check_members(o, session_fields, "", &w, error) ||
	    !(text = get_string(o, "roller", "", &w, error)))
		return NULL;
	if (!*text || strlen(text) > 64 || !g_utf8_validate(text, -1, NULL)) {
		fail(&w, error, "field “roller” must be a serial of 1 to 64 bytes");
		return NULL;
	}
	s->serial = g_strdup(text);
	if (!(text = get_string(o, "address", "", &w, error)))
		return NULL;
	s->address = g_strdup(text);
	/* Files exported before people existed have no person. */
	if (json_object_has_member(o, "person")) {
		if (!(text = get_string(o, "person", "", &w, error)))
			return NULL;
		s->person = g_strdup(text);
	}
	if (!(text = get_string(o, "area", "", &w, error)))
		return NULL;
	if (!rd_area_from_string(text, &s->row.area_id)) {
		fail(&w, error, "field “area” is no treatment area (“%s”)", text);
		return NULL;
	}
	if (!parse_numbers(o, &s->row, &w, error) || !parse_source(o, &s->row.source, &w, error) ||
	    !parse_grid(o, s, &w, error) || !parse_trace(o, s, &w, error) ||
	    !parse_notes(o, s, &w, error) || !(n = member(o, "end_reason", "", &w, error)))
		return NULL;
	s->row.end_reason = -1;
	if (!JSON_NODE_HOLDS_NULL(n)) {
		if (!get_int(o, "end_reason", 0, G_MAXUINT8, &end_reason, &w, error))
			return NULL;
		s->row.end_reason = (gint)end_reason;
	}
	s->row.serial = s->serial;
	s->row.address = s->address;
	derive_keys(s, now);
	return g_steal_pointer(&s);
}
static int
compare_start(gconstpointer a, gconstpointer b)
{
	const ImportSession *x = *(ImportSession *const *)a;
	const ImportSession *y = *(ImportSession *const *)b;

	/* Equal starts (a sync's time, for rollers whose clock was unset)
	 * keep the order of their ids in the file, as the history lists them. */
	if (x->row.start_unix != y->row.start_unix)
		return x->row.start_unix < y->row.start_unix ? -1 : 1;
	if (x->file_id != y->file_id)
		return x->file_id < y->file_id ? -1 : 1;
	return x->index < y->index ? -1 : x->index > y->index;
}

static GPtrArray *
parse_file(const char *json, gsize len, GError **error)
{
	g_autoptr(JsonParser) parser = json_parser_new_immutable();
	g_autoptr(GPtrArray) sessions =
		g_ptr_array_new_with_free_func((GDestroyNotify)import_session_free);
	g_autoptr(GError) local = NULL;
	gint64 now = rd_store_db_now();
	JsonNode *root;

	if (!json_parser_load_from_data(parser, json, (gssize)len, &local)) {
		g_set_error(error, RD_ERROR, RD_ERROR_INVALID_ARGUMENTS,
			    "The file is not the JSON that export writes (%s); nothing was "
			    "imported", local->message);
		return NULL;
	}
	root = json_parser_get_root(parser);
	if (root && JSON_NODE_HOLDS_OBJECT(root)) {
		ImportSession *s = parse_session(root, 1, now, error);

		if (!s)
			return NULL;
		g_ptr_array_add(sessions, s);
	} else if (root && JSON_NODE_HOLDS_ARRAY(root)) {
		JsonArray *a = json_node_get_array(root);

		for (guint i = 0; i < json_array_get_length(a); i++) {
			ImportSession *s = parse_session(json_array_get_element(a, i), i + 1,
							 now, error);

			if (!s)
				return NULL;
			g_ptr_array_add(sessions, s);
		}
	} else {
		g_set_error(error, RD_ERROR, RD_ERROR_INVALID_ARGUMENTS,
			    "The file is not the JSON that export writes (an array of "
			    "sessions); nothing was imported");
		return NULL;
	}
	/* Oldest first: the needle heads are counted in the order they wore. */
	g_ptr_array_sort(sessions, compare_start);
	return g_steal_pointer(&sessions);
}

/* Whether a session with this key is there already (rd-store-import.h). */
static gboolean
is_present(RdStoreDb *db, const RdSessionRow *r, gboolean *present, GError **error)
{
	g_autoptr(RdCachedStmt) stmt = rd_store_db_stmt(db,
		"SELECT 1 FROM sessions WHERE roller_serial = ?1 AND record_id = ?2 "
		"AND (start_unix = ?3 OR live_start = ?3 OR (record_start = ?3 AND ?3 <> 0))",
		error);
	int rc;

	if (!stmt)
		return FALSE;
	sqlite3_bind_text(stmt, 1, r->serial, -1, SQLITE_STATIC);
	sqlite3_bind_int(stmt, 2, r->record_id);
	sqlite3_bind_int64(stmt, 3, r->start_unix);
	rc = sqlite3_step(stmt);
	*present = rc == SQLITE_ROW;
	if (rc == SQLITE_ROW || rc == SQLITE_DONE)
		return TRUE;
	rd_store_db_set_error(db, error, "Could not look up a session");
	return FALSE;
}

static void
bind_named(sqlite3_stmt *stmt, const char *name, gint64 value)
{
	sqlite3_bind_int64(stmt, sqlite3_bind_parameter_index(stmt, name), value);
}

static gboolean
insert_notes(RdStoreDb *db, gint64 id, const ImportSession *s, GError **error)
{
	g_autoptr(RdCachedStmt) stmt = NULL;

	if (!s->notes_topical && s->notes_numbing < 0 && !s->notes_redness &&
	    !s->notes_text && s->notes_cleaned < 0)
		return TRUE;
	stmt = rd_store_db_stmt(db, "INSERT INTO session_notes (session_id, topical, numbing, "
				"redness, text, cleaned, updated_at) "
				"VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)", error);
	if (!stmt)
		return FALSE;
	sqlite3_bind_int64(stmt, 1, id);
	sqlite3_bind_text(stmt, 2, s->notes_topical, -1, SQLITE_STATIC);
	if (s->notes_numbing >= 0)
		sqlite3_bind_int(stmt, 3, s->notes_numbing);
	sqlite3_bind_text(stmt, 4, s->notes_redness, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 5, s->notes_text, -1, SQLITE_STATIC);
	if (s->notes_cleaned >= 0)
		sqlite3_bind_int(stmt, 6, s->notes_cleaned);
	sqlite3_bind_int64(stmt, 7, s->row.created_at);
	return rd_store_db_step_done(db, stmt, "Could not import the notes", error);
}

static gboolean
insert_session(RdStoreDb *db, ImportSession *s, GError **error)
{
	RdSessionRow *r = &s->row;
	g_autoptr(RdCachedStmt) stmt = NULL;

	if (!rd_store_heads_count_session(db, r->serial, r->needle_um, r->start_unix,
					  r->strokes, &r->head_id, error))
		return FALSE;
	stmt = rd_store_db_stmt(db, rd_session_row_insert_sql, error);
	if (!stmt)
		return FALSE;
	rd_session_row_bind(stmt, r);
	/* A merged session has both halves' keys; the row binds one. */
	if (r->source == RD_SESSION_SOURCE_BOTH) {
		bind_named(stmt, ":record_start", r->record_start);
		bind_named(stmt, ":record_crc", r->record_crc);
		bind_named(stmt, ":synced_at", r->synced_at);
	}
	if (!rd_store_db_step_done(db, stmt, "Could not import a session", error)) {
		g_prefix_error(error, "Session %u of the file: ", s->index);
		return FALSE;
	}
	return insert_notes(db, sqlite3_last_insert_rowid(db->sqlite), s, error);
}

/*
 * The session's person by name.  One not in this journal is refused,
 * not made up: the importer adds them first, with the spelling they want.
 */
static gboolean
resolve_person(RdStore *store, ImportSession *s, GError **error)
{
	g_autoptr(GError) local = NULL;
	Where w = { s->index, s->file_id };

	if (!s->person || !*s->person)
		return TRUE;
	if (rd_store_find_person(store, s->person, &s->row.person_id, &local))
		return TRUE;
	if (!g_error_matches(local, RD_ERROR, RD_ERROR_NOT_FOUND) &&
	    !g_error_matches(local, RD_ERROR, RD_ERROR_INVALID_ARGUMENTS)) {
		g_propagate_error(error, g_steal_pointer(&local));
		return FALSE;
	}
	return fail(&w, error, "no person called “%s” in this journal (add them first: "
		    "rollerctl person add NAME)", s->person);
}

static gboolean
import_locked(RdStore *store, GPtrArray *sessions, guint *imported, guint *present,
	      GError **error)
{
	RdStoreDb *db = rd_store_get_db(store);

	for (guint i = 0; i < sessions->len; i++) {
		ImportSession *s = g_ptr_array_index(sessions, i);
		gboolean there;

		if (!is_present(db, &s->row, &there, error))
			return FALSE;
		if (there) {
			(*present)++;
			continue;
		}
		if (!resolve_person(store, s, error))
			return FALSE;
		if (!insert_session(db, s, error))
			return FALSE;
		(*imported)++;
	}
	return TRUE;
}

gboolean
rd_store_import_json(RdStore *store, const char *json, gsize len, guint *imported,
		     guint *present, GError **error)
{
	g_autoptr(GPtrArray) sessions = NULL;
	RdStoreDb *db = rd_store_get_db(store);

	*imported = *present = 0;
	if (len > RD_STORE_IMPORT_MAX_BYTES) {
		g_set_error(error, RD_ERROR, RD_ERROR_INVALID_ARGUMENTS,
			    "The file is larger than %u MiB; import it in parts "
			    "(export --since, --until)", RD_STORE_IMPORT_MAX_BYTES >> 20);
		return FALSE;
	}
	if (!(sessions = parse_file(json, len, error)) || !rd_store_db_begin(db, error))
		return FALSE;
	if (!import_locked(store, sessions, imported, present, error)) {
		rd_store_db_rollback(db);
		*imported = *present = 0;
		return FALSE;
	}
	return rd_store_db_commit(db, error);
}
