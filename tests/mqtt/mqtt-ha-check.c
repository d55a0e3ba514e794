/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "tests/mqtt/mqtt-ha-check.h"

/* https://www.home-assistant.io/integrations/sensor.mqtt/ (and the others'
 * pages): the options every entity shares, then each component's own. */
static const char *const common_keys[] = {
	"name", "unique_id", "object_id", "device", "availability", "availability_mode",
	"availability_topic", "payload_available", "payload_not_available", "entity_category",
	"icon", "json_attributes_topic", "json_attributes_template", "enabled_by_default",
	"qos", "device_class", NULL,
};
static const char *const sensor_keys[] = {
	"state_topic", "value_template", "state_class", "unit_of_measurement", "options",
	"expire_after", "force_update", "suggested_display_precision", NULL,
};
static const char *const binary_sensor_keys[] = {
	"state_topic", "value_template", "payload_on", "payload_off", "expire_after",
	"force_update", "off_delay", NULL,
};
static const char *const button_keys[] = {
	"command_topic", "command_template", "payload_press", "retain", NULL,
};
static const char *const device_keys[] = {
	"identifiers", "connections", "name", "manufacturer", "model", "sw_version",
	"hw_version", "serial_number", "via_device", "suggested_area", "configuration_url",
	NULL,
};

/* HA's SensorDeviceClass values this bridge could use, and the rest it must not
 * misname; the whole list is long, so the ones relevant are kept. */
static const char *const sensor_classes[] = {
	"battery", "enum", "timestamp", "duration", "date", "power_factor", "voltage", NULL,
};
static const char *const binary_sensor_classes[] = {
	"battery", "connectivity", "problem", "running", "plug", "power", "update", NULL,
};
static const char *const button_classes[] = { "identify", "restart", "update", NULL };
static const char *const state_classes[] = { "measurement", "total", "total_increasing",
					     NULL };

static gboolean
in(const char *const *list, const char *s)
{
	for (gsize i = 0; list[i]; i++)
		if (strcmp(list[i], s) == 0)
			return TRUE;
	return FALSE;
}

static const char *
string_member(JsonObject *o, const char *name)
{
	JsonNode *n = json_object_get_member(o, name);

	if (!n)
		return NULL;
	if (json_node_get_value_type(n) != G_TYPE_STRING)
		fail_msg("\"%s\" is not a string", name);
	return json_node_get_string(n);
}

static void
check_topic(JsonObject *o, const char *name, gboolean required)
{
	const char *t = string_member(o, name);

	if (!t) {
		if (required)
			fail_msg("\"%s\" is required", name);
		return;
	}
	if (!*t || strpbrk(t, "+#"))
		fail_msg("\"%s\" is not a topic one can publish on: %s", name, t);
}

static void
check_device(JsonObject *o)
{
	JsonObject *d;
	JsonArray *ids;
	GList *members;

	if (!json_object_has_member(o, "device"))
		return;
	if (!string_member(o, "unique_id"))
		fail_msg("a device needs the entity's unique_id");
	d = json_object_get_object_member(o, "device");
	members = json_object_get_members(d);
	for (GList *l = members; l; l = l->next)
		if (!in(device_keys, l->data))
			fail_msg("device: \"%s\" is not an option HA knows", (char *)l->data);
	g_list_free(members);
	ids = json_object_get_array_member(d, "identifiers");
	if (!ids || json_array_get_length(ids) == 0)
		fail_msg("device: identifiers must be a list of at least one");
	for (guint i = 0; i < json_array_get_length(ids); i++)
		assert_true(json_node_get_value_type(json_array_get_element(ids, i)) ==
			    G_TYPE_STRING);
}

static void
check_availability(JsonObject *o)
{
	JsonArray *a;
	const char *mode = string_member(o, "availability_mode");

	if (mode && !in((const char *const[]){ "all", "any", "latest", NULL }, mode))
		fail_msg("availability_mode %s", mode);
	if (!json_object_has_member(o, "availability"))
		return;
	a = json_object_get_array_member(o, "availability");
	assert_non_null(a);
	for (guint i = 0; i < json_array_get_length(a); i++)
		check_topic(json_array_get_object_element(a, i), "topic", TRUE);
}

static void
check_sensor(JsonObject *o)
{
	const char *dc = string_member(o, "device_class");
	const char *sc = string_member(o, "state_class");
	const char *unit = string_member(o, "unit_of_measurement");

	check_topic(o, "state_topic", TRUE);
	if (dc && !in(sensor_classes, dc))
		fail_msg("sensor device_class %s", dc);
	if (sc && !in(state_classes, sc))
		fail_msg("state_class %s", sc);
	if (g_strcmp0(dc, "battery") == 0 && g_strcmp0(unit, "%") != 0)
		fail_msg("a battery sensor is in %%");
	if (g_strcmp0(dc, "enum") == 0 &&
	    (!json_object_has_member(o, "options") || sc || unit))
		fail_msg("an enum sensor has options, and neither state_class nor unit");
	if (g_strcmp0(dc, "timestamp") == 0 && (sc || unit))
		fail_msg("a timestamp sensor has neither state_class nor unit");
	if (json_object_has_member(o, "options") && g_strcmp0(dc, "enum") != 0)
		fail_msg("options belong to an enum sensor");
}

JsonNode *
mqtt_ha_check_config(const char *component, const char *json)
{
	g_autoptr(JsonParser) parser = json_parser_new();
	g_autoptr(GError) error = NULL;
	const char *const *own;
	const char *dc;
	JsonObject *o;
	GList *members;

	if (!json_parser_load_from_data(parser, json, -1, &error))
		fail_msg("%s config is not JSON: %s", component, error->message);
	assert_true(JSON_NODE_HOLDS_OBJECT(json_parser_get_root(parser)));
	o = json_node_get_object(json_parser_get_root(parser));
	own = strcmp(component, "sensor") == 0 ? sensor_keys :
	      strcmp(component, "binary_sensor") == 0 ? binary_sensor_keys :
	      strcmp(component, "button") == 0 ? button_keys : NULL;
	if (!own)
		fail_msg("no checks for the component %s", component);
	members = json_object_get_members(o);
	for (GList *l = members; l; l = l->next)
		if (!in(common_keys, l->data) && !in(own, l->data))
			fail_msg("%s: \"%s\" is not an option HA knows", component,
				 (char *)l->data);
	g_list_free(members);
	check_device(o);
	check_availability(o);
	dc = string_member(o, "device_class");
	if (strcmp(component, "sensor") == 0) {
		check_sensor(o);
	} else if (strcmp(component, "binary_sensor") == 0) {
		check_topic(o, "state_topic", TRUE);
		if (dc && !in(binary_sensor_classes, dc))
			fail_msg("binary_sensor device_class %s", dc);
	} else {
		check_topic(o, "command_topic", TRUE);
		if (dc && !in(button_classes, dc))
			fail_msg("button device_class %s", dc);
	}
	if (string_member(o, "entity_category") &&
	    !in((const char *const[]){ "config", "diagnostic", NULL },
		string_member(o, "entity_category")))
		fail_msg("entity_category %s", string_member(o, "entity_category"));
	return json_node_ref(json_parser_get_root(parser));
}
