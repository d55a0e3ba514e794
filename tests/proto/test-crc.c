/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * roller-crc: both checksums against their catalogue check values and a
 * bit-at-a-time reference, whole and in pieces; the committed slicing
 * tables against tables derived here from the polynomials.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "roller-crc.h"
#include "tests/harness/test-util.h"

#define MAX_LEN 300

static const uint8_t check_input[] = "123456789";

/* Register update without init or xorout, MSB first (CCITT-FALSE). */
static uint16_t
crc16_bitwise_raw(uint16_t reg, const uint8_t *p, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		reg ^= (uint16_t)(p[i] << 8);
		for (int b = 0; b < 8; b++)
			reg = (uint16_t)(reg & 0x8000 ? (reg << 1) ^ 0x1021 : reg << 1);
	}
	return reg;
}

/* Register update without the inversions, LSB first (IEEE, reflected). */
static uint32_t
crc32_bitwise_raw(uint32_t reg, const uint8_t *p, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		reg ^= p[i];
		for (int b = 0; b < 8; b++)
			reg = reg & 1 ? (reg >> 1) ^ 0xEDB88320u : reg >> 1;
	}
	return reg;
}

static uint16_t
crc16_reference(const uint8_t *p, size_t len)
{
	return crc16_bitwise_raw(0xFFFF, p, len);
}

static uint32_t
crc32_reference(const uint8_t *p, size_t len)
{
	return ~crc32_bitwise_raw(0xFFFFFFFFu, p, len);
}

static void
test_crc16_check_value(void **state)
{
	assert_int_equal(roller_crc16(ROLLER_CRC16_INIT, check_input, 9), 0x29B1);
	assert_int_equal(crc16_reference(check_input, 9), 0x29B1);
}

static void
test_crc32_check_value(void **state)
{
	assert_int_equal(roller_crc32(ROLLER_CRC32_INIT, check_input, 9), 0xCBF43926u);
	assert_int_equal(crc32_reference(check_input, 9), 0xCBF43926u);
}

static void
test_empty_input_returns_the_start_value(void **state)
{
	uint8_t byte = 0x5a;

	assert_int_equal(roller_crc16(ROLLER_CRC16_INIT, &byte, 0), 0xFFFF);
	assert_int_equal(roller_crc16(0x1234, &byte, 0), 0x1234);
	assert_int_equal(roller_crc32(ROLLER_CRC32_INIT, &byte, 0), 0);
	assert_int_equal(roller_crc32(0xCBF43926u, &byte, 0), 0xCBF43926u);
}

/* zlib's convention: a previous result continues the checksum. */
static void
test_check_value_in_two_calls(void **state)
{
	for (size_t split = 0; split <= 9; split++) {
		uint16_t c16 = roller_crc16(ROLLER_CRC16_INIT, check_input, split);
		uint32_t c32 = roller_crc32(ROLLER_CRC32_INIT, check_input, split);

		c16 = roller_crc16(c16, check_input + split, 9 - split);
		c32 = roller_crc32(c32, check_input + split, 9 - split);
		assert_int_equal(c16, 0x29B1);
		assert_int_equal(c32, 0xCBF43926u);
	}
}

/*
 * Every length 0..MAX_LEN crosses the 16- and 8-byte slicing steps and the tail at
 * every remainder; the exact-size heap copy lets ASan catch an overread.
 */
static void
test_random_buffers_match_reference(void **state)
{
	struct test_rand rnd;
	uint8_t data[MAX_LEN];

	test_rand_init(&rnd, 0xc0ffee);
	for (size_t len = 0; len <= MAX_LEN; len++) {
		for (int round = 0; round < 4; round++) {
			uint8_t *buf;

			test_rand_fill(&rnd, data, len);
			buf = test_memdup_exact(data, len);
			assert_int_equal(roller_crc16(ROLLER_CRC16_INIT, buf, len),
					 crc16_reference(data, len));
			assert_int_equal(roller_crc32(ROLLER_CRC32_INIT, buf, len),
					 crc32_reference(data, len));
			free(buf);
		}
	}
}

