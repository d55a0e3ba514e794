/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The person rolling: a seeded physical model that yields one force sample
 * per sampling tick, and the strokes and pauses that go with it.
 *
 * A session rolls the pattern users are taught: a few back-and-forth
 * strokes vertically, then as many horizontally, diagonally and
 * anti-diagonally, and round again, each direction coming back a few
 * lanes further on, so that its strokes spread over the grid.  (A person with
 * whole_passes sweeps every vertical lane first, then every horizontal,
 * diagonal and anti-diagonal one: a short session never gets to the
 * diagonals.)  The strokes' midpoints wander along each stroke-long
 * segment of a lane, so coverage comes out uneven and now and then a
 * stroke lands outside the grid.  A stroke
 * ramps up, holds a noisy plateau near the person's usual force and lifts
 * off to 0 before the next one.  Sometimes the person pauses, presses too
 * hard for a moment, or the sensor drops out (0xFFFF).
 *
 * Everything is counted in ticks of the sampling period, so that strokes
 * and pauses begin and end exactly on a sample.
 */
#pragma once

#include "roller-frame.h"
#include "model-rand.h"

struct model_motion_params {
	uint8_t cols;
	uint8_t rows;
	uint8_t cell_mm;
	uint8_t period_ms;
	uint16_t band_low_cN;
	uint16_t band_high_cN;
	uint16_t full_scale_cN;
};

/* One person's habits, the same for every session of a roller. */
struct model_person {
	uint16_t level_permille;	/* usual plateau, as a share of the band */
	uint16_t speed_mm_s;
	uint16_t stroke_permille;	/* stroke length, as a share of the
					 * grid's shorter side */
	uint8_t reps_min;		/* strokes per lane */
	uint8_t reps_max;
	uint16_t pause_permille;	/* chance of a pause after a stroke */
	uint16_t overforce_permille;	/* chance of pressing too hard in a stroke */
	uint16_t dropout_ppm;		/* chance of a sensor dropout per sample */
	uint8_t rest_cN;		/* force left on the skin while paused */
	bool whole_passes;		/* one direction over the whole grid
					 * before turning, not the taught
					 * pattern; not drawn from the seed */
};

void model_person_from_seed(struct model_person *person, uint64_t seed);

enum model_motion_state {
	MODEL_MOTION_GAP,
	MODEL_MOTION_STROKE,
	MODEL_MOTION_PAUSE,
};

/* What one tick produced. */
struct model_motion_sample {
	uint16_t force_cN;		/* ROLLER_FORCE_INVALID in a dropout */
	bool paused;			/* the sample was taken while paused */
	bool pause_begins;		/* this tick is the first paused one */
	bool pause_ends;		/* this tick is the first one after a pause */
	bool stroke_done;		/* a stroke ended at this tick */
	/* With stroke_done: everything but roll_count, which the session
	 * counts; mean_force_cN is the mean of the stroke's contact samples. */
	struct roller_stroke stroke;
};

struct model_motion {
	struct model_rand rng;
	struct model_motion_params p;
	struct model_person person;
	uint32_t level_cN;		/* this session's usual plateau */
	uint32_t tick;			/* the tick the next sample is taken at */

	uint8_t state;			/* enum model_motion_state */
	uint32_t state_end;		/* first tick after the current state */

	int32_t stroke_um;		/* this session's usual stroke */
	/* The sweep: pass direction (0..3), lane offset across it in um,
	 * the segment of the lane being worked, strokes left on it. */
	uint8_t pass;
	int32_t lane_um;
	uint8_t segments;
	uint8_t segment;
	uint8_t reps_left;
	bool reverse;
	/* The taught pattern: where each direction goes on, once begun. */
	uint8_t passes_begun;		/* bit per direction */
	int32_t pass_lane_um[4];
	uint8_t pass_segment[4];

	/* The stroke under way. */
	uint32_t stroke_start;
	uint32_t up_ticks;
	uint32_t down_ticks;
	uint32_t stroke_level_cN;
	int32_t wobble_cN;
	uint32_t spike_start;
	uint32_t spike_end;
	uint32_t spike_cN;
	uint8_t heading;
	uint8_t zone;
	uint16_t length_mm;
	uint32_t contact_sum;
	uint32_t contact_n;

	/* A pause planned inside the current gap. */
	bool pause_planned;
	uint32_t pause_start;
	uint32_t pause_ticks;
	uint16_t rest_cN;

	uint16_t dropout_left;
};

/* Starts a session's motion; @seed makes the session's own choices. */
void model_motion_start(struct model_motion *m,
			 const struct model_motion_params *params,
			 const struct model_person *person, uint64_t seed);

/* Takes the sample of tick m->tick and moves to the next tick. */
void model_motion_sample(struct model_motion *m,
			  struct model_motion_sample *out);

/* The next tick at which a stroke, a pause or a force spike may start or
 * end: nothing but plain samples comes before it. */
uint32_t model_motion_next_edge(const struct model_motion *m);

/* Between strokes and not paused: a moment the person may stop at. */
bool model_motion_between_strokes(const struct model_motion *m);

/* Heading (256ths of a turn, 0 toward row 0, clockwise) as a unit vector
 * in Q14: x toward higher columns, y toward higher rows. */
void model_heading_vector(uint8_t heading, int32_t *x_q14, int32_t *y_q14);
