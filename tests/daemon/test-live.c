/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * rd-live without a bus: Telemetry and Status fed in the order a roller's
 * notifications may arrive, the live Session1 and the history checked;
 * malformed frames counted for the session and the roller; LiveUpdate
 * evenly spaced, the session's last values included, and nothing sent
 * while nobody watches.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include <glib/gstdio.h>

#include "daemon/rd-config.h"
#include "daemon/live/rd-live.h"
#include "daemon/store/rd-store.h"
#include "test-live-util.h"

#define ROLLER_PATH "/org/rollerd/roller/C0_52_4C_00_00_01"
#define LIVE_PATH ROLLER_PATH "/live"

typedef struct {
	char *dir;
	RdContext ctx;
	RdConfig *config;
	RdDbusRoller2 *roller;
	RdLive *live;
	guint8 seq;
} Fixture;

static void
no_session_changed(gpointer owner, gint64 session_id)
{
}

static int
setup(void **state)
{
	Fixture *f = g_new0(Fixture, 1);
	g_autoptr(GError) error = NULL;
	g_autofree char *db = NULL;
	struct roller_info info = test_roller_info();

	f->dir = g_dir_make_tmp("test-live-XXXXXX", &error);
	assert_non_null(f->dir);
	db = g_build_filename(f->dir, "sessions.db", NULL);
	f->ctx.store = rd_store_open(db, &error);
	if (!f->ctx.store)
		fail_msg("%s", error->message);
	f->config = rd_config_new();
	f->ctx.config = f->config;
	f->ctx.object_manager = g_dbus_object_manager_server_new("/org/rollerd");
	f->ctx.session_changed = no_session_changed;
	f->roller = rd_dbus_roller2_skeleton_new();
	rd_dbus_roller2_set_session(f->roller, "/");
	f->live = rd_live_new(&f->ctx, f->roller, ROLLER_PATH);
	rd_live_set_roller_info(f->live, &info, "RL000001", "C0:52:4C:00:00:01");
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	Fixture *f = *state;
	g_autoptr(GDir) dir = NULL;
	const char *name;

	rd_live_free(f->live);
	g_object_unref(f->roller);
	g_object_unref(f->ctx.object_manager);
	rd_store_free(f->ctx.store);
	rd_config_free(f->config);
	/* The database and its journal files. */
	dir = g_dir_open(f->dir, 0, NULL);
	while (dir && (name = g_dir_read_name(dir))) {
		g_autofree char *path = g_build_filename(f->dir, name, NULL);

		g_remove(path);
	}
	g_rmdir(f->dir);
	g_free(f->dir);
	g_free(f);
	return 0;
}

/* One Telemetry frame of @session_id with a stroke ending at @t_ms (one a
 * second), into @buf. */
static gsize
make_stroke(Fixture *f, guint8 *buf, guint16 session_id, guint32 t_ms)
{
	struct roller_frame_writer w;
	struct roller_stroke s = {
		.t_end_ms = t_ms, .roll_count = (guint16)(t_ms / 1000), .length_mm = 40, .heading = 0,
		.zone = 0, .mean_force_cN = 300,
	};

	roller_frame_writer_init(&w, buf, ROLLER_FRAME_MAX_LEN, f->seq++, session_id, TRUE);
	assert_int_equal(roller_frame_add_stroke(&w, &s), ROLLER_OK);
	return roller_frame_writer_finish(&w);
}

static void
feed_stroke(Fixture *f, guint16 session_id, guint32 t_ms)
{
	guint8 buf[ROLLER_FRAME_MAX_LEN];

	rd_live_feed_telemetry(f->live, buf, make_stroke(f, buf, session_id, t_ms));
}

static void
feed_status(Fixture *f, guint8 state, guint16 session_id)
{
	struct roller_status st = { .state = state, .active_session_id = session_id };

	rd_live_feed_status(f->live, &st);
}

static void
assert_session_property(Fixture *f, const char *path)
{
	assert_string_equal(rd_dbus_roller2_get_session(f->roller), path);
}

/* Status ended the session: it ends once the frames still coming had time. */
static void
wait_session_ended(Fixture *f)
{
	gint64 deadline = g_get_monotonic_time() + 10 * G_USEC_PER_SEC;

	while (!g_str_equal(rd_dbus_roller2_get_session(f->roller), "/") &&
	       g_get_monotonic_time() < deadline)
		g_main_context_iteration(NULL, TRUE);
	assert_session_property(f, "/");
}

