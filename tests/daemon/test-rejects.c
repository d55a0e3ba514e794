/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * rd-rejects: malformed frames counted by error name, and logged at most
 * once per burst, the next line naming what was only counted.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "daemon/live/rd-rejects.h"

#define ADDRESS "C0:52:4C:00:00:01"
#define T0 (1000 * G_USEC_PER_SEC)

static char *last_message;
static guint n_messages;

static GLogWriterOutput
capture_writer(GLogLevelFlags level, const GLogField *fields, gsize n_fields,
	       gpointer user_data)
{
	for (gsize i = 0; i < n_fields; i++) {
		if (g_str_equal(fields[i].key, "MESSAGE")) {
			g_free(last_message);
			last_message = g_strdup(fields[i].value);
			n_messages++;
		}
	}
	return G_LOG_WRITER_HANDLED;
}

static void
test_counted_by_error_name(void **state)
{
	RdRejects r;
	g_autoptr(GVariant) counts = NULL;
	g_autofree char *text = NULL;

	rd_rejects_init(&r);
	counts = g_variant_ref_sink(rd_rejects_to_variant(r.counts));
	text = g_variant_print(counts, FALSE);
	assert_string_equal(text, "{}");
	g_clear_pointer(&counts, g_variant_unref);
	g_clear_pointer(&text, g_free);

	rd_rejects_add(&r, ADDRESS, ROLLER_ERR_CRC, 20, T0);
	rd_rejects_add(&r, ADDRESS, ROLLER_ERR_TOO_LONG, 514, T0 + 1);
	rd_rejects_add(&r, ADDRESS, ROLLER_ERR_CRC, 20, T0 + 2);
	counts = g_variant_ref_sink(rd_rejects_to_variant(r.counts));
	assert_true(g_variant_is_of_type(counts, G_VARIANT_TYPE("a{su}")));
	text = g_variant_print(counts, FALSE);
	/* In the profile's checking order. */
	assert_string_equal(text, "{'TOO_LONG': 1, 'CRC': 2}");
}

static void
test_logged_once_per_burst(void **state)
{
	RdRejects r;
	gint64 t = T0;

	rd_rejects_init(&r);
	n_messages = 0;
	assert_true(rd_rejects_add(&r, ADDRESS, ROLLER_ERR_VERSION, 30, t));
	assert_int_equal(n_messages, 1);
	assert_non_null(strstr(last_message, ADDRESS));
	assert_non_null(strstr(last_message, "(VERSION, 30 bytes)"));

	/* A flood within the interval: counted, not logged. */
	for (guint i = 0; i < 1000; i++) {
		t += RD_REJECTS_LOG_INTERVAL_US / 2000;
		assert_false(rd_rejects_add(&r, ADDRESS, i % 2 ? ROLLER_ERR_CRC :
					    ROLLER_ERR_VERSION, 30, t));
	}
	assert_int_equal(n_messages, 1);
	assert_int_equal(r.counts[ROLLER_ERR_VERSION], 501);
	assert_int_equal(r.counts[ROLLER_ERR_CRC], 500);

	/* The next burst's first line counts what was only counted. */
	t = T0 + RD_REJECTS_LOG_INTERVAL_US;
	assert_true(rd_rejects_add(&r, ADDRESS, ROLLER_ERR_TRUNCATED, 7, t));
	assert_int_equal(n_messages, 2);
	assert_non_null(strstr(last_message, "rejected 1001 malformed telemetry frames"));
	assert_non_null(strstr(last_message, "(VERSION 500, CRC 500, TRUNCATED 1)"));
	assert_non_null(strstr(last_message, "the last TRUNCATED, 7 bytes"));
	assert_false(rd_rejects_add(&r, ADDRESS, ROLLER_ERR_CRC, 7, t + 1));
	assert_int_equal(n_messages, 2);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_counted_by_error_name),
		cmocka_unit_test(test_logged_once_per_burst),
	};
	int ret;

	g_log_set_writer_func(capture_writer, NULL, NULL);
	ret = cmocka_run_group_tests_name("rd-rejects", tests, NULL, NULL);
	g_free(last_message);
	return ret;
}
