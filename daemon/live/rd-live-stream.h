/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A roller's live streams (Roller2.AcquireLiveStream), in the manner of
 * BlueZ's AcquireNotify: per client a SOCK_SEQPACKET socket pair, the
 * client's end handed over, rollerd's end non-blocking with a send
 * buffer of about RD_LIVE_STREAM_QUEUE packets.  Every applied Telemetry
 * frame goes out as one packet (common/rd-live-packet.h) at once, from
 * the dispatch that read the notification; a session's end as an END
 * packet.  A packet that finds the buffer full is dropped and counted,
 * and the next one delivered says how many: rollerd keeps nothing per
 * packet.  An END packet is not dropped: it waits (alone, the frames
 * after it dropped) until there is room.  A stream is closed and
 * forgotten when the client closes its end (rollerd watches for HUP and
 * errors only: no wakeup per packet) or leaves the bus.
 */
#pragma once

#include <gio/gio.h>

#include "rd-live-session.h"

/*
 * 64 packets: about 6 s of a roller's 10 frames a second, or 160 ms of a
 * 400-a-second flood, for a reader that is scheduled late; a reader
 * slower than that is told what it lost.  The kernel counts a packet
 * with its buffer overhead (about 1 KiB), so SO_SNDBUF is set to that
 * many packets of the largest size plus overhead; at most ~150 KiB of
 * kernel memory per stream.
 */
#define RD_LIVE_STREAM_QUEUE 64
/* Streams of one caller on one roller: rollerctl needs one, a few spare. */
#define RD_LIVE_STREAM_MAX_PER_CALLER 4
/* Streams on one roller, of all callers. */
#define RD_LIVE_STREAM_MAX 16

typedef struct _RdLiveStream RdLiveStream;

/* @bus: where the callers are, for when they leave (NULL in tests without one). */
RdLiveStream *rd_live_stream_new(GDBusConnection *bus);
/* Closes every stream. */
void rd_live_stream_free(RdLiveStream *stream);

/*
 * A new stream for the caller @owner (its unique bus name); the client's
 * end in *@fd_out, for the caller to hand over and close.  Fails with
 * G_DBUS_ERROR_LIMITS_EXCEEDED over the caps, RD_ERROR_FAILED when no
 * socket could be made.
 */
gboolean rd_live_stream_open(RdLiveStream *stream, const char *owner, int *fd_out,
			     GError **error);
/* How many streams are open (0: nothing to build packets for). */
guint rd_live_stream_count(RdLiveStream *stream);

/* A FRAME packet: @s after the frame of @len bytes was applied, read at @arrival_us. */
void rd_live_stream_send_frame(RdLiveStream *stream, const RdLiveSummary *s,
			       const guint8 *frame, gsize len, gint64 arrival_us);
/* An END packet: the session's last values. */
void rd_live_stream_send_end(RdLiveStream *stream, const RdLiveSummary *s, gint64 now_us);
