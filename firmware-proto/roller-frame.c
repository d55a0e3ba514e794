/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "roller-frame.h"
#include "roller-crc.h"

/* A known type's length and field rules (spec section 4). */
static bool
record_body_is_valid(uint8_t type, uint8_t len, const uint8_t *body)
{
	switch (type) {
	case ROLLER_RECORD_FORCE:
		return len >= ROLLER_FORCE_BODY_MIN + 2 && (len & 1) &&
		       body[4] != 0;
	case ROLLER_RECORD_STROKE:
		return len == ROLLER_STROKE_BODY_LEN;
	case ROLLER_RECORD_COVERAGE:
		return len >= 2 && body[0] >= 1 && body[0] <= ROLLER_GRID_MAX &&
		       body[1] >= 1 && body[1] <= ROLLER_GRID_MAX &&
		       len == 2 + body[0] * body[1];
	case ROLLER_RECORD_EVENT:
		return len == ROLLER_EVENT_BODY_LEN;
	default:
		return true;
	}
}

enum roller_error
roller_frame_parse(const uint8_t *buf, size_t len, struct roller_frame *frame)
{
	const uint8_t *p, *end;
	uint16_t n_records = 0, n_unknown = 0;
	bool has_crc;

	if (len < ROLLER_FRAME_MIN_LEN)
		return ROLLER_ERR_TOO_SHORT;
	has_crc = buf[0] & ROLLER_FRAME_FLAG_CRC;
	if (has_crc && len < ROLLER_FRAME_MIN_LEN + 2)
		return ROLLER_ERR_TOO_SHORT;
	if (len > ROLLER_FRAME_MAX_LEN)
		return ROLLER_ERR_TOO_LONG;
	if ((buf[0] >> 4) != ROLLER_PROTOCOL_VERSION)
		return ROLLER_ERR_VERSION;

	end = buf + len;
	if (has_crc) {
		end -= 2;
		if (roller_crc16(ROLLER_CRC16_INIT, buf, len - 2) !=
		    roller_get_le16(end))
			return ROLLER_ERR_CRC;
	}

	for (p = buf + ROLLER_FRAME_HEADER_LEN; p < end; n_records++) {
		uint8_t type, rlen;

		if (end - p < 2)
			return ROLLER_ERR_TRUNCATED;
		type = p[0];
		rlen = p[1];
		if (end - (p + 2) < rlen)
			return ROLLER_ERR_TRUNCATED;
		if (type < ROLLER_RECORD_FORCE || type > ROLLER_RECORD_EVENT)
			n_unknown++;
		else if (!record_body_is_valid(type, rlen, p + 2))
			return ROLLER_ERR_BAD_RECORD;
		p += 2 + rlen;
	}

	frame->version = buf[0] >> 4;
	frame->flags = buf[0] & 0x0f;
	frame->seq = buf[1];
	frame->session_id = roller_get_le16(buf + 2);
	frame->has_crc = has_crc;
	frame->records = buf + ROLLER_FRAME_HEADER_LEN;
	frame->records_len = (uint16_t)(end - frame->records);
	frame->n_records = n_records;
	frame->n_unknown = n_unknown;
	return ROLLER_OK;
}

void
roller_frame_iter_init(struct roller_frame_iter *iter,
		       const struct roller_frame *frame)
{
	iter->pos = frame->records;
	iter->end = frame->records + frame->records_len;
}

bool
roller_frame_iter_next(struct roller_frame_iter *iter, struct roller_record *rec)
{
	const uint8_t *b;

	if (iter->pos >= iter->end)
		return false;
	rec->type = iter->pos[0];
	rec->len = iter->pos[1];
	rec->body = b = iter->pos + 2;
	iter->pos += 2 + rec->len;

	switch (rec->type) {
	case ROLLER_RECORD_FORCE:
		rec->u.force.t_ms = roller_get_le32(b);
		rec->u.force.period_ms = b[4];
		rec->u.force.n = (uint16_t)((rec->len - ROLLER_FORCE_BODY_MIN) / 2);
		rec->u.force.samples = b + ROLLER_FORCE_BODY_MIN;
		break;
	case ROLLER_RECORD_STROKE:
		rec->u.stroke.t_end_ms = roller_get_le32(b);
		rec->u.stroke.roll_count = roller_get_le16(b + 4);
		rec->u.stroke.length_mm = roller_get_le16(b + 6);
		rec->u.stroke.heading = b[8];
		rec->u.stroke.zone = b[9];
		rec->u.stroke.mean_force_cN = roller_get_le16(b + 10);
		break;
	case ROLLER_RECORD_COVERAGE:
		rec->u.coverage.cols = b[0];
		rec->u.coverage.rows = b[1];
		rec->u.coverage.passes = b + 2;
		break;
	case ROLLER_RECORD_EVENT:
		rec->u.event.t_ms = roller_get_le32(b);
		rec->u.event.code = b[4];
		rec->u.event.reserved = b[5];
		rec->u.event.arg = roller_get_le16(b + 6);
		break;
	default:
		break;
	}
	return true;
}