static guint
history_size(Fixture *f)
{
	RdSessionFilter filter = RD_SESSION_FILTER_INIT;
	g_autoptr(GPtrArray) rows = NULL;
	g_autoptr(GError) error = NULL;

	if (!rd_store_query_sessions(f->ctx.store, &filter, &rows, &error))
		fail_msg("%s", error->message);
	return rows->len;
}

static guint
stored_strokes(Fixture *f, guint index)
{
	RdSessionFilter filter = RD_SESSION_FILTER_INIT;
	g_autoptr(GPtrArray) rows = NULL;
	g_autoptr(GError) error = NULL;
	const RdSessionSummary *row;

	if (!rd_store_query_sessions(f->ctx.store, &filter, &rows, &error))
		fail_msg("%s", error->message);
	assert_true(index < rows->len);
	row = rows->pdata[index];
	return row->strokes;
}

/*
 * Status says idle before the session's last frames arrive (seen with the
 * real bluetoothd): those frames still count, the session is stored once,
 * and frames later still do not start it again.
 */
static void
test_late_frames_after_the_end(void **state)
{
	Fixture *f = *state;
	gint64 started;

	feed_stroke(f, 7, 1000);
	assert_session_property(f, LIVE_PATH);
	feed_stroke(f, 7, 2000);
	started = g_get_monotonic_time();
	feed_status(f, ROLLER_STATE_IDLE, 0);
	feed_stroke(f, 7, 3000);
	feed_status(f, ROLLER_STATE_IDLE, 0);	/* not a second grace */
	assert_session_property(f, LIVE_PATH);
	wait_session_ended(f);
	assert_true(g_get_monotonic_time() - started >= RD_LIVE_END_GRACE_MS * 1000);
	assert_int_equal(history_size(f), 1);
	assert_int_equal(stored_strokes(f, 0), 3);

	feed_stroke(f, 7, 4000);
	assert_session_property(f, "/");
	feed_status(f, ROLLER_STATE_IDLE, 0);
	assert_int_equal(history_size(f), 1);

	/* The next session is live as usual, and stored on its own. */
	feed_stroke(f, 8, 1000);
	assert_session_property(f, LIVE_PATH);
	feed_status(f, ROLLER_STATE_IDLE, 0);
	wait_session_ended(f);
	assert_int_equal(history_size(f), 2);
}

/* While the next session runs, a straggler of the last one does not end it. */
static void
test_straggler_during_the_next_session(void **state)
{
	Fixture *f = *state;

	feed_stroke(f, 7, 1000);
	feed_status(f, ROLLER_STATE_IDLE, 0);
	/* The next session's first frame ends the last one at once. */
	feed_stroke(f, 8, 1000);
	assert_session_property(f, LIVE_PATH);
	assert_int_equal(history_size(f), 1);
	feed_stroke(f, 7, 2000);
	assert_session_property(f, LIVE_PATH);
	assert_int_equal(history_size(f), 1);
	feed_stroke(f, 8, 2000);
	feed_status(f, ROLLER_STATE_IDLE, 0);
	wait_session_ended(f);
	assert_int_equal(history_size(f), 2);
}

static void
on_live_update(RdDbusRoller2 *roller, guint strokes, gdouble strokes_per_minute,
	       guint16 force_cn, guint16 force_mean_cn, guint16 in_band_permille,
	       GVariant *directions, GVariant *passes, guint duration_ms, gboolean paused,
	       guint frames, guint frames_lost, guint frames_rejected, guint *rejected)
{
	*rejected = frames_rejected;
}

static gboolean
roller_rejects_are(Fixture *f, const char *expect)
{
	gint64 deadline = g_get_monotonic_time() + 10 * G_USEC_PER_SEC;
	g_autofree char *last = NULL;

	while (g_get_monotonic_time() < deadline) {
		g_free(last);
		last = g_variant_print(rd_dbus_roller2_get_frames_rejected(f->roller), FALSE);
		if (g_str_equal(last, expect))
			return TRUE;
		g_main_context_iteration(NULL, FALSE);
		g_usleep(10000);
	}
	print_error("Roller2.FramesRejected is %s, not %s\n", last, expect);
	return FALSE;
}

