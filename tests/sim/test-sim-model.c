/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The simulated roller's telemetry and records, checked the way rollerd
 * will use them: every frame parses and fits the MTU, seq and time run
 * on without gaps, and the statistics recomputed from the frames alone
 * equal the stored record.  Also: the person behaves like one (pass
 * order, pauses, overforce, dropouts, strokes off the grid), and the
 * bytes do not depend on how often the host wakes the roller.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "roller-record.h"
#include "test-sim-view.h"

static void
rig_for_person(struct sim_rig *rig, uint32_t seed, uint16_t mtu, bool crc,
	       uint16_t session_seconds, bool whole_passes)
{
	struct model_device_config cfg;

	sim_rig_config(&cfg, seed);
	cfg.whole_passes = whole_passes;
	cfg.telemetry_crc = crc;
	cfg.session_seconds = session_seconds;
	sim_rig_init(rig, &cfg, 0);
	sim_rig_connect(rig, mtu);
}

static void
rig_for_session(struct sim_rig *rig, uint32_t seed, uint16_t mtu, bool crc,
		uint16_t session_seconds)
{
	rig_for_person(rig, seed, mtu, crc, session_seconds, false);
}

/* The directions' strokes of a session of @seconds, as a roller's frames tell them. */
static void
short_session_directions(uint32_t seed, uint16_t seconds, bool whole_passes, uint16_t dirs[4])
{
	struct sim_rig rig;
	struct sim_view v;

	rig_for_person(&rig, seed, 247, false, seconds, whole_passes);
	model_device_press_button(rig.dev, 0);
	sim_rig_run_to(&rig, (seconds + 60u) * 1000u);
	assert_false(rig.dev->in_session);
	sim_view_init(&v, &rig);
	sim_view_check_session(&v, &rig, 0);
	memcpy(dirs, v.dirs, sizeof(v.dirs));
	sim_rig_free(&rig);
}

/*
 * The taught pattern: a short session rolls all four directions, a few
 * strokes each way; the old habit (whole passes) never gets past the
 * first two.
 */
static void
test_taught_pattern(void **state)
{
	for (uint32_t seed = 1; seed <= 12; seed++) {
		uint16_t taught[4], whole[4];

		short_session_directions(seed, 20, false, taught);
		for (int d = 0; d < 4; d++) {
			if (taught[d] < 2)
				fail_msg("seed %u: %u strokes in direction %d of 20 s", seed,
					 taught[d], d);
		}
		short_session_directions(seed, 20, true, whole);
		/* Vertical first; diagonal (1) and anti-diagonal (3) not yet. */
		assert_true(whole[0] > 10);
		assert_true(whole[1] + whole[3] < 3);	/* a slipped stroke at most */
	}
}

/* A quarter of an hour at MTU 247: everything a long session shows. */
static void
test_long_session(void **state)
{
	struct sim_rig rig;
	struct sim_view v;
	unsigned min_pass = 255, max_pass = 0, paused_notes = 0;
	uint8_t last_state = 0xff;

	rig_for_session(&rig, 3, 247, false, 900);
	model_device_press_button(rig.dev, 0);
	sim_rig_run_to(&rig, 1200000);
	assert_false(rig.dev->in_session);	/* ended by itself */
	sim_view_init(&v, &rig);
	sim_view_check_session(&v, &rig, 0);

	assert_int_equal(v.end_reason, ROLLER_END_USER);
	assert_true(v.end_t - v.paused_total >= 900000);
	assert_true(v.coverages >= 180);
	assert_true(v.dir_changes >= 3);	/* all four directions */
	for (int d = 0; d < 4; d++)
		assert_true(v.dirs[d] > 20);
	assert_true(v.rolls > 500);
	assert_true(v.pauses > 2);
	/* Status went to "paused" once per pause, and back. */
	for (size_t i = 0; i < rig.n_notes; i++) {
		struct roller_status st;

		if (rig.notes[i].ch != MODEL_CHAR_STATUS)
			continue;
		assert_int_equal(roller_status_decode(rig.notes[i].data,
						      rig.notes[i].len, &st), ROLLER_OK);
		paused_notes += st.state == ROLLER_STATE_PAUSED;
		last_state = st.state;
	}
	assert_int_equal(paused_notes, v.pauses);
	assert_int_equal(last_state, ROLLER_STATE_IDLE);
	assert_true(v.dropouts > 0);
	assert_true(v.outside > 0);
	assert_true(v.zeros > 1000);		/* lifted between strokes */
	for (unsigned i = 0; i < v.cols * v.rows; i++) {
		if (v.passes[i] < min_pass)
			min_pass = v.passes[i];
		if (v.passes[i] > max_pass)
			max_pass = v.passes[i];
	}
	assert_true(min_pass > 0);
	assert_true(max_pass > min_pass + 3);	/* uneven */
	/* Frames of samples only are full: 116 samples fill 244 bytes. */
	assert_int_equal(v.full_samples, 116);
	assert_true(v.full_frames > 100);
	/* Woken when it asked, the roller sends everything the moment it
	 * is taken. */
	assert_int_equal(v.latency_max, 0);
	sim_rig_free(&rig);
}

