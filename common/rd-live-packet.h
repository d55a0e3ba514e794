/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * One packet of the live stream (Roller2.AcquireLiveStream), version 1.
 * Little-endian, no padding:
 *
 *   off len field
 *     0   1 version (1)
 *     1   1 kind (RdLivePacketKind)
 *     2   2 header_len: bytes before the frame; readers skip what they
 *           do not know, so later versions can add fields
 *     4   4 dropped: packets this stream could not deliver since the
 *           previous one it delivered (frames moves on by dropped + 1)
 *     8   8 arrival_us: CLOCK_MONOTONIC time the notification was read
 *    16   2 session_id
 *    18   2 force_cn: latest sample, 0xFFFF when none
 *    20   4 strokes
 *    24   4 duration_ms
 *    28   4 frames: Telemetry frames applied in the session
 *    32   4 frames_lost
 *    36   4 frames_rejected
 *    40   2 force_mean_cn
 *    42   2 in_band_permille
 *    44   2 strokes_per_minute, in tenths
 *    46   1 flags: bit 0 paused
 *    47   1 reserved, 0
 *    48  16 directions: 4 x u32, strokes per direction class
 *    64   n the Telemetry frame as the roller sent it (kind FRAME only;
 *           validated: the profile's parser accepted it)
 *
 * The frame is there so that a client sees every force sample, stroke
 * and event without a D-Bus message per notification; the values after
 * it are rollerd's, so a client that loses packets is right again at
 * the next one.
 */
#pragma once

#include <glib.h>

#define RD_LIVE_PACKET_VERSION 1
#define RD_LIVE_PACKET_HEADER_LEN 64
/* The profile's largest frame. */
#define RD_LIVE_PACKET_MAX_LEN (RD_LIVE_PACKET_HEADER_LEN + 512)

typedef enum {
	/* A Telemetry frame was applied; the frame follows the header. */
	RD_LIVE_PACKET_FRAME = 1,
	/* The session ended; the values are its last, no frame follows. */
	RD_LIVE_PACKET_END = 2,
} RdLivePacketKind;

#define RD_LIVE_PACKET_PAUSED 0x01

typedef struct {
	guint8 kind;
	guint32 dropped;
	gint64 arrival_us;
	guint16 session_id;
	guint16 force_cn;
	guint32 strokes;
	guint32 duration_ms;
	guint32 frames;
	guint32 frames_lost;
	guint32 frames_rejected;
	guint16 force_mean_cn;
	guint16 in_band_permille;
	guint16 strokes_per_minute_x10;
	guint8 flags;
	guint32 directions[4];
	/* Points into the packet it was read from. */
	const guint8 *frame;
	gsize frame_len;
} RdLivePacket;

/*
 * Writes @packet and @frame_len bytes of @frame (kind FRAME) into @buf of
 * @size bytes; returns the packet's length, 0 when it does not fit.
 */
gsize rd_live_packet_encode(const RdLivePacket *packet, const guint8 *frame,
			    gsize frame_len, guint8 *buf, gsize size);

/*
 * Reads a packet of @len bytes; FALSE (and *@out untouched) for another
 * version, a header_len under version 1's or past the end, an unknown
 * kind, or a FRAME without a frame.
 */
gboolean rd_live_packet_decode(const guint8 *buf, gsize len, RdLivePacket *out);
