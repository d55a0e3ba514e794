/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * rollerctl against rollerd and roller-sim on a private bus: the
 * commands' text output and exit codes (their --json in
 * test-rollerctl-json, the report in test-rollerctl-report).
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <cmocka.h>

#include "test-rollerctl-util.h"

static int
teardown(void **state)
{
	return test_daemon_free(*state);
}

static void
test_without_rollerd(void **state)
{
	TestDaemon *td = *state = test_daemon_new(NULL);
	g_auto(Run) r = { 0 };

	rollerctl(&r, "status", NULL);
	assert_int_equal(r.status, 3);
	assert_non_null(strstr(r.err, "rollerd is not running"));
	rollerctl(&r, "frobnicate", NULL);
	assert_int_equal(r.status, 2);
	rollerctl(&r, "--help", NULL);
	assert_int_equal(r.status, 0);
	assert_non_null(strstr(r.out, "monitor"));
	rollerctl(&r, "sessions", "--help", NULL);
	assert_int_equal(r.status, 0);
	assert_non_null(strstr(r.out, "--since"));
	(void)td;
}

static void
test_scan_connect_sync_and_history(void **state)
{
	const char *sim_args[] = { "--stored=3", NULL };
	TestDaemon *td = *state = test_daemon_new(sim_args);
	g_autofree char *csv = g_build_filename(test_bus_get_dir(td->bus), "all.csv", NULL);
	g_autofree char *text = NULL;
	g_autoptr(JsonNode) node = NULL;
	g_auto(Run) r = { 0 };
	JsonArray *array;
	gint64 id;
	char id_text[32];

	test_daemon_start_rollerd(td, NULL);
	rollerctl(&r, "scan", "--timeout", "2", NULL);
	assert_int_equal(r.status, 0);
	assert_non_null(strstr(r.out, "Found C0:52:4C:00:00:01"));
	rollerctl(&r, "connect", NULL);		/* the only roller: no ADDR needed */
	if (r.status != 0)
		fail_msg("connect: %s", r.err);
	rollerctl(&r, "sync", NULL);
	assert_int_equal(r.status, 0);
	assert_non_null(strstr(r.out, "Synced"));

	rollerctl(&r, "--json", "list", NULL);
	assert_int_equal(r.status, 0);
	node = parse_json(r.out);
	array = json_node_get_array(node);
	assert_int_equal(json_array_get_length(array), 1);
	assert_string_equal(json_object_get_string_member(json_array_get_object_element(array, 0),
							  "serial"), "RL000001");
	assert_int_equal(json_object_get_int_member(json_array_get_object_element(array, 0),
						    "stored_records"), 0);
	g_clear_pointer(&node, json_node_unref);

	rollerctl(&r, "sessions", "--json", NULL);
	assert_int_equal(r.status, 0);
	node = parse_json(r.out);
	array = json_node_get_array(node);
	assert_int_equal(json_array_get_length(array), 3);
	id = json_object_get_int_member(json_array_get_object_element(array, 0), "id");
	g_snprintf(id_text, sizeof(id_text), "%" G_GINT64_FORMAT, id);
	rollerctl(&r, "sessions", NULL);
	assert_int_equal(r.status, 0);
	assert_non_null(strstr(r.out, "STROKES"));

	rollerctl(&r, "show", id_text, NULL);
	assert_int_equal(r.status, 0);
	assert_non_null(strstr(r.out, "Coverage"));
	assert_non_null(strstr(r.out, "Directions"));
	rollerctl(&r, "note", id_text, "--redness", "mild", "--numbing", "--text", "fine", NULL);
	assert_int_equal(r.status, 0);
	rollerctl(&r, "note", id_text, "--redness", "purple", NULL);
	assert_int_equal(r.status, 1);
	rollerctl(&r, "show", id_text, NULL);
	assert_non_null(strstr(r.out, "mild"));
	rollerctl(&r, "show", "123456", NULL);
	assert_int_equal(r.status, 1);
	rollerctl(&r, "show", "nope", NULL);
	assert_int_equal(r.status, 2);

	rollerctl(&r, "plan", NULL);
	assert_int_equal(r.status, 0);
	assert_non_null(strstr(r.out, "abdomen"));
	rollerctl(&r, "export", "--format", "csv", "--output", csv, NULL);
	assert_int_equal(r.status, 0);
	assert_true(g_file_get_contents(csv, &text, NULL, NULL));
	assert_true(g_str_has_prefix(text, "id,"));
	assert_null(strstr(text + 3, "\nid,"));	/* one header for the whole export */
	rollerctl(&r, "--json", "export", NULL);
	assert_int_equal(r.status, 0);
	g_clear_pointer(&node, json_node_unref);
	node = parse_json(r.out);
	assert_int_equal(json_array_get_length(json_node_get_array(node)), 3);
	rollerctl(&r, "export", "--json", "--format", "json", NULL);
	assert_int_equal(r.status, 0);
	g_clear_pointer(&node, json_node_unref);
	node = parse_json(r.out);
	assert_int_equal(json_array_get_length(json_node_get_array(node)), 3);
	rollerctl(&r, "export", "--json", "--format", "csv", NULL);
	assert_int_equal(r.status, 2);
	assert_non_null(strstr(r.err, "--json and --format csv disagree"));

	rollerctl(&r, "delete", id_text, NULL);
	assert_int_equal(r.status, 0);
	rollerctl(&r, "show", id_text, NULL);
	assert_int_equal(r.status, 1);
}