/* Different people, MTUs, CRC or not, stopped at odd moments. */
static void
test_record_matches_telemetry(void **state)
{
	static const struct {
		uint32_t seed;
		uint16_t mtu;
		bool crc;
		uint32_t stop_ms;
		uint16_t band_low, band_high;	/* SET_FORCE_BAND first, unless 0 */
	} cases[] = {
		{ 1, 23, false, 61237, 0, 0 }, { 2, 23, true, 45001, 0, 0 },
		{ 4, 100, true, 97533, 0, 0 }, { 5, 247, false, 150007, 200, 450 },
		{ 6, 517, false, 123457, 0, 0 }, { 7, 517, true, 33333, 700, 1000 },
		{ 8, 185, false, 250011, 0, 0 }, { 9, 247, true, 7, 0, 0 },
	};
	unsigned overforces = 0;

	for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
		struct roller_cp_request stop = { .opcode = ROLLER_CP_STOP_SESSION };
		struct roller_cp_request start = { .opcode = ROLLER_CP_START_SESSION };
		struct sim_rig rig;
		struct sim_view v;

		rig_for_session(&rig, cases[c].seed, cases[c].mtu, cases[c].crc, 0);
		rig.now = 500;
		if (cases[c].band_high) {
			struct roller_cp_request band = sim_request(ROLLER_CP_SET_FORCE_BAND);

			band.u.band.low_cN = cases[c].band_low;
			band.u.band.high_cN = cases[c].band_high;
			sim_rig_expect(&rig, &band, ROLLER_CP_SUCCESS, 0);
		}
		start.u.area_id = (uint8_t)c;
		sim_rig_expect(&rig, &start, ROLLER_CP_SUCCESS, 1);
		sim_rig_run_to(&rig, 500 + cases[c].stop_ms);
		sim_rig_expect(&rig, &stop, ROLLER_CP_SUCCESS, 1);
		sim_view_init(&v, &rig);
		if (cases[c].band_high)
			assert_int_equal(v.band_high, cases[c].band_high);
		sim_view_check_session(&v, &rig, 0);
		assert_int_equal(v.area, c);
		assert_int_equal(v.end_t, cases[c].stop_ms);
		assert_int_equal(v.latency_max, 0);
		overforces += v.overforces;
		if (cases[c].mtu == 23)
			assert_int_equal(v.full_samples, cases[c].crc ? 3 : 4);
		if (cases[c].mtu == 517)
			assert_int_equal(v.full_samples, cases[c].crc ? 125 + 121 : 125 + 122);
		/* Strokes push 517-byte frames out before they fill. */
		if (cases[c].mtu <= 247 && cases[c].stop_ms > 1000)
			assert_true(v.full_frames > 0);
		/* MTU 23 frames cannot carry a 10x8 COVERAGE: left out. */
		if (cases[c].mtu == 23)
			assert_int_equal(v.coverages, 0);
		sim_rig_free(&rig);
	}
	assert_true(overforces > 0);
}

