/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * One live session: the Telemetry frames of a roller's running session
 * folded into totals as they arrive.  Plain C, no D-Bus, no allocation
 * per frame: the daemon feeds every notification and reads a summary.
 *
 * Rules where the profile leaves the receiver a choice:
 *
 * - Sequence numbers.  With d = (seq - last accepted seq) mod 256: d = 1
 *   is the next frame; 2..128 means d - 1 frames were lost; d = 0 is a
 *   duplicate and d = 129..255 a frame older than the last one, both
 *   ignored (counted in frames_stale, the state untouched) so a late or
 *   repeated frame never counts as 255 lost.  BLE delivers in order, so
 *   an old seq can only be a duplicate or a very late straggler, and
 *   dropping it keeps every record applied once.  After the link was lost
 *   (rd_live_session_link_lost()), or when no frame was accepted for
 *   RD_LIVE_SESSION_STALE_WINDOW_US, an old-looking seq (d >= 129) is the
 *   stream having moved on: it is accepted and the gap counted mod 256,
 *   a lower bound.  The first frame counts nothing lost.
 * - Pauses.  A sample taken at or after a PAUSE's t_ms and before the
 *   next RESUME's is paused, whatever the order of the FORCE and EVENT
 *   records, as long as the PAUSE comes in the same frame as the sample
 *   or an earlier one.  A PAUSE or RESUME lost with its frame cannot be
 *   recovered: paused time, duration and the statistics are then off
 *   until the next one (a repeated PAUSE or RESUME is ignored).
 * - Coverage.  Strokes add one pass to their cell (saturating at 255);
 *   a COVERAGE record replaces every cell count (and the grid, should it
 *   differ from Roller Info's), so passes lost with frames come back.
 * - Strokes.  The count follows roll_count (mod 65536, unwrapped), so
 *   lost strokes are counted; direction classes only count strokes seen.
 *   A STROKE whose roll_count does not move forward (the same, or up to
 *   32768 behind) is not a new stroke and is ignored.
 * - Time.  The session's time is the latest t_ms seen, or SESSION_END's;
 *   duration_ms is that time less the paused time.
 */
#pragma once

#include <glib.h>

#include "roller-frame.h"
#include "roller-info.h"
#include "roller-proto.h"

/* Wall time after which an old-looking seq is a new stream, not a duplicate. */
#define RD_LIVE_SESSION_STALE_WINDOW_US (2 * G_USEC_PER_SEC)
/* The strokes-per-minute window, and the least span it is scaled from. */
#define RD_LIVE_SESSION_SPM_WINDOW_MS 60000u
#define RD_LIVE_SESSION_SPM_MIN_SPAN_MS 10000u
/* The force trace: one contact mean per second, the last hour of it. */
#define RD_LIVE_SESSION_TRACE_PERIOD_MS 1000u
#define RD_LIVE_SESSION_TRACE_MAX 3600u

typedef struct _RdLiveSession RdLiveSession;

typedef enum {
	RD_LIVE_FRAME_APPLIED,		/* its records are in the totals */
	RD_LIVE_FRAME_REJECTED,		/* roller_frame_parse() refused it at the edge */
	RD_LIVE_FRAME_OTHER_SESSION,	/* well formed, another session id */
	RD_LIVE_FRAME_STALE,		/* a duplicate or an old seq */
} RdLiveFrameResult;

/* Where the contact samples have been lately, for the feedback rules. */
typedef enum {
	RD_FORCE_RUN_NONE,	/* no contact: lifted, paused, invalid, or unknown */
	RD_FORCE_RUN_BELOW,
	RD_FORCE_RUN_IN_BAND,
	RD_FORCE_RUN_ABOVE,
} RdForceRun;

typedef struct {
	guint16 session_id;
	gint area_id;			/* SESSION_START's arg, -1 before it */
	guint16 needle_um;		/* Roller Info's, or HEAD_CHANGED's */
	guint16 band_low_cN;
	guint16 band_high_cN;

	/* Spec section 6, over every sample received. */
	guint32 rolls;			/* from roll_count; the record holds it mod 65536 */
	guint16 force_mean_cN;
	guint16 force_max_cN;
	guint16 in_band_permille;
	guint16 force_latest_cN;	/* latest valid sample; ROLLER_FORCE_INVALID if none */
	guint32 dirs[4];		/* strokes seen, per roller_direction */
	guint8 cols;
	guint8 rows;
	guint8 passes[ROLLER_GRID_CELLS_MAX];	/* cols * rows used, row-major */
	double strokes_per_minute;

	/* Session time in ms since its start. */
	guint32 time_ms;		/* pauses included */
	guint32 duration_ms;		/* pauses excluded, as the stored record */
	guint32 paused_ms;
	gboolean paused;

	/* The current run of contact samples on one side of the band. */
	RdForceRun force_run;
	guint32 force_run_ms;		/* from its first sample to its latest */

	guint32 overforce_events;
	guint16 overforce_last_cN;
	guint32 battery_low_events;
	guint8 battery_last_percent;
	guint32 sensor_faults;
	gboolean ended;
	gint end_reason;		/* SESSION_END's reason, -1 before it */

	guint32 frames_ok;
	guint32 frames_lost;
	guint32 frames_stale;
	guint32 frames_other_session;
	guint32 frames_rejected[ROLLER_ERROR_COUNT];	/* by roller_error */
	guint32 frames_rejected_total;
	guint32 records_unknown;
	gint64 last_frame_us;		/* now_us of the latest applied frame, 0 if none */
} RdLiveSummary;

/*
 * Called from rd_live_session_feed_frame() for what the frame carried, in
 * record order; @ended once, after the frame with SESSION_END was applied
 * whole.  None may free the session.
 */
typedef struct {
	void (*stroke)(RdLiveSession *session, const struct roller_stroke *stroke,
		       enum roller_direction direction, guint32 count,
		       gpointer user_data);
	void (*event)(RdLiveSession *session, const struct roller_event *event,
		      gpointer user_data);
	void (*ended)(RdLiveSession *session, guint8 reason, gpointer user_data);
} RdLiveSessionCallbacks;

/*
 * @info gives the grid, band, needle and sample period; @callbacks may be
 * NULL and is copied.
 */
RdLiveSession *rd_live_session_new(const struct roller_info *info,
				   guint16 session_id,
				   const RdLiveSessionCallbacks *callbacks,
				   gpointer user_data);
void rd_live_session_free(RdLiveSession *session);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(RdLiveSession, rd_live_session_free)

/*
 * One Telemetry notification, parsed once where it arrived: @frame is what
 * roller_frame_parse() accepted (its records point into the caller's
 * buffer, read during the call only).  @now_us is g_get_monotonic_time()
 * or so.  Never RD_LIVE_FRAME_REJECTED.
 */
RdLiveFrameResult rd_live_session_feed_frame(RdLiveSession *session,
					     const struct roller_frame *frame,
					     gint64 now_us);

/*
 * A notification roller_frame_parse() refused with @err: counted by error
 * and nothing else touched.  Returns RD_LIVE_FRAME_REJECTED, so that a
 * caller handles both outcomes of a notification alike.
 */
RdLiveFrameResult rd_live_session_feed_rejected(RdLiveSession *session,
						enum roller_error err);

/* The link went down: the next frame's seq is taken as it comes. */
void rd_live_session_link_lost(RdLiveSession *session);

/* SET_FORCE_BAND succeeded during the session: later samples use it. */
void rd_live_session_set_force_band(RdLiveSession *session, guint16 low_cN,
				    guint16 high_cN);

guint16 rd_live_session_get_id(const RdLiveSession *session);
gboolean rd_live_session_is_ended(const RdLiveSession *session);
/* The latest session time seen (ms, pauses included). */
guint32 rd_live_session_get_time_ms(const RdLiveSession *session);

void rd_live_session_get_summary(const RdLiveSession *session, RdLiveSummary *out);

/*
 * The force trace, as the roller's stored one: per second of session time
 * from second 0, the mean of its contact samples (roller_force_is_contact())
 * rounded half up, 0 for a second without one (the roller lifted or
 * paused, frames lost, or before we joined); the second under way is the
 * last value, and there is none before the first sample.  Copies the newest min(n, @cap) values, oldest
 * first, into @out; returns how many.  *first_second receives the second
 * of out[0] (0 unless the session outgrew RD_LIVE_SESSION_TRACE_MAX or
 * @cap).
 */
guint rd_live_session_get_trace(const RdLiveSession *session, guint16 *out,
				guint cap, guint32 *first_second);
