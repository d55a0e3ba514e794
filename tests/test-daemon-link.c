/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * rollerd's link to a roller, against roller-sim on a private bus: the
 * notification paths (AcquireNotify, the StartNotify it falls back to
 * when bluetoothd refuses, --no-acquire-notify), as the mock's
 * characteristics show them, and Battery Level notifications.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "roller-proto.h"
#include "test-daemon-util.h"

#define ROLLER1 "org.rollerd.Roller1"
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
	g_dbus_connection_signal_unsubscribe(td->conn, sub);
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
 * value to Roller1.Battery (rollerd reads it only when it connects).
 */
static void
test_battery_notification_updates_battery(void **state)
{
	const char *sim_args[] = { "--speed=20", "--session-seconds=100", NULL };
	TestDaemon *td = *state = test_daemon_new(sim_args);
	g_autoptr(GVariant) battery = NULL;

	test_daemon_discover(td, 1);
	test_daemon_connect(td);
	battery = test_daemon_get(td, td->roller_path, ROLLER1, "Battery");
	assert_int_equal(g_variant_get_byte(battery), 87);

	test_daemon_roll_session(td, "abdomen", 60000);
	assert_true(test_daemon_wait_property(td, td->roller_path, ROLLER1, "Battery",
					      "0x56", WAIT_MS));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_notify_acquired_by_default, teardown),
		cmocka_unit_test_teardown(test_acquire_refused_falls_back_to_start_notify,
					  teardown),
		cmocka_unit_test_teardown(test_no_acquire_notify, teardown),
		cmocka_unit_test_teardown(test_battery_notification_updates_battery, teardown),
	};

	return cmocka_run_group_tests_name("rollerd link", tests, NULL, NULL);
}
