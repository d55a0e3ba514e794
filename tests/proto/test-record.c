/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * roller-record: the vector file's records, spec section 8's checking
 * order for stored records, encode/decode round trips up to the 8192-byte
 * limit, and the force statistics of spec section 6.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "roller-crc.h"
#include "roller-record.h"
#include "tests/harness/test-util.h"
#include "test-vectors.h"

#define MAX_TRACE ((ROLLER_RECORD_MAX_LEN - 40) / 2)
#define OFF_IN_BAND 20
#define OFF_COLS 30
#define OFF_ROWS 31

static enum roller_error
decode_exact(const uint8_t *bytes, size_t len, struct roller_stored_record *rec)
{
	uint8_t *copy = test_memdup_exact(bytes, len);
	enum roller_error err = roller_stored_record_decode(copy, len, rec);

	free(copy);
	return err;
}

/* Decodes a copy and checks that a rejected input leaves @rec alone. */
static enum roller_error
decode_status(const uint8_t *bytes, size_t len)
{
	struct roller_stored_record rec, untouched;
	enum roller_error err;

	memset(&rec, 0x5a, sizeof(rec));
	untouched = rec;
	err = decode_exact(bytes, len, &rec);
	if (err != ROLLER_OK)
		assert_memory_equal(&rec, &untouched, sizeof(rec));
	return err;
}

static void
reseal(uint8_t *buf, size_t len)
{
	roller_put_le32(buf + len - 4, roller_crc32(ROLLER_CRC32_INIT, buf, len - 4));
}

/* A valid record of the given shape, with recognisable field values. */
static size_t
build_record(uint8_t *buf, size_t cap, uint8_t cols, uint8_t rows,
	     uint16_t trace_len)
{
	static uint8_t passes[ROLLER_GRID_CELLS_MAX];
	static uint16_t trace[MAX_TRACE];
	struct roller_stored_record rec = {
		.record_id = 300, .start_unix = 1700000000, .duration_ms = 60000,
		.area_id = 7, .end_reason = 1, .needle_um = 500, .roll_count = 42,
		.force_mean_cN = 310, .force_max_cN = 640, .in_band_permille = 1000,
		.dirs = { 10, 11, 12, 9 }, .cols = cols, .rows = rows,
		.passes = passes, .trace_period_ms = 1000, .trace_len = trace_len,
	};
	size_t len = 0;

	for (unsigned i = 0; i < ROLLER_GRID_CELLS_MAX; i++)
		passes[i] = (uint8_t)i;
	for (unsigned i = 0; i < MAX_TRACE; i++)
		trace[i] = (uint16_t)(i * 7);
	assert_int_equal(roller_stored_record_encode(&rec, trace, buf, cap, &len),
			 ROLLER_OK);
	return len;
}

/*
 * Decodes the @len bytes at @buf (an exact-size buffer) and checks every
 * field against @want, whose trace values are in @trace.
 */
static void
assert_decodes_as(const uint8_t *buf, size_t len,
		  const struct roller_stored_record *want, const uint16_t *trace)
{
	size_t cells = (size_t)want->cols * want->rows;
	struct roller_stored_record out;

	assert_int_equal(roller_stored_record_decode(buf, len, &out), ROLLER_OK);
	assert_int_equal(len, roller_stored_record_size(want->cols, want->rows,
							want->trace_len));
	assert_int_equal(out.record_id, want->record_id);
	assert_int_equal(out.start_unix, want->start_unix);
	assert_int_equal(out.duration_ms, want->duration_ms);
	assert_int_equal(out.area_id, want->area_id);
	assert_int_equal(out.end_reason, want->end_reason);
	assert_int_equal(out.needle_um, want->needle_um);
	assert_int_equal(out.roll_count, want->roll_count);
	assert_int_equal(out.force_mean_cN, want->force_mean_cN);
	assert_int_equal(out.force_max_cN, want->force_max_cN);
	assert_int_equal(out.in_band_permille, want->in_band_permille);
	assert_memory_equal(out.dirs, want->dirs, sizeof(want->dirs));
	assert_int_equal(out.cols, want->cols);
	assert_int_equal(out.rows, want->rows);
	assert_ptr_equal(out.passes, buf + ROLLER_RECORD_FIXED_LEN);
	assert_memory_equal(out.passes, want->passes, cells);
	assert_int_equal(out.trace_period_ms, want->trace_period_ms);
	assert_int_equal(out.trace_len, want->trace_len);
	assert_ptr_equal(out.trace, buf + ROLLER_RECORD_FIXED_LEN + cells + 4);
	for (unsigned i = 0; i < want->trace_len; i++)
		assert_int_equal(roller_stored_record_trace(&out, i), trace[i]);
	assert_int_equal(out.crc, roller_get_le32(buf + len - 4));
	assert_int_equal(out.crc, roller_crc32(ROLLER_CRC32_INIT, buf, len - 4));
}