/* The ids of a JSON array of sessions (export's or sessions'), each once. */
static GHashTable *
json_ids(const char *text)
{
	g_autoptr(JsonNode) node = parse_json(text);
	JsonArray *array = json_node_get_array(node);
	GHashTable *ids = g_hash_table_new(g_direct_hash, g_direct_equal);

	for (guint i = 0; i < json_array_get_length(array); i++) {
		JsonObject *o = json_array_get_object_element(array, i);

		g_hash_table_add(ids, GINT_TO_POINTER((int)json_object_get_int_member(o, "id")));
	}
	assert_int_equal(g_hash_table_size(ids), json_array_get_length(array));
	return ids;
}

/* More than rollerd's page of 100: export has them all, sessions says where it stops. */
static void
test_export_past_one_page(void **state)
{
	const char *sim_args[] = { "--stored=150", "--speed=10", NULL };
	TestDaemon *td = *state = test_daemon_new(sim_args);
	g_autofree char *csv = g_build_filename(test_bus_get_dir(td->bus), "all.csv", NULL);
	g_autofree char *text = NULL;
	g_autoptr(GHashTable) all = NULL, exported = NULL, csv_ids = NULL;
	g_auto(GStrv) lines = NULL;
	g_auto(Run) r = { 0 };

	test_daemon_discover(td, 1);
	rollerctl(&r, "connect", NULL);
	assert_int_equal(r.status, 0);
	rollerctl(&r, "sync", "--timeout", "60", NULL);
	assert_int_equal(r.status, 0);
	rollerctl(&r, "--json", "sessions", "--limit", "1000", NULL);
	assert_int_equal(r.status, 0);
	all = json_ids(r.out);
	assert_int_equal(g_hash_table_size(all), 150);
	assert_string_equal(r.err, "");
	rollerctl(&r, "sessions", NULL);
	assert_int_equal(r.status, 0);
	g_clear_pointer(&lines, g_strfreev);
	lines = g_strsplit(r.out, "\n", -1);
	assert_int_equal(g_strv_length(lines), 1 + 100 + 1);	/* header, rows, "" */
	assert_non_null(strstr(r.err, "sessions: 100 shown (the default --limit)"));

	rollerctl(&r, "export", "--format", "json", NULL);
	assert_int_equal(r.status, 0);
	exported = json_ids(r.out);
	assert_int_equal(g_hash_table_size(exported), 150);
	g_clear_pointer(&exported, g_hash_table_unref);

	rollerctl(&r, "export", "--output", csv, NULL);
	assert_int_equal(r.status, 0);
	assert_true(g_file_get_contents(csv, &text, NULL, NULL));
	lines = g_strsplit(text, "\n", -1);
	assert_int_equal(g_strv_length(lines), 1 + 150 + 1);	/* header, rows, "" */
	assert_true(g_str_has_prefix(lines[0], "id,"));
	csv_ids = g_hash_table_new(g_direct_hash, g_direct_equal);
	for (guint i = 1; i <= 150; i++)
		g_hash_table_add(csv_ids, GINT_TO_POINTER(atoi(lines[i])));
	assert_int_equal(g_hash_table_size(csv_ids), 150);

	/* A filter and --offset still apply to every page. */
	rollerctl(&r, "export", "--format", "json", "--offset", "30", NULL);
	assert_int_equal(r.status, 0);
	exported = json_ids(r.out);
	assert_int_equal(g_hash_table_size(exported), 120);
	g_clear_pointer(&exported, g_hash_table_unref);
	rollerctl(&r, "export", "--format", "json", "--limit", "7", NULL);
	assert_int_equal(r.status, 0);
	exported = json_ids(r.out);
	assert_int_equal(g_hash_table_size(exported), 7);
}

static void
test_monitor_plain_lines_and_start_stop(void **state)
{
	const char *sim_args[] = { "--speed=10", "--session-seconds=20", NULL };
	TestDaemon *td = *state = test_daemon_new(sim_args);
	g_autofree char *log = NULL, *path = NULL;
	const char *argv[] = { "@builddir@/client/rollerctl", "--session", "monitor", NULL };
	g_auto(Run) r = { 0 };
	GPid monitor;
	int status = 0;

	test_daemon_discover(td, 1);
	test_daemon_connect(td);
	monitor = test_bus_spawn(td->bus, "monitor", argv);
	test_bus_run_for(500);
	rollerctl(&r, "start", "--area", "moon", NULL);
	assert_int_equal(r.status, 1);
	rollerctl(&r, "start", NULL);
	assert_int_equal(r.status, 2);
	rollerctl(&r, "start", "--area", "face", NULL);
	assert_int_equal(r.status, 0);
	/* Off a terminal it exits by itself when the session ends. */
	status = test_bus_wait_exit(td->bus, monitor, 40000);
	path = g_build_filename(test_bus_get_dir(td->bus), "monitor.log", NULL);
	assert_true(g_file_get_contents(path, &log, NULL, NULL));
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	assert_non_null(strstr(log, " strokes="));
	assert_non_null(strstr(log, " inband="));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_without_rollerd, teardown),
		cmocka_unit_test_teardown(test_scan_connect_sync_and_history, teardown),
		cmocka_unit_test_teardown(test_export_past_one_page, teardown),
		cmocka_unit_test_teardown(test_monitor_plain_lines_and_start_stop, teardown),
	};

	return cmocka_run_group_tests_name("rollerctl", tests, NULL, NULL);
}
