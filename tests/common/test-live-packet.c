/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The live stream's packet layout: written and read back, and what a reader refuses. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "common/rd-live-packet.h"

static const RdLivePacket sample = {
	.kind = RD_LIVE_PACKET_FRAME,
	.dropped = 0x01020304,
	.arrival_us = G_GINT64_CONSTANT(0x0102030405060708),
	.session_id = 0xA1B2,
	.force_cn = 0xFFFF,
	.strokes = 70000,
	.duration_ms = 3600000,
	.frames = 123456,
	.frames_lost = 7,
	.frames_rejected = 9,
	.force_mean_cn = 412,
	.in_band_permille = 875,
	.strokes_per_minute_x10 = 455,
	.flags = RD_LIVE_PACKET_PAUSED,
	.directions = { 1, 2, 3, 0x80000000u },
};

static const guint8 frame[] = { 0x11, 0x05, 0xB2, 0xA1, 0x04, 0x08, 0, 0, 0, 0, 1, 0, 2, 0 };

static void
test_round_trip(void **state)
{
	guint8 buf[RD_LIVE_PACKET_MAX_LEN];
	RdLivePacket p;
	gsize len = rd_live_packet_encode(&sample, frame, sizeof(frame), buf, sizeof(buf));

	assert_int_equal(len, RD_LIVE_PACKET_HEADER_LEN + sizeof(frame));
	/* The documented offsets, so another language can read it. */
	assert_int_equal(buf[0], 1);
	assert_int_equal(buf[1], RD_LIVE_PACKET_FRAME);
	assert_int_equal(buf[2] | buf[3] << 8, RD_LIVE_PACKET_HEADER_LEN);
	assert_int_equal(buf[8], 0x08);
	assert_int_equal(buf[15], 0x01);
	assert_int_equal(buf[16] | buf[17] << 8, 0xA1B2);
	assert_int_equal(buf[46], RD_LIVE_PACKET_PAUSED);
	assert_int_equal(buf[63], 0x80);
	assert_memory_equal(buf + RD_LIVE_PACKET_HEADER_LEN, frame, sizeof(frame));

	assert_true(rd_live_packet_decode(buf, len, &p));
	assert_int_equal(p.kind, sample.kind);
	assert_int_equal(p.dropped, sample.dropped);
	assert_true(p.arrival_us == sample.arrival_us);
	assert_int_equal(p.session_id, sample.session_id);
	assert_int_equal(p.force_cn, sample.force_cn);
	assert_int_equal(p.strokes, sample.strokes);
	assert_int_equal(p.duration_ms, sample.duration_ms);
	assert_int_equal(p.frames, sample.frames);
	assert_int_equal(p.frames_lost, sample.frames_lost);
	assert_int_equal(p.frames_rejected, sample.frames_rejected);
	assert_int_equal(p.force_mean_cn, sample.force_mean_cn);
	assert_int_equal(p.in_band_permille, sample.in_band_permille);
	assert_int_equal(p.strokes_per_minute_x10, sample.strokes_per_minute_x10);
	assert_int_equal(p.flags, sample.flags);
	assert_memory_equal(p.directions, sample.directions, sizeof(p.directions));
	assert_ptr_equal(p.frame, buf + RD_LIVE_PACKET_HEADER_LEN);
	assert_int_equal(p.frame_len, sizeof(frame));
}

static void
test_end_has_no_frame(void **state)
{
	RdLivePacket end = sample;
	guint8 buf[RD_LIVE_PACKET_HEADER_LEN];
	RdLivePacket p;
	gsize len;

	end.kind = RD_LIVE_PACKET_END;
	len = rd_live_packet_encode(&end, NULL, 0, buf, sizeof(buf));
	assert_int_equal(len, RD_LIVE_PACKET_HEADER_LEN);
	assert_true(rd_live_packet_decode(buf, len, &p));
	assert_int_equal(p.kind, RD_LIVE_PACKET_END);
	assert_null(p.frame);
	assert_int_equal(p.frame_len, 0);
	assert_int_equal(p.strokes, sample.strokes);
}

static void
test_does_not_fit(void **state)
{
	guint8 buf[RD_LIVE_PACKET_MAX_LEN];

	assert_int_equal(rd_live_packet_encode(&sample, frame, sizeof(frame), buf,
					       RD_LIVE_PACKET_HEADER_LEN + sizeof(frame) - 1), 0);
}

/* A later version's longer header is skipped, its frame found. */
static void
test_longer_header_skipped(void **state)
{
	guint8 buf[RD_LIVE_PACKET_MAX_LEN + 8];
	guint8 longer[sizeof(buf)];
	RdLivePacket p;
	gsize len = rd_live_packet_encode(&sample, frame, sizeof(frame), buf, sizeof(buf));

	memcpy(longer, buf, RD_LIVE_PACKET_HEADER_LEN);
	memset(longer + RD_LIVE_PACKET_HEADER_LEN, 0xEE, 8);
	memcpy(longer + RD_LIVE_PACKET_HEADER_LEN + 8, frame, sizeof(frame));
	longer[2] = RD_LIVE_PACKET_HEADER_LEN + 8;
	assert_true(rd_live_packet_decode(longer, len + 8, &p));
	assert_int_equal(p.frame_len, sizeof(frame));
	assert_memory_equal(p.frame, frame, sizeof(frame));
}

static void
test_refused(void **state)
{
	guint8 buf[RD_LIVE_PACKET_MAX_LEN];
	guint8 bad[RD_LIVE_PACKET_MAX_LEN];
	RdLivePacket p = { .strokes = 42 };
	gsize len = rd_live_packet_encode(&sample, frame, sizeof(frame), buf, sizeof(buf));

	assert_false(rd_live_packet_decode(buf, RD_LIVE_PACKET_HEADER_LEN - 1, &p));
	/* A FRAME shorter than the profile's smallest frame. */
	assert_false(rd_live_packet_decode(buf, RD_LIVE_PACKET_HEADER_LEN + 3, &p));

	memcpy(bad, buf, len);
	bad[0] = 2;
	assert_false(rd_live_packet_decode(bad, len, &p));

	memcpy(bad, buf, len);
	bad[1] = 3;
	assert_false(rd_live_packet_decode(bad, len, &p));

	memcpy(bad, buf, len);
	bad[2] = RD_LIVE_PACKET_HEADER_LEN - 1;
	assert_false(rd_live_packet_decode(bad, len, &p));

	memcpy(bad, buf, len);
	bad[2] = (guint8)(len + 1);
	bad[3] = (guint8)((len + 1) >> 8);
	assert_false(rd_live_packet_decode(bad, len, &p));

	assert_int_equal(p.strokes, 42);	/* untouched */
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_end_has_no_frame),
		cmocka_unit_test(test_does_not_fit),
		cmocka_unit_test(test_longer_header_skipped),
		cmocka_unit_test(test_refused),
	};

	return cmocka_run_group_tests_name("live stream packets", tests, NULL, NULL);
}
