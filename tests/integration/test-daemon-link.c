/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * rollerd's link to a roller, against roller-sim on a private bus: the
 * notification paths (AcquireNotify, the StartNotify it falls back to
 * when bluetoothd refuses, --no-acquire-notify), as the mock's
 * characteristics show them, Battery Level notifications, the
 * reconnection backoff, and the roller's storage-full flag.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "roller-proto.h"
#include "tests/harness/test-daemon-util.h"

#define ROLLER2 "org.rollerd.Roller2"
#define ADDRESS "C0:52:4C:00:00:01"
#define WAIT_MS 20000

/* What rollerd subscribes to with AcquireNotify when it may. */
static const char *const acquirable[] = {
	ROLLER_UUID_TELEMETRY, ROLLER_UUID_RECORD_TRANSFER, ROLLER_UUID_STATUS,
};

static int
teardown(void **state)
{
	return test_daemon_free(*state);
}

/* The mock's GattCharacteristic1 properties of @uuid (NULL if absent). */
static GVariant *
bluez_char_properties(TestDaemon *td, const char *uuid)
{
	g_autoptr(GVariant) ret =
		g_dbus_connection_call_sync(td->conn, "org.bluez", "/",
					    "org.freedesktop.DBus.ObjectManager",
					    "GetManagedObjects", NULL,
					    G_VARIANT_TYPE("(a{oa{sa{sv}}})"),
					    G_DBUS_CALL_FLAGS_NONE, 10000, NULL, NULL);
	g_autoptr(GVariant) objects = NULL;
	GVariantIter iter;
	GVariant *ifaces;

	if (!ret)
		return NULL;
	objects = g_variant_get_child_value(ret, 0);
	g_variant_iter_init(&iter, objects);
	while (g_variant_iter_next(&iter, "{&o@a{sa{sv}}}", NULL, &ifaces)) {
		g_autoptr(GVariant) owned = ifaces;
		g_autoptr(GVariant) props = g_variant_lookup_value(ifaces,
								   "org.bluez.GattCharacteristic1",
								   G_VARIANT_TYPE_VARDICT);
		const char *chr_uuid;

		if (props && g_variant_lookup(props, "UUID", "&s", &chr_uuid) &&
		    g_ascii_strcasecmp(chr_uuid, uuid) == 0)
			return g_steal_pointer(&props);
	}
	return NULL;
}

typedef struct {
	TestDaemon *td;
	gboolean acquired;
	char *last;
} PathWait;

/*
 * Every acquirable characteristic is subscribed the one way: a socket
 * (NotifyAcquired, and no StartNotify session: Notifying false) or a
 * StartNotify session (Notifying, nothing acquired).
 */
static gboolean
notify_path_is(gpointer user_data)
{
	PathWait *w = user_data;

	for (gsize i = 0; i < G_N_ELEMENTS(acquirable); i++) {
		g_autoptr(GVariant) props = bluez_char_properties(w->td, acquirable[i]);
		gboolean acquired = FALSE, notifying = FALSE;

		if (props) {
			g_variant_lookup(props, "NotifyAcquired", "b", &acquired);
			g_variant_lookup(props, "Notifying", "b", &notifying);
		}
		if (acquired != w->acquired || notifying == w->acquired) {
			g_free(w->last);
			w->last = g_strdup_printf("%s: NotifyAcquired %d, Notifying %d",
						  acquirable[i], acquired, notifying);
			g_usleep(20000);
			return FALSE;
		}
	}
	return TRUE;
}

static void
assert_notify_path(TestDaemon *td, gboolean acquired)
{
	PathWait w = { td, acquired, NULL };

	if (!test_bus_wait_until(notify_path_is, &w, WAIT_MS)) {
		test_bus_dump_log(td->bus, "rollerd");
		fail_msg("not subscribed with %s: %s",
			 acquired ? "AcquireNotify" : "StartNotify", w.last);
	}
	g_free(w.last);
}

/*
 * A live session rolled to its end equals the record the roller stored,
 * and so does the session once that record is synced: every telemetry
 * frame and every record chunk arrived.
 */