static void
test_random_split_points_match_whole(void **state)
{
	struct test_rand rnd;
	uint8_t data[MAX_LEN];

	test_rand_init(&rnd, 0xfeed5);
	for (size_t len = 0; len <= MAX_LEN; len++) {
		uint16_t want16, c16;
		uint32_t want32, c32;
		size_t a, b;

		test_rand_fill(&rnd, data, len);
		want16 = crc16_reference(data, len);
		want32 = crc32_reference(data, len);

		/* Two random cuts give three pieces, empty ones included. */
		a = test_rand_range(&rnd, 0, (uint32_t)len);
		b = test_rand_range(&rnd, (uint32_t)a, (uint32_t)len);
		c16 = roller_crc16(ROLLER_CRC16_INIT, data, a);
		c16 = roller_crc16(c16, data + a, b - a);
		c16 = roller_crc16(c16, data + b, len - b);
		c32 = roller_crc32(ROLLER_CRC32_INIT, data, a);
		c32 = roller_crc32(c32, data + a, b - a);
		c32 = roller_crc32(c32, data + b, len - b);
		assert_int_equal(c16, want16);
		assert_int_equal(c32, want32);
	}
}

static void
test_byte_at_a_time_matches_whole(void **state)
{
	struct test_rand rnd;
	uint8_t data[MAX_LEN];
	uint16_t c16 = ROLLER_CRC16_INIT;
	uint32_t c32 = ROLLER_CRC32_INIT;

	test_rand_init(&rnd, 77);
	test_rand_fill(&rnd, data, sizeof(data));
	for (size_t i = 0; i < sizeof(data); i++) {
		c16 = roller_crc16(c16, data + i, 1);
		c32 = roller_crc32(c32, data + i, 1);
	}
	assert_int_equal(c16, crc16_reference(data, sizeof(data)));
	assert_int_equal(c32, crc32_reference(data, sizeof(data)));
}

/* A single flipped bit anywhere must change both checksums. */
static void
test_single_bit_flips_are_detected(void **state)
{
	struct test_rand rnd;
	uint8_t data[64];
	uint16_t c16;
	uint32_t c32;

	test_rand_init(&rnd, 4242);
	test_rand_fill(&rnd, data, sizeof(data));
	c16 = roller_crc16(ROLLER_CRC16_INIT, data, sizeof(data));
	c32 = roller_crc32(ROLLER_CRC32_INIT, data, sizeof(data));
	for (size_t bit = 0; bit < sizeof(data) * 8; bit++) {
		data[bit / 8] ^= (uint8_t)(1u << (bit % 8));
		assert_int_not_equal(roller_crc16(ROLLER_CRC16_INIT, data, sizeof(data)), c16);
		assert_int_not_equal(roller_crc32(ROLLER_CRC32_INIT, data, sizeof(data)), c32);
		data[bit / 8] ^= (uint8_t)(1u << (bit % 8));
	}
}

/*
 * Table k, entry i is by definition the register after byte i followed by
 * k zero bytes, starting from 0: derived here from the bitwise update, not
 * from the generator's recurrence.
 */
static void
test_slicing_tables_match_definition(void **state)
{
	uint8_t msg[ROLLER_CRC16_SLICES];

	for (unsigned k = 0; k < ROLLER_CRC16_SLICES; k++) {
		for (unsigned i = 0; i < 256; i++) {
			memset(msg, 0, sizeof(msg));
			msg[0] = (uint8_t)i;
			if (roller_crc16_table[k][i] != crc16_bitwise_raw(0, msg, k + 1))
				fail_msg("crc16 table[%u][%u] = 0x%04x, want 0x%04x", k, i,
					 roller_crc16_table[k][i],
					 crc16_bitwise_raw(0, msg, k + 1));
			if (k < ROLLER_CRC32_SLICES &&
			    roller_crc32_table[k][i] != crc32_bitwise_raw(0, msg, k + 1))
				fail_msg("crc32 table[%u][%u] = 0x%08x, want 0x%08x", k, i,
					 roller_crc32_table[k][i],
					 crc32_bitwise_raw(0, msg, k + 1));
		}
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_crc16_check_value),
		cmocka_unit_test(test_crc32_check_value),
		cmocka_unit_test(test_empty_input_returns_the_start_value),
		cmocka_unit_test(test_check_value_in_two_calls),
		cmocka_unit_test(test_random_buffers_match_reference),
		cmocka_unit_test(test_random_split_points_match_whole),
		cmocka_unit_test(test_byte_at_a_time_matches_whole),
		cmocka_unit_test(test_single_bit_flips_are_detected),
		cmocka_unit_test(test_slicing_tables_match_definition),
	};

	return cmocka_run_group_tests_name("roller-crc", tests, NULL, NULL);
}
