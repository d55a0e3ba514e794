/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * rollerd and roller-sim --peripheral through the real bluetoothd and the
 * kernel's Bluetooth stack: run inside the VM of tests/vm/check-vm.sh,
 * where btvirt gives two LE controllers sharing one virtual air.  The
 * same assertions as the mock-based tests: every stored record synced
 * exactly once and deleted from the roller after commit, a live session
 * equal to roller-sim's ground truth, the roller's GATT server restarting
 * with the link up, and a reconnect after roller-sim restarts.  The tests
 * run in order on one roller and one rollerd.
 */
#include "config.h"

#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "tests/harness/test-daemon-util.h"

#define ROLLER2 "org.rollerd.Roller2"
/* Generous: under TCG every process starts slowly. */
#define WAIT_MS 60000
#define SIM_ADDRESS "C0:52:4C:00:00:01"	/* roller-sim's name for its truth */
#define STORED 3

static const char *const sim_args[] = {
	"--stored=3", "--speed=10", "--session-seconds=40", NULL
};

typedef struct {
	TestDaemon *td;
	TestRollerSignals signals;
	guint subscription;
} VmTest;

static gboolean
controllers_present(gpointer user_data)
{
	GDBusConnection *conn = user_data;
	const char *paths[] = { "/org/bluez/hci0", "/org/bluez/hci1" };

	for (gsize i = 0; i < G_N_ELEMENTS(paths); i++) {
		g_autoptr(GVariant) ret =
			g_dbus_connection_call_sync(conn, "org.bluez", paths[i],
						    "org.freedesktop.DBus.Properties", "Get",
						    g_variant_new("(ss)", "org.bluez.Adapter1",
								  "Address"),
						    G_VARIANT_TYPE("(v)"), G_DBUS_CALL_FLAGS_NONE,
						    5000, NULL, NULL);
		if (!ret) {
			g_usleep(100000);
			return FALSE;
		}
	}
	return TRUE;
}

static int
group_setup(void **state)
{
	g_autoptr(GDBusConnection) conn = g_bus_get_sync(G_BUS_TYPE_SYSTEM, NULL, NULL);
	VmTest *t;

	/* btvirt once registered only one controller, after 94 s: say so. */
	if (!conn || !test_bus_wait_until(controllers_present, conn, WAIT_MS)) {
		fprintf(stderr, "bluetoothd does not show two controllers (hci0, hci1)\n");
		return -1;
	}
	t = g_new0(VmTest, 1);
	t->td = test_daemon_new_real_bluez("hci1", sim_args);
	*state = t;
	return 0;
}

static int
group_teardown(void **state)
{
	VmTest *t = *state;
	int ret;

	if (!t)
		return 0;
	if (t->subscription)
		g_dbus_connection_signal_unsubscribe(t->td->conn, t->subscription);
	ret = test_daemon_free(t->td);
	g_free(t);
	return ret;
}

static void
assert_history_is_truth(TestDaemon *td, guint expect)
{
	g_autoptr(GPtrArray) truth = test_daemon_truth_records(td, SIM_ADDRESS);
	g_autoptr(GPtrArray) history = test_daemon_history_lines(td);

	assert_int_equal(truth->len, expect);
	assert_int_equal(history->len, expect);
	for (guint i = 0; i < expect; i++)
		assert_string_equal(history->pdata[i], truth->pdata[i]);
}

/*
 * StoredRecords follows the roller's Status notification, which its
 * DELETE_RECORDS sends on its own: it can come after SyncFinished (seen
 * with EATT off, one bearer), so wait for it.
 */
static gboolean
stored_records_become_zero(TestDaemon *td)
{
	return test_daemon_wait_property(td, td->roller_path, ROLLER2, "StoredRecords", "0",
					 WAIT_MS);
}

/* Found through the real discovery; connecting syncs what it stored. */
static void
test_discover_connect_and_sync_stored(void **state)
{
	VmTest *t = *state;
	TestDaemon *td = t->td;

	test_daemon_discover(td, 1);
	t->subscription = test_daemon_subscribe(td, &t->signals);
	test_daemon_connect(td);
	assert_true(test_daemon_wait_property(td, td->roller_path, ROLLER2, "State",
					      "'idle'", WAIT_MS));
	assert_true(test_daemon_wait_property(td, td->roller_path, ROLLER2, "SyncState",
					      "'idle'", WAIT_MS));
	assert_history_is_truth(td, STORED);
	/* Deleted from the roller only once committed, and so all gone now. */
	assert_true(test_daemon_wait_property(td, td->roller_path, ROLLER2, "StoredRecords",
					      "0", WAIT_MS));

	/* Synced again, nothing is stored twice. */
	test_daemon_sync_and_wait(td, &t->signals, WAIT_MS);
	assert_int_equal(t->signals.last_stored, 0);
	assert_history_is_truth(td, STORED);
}

/* Telemetry through AcquireNotify over the virtual air. */
static void
test_live_session_equals_the_stored_record(void **state)
{
	VmTest *t = *state;
	TestDaemon *td = t->td;
	g_autoptr(GPtrArray) truth = NULL, history = NULL;
	guint strokes_before = t->signals.strokes;
	const char *rolls;

	assert_non_null(td->roller_path);
	test_daemon_roll_session(td, "abdomen", WAIT_MS);
	test_bus_run_for(500);	/* the last signals */

	truth = test_daemon_truth_records(td, SIM_ADDRESS);
	history = test_daemon_history_lines(td);
	assert_int_equal(truth->len, STORED + 1);
	assert_int_equal(history->len, STORED + 1);
	assert_string_equal(history->pdata[STORED], truth->pdata[STORED]);
	rolls = strstr(truth->pdata[STORED], " rolls=");
	assert_non_null(rolls);
	assert_int_equal(t->signals.strokes - strokes_before,
			 g_ascii_strtoull(rolls + strlen(" rolls="), NULL, 10));

	test_daemon_sync_and_wait(td, &t->signals, WAIT_MS);
	assert_int_equal(t->signals.last_stored, 1);
	assert_history_is_truth(td, STORED + 1);
	assert_true(stored_records_become_zero(td));
}