static void
assert_live_session_equals_truth(TestDaemon *td)
{
	g_autoptr(GPtrArray) truth = NULL, live = NULL, synced = NULL;
	TestRollerSignals s = { 0 };
	guint sub = test_daemon_subscribe(td, &s);

	test_daemon_roll_session(td, "thighs", 60000);
	truth = test_daemon_truth_records(td, ADDRESS);
	live = test_daemon_history_lines(td);
	assert_int_equal(truth->len, 1);
	assert_int_equal(live->len, 1);
	assert_string_equal(live->pdata[0], truth->pdata[0]);

	test_daemon_sync_and_wait(td, &s, WAIT_MS);
	assert_int_equal(s.last_stored, 1);
	synced = test_daemon_history_lines(td);
	assert_int_equal(synced->len, 1);
	assert_string_equal(synced->pdata[0], truth->pdata[0]);
	test_daemon_unsubscribe(td, sub);
}

/* The baseline the other two differ from: the mock shows the sockets. */
static void
test_notify_acquired_by_default(void **state)
{
	TestDaemon *td = *state = test_daemon_new(NULL);

	test_daemon_discover(td, 1);
	test_daemon_connect(td);
	assert_notify_path(td, TRUE);
}

/*
 * bluetoothd refuses AcquireNotify (InProgress: another client has a
 * StartNotify session): rollerd falls back to StartNotify on each, and
 * misses nothing.
 */
static void
test_acquire_refused_falls_back_to_start_notify(void **state)
{
	const char *sim_args[] = { "--speed=10", "--session-seconds=30",
				   "--fault-refuse-acquire-notify=InProgress", NULL };
	TestDaemon *td = *state = test_daemon_new(sim_args);

	test_daemon_discover(td, 1);
	test_daemon_connect(td);
	assert_live_session_equals_truth(td);
	assert_notify_path(td, FALSE);
}

static void
test_no_acquire_notify(void **state)
{
	const char *sim_args[] = { "--speed=10", "--session-seconds=30", NULL };
	const char *extra[] = { "--no-acquire-notify", NULL };
	TestDaemon *td = *state = test_daemon_new(sim_args);

	test_daemon_start_rollerd(td, extra);
	test_daemon_discover(td, 1);
	test_daemon_connect(td);
	assert_live_session_equals_truth(td);
	assert_notify_path(td, FALSE);
}

/*
 * The roller's battery drains 1 % per 90 s of session (roller-sim's
 * model): the Battery Level notification, not a read, brings the new
 * value to Roller2.Battery (rollerd reads it only when it connects).
 */
static void
test_battery_notification_updates_battery(void **state)
{
	const char *sim_args[] = { "--speed=20", "--session-seconds=100", NULL };
	TestDaemon *td = *state = test_daemon_new(sim_args);
	g_autoptr(GVariant) battery = NULL;

	test_daemon_discover(td, 1);
	test_daemon_connect(td);
	battery = test_daemon_get(td, td->roller_path, ROLLER2, "Battery");
	assert_int_equal(g_variant_get_byte(battery), 87);

	test_daemon_roll_session(td, "abdomen", 60000);
	assert_true(test_daemon_wait_property(td, td->roller_path, ROLLER2, "Battery",
					      "0x56", WAIT_MS));
}

/* The delays rollerd announced ("reconnecting in N s"), in order. */
static GArray *
logged_backoffs(TestDaemon *td)
{
	g_autofree char *path = g_build_filename(test_bus_get_dir(td->bus), "rollerd.log", NULL);
	g_autofree char *log = NULL;
	GArray *delays = g_array_new(FALSE, FALSE, sizeof(guint));
	const char *p;

	if (!g_file_get_contents(path, &log, NULL, NULL))
		fail_msg("no rollerd log at %s", path);
	for (p = log; (p = strstr(p, "reconnecting in ")); ) {
		guint s;

		p += strlen("reconnecting in ");
		s = (guint)g_ascii_strtoull(p, NULL, 10);
		g_array_append_val(delays, s);
	}
	return delays;
}

/* Sim1.ConnectCalls: when each Device1.Connect reached the mock. */
static GVariant *
connect_calls(TestDaemon *td)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GVariant) ret = test_daemon_sim_call(td, "ConnectCalls",
						       g_variant_new("(s)", ADDRESS), &error);

	if (!ret)
		fail_msg("ConnectCalls: %s", error->message);
	return g_variant_get_child_value(ret, 0);
}

/*
 * Four refused connections with ReconnectBackoffMaxSeconds=3: rollerd
 * waits 1, 2, then 3 s (4 capped), and 3 again; ready, it starts from
 * 1 s after the next loss.  The waits announced are checked against when
 * the Connect calls really came: each at least its delay later (less
 * the 250 ms g_timeout_add_seconds() may round down), so the log does
 * not claim waits rollerd did not make.  No upper bounds: a loaded
 * machine only makes them longer.
 */
