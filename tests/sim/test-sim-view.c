/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "roller-record.h"
#include "test-sim-view.h"

/* Samples FORCE records fill a frame with, as many records as fit. */
static void
full_frame_samples(struct sim_view *v, bool crc)
{
	uint8_t buf[ROLLER_FRAME_MAX_LEN];
	uint16_t samples[125] = { 0 };
	struct roller_frame_writer w;
	uint16_t n;

	roller_frame_writer_init(&w, buf, v->frame_max, 0, 1, crc);
	while ((n = roller_frame_writer_force_room(&w)) > 0) {
		assert_int_equal(roller_frame_add_force(&w, 0, 10, samples, n), ROLLER_OK);
		v->full_samples += n;
	}
}

void
sim_view_init(struct sim_view *v, const struct sim_rig *rig)
{
	struct roller_info info;

	memset(v, 0, sizeof(*v));
	model_device_get_info(rig->dev, &info);
	v->frame_max = model_telemetry_frame_max(rig->dev->mtu);
	v->period = info.sample_period_ms;
	v->band_low = info.force_band_low_cN;
	v->band_high = info.force_band_high_cN;
	v->cols = info.grid_cols;
	v->rows = info.grid_rows;
	v->last_dir = -1;
	full_frame_samples(v, rig->cfg.telemetry_crc);
}

static void
see_time(struct sim_view *v, uint32_t t)
{
	assert_true(t >= v->last_record_t);
	v->last_record_t = t;
}

static void
view_force(struct sim_view *v, const struct roller_force *f)
{
	assert_int_equal(f->t_ms, v->next_sample_t);	/* no gap, no overlap */
	assert_int_equal(f->period_ms, v->period);
	see_time(v, f->t_ms);
	for (unsigned i = 0; i < f->n; i++) {
		uint16_t s = roller_force_sample(f, i);
		uint32_t t = f->t_ms + i * f->period_ms;

		assert_true(t / 1000 < SIM_VIEW_SECONDS_MAX);
		if (s != ROLLER_FORCE_INVALID && s > v->max_valid)
			v->max_valid = s;
		if (s != ROLLER_FORCE_INVALID && s >= 50 && !v->paused) {
			v->contact_sum += s;
			v->contact_n++;
			v->in_band_n += s >= v->band_low && s <= v->band_high;
			v->second_sum[t / 1000] += s;
			v->second_n[t / 1000]++;
		}
		if (s == ROLLER_FORCE_INVALID) {
			v->dropouts++;
		} else {
			v->second_lifted[t / 1000] += s < 50;
			if (v->paused)
				assert_true(s < ROLLER_CONTACT_MIN_CN);
			v->zeros += s == 0;
		}
		v->last_sample_t = t;
		v->last_sample = s;
	}
	v->next_sample_t = f->t_ms + f->n * f->period_ms;
}

static void
view_stroke(struct sim_view *v, const struct roller_stroke *s)
{
	int dir = roller_heading_direction(s->heading);
	static const int next_pass[4] = { 2, 3, 1, 0 };	/* v -> h -> d -> a */

	see_time(v, s->t_end_ms);
	assert_int_equal(s->t_end_ms, v->last_sample_t);
	assert_int_equal(s->roll_count, ++v->rolls);
	assert_true(s->length_mm >= 5 && s->length_mm <= 150);
	if (v->last_dir < 0)
		assert_int_equal(dir, ROLLER_DIR_VERTICAL);
	else if (dir != v->last_dir) {
		assert_int_equal(dir, next_pass[v->last_dir]);
		v->dir_changes++;
	}
	v->last_dir = dir;
	v->dirs[dir]++;
	if (s->zone == ROLLER_ZONE_OUTSIDE) {
		v->outside++;
		return;
	}
	assert_true(s->zone < v->cols * v->rows);
	if (v->passes[s->zone] < 255)
		v->passes[s->zone]++;
}

static void
view_event(struct sim_view *v, const struct roller_event *e)
{
	see_time(v, e->t_ms);
	if (!v->started) {
		assert_int_equal(e->code, ROLLER_EVENT_SESSION_START);
		assert_int_equal(e->t_ms, 0);
		v->started = true;
		v->area = (uint8_t)e->arg;
		return;
	}
	switch (e->code) {
	case ROLLER_EVENT_PAUSE:
		assert_false(v->paused);
		assert_int_equal(e->t_ms, v->next_sample_t);	/* before its samples */
		v->paused = true;
		v->pause_start = e->t_ms;
		v->pauses++;
		break;
	case ROLLER_EVENT_RESUME:
		assert_true(v->paused);
		assert_int_equal(e->t_ms, v->next_sample_t);
		v->paused = false;
		v->paused_total += e->t_ms - v->pause_start;
		break;
	case ROLLER_EVENT_OVERFORCE:
		assert_int_equal(e->t_ms, v->last_sample_t);
		assert_int_equal(e->arg, v->last_sample);
		assert_true(e->arg > v->band_high * 3 / 2);
		v->overforces++;
		break;
	case ROLLER_EVENT_SESSION_END:
		assert_true(e->t_ms >= v->last_sample_t);
		v->ended = true;
		v->end_t = e->t_ms;
		v->end_reason = (uint8_t)e->arg;
		if (v->paused)
			v->paused_total += e->t_ms - v->pause_start;
		break;
	case ROLLER_EVENT_HEAD_CHANGED:
		v->head_changes++;
		v->needle = e->arg;
		break;
	case ROLLER_EVENT_BATTERY_LOW:
		break;
	default:
		fail_msg("unexpected event %u", e->code);
	}
}

