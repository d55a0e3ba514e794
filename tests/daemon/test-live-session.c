/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * rd-live-session: statistics against an independent computation, seq
 * gaps and duplicates, rejected and foreign frames, strokes and their
 * window, coverage resync, pauses, the trace and the end of a session.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "daemon/live/rd-live-session.h"
#include "test-live-util.h"
#include "tests/harness/test-util.h"

typedef struct {
	RdLiveSession *session;
	TestFeeder feeder;
	guint strokes;
	guint32 last_count;
	enum roller_direction last_direction;
	guint events;
	guint8 last_code;
	guint ended;
	guint8 end_reason;
	RdLiveSummary at_end;
} Fixture;

static void
on_stroke(RdLiveSession *session, const struct roller_stroke *stroke,
	  enum roller_direction direction, guint32 count, gpointer user_data)
{
	Fixture *f = user_data;

	f->strokes++;
	f->last_count = count;
	f->last_direction = direction;
}

static void
on_event(RdLiveSession *session, const struct roller_event *event, gpointer user_data)
{
	Fixture *f = user_data;

	f->events++;
	f->last_code = event->code;
}

static void
on_ended(RdLiveSession *session, guint8 reason, gpointer user_data)
{
	Fixture *f = user_data;

	f->ended++;
	f->end_reason = reason;
	rd_live_session_get_summary(session, &f->at_end);
}

static const RdLiveSessionCallbacks callbacks = { on_stroke, on_event, on_ended };

static int
setup(void **state)
{
	Fixture *f = g_new0(Fixture, 1);
	struct roller_info info = test_roller_info();

	f->session = rd_live_session_new(&info, TEST_SESSION_ID, &callbacks, f);
	test_feeder_init(&f->feeder, f->session);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	Fixture *f = *state;

	rd_live_session_free(f->session);
	g_free(f);
	return 0;
}

static RdLiveSummary
summary(Fixture *f)
{
	RdLiveSummary s;

	rd_live_session_get_summary(f->session, &s);
	return s;
}

/* Random sessions, pauses placed inside frames, EVENT before or after FORCE. */
static void
test_statistics_match_independent_computation(void **state)
{
	struct test_rand r;

	test_rand_init(&r, 0x5eed);
	for (guint round = 0; round < 25; round++) {
		struct roller_info info = test_roller_info();
		g_autoptr(RdLiveSession) s = rd_live_session_new(&info, TEST_SESSION_ID, NULL, NULL);
		TestRandomSession rs;
		TestStats e = { 0 };
		RdLiveSummary sum;
		TestFeeder tf;

		test_feeder_init(&tf, s);
		test_send_random_session(&tf, &r, &rs);
		for (guint i = 0; i < rs.values->len; i++)
			test_stats_add(&e, g_array_index(rs.values, guint16, i),
				       test_paused_at(rs.transitions,
						      g_array_index(rs.times, guint32, i)));
		rd_live_session_get_summary(s, &sum);
		assert_int_equal(sum.force_mean_cN, e.n ? TEST_ROUND_HALF_UP((double)e.sum / e.n) : 0);
		assert_int_equal(sum.force_max_cN, e.n ? e.max : 0);
		assert_int_equal(sum.in_band_permille,
				 e.n ? TEST_ROUND_HALF_UP(1000.0 * e.in_band / e.n) : 0);
		assert_int_equal(sum.time_ms, rs.end_ms);
		assert_int_equal(sum.paused_ms, rs.paused_ms);
		assert_int_equal(sum.duration_ms, rs.end_ms - rs.paused_ms);
		assert_int_equal(sum.frames_lost, 0);
		assert_int_equal(sum.frames_ok, rs.n_frames);
		test_random_session_clear(&rs);
	}
}

