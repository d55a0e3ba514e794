/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * rollerd-mqtt between a real mosquitto and rollerd + roller-sim on a
 * private bus: Home Assistant discovery as HA documents it, live values
 * equal to the sim's ground truth, each stored session published once
 * (across a broker restart and a SIGKILLed bridge too), commands, and bad
 * input refused with one log line per burst.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include <gio/gunixfdlist.h>

#include "tests/harness/test-daemon-util.h"
#include "tests/mqtt/mqtt-assert.h"

#define ROLLER2 "org.rollerd.Roller2"
#define ADDRESS "C0:52:4C:00:00:01"
#define R "rollerd/room1/roller/RL000001/"
#define WAIT_MS 20000
/* How long a message that must not come is waited for. */
#define QUIET_MS 1500


/* rollerd with @rollerd_conf as its rollerd.conf when not NULL. */
static MqttFixture *
fixture_new_full(const char *const *sim_args, const char *rollerd_conf,
		 const char *bridge_extra)
{
	MqttFixture *f = g_new0(MqttFixture, 1);
	g_autofree char *conf = NULL, *conf_arg = NULL;
	const char *extra[2] = { NULL, NULL };

	f->td = test_daemon_new(sim_args);
	if (rollerd_conf) {
		conf = g_build_filename(test_bus_get_dir(f->td->bus), "rollerd.conf", NULL);
		assert_true(g_file_set_contents(conf, rollerd_conf, -1, NULL));
		conf_arg = g_strconcat("--config=", conf, NULL);
		extra[0] = conf_arg;
	}
	test_daemon_start_rollerd(f->td, extra);
	f->broker = mqtt_broker_new(f->td->bus, NULL);
	f->sub = mqtt_sub_new(f->broker, "#", NULL, NULL);
	f->conf = mqtt_bridge_config(f->td->bus, f->broker, "rollerd-mqtt", "room1",
				     bridge_extra);
	f->bridge = mqtt_bridge_start(f->td->bus, "rollerd-mqtt", f->conf);
	if (!mqtt_sub_wait_last(f->sub, "rollerd/room1/status", "online", WAIT_MS)) {
		test_bus_dump_log(f->td->bus, "rollerd-mqtt");
		fail_msg("the bridge did not come online");
	}
	return f;
}

static MqttFixture *
fixture_new(const char *const *sim_args, const char *bridge_extra)
{
	return fixture_new_full(sim_args, NULL, bridge_extra);
}

static int
teardown(void **state)
{
	return mqtt_fixture_free(*state);
}

