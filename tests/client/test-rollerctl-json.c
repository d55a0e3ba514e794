/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * rollerctl --json: every command that shows data, its documented field
 * names (rollerctl(1)) with the values rollerd and roller-sim agree on.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "test-rollerctl-util.h"

#define ADDRESS "C0:52:4C:00:00:01"

static int
teardown(void **state)
{
	return test_daemon_free(*state);
}

/* rollerctl --json ARGS, which must succeed; its output parsed. */
static JsonNode *
json_of(const char *const *args)
{
	g_autoptr(GPtrArray) argv = g_ptr_array_new();
	g_auto(Run) r = { 0 };

	g_ptr_array_add(argv, (gpointer)"--json");
	for (gsize i = 0; args[i]; i++)
		g_ptr_array_add(argv, (gpointer)args[i]);
	g_ptr_array_add(argv, NULL);
	rollerctl_argv(&r, NULL, (const char *const *)argv->pdata);
	if (r.status != 0)
		fail_msg("rollerctl --json %s: exit status %d: %s", args[0], r.status, r.err);
	return parse_json(r.out);
}

#define JSON_OF(...) json_of((const char *const[]){ __VA_ARGS__, NULL })

/* A roller object of list, status and scan. */
static void
assert_roller(JsonObject *o, gboolean connected)
{
	JsonArray *band = json_object_get_array_member(o, "force_band_cn");

	assert_string_equal(json_object_get_string_member(o, "address"), ADDRESS);
	assert_true(json_object_has_member(o, "name"));
	assert_int_equal(json_object_get_boolean_member(o, "connected"), connected);
	assert_true(json_object_has_member(o, "state"));
	assert_true(json_object_has_member(o, "battery"));
	assert_true(json_object_has_member(o, "stored_records"));
	assert_false(json_object_get_boolean_member(o, "storage_full"));
	assert_true(json_object_has_member(o, "last_sync"));
	assert_true(json_object_has_member(o, "sync_state"));
	assert_int_equal(json_array_get_length(band), 2);
	if (connected) {
		assert_string_equal(json_object_get_string_member(o, "serial"), "RL000001");
		assert_int_equal(json_object_get_int_member(o, "needle_um"), 500);
		assert_true(json_array_get_int_element(band, 0) < json_array_get_int_element(band, 1));
		assert_true(json_object_get_int_member(o, "battery") <= 100);
	}
}