static const struct test_vector *
find_vector(const struct test_vector *v, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(v[i].name, name) == 0)
			return &v[i];
	fail_msg("no vector named %s", name);
	return NULL;
}

static void
test_vector_records_decode_to_listed_fields(void **state)
{
	static const uint8_t basic_passes[] = { 10, 20, 30, 40, 50, 30 };
	static const uint16_t basic_trace[] = { 0, 310, 330, 290 };
	static const uint8_t no_clock_passes[] = { 0 };
	static const struct roller_stored_record basic = {
		.record_id = 42, .start_unix = 1763942400u, .duration_ms = 754000,
		.area_id = 1, .end_reason = 0, .needle_um = 1000, .roll_count = 180,
		.force_mean_cN = 320, .force_max_cN = 610, .in_band_permille = 873,
		.dirs = { 50, 40, 45, 45 }, .cols = 3, .rows = 2,
		.passes = basic_passes, .trace_period_ms = 1000, .trace_len = 4,
	};
	static const struct roller_stored_record no_clock = {
		.record_id = 1, .end_reason = 1, .cols = 1, .rows = 1,
		.passes = no_clock_passes,
	};
	char path[4096];
	size_t n;
	struct test_vector *v = test_vectors_load(
		test_data_path("profile-v1.vec", path, sizeof(path)), &n);
	const struct test_vector *t = find_vector(v, n, "record-basic");
	uint8_t *copy = test_memdup_exact(t->bytes, t->len);

	assert_decodes_as(copy, t->len, &basic, basic_trace);
	free(copy);

	t = find_vector(v, n, "record-no-clock-no-trace");
	copy = test_memdup_exact(t->bytes, t->len);
	assert_int_equal(t->len, ROLLER_RECORD_MIN_LEN);
	assert_decodes_as(copy, t->len, &no_clock, NULL);
	free(copy);

	t = find_vector(v, n, "err-record-crc");
	assert_int_equal(decode_status(t->bytes, t->len), ROLLER_ERR_CRC);
	free(v);
}

static void
test_length_is_checked_first(void **state)
{
	static uint8_t buf[ROLLER_RECORD_MAX_LEN + 1];

	/* Whatever else is wrong or right, the length decides first. */
	memset(buf, 0, sizeof(buf));
	for (size_t len = 0; len < ROLLER_RECORD_MIN_LEN; len++) {
		assert_int_equal(decode_status(buf, len), ROLLER_ERR_TOO_SHORT);
		if (len >= 4) {
			reseal(buf, len);
			assert_int_equal(decode_status(buf, len), ROLLER_ERR_TOO_SHORT);
		}
	}
	assert_int_equal(decode_status(buf, sizeof(buf)), ROLLER_ERR_TOO_LONG);
	reseal(buf, sizeof(buf));
	assert_int_equal(decode_status(buf, sizeof(buf)), ROLLER_ERR_TOO_LONG);

	/* 41 and 8192 bytes are the limits themselves. */
	assert_int_equal(build_record(buf, sizeof(buf), 1, 1, 0), ROLLER_RECORD_MIN_LEN);
	assert_int_equal(decode_status(buf, ROLLER_RECORD_MIN_LEN), ROLLER_OK);
	assert_int_equal(build_record(buf, sizeof(buf), 15, 14, 3971),
			 ROLLER_RECORD_MAX_LEN);
	assert_int_equal(decode_status(buf, ROLLER_RECORD_MAX_LEN), ROLLER_OK);
}

static void
test_crc_is_checked_before_fields(void **state)
{
	uint8_t buf[128];
	size_t len = build_record(buf, sizeof(buf), 2, 2, 3);

	assert_int_equal(decode_status(buf, len), ROLLER_OK);
	for (size_t i = 0; i < len; i++) {
		buf[i] ^= 0x10;
		assert_int_equal(decode_status(buf, len), ROLLER_ERR_CRC);
		buf[i] ^= 0x10;
	}

	/* Bad dimensions or in-band share behind a bad CRC: still CRC. */
	buf[OFF_COLS] = 0;
	assert_int_equal(decode_status(buf, len), ROLLER_ERR_CRC);
	buf[OFF_COLS] = 2;
	roller_put_le16(buf + OFF_IN_BAND, 1001);
	assert_int_equal(decode_status(buf, len), ROLLER_ERR_CRC);
}

