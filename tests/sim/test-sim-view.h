/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A central's view of one session, built from its telemetry frames alone
 * (what rollerd does): checks every frame on the way (parses, fits the
 * MTU, seq, monotonic time, contiguous FORCE samples, COVERAGE every 5 s,
 * PAUSE and RESUME before the samples they apply to) and recomputes the
 * spec section 6 statistics, to hold them against the stored record.
 * Include after <cmocka.h>.
 */
#pragma once

#include "test-sim-harness.h"

#define SIM_VIEW_SECONDS_MAX 4096

/* What a central makes of one session's telemetry, from the frames only. */
struct sim_view {
	uint16_t frame_max;
	uint8_t period;
	uint16_t band_low, band_high;
	uint8_t cols, rows;

	uint16_t session_id;
	unsigned frames;
	unsigned next_seq;
	uint32_t last_record_t;
	uint32_t next_sample_t;
	uint32_t last_sample_t;
	uint16_t last_sample;
	bool started, ended;
	uint8_t area, end_reason;
	uint32_t end_t;

	/* Spec section 6, from scratch: contact samples are valid, >= 50 cN
	 * and not paused; the max is over every valid sample. */
	uint64_t contact_sum;
	uint32_t contact_n, in_band_n;
	uint16_t max_valid;
	bool paused;
	uint32_t pause_start, paused_total;
	uint16_t rolls, dirs[4];
	uint8_t passes[ROLLER_GRID_CELLS_MAX];
	/* Contact samples per second of session time, and valid ones under 50 cN. */
	uint64_t second_sum[SIM_VIEW_SECONDS_MAX];
	uint32_t second_n[SIM_VIEW_SECONDS_MAX];
	uint32_t second_lifted[SIM_VIEW_SECONDS_MAX];

	unsigned coverages, pauses, overforces, dropouts, outside, zeros;
	unsigned head_changes;
	uint16_t needle;
	uint16_t full_samples;		/* a frame of samples only holds this many */
	unsigned full_frames;		/* of samples only, full */
	bool partial_frame;		/* the last frame: samples only, not full */
	bool final_coverage;
	int last_dir;
	unsigned dir_changes;
	uint32_t latency_max;	/* emission time - time of the frame's content */
};

void sim_view_init(struct sim_view *v, const struct sim_rig *rig);
/* Feeds the view every telemetry frame of the rig, checks the session is
 * over and that record @record_index is what the frames say. */
void sim_view_check_session(struct sim_view *v, const struct sim_rig *rig,
			    size_t record_index);