/* decode needs no rollerd: the canonical dump's fields, an error by its name. */
static void
test_decode(void **state)
{
	TestBus *bus = *state = test_bus_new();
	g_autofree char *input = g_build_filename(test_bus_get_dir(bus), "in.txt", NULL);
	g_autoptr(JsonNode) node = NULL;
	g_auto(Run) r = { 0 };
	JsonArray *inputs, *dump, *values;
	JsonObject *o;

	assert_true(g_file_set_contents(input,
		"frame 10012a00010be80300000a6400c8002c01\n"
		"# a comment, skipped\n"
		"record 2a0000a0236950810b000100e803b400400162026903320028002d002d0003020a"
		"141e28321ee8030400000036014a0122011a41136c\n"
		"frame 10000000ff\n", -1, NULL));
	rollerctl(&r, "decode", "--json", input, NULL);
	assert_int_equal(r.status, 1);	/* the last one is rejected */
	node = parse_json(r.out);
	inputs = expect_array(node);
	assert_int_equal(json_array_get_length(inputs), 3);

	o = expect_object_at(inputs, 0);
	assert_string_equal(json_object_get_string_member(o, "source"), input);
	assert_int_equal(json_object_get_int_member(o, "line"), 1);
	assert_string_equal(json_object_get_string_member(o, "input"), "frame");
	assert_true(json_object_get_null_member(o, "error"));
	dump = json_object_get_array_member(o, "dump");
	assert_int_equal(json_array_get_length(dump), 2);
	o = expect_object_at(dump, 0);
	assert_string_equal(json_object_get_string_member(o, "kind"), "frame");
	assert_int_equal(json_object_get_int_member(o, "seq"), 1);
	assert_int_equal(json_object_get_int_member(o, "session"), 42);
	assert_false(json_object_get_boolean_member(o, "crc"));
	o = expect_object_at(dump, 1);
	assert_string_equal(json_object_get_string_member(o, "kind"), "force");
	assert_int_equal(json_object_get_int_member(o, "t"), 1000);
	assert_int_equal(json_object_get_int_member(o, "period"), 10);
	values = json_object_get_array_member(o, "values");
	assert_int_equal(json_array_get_length(values), 3);
	assert_int_equal(json_array_get_int_element(values, 2), 300);

	o = expect_object_at(inputs, 1);
	assert_int_equal(json_object_get_int_member(o, "line"), 3);
	assert_string_equal(json_object_get_string_member(o, "input"), "record");
	dump = json_object_get_array_member(o, "dump");
	assert_int_equal(json_array_get_length(dump), 3);
	o = expect_object_at(dump, 0);
	assert_string_equal(json_object_get_string_member(o, "kind"), "record");
	assert_int_equal(json_object_get_int_member(o, "id"), 42);
	assert_int_equal(json_object_get_int_member(o, "inband"), 873);
	assert_int_equal(json_array_get_int_element(json_object_get_array_member(o, "dirs"), 3), 45);
	o = expect_object_at(dump, 1);
	assert_string_equal(json_object_get_string_member(o, "kind"), "coverage");
	assert_int_equal(json_object_get_int_member(o, "cols"), 3);
	assert_int_equal(json_object_get_int_member(o, "rows"), 2);
	assert_int_equal(json_array_get_length(json_object_get_array_member(o, "values")), 6);
	o = expect_object_at(dump, 2);
	assert_string_equal(json_object_get_string_member(o, "kind"), "trace");
	assert_int_equal(json_array_get_int_element(json_object_get_array_member(o, "values"), 1),
			 310);

	o = expect_object_at(inputs, 2);
	assert_string_equal(json_object_get_string_member(o, "error"), "TRUNCATED");
	assert_int_equal(json_array_get_length(json_object_get_array_member(o, "dump")), 0);
}

static int
teardown_bus(void **state)
{
	if (*state)
		test_bus_free(*state);
	return 0;
}

static void
test_rollers_and_sync(void **state)
{
	const char *sim_args[] = { "--stored=3", NULL };
	TestDaemon *td = *state = test_daemon_new(sim_args);
	g_autofree char *conf = g_build_filename(test_bus_get_dir(td->bus), "rollerd.conf", NULL);
	g_autofree char *conf_arg = g_strdup_printf("--config=%s", conf);
	g_autoptr(JsonNode) node = NULL;
	JsonObject *o;
	g_auto(Run) r = { 0 };

	/* No sync on connect: rollerctl's sync is the one that stores them. */
	assert_true(g_file_set_contents(conf, "[Daemon]\nSyncOnConnect=false\n", -1, NULL));
	test_daemon_start_rollerd(td, (const char *const[]){ conf_arg, NULL });
	node = JSON_OF("status");
	o = expect_object(node);
	assert_string_equal(json_object_get_string_member(o, "version"), PACKAGE_VERSION);
	assert_false(json_object_get_boolean_member(o, "discovering"));
	assert_int_equal(json_array_get_length(json_object_get_array_member(o, "rollers")), 0);
	g_clear_pointer(&node, json_node_unref);

	node = JSON_OF("scan", "--timeout", "2");
	assert_int_equal(json_array_get_length(expect_array(node)), 1);
	assert_roller(expect_object_at(expect_array(node), 0), FALSE);
	g_clear_pointer(&node, json_node_unref);

	rollerctl(&r, "connect", NULL);
	assert_int_equal(r.status, 0);
	node = JSON_OF("list");
	assert_int_equal(json_array_get_length(expect_array(node)), 1);
	o = expect_object_at(expect_array(node), 0);
	assert_roller(o, TRUE);
	assert_int_equal(json_object_get_int_member(o, "stored_records"), 3);
	g_clear_pointer(&node, json_node_unref);

	node = JSON_OF("sync");
	o = expect_object(node);
	assert_int_equal(json_object_get_int_member(o, "stored"), 3);
	assert_true(json_object_get_null_member(o, "error"));
	g_clear_pointer(&node, json_node_unref);

	node = JSON_OF("status");
	o = expect_object_at(json_object_get_array_member(expect_object(node), "rollers"), 0);
	assert_roller(o, TRUE);
	assert_int_equal(json_object_get_int_member(o, "stored_records"), 0);
	assert_true(json_object_get_int_member(o, "last_sync") > 0);
}