static void
collect_frames(struct sim_rig *rig, uint8_t **bytes, size_t *len)
{
	*len = 0;
	*bytes = NULL;
	for (size_t i = 0; i < rig->n_notes; i++) {
		if (rig->notes[i].ch != MODEL_CHAR_TELEMETRY)
			continue;
		*bytes = realloc(*bytes, *len + rig->notes[i].len);
		assert_non_null(*bytes);
		memcpy(*bytes + *len, rig->notes[i].data, rig->notes[i].len);
		*len += rig->notes[i].len;
	}
}

/* Same seed, same calls: same bytes, however often the host looks. */
/*
 * The trace of a session with lifts between strokes and pauses: each
 * second's contact mean (checked exactly in sim_view_check_session()),
 * so a second with a lift in it is not pulled toward 0, and 0 (a gap)
 * only where the roller was off the skin the whole second.
 */
static void
test_trace_contact_means(void **state)
{
	struct roller_stored_record rec;
	struct sim_rig rig;
	struct sim_view v;
	unsigned lifted_seconds = 0, gaps = 0, in_band = 0, top = 0;

	rig_for_session(&rig, 5, 247, false, 120);
	model_device_press_button(rig.dev, 0);
	sim_rig_run_to(&rig, 200000);
	assert_false(rig.dev->in_session);
	sim_view_init(&v, &rig);
	sim_view_check_session(&v, &rig, 0);
	assert_true(v.pauses > 0);
	assert_int_equal(roller_stored_record_decode(rig.stored[0], rig.stored_len[0], &rec),
			 ROLLER_OK);
	assert_int_equal(rec.trace_period_ms, 1000);
	for (unsigned i = 0; i < rec.trace_len; i++) {
		uint16_t t = roller_stored_record_trace(&rec, i);

		/* Never a light mean: a contact mean or nothing. */
		assert_true(t == 0 || t >= ROLLER_CONTACT_MIN_CN);
		gaps += t == 0;
		lifted_seconds += t && v.second_lifted[i];
		in_band += t >= v.band_low && t <= v.band_high;
		top = t > top ? t : top;
	}
	assert_true(lifted_seconds > rec.trace_len / 2);	/* lifts in most seconds */
	assert_true(gaps > 0);					/* the pauses */
	/* The person presses within the band: so do most contact means. */
	assert_true(2 * in_band > rec.trace_len - gaps);
	assert_true(top >= rec.force_mean_cN && top <= rec.force_max_cN);
	sim_rig_free(&rig);
}

static void
test_same_bytes_at_any_wakeup_rate(void **state)
{
	static const struct {
		uint32_t step;	/* 0: when the roller asks */
		bool crc;
	} modes[] = { { 0, false }, { 1, false }, { 333, false }, { 333, true } };
	uint8_t *ref = NULL, *ref_record = NULL;
	size_t ref_len = 0, ref_record_len = 0;

	for (size_t m = 0; m < sizeof(modes) / sizeof(modes[0]); m++) {
		struct sim_rig rig;
		uint8_t *bytes;
		size_t len;

		rig_for_session(&rig, 41, 247, modes[m].crc, 0);
		model_device_press_button(rig.dev, 0);
		if (modes[m].step)
			sim_rig_step_to(&rig, 120000, modes[m].step);
		else
			sim_rig_run_to(&rig, 120000);
		model_device_press_button(rig.dev, rig.now);
		assert_int_equal(rig.n_stored, 1);
		collect_frames(&rig, &bytes, &len);
		if (m == 0) {
			ref = bytes;
			ref_len = len;
			ref_record_len = rig.stored_len[0];
			ref_record = malloc(ref_record_len);
			memcpy(ref_record, rig.stored[0], ref_record_len);
		} else {
			/* With a CRC the frames grow; the record stays. */
			if (modes[m].crc) {
				assert_true(len > ref_len);
			} else {
				assert_int_equal(len, ref_len);
				assert_memory_equal(bytes, ref, len);
			}
			assert_int_equal(rig.stored_len[0], ref_record_len);
			assert_memory_equal(rig.stored[0], ref_record, ref_record_len);
			free(bytes);
		}
		sim_rig_free(&rig);
	}
	free(ref);
	free(ref_record);
}

