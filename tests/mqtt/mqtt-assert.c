/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "tests/mqtt/mqtt-assert.h"
#include "tests/mqtt/mqtt-ha-check.h"

int
mqtt_fixture_free(MqttFixture *f)
{
	int ret = 0;

	if (!f)
		return 0;
	if (f->bridge && !test_bus_stop_ok(f->td->bus, f->bridge))
		ret = -1;
	mqtt_sub_free(f->sub);
	mqtt_broker_free(f->broker);
	if (f->td && test_daemon_free(f->td) != 0)
		ret = -1;
	g_free(f->conf);
	g_free(f);
	return ret;
}

JsonObject *
mqtt_parse_object(const char *json, JsonNode **keep)
{
	g_autoptr(JsonParser) p = json_parser_new();

	if (!json_parser_load_from_data(p, json, -1, NULL) ||
	    !JSON_NODE_HOLDS_OBJECT(json_parser_get_root(p)))
		fail_msg("not a JSON object: %s", json);
	*keep = json_node_ref(json_parser_get_root(p));
	return json_node_get_object(*keep);
}

gint64
mqtt_truth_field(const char *line, const char *name)
{
	g_autofree char *key = g_strdup_printf("%s=", name);
	const char *p = strstr(line, key);

	while (p && p != line && p[-1] != ' ')
		p = strstr(p + 1, key);
	if (!p)
		fail_msg("no %s in %s", name, line);
	return g_ascii_strtoll(p + strlen(key), NULL, 10);
}

const char *
mqtt_truth_record(GPtrArray *truth, guint record_id)
{
	for (guint i = 0; i < truth->len; i++)
		if (mqtt_truth_field(truth->pdata[i], "id") == record_id)
			return truth->pdata[i];
	fail_msg("no record %u in the ground truth", record_id);
	return NULL;
}

void
mqtt_assert_sessions_once(MqttSub *sub, TestDaemon *td, const char *address,
			  const char *topic, guint records)
{
	g_autoptr(GPtrArray) truth = test_daemon_truth_records(td, address);
	g_autoptr(GPtrArray) msgs = mqtt_sub_messages(sub, topic);
	g_autofree guint *seen = g_new0(guint, records + 1);

	assert_int_equal(truth->len, records);
	for (guint i = 0; i < msgs->len; i++) {
		MqttMessage *m = msgs->pdata[i];
		g_autoptr(JsonNode) keep = NULL;
		JsonObject *o;
		const char *line;
		gint64 rec;

		if (!*m->payload)
			continue;
		o = mqtt_parse_object(m->payload, &keep);
		rec = json_object_get_int_member(o, "record_id");
		if (rec < 1 || rec > records)
			fail_msg("%s: a record %" G_GINT64_FORMAT " the roller never had", topic, rec);
		seen[rec]++;
		line = mqtt_truth_record(truth, (guint)rec);
		assert_int_equal(json_object_get_int_member(o, "strokes"),
				 mqtt_truth_field(line, "rolls"));
		assert_int_equal(json_object_get_int_member(o, "force_mean_cn"),
				 mqtt_truth_field(line, "mean"));
		assert_int_equal(json_object_get_int_member(o, "force_max_cn"),
				 mqtt_truth_field(line, "max"));
		assert_int_equal(json_object_get_int_member(o, "in_band_permille"),
				 mqtt_truth_field(line, "inband"));
		assert_int_equal(json_object_get_int_member(o, "duration_ms"),
				 mqtt_truth_field(line, "duration"));
		assert_string_equal(json_object_get_string_member(o, "address"), address);
	}
	for (guint r = 1; r <= records; r++)
		if (seen[r] != 1)
			fail_msg("%s: record %u was published %u times", topic, r, seen[r]);
}

typedef struct {
	MqttSub *sub;
	const char *topic;
	gint64 strokes;
} LiveWait;

static gboolean
live_reached(gpointer data)
{
	LiveWait *w = data;
	g_autofree char *last = mqtt_sub_last(w->sub, w->topic);
	g_autoptr(JsonNode) keep = NULL;

	return last && json_object_get_int_member(mqtt_parse_object(last, &keep), "strokes") ==
		       w->strokes;
}

gboolean
mqtt_wait_live_strokes(MqttSub *sub, const char *topic, gint64 strokes, guint timeout_ms)
{
	LiveWait w = { sub, topic, strokes };

	return test_bus_wait_until(live_reached, &w, timeout_ms);
}

guint
mqtt_check_discovery(MqttSub *sub, const char *key)
{
	g_autoptr(GPtrArray) msgs = mqtt_sub_messages(sub, NULL);
	g_autoptr(GHashTable) topics = g_hash_table_new(g_str_hash, g_str_equal);

	for (guint i = 0; i < msgs->len; i++) {
		MqttMessage *m = msgs->pdata[i];
		g_auto(GStrv) parts = NULL;

		if (!g_str_has_prefix(m->topic, "homeassistant/") || !*m->payload)
			continue;
		parts = g_strsplit(m->topic, "/", 0);
		assert_int_equal(g_strv_length(parts), 5);
		json_node_unref(mqtt_ha_check_config(parts[1], m->payload));
		if (g_str_has_prefix(parts[3], key))
			g_hash_table_add(topics, m->topic);
	}
	return g_hash_table_size(topics);
}
