/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * rm-discovery: every config is one Home Assistant documents
 * (mqtt-ha-check), on the topic HA reads, with the device, units and
 * classes the issue asks for; removal is an empty payload on each.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "mqtt/rm-discovery.h"
#include "tests/mqtt/mqtt-ha-check.h"

typedef struct {
	GPtrArray *topics;
	GPtrArray *payloads;
} Emitted;

static void
collect(const char *topic, const char *payload, gpointer data)
{
	Emitted *e = data;

	g_ptr_array_add(e->topics, g_strdup(topic));
	g_ptr_array_add(e->payloads, g_strdup(payload));
}

static RmConfig *
config(void)
{
	RmConfig *cfg = rm_config_load(NULL, NULL);

	g_free(cfg->room);
	cfg->room = g_strdup("room 1");
	return cfg;
}

/* The component and object id of "homeassistant/COMPONENT/rollerd_room_1/ID/config". */
static char *
component_of(const char *topic, char **object_id)
{
	g_auto(GStrv) parts = g_strsplit(topic, "/", 0);

	assert_int_equal(g_strv_length(parts), 5);
	assert_string_equal(parts[0], "homeassistant");
	assert_string_equal(parts[2], "rollerd_room_1");
	assert_string_equal(parts[4], "config");
	*object_id = g_strdup(parts[3]);
	return g_strdup(parts[1]);
}

static JsonObject *
find(GPtrArray *nodes, GPtrArray *ids, const char *id)
{
	for (guint i = 0; i < ids->len; i++)
		if (strcmp(ids->pdata[i], id) == 0)
			return json_node_get_object(nodes->pdata[i]);
	fail_msg("no entity %s", id);
	return NULL;
}

static void
test_roller_entities(void **state)
{
	g_autoptr(RmConfig) cfg = config();
	RmRollerInfo info = { "RL000001", "Roller 01A7", "RL000001", "C0:52:4C:00:00:01",
			      "MR-1", "1.4.2" };
	Emitted e = { g_ptr_array_new_with_free_func(g_free),
		      g_ptr_array_new_with_free_func(g_free) };
	g_autoptr(GPtrArray) nodes = g_ptr_array_new_with_free_func((GDestroyNotify)json_node_unref);
	g_autoptr(GPtrArray) ids = g_ptr_array_new_with_free_func(g_free);
	JsonObject *o, *dev;

	(void)state;
	rm_discovery_roller(cfg, &info, FALSE, collect, &e);
	assert_int_equal(e.topics->len, 13);
	for (guint i = 0; i < e.topics->len; i++) {
		char *id = NULL;
		g_autofree char *component = component_of(e.topics->pdata[i], &id);

		g_ptr_array_add(ids, id);
		g_ptr_array_add(nodes, mqtt_ha_check_config(component, e.payloads->pdata[i]));
	}
	o = find(nodes, ids, "RL000001_battery");
	assert_string_equal(json_object_get_string_member(o, "device_class"), "battery");
	assert_string_equal(json_object_get_string_member(o, "unit_of_measurement"), "%");
	assert_string_equal(json_object_get_string_member(o, "state_topic"),
			    "rollerd/room 1/roller/RL000001/battery");
	dev = json_object_get_object_member(o, "device");
	assert_string_equal(json_array_get_string_element(
		json_object_get_array_member(dev, "identifiers"), 0), "rollerd_RL000001");
	assert_string_equal(json_object_get_string_member(dev, "model"), "MR-1");
	assert_string_equal(json_object_get_string_member(dev, "sw_version"), "1.4.2");
	assert_string_equal(json_object_get_string_member(dev, "via_device"),
			    "rollerd_bridge_room_1");
	o = find(nodes, ids, "RL000001_force");
	assert_string_equal(json_object_get_string_member(o, "unit_of_measurement"), "cN");
	assert_string_equal(json_object_get_string_member(o, "state_class"), "measurement");
	o = find(nodes, ids, "RL000001_in_band");
	assert_string_equal(json_object_get_string_member(o, "unit_of_measurement"), "%");
	o = find(nodes, ids, "RL000001_coverage");
	assert_string_equal(json_object_get_string_member(o, "unit_of_measurement"), "%");
	o = find(nodes, ids, "RL000001_strokes");
	assert_string_equal(json_object_get_string_member(o, "state_class"), "total_increasing");
	o = find(nodes, ids, "RL000001_connected");
	assert_string_equal(json_object_get_string_member(o, "device_class"), "connectivity");
	/* Connectivity stays available while the roller is away: it says so. */
	assert_int_equal(json_array_get_length(json_object_get_array_member(o,
							"availability")), 1);
	o = find(nodes, ids, "RL000001_storage_full");
	assert_string_equal(json_object_get_string_member(o, "device_class"), "problem");
	assert_int_equal(json_array_get_length(json_object_get_array_member(o,
							"availability")), 2);
	o = find(nodes, ids, "RL000001_sync");
	assert_string_equal(json_object_get_string_member(o, "command_topic"),
			    "rollerd/room 1/roller/RL000001/cmd/sync");
	o = find(nodes, ids, "RL000001_identify");
	assert_string_equal(json_object_get_string_member(o, "device_class"), "identify");

	/* Forgotten: the same topics, empty. */
	g_ptr_array_set_size(e.payloads, 0);
	g_ptr_array_set_size(e.topics, 0);
	rm_discovery_roller(cfg, &info, TRUE, collect, &e);
	assert_int_equal(e.topics->len, 13);
	for (guint i = 0; i < e.payloads->len; i++)
		assert_string_equal(e.payloads->pdata[i], "");
	g_ptr_array_unref(e.topics);
	g_ptr_array_unref(e.payloads);
}

