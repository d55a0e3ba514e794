/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Every room's whole sessions, from ExportSessions with scope clinic. */
#include "config.h"

#include <string.h>

#include "rc-clinic-export.h"

#define PERSON_NAME_KEY "rc-clinic-person-name"

/*
 * ExportSessions' page when no limit is asked: whole sessions with their
 * traces make a reply of some 10 KiB each, and a bus caps a message
 * (32 MiB on the system bus).
 */
#define EXPORT_PAGE 100u

/* @filter with scope clinic, and @limit and @offset when not 0. */
static GVariant *
page_filter(GVariant *filter, guint32 limit, guint32 offset)
{
	GVariantBuilder b;
	GVariantIter iter;
	const char *key;
	GVariant *value;

	g_variant_builder_init(&b, G_VARIANT_TYPE_VARDICT);
	g_variant_iter_init(&iter, filter);
	while (g_variant_iter_next(&iter, "{&sv}", &key, &value)) {
		if (!(limit && g_str_equal(key, "limit")) && !(offset && g_str_equal(key, "offset")))
			g_variant_builder_add(&b, "{sv}", key, value);
		g_variant_unref(value);
	}
	g_variant_builder_add(&b, "{sv}", "scope", g_variant_new_string("clinic"));
	if (limit)
		g_variant_builder_add(&b, "{sv}", "limit", g_variant_new_uint32(limit));
	if (offset)
		g_variant_builder_add(&b, "{sv}", "offset", g_variant_new_uint32(offset));
	return g_variant_builder_end(&b);
}

/* One page; says on stderr, once, when this room's journal answered. */
static char *
export_page(RdDbusManager1 *manager, const char *command, GVariant *filter, const char *format,
	    guint32 *n_sessions, gboolean *warned, GError **error)
{
	g_autoptr(GVariant) status = NULL;
	const char *scope = "", *why = NULL;
	char *data = NULL;

	if (!rd_dbus_manager1_call_export_sessions_sync(manager, filter, format,
							G_DBUS_CALL_FLAGS_NONE, -1, &status, &data,
							NULL, error))
		return NULL;
	*n_sessions = 0;
	g_variant_lookup(status, "sessions", "u", n_sessions);
	g_variant_lookup(status, "scope", "&s", &scope);
	g_variant_lookup(status, "clinic_error", "&s", &why);
	if (!g_str_equal(scope, "clinic") && !*warned)
		g_printerr("rollerctl %s: %s; this room's journal only\n", command,
			   why ? why : "the clinic did not answer");
	*warned = TRUE;
	return data;
}

/* rollerd's JSON export, an array; NULL with @error when it is not. */
static JsonArray *
parse_array(const char *data, GError **error)
{
	g_autoptr(JsonNode) root = json_from_string(data, error);

	if (!root)
		return NULL;
	if (!JSON_NODE_HOLDS_ARRAY(root)) {
		g_set_error_literal(error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
				    "rollerd's export is not a JSON array");
		return NULL;
	}
	return json_array_ref(json_node_get_array(root));
}

char *
rc_clinic_export(RdDbusManager1 *manager, const char *command, GVariant *filter,
		 gboolean json, GError **error)
{
	g_autoptr(JsonArray) all = json_array_new();
	g_autoptr(GString) csv = g_string_new(NULL);
	gboolean paged = !g_variant_lookup(filter, "limit", "u", NULL), warned = FALSE;
	guint32 offset = 0, n = 0;

	g_variant_lookup(filter, "offset", "u", &offset);
	do {
		g_autoptr(GVariant) page = g_variant_ref_sink(page_filter(filter, paged ? EXPORT_PAGE
									   : 0, offset));
		g_autofree char *data = export_page(manager, command, page, json ? "json" : "csv",
						    &n, &warned, error);
		const char *body;

		if (!data)
			return NULL;
		if (json) {
			JsonArray *rows = parse_array(data, error);

			if (!rows)
				return NULL;
			for (guint i = 0; i < json_array_get_length(rows); i++)
				json_array_add_element(all, json_array_dup_element(rows, i));
			json_array_unref(rows);
		}
		/* One header for the whole export: the later pages' go. */
		body = data;
		if (!json && csv->len && (body = strchr(data, '\n')))
			body++;
		if (!json)
			g_string_append(csv, body ? body : "");
		offset += n;
	} while (paged && n == EXPORT_PAGE);
	if (json) {
		g_autoptr(JsonNode) root = json_node_init_array(json_node_alloc(), all);
		g_autoptr(JsonGenerator) gen = json_generator_new();
		g_autofree char *text = NULL;

		json_generator_set_pretty(gen, TRUE);
		json_generator_set_indent(gen, 2);
		json_generator_set_root(gen, root);
		text = json_generator_to_data(gen, NULL);
		return g_strconcat(text, "\n", NULL);
	}
	return g_string_free(g_steal_pointer(&csv), FALSE);
}

