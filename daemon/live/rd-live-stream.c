/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <glib-unix.h>

#include "common/rd-error.h"
#include "common/rd-live-packet.h"
#include "daemon/rd-bus-peers.h"
#include "rd-live-stream.h"

/* What the kernel counts per packet beyond its bytes (sk_buff and its data's rounding). */
#define PACKET_OVERHEAD 1024

typedef struct {
	RdLiveStream *stream;
	char *owner;
	int fd;
	guint hup_id;
	/* packets lost since the last one delivered */
	guint32 dropped;
	/* an END waiting for room, and the watch for that room */
	guint8 *end;
	gsize end_len;
	guint out_id;
} Client;

struct _RdLiveStream {
	RdBusPeers *owners;		/* unique name -> streams it holds */
	GPtrArray *clients;		/* of Client */
	guint8 buf[RD_LIVE_PACKET_MAX_LEN];
};

static void
client_free(gpointer data)
{
	Client *c = data;

	if (c->hup_id)
		g_source_remove(c->hup_id);
	if (c->out_id)
		g_source_remove(c->out_id);
	rd_bus_peers_remove(c->stream->owners, c->owner);
	close(c->fd);
	g_free(c->end);
	g_free(c->owner);
	g_free(c);
}

static void
close_client(Client *c, const char *why)
{
	g_debug("Live stream of %s closed: %s", c->owner, why);
	g_ptr_array_remove_fast(c->stream->clients, c);
}

static gboolean
on_hup(int fd, GIOCondition condition, gpointer user_data)
{
	Client *c = user_data;

	c->hup_id = 0;
	close_client(c, "the client closed it");
	return G_SOURCE_REMOVE;
}

static void
on_owner_left(const char *name, gpointer user_data)
{
	RdLiveStream *stream = user_data;

	for (guint i = stream->clients->len; i > 0; i--) {
		Client *c = stream->clients->pdata[i - 1];

		if (g_str_equal(c->owner, name))
			close_client(c, "it left the bus");
	}
}

/* Sends @len bytes of @buf; FALSE when @c was closed. */
static gboolean
client_send(Client *c, const guint8 *buf, gsize len, gboolean *sent)
{
	ssize_t n = send(c->fd, buf, len, MSG_DONTWAIT | MSG_NOSIGNAL);

	*sent = n == (ssize_t)len;
	if (n >= 0 || errno == EAGAIN || errno == EWOULDBLOCK || errno == ENOBUFS)
		return TRUE;
	close_client(c, g_strerror(errno));
	return FALSE;
}

static gboolean
on_writable(int fd, GIOCondition condition, gpointer user_data)
{
	Client *c = user_data;
	gboolean sent;

	if (!client_send(c, c->end, c->end_len, &sent))
		return G_SOURCE_REMOVE;
	if (!sent)
		return G_SOURCE_CONTINUE;
	g_clear_pointer(&c->end, g_free);
	c->out_id = 0;
	return G_SOURCE_REMOVE;
}

static void
fill_packet(RdLivePacket *p, RdLivePacketKind kind, const RdLiveSummary *s, gint64 arrival_us)
{
	*p = (RdLivePacket){
		.kind = kind,
		.arrival_us = arrival_us,
		.session_id = s->session_id,
		.force_cn = s->force_latest_cN,
		.strokes = s->rolls,
		.duration_ms = s->duration_ms,
		.frames = s->frames_ok,
		.frames_lost = s->frames_lost,
		.frames_rejected = s->frames_rejected_total,
		.force_mean_cn = s->force_mean_cN,
		.in_band_permille = s->in_band_permille,
		.strokes_per_minute_x10 = (guint16)MIN(s->strokes_per_minute * 10 + 0.5, G_MAXUINT16),
		.flags = s->paused ? RD_LIVE_PACKET_PAUSED : 0,
	};
	memcpy(p->directions, s->dirs, sizeof(p->directions));
}

