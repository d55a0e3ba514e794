/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * roller-frame: the vector file's frames, the typed iterator, writer and
 * parser round trips of random content, random mutations, the writer's
 * limits and the heading classes.  Every parsed input is an exact-size heap
 * copy so that ASan and valgrind see any read outside the frame.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "roller-crc.h"
#include "roller-frame.h"
#include "test-frame-model.h"
#include "tests/harness/test-util.h"
#include "test-vectors.h"

#define MAX_SAMPLES TEST_FRAME_MAX_SAMPLES

static void
test_vector_frames_parse_as_listed(void **state)
{
	char path[4096], line[2048], want_error[64];
	size_t n, n_frames = 0, n_good = 0;
	struct test_vector *v = test_vectors_load(
		test_data_path("profile-v1.vec", path, sizeof(path)), &n);

	for (size_t i = 0; i < n; i++) {
		struct roller_frame frame, untouched;
		struct roller_frame_iter it;
		struct roller_record rec;
		enum roller_error err;
		const char *expect = v[i].expect, *nl;
		unsigned seq, session, n_lines = 0, n_unknown = 0;
		char crc[4];
		uint8_t *copy;

		if (v[i].is_record)
			continue;
		n_frames++;
		if (sscanf(expect, "error %63s", want_error) != 1)
			strcpy(want_error, "OK");
		memset(&frame, 0xa5, sizeof(frame));
		untouched = frame;
		copy = test_memdup_exact(v[i].bytes, v[i].len);
		err = roller_frame_parse(copy, v[i].len, &frame);
		if (strcmp(roller_error_name(err), want_error) != 0)
			fail_msg("case %s: got %s, want %s", v[i].name,
				 roller_error_name(err), want_error);
		if (err != ROLLER_OK) {
			assert_memory_equal(&frame, &untouched, sizeof(frame));
			free(copy);
			continue;
		}

		n_good++;
		assert_int_equal(sscanf(expect, "frame v=1 seq=%u session=%u crc=%3s",
					&seq, &session, crc), 3);
		assert_int_equal(frame.version, 1);
		assert_int_equal(frame.seq, seq);
		assert_int_equal(frame.session_id, session);
		assert_int_equal(frame.has_crc, strcmp(crc, "yes") == 0);
		assert_ptr_equal(frame.records, copy + ROLLER_FRAME_HEADER_LEN);
		assert_int_equal(frame.records_len, v[i].len - ROLLER_FRAME_HEADER_LEN -
				 (frame.has_crc ? 2 : 0));

		/* Every line after the header names one record, in order. */
		roller_frame_iter_init(&it, &frame);
		for (nl = strchr(expect, '\n') + 1; *nl; nl = strchr(nl, '\n') + 1) {
			size_t ll = (size_t)(strchr(nl, '\n') - nl);

			assert_true(roller_frame_iter_next(&it, &rec));
			test_frame_format_record(&rec, line, sizeof(line));
			if (strlen(line) != ll || memcmp(line, nl, ll) != 0)
				fail_msg("case %s: record %u is '%s', want '%.*s'",
					 v[i].name, n_lines, line, (int)ll, nl);
			n_lines++;
			n_unknown += strncmp(nl, "unknown ", 8) == 0;
		}
		assert_false(roller_frame_iter_next(&it, &rec));
		assert_int_equal(frame.n_records, n_lines);
		assert_int_equal(frame.n_unknown, n_unknown);
		free(copy);
	}
	assert_int_equal(n_frames, 30);
	assert_int_equal(n_good, 13);
	free(v);
}

/*
 * mixed-with-crc of the vector file, plus an unknown record and a COVERAGE,
 * and an EVENT reserved byte that the dump would not show.
 */
