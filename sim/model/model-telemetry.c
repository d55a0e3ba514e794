/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "model-telemetry.h"

/* ATT's smallest MTU is 23: a notification carries 20 bytes at least. */
#define ATT_MIN_PAYLOAD 20

uint16_t
model_telemetry_frame_max(uint16_t mtu)
{
	uint32_t payload = mtu > 3 ? mtu - 3u : 0;

	if (payload < ATT_MIN_PAYLOAD)
		payload = ATT_MIN_PAYLOAD;
	if (payload > ROLLER_FRAME_MAX_LEN)
		payload = ROLLER_FRAME_MAX_LEN;
	return (uint16_t)payload;
}

static void
open_frame(struct model_telemetry *tel)
{
	roller_frame_writer_init(&tel->w, tel->frame, tel->frame_max, tel->seq,
				 tel->session_id, tel->crc);
	tel->has_records = false;
}

static void
send_frame(struct model_telemetry *tel)
{
	size_t len;

	if (!tel->has_records)
		return;
	len = roller_frame_writer_finish(&tel->w);
	tel->send(tel->user, tel->frame, len);
	tel->seq++;
	tel->frames_sent++;
	open_frame(tel);
}

/* Batched samples become one FORCE record of the current frame. */
static void
write_pending(struct model_telemetry *tel)
{
	enum roller_error err;

	if (tel->n_pending == 0)
		return;
	err = roller_frame_add_force(&tel->w, tel->pending_t_ms, tel->period_ms,
				     tel->pending, tel->n_pending);
	if (err == ROLLER_ERR_NO_SPACE) {
		/* Not reached: samples never outgrow the frame's room. */
		send_frame(tel);
		err = roller_frame_add_force(&tel->w, tel->pending_t_ms,
					     tel->period_ms, tel->pending,
					     tel->n_pending);
	}
	if (err == ROLLER_OK)
		tel->has_records = true;
	tel->n_pending = 0;
}

void
model_telemetry_begin(struct model_telemetry *tel, uint16_t session_id,
		       uint8_t period_ms, uint16_t frame_max, bool crc,
		       model_telemetry_send_fn send, void *user)
{
	memset(tel, 0, sizeof(*tel));
	tel->send = send;
	tel->user = user;
	tel->session_id = session_id;
	tel->period_ms = period_ms ? period_ms : 1;
	tel->crc = crc;
	tel->frame_max = frame_max;
	open_frame(tel);
}

void
model_telemetry_set_frame_max(struct model_telemetry *tel, uint16_t frame_max)
{
	if (frame_max == tel->frame_max)
		return;
	model_telemetry_flush(tel);
	tel->frame_max = frame_max;
	open_frame(tel);
}

void
model_telemetry_sample(struct model_telemetry *tel, uint32_t t_ms,
			uint16_t force_cN)
{
	if (roller_frame_writer_force_room(&tel->w) == 0)
		send_frame(tel);
	if (tel->n_pending == 0)
		tel->pending_t_ms = t_ms;
	tel->pending[tel->n_pending++] = force_cN;
	if (tel->n_pending < roller_frame_writer_force_room(&tel->w))
		return;
	write_pending(tel);
	/* Full, or at most a few bytes left that no record fits in. */
	if (roller_frame_writer_force_room(&tel->w) == 0)
		send_frame(tel);
}

enum urgent_kind {
	URGENT_STROKE,
	URGENT_EVENT,
	URGENT_COVERAGE,
};

struct urgent_record {
	enum urgent_kind kind;
	const struct roller_stroke *stroke;
	struct roller_event event;
	uint8_t cols;
	uint8_t rows;
	const uint8_t *passes;
};

static size_t
urgent_body_len(const struct urgent_record *u)
{
	switch (u->kind) {
	case URGENT_STROKE:
		return ROLLER_STROKE_BODY_LEN;
	case URGENT_EVENT:
		return ROLLER_EVENT_BODY_LEN;
	default:
		return 2u + (size_t)u->cols * u->rows;
	}
}

static enum roller_error
try_add(struct model_telemetry *tel, const struct urgent_record *u)
{
	switch (u->kind) {
	case URGENT_STROKE:
		return roller_frame_add_stroke(&tel->w, u->stroke);
	case URGENT_EVENT:
		return roller_frame_add_event(&tel->w, &u->event);
	default:
		return roller_frame_add_coverage(&tel->w, u->cols, u->rows,
						 u->passes);
	}
}

/* Behind the samples taken before it, in this frame or a fresh one. */
static void
add_urgent(struct model_telemetry *tel, const struct urgent_record *u)
{
	size_t empty_room = tel->frame_max - ROLLER_FRAME_HEADER_LEN - (tel->crc ? 2u : 0u);
	enum roller_error err;

	/* Too large for any frame at this MTU: the samples need not wait. */
	if (2 + urgent_body_len(u) > empty_room) {
		tel->records_dropped++;
		return;
	}
	write_pending(tel);
	err = try_add(tel, u);
	if (err == ROLLER_ERR_NO_SPACE && tel->has_records) {
		send_frame(tel);
		err = try_add(tel, u);
	}
	if (err != ROLLER_OK) {
		tel->records_dropped++;
		return;
	}
	tel->has_records = true;
	tel->flush_due = true;
}

void
model_telemetry_stroke(struct model_telemetry *tel,
			const struct roller_stroke *stroke)
{
	struct urgent_record u = { .kind = URGENT_STROKE, .stroke = stroke };

	add_urgent(tel, &u);
}

void
model_telemetry_event(struct model_telemetry *tel, uint32_t t_ms,
		       uint8_t code, uint16_t arg)
{
	struct urgent_record u = {
		.kind = URGENT_EVENT,
		.event = { .t_ms = t_ms, .code = code, .arg = arg },
	};

	add_urgent(tel, &u);
}

void
model_telemetry_coverage(struct model_telemetry *tel, uint8_t cols,
			  uint8_t rows, const uint8_t *passes)
{
	struct urgent_record u = {
		.kind = URGENT_COVERAGE, .cols = cols, .rows = rows,
		.passes = passes,
	};

	add_urgent(tel, &u);
}

void
model_telemetry_commit(struct model_telemetry *tel)
{
	if (!tel->flush_due)
		return;
	tel->flush_due = false;
	send_frame(tel);
}

void
model_telemetry_flush(struct model_telemetry *tel)
{
	write_pending(tel);
	tel->flush_due = false;
	send_frame(tel);
}

uint16_t
model_telemetry_room(const struct model_telemetry *tel)
{
	uint16_t room = roller_frame_writer_force_room(&tel->w);

	return room > tel->n_pending ? (uint16_t)(room - tel->n_pending) : 0;
}
