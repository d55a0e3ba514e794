/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "model-motion.h"
#include "roller-record.h"

#define Q14 16384

/* round(16384 * sin(2 pi i / 256)) for a quarter turn. */
static const int16_t quarter_sine_q14[65] = {
	0, 402, 804, 1205, 1606, 2006, 2404, 2801, 3196, 3590, 3981, 4370,
	4756, 5139, 5520, 5897, 6270, 6639, 7005, 7366, 7723, 8076, 8423,
	8765, 9102, 9434, 9760, 10080, 10394, 10702, 11003, 11297, 11585,
	11866, 12140, 12406, 12665, 12916, 13160, 13395, 13623, 13842, 14053,
	14256, 14449, 14635, 14811, 14978, 15137, 15286, 15426, 15557, 15679,
	15791, 15893, 15986, 16069, 16143, 16207, 16261, 16305, 16340, 16364,
	16379, 16384,
};

/* Base heading of each pass, in the order a person works: vertical,
 * horizontal, diagonal (toward row 0 and higher columns), anti-diagonal. */
static const uint8_t pass_heading[4] = { 0, 64, 32, 224 };

static int32_t
sine_q14(uint8_t angle)
{
	unsigned i = angle & 63u;

	switch (angle >> 6) {
	case 0: return quarter_sine_q14[i];
	case 1: return quarter_sine_q14[64 - i];
	case 2: return -quarter_sine_q14[i];
	default: return -quarter_sine_q14[64 - i];
	}
}

void
model_heading_vector(uint8_t heading, int32_t *x_q14, int32_t *y_q14)
{
	/* Heading 0 points toward row 0, that is toward smaller y. */
	*x_q14 = sine_q14(heading);
	*y_q14 = -sine_q14((uint8_t)(heading + 64));
}

void
model_person_from_seed(struct model_person *person, uint64_t seed)
{
	struct model_rand r;

	model_rand_seed(&r, seed);
	/* Most people stay inside the band; some press a little harder. */
	person->level_permille = (uint16_t)model_rand_range(&r, 250, 1050);
	person->speed_mm_s = (uint16_t)model_rand_range(&r, 70, 150);
	person->stroke_permille = (uint16_t)model_rand_range(&r, 300, 600);
	person->reps_min = (uint8_t)model_rand_range(&r, 1, 2);
	person->reps_max = (uint8_t)(person->reps_min + model_rand_range(&r, 1, 3));
	person->pause_permille = (uint16_t)model_rand_range(&r, 8, 30);
	person->overforce_permille = (uint16_t)model_rand_range(&r, 5, 40);
	person->dropout_ppm = (uint16_t)model_rand_range(&r, 200, 1200);
	person->rest_cN = model_rand_range(&r, 0, 1) ?
		(uint8_t)model_rand_range(&r, 8, 35) : 0;
	person->whole_passes = false;
}

static uint32_t
ms_to_ticks(const struct model_motion *m, uint32_t ms)
{
	uint32_t ticks = (ms + m->p.period_ms / 2u) / m->p.period_ms;

	return ticks ? ticks : 1;
}

static int32_t
rand_ms_ticks(struct model_motion *m, int32_t lo_ms, int32_t hi_ms)
{
	return (int32_t)ms_to_ticks(m, (uint32_t)model_rand_range(&m->rng, lo_ms,
								   hi_ms));
}

static int64_t
grid_width_um(const struct model_motion *m)
{
	return (int64_t)m->p.cols * m->p.cell_mm * 1000;
}

static int64_t
grid_height_um(const struct model_motion *m)
{
	return (int64_t)m->p.rows * m->p.cell_mm * 1000;
}

static int32_t
cell_um(const struct model_motion *m)
{
	return (int32_t)m->p.cell_mm * 1000;
}

static int32_t
abs32(int32_t v)
{
	return v < 0 ? -v : v;
}

/* How far the grid reaches from its centre across the lanes of a pass. */
static int32_t
pass_half_extent_um(const struct model_motion *m, uint8_t pass)
{
	int32_t nx, ny;

	model_heading_vector((uint8_t)(pass_heading[pass] + 64), &nx, &ny);
	return (int32_t)((grid_width_um(m) / 2 * abs32(nx) +
			  grid_height_um(m) / 2 * abs32(ny)) / Q14);
}

