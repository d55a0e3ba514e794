/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * rollerctl against rollerd and roller-sim on a private bus: the
 * commands' text output and exit codes (their --json in
 * test-rollerctl-json, the report in test-rollerctl-report, the monitor
 * in test-rollerctl-monitor and -tty).
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

/* Every command that needs rollerd, with the arguments it needs to ask. */
static const char *const *const daemon_commands[] = {
	(const char *const[]){ "status", NULL },
	(const char *const[]){ "list", NULL },
	(const char *const[]){ "scan", "--timeout", "1", NULL },
	(const char *const[]){ "connect", NULL },
	(const char *const[]){ "disconnect", NULL },
	(const char *const[]){ "forget", NULL },
	(const char *const[]){ "identify", NULL },
	(const char *const[]){ "start", "--area", "face", NULL },
	(const char *const[]){ "stop", NULL },
	(const char *const[]){ "monitor", NULL },
	(const char *const[]){ "sync", NULL },
	(const char *const[]){ "sessions", NULL },
	(const char *const[]){ "show", "1", NULL },
	(const char *const[]){ "note", "1", "--text", "x", NULL },
	(const char *const[]){ "delete", "1", NULL },
	(const char *const[]){ "plan", NULL },
	(const char *const[]){ "export", NULL },
	(const char *const[]){ "report", "1", "--output", "x.pdf", NULL },
	(const char *const[]){ "people", NULL },
	(const char *const[]){ "person", "show", "Me", NULL },
	(const char *const[]){ "assign", "1", "Me", NULL },
	(const char *const[]){ "remind", NULL },
	(const char *const[]){ "--json", "status", NULL },
};

/* One line on stderr starting "rollerctl", no D-Bus error in it. */
static void
assert_one_sentence(const Run *r, const char *starts, const char *mentions)
{
	if (!g_str_has_prefix(r->err, starts) || !strstr(r->err, mentions))
		fail_msg("stderr '%s' is not '%s...%s...'", r->err, starts, mentions);
	assert_ptr_equal(strchr(r->err, '\n'), r->err + strlen(r->err) - 1);
	assert_null(strstr(r->err, "GDBus"));
	assert_null(strstr(r->err, "Error."));
}

/* Scans, connects with rollerctl and waits for a Roller2 property's value. */
static void
connect_until(TestDaemon *td, const char *property, const char *value)
{
	g_auto(Run) r = { 0 };

	test_daemon_discover(td, 1);
	rollerctl(&r, "connect", NULL);
	assert_int_equal(r.status, 0);
	assert_true(test_daemon_wait_property(td, td->roller_path, "org.rollerd.Roller2",
					      property, value, 20000));
}

/* rollerd -V, as rollerctl's: the version alone. */
static void
assert_rollerd_version_alone(void)
{
	const char *builddir = g_getenv("ROLLER_BUILDDIR");
	g_autofree char *rollerd = g_build_filename(builddir ? builddir : ".", "daemon", "rollerd",
						    NULL);
	const char *argv[] = { rollerd, "-V", NULL };
	g_autofree char *out = NULL, *err = NULL;
	g_autoptr(GError) error = NULL;
	int status;

	if (!g_spawn_sync(NULL, (char **)argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, &out, &err,
			  &status, &error))
		fail_msg("cannot run rollerd: %s", error->message);
	assert_true(g_spawn_check_wait_status(status, NULL));
	assert_string_equal(out, "rollerd " PACKAGE_VERSION "\n");
}

