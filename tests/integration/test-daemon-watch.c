/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Who rollerd sends a live session to, against roller-sim on a private
 * bus.  LiveUpdate and Stroke go out only while a client watches the
 * roller (WatchLive): none while nobody does, and none once the last
 * watcher unwatched or left the bus without unwatching.  The live
 * stream (AcquireLiveStream) carries every frame, one packet each, and
 * the session's end with its stored values; a reader that stops loses
 * packets and is told how many, with rollerd's memory and sockets as
 * they were; a stream closed by its client or whose caller left is
 * closed and forgotten by rollerd.
 *
 * The test's own connection counts LiveUpdates without watching: a
 * signal goes to every match rule while it is sent, so it sees them
 * exactly while another connection watches.
 */
#include "config.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <cmocka.h>
#include <gio/gunixfdlist.h>

#include "common/rd-live-packet.h"
#include "tests/harness/test-daemon-util.h"

#define ROLLER2 "org.rollerd.Roller2"
#define WAIT_MS 20000

typedef struct {
	guint updates;
	gint64 last_us;
	gint64 min_gap_us;
	guint strokes;
} Seen;

static int
teardown(void **state)
{
	return test_daemon_free(*state);
}

static void
on_signal(GDBusConnection *conn, const char *sender, const char *path, const char *iface,
	  const char *name, GVariant *params, gpointer user_data)
{
	Seen *s = user_data;
	gint64 now = g_get_monotonic_time();

	if (g_str_equal(name, "Stroke")) {
		s->strokes++;
		return;
	}
	if (!g_str_equal(name, "LiveUpdate"))
		return;
	if (s->last_us)
		s->min_gap_us = MIN(s->min_gap_us, now - s->last_us);
	s->last_us = now;
	s->updates++;
}

/* Counts the first roller's LiveUpdates and Strokes on the test's connection. */
static guint
count_signals(TestDaemon *td, Seen *s)
{
	*s = (Seen){ .min_gap_us = G_MAXINT64 };
	return g_dbus_connection_signal_subscribe(td->conn, "org.rollerd", ROLLER2, NULL,
						  td->roller_path, NULL, G_DBUS_SIGNAL_FLAGS_NONE,
						  on_signal, s, NULL);
}

static GVariant *
client_call(TestDaemon *td, GDBusConnection *c, const char *method, GError **error)
{
	return g_dbus_connection_call_sync(c, "org.rollerd", td->roller_path, ROLLER2, method,
					   NULL, NULL, G_DBUS_CALL_FLAGS_NONE, 10000, NULL,
					   error);
}

static void
client_call_ok(TestDaemon *td, GDBusConnection *c, const char *method)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GVariant) ret = client_call(td, c, method, &error);

	if (!ret)
		fail_msg("%s: %s", method, error->message);
}

/*
 * LiveUpdates seen in @ms, after what was on its way had @drain_ms; their
 * least gap in s->min_gap_us and the Strokes in s->strokes (signals
 * queued during a blocking call arrive together, so only those of this
 * window count).
 */
static guint
updates_during(Seen *s, guint drain_ms, guint ms)
{
	guint before;

	test_bus_run_for(drain_ms);
	s->last_us = 0;
	s->min_gap_us = G_MAXINT64;
	s->strokes = 0;
	before = s->updates;
	test_bus_run_for(ms);
	return s->updates - before;
}

static void
start_long_session(TestDaemon *td)
{
	g_autofree char *live = NULL;

	test_daemon_discover(td, 1);
	test_daemon_connect(td);
	live = g_strdup_printf("'%s/live'", td->roller_path);
	test_daemon_call_ok(td, td->roller_path, ROLLER2, "StartSession",
			    g_variant_new("(s)", "face"));
	assert_true(test_daemon_wait_property(td, td->roller_path, ROLLER2, "Session", live,
					      WAIT_MS));
}