static void
test_iterator_fills_typed_fields(void **state)
{
	static const uint8_t bytes[] = {
		0x11, 0xff, 0xff, 0xff,
		0x01, 0x09, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01, 0x00, 0xfe, 0xff,
		0x02, 0x0c, 0x09, 0x00, 0x00, 0x00, 0xff, 0xff, 0x00, 0x00,
		0xff, 0x00, 0x00, 0x00,
		0x04, 0x08, 0x0a, 0x00, 0x00, 0x00, 0x05, 0x7e, 0x84, 0x03,
		0x7f, 0x01, 0x33,
		0x03, 0x04, 0x02, 0x01, 0x09, 0x08,
		0x00, 0x00,	/* CRC, filled in below */
	};
	uint8_t *buf = test_memdup_exact(bytes, sizeof(bytes));
	size_t crc_at = sizeof(bytes) - 2;
	struct roller_frame frame;
	struct roller_frame_iter it;
	struct roller_record rec;

	roller_put_le16(buf + crc_at, roller_crc16(ROLLER_CRC16_INIT, buf, crc_at));
	assert_int_equal(roller_frame_parse(buf, sizeof(bytes), &frame), ROLLER_OK);
	assert_int_equal(frame.flags, 0x1);
	assert_int_equal(frame.seq, 255);
	assert_int_equal(frame.session_id, 65535);
	assert_int_equal(frame.n_records, 5);
	assert_int_equal(frame.n_unknown, 1);
	roller_frame_iter_init(&it, &frame);

	assert_true(roller_frame_iter_next(&it, &rec));
	assert_int_equal(rec.type, ROLLER_RECORD_FORCE);
	assert_int_equal(rec.len, 9);
	assert_ptr_equal(rec.body, buf + 6);
	assert_int_equal(rec.u.force.t_ms, 0xffffffffu);
	assert_int_equal(rec.u.force.period_ms, 255);
	assert_int_equal(rec.u.force.n, 2);
	assert_ptr_equal(rec.u.force.samples, buf + 11);
	assert_int_equal(roller_force_sample(&rec.u.force, 0), 1);
	assert_int_equal(roller_force_sample(&rec.u.force, 1), 65534);

	assert_true(roller_frame_iter_next(&it, &rec));
	assert_int_equal(rec.type, ROLLER_RECORD_STROKE);
	assert_ptr_equal(rec.body, buf + 17);
	assert_int_equal(rec.u.stroke.t_end_ms, 9);
	assert_int_equal(rec.u.stroke.roll_count, 65535);
	assert_int_equal(rec.u.stroke.length_mm, 0);
	assert_int_equal(rec.u.stroke.heading, 255);
	assert_int_equal(rec.u.stroke.zone, 0);
	assert_int_equal(rec.u.stroke.mean_force_cN, 0);

	assert_true(roller_frame_iter_next(&it, &rec));
	assert_int_equal(rec.type, ROLLER_RECORD_EVENT);
	assert_int_equal(rec.u.event.t_ms, 10);
	assert_int_equal(rec.u.event.code, ROLLER_EVENT_OVERFORCE);
	assert_int_equal(rec.u.event.reserved, 0x7e);
	assert_int_equal(rec.u.event.arg, 900);

	assert_true(roller_frame_iter_next(&it, &rec));
	assert_int_equal(rec.type, 0x7f);
	assert_int_equal(rec.len, 1);
	assert_ptr_equal(rec.body, buf + 41);

	assert_true(roller_frame_iter_next(&it, &rec));
	assert_int_equal(rec.type, ROLLER_RECORD_COVERAGE);
	assert_int_equal(rec.u.coverage.cols, 2);
	assert_int_equal(rec.u.coverage.rows, 1);
	assert_ptr_equal(rec.u.coverage.passes, buf + 46);
	assert_int_equal(rec.u.coverage.passes[1], 8);

	assert_false(roller_frame_iter_next(&it, &rec));
	assert_false(roller_frame_iter_next(&it, &rec));
	free(buf);
}

/*
 * Every prefix of every vector frame, each in an exact-size buffer: a
 * frame without CRC cut at a record boundary is still good, cut anywhere
 * else it is TRUNCATED; and whatever is accepted is walked to the end.
 */