/* Away, the roller goes on rolling: frames no one hears still count in
 * seq, and a new MTU takes effect at once. */
static void
test_reconnect_mid_session(void **state)
{
	struct sim_rig rig;
	struct roller_frame f;
	size_t before = 0, after = 0;
	uint8_t last_seq = 0;
	uint32_t sent;

	rig_for_session(&rig, 43, 23, false, 0);
	model_device_press_button(rig.dev, 0);
	sim_rig_run_to(&rig, 20000);
	model_device_disconnect(rig.dev, rig.now);
	sim_rig_run_to(&rig, 30000);
	sim_rig_connect(&rig, 247);
	sim_rig_run_to(&rig, 40000);
	sent = rig.dev->telemetry.frames_sent;

	for (size_t i = 0; i < rig.n_notes; i++) {
		if (rig.notes[i].ch != MODEL_CHAR_TELEMETRY)
			continue;
		assert_int_equal(roller_frame_parse(rig.notes[i].data,
						    rig.notes[i].len, &f), ROLLER_OK);
		assert_false(rig.notes[i].at_ms > 20000 && rig.notes[i].at_ms < 30000);
		if (rig.notes[i].at_ms <= 20000) {
			assert_true(rig.notes[i].len <= 20);
			before++;
		} else {
			assert_true(rig.notes[i].len <= 244);
			after++;
		}
		last_seq = f.seq;
	}
	assert_true(before > 0 && after > 0);
	assert_true(sent > before + after + 100);
	assert_int_equal(last_seq, (uint8_t)(sent - 1));

	model_device_press_button(rig.dev, rig.now);
	assert_int_equal(rig.n_stored, 1);
	sim_rig_free(&rig);
}

/* A new head: HEAD_CHANGED now, Roller Info now, records from the next
 * session on. */
static void
test_head_change(void **state)
{
	struct roller_stored_record rec;
	struct roller_info info;
	struct sim_rig rig;
	struct sim_view v;

	rig_for_session(&rig, 47, 247, false, 0);
	model_device_press_button(rig.dev, 0);
	sim_rig_run_to(&rig, 12000);
	model_device_change_head(rig.dev, 1500, rig.now);
	model_device_get_info(rig.dev, &info);
	assert_int_equal(info.needle_um, 1500);
	sim_rig_run_to(&rig, 20000);
	model_device_press_button(rig.dev, rig.now);
	sim_view_init(&v, &rig);
	sim_view_check_session(&v, &rig, 0);
	assert_int_equal(v.head_changes, 1);
	assert_int_equal(v.needle, 1500);
	assert_int_equal(roller_stored_record_decode(rig.stored[0], rig.stored_len[0],
						     &rec), ROLLER_OK);
	assert_int_equal(rec.needle_um, 500);
	assert_int_equal(sim_rig_session(&rig, 3000), 2);
	assert_int_equal(roller_stored_record_decode(rig.stored[1], rig.stored_len[1],
						     &rec), ROLLER_OK);
	assert_int_equal(rec.needle_um, 1500);
	sim_rig_free(&rig);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_long_session),
		cmocka_unit_test(test_taught_pattern),
		cmocka_unit_test(test_record_matches_telemetry),
		cmocka_unit_test(test_trace_contact_means),
		cmocka_unit_test(test_same_bytes_at_any_wakeup_rate),
		cmocka_unit_test(test_reconnect_mid_session),
		cmocka_unit_test(test_head_change),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
