/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* rm-payload: topics, the JSON published, and commands parsed or refused. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "mqtt/rm-payload.h"

static RmConfig *
config(guint commands)
{
	RmConfig *cfg = rm_config_load(NULL, NULL);

	g_free(cfg->room);
	cfg->room = g_strdup("room1");
	cfg->commands = commands;
	return cfg;
}

static void
test_topics_and_keys(void **state)
{
	g_autoptr(RmConfig) cfg = config(0);
	g_autofree char *k1 = rm_roller_key("RL000001", "C0:52:4C:00:00:01");
	g_autofree char *k2 = rm_roller_key("", "C0:52:4C:00:00:01");
	g_autofree char *k3 = rm_roller_key("a/b+#c d", NULL);
	g_autofree char *t1 = rm_topic_roller(cfg, k1, "battery");
	g_autofree char *t2 = rm_topic_status(cfg);
	g_autofree char *t3 = rm_topic_room(cfg, "reminder");

	(void)state;
	assert_string_equal(k1, "RL000001");
	assert_string_equal(k2, "C0_52_4C_00_00_01");
	assert_string_equal(k3, "a_b__c_d");
	assert_string_equal(t1, "rollerd/room1/roller/RL000001/battery");
	assert_string_equal(t2, "rollerd/room1/status");
	assert_string_equal(t3, "rollerd/room1/reminder");
}

static void
test_live_json(void **state)
{
	RmLiveValues v = {
		.strokes = 42, .strokes_per_minute = 35.6, .force_cn = 410, .force_mean_cn = 388,
		.in_band_permille = 696, .directions = { 20, 10, 8, 4 }, .cells = 80,
		.cells_covered = 6, .duration_ms = 71000, .paused = TRUE, .frames = 700,
		.frames_lost = 2, .frames_rejected = 1,
	};
	g_autofree char *json = rm_payload_live(&v);
	g_autoptr(JsonNode) node = json_from_string(json, NULL);

	(void)state;
	/* Written by hand (the hot path): still JSON. */
	assert_non_null(node);
	assert_true(JSON_NODE_HOLDS_OBJECT(node));
	assert_string_equal(json,
			    "{\"strokes\":42,\"strokes_per_minute\":36,\"force_cn\":410,"
			    "\"force_mean_cn\":388,\"in_band_permille\":696,"
			    "\"coverage_permille\":75,\"directions\":[20,10,8,4],"
			    "\"duration_ms\":71000,\"paused\":true,\"frames\":700,"
			    "\"frames_lost\":2,\"frames_rejected\":1}");
}

static void
test_session_json(void **state)
{
	g_autoptr(GVariant) row = g_variant_parse(
		NULL, "{'id': <uint64 7>, 'roller': <'RL000001'>, 'address': <'C0:52:4C:00:00:01'>,"
		" 'record_id': <uint16 3>, 'area': <'face'>, 'start': <int64 1700000000>,"
		" 'clock_set': <true>, 'duration_ms': <uint32 60000>, 'needle_um': <uint16 500>,"
		" 'strokes': <uint32 90>, 'force_mean_cn': <uint16 380>,"
		" 'force_max_cn': <uint16 612>, 'in_band_permille': <uint16 702>,"
		" 'source': <'both'>, 'person': <objectpath '/org/rollerd/person/2'>,"
		" 'person_name': <'Anna'>}", NULL, NULL, NULL);
	g_autoptr(GVariant) bad = g_variant_parse(
		NULL, "{'roller': <'RL000001'>}", NULL, NULL, NULL);
	g_autofree char *key = NULL, *key2 = NULL;
	g_autofree char *json = NULL;
	guint64 id = 0;

	(void)state;
	json = rm_payload_session(row, &id, &key);
	assert_int_equal(id, 7);
	assert_string_equal(key, "RL000001");
	assert_string_equal(json,
			    "{\"id\":7,\"roller\":\"RL000001\",\"address\":\"C0:52:4C:00:00:01\","
			    "\"record_id\":3,\"area\":\"face\",\"start\":\"2023-11-14T22:13:20Z\","
			    "\"start_unix\":1700000000,\"clock_set\":true,\"duration_ms\":60000,"
			    "\"needle_um\":500,\"strokes\":90,\"force_mean_cn\":380,"
			    "\"force_max_cn\":612,\"in_band_permille\":702,\"source\":\"both\","
			    "\"person\":\"Anna\"}");
	assert_null(rm_payload_session(bad, &id, &key2));
}

static void
test_plan_json(void **state)
{
	g_autoptr(GVariant) row = g_variant_parse(
		NULL, "{'person': <objectpath '/org/rollerd/person/2'>, 'person_name': <'Anna'>,"
		" 'area': <'face'>, 'sessions': <uint32 3>, 'last_start': <int64 1700000000>,"
		" 'needle_um': <uint16 500>, 'min_interval_days': <uint32 14>,"
		" 'next_due': <int64 1701209600>, 'due': <false>, 'reminded': <false>}",
		NULL, NULL, NULL);
	g_autofree char *leaf = NULL;
	g_autofree char *json = rm_payload_plan(row, &leaf);

	(void)state;
	assert_string_equal(leaf, "plan/2/face");
	assert_string_equal(json,
			    "{\"person\":\"Anna\",\"area\":\"face\",\"sessions\":3,"
			    "\"last_start\":\"2023-11-14T22:13:20Z\",\"min_interval_days\":14,"
			    "\"next_due\":\"2023-11-28T22:13:20Z\",\"next_due_unix\":1701209600,"
			    "\"due\":false}");
}

