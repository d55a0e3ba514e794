/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Puts a roller's Telemetry frames back in sequence order.  With EATT
 * (bluetoothd 5.66's default) the notifications of one characteristic
 * travel on several ATT bearers and can overtake each other; applied as
 * they come, an overtaken frame would be stale and its strokes lost to
 * the live session.  A frame that arrives after a gap is held until the
 * gap fills, RD_REORDER_HOLD_MS pass, or the window is full; then the
 * held frames go on in order and what is still missing counts as lost.
 * Frames in order, the common case, pass straight through, uncopied.
 */
#pragma once

#include <glib.h>

#define RD_REORDER_HOLD_MS 200
/* Frames held at most; a gap wider than this is a loss, not a reordering. */
#define RD_REORDER_WINDOW 16

typedef struct _RdReorder RdReorder;

/* A held frame whose turn came: the @len bytes the roller sent. */
typedef void (*RdReorderReleaseFunc)(const guint8 *data, gsize len, gpointer user_data);

typedef enum {
	RD_REORDER_APPLY,	/* apply it now, then call rd_reorder_applied() */
	RD_REORDER_HELD,	/* copied; it is released later */
} RdReorderVerdict;

RdReorder *rd_reorder_new(RdReorderReleaseFunc release, gpointer user_data);
void rd_reorder_free(RdReorder *reorder);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(RdReorder, rd_reorder_free)

/*
 * A valid frame of @session_id with @seq arrived.  A frame of another
 * session releases every held frame first.
 */
RdReorderVerdict rd_reorder_arrived(RdReorder *reorder, guint16 session_id, guint8 seq,
				    const guint8 *data, gsize len);
/* After applying a frame rd_reorder_arrived() said to apply: releases
 * the held frames that now follow it without a gap. */
void rd_reorder_applied(RdReorder *reorder);
/* Releases every held frame, in order (the session ends, the link went). */
void rd_reorder_flush(RdReorder *reorder);
guint rd_reorder_get_held(const RdReorder *reorder);
