/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <string.h>

#include "roller-crc.h"
#include "roller-frame.h"
#include "sim-hostile.h"

/* A type the profile does not define: receivers skip it by its len. */
#define UNKNOWN_TYPE 0xEE
#define FLOOD_MAX 100

struct _SimHostile {
	GRand *rand;
	/* The next kind of a "mixed" stream. */
	SimHostileKind next_mixed;
};

static const char *const kind_names[] = {
	[SIM_HOSTILE_NONE] = "none",
	[SIM_HOSTILE_OVERSIZE] = "oversize",
	[SIM_HOSTILE_VERSION] = "version",
	[SIM_HOSTILE_CRC] = "crc",
	[SIM_HOSTILE_TRUNCATED] = "truncated",
	[SIM_HOSTILE_RANDOM] = "random",
	[SIM_HOSTILE_MIXED] = "mixed",
};

gboolean
sim_hostile_kind_from_string(const char *name, SimHostileKind *out)
{
	for (guint i = 0; i < G_N_ELEMENTS(kind_names); i++) {
		if (g_strcmp0(name, kind_names[i]) == 0) {
			*out = (SimHostileKind)i;
			return TRUE;
		}
	}
	return FALSE;
}

SimHostile *
sim_hostile_new(guint32 seed)
{
	SimHostile *h = g_new0(SimHostile, 1);

	h->rand = g_rand_new_with_seed(seed);
	h->next_mixed = SIM_HOSTILE_OVERSIZE;
	return h;
}

void
sim_hostile_free(SimHostile *h)
{
	if (!h)
		return;
	g_rand_free(h->rand);
	g_free(h);
}

/* A valid header and two unknown records that fill 514 bytes exactly. */
static gsize
make_oversize(const guint8 *frame, guint8 *out)
{
	out[0] = ROLLER_PROTOCOL_VERSION << 4;
	out[1] = frame[1];
	out[2] = frame[2];
	out[3] = frame[3];
	out[4] = UNKNOWN_TYPE;
	out[5] = 255;
	memset(out + 6, 0xA5, 255);
	out[261] = UNKNOWN_TYPE;
	out[262] = 251;
	memset(out + 263, 0x5A, 251);
	return SIM_HOSTILE_FRAME_MAX;
}

static gsize
make_version(const guint8 *frame, gsize len, guint8 *out)
{
	memcpy(out, frame, len);
	out[0] = (guint8)((2 << 4) | (out[0] & 0x0F));
	return len;
}

/* The frame, less what a trailer would not fit into, and a wrong CRC. */
static gsize
make_crc(const guint8 *frame, gsize len, gsize max, guint8 *out)
{
	gsize n = MAX(MIN(len, max - 2), ROLLER_FRAME_HEADER_LEN);

	memcpy(out, frame, n);
	out[0] |= ROLLER_FRAME_FLAG_CRC;
	roller_put_le16(out + n, roller_crc16(ROLLER_CRC16_INIT, out, n) ^ 0xFFFF);
	return n + 2;
}

/* The records alone, their last one a byte short. */
static gsize
make_truncated(const guint8 *frame, gsize len, guint8 *out)
{
	gsize n = len;

	memcpy(out, frame, len);
	if (out[0] & ROLLER_FRAME_FLAG_CRC) {
		out[0] &= (guint8)~ROLLER_FRAME_FLAG_CRC;
		n -= 2;
	}
	if (n > ROLLER_FRAME_HEADER_LEN)
		return n - 1;
	/* No record to cut: a record header's first byte alone. */
	out[n] = ROLLER_RECORD_STROKE;
	return n + 1;
}

static gsize
make_random(SimHostile *h, gsize max, guint8 *out)
{
	struct roller_frame frame;
	gsize n;

	do {
		n = (gsize)g_rand_int_range(h->rand, 1, (gint32)max + 1);
		for (gsize i = 0; i < n; i++)
			out[i] = (guint8)g_rand_int_range(h->rand, 0, 256);
	} while (roller_frame_parse(out, n, &frame) == ROLLER_OK);
	return n;
}

static gsize
make_one(SimHostile *h, SimHostileKind kind, const guint8 *frame, gsize len, gsize max,
	 guint8 *out)
{
	if (kind == SIM_HOSTILE_MIXED) {
		kind = h->next_mixed;
		h->next_mixed = kind == SIM_HOSTILE_RANDOM ? SIM_HOSTILE_OVERSIZE : kind + 1;
	}
	switch (kind) {
	case SIM_HOSTILE_OVERSIZE:
		return MIN(make_oversize(frame, out), max);
	case SIM_HOSTILE_VERSION:
		return make_version(frame, len, out);
	case SIM_HOSTILE_CRC:
		return make_crc(frame, len, max, out);
	case SIM_HOSTILE_TRUNCATED:
		return make_truncated(frame, len, out);
	case SIM_HOSTILE_RANDOM:
		return make_random(h, max, out);
	default:
		g_assert_not_reached();
	}
}

void
sim_hostile_after_frame(SimHostile *h, const SimFaults *faults, guint16 mtu,
			const guint8 *frame, gsize len, SimGroundTruth *truth,
			SimHostileSend send, gpointer user_data)
{
	SimHostileKind kind = faults->hostile_frames;
	guint flood = MIN(faults->flood, FLOOD_MAX);
	guint count = flood > 1 ? flood - 1 : kind != SIM_HOSTILE_NONE;
	/* ATT's notification payload; the model's own frames fit in it. */
	gsize max = MIN((gsize)mtu - 3, SIM_HOSTILE_FRAME_MAX);
	guint8 out[SIM_HOSTILE_FRAME_MAX];

	if (!count || len < ROLLER_FRAME_HEADER_LEN || len > max)
		return;
	if (kind == SIM_HOSTILE_NONE)
		kind = SIM_HOSTILE_MIXED;
	for (guint i = 0; i < count; i++) {
		gsize n = make_one(h, kind, frame, len, max, out);

		sim_ground_truth_hostile(truth, out, n);
		send(user_data, out, n);
	}
}
