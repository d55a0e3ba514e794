/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * roller_frame_parse()'s verdicts against a reference written from spec
 * sections 4 and 8, one rule after the other: the parser checks every
 * record in one loop and tells TRUNCATED from BAD_RECORD only after it,
 * so these frames are built to break the rules one, two or more at a
 * time, in any record.  Every input is an exact-size heap copy, so that
 * ASan and valgrind see a read outside it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "roller-crc.h"
#include "roller-frame.h"
#include "tests/harness/test-util.h"

/* The frame's records in spec order, first failure returned. */
static enum roller_error
reference_error(const uint8_t *buf, size_t len, unsigned *n_records,
		unsigned *n_unknown)
{
	size_t end = len, pos = 4;

	if (len < 4 || ((buf[0] & 1) && len < 6))
		return ROLLER_ERR_TOO_SHORT;
	if (len > 512)
		return ROLLER_ERR_TOO_LONG;
	if (buf[0] >> 4 != 1)
		return ROLLER_ERR_VERSION;
	if (buf[0] & 1) {
		end -= 2;
		if (roller_crc16(0xFFFF, buf, end) != roller_get_le16(buf + end))
			return ROLLER_ERR_CRC;
	}
	*n_records = *n_unknown = 0;
	while (pos < end) {
		uint8_t type, rlen;
		const uint8_t *b;

		if (end - pos < 2 || end - pos - 2 < buf[pos + 1])
			return ROLLER_ERR_TRUNCATED;
		type = buf[pos];
		rlen = buf[pos + 1];
		b = buf + pos + 2;
		if ((type == 1 && (rlen < 7 || rlen % 2 == 0 || b[4] == 0)) ||
		    (type == 2 && rlen != 12) || (type == 4 && rlen != 8) ||
		    (type == 3 && (rlen < 2 || b[0] < 1 || b[0] > 15 || b[1] < 1 ||
				   b[1] > 15 || rlen != 2 + b[0] * b[1])))
			return ROLLER_ERR_BAD_RECORD;
		*n_unknown += type < 1 || type > 4;
		++*n_records;
		pos += 2u + rlen;
	}
	return ROLLER_OK;
}

/* A body length that is mostly right for @type, sometimes anything. */
static uint8_t
random_len(struct test_rand *rnd, uint8_t type)
{
	bool right = test_rand_range(rnd, 0, 9) < 8;

	switch (type) {
	case ROLLER_RECORD_FORCE:
		return right ? (uint8_t)(5 + 2 * test_rand_range(rnd, 0, 12)) :
			(uint8_t)test_rand_range(rnd, 0, 30);
	case ROLLER_RECORD_STROKE:
		return right ? 12 : (uint8_t)test_rand_range(rnd, 0, 20);
	case ROLLER_RECORD_EVENT:
		return right ? 8 : (uint8_t)test_rand_range(rnd, 0, 20);
	case ROLLER_RECORD_COVERAGE:
		return (uint8_t)test_rand_range(rnd, 0, 40);
	default:
		return (uint8_t)test_rand_range(rnd, 0, 10);
	}
}

/* Records of types 0..6 with lengths and fields near the rules' edges. */
static size_t
build_frame(struct test_rand *rnd, uint8_t *buf, size_t cap)
{
	unsigned n = test_rand_range(rnd, 0, 30);
	size_t len = 4;

	test_rand_fill(rnd, buf, 4);
	if (test_rand_range(rnd, 0, 7) != 0)
		buf[0] = (uint8_t)(0x10 | (buf[0] & 0x0e) |
				   (test_rand_range(rnd, 0, 2) == 0));
	while (n-- && len + 2 + 255 <= cap) {
		uint8_t type = (uint8_t)test_rand_range(rnd, 0, 6);
		uint8_t rlen = random_len(rnd, type);
		uint8_t *b = buf + len + 2;

		buf[len] = type;
		buf[len + 1] = rlen;
		test_rand_fill(rnd, b, rlen);
		if (type == ROLLER_RECORD_FORCE && rlen >= 5)
			b[4] = test_rand_range(rnd, 0, 4) ? 10 : 0;
		if (type == ROLLER_RECORD_COVERAGE && rlen >= 2 &&
		    test_rand_range(rnd, 0, 1)) {
			b[0] = (uint8_t)test_rand_range(rnd, 0, 4);
			b[1] = (uint8_t)test_rand_range(rnd, 1, 4);
		}
		len += 2u + rlen;
	}
	/* Cut anywhere, or keep whole with the CRC made right. */
	if (test_rand_range(rnd, 0, 2) == 0)
		len = test_rand_range(rnd, 0, (uint32_t)len);
	/* Around the longest frame (what lies past the records is old bytes). */
	if (len > ROLLER_FRAME_MAX_LEN + 8 || test_rand_range(rnd, 0, 15) == 0)
		len = test_rand_range(rnd, ROLLER_FRAME_MAX_LEN - 2,
				      ROLLER_FRAME_MAX_LEN + 8);
	if ((buf[0] & ROLLER_FRAME_FLAG_CRC) && len >= 6 && test_rand_range(rnd, 0, 3))
		roller_put_le16(buf + len - 2,
				roller_crc16(ROLLER_CRC16_INIT, buf, len - 2));
	return len;
}

