/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libFuzzer target for telemetry frames: every frame the parser accepts
 * must walk cleanly, re-encode to the same bytes with the frame writer,
 * and dump within ROLLER_DUMP_FRAME_MAX.
 *
 * A mutated frame almost never keeps a valid CRC-16, which would hide
 * everything behind the CRC check from CRC frames; so a frame with the CRC
 * flag is checked as given and once more with its CRC made right.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "roller-crc.h"
#include "roller-dump.h"
#include "roller-frame.h"

/* Reserved bits 3..1 of ver_flags: ignored by the parser, zeroed by the writer. */
#define RESERVED_FLAG_BITS 0x0e

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Keeps the field reads from being optimised away. */
static volatile uint64_t field_sink;

static void
check(int condition)
{
	if (!condition)
		abort();
}

static uint64_t
touch_record(const struct roller_record *rec)
{
	uint64_t sum = rec->type + rec->len;

	for (unsigned i = 0; i < rec->len; i++)
		sum += rec->body[i];

	switch (rec->type) {
	case ROLLER_RECORD_FORCE:
		check(rec->u.force.n >= 1 && rec->u.force.period_ms >= 1);
		check(rec->len == ROLLER_FORCE_BODY_MIN + 2u * rec->u.force.n);
		sum += rec->u.force.t_ms + rec->u.force.period_ms;
		for (unsigned i = 0; i < rec->u.force.n; i++)
			sum += roller_force_sample(&rec->u.force, i);
		break;
	case ROLLER_RECORD_STROKE:
		sum += rec->u.stroke.t_end_ms + rec->u.stroke.roll_count +
		       rec->u.stroke.length_mm + rec->u.stroke.heading +
		       rec->u.stroke.zone + rec->u.stroke.mean_force_cN +
		       roller_heading_direction(rec->u.stroke.heading);
		break;
	case ROLLER_RECORD_COVERAGE:
		check(rec->u.coverage.cols >= 1 &&
		      rec->u.coverage.cols <= ROLLER_GRID_MAX);
		check(rec->u.coverage.rows >= 1 &&
		      rec->u.coverage.rows <= ROLLER_GRID_MAX);
		check(rec->len == 2u + rec->u.coverage.cols * rec->u.coverage.rows);
		for (unsigned i = 0; i < (unsigned)rec->u.coverage.cols *
				       rec->u.coverage.rows; i++)
			sum += rec->u.coverage.passes[i];
		break;
	case ROLLER_RECORD_EVENT:
		sum += rec->u.event.t_ms + rec->u.event.code +
		       rec->u.event.reserved + rec->u.event.arg;
		break;
	default:
		break;
	}
	return sum;
}

static enum roller_error
rewrite_record(struct roller_frame_writer *w, const struct roller_record *rec)
{
	uint16_t samples[128];

	switch (rec->type) {
	case ROLLER_RECORD_FORCE:
		check(rec->u.force.n <= sizeof(samples) / sizeof(samples[0]));
		for (unsigned i = 0; i < rec->u.force.n; i++)
			samples[i] = roller_force_sample(&rec->u.force, i);
		return roller_frame_add_force(w, rec->u.force.t_ms,
					      rec->u.force.period_ms, samples,
					      rec->u.force.n);
	case ROLLER_RECORD_STROKE:
		return roller_frame_add_stroke(w, &rec->u.stroke);
	case ROLLER_RECORD_COVERAGE:
		return roller_frame_add_coverage(w, rec->u.coverage.cols,
						 rec->u.coverage.rows,
						 rec->u.coverage.passes);
	case ROLLER_RECORD_EVENT:
		return roller_frame_add_event(w, &rec->u.event);
	default:
		return roller_frame_add_raw(w, rec->type, rec->body, rec->len);
	}
}