/* @p to every stream, each with its own count of lost packets. */
static void
send_all(RdLiveStream *stream, RdLivePacket *p, const guint8 *frame, gsize frame_len)
{
	for (guint i = stream->clients->len; i > 0; i--) {
		Client *c = stream->clients->pdata[i - 1];
		gboolean sent;
		gsize len;

		if (c->end) {
			c->dropped++;
			continue;
		}
		p->dropped = c->dropped;
		len = rd_live_packet_encode(p, frame, frame_len, stream->buf, sizeof(stream->buf));
		if (!client_send(c, stream->buf, len, &sent))
			continue;
		if (sent) {
			c->dropped = 0;
		} else if (p->kind == RD_LIVE_PACKET_END) {
			/* It carries the count so far; those after it start again. */
			c->dropped = 0;
			c->end = g_memdup2(stream->buf, len);
			c->end_len = len;
			c->out_id = g_unix_fd_add(c->fd, G_IO_OUT, on_writable, c);
		} else {
			c->dropped++;
		}
	}
}

void
rd_live_stream_send_frame(RdLiveStream *stream, const RdLiveSummary *s, const guint8 *frame,
			  gsize len, gint64 arrival_us)
{
	RdLivePacket p;

	fill_packet(&p, RD_LIVE_PACKET_FRAME, s, arrival_us);
	send_all(stream, &p, frame, len);
}

void
rd_live_stream_send_end(RdLiveStream *stream, const RdLiveSummary *s, gint64 now_us)
{
	RdLivePacket p;

	fill_packet(&p, RD_LIVE_PACKET_END, s, now_us);
	send_all(stream, &p, NULL, 0);
}

gboolean
rd_live_stream_open(RdLiveStream *stream, const char *owner, int *fd_out, GError **error)
{
	int fds[2];
	int sndbuf = RD_LIVE_STREAM_QUEUE * (RD_LIVE_PACKET_MAX_LEN + PACKET_OVERHEAD) / 2;
	Client *c;

	if (rd_bus_peers_get(stream->owners, owner) >= RD_LIVE_STREAM_MAX_PER_CALLER ||
	    stream->clients->len >= RD_LIVE_STREAM_MAX) {
		g_set_error(error, G_DBUS_ERROR, G_DBUS_ERROR_LIMITS_EXCEEDED,
			    "Too many live streams on this roller (at most %u per caller, %u "
			    "in all): close one first", RD_LIVE_STREAM_MAX_PER_CALLER,
			    RD_LIVE_STREAM_MAX);
		return FALSE;
	}
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC | SOCK_NONBLOCK, 0, fds) < 0) {
		g_set_error(error, RD_ERROR, RD_ERROR_FAILED, "Cannot make a socket: %s",
			    g_strerror(errno));
		return FALSE;
	}
	/* The kernel doubles it: its own bookkeeping is counted in. */
	if (setsockopt(fds[0], SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof(sndbuf)) < 0)
		g_debug("Cannot size a live stream's buffer: %s", g_strerror(errno));
	/* Only rollerd writes: the client's end sends nothing. */
	shutdown(fds[1], SHUT_WR);
	c = g_new0(Client, 1);
	c->stream = stream;
	c->owner = g_strdup(owner);
	c->fd = fds[0];
	c->hup_id = g_unix_fd_add(c->fd, G_IO_HUP | G_IO_ERR, on_hup, c);
	rd_bus_peers_add(stream->owners, owner);
	g_ptr_array_add(stream->clients, c);
	g_debug("Live stream for %s (%u open)", owner, stream->clients->len);
	*fd_out = fds[1];
	return TRUE;
}

guint
rd_live_stream_count(RdLiveStream *stream)
{
	return stream->clients->len;
}

RdLiveStream *
rd_live_stream_new(GDBusConnection *bus)
{
	RdLiveStream *stream = g_new0(RdLiveStream, 1);

	stream->owners = rd_bus_peers_new(bus, on_owner_left, stream);
	stream->clients = g_ptr_array_new_with_free_func(client_free);
	return stream;
}

void
rd_live_stream_free(RdLiveStream *stream)
{
	if (!stream)
		return;
	g_ptr_array_unref(stream->clients);
	rd_bus_peers_free(stream->owners);
	g_free(stream);
}
