/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <string.h>

#include <json-glib/json-glib.h>

#include "mqtt/rm-discovery.h"
#include "mqtt/rm-payload.h"

/*
 * One entity of a roller.  Fields HA documents for the component
 * (https://www.home-assistant.io/integrations/sensor.mqtt/ and
 * binary_sensor.mqtt, button.mqtt); NULL leaves one out.
 */
typedef struct {
	const char *component;
	const char *object;	/* the unique id's last part */
	const char *name;
	const char *leaf;	/* state (or command, for a button) topic's last levels */
	const char *value_template;
	const char *device_class;
	const char *state_class;
	const char *unit;
	const char *entity_category;
	gboolean json_attributes;	/* the state topic's JSON as attributes */
	gboolean always_available;	/* with the bridge alone, not the roller */
} Entity;

static const Entity roller_entities[] = {
	{ "sensor", "battery", "Battery", "battery", NULL, "battery", "measurement", "%",
	  "diagnostic", FALSE, FALSE },
	{ "sensor", "state", "State", "state", NULL, "enum", NULL, NULL, NULL, FALSE, FALSE },
	{ "sensor", "stored_records", "Stored sessions", "stored_records", NULL, NULL,
	  "measurement", NULL, "diagnostic", FALSE, FALSE },
	{ "sensor", "force", "Force", "live", "{{ value_json.force_cn }}", NULL, "measurement",
	  "cN", NULL, FALSE, FALSE },
	{ "sensor", "force_mean", "Mean force", "live", "{{ value_json.force_mean_cn }}", NULL,
	  "measurement", "cN", NULL, FALSE, FALSE },
	{ "sensor", "in_band", "In band", "live", "{{ (value_json.in_band_permille / 10) | round(1) }}", NULL,
	  "measurement", "%", NULL, FALSE, FALSE },
	{ "sensor", "coverage", "Coverage", "live", "{{ (value_json.coverage_permille / 10) | round(1) }}", NULL,
	  "measurement", "%", NULL, FALSE, FALSE },
	{ "sensor", "strokes", "Strokes", "live", "{{ value_json.strokes }}", NULL,
	  "total_increasing", "strokes", NULL, FALSE, FALSE },
	{ "sensor", "last_session", "Last session", "session", "{{ value_json.strokes }}", NULL,
	  NULL, "strokes", NULL, TRUE, TRUE },
	{ "binary_sensor", "connected", "Connected", "connected", NULL, "connectivity", NULL,
	  NULL, "diagnostic", FALSE, TRUE },
	{ "binary_sensor", "storage_full", "Storage full", "storage_full", NULL, "problem",
	  NULL, NULL, "diagnostic", FALSE, FALSE },
	{ "button", "sync", "Sync", "cmd/sync", NULL, NULL, NULL, NULL, NULL, FALSE, FALSE },
	{ "button", "identify", "Identify", "cmd/identify", NULL, "identify", NULL, NULL,
	  "diagnostic", FALSE, FALSE },
};

static const char *const state_options[] = {
	"disconnected", "connecting", "idle", "session", "paused", "transferring", "charging",
};

/* A discovery node id or object id: [A-Za-z0-9_-] only. */
static char *
id_part(const char *s)
{
	char *id = g_strdup(s);

	for (char *p = id; *p; p++)
		if (!g_ascii_isalnum(*p) && *p != '_' && *p != '-')
			*p = '_';
	return id;
}

static char *
bridge_identifier(const RmConfig *cfg)
{
	g_autofree char *room = id_part(cfg->room);

	return g_strdup_printf("rollerd_bridge_%s", room);
}

static char *
config_topic(const RmConfig *cfg, const char *component, const char *object_id)
{
	g_autofree char *room = id_part(cfg->room);

	return g_strdup_printf("%s/%s/rollerd_%s/%s/config", cfg->discovery_prefix, component,
			       room, object_id);
}

static void
member_string(JsonBuilder *b, const char *name, const char *value)
{
	if (!value)
		return;
	json_builder_set_member_name(b, name);
	json_builder_add_string_value(b, value);
}