static void
test_grid_dimensions_are_checked(void **state)
{
	static const struct {
		uint8_t cols, rows;
		enum roller_error err;
	} cases[] = {
		{ 0, 2, ROLLER_ERR_BAD_RECORD }, { 2, 0, ROLLER_ERR_BAD_RECORD },
		{ 16, 2, ROLLER_ERR_BAD_RECORD }, { 2, 16, ROLLER_ERR_BAD_RECORD },
		{ 255, 255, ROLLER_ERR_BAD_RECORD }, { 0, 0, ROLLER_ERR_BAD_RECORD },
	};
	uint8_t buf[128];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		size_t len = build_record(buf, sizeof(buf), 2, 2, 3);

		buf[OFF_COLS] = cases[i].cols;
		buf[OFF_ROWS] = cases[i].rows;
		reseal(buf, len);
		assert_int_equal(decode_status(buf, len), cases[i].err);
	}

	/* Out of range and not matching the length: the range comes first. */
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		size_t len = build_record(buf, sizeof(buf), 2, 2, 3);

		buf[OFF_COLS] = cases[i].cols;
		buf[OFF_ROWS] = cases[i].rows;
		roller_put_le16(buf + 32 + 4 + 2, 9);
		reseal(buf, len);
		assert_int_equal(decode_status(buf, len), ROLLER_ERR_BAD_RECORD);
	}

	/* 1 and 15 are valid. */
	for (unsigned d = 1; d <= 15; d += 14) {
		size_t len = build_record(buf, sizeof(buf), (uint8_t)d, 1, 0);

		assert_int_equal(decode_status(buf, len), ROLLER_OK);
		len = build_record(buf, sizeof(buf), 1, (uint8_t)d, 0);
		assert_int_equal(decode_status(buf, len), ROLLER_OK);
	}
}

static void
test_fields_must_end_at_the_crc(void **state)
{
	uint8_t buf[128];
	size_t len, trace_len_at = 32 + 6 + 2;

	/* trace_len one more, one less, and a large one. */
	for (int delta = -1; delta <= 1; delta += 2) {
		len = build_record(buf, sizeof(buf), 3, 2, 4);
		roller_put_le16(buf + trace_len_at, (uint16_t)(4 + delta));
		reseal(buf, len);
		assert_int_equal(decode_status(buf, len), ROLLER_ERR_TRUNCATED);
	}
	len = build_record(buf, sizeof(buf), 3, 2, 4);
	roller_put_le16(buf + trace_len_at, 0xffff);
	reseal(buf, len);
	assert_int_equal(decode_status(buf, len), ROLLER_ERR_TRUNCATED);

	/* One byte more or less before the CRC than the fields say. */
	len = build_record(buf, sizeof(buf), 3, 2, 4);
	reseal(buf, len + 1);
	assert_int_equal(decode_status(buf, len + 1), ROLLER_ERR_TRUNCATED);
	len = build_record(buf, sizeof(buf), 3, 2, 4);
	reseal(buf, len - 1);
	assert_int_equal(decode_status(buf, len - 1), ROLLER_ERR_TRUNCATED);

	/* A grid too large for the bytes: the trace header is not there. */
	len = build_record(buf, sizeof(buf), 1, 1, 0);
	buf[OFF_COLS] = 15;
	buf[OFF_ROWS] = 15;
	reseal(buf, len);
	assert_int_equal(decode_status(buf, len), ROLLER_ERR_TRUNCATED);

	/* Truncated with an in-band share over 1000: TRUNCATED first. */
	len = build_record(buf, sizeof(buf), 3, 2, 4);
	roller_put_le16(buf + trace_len_at, 5);
	roller_put_le16(buf + OFF_IN_BAND, 1001);
	reseal(buf, len);
	assert_int_equal(decode_status(buf, len), ROLLER_ERR_TRUNCATED);
}

