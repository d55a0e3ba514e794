/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* roller-dump: every case of the spec's vector file dumps exactly as listed. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "roller-dump.h"
#include "test-vectors.h"

static void
test_every_vector_dumps_as_listed(void **state)
{
	char path[4096];
	static char out[ROLLER_DUMP_RECORD_MAX];
	size_t n, n_frames = 0, n_records = 0;
	struct test_vector *v = test_vectors_load(
		test_data_path("profile-v1.vec", path, sizeof(path)), &n);

	/* The vector file of profile v1 has 33 cases; a short read is a bug. */
	assert_int_equal(n, 33);
	for (size_t i = 0; i < n; i++) {
		size_t len;

		if (v[i].is_record) {
			len = roller_dump_record(v[i].bytes, v[i].len, out, sizeof(out), NULL);
			n_records++;
		} else {
			len = roller_dump_frame(v[i].bytes, v[i].len, out, sizeof(out), NULL);
			n_frames++;
		}
		if (strcmp(out, v[i].expect) != 0)
			fail_msg("case %s:\n got: %s want: %s", v[i].name, out, v[i].expect);
		assert_int_equal(len, strlen(v[i].expect));
	}
	assert_int_equal(n_records, 3);
	assert_int_equal(n_frames, 30);
	free(v);
}

static void
test_dump_reports_error_and_length_when_truncated(void **state)
{
	static const uint8_t frame[] = { 0x10, 0x01, 0x2a, 0x00, 0x01, 0x0b,
		0xe8, 0x03, 0x00, 0x00, 0x0a, 0x64, 0x00, 0xc8, 0x00, 0x2c, 0x01 };
	static const char want[] = "frame v=1 seq=1 session=42 crc=no\n"
				   "force t=1000 period=10 n=3 100 200 300\n";
	char small[10];
	enum roller_error err = ROLLER_ERR_CRC;
	size_t len = roller_dump_frame(frame, sizeof(frame), small, sizeof(small), &err);

	assert_int_equal(err, ROLLER_OK);
	assert_int_equal(len, strlen(want));
	assert_int_equal(strlen(small), sizeof(small) - 1);
	assert_memory_equal(small, want, sizeof(small) - 1);

	len = roller_dump_frame(frame, 3, small, sizeof(small), &err);
	assert_int_equal(err, ROLLER_ERR_TOO_SHORT);
	assert_int_equal(len, strlen("error TOO_SHORT\n"));
}

static void
test_dump_worst_case_frame_fits_the_documented_bound(void **state)
{
	/* 254 empty unknown records: the longest dump per input byte. */
	uint8_t frame[512];
	static char out[ROLLER_DUMP_FRAME_MAX];
	size_t len;

	frame[0] = 0x10;
	frame[1] = 255;
	frame[2] = frame[3] = 0xff;
	for (size_t i = 4; i < sizeof(frame); i += 2) {
		frame[i] = 0xff;
		frame[i + 1] = 0;
	}
	len = roller_dump_frame(frame, sizeof(frame), out, sizeof(out), NULL);
	assert_true(len < sizeof(out));
	assert_int_equal(out[len], '\0');
	assert_non_null(strstr(out, "unknown type=0xff len=0\n"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_vector_dumps_as_listed),
		cmocka_unit_test(test_dump_reports_error_and_length_when_truncated),
		cmocka_unit_test(test_dump_worst_case_frame_fits_the_documented_bound),
	};

	return cmocka_run_group_tests_name("roller-dump", tests, NULL, NULL);
}
