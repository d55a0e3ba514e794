/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* roller-info: Roller Info (spec section 2) and Status (spec section 3). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "roller-info.h"
#include "tests/harness/test-util.h"

#define OFF_VERSION 0
#define OFF_COLS 1
#define OFF_ROWS 2
#define OFF_CELL 3
#define OFF_PERIOD 4
#define OFF_RESERVED 5
#define OFF_LOW 10
#define OFF_HIGH 12

static const struct roller_info typical_info = {
	.protocol_version = 1, .grid_cols = 12, .grid_rows = 8, .cell_mm = 20,
	.sample_period_ms = 10, .reserved = 0, .needle_um = 1000,
	.record_capacity = 64, .force_band_low_cN = 200,
	.force_band_high_cN = 400, .force_full_scale_cN = 2000,
};

static enum roller_error
decode_info(const uint8_t *buf, size_t len, struct roller_info *info)
{
	uint8_t *copy = test_memdup_exact(buf, len);
	enum roller_error err = roller_info_decode(copy, len, info);

	free(copy);
	return err;
}

static enum roller_error
decode_status(const uint8_t *buf, size_t len, struct roller_status *status)
{
	uint8_t *copy = test_memdup_exact(buf, len);
	enum roller_error err = roller_status_decode(copy, len, status);

	free(copy);
	return err;
}

static void
test_info_round_trip(void **state)
{
	static const uint8_t want[ROLLER_INFO_LEN] = {
		0x01, 0x0c, 0x08, 0x14, 0x0a, 0x00, 0xe8, 0x03,
		0x40, 0x00, 0xc8, 0x00, 0x90, 0x01, 0xd0, 0x07,
	};
	struct roller_info extreme = {
		.protocol_version = 1, .grid_cols = 15, .grid_rows = 1,
		.cell_mm = 100, .sample_period_ms = 255, .reserved = 0,
		.needle_um = 0xffff, .record_capacity = 0xffff,
		.force_band_low_cN = 0xfffe, .force_band_high_cN = 0xffff,
		.force_full_scale_cN = 0xffff,
	};
	uint8_t buf[ROLLER_INFO_LEN + 1];
	struct roller_info out;

	buf[ROLLER_INFO_LEN] = 0xee;
	roller_info_encode(&typical_info, buf);
	assert_memory_equal(buf, want, ROLLER_INFO_LEN);
	assert_int_equal(buf[ROLLER_INFO_LEN], 0xee);
	assert_int_equal(decode_info(buf, ROLLER_INFO_LEN, &out), ROLLER_OK);
	assert_memory_equal(&out, &typical_info, sizeof(out));

	roller_info_encode(&extreme, buf);
	assert_int_equal(decode_info(buf, ROLLER_INFO_LEN, &out), ROLLER_OK);
	assert_memory_equal(&out, &extreme, sizeof(out));
}

static void
test_info_length_must_be_exact(void **state)
{
	uint8_t buf[ROLLER_INFO_LEN + 1] = { 0 };
	struct roller_info out;

	roller_info_encode(&typical_info, buf);
	for (size_t len = 0; len < ROLLER_INFO_LEN; len++)
		assert_int_equal(decode_info(buf, len, &out), ROLLER_ERR_TOO_SHORT);
	assert_int_equal(decode_info(buf, ROLLER_INFO_LEN + 1, &out), ROLLER_ERR_TOO_LONG);
}

static void
test_info_version(void **state)
{
	uint8_t buf[ROLLER_INFO_LEN];
	struct roller_info out;

	for (unsigned v = 0; v < 256; v++) {
		roller_info_encode(&typical_info, buf);
		buf[OFF_VERSION] = (uint8_t)v;
		assert_int_equal(decode_info(buf, sizeof(buf), &out),
				 v == 1 ? ROLLER_OK : ROLLER_ERR_VERSION);
	}
	/* VERSION comes before the field rules. */
	buf[OFF_VERSION] = 2;
	buf[OFF_COLS] = 0;
	assert_int_equal(decode_info(buf, sizeof(buf), &out), ROLLER_ERR_VERSION);
}