static void
test_mean_rounds_half_up(void **state)
{
	Fixture *f = *state;
	const guint16 light[] = { 10, 49, 0xFFFF, 0 };
	const guint16 samples[] = { 100, 101, 0xFFFF, 49, 300, 301 };
	RdLiveSummary s;

	/* No contact sample: all 0, however large the light ones. */
	test_send_samples(&f->feeder, 0, TEST_PERIOD_MS, light, G_N_ELEMENTS(light));
	s = summary(f);
	assert_int_equal(s.force_mean_cN + s.force_max_cN + s.in_band_permille, 0);
	assert_int_equal(s.force_latest_cN, 0);
	/* Contact: 100 101 300 301 -> 802 / 4 = 200.5 -> 201; in band 300 301 -> 500. */
	test_send_samples(&f->feeder, 40, TEST_PERIOD_MS, samples, G_N_ELEMENTS(samples));
	s = summary(f);
	assert_int_equal(s.force_mean_cN, 201);
	assert_int_equal(s.force_max_cN, 301);
	assert_int_equal(s.in_band_permille, 500);
	assert_int_equal(s.force_latest_cN, 301);
}

static void
test_seq_gaps_counted_mod_256(void **state)
{
	Fixture *f = *state;

	f->feeder.seq = 250;
	test_send_constant(&f->feeder, 0, 300, 1);	/* 250: first, nothing lost */
	f->feeder.seq = 253;				/* 251, 252 lost */
	test_send_constant(&f->feeder, 10, 300, 1);
	assert_int_equal(summary(f).frames_lost, 2);
	f->feeder.seq = 255;				/* 254 lost */
	test_send_constant(&f->feeder, 20, 300, 1);
	test_send_constant(&f->feeder, 30, 300, 1);	/* 0: the wrap loses nothing */
	assert_int_equal(summary(f).frames_lost, 3);
	f->feeder.seq = 3;				/* 1, 2 lost across nothing */
	test_send_constant(&f->feeder, 40, 300, 1);
	assert_int_equal(summary(f).frames_lost, 5);
	f->feeder.seq = 255;				/* 4..254 would be 251: too far back */
	test_frame_begin(&f->feeder);
	assert_int_equal(test_frame_send(&f->feeder), RD_LIVE_FRAME_STALE);
	f->feeder.seq = 3 + 128;			/* 127 lost: the largest gap */
	test_send_constant(&f->feeder, 50, 300, 1);
	assert_int_equal(summary(f).frames_lost, 5 + 127);
	assert_int_equal(summary(f).frames_ok, 6);
}

static void
test_duplicates_and_old_frames_ignored(void **state)
{
	Fixture *f = *state;
	RdLiveSummary before, after;
	guint8 copy[ROLLER_FRAME_MAX_LEN];
	size_t len;

	test_send_constant(&f->feeder, 0, 300, 10);
	test_frame_begin(&f->feeder);
	test_frame_stroke(&f->feeder, 500, 1, 0, 0);
	len = roller_frame_writer_finish(&f->feeder.w);
	memcpy(copy, f->feeder.buf, len);
	f->feeder.seq++;
	assert_int_equal(test_feed_bytes(f->session, copy, len, 2000000),
			 RD_LIVE_FRAME_APPLIED);
	test_send_constant(&f->feeder, 100, 300, 10);
	before = summary(f);

	/* The same frame again, at once and later: once is enough. */
	assert_int_equal(test_feed_bytes(f->session, copy, len, 2100000),
			 RD_LIVE_FRAME_STALE);
	f->feeder.seq--;	/* a duplicate of the last frame */
	test_frame_begin(&f->feeder);
	test_frame_stroke(&f->feeder, 900, 2, 0, 0);
	assert_int_equal(test_feed_bytes(f->session, f->feeder.buf,
					 roller_frame_writer_finish(&f->feeder.w),
					 2100000), RD_LIVE_FRAME_STALE);
	after = summary(f);
	assert_int_equal(after.frames_stale, 2);
	before.frames_stale = 2;
	assert_summary_equal(&before, &after);
	assert_int_equal(f->strokes, 1);
}

