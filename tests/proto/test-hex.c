/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* roller-hex: the hex text of the vector file and the tools. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "roller-hex.h"
#include "tests/harness/test-util.h"

/* Decodes from an exact-size copy without the NUL, so overreads show. */
static bool
decode(const char *hex, uint8_t *out, size_t cap, size_t *out_len)
{
	size_t len = strlen(hex);
	uint8_t *copy = test_memdup_exact(hex, len);
	bool ok = roller_hex_decode((const char *)copy, len, out, cap, out_len);

	free(copy);
	return ok;
}

static void
test_decode_either_case(void **state)
{
	static const uint8_t want[] = {
		0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef, 0xab, 0xcd, 0xef, 0x0f,
	};
	uint8_t out[sizeof(want)];
	size_t len = 0;

	assert_true(decode("0123456789abcdefABCDEF0f", out, sizeof(out), &len));
	assert_int_equal(len, sizeof(want));
	assert_memory_equal(out, want, sizeof(want));
	assert_true(decode("aBcD", out, sizeof(out), &len));
	assert_int_equal(len, 2);
	assert_int_equal(out[0], 0xab);
	assert_int_equal(out[1], 0xcd);
}

static void
test_decode_empty(void **state)
{
	uint8_t out[1] = { 0x77 };
	size_t len = 99;

	assert_true(decode("", out, 0, &len));
	assert_int_equal(len, 0);
	assert_int_equal(out[0], 0x77);
}

static void
test_decode_odd_length(void **state)
{
	uint8_t out[8];
	size_t len = 99;

	assert_false(decode("1", out, sizeof(out), &len));
	assert_false(decode("abc", out, sizeof(out), &len));
	assert_false(decode("0011223", out, sizeof(out), &len));
	assert_int_equal(len, 99);
}

static void
test_decode_bad_digit(void **state)
{
	/* The neighbours of each digit range, and the usual separators. */
	static const char bad[] = "/:@G`g \t-xX\x80\xff";
	char hex[5];
	uint8_t out[2];
	size_t len = 99;

	for (size_t i = 0; i < sizeof(bad) - 1; i++) {
		for (size_t pos = 0; pos < 4; pos++) {
			memcpy(hex, "a0F9", 5);
			hex[pos] = bad[i];
			if (decode(hex, out, sizeof(out), &len))
				fail_msg("accepted 0x%02x at %zu", (unsigned char)bad[i], pos);
		}
	}
	assert_int_equal(len, 99);
}

static void
test_decode_capacity(void **state)
{
	uint8_t *out = malloc(3);
	size_t len = 99;

	assert_non_null(out);
	assert_false(decode("00112233", out, 3, &len));
	assert_int_equal(len, 99);
	assert_true(decode("001122", out, 3, &len));
	assert_int_equal(len, 3);
	assert_int_equal(out[2], 0x22);
	assert_false(decode("00", out, 0, &len));
	free(out);
}

static void
test_encode(void **state)
{
	static const uint8_t bytes[] = { 0x00, 0x01, 0x7f, 0x80, 0xab, 0xff, 0x5a };
	char out[2 * sizeof(bytes) + 2];
	uint8_t back[sizeof(bytes)];
	size_t len = 0;

	memset(out, 'Z', sizeof(out));
	roller_hex_encode(bytes, sizeof(bytes), out);
	assert_string_equal(out, "00017f80abff5a");
	assert_int_equal(out[sizeof(out) - 1], 'Z');
	assert_true(decode(out, back, sizeof(back), &len));
	assert_memory_equal(back, bytes, sizeof(bytes));

	roller_hex_encode(bytes, 0, out);
	assert_string_equal(out, "");
}

/* Every byte value survives encode and decode. */
static void
test_every_byte_round_trips(void **state)
{
	uint8_t bytes[256], back[256];
	char hex[513];
	size_t len = 0;

	for (unsigned i = 0; i < 256; i++)
		bytes[i] = (uint8_t)i;
	roller_hex_encode(bytes, sizeof(bytes), hex);
	assert_int_equal(strlen(hex), 512);
	assert_true(decode(hex, back, sizeof(back), &len));
	assert_int_equal(len, 256);
	assert_memory_equal(back, bytes, sizeof(bytes));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_decode_either_case),
		cmocka_unit_test(test_decode_empty),
		cmocka_unit_test(test_decode_odd_length),
		cmocka_unit_test(test_decode_bad_digit),
		cmocka_unit_test(test_decode_capacity),
		cmocka_unit_test(test_encode),
		cmocka_unit_test(test_every_byte_round_trips),
	};

	return cmocka_run_group_tests_name("roller-hex", tests, NULL, NULL);
}
