/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * rollerctl monitor off a terminal against rollerd and roller-sim: its
 * lines and its --json records from the live stream (Roller2.AcquireLiveStream),
 * the contact-force gauge during strokes, the end of the session with
 * its stored id, the updates a monitor that fell behind lost.  The full-screen view is in test-rollerctl-tty.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <cmocka.h>

#include "test-rollerctl-util.h"

static int
teardown(void **state)
{
	return test_daemon_free(*state);
}

/*
 * rollerctl --session [--json] monitor, started before a session of the
 * simulated roller (20 simulated seconds are 2 s at --speed=10) on the
 * connected roller, stopped (SIGSTOP) for @stop_ms once the session
 * runs; returns what it wrote (stdout and stderr) once it exited by
 * itself with status 0.
 */
static char *
monitor_one_session(TestDaemon *td, gboolean json, guint stop_ms)
{
	const char *argv[] = { "@builddir@/client/rollerctl", "--session", "monitor",
			       json ? "--json" : NULL, NULL };
	g_autofree char *path = NULL;
	g_auto(Run) r = { 0 };
	char *log = NULL;
	GPid monitor;
	int status;

	test_daemon_discover(td, 1);
	test_daemon_connect(td);
	monitor = test_bus_spawn(td->bus, "monitor", argv);
	test_bus_run_for(500);
	rollerctl(&r, "start", "--area", "moon", NULL);
	assert_int_equal(r.status, 2);
	rollerctl(&r, "start", NULL);
	assert_int_equal(r.status, 2);
	rollerctl(&r, "start", "--area", "face", NULL);
	assert_int_equal(r.status, 0);
	if (stop_ms) {
		test_bus_run_for(300);
		kill(monitor, SIGSTOP);
		test_bus_run_for(stop_ms);
		kill(monitor, SIGCONT);
	}
	/* Off a terminal it exits by itself when the session ends. */
	status = test_bus_wait_exit(td->bus, monitor, 40000);
	path = g_build_filename(test_bus_get_dir(td->bus), "monitor.log", NULL);
	assert_true(g_file_get_contents(path, &log, NULL, NULL));
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		fail_msg("rollerctl monitor: status %d: %s", status, log);
	return log;
}

/* The value after " @key=" in @line, as a number; -1 for "-". */
static long
field(const char *line, const char *key)
{
	g_autofree char *needle = g_strdup_printf(" %s=", key);
	const char *p = strstr(line, needle);

	if (!p)
		fail_msg("no %s= in '%s'", key, line);
	p += strlen(needle);
	return *p == '-' ? -1 : strtol(p, NULL, 10);
}

static void
test_monitor_lines(void **state)
{
	const char *sim_args[] = { "--speed=10", "--session-seconds=20", NULL };
	TestDaemon *td = *state = test_daemon_new(sim_args);
	g_autofree char *log = monitor_one_session(td, FALSE, 0);
	g_auto(GStrv) lines = g_strsplit(log, "\n", -1);
	g_autofree char *end = NULL;
	guint updates = 0, stroking = 0, in_contact = 0, n = g_strv_length(lines);

	assert_true(g_str_has_prefix(lines[0], "Watching C0:52:4C:00:00:01"));
	for (guint i = 1; i < n; i++) {
		if (!g_str_has_prefix(lines[i], "t="))
			continue;
		updates++;
		assert_true(field(lines[i], "inband") >= 0);
		assert_true(field(lines[i], "dropped") == 0);
		if (field(lines[i], "strokes") == 0)
			continue;
		stroking++;
		/* The gauge of the last 500 ms, not the latest sample (0 after every lift). */
		in_contact += field(lines[i], "contact") > 0;
	}
	/* 100 Hz for 20 s in frames of a few samples each. */
	assert_true(updates >= 20);
	if (in_contact * 2 < stroking)
		fail_msg("the contact force read 0 or none in %u of %u updates while rolling:\n%s",
			 stroking - in_contact, stroking, log);

	/* The last line says where the session went in the history. */
	assert_int_equal(*lines[n - 1], '\0');
	end = g_strdup_printf("; stored as %" G_GUINT64_FORMAT " (rollerctl show %" G_GUINT64_FORMAT
			      ")", newest_session_id(td), newest_session_id(td));
	assert_true(g_str_has_prefix(lines[n - 2], "Session "));
	if (!g_str_has_suffix(lines[n - 2], end))
		fail_msg("the end line '%s' does not end with '%s'", lines[n - 2], end);
}

/* The record's member names, in order, joined by spaces. */
static char *
member_names(JsonObject *o)
{
	g_autoptr(GList) names = json_object_get_members(o);
	g_autoptr(GString) s = g_string_new(NULL);

	for (GList *l = names; l; l = l->next)
		g_string_append_printf(s, "%s%s", s->len ? " " : "", (const char *)l->data);
	return g_string_free(g_steal_pointer(&s), FALSE);
}

#define VALUES "dropped duration_ms paused strokes strokes_per_minute force_cn " \
	"force_contact_cn force_mean_cn in_band_permille directions passes frames " \
	"frames_lost frames_rejected"

