/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * rd-variant: fixed arrays built trusted hold what g_variant_new_fixed_array
 * would, and are refused for element types whose bytes may not be in
 * normal form.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "daemon/dbus/rd-variant.h"

static guint n_criticals;

static GLogWriterOutput
count_criticals(GLogLevelFlags level, const GLogField *fields, gsize n_fields,
		gpointer user_data)
{
	if (level & G_LOG_LEVEL_CRITICAL)
		n_criticals++;
	return G_LOG_WRITER_HANDLED;
}

static void
assert_same_as_glib(const GVariantType *type, gconstpointer elements, gsize n, gsize size)
{
	g_autoptr(GVariant) ours = g_variant_ref_sink(rd_variant_new_fixed_array(type, elements,
										  n, size));
	g_autoptr(GVariant) glib = g_variant_ref_sink(g_variant_new_fixed_array(type, elements,
										 n, size));
	gsize got_n = 0;
	gconstpointer got;

	assert_non_null(ours);
	assert_string_equal(g_variant_get_type_string(ours), g_variant_get_type_string(glib));
	assert_true(g_variant_equal(ours, glib));
	assert_true(g_variant_is_normal_form(ours));
	got = g_variant_get_fixed_array(ours, &got_n, size);
	assert_int_equal(got_n, n);
	if (n)
		assert_memory_equal(got, elements, n * size);
}

static void
test_same_values_as_glib(void **state)
{
	const guint8 passes[80] = { 0, 1, 2, 255, [79] = 7 };
	const guint32 dirs[4] = { 12, 0, G_MAXUINT32, 3 };
	const guint16 trace[3] = { 0, 65535, 400 };
	const gdouble values[2] = { -1.5, 1e300 };

	assert_same_as_glib(G_VARIANT_TYPE_BYTE, passes, G_N_ELEMENTS(passes), 1);
	assert_same_as_glib(G_VARIANT_TYPE_UINT32, dirs, G_N_ELEMENTS(dirs), 4);
	assert_same_as_glib(G_VARIANT_TYPE_UINT16, trace, G_N_ELEMENTS(trace), 2);
	assert_same_as_glib(G_VARIANT_TYPE_DOUBLE, values, G_N_ELEMENTS(values), 8);
	assert_same_as_glib(G_VARIANT_TYPE_BYTE, NULL, 0, 1);
}

/* Trusted values compare by bytes: one byte apart, they differ. */
static void
test_equal_sees_one_byte(void **state)
{
	guint8 a[80], b[80];
	g_autoptr(GVariant) va = NULL, vb = NULL, va2 = NULL;

	for (guint i = 0; i < sizeof(a); i++)
		a[i] = b[i] = (guint8)(i * 7);
	b[79]++;
	va = g_variant_ref_sink(rd_variant_new_fixed_array(G_VARIANT_TYPE_BYTE, a, 80, 1));
	va2 = g_variant_ref_sink(rd_variant_new_fixed_array(G_VARIANT_TYPE_BYTE, a, 80, 1));
	vb = g_variant_ref_sink(rd_variant_new_fixed_array(G_VARIANT_TYPE_BYTE, b, 80, 1));
	assert_true(g_variant_equal(va, va2));
	assert_false(g_variant_equal(va, vb));
}

static void
test_refuses_types_not_always_normal(void **state)
{
	const guint8 two[1] = { 2 };
	const char *const strings[1] = { "x" };

	n_criticals = 0;
	assert_null(rd_variant_new_fixed_array(G_VARIANT_TYPE_BOOLEAN, two, 1, 1));
	assert_null(rd_variant_new_fixed_array(G_VARIANT_TYPE_STRING, strings, 1,
					       sizeof(strings[0])));
	assert_null(rd_variant_new_fixed_array(G_VARIANT_TYPE("(y)"), two, 1, 1));
	/* An element size that is not the type's would not be normal form. */
	assert_null(rd_variant_new_fixed_array(G_VARIANT_TYPE_UINT32, two, 1, 1));
	assert_int_equal(n_criticals, 4);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_same_values_as_glib),
		cmocka_unit_test(test_equal_sees_one_byte),
		cmocka_unit_test(test_refuses_types_not_always_normal),
	};

	g_log_set_writer_func(count_criticals, NULL, NULL);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