static void
test_errors_match_the_reference(void **state)
{
	static uint8_t buf[4 + 30 * 257];
	unsigned seen[ROLLER_ERR_BAD_RECORD + 1] = { 0 };
	struct test_rand rnd;

	test_rand_init(&rnd, 0x5eed0e44);
	for (int iter = 0; iter < 200000; iter++) {
		size_t len = build_frame(&rnd, buf, sizeof(buf));
		uint8_t *copy = test_memdup_exact(buf, len);
		struct roller_frame frame;
		unsigned n_records = 0, n_unknown = 0;
		enum roller_error want = reference_error(copy, len, &n_records,
							 &n_unknown);
		enum roller_error got = roller_frame_parse(copy, len, &frame);

		if (got != want)
			fail_msg("iteration %d: %zu bytes: %s, want %s", iter, len,
				 roller_error_name(got), roller_error_name(want));
		if (got == ROLLER_OK) {
			assert_int_equal(frame.n_records, n_records);
			assert_int_equal(frame.n_unknown, n_unknown);
			assert_ptr_equal(frame.records, copy + 4);
		}
		seen[want]++;
		free(copy);
	}
	/* Every verdict came up often enough to mean something. */
	for (int e = ROLLER_OK; e <= ROLLER_ERR_BAD_RECORD; e++)
		if (seen[e] < 1000)
			fail_msg("%s: %u times", roller_error_name((enum roller_error)e), seen[e]);
}

/* A BAD_RECORD outranks a later record cut short, or a byte left over. */
static void
test_first_failure_wins(void **state)
{
	static const uint8_t bad_then_cut[] = {
		0x10, 0, 1, 0, ROLLER_RECORD_STROKE, 1, 0, ROLLER_RECORD_EVENT, 8, 0,
	};
	static const uint8_t cut_at_once[] = {
		0x10, 0, 1, 0, ROLLER_RECORD_STROKE, 1,
	};
	static const uint8_t byte_left_after_bad[] = {
		0x10, 0, 1, 0, ROLLER_RECORD_EVENT, 0, 0x7f,
	};
	struct roller_frame frame;
	uint8_t *copy;

	copy = test_memdup_exact(bad_then_cut, sizeof(bad_then_cut));
	assert_int_equal(roller_frame_parse(copy, sizeof(bad_then_cut), &frame),
			 ROLLER_ERR_BAD_RECORD);
	free(copy);
	copy = test_memdup_exact(cut_at_once, sizeof(cut_at_once));
	assert_int_equal(roller_frame_parse(copy, sizeof(cut_at_once), &frame),
			 ROLLER_ERR_TRUNCATED);
	free(copy);
	copy = test_memdup_exact(byte_left_after_bad, sizeof(byte_left_after_bad));
	assert_int_equal(roller_frame_parse(copy, sizeof(byte_left_after_bad), &frame),
			 ROLLER_ERR_BAD_RECORD);
	free(copy);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_errors_match_the_reference),
		cmocka_unit_test(test_first_failure_wins),
	};

	return cmocka_run_group_tests_name("roller-frame errors", tests, NULL, NULL);
}