static void
test_bridge_and_plan(void **state)
{
	g_autoptr(RmConfig) cfg = config();
	Emitted e = { g_ptr_array_new_with_free_func(g_free),
		      g_ptr_array_new_with_free_func(g_free) };
	g_autoptr(JsonNode) bridge = NULL, plan = NULL;
	JsonObject *o;

	(void)state;
	rm_discovery_bridge(cfg, collect, &e);
	rm_discovery_plan(cfg, "plan/2/face", "Anna", "face", collect, &e);
	assert_int_equal(e.topics->len, 2);
	assert_string_equal(e.topics->pdata[0],
			    "homeassistant/binary_sensor/rollerd_room_1/bridge_status/config");
	bridge = mqtt_ha_check_config("binary_sensor", e.payloads->pdata[0]);
	o = json_node_get_object(bridge);
	assert_string_equal(json_array_get_string_element(json_object_get_array_member(
		json_object_get_object_member(o, "device"), "identifiers"), 0),
		"rollerd_bridge_room_1");
	assert_string_equal(json_object_get_string_member(o, "state_topic"),
			    "rollerd/room 1/status");
	assert_string_equal(e.topics->pdata[1],
			    "homeassistant/sensor/rollerd_room_1/plan_2_face/config");
	plan = mqtt_ha_check_config("sensor", e.payloads->pdata[1]);
	o = json_node_get_object(plan);
	assert_string_equal(json_object_get_string_member(o, "device_class"), "timestamp");
	assert_string_equal(json_object_get_string_member(o, "state_topic"),
			    "rollerd/room 1/plan/2/face");
	g_ptr_array_unref(e.topics);
	g_ptr_array_unref(e.payloads);
}

static void
test_discovery_off(void **state)
{
	g_autoptr(RmConfig) cfg = config();
	RmRollerInfo info = { "K", "", "K", "", "", "" };
	Emitted e = { g_ptr_array_new_with_free_func(g_free),
		      g_ptr_array_new_with_free_func(g_free) };

	(void)state;
	cfg->discovery = FALSE;
	rm_discovery_roller(cfg, &info, FALSE, collect, &e);
	rm_discovery_bridge(cfg, collect, &e);
	assert_int_equal(e.topics->len, 0);
	g_ptr_array_unref(e.topics);
	g_ptr_array_unref(e.payloads);
}

/* Every config topic published for a roller parses back to its key; others do not. */
static void
test_parse_topic(void **state)
{
	g_autoptr(RmConfig) cfg = config();
	g_autofree char *pattern = rm_discovery_pattern(cfg);
	RmRollerInfo info = { "C0_52_4C_00_00_01", "", "", "C0:52:4C:00:00:01", "", "" };
	Emitted e = { g_ptr_array_new_with_free_func(g_free),
		      g_ptr_array_new_with_free_func(g_free) };
	const char *not_rollers[] = {
		"homeassistant/binary_sensor/rollerd_room_1/bridge_status/config",
		"homeassistant/sensor/rollerd_room_1/plan_1_face/config",
	};
	const char *not_ours[] = {
		"homeassistant/sensor/rollerd_room_2/RL1_battery/config",
		"homeassistant/sensor/rollerd_room_1/RL1_battery/state",
		"homeassistant/sensor/rollerd_room_1/RL1_battery",
		"homeassistantx/sensor/rollerd_room_1/RL1_battery/config",
		"rollerd/room 1/roller/RL1/battery",
	};
	char *key = NULL;

	(void)state;
	assert_string_equal(pattern, "homeassistant/+/rollerd_room_1/+/config");
	rm_discovery_roller(cfg, &info, TRUE, collect, &e);
	for (guint i = 0; i < e.topics->len; i++) {
		assert_true(rm_discovery_parse_topic(cfg, e.topics->pdata[i], &key));
		assert_string_equal(key, info.key);
		g_clear_pointer(&key, g_free);
	}
	/* The same object under another component is not one of a roller's. */
	assert_true(rm_discovery_parse_topic(
		cfg, "homeassistant/button/rollerd_room_1/RL1_battery/config", &key));
	assert_null(key);
	for (gsize i = 0; i < G_N_ELEMENTS(not_rollers); i++) {
		assert_true(rm_discovery_parse_topic(cfg, not_rollers[i], &key));
		assert_null(key);
	}
	for (gsize i = 0; i < G_N_ELEMENTS(not_ours); i++) {
		assert_false(rm_discovery_parse_topic(cfg, not_ours[i], &key));
		assert_null(key);
	}
	cfg->discovery = FALSE;
	assert_false(rm_discovery_parse_topic(cfg, e.topics->pdata[0], &key));
	assert_null(rm_discovery_pattern(cfg));
	g_ptr_array_unref(e.topics);
	g_ptr_array_unref(e.payloads);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_roller_entities),
		cmocka_unit_test(test_bridge_and_plan),
		cmocka_unit_test(test_discovery_off),
		cmocka_unit_test(test_parse_topic),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
