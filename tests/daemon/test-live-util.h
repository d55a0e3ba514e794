/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Builds Telemetry frames with roller_frame_writer and feeds them to an
 * RdLiveSession, as a roller would send them: one seq after the other.
 * Include after <cmocka.h>.
 */
#pragma once

#include <glib.h>

#include "daemon/live/rd-live-session.h"
#include "roller-frame.h"
#include "tests/harness/test-util.h"

#define TEST_SESSION_ID 0x1234
#define TEST_BAND_LOW 200
#define TEST_BAND_HIGH 400
#define TEST_PERIOD_MS 10

typedef struct {
	RdLiveSession *session;
	guint16 session_id;
	guint8 seq;
	gint64 now_us;
	guint8 buf[ROLLER_FRAME_MAX_LEN];
	struct roller_frame_writer w;
} TestFeeder;

/* A 4x3 grid, band 200..400 cN, 10 ms samples, 0.5 mm needles. */
static inline struct roller_info
test_roller_info(void)
{
	struct roller_info info = {
		.protocol_version = 1,
		.grid_cols = 4,
		.grid_rows = 3,
		.cell_mm = 10,
		.sample_period_ms = TEST_PERIOD_MS,
		.needle_um = 500,
		.record_capacity = 16,
		.force_band_low_cN = TEST_BAND_LOW,
		.force_band_high_cN = TEST_BAND_HIGH,
		.force_full_scale_cN = 2000,
	};

	return info;
}

static inline void
test_feeder_init(TestFeeder *f, RdLiveSession *session)
{
	memset(f, 0, sizeof(*f));
	f->session = session;
	f->session_id = rd_live_session_get_id(session);
	f->now_us = 1000000;
}

static inline void
test_frame_begin(TestFeeder *f)
{
	roller_frame_writer_init(&f->w, f->buf, sizeof(f->buf), f->seq, f->session_id, TRUE);
}

/* A notification as rd_live_feed_telemetry() takes it: parsed once, then fed. */
static inline RdLiveFrameResult
test_feed_bytes(RdLiveSession *session, const guint8 *data, gsize len, gint64 now_us)
{
	struct roller_frame frame;
	enum roller_error err = roller_frame_parse(data, len, &frame);

	if (err != ROLLER_OK)
		return rd_live_session_feed_rejected(session, err);
	return rd_live_session_feed_frame(session, &frame, now_us);
}

/* Finishes the frame, feeds it 50 ms after the last one, moves seq on. */
static inline RdLiveFrameResult
test_frame_send(TestFeeder *f)
{
	size_t len = roller_frame_writer_finish(&f->w);

	f->seq++;
	f->now_us += 50000;
	return test_feed_bytes(f->session, f->buf, len, f->now_us);
}

static inline void
test_frame_force(TestFeeder *f, guint32 t_ms, guint8 period, const guint16 *samples, guint16 n)
{
	assert_int_equal(roller_frame_add_force(&f->w, t_ms, period, samples, n), ROLLER_OK);
}

static inline void
test_frame_stroke(TestFeeder *f, guint32 t_end_ms, guint16 roll_count, guint8 heading,
		  guint8 zone)
{
	struct roller_stroke s = {
		.t_end_ms = t_end_ms, .roll_count = roll_count, .length_mm = 40,
		.heading = heading, .zone = zone, .mean_force_cN = 300,
	};

	assert_int_equal(roller_frame_add_stroke(&f->w, &s), ROLLER_OK);
}

static inline void
test_frame_event(TestFeeder *f, guint32 t_ms, guint8 code, guint16 arg)
{
	struct roller_event e = { .t_ms = t_ms, .code = code, .arg = arg };

	assert_int_equal(roller_frame_add_event(&f->w, &e), ROLLER_OK);
}