static void
test_reconnect_backoff_doubles_up_to_the_cap(void **state)
{
	const char *sim_args[] = { "--fault-refuse-connect=4", NULL };
	static const guint expect[] = { 1, 2, 3, 3 };
	TestDaemon *td = *state = test_daemon_new(sim_args);
	g_autofree char *conf = g_build_filename(test_bus_get_dir(td->bus), "rollerd.conf", NULL);
	g_autofree char *conf_arg = g_strconcat("--config=", conf, NULL);
	const char *extra[] = { conf_arg, NULL };
	g_autoptr(GError) error = NULL;
	g_autoptr(GVariant) ret = NULL, times = NULL;
	g_autoptr(GArray) delays = NULL;
	const gint64 *at;
	gsize n;

	if (!g_file_set_contents(conf, "[Daemon]\nReconnectBackoffMaxSeconds=3\n", -1, &error))
		fail_msg("%s", error->message);
	test_daemon_start_rollerd(td, extra);
	test_daemon_discover(td, 1);
	ret = test_daemon_call(td, td->roller_path, ROLLER2, "Connect", NULL, &error);
	assert_null(ret);
	g_clear_error(&error);
	assert_true(test_daemon_wait_property(td, td->roller_path, ROLLER2, "Connected",
					      "true", 60000));

	delays = logged_backoffs(td);
	times = connect_calls(td);
	at = g_variant_get_fixed_array(times, &n, sizeof(gint64));
	if (delays->len != G_N_ELEMENTS(expect) || n != G_N_ELEMENTS(expect) + 1) {
		test_bus_dump_log(td->bus, "rollerd");
		fail_msg("%u delays announced, %zu Connect calls", delays->len, n);
	}
	for (guint i = 0; i < G_N_ELEMENTS(expect); i++) {
		assert_int_equal(g_array_index(delays, guint, i), expect[i]);
		if (at[i + 1] - at[i] < (gint64)expect[i] * G_USEC_PER_SEC - 250000)
			fail_msg("Connect %u came %" G_GINT64_FORMAT " ms after the one before, "
				 "not %u s", i + 2, (at[i + 1] - at[i]) / 1000, expect[i]);
	}

	/* Once ready, the backoff starts again from 1 s. */
	test_daemon_drop_link_and_reconnect(td, ADDRESS, WAIT_MS);
	g_array_unref(delays);
	delays = logged_backoffs(td);
	assert_int_equal(delays->len, G_N_ELEMENTS(expect) + 1);
	assert_int_equal(g_array_index(delays, guint, G_N_ELEMENTS(expect)), 1);
}

/*
 * roller-sim --capacity=2 with one record: the session that fills the
 * store turns Roller2.StorageFull true (a Status notification), no
 * session starts then, and the sync that empties the roller clears it.
 */
static void
test_storage_full(void **state)
{
	const char *sim_args[] = { "--speed=10", "--session-seconds=10", "--capacity=2",
				   "--stored=1", NULL };
	TestDaemon *td = *state = test_daemon_new(sim_args);
	g_autofree char *conf = g_build_filename(test_bus_get_dir(td->bus), "rollerd.conf", NULL);
	g_autofree char *conf_arg = g_strconcat("--config=", conf, NULL);
	const char *extra[] = { conf_arg, NULL };
	g_autoptr(GError) error = NULL;
	g_autoptr(GVariant) ret = NULL;
	TestRollerSignals s = { 0 };

	/* The records stay on the roller until the test syncs. */
	if (!g_file_set_contents(conf, "[Daemon]\nSyncOnConnect=false\n", -1, &error))
		fail_msg("%s", error->message);
	test_daemon_start_rollerd(td, extra);
	test_daemon_discover(td, 1);
	test_daemon_subscribe(td, &s);
	test_daemon_connect(td);
	assert_true(test_daemon_wait_property(td, td->roller_path, ROLLER2, "StoredRecords",
					      "1", WAIT_MS));
	assert_true(test_daemon_wait_property(td, td->roller_path, ROLLER2, "StorageFull",
					      "false", 100));

	test_daemon_roll_session(td, "face", 60000);
	assert_true(test_daemon_wait_property(td, td->roller_path, ROLLER2, "StorageFull",
					      "true", WAIT_MS));
	ret = test_daemon_call(td, td->roller_path, ROLLER2, "StartSession",
			       g_variant_new("(s)", "face"), &error);
	assert_null(ret);
	test_daemon_assert_error(error, "RollerFailed", "rollerctl sync C0:52:4C:00:00:01", "StartSession");
	assert_non_null(strstr(error->message, "storage is full: sync it"));

	test_daemon_sync_and_wait(td, &s, WAIT_MS);
	assert_int_equal(s.last_stored, 2);
	assert_true(test_daemon_wait_property(td, td->roller_path, ROLLER2, "StoredRecords",
					      "0", WAIT_MS));
	assert_true(test_daemon_wait_property(td, td->roller_path, ROLLER2, "StorageFull",
					      "false", WAIT_MS));
}