static GVariant *
int_array(JsonObject *o, const char *member, const GVariantType *type)
{
	JsonArray *a = json_object_has_member(o, member) ?
		       json_object_get_array_member(o, member) : NULL;
	g_autoptr(GVariantType) array = g_variant_type_new_array(type);
	GVariantBuilder b;

	g_variant_builder_init(&b, array);
	for (guint i = 0; a && i < json_array_get_length(a); i++) {
		gint64 v = json_array_get_int_element(a, i);

		if (g_variant_type_equal(type, G_VARIANT_TYPE_BYTE))
			g_variant_builder_add(&b, "y", (guint8)v);
		else if (g_variant_type_equal(type, G_VARIANT_TYPE_UINT16))
			g_variant_builder_add(&b, "q", (guint16)v);
		else
			g_variant_builder_add(&b, "u", (guint32)v);
	}
	return g_variant_builder_end(&b);
}

/* The notes set, as Session1.Notes has them: an unset one is absent. */
static GVariant *
notes_of(JsonObject *o)
{
	JsonObject *notes = json_object_get_object_member(o, "notes");
	static const char *const keys[] = { "topical", "numbing", "redness", "text", "cleaned" };
	GVariantBuilder b;

	g_variant_builder_init(&b, G_VARIANT_TYPE_VARDICT);
	for (gsize i = 0; notes && i < G_N_ELEMENTS(keys); i++) {
		JsonNode *v = json_object_get_member(notes, keys[i]);

		if (!v || JSON_NODE_HOLDS_NULL(v))
			continue;
		if (json_node_get_value_type(v) == G_TYPE_BOOLEAN)
			g_variant_builder_add(&b, "{sv}", keys[i],
					      g_variant_new_boolean(json_node_get_boolean(v)));
		else
			g_variant_builder_add(&b, "{sv}", keys[i],
					      g_variant_new_string(json_node_get_string(v)));
	}
	return g_variant_builder_end(&b);
}

static RdDbusSession1 *
session_of(JsonObject *o)
{
	RdDbusSession1 *s = RD_DBUS_SESSION1(rd_dbus_session1_skeleton_new());
	JsonObject *trace = json_object_get_object_member(o, "trace");

	rd_dbus_session1_set_id(s, (guint64)json_object_get_int_member(o, "id"));
	rd_dbus_session1_set_roller(s, json_object_get_string_member(o, "roller"));
	rd_dbus_session1_set_address(s, json_object_get_string_member(o, "address"));
	rd_dbus_session1_set_area(s, json_object_get_string_member(o, "area"));
	rd_dbus_session1_set_start(s, json_object_get_int_member(o, "start"));
	rd_dbus_session1_set_clock_set(s, json_object_get_boolean_member(o, "clock_set"));
	rd_dbus_session1_set_duration(s, (guint)json_object_get_int_member(o, "duration_ms"));
	rd_dbus_session1_set_needle_length(s, (guint16)json_object_get_int_member(o, "needle_um"));
	rd_dbus_session1_set_strokes(s, (guint)json_object_get_int_member(o, "strokes"));
	rd_dbus_session1_set_force_mean(s, (guint16)json_object_get_int_member(o, "force_mean_cn"));
	rd_dbus_session1_set_force_max(s, (guint16)json_object_get_int_member(o, "force_max_cn"));
	rd_dbus_session1_set_in_band(s, (guint16)json_object_get_int_member(o,
									   "in_band_permille"));
	rd_dbus_session1_set_source(s, json_object_get_string_member(o, "source"));
	rd_dbus_session1_set_directions(s, int_array(o, "directions", G_VARIANT_TYPE_UINT32));
	rd_dbus_session1_set_grid_columns(s, (guint8)json_object_get_int_member(o, "grid_columns"));
	rd_dbus_session1_set_grid_rows(s, (guint8)json_object_get_int_member(o, "grid_rows"));
	rd_dbus_session1_set_passes(s, int_array(o, "passes", G_VARIANT_TYPE_BYTE));
	rd_dbus_session1_set_force_trace(s, g_variant_new("(q@aq)",
		(guint16)json_object_get_int_member(trace, "period_ms"),
		int_array(trace, "values", G_VARIANT_TYPE_UINT16)));
	rd_dbus_session1_set_notes(s, notes_of(o));
	/* Session1.Person is a path in this room: the clinic's person is a name. */
	g_object_set_data_full(G_OBJECT(s), PERSON_NAME_KEY,
			       g_strdup(json_object_get_string_member(o, "person")), g_free);
	return s;
}

GPtrArray *
rc_clinic_sessions(RdDbusManager1 *manager, const char *command, GVariant *filter,
		   GError **error)
{
	g_autoptr(GVariant) page = g_variant_ref_sink(page_filter(filter, 0, 0));
	g_autoptr(GPtrArray) sessions = g_ptr_array_new_with_free_func(g_object_unref);
	g_autoptr(JsonArray) rows = NULL;
	g_autofree char *data = NULL;
	gboolean warned = FALSE;
	guint32 n = 0;

	if (!(data = export_page(manager, command, page, "json", &n, &warned, error)) ||
	    !(rows = parse_array(data, error)))
		return NULL;
	for (guint i = 0; i < json_array_get_length(rows); i++) {
		JsonObject *o = json_array_get_object_element(rows, i);

		if (!o || !json_object_get_object_member(o, "trace")) {
			g_set_error_literal(error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
					    "rollerd's export has a session without its trace");
			return NULL;
		}
		g_ptr_array_add(sessions, session_of(o));
	}
	return g_steal_pointer(&sessions);
}

const char *
rc_clinic_session_person(RdDbusSession1 *session)
{
	return g_object_get_data(G_OBJECT(session), PERSON_NAME_KEY);
}
