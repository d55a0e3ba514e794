/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * rollerd against roller-sim on a private bus: connecting, a live session
 * whose summary equals what the roller stored, bluetoothd leaving and
 * coming back mid-session, a roller vanishing and reconnecting, several
 * rollers at once.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <signal.h>
#include <string.h>
#include <cmocka.h>

#include "test-daemon-util.h"

#define ROLLER1 "org.rollerd.Roller1"
#define WAIT_MS 20000

static int
teardown(void **state)
{
	return test_daemon_free(*state);
}

static void
test_live_session_equals_the_stored_record(void **state)
{
	const char *sim_args[] = { "--speed=10", "--session-seconds=30", NULL };
	TestDaemon *td = *state = test_daemon_new(sim_args);
	g_autoptr(GPtrArray) truth = NULL, live = NULL, merged = NULL;
	g_autoptr(GVariant) rows = NULL;
	TestRollerSignals s = { 0 };
	double seconds;
	gint64 start_us;
	guint sub;

	test_daemon_discover(td, 1);
	sub = test_daemon_subscribe(td, &s);
	test_daemon_connect(td);
	start_us = g_get_monotonic_time();
	test_daemon_roll_session(td, "abdomen", 60000);
	seconds = (double)(g_get_monotonic_time() - start_us) / G_USEC_PER_SEC;
	test_bus_run_for(200);	/* the last signals */

	truth = test_daemon_truth_records(td, "C0:52:4C:00:00:01");
	assert_int_equal(truth->len, 1);
	live = test_daemon_history_lines(td);
	assert_int_equal(live->len, 1);
	assert_string_equal(live->pdata[0], truth->pdata[0]);

	/*
	 * Every stroke was signalled; updates came at most 10 a second (their
	 * arrival times here are bunched by the blocking calls above, so the
	 * rate is checked over the whole session).
	 */
	assert_non_null(strstr(truth->pdata[0], " rolls="));
	assert_int_equal(s.strokes, g_ascii_strtoull(strstr(truth->pdata[0], " rolls=") + 7,
						     NULL, 10));
	assert_true(s.live_updates > 2);
	assert_true(s.live_updates <= seconds * 10 + 2);

	/* Synced, the record joins the live half: one session, source both. */
	test_daemon_sync_and_wait(td, &s, WAIT_MS);
	assert_int_equal(s.last_stored, 1);
	merged = test_daemon_history_lines(td);
	assert_int_equal(merged->len, 1);
	assert_string_equal(merged->pdata[0], truth->pdata[0]);
	rows = test_daemon_query(td, "{}");
	assert_int_equal(g_variant_n_children(rows), 1);
	{
		g_autoptr(GVariant) row = g_variant_get_child_value(rows, 0);
		const char *source;

		assert_true(g_variant_lookup(row, "source", "&s", &source));
		assert_string_equal(source, "both");
	}
	g_dbus_connection_signal_unsubscribe(td->conn, sub);
}

static gboolean
got_strokes(gpointer user_data)
{
	TestRollerSignals *s = user_data;

	return s->strokes >= 5;
}

static void
test_bluetoothd_restarts_mid_session(void **state)
{
	const char *sim_args[] = { "--speed=5", "--session-seconds=60", NULL };
	TestDaemon *td = *state = test_daemon_new(sim_args);
	g_autofree char *live = NULL;
	g_autoptr(GPtrArray) truth = NULL, history = NULL;
	TestRollerSignals s = { 0 };

	test_daemon_discover(td, 1);
	test_daemon_subscribe(td, &s);
	test_daemon_connect(td);
	live = g_strdup_printf("'%s/live'", td->roller_path);
	test_daemon_call_ok(td, td->roller_path, ROLLER1, "StartSession", g_variant_new("(s)", "thighs"));
	assert_true(test_bus_wait_until(got_strokes, &s, WAIT_MS));

	/* bluetoothd leaves the bus and comes back, forgetting the device. */
	kill(td->sim, SIGUSR1);
	assert_true(test_daemon_wait_property(td, td->roller_path, ROLLER1, "Connected",
					      "false", WAIT_MS));
	assert_true(test_daemon_wait_property(td, td->roller_path, ROLLER1, "Connected",
					      "true", WAIT_MS));
	/* The session went on in the roller; it ends by itself. */
	assert_true(test_daemon_wait_property(td, td->roller_path, ROLLER1, "Session",
					      "'/'", 60000));
	test_daemon_sync_and_wait(td, &s, WAIT_MS);

	truth = test_daemon_truth_records(td, "C0:52:4C:00:00:01");
	history = test_daemon_history_lines(td);
	assert_int_equal(truth->len, 1);
	assert_int_equal(history->len, 1);
	assert_string_equal(history->pdata[0], truth->pdata[0]);
}

static void
test_roller_vanishes_and_reconnects(void **state)
{
	TestDaemon *td = *state = test_daemon_new(NULL);
	g_autoptr(GError) error = NULL;
	g_autoptr(GVariant) ret = NULL;

	test_daemon_discover(td, 1);
	test_daemon_connect(td);
	ret = test_daemon_sim_call(td, "DisconnectDevice",
				   g_variant_new("(s)", "C0:52:4C:00:00:01"), &error);
	if (!ret)
		fail_msg("DisconnectDevice: %s", error->message);
	assert_true(test_daemon_wait_property(td, td->roller_path, ROLLER1, "Connected",
					      "false", WAIT_MS));
	assert_true(test_daemon_wait_property(td, td->roller_path, ROLLER1, "Connected",
					      "true", WAIT_MS));
	assert_true(test_daemon_wait_property(td, td->roller_path, ROLLER1, "State",
					      "'idle'", WAIT_MS));

	/* An explicit Disconnect is not undone. */
	test_daemon_call_ok(td, td->roller_path, ROLLER1, "Disconnect", NULL);
	assert_true(test_daemon_wait_property(td, td->roller_path, ROLLER1, "Connected",
					      "false", WAIT_MS));
	test_bus_run_for(2500);
	assert_true(test_daemon_wait_property(td, td->roller_path, ROLLER1, "Connected",
					      "false", 100));
}