static void
test_without_rollerd(void **state)
{
	TestDaemon *td = *state = test_daemon_new(NULL);
	g_autofree char *nowhere = g_build_filename(test_bus_get_dir(td->bus), "no-bus", NULL);
	g_autofree char *address = g_strconcat("unix:path=", nowhere, NULL);
	g_auto(GStrv) no_bus = g_environ_setenv(g_get_environ(), "DBUS_SESSION_BUS_ADDRESS",
						address, TRUE);
	g_auto(Run) r = { 0 };

	for (gsize i = 0; i < G_N_ELEMENTS(daemon_commands); i++) {
		rollerctl_argv(&r, NULL, daemon_commands[i]);
		if (r.status != 3)
			fail_msg("%s without rollerd: exit status %d", daemon_commands[i][0], r.status);
		assert_one_sentence(&r, "rollerctl: rollerd is not running (no org.rollerd on the "
				    "session bus); start it with 'rollerd --session'", "");
		assert_string_equal(r.out, "");
	}
	/* No bus at all is the same, for the same reason. */
	rollerctl_env(&r, no_bus, "sessions", NULL);
	assert_int_equal(r.status, 3);
	assert_one_sentence(&r, "rollerctl: cannot reach the session bus: ", "");

	rollerctl(&r, "frobnicate", NULL);
	assert_int_equal(r.status, 2);
	/* The version, alone. */
	rollerctl(&r, "-V", NULL);
	assert_int_equal(r.status, 0);
	assert_string_equal(r.out, "rollerctl " PACKAGE_VERSION "\n");
	assert_string_equal(r.err, "");
	rollerctl(&r, "--version", NULL);
	assert_int_equal(r.status, 0);
	assert_string_equal(r.out, "rollerctl " PACKAGE_VERSION "\n");
	assert_rollerd_version_alone();
	rollerctl(&r, "--help", NULL);
	assert_int_equal(r.status, 0);
	assert_non_null(strstr(r.out, "monitor"));
	rollerctl(&r, "sessions", "--help", NULL);
	assert_int_equal(r.status, 0);
	assert_non_null(strstr(r.out, "--since"));
}

/* rollerd stopped, then killed while rollerctl waits for it: exit 3, a sentence. */
static void
test_rollerd_dies_mid_call(void **state)
{
	TestDaemon *td = *state = test_daemon_new(NULL);
	const char *argv[] = { "@builddir@/client/rollerctl", "--session", "sessions", NULL };
	g_autofree char *log_path = g_build_filename(test_bus_get_dir(td->bus), "sessions.log", NULL);
	g_autofree char *log = NULL;
	GPid pid;
	int status;

	test_daemon_start_rollerd(td, NULL);
	kill(td->rollerd, SIGSTOP);
	pid = test_bus_spawn(td->bus, "sessions", argv);
	test_bus_run_for(500);
	test_bus_kill(td->bus, td->rollerd);
	td->rollerd = 0;
	status = test_bus_wait_exit(td->bus, pid, 10000);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 3);
	assert_true(g_file_get_contents(log_path, &log, NULL, NULL));
	/* Whichever call was waiting: rollerctl's own or the command's. */
	assert_true(g_str_has_prefix(log, "rollerctl"));
	assert_true(g_str_has_suffix(log, ": rollerd is not running or stopped answering\n"));
	assert_ptr_equal(strchr(log, '\n'), log + strlen(log) - 1);
}

static gboolean
face_session_stored(gpointer user_data)
{
	g_autoptr(GVariant) rows = test_daemon_query(user_data, "{'area': <'face'>}");

	return g_variant_n_children(rows) == 1;
}