static void
test_prefixes_stay_inside_the_buffer(void **state)
{
	char path[4096];
	size_t n;
	struct test_vector *v = test_vectors_load(
		test_data_path("profile-v1.vec", path, sizeof(path)), &n);

	for (size_t i = 0; i < n; i++) {
		bool boundary[ROLLER_FRAME_MAX_LEN + 1] = { false };
		struct roller_frame frame;
		bool whole_ok, plain;

		if (v[i].is_record)
			continue;
		/* The vector itself, not a copy: the walk reads its records. */
		whole_ok = roller_frame_parse(v[i].bytes, v[i].len, &frame) == ROLLER_OK;
		plain = whole_ok && !frame.has_crc;
		if (plain) {
			struct roller_frame_iter it;
			struct roller_record rec;

			boundary[ROLLER_FRAME_HEADER_LEN] = true;
			roller_frame_iter_init(&it, &frame);
			for (size_t end = ROLLER_FRAME_HEADER_LEN;
			     roller_frame_iter_next(&it, &rec); )
				boundary[end += 2u + rec.len] = true;
		}
		for (size_t len = 0; len <= v[i].len; len++) {
			uint8_t *copy = test_memdup_exact(v[i].bytes, len);
			enum roller_error err = roller_frame_parse(copy, len, &frame);

			if (err == ROLLER_OK) {
				struct roller_frame_iter it;
				struct roller_record rec;
				unsigned count = 0;

				roller_frame_iter_init(&it, &frame);
				while (roller_frame_iter_next(&it, &rec)) {
					size_t at = (size_t)(rec.body - copy);

					assert_true(at + rec.len <= len);
					assert_memory_equal(rec.body, v[i].bytes + at, rec.len);
					count++;
				}
				assert_int_equal(count, frame.n_records);
			}
			if (len < ROLLER_FRAME_MIN_LEN)
				assert_int_equal(err, ROLLER_ERR_TOO_SHORT);
			else if (plain && err != (boundary[len] ? ROLLER_OK : ROLLER_ERR_TRUNCATED))
				fail_msg("case %s cut to %zu bytes: %s", v[i].name, len,
					 roller_error_name(err));
			free(copy);
		}
	}
	free(v);
}

static void
test_random_frames_round_trip(void **state)
{
	static struct test_frame_model model;
	struct test_rand rnd;
	unsigned long total_records = 0;

	test_rand_init(&rnd, 0x5eed0001);
	for (int iter = 0; iter < 4000; iter++) {
		size_t len;
		uint8_t *buf = test_frame_build_random(&rnd, &model, &len);
		uint8_t *copy = test_memdup_exact(buf, len);
		struct roller_frame frame;
		struct roller_frame_iter it;
		struct roller_record rec;

		assert_int_equal(roller_frame_parse(copy, len, &frame), ROLLER_OK);
		assert_int_equal(frame.version, ROLLER_PROTOCOL_VERSION);
		assert_int_equal(frame.flags, model.crc ? ROLLER_FRAME_FLAG_CRC : 0);
		assert_int_equal(frame.seq, model.seq);
		assert_int_equal(frame.session_id, model.session_id);
		assert_int_equal(frame.has_crc, model.crc);
		assert_int_equal(frame.n_records, model.n_records);
		assert_int_equal(frame.n_unknown, model.n_unknown);
		roller_frame_iter_init(&it, &frame);
		for (unsigned i = 0; i < model.n_records; i++) {
			assert_true(roller_frame_iter_next(&it, &rec));
			test_frame_assert_record(&rec, &model.rec[i]);
		}
		assert_false(roller_frame_iter_next(&it, &rec));
		total_records += model.n_records;
		free(copy);
		free(buf);
	}
	/* The generator must have produced more than header-only frames. */
	assert_true(total_records > 4000);
}

/*
 * Whatever a mutated frame turns into, the parser rejects it or accepts
 * exactly what the writer would produce from the fields it reports.
 */