static void
test_old_seq_after_silence_or_link_loss_is_a_gap(void **state)
{
	Fixture *f = *state;
	guint32 lost;

	f->feeder.seq = 10;
	test_send_constant(&f->feeder, 0, 300, 1);
	/* 200 frames later (mod 256: 9 looks older than 10) but 3 s later. */
	f->feeder.seq = (guint8)(10 + 200);
	f->feeder.now_us += RD_LIVE_SESSION_STALE_WINDOW_US;
	test_send_constant(&f->feeder, 3000, 300, 1);
	lost = summary(f).frames_lost;
	assert_int_equal(lost, 199);

	/* The link went down: whatever comes next starts the count again. */
	rd_live_session_link_lost(f->session);
	f->feeder.seq = (guint8)(f->feeder.seq + 150);
	test_send_constant(&f->feeder, 4000, 300, 1);
	assert_int_equal(summary(f).frames_lost, lost + 150);
	assert_int_equal(summary(f).frames_stale, 0);
}

static void
test_rejected_frames_counted_by_error(void **state)
{
	Fixture *f = *state;
	static const guint8 bad_period[] = { 0x10, 0, 0x34, 0x12, 1, 7, 0, 0, 0, 0, 0, 1, 1 };
	static const guint8 bad_version[] = { 0x20, 0, 0x34, 0x12 };
	static const guint8 truncated[] = { 0x10, 0, 0x34, 0x12, 2, 12, 0 };
	static guint8 big[ROLLER_FRAME_MAX_LEN + 1] = { 0x10, 0, 0x34, 0x12 };
	const struct {
		const guint8 *data;
		gsize len;
	} bad[] = {
		{ bad_period, 2 }, { big, sizeof(big) }, { bad_version, sizeof(bad_version) },
		{ truncated, sizeof(truncated) }, { bad_period, sizeof(bad_period) },
	};
	RdLiveSummary before, after;
	size_t len;

	test_send_constant(&f->feeder, 0, 300, 20);
	before = summary(f);
	for (guint i = 0; i < G_N_ELEMENTS(bad); i++)
		assert_int_equal(test_feed_bytes(f->session, bad[i].data, bad[i].len, 0),
				 RD_LIVE_FRAME_REJECTED);
	/* A good frame of the next seq with one bit flipped: CRC. */
	test_frame_begin(&f->feeder);
	test_frame_stroke(&f->feeder, 500, 1, 0, 0);
	test_frame_event(&f->feeder, 500, ROLLER_EVENT_SESSION_END, 0);
	len = roller_frame_writer_finish(&f->feeder.w);
	f->feeder.buf[6] ^= 0x01;
	assert_int_equal(test_feed_bytes(f->session, f->feeder.buf, len, 0),
			 RD_LIVE_FRAME_REJECTED);

	after = summary(f);
	assert_int_equal(after.frames_rejected[ROLLER_ERR_TOO_SHORT], 1);
	assert_int_equal(after.frames_rejected[ROLLER_ERR_TOO_LONG], 1);
	assert_int_equal(after.frames_rejected[ROLLER_ERR_VERSION], 1);
	assert_int_equal(after.frames_rejected[ROLLER_ERR_TRUNCATED], 1);
	assert_int_equal(after.frames_rejected[ROLLER_ERR_BAD_RECORD], 1);
	assert_int_equal(after.frames_rejected[ROLLER_ERR_CRC], 1);
	assert_string_equal(roller_error_name(ROLLER_ERR_CRC), "CRC");
	assert_int_equal(after.frames_rejected_total, 6);
	memset(after.frames_rejected, 0, sizeof(after.frames_rejected));
	after.frames_rejected_total = 0;
	assert_summary_equal(&before, &after);
	assert_int_equal(f->strokes + f->events + f->ended, 0);

	/* The seq state was not touched: the same seq now goes in, nothing lost. */
	f->feeder.buf[6] ^= 0x01;
	assert_int_equal(test_feed_bytes(f->session, f->feeder.buf, len, 0),
			 RD_LIVE_FRAME_APPLIED);
	assert_int_equal(summary(f).frames_lost, 0);
	assert_int_equal(f->ended, 1);
}

