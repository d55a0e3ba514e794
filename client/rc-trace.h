/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A session's force trace as rollerctl reads it: each value the mean of
 * the contact samples of its period (docs/protocol.md), 0 for a period
 * without one, where the roller was lifted or paused throughout.  A 0 is
 * a gap, never a point at 0 cN: drawn as one, it would drag the line
 * below the force the session was rolled at.
 */
#pragma once

#include <glib.h>

/*
 * The next run of contact means at or after *@pos: [*@start, *@end), and
 * *@pos moves past it.  FALSE when only gaps are left.
 */
gboolean rc_trace_next_run(const guint16 *v, gsize n, gsize *pos, gsize *start, gsize *end);

/* The highest contact mean; 0 for a trace that is all gaps. */
guint16 rc_trace_max(const guint16 *v, gsize n);

/*
 * The trace in at most @width characters, bars from the lowest to the
 * highest contact mean (the highest gets the full one; UTF-8 blocks, or
 * "_.-=+*#@" without @unicode), a space where the roller was lifted.  A
 * character standing for several periods shows the mean of their
 * contact means, and is a gap only when all of them are.
 */
char *rc_trace_sparkline(const guint16 *v, gsize n, gsize width, gboolean unicode);