/* status, identify, start and stop, disconnect and forget: what they say and do. */
static void
test_roller_commands(void **state)
{
	const char *sim_args[] = { "--session-seconds=0", NULL };
	TestDaemon *td = *state = test_daemon_new(sim_args);
	g_auto(Run) r = { 0 };

	test_daemon_start_rollerd(td, NULL);
	rollerctl(&r, "status", NULL);
	assert_int_equal(r.status, 0);
	assert_string_equal(r.out, "rollerd " PACKAGE_VERSION ", not scanning\n"
			    "No roller known yet: 'rollerctl scan' finds them.\n");
	test_daemon_discover(td, 1);
	rollerctl(&r, "connect", NULL);
	assert_int_equal(r.status, 0);
	rollerctl(&r, "status", NULL);
	assert_int_equal(r.status, 0);
	assert_true(g_str_has_prefix(r.out, "rollerd " PACKAGE_VERSION ", not scanning\n"
				     "C0:52:4C:00:00:01  "));
	assert_non_null(strstr(r.out, " RL000001 "));
	assert_null(strstr(r.out, "No roller known"));

	rollerctl(&r, "identify", "--seconds", "2", NULL);
	assert_int_equal(r.status, 0);
	assert_string_equal(r.out, "Identifying C0:52:4C:00:00:01\n");
	rollerctl(&r, "identify", "--seconds", "31", NULL);
	assert_int_equal(r.status, 2);
	rollerctl(&r, "identify", "C0:52:4C:00:00:99", NULL);
	assert_int_equal(r.status, 1);
	assert_one_sentence(&r, "rollerctl: no roller C0:52:4C:00:00:99 is known", "scan");

	/* The session runs until stop: --session-seconds=0. */
	rollerctl(&r, "start", "--area", "face", NULL);
	assert_int_equal(r.status, 0);
	assert_string_equal(r.out, "Session started on C0:52:4C:00:00:01\n");
	test_bus_run_for(1500);
	rollerctl(&r, "stop", NULL);
	assert_int_equal(r.status, 0);
	assert_string_equal(r.out, "Session stopped on C0:52:4C:00:00:01\n");
	assert_true(test_bus_wait_until(face_session_stored, td, 10000));
	rollerctl(&r, "stop", NULL);
	assert_int_equal(r.status, 1);
	assert_one_sentence(&r, "rollerctl stop: The roller could not stop the session: ",
			    "no session may be running ('rollerctl status' shows its state)");
	assert_null(strstr(r.err, "STOP_SESSION"));

	rollerctl(&r, "disconnect", NULL);
	assert_int_equal(r.status, 0);
	assert_string_equal(r.out, "Disconnected from C0:52:4C:00:00:01\n");
	assert_true(test_daemon_wait_property(td, td->roller_path, "org.rollerd.Roller2",
					      "Connected", "false", 10000));
	rollerctl(&r, "identify", NULL);
	assert_int_equal(r.status, 1);
	assert_one_sentence(&r, "rollerctl identify: Roller C0:52:4C:00:00:01 is not connected",
			    "connect it first (rollerctl connect C0:52:4C:00:00:01)");
	rollerctl(&r, "sync", NULL);
	assert_int_equal(r.status, 1);
	assert_one_sentence(&r, "rollerctl sync: Roller C0:52:4C:00:00:01 is not connected",
			    "(rollerctl connect C0:52:4C:00:00:01)");

	/* Forgotten, it is gone from rollerd (no polkit on this bus: allowed). */
	rollerctl(&r, "forget", NULL);
	assert_int_equal(r.status, 0);
	assert_string_equal(r.out, "Forgot C0:52:4C:00:00:01\n");
	rollerctl(&r, "list", NULL);
	assert_int_equal(r.status, 0);
	assert_string_equal(r.out, "");
	rollerctl(&r, "identify", NULL);
	assert_int_equal(r.status, 1);
	assert_one_sentence(&r, "rollerctl: no roller is known yet", "scan");
}

/* The bus' policy refuses Identify, as the system bus' refuses a stranger. */
static void
test_bus_policy_refuses(void **state)
{
	const char *policy =
		"  <policy context=\"mandatory\">\n"
		"    <deny send_destination=\"org.rollerd\" send_interface=\"org.rollerd.Roller2\"\n"
		"          send_member=\"Identify\"/>\n"
		"  </policy>\n";
	TestDaemon *td = *state = test_daemon_new_with_bus_policy(policy, NULL);
	g_auto(Run) r = { 0 };

	test_daemon_discover(td, 1);
	test_daemon_connect(td);
	rollerctl(&r, "identify", NULL);
	assert_int_equal(r.status, 1);
	assert_string_equal(r.err, "rollerctl identify: permission denied: only root and "
			    "members of the group rollerd may control rollerd\n");
	rollerctl(&r, "status", NULL);
	assert_int_equal(r.status, 0);
}