static char *
bluetoothd_owner(TestDaemon *td)
{
	g_autoptr(GVariant) ret = g_dbus_connection_call_sync(
		td->conn, "org.freedesktop.DBus", "/org/freedesktop/DBus",
		"org.freedesktop.DBus", "GetNameOwner", g_variant_new("(s)", "org.bluez"),
		G_VARIANT_TYPE("(s)"), G_DBUS_CALL_FLAGS_NONE, -1, NULL, NULL);
	char *owner = NULL;

	if (ret)
		g_variant_get(ret, "(s)", &owner);
	return owner;
}

/*
 * roller-sim restarts its GATT server with the link up (SIGUSR1: its
 * application goes and comes back, bluetoothd sends Service Changed).
 * rollerd sets the roller up again over the same link; bluetoothd lives
 * through it (an unsubscribe while the services went crashed it,
 * bluez/bluez#363); a session afterwards is seen live and synced.
 */
static void
test_gatt_restart_with_link_up(void **state)
{
	VmTest *t = *state;
	TestDaemon *td = t->td;
	guint strokes_before = t->signals.strokes;
	const char *went = "its GATT services went away with the link up";
	guint went_before = test_daemon_log_count(td, "rollerd", went);
	guint lost_before = test_daemon_log_count(td, "rollerd", "link lost");
	g_autofree char *owner = bluetoothd_owner(td);
	g_autofree char *owner_after = NULL;

	assert_non_null(td->roller_path);
	assert_non_null(owner);
	assert_int_equal(kill(td->sim, SIGUSR1), 0);
	assert_true(test_daemon_wait_log(td, "rollerd", went, went_before, WAIT_MS));
	assert_true(test_daemon_wait_property(td, td->roller_path, ROLLER2, "State",
					      "'idle'", WAIT_MS));
	assert_true(test_daemon_wait_property(td, td->roller_path, ROLLER2, "SyncState",
					      "'idle'", WAIT_MS));
	/* Over the link it had: never lost, never connected again. */
	assert_int_equal(test_daemon_log_count(td, "rollerd", "link lost"), lost_before);

	test_daemon_roll_session(td, "face", WAIT_MS);
	test_bus_run_for(500);	/* the last signals */
	assert_true(t->signals.strokes > strokes_before);
	test_daemon_sync_and_wait(td, &t->signals, WAIT_MS);
	assert_int_equal(t->signals.last_stored, 1);
	assert_history_is_truth(td, STORED + 2);
	/* The same bluetoothd throughout. */
	owner_after = bluetoothd_owner(td);
	assert_string_equal(owner_after, owner);
}

/* roller-sim restarts: the link drops, rollerd reconnects by itself. */
static void
test_reconnect_after_roller_sim_restarts(void **state)
{
	VmTest *t = *state;
	TestDaemon *td = t->td;
	/* A restarted roller-sim begins its ground truth anew. */
	g_autoptr(GPtrArray) before = test_daemon_truth_records(td, SIM_ADDRESS);
	g_autoptr(GPtrArray) after = NULL, history = NULL;

	assert_non_null(td->roller_path);
	test_bus_stop(td->bus, td->sim);
	td->sim = 0;
	assert_true(test_daemon_wait_property(td, td->roller_path, ROLLER2, "Connected",
					      "false", WAIT_MS));
	test_daemon_start_sim(td, sim_args);
	assert_true(test_daemon_wait_property(td, td->roller_path, ROLLER2, "Connected",
					      "true", WAIT_MS));
	assert_true(test_daemon_wait_property(td, td->roller_path, ROLLER2, "State",
					      "'idle'", WAIT_MS));
	/* The sync on connect, with nothing to store, is over. */
	assert_true(test_daemon_wait_property(td, td->roller_path, ROLLER2, "SyncState",
					      "'idle'", WAIT_MS));

	test_daemon_roll_session(td, "thighs", WAIT_MS);
	test_daemon_sync_and_wait(td, &t->signals, WAIT_MS);
	assert_int_equal(t->signals.last_stored, 1);
	assert_true(stored_records_become_zero(td));

	after = test_daemon_truth_records(td, SIM_ADDRESS);
	history = test_daemon_history_lines(td);
	assert_int_equal(before->len, STORED + 2);
	assert_int_equal(after->len, 1);
	assert_int_equal(history->len, STORED + 3);
	for (guint i = 0; i < before->len; i++)
		assert_string_equal(history->pdata[i], before->pdata[i]);
	assert_string_equal(history->pdata[STORED + 2], after->pdata[0]);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_discover_connect_and_sync_stored),
		cmocka_unit_test(test_live_session_equals_the_stored_record),
		cmocka_unit_test(test_gatt_restart_with_link_up),
		cmocka_unit_test(test_reconnect_after_roller_sim_restarts),
	};

	return cmocka_run_group_tests_name("rollerd through the real bluetoothd", tests,
					   group_setup, group_teardown);
}
