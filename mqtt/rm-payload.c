/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <string.h>

#include <json-glib/json-glib.h>

#include "common/rd-area.h"
#include "common/rd-error.h"
#include "mqtt/rm-payload.h"

char *
rm_roller_key(const char *serial, const char *address)
{
	char *key = g_strdup(serial && *serial ? serial : address ? address : "unknown");

	for (char *p = key; *p; p++)
		if (!g_ascii_isalnum(*p) && *p != '_' && *p != '-')
			*p = '_';
	return key;
}

char *
rm_topic_status(const RmConfig *cfg)
{
	return g_strdup_printf("%s/%s/status", cfg->prefix, cfg->room);
}

char *
rm_topic_roller(const RmConfig *cfg, const char *key, const char *leaf)
{
	return g_strdup_printf("%s/%s/roller/%s/%s", cfg->prefix, cfg->room, key, leaf);
}

char *
rm_topic_room(const RmConfig *cfg, const char *leaf)
{
	return g_strdup_printf("%s/%s/%s", cfg->prefix, cfg->room, leaf);
}

char *
rm_json_to_string(JsonBuilder *b)
{
	g_autoptr(JsonNode) root = json_builder_get_root(b);
	g_autoptr(JsonGenerator) gen = json_generator_new();

	json_generator_set_root(gen, root);
	return json_generator_to_data(gen, NULL);
}

static void
add_int(JsonBuilder *b, const char *name, gint64 v)
{
	json_builder_set_member_name(b, name);
	json_builder_add_int_value(b, v);
}

static void
add_string(JsonBuilder *b, const char *name, const char *v)
{
	json_builder_set_member_name(b, name);
	json_builder_add_string_value(b, v);
}


static void
add_time(JsonBuilder *b, const char *name, gint64 unix_time)
{
	g_autoptr(GDateTime) t = unix_time > 0 ? g_date_time_new_from_unix_utc(unix_time) : NULL;
	g_autofree char *iso = t ? g_date_time_format(t, "%Y-%m-%dT%H:%M:%SZ") : NULL;

	json_builder_set_member_name(b, name);
	if (iso)
		json_builder_add_string_value(b, iso);
	else
		json_builder_add_null_value(b);
}

/*
 * The hot path, one per LiveUpdate: whole numbers and a boolean only, so
 * printf writes the JSON json-glib would, without the builder, the node
 * tree and the generator (70,000 instructions a message under callgrind).
 */
char *
rm_payload_live(const RmLiveValues *v)
{
	/* Shares in per mille, whole numbers: JSON doubles would print 69.599999999999994. */
	guint coverage = v->cells ? (v->cells_covered * 1000 + v->cells / 2) / v->cells : 0;

	return g_strdup_printf("{\"strokes\":%u,\"strokes_per_minute\":%u,\"force_cn\":%u,"
			       "\"force_mean_cn\":%u,\"in_band_permille\":%u,"
			       "\"coverage_permille\":%u,\"directions\":[%u,%u,%u,%u],"
			       "\"duration_ms\":%u,\"paused\":%s,\"frames\":%u,"
			       "\"frames_lost\":%u,\"frames_rejected\":%u}",
			       v->strokes, (guint)(v->strokes_per_minute + 0.5), v->force_cn,
			       v->force_mean_cn, v->in_band_permille, coverage, v->directions[0],
			       v->directions[1], v->directions[2], v->directions[3],
			       v->duration_ms, v->paused ? "true" : "false", v->frames,
			       v->frames_lost, v->frames_rejected);
}

static gint64
lookup_int(GVariantDict *d, const char *key, const GVariantType *type)
{
	g_autoptr(GVariant) v = g_variant_dict_lookup_value(d, key, type);

	if (!v)
		return 0;
	switch (g_variant_classify(v)) {
	case G_VARIANT_CLASS_UINT16: return g_variant_get_uint16(v);
	case G_VARIANT_CLASS_UINT32: return g_variant_get_uint32(v);
	case G_VARIANT_CLASS_INT64: return g_variant_get_int64(v);
	case G_VARIANT_CLASS_UINT64: return (gint64)g_variant_get_uint64(v);
	case G_VARIANT_CLASS_BOOLEAN: return g_variant_get_boolean(v);
	default: return 0;
	}
}

static const char *
lookup_str(GVariantDict *d, const char *key)
{
	const char *s = NULL;

	return g_variant_dict_lookup(d, key, "&s", &s) ? s : "";
}

