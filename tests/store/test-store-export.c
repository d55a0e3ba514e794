/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* rd-store's export: JSON parsed back with json-glib, CSV by RFC 4180. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <json-glib/json-glib.h>

#include "daemon/store/rd-store-db.h"
#include "test-store-util.h"

static const char tricky_text[] = "stung, then \"fine\"\nnext day: ok";

static gint64
session_with_notes(RdStore *store)
{
	g_autoptr(GBytes) rec = test_record_new(100, TEST_START - DAY, 7, 500, 10);
	g_auto(GVariantBuilder) bld = G_VARIANT_BUILDER_INIT(G_VARIANT_TYPE_VARDICT);
	gint64 id = test_commit(store, rec, RD_COMMIT_INSERTED);

	g_variant_builder_add(&bld, "{sv}", "text", g_variant_new_string(tricky_text));
	g_variant_builder_add(&bld, "{sv}", "cleaned", g_variant_new_boolean(TRUE));
	assert_true(rd_store_set_notes(store, id, g_variant_builder_end(&bld), NULL));
	return id;
}

static void
test_export_json_parses_back(void **state)
{
	TestStoreFixture *f = *state;
	g_autoptr(JsonParser) parser = json_parser_new();
	g_autoptr(GError) error = NULL;
	g_autofree char *one = NULL;
	g_autofree char *many = NULL;
	RdSessionFilter filter = RD_SESSION_FILTER_INIT;
	gint64 id = session_with_notes(f->store);
	JsonObject *o, *notes, *trace;
	JsonArray *arr;

	assert_true(rd_store_export_session(f->store, id, "json", &one, &error));
	assert_true(json_parser_load_from_data(parser, one, -1, &error));
	o = json_node_get_object(json_parser_get_root(parser));
	assert_int_equal(json_object_get_int_member(o, "id"), id);
	assert_string_equal(json_object_get_string_member(o, "roller"), TEST_SERIAL);
	assert_string_equal(json_object_get_string_member(o, "area"), "face");
	assert_int_equal(json_object_get_int_member(o, "start"), TEST_START - DAY);
	assert_true(json_object_get_boolean_member(o, "clock_set"));
	assert_int_equal(json_object_get_int_member(o, "strokes"), 10);
	assert_string_equal(json_object_get_string_member(o, "source"), "synced");
	assert_int_equal(json_array_get_length(json_object_get_array_member(o, "directions")), 4);
	assert_int_equal(json_array_get_length(json_object_get_array_member(o, "passes")), 12);
	trace = json_object_get_object_member(o, "trace");
	assert_int_equal(json_object_get_int_member(trace, "period_ms"), 1000);
	arr = json_object_get_array_member(trace, "values");
	assert_int_equal(json_array_get_int_element(arr, 9), 109);
	notes = json_object_get_object_member(o, "notes");
	assert_string_equal(json_object_get_string_member(notes, "text"), tricky_text);
	assert_true(json_object_get_boolean_member(notes, "cleaned"));
	assert_true(json_object_get_null_member(notes, "topical"));

	test_fill_history(f->store);
	filter.roller = "RL-OTHER";
	assert_true(rd_store_export_sessions(f->store, &filter, "json", &many, &error));
	assert_true(json_parser_load_from_data(parser, many, -1, &error));
	assert_int_equal(json_array_get_length(json_node_get_array(json_parser_get_root(parser))), 15);

	g_clear_pointer(&one, g_free);
	assert_false(rd_store_export_session(f->store, id, "xml", &one, &error));
	assert_true(g_error_matches(error, RD_ERROR, RD_ERROR_INVALID_ARGUMENTS));
}

/* RFC 4180 as the test reads it: rows of fields, CRLF, quotes doubled. */
static GPtrArray *
parse_csv(const char *text)
{
	GPtrArray *rows = g_ptr_array_new_with_free_func((GDestroyNotify)g_ptr_array_unref);
	GPtrArray *row = g_ptr_array_new_with_free_func(g_free);
	GString *field = g_string_new(NULL);
	const char *p = text;

	while (*p) {
		if (*p == '"') {
			for (p++; *p && !(*p == '"' && p[1] != '"'); p++) {
				if (*p == '"')
					p++;
				g_string_append_c(field, *p);
			}
			assert_true(*p == '"');
			p++;
		} else if (*p == ',') {
			g_ptr_array_add(row, g_string_free(field, FALSE));
			field = g_string_new(NULL);
			p++;
		} else if (*p == '\r') {
			assert_true(p[1] == '\n');
			g_ptr_array_add(row, g_string_free(field, FALSE));
			field = g_string_new(NULL);
			g_ptr_array_add(rows, row);
			row = g_ptr_array_new_with_free_func(g_free);
			p += 2;
		} else {
			assert_true(*p != '\n');	/* bare LF only inside quotes */
			g_string_append_c(field, *p++);
		}
	}
	assert_int_equal(field->len, 0);
	assert_int_equal(row->len, 0);
	g_string_free(field, TRUE);
	g_ptr_array_unref(row);
	return rows;
}

static const char *
csv_get(GPtrArray *rows, guint r, const char *name)
{
	GPtrArray *header = g_ptr_array_index(rows, 0);

	for (guint i = 0; i < header->len; i++) {
		if (g_str_equal(g_ptr_array_index(header, i), name))
			return g_ptr_array_index((GPtrArray *)g_ptr_array_index(rows, r), i);
	}
	fail_msg("no CSV column %s", name);
	return NULL;
}

