/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * rollerctl --json: the documented field names (rollerctl(1)) with the
 * values the input or rollerd gives.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "test-rollerctl-util.h"

/* decode needs no rollerd: the canonical dump's fields, an error by its name. */
static void
test_decode(void **state)
{
	TestBus *bus = *state = test_bus_new();
	g_autofree char *input = g_build_filename(test_bus_get_dir(bus), "in.txt", NULL);
	g_autoptr(JsonNode) node = NULL;
	g_auto(Run) r = { 0 };
	JsonArray *inputs, *dump, *values;
	JsonObject *o;

	assert_true(g_file_set_contents(input,
		"frame 10012a00010be80300000a6400c8002c01\n"
		"# a comment, skipped\n"
		"record 2a0000a0236950810b000100e803b400400162026903320028002d002d0003020a"
		"141e28321ee8030400000036014a0122011a41136c\n"
		"frame 10000000ff\n", -1, NULL));
	rollerctl(&r, "decode", "--json", input, NULL);
	assert_int_equal(r.status, 1);	/* the last one is rejected */
	node = parse_json(r.out);
	inputs = expect_array(node);
	assert_int_equal(json_array_get_length(inputs), 3);

	o = expect_object_at(inputs, 0);
	assert_string_equal(json_object_get_string_member(o, "source"), input);
	assert_int_equal(json_object_get_int_member(o, "line"), 1);
	assert_string_equal(json_object_get_string_member(o, "input"), "frame");
	assert_true(json_object_get_null_member(o, "error"));
	dump = json_object_get_array_member(o, "dump");
	assert_int_equal(json_array_get_length(dump), 2);
	o = expect_object_at(dump, 0);
	assert_string_equal(json_object_get_string_member(o, "kind"), "frame");
	assert_int_equal(json_object_get_int_member(o, "seq"), 1);
	assert_int_equal(json_object_get_int_member(o, "session"), 42);
	assert_false(json_object_get_boolean_member(o, "crc"));
	o = expect_object_at(dump, 1);
	assert_string_equal(json_object_get_string_member(o, "kind"), "force");
	assert_int_equal(json_object_get_int_member(o, "t"), 1000);
	assert_int_equal(json_object_get_int_member(o, "period"), 10);
	values = json_object_get_array_member(o, "values");
	assert_int_equal(json_array_get_length(values), 3);
	assert_int_equal(json_array_get_int_element(values, 2), 300);

	o = expect_object_at(inputs, 1);
	assert_int_equal(json_object_get_int_member(o, "line"), 3);
	assert_string_equal(json_object_get_string_member(o, "input"), "record");
	dump = json_object_get_array_member(o, "dump");
	assert_int_equal(json_array_get_length(dump), 3);
	o = expect_object_at(dump, 0);
	assert_string_equal(json_object_get_string_member(o, "kind"), "record");
	assert_int_equal(json_object_get_int_member(o, "id"), 42);
	assert_int_equal(json_object_get_int_member(o, "inband"), 873);
	assert_int_equal(json_array_get_int_element(json_object_get_array_member(o, "dirs"), 3), 45);
	o = expect_object_at(dump, 1);
	assert_string_equal(json_object_get_string_member(o, "kind"), "coverage");
	assert_int_equal(json_object_get_int_member(o, "cols"), 3);
	assert_int_equal(json_object_get_int_member(o, "rows"), 2);
	assert_int_equal(json_array_get_length(json_object_get_array_member(o, "values")), 6);
	o = expect_object_at(dump, 2);
	assert_string_equal(json_object_get_string_member(o, "kind"), "trace");
	assert_int_equal(json_array_get_int_element(json_object_get_array_member(o, "values"), 1),
			 310);

	o = expect_object_at(inputs, 2);
	assert_string_equal(json_object_get_string_member(o, "error"), "TRUNCATED");
	assert_int_equal(json_array_get_length(json_object_get_array_member(o, "dump")), 0);
}

static int
teardown_bus(void **state)
{
	if (*state)
		test_bus_free(*state);
	return 0;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_decode, teardown_bus),
	};

	return cmocka_run_group_tests_name("rollerctl --json", tests, NULL, NULL);
}
