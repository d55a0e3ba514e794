/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Telemetry frames (spec section 4): a zero-copy parser and an encoder.
 *
 * roller_frame_parse() validates a whole frame in spec section 8's order
 * before the caller sees a record; records are then walked with
 * roller_frame_iter_next(), which hands out pointers into the caller's
 * buffer (valid for as long as that buffer is).
 */
#pragma once

#include "roller-crc.h"
#include "roller-proto.h"

#define ROLLER_FRAME_HEADER_LEN 4
#define ROLLER_FRAME_MIN_LEN 4
#define ROLLER_FRAME_MAX_LEN 512
#define ROLLER_FRAME_FLAG_CRC 0x01

enum roller_record_type {
	ROLLER_RECORD_FORCE = 0x01,
	ROLLER_RECORD_STROKE = 0x02,
	ROLLER_RECORD_COVERAGE = 0x03,
	ROLLER_RECORD_EVENT = 0x04,
};

#define ROLLER_FORCE_INVALID 0xFFFFu
#define ROLLER_ZONE_OUTSIDE 0xFFu
#define ROLLER_STROKE_BODY_LEN 12
#define ROLLER_EVENT_BODY_LEN 8
#define ROLLER_FORCE_BODY_MIN 5

enum roller_event_code {
	ROLLER_EVENT_SESSION_START = 1,
	ROLLER_EVENT_SESSION_END = 2,
	ROLLER_EVENT_PAUSE = 3,
	ROLLER_EVENT_RESUME = 4,
	ROLLER_EVENT_OVERFORCE = 5,
	ROLLER_EVENT_HEAD_CHANGED = 6,
	ROLLER_EVENT_BATTERY_LOW = 7,
	ROLLER_EVENT_SENSOR_FAULT = 8,
};

enum roller_end_reason {
	ROLLER_END_USER = 0,
	ROLLER_END_IDLE = 1,
	ROLLER_END_BATTERY = 2,
	ROLLER_END_STORAGE_FULL = 3,
};

enum roller_direction {
	ROLLER_DIR_VERTICAL = 0,
	ROLLER_DIR_DIAGONAL = 1,
	ROLLER_DIR_HORIZONTAL = 2,
	ROLLER_DIR_ANTI_DIAGONAL = 3,
};

struct roller_stroke {
	uint32_t t_end_ms;
	uint16_t roll_count;
	uint16_t length_mm;
	uint8_t heading;
	uint8_t zone;
	uint16_t mean_force_cN;
};

struct roller_event {
	uint32_t t_ms;
	uint8_t code;
	uint8_t reserved;
	uint16_t arg;
};

struct roller_force {
	uint32_t t_ms;
	uint8_t period_ms;
	uint16_t n;			/* number of samples, >= 1 */
	const uint8_t *samples;		/* n little-endian u16, unaligned */
};

struct roller_coverage {
	uint8_t cols;
	uint8_t rows;
	const uint8_t *passes;		/* cols * rows bytes, row-major */
};

/* One record of a validated frame; body points into the frame. */
struct roller_record {
	uint8_t type;
	uint8_t len;
	const uint8_t *body;
	union {
		struct roller_force force;
		struct roller_stroke stroke;
		struct roller_coverage coverage;
		struct roller_event event;
	} u;	/* filled for the four known types only */
};

struct roller_frame {
	uint8_t version;
	uint8_t flags;		/* ver_flags bits 3..0, reserved bits included */
	uint8_t seq;
	uint16_t session_id;
	bool has_crc;
	const uint8_t *records;	/* points into the parsed buffer */
	uint16_t records_len;
	uint16_t n_records;	/* known and unknown */
	uint16_t n_unknown;
};

struct roller_frame_iter {
	const uint8_t *pos;
	const uint8_t *end;
};

/*
 * Validates the @len bytes at @buf as one telemetry frame and, on ROLLER_OK,
 * fills @frame.  On any error @frame is left untouched and nothing of the
 * frame may be used.  Reads only buf[0..len).
 */
enum roller_error roller_frame_parse(const uint8_t *buf, size_t len,
				     struct roller_frame *frame);

/*
 * The CRC-16 roller_frame_parse() checks frames with: roller_crc16()
 * unless a host gives one that returns the same faster (roller-crc-clmul.h,
 * outside the portable library); NULL puts roller_crc16() back.  Set it
 * before parsing: nothing guards it against another thread.
 */