static void
add_availability(JsonBuilder *b, const RmConfig *cfg, const char *roller_key)
{
	g_autofree char *status = rm_topic_status(cfg);

	json_builder_set_member_name(b, "availability");
	json_builder_begin_array(b);
	json_builder_begin_object(b);
	member_string(b, "topic", status);
	json_builder_end_object(b);
	if (roller_key) {
		g_autofree char *avail = rm_topic_roller(cfg, roller_key, "available");

		json_builder_begin_object(b);
		member_string(b, "topic", avail);
		json_builder_end_object(b);
	}
	json_builder_end_array(b);
	member_string(b, "availability_mode", "all");
	member_string(b, "payload_available", "online");
	member_string(b, "payload_not_available", "offline");
}

/* Opens "device" with its identifier, name and manufacturer; the caller ends it. */
static void
begin_device(JsonBuilder *b, const char *ident, const char *name)
{
	json_builder_set_member_name(b, "device");
	json_builder_begin_object(b);
	json_builder_set_member_name(b, "identifiers");
	json_builder_begin_array(b);
	json_builder_add_string_value(b, ident);
	json_builder_end_array(b);
	member_string(b, "name", name);
	member_string(b, "manufacturer", "rollerd");
}

static void
add_roller_device(JsonBuilder *b, const RmConfig *cfg, const RmRollerInfo *info)
{
	g_autofree char *ident = g_strdup_printf("rollerd_%s", info->key);
	g_autofree char *via = bridge_identifier(cfg);

	begin_device(b, ident, info->name && *info->name ? info->name : info->key);
	if (info->model && *info->model)
		member_string(b, "model", info->model);
	if (info->firmware && *info->firmware)
		member_string(b, "sw_version", info->firmware);
	if (info->serial && *info->serial)
		member_string(b, "serial_number", info->serial);
	member_string(b, "via_device", via);
	json_builder_end_object(b);
}

static char *
roller_entity_payload(const RmConfig *cfg, const RmRollerInfo *info, const Entity *e)
{
	g_autoptr(JsonBuilder) b = json_builder_new();
	g_autofree char *unique = g_strdup_printf("rollerd_%s_%s", info->key, e->object);
	g_autofree char *topic = rm_topic_roller(cfg, info->key, e->leaf);
	gboolean button = strcmp(e->component, "button") == 0;

	json_builder_begin_object(b);
	member_string(b, "name", e->name);
	member_string(b, "unique_id", unique);
	member_string(b, button ? "command_topic" : "state_topic", topic);
	if (button)
		member_string(b, "payload_press", "PRESS");
	if (strcmp(e->component, "binary_sensor") == 0) {
		member_string(b, "payload_on", "ON");
		member_string(b, "payload_off", "OFF");
	}
	member_string(b, "value_template", e->value_template);
	if (e->json_attributes)
		member_string(b, "json_attributes_topic", topic);
	member_string(b, "device_class", e->device_class);
	member_string(b, "state_class", e->state_class);
	member_string(b, "unit_of_measurement", e->unit);
	member_string(b, "entity_category", e->entity_category);
	if (g_strcmp0(e->device_class, "enum") == 0) {
		json_builder_set_member_name(b, "options");
		json_builder_begin_array(b);
		for (gsize i = 0; i < G_N_ELEMENTS(state_options); i++)
			json_builder_add_string_value(b, state_options[i]);
		json_builder_end_array(b);
	}
	add_availability(b, cfg, e->always_available ? NULL : info->key);
	add_roller_device(b, cfg, info);
	json_builder_end_object(b);
	return rm_json_to_string(b);
}

void
rm_discovery_roller(const RmConfig *cfg, const RmRollerInfo *info, gboolean remove,
		    RmDiscoveryEmit emit, gpointer user_data)
{
	if (!cfg->discovery)
		return;
	for (gsize i = 0; i < G_N_ELEMENTS(roller_entities); i++) {
		const Entity *e = &roller_entities[i];
		g_autofree char *object_id = g_strdup_printf("%s_%s", info->key, e->object);
		g_autofree char *topic = config_topic(cfg, e->component, object_id);
		g_autofree char *payload = remove ? g_strdup("") :
					   roller_entity_payload(cfg, info, e);

		emit(topic, payload, user_data);
	}
}

char *
rm_discovery_pattern(const RmConfig *cfg)
{
	g_autofree char *room = id_part(cfg->room);

	if (!cfg->discovery)
		return NULL;
	return g_strdup_printf("%s/+/rollerd_%s/+/config", cfg->discovery_prefix, room);
}

