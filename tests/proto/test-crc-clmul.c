/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * roller-crc-clmul: the carry-less-multiply CRC-16 against the portable
 * roller_crc16(), the reference, on many inputs (every length to 600 and
 * every start within a 16-byte line, random starting values), and
 * roller_frame_parse() with it installed against without.  Skipped (77)
 * where the CPU has no carry-less multiply.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "roller-crc-clmul.h"
#include "roller-frame.h"
#include "tests/harness/test-util.h"

static roller_crc16_fn *clmul;

static void
test_check_value(void **state)
{
	static const uint8_t digits[] = "123456789";
	/* Long enough for the folding: the check string 8 times, 72 bytes. */
	uint8_t eight[72];

	assert_int_equal(clmul(ROLLER_CRC16_INIT, digits, 9), 0x29B1);
	for (int i = 0; i < 8; i++)
		memcpy(eight + 9 * i, digits, 9);
	assert_int_equal(clmul(ROLLER_CRC16_INIT, eight, sizeof(eight)),
			 roller_crc16(ROLLER_CRC16_INIT, eight, sizeof(eight)));
}

static void
test_every_length_and_alignment_matches(void **state)
{
	static uint8_t buf[600 + 16];
	struct test_rand rnd;

	test_rand_init(&rnd, 0x5eedc1a0);
	for (size_t len = 0; len <= 600; len++) {
		for (size_t start = 0; start < 16; start++) {
			uint16_t init = (uint16_t)test_rand_next(&rnd);
			uint8_t *copy;

			test_rand_fill(&rnd, buf, len + start);
			/* Exact size: ASan and valgrind see a read past it. */
			copy = test_memdup_exact(buf + start, len);
			if (clmul(init, copy, len) != roller_crc16(init, copy, len))
				fail_msg("len %zu, start %zu, init 0x%04x", len,
					 start, init);
			free(copy);
		}
	}
}

/* A value split anywhere continues as one, mixing both functions. */
static void
test_continues_across_calls(void **state)
{
	static uint8_t buf[512];
	struct test_rand rnd;

	test_rand_init(&rnd, 0x5eedc1a1);
	for (int iter = 0; iter < 2000; iter++) {
		size_t len = test_rand_range(&rnd, 0, sizeof(buf));
		size_t cut = test_rand_range(&rnd, 0, (uint32_t)len);
		uint16_t whole, split;

		test_rand_fill(&rnd, buf, len);
		whole = roller_crc16(ROLLER_CRC16_INIT, buf, len);
		split = clmul(clmul(ROLLER_CRC16_INIT, buf, cut), buf + cut, len - cut);
		assert_int_equal(split, whole);
		split = roller_crc16(clmul(ROLLER_CRC16_INIT, buf, cut), buf + cut,
				     len - cut);
		assert_int_equal(split, whole);
	}
}

/* Frames of every length with a right, then a wrong CRC: the same verdicts. */
static void
test_frame_parse_agrees(void **state)
{
	static uint8_t buf[ROLLER_FRAME_MAX_LEN];
	struct test_rand rnd;

	test_rand_init(&rnd, 0x5eedc1a2);
	for (size_t len = 6; len <= ROLLER_FRAME_MAX_LEN; len++) {
		struct roller_frame frame;
		enum roller_error portable, fast;

		test_rand_fill(&rnd, buf, len);
		buf[0] = 0x11;		/* version 1 with a CRC */
		/* Unknown types, whose every length is good, filling it all. */
		for (size_t pos = 4, left = len - 6; left > 0;) {
			size_t body = left - 2 > 255 ? 255 : left - 2;

			if (left == 1)
				break;	/* no record fits one byte: TRUNCATED */
			if (left - 2 - body == 1)
				body--;
			buf[pos] = 0x7f;
			buf[pos + 1] = (uint8_t)body;
			pos += 2 + body;
			left -= 2 + body;
		}
		for (int wrong = 0; wrong < 2; wrong++) {
			roller_put_le16(buf + len - 2,
					(uint16_t)(roller_crc16(ROLLER_CRC16_INIT, buf,
								len - 2) ^ wrong));
			roller_frame_use_crc16(NULL);
			portable = roller_frame_parse(buf, len, &frame);
			roller_frame_use_crc16(clmul);
			fast = roller_frame_parse(buf, len, &frame);
			roller_frame_use_crc16(NULL);
			assert_int_equal(fast, portable);
			assert_int_equal(fast, wrong ? ROLLER_ERR_CRC :
					 len == 7 ? ROLLER_ERR_TRUNCATED : ROLLER_OK);
		}
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_check_value),
		cmocka_unit_test(test_every_length_and_alignment_matches),
		cmocka_unit_test(test_continues_across_calls),
		cmocka_unit_test(test_frame_parse_agrees),
	};

	clmul = roller_crc16_clmul_get();
	if (!clmul)
		return 77;	/* no carry-less multiply here: nothing to compare */
	return cmocka_run_group_tests_name("roller-crc-clmul", tests, NULL, NULL);
}
