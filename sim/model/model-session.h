/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * One session as the firmware accounts for it: runs the person's motion
 * tick by tick, keeps the statistics of spec section 6 over exactly the
 * samples it hands out, and builds the stored record at the end.
 *
 * The live device and the offline preload share it, so a preloaded
 * record is what the same session rolled live would have stored.
 *
 * The force trace has one value per trace period: the mean of the contact
 * samples (roller_force_is_contact()) taken at t_ms in
 * [i * period, (i + 1) * period), rounded half up, 0 when there is none:
 * a lift or a pause is not a light press, and 0 (never a contact mean)
 * marks a period the roller was off the skin.  The spec only says "one
 * value per trace period"; this is the reading its statistics suggest,
 * and rollerd's live trace makes the same one.
 * The period is 1000 ms; a session longer than MODEL_SESSION_TRACE_MAX
 * periods doubles it (merging neighbours exactly, from sums and counts),
 * up to 64000 ms, after which the trace stops growing.
 */
#pragma once

#include "model-motion.h"
#include "roller-record.h"

#define MODEL_SESSION_TRACE_PERIOD_MS 1000u
#define MODEL_SESSION_TRACE_MAX 1024u
#define MODEL_SESSION_TRACE_PERIOD_MAX 64000u
#define MODEL_SESSION_COVERAGE_MS 5000u

struct model_session_params {
	uint16_t id;
	uint8_t area_id;
	uint32_t start_unix;
	uint16_t needle_um;
	/* Grid, period and the force band latched for the whole session. */
	struct model_motion_params motion;
};

/* What one sampling tick produced. */
struct model_session_tick {
	uint32_t t_ms;
	struct model_motion_sample sample;	/* stroke.roll_count filled */
	bool overforce;		/* the sample crossed band_high * 3 / 2 */
	bool coverage_due;	/* a 5 s boundary was reached at this sample */
};

struct model_session {
	struct model_session_params p;
	struct model_motion motion;
	struct roller_force_stats stats;
	uint32_t overforce_cN;
	bool above_overforce;

	uint16_t roll_count;
	uint16_t dirs[4];
	uint8_t passes[ROLLER_GRID_CELLS_MAX];

	bool paused;
	uint32_t pause_start_ms;
	uint32_t paused_ms;		/* finished pauses */
	uint32_t last_t_ms;		/* of the last sample taken */
	uint32_t next_coverage_ms;

	uint32_t trace_period_ms;
	bool trace_stopped;
	uint64_t trace_sum[MODEL_SESSION_TRACE_MAX];
	uint32_t trace_n[MODEL_SESSION_TRACE_MAX];
	uint16_t trace_out[MODEL_SESSION_TRACE_MAX];
};

/* Largest record a session on this grid can store. */
size_t model_session_record_max(uint8_t cols, uint8_t rows);

void model_session_begin(struct model_session *s,
			  const struct model_session_params *params,
			  const struct model_person *person, uint64_t seed);

/* Takes the next sample (at model_session_next_sample_ms()). */
void model_session_tick(struct model_session *s,
			 struct model_session_tick *out);

uint32_t model_session_next_sample_ms(const struct model_session *s);

/* Session time at which something other than a plain sample may happen. */
uint32_t model_session_next_edge_ms(const struct model_session *s);

/* Time rolled up to session time @t_ms, pauses excluded. */
uint32_t model_session_active_ms(const struct model_session *s, uint32_t t_ms);

/*
 * Ends the session at session time @t_ms (not before its last sample) and
 * encodes its record into @buf; *len receives its length.
 */
enum roller_error model_session_finish(struct model_session *s, uint32_t t_ms,
					uint8_t end_reason, uint8_t *buf,
					size_t cap, size_t *len);