static void
test_watchers_and_their_lifetime(void **state)
{
	const char *sim_args[] = { "--speed=10", "--session-seconds=600", NULL };
	TestDaemon *td = *state = test_daemon_new(sim_args);
	g_autoptr(GDBusConnection) a = NULL, b = NULL;
	g_autoptr(GError) error = NULL;
	g_autoptr(GVariant) ret = NULL;
	g_autoptr(GVariant) strokes = NULL;
	g_autofree char *live = NULL;
	Seen s;
	guint sub;

	test_daemon_start_rollerd(td, NULL);
	start_long_session(td);
	sub = count_signals(td, &s);

	/* Nobody watches: nothing, yet the live session reads right. */
	assert_int_equal(updates_during(&s, 300, 1500), 0);
	assert_int_equal(s.strokes, 0);
	live = g_strconcat(td->roller_path, "/live", NULL);
	strokes = test_daemon_get(td, live, "org.rollerd.Session1", "Strokes");
	assert_true(g_variant_get_uint32(strokes) > 0);
	ret = test_daemon_call(td, td->roller_path, ROLLER2, "UnwatchLive", NULL, &error);
	assert_null(ret);
	test_daemon_assert_error(error, "NotFound", "watch", "UnwatchLive without a watch");
	g_clear_error(&error);

	/* One watches (twice: the same watch), then a second. */
	a = test_bus_new_client(td->bus);
	client_call_ok(td, a, "WatchLive");
	client_call_ok(td, a, "WatchLive");
	assert_true(updates_during(&s, 0, 1500) >= 5);
	assert_true(s.strokes > 0);
	b = test_bus_new_client(td->bus);
	client_call_ok(td, b, "WatchLive");

	/* A leaves the bus without unwatching: B still watches. */
	g_dbus_connection_close_sync(a, NULL, NULL);
	assert_true(updates_during(&s, 300, 1500) >= 5);
	/* Evenly spaced: no burst reaches a client (a slot is 100 ms; the bus
	 * may bunch two deliveries a little). */
	if (s.min_gap_us < 50000)
		fail_msg("two LiveUpdates %" G_GINT64_FORMAT " us apart", s.min_gap_us);

	/* B unwatches: nothing; watches again and leaves: nothing. */
	client_call_ok(td, b, "UnwatchLive");
	assert_int_equal(updates_during(&s, 500, 1500), 0);
	ret = client_call(td, b, "UnwatchLive", &error);
	assert_null(ret);
	test_daemon_assert_error(error, "NotFound", "watch", "a second UnwatchLive");
	client_call_ok(td, b, "WatchLive");
	assert_true(updates_during(&s, 0, 1000) >= 3);
	g_dbus_connection_close_sync(b, NULL, NULL);
	assert_int_equal(updates_during(&s, 500, 1500), 0);
	assert_int_equal(s.strokes, 0);
	g_dbus_connection_signal_unsubscribe(td->conn, sub);
	test_daemon_assert_alive(td);
}

typedef struct {
	int fd;
	guint packets;
	guint frame_packets;
	guint32 last_frames;
	gboolean consecutive;	/* frames moved by dropped + 1 each time */
	guint32 dropped;	/* in all */
	gboolean ended;
	RdLivePacket end;
	gboolean eof;
} Reader;

/* Reads what is waiting; the frame pointers are not kept. */
static void
read_packets(Reader *r)
{
	guint8 buf[RD_LIVE_PACKET_MAX_LEN];
	RdLivePacket p;
	ssize_t n;

	while ((n = recv(r->fd, buf, sizeof(buf), MSG_DONTWAIT)) > 0) {
		assert_true(rd_live_packet_decode(buf, (gsize)n, &p));
		r->packets++;
		r->dropped += p.dropped;
		if (p.kind == RD_LIVE_PACKET_END) {
			r->ended = TRUE;
			r->end = p;
			r->end.frame = NULL;
			continue;
		}
		if (r->frame_packets && p.frames != r->last_frames + p.dropped + 1)
			r->consecutive = FALSE;
		r->frame_packets++;
		r->last_frames = p.frames;
	}
	if (n == 0)
		r->eof = TRUE;
	else
		assert_true(errno == EAGAIN);
}

static int
acquire_stream(TestDaemon *td, GDBusConnection *c)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GUnixFDList) fds = NULL;
	g_autoptr(GVariant) ret = NULL;
	gint32 index;
	guint16 size;
	int fd;

	ret = g_dbus_connection_call_with_unix_fd_list_sync(c, "org.rollerd", td->roller_path,
							    ROLLER2, "AcquireLiveStream", NULL,
							    G_VARIANT_TYPE("(hq)"),
							    G_DBUS_CALL_FLAGS_NONE, 10000, NULL,
							    &fds, NULL, &error);
	if (!ret)
		fail_msg("AcquireLiveStream: %s", error->message);
	g_variant_get(ret, "(hq)", &index, &size);
	assert_int_equal(size, RD_LIVE_PACKET_MAX_LEN);
	fd = g_unix_fd_list_get(fds, index, &error);
	assert_true(fd >= 0);
	return fd;
}

/* rollerd's open file descriptors. */
static guint
rollerd_fds(TestDaemon *td)
{
	g_autofree char *dir_path = g_strdup_printf("/proc/%d/fd", (int)td->rollerd);
	g_autoptr(GDir) dir = g_dir_open(dir_path, 0, NULL);
	guint n = 0;

	assert_non_null(dir);
	while (g_dir_read_name(dir))
		n++;
	return n;
}

static guint64
rollerd_rss_kb(TestDaemon *td)
{
	g_autofree char *path = g_strdup_printf("/proc/%d/status", (int)td->rollerd);
	g_autofree char *text = NULL;
	const char *line;

	assert_true(g_file_get_contents(path, &text, NULL, NULL));
	line = strstr(text, "VmRSS:");
	assert_non_null(line);
	return g_ascii_strtoull(line + 6, NULL, 10);
}

typedef struct {
	TestDaemon *td;
	guint fds;
} FdWait;

static gboolean
rollerd_fds_are(gpointer user_data)
{
	FdWait *w = user_data;

	if (rollerd_fds(w->td) == w->fds)
		return TRUE;
	g_usleep(10000);
	return FALSE;
}