/* What rollerd did that would have crashed a real bluetoothd: nothing. */
static void
assert_no_hazards(TestDaemon *td)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GVariant) ret = test_daemon_sim_call(td, "Hazards",
						       g_variant_new("(s)", ADDRESS), &error);
	g_autofree const char **hazards = NULL;

	if (!ret)
		fail_msg("Hazards: %s", error->message);
	g_variant_get(ret, "(^a&s)", &hazards);
	if (hazards[0])
		fail_msg("%u hazard(s), the first: %s", g_strv_length((char **)hazards),
			 hazards[0]);
}

/* Connected, and the sync on connecting over, so that nothing else is under way. */
static void
connect_quietly(TestDaemon *td, TestRollerSignals *s)
{
	test_daemon_start_rollerd(td, NULL);
	test_daemon_discover(td, 1);
	test_daemon_subscribe(td, s);
	test_daemon_connect(td);
	assert_true(test_daemon_wait_property(td, td->roller_path, ROLLER2, "StoredRecords",
					      "0", WAIT_MS));
}

/* Sim1.@method changes the GATT services: set up again over the same link. */
static void
change_gatt_services(TestDaemon *td, const char *method, GVariant *args)
{
	const char *went = "its GATT services went away with the link up";
	guint before = test_daemon_log_count(td, "rollerd", went);
	g_autoptr(GError) error = NULL;
	g_autoptr(GVariant) ret = test_daemon_sim_call(td, method, args, &error);
	g_autoptr(GVariant) times = NULL;

	if (!ret)
		fail_msg("%s: %s", method, error->message);
	/* Not ready for a moment only: the log says it was not. */
	assert_true(test_daemon_wait_log(td, "rollerd", went, before, WAIT_MS));
	assert_true(test_daemon_wait_property(td, td->roller_path, ROLLER2, "Connected",
					      "true", WAIT_MS));
	times = connect_calls(td);
	assert_int_equal(g_variant_n_children(times), 1);
}

/* The subscriptions work: a session is seen live, and the battery level
 * (its service came back last) drops during it. */
static void
assert_subscriptions_work(TestDaemon *td, TestRollerSignals *s)
{
	test_daemon_roll_session(td, "face", 60000);
	assert_true(s->strokes > 0);
	assert_true(test_daemon_wait_property(td, td->roller_path, ROLLER2, "Battery",
					      "0x56", WAIT_MS));
}

/*
 * The roller's GATT server restarts with the link up (Sim1.RestartGatt:
 * its services go one by one and come back, their notification sockets
 * hang up, as after a Service Changed).  rollerd sets the roller up again
 * by itself, without a new connection, once every service is back, and
 * its new subscriptions work.  It never unsubscribed from a service still
 * going, which crashes bluetoothd 5.66 (the VM's test saw it).
 */
static void
test_gatt_restart_with_link_up(void **state)
{
	const char *sim_args[] = { "--speed=20", "--session-seconds=100", NULL };
	TestDaemon *td = *state = test_daemon_new(sim_args);
	TestRollerSignals s = { 0 };

	connect_quietly(td, &s);
	change_gatt_services(td, "RestartGatt", g_variant_new("(su)", ADDRESS, 1000));
	assert_subscriptions_work(td, &s);
	assert_no_hazards(td);
}

/*
 * A Service Changed of the Battery service alone (Sim1.ChangeService):
 * rollerd lets go of the battery level only and is ready again once it is
 * back.  Its Roller service subscriptions were kept, not taken again, and
 * still work: the control point answers, a session is seen live, and the
 * battery level follows again.
 */