/* The same session in sessions, show and export; notes as note left them. */
static void
test_history(void **state)
{
	const char *sim_args[] = { "--stored=3", NULL };
	TestDaemon *td = *state = test_daemon_new(sim_args);
	g_autoptr(JsonNode) sessions = NULL, show = NULL, export = NULL, plan = NULL;
	g_autofree char *id_text = NULL;
	JsonObject *row, *s, *trace, *notes;
	JsonArray *plan_rows;
	g_auto(Run) r = { 0 };
	const char *area;
	gint64 id, strokes;
	guint found = 0;

	test_daemon_discover(td, 1);
	test_daemon_connect(td);
	assert_true(test_daemon_wait_property(td, td->roller_path, "org.rollerd.Roller2",
					      "StoredRecords", "0", 20000));
	sessions = JSON_OF("sessions");
	assert_int_equal(json_array_get_length(expect_array(sessions)), 3);
	row = expect_object_at(expect_array(sessions), 0);
	id = json_object_get_int_member(row, "id");
	id_text = g_strdup_printf("%" G_GINT64_FORMAT, id);
	area = json_object_get_string_member(row, "area");
	{
		g_autofree char *path = g_strdup_printf("/org/rollerd/session/%s", id_text);

		assert_string_equal(json_object_get_string_member(row, "path"), path);
	}
	assert_string_equal(json_object_get_string_member(row, "roller"), "RL000001");
	assert_string_equal(json_object_get_string_member(row, "address"), ADDRESS);
	assert_false(json_object_get_boolean_member(row, "clock_set"));
	assert_int_equal(json_object_get_int_member(row, "needle_um"), 500);
	assert_string_equal(json_object_get_string_member(row, "source"), "synced");
	assert_true(json_object_get_int_member(row, "duration_ms") > 0);
	assert_true(json_object_get_int_member(row, "in_band_permille") <= 1000);
	assert_true(json_object_get_int_member(row, "force_mean_cn") <=
		    json_object_get_int_member(row, "force_max_cn"));
	assert_true(json_object_has_member(row, "record_id"));
	assert_true(json_object_has_member(row, "start"));

	strokes = json_object_get_int_member(row, "strokes");

	/* Acting commands print nothing with --json; their exit status says. */
	rollerctl(&r, "--json", "note", id_text, "--topical", "hyaluronic serum", "--numbing",
		  "--redness", "mild", "--text", "warm for an hour", NULL);
	assert_int_equal(r.status, 0);
	assert_string_equal(r.out, "");
	show = JSON_OF("show", id_text);
	s = expect_object(show);
	assert_int_equal(json_object_get_int_member(s, "id"), id);
	assert_string_equal(json_object_get_string_member(s, "area"), area);
	assert_string_equal(json_object_get_string_member(s, "roller"), "RL000001");
	assert_int_equal(json_object_get_int_member(s, "strokes"), strokes);
	assert_int_equal(json_array_get_length(json_object_get_array_member(s, "passes")),
			 json_object_get_int_member(s, "grid_columns") *
			 json_object_get_int_member(s, "grid_rows"));
	{
		JsonArray *dirs = json_object_get_array_member(s, "directions");
		gint64 sum = 0;

		assert_int_equal(json_array_get_length(dirs), 4);
		for (guint i = 0; i < 4; i++)
			sum += json_array_get_int_element(dirs, i);
		assert_int_equal(sum, strokes);
	}
	trace = json_object_get_object_member(s, "trace");
	assert_true(json_object_get_int_member(trace, "period_ms") > 0);
	assert_true(json_array_get_length(json_object_get_array_member(trace, "values")) > 0);
	notes = json_object_get_object_member(s, "notes");
	assert_string_equal(json_object_get_string_member(notes, "topical"), "hyaluronic serum");
	assert_true(json_object_get_boolean_member(notes, "numbing"));
	assert_string_equal(json_object_get_string_member(notes, "redness"), "mild");
	assert_string_equal(json_object_get_string_member(notes, "text"), "warm for an hour");
	g_clear_pointer(&show, json_node_unref);

	/* A later note changes what it names and keeps the rest. */
	rollerctl(&r, "note", id_text, "--no-numbing", "--cleaned", NULL);
	assert_int_equal(r.status, 0);
	show = JSON_OF("show", id_text);
	notes = json_object_get_object_member(expect_object(show), "notes");
	assert_false(json_object_get_boolean_member(notes, "numbing"));
	assert_true(json_object_get_boolean_member(notes, "cleaned"));
	assert_string_equal(json_object_get_string_member(notes, "redness"), "mild");

	export = JSON_OF("export");
	assert_int_equal(json_array_get_length(expect_array(export)), 3);
	for (guint i = 0; i < 3; i++) {
		JsonObject *e = expect_object_at(expect_array(export), i);

		assert_int_equal(json_object_get_int_member(e, "id"), json_object_get_int_member(
			expect_object_at(expect_array(sessions), i), "id"));
		if (json_object_get_int_member(e, "id") != id)
			continue;
		assert_int_equal(json_object_get_int_member(e, "strokes"), strokes);
		notes = json_object_get_object_member(e, "notes");
		assert_string_equal(json_object_get_string_member(notes, "redness"), "mild");
		found++;
	}
	assert_int_equal(found, 1);

	/* --clinic outside a clinic: this journal's sessions, room "", and why. */
	rollerctl(&r, "--clinic", "--json", "export", NULL);
	assert_int_equal(r.status, 0);
	assert_non_null(strstr(r.err, "in no clinic"));
	{
		g_autoptr(JsonNode) here = parse_json(r.out);

		assert_int_equal(json_array_get_length(expect_array(here)), 3);
		for (guint i = 0; i < 3; i++) {
			JsonObject *e = expect_object_at(expect_array(here), i);

			assert_string_equal(json_object_get_string_member(e, "room"), "");
			assert_int_equal(json_object_get_int_member(e, "id"), json_object_get_int_member(
				expect_object_at(expect_array(export), i), "id"));
		}
	}

	plan = JSON_OF("plan");
	plan_rows = expect_array(plan);
	found = 0;
	for (guint i = 0; i < json_array_get_length(plan_rows); i++) {
		JsonObject *p = expect_object_at(plan_rows, i);
		gint64 last, days;

		assert_true(json_object_has_member(p, "sessions"));
		if (!g_str_equal(json_object_get_string_member(p, "area"), area))
			continue;
		last = json_object_get_int_member(p, "last_start");
		days = json_object_get_int_member(p, "min_interval_days");
		assert_true(json_object_get_int_member(p, "sessions") >= 1);
		assert_true(last >= json_object_get_int_member(row, "start"));
		assert_int_equal(json_object_get_int_member(p, "needle_um"), 500);
		assert_true(days > 0);
		assert_int_equal(json_object_get_int_member(p, "next_due"), last + days * 86400);
		found++;
	}
	assert_int_equal(found, 1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_decode, teardown_bus),
		cmocka_unit_test_teardown(test_rollers_and_sync, teardown),
		cmocka_unit_test_teardown(test_history, teardown),
	};

	return cmocka_run_group_tests_name("rollerctl --json", tests, NULL, NULL);
}
