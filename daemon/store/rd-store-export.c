/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Session export as JSON (json-glib) or CSV (RFC 4180).  The field names
 * are API: rd-store.h lists them, and a rename breaks users' scripts.
 */
#include "config.h"

#include <json-glib/json-glib.h>

#include "common/rd-csv.h"
#include "rd-store-query.h"
#include "rd-store-db.h"

static const char *const area_names[] = {
	"unspecified", "abdomen", "thighs", "hips", "buttocks", "upper-arms",
	"breasts", "face", "scalp", "back", "calves",
};

/* As the D-Bus API spells areas: a name, or area-N for other ids. */
static char *
area_name(guint8 area_id)
{
	if (area_id < G_N_ELEMENTS(area_names))
		return g_strdup(area_names[area_id]);
	return g_strdup_printf("area-%u", area_id);
}

typedef enum {
	FORMAT_JSON,
	FORMAT_CSV,
} ExportFormat;

static gboolean
parse_format(const char *format, ExportFormat *out, GError **error)
{
	if (g_strcmp0(format, "json") == 0) {
		*out = FORMAT_JSON;
		return TRUE;
	}
	if (g_strcmp0(format, "csv") == 0) {
		*out = FORMAT_CSV;
		return TRUE;
	}
	g_set_error(error, RD_ERROR, RD_ERROR_INVALID_ARGUMENTS,
		    "Unknown export format “%s” (known: csv, json)",
		    format ? format : "");
	return FALSE;
}

static void
json_add_note_string(JsonBuilder *b, GVariant *notes, const char *key)
{
	const char *value;

	json_builder_set_member_name(b, key);
	if (g_variant_lookup(notes, key, "&s", &value))
		json_builder_add_string_value(b, value);
	else
		json_builder_add_null_value(b);
}

static void
json_add_note_boolean(JsonBuilder *b, GVariant *notes, const char *key)
{
	gboolean value;

	json_builder_set_member_name(b, key);
	if (g_variant_lookup(notes, key, "b", &value))
		json_builder_add_boolean_value(b, value);
	else
		json_builder_add_null_value(b);
}

static void
json_add_int(JsonBuilder *b, const char *name, gint64 value)
{
	json_builder_set_member_name(b, name);
	json_builder_add_int_value(b, value);
}

/* @room NULL: no room member. */
static void
session_to_json(JsonBuilder *b, const RdSession *s, const char *room)
{
	const RdSessionSummary *m = &s->summary;
	g_autofree char *area = area_name(m->area_id);

	json_builder_begin_object(b);
	json_add_int(b, "id", m->id);
	json_builder_set_member_name(b, "roller");
	json_builder_add_string_value(b, m->serial);
	json_builder_set_member_name(b, "address");
	json_builder_add_string_value(b, m->address);
	json_builder_set_member_name(b, "area");
	json_builder_add_string_value(b, area);
	json_add_int(b, "start", m->start_unix);
	json_builder_set_member_name(b, "clock_set");
	json_builder_add_boolean_value(b, m->clock_set);
	json_add_int(b, "duration_ms", m->duration_ms);
	json_add_int(b, "needle_um", m->needle_um);
	json_add_int(b, "strokes", m->strokes);
	json_add_int(b, "force_mean_cn", m->force_mean_cn);
	json_add_int(b, "force_max_cn", m->force_max_cn);
	json_add_int(b, "in_band_permille", m->in_band_permille);
	json_builder_set_member_name(b, "source");
	json_builder_add_string_value(b, rd_session_source_to_string(m->source));
	json_add_int(b, "record_id", m->record_id);
	json_builder_set_member_name(b, "end_reason");
	if (s->end_reason >= 0)
		json_builder_add_int_value(b, s->end_reason);
	else
		json_builder_add_null_value(b);
	json_add_int(b, "frames_lost", s->frames_lost);

	json_builder_set_member_name(b, "directions");
	json_builder_begin_array(b);
	for (int i = 0; i < 4; i++)
		json_builder_add_int_value(b, s->dirs[i]);
	json_builder_end_array(b);
	json_add_int(b, "grid_columns", s->cols);
	json_add_int(b, "grid_rows", s->rows);
	json_builder_set_member_name(b, "passes");
	json_builder_begin_array(b);
	for (guint i = 0; i < (guint)s->cols * s->rows; i++)
		json_builder_add_int_value(b, s->passes[i]);
	json_builder_end_array(b);

	json_builder_set_member_name(b, "trace");
	json_builder_begin_object(b);
	json_add_int(b, "period_ms", s->trace_period_ms);
	json_builder_set_member_name(b, "values");
	json_builder_begin_array(b);
	for (guint i = 0; i < s->trace_len; i++)
		json_builder_add_int_value(b, s->trace[i]);
	json_builder_end_array(b);
	json_builder_end_object(b);

	json_builder_set_member_name(b, "notes");
	json_builder_begin_object(b);
	json_add_note_string(b, s->notes, "topical");
	json_add_note_boolean(b, s->notes, "numbing");
	json_add_note_string(b, s->notes, "redness");
	json_add_note_string(b, s->notes, "text");
	json_add_note_boolean(b, s->notes, "cleaned");
	json_builder_end_object(b);
	json_builder_set_member_name(b, "person");
	json_builder_add_string_value(b, m->person_name ? m->person_name : "");
	if (room) {
		json_builder_set_member_name(b, "room");
		json_builder_add_string_value(b, room);
	}
	json_builder_end_object(b);
}