static void
test_export_csv_parses_back(void **state)
{
	TestStoreFixture *f = *state;
	g_autoptr(GError) error = NULL;
	g_autofree char *one = NULL;
	g_autofree char *many = NULL;
	g_autoptr(GPtrArray) rows = NULL;
	g_autoptr(GPtrArray) all = NULL;
	RdSessionFilter filter = RD_SESSION_FILTER_INIT;
	gint64 id = session_with_notes(f->store);

	assert_true(rd_store_export_session(f->store, id, "csv", &one, &error));
	rows = parse_csv(one);
	assert_int_equal(rows->len, 2);
	for (guint r = 1; r < rows->len; r++)
		assert_int_equal(((GPtrArray *)g_ptr_array_index(rows, r))->len,
				 ((GPtrArray *)g_ptr_array_index(rows, 0))->len);
	assert_string_equal(csv_get(rows, 1, "roller"), TEST_SERIAL);
	assert_string_equal(csv_get(rows, 1, "area"), "face");
	assert_string_equal(csv_get(rows, 1, "clock_set"), "true");
	assert_string_equal(csv_get(rows, 1, "strokes"), "10");
	assert_string_equal(csv_get(rows, 1, "directions"), "4 2 2 2");
	assert_string_equal(csv_get(rows, 1, "passes"), "1 2 3 4 5 6 7 1 2 3 4 5");
	assert_string_equal(csv_get(rows, 1, "notes_text"), tricky_text);
	assert_string_equal(csv_get(rows, 1, "notes_cleaned"), "true");
	assert_string_equal(csv_get(rows, 1, "notes_numbing"), "");

	test_fill_history(f->store);
	assert_true(rd_store_export_sessions(f->store, &filter, "csv", &many, &error));
	all = parse_csv(many);
	assert_int_equal(all->len, 1 + 31);	/* no limit unless one is given */
}

static void
test_export_rejects_unknown_format_and_id(void **state)
{
	TestStoreFixture *f = *state;
	RdSessionFilter filter = RD_SESSION_FILTER_INIT;
	g_autoptr(GError) error = NULL;
	char *out = NULL;

	assert_false(rd_store_export_sessions(f->store, &filter, "xml", &out, &error));
	assert_true(g_error_matches(error, RD_ERROR, RD_ERROR_INVALID_ARGUMENTS));
	assert_non_null(strstr(error->message, "xml"));
	g_clear_error(&error);
	assert_false(rd_store_export_session(f->store, 12345, "csv", &out, &error));
	assert_true(g_error_matches(error, RD_ERROR, RD_ERROR_NOT_FOUND));
	assert_null(out);
}

static void
test_export_sessions_honours_limit(void **state)
{
	TestStoreFixture *f = *state;
	RdSessionFilter filter = RD_SESSION_FILTER_INIT;
	g_autoptr(JsonParser) parser = json_parser_new();
	g_autoptr(GError) error = NULL;
	g_autofree char *page = NULL;
	JsonArray *arr;

	test_fill_history(f->store);
	filter.limit = 5;
	filter.offset = 2;
	assert_true(rd_store_export_sessions(f->store, &filter, "json", &page, &error));
	assert_true(json_parser_load_from_data(parser, page, -1, &error));
	arr = json_node_get_array(json_parser_get_root(parser));
	assert_int_equal(json_array_get_length(arr), 5);
	/* Newest first, as QuerySessions: day 29 and 28 skipped. */
	assert_int_equal(json_object_get_int_member(json_array_get_object_element(arr, 0), "start"),
			 TEST_START + 27 * DAY);
}

/* Start in ISO 8601 with rollerd's offset, the UTC seconds kept beside it. */
static void
test_export_csv_dates_with_offset(void **state)
{
	static const struct {
		const char *tz;
		const char *expect;
	} zones[] = {
		{ "UTC0", "2025-12-31T00:00:00+00:00" },
		{ "CET-1", "2025-12-31T01:00:00+01:00" },
		{ "XST+5:30", "2025-12-30T18:30:00-05:30" },
	};
	TestStoreFixture *f = *state;
	gint64 id = session_with_notes(f->store);

	for (gsize i = 0; i < G_N_ELEMENTS(zones); i++) {
		g_autoptr(GError) error = NULL;
		g_autofree char *csv = NULL;
		g_autoptr(GPtrArray) rows = NULL;

		g_setenv("TZ", zones[i].tz, TRUE);
		assert_true(rd_store_export_session(f->store, id, "csv", &csv, &error));
		rows = parse_csv(csv);
		assert_string_equal(csv_get(rows, 1, "start_time"), zones[i].expect);
		assert_int_equal(g_ascii_strtoll(csv_get(rows, 1, "start"), NULL, 10),
				 TEST_START - DAY);
	}
	g_unsetenv("TZ");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
#define T(name) cmocka_unit_test_setup_teardown(name, test_store_setup, test_store_teardown)
		T(test_export_json_parses_back),
		T(test_export_csv_parses_back),
		T(test_export_csv_dates_with_offset),
		T(test_export_rejects_unknown_format_and_id),
		T(test_export_sessions_honours_limit),
#undef T
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