/* Lanes are about one roller width apart: a cell, give or take. */
static int32_t
lane_spacing_um(struct model_motion *m)
{
	return cell_um(m) * model_rand_range(&m->rng, 75, 110) / 100;
}

/* Narrows [*lo, *hi] to the a for which p + a * u / Q14 lies in [0, size]. */
static bool
clip_axis(int64_t p, int64_t u, int64_t size, int64_t *lo, int64_t *hi)
{
	int64_t a1, a2;

	if (u == 0)
		return p >= 0 && p <= size;
	a1 = -p * Q14 / u;
	a2 = (size - p) * Q14 / u;
	if (a1 > a2) {
		int64_t t = a1;

		a1 = a2;
		a2 = t;
	}
	if (a1 > *lo)
		*lo = a1;
	if (a2 < *hi)
		*hi = a2;
	return *lo <= *hi;
}

/*
 * The lane at offset @s across direction u (normal n) meets the grid along
 * [*lo, *hi], measured along u from the point closest to the centre.
 */
static bool
lane_chord(const struct model_motion *m, int32_t s, int32_t ux, int32_t uy,
	   int32_t nx, int32_t ny, int64_t *lo, int64_t *hi)
{
	int64_t px = grid_width_um(m) / 2 + (int64_t)s * nx / Q14;
	int64_t py = grid_height_um(m) / 2 + (int64_t)s * ny / Q14;

	*lo = INT32_MIN;
	*hi = INT32_MAX;
	return clip_axis(px, ux, grid_width_um(m), lo, hi) &&
	       clip_axis(py, uy, grid_height_um(m), lo, hi);
}

/* The grid's extent along the current lane, 0 when the lane misses it. */
static int64_t
lane_length_um(const struct model_motion *m, int32_t s)
{
	uint8_t base = pass_heading[m->pass];
	int32_t ux, uy, nx, ny;
	int64_t lo, hi;

	model_heading_vector(base, &ux, &uy);
	model_heading_vector((uint8_t)(base + 64), &nx, &ny);
	return lane_chord(m, s, ux, uy, nx, ny, &lo, &hi) ? hi - lo : 0;
}

/*
 * A lane is worked in segments about one stroke long, each with a few
 * back-and-forth strokes whose middles fall anywhere in the segment: the
 * whole lane gets covered, unevenly.
 */
/* Strokes on a piece of lane; in the taught pattern, two at least. */
static uint8_t
segment_reps(struct model_motion *m)
{
	int32_t extra = m->person.whole_passes ? 0 : 1;

	return (uint8_t)model_rand_range(&m->rng, m->person.reps_min + extra,
					 m->person.reps_max + extra);
}

/* The current lane's segments; its length. */
static int64_t
measure_lane(struct model_motion *m)
{
	int64_t length = lane_length_um(m, m->lane_um);
	int64_t segments = (length + m->stroke_um / 2) / (m->stroke_um * 9 / 10);

	m->segments = (uint8_t)(segments < 1 ? 1 : segments > 15 ? 15 : segments);
	return length;
}

/* Starts work at the current lane's segment m->segment. */
static void
resume_lane(struct model_motion *m)
{
	int64_t length = measure_lane(m);

	if (m->segment >= m->segments)
		m->segment = 0;
	m->reverse = model_rand_range(&m->rng, 0, 1);
	m->reps_left = length < m->stroke_um / 2 ? 1 : segment_reps(m);
}

static void
start_lane(struct model_motion *m)
{
	m->segment = 0;
	resume_lane(m);
}

static int32_t
first_lane_um(struct model_motion *m, uint8_t pass)
{
	return -pass_half_extent_um(m, pass) + lane_spacing_um(m) / 2;
}

static void
start_pass(struct model_motion *m, uint8_t pass)
{
	m->pass = pass & 3u;
	m->passes_begun |= (uint8_t)(1u << m->pass);
	m->lane_um = first_lane_um(m, m->pass);
	start_lane(m);
}

/*
 * The taught pattern, once a piece of lane had its strokes: this
 * direction will go on at the next piece of a lane a few lanes further
 * (round to the grid's other side past its edge), so that its visits
 * spread over the grid, and the person turns to the next direction, at
 * the piece where that one stopped.
 */
