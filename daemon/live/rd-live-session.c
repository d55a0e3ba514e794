/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "rd-live-session.h"
#include "roller-record.h"

/* PAUSE/RESUME transitions kept to place samples that arrive after them. */
#define PAUSE_MARKS 16
/*
 * Stroke end times in the strokes-per-minute window: 17 strokes a second
 * for a minute, far past any hand; beyond it the oldest go first.
 */
#define SPM_RING 1024u

struct pause_mark {
	guint32 t_ms;
	gboolean paused;
};

struct _RdLiveSession {
	RdLiveSessionCallbacks cb;
	gpointer user_data;

	/* Counters that need no work to read; the rest is derived on demand. */
	RdLiveSummary sum;
	struct roller_force_stats stats;
	gboolean ended_reported;

	/* Sequence numbers. */
	gboolean have_seq;
	guint8 last_seq;
	gboolean resync;

	/* Pauses: now, and the latest transitions (newest at n_marks - 1). */
	guint32 pause_start_ms;
	guint32 paused_closed_ms;
	struct pause_mark marks[PAUSE_MARKS];
	guint n_marks;

	/* Time: the latest t_ms of any record, SESSION_END's once ended. */
	guint32 latest_ms;
	guint32 end_ms;

	/* Strokes. */
	gboolean have_roll;
	guint16 last_roll;
	guint32 spm_t[SPM_RING];
	guint spm_oldest;
	guint spm_len;

	/* Contact run. */
	guint32 run_start_ms;
	guint32 run_last_ms;

	/* Force trace: the ring and the second being summed. */
	gboolean trace_started;
	guint16 trace[RD_LIVE_SESSION_TRACE_MAX];
	guint trace_oldest;
	guint trace_len;
	guint32 trace_next_second;	/* the second the next value stands for */
	guint32 bucket_start_ms;
	guint32 bucket_end_ms;
	guint64 bucket_sum;
	guint32 bucket_n;
};

RdLiveSession *
rd_live_session_new(const struct roller_info *info, guint16 session_id,
		    const RdLiveSessionCallbacks *callbacks, gpointer user_data)
{
	RdLiveSession *s = g_new0(RdLiveSession, 1);

	if (callbacks)
		s->cb = *callbacks;
	s->user_data = user_data;
	s->sum.session_id = session_id;
	s->sum.area_id = -1;
	s->sum.end_reason = -1;
	s->sum.needle_um = info->needle_um;
	s->sum.band_low_cN = info->force_band_low_cN;
	s->sum.band_high_cN = info->force_band_high_cN;
	s->sum.cols = CLAMP(info->grid_cols, 1, ROLLER_GRID_MAX);
	s->sum.rows = CLAMP(info->grid_rows, 1, ROLLER_GRID_MAX);
	s->sum.force_latest_cN = ROLLER_FORCE_INVALID;
	s->sum.force_run = RD_FORCE_RUN_NONE;
	roller_force_stats_init(&s->stats);
	return s;
}

void
rd_live_session_free(RdLiveSession *session)
{
	g_free(session);
}

void
rd_live_session_link_lost(RdLiveSession *session)
{
	session->resync = TRUE;
	session->sum.force_run = RD_FORCE_RUN_NONE;
}

void
rd_live_session_set_force_band(RdLiveSession *session, guint16 low_cN,
			       guint16 high_cN)
{
	session->sum.band_low_cN = low_cN;
	session->sum.band_high_cN = high_cN;
	session->sum.force_run = RD_FORCE_RUN_NONE;
}

guint16
rd_live_session_get_id(const RdLiveSession *session)
{
	return session->sum.session_id;
}

gboolean
rd_live_session_is_ended(const RdLiveSession *session)
{
	return session->sum.ended;
}

guint32
rd_live_session_get_time_ms(const RdLiveSession *session)
{
	return session->sum.ended ? session->end_ms : session->latest_ms;
}

/* FALSE: the frame is a duplicate or older than the last one. */
static gboolean
accept_seq(RdLiveSession *s, guint8 seq, gint64 now_us)
{
	guint8 d = (guint8)(seq - s->last_seq);

	if (!s->have_seq || d == 1)
		return TRUE;
	if (d == 0)
		return FALSE;
	if (d > 128 && !s->resync &&
	    now_us - s->sum.last_frame_us < RD_LIVE_SESSION_STALE_WINDOW_US)
		return FALSE;
	s->sum.frames_lost += d - 1u;
	/* Samples on both sides of a hole are not one continuous run. */
	s->sum.force_run = RD_FORCE_RUN_NONE;
	return TRUE;
}

