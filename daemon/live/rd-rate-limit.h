/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * LiveUpdate's pace: at most one update per 1/max_hz, evenly spaced.  An
 * update wanted sooner waits for its slot (and then carries the values of
 * that moment), so a burst of frames gives one update at once and one at
 * the end of the interval, never a burst of updates.  Plain arithmetic on
 * monotonic microseconds, no main loop.
 */
#pragma once

#include <glib.h>

typedef struct {
	gint64 interval_us;
	gint64 last_us;		/* when the last update went out */
	gboolean sent;		/* any went out */
} RdRateLimit;

/* @max_hz 0 is taken as 1. */
void rd_rate_limit_init(RdRateLimit *limit, guint max_hz);
/* The earliest time, @now or later, at which the next update may go out. */
gint64 rd_rate_limit_next(const RdRateLimit *limit, gint64 now);
/* Milliseconds to wait from @now for that slot, rounded up: a timer of
 * that many never fires before it. */
guint rd_rate_limit_delay_ms(const RdRateLimit *limit, gint64 now);
/* An update went out at @now. */
void rd_rate_limit_sent(RdRateLimit *limit, gint64 now);