static char *
json_to_text(JsonBuilder *b)
{
	g_autoptr(JsonGenerator) gen = json_generator_new();
	g_autoptr(JsonNode) root = json_builder_get_root(b);

	json_generator_set_pretty(gen, TRUE);
	json_generator_set_indent(gen, 2);
	json_generator_set_root(gen, root);
	return json_generator_to_data(gen, NULL);
}

static const char csv_header[] = RD_CSV_HEADER;

/* RFC 4180: quoted when it holds a comma, a quote or a line break. */
static void
csv_string(GString *out, const char *value)
{
	if (!strpbrk(value, ",\"\r\n")) {
		g_string_append(out, value);
		return;
	}
	g_string_append_c(out, '"');
	for (const char *p = value; *p; p++) {
		if (*p == '"')
			g_string_append_c(out, '"');
		g_string_append_c(out, *p);
	}
	g_string_append_c(out, '"');
}

static void
csv_note_string(GString *out, GVariant *notes, const char *key)
{
	const char *value;

	if (g_variant_lookup(notes, key, "&s", &value))
		csv_string(out, value);
}

static void
csv_note_boolean(GString *out, GVariant *notes, const char *key)
{
	gboolean value;

	if (g_variant_lookup(notes, key, "b", &value))
		g_string_append(out, value ? "true" : "false");
}

/*
 * ISO 8601 in rollerd's local time zone with its offset, for people and
 * spreadsheets; last, so that scripts reading columns by place still find
 * theirs, and they keep the start column (UTC seconds).
 */
static void
csv_local_time(GString *out, gint64 unix_seconds)
{
	g_autoptr(GDateTime) t = g_date_time_new_from_unix_local(unix_seconds);
	g_autofree char *text = t ? g_date_time_format(t, "%Y-%m-%dT%H:%M:%S%:z") : NULL;

	if (text)
		g_string_append(out, text);
}

/* @room NULL: no room column. */
static void
session_to_csv(GString *out, const RdSession *s, const char *room)
{
	const RdSessionSummary *m = &s->summary;
	g_autofree char *area = area_name(m->area_id);

	g_string_append_printf(out, "%" G_GINT64_FORMAT ",", m->id);
	csv_string(out, m->serial);
	g_string_append_c(out, ',');
	csv_string(out, m->address);
	g_string_append_c(out, ',');
	csv_string(out, area);
	g_string_append_printf(out, ",%" G_GINT64_FORMAT ",%s,%u,%u,%u,%u,%u,%u,%s,%u,",
			       m->start_unix, m->clock_set ? "true" : "false",
			       m->duration_ms, m->needle_um, m->strokes,
			       m->force_mean_cn, m->force_max_cn, m->in_band_permille,
			       rd_session_source_to_string(m->source), m->record_id);
	if (s->end_reason >= 0)
		g_string_append_printf(out, "%d", s->end_reason);
	g_string_append_printf(out, ",%u,%u %u %u %u,%u,%u,", s->frames_lost,
			       s->dirs[0], s->dirs[1], s->dirs[2], s->dirs[3],
			       s->cols, s->rows);
	for (guint i = 0; i < (guint)s->cols * s->rows; i++)
		g_string_append_printf(out, i ? " %u" : "%u", s->passes[i]);
	g_string_append_printf(out, ",%u,", s->trace_period_ms);
	for (guint i = 0; i < s->trace_len; i++)
		g_string_append_printf(out, i ? " %u" : "%u", s->trace[i]);
	g_string_append_c(out, ',');
	csv_note_string(out, s->notes, "topical");
	g_string_append_c(out, ',');
	csv_note_boolean(out, s->notes, "numbing");
	g_string_append_c(out, ',');
	csv_note_string(out, s->notes, "redness");
	g_string_append_c(out, ',');
	csv_note_string(out, s->notes, "text");
	g_string_append_c(out, ',');
	csv_note_boolean(out, s->notes, "cleaned");
	g_string_append_c(out, ',');
	csv_local_time(out, m->start_unix);
	g_string_append_c(out, ',');
	csv_string(out, m->person_name ? m->person_name : "");
	if (room) {
		g_string_append_c(out, ',');
		csv_string(out, room);
	}
	g_string_append(out, "\r\n");
}

