/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "model-session.h"

size_t
model_session_record_max(uint8_t cols, uint8_t rows)
{
	return roller_stored_record_size(cols, rows, MODEL_SESSION_TRACE_MAX);
}

void
model_session_begin(struct model_session *s,
		     const struct model_session_params *params,
		     const struct model_person *person, uint64_t seed)
{
	memset(s, 0, sizeof(*s));
	s->p = *params;
	model_motion_start(&s->motion, &params->motion, person, seed);
	roller_force_stats_init(&s->stats);
	s->overforce_cN = (uint32_t)params->motion.band_high_cN * 3u / 2u;
	s->next_coverage_ms = MODEL_SESSION_COVERAGE_MS;
	s->trace_period_ms = MODEL_SESSION_TRACE_PERIOD_MS;
}

uint32_t
model_session_next_sample_ms(const struct model_session *s)
{
	return s->motion.tick * s->motion.p.period_ms;
}

uint32_t
model_session_next_edge_ms(const struct model_session *s)
{
	uint32_t edge = model_motion_next_edge(&s->motion) * s->motion.p.period_ms;

	return edge < s->next_coverage_ms ? edge : s->next_coverage_ms;
}

uint32_t
model_session_active_ms(const struct model_session *s, uint32_t t_ms)
{
	uint32_t paused = s->paused_ms;

	if (s->paused && t_ms > s->pause_start_ms)
		paused += t_ms - s->pause_start_ms;
	return t_ms > paused ? t_ms - paused : 0;
}

static uint8_t
saturating_inc8(uint8_t v)
{
	return v == UINT8_MAX ? v : (uint8_t)(v + 1);
}

static uint16_t
saturating_inc16(uint16_t v)
{
	return v == UINT16_MAX ? v : (uint16_t)(v + 1);
}

/* Halves the trace's resolution: neighbours merge, exact from sums. */
static void
merge_trace(struct model_session *s)
{
	for (unsigned i = 0; i < MODEL_SESSION_TRACE_MAX / 2; i++) {
		s->trace_sum[i] = s->trace_sum[2 * i] + s->trace_sum[2 * i + 1];
		s->trace_n[i] = s->trace_n[2 * i] + s->trace_n[2 * i + 1];
	}
	for (unsigned i = MODEL_SESSION_TRACE_MAX / 2; i < MODEL_SESSION_TRACE_MAX; i++) {
		s->trace_sum[i] = 0;
		s->trace_n[i] = 0;
	}
	s->trace_period_ms *= 2;
}

static void
add_to_trace(struct model_session *s, uint32_t t_ms, uint16_t force, bool paused)
{
	uint32_t bucket;

	if (s->trace_stopped)
		return;
	while ((bucket = t_ms / s->trace_period_ms) >= MODEL_SESSION_TRACE_MAX) {
		if (s->trace_period_ms * 2 > MODEL_SESSION_TRACE_PERIOD_MAX) {
			s->trace_stopped = true;
			return;
		}
		merge_trace(s);
	}
	if (!roller_force_is_contact(force, paused))
		return;
	s->trace_sum[bucket] += force;
	s->trace_n[bucket]++;
}

static void
count_stroke(struct model_session *s, struct roller_stroke *stroke)
{
	enum roller_direction dir = roller_heading_direction(stroke->heading);

	stroke->roll_count = ++s->roll_count;
	s->dirs[dir] = saturating_inc16(s->dirs[dir]);
	if (stroke->zone != ROLLER_ZONE_OUTSIDE &&
	    stroke->zone < s->p.motion.cols * s->p.motion.rows)
		s->passes[stroke->zone] = saturating_inc8(s->passes[stroke->zone]);
}

void
model_session_tick(struct model_session *s, struct model_session_tick *out)
{
	struct model_motion_sample *sample = &out->sample;
	uint16_t force;

	out->t_ms = model_session_next_sample_ms(s);
	out->overforce = false;
	out->coverage_due = false;
	model_motion_sample(&s->motion, sample);
	force = sample->force_cN;

	if (sample->pause_ends && s->paused) {
		s->paused_ms += out->t_ms - s->pause_start_ms;
		s->paused = false;
	}
	if (sample->pause_begins) {
		s->paused = true;
		s->pause_start_ms = out->t_ms;
	}
	roller_force_stats_add(&s->stats, force, sample->paused,
			       s->p.motion.band_low_cN, s->p.motion.band_high_cN);

	/* OVERFORCE once per excursion: from at or below the limit to above. */
	if (force != ROLLER_FORCE_INVALID) {
		if (force > s->overforce_cN && !s->above_overforce)
			out->overforce = true;
		s->above_overforce = force > s->overforce_cN;
	}
	if (sample->stroke_done)
		count_stroke(s, &sample->stroke);
	add_to_trace(s, out->t_ms, force, sample->paused);

	if (out->t_ms >= s->next_coverage_ms) {
		out->coverage_due = true;
		while (s->next_coverage_ms <= out->t_ms)
			s->next_coverage_ms += MODEL_SESSION_COVERAGE_MS;
	}
	s->last_t_ms = out->t_ms;
}

static uint16_t
trace_length(const struct model_session *s)
{
	uint32_t len = s->last_t_ms / s->trace_period_ms + 1;

	return (uint16_t)(len < MODEL_SESSION_TRACE_MAX ? len : MODEL_SESSION_TRACE_MAX);
}

enum roller_error
model_session_finish(struct model_session *s, uint32_t t_ms, uint8_t end_reason,
		      uint8_t *buf, size_t cap, size_t *len)
{
	struct roller_stored_record rec = { 0 };

	if (t_ms < s->last_t_ms)
		t_ms = s->last_t_ms;
	if (s->paused) {
		s->paused_ms += t_ms - s->pause_start_ms;
		s->paused = false;
	}
	rec.record_id = s->p.id;
	rec.start_unix = s->p.start_unix;
	rec.duration_ms = t_ms - s->paused_ms;
	rec.area_id = s->p.area_id;
	rec.end_reason = end_reason;
	rec.needle_um = s->p.needle_um;
	rec.roll_count = s->roll_count;
	rec.force_mean_cN = roller_force_stats_mean(&s->stats);
	rec.force_max_cN = roller_force_stats_max(&s->stats);
	rec.in_band_permille = roller_force_stats_in_band_permille(&s->stats);
	memcpy(rec.dirs, s->dirs, sizeof(rec.dirs));
	rec.cols = s->p.motion.cols;
	rec.rows = s->p.motion.rows;
	rec.passes = s->passes;
	rec.trace_period_ms = (uint16_t)s->trace_period_ms;
	rec.trace_len = trace_length(s);
	for (unsigned i = 0; i < rec.trace_len; i++) {
		uint32_t n = s->trace_n[i];

		s->trace_out[i] = n ? (uint16_t)((2 * s->trace_sum[i] + n) / (2 * (uint64_t)n)) : 0;
	}
	return roller_stored_record_encode(&rec, s->trace_out, buf, cap, len);
}