static void
test_mutated_frames_rejected_or_canonical(void **state)
{
	static struct test_frame_model model;
	struct test_rand rnd;
	unsigned accepted = 0, rejected = 0;

	test_rand_init(&rnd, 0x5eed0002);
	for (int iter = 0; iter < 20000; iter++) {
		uint8_t mutant[ROLLER_FRAME_MAX_LEN + 32], rebuilt[ROLLER_FRAME_MAX_LEN];
		size_t len;
		uint8_t *buf = test_frame_build_random(&rnd, &model, &len);
		unsigned n_mutations = test_rand_range(&rnd, 1, 3);
		struct roller_frame frame;
		uint8_t *copy;

		memcpy(mutant, buf, len);
		free(buf);
		while (n_mutations--)
			len = test_frame_mutate(&rnd, mutant, len, sizeof(mutant));
		copy = test_memdup_exact(mutant, len);
		if (roller_frame_parse(copy, len, &frame) != ROLLER_OK) {
			rejected++;
		} else {
			size_t n = test_frame_rebuild(&frame, rebuilt, sizeof(rebuilt));

			accepted++;
			if (n != len || memcmp(rebuilt, mutant, len) != 0)
				fail_msg("iteration %d: accepted a %zu-byte frame that "
					 "re-encodes to %zu other bytes", iter, len, n);
		}
		free(copy);
	}
	assert_true(accepted > 1000);
	assert_true(rejected > 1000);
}

static void
test_writer_refuses_what_does_not_fit(void **state)
{
	static const uint16_t samples[2] = { 100, 200 };
	static const uint8_t passes[9] = { 1, 2, 3, 4, 5, 6, 7, 8, 9 };
	static const uint8_t raw[9] = { 0 };
	struct roller_stroke stroke = { .t_end_ms = 1, .heading = 64 };
	struct roller_event event = { .t_ms = 2, .code = ROLLER_EVENT_PAUSE };

	for (int crc = 0; crc <= 1; crc++) {
		/* Room for the header, a STROKE, an EVENT and the CRC. */
		size_t cap = ROLLER_FRAME_HEADER_LEN + 14 + 10 + (crc ? 2 : 0);
		uint8_t *buf = test_marked_buffer(cap);
		struct roller_frame_writer w;
		struct roller_frame frame;

		roller_frame_writer_init(&w, buf, cap, 7, 8, crc);
		assert_int_equal(roller_frame_add_stroke(&w, &stroke), ROLLER_OK);
		assert_int_equal(w.len, 18);

		/* 10 bytes are left. */
		assert_int_equal(roller_frame_add_stroke(&w, &stroke), ROLLER_ERR_NO_SPACE);
		assert_int_equal(roller_frame_add_force(&w, 0, 1, samples, 2),
				 ROLLER_ERR_NO_SPACE);
		assert_int_equal(roller_frame_add_coverage(&w, 3, 3, passes),
				 ROLLER_ERR_NO_SPACE);
		assert_int_equal(roller_frame_add_raw(&w, 0x42, raw, 9),
				 ROLLER_ERR_NO_SPACE);
		assert_int_equal(w.len, 18);
		test_assert_marked(buf, 18, cap);

		assert_int_equal(roller_frame_add_event(&w, &event), ROLLER_OK);
		assert_int_equal(w.len, 28);

		/* Full: nothing more, not even one byte of unknown body. */
		assert_int_equal(roller_frame_add_force(&w, 0, 1, samples, 1),
				 ROLLER_ERR_NO_SPACE);
		assert_int_equal(roller_frame_add_stroke(&w, &stroke), ROLLER_ERR_NO_SPACE);
		assert_int_equal(roller_frame_add_coverage(&w, 1, 1, passes),
				 ROLLER_ERR_NO_SPACE);
		assert_int_equal(roller_frame_add_event(&w, &event), ROLLER_ERR_NO_SPACE);
		assert_int_equal(roller_frame_add_raw(&w, 0x42, raw, 1),
				 ROLLER_ERR_NO_SPACE);
		assert_int_equal(w.len, 28);
		test_assert_marked(buf, 28, cap);
		assert_int_equal(roller_frame_writer_body_room(&w), 0);
		assert_int_equal(roller_frame_writer_force_room(&w), 0);

		assert_int_equal(roller_frame_writer_finish(&w), cap);
		assert_int_equal(roller_frame_parse(buf, cap, &frame), ROLLER_OK);
		assert_int_equal(frame.n_records, 2);
		assert_int_equal(frame.seq, 7);
		assert_int_equal(frame.session_id, 8);
		free(buf);
	}
}

