/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "roller-frame.h"
#include "roller-crc.h"

/*
 * NULL for roller_crc16(), called directly: taking its address would
 * make the library need the GOT under PIE.  A host sets another because
 * with a CRC, checking it is most of the parse.
 */
static roller_crc16_fn *frame_crc16;

void
roller_frame_use_crc16(roller_crc16_fn *crc16)
{
	frame_crc16 = crc16;
}

static uint16_t
frame_crc(const uint8_t *buf, size_t n)
{
	return frame_crc16 ? frame_crc16(ROLLER_CRC16_INIT, buf, n) :
		roller_crc16(ROLLER_CRC16_INIT, buf, n);
}

/* COVERAGE's rules past its floor of 2 bytes (spec section 4). */
static bool
coverage_is_valid(uint8_t len, const uint8_t *body)
{
	return body[0] >= 1 && body[0] <= ROLLER_GRID_MAX &&
	       body[1] >= 1 && body[1] <= ROLLER_GRID_MAX &&
	       len == 2 + body[0] * body[1];
}

/* Section 8's order for a frame of a bad length: TOO_SHORT, then TOO_LONG. */
static enum roller_error
length_error(const uint8_t *buf, size_t len)
{
	if (len < ROLLER_FRAME_MIN_LEN ||
	    ((buf[0] & ROLLER_FRAME_FLAG_CRC) && len < ROLLER_FRAME_MIN_LEN + 2))
		return ROLLER_ERR_TOO_SHORT;
	return ROLLER_ERR_TOO_LONG;
}

/*
 * The records of buf[ROLLER_FRAME_HEADER_LEN..n): ROLLER_OK and their
 * counts, or the first failure.  A bad record does not stop the walk: a
 * later one can only add a TRUNCATED, which the BAD_RECORD before it
 * outranks; so a good frame costs one test of `bad` rather than one a
 * record.  A record running past n and a byte left over end the loop
 * alike, and are told apart once after it.
 */
static enum roller_error
check_records(const uint8_t *buf, size_t n, unsigned *n_records,
	      unsigned *n_unknown)
{
	size_t pos = ROLLER_FRAME_HEADER_LEN;
	unsigned records = 0, unknown = 0;
	bool bad = false;

	while (pos + 2 <= n) {
		uint8_t type = buf[pos], rlen = buf[pos + 1];
		const uint8_t *body = buf + pos + 2;

		pos += 2u + rlen;
		if (pos > n)
			break;
		records++;
		switch (type) {
		case ROLLER_RECORD_FORCE:	/* 5 + 2k, k >= 1, period >= 1 */
			bad |= rlen < ROLLER_FORCE_BODY_MIN + 2 || !(rlen & 1) ||
			       body[4] == 0;
			break;
		case ROLLER_RECORD_STROKE:
			bad |= rlen != ROLLER_STROKE_BODY_LEN;
			break;
		case ROLLER_RECORD_COVERAGE:
			bad |= rlen < 2 || !coverage_is_valid(rlen, body);
			break;
		case ROLLER_RECORD_EVENT:
			bad |= rlen != ROLLER_EVENT_BODY_LEN;
			break;
		default:
			unknown++;
			break;
		}
	}
	if (bad)
		return ROLLER_ERR_BAD_RECORD;
	if (pos != n)
		return ROLLER_ERR_TRUNCATED;
	*n_records = records;
	*n_unknown = unknown;
	return ROLLER_OK;
}

enum roller_error
roller_frame_parse(const uint8_t *buf, size_t len, struct roller_frame *frame)
{
	unsigned n_records, n_unknown;
	enum roller_error err;
	bool has_crc;
	size_t n;

	/*
	 * 6..512 bytes are always long enough and never too long; 4 and 5
	 * only without a CRC.  (Unsigned: len - 6 wraps below 6.)
	 */
	if (len - (ROLLER_FRAME_MIN_LEN + 2) >
	    ROLLER_FRAME_MAX_LEN - (ROLLER_FRAME_MIN_LEN + 2) &&
	    (len - ROLLER_FRAME_MIN_LEN > 1 || (buf[0] & ROLLER_FRAME_FLAG_CRC)))
		return length_error(buf, len);
	if ((buf[0] >> 4) != ROLLER_PROTOCOL_VERSION)
		return ROLLER_ERR_VERSION;
	has_crc = buf[0] & ROLLER_FRAME_FLAG_CRC;
	n = len - (has_crc ? 2 : 0);
	if (has_crc && frame_crc(buf, n) != roller_get_le16(buf + n))
		return ROLLER_ERR_CRC;
	err = check_records(buf, n, &n_records, &n_unknown);
	if (err != ROLLER_OK)
		return err;

	frame->version = ROLLER_PROTOCOL_VERSION;
	frame->flags = buf[0] & 0x0f;
	frame->seq = buf[1];
	frame->session_id = roller_get_le16(buf + 2);
	frame->has_crc = has_crc;
	frame->records = buf + ROLLER_FRAME_HEADER_LEN;
	frame->records_len = (uint16_t)(n - ROLLER_FRAME_HEADER_LEN);
	frame->n_records = (uint16_t)n_records;
	frame->n_unknown = (uint16_t)n_unknown;
	return ROLLER_OK;
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