static void
test_other_session_frames_ignored(void **state)
{
	Fixture *f = *state;
	RdLiveSummary before, after;

	test_send_constant(&f->feeder, 0, 300, 10);
	before = summary(f);
	f->feeder.session_id = TEST_SESSION_ID + 1;
	test_frame_begin(&f->feeder);
	test_frame_stroke(&f->feeder, 500, 1, 0, 0);
	assert_int_equal(test_frame_send(&f->feeder), RD_LIVE_FRAME_OTHER_SESSION);
	f->feeder.session_id = 0;
	f->feeder.seq += 40;
	test_frame_begin(&f->feeder);
	test_frame_event(&f->feeder, 600, ROLLER_EVENT_SESSION_END, 0);
	assert_int_equal(test_frame_send(&f->feeder), RD_LIVE_FRAME_OTHER_SESSION);

	after = summary(f);
	assert_int_equal(after.frames_other_session, 2);
	after.frames_other_session = 0;
	assert_summary_equal(&before, &after);
	assert_int_equal(f->strokes + f->events + f->ended, 0);
	/* Our seq goes on from our last frame. */
	f->feeder.session_id = TEST_SESSION_ID;
	f->feeder.seq = 1;
	test_send_constant(&f->feeder, 100, 300, 1);
	assert_int_equal(summary(f).frames_lost, 0);
}

static void
test_direction_classes_at_boundaries(void **state)
{
	Fixture *f = *state;
	/* Each boundary of ((heading + 16) >> 5) & 3, both sides. */
	static const guint8 headings[] = { 0, 15, 16, 47, 48, 79, 80, 111, 112, 143,
					   144, 176, 208, 239, 240, 255 };
	static const guint8 classes[] = { 0, 0, 1, 1, 2, 2, 3, 3, 0, 0, 1, 2, 3, 3, 0, 0 };
	guint32 want[4] = { 0 };

	for (guint i = 0; i < G_N_ELEMENTS(headings); i++) {
		test_send_stroke(&f->feeder, 1000 * (i + 1), (guint16)(i + 1), headings[i],
				 ROLLER_ZONE_OUTSIDE);
		assert_int_equal(f->last_direction, classes[i]);
		want[classes[i]]++;
	}
	assert_memory_equal(summary(f).dirs, want, sizeof(want));
	assert_int_equal(summary(f).rolls, G_N_ELEMENTS(headings));
}

static void
test_roll_count_wraps_and_repeats(void **state)
{
	Fixture *f = *state;

	test_send_stroke(&f->feeder, 100, 65534, 0, 0);	/* joined late */
	assert_int_equal(summary(f).rolls, 65534);
	test_send_stroke(&f->feeder, 200, 65535, 0, 0);
	test_send_stroke(&f->feeder, 300, 0, 0, 0);
	assert_int_equal(summary(f).rolls, 65536);
	test_send_stroke(&f->feeder, 400, 0, 0, 0);		/* the same count again */
	test_send_stroke(&f->feeder, 500, 65535, 0, 0);		/* an older one */
	assert_int_equal(summary(f).rolls, 65536);
	assert_int_equal(f->strokes, 3);
	test_send_stroke(&f->feeder, 600, 3, 0, 0);		/* 1 and 2 lost */
	assert_int_equal(summary(f).rolls, 65539);
	assert_int_equal(f->last_count, 65539);
	assert_int_equal(summary(f).dirs[ROLLER_DIR_VERTICAL], 4);	/* only those seen */
	assert_int_equal(summary(f).passes[0], 4);
}