static void
test_writer_rejects_invalid_records(void **state)
{
	static const uint16_t samples[MAX_SAMPLES + 1] = { 0 };
	static const uint8_t passes[ROLLER_GRID_CELLS_MAX] = { 0 };
	uint8_t buf[ROLLER_FRAME_MAX_LEN];
	struct roller_frame_writer w;

	roller_frame_writer_init(&w, buf, sizeof(buf), 0, 0, false);
	assert_int_equal(roller_frame_add_force(&w, 0, 10, samples, 0), ROLLER_ERR_INVALID);
	assert_int_equal(roller_frame_add_force(&w, 0, 0, samples, 1), ROLLER_ERR_INVALID);
	assert_int_equal(roller_frame_add_force(&w, 0, 10, samples, MAX_SAMPLES + 1),
			 ROLLER_ERR_INVALID);
	assert_int_equal(roller_frame_add_coverage(&w, 0, 1, passes), ROLLER_ERR_INVALID);
	assert_int_equal(roller_frame_add_coverage(&w, 1, 0, passes), ROLLER_ERR_INVALID);
	assert_int_equal(roller_frame_add_coverage(&w, 16, 1, passes), ROLLER_ERR_INVALID);
	assert_int_equal(roller_frame_add_coverage(&w, 1, 16, passes), ROLLER_ERR_INVALID);
	assert_int_equal(w.len, ROLLER_FRAME_HEADER_LEN);

	/* The edges themselves are valid. */
	assert_int_equal(roller_frame_add_force(&w, 0, 1, samples, MAX_SAMPLES), ROLLER_OK);
	assert_int_equal(roller_frame_add_coverage(&w, 15, 15, passes), ROLLER_OK);
	assert_int_equal(roller_frame_add_coverage(&w, 1, 1, passes), ROLLER_OK);
	assert_int_equal(w.len, ROLLER_FRAME_HEADER_LEN + 257 + 229 + 5);
}

static void
init_prefilled(struct roller_frame_writer *w, uint8_t *buf, size_t cap, bool crc,
	       unsigned n_strokes)
{
	static const struct roller_stroke stroke = { 0 };

	roller_frame_writer_init(w, buf, cap, 0, 0, crc);
	while (n_strokes--)
		roller_frame_add_stroke(w, &stroke);
}

/* A FORCE of force_room() samples fits; one more does not. */
static void
assert_force_room_exact(size_t cap, bool crc, unsigned prefill)
{
	static const uint16_t samples[MAX_SAMPLES + 1] = { 0 };
	struct roller_frame_writer w;
	uint8_t *buf = test_marked_buffer(cap);
	uint16_t room;
	size_t before;

	init_prefilled(&w, buf, cap, crc, prefill);
	room = roller_frame_writer_force_room(&w);
	before = w.len;
	if (room)
		assert_int_equal(roller_frame_add_force(&w, 0, 1, samples, room), ROLLER_OK);
	init_prefilled(&w, buf, cap, crc, prefill);
	assert_int_equal(roller_frame_add_force(&w, 0, 1, samples, (uint16_t)(room + 1)),
			 room + 1 > MAX_SAMPLES ? ROLLER_ERR_INVALID : ROLLER_ERR_NO_SPACE);
	assert_int_equal(w.len, before);
	free(buf);
}

static void
test_writer_force_room_is_exact(void **state)
{
	static const struct {
		size_t cap;
		bool crc;
		uint16_t room;
	} cases[] = {
		{ 23 - 3, false, 4 }, { 23 - 3, true, 3 },
		{ 247 - 3, false, 116 }, { 247 - 3, true, 115 },
		{ 512, false, MAX_SAMPLES }, { 512, true, MAX_SAMPLES },
		{ 4096, false, MAX_SAMPLES },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint8_t buf[4096];
		struct roller_frame_writer w;

		roller_frame_writer_init(&w, buf, cases[i].cap, 0, 0, cases[i].crc);
		assert_int_equal(roller_frame_writer_force_room(&w), cases[i].room);
		assert_force_room_exact(cases[i].cap, cases[i].crc, 0);
	}
	for (size_t cap = 0; cap <= 600; cap++)
		for (unsigned prefill = 0; prefill <= 2; prefill++) {
			assert_force_room_exact(cap, false, prefill);
			assert_force_room_exact(cap, true, prefill);
		}
}