gboolean
rd_store_export_session(RdStore *store, gint64 id, const char *format,
			char **out, GError **error)
{
	g_autoptr(RdSession) session = NULL;
	ExportFormat fmt;

	g_return_val_if_fail(store != NULL && out != NULL, FALSE);

	if (!parse_format(format, &fmt, error) ||
	    !rd_store_get_session(store, id, &session, error))
		return FALSE;
	if (fmt == FORMAT_JSON) {
		g_autoptr(JsonBuilder) b = json_builder_new();

		session_to_json(b, session, NULL);
		*out = json_to_text(b);
	} else {
		GString *csv = g_string_new(csv_header);

		session_to_csv(csv, session, NULL);
		*out = g_string_free(csv, FALSE);
	}
	return TRUE;
}

char *
rd_store_format_sessions(GPtrArray *sessions, GPtrArray *rooms, gboolean json)
{
	g_autoptr(JsonBuilder) b = NULL;
	g_autoptr(GString) csv = NULL;

	g_return_val_if_fail(!rooms || rooms->len == sessions->len, NULL);

	if (json) {
		b = json_builder_new();
		json_builder_begin_array(b);
	} else {
		csv = g_string_new(rooms ? RD_CSV_ROOM_HEADER : csv_header);
	}
	for (guint i = 0; i < sessions->len; i++) {
		const char *room = rooms ? rooms->pdata[i] : NULL;

		if (json)
			session_to_json(b, sessions->pdata[i], room);
		else
			session_to_csv(csv, sessions->pdata[i], room);
	}
	if (json) {
		json_builder_end_array(b);
		return json_to_text(b);
	}
	return g_string_free(g_steal_pointer(&csv), FALSE);
}

gboolean
rd_store_parse_export_format(const char *format, gboolean *json, GError **error)
{
	ExportFormat fmt;

	if (!parse_format(format, &fmt, error))
		return FALSE;
	*json = fmt == FORMAT_JSON;
	return TRUE;
}

static gboolean
load_sessions_locked(RdStore *store, const RdSessionFilter *filter, gboolean paged,
		     GPtrArray *sessions, GError **error)
{
	g_autoptr(GPtrArray) rows = NULL;

	if (!rd_store_select_sessions(store, filter, paged, &rows, error))
		return FALSE;
	for (guint i = 0; i < rows->len; i++) {
		const RdSessionSummary *summary = g_ptr_array_index(rows, i);
		RdSession *session = NULL;

		if (!rd_store_get_session(store, summary->id, &session, error))
			return FALSE;
		g_ptr_array_add(sessions, session);
	}
	return TRUE;
}

/*
 * The list and each session from one snapshot: another process (a
 * backup, rollerctl) may write between the reads.
 */
static gboolean
load_sessions(RdStore *store, const RdSessionFilter *filter, gboolean paged,
	      GPtrArray **out, GError **error)
{
	g_autoptr(GPtrArray) sessions = g_ptr_array_new_with_free_func((GDestroyNotify)rd_session_free);
	RdStoreDb *db = rd_store_get_db(store);

	if (!rd_store_db_begin_read(db, error))
		return FALSE;
	if (!load_sessions_locked(store, filter, paged, sessions, error)) {
		rd_store_db_rollback(db);
		return FALSE;
	}
	if (!rd_store_db_commit(db, error))
		return FALSE;
	*out = g_steal_pointer(&sessions);
	return TRUE;
}

gboolean
rd_store_load_sessions(RdStore *store, const RdSessionFilter *filter, GPtrArray **sessions,
		       GError **error)
{
	g_return_val_if_fail(store != NULL && filter != NULL && sessions != NULL, FALSE);

	return load_sessions(store, filter, TRUE, sessions, error);
}

gboolean
rd_store_export_sessions(RdStore *store, const RdSessionFilter *filter,
			 const char *format, char **out, GError **error)
{
	g_autoptr(GPtrArray) sessions = NULL;
	gboolean json;

	g_return_val_if_fail(store != NULL && filter != NULL && out != NULL, FALSE);

	if (!rd_store_parse_export_format(format, &json, error) ||
	    !load_sessions(store, filter, FALSE, &sessions, error))
		return FALSE;
	*out = rd_store_format_sessions(sessions, NULL, json);
	return TRUE;
}
