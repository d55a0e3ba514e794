/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * rd-live-stream with a private bus for its callers: packets arrive
 * decodable, one per frame; a reader that stops reading loses packets,
 * is told how many, and rollerd keeps none; an END waits for room; a
 * stream closes when the client closes its end or leaves the bus; the
 * caps.
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

#include "common/rd-live-packet.h"
#include "daemon/live/rd-live-stream.h"
#include "tests/harness/test-bus.h"

typedef struct {
	TestBus *bus;
	RdLiveStream *stream;
	const char *me;		/* the test's unique name */
	RdLiveSummary s;
	guint8 frame[ROLLER_FRAME_MAX_LEN];
} Fixture;

static int
setup(void **state)
{
	Fixture *f = g_new0(Fixture, 1);

	f->bus = test_bus_new();
	f->stream = rd_live_stream_new(test_bus_get_connection(f->bus));
	f->me = g_dbus_connection_get_unique_name(test_bus_get_connection(f->bus));
	f->s.session_id = 7;
	f->s.force_latest_cN = ROLLER_FORCE_INVALID;
	for (guint i = 0; i < sizeof(f->frame); i++)
		f->frame[i] = (guint8)i;
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	Fixture *f = *state;

	rd_live_stream_free(f->stream);
	test_bus_free(f->bus);
	g_free(f);
	return 0;
}

static int
open_stream(Fixture *f, const char *owner)
{
	g_autoptr(GError) error = NULL;
	int fd = -1;

	if (!rd_live_stream_open(f->stream, owner, &fd, &error))
		fail_msg("%s", error->message);
	return fd;
}

/* One frame applied: the session counts it, the stream sends it. */
static void
send_frame(Fixture *f, gsize len)
{
	f->s.frames_ok++;
	f->s.rolls = f->s.frames_ok / 10;
	rd_live_stream_send_frame(f->stream, &f->s, f->frame, len, g_get_monotonic_time());
}

/* The next packet, FALSE when none is waiting. */
static gboolean
read_packet(int fd, guint8 *buf, RdLivePacket *p)
{
	ssize_t n = recv(fd, buf, RD_LIVE_PACKET_MAX_LEN, MSG_DONTWAIT);

	if (n < 0 && errno == EAGAIN)
		return FALSE;
	assert_true(n > 0);
	assert_true(rd_live_packet_decode(buf, (gsize)n, p));
	return TRUE;
}

static void
test_packets_one_per_frame(void **state)
{
	Fixture *f = *state;
	int fd = open_stream(f, f->me);
	guint8 buf[RD_LIVE_PACKET_MAX_LEN];
	RdLivePacket p;
	gint64 before = g_get_monotonic_time();

	for (guint i = 0; i < 20; i++) {
		send_frame(f, 40 + i);
		assert_true(read_packet(fd, buf, &p));
		assert_int_equal(p.kind, RD_LIVE_PACKET_FRAME);
		assert_int_equal(p.frames, i + 1);
		assert_int_equal(p.dropped, 0);
		assert_int_equal(p.session_id, 7);
		assert_int_equal(p.force_cn, 0xFFFF);
		assert_true(p.arrival_us >= before);
		assert_int_equal(p.frame_len, 40 + i);
		assert_memory_equal(p.frame, f->frame, p.frame_len);
	}
	f->s.duration_ms = 1234;
	rd_live_stream_send_end(f->stream, &f->s, g_get_monotonic_time());
	assert_true(read_packet(fd, buf, &p));
	assert_int_equal(p.kind, RD_LIVE_PACKET_END);
	assert_int_equal(p.frames, 20);
	assert_int_equal(p.duration_ms, 1234);
	assert_int_equal(p.frame_len, 0);
	assert_false(read_packet(fd, buf, &p));
	close(fd);
}

/*
 * A reader that stops: the socket takes RD_LIVE_STREAM_QUEUE packets of
 * the largest size or more (a bound, not a growing queue), the rest are
 * dropped, and the first packet after a pause says how many: frames
 * moves on by exactly dropped + 1.
 */
static void
test_slow_reader_told_what_it_lost(void **state)
{
	Fixture *f = *state;
	int fd = open_stream(f, f->me);
	guint8 buf[RD_LIVE_PACKET_MAX_LEN];
	RdLivePacket p;
	guint queued = 0, last_frames = 0;

	for (guint i = 0; i < 2000; i++)
		send_frame(f, ROLLER_FRAME_MAX_LEN);
	while (read_packet(fd, buf, &p)) {
		assert_int_equal(p.dropped, 0);
		assert_int_equal(p.frames, ++queued);
		last_frames = p.frames;
	}
	print_message("the socket held %u packets of %u bytes\n", queued, RD_LIVE_PACKET_MAX_LEN);
	if (queued < RD_LIVE_STREAM_QUEUE || queued > 4 * RD_LIVE_STREAM_QUEUE)
		fail_msg("the socket held %u packets", queued);
	send_frame(f, 40);
	assert_true(read_packet(fd, buf, &p));
	assert_int_equal(p.dropped, 2000 - queued);
	assert_int_equal(p.frames - last_frames, p.dropped + 1);
	/* Counted since the last packet delivered: the next is whole again. */
	send_frame(f, 40);
	assert_true(read_packet(fd, buf, &p));
	assert_int_equal(p.dropped, 0);
	close(fd);
}

