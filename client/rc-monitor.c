/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * rollerctl monitor: a live session, full screen (ncurses) on a terminal,
 * one plain line (or JSON record) per update otherwise.
 *
 * The updates come from the roller's live stream (Roller2.AcquireLiveStream):
 * every Telemetry frame rollerd applied, so that every force sample can be
 * drawn, with no D-Bus message per update.  There is no fallback to the
 * LiveUpdate signal: rollerd and rollerctl ship together, and the signal
 * carries one sample per update, the very fault this view exists to fix,
 * so an older rollerd gets a clear error instead.  Alerts are D-Bus
 * signals, sent whether anyone watches or not.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <glib-unix.h>

#include "rc-monitor.h"
#include "rc-monitor-private.h"

/* A stored session older than this before the end is another one. */
#define STORED_SLACK_S 300

static void rc_monitor_acquire(RcMonitor *m);

static void
alert_free(gpointer p)
{
	RcMonitorAlert *a = p;

	g_free(a->kind);
	g_free(a->message);
	g_free(a);
}

static void
new_session(RcMonitor *m)
{
	rc_force_view_clear(m->force);
	m->ended = FALSE;
	m->stored_id = 0;
	m->dropped = 0;
	m->cols = m->rows = 0;
	memset(m->passes, 0, sizeof(m->passes));
	m->have_roll = FALSE;
	g_ptr_array_set_size(m->alerts, 0);
	g_hash_table_remove_all(m->alerts_seen);
}

/* Coverage as rollerd counts it: the roller's, with the strokes since. */
static void
apply_stroke(RcMonitor *m, const struct roller_stroke *st)
{
	guint16 d = (guint16)(st->roll_count - m->last_roll);

	/* The same count again, or an older one: not a new stroke. */
	if (m->have_roll && (d == 0 || d >= 0x8000))
		return;
	m->have_roll = TRUE;
	m->last_roll = st->roll_count;
	if (st->zone < (guint)m->cols * m->rows && m->passes[st->zone] < G_MAXUINT8)
		m->passes[st->zone]++;
}

static void
apply_frame(RcMonitor *m, const struct roller_frame *frame, gboolean paused)
{
	struct roller_frame_iter iter;
	struct roller_record rec;

	roller_frame_iter_init(&iter, frame);
	while (roller_frame_iter_next(&iter, &rec)) {
		switch (rec.type) {
		case ROLLER_RECORD_FORCE:
			rc_force_view_add(m->force, &rec.u.force, paused);
			break;
		case ROLLER_RECORD_STROKE:
			apply_stroke(m, &rec.u.stroke);
			break;
		case ROLLER_RECORD_COVERAGE:
			m->cols = rec.u.coverage.cols;
			m->rows = rec.u.coverage.rows;
			memset(m->passes, 0, sizeof(m->passes));
			memcpy(m->passes, rec.u.coverage.passes, (gsize)m->cols * m->rows);
			break;
		default:
			break;
		}
	}
}

static void
show_end(RcMonitor *m)
{
	if (m->tty)
		rc_monitor_screen_draw(m);
	else
		rc_monitor_print_end(m);
	if (m->exit_at_end)
		g_main_loop_quit(m->loop);
}

/* The session's row in the history: its record id, started not long before its end. */
static guint64
find_stored(GVariant *rows, guint16 record_id, guint32 duration_ms)
{
	gint64 earliest = g_get_real_time() / G_USEC_PER_SEC - duration_ms / 1000 - STORED_SLACK_S;
	GVariantIter iter;
	GVariant *row;

	g_variant_iter_init(&iter, rows);
	while ((row = g_variant_iter_next_value(&iter))) {
		guint16 rid = 0;
		gint64 start = 0;
		guint64 id = 0;

		g_variant_lookup(row, "record_id", "q", &rid);
		g_variant_lookup(row, "start", "x", &start);
		g_variant_lookup(row, "id", "t", &id);
		g_variant_unref(row);
		if (rid == record_id && start >= earliest)
			return id;
	}
	return 0;
}

