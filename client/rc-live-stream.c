/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <errno.h>
#include <unistd.h>
#include <sys/socket.h>
#include <gio/gunixfdlist.h>
#include <glib-unix.h>

#include "rc-live-stream.h"

/* Packets read per wakeup, so that a flood leaves room for keys and redraws. */
#define PACKETS_PER_WAKEUP 64

struct RcLiveStream {
	RcLiveStreamCallbacks cb;
	gpointer user_data;
	int fd;
	guint watch;
	gsize size;
	guint8 *buf;
};

static void
deliver(RcLiveStream *s, gsize len)
{
	RdLivePacket packet;
	struct roller_frame frame;

	if (!rd_live_packet_decode(s->buf, len, &packet))
		return;
	if (packet.kind == RD_LIVE_PACKET_END) {
		s->cb.packet(&packet, NULL, s->user_data);
		return;
	}
	if (roller_frame_parse(packet.frame, packet.frame_len, &frame) == ROLLER_OK)
		s->cb.packet(&packet, &frame, s->user_data);
}

/* Up to @max packets; FALSE once the stream has closed (the callback ran). */
static gboolean
read_packets(RcLiveStream *s, guint max)
{
	for (guint i = 0; i < max; i++) {
		/* MSG_TRUNC: the packet's real length, to tell a cut one. */
		ssize_t n = recv(s->fd, s->buf, s->size, MSG_DONTWAIT | MSG_TRUNC);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return TRUE;
		if (n <= 0) {
			if (s->watch)
				g_source_remove(s->watch);
			s->watch = 0;
			s->cb.closed(s->user_data);
			return FALSE;
		}
		if ((gsize)n <= s->size)
			deliver(s, (gsize)n);
	}
	return TRUE;
}

static gboolean
on_readable(int fd, GIOCondition cond, gpointer user_data)
{
	RcLiveStream *s = user_data;

	/* A hangup is read as end of file after the packets still queued. */
	if (!read_packets(s, PACKETS_PER_WAKEUP))
		return G_SOURCE_REMOVE;
	return G_SOURCE_CONTINUE;
}

gboolean
rc_live_stream_drain(RcLiveStream *stream)
{
	return read_packets(stream, G_MAXUINT);
}

RcLiveStream *
rc_live_stream_acquire(RdDbusRoller2 *roller, const RcLiveStreamCallbacks *cb,
		       gpointer user_data, GError **error)
{
	g_autoptr(GVariant) handle = NULL;
	g_autoptr(GUnixFDList) fds = NULL;
	RcLiveStream *s;
	guint16 packet_size = 0;
	int fd;

	if (!rd_dbus_roller2_call_acquire_live_stream_sync(roller, G_DBUS_CALL_FLAGS_NONE, -1,
							   NULL, &handle, &packet_size, &fds,
							   NULL, error))
		return NULL;
	if (!fds || (fd = g_unix_fd_list_get(fds, g_variant_get_handle(handle), error)) < 0) {
		if (error && !*error)
			g_set_error(error, G_IO_ERROR, G_IO_ERROR_FAILED,
				    "rollerd sent no live stream");
		return NULL;
	}
	s = g_new0(RcLiveStream, 1);
	s->cb = *cb;
	s->user_data = user_data;
	s->fd = fd;
	/* A packet never exceeds what rollerd announced, nor the layout's maximum. */
	s->size = MAX((gsize)packet_size, (gsize)RD_LIVE_PACKET_MAX_LEN);
	s->buf = g_malloc(s->size);
	s->watch = g_unix_fd_add(fd, G_IO_IN | G_IO_HUP | G_IO_ERR, on_readable, s);
	return s;
}

void
rc_live_stream_free(RcLiveStream *stream)
{
	if (!stream)
		return;
	if (stream->watch)
		g_source_remove(stream->watch);
	close(stream->fd);
	g_free(stream->buf);
	g_free(stream);
}