static void
test_info_field_rules_at_their_edges(void **state)
{
	static const struct {
		size_t offset;
		uint8_t value;
		enum roller_error err;
	} cases[] = {
		{ OFF_COLS, 0, ROLLER_ERR_BAD_RECORD }, { OFF_COLS, 1, ROLLER_OK },
		{ OFF_COLS, 15, ROLLER_OK }, { OFF_COLS, 16, ROLLER_ERR_BAD_RECORD },
		{ OFF_ROWS, 0, ROLLER_ERR_BAD_RECORD }, { OFF_ROWS, 1, ROLLER_OK },
		{ OFF_ROWS, 15, ROLLER_OK }, { OFF_ROWS, 16, ROLLER_ERR_BAD_RECORD },
		{ OFF_CELL, 4, ROLLER_ERR_BAD_RECORD }, { OFF_CELL, 5, ROLLER_OK },
		{ OFF_CELL, 100, ROLLER_OK }, { OFF_CELL, 101, ROLLER_ERR_BAD_RECORD },
		{ OFF_CELL, 0, ROLLER_ERR_BAD_RECORD },
		{ OFF_PERIOD, 0, ROLLER_ERR_BAD_RECORD }, { OFF_PERIOD, 1, ROLLER_OK },
		{ OFF_PERIOD, 255, ROLLER_OK },
		/* The reserved byte is ignored. */
		{ OFF_RESERVED, 0xff, ROLLER_OK },
	};
	uint8_t buf[ROLLER_INFO_LEN];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct roller_info out, untouched;

		memset(&out, 0x5a, sizeof(out));
		untouched = out;
		roller_info_encode(&typical_info, buf);
		buf[cases[i].offset] = cases[i].value;
		assert_int_equal(decode_info(buf, sizeof(buf), &out), cases[i].err);
		if (cases[i].err != ROLLER_OK) {
			assert_memory_equal(&out, &untouched, sizeof(out));
		} else {
			uint8_t again[ROLLER_INFO_LEN];

			roller_info_encode(&out, again);
			assert_memory_equal(again, buf, sizeof(buf));
		}
	}
}

static enum roller_error
decode_band(uint16_t low, uint16_t high)
{
	uint8_t buf[ROLLER_INFO_LEN];
	struct roller_info out;

	roller_info_encode(&typical_info, buf);
	roller_put_le16(buf + OFF_LOW, low);
	roller_put_le16(buf + OFF_HIGH, high);
	return decode_info(buf, sizeof(buf), &out);
}

static void
test_info_band_low_below_high(void **state)
{
	assert_int_equal(decode_band(399, 400), ROLLER_OK);
	assert_int_equal(decode_band(400, 400), ROLLER_ERR_BAD_RECORD);
	assert_int_equal(decode_band(401, 400), ROLLER_ERR_BAD_RECORD);
	assert_int_equal(decode_band(0, 1), ROLLER_OK);
	assert_int_equal(decode_band(0, 0), ROLLER_ERR_BAD_RECORD);
	assert_int_equal(decode_band(0xfffe, 0xffff), ROLLER_OK);
}

static void
test_status_round_trip(void **state)
{
	static const struct roller_status status = {
		.state = ROLLER_STATE_TRANSFERRING,
		.flags = ROLLER_STATUS_CLOCK_SET | ROLLER_STATUS_STORAGE_FULL,
		.active_session_id = 0x1234, .stored_records = 0xfffe,
		.last_record_id = 0x0102,
	};
	static const uint8_t want[ROLLER_STATUS_LEN] = {
		0x03, 0x09, 0x34, 0x12, 0xfe, 0xff, 0x02, 0x01,
	};
	/* States and flags beyond the spec's are reported as given. */
	static const uint8_t odd[ROLLER_STATUS_LEN] = { 0xff, 0xf0, 0, 0, 0, 0, 0, 0 };
	uint8_t buf[ROLLER_STATUS_LEN + 1];
	struct roller_status out;

	buf[ROLLER_STATUS_LEN] = 0xee;
	roller_status_encode(&status, buf);
	assert_memory_equal(buf, want, ROLLER_STATUS_LEN);
	assert_int_equal(buf[ROLLER_STATUS_LEN], 0xee);
	assert_int_equal(decode_status(buf, ROLLER_STATUS_LEN, &out), ROLLER_OK);
	assert_memory_equal(&out, &status, sizeof(out));

	assert_int_equal(decode_status(odd, sizeof(odd), &out), ROLLER_OK);
	assert_int_equal(out.state, 0xff);
	assert_int_equal(out.flags, 0xf0);
	assert_int_equal(out.active_session_id, 0);
}

static void
test_status_length_must_be_exact(void **state)
{
	uint8_t buf[ROLLER_STATUS_LEN + 1] = { 0 };
	struct roller_status out;

	for (size_t len = 0; len < ROLLER_STATUS_LEN; len++)
		assert_int_equal(decode_status(buf, len, &out), ROLLER_ERR_TOO_SHORT);
	assert_int_equal(decode_status(buf, ROLLER_STATUS_LEN + 1, &out), ROLLER_ERR_TOO_LONG);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_info_round_trip),
		cmocka_unit_test(test_info_length_must_be_exact),
		cmocka_unit_test(test_info_version),
		cmocka_unit_test(test_info_field_rules_at_their_edges),
		cmocka_unit_test(test_info_band_low_below_high),
		cmocka_unit_test(test_status_round_trip),
		cmocka_unit_test(test_status_length_must_be_exact),
	};

	return cmocka_run_group_tests_name("roller-info", tests, NULL, NULL);
}