static gboolean
reader_ended(gpointer user_data)
{
	Reader *r = user_data;

	read_packets(r);
	if (!r->ended && !r->eof)
		g_usleep(2000);
	return r->ended || r->eof;
}

/*
 * A reader that keeps up gets one packet per frame, frames moving by
 * one, and the END with the values the history stored; one that stops
 * loses packets and is told, rollerd's memory and sockets as they were.
 */
static void
test_stream(void **state)
{
	/* About 100 frames a second: a 3 s pause overflows the socket. */
	const char *sim_args[] = { "--speed=50", "--session-seconds=400", NULL };
	TestDaemon *td = *state = test_daemon_new(sim_args);
	g_autoptr(GDBusConnection) c = NULL;
	g_autoptr(GVariant) rows = NULL, row = NULL;
	Reader r = { .consecutive = TRUE };
	guint fds_before, frames_before;	/* rollerd's */
	guint64 rss_before;
	guint32 strokes, duration;
	Seen s;
	guint sub;

	test_daemon_start_rollerd(td, NULL);
	test_daemon_discover(td, 1);
	test_daemon_connect(td);
	sub = count_signals(td, &s);
	fds_before = rollerd_fds(td);
	c = test_bus_new_client(td->bus);
	r.fd = acquire_stream(td, c);
	test_daemon_call_ok(td, td->roller_path, ROLLER2, "StartSession",
			    g_variant_new("(s)", "face"));

	/* Read as they come for a while. */
	for (gint64 end = g_get_monotonic_time() + 2 * G_USEC_PER_SEC;
	     g_get_monotonic_time() < end;) {
		g_main_context_iteration(NULL, FALSE);
		read_packets(&r);
		g_usleep(2000);
	}
	assert_true(r.frame_packets > 20);
	assert_true(r.consecutive);
	/* A stream holder is not a watcher: no signal was sent. */
	assert_int_equal(s.updates, 0);
	assert_int_equal(s.strokes, 0);

	/* Then stop reading for 3 s: the socket fills, packets are dropped. */
	frames_before = r.last_frames;
	rss_before = rollerd_rss_kb(td);
	test_bus_run_for(3000);
	assert_true(rollerd_fds(td) <= fds_before + 1);
	assert_true(rollerd_rss_kb(td) <= rss_before + 1024);
	assert_true(test_bus_wait_until(reader_ended, &r, 60000));
	assert_true(r.ended);
	assert_true(r.dropped > 0);
	/* Every frame is either delivered or counted as dropped. */
	assert_true(r.consecutive);
	assert_true(r.last_frames > frames_before);
	assert_int_equal(r.end.frames, r.last_frames);
	assert_int_equal(r.frame_packets + r.dropped, r.last_frames);

	/* The END has the values the history stored. */
	assert_true(test_daemon_wait_property(td, td->roller_path, ROLLER2, "Session", "'/'",
					      WAIT_MS));
	rows = test_daemon_query(td, "{}");
	assert_int_equal(g_variant_n_children(rows), 1);
	row = g_variant_get_child_value(rows, 0);
	assert_true(g_variant_lookup(row, "strokes", "u", &strokes));
	assert_true(g_variant_lookup(row, "duration_ms", "u", &duration));
	assert_int_equal(r.end.strokes, strokes);
	assert_int_equal(r.end.duration_ms, duration);

	/* The client closes its end: rollerd forgets the stream. */
	fds_before = rollerd_fds(td);
	close(r.fd);
	assert_true(test_bus_wait_until(rollerd_fds_are, &(FdWait){ td, fds_before - 1 },
					WAIT_MS));
	g_dbus_connection_signal_unsubscribe(td->conn, sub);
	test_daemon_assert_alive(td);
}

/* The caller leaves the bus: rollerd closes its end, the client reads EOF. */
static void
test_stream_closed_when_the_caller_leaves(void **state)
{
	TestDaemon *td = *state = test_daemon_new(NULL);
	g_autoptr(GDBusConnection) c = NULL;
	Reader r = { .consecutive = TRUE };
	guint fds_before;

	test_daemon_start_rollerd(td, NULL);
	test_daemon_discover(td, 1);
	fds_before = rollerd_fds(td);
	c = test_bus_new_client(td->bus);
	r.fd = acquire_stream(td, c);
	g_dbus_connection_close_sync(c, NULL, NULL);
	assert_true(test_bus_wait_until(reader_ended, &r, WAIT_MS));
	assert_true(r.eof);
	assert_int_equal(r.packets, 0);
	close(r.fd);
	assert_true(test_bus_wait_until(rollerd_fds_are, &(FdWait){ td, fds_before }, WAIT_MS));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_watchers_and_their_lifetime, teardown),
		cmocka_unit_test_teardown(test_stream, teardown),
		cmocka_unit_test_teardown(test_stream_closed_when_the_caller_leaves, teardown),
	};

	return cmocka_run_group_tests_name("rollerd live watchers", tests, NULL, NULL);
}
