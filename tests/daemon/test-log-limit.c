/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* rd-log-limit: a line a caller can cause goes out at most once per
 * interval, and the next says how many were left out. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "daemon/rd-log-limit.h"

#define T0 (1000 * G_USEC_PER_SEC)

static void
test_first_line_goes_out(void **state)
{
	RdLogLimit limit = { 0 };
	guint skipped = 99;

	assert_true(rd_log_limit_allow(&limit, T0, &skipped));
	assert_int_equal(skipped, 0);
}

static void
test_burst_counted_then_reported(void **state)
{
	RdLogLimit limit = { 0 };
	guint skipped;

	assert_true(rd_log_limit_allow(&limit, T0, &skipped));
	for (guint i = 1; i <= 372; i++)
		assert_false(rd_log_limit_allow(&limit, T0 + i * 1000, &skipped));
	/* Just before the interval ends: still left out. */
	assert_false(rd_log_limit_allow(&limit, T0 + RD_LOG_LIMIT_INTERVAL_US - 1, &skipped));
	assert_true(rd_log_limit_allow(&limit, T0 + RD_LOG_LIMIT_INTERVAL_US, &skipped));
	assert_int_equal(skipped, 373);
	/* The count starts again. */
	assert_true(rd_log_limit_allow(&limit, T0 + 3 * RD_LOG_LIMIT_INTERVAL_US, &skipped));
	assert_int_equal(skipped, 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_first_line_goes_out),
		cmocka_unit_test(test_burst_counted_then_reported),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