static void
test_discovery_live_and_sessions(void **state)
{
	const char *sim_args[] = { "--speed=10", "--session-seconds=3", "--stored=2", NULL };
	MqttFixture *f = *state = fixture_new(sim_args, NULL);
	g_autoptr(GPtrArray) truth = NULL;
	g_autofree char *last = NULL;
	g_autoptr(JsonNode) keep = NULL;
	JsonObject *o;
	const char *line;

	test_daemon_discover(f->td, 1);
	test_daemon_connect(f->td);
	/* Connect syncs the two stored sessions. */
	assert_true(mqtt_sub_wait_count(f->sub, R "session", 2, WAIT_MS));
	assert_true(mqtt_sub_wait_last(f->sub, R "available", "online", WAIT_MS));
	assert_true(mqtt_sub_wait_last(f->sub, R "connected", "ON", WAIT_MS));
	assert_int_equal(mqtt_check_discovery(f->sub, "RL000001_"), 13);

	test_daemon_roll_session(f->td, "abdomen", WAIT_MS);
	assert_true(mqtt_sub_wait_count(f->sub, R "session", 3, WAIT_MS));
	truth = test_daemon_truth_records(f->td, ADDRESS);
	line = mqtt_truth_record(truth, 3);
	/* The last live values are the session's final ones. */
	assert_true(mqtt_wait_live_strokes(f->sub, R "live", mqtt_truth_field(line, "rolls"),
					   WAIT_MS));
	last = mqtt_sub_last(f->sub, R "live");
	o = mqtt_parse_object(last, &keep);
	assert_int_equal(json_object_get_int_member(o, "force_mean_cn"),
			 mqtt_truth_field(line, "mean"));
	assert_int_equal(json_object_get_int_member(o, "in_band_permille"),
			 mqtt_truth_field(line, "inband"));
	assert_true(json_object_get_int_member(o, "coverage_permille") > 0);
	assert_true(mqtt_sub_count(f->sub, R "live") > 3);
	test_bus_run_for(QUIET_MS);
	mqtt_assert_sessions_once(f->sub, f->td, ADDRESS, R "session", 3);
	/* The last summary, retained, is the newest. */
	g_free(last);
	last = mqtt_sub_last(f->sub, R "session");
	assert_non_null(strstr(last, "\"record_id\":3"));
	/* The plan follows the session: abdomen is due again one day. */
	assert_true(mqtt_sub_wait_count(f->sub, "rollerd/room1/plan/1/abdomen", 1, WAIT_MS));
	g_free(last);
	last = mqtt_sub_last(f->sub, "rollerd/room1/plan/1/abdomen");
	json_node_unref(keep);
	o = mqtt_parse_object(last, &keep);
	assert_int_equal(json_object_get_int_member(o, "sessions"), 1);
	assert_true(json_object_get_int_member(o, "next_due_unix") > 0);
	assert_string_equal(json_object_get_string_member(o, "person"), "Me");
	/* The short session's technique alerts came as events. */
	if (mqtt_sub_count(f->sub, R "alert") < 1)
		fail_msg("no alert; rollerd said %u", test_daemon_log_count(f->td, "rollerd",
									"Alert"));

	/* Forgotten: every entity removed (empty retained configs). */
	test_daemon_call_ok(f->td, f->td->roller_path, ROLLER2, "Forget", NULL);
	assert_true(mqtt_sub_wait_last(f->sub,
				       "homeassistant/sensor/rollerd_room1/RL000001_battery/config",
				       "", WAIT_MS));
	assert_true(mqtt_sub_wait_last(f->sub,
				       "homeassistant/button/rollerd_room1/RL000001_sync/config",
				       "", WAIT_MS));
}

static void
test_broker_restart_and_bridge_kill(void **state)
{
	/* Sessions of 3 s: the broker goes early in one and stays away to its end. */
	const char *sim_args[] = { "--speed=10", "--session-seconds=30", "--stored=1", NULL };
	MqttFixture *f = *state = fixture_new(sim_args, NULL);
	g_autoptr(GVariant) session = NULL;
	g_autofree char *acked = NULL, *text = NULL;
	guint before;

	test_daemon_discover(f->td, 1);
	test_daemon_connect(f->td);
	assert_true(mqtt_sub_wait_count(f->sub, R "session", 1, WAIT_MS));

	/* The broker goes while a session runs and comes back after it ended. */
	before = mqtt_sub_count(f->sub, R "live");
	test_daemon_call_ok(f->td, f->td->roller_path, ROLLER2, "StartSession",
			    g_variant_new("(s)", "face"));
	assert_true(mqtt_sub_wait_count(f->sub, R "live", before + 2, WAIT_MS));
	mqtt_broker_stop(f->broker);
	session = test_daemon_get(f->td, f->td->roller_path, ROLLER2, "Session");
	assert_string_not_equal(g_variant_get_string(session, NULL), "/");
	assert_true(test_daemon_wait_property(f->td, f->td->roller_path, ROLLER2, "Session",
					      "'/'", WAIT_MS));
	test_bus_run_for(300);
	mqtt_broker_restart(f->broker);
	if (!mqtt_sub_wait_count(f->sub, R "session", 2, WAIT_MS)) {
		test_bus_dump_log(f->td->bus, "rollerd-mqtt");
		fail_msg("the session stored while the broker was away never came");
	}
	test_bus_run_for(QUIET_MS);
	mqtt_assert_sessions_once(f->sub, f->td, ADDRESS, R "session", 2);
	assert_int_equal(test_daemon_log_count(f->td, "rollerd-mqtt", "Connected to the broker"),
			 2);

	/* SIGKILL: the will says offline; a session meanwhile comes after the restart. */
	test_bus_kill(f->td->bus, f->bridge);
	assert_true(mqtt_sub_wait_last(f->sub, "rollerd/room1/status", "offline", WAIT_MS));
	test_daemon_roll_session(f->td, "back", WAIT_MS);
	f->bridge = mqtt_bridge_start(f->td->bus, "rollerd-mqtt", f->conf);
	assert_true(mqtt_sub_wait_last(f->sub, "rollerd/room1/status", "online", WAIT_MS));
	assert_true(mqtt_sub_wait_count(f->sub, R "session", 3, WAIT_MS));
	test_bus_run_for(QUIET_MS);
	mqtt_assert_sessions_once(f->sub, f->td, ADDRESS, R "session", 3);

	/* A clean stop leaves the cursor on the last session acknowledged. */
	assert_true(test_bus_stop_ok(f->td->bus, f->bridge));
	f->bridge = 0;
	acked = g_build_filename(test_bus_get_dir(f->td->bus), "rollerd-mqtt-state", "acked",
				 NULL);
	assert_true(g_file_get_contents(acked, &text, NULL, NULL));
	assert_true(g_str_has_prefix(text, "3 "));
}