static void
note_time(RdLiveSession *s, guint32 t_ms)
{
	if (t_ms > s->latest_ms)
		s->latest_ms = t_ms;
}

static void
apply_pause(RdLiveSession *s, guint32 t_ms, gboolean paused)
{
	struct pause_mark *m;

	if (paused == s->sum.paused)
		return;
	if (paused)
		s->pause_start_ms = t_ms;
	else if (t_ms > s->pause_start_ms)
		s->paused_closed_ms += t_ms - s->pause_start_ms;
	s->sum.paused = paused;
	m = &s->marks[s->n_marks % PAUSE_MARKS];
	m->t_ms = t_ms;
	m->paused = paused;
	s->n_marks++;
	note_time(s, t_ms);
}

/* Whether the session was paused at @t_ms, by the transitions kept. */
static gboolean
paused_at(const RdLiveSession *s, guint32 t_ms)
{
	guint kept = MIN(s->n_marks, PAUSE_MARKS);
	const struct pause_mark *m = NULL;

	for (guint i = 1; i <= kept; i++) {
		m = &s->marks[(s->n_marks - i) % PAUSE_MARKS];
		if (m->t_ms <= t_ms)
			return m->paused;
	}
	/* Earlier than every transition kept: before the oldest one. */
	return m ? !m->paused : FALSE;
}

/*
 * The frame's PAUSE and RESUME first, so that its samples are placed by
 * their time whatever the order of the records.
 */
static void
apply_frame_pauses(RdLiveSession *s, const struct roller_record *recs, guint n)
{
	for (guint i = 0; i < n; i++) {
		const struct roller_event *e = &recs[i].u.event;

		if (recs[i].type == ROLLER_RECORD_EVENT &&
		    (e->code == ROLLER_EVENT_PAUSE || e->code == ROLLER_EVENT_RESUME))
			apply_pause(s, e->t_ms, e->code == ROLLER_EVENT_PAUSE);
	}
}

static void
trace_push(RdLiveSession *s, guint16 value)
{
	if (s->trace_len < RD_LIVE_SESSION_TRACE_MAX) {
		s->trace[(s->trace_oldest + s->trace_len) % RD_LIVE_SESSION_TRACE_MAX] = value;
		s->trace_len++;
	} else {
		s->trace[s->trace_oldest] = value;
		s->trace_oldest = (s->trace_oldest + 1) % RD_LIVE_SESSION_TRACE_MAX;
	}
	s->trace_next_second++;
}

static guint16
bucket_mean(const RdLiveSession *s)
{
	/* 0 without a contact sample, as the roller's stored trace has it. */
	if (!s->bucket_n)
		return 0;
	return (guint16)((2 * s->bucket_sum + s->bucket_n) / (2 * (guint64)s->bucket_n));
}

/* A sample at @t_ms lies past the second being summed: close it. */
static void
trace_advance(RdLiveSession *s, guint32 t_ms)
{
	guint32 second = t_ms / RD_LIVE_SESSION_TRACE_PERIOD_MS, gap;

	if (s->trace_started) {
		gap = second - s->trace_next_second - 1;
		trace_push(s, bucket_mean(s));
	} else {
		/* From second 0, like the roller's, however late we joined. */
		s->trace_started = TRUE;
		gap = second;
	}
	/* Seconds without a sample (lost frames, or before we joined). */
	if (gap > RD_LIVE_SESSION_TRACE_MAX) {
		s->trace_next_second += gap - RD_LIVE_SESSION_TRACE_MAX;
		gap = RD_LIVE_SESSION_TRACE_MAX;
	}
	while (gap--)
		trace_push(s, 0);
	s->bucket_start_ms = second * RD_LIVE_SESSION_TRACE_PERIOD_MS;
	s->bucket_end_ms = s->bucket_start_ms + RD_LIVE_SESSION_TRACE_PERIOD_MS;
	s->bucket_sum = 0;
	s->bucket_n = 0;
}

