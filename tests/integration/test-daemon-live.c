/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * rollerd against roller-sim on a private bus: connecting, a live session
 * whose summary equals what the roller stored, bluetoothd leaving and
 * coming back mid-session, a roller vanishing and reconnecting, several
 * rollers at once, and ten rollers each rolling a live session while
 * their stored sessions sync.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <signal.h>
#include <string.h>
#include <cmocka.h>

#include "tests/harness/test-daemon-util.h"

#define ROLLER2 "org.rollerd.Roller2"
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
	test_daemon_unsubscribe(td, sub);
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
	test_daemon_call_ok(td, td->roller_path, ROLLER2, "StartSession", g_variant_new("(s)", "thighs"));
	assert_true(test_bus_wait_until(got_strokes, &s, WAIT_MS));

	/* bluetoothd leaves the bus and comes back, forgetting the device. */
	kill(td->sim, SIGUSR1);
	assert_true(test_daemon_wait_property(td, td->roller_path, ROLLER2, "Connected",
					      "false", WAIT_MS));
	assert_true(test_daemon_wait_property(td, td->roller_path, ROLLER2, "Connected",
					      "true", WAIT_MS));
	/* The session went on in the roller; it ends by itself. */
	assert_true(test_daemon_wait_property(td, td->roller_path, ROLLER2, "Session",
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
	assert_true(test_daemon_wait_property(td, td->roller_path, ROLLER2, "Connected",
					      "false", WAIT_MS));
	assert_true(test_daemon_wait_property(td, td->roller_path, ROLLER2, "Connected",
					      "true", WAIT_MS));
	assert_true(test_daemon_wait_property(td, td->roller_path, ROLLER2, "State",
					      "'idle'", WAIT_MS));

	/* An explicit Disconnect is not undone. */
	test_daemon_call_ok(td, td->roller_path, ROLLER2, "Disconnect", NULL);
	assert_true(test_daemon_wait_property(td, td->roller_path, ROLLER2, "Connected",
					      "false", WAIT_MS));
	test_bus_run_for(2500);
	assert_true(test_daemon_wait_property(td, td->roller_path, ROLLER2, "Connected",
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
	ret = test_daemon_call(td, td->roller_path, ROLLER2, "Connect", NULL, &error);
	assert_null(ret);
	name = g_dbus_error_get_remote_error(error);
	assert_string_equal(name, "org.rollerd.Error.Failed");
	/* Asked once, the roller is wanted: the backoff retry connects it. */
	assert_true(test_daemon_wait_property(td, td->roller_path, ROLLER2, "Connected",
					      "true", WAIT_MS));
}

static void
test_services_resolved_before_objects(void **state)
{
	const char *sim_args[] = { "--fault-early-resolved", NULL };
	TestDaemon *td = *state = test_daemon_new(sim_args);

	test_daemon_discover(td, 1);
	test_daemon_connect(td);
	assert_true(test_daemon_wait_property(td, td->roller_path, ROLLER2, "GridColumns",
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

		test_daemon_call_ok(td, path, ROLLER2, "Connect", NULL);
	}
	for (gsize i = 0; i < G_N_ELEMENTS(addresses); i++) {
		g_autofree char *path = g_strconcat("/org/rollerd/roller/", addresses[i], NULL);

		assert_true(test_daemon_wait_property(td, path, ROLLER2, "StoredRecords",
						      "0", WAIT_MS));
		assert_true(test_daemon_wait_property(td, path, ROLLER2, "SyncState",
						      "'idle'", WAIT_MS));
	}
	rows = test_daemon_query(td, "{}");
	assert_int_equal(g_variant_n_children(rows), 6);
}

#define FLEET_SIZE 10
#define FLEET_STORED 3
#define FLEET_WAIT_MS 60000
/* Strokes each live session has rolled before it is stopped. */
#define FLEET_STROKES 20

typedef struct _Fleet Fleet;

typedef struct {
	Fleet *fleet;
	char *address;
	char *path;
	GError *error;		/* of the last call */
	guint strokes;
	guint sync_finished;
	guint last_stored;
	char *sync_error;
} FleetRoller;

struct _Fleet {
	TestDaemon *td;
	FleetRoller rollers[FLEET_SIZE];
	guint pending;
};

static void
on_fleet_reply(GObject *source, GAsyncResult *res, gpointer user_data)
{
	FleetRoller *r = user_data;
	g_autoptr(GVariant) ret = g_dbus_connection_call_finish(G_DBUS_CONNECTION(source),
								res, &r->error);

	r->fleet->pending--;
}

static gboolean
fleet_answered(gpointer user_data)
{
	Fleet *f = user_data;

	return f->pending == 0;
}

/* @method on every roller at once (@args may be NULL); each must succeed. */
static void
fleet_call(Fleet *f, const char *method, GVariant *args)
{
	if (args)
		g_variant_ref_sink(args);
	for (guint i = 0; i < FLEET_SIZE; i++) {
		FleetRoller *r = &f->rollers[i];

		g_clear_error(&r->error);
		f->pending++;
		g_dbus_connection_call(f->td->conn, "org.rollerd", r->path, ROLLER2, method, args,
				       NULL, G_DBUS_CALL_FLAGS_NONE, FLEET_WAIT_MS, NULL,
				       on_fleet_reply, r);
	}
	if (args)
		g_variant_unref(args);
	if (!test_bus_wait_until(fleet_answered, f, FLEET_WAIT_MS + 5000))
		fail_msg("%u rollers did not answer %s", f->pending, method);
	for (guint i = 0; i < FLEET_SIZE; i++) {
		if (f->rollers[i].error) {
			test_bus_dump_log(f->td->bus, "rollerd");
			fail_msg("%s on %s: %s", method, f->rollers[i].address,
				 f->rollers[i].error->message);
		}
	}
}

static void
fleet_wait_property(Fleet *f, const char *name, const char *expect, guint timeout_ms)
{
	for (guint i = 0; i < FLEET_SIZE; i++) {
		if (!test_daemon_wait_property(f->td, f->rollers[i].path, ROLLER2, name, expect,
					       timeout_ms))
			fail_msg("%s: %s is not %s", f->rollers[i].address, name, expect);
	}
}

/* Every roller's Session is its live one (@live) or none. */
static void
fleet_wait_session(Fleet *f, gboolean live, guint timeout_ms)
{
	for (guint i = 0; i < FLEET_SIZE; i++) {
		g_autofree char *expect = live ? g_strdup_printf("'%s/live'", f->rollers[i].path)
					       : g_strdup("'/'");

		if (!test_daemon_wait_property(f->td, f->rollers[i].path, ROLLER2, "Session",
					       expect, timeout_ms))
			fail_msg("%s: Session is not %s", f->rollers[i].address, expect);
	}
}

static void
on_fleet_signal(GDBusConnection *conn, const char *sender, const char *path,
		const char *iface, const char *name, GVariant *params, gpointer user_data)
{
	Fleet *f = user_data;

	for (guint i = 0; i < FLEET_SIZE; i++) {
		FleetRoller *r = &f->rollers[i];

		if (!g_str_equal(path, r->path))
			continue;
		if (g_str_equal(name, "Stroke")) {
			r->strokes++;
		} else if (g_str_equal(name, "SyncFinished")) {
			g_free(r->sync_error);
			g_variant_get(params, "(us)", &r->last_stored, &r->sync_error);
			r->sync_finished++;
		}
	}
}

static gboolean
fleet_rolled(gpointer user_data)
{
	Fleet *f = user_data;

	for (guint i = 0; i < FLEET_SIZE; i++) {
		if (f->rollers[i].strokes < FLEET_STROKES)
			return FALSE;
	}
	return TRUE;
}

static gboolean
fleet_synced(gpointer user_data)
{
	Fleet *f = user_data;

	for (guint i = 0; i < FLEET_SIZE; i++) {
		if (!f->rollers[i].sync_finished)
			return FALSE;
	}
	return TRUE;
}

/* Sync on every roller at once; each stores @stored sessions. */
static void
fleet_sync(Fleet *f, guint stored)
{
	for (guint i = 0; i < FLEET_SIZE; i++)
		f->rollers[i].sync_finished = 0;
	fleet_call(f, "Sync", NULL);
	if (!test_bus_wait_until(fleet_synced, f, FLEET_WAIT_MS)) {
		test_bus_dump_log(f->td->bus, "rollerd");
		fail_msg("not every roller finished its sync");
	}
	for (guint i = 0; i < FLEET_SIZE; i++) {
		FleetRoller *r = &f->rollers[i];

		if (r->sync_finished != 1 || *r->sync_error || r->last_stored != stored)
			fail_msg("%s: %u SyncFinished, the last storing %u (not %u): \"%s\"",
				 r->address, r->sync_finished, r->last_stored, stored,
				 r->sync_error);
	}
}

/* On the heap: after a failed assertion, replies still due may arrive. */
static Fleet *
fleet_new(TestDaemon *td)
{
	Fleet *f = g_new0(Fleet, 1);

	f->td = td;
	for (guint i = 0; i < FLEET_SIZE; i++) {
		f->rollers[i].fleet = f;
		f->rollers[i].address = g_strdup_printf("C0:52:4C:00:00:%02X", i + 1);
		f->rollers[i].path = g_strdup_printf("/org/rollerd/roller/C0_52_4C_00_00_%02X",
						     i + 1);
	}
	return f;
}

static void
fleet_free(Fleet *f)
{
	for (guint i = 0; i < FLEET_SIZE; i++) {
		g_free(f->rollers[i].address);
		g_free(f->rollers[i].path);
		g_clear_error(&f->rollers[i].error);
		g_free(f->rollers[i].sync_error);
	}
	g_free(f);
}

/*
 * Ten rollers connect at once and each rolls a live session; while those
 * run, every roller's stored sessions sync.  Then the sessions stop, and
 * a second sync brings each roller's record of its live session, which
 * merges with what rollerd saw: each roller's history is its ground
 * truth, every record exactly once.
 */
static void
test_ten_rollers_live_and_syncing(void **state)
{
	/* --session-seconds only bounds a run gone wrong: StopSession ends them. */
	const char *sim_args[] = { "--count=" G_STRINGIFY(FLEET_SIZE),
				   "--stored=" G_STRINGIFY(FLEET_STORED), "--speed=10",
				   "--session-seconds=1200", NULL };
	TestDaemon *td = *state = test_daemon_new(sim_args);
	g_autofree char *conf = g_build_filename(test_bus_get_dir(td->bus), "rollerd.conf", NULL);
	g_autofree char *conf_arg = g_strconcat("--config=", conf, NULL);
	const char *extra[] = { conf_arg, NULL };
	Fleet *f;
	g_autoptr(GError) error = NULL;
	g_autoptr(GVariant) rows = NULL;
	guint sub;

	/* The syncs are the test's to start, while the sessions run. */
	if (!g_file_set_contents(conf, "[Daemon]\nSyncOnConnect=false\n", -1, &error))
		fail_msg("%s", error->message);
	test_daemon_start_rollerd(td, extra);
	test_daemon_discover(td, FLEET_SIZE);
	f = fleet_new(td);
	sub = g_dbus_connection_signal_subscribe(td->conn, "org.rollerd", ROLLER2, NULL, NULL,
						 NULL, G_DBUS_SIGNAL_FLAGS_NONE, on_fleet_signal,
						 f, NULL);

	fleet_call(f, "WatchLive", NULL);
	fleet_call(f, "Connect", NULL);
	fleet_wait_property(f, "StoredRecords", G_STRINGIFY(FLEET_STORED), FLEET_WAIT_MS);
	fleet_call(f, "StartSession", g_variant_new("(s)", "thighs"));
	fleet_wait_session(f, TRUE, FLEET_WAIT_MS);

	fleet_sync(f, FLEET_STORED);
	/* Nothing ended a session: the syncs ran beside all ten, which go on. */
	fleet_wait_session(f, TRUE, 100);
	if (!test_bus_wait_until(fleet_rolled, f, FLEET_WAIT_MS))
		fail_msg("not every live session rolled %u strokes", FLEET_STROKES);

	fleet_call(f, "StopSession", NULL);
	fleet_wait_session(f, FALSE, FLEET_WAIT_MS);
	fleet_sync(f, 1);
	fleet_wait_property(f, "StoredRecords", "0", FLEET_WAIT_MS);

	for (guint i = 0; i < FLEET_SIZE; i++) {
		g_autoptr(GPtrArray) truth = test_daemon_truth_records(td, f->rollers[i].address);
		g_autoptr(GPtrArray) history = test_daemon_roller_history_lines(td,
										 f->rollers[i].address);

		assert_int_equal(truth->len, FLEET_STORED + 1);
		assert_int_equal(history->len, truth->len);
		for (guint j = 0; j < truth->len; j++)
			assert_string_equal(history->pdata[j], truth->pdata[j]);
	}
	rows = test_daemon_query(td, "{}");
	assert_int_equal(g_variant_n_children(rows), FLEET_SIZE * (FLEET_STORED + 1));
	g_dbus_connection_signal_unsubscribe(td->conn, sub);
	fleet_free(f);
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

/*
 * rollerd takes its bus name only once it knows BlueZ's adapters: the
 * first StartDiscovery of a caller that waited for the name succeeds.
 */
static void
test_discovery_right_after_start(void **state)
{
	TestDaemon *td = *state = test_daemon_new(NULL);
	g_autoptr(GError) error = NULL;
	g_autoptr(GVariant) ret = NULL;

	test_daemon_start_rollerd(td, NULL);
	ret = test_daemon_call(td, "/org/rollerd", "org.rollerd.Manager1", "StartDiscovery",
			       NULL, &error);
	if (!ret)
		fail_msg("StartDiscovery at once: %s", error->message);
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
		cmocka_unit_test_teardown(test_discovery_right_after_start, teardown),
		cmocka_unit_test_teardown(test_several_rollers, teardown),
		cmocka_unit_test_teardown(test_ten_rollers_live_and_syncing, teardown),
		cmocka_unit_test_teardown(test_dropped_notifications, teardown),
	};

	return cmocka_run_group_tests_name("rollerd live", tests, NULL, NULL);
}