static void
press(MqttFixture *f, const char *command, const char *payload)
{
	g_autofree char *topic = g_strdup_printf(R "cmd/%s", command);

	mqtt_sub_publish(f->sub, topic, payload, strlen(payload));
}

static void
test_commands_and_bad_input(void **state)
{
	const char *sim_args[] = { "--speed=10", "--session-seconds=4", NULL };
	MqttFixture *f = *state = fixture_new(sim_args, "[Bridge]\nCommands=sync;identify\n");
	TestDaemon *td = f->td;
	g_autofree char *big = g_strnfill(300 * 1024, 'x');
	guint synced, pressed;

	test_daemon_discover(td, 1);
	test_daemon_connect(td);
	assert_true(mqtt_sub_wait_last(f->sub, R "state", "idle", WAIT_MS));

	press(f, "identify", "PRESS");
	assert_true(test_daemon_wait_log(td, "rollerd-mqtt", "Command identify for", 0, WAIT_MS));
	synced = test_daemon_log_count(td, "rollerd", "synced,");
	press(f, "sync", "PRESS");
	assert_true(test_daemon_wait_log(td, "rollerd-mqtt", "Command sync for", 0, WAIT_MS));
	assert_true(test_daemon_wait_log(td, "rollerd", "synced,", synced, WAIT_MS));
	assert_int_equal(test_daemon_log_count(td, "rollerd-mqtt", "done"), 2);

	/* Not allowed by the config: refused, logged. */
	press(f, "start", "face");
	assert_true(test_daemon_wait_log(td, "rollerd-mqtt", "not allowed", 0, WAIT_MS));

	/* A burst of bad input: nothing reaches rollerd, no new log line. */
	for (guint i = 0; i < 20; i++)
		press(f, "identify", "xyzzy");
	mqtt_sub_publish(f->sub, R "cmd/identify", big, strlen(big));
	press(f, "reboot", "PRESS");
	mqtt_sub_publish(f->sub, "rollerd/room1/roller/NOPE/cmd/sync", "PRESS", 5);
	mqtt_sub_publish(f->sub, R "cmd/identify", "\xff\xfe", 2);
	test_bus_run_for(QUIET_MS);
	assert_int_equal(test_daemon_log_count(td, "rollerd-mqtt", "Ignored a message"), 1);
	assert_int_equal(test_daemon_log_count(td, "rollerd-mqtt", "Command "), 2);
	assert_true(test_daemon_wait_property(td, td->roller_path, ROLLER2, "Session", "'/'",
					      WAIT_MS));
	test_daemon_assert_alive(td);
	assert_false(test_bus_has_exited(td->bus, f->bridge, NULL));

	/* Still serving. */
	press(f, "identify", "3");
	assert_true(test_daemon_wait_log(td, "rollerd-mqtt", "Command identify for", 1, WAIT_MS));

	/* Retained commands come back at every subscription: never acted on then. */
	synced = test_daemon_log_count(td, "rollerd", "synced,");
	test_bus_kill(td->bus, f->bridge);
	assert_true(mqtt_sub_wait_last(f->sub, "rollerd/room1/status", "offline", WAIT_MS));
	pressed = mqtt_sub_count(f->sub, R "cmd/sync");
	mqtt_sub_publish_retained(f->sub, R "cmd/identify", "PRESS");
	mqtt_sub_publish_retained(f->sub, R "cmd/sync", "PRESS");
	/* Kept by the broker (its copy came back) before the bridge subscribes. */
	assert_true(mqtt_sub_wait_count(f->sub, R "cmd/sync", pressed + 1, WAIT_MS));
	f->bridge = mqtt_bridge_start(td->bus, "rollerd-mqtt", f->conf);
	assert_true(mqtt_sub_wait_last(f->sub, "rollerd/room1/status", "online", WAIT_MS));
	test_bus_run_for(QUIET_MS);
	assert_int_equal(test_daemon_log_count(td, "rollerd-mqtt", "Command "), 3);
	assert_int_equal(test_daemon_log_count(td, "rollerd", "synced,"), synced);
	assert_int_equal(test_daemon_log_count(td, "rollerd-mqtt",
					       "retained command is not acted on"), 1);
	mqtt_sub_publish_retained(f->sub, R "cmd/identify", "");
	mqtt_sub_publish_retained(f->sub, R "cmd/sync", "");
}