/* Each in a frame of its own. */
static inline void
test_send_event(TestFeeder *f, guint32 t_ms, guint8 code, guint16 arg)
{
	test_frame_begin(f);
	test_frame_event(f, t_ms, code, arg);
	assert_int_equal(test_frame_send(f), RD_LIVE_FRAME_APPLIED);
}

static inline void
test_send_stroke(TestFeeder *f, guint32 t_end_ms, guint16 roll_count, guint8 heading,
		 guint8 zone)
{
	test_frame_begin(f);
	test_frame_stroke(f, t_end_ms, roll_count, heading, zone);
	assert_int_equal(test_frame_send(f), RD_LIVE_FRAME_APPLIED);
}

/* @n samples from @t_ms, as many frames as they need. */
static inline void
test_send_samples(TestFeeder *f, guint32 t_ms, guint8 period, const guint16 *samples, guint n)
{
	while (n) {
		guint16 k;

		test_frame_begin(f);
		k = (guint16)MIN(n, roller_frame_writer_force_room(&f->w));
		test_frame_force(f, t_ms, period, samples, k);
		assert_int_equal(test_frame_send(f), RD_LIVE_FRAME_APPLIED);
		samples += k;
		n -= k;
		t_ms += (guint32)k * period;
	}
}

/* Field by field: a struct's padding is not part of its value. */
static inline void
assert_summary_equal(const RdLiveSummary *a, const RdLiveSummary *b)
{
#define EQ(field) assert_int_equal(a->field, b->field)
	EQ(session_id); EQ(area_id); EQ(needle_um); EQ(band_low_cN); EQ(band_high_cN);
	EQ(rolls); EQ(force_mean_cN); EQ(force_max_cN); EQ(in_band_permille);
	EQ(force_latest_cN); EQ(cols); EQ(rows); EQ(time_ms); EQ(duration_ms);
	EQ(paused_ms); EQ(paused); EQ(force_run); EQ(force_run_ms); EQ(overforce_events);
	EQ(overforce_last_cN); EQ(battery_low_events); EQ(battery_last_percent);
	EQ(sensor_faults); EQ(ended); EQ(end_reason); EQ(frames_ok); EQ(frames_lost);
	EQ(frames_stale); EQ(frames_other_session); EQ(frames_rejected_total);
	EQ(records_unknown); EQ(last_frame_us);
#undef EQ
	assert_memory_equal(a->dirs, b->dirs, sizeof(a->dirs));
	assert_memory_equal(a->passes, b->passes, sizeof(a->passes));
	assert_memory_equal(a->frames_rejected, b->frames_rejected, sizeof(a->frames_rejected));
	assert_true(a->strokes_per_minute == b->strokes_per_minute);
}

/* @n samples of one value. */
static inline void
test_send_constant(TestFeeder *f, guint32 t_ms, guint16 value, guint n)
{
	guint16 *samples = g_new(guint16, MAX(n, 1));

	for (guint i = 0; i < n; i++)
		samples[i] = value;
	test_send_samples(f, t_ms, TEST_PERIOD_MS, samples, n);
	g_free(samples);
}

/*
 * Section 6 again, in floating point, without roller_force_stats: what
 * the statistics of these samples must be.
 */
typedef struct {
	guint64 sum;
	guint32 n, in_band;
	guint16 max;
} TestStats;

static inline void
test_stats_add(TestStats *e, guint16 v, gboolean paused)
{
	if (v == 0xFFFF)
		return;
	e->max = MAX(e->max, v);
	if (paused || v < 50)
		return;
	e->sum += v;
	e->n++;
	e->in_band += v >= TEST_BAND_LOW && v <= TEST_BAND_HIGH;
}

/* x >= 0: truncation is floor. */
#define TEST_ROUND_HALF_UP(x) ((guint16)((x) + 0.5))

/* A PAUSE (paused) or RESUME; a sample at or after it takes its state. */
typedef struct {
	guint32 t_ms;
	gboolean paused;
} TestTransition;