/* polkit (the mock, denying) refuses forget and delete: a sentence, nothing changed. */
static void
test_polkit_refuses(void **state)
{
	const char *sim_args[] = { "--stored=1", NULL };
	TestDaemon *td = *state = test_daemon_new(sim_args);
	g_autofree char *id = NULL;
	g_auto(Run) r = { 0 };

	if (!test_daemon_start_polkit_mock(td)) {
		print_message("python3-dbusmock is not installed (build-aux/debian-packages)\n");
		skip();
	}
	connect_until(td, "StoredRecords", "0");
	rollerctl(&r, "forget", NULL);
	assert_int_equal(r.status, 1);
	assert_one_sentence(&r, "rollerctl forget: permission denied: ",
			    "org.rollerd.forget-roller");
	rollerctl(&r, "list", NULL);
	assert_non_null(strstr(r.out, "C0:52:4C:00:00:01"));

	id = g_strdup_printf("%" G_GUINT64_FORMAT, newest_session_id(td));
	rollerctl(&r, "delete", id, NULL);
	assert_int_equal(r.status, 1);
	assert_one_sentence(&r, "rollerctl delete: permission denied: ",
			    "org.rollerd.delete-session");
	rollerctl(&r, "show", id, NULL);
	assert_int_equal(r.status, 0);
}

/*
 * show's force line for session @id_text against its trace (from --json
 * show): the highest contact mean in the heading, and a space in the
 * sparkline exactly where the trace is 0 (two values a character past
 * 60).  Returns the number of gaps.
 */