/*
 * Malformed frames, whatever session they claim, start none, end none and
 * are counted: before the session, in it (LiveUpdate), and after it.
 */
static void
test_malformed_frames_counted(void **state)
{
	Fixture *f = *state;
	guint rejected = G_MAXUINT;
	guint8 buf[ROLLER_FRAME_MAX_LEN];
	gsize len;

	assert_true(roller_rejects_are(f, "{}"));
	rd_live_set_watched(f->live, TRUE);
	g_signal_connect(f->roller, "live-update", G_CALLBACK(on_live_update), &rejected);
	len = make_stroke(f, buf, 7, 500);
	buf[len - 1] ^= 0xff;
	rd_live_feed_telemetry(f->live, buf, len);
	assert_session_property(f, "/");

	feed_stroke(f, 7, 1000);
	assert_session_property(f, LIVE_PATH);
	assert_int_equal(rejected, 0);
	len = make_stroke(f, buf, 7, 1500);
	buf[0] = 0x21;
	rd_live_feed_telemetry(f->live, buf, len);
	/* The next update comes in its slot, a tenth of a second later. */
	while (rejected != 1)
		g_main_context_iteration(NULL, TRUE);
	assert_session_property(f, LIVE_PATH);

	feed_status(f, ROLLER_STATE_IDLE, 0);
	wait_session_ended(f);
	/* Not taken for a late frame of the session that ended. */
	len = make_stroke(f, buf, 7, 2000);
	buf[0] &= (guint8)~ROLLER_FRAME_FLAG_CRC;
	rd_live_feed_telemetry(f->live, buf, len - 3);
	assert_session_property(f, "/");
	assert_int_equal(history_size(f), 1);
	assert_true(roller_rejects_are(f, "{'VERSION': 1, 'CRC': 1, 'TRUNCATED': 1}"));
	g_signal_handlers_disconnect_by_data(f->roller, &rejected);
}

typedef struct {
	GArray *times;		/* gint64, of each LiveUpdate */
	guint strokes;		/* of the last one */
	guint frames;
	guint duration_ms;
	guint stroke_signals;
} Updates;

static void
on_update_seen(RdDbusRoller2 *roller, guint strokes, gdouble strokes_per_minute,
	       guint16 force_cn, guint16 force_mean_cn, guint16 in_band_permille,
	       GVariant *directions, GVariant *passes, guint duration_ms, gboolean paused,
	       guint frames, guint frames_lost, guint frames_rejected, Updates *u)
{
	gint64 now = g_get_monotonic_time();

	g_array_append_val(u->times, now);
	u->strokes = strokes;
	u->frames = frames;
	u->duration_ms = duration_ms;
}

static void
on_stroke_seen(RdDbusRoller2 *roller, guint t_end_ms, guint count, guint16 length_mm,
	       guint8 heading, guint8 direction, guint8 cell, guint16 mean_force_cn,
	       Updates *u)
{
	u->stroke_signals++;
}

/* Runs the main context for @ms. */
static void
run_for(guint ms)
{
	gint64 end = g_get_monotonic_time() + ms * 1000;

	while (g_get_monotonic_time() < end) {
		while (g_main_context_iteration(NULL, FALSE))
			;
		g_usleep(1000);
	}
}

/* The session's last frame: a stroke and SESSION_END. */
static void
feed_end(Fixture *f, guint16 session_id, guint32 t_ms)
{
	guint8 buf[ROLLER_FRAME_MAX_LEN];
	struct roller_frame_writer w;
	struct roller_stroke st = {
		.t_end_ms = t_ms, .roll_count = (guint16)(t_ms / 1000), .length_mm = 40,
		.mean_force_cN = 300,
	};
	struct roller_event end = { .t_ms = t_ms, .code = ROLLER_EVENT_SESSION_END };

	roller_frame_writer_init(&w, buf, ROLLER_FRAME_MAX_LEN, f->seq++, session_id, TRUE);
	assert_int_equal(roller_frame_add_stroke(&w, &st), ROLLER_OK);
	assert_int_equal(roller_frame_add_event(&w, &end), ROLLER_OK);
	rd_live_feed_telemetry(f->live, buf, roller_frame_writer_finish(&w));
}