static inline gboolean
test_paused_at(const GArray *transitions, guint32 t_ms)
{
	gboolean paused = FALSE;

	for (guint i = 0; i < transitions->len; i++) {
		const TestTransition *tr = &g_array_index(transitions, TestTransition, i);

		if (tr->t_ms <= t_ms)
			paused = tr->paused;
	}
	return paused;
}

/* What test_send_random_session() sent. */
typedef struct {
	GArray *times;		/* guint32: every sample's t_ms */
	GArray *values;		/* guint16: every sample */
	GArray *transitions;	/* TestTransition */
	guint32 end_ms;		/* SESSION_END's t_ms */
	guint32 paused_ms;
	guint n_frames;		/* SESSION_END's included */
} TestRandomSession;

static inline void
test_random_session_clear(TestRandomSession *rs)
{
	g_array_unref(rs->times);
	g_array_unref(rs->values);
	g_array_unref(rs->transitions);
}

/*
 * Up to 60 frames of 1..100 samples of every kind (invalid, light, the
 * band's edges, any), a third of them with a PAUSE or RESUME at a random
 * time of its span (on a sample or between two), the EVENT before or after
 * the FORCE; then SESSION_END.
 */
static inline void
test_send_random_session(TestFeeder *f, struct test_rand *r, TestRandomSession *rs)
{
	static const guint16 edges[] = { 0, 49, 50, 199, 200, 400, 401, 0xFFFE };
	guint32 t = 0, pause_start = 0;
	gboolean paused = FALSE;
	guint frames = test_rand_range(r, 1, 60);

	rs->times = g_array_new(FALSE, FALSE, sizeof(guint32));
	rs->values = g_array_new(FALSE, FALSE, sizeof(guint16));
	rs->transitions = g_array_new(FALSE, FALSE, sizeof(TestTransition));
	rs->paused_ms = 0;
	for (guint fr = 0; fr < frames; fr++) {
		guint16 samples[100], k = (guint16)test_rand_range(r, 1, 100);
		gboolean transition = test_rand_range(r, 0, 2) == 0;
		gboolean event_first = test_rand_range(r, 0, 1);
		TestTransition tr = { t + test_rand_range(r, 0, k * TEST_PERIOD_MS - 1), !paused };
		guint8 code = paused ? ROLLER_EVENT_RESUME : ROLLER_EVENT_PAUSE;

		for (guint i = 0; i < k; i++) {
			guint kind = test_rand_range(r, 0, 9);
			guint32 at = t + i * TEST_PERIOD_MS;

			samples[i] = kind == 0 ? 0xFFFF :
				     kind == 1 ? edges[test_rand_range(r, 0, 7)] :
				     kind == 2 ? (guint16)test_rand_range(r, 0, 49) :
				     (guint16)test_rand_range(r, 50, 1000);
			g_array_append_val(rs->times, at);
			g_array_append_val(rs->values, samples[i]);
		}
		if (test_rand_range(r, 0, 1))
			tr.t_ms -= tr.t_ms % TEST_PERIOD_MS;	/* on a sample */
		test_frame_begin(f);
		if (transition && event_first)
			test_frame_event(f, tr.t_ms, code, 0);
		test_frame_force(f, t, TEST_PERIOD_MS, samples, k);
		if (transition && !event_first)
			test_frame_event(f, tr.t_ms, code, 0);
		assert_int_equal(test_frame_send(f), RD_LIVE_FRAME_APPLIED);
		if (transition) {
			g_array_append_val(rs->transitions, tr);
			if (paused)
				rs->paused_ms += tr.t_ms - pause_start;
			pause_start = tr.t_ms;
			paused = !paused;
		}
		t += k * TEST_PERIOD_MS;
	}
	test_send_event(f, t, ROLLER_EVENT_SESSION_END, ROLLER_END_USER);
	if (paused)
		rs->paused_ms += t - pause_start;
	rs->end_ms = t;
	rs->n_frames = frames + 1;
}
