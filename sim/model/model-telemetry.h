/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Telemetry frame batching (spec section 4) for one session.
 *
 * FORCE samples wait until they fill the frame the negotiated MTU allows
 * (MTU - 3 bytes, at most 512; a frame may carry several FORCE records
 * when one record's 125 samples do not fill it).  A STROKE, EVENT or
 * COVERAGE goes into the current frame right behind the samples taken
 * before it, and the frame leaves at the end of that tick
 * (model_telemetry_commit), so such records wait at most one sample.
 * A COVERAGE that no frame at this MTU can carry (MTU 23 and a large
 * grid) is left out: STROKE records say the same thing, piece by piece.
 */
#pragma once

#include "roller-frame.h"

/* Samples one frame of 512 bytes can carry in its FORCE records. */
#define MODEL_TELEMETRY_PENDING_MAX 256

typedef void (*model_telemetry_send_fn)(void *user, const uint8_t *frame,
					 size_t len);

struct model_telemetry {
	model_telemetry_send_fn send;
	void *user;

	uint16_t session_id;
	uint8_t seq;
	uint8_t period_ms;
	bool crc;
	uint16_t frame_max;		/* MTU - 3, at most 512 */

	struct roller_frame_writer w;
	bool has_records;
	bool flush_due;
	uint8_t frame[ROLLER_FRAME_MAX_LEN];

	uint32_t pending_t_ms;
	uint16_t n_pending;
	uint16_t pending[MODEL_TELEMETRY_PENDING_MAX];

	uint32_t frames_sent;
	uint32_t records_dropped;	/* coverage too large for the MTU */
};

/* Frame payload for an ATT MTU: MTU - 3, clamped to 4..512. */
uint16_t model_telemetry_frame_max(uint16_t mtu);

void model_telemetry_begin(struct model_telemetry *tel, uint16_t session_id,
			    uint8_t period_ms, uint16_t frame_max, bool crc,
			    model_telemetry_send_fn send, void *user);

/* The negotiated MTU changed: what is batched leaves first. */
void model_telemetry_set_frame_max(struct model_telemetry *tel,
				    uint16_t frame_max);

/* One FORCE sample taken at @t_ms, one period after the previous one. */
void model_telemetry_sample(struct model_telemetry *tel, uint32_t t_ms,
			     uint16_t force_cN);

void model_telemetry_stroke(struct model_telemetry *tel,
			     const struct roller_stroke *stroke);
void model_telemetry_event(struct model_telemetry *tel, uint32_t t_ms,
			    uint8_t code, uint16_t arg);
void model_telemetry_coverage(struct model_telemetry *tel, uint8_t cols,
			       uint8_t rows, const uint8_t *passes);

/* End of a tick: sends the frame if a STROKE, EVENT or COVERAGE is in it. */
void model_telemetry_commit(struct model_telemetry *tel);

/* Sends whatever is batched, samples included (MTU change, session end). */
void model_telemetry_flush(struct model_telemetry *tel);

/* Samples still to go before the frame is full (for the host's timer). */
uint16_t model_telemetry_room(const struct model_telemetry *tel);