/*
 * A broker that accepts the connection and never answers: the bridge
 * gives up after ConnectTimeout, says so once, tries again with backoff,
 * and meanwhile follows rollerd leaving and coming back.
 */
static void
test_silent_broker(void **state)
{
	const char *sim_args[] = { "--speed=10", NULL };
	MqttFixture *f = *state = g_new0(MqttFixture, 1);
	g_autoptr(GSocket) silent = g_socket_new(G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM,
						 G_SOCKET_PROTOCOL_TCP, NULL);
	g_autoptr(GInetAddress) lo = g_inet_address_new_loopback(G_SOCKET_FAMILY_IPV4);
	g_autoptr(GSocketAddress) any = g_inet_socket_address_new(lo, 0);
	g_autoptr(GSocketAddress) bound = NULL;
	g_autofree char *path = NULL, *text = NULL;
	guint port;

	f->td = test_daemon_new(sim_args);
	test_daemon_start_rollerd(f->td, NULL);
	/* Listening, never accepting: the kernel completes the handshake alone. */
	assert_true(g_socket_bind(silent, any, TRUE, NULL));
	assert_true(g_socket_listen(silent, NULL));
	bound = g_socket_get_local_address(silent, NULL);
	port = g_inet_socket_address_get_port(G_INET_SOCKET_ADDRESS(bound));
	path = g_build_filename(test_bus_get_dir(f->td->bus), "silent.conf", NULL);
	text = g_strdup_printf("[Broker]\nHost=127.0.0.1\nPort=%u\nConnectTimeout=1\n"
			       "ReconnectMin=0.2\nReconnectMax=0.5\n[Bridge]\nStateDirectory=%s/st\n",
			       port, test_bus_get_dir(f->td->bus));
	assert_true(g_file_set_contents(path, text, -1, NULL));
	f->bridge = mqtt_bridge_start(f->td->bus, "rollerd-mqtt", path);
	assert_true(test_daemon_wait_log(f->td, "rollerd-mqtt", "no answer to CONNECT", 0,
					 WAIT_MS));
	assert_true(test_daemon_wait_log(f->td, "rollerd-mqtt", "rollerd is on the bus", 0,
					 WAIT_MS));
	test_daemon_start_rollerd(f->td, NULL);
	assert_true(test_daemon_wait_log(f->td, "rollerd-mqtt", "rollerd is on the bus", 1,
					 WAIT_MS));
	/* Several attempts failed by now; one line said so. */
	assert_int_equal(test_daemon_log_count(f->td, "rollerd-mqtt", "no answer to CONNECT"), 1);
	assert_int_equal(test_daemon_log_count(f->td, "rollerd-mqtt", "Connected"), 0);
}