static void
turn_to_next_direction(struct model_motion *m)
{
	int32_t extent = pass_half_extent_um(m, m->pass);

	m->segment++;
	m->lane_um += lane_spacing_um(m) * 5 / 2;
	if (m->lane_um > extent)
		m->lane_um -= 2 * extent;
	m->pass_lane_um[m->pass] = m->lane_um;
	m->pass_segment[m->pass] = m->segment;
	m->pass = (m->pass + 1) & 3u;
	if (!(m->passes_begun & (1u << m->pass))) {
		start_pass(m, m->pass);
		return;
	}
	m->lane_um = m->pass_lane_um[m->pass];
	m->segment = m->pass_segment[m->pass];
	resume_lane(m);
}

/* After a stroke: the next segment, lane or direction; true when that
 * began a whole pass in a new direction (a moment to stop briefly). */
static bool
advance_sweep(struct model_motion *m)
{
	if (m->reps_left && --m->reps_left)
		return false;
	/* Turns come every few strokes: pauses as after any stroke. */
	if (!m->person.whole_passes) {
		turn_to_next_direction(m);
		return false;
	}
	if (++m->segment < m->segments) {
		m->reps_left = segment_reps(m);
		return false;
	}
	m->lane_um += lane_spacing_um(m);
	if (m->lane_um > pass_half_extent_um(m, m->pass)) {
		start_pass(m, (uint8_t)(m->pass + 1));
		return true;
	}
	start_lane(m);
	return false;
}

static uint8_t
zone_of(const struct model_motion *m, int64_t x, int64_t y)
{
	if (x < 0 || y < 0 || x >= grid_width_um(m) || y >= grid_height_um(m))
		return ROLLER_ZONE_OUTSIDE;
	return (uint8_t)(y / cell_um(m) * m->p.cols + x / cell_um(m));
}

/* Where the next stroke goes: heading, length and the zone of its middle. */
static void
aim_stroke(struct model_motion *m)
{
	uint8_t base = pass_heading[m->pass];
	int32_t ux, uy, nx, ny, cell = cell_um(m);
	int32_t s = m->lane_um + model_rand_range(&m->rng, -cell * 3 / 10, cell * 3 / 10);
	int64_t lo, hi, chord = 0, len, a;
	bool on_grid;

	model_heading_vector(base, &ux, &uy);
	model_heading_vector((uint8_t)(base + 64), &nx, &ny);
	/* Now and then the hand slips past the edge of the treated area. */
	if (model_rand_chance(&m->rng, 25)) {
		int32_t beyond = pass_half_extent_um(m, m->pass) + cell / 2 +
				 model_rand_range(&m->rng, 0, cell / 2);

		s = m->lane_um < 0 ? -beyond : beyond;
	}
	on_grid = lane_chord(m, s, ux, uy, nx, ny, &lo, &hi);
	if (on_grid)
		chord = hi - lo;

	len = m->stroke_um * model_rand_range(&m->rng, 85, 115) / 100;
	if (on_grid && len > chord)	/* a short lane, a short stroke */
		len = chord;
	if (len < cell)
		len = cell;
	if (on_grid) {
		int64_t segment = chord / m->segments;

		a = lo + segment * m->segment +
		    model_rand_range(&m->rng, 0, (int32_t)segment);
	} else {
		a = model_rand_range(&m->rng, -cell, cell);
	}

	m->zone = zone_of(m, grid_width_um(m) / 2 + ((int64_t)s * nx + a * ux) / Q14,
			  grid_height_um(m) / 2 + ((int64_t)s * ny + a * uy) / Q14);
	m->length_mm = (uint16_t)((len + 500) / 1000);
	m->heading = (uint8_t)(base + (m->reverse ? 128 : 0) +
			       model_rand_range(&m->rng, -7, 7));
	m->reverse = !m->reverse;	/* back and forth along the lane */
}