static void
test_connect_refused_once_then_retried(void **state)
{
	const char *sim_args[] = { "--fault-refuse-connect", NULL };
	TestDaemon *td = *state = test_daemon_new(sim_args);
	g_autoptr(GError) error = NULL;
	g_autoptr(GVariant) ret = NULL;
	g_autofree char *name = NULL;

	test_daemon_discover(td, 1);
	ret = test_daemon_call(td, td->roller_path, ROLLER1, "Connect", NULL, &error);
	assert_null(ret);
	name = g_dbus_error_get_remote_error(error);
	assert_string_equal(name, "org.rollerd.Error.Failed");
	/* Asked once, the roller is wanted: the backoff retry connects it. */
	assert_true(test_daemon_wait_property(td, td->roller_path, ROLLER1, "Connected",
					      "true", WAIT_MS));
}

static void
test_services_resolved_before_objects(void **state)
{
	const char *sim_args[] = { "--fault-early-resolved", NULL };
	TestDaemon *td = *state = test_daemon_new(sim_args);

	test_daemon_discover(td, 1);
	test_daemon_connect(td);
	assert_true(test_daemon_wait_property(td, td->roller_path, ROLLER1, "GridColumns",
					      "0x0a", WAIT_MS));
}

static void
test_several_rollers(void **state)
{
	const char *sim_args[] = { "--count=3", "--stored=2", NULL };
	TestDaemon *td = *state = test_daemon_new(sim_args);
	const char *addresses[] = { "C0_52_4C_00_00_01", "C0_52_4C_00_00_02",
				    "C0_52_4C_00_00_03" };
	g_autoptr(GVariant) rows = NULL;

	test_daemon_discover(td, 3);
	for (gsize i = 0; i < G_N_ELEMENTS(addresses); i++) {
		g_autofree char *path = g_strconcat("/org/rollerd/roller/", addresses[i], NULL);

		test_daemon_call_ok(td, path, ROLLER1, "Connect", NULL);
	}
	for (gsize i = 0; i < G_N_ELEMENTS(addresses); i++) {
		g_autofree char *path = g_strconcat("/org/rollerd/roller/", addresses[i], NULL);

		assert_true(test_daemon_wait_property(td, path, ROLLER1, "StoredRecords",
						      "0", WAIT_MS));
		assert_true(test_daemon_wait_property(td, path, ROLLER1, "SyncState",
						      "'idle'", WAIT_MS));
	}
	rows = test_daemon_query(td, "{}");
	assert_int_equal(g_variant_n_children(rows), 6);
}

static gboolean
got_lost_frames(gpointer user_data)
{
	TestRollerSignals *s = user_data;

	return s->frames_lost > 0;
}

/*
 * 5% of the notifications dropped: lost frames are counted, the coverage
 * comes back from COVERAGE snapshots, and after sync the session equals
 * the roller's record exactly.
 */
static void
test_dropped_notifications(void **state)
{
	const char *sim_args[] = { "--speed=10", "--session-seconds=120",
				   "--fault-drop-notify=5", NULL };
	TestDaemon *td = *state = test_daemon_new(sim_args);
	g_autoptr(GPtrArray) truth = NULL, history = NULL;
	TestRollerSignals s = { 0 };

	test_daemon_discover(td, 1);
	test_daemon_subscribe(td, &s);
	test_daemon_connect(td);
	test_daemon_roll_session(td, "back", 60000);
	test_bus_run_for(200);
	assert_true(test_bus_wait_until(got_lost_frames, &s, 1000));

	truth = test_daemon_truth_records(td, "C0:52:4C:00:00:01");
	history = test_daemon_history_lines(td);
	assert_int_equal(truth->len, 1);
	assert_int_equal(history->len, 1);
	/* The last COVERAGE resynchronised the cells, whatever was lost. */
	assert_string_equal(strstr(history->pdata[0], "| coverage"),
			    strstr(truth->pdata[0], "| coverage"));
	test_daemon_sync_and_wait(td, &s, WAIT_MS);
	assert_int_equal(s.last_stored, 1);
	g_clear_pointer(&history, g_ptr_array_unref);
	history = test_daemon_history_lines(td);
	assert_int_equal(history->len, 1);
	assert_string_equal(history->pdata[0], truth->pdata[0]);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_live_session_equals_the_stored_record, teardown),
		cmocka_unit_test_teardown(test_bluetoothd_restarts_mid_session, teardown),
		cmocka_unit_test_teardown(test_roller_vanishes_and_reconnects, teardown),
		cmocka_unit_test_teardown(test_connect_refused_once_then_retried, teardown),
		cmocka_unit_test_teardown(test_services_resolved_before_objects, teardown),
		cmocka_unit_test_teardown(test_several_rollers, teardown),
		cmocka_unit_test_teardown(test_dropped_notifications, teardown),
	};

	return cmocka_run_group_tests_name("rollerd live", tests, NULL, NULL);
}