/* Manager1.Reminder: an event on the room's reminder topic, not retained. */
static void
test_reminder_published(void **state)
{
	const char *sim_args[] = { "--stored=1", NULL };
	/* A head worn after one session: due as soon as the record is synced. */
	MqttFixture *f = *state = fixture_new_full(sim_args, "[Head]\nSessionsPerHead=1\n",
						   NULL);
	g_autoptr(GPtrArray) msgs = NULL;
	g_autoptr(JsonNode) keep = NULL;
	MqttMessage *m;
	JsonObject *o;

	test_daemon_discover(f->td, 1);
	test_daemon_connect(f->td);
	if (!mqtt_sub_wait_count(f->sub, "rollerd/room1/reminder", 1, WAIT_MS)) {
		test_bus_dump_log(f->td->bus, "rollerd-mqtt");
		fail_msg("no reminder published");
	}
	msgs = mqtt_sub_messages(f->sub, "rollerd/room1/reminder");
	m = msgs->pdata[0];
	assert_false(m->retained);
	o = mqtt_parse_object(m->payload, &keep);
	assert_string_equal(json_object_get_string_member(o, "kind"), "head-worn");
	assert_non_null(strstr(json_object_get_string_member(o, "message"),
			       "needle head of roller RL000001 has been used for 1 session"));
	assert_true(g_str_has_suffix(json_object_get_string_member(o, "time"), "Z"));
	assert_true(json_object_has_member(o, "person"));
}

/*
 * A roller forgotten while the bridge is away: its configs stay retained
 * on the broker until the bridge, back, sees them come to its own
 * subscription and empties those of rollers rollerd no longer knows.
 */
static void
test_forgotten_while_away(void **state)
{
	const char *sim_args[] = { "--speed=10", NULL };
	MqttFixture *f = *state = fixture_new(sim_args, NULL);
	const char *battery = "homeassistant/sensor/rollerd_room1/RL000001_battery/config";
	g_autoptr(GPtrArray) kept = NULL;
	MqttSub *late;
	guint roller_configs = 0;

	test_daemon_discover(f->td, 1);
	test_daemon_connect(f->td);
	assert_true(mqtt_sub_wait_last(f->sub, R "connected", "ON", WAIT_MS));
	assert_int_equal(mqtt_check_discovery(f->sub, "RL000001_"), 13);

	assert_true(test_bus_stop_ok(f->td->bus, f->bridge));
	f->bridge = 0;
	test_daemon_call_ok(f->td, f->td->roller_path, ROLLER2, "Forget", NULL);
	f->bridge = mqtt_bridge_start(f->td->bus, "rollerd-mqtt", f->conf);
	if (!mqtt_sub_wait_last(f->sub, battery, "", WAIT_MS)) {
		test_bus_dump_log(f->td->bus, "rollerd-mqtt");
		fail_msg("the forgotten roller's configs stayed");
	}
	assert_true(mqtt_sub_wait_last(f->sub, R "available", "", WAIT_MS));
	test_bus_run_for(QUIET_MS);
	assert_int_equal(test_daemon_log_count(f->td, "rollerd-mqtt",
					       "RL000001 is not known to rollerd"), 1);

	/* What the broker keeps now: the bridge's config, none of the roller's. */
	late = mqtt_sub_new(f->broker, "homeassistant/#", NULL, NULL);
	test_bus_run_for(QUIET_MS);
	kept = mqtt_sub_messages(late, NULL);
	for (guint i = 0; i < kept->len; i++) {
		MqttMessage *m = kept->pdata[i];

		roller_configs += strstr(m->topic, "RL000001") != NULL;
	}
	assert_int_equal(roller_configs, 0);
	assert_int_equal(mqtt_sub_count(late,
			 "homeassistant/binary_sensor/rollerd_room1/bridge_status/config"), 1);
	mqtt_sub_free(late);
}