static void
test_service_changed_keeps_the_rest(void **state)
{
	const char *sim_args[] = { "--speed=20", "--session-seconds=100", NULL };
	TestDaemon *td = *state = test_daemon_new(sim_args);
	TestRollerSignals s = { 0 };
	/* Telemetry, Record Transfer and Status. */
	const guint acquired = 3;

	connect_quietly(td, &s);
	assert_int_equal(test_daemon_log_count(td, "roller-sim", ".AcquireNotify"), acquired);
	change_gatt_services(td, "ChangeService",
			     g_variant_new("(ssu)", ADDRESS,
					   "0000180f-0000-1000-8000-00805f9b34fb", 1000));
	assert_int_equal(test_daemon_log_count(td, "roller-sim", ".AcquireNotify"), acquired);
	assert_subscriptions_work(td, &s);
}

static gboolean
log_says_set_time_unanswered(gpointer user_data)
{
	TestDaemon *td = user_data;
	g_autofree char *path = g_build_filename(test_bus_get_dir(td->bus), "rollerd.log", NULL);
	g_autofree char *log = NULL;

	return g_file_get_contents(path, &log, NULL, NULL) &&
	       strstr(log, "when asked to set its clock");
}

static void
set_call_delay(TestDaemon *td, guint ms)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GVariant) ret = test_daemon_sim_call(td, "SetFault",
		g_variant_new("(sv)", "delay-ms", g_variant_new_uint32(ms)), &error);

	if (!ret)
		fail_msg("SetFault: %s", error->message);
}

/*
 * A roller whose every call comes 6 s late, longer than the control
 * point's 5 s, while rollerd sets it up after a link loss: SET_TIME goes
 * unanswered, the setup fails and the link is tried again, and rollerd
 * lives on.  The failure used to free the control point inside its own
 * timeout (a crash).  Once the roller answers in time, it is ready again.
 */
static void
test_unanswered_setup_is_survived(void **state)
{
	TestDaemon *td = *state = test_daemon_new(NULL);

	test_daemon_start_rollerd(td, NULL);
	test_daemon_discover(td, 1);
	test_daemon_connect(td);
	set_call_delay(td, 6000);
	test_daemon_drop_link(td, ADDRESS);
	assert_true(test_bus_wait_until(log_says_set_time_unanswered, td, 60000));
	test_daemon_assert_alive(td);
	set_call_delay(td, 0);
	assert_true(test_daemon_wait_property(td, td->roller_path, ROLLER2, "Connected",
					      "true", 60000));
}

/* rollerd's log so far. */
static char *
rollerd_log(TestDaemon *td)
{
	g_autofree char *path = g_build_filename(test_bus_get_dir(td->bus), "rollerd.log", NULL);
	char *log = NULL;

	assert_true(g_file_get_contents(path, &log, NULL, NULL));
	return log;
}

/* "bluetoothd left the bus" only once rollerd had seen it there. */
static void
test_bluetoothd_left_only_once_seen(void **state)
{
	TestDaemon *td = *state = test_daemon_new(NULL);
	g_autofree char *before = NULL, *after = NULL;

	test_bus_stop(td->bus, td->sim);
	td->sim = 0;
	assert_true(test_bus_wait_for_name_gone(td->bus, "org.bluez", 10000));
	test_daemon_start_rollerd(td, NULL);
	test_bus_run_for(1000);
	test_daemon_start_sim(td, NULL);
	test_daemon_discover(td, 1);
	before = rollerd_log(td);
	if (strstr(before, "left the bus"))
		fail_msg("rollerd never saw bluetoothd leave, yet logged:\n%s", before);

	test_bus_stop(td->bus, td->sim);
	td->sim = 0;
	assert_true(test_bus_wait_for_name_gone(td->bus, "org.bluez", 10000));
	test_bus_run_for(500);
	after = rollerd_log(td);
	assert_non_null(strstr(after, "bluetoothd left the bus"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_bluetoothd_left_only_once_seen, teardown),
		cmocka_unit_test_teardown(test_notify_acquired_by_default, teardown),
		cmocka_unit_test_teardown(test_acquire_refused_falls_back_to_start_notify,
					  teardown),
		cmocka_unit_test_teardown(test_no_acquire_notify, teardown),
		cmocka_unit_test_teardown(test_battery_notification_updates_battery, teardown),
		cmocka_unit_test_teardown(test_reconnect_backoff_doubles_up_to_the_cap,
					  teardown),
		cmocka_unit_test_teardown(test_storage_full, teardown),
		cmocka_unit_test_teardown(test_gatt_restart_with_link_up, teardown),
		cmocka_unit_test_teardown(test_service_changed_keeps_the_rest, teardown),
		cmocka_unit_test_teardown(test_unanswered_setup_is_survived, teardown),
	};

	return cmocka_run_group_tests_name("rollerd link", tests, NULL, NULL);
}