static void
test_coverage_replaces_cell_counts(void **state)
{
	Fixture *f = *state;
	guint8 snapshot[12] = { 5, 0, 0, 0, 0, 7, 0, 0, 0, 0, 0, 255 };
	const guint8 other[6] = { 1, 2, 3, 4, 5, 6 };
	RdLiveSummary s;

	test_send_stroke(&f->feeder, 100, 1, 0, 0);
	test_send_stroke(&f->feeder, 200, 2, 0, 5);
	test_send_stroke(&f->feeder, 300, 3, 0, ROLLER_ZONE_OUTSIDE);
	test_send_stroke(&f->feeder, 400, 4, 0, 12);	/* past the 4x3 grid */
	s = summary(f);
	assert_int_equal(s.passes[0], 1);
	assert_int_equal(s.passes[5], 1);
	assert_int_equal(s.passes[11] + s.passes[12], 0);

	/* Strokes were lost; the roller's snapshot puts the counts right. */
	test_frame_begin(&f->feeder);
	assert_int_equal(roller_frame_add_coverage(&f->feeder.w, 4, 3, snapshot), ROLLER_OK);
	test_frame_stroke(&f->feeder, 500, 5, 0, 11);	/* after it: saturates */
	test_frame_stroke(&f->feeder, 600, 6, 0, 1);
	assert_int_equal(test_frame_send(&f->feeder), RD_LIVE_FRAME_APPLIED);
	s = summary(f);
	snapshot[1] = 1;
	assert_int_equal(s.cols * 100 + s.rows, 403);
	assert_memory_equal(s.passes, snapshot, sizeof(snapshot));

	/* A grid unlike Roller Info's: the roller's record will have it. */
	test_frame_begin(&f->feeder);
	assert_int_equal(roller_frame_add_coverage(&f->feeder.w, 3, 2, other), ROLLER_OK);
	assert_int_equal(test_frame_send(&f->feeder), RD_LIVE_FRAME_APPLIED);
	s = summary(f);
	assert_int_equal(s.cols * 100 + s.rows, 302);
	assert_memory_equal(s.passes, other, sizeof(other));
	assert_int_equal(s.passes[6] + s.passes[11], 0);
}

static void
test_strokes_per_minute_window(void **state)
{
	Fixture *f = *state;
	guint16 n = 0;

	/* One stroke a second for 30 s: scaled over the 30 s seen. */
	for (guint32 t = 1000; t <= 30000; t += 1000)
		test_send_stroke(&f->feeder, t, ++n, 0, 0);
	assert_float_equal(summary(f).strokes_per_minute, 60.0, 1e-6);
	/* Early on the span is at least 10 s: 2 strokes in 1 s are 12 a minute. */
	{
		struct roller_info info = test_roller_info();
		g_autoptr(RdLiveSession) s = rd_live_session_new(&info, 1, NULL, NULL);
		TestFeeder tf;
		RdLiveSummary sum;

		test_feeder_init(&tf, s);
		test_send_stroke(&tf, 500, 1, 0, 0);
		test_send_stroke(&tf, 1000, 2, 0, 0);
		rd_live_session_get_summary(s, &sum);
		assert_float_equal(sum.strokes_per_minute, 12.0, 1e-6);
	}
	/* Then one every 2 s up to 120 s: the last minute holds 30. */
	for (guint32 t = 32000; t <= 120000; t += 2000)
		test_send_stroke(&f->feeder, t, ++n, 0, 0);
	assert_float_equal(summary(f).strokes_per_minute, 30.0, 1e-6);
	/* A stroke exactly 60 s old has left the window. */
	test_send_event(&f->feeder, 120000 + 60000, 99, 0);
	assert_float_equal(summary(f).strokes_per_minute, 0.0, 1e-6);
	assert_int_equal(f->last_code, 99);
}

static void
test_pauses_excluded_from_duration(void **state)
{
	Fixture *f = *state;
	RdLiveSummary s;

	test_send_event(&f->feeder, 0, ROLLER_EVENT_SESSION_START, 7);
	test_send_event(&f->feeder, 10000, ROLLER_EVENT_PAUSE, 0);
	test_send_event(&f->feeder, 12000, ROLLER_EVENT_PAUSE, 0);	/* already paused */
	s = summary(f);
	assert_true(s.paused);
	assert_int_equal(s.paused_ms, 2000);		/* under way */
	assert_int_equal(s.duration_ms, 10000);
	test_send_event(&f->feeder, 15000, ROLLER_EVENT_RESUME, 0);
	test_send_event(&f->feeder, 16000, ROLLER_EVENT_RESUME, 0);	/* not paused */
	test_send_event(&f->feeder, 20000, ROLLER_EVENT_PAUSE, 0);
	test_send_event(&f->feeder, 30000, ROLLER_EVENT_SESSION_END, ROLLER_END_IDLE);
	s = summary(f);
	/* 5 s, then 10 s paused when it ended. */
	assert_int_equal(s.paused_ms, 15000);
	assert_int_equal(s.time_ms, 30000);
	assert_int_equal(s.duration_ms, 15000);
	assert_int_equal(s.area_id, 7);
	assert_int_equal(s.end_reason, ROLLER_END_IDLE);
}