static void
start_stroke(struct model_motion *m, uint32_t tick)
{
	uint32_t speed, duration_ms, ticks, plateau;

	aim_stroke(m);
	speed = m->person.speed_mm_s * (uint32_t)model_rand_range(&m->rng, 80, 120) / 100;
	duration_ms = m->length_mm * 1000u / speed;
	if (duration_ms < 150)
		duration_ms = 150;
	ticks = ms_to_ticks(m, duration_ms);
	m->up_ticks = (uint32_t)rand_ms_ticks(m, 60, 120);
	m->down_ticks = (uint32_t)rand_ms_ticks(m, 40, 90);
	if (ticks < m->up_ticks + m->down_ticks + 1)
		ticks = m->up_ticks + m->down_ticks + 1;
	plateau = ticks - m->up_ticks - m->down_ticks;

	m->stroke_level_cN = m->level_cN *
			     (uint32_t)model_rand_range(&m->rng, 90, 110) / 100;
	m->wobble_cN = 0;
	m->spike_start = m->spike_end = 0;
	if (model_rand_chance(&m->rng, m->person.overforce_permille)) {
		m->spike_start = tick + m->up_ticks +
				 (uint32_t)model_rand_range(&m->rng, 0, (int32_t)plateau / 2);
		m->spike_end = m->spike_start + (uint32_t)rand_ms_ticks(m, 80, 200);
		if (m->spike_end > tick + ticks - m->down_ticks)
			m->spike_end = tick + ticks - m->down_ticks;
		m->spike_cN = m->p.band_high_cN *
			      (uint32_t)model_rand_range(&m->rng, 155, 190) / 100;
	}
	m->contact_sum = 0;
	m->contact_n = 0;
	m->stroke_start = tick;
	m->state = MODEL_MOTION_STROKE;
	m->state_end = tick + ticks;
}

static uint32_t
clamp_force(const struct model_motion *m, int32_t f)
{
	uint32_t full = m->p.full_scale_cN < ROLLER_FORCE_INVALID ?
			m->p.full_scale_cN : ROLLER_FORCE_INVALID - 1u;

	if (f < 0)
		return 0;
	return (uint32_t)f > full ? full : (uint32_t)f;
}

static uint32_t
stroke_force(struct model_motion *m, uint32_t tick)
{
	uint32_t tau = tick - m->stroke_start;
	uint32_t ticks = m->state_end - m->stroke_start;
	int32_t level = (int32_t)m->stroke_level_cN, env, amp, f;

	/* Envelope in Q10: ramp up, plateau, lift-off. */
	if (tau < m->up_ticks)
		env = (int32_t)((tau + 1) * 1024 / (m->up_ticks + 1));
	else if (tau >= ticks - m->down_ticks)
		env = (int32_t)((ticks - tau) * 1024 / (m->down_ticks + 1));
	else
		env = 1024;
	/* A slow drift of the hand, and sample-to-sample noise. */
	m->wobble_cN += model_rand_range(&m->rng, -level / 60 - 1, level / 60 + 1);
	if (m->wobble_cN > level / 8)
		m->wobble_cN = level / 8;
	if (m->wobble_cN < -level / 8)
		m->wobble_cN = -level / 8;
	amp = level / 16 * env / 1024;
	f = (level + m->wobble_cN) * env / 1024 + model_rand_range(&m->rng, -amp, amp);
	if (tick >= m->spike_start && tick < m->spike_end) {
		int32_t spike = (int32_t)m->spike_cN;
		int32_t s = spike + model_rand_range(&m->rng, -spike / 40, spike / 40);

		if (s > f)
			f = s;
	}
	return clamp_force(m, f);
}

static void
plan_gap(struct model_motion *m, uint32_t tick, bool new_pass)
{
	/* Turning to a new direction is a natural moment to stop briefly. */
	uint32_t chance = new_pass ? 450 : m->person.pause_permille;

	m->state = MODEL_MOTION_GAP;
	m->state_end = tick + (uint32_t)rand_ms_ticks(m, 120, 400);
	m->pause_planned = model_rand_chance(&m->rng, chance);
	if (!m->pause_planned)
		return;
	m->pause_start = tick + (uint32_t)rand_ms_ticks(m, 60, 200);
	m->pause_ticks = (uint32_t)(new_pass ? rand_ms_ticks(m, 1500, 4000) :
					       rand_ms_ticks(m, 2000, 9000));
	m->rest_cN = model_rand_chance(&m->rng, 300) ? 0 : m->person.rest_cN;
}

static void
finish_stroke(struct model_motion *m, uint32_t tick,
	      struct model_motion_sample *out)
{
	bool new_pass;

	out->stroke_done = true;
	out->stroke.t_end_ms = tick * m->p.period_ms;
	out->stroke.length_mm = m->length_mm;
	out->stroke.heading = m->heading;
	out->stroke.zone = m->zone;
	out->stroke.mean_force_cN = m->contact_n ?
		(uint16_t)((2u * (uint64_t)m->contact_sum + m->contact_n) /
			   (2u * m->contact_n)) : 0;
	new_pass = advance_sweep(m);
	plan_gap(m, tick, new_pass);
}