char *
rm_payload_session(GVariant *summary, guint64 *id, char **key)
{
	g_auto(GVariantDict) d;
	g_autoptr(JsonBuilder) b = json_builder_new();
	const char *roller, *address;

	g_variant_dict_init(&d, summary);
	if (!g_variant_dict_contains(&d, "id") || !g_variant_dict_contains(&d, "roller"))
		return NULL;
	*id = (guint64)lookup_int(&d, "id", G_VARIANT_TYPE_UINT64);
	roller = lookup_str(&d, "roller");
	address = lookup_str(&d, "address");
	*key = rm_roller_key(roller, address);

	json_builder_begin_object(b);
	add_int(b, "id", (gint64)*id);
	add_string(b, "roller", roller);
	add_string(b, "address", address);
	add_int(b, "record_id", lookup_int(&d, "record_id", G_VARIANT_TYPE_UINT16));
	add_string(b, "area", lookup_str(&d, "area"));
	add_time(b, "start", lookup_int(&d, "start", G_VARIANT_TYPE_INT64));
	add_int(b, "start_unix", lookup_int(&d, "start", G_VARIANT_TYPE_INT64));
	json_builder_set_member_name(b, "clock_set");
	json_builder_add_boolean_value(b, lookup_int(&d, "clock_set", G_VARIANT_TYPE_BOOLEAN));
	add_int(b, "duration_ms", lookup_int(&d, "duration_ms", G_VARIANT_TYPE_UINT32));
	add_int(b, "needle_um", lookup_int(&d, "needle_um", G_VARIANT_TYPE_UINT16));
	add_int(b, "strokes", lookup_int(&d, "strokes", G_VARIANT_TYPE_UINT32));
	add_int(b, "force_mean_cn", lookup_int(&d, "force_mean_cn", G_VARIANT_TYPE_UINT16));
	add_int(b, "force_max_cn", lookup_int(&d, "force_max_cn", G_VARIANT_TYPE_UINT16));
	add_int(b, "in_band_permille", lookup_int(&d, "in_band_permille", G_VARIANT_TYPE_UINT16));
	add_string(b, "source", lookup_str(&d, "source"));
	add_string(b, "person", lookup_str(&d, "person_name"));
	json_builder_end_object(b);
	return rm_json_to_string(b);
}

/* The id at the end of a Person1 path, the topic level that a rename keeps. */
static const char *
person_id(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash && slash[1] ? slash + 1 : NULL;
}

char *
rm_payload_plan(GVariant *row, char **leaf)
{
	g_auto(GVariantDict) d;
	g_autoptr(JsonBuilder) b = json_builder_new();
	const char *path = NULL, *area, *pid;
	gint64 next_due;

	g_variant_dict_init(&d, row);
	if (!g_variant_dict_lookup(&d, "person", "&o", &path) || !(pid = person_id(path)))
		return NULL;
	area = lookup_str(&d, "area");
	if (!*area || strpbrk(area, "/+#"))
		return NULL;
	*leaf = g_strdup_printf("plan/%s/%s", pid, area);
	next_due = lookup_int(&d, "next_due", G_VARIANT_TYPE_INT64);

	json_builder_begin_object(b);
	add_string(b, "person", lookup_str(&d, "person_name"));
	add_string(b, "area", area);
	add_int(b, "sessions", lookup_int(&d, "sessions", G_VARIANT_TYPE_UINT32));
	add_time(b, "last_start", lookup_int(&d, "last_start", G_VARIANT_TYPE_INT64));
	add_int(b, "min_interval_days",
		lookup_int(&d, "min_interval_days", G_VARIANT_TYPE_UINT32));
	add_time(b, "next_due", next_due);
	add_int(b, "next_due_unix", next_due);
	json_builder_set_member_name(b, "due");
	json_builder_add_boolean_value(b, lookup_int(&d, "due", G_VARIANT_TYPE_BOOLEAN));
	json_builder_end_object(b);
	return rm_json_to_string(b);
}

char *
rm_payload_event(const char *kind, const char *message, const char *person, gint64 unix_time)
{
	g_autoptr(JsonBuilder) b = json_builder_new();

	json_builder_begin_object(b);
	add_string(b, "kind", kind);
	add_string(b, "message", message);
	if (person)
		add_string(b, "person", person);
	add_time(b, "time", unix_time);
	json_builder_end_object(b);
	return rm_json_to_string(b);
}