/*
 * 100 frames a second, LiveUpdateMaxHz 10: the updates are a tenth of a
 * second apart or more (never a burst), and the last one, sent in its
 * slot after the session ended, has the session's final values.
 */
static void
test_updates_evenly_spaced(void **state)
{
	Fixture *f = *state;
	Updates u = { .times = g_array_new(FALSE, FALSE, sizeof(gint64)) };
	const guint n = 150;
	gint64 min_gap = G_MAXINT64, start;

	rd_live_set_watched(f->live, TRUE);
	start = g_get_monotonic_time();
	g_signal_connect(f->roller, "live-update", G_CALLBACK(on_update_seen), &u);
	/* One stroke a second of session time: the count moves every 100 frames. */
	for (guint i = 1; i <= n; i++) {
		feed_stroke(f, 7, i * 10);
		run_for(10);
	}
	feed_end(f, 7, (n + 1) * 10);
	assert_session_property(f, "/");
	run_for(300);
	g_signal_handlers_disconnect_by_data(f->roller, &u);

	for (guint i = 1; i < u.times->len; i++)
		min_gap = MIN(min_gap, g_array_index(u.times, gint64, i) -
				       g_array_index(u.times, gint64, i - 1));
	/* One update at once, then one a slot, however long the frames took. */
	assert_true(u.times->len >= 5);
	assert_true(u.times->len <= (g_get_monotonic_time() - start) / 100000 + 1);
	if (min_gap < 90000)
		fail_msg("two LiveUpdates %" G_GINT64_FORMAT " us apart", min_gap);
	/* The last update is the session's end: every frame, its last time. */
	assert_int_equal(u.frames, n + 1);
	assert_int_equal(u.duration_ms, (n + 1) * 10);
	assert_int_equal(u.strokes, stored_strokes(f, 0));
	g_array_unref(u.times);
}

/* Nobody watches: no LiveUpdate, no Stroke; the live Session1 still reads right. */
static void
test_nothing_sent_unwatched(void **state)
{
	Fixture *f = *state;
	Updates u = { .times = g_array_new(FALSE, FALSE, sizeof(gint64)) };
	g_autoptr(GVariant) props = NULL;
	GDBusInterfaceSkeleton *iface;
	GDBusObject *object;
	guint32 strokes = 0;

	g_signal_connect(f->roller, "live-update", G_CALLBACK(on_update_seen), &u);
	g_signal_connect(f->roller, "stroke", G_CALLBACK(on_stroke_seen), &u);
	for (guint i = 1; i <= 5; i++)
		feed_stroke(f, 7, i * 1000);
	run_for(300);
	assert_int_equal(u.times->len, 0);
	assert_int_equal(u.stroke_signals, 0);
	object = g_dbus_object_manager_get_object(G_DBUS_OBJECT_MANAGER(f->ctx.object_manager),
						  LIVE_PATH);
	assert_non_null(object);
	iface = G_DBUS_INTERFACE_SKELETON(
		g_dbus_object_get_interface(object, "org.rollerd.Session1"));
	props = g_dbus_interface_skeleton_get_properties(iface);
	assert_true(g_variant_lookup(props, "Strokes", "u", &strokes));
	assert_int_equal(strokes, 5);
	g_object_unref(iface);
	g_object_unref(object);

	/* A watcher gets the values at once, and the strokes from now on. */
	rd_live_set_watched(f->live, TRUE);
	assert_int_equal(u.times->len, 1);
	assert_int_equal(u.strokes, 5);
	feed_stroke(f, 7, 6000);
	assert_int_equal(u.stroke_signals, 1);
	rd_live_set_watched(f->live, FALSE);
	feed_stroke(f, 7, 7000);
	run_for(300);
	assert_int_equal(u.times->len, 1);
	assert_int_equal(u.stroke_signals, 1);
	g_signal_handlers_disconnect_by_data(f->roller, &u);
	g_array_unref(u.times);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_late_frames_after_the_end, setup, teardown),
		cmocka_unit_test_setup_teardown(test_straggler_during_the_next_session, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_malformed_frames_counted, setup, teardown),
		cmocka_unit_test_setup_teardown(test_updates_evenly_spaced, setup, teardown),
		cmocka_unit_test_setup_teardown(test_nothing_sent_unwatched, setup, teardown),
	};

	return cmocka_run_group_tests_name("rd-live", tests, NULL, NULL);
}
