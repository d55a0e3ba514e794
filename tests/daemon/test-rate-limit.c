/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* LiveUpdate's pace, as arithmetic: when the next update may go out. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "daemon/live/rd-rate-limit.h"

#define MS 1000

static void
test_first_goes_at_once(void **state)
{
	RdRateLimit r;

	rd_rate_limit_init(&r, 10);
	assert_true(rd_rate_limit_next(&r, 5 * MS) == 5 * MS);
	assert_int_equal(rd_rate_limit_delay_ms(&r, 5 * MS), 0);
}

/* 100 frames a second at 10 Hz: one update a slot, never two in one. */
static void
test_evenly_spaced(void **state)
{
	RdRateLimit r;
	gint64 last = -1;
	guint sent = 0;

	rd_rate_limit_init(&r, 10);
	for (gint64 now = 1000 * MS; now < 2000 * MS; now += 10 * MS) {
		if (rd_rate_limit_next(&r, now) > now)
			continue;
		if (last >= 0)
			assert_true(now - last >= 100 * MS);
		rd_rate_limit_sent(&r, now);
		last = now;
		sent++;
	}
	assert_int_equal(sent, 10);
}

/* Wanted early, an update waits for its slot; the timer is rounded up. */
static void
test_waits_for_its_slot(void **state)
{
	RdRateLimit r;

	rd_rate_limit_init(&r, 10);
	rd_rate_limit_sent(&r, 1000 * MS);
	assert_true(rd_rate_limit_next(&r, 1030 * MS) == 1100 * MS);
	assert_int_equal(rd_rate_limit_delay_ms(&r, 1030 * MS), 70);
	assert_int_equal(rd_rate_limit_delay_ms(&r, 1030 * MS + 1), 70);
	assert_int_equal(rd_rate_limit_delay_ms(&r, 1030 * MS + 999), 70);
	assert_true(rd_rate_limit_next(&r, 1100 * MS) == 1100 * MS);
	/* Late is fine: the slot counts from when it really went. */
	assert_true(rd_rate_limit_next(&r, 1500 * MS) == 1500 * MS);
	rd_rate_limit_sent(&r, 1500 * MS);
	assert_true(rd_rate_limit_next(&r, 1501 * MS) == 1600 * MS);
}

static void
test_rates(void **state)
{
	RdRateLimit r;

	rd_rate_limit_init(&r, 60);
	rd_rate_limit_sent(&r, 0);
	assert_true(rd_rate_limit_next(&r, 1) == G_USEC_PER_SEC / 60);
	rd_rate_limit_init(&r, 0);
	rd_rate_limit_sent(&r, 0);
	assert_true(rd_rate_limit_next(&r, 1) == G_USEC_PER_SEC);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_first_goes_at_once),
		cmocka_unit_test(test_evenly_spaced),
		cmocka_unit_test(test_waits_for_its_slot),
		cmocka_unit_test(test_rates),
	};

	return cmocka_run_group_tests_name("rd-rate-limit", tests, NULL, NULL);
}