/* Manager1.Backup or Restore with @path opened for it. */
static void
journal_call(MqttFixture *f, const char *method, const char *path)
{
	int fd = strcmp(method, "Backup") == 0 ? open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600)
					       : open(path, O_RDONLY);
	g_autoptr(GUnixFDList) fds = NULL;
	g_autoptr(GVariant) ret = NULL;
	g_autoptr(GError) error = NULL;

	assert_true(fd >= 0);
	fds = g_unix_fd_list_new_from_array(&fd, 1);
	ret = g_dbus_connection_call_with_unix_fd_list_sync(
		f->td->conn, "org.rollerd", "/org/rollerd", "org.rollerd.Manager1", method,
		g_variant_new("(h)", 0), NULL, G_DBUS_CALL_FLAGS_NONE, 30000, fds, NULL, NULL,
		&error);
	if (!ret)
		fail_msg("%s: %s", method, error->message);
}

/*
 * A journal restored from an older backup lacks the ack cursor's
 * session: the bridge sees that it is not there and publishes the
 * restored journal again, the new session with it, whose id counts on
 * from the replaced journal's.
 */
static void
test_restored_journal(void **state)
{
	const char *sim_args[] = { "--speed=10", "--session-seconds=3", "--stored=2", NULL };
	MqttFixture *f = *state = fixture_new(sim_args, NULL);
	g_autofree char *backup = g_build_filename(test_bus_get_dir(f->td->bus), "j.backup",
						   NULL);
	g_autofree char *last = NULL;

	test_daemon_discover(f->td, 1);
	test_daemon_connect(f->td);
	assert_true(mqtt_sub_wait_count(f->sub, R "session", 2, WAIT_MS));
	test_daemon_wait_synced(f->td, WAIT_MS);
	journal_call(f, "Backup", backup);
	test_daemon_roll_session(f->td, "face", WAIT_MS);
	test_daemon_roll_session(f->td, "abdomen", WAIT_MS);
	assert_true(mqtt_sub_wait_count(f->sub, R "session", 4, WAIT_MS));
	/* The cursor is saved at id 4's PUBACK. */
	assert_true(test_daemon_wait_log(f->td, "rollerd-mqtt", "up to id 4", 0, WAIT_MS));
	test_bus_run_for(300);

	/* Back to ids 1 and 2; the next session is id 5, no id given twice. */
	journal_call(f, "Restore", backup);
	test_daemon_roll_session(f->td, "thighs", WAIT_MS);
	if (!mqtt_sub_wait_count(f->sub, R "session", 7, WAIT_MS)) {
		test_bus_dump_log(f->td->bus, "rollerd-mqtt");
		fail_msg("the restored journal's new session was not published");
	}
	last = mqtt_sub_last(f->sub, R "session");
	assert_non_null(strstr(last, "\"id\":5,"));
	assert_non_null(strstr(last, "\"area\":\"thighs\""));
	assert_int_equal(test_daemon_log_count(f->td, "rollerd-mqtt",
					       "no longer holds session 4"), 1);
	test_bus_run_for(QUIET_MS);
	assert_int_equal(mqtt_sub_count(f->sub, R "session"), 7);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_discovery_live_and_sessions, teardown),
		cmocka_unit_test_teardown(test_broker_restart_and_bridge_kill, teardown),
		cmocka_unit_test_teardown(test_commands_and_bad_input, teardown),
		cmocka_unit_test_teardown(test_silent_broker, teardown),
		cmocka_unit_test_teardown(test_reminder_published, teardown),
		cmocka_unit_test_teardown(test_restored_journal, teardown),
		cmocka_unit_test_teardown(test_forgotten_while_away, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
