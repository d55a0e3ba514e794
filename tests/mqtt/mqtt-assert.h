/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * What the bridge's tests check of the messages a subscriber saw:
 * summaries against roller-sim's ground truth, each once; live values
 * reaching the truth; every discovery config one HA documents.
 */
#pragma once

#include <json-glib/json-glib.h>

#include "tests/harness/test-daemon-util.h"
#include "tests/mqtt/mqtt-harness.h"

/* A bridge's test: rollerd + roller-sim, a broker, a subscriber, the bridge. */
typedef struct {
	TestDaemon *td;
	MqttBroker *broker;
	MqttSub *sub;
	char *conf;
	GPid bridge;		/* 0 when not running */
} MqttFixture;

/* Stops and frees all (NULL: nothing); -1 when the bridge or rollerd did
 * not exit cleanly (under a wrapper such as valgrind), for a teardown. */
int mqtt_fixture_free(MqttFixture *f);

/* @json as an object, failing the test if it is not; *keep holds it. */
JsonObject *mqtt_parse_object(const char *json, JsonNode **keep);
/* A number of a ground-truth line (" name=N"). */
gint64 mqtt_truth_field(const char *line, const char *name);
/* The truth line of the record @record_id. */
const char *mqtt_truth_record(GPtrArray *truth, guint record_id);
/*
 * The summaries on @topic equal the ground truth of the roller at
 * @address, which holds @records records, each published once (a
 * retained copy counted too: a subscriber sees each session once).
 */
void mqtt_assert_sessions_once(MqttSub *sub, TestDaemon *td, const char *address,
			       const char *topic, guint records);
/* Runs the main context until the last payload on @topic has @strokes. */
gboolean mqtt_wait_live_strokes(MqttSub *sub, const char *topic, gint64 strokes,
				guint timeout_ms);
/* Checks every non-empty discovery config seen; returns how many object ids start with @key. */
guint mqtt_check_discovery(MqttSub *sub, const char *key);