static void
test_monitor_json(void **state)
{
	const char *sim_args[] = { "--speed=10", "--session-seconds=20", NULL };
	TestDaemon *td = *state = test_daemon_new(sim_args);
	g_autofree char *log = monitor_one_session(td, TRUE, 0);
	g_auto(GStrv) lines = g_strsplit(log, "\n", -1);
	g_autoptr(GHashTable) alerts = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	guint n = g_strv_length(lines), updates = 0, contact = 0;
	guint64 samples = 0, dropped = 0;
	gint64 session = -1;
	JsonObject *end = NULL;
	g_autoptr(JsonNode) end_node = NULL;

	assert_int_equal(*lines[n - 1], '\0');
	for (guint i = 0; i + 1 < n; i++) {
		g_autoptr(JsonNode) node = parse_json(lines[i]);
		JsonObject *o = expect_object(node);
		const char *type = json_object_get_string_member(o, "type");
		g_autofree char *names = member_names(o);

		if (end)
			fail_msg("a record after the end: %s", lines[i]);
		if (g_str_equal(type, "alert")) {
			assert_string_equal(names, "type session kind message");
			if (!g_hash_table_add(alerts, g_strdup_printf("%s: %s",
					json_object_get_string_member(o, "kind"),
					json_object_get_string_member(o, "message"))))
				fail_msg("an alert repeated: %s", lines[i]);
			continue;
		}
		if (session < 0)
			session = json_object_get_int_member(o, "session");
		assert_int_equal(json_object_get_int_member(o, "session"), session);
		dropped += (guint64)json_object_get_int_member(o, "dropped");
		if (g_str_equal(type, "end")) {
			assert_string_equal(names, "type session stored_id " VALUES);
			end_node = json_node_ref(node);
			end = json_node_get_object(end_node);
			continue;
		}
		assert_string_equal(type, "update");
		assert_string_equal(names, "type session " VALUES " force");
		updates++;
		if (!json_object_get_null_member(o, "force_contact_cn") &&
		    json_object_get_int_member(o, "force_contact_cn") > 0)
			contact++;
		for (guint r = 0; r < json_array_get_length(json_object_get_array_member(o, "force"));
		     r++) {
			JsonObject *rec = expect_object_at(json_object_get_array_member(o, "force"), r);

			assert_int_equal(json_object_get_int_member(rec, "period_ms"), 10);
			samples += json_array_get_length(json_object_get_array_member(rec, "samples"));
		}
	}
	if (!end)
		fail_msg("no end record:\n%s", log);
	assert_true(updates >= 20);
	assert_true(contact * 2 >= updates);
	assert_int_equal(json_object_get_int_member(end, "stored_id"), newest_session_id(td));
	assert_int_equal(dropped, 0);
	/* Every sample reached the monitor: 100 Hz over the session's time, pauses included. */
	if ((gint64)samples * 10 < json_object_get_int_member(end, "duration_ms") * 9 / 10)
		fail_msg("%" G_GUINT64_FORMAT " samples for %" G_GINT64_FORMAT " ms", samples,
			 json_object_get_int_member(end, "duration_ms"));
}

/*
 * A monitor that falls behind loses updates, says how many, and is right
 * again at the next one: rollerd's values come with every packet.
 */
static void
test_monitor_says_what_it_lost(void **state)
{
	/* About 60 frames a second for 5 s, the monitor stopped for 3 of them. */
	const char *sim_args[] = { "--speed=40", "--session-seconds=200", NULL };
	TestDaemon *td = *state = test_daemon_new(sim_args);
	g_autofree char *log = monitor_one_session(td, TRUE, 3000);
	g_auto(GStrv) lines = g_strsplit(log, "\n", -1);
	gint64 frames = -1, dropped = 0;

	for (guint i = 0; lines[i] && *lines[i]; i++) {
		g_autoptr(JsonNode) node = parse_json(lines[i]);
		JsonObject *o = expect_object(node);
		gint64 d;

		if (!g_str_equal(json_object_get_string_member(o, "type"), "update"))
			continue;
		d = json_object_get_int_member(o, "dropped");
		/* Each frame rollerd applied is either here or counted in dropped. */
		if (frames >= 0 && json_object_get_int_member(o, "frames") != frames + d + 1)
			fail_msg("frames %" G_GINT64_FORMAT " after %" G_GINT64_FORMAT
				 " with %" G_GINT64_FORMAT " dropped: %s",
				 json_object_get_int_member(o, "frames"), frames, d, lines[i]);
		frames = json_object_get_int_member(o, "frames");
		dropped += d;
	}
	if (dropped == 0)
		fail_msg("a monitor stopped for 3 s lost nothing:\n%s", log);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_monitor_lines, teardown),
		cmocka_unit_test_teardown(test_monitor_json, teardown),
		cmocka_unit_test_teardown(test_monitor_says_what_it_lost, teardown),
	};

	return cmocka_run_group_tests_name("rollerctl-monitor", tests, NULL, NULL);
}
