/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The force of a live session as the monitor shows it: every recent
 * sample, downsampled to screen columns, and the contact-force gauge.
 *
 * Contact: a valid sample at or over ROLLER_CONTACT_MIN_CN (the profile's
 * threshold, the one its statistics use), taken while the session was not
 * paused.  Lifts and pauses are not contact: they are gaps, never zeros
 * averaged in.
 *
 * The gauge: the mean of the contact samples of the last
 * RC_FORCE_VIEW_GAUGE_MS by the samples' own clock (the newest sample and
 * those less than 500 ms older); none when that window holds no contact,
 * i.e. the roller is lifted.  The latest sample alone would read 0 after
 * every lift.
 *
 * Pure: no I/O, no clock; time is the session's, in ms.
 */
#pragma once

#include <glib.h>

#include "roller-frame.h"

#define RC_FORCE_VIEW_GAUGE_MS 500u
/* Samples kept: 40 s at the profile's 100 Hz, wider than any screen's plot. */
#define RC_FORCE_VIEW_KEEP 4096u

typedef enum {
	RC_FORCE_COLUMN_EMPTY,		/* no sample (not yet, or lost) */
	RC_FORCE_COLUMN_LIFTED,		/* samples, none of them contact */
	RC_FORCE_COLUMN_CONTACT,
} RcForceColumnKind;

typedef struct {
	RcForceColumnKind kind;
	/* Of the contact samples; 0 unless kind is CONTACT. */
	guint16 max_cn;
	guint16 mean_cn;
} RcForceColumn;

typedef struct RcForceView RcForceView;

RcForceView *rc_force_view_new(void);
void rc_force_view_free(RcForceView *view);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(RcForceView, rc_force_view_free)

/* Forgets every sample: a new session. */
void rc_force_view_clear(RcForceView *view);

/*
 * Adds a FORCE record's samples, taken with the session @paused or not.
 * A record older than the newest sample starts over (a new session's
 * clock); one at the same time or overlapping keeps only its newer part.
 */
void rc_force_view_add(RcForceView *view, const struct roller_force *force, gboolean paused);

/* The gauge into *@cn; FALSE (and *@cn untouched) when there is no contact. */
gboolean rc_force_view_contact_cn(const RcForceView *view, guint16 *cn);

/*
 * Fills @n columns of @span_ms each: the last column is the span, aligned
 * on multiples of @span_ms, that holds the newest sample, so that the
 * plot scrolls by whole columns.
 */
void rc_force_view_columns(const RcForceView *view, guint span_ms, RcForceColumn *columns,
			   guint n);