/* A body of body_room() bytes fits exactly; one more does not. */
static void
test_writer_body_room_is_exact(void **state)
{
	static const uint8_t raw[256] = { 0 };

	for (size_t cap = 0; cap <= 600; cap++) {
		for (int crc = 0; crc <= 1; crc++) {
			uint8_t *buf = test_marked_buffer(cap);
			struct roller_frame_writer w;
			size_t room;

			roller_frame_writer_init(&w, buf, cap, 0, 0, crc);
			room = roller_frame_writer_body_room(&w);
			assert_true(room <= 255);
			if (room < 255)
				assert_int_equal(roller_frame_add_raw(&w, 0x99, raw,
								      (uint8_t)(room + 1)),
						 ROLLER_ERR_NO_SPACE);
			if (room > 0) {
				assert_int_equal(roller_frame_add_raw(&w, 0x99, raw,
								      (uint8_t)room),
						 ROLLER_OK);
				if (room < 255)
					assert_int_equal(roller_frame_writer_finish(&w),
							 cap < 512 ? cap : 512);
			}
			free(buf);
		}
	}
}

/* Under 4 bytes (6 with CRC) the writer writes nothing and yields 0. */
static void
test_writer_without_room_for_a_header(void **state)
{
	static const struct roller_stroke stroke = { 0 };

	for (int crc = 0; crc <= 1; crc++) {
		for (size_t cap = 0; cap < ROLLER_FRAME_HEADER_LEN + (crc ? 2u : 0u); cap++) {
			uint8_t *buf = test_marked_buffer(cap);
			struct roller_frame_writer w;

			roller_frame_writer_init(&w, buf, cap, 1, 2, crc);
			assert_int_equal(roller_frame_add_stroke(&w, &stroke),
					 ROLLER_ERR_NO_SPACE);
			assert_int_equal(roller_frame_writer_force_room(&w), 0);
			assert_int_equal(roller_frame_writer_finish(&w), 0);
			test_assert_marked(buf, 0, cap);
			free(buf);
		}
	}
}

/* However large the buffer, a frame stops at 512 bytes. */
static void
test_writer_stops_at_512(void **state)
{
	static const uint16_t samples[MAX_SAMPLES] = { 0 };
	static const uint8_t raw[255] = { 0 };
	static uint8_t buf[2048];
	struct roller_frame_writer w;
	struct roller_frame frame;

	roller_frame_writer_init(&w, buf, sizeof(buf), 0, 0, true);
	assert_int_equal(roller_frame_add_force(&w, 0, 1, samples, MAX_SAMPLES), ROLLER_OK);
	assert_int_equal(roller_frame_add_force(&w, 0, 1, samples, MAX_SAMPLES),
			 ROLLER_ERR_NO_SPACE);
	/* 512 - 4 - 257 - 2 (CRC) leaves 249, a record of 247 body bytes. */
	assert_int_equal(roller_frame_writer_body_room(&w), 247);
	assert_int_equal(roller_frame_add_raw(&w, 0xa0, raw, 248), ROLLER_ERR_NO_SPACE);
	assert_int_equal(roller_frame_add_raw(&w, 0xa0, raw, 247), ROLLER_OK);
	assert_int_equal(roller_frame_writer_finish(&w), ROLLER_FRAME_MAX_LEN);
	assert_int_equal(roller_frame_parse(buf, ROLLER_FRAME_MAX_LEN, &frame), ROLLER_OK);
	assert_int_equal(frame.n_unknown, 1);
}