/* A full socket at the session's end: END waits, the frames after it go. */
static void
test_end_waits_for_room(void **state)
{
	Fixture *f = *state;
	int fd = open_stream(f, f->me);
	guint8 buf[RD_LIVE_PACKET_MAX_LEN];
	RdLivePacket p;
	guint frames = 0;

	for (guint i = 0; i < 1000; i++)
		send_frame(f, ROLLER_FRAME_MAX_LEN);
	rd_live_stream_send_end(f->stream, &f->s, g_get_monotonic_time());
	f->s.session_id = 8;
	f->s.frames_ok = 0;
	send_frame(f, 40);	/* the next session's, dropped behind the END */
	while (read_packet(fd, buf, &p) && p.kind == RD_LIVE_PACKET_FRAME && p.dropped == 0)
		frames++;
	assert_true(frames > 0);
	/* rollerd sends the END once it has room. */
	for (gint64 end = g_get_monotonic_time() + 5 * G_USEC_PER_SEC;
	     p.kind != RD_LIVE_PACKET_END && g_get_monotonic_time() < end;) {
		g_main_context_iteration(NULL, FALSE);
		if (!read_packet(fd, buf, &p))
			g_usleep(1000);
	}
	assert_int_equal(p.kind, RD_LIVE_PACKET_END);
	assert_int_equal(p.session_id, 7);
	assert_int_equal(p.frames, 1000);
	assert_int_equal(p.dropped, 1000 - frames);
	send_frame(f, 40);
	assert_true(read_packet(fd, buf, &p));
	assert_int_equal(p.session_id, 8);
	assert_int_equal(p.frames, 2);
	assert_int_equal(p.dropped, 1);
	close(fd);
}

static gboolean
no_stream(gpointer user_data)
{
	Fixture *f = user_data;

	return rd_live_stream_count(f->stream) == 0;
}

static void
test_closed_by_the_client(void **state)
{
	Fixture *f = *state;
	int a = open_stream(f, f->me);
	int b = open_stream(f, f->me);

	assert_int_equal(rd_live_stream_count(f->stream), 2);
	close(a);
	close(b);
	assert_true(test_bus_wait_until(no_stream, f, 5000));
	/* Forgotten: frames go nowhere, the caller may open streams again. */
	send_frame(f, 40);
	close(open_stream(f, f->me));
}

/* The caller leaves the bus: rollerd closes its end, the client reads EOF. */
static void
test_closed_when_the_caller_leaves(void **state)
{
	Fixture *f = *state;
	g_autoptr(GDBusConnection) c = test_bus_new_client(f->bus);
	int fd = open_stream(f, g_dbus_connection_get_unique_name(c));
	guint8 buf[16];

	g_dbus_connection_close_sync(c, NULL, NULL);
	assert_true(test_bus_wait_until(no_stream, f, 5000));
	assert_int_equal(recv(fd, buf, sizeof(buf), MSG_DONTWAIT), 0);
	close(fd);
}

static void
test_caps(void **state)
{
	Fixture *f = *state;
	GDBusConnection *clients[RD_LIVE_STREAM_MAX / RD_LIVE_STREAM_MAX_PER_CALLER + 1];
	g_autoptr(GError) error = NULL;
	GArray *fds = g_array_new(FALSE, FALSE, sizeof(int));
	int fd;

	for (guint i = 0; i < G_N_ELEMENTS(clients); i++)
		clients[i] = test_bus_new_client(f->bus);
	for (guint i = 0; i < RD_LIVE_STREAM_MAX_PER_CALLER; i++) {
		fd = open_stream(f, g_dbus_connection_get_unique_name(clients[0]));
		g_array_append_val(fds, fd);
	}
	assert_false(rd_live_stream_open(f->stream, g_dbus_connection_get_unique_name(clients[0]),
					 &fd, &error));
	assert_true(g_error_matches(error, G_DBUS_ERROR, G_DBUS_ERROR_LIMITS_EXCEEDED));
	g_clear_error(&error);
	for (guint i = 1; fds->len < RD_LIVE_STREAM_MAX; i++) {
		for (guint j = 0; j < RD_LIVE_STREAM_MAX_PER_CALLER; j++) {
			fd = open_stream(f, g_dbus_connection_get_unique_name(clients[i]));
			g_array_append_val(fds, fd);
		}
	}
	assert_false(rd_live_stream_open(f->stream,
					 g_dbus_connection_get_unique_name(clients[G_N_ELEMENTS(clients) - 1]),
					 &fd, &error));
	assert_true(g_error_matches(error, G_DBUS_ERROR, G_DBUS_ERROR_LIMITS_EXCEEDED));
	for (guint i = 0; i < fds->len; i++)
		close(g_array_index(fds, int, i));
	g_array_unref(fds);
	for (guint i = 0; i < G_N_ELEMENTS(clients); i++)
		g_object_unref(clients[i]);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_packets_one_per_frame, setup, teardown),
		cmocka_unit_test_setup_teardown(test_slow_reader_told_what_it_lost, setup, teardown),
		cmocka_unit_test_setup_teardown(test_end_waits_for_room, setup, teardown),
		cmocka_unit_test_setup_teardown(test_closed_by_the_client, setup, teardown),
		cmocka_unit_test_setup_teardown(test_closed_when_the_caller_leaves, setup, teardown),
		cmocka_unit_test_setup_teardown(test_caps, setup, teardown),
	};

	return cmocka_run_group_tests_name("rd-live-stream", tests, NULL, NULL);
}