/* The hot path: every sample goes through here once. */
static void
apply_force(RdLiveSession *s, const struct roller_force *f)
{
	const guint16 low = s->sum.band_low_cN, high = s->sum.band_high_cN;
	const guint n_marks = MIN(s->n_marks, PAUSE_MARKS);
	/* Placed one by one only when a transition falls after its start. */
	const gboolean mixed = n_marks &&
		s->marks[(s->n_marks - 1) % PAUSE_MARKS].t_ms > f->t_ms;
	const gboolean record_paused = s->sum.paused;
	RdForceRun run = s->sum.force_run;
	guint16 latest = s->sum.force_latest_cN;
	guint32 t = f->t_ms;

	for (guint i = 0; i < f->n; i++, t += f->period_ms) {
		guint16 v = roller_force_sample(f, i);
		gboolean paused = mixed ? paused_at(s, t) : record_paused;
		RdForceRun side;

		roller_force_stats_add(&s->stats, v, paused, low, high);
		if (t >= s->bucket_end_ms)
			trace_advance(s, t);
		if (v == ROLLER_FORCE_INVALID) {
			run = RD_FORCE_RUN_NONE;
			continue;
		}
		latest = v;
		if (!roller_force_is_contact(v, paused)) {
			run = RD_FORCE_RUN_NONE;
			continue;
		}
		if (t >= s->bucket_start_ms) {
			s->bucket_sum += v;
			s->bucket_n++;
		}
		side = v < low ? RD_FORCE_RUN_BELOW :
		       v > high ? RD_FORCE_RUN_ABOVE : RD_FORCE_RUN_IN_BAND;
		if (side != run) {
			run = side;
			s->run_start_ms = t;
		}
		s->run_last_ms = t;
	}
	s->sum.force_run = run;
	s->sum.force_latest_cN = latest;
	note_time(s, f->t_ms + (guint32)(f->n - 1) * f->period_ms);
}

static void
spm_expire(RdLiveSession *s)
{
	guint32 now = rd_live_session_get_time_ms(s);

	while (s->spm_len &&
	       s->spm_t[s->spm_oldest] + RD_LIVE_SESSION_SPM_WINDOW_MS <= now) {
		s->spm_oldest = (s->spm_oldest + 1) % SPM_RING;
		s->spm_len--;
	}
}

static void
apply_stroke(RdLiveSession *s, const struct roller_stroke *st)
{
	enum roller_direction dir = roller_heading_direction(st->heading);
	guint cells = (guint)s->sum.cols * s->sum.rows;

	if (!s->have_roll) {
		/* roll_count is the session's count: it tells what came before. */
		s->sum.rolls = st->roll_count;
		s->have_roll = TRUE;
	} else {
		guint16 d = (guint16)(st->roll_count - s->last_roll);

		/* The same count again, or an older one: not a new stroke. */
		if (d == 0 || d >= 0x8000)
			return;
		s->sum.rolls += d;
	}
	s->last_roll = st->roll_count;
	s->sum.dirs[dir]++;
	if (st->zone < cells && s->sum.passes[st->zone] < G_MAXUINT8)
		s->sum.passes[st->zone]++;
	note_time(s, st->t_end_ms);

	if (s->spm_len == SPM_RING) {
		s->spm_oldest = (s->spm_oldest + 1) % SPM_RING;
		s->spm_len--;
	}
	s->spm_t[(s->spm_oldest + s->spm_len) % SPM_RING] = st->t_end_ms;
	s->spm_len++;

	if (s->cb.stroke)
		s->cb.stroke(s, st, dir, s->sum.rolls, s->user_data);
}

static void
apply_coverage(RdLiveSession *s, const struct roller_coverage *c)
{
	guint cells = (guint)c->cols * c->rows;

	/* The roller's own counts, lost strokes included, replace ours. */
	s->sum.cols = c->cols;
	s->sum.rows = c->rows;
	memcpy(s->sum.passes, c->passes, cells);
	memset(s->sum.passes + cells, 0, sizeof(s->sum.passes) - cells);
}

static void
apply_event(RdLiveSession *s, const struct roller_event *e)
{
	switch (e->code) {
	case ROLLER_EVENT_SESSION_START:
		s->sum.area_id = (guint8)e->arg;
		break;
	case ROLLER_EVENT_SESSION_END:
		if (s->sum.ended)
			break;
		s->sum.ended = TRUE;
		s->sum.end_reason = e->arg;
		s->end_ms = e->t_ms;
		break;
	case ROLLER_EVENT_OVERFORCE:
		s->sum.overforce_events++;
		s->sum.overforce_last_cN = e->arg;
		break;
	case ROLLER_EVENT_HEAD_CHANGED:
		s->sum.needle_um = e->arg;
		break;
	case ROLLER_EVENT_BATTERY_LOW:
		s->sum.battery_low_events++;
		s->sum.battery_last_percent = (guint8)MIN(e->arg, G_MAXUINT8);
		break;
	case ROLLER_EVENT_SENSOR_FAULT:
		s->sum.sensor_faults++;
		break;
	default:
		/* PAUSE and RESUME were applied before the records. */
		break;
	}
	note_time(s, e->t_ms);
	if (s->cb.event)
		s->cb.event(s, e, s->user_data);
}

