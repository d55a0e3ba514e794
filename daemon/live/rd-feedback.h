/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Technique feedback: rules over a live session that raise alerts (the
 * Alert signal's kind and sentence).  One RdFeedback per live session;
 * call rd_feedback_evaluate() after every applied frame; once the session
 * has ended it runs the end-of-session rules (once).  rd_feedback_finish()
 * does the same for a session that ended without SESSION_END.
 *
 * Rate limit: an alert of a kind is not raised again until hold_off_ms
 * of session time have passed since the last one of that kind, whether
 * its condition persisted or came back; a condition that persists is
 * raised again after each hold-off, as a reminder.  While the session is
 * paused only overforce and battery-low alerts are raised.
 *
 * The rules (thresholds from rollerd.conf's [Feedback]):
 *   force-low, force-high    the current run of contact samples has stayed
 *                            below (above) the band for at least
 *                            force_low_ms (force_high_ms), first sample to
 *                            latest; a lift, a pause or a lost frame ends
 *                            the run
 *   overforce                a new OVERFORCE event
 *   too-fast                 strokes per minute above max_strokes_per_minute
 *   cell-overworked          a cell's passes went above max_passes_per_cell
 *                            (raised once per cell)
 *   direction-neglected      after direction_min_strokes strokes, a direction
 *                            class has under direction_min_share_percent
 *   coverage-incomplete      at the end, under coverage_min_share_percent of
 *                            the cells had coverage_min_passes passes (not
 *                            raised for a session without a stroke)
 *   battery-low              a new BATTERY_LOW event
 */
#pragma once

#include <glib.h>

#include "rd-live-session.h"

typedef enum {
	RD_ALERT_FORCE_LOW,
	RD_ALERT_FORCE_HIGH,
	RD_ALERT_OVERFORCE,
	RD_ALERT_TOO_FAST,
	RD_ALERT_CELL_OVERWORKED,
	RD_ALERT_DIRECTION_NEGLECTED,
	RD_ALERT_COVERAGE_INCOMPLETE,
	RD_ALERT_BATTERY_LOW,
} RdAlertKind;

#define RD_ALERT_N_KINDS (RD_ALERT_BATTERY_LOW + 1)

/* "force-low", ... as on D-Bus; NULL outside the enum. */
const char *rd_alert_kind_to_string(RdAlertKind kind);
gboolean rd_alert_kind_from_string(const char *name, RdAlertKind *kind);

typedef struct {
	guint32 hold_off_ms;
	guint32 force_low_ms;
	guint32 force_high_ms;
	guint max_strokes_per_minute;
	guint max_passes_per_cell;
	guint direction_min_strokes;
	guint direction_min_share_percent;
	guint coverage_min_passes;
	guint coverage_min_share_percent;
	guint disabled;			/* bit (1 << RdAlertKind): never raised */
} RdFeedbackConfig;

typedef void (*RdFeedbackAlertFunc)(RdAlertKind kind, const char *kind_name,
				    const char *message, gpointer user_data);

typedef struct _RdFeedback RdFeedback;

/* @config is copied. */
RdFeedback *rd_feedback_new(const RdFeedbackConfig *config,
			    RdFeedbackAlertFunc alert, gpointer user_data);
void rd_feedback_free(RdFeedback *fb);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(RdFeedback, rd_feedback_free)

/* @now_session_ms: rd_live_session_get_time_ms() or the daemon's estimate. */
void rd_feedback_evaluate(RdFeedback *fb, const RdLiveSession *session,
			  guint32 now_session_ms);
/*
 * The session is over (the roller's Status said so, SESSION_END lost):
 * the event rules once more, then the end-of-session rules, once.
 */
void rd_feedback_finish(RdFeedback *fb, const RdLiveSession *session,
			guint32 now_session_ms);