static void
test_event_json(void **state)
{
	g_autofree char *a = rm_payload_event("force-high", "Too \"hard\"", NULL, 1700000000);
	g_autofree char *r = rm_payload_event("area-due", "Face is due", "Anna", 0);

	(void)state;
	assert_string_equal(a, "{\"kind\":\"force-high\",\"message\":\"Too \\\"hard\\\"\","
			    "\"time\":\"2023-11-14T22:13:20Z\"}");
	assert_string_equal(r, "{\"kind\":\"area-due\",\"message\":\"Face is due\","
			    "\"person\":\"Anna\",\"time\":null}");
}

static void
test_commands_parsed(void **state)
{
	g_autoptr(RmConfig) cfg = config(RM_COMMAND_SYNC | RM_COMMAND_IDENTIFY |
					 RM_COMMAND_START | RM_COMMAND_STOP);
	g_auto(RmCommandRequest) req = { 0 };
	const char *base = "rollerd/room1/roller/RL000001/cmd/";
	g_autofree char *sync = g_strconcat(base, "sync", NULL);
	g_autofree char *identify = g_strconcat(base, "identify", NULL);
	g_autofree char *start = g_strconcat(base, "start", NULL);

	(void)state;
	assert_true(rm_command_parse(cfg, sync, "PRESS", 5, &req, NULL));
	assert_int_equal(req.command, RM_COMMAND_SYNC);
	assert_string_equal(req.key, "RL000001");
	rm_command_request_clear(&req);
	assert_true(rm_command_parse(cfg, sync, "", 0, &req, NULL));
	rm_command_request_clear(&req);
	/* libmosquitto hands an empty payload over as NULL. */
	assert_true(rm_command_parse(cfg, sync, NULL, 0, &req, NULL));
	rm_command_request_clear(&req);
	assert_true(rm_command_parse(cfg, identify, "PRESS", 5, &req, NULL));
	assert_int_equal(req.seconds, 5);
	rm_command_request_clear(&req);
	assert_true(rm_command_parse(cfg, identify, " 12\n", 4, &req, NULL));
	assert_int_equal(req.seconds, 12);
	rm_command_request_clear(&req);
	assert_true(rm_command_parse(cfg, start, "face", 4, &req, NULL));
	assert_string_equal(req.area, "face");
	rm_command_request_clear(&req);
	assert_true(rm_command_parse(cfg, start, "{\"area\":\"abdomen\"}", 18, &req, NULL));
	assert_string_equal(req.area, "abdomen");
}

static void
expect_refused(const RmConfig *cfg, const char *topic, const void *payload, gsize len,
	       const char *mentions)
{
	g_auto(RmCommandRequest) req = { 0 };
	g_autoptr(GError) error = NULL;

	assert_false(rm_command_parse(cfg, topic, payload, len, &req, &error));
	assert_null(req.key);
	assert_null(req.area);
	assert_non_null(error);
	if (!strstr(error->message, mentions))
		fail_msg("\"%s\" should say %s", error->message, mentions);
	/* The payload is never repeated in the log line. */
	if (len > 3)
		assert_null(g_strstr_len(error->message, -1, "xyzzy"));
}

static void
test_commands_refused(void **state)
{
	g_autoptr(RmConfig) cfg = config(RM_COMMAND_SYNC | RM_COMMAND_IDENTIFY |
					 RM_COMMAND_START);
	g_autoptr(RmConfig) plain = config(RM_COMMAND_SYNC | RM_COMMAND_IDENTIFY);
	g_autofree char *big = g_strnfill(RM_COMMAND_PAYLOAD_MAX + 1, 'x');
	const char *id = "rollerd/room1/roller/RL000001/cmd/identify";
	const char *start = "rollerd/room1/roller/RL000001/cmd/start";

	(void)state;
	expect_refused(cfg, "rollerd/room2/roller/R/cmd/sync", "", 0, "does not serve");
	expect_refused(cfg, "rollerd/room1/roller/R/sync", "", 0, "does not serve");
	expect_refused(cfg, "rollerd/room1/roller//cmd/sync", "", 0, "does not serve");
	expect_refused(cfg, "rollerd/room1/roller/R/cmd/sync/x", "", 0, "does not serve");
	expect_refused(cfg, "rollerd/room1/roller/R/cmd/reboot", "", 0, "unknown command");
	expect_refused(plain, start, "face", 4, "not allowed");
	expect_refused(cfg, "rollerd/room1/roller/R/cmd/stop", "", 0, "not allowed");
	expect_refused(cfg, id, "xyzzy", 5, "seconds 1..30");
	expect_refused(cfg, id, "31", 2, "seconds 1..30");
	expect_refused(cfg, id, "0", 1, "seconds 1..30");
	expect_refused(cfg, id, big, strlen(big), "over the 256 allowed");
	expect_refused(cfg, id, "1\0002", 3, "not UTF-8 text");
	expect_refused(cfg, id, "\xff\xfe", 2, "not UTF-8 text");
	expect_refused(cfg, "rollerd/room1/roller/R/cmd/sync", "xyzzy", 5, "empty or PRESS");
	expect_refused(cfg, start, "xyzzy-area", 10, "not a treatment area");
	expect_refused(cfg, start, "{\"area\":1}", 10, "\"area\", a string");
	expect_refused(cfg, start, "{\"area\":\"face\",\"x\":1}", 21, "nothing else");
	expect_refused(cfg, start, "{\"area\":", 8, "not a JSON object");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_topics_and_keys),
		cmocka_unit_test(test_live_json),
		cmocka_unit_test(test_session_json),
		cmocka_unit_test(test_plan_json),
		cmocka_unit_test(test_event_json),
		cmocka_unit_test(test_commands_parsed),
		cmocka_unit_test(test_commands_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