gboolean
rm_discovery_parse_topic(const RmConfig *cfg, const char *topic, char **roller_key)
{
	g_autofree char *room = id_part(cfg->room);
	g_autofree char *node = g_strconcat("rollerd_", room, NULL);
	g_auto(GStrv) levels = NULL;
	const char *object_id;
	const Entity *best = NULL;

	*roller_key = NULL;
	if (!cfg->discovery || !g_str_has_prefix(topic, cfg->discovery_prefix) ||
	    topic[strlen(cfg->discovery_prefix)] != '/')
		return FALSE;
	levels = g_strsplit(topic + strlen(cfg->discovery_prefix) + 1, "/", 0);
	if (g_strv_length(levels) != 4 || strcmp(levels[1], node) != 0 ||
	    strcmp(levels[3], "config") != 0)
		return FALSE;
	object_id = levels[2];
	/* "KEY_OBJECT": the longest object that fits ("force_mean" over "force"...). */
	for (gsize i = 0; i < G_N_ELEMENTS(roller_entities); i++) {
		const Entity *e = &roller_entities[i];
		gsize n = strlen(object_id), m = strlen(e->object);

		if (strcmp(levels[0], e->component) == 0 && n > m + 1 &&
		    strcmp(object_id + n - m, e->object) == 0 && object_id[n - m - 1] == '_' &&
		    (!best || m > strlen(best->object)))
			best = e;
	}
	if (best)
		*roller_key = g_strndup(object_id, strlen(object_id) - strlen(best->object) - 1);
	return TRUE;
}

static void
add_bridge_device(JsonBuilder *b, const RmConfig *cfg)
{
	g_autofree char *ident = bridge_identifier(cfg);
	g_autofree char *name = g_strdup_printf("rollerd %s", cfg->room);

	begin_device(b, ident, name);
	member_string(b, "model", "rollerd-mqtt");
	member_string(b, "sw_version", PACKAGE_VERSION);
	json_builder_end_object(b);
}

void
rm_discovery_bridge(const RmConfig *cfg, RmDiscoveryEmit emit, gpointer user_data)
{
	g_autoptr(JsonBuilder) b = json_builder_new();
	g_autofree char *ident = bridge_identifier(cfg);
	g_autofree char *unique = g_strdup_printf("%s_status", ident);
	g_autofree char *status = rm_topic_status(cfg);
	g_autofree char *topic = config_topic(cfg, "binary_sensor", "bridge_status");
	g_autofree char *payload = NULL;

	if (!cfg->discovery)
		return;
	json_builder_begin_object(b);
	member_string(b, "name", "Bridge");
	member_string(b, "unique_id", unique);
	member_string(b, "state_topic", status);
	member_string(b, "payload_on", "online");
	member_string(b, "payload_off", "offline");
	member_string(b, "device_class", "connectivity");
	member_string(b, "entity_category", "diagnostic");
	add_bridge_device(b, cfg);
	json_builder_end_object(b);
	payload = rm_json_to_string(b);
	emit(topic, payload, user_data);
}

void
rm_discovery_plan(const RmConfig *cfg, const char *leaf, const char *person, const char *area,
		  RmDiscoveryEmit emit, gpointer user_data)
{
	g_autoptr(JsonBuilder) b = json_builder_new();
	g_autofree char *ident = bridge_identifier(cfg);
	g_autofree char *leaf_id = id_part(leaf);
	g_autofree char *unique = g_strdup_printf("%s_%s", ident, leaf_id);
	g_autofree char *state = rm_topic_room(cfg, leaf);
	g_autofree char *name = g_strdup_printf("%s %s next due", person, area);
	g_autofree char *topic = config_topic(cfg, "sensor", leaf_id);
	g_autofree char *payload = NULL;

	if (!cfg->discovery)
		return;
	json_builder_begin_object(b);
	member_string(b, "name", name);
	member_string(b, "unique_id", unique);
	member_string(b, "state_topic", state);
	member_string(b, "value_template", "{{ value_json.next_due }}");
	member_string(b, "json_attributes_topic", state);
	member_string(b, "device_class", "timestamp");
	add_availability(b, cfg, NULL);
	add_bridge_device(b, cfg);
	json_builder_end_object(b);
	payload = rm_json_to_string(b);
	emit(topic, payload, user_data);
}