void
roller_frame_writer_init(struct roller_frame_writer *w, uint8_t *buf,
			 size_t cap, uint8_t seq, uint16_t session_id,
			 bool with_crc)
{
	w->buf = buf;
	w->cap = cap < ROLLER_FRAME_MAX_LEN ? cap : ROLLER_FRAME_MAX_LEN;
	w->crc = with_crc;
	w->len = 0;
	if (w->cap < ROLLER_FRAME_HEADER_LEN + (with_crc ? 2u : 0u)) {
		w->cap = 0;	/* every add fails with NO_SPACE */
		return;
	}
	buf[0] = (uint8_t)(ROLLER_PROTOCOL_VERSION << 4 |
			   (with_crc ? ROLLER_FRAME_FLAG_CRC : 0));
	buf[1] = seq;
	roller_put_le16(buf + 2, session_id);
	w->len = ROLLER_FRAME_HEADER_LEN;
}

static size_t
writer_free(const struct roller_frame_writer *w)
{
	size_t reserved = w->len + 2 + (w->crc ? 2 : 0);

	return w->cap > reserved ? w->cap - reserved : 0;
}

size_t
roller_frame_writer_body_room(const struct roller_frame_writer *w)
{
	size_t room = writer_free(w);

	return room < 255 ? room : 255;
}

uint16_t
roller_frame_writer_force_room(const struct roller_frame_writer *w)
{
	size_t room = roller_frame_writer_body_room(w);

	return room < ROLLER_FORCE_BODY_MIN + 2 ?
		0 : (uint16_t)((room - ROLLER_FORCE_BODY_MIN) / 2);
}

/* Reserves a record of @len body bytes; NULL when it does not fit. */
static uint8_t *
writer_reserve(struct roller_frame_writer *w, uint8_t type, size_t len)
{
	uint8_t *p;

	/* writer_free() says 0 both when exactly nothing and when less is left. */
	if (w->cap == 0 || len > 255 ||
	    w->len + 2 + len + (w->crc ? 2u : 0u) > w->cap)
		return NULL;
	p = w->buf + w->len;
	p[0] = type;
	p[1] = (uint8_t)len;
	w->len += 2 + len;
	return p + 2;
}

enum roller_error
roller_frame_add_force(struct roller_frame_writer *w, uint32_t t_ms,
		       uint8_t period_ms, const uint16_t *samples, uint16_t n)
{
	uint8_t *b;

	if (n < 1 || period_ms == 0 || n > (255 - ROLLER_FORCE_BODY_MIN) / 2)
		return ROLLER_ERR_INVALID;
	b = writer_reserve(w, ROLLER_RECORD_FORCE, ROLLER_FORCE_BODY_MIN + 2u * n);
	if (!b)
		return ROLLER_ERR_NO_SPACE;
	roller_put_le32(b, t_ms);
	b[4] = period_ms;
	for (uint16_t i = 0; i < n; i++)
		roller_put_le16(b + ROLLER_FORCE_BODY_MIN + 2 * i, samples[i]);
	return ROLLER_OK;
}

enum roller_error
roller_frame_add_stroke(struct roller_frame_writer *w,
			const struct roller_stroke *s)
{
	uint8_t *b = writer_reserve(w, ROLLER_RECORD_STROKE,
				    ROLLER_STROKE_BODY_LEN);

	if (!b)
		return ROLLER_ERR_NO_SPACE;
	roller_put_le32(b, s->t_end_ms);
	roller_put_le16(b + 4, s->roll_count);
	roller_put_le16(b + 6, s->length_mm);
	b[8] = s->heading;
	b[9] = s->zone;
	roller_put_le16(b + 10, s->mean_force_cN);
	return ROLLER_OK;
}

enum roller_error
roller_frame_add_coverage(struct roller_frame_writer *w, uint8_t cols,
			  uint8_t rows, const uint8_t *passes)
{
	uint8_t *b;
	size_t cells = (size_t)cols * rows;

	if (cols < 1 || cols > ROLLER_GRID_MAX || rows < 1 || rows > ROLLER_GRID_MAX)
		return ROLLER_ERR_INVALID;
	b = writer_reserve(w, ROLLER_RECORD_COVERAGE, 2 + cells);
	if (!b)
		return ROLLER_ERR_NO_SPACE;
	b[0] = cols;
	b[1] = rows;
	memcpy(b + 2, passes, cells);
	return ROLLER_OK;
}

enum roller_error
roller_frame_add_event(struct roller_frame_writer *w,
		       const struct roller_event *e)
{
	uint8_t *b = writer_reserve(w, ROLLER_RECORD_EVENT, ROLLER_EVENT_BODY_LEN);

	if (!b)
		return ROLLER_ERR_NO_SPACE;
	roller_put_le32(b, e->t_ms);
	b[4] = e->code;
	b[5] = e->reserved;
	roller_put_le16(b + 6, e->arg);
	return ROLLER_OK;
}

enum roller_error
roller_frame_add_raw(struct roller_frame_writer *w, uint8_t type,
		     const uint8_t *body, uint8_t len)
{
	uint8_t *b = writer_reserve(w, type, len);

	if (!b)
		return ROLLER_ERR_NO_SPACE;
	if (len)
		memcpy(b, body, len);
	return ROLLER_OK;
}

size_t
roller_frame_writer_finish(struct roller_frame_writer *w)
{
	if (w->cap == 0)
		return 0;
	if (w->crc) {
		roller_put_le16(w->buf + w->len,
				roller_crc16(ROLLER_CRC16_INIT, w->buf, w->len));
		w->len += 2;
	}
	return w->len;
}