void
rm_command_request_clear(RmCommandRequest *req)
{
	g_clear_pointer(&req->key, g_free);
	g_clear_pointer(&req->area, g_free);
	req->command = 0;
	req->seconds = 0;
}

static gboolean
refuse(GError **error, const char *fmt, ...) G_GNUC_PRINTF(2, 3);

static gboolean
refuse(GError **error, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	g_propagate_error(error, g_error_new_valist(RD_ERROR, RD_ERROR_INVALID_ARGUMENTS, fmt, ap));
	va_end(ap);
	return FALSE;
}

static gboolean
is_press(const char *text)
{
	return !*text || g_ascii_strcasecmp(text, "PRESS") == 0;
}

static gboolean
parse_area(const char *text, RmCommandRequest *req, GError **error)
{
	g_autoptr(JsonParser) parser = NULL;
	const char *area = text;
	guint8 area_id;

	if (*text == '{') {
		JsonObject *o;

		parser = json_parser_new();
		if (!json_parser_load_from_data(parser, text, -1, NULL) ||
		    !JSON_NODE_HOLDS_OBJECT(json_parser_get_root(parser)))
			return refuse(error, "start: the payload is not a JSON object");
		o = json_node_get_object(json_parser_get_root(parser));
		if (json_object_get_size(o) != 1 || !json_object_has_member(o, "area") ||
		    json_node_get_value_type(json_object_get_member(o, "area")) != G_TYPE_STRING)
			return refuse(error, "start: the JSON object must hold \"area\", a string, "
				      "and nothing else");
		area = json_object_get_string_member(o, "area");
	}
	if (!rd_area_from_string(area, &area_id))
		return refuse(error, "start: not a treatment area");
	req->area = g_strdup(area);
	return TRUE;
}

static gboolean
parse_payload(RmCommandRequest *req, const char *text, GError **error)
{
	guint64 n;

	switch (req->command) {
	case RM_COMMAND_SYNC:
	case RM_COMMAND_STOP:
		if (!is_press(text))
			return refuse(error, "%s: the payload must be empty or PRESS",
				      req->command == RM_COMMAND_SYNC ? "sync" : "stop");
		return TRUE;
	case RM_COMMAND_IDENTIFY:
		req->seconds = 5;
		if (is_press(text))
			return TRUE;
		if (!g_ascii_string_to_unsigned(text, 10, 1, 30, &n, NULL))
			return refuse(error, "identify: the payload must be empty, PRESS or "
				      "seconds 1..30");
		req->seconds = (guint8)n;
		return TRUE;
	case RM_COMMAND_START:
		return parse_area(text, req, error);
	}
	return refuse(error, "unknown command");
}

gboolean
rm_command_parse(const RmConfig *cfg, const char *topic, const void *payload, gsize len,
		 RmCommandRequest *req, GError **error)
{
	g_autofree char *base = g_strdup_printf("%s/%s/roller/", cfg->prefix, cfg->room);
	g_autofree char *text = NULL;
	g_auto(GStrv) levels = NULL;

	memset(req, 0, sizeof(*req));
	if (!g_str_has_prefix(topic, base))
		return refuse(error, "a message on a topic the bridge does not serve");
	levels = g_strsplit(topic + strlen(base), "/", 0);
	if (g_strv_length(levels) != 3 || !*levels[0] || strcmp(levels[1], "cmd") != 0)
		return refuse(error, "a message on a topic the bridge does not serve");
	req->command = rm_command_from_name(levels[2]);
	if (!req->command)
		return refuse(error, "an unknown command (sync, identify, start, stop)");
	if (!(cfg->commands & req->command)) {
		refuse(error, "command %s is not allowed by [Bridge] Commands", levels[2]);
		req->command = 0;
		return FALSE;
	}
	if (len > RM_COMMAND_PAYLOAD_MAX) {
		req->command = 0;
		return refuse(error, "%s: a payload of %zu bytes, over the %d allowed", levels[2],
			      len, RM_COMMAND_PAYLOAD_MAX);
	}
	text = g_strndup(payload ? payload : "", len);	/* NULL when empty */
	if (strlen(text) != len || !g_utf8_validate(text, -1, NULL)) {
		req->command = 0;
		return refuse(error, "%s: the payload is not UTF-8 text", levels[2]);
	}
	g_strstrip(text);
	if (!parse_payload(req, text, error)) {
		rm_command_request_clear(req);
		return FALSE;
	}
	req->key = g_strdup(levels[0]);
	return TRUE;
}