static void
test_in_band_share_is_checked_last(void **state)
{
	uint8_t buf[128];
	size_t len = build_record(buf, sizeof(buf), 3, 2, 4);

	roller_put_le16(buf + OFF_IN_BAND, 1000);
	reseal(buf, len);
	assert_int_equal(decode_status(buf, len), ROLLER_OK);
	roller_put_le16(buf + OFF_IN_BAND, 1001);
	reseal(buf, len);
	assert_int_equal(decode_status(buf, len), ROLLER_ERR_BAD_RECORD);
	roller_put_le16(buf + OFF_IN_BAND, 0xffff);
	reseal(buf, len);
	assert_int_equal(decode_status(buf, len), ROLLER_ERR_BAD_RECORD);
}

static void
assert_round_trip(const struct roller_stored_record *in, const uint16_t *trace)
{
	size_t size = roller_stored_record_size(in->cols, in->rows, in->trace_len);
	uint8_t *buf = malloc(size);
	size_t len = 0;

	assert_non_null(buf);
	assert_int_equal(roller_stored_record_encode(in, trace, buf, size, &len), ROLLER_OK);
	assert_int_equal(len, size);
	assert_decodes_as(buf, len, in, trace);
	free(buf);
}

static void
test_random_records_round_trip(void **state)
{
	static uint16_t trace[MAX_TRACE];
	uint8_t passes[ROLLER_GRID_CELLS_MAX];
	struct test_rand rnd;

	test_rand_init(&rnd, 0x5eed0003);
	for (int iter = 0; iter < 600; iter++) {
		struct roller_stored_record rec = {
			.record_id = (uint16_t)test_rand_next(&rnd),
			.start_unix = test_rand_next(&rnd),
			.duration_ms = test_rand_next(&rnd),
			.area_id = (uint8_t)test_rand_next(&rnd),
			.end_reason = (uint8_t)test_rand_next(&rnd),
			.needle_um = (uint16_t)test_rand_next(&rnd),
			.roll_count = (uint16_t)test_rand_next(&rnd),
			.force_mean_cN = (uint16_t)test_rand_next(&rnd),
			.force_max_cN = (uint16_t)test_rand_next(&rnd),
			.in_band_permille = (uint16_t)test_rand_range(&rnd, 0, 1000),
			.cols = (uint8_t)test_rand_range(&rnd, 1, ROLLER_GRID_MAX),
			.rows = (uint8_t)test_rand_range(&rnd, 1, ROLLER_GRID_MAX),
			.passes = passes,
			.trace_period_ms = (uint16_t)test_rand_next(&rnd),
		};
		uint32_t max_trace = (ROLLER_RECORD_MAX_LEN - 40 - rec.cols * rec.rows) / 2;

		for (int d = 0; d < 4; d++)
			rec.dirs[d] = (uint16_t)test_rand_next(&rnd);
		switch (iter % 4) {
		case 0:
			rec.trace_len = 0;
			break;
		case 1:
			rec.trace_len = (uint16_t)max_trace;
			break;
		case 2:
			rec.trace_len = (uint16_t)test_rand_range(&rnd, 0, 16);
			break;
		default:
			rec.trace_len = (uint16_t)test_rand_range(&rnd, 0, max_trace);
			break;
		}
		test_rand_fill(&rnd, passes, sizeof(passes));
		for (unsigned i = 0; i < rec.trace_len; i++)
			trace[i] = (uint16_t)test_rand_next(&rnd);
		assert_round_trip(&rec, trace);
	}
}

static void
test_largest_records(void **state)
{
	static uint16_t trace[MAX_TRACE];
	static uint8_t buf[ROLLER_RECORD_MAX_LEN + 8];
	uint8_t passes[ROLLER_GRID_CELLS_MAX] = { 0 };
	struct roller_stored_record rec = {
		.record_id = 0xffff, .start_unix = 0xffffffffu,
		.duration_ms = 0xffffffffu, .area_id = 0xff, .end_reason = 0xff,
		.needle_um = 0xffff, .roll_count = 0xffff, .force_mean_cN = 0xffff,
		.force_max_cN = 0xffff, .in_band_permille = 1000,
		.dirs = { 0xffff, 0xffff, 0xffff, 0xffff },
		.cols = 15, .rows = 14, .passes = passes,
		.trace_period_ms = 0xffff, .trace_len = 3971,
	};
	size_t len = 0;

	memset(passes, 0xff, sizeof(passes));
	for (unsigned i = 0; i < MAX_TRACE; i++)
		trace[i] = (uint16_t)(0xffff - i);

	/* 32 + 210 + 4 + 2 * 3971 + 4 = 8192 exactly. */
	assert_int_equal(roller_stored_record_size(15, 14, 3971), ROLLER_RECORD_MAX_LEN);
	assert_round_trip(&rec, trace);

	/* 15x15 has an odd number of cells: 8191 fits, 8193 does not. */
	rec.rows = 15;
	rec.trace_len = 3963;
	assert_round_trip(&rec, trace);
	rec.trace_len = 3964;
	assert_int_equal(roller_stored_record_size(15, 15, 3964), ROLLER_RECORD_MAX_LEN + 1);
	assert_int_equal(roller_stored_record_encode(&rec, trace, buf, sizeof(buf), &len),
			 ROLLER_ERR_INVALID);
	rec.trace_len = 0xffff;
	assert_int_equal(roller_stored_record_encode(&rec, trace, buf, sizeof(buf), &len),
			 ROLLER_ERR_INVALID);
}