static guint
assert_sparkline_gaps(Run *r, const char *id_text)
{
	g_autoptr(JsonNode) node = NULL;
	g_autofree char *heading = NULL;
	JsonArray *values;
	const char *line, *c;
	guint n, step, max = 0, gaps = 0;

	rollerctl(r, "--json", "show", id_text, NULL);
	assert_int_equal(r->status, 0);
	node = parse_json(r->out);
	values = json_object_get_array_member(
		json_object_get_object_member(json_node_get_object(node), "trace"), "values");
	n = json_array_get_length(values);
	assert_true(n > 0);
	for (guint i = 0; i < n; i++)
		max = MAX(max, (guint)json_array_get_int_element(values, i));
	rollerctl(r, "show", id_text, NULL);
	assert_int_equal(r->status, 0);
	heading = g_strdup_printf("\nForce over time, max %u cN (contact force, mean per 1 s; "
				  "gaps: roller lifted):\n  ", max);
	line = strstr(r->out, heading);
	if (!line)
		fail_msg("no '%s' in:\n%s", heading, r->out);
	c = line + strlen(heading);
	step = (n + 59) / 60;
	for (guint i = 0; i < n; i += step, c = g_utf8_next_char(c)) {
		gboolean lifted = TRUE;

		for (guint j = i; j < MIN(i + step, n); j++)
			lifted &= json_array_get_int_element(values, j) == 0;
		assert_true(*c && *c != '\n');
		if (lifted != (*c == ' '))
			fail_msg("value %u of %u: '%c' for %s", i, n, *c, lifted ? "a gap" : "contact");
		gaps += lifted;
	}
	assert_true(*c == '\n');
	return gaps;
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
	/* The trace of contact means, with the lifts (a pause) as gaps. */
	{
		guint gaps = 0;

		for (guint i = 0; i < json_array_get_length(array); i++) {
			char other[32];

			g_snprintf(other, sizeof(other), "%" G_GINT64_FORMAT,
				   json_object_get_int_member(
					   json_array_get_object_element(array, i), "id"));
			gaps += assert_sparkline_gaps(&r, other);
		}
		assert_true(gaps > 0);
	}
	rollerctl(&r, "note", id_text, "--redness", "mild", "--numbing", "--text", "fine",
		  "--topical", "HA serum", NULL);
	assert_int_equal(r.status, 0);
	rollerctl(&r, "note", id_text, "--redness", "purple", NULL);
	assert_int_equal(r.status, 2);
	rollerctl(&r, "show", id_text, NULL);
	/* The notes in words, not as the D-Bus value. */
	assert_non_null(strstr(r.out, "\nNotes:\n  Redness afterwards: mild\n  Numbing cream: yes\n"
			       "  Topical: HA serum\n  fine\n"));
	assert_null(strstr(r.out, "<'"));
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
	/* Nothing matches: CSV's header alone, and sessions says why it lists none. */
	rollerctl(&r, "export", "--roller", "nope", NULL);
	assert_int_equal(r.status, 0);
	assert_true(g_str_has_prefix(r.out, "id,roller,address,"));
	assert_ptr_equal(strchr(r.out, '\n'), r.out + strlen(r.out) - 1);
	rollerctl(&r, "sessions", "--roller", "nope", "--area", "face", NULL);
	assert_int_equal(r.status, 0);
	assert_string_equal(r.out, "No session matches --area face --roller nope; "
			    "'rollerctl sessions' lists them all.\n");
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
	g_clear_pointer(&lines, g_strfreev);
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

/* A full roller: status says so, start says why it refuses, a sync clears it. */
static void
test_storage_full(void **state)
{
	const char *sim_args[] = { "--stored=3", "--capacity=3", NULL };
	TestDaemon *td = *state = test_daemon_new(sim_args);
	g_autofree char *conf = g_build_filename(test_bus_get_dir(td->bus), "rollerd.conf", NULL);
	g_autofree char *conf_arg = g_strdup_printf("--config=%s", conf);
	g_auto(Run) r = { 0 };

	assert_true(g_file_set_contents(conf, "[Daemon]\nSyncOnConnect=false\n", -1, NULL));
	test_daemon_start_rollerd(td, (const char *const[]){ conf_arg, NULL });
	connect_until(td, "StorageFull", "true");
	rollerctl(&r, "status", NULL);
	assert_int_equal(r.status, 0);
	assert_true(g_str_has_suffix(r.out, " stored 3   last sync never  storage full: sync it\n"));
	rollerctl(&r, "start", "--area", "face", NULL);
	assert_int_equal(r.status, 1);
	assert_one_sentence(&r, "rollerctl start: Roller C0:52:4C:00:00:01's storage is full",
			    "sync it (rollerctl sync C0:52:4C:00:00:01) to make room");
	assert_null(strstr(r.err, "START_SESSION"));

	rollerctl(&r, "sync", NULL);
	assert_int_equal(r.status, 0);
	assert_true(test_daemon_wait_property(td, td->roller_path, "org.rollerd.Roller2",
					      "StorageFull", "false", 10000));
	rollerctl(&r, "status", NULL);
	assert_null(strstr(r.out, "storage full"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_without_rollerd, teardown),
		cmocka_unit_test_teardown(test_rollerd_dies_mid_call, teardown),
		cmocka_unit_test_teardown(test_roller_commands, teardown),
		cmocka_unit_test_teardown(test_storage_full, teardown),
		cmocka_unit_test_teardown(test_bus_policy_refuses, teardown),
		cmocka_unit_test_teardown(test_polkit_refuses, teardown),
		cmocka_unit_test_teardown(test_scan_connect_sync_and_history, teardown),
		cmocka_unit_test_teardown(test_export_past_one_page, teardown),
	};

	return cmocka_run_group_tests_name("rollerctl", tests, NULL, NULL);
}