static void
check_round_trip(const uint8_t *data, size_t size,
		 const struct roller_frame *frame)
{
	/*
	 * The writer gets the frame's size, or one byte more, and no byte
	 * beyond: ASan sees any write past its capacity, and once the
	 * records are back no other one (a 2-byte header at least) may fit.
	 */
	size_t cap = size + (data[1] & 1);
	uint8_t *rebuilt = malloc(cap);
	struct roller_frame_writer w;
	struct roller_frame_iter it;
	struct roller_record rec;
	uint16_t n_records = 0, n_unknown = 0;
	uint64_t sum = 0;
	size_t rebuilt_len;

	check(frame->version == ROLLER_PROTOCOL_VERSION);
	check(frame->flags == (data[0] & 0x0f));
	check(frame->seq == data[1]);
	check(frame->session_id == roller_get_le16(data + 2));
	check(frame->has_crc == !!(data[0] & ROLLER_FRAME_FLAG_CRC));
	check(frame->records == data + ROLLER_FRAME_HEADER_LEN);
	check(ROLLER_FRAME_HEADER_LEN + frame->records_len +
	      (frame->has_crc ? 2u : 0u) == size);

	check(rebuilt != NULL);
	roller_frame_writer_init(&w, rebuilt, cap, frame->seq,
				 frame->session_id, frame->has_crc);
	roller_frame_iter_init(&it, frame);
	while (roller_frame_iter_next(&it, &rec)) {
		/* Every record must lie inside the records area. */
		check(rec.body >= frame->records + 2);
		check(rec.body + rec.len <= frame->records + frame->records_len);
		n_records++;
		if (rec.type < ROLLER_RECORD_FORCE || rec.type > ROLLER_RECORD_EVENT)
			n_unknown++;
		sum += touch_record(&rec);
		check(rewrite_record(&w, &rec) == ROLLER_OK);
	}
	field_sink += sum;
	check(n_records == frame->n_records);
	check(n_unknown == frame->n_unknown);
	check(roller_frame_writer_body_room(&w) == 0);
	check(roller_frame_writer_force_room(&w) == 0);
	check(roller_frame_add_raw(&w, 0x7f, NULL, 0) == ROLLER_ERR_NO_SPACE);

	rebuilt_len = roller_frame_writer_finish(&w);
	check(rebuilt_len == size);
	check(rebuilt[0] == (data[0] & ~RESERVED_FLAG_BITS));
	/*
	 * The writer always sends the reserved bits as 0; put the input's
	 * back (and so recompute the CRC, which covers byte 0) so that the
	 * rest of the frame is compared byte for byte.
	 */
	if (data[0] & RESERVED_FLAG_BITS) {
		rebuilt[0] = data[0];
		if (frame->has_crc)
			roller_put_le16(rebuilt + size - 2,
					roller_crc16(ROLLER_CRC16_INIT, rebuilt,
						     size - 2));
	}
	check(memcmp(rebuilt, data, size) == 0);
	free(rebuilt);
}

static void
check_frame(const uint8_t *data, size_t size)
{
	static char dump[ROLLER_DUMP_FRAME_MAX];
	struct roller_frame frame;
	enum roller_error err, dump_err;
	size_t dump_len;

	err = roller_frame_parse(data, size, &frame);
	if (err == ROLLER_OK)
		check_round_trip(data, size, &frame);
	else
		check(err >= ROLLER_ERR_TOO_SHORT && err <= ROLLER_ERR_BAD_RECORD);

	dump_len = roller_dump_frame(data, size, dump, sizeof(dump), &dump_err);
	check(dump_len < sizeof(dump));
	check(dump_err == err);
	check(strlen(dump) == dump_len);
	check(dump_len > 0 && dump[dump_len - 1] == '\n');
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *crc_fixed;

	check_frame(data, size);
	if (size >= ROLLER_FRAME_HEADER_LEN + 2 && size <= ROLLER_FRAME_MAX_LEN &&
	    (data[0] & ROLLER_FRAME_FLAG_CRC)) {
		/* Of the exact size, as libFuzzer's copy: ASan sees over-reads. */
		crc_fixed = malloc(size);
		check(crc_fixed != NULL);
		memcpy(crc_fixed, data, size);
		roller_put_le16(crc_fixed + size - 2,
				roller_crc16(ROLLER_CRC16_INIT, crc_fixed, size - 2));
		check_frame(crc_fixed, size);
		free(crc_fixed);
	}
	return 0;
}
