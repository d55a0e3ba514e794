/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <string.h>

#include "rd-reorder.h"
#include "roller-frame.h"

/* Sequence numbers are 8 bits: half the circle ahead is new, half old. */
#define SEQ_HALF 128

struct slot {
	gboolean used;
	guint8 seq;
	guint16 len;
	guint8 data[ROLLER_FRAME_MAX_LEN];
};

struct _RdReorder {
	RdReorderReleaseFunc release;
	gpointer user_data;

	gboolean have_next;
	guint16 session_id;
	guint8 next_seq;		/* the frame the session waits for */
	gboolean applying_next;		/* the frame to apply now is that one */

	guint held;
	guint timer;
	struct slot slots[RD_REORDER_WINDOW];	/* by seq % RD_REORDER_WINDOW */
};

static void
release_slot(RdReorder *r, struct slot *s)
{
	s->used = FALSE;
	r->held--;
	r->next_seq = (guint8)(s->seq + 1);
	r->release(s->data, s->len, r->user_data);
}

static void
stop_timer(RdReorder *r)
{
	if (r->timer) {
		g_source_remove(r->timer);
		r->timer = 0;
	}
}

void
rd_reorder_flush(RdReorder *r)
{
	/* Held frames lie in next_seq + 1 .. next_seq + WINDOW. */
	guint8 from = r->next_seq;

	stop_timer(r);
	for (guint i = 0; i <= RD_REORDER_WINDOW && r->held; i++) {
		struct slot *s = &r->slots[(guint8)(from + i) % RD_REORDER_WINDOW];

		if (s->used && s->seq == (guint8)(from + i))
			release_slot(r, s);
	}
}

static gboolean
on_hold_timeout(gpointer user_data)
{
	RdReorder *r = user_data;

	r->timer = 0;
	g_debug("Telemetry: %u frame(s) waited %d ms for a missing one; going on", r->held,
		RD_REORDER_HOLD_MS);
	rd_reorder_flush(r);
	return G_SOURCE_REMOVE;
}

static void
hold(RdReorder *r, guint8 seq, const guint8 *data, gsize len)
{
	struct slot *s = &r->slots[seq % RD_REORDER_WINDOW];

	/* The same frame twice (a bearer's retry): one copy is enough. */
	if (s->used)
		return;
	s->used = TRUE;
	s->seq = seq;
	s->len = (guint16)len;
	memcpy(s->data, data, len);
	r->held++;
	if (!r->timer)
		r->timer = g_timeout_add(RD_REORDER_HOLD_MS, on_hold_timeout, r);
}

RdReorderVerdict
rd_reorder_arrived(RdReorder *r, guint16 session_id, guint8 seq, const guint8 *data,
		   gsize len)
{
	guint8 ahead;

	r->applying_next = FALSE;
	if (!r->have_next || session_id != r->session_id) {
		rd_reorder_flush(r);
		r->have_next = TRUE;
		r->session_id = session_id;
		r->next_seq = seq;
	}
	ahead = (guint8)(seq - r->next_seq);
	if (ahead == 0) {
		r->applying_next = TRUE;
		return RD_REORDER_APPLY;
	}
	/* Behind: a duplicate or a frame given up on; the session says which. */
	if (ahead >= SEQ_HALF)
		return RD_REORDER_APPLY;
	if (ahead <= RD_REORDER_WINDOW && len <= ROLLER_FRAME_MAX_LEN) {
		hold(r, seq, data, len);
		return RD_REORDER_HELD;
	}
	/* Too far ahead to be a reordering: frames were lost. */
	rd_reorder_flush(r);
	r->next_seq = seq;
	r->applying_next = TRUE;
	return RD_REORDER_APPLY;
}

void
rd_reorder_applied(RdReorder *r)
{
	struct slot *s;

	if (!r->applying_next)
		return;
	r->applying_next = FALSE;
	r->next_seq++;
	while (r->held) {
		s = &r->slots[r->next_seq % RD_REORDER_WINDOW];
		if (!s->used || s->seq != r->next_seq)
			return;
		release_slot(r, s);
	}
	stop_timer(r);
}

guint
rd_reorder_get_held(const RdReorder *r)
{
	return r->held;
}

RdReorder *
rd_reorder_new(RdReorderReleaseFunc release, gpointer user_data)
{
	RdReorder *r = g_new0(RdReorder, 1);

	r->release = release;
	r->user_data = user_data;
	return r;
}

void
rd_reorder_free(RdReorder *r)
{
	if (!r)
		return;
	stop_timer(r);
	g_free(r);
}