static void
on_stored(GObject *source, GAsyncResult *result, gpointer user_data)
{
	RcMonitor *m = user_data;
	g_autoptr(GVariant) rows = NULL;
	g_autoptr(GError) error = NULL;

	if (!rd_dbus_manager1_call_query_sessions_finish(RD_DBUS_MANAGER1(source), &rows,
							 result, &error) &&
	    g_error_matches(error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
		return;
	if (rows)
		m->stored_id = find_stored(rows, m->last.session_id, m->last.duration_ms);
	show_end(m);
}

/*
 * The live Session1's Id changes to the stored id just before the object
 * goes away, too late to be read; so the history is asked.  rollerd stores
 * the session before it handles this call, and its last Alerts were sent
 * before this reply, so they are shown before the end.
 */
static void
end_session(RcMonitor *m)
{
	GVariantBuilder filter;

	m->ended = TRUE;
	g_variant_builder_init(&filter, G_VARIANT_TYPE_VARDICT);
	g_variant_builder_add(&filter, "{sv}", "roller",
			      g_variant_new_string(rd_dbus_roller2_get_address(m->roller)));
	g_variant_builder_add(&filter, "{sv}", "limit", g_variant_new_uint32(8));
	rd_dbus_manager1_call_query_sessions(m->manager, g_variant_builder_end(&filter),
					     G_DBUS_CALL_FLAGS_NONE, -1, m->cancellable,
					     on_stored, m);
}

static void
on_packet(const RdLivePacket *packet, const struct roller_frame *frame, gpointer user_data)
{
	RcMonitor *m = user_data;

	if (!m->have_packet || m->ended || packet->session_id != m->last.session_id)
		new_session(m);
	m->have_packet = TRUE;
	m->seen_session = TRUE;
	m->last = *packet;
	m->last.frame = NULL;
	m->last.frame_len = 0;
	m->dropped += packet->dropped;
	if (!frame) {
		end_session(m);
		return;
	}
	apply_frame(m, frame, (packet->flags & RD_LIVE_PACKET_PAUSED) != 0);
	if (m->tty)
		rc_monitor_screen_queue_draw(m);
	else
		rc_monitor_print_update(m, frame);
}

static gboolean
on_reacquire(gpointer user_data)
{
	RcMonitor *m = user_data;

	m->reacquire = 0;
	rc_monitor_acquire(m);
	return G_SOURCE_REMOVE;
}

static void
on_closed(gpointer user_data)
{
	RcMonitor *m = user_data;

	g_clear_pointer(&m->stream, rc_live_stream_free);
	/* Not at once: a stream that rollerd closes again must not make a busy loop. */
	if (rd_dbus_roller2_get_connected(m->roller))
		m->reacquire = g_timeout_add_seconds(1, on_reacquire, m);
	else
		m->waiting_connect = TRUE;
}

static void
rc_monitor_acquire(RcMonitor *m)
{
	static const RcLiveStreamCallbacks callbacks = { on_packet, on_closed };
	g_autoptr(GError) error = NULL;
	g_autofree char *remote = NULL;

	m->waiting_connect = FALSE;
	if ((m->stream = rc_live_stream_acquire(m->roller, &callbacks, m, &error)))
		return;
	remote = g_dbus_error_get_remote_error(error);
	if (g_strcmp0(remote, "org.rollerd.Error.NotConnected") == 0) {
		m->waiting_connect = TRUE;
		return;
	}
	if (g_error_matches(error, G_DBUS_ERROR, G_DBUS_ERROR_UNKNOWN_METHOD)) {
		g_printerr("rollerctl monitor: rollerd is older than rollerctl and has no live "
			   "stream; install the rollerd of rollerctl's release (%s)\n", PACKAGE_VERSION);
		m->exit_code = RC_EXIT_FAILURE;
	} else {
		m->exit_code = rc_print_error("monitor", error);
	}
	g_main_loop_quit(m->loop);
}

static void
on_alert(RdDbusRoller2 *roller, const char *kind, const char *message, RcMonitor *m)
{
	g_autofree char *key = g_strdup_printf("%s\n%s", kind, message);
	RcMonitorAlert *a;

	if (g_hash_table_contains(m->alerts_seen, key)) {
		if (!m->tty)
			return;
		/* Shown once, moved to the newest place. */
		for (guint i = 0; i < m->alerts->len; i++) {
			a = m->alerts->pdata[i];
			if (g_str_equal(a->kind, kind) && g_str_equal(a->message, message)) {
				g_ptr_array_remove_index(m->alerts, i);
				break;
			}
		}
	} else {
		g_hash_table_add(m->alerts_seen, g_steal_pointer(&key));
	}
	a = g_new0(RcMonitorAlert, 1);
	a->kind = g_strdup(kind);
	a->message = g_strdup(message);
	if (m->alerts->len == RC_MONITOR_ALERTS_KEPT)
		g_ptr_array_remove_index(m->alerts, 0);
	g_ptr_array_add(m->alerts, a);
	if (m->tty)
		rc_monitor_screen_draw(m);
	else
		rc_monitor_print_alert(m, a);
}

static void
on_properties(GDBusProxy *proxy, GVariant *changed, GStrv invalidated, RcMonitor *m)
{
	gboolean connected;
	const char *session;

	if (g_variant_lookup(changed, "Connected", "b", &connected) && connected &&
	    m->waiting_connect)
		rc_monitor_acquire(m);
	if (!g_variant_lookup(changed, "Session", "&o", &session) || !g_str_equal(session, "/") ||
	    !m->seen_session)
		return;
	/*
	 * The session's object went away.  Its END packet was written before,
	 * but may not have been read yet; if the stream lost it, the last
	 * values stand for it.
	 */
	if (m->stream)
		rc_live_stream_drain(m->stream);
	if (m->have_packet && !m->ended)
		end_session(m);
	else if (!m->have_packet && m->exit_at_end)
		g_main_loop_quit(m->loop);
}

static gboolean
on_quit(gpointer user_data)
{
	g_main_loop_quit(((RcMonitor *)user_data)->loop);
	return G_SOURCE_CONTINUE;
}

int
rc_cmd_monitor(const struct rc_globals *globals, int argc, char **argv)
{
	gboolean until_end = FALSE;
	const GOptionEntry entries[] = {
		{ "exit-at-end", 0, 0, G_OPTION_ARG_NONE, &until_end,
		  "On a terminal too, exit when the session ends", NULL },
		{ NULL }
	};
	g_autoptr(GDBusConnection) bus = NULL;
	g_autoptr(RdDbusManager1) manager = NULL;
	g_autoptr(RdDbusRoller2) roller = NULL;
	g_autoptr(GMainLoop) loop = NULL;
	g_autoptr(GCancellable) cancellable = g_cancellable_new();
	g_autoptr(RcForceView) force = rc_force_view_new();
	g_autoptr(GPtrArray) alerts = g_ptr_array_new_with_free_func(alert_free);
	g_autoptr(GHashTable) alerts_seen = g_hash_table_new_full(g_str_hash, g_str_equal,
								  g_free, NULL);
	g_autofree char *path = NULL;
	RcMonitor m = { 0 };
	guint sig_int, sig_term;
	int code = RC_EXIT_OK;

	if (!rc_parse_options("monitor", "[ADDR]",
			      "Watch a live session: the force curve and the contact force against\n"
			      "the band, strokes, directions, coverage and alerts; full screen on a\n"
			      "terminal ('q' quits), one line per update otherwise (exiting when the\n"
			      "session ends).",
			      entries, &argc, &argv, &code))
		return code;
	if (argc > 2) {
		g_printerr("rollerctl monitor: too many arguments\n");
		return RC_EXIT_USAGE;
	}
	if (!(bus = rc_connect(globals, &code)) ||
	    !(path = rc_resolve_roller(bus, argc > 1 ? argv[1] : NULL, &code)) ||
	    !(roller = rc_roller(bus, path, &code)) || !(manager = rc_manager(bus, &code)))
		return code;

	loop = g_main_loop_new(NULL, FALSE);
	m.loop = loop;
	m.manager = manager;
	m.roller = roller;
	m.cancellable = cancellable;
	m.force = force;
	m.alerts = alerts;
	m.alerts_seen = alerts_seen;
	m.tty = isatty(STDOUT_FILENO) && isatty(STDIN_FILENO) && !globals->json;
	m.json = globals->json;
	m.exit_at_end = until_end || !m.tty;
	m.seen_session = g_strcmp0(rd_dbus_roller2_get_session(roller), "/") != 0;
	g_signal_connect(roller, "alert", G_CALLBACK(on_alert), &m);
	g_signal_connect(roller, "g-properties-changed", G_CALLBACK(on_properties), &m);
	rc_monitor_acquire(&m);
	if (m.exit_code)
		return m.exit_code;
	sig_int = g_unix_signal_add(SIGINT, on_quit, &m);
	sig_term = g_unix_signal_add(SIGTERM, on_quit, &m);
	if (m.tty) {
		m.color = rc_use_color();
		m.unicode = rc_use_unicode();
		rc_monitor_screen_start(&m);
	} else if (!m.json) {
		printf("Watching %s; one line per update%s\n", rd_dbus_roller2_get_address(roller),
		       m.seen_session ? "" : " (waiting for a session)");
		fflush(stdout);
	}
	g_main_loop_run(loop);
	g_cancellable_cancel(cancellable);
	if (m.tty)
		rc_monitor_screen_stop(&m);
	g_source_remove(sig_int);
	g_source_remove(sig_term);
	g_clear_handle_id(&m.reacquire, g_source_remove);
	g_clear_pointer(&m.stream, rc_live_stream_free);
	return m.exit_code;
}