static void
test_encode_rejects_invalid_records_and_small_buffers(void **state)
{
	static const struct {
		uint8_t cols, rows;
		uint16_t in_band;
	} invalid[] = {
		{ 0, 1, 0 }, { 1, 0, 0 }, { 16, 1, 0 }, { 1, 16, 0 }, { 1, 1, 1001 },
		{ 1, 1, 0xffff },
	};
	uint8_t passes[ROLLER_GRID_CELLS_MAX] = { 0 };
	static const uint16_t trace[3] = { 1, 2, 3 };
	struct roller_stored_record rec = { .cols = 2, .rows = 3, .passes = passes,
					    .trace_len = 3 };
	size_t size = roller_stored_record_size(2, 3, 3);
	uint8_t buf[256];
	uint8_t *small = malloc(size - 1);
	size_t len = 12345;

	for (size_t i = 0; i < sizeof(invalid) / sizeof(invalid[0]); i++) {
		struct roller_stored_record bad = rec;

		bad.cols = invalid[i].cols;
		bad.rows = invalid[i].rows;
		bad.in_band_permille = invalid[i].in_band;
		bad.trace_len = 0;
		assert_int_equal(roller_stored_record_encode(&bad, trace, buf, sizeof(buf),
							     &len), ROLLER_ERR_INVALID);
	}

	/* An exact-size heap buffer one byte short: nothing written past it. */
	assert_non_null(small);
	assert_int_equal(roller_stored_record_encode(&rec, trace, small, size - 1, &len),
			 ROLLER_ERR_NO_SPACE);
	assert_int_equal(roller_stored_record_encode(&rec, trace, small, 0, &len),
			 ROLLER_ERR_NO_SPACE);
	assert_int_equal(len, 12345);
	free(small);
	assert_int_equal(roller_stored_record_encode(&rec, trace, buf, size, &len), ROLLER_OK);
	assert_int_equal(len, size);
}

struct stats_sample {
	uint16_t cN;
	bool paused;
};

static void
feed_stats(struct roller_force_stats *st, const struct stats_sample *s, size_t n,
	   uint16_t band_low, uint16_t band_high)
{
	roller_force_stats_init(st);
	for (size_t i = 0; i < n; i++)
		roller_force_stats_add(st, s[i].cN, s[i].paused, band_low, band_high);
}

static void
assert_stats(const struct roller_force_stats *st, uint16_t mean, uint16_t max,
	     uint16_t permille)
{
	assert_int_equal(roller_force_stats_mean(st), mean);
	assert_int_equal(roller_force_stats_max(st), max);
	assert_int_equal(roller_force_stats_in_band_permille(st), permille);
}

static void
test_stats_without_contact_are_zero(void **state)
{
	static const struct stats_sample none[] = {
		{ 49, false }, { 0, false }, { 0xffff, false }, { 500, true },
		{ 0xffff, true },
	};
	struct roller_force_stats st;

	feed_stats(&st, none, 0, 0, 1000);
	assert_stats(&st, 0, 0, 0);
	feed_stats(&st, none, sizeof(none) / sizeof(none[0]), 0, 1000);
	assert_stats(&st, 0, 0, 0);
}