RdLiveFrameResult
rd_live_session_feed_rejected(RdLiveSession *session, enum roller_error err)
{
	session->sum.frames_rejected[err < ROLLER_ERROR_COUNT ? err : 0]++;
	session->sum.frames_rejected_total++;
	return RD_LIVE_FRAME_REJECTED;
}

RdLiveFrameResult
rd_live_session_feed_frame(RdLiveSession *session, const struct roller_frame *frame,
			   gint64 now_us)
{
	RdLiveSession *s = session;
	struct roller_frame_iter iter;
	/* Every record takes 2 bytes at least. */
	struct roller_record recs[(ROLLER_FRAME_MAX_LEN - ROLLER_FRAME_HEADER_LEN) / 2];
	guint n = 0;

	if (frame->session_id != s->sum.session_id) {
		s->sum.frames_other_session++;
		return RD_LIVE_FRAME_OTHER_SESSION;
	}
	if (!accept_seq(s, frame->seq, now_us)) {
		s->sum.frames_stale++;
		return RD_LIVE_FRAME_STALE;
	}
	s->have_seq = TRUE;
	s->last_seq = frame->seq;
	s->resync = FALSE;
	s->sum.last_frame_us = now_us;
	s->sum.frames_ok++;
	s->sum.records_unknown += frame->n_unknown;

	/* Walked once; the pauses need the whole frame before the rest. */
	roller_frame_iter_init(&iter, frame);
	while (n < G_N_ELEMENTS(recs) && roller_frame_iter_next(&iter, &recs[n]))
		n++;
	apply_frame_pauses(s, recs, n);
	for (guint i = 0; i < n; i++) {
		const struct roller_record *rec = &recs[i];

		switch (rec->type) {
		case ROLLER_RECORD_FORCE:
			apply_force(s, &rec->u.force);
			break;
		case ROLLER_RECORD_STROKE:
			apply_stroke(s, &rec->u.stroke);
			break;
		case ROLLER_RECORD_COVERAGE:
			apply_coverage(s, &rec->u.coverage);
			break;
		case ROLLER_RECORD_EVENT:
			apply_event(s, &rec->u.event);
			break;
		default:
			break;
		}
	}
	spm_expire(s);

	/* After the whole frame: a COVERAGE after SESSION_END is in. */
	if (s->sum.ended && !s->ended_reported) {
		s->ended_reported = TRUE;
		if (s->cb.ended)
			s->cb.ended(s, (guint8)s->sum.end_reason, s->user_data);
	}
	return RD_LIVE_FRAME_APPLIED;
}

void
rd_live_session_get_summary(const RdLiveSession *session, RdLiveSummary *out)
{
	const RdLiveSession *s = session;
	guint32 now = rd_live_session_get_time_ms(s);
	guint32 span = CLAMP(now, RD_LIVE_SESSION_SPM_MIN_SPAN_MS,
			     RD_LIVE_SESSION_SPM_WINDOW_MS);

	*out = s->sum;
	out->force_mean_cN = roller_force_stats_mean(&s->stats);
	out->force_max_cN = roller_force_stats_max(&s->stats);
	out->in_band_permille = roller_force_stats_in_band_permille(&s->stats);
	out->time_ms = now;
	out->paused_ms = s->paused_closed_ms;
	if (s->sum.paused && now > s->pause_start_ms)
		out->paused_ms += now - s->pause_start_ms;
	out->duration_ms = now > out->paused_ms ? now - out->paused_ms : 0;
	out->strokes_per_minute = s->spm_len * (double)RD_LIVE_SESSION_SPM_WINDOW_MS / span;
	out->force_run_ms = s->sum.force_run == RD_FORCE_RUN_NONE ? 0 :
			    s->run_last_ms - s->run_start_ms;
}

guint
rd_live_session_get_trace(const RdLiveSession *session, guint16 *out,
			  guint cap, guint32 *first_second)
{
	const RdLiveSession *s = session;
	guint total = s->trace_len + (s->trace_started ? 1 : 0);
	guint n = MIN(total, cap), skip = total - n, i;

	for (i = 0; i < n; i++) {
		guint k = skip + i;

		if (k < s->trace_len)
			out[i] = s->trace[(s->trace_oldest + k) % RD_LIVE_SESSION_TRACE_MAX];
		else
			out[i] = bucket_mean(s);	/* the second under way */
	}
	if (first_second)
		*first_second = s->trace_next_second - s->trace_len + skip;
	return n;
}