static void
view_frame(struct sim_view *v, const struct sim_rig *rig, const struct sim_note *note)
{
	struct roller_frame f;
	struct roller_frame_iter it;
	struct roller_record r;
	unsigned samples = 0;
	bool force_only = true;
	uint32_t latest;

	assert_true(note->len <= v->frame_max);
	assert_int_equal(roller_frame_parse(note->data, note->len, &f), ROLLER_OK);
	assert_int_equal(f.n_unknown, 0);
	assert_int_equal(f.seq, v->next_seq & 0xff);
	v->next_seq++;
	if (v->frames++ == 0)
		v->session_id = f.session_id;
	assert_int_equal(f.session_id, v->session_id);
	/* After SESSION_END at most the last COVERAGE, when it did not fit. */
	assert_false(v->final_coverage);
	if (v->ended) {
		assert_int_equal(f.n_records, 1);
		v->final_coverage = true;
	}
	roller_frame_iter_init(&it, &f);
	while (roller_frame_iter_next(&it, &r)) {
		switch (r.type) {
		case ROLLER_RECORD_FORCE:
			/* Samples left behind by a record that needed a new
			 * frame are not: that record opens the next one. */
			assert_false(v->partial_frame && it.pos == f.records + 2 + r.len);
			view_force(v, &r.u.force);
			samples += r.u.force.n;
			break;
		case ROLLER_RECORD_STROKE:
			view_stroke(v, &r.u.stroke);
			force_only = false;
			break;
		case ROLLER_RECORD_COVERAGE:
			/* Every 5 s of session time, and at the end. */
			assert_int_equal(r.u.coverage.cols, v->cols);
			assert_int_equal(r.u.coverage.rows, v->rows);
			assert_memory_equal(r.u.coverage.passes, v->passes,
					    v->cols * v->rows);
			if (!v->ended) {
				v->coverages++;
				assert_true(v->last_sample_t >= v->coverages * 5000u);
				assert_true(v->last_sample_t < v->coverages * 5000u + v->period);
			} else {
				v->final_coverage = true;
			}
			force_only = false;
			break;
		default:
			view_event(v, &r.u.event);
			force_only = false;
			break;
		}
	}
	/* A frame of samples only leaves full, or just before a record that
	 * would not fit behind them. */
	assert_true(samples <= v->full_samples);
	v->partial_frame = force_only && samples < v->full_samples;
	if (force_only && samples == v->full_samples)
		v->full_frames++;
	/* The frame left when the last thing in it happened (a partial one
	 * when the record that pushed it out did). */
	latest = v->last_record_t > v->last_sample_t ? v->last_record_t : v->last_sample_t;
	if (!v->partial_frame &&
	    note->at_ms - rig->dev->session_start_ms - latest > v->latency_max)
		v->latency_max = note->at_ms - rig->dev->session_start_ms - latest;
}

void
sim_view_check_session(struct sim_view *v, const struct sim_rig *rig,
		       size_t record_index)
{
	struct roller_stored_record rec;
	unsigned period_s;
	uint64_t contacts;

	for (size_t i = 0; i < rig->n_notes; i++)
		if (rig->notes[i].ch == MODEL_CHAR_TELEMETRY)
			view_frame(v, rig, &rig->notes[i]);
	assert_true(v->ended);
	assert_true(v->final_coverage || v->frame_max < 2 + 4 + 2 + v->cols * v->rows);
	assert_false(v->partial_frame);
	assert_true(v->frames >= 2);	/* SESSION_START, SESSION_END */

	assert_true(record_index < rig->n_stored);
	assert_int_equal(roller_stored_record_decode(rig->stored[record_index],
						     rig->stored_len[record_index],
						     &rec), ROLLER_OK);
	assert_int_equal(rec.record_id, v->session_id);
	assert_int_equal(rec.area_id, v->area);
	assert_int_equal(rec.end_reason, v->end_reason);
	assert_int_equal(rec.duration_ms, v->end_t - v->paused_total);
	assert_int_equal(rec.roll_count, v->rolls);
	/* Rounded half up; all 0 without a contact sample. */
	contacts = v->contact_n;
	assert_true(contacts > 0 || v->end_t < 1000);
	assert_int_equal(rec.force_mean_cN, contacts ?
			 (2 * v->contact_sum + contacts) / (2 * contacts) : 0);
	assert_int_equal(rec.force_max_cN, contacts ? v->max_valid : 0);
	assert_int_equal(rec.in_band_permille, contacts ?
			 (2000 * (uint64_t)v->in_band_n + contacts) / (2 * contacts) : 0);
	assert_memory_equal(rec.dirs, v->dirs, sizeof(v->dirs));
	assert_int_equal(rec.cols, v->cols);
	assert_int_equal(rec.rows, v->rows);
	assert_memory_equal(rec.passes, v->passes, v->cols * v->rows);
	/* One value per period, 1 s doubled until 1024 of them cover the
	 * session: the mean of the contact samples in it, 0 without one. */
	period_s = 1;
	while (v->last_sample_t / (period_s * 1000) >= MODEL_SESSION_TRACE_MAX)
		period_s *= 2;
	assert_int_equal(rec.trace_period_ms, period_s * 1000);
	assert_int_equal(rec.trace_len, v->last_sample_t / (period_s * 1000) + 1);
	for (unsigned i = 0; i < rec.trace_len; i++) {
		uint64_t sum = 0;
		uint32_t n = 0;

		for (unsigned s = i * period_s; s < (i + 1) * period_s; s++) {
			sum += v->second_sum[s];
			n += v->second_n[s];
		}
		assert_int_equal(roller_stored_record_trace(&rec, i),
				 n ? (2 * sum + n) / (2 * (uint64_t)n) : 0);
	}
}