static void
test_session_end_after_whole_frame(void **state)
{
	Fixture *f = *state;
	const guint8 passes[12] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12 };

	test_send_stroke(&f->feeder, 100, 1, 0, 0);
	test_frame_begin(&f->feeder);
	test_frame_event(&f->feeder, 2000, ROLLER_EVENT_OVERFORCE, 650);
	test_frame_event(&f->feeder, 2500, ROLLER_EVENT_BATTERY_LOW, 9);
	test_frame_event(&f->feeder, 3000, ROLLER_EVENT_SESSION_END, ROLLER_END_BATTERY);
	assert_int_equal(roller_frame_add_coverage(&f->feeder.w, 4, 3, passes), ROLLER_OK);
	assert_int_equal(test_frame_send(&f->feeder), RD_LIVE_FRAME_APPLIED);

	assert_int_equal(f->ended, 1);
	assert_int_equal(f->end_reason, ROLLER_END_BATTERY);
	assert_memory_equal(f->at_end.passes, passes, sizeof(passes));
	assert_true(f->at_end.ended);
	assert_int_equal(f->at_end.overforce_events, 1);
	assert_int_equal(f->at_end.overforce_last_cN, 650);
	assert_int_equal(f->at_end.battery_low_events, 1);
	assert_int_equal(f->at_end.battery_last_percent, 9);
	assert_int_equal(f->events, 3);
	assert_true(rd_live_session_is_ended(f->session));

	/* A second SESSION_END changes nothing; the time stays the end's. */
	test_send_event(&f->feeder, 9000, ROLLER_EVENT_SESSION_END, ROLLER_END_USER);
	assert_int_equal(f->ended, 1);
	assert_int_equal(summary(f).end_reason, ROLLER_END_BATTERY);
	assert_int_equal(summary(f).time_ms, 3000);
	assert_int_equal(summary(f).duration_ms, 3000);
}

static void
test_trace_contact_means_per_second(void **state)
{
	Fixture *f = *state;
	const guint16 want[] = { 301, 0, 0, 201, 0, 0, 0, 400 };
	guint16 samples[400], trace[10];
	guint32 first;
	guint n;

	/* Second 0: 100 x 301 except one 300 -> 300.99 -> 301; second 1: only 0xFFFF -> 0. */
	/* Second 2: 50 x 10 and 50 x 11, too light for contact -> 0, not 11. */
	/* Second 3: a stroke between lifts, 20 x 0, 20 x 49, 30 x 200, 30 x 201 ->
	 * 200.5 -> 201 over its contact samples (the lifts would make it 130). */
	for (guint i = 0; i < 400; i++) {
		guint k = i % 100;

		samples[i] = i < 100 ? (i == 0 ? 300 : 301) : i < 200 ? 0xFFFF :
			     i < 300 ? (k < 50 ? 10 : 11) :
			     k < 20 ? 0 : k < 40 ? 49 : k < 70 ? 200 : 201;
	}
	test_send_samples(&f->feeder, 0, TEST_PERIOD_MS, samples, 400);
	/* Second 4: paused, however hard the roller is pressed -> 0. */
	test_send_event(&f->feeder, 4000, ROLLER_EVENT_PAUSE, 0);
	test_send_constant(&f->feeder, 4000, 300, 100);
	test_send_event(&f->feeder, 5000, ROLLER_EVENT_RESUME, 0);
	/* Seconds 5 and 6 lost; second 7 under way. */
	test_send_constant(&f->feeder, 7000, 400, 3);

	n = rd_live_session_get_trace(f->session, trace, G_N_ELEMENTS(trace), &first);
	assert_int_equal(n, G_N_ELEMENTS(want));
	assert_int_equal(first, 0);
	assert_memory_equal(trace, want, sizeof(want));
	/* A session joined late: its trace still starts at second 0. */
	{
		struct roller_info info = test_roller_info();
		g_autoptr(RdLiveSession) late = rd_live_session_new(&info, 1, NULL, NULL);
		TestFeeder tf;

		assert_int_equal(rd_live_session_get_trace(late, trace, 8, &first), 0);
		test_feeder_init(&tf, late);
		test_send_constant(&tf, 2500, 120, 2);
		assert_int_equal(rd_live_session_get_trace(late, trace, 8, &first), 3);
		assert_int_equal(first, 0);
		assert_int_equal(trace[0] + trace[1], 0);
		assert_int_equal(trace[2], 120);
	}
	/* The newest ones when the caller has less room. */
	n = rd_live_session_get_trace(f->session, trace, 2, &first);
	assert_int_equal(n, 2);
	assert_int_equal(first, 6);
	assert_int_equal(trace[1], 400);
}