/* The force before dropouts, moving the state machine through @tick. */
static uint32_t
force_at(struct model_motion *m, uint32_t tick, struct model_motion_sample *out)
{
	for (;;) {
		switch (m->state) {
		case MODEL_MOTION_STROKE:
			if (tick < m->state_end)
				return stroke_force(m, tick);
			finish_stroke(m, tick, out);
			break;
		case MODEL_MOTION_GAP:
			if (m->pause_planned && tick >= m->pause_start) {
				m->pause_planned = false;
				m->state = MODEL_MOTION_PAUSE;
				m->state_end = tick + m->pause_ticks;
				out->pause_begins = true;
				break;
			}
			if (tick < m->state_end || m->pause_planned)
				return 0;
			start_stroke(m, tick);
			break;
		default:
			if (tick < m->state_end) {
				int32_t rest = m->rest_cN;

				out->paused = true;
				if (!rest)
					return 0;
				return clamp_force(m, rest + model_rand_range(&m->rng, -5, 5));
			}
			out->pause_ends = true;
			m->state = MODEL_MOTION_GAP;
			m->state_end = tick + (uint32_t)rand_ms_ticks(m, 150, 450);
			break;
		}
	}
}

void
model_motion_sample(struct model_motion *m, struct model_motion_sample *out)
{
	uint32_t tick = m->tick++;
	uint32_t force;

	memset(out, 0, sizeof(*out));
	force = force_at(m, tick, out);
	if (m->dropout_left) {
		m->dropout_left--;
		force = ROLLER_FORCE_INVALID;
	} else if (model_rand_chance_ppm(&m->rng, m->person.dropout_ppm)) {
		m->dropout_left = (uint16_t)model_rand_range(&m->rng, 0, 5);
		force = ROLLER_FORCE_INVALID;
	}
	if (m->state == MODEL_MOTION_STROKE && force != ROLLER_FORCE_INVALID &&
	    force >= ROLLER_CONTACT_MIN_CN) {
		m->contact_sum += force;
		m->contact_n++;
	}
	out->force_cN = (uint16_t)force;
}

void
model_motion_start(struct model_motion *m,
		    const struct model_motion_params *params,
		    const struct model_person *person, uint64_t seed)
{
	uint32_t low, high, level;

	memset(m, 0, sizeof(*m));
	m->p = *params;
	if (m->p.period_ms == 0)
		m->p.period_ms = 1;
	m->person = *person;
	model_rand_seed(&m->rng, seed);

	low = m->p.band_low_cN;
	high = m->p.band_high_cN > low ? m->p.band_high_cN : low + 1;
	level = low + (high - low) * m->person.level_permille / 1000u;
	/* Some days a little firmer, some days lighter. */
	level = level * (uint32_t)model_rand_range(&m->rng, 94, 106) / 100;
	if (level < 2 * ROLLER_CONTACT_MIN_CN)
		level = 2 * ROLLER_CONTACT_MIN_CN;
	m->level_cN = clamp_force(m, (int32_t)level);

	/* The usual stroke: a share of the treated area's shorter side. */
	m->stroke_um = (int32_t)(grid_width_um(m) < grid_height_um(m) ?
				 grid_width_um(m) : grid_height_um(m)) *
		       m->person.stroke_permille / 1000;
	if (m->stroke_um < cell_um(m))
		m->stroke_um = cell_um(m);
	if (m->stroke_um > 150000)
		m->stroke_um = 150000;
	start_pass(m, 0);
	/* The roller touches the skin a moment after the session starts. */
	m->state = MODEL_MOTION_GAP;
	m->state_end = (uint32_t)rand_ms_ticks(m, 200, 600);
}

uint32_t
model_motion_next_edge(const struct model_motion *m)
{
	switch (m->state) {
	case MODEL_MOTION_STROKE:
		/* Within a spike any sample may be the one that crosses the
		 * overforce limit (a dropout can hide the first). */
		if (m->spike_end > m->spike_start && m->tick < m->spike_end)
			return m->spike_start > m->tick ? m->spike_start : m->tick;
		return m->state_end;
	case MODEL_MOTION_GAP:
		return m->pause_planned ? m->pause_start : m->state_end;
	default:
		return m->state_end;
	}
}

bool
model_motion_between_strokes(const struct model_motion *m)
{
	return m->state == MODEL_MOTION_GAP;
}
