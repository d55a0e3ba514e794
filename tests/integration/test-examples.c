/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * docs/examples/ run against rollerd and roller-sim, so they cannot rot:
 * the Python watcher prints a live session's updates and alerts, the
 * stream reader a live session's packets to its end, the shell export
 * prints the last week of history as JSON lines.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/wait.h>
#include <cmocka.h>
#include <json-glib/json-glib.h>

#include "tests/harness/test-daemon-util.h"

static int
teardown(void **state)
{
	return test_daemon_free(*state);
}

static char *
example_path(const char *name)
{
	const char *srcdir = g_getenv("ROLLER_SRCDIR");

	return g_build_filename(srcdir ? srcdir : ".", "docs", "examples", name, NULL);
}

static void
test_watch_alerts_prints_a_live_session(void **state)
{
	const char *sim_args[] = { "--speed=10", "--session-seconds=30", NULL };
	TestDaemon *td = *state = test_daemon_new(sim_args);
	g_autofree char *script = example_path("watch-alerts.py");
	g_autofree char *out_path = NULL, *out = NULL;
	g_autoptr(GError) error = NULL;
	g_autoptr(GVariant) ret = NULL;
	const char *argv[] = { "/usr/bin/python3", script, "--session", "--count=1",
			       "--timeout=60", NULL };
	GPid watcher;
	int status;

	test_daemon_discover(td, 1);
	test_daemon_connect(td);
	watcher = test_bus_spawn(td->bus, "watch-alerts", argv);
	test_bus_run_for(1000);	/* it subscribes */
	ret = test_daemon_call(td, td->roller_path, "org.rollerd.Roller2", "StartSession",
			       g_variant_new("(s)", "face"), &error);
	if (!ret)
		fail_msg("StartSession: %s", error->message);
	/* It exits by itself after its first alert. */
	status = test_bus_wait_exit(td->bus, watcher, 60000);
	out_path = g_build_filename(test_bus_get_dir(td->bus), "watch-alerts.log", NULL);
	assert_true(g_file_get_contents(out_path, &out, NULL, NULL));
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		fail_msg("watch-alerts.py failed:\n%s", out);
	assert_non_null(strstr(out, "C0:52:4C:00:00:01 update strokes="));
	assert_non_null(strstr(out, "C0:52:4C:00:00:01 alert "));
}

static void
test_live_stream_reads_a_session(void **state)
{
	const char *sim_args[] = { "--speed=10", "--session-seconds=20", NULL };
	TestDaemon *td = *state = test_daemon_new(sim_args);
	g_autofree char *script = example_path("live-stream.py");
	g_autofree char *out_path = NULL, *out = NULL;
	const char *argv[] = { "/usr/bin/python3", script, "--session", "--until-end",
			       "--timeout=60", NULL };
	GPid reader;
	int status;

	test_daemon_discover(td, 1);
	test_daemon_connect(td);
	reader = test_bus_spawn(td->bus, "live-stream", argv);
	test_bus_run_for(1000);	/* it has its stream */
	test_daemon_call_ok(td, td->roller_path, "org.rollerd.Roller2", "StartSession",
			    g_variant_new("(s)", "face"));
	/* It exits by itself at the session's end. */
	status = test_bus_wait_exit(td->bus, reader, 60000);
	out_path = g_build_filename(test_bus_get_dir(td->bus), "live-stream.log", NULL);
	assert_true(g_file_get_contents(out_path, &out, NULL, NULL));
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		fail_msg("live-stream.py failed:\n%s", out);
	assert_non_null(strstr(out, "frame session=1 frames=1 "));
	assert_non_null(strstr(out, "frame session=1 frames=2 "));
	assert_non_null(strstr(out, "\nend session=1 "));
}

static void
test_export_last_week_prints_json_lines(void **state)
{
	const char *sim_args[] = { "--stored=3", NULL };
	TestDaemon *td = *state = test_daemon_new(sim_args);
	g_autofree char *script = example_path("export-last-week.sh");
	g_autofree char *out = NULL, *err = NULL;
	g_autoptr(GError) error = NULL;
	g_auto(GStrv) lines = NULL;
	const char *argv[] = { "/bin/sh", script, "--session", NULL };
	guint sessions = 0;
	int status;

	test_daemon_discover(td, 1);
	test_daemon_connect(td);
	assert_true(test_daemon_wait_property(td, td->roller_path, "org.rollerd.Roller2",
					      "StoredRecords", "0", 20000));
	if (!g_spawn_sync(NULL, (char **)argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, &out, &err,
			  &status, &error))
		fail_msg("cannot run the export: %s", error->message);
	if (!g_spawn_check_wait_status(status, NULL))
		fail_msg("export-last-week.sh failed: %s", err);
	lines = g_strsplit(out, "\n", -1);
	for (gsize i = 0; lines[i]; i++) {
		g_autoptr(JsonParser) parser = json_parser_new();
		JsonObject *session;

		if (!*lines[i])
			continue;
		if (!json_parser_load_from_data(parser, lines[i], -1, &error))
			fail_msg("line %zu is not JSON (%s): %s", i, error->message, lines[i]);
		session = json_node_get_object(json_parser_get_root(parser));
		assert_string_equal(json_object_get_string_member(session, "roller"), "RL000001");
		assert_true(json_object_get_int_member(session, "strokes") > 0);
		sessions++;
	}
	assert_int_equal(sessions, 3);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_watch_alerts_prints_a_live_session, teardown),
		cmocka_unit_test_teardown(test_live_stream_reads_a_session, teardown),
		cmocka_unit_test_teardown(test_export_last_week_prints_json_lines, teardown),
	};

	return cmocka_run_group_tests_name("docs/examples", tests, NULL, NULL);
}