static void
test_force_run_tracks_contact(void **state)
{
	Fixture *f = *state;
	RdLiveSummary s;

	test_send_constant(&f->feeder, 0, 150, 101);		/* 0..1000 ms below */
	s = summary(f);
	assert_int_equal(s.force_run, RD_FORCE_RUN_BELOW);
	assert_int_equal(s.force_run_ms, 1000);
	test_send_constant(&f->feeder, 1010, 30, 1);		/* lifted */
	assert_int_equal(summary(f).force_run, RD_FORCE_RUN_NONE);
	test_send_constant(&f->feeder, 1020, 500, 51);
	s = summary(f);
	assert_int_equal(s.force_run, RD_FORCE_RUN_ABOVE);
	assert_int_equal(s.force_run_ms, 500);
	/* A lost frame breaks the run. */
	f->feeder.seq++;
	test_send_constant(&f->feeder, 2000, 500, 1);
	assert_int_equal(summary(f).force_run_ms, 0);
	test_send_constant(&f->feeder, 2010, 300, 2);
	assert_int_equal(summary(f).force_run, RD_FORCE_RUN_IN_BAND);
}

static void
test_empty_and_unknown_records(void **state)
{
	Fixture *f = *state;
	const guint8 body[3] = { 1, 2, 3 };

	test_frame_begin(&f->feeder);
	assert_int_equal(test_frame_send(&f->feeder), RD_LIVE_FRAME_APPLIED);
	test_frame_begin(&f->feeder);
	assert_int_equal(roller_frame_add_raw(&f->feeder.w, 0x7f, body, sizeof(body)), ROLLER_OK);
	assert_int_equal(test_frame_send(&f->feeder), RD_LIVE_FRAME_APPLIED);
	assert_int_equal(summary(f).records_unknown, 1);
	assert_int_equal(summary(f).frames_ok, 2);
	assert_int_equal(summary(f).force_latest_cN, ROLLER_FORCE_INVALID);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_statistics_match_independent_computation),
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
		T(test_mean_rounds_half_up),
		T(test_seq_gaps_counted_mod_256),
		T(test_duplicates_and_old_frames_ignored),
		T(test_old_seq_after_silence_or_link_loss_is_a_gap),
		T(test_rejected_frames_counted_by_error),
		T(test_other_session_frames_ignored),
		T(test_direction_classes_at_boundaries),
		T(test_roll_count_wraps_and_repeats),
		T(test_coverage_replaces_cell_counts),
		T(test_strokes_per_minute_window),
		T(test_pauses_excluded_from_duration),
		T(test_session_end_after_whole_frame),
		T(test_trace_contact_means_per_second),
		T(test_force_run_tracks_contact),
		T(test_empty_and_unknown_records),
#undef T
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
