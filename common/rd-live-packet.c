/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <string.h>

#include "common/rd-live-packet.h"

/* The smallest Telemetry frame the profile allows. */
#define FRAME_MIN_LEN 4

static void
put16(guint8 *p, guint16 v)
{
	p[0] = (guint8)v;
	p[1] = (guint8)(v >> 8);
}

static void
put32(guint8 *p, guint32 v)
{
	put16(p, (guint16)v);
	put16(p + 2, (guint16)(v >> 16));
}

static guint16
get16(const guint8 *p)
{
	return (guint16)(p[0] | p[1] << 8);
}

static guint32
get32(const guint8 *p)
{
	return get16(p) | (guint32)get16(p + 2) << 16;
}

gsize
rd_live_packet_encode(const RdLivePacket *packet, const guint8 *frame, gsize frame_len,
		      guint8 *buf, gsize size)
{
	gsize len = RD_LIVE_PACKET_HEADER_LEN + frame_len;

	if (len > size)
		return 0;
	buf[0] = RD_LIVE_PACKET_VERSION;
	buf[1] = packet->kind;
	put16(buf + 2, RD_LIVE_PACKET_HEADER_LEN);
	put32(buf + 4, packet->dropped);
	put32(buf + 8, (guint32)packet->arrival_us);
	put32(buf + 12, (guint32)((guint64)packet->arrival_us >> 32));
	put16(buf + 16, packet->session_id);
	put16(buf + 18, packet->force_cn);
	put32(buf + 20, packet->strokes);
	put32(buf + 24, packet->duration_ms);
	put32(buf + 28, packet->frames);
	put32(buf + 32, packet->frames_lost);
	put32(buf + 36, packet->frames_rejected);
	put16(buf + 40, packet->force_mean_cn);
	put16(buf + 42, packet->in_band_permille);
	put16(buf + 44, packet->strokes_per_minute_x10);
	buf[46] = packet->flags;
	buf[47] = 0;
	for (guint i = 0; i < 4; i++)
		put32(buf + 48 + 4 * i, packet->directions[i]);
	if (frame_len)
		memcpy(buf + RD_LIVE_PACKET_HEADER_LEN, frame, frame_len);
	return len;
}

gboolean
rd_live_packet_decode(const guint8 *buf, gsize len, RdLivePacket *out)
{
	RdLivePacket p = { 0 };
	gsize header_len;

	if (len < RD_LIVE_PACKET_HEADER_LEN || buf[0] != RD_LIVE_PACKET_VERSION)
		return FALSE;
	header_len = get16(buf + 2);
	if (header_len < RD_LIVE_PACKET_HEADER_LEN || header_len > len)
		return FALSE;
	p.kind = buf[1];
	if (p.kind == RD_LIVE_PACKET_FRAME) {
		if (len - header_len < FRAME_MIN_LEN)
			return FALSE;
		p.frame = buf + header_len;
		p.frame_len = len - header_len;
	} else if (p.kind != RD_LIVE_PACKET_END) {
		return FALSE;
	}
	p.dropped = get32(buf + 4);
	p.arrival_us = (gint64)(get32(buf + 8) | (guint64)get32(buf + 12) << 32);
	p.session_id = get16(buf + 16);
	p.force_cn = get16(buf + 18);
	p.strokes = get32(buf + 20);
	p.duration_ms = get32(buf + 24);
	p.frames = get32(buf + 28);
	p.frames_lost = get32(buf + 32);
	p.frames_rejected = get32(buf + 36);
	p.force_mean_cn = get16(buf + 40);
	p.in_band_permille = get16(buf + 42);
	p.strokes_per_minute_x10 = get16(buf + 44);
	p.flags = buf[46];
	for (guint i = 0; i < 4; i++)
		p.directions[i] = get32(buf + 48 + 4 * i);
	*out = p;
	return TRUE;
}