static void
test_stats_contact_threshold_and_exclusions(void **state)
{
	static const struct stats_sample threshold[] = {
		{ 49, false }, { 50, false },
	};
	/* 0xFFFF is no reading at all, not a maximum. */
	static const struct stats_sample invalid[] = {
		{ 100, false }, { 0xffff, false }, { 0xffff, true },
	};
	/* Paused samples count for the maximum only. */
	static const struct stats_sample paused[] = {
		{ 100, false }, { 1000, true }, { 300, true },
	};
	/* Light samples (under 50 cN) stay out of the mean and the share. */
	static const struct stats_sample light[] = {
		{ 60, false }, { 40, false },
	};
	struct roller_force_stats st;

	feed_stats(&st, threshold, 2, 40, 60);
	assert_stats(&st, 50, 50, 1000);
	feed_stats(&st, invalid, 3, 90, 110);
	assert_stats(&st, 100, 100, 1000);
	feed_stats(&st, paused, 3, 90, 110);
	assert_stats(&st, 100, 1000, 1000);
	feed_stats(&st, light, 2, 55, 65);
	assert_stats(&st, 60, 60, 1000);
}

static void
test_stats_round_half_up(void **state)
{
	static const struct {
		uint16_t samples[4];
		size_t n;
		uint16_t mean;
	} means[] = {
		{ { 50, 51 }, 2, 51 },		/* 50.5 */
		{ { 50, 50, 51 }, 3, 50 },	/* 50.33 */
		{ { 50, 51, 51 }, 3, 51 },	/* 50.67 */
		{ { 100, 103 }, 2, 102 },	/* 101.5 */
		{ { 65534, 65533 }, 2, 65534 },	/* 65533.5 */
	};
	static const struct {
		uint32_t in_band, total;
		uint16_t permille;
	} shares[] = {
		{ 1, 8, 125 }, { 1, 16, 63 }, { 3, 16, 188 }, { 1, 3, 333 },
		{ 2, 3, 667 }, { 1, 2000, 1 }, { 1, 2001, 0 }, { 0, 5, 0 },
		{ 7, 7, 1000 },
	};
	struct roller_force_stats st;

	for (size_t i = 0; i < sizeof(means) / sizeof(means[0]); i++) {
		roller_force_stats_init(&st);
		for (size_t k = 0; k < means[i].n; k++)
			roller_force_stats_add(&st, means[i].samples[k], false, 0, 0xfffe);
		assert_int_equal(roller_force_stats_mean(&st), means[i].mean);
	}
	for (size_t i = 0; i < sizeof(shares) / sizeof(shares[0]); i++) {
		roller_force_stats_init(&st);
		for (uint32_t k = 0; k < shares[i].total; k++)
			roller_force_stats_add(&st, k < shares[i].in_band ? 300 : 900,
					       false, 200, 400);
		assert_int_equal(roller_force_stats_in_band_permille(&st),
				 shares[i].permille);
	}
}

static void
test_stats_band_edges_are_inclusive(void **state)
{
	static const struct stats_sample edges[] = {
		{ 99, false }, { 100, false }, { 200, false }, { 201, false },
	};
	struct roller_force_stats st;

	feed_stats(&st, edges, 4, 100, 200);
	assert_stats(&st, 150, 201, 500);
	/* A band of one value. */
	feed_stats(&st, edges, 4, 200, 200);
	assert_int_equal(roller_force_stats_in_band_permille(&st), 250);
}

static void
test_stats_many_large_samples(void **state)
{
	struct roller_force_stats st;

	roller_force_stats_init(&st);
	for (int i = 0; i < 200000; i++)
		roller_force_stats_add(&st, 65534, false, 60000, 65534);
	assert_stats(&st, 65534, 65534, 1000);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vector_records_decode_to_listed_fields),
		cmocka_unit_test(test_length_is_checked_first),
		cmocka_unit_test(test_crc_is_checked_before_fields),
		cmocka_unit_test(test_grid_dimensions_are_checked),
		cmocka_unit_test(test_fields_must_end_at_the_crc),
		cmocka_unit_test(test_in_band_share_is_checked_last),
		cmocka_unit_test(test_random_records_round_trip),
		cmocka_unit_test(test_largest_records),
		cmocka_unit_test(test_encode_rejects_invalid_records_and_small_buffers),
		cmocka_unit_test(test_stats_without_contact_are_zero),
		cmocka_unit_test(test_stats_contact_threshold_and_exclusions),
		cmocka_unit_test(test_stats_round_half_up),
		cmocka_unit_test(test_stats_band_edges_are_inclusive),
		cmocka_unit_test(test_stats_many_large_samples),
	};

	return cmocka_run_group_tests_name("roller-record", tests, NULL, NULL);
}