static void
test_heading_direction_classes(void **state)
{
	static const struct {
		uint8_t heading;
		enum roller_direction dir;
	} edges[] = {
		{ 0, ROLLER_DIR_VERTICAL }, { 15, ROLLER_DIR_VERTICAL },
		{ 16, ROLLER_DIR_DIAGONAL }, { 47, ROLLER_DIR_DIAGONAL },
		{ 48, ROLLER_DIR_HORIZONTAL }, { 64, ROLLER_DIR_HORIZONTAL },
		{ 79, ROLLER_DIR_HORIZONTAL }, { 80, ROLLER_DIR_ANTI_DIAGONAL },
		{ 111, ROLLER_DIR_ANTI_DIAGONAL }, { 112, ROLLER_DIR_VERTICAL },
		{ 128, ROLLER_DIR_VERTICAL }, { 143, ROLLER_DIR_VERTICAL },
		{ 144, ROLLER_DIR_DIAGONAL }, { 175, ROLLER_DIR_DIAGONAL },
		{ 176, ROLLER_DIR_HORIZONTAL }, { 192, ROLLER_DIR_HORIZONTAL },
		{ 207, ROLLER_DIR_HORIZONTAL }, { 208, ROLLER_DIR_ANTI_DIAGONAL },
		{ 239, ROLLER_DIR_ANTI_DIAGONAL }, { 240, ROLLER_DIR_VERTICAL },
		{ 255, ROLLER_DIR_VERTICAL },
	};

	for (size_t i = 0; i < sizeof(edges) / sizeof(edges[0]); i++)
		assert_int_equal(roller_heading_direction(edges[i].heading), edges[i].dir);

	for (unsigned h = 0; h < 256; h++) {
		unsigned nearest = 0, best = 256;

		assert_int_equal(roller_heading_direction((uint8_t)h), ((h + 16) >> 5) & 3);

		/* Geometrically: the nearest of the 8 compass points, ties clockwise. */
		for (unsigned k = 0; k <= 8; k++) {
			unsigned d = h > 32 * k ? h - 32 * k : 32 * k - h;

			if (d < best || (d == best && 32 * k > h)) {
				best = d;
				nearest = k;
			}
		}
		assert_int_equal(roller_heading_direction((uint8_t)h), nearest % 4);
	}
}

static void
test_error_names(void **state)
{
	static const char *const names[ROLLER_ERROR_COUNT] = {
		"OK", "TOO_SHORT", "TOO_LONG", "VERSION", "CRC", "TRUNCATED",
		"BAD_RECORD", "GAP", "OVERLONG", "ID_MISMATCH", "NO_SPACE", "INVALID",
	};

	for (int e = 0; e < ROLLER_ERROR_COUNT; e++)
		assert_string_equal(roller_error_name((enum roller_error)e), names[e]);
	assert_string_equal(roller_error_name((enum roller_error)ROLLER_ERROR_COUNT),
			    "UNKNOWN");
	assert_string_equal(roller_error_name((enum roller_error)-1), "UNKNOWN");
}

/* An empty record needs its 2 header bytes too. */
static void
test_writer_refuses_empty_record_without_room(void **state)
{
	for (int crc = 0; crc <= 1; crc++) {
		for (size_t cap = 0; cap < ROLLER_FRAME_HEADER_LEN + (crc ? 2u : 0u) + 2; cap++) {
			uint8_t *buf = test_marked_buffer(cap);
			struct roller_frame_writer w;

			roller_frame_writer_init(&w, buf, cap, 0, 0, crc);
			assert_int_equal(roller_frame_add_raw(&w, 0x99, NULL, 0),
					 ROLLER_ERR_NO_SPACE);
			assert_true(w.len <= cap);
			free(buf);
		}
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_writer_refuses_empty_record_without_room),
		cmocka_unit_test(test_vector_frames_parse_as_listed),
		cmocka_unit_test(test_iterator_fills_typed_fields),
		cmocka_unit_test(test_prefixes_stay_inside_the_buffer),
		cmocka_unit_test(test_random_frames_round_trip),
		cmocka_unit_test(test_mutated_frames_rejected_or_canonical),
		cmocka_unit_test(test_writer_refuses_what_does_not_fit),
		cmocka_unit_test(test_writer_rejects_invalid_records),
		cmocka_unit_test(test_writer_force_room_is_exact),
		cmocka_unit_test(test_writer_body_room_is_exact),
		cmocka_unit_test(test_writer_without_room_for_a_header),
		cmocka_unit_test(test_writer_stops_at_512),
		cmocka_unit_test(test_heading_direction_classes),
		cmocka_unit_test(test_error_names),
	};

	return cmocka_run_group_tests_name("roller-frame", tests, NULL, NULL);
}