void roller_frame_use_crc16(roller_crc16_fn *crc16);

/*
 * The iterator is inline: callers walk every record of every frame, and a
 * call per record, with its record stored and loaded back, cost more than
 * the walk itself.  It trusts what roller_frame_parse() checked and
 * checks nothing again.
 */
static inline void
roller_frame_iter_init(struct roller_frame_iter *iter,
		       const struct roller_frame *frame)
{
	iter->pos = frame->records;
	iter->end = frame->records + frame->records_len;
}

/*
 * Every byte of the union, by scalar stores: a memset would keep the
 * caller's record in memory on every path, the common ones too.
 */
static inline void
roller_record_clear_union(struct roller_record *rec)
{
	rec->u.force.t_ms = 0;
	rec->u.force.period_ms = 0;
	rec->u.event.reserved = 0;
	rec->u.force.n = 0;
	rec->u.force.samples = NULL;
}

/*
 * Fills @rec with the next record of a frame that roller_frame_parse()
 * accepted; false after the last one.
 */
static inline bool
roller_frame_iter_next(struct roller_frame_iter *iter, struct roller_record *rec)
{
	const uint8_t *b;

	if (iter->pos >= iter->end)
		return false;
	rec->type = iter->pos[0];
	rec->len = iter->pos[1];
	rec->body = b = iter->pos + 2;
	iter->pos += 2 + rec->len;
	/*
	 * COVERAGE and unknown types clear the union first: inlined, a
	 * compiler otherwise sees paths where the caller reads another
	 * type's member (which its own switch on the type rules out) and
	 * warns of uninitialized bytes.
	 */
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
	case ROLLER_RECORD_EVENT:
		rec->u.event.t_ms = roller_get_le32(b);
		rec->u.event.code = b[4];
		rec->u.event.reserved = b[5];
		rec->u.event.arg = roller_get_le16(b + 6);
		break;
	case ROLLER_RECORD_COVERAGE:
		roller_record_clear_union(rec);
		rec->u.coverage.cols = b[0];
		rec->u.coverage.rows = b[1];
		rec->u.coverage.passes = b + 2;
		break;
	default:
		roller_record_clear_union(rec);
		break;
	}
	return true;
}

static inline uint16_t
roller_force_sample(const struct roller_force *force, unsigned i)
{
	return roller_get_le16(force->samples + 2 * i);
}

/* ((heading + 16) >> 5) & 3, spec section 4. */
static inline enum roller_direction
roller_heading_direction(uint8_t heading)
{
	return (enum roller_direction)(((heading + 16u) >> 5) & 3u);
}

/*
 * Frame writer: builds a frame into a caller buffer of @cap bytes (at most
 * ROLLER_FRAME_MAX_LEN are used).  Each add either appends a whole record
 * and returns ROLLER_OK, or appends nothing and returns ROLLER_ERR_NO_SPACE
 * (it would not fit, CRC included) or ROLLER_ERR_INVALID (it breaks a
 * length rule).
 */
struct roller_frame_writer {
	uint8_t *buf;
	size_t cap;
	size_t len;
	bool crc;
};

void roller_frame_writer_init(struct roller_frame_writer *w, uint8_t *buf,
			      size_t cap, uint8_t seq, uint16_t session_id,
			      bool with_crc);

/* Bytes a record body of the largest size may still take. */
size_t roller_frame_writer_body_room(const struct roller_frame_writer *w);

/* How many force samples one more FORCE record could still carry. */
uint16_t roller_frame_writer_force_room(const struct roller_frame_writer *w);

enum roller_error roller_frame_add_force(struct roller_frame_writer *w,
					 uint32_t t_ms, uint8_t period_ms,
					 const uint16_t *samples, uint16_t n);
enum roller_error roller_frame_add_stroke(struct roller_frame_writer *w,
					  const struct roller_stroke *s);
enum roller_error roller_frame_add_coverage(struct roller_frame_writer *w,
					    uint8_t cols, uint8_t rows,
					    const uint8_t *passes);
enum roller_error roller_frame_add_event(struct roller_frame_writer *w,
					 const struct roller_event *e);
/* Any type with any body, unknown types included (for tests and fuzzing). */
enum roller_error roller_frame_add_raw(struct roller_frame_writer *w,
				       uint8_t type, const uint8_t *body,
				       uint8_t len);

/* Appends the CRC when asked for; returns the frame's length. */
size_t roller_frame_writer_finish(struct roller_frame_writer *w);
