/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* rd-store-import: export's JSON back in, once, all or nothing. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "test-store-util.h"
#include "daemon/store/rd-store-import.h"
#include "daemon/store/rd-store-people.h"

/* Sessions of every source, with notes, on two rollers. */
static void
fill(RdStore *store)
{
	g_auto(GVariantBuilder) notes = G_VARIANT_BUILDER_INIT(G_VARIANT_TYPE_VARDICT);
	RdLiveSessionRow live;
	RdCommitResult result;
	gint64 id;
	g_autoptr(GBytes) merged = test_record_new(200, TEST_START + 40 * DAY, 3, 750, 40);
	g_autoptr(GBytes) unset = test_record_new(201, 0, 4, 750, 41);

	test_fill_history(store);
	test_live_row_init(&live, 200, TEST_START + 40 * DAY + 5, 3, 750, 40, 30);
	assert_true(rd_store_save_live_session(store, &live, &result, &id, NULL));
	test_commit(store, merged, RD_COMMIT_MERGED);
	test_live_row_init(&live, 300, TEST_START + 50 * DAY, 5, 500, 12, 10);
	assert_true(rd_store_save_live_session(store, &live, &result, &id, NULL));
	test_commit(store, unset, RD_COMMIT_INSERTED);
	g_variant_builder_add(&notes, "{sv}", "text", g_variant_new_string("tingling, \"ok\""));
	g_variant_builder_add(&notes, "{sv}", "numbing", g_variant_new_boolean(TRUE));
	assert_true(rd_store_set_notes(store, id, g_variant_builder_end(&notes), NULL));
}

static char *
export_all(RdStore *store)
{
	RdSessionFilter filter = RD_SESSION_FILTER_INIT;
	g_autoptr(GError) error = NULL;
	char *json = NULL;

	assert_true(rd_store_export_sessions(store, &filter, "json", &json, &error));
	return json;
}

/* The export with its ids blanked: ids are the journal's own. */
static char *
without_ids(const char *json)
{
	g_autoptr(GRegex) id = g_regex_new("\"id\" : [0-9]+", 0, 0, NULL);

	return g_regex_replace_literal(id, json, -1, 0, "\"id\" : _", 0, NULL);
}

static void
import_ok(RdStore *store, const char *json, guint expect_imported, guint expect_present)
{
	g_autoptr(GError) error = NULL;
	guint imported = 99, present = 99;

	if (!rd_store_import_json(store, json, strlen(json), &imported, &present, &error))
		fail_msg("import: %s", error->message);
	assert_int_equal(imported, expect_imported);
	assert_int_equal(present, expect_present);
}

static void
test_round_trip_and_twice_is_once(void **state)
{
	TestStoreFixture *f = *state;
	g_autoptr(TestStoreDir) other_dir = test_store_dir_new();
	g_autoptr(RdStore) other = rd_store_open(other_dir->path, NULL);
	g_autofree char *json = NULL, *again = NULL, *a = NULL, *b = NULL;
	guint n;

	fill(f->store);
	n = (guint)test_sql_int(f->store, "SELECT count(*) FROM sessions");
	json = export_all(f->store);
	import_ok(f->store, json, 0, n);	/* all there already */

	import_ok(other, json, n, 0);
	import_ok(other, json, 0, n);
	assert_int_equal(test_sql_int(other, "SELECT count(*) FROM sessions"), n);
	again = export_all(other);
	a = without_ids(json);
	b = without_ids(again);
	assert_string_equal(a, b);
	/* Sources and keys as a sync would have left them. */
	assert_int_equal(test_sql_int(other, "SELECT count(*) FROM sessions WHERE source = 'both' "
				      "AND record_start > 0 AND live_start > 0"), 1);
	assert_int_equal(test_sql_int(other, "SELECT count(*) FROM heads"),
			 test_sql_int(f->store, "SELECT count(*) FROM heads"));
}

static void
expect_refused(RdStore *store, const char *json, const char *mention1, const char *mention2)
{
	g_autoptr(GError) error = NULL;
	guint imported, present;
	gint64 before = test_sql_int(store, "SELECT count(*) FROM sessions");

	assert_false(rd_store_import_json(store, json, strlen(json), &imported, &present, &error));
	assert_true(g_error_matches(error, RD_ERROR, RD_ERROR_INVALID_ARGUMENTS));
	if (!strstr(error->message, mention1) || !strstr(error->message, mention2))
		fail_msg("'%s' does not mention '%s' and '%s'", error->message, mention1, mention2);
	assert_int_equal(test_sql_int(store, "SELECT count(*) FROM sessions"), before);
}

/* Session 2 of @json's array (pretty-printed by export) edited by @edit. */
static char *
edit_second(const char *json, const char *from, const char *to)
{
	const char *second = strstr(strstr(json, "\"id\"") + 1, "\"id\"");
	const char *at = strstr(second, from);
	GString *out = g_string_new_len(json, at - json);

	g_string_append(out, to);
	g_string_append(out, at + strlen(from));
	return g_string_free(out, FALSE);
}

static void
test_bad_input_imports_nothing(void **state)
{
	TestStoreFixture *f = *state;
	g_autoptr(TestStoreDir) other_dir = test_store_dir_new();
	g_autoptr(RdStore) other = rd_store_open(other_dir->path, NULL);
	g_autofree char *json = NULL, *unknown = NULL, *range = NULL, *type = NULL,
		*note = NULL, *area = NULL;

	test_fill_history(f->store);
	json = export_all(f->store);
	unknown = edit_second(json, "\"strokes\"", "\"mood\" : \"ok\",\n    \"strokes\"");
	range = edit_second(json, "\"in_band_permille\" : ", "\"in_band_permille\" : 1");
	type = edit_second(json, "\"clock_set\" : true", "\"clock_set\" : \"yes\"");
	note = edit_second(json, "\"cleaned\" : null", "\"cleaned\" : null, \"mood\" : 1");
	area = edit_second(json, "\"area\" : \"", "\"area\" : \"elbow");

	expect_refused(other, "[{\"id\": 1,", "not the JSON", "");
	expect_refused(other, "{\"sessions\": 3}", "Session 1", "unknown field “sessions”");
	expect_refused(other, unknown, "Session 2 of the file", "unknown field “mood”");
	expect_refused(other, range, "Session 2 of the file", "“in_band_permille” must be 0 to 1000");
	expect_refused(other, type, "Session 2 of the file", "“clock_set”");
	expect_refused(other, note, "Session 2 of the file", "“notes.mood”");
	expect_refused(other, area, "Session 2 of the file", "“area”");
	assert_int_equal(test_sql_int(other, "SELECT count(*) FROM sessions"), 0);
}

static char *
without_person(const char *json)
{
	g_autoptr(GRegex) person = g_regex_new(",\\s*\"person\" : \"[^\"]*\"", 0, 0, NULL);

	return g_regex_replace_literal(person, json, -1, 0, "", 0, NULL);
}

static gint64
person_of_sessions(RdStore *store, const char *name)
{
	g_autofree char *sql = g_strdup_printf("SELECT count(*) FROM sessions JOIN people "
					       "ON people.id = sessions.person_id "
					       "WHERE people.name = '%s'", name);

	return test_sql_int(store, sql);
}

/* A session's person by name: one this journal lacks is refused, not made up. */
static void
test_person_by_name(void **state)
{
	TestStoreFixture *f = *state;
	g_autoptr(TestStoreDir) other_dir = test_store_dir_new();
	g_autoptr(RdStore) other = rd_store_open(other_dir->path, NULL);
	g_autoptr(TestStoreDir) third_dir = test_store_dir_new();
	g_autoptr(RdStore) third = rd_store_open(third_dir->path, NULL);
	g_autofree char *json = NULL, *ann = NULL, *none = NULL;
	RdPersonProps props = { 0 };
	gint64 id;
	guint n;

	test_fill_history(f->store);
	n = (guint)test_sql_int(f->store, "SELECT count(*) FROM sessions");
	json = export_all(f->store);
	assert_non_null(strstr(json, "\"person\" : \"Me\""));
	ann = edit_second(json, "\"person\" : \"Me\"", "\"person\" : \"ann\"");
	none = without_person(json);
	assert_null(strstr(none, "person"));

	expect_refused(other, ann, "Session 2 of the file", "no person called “ann”");
	assert_true(rd_store_add_person(other, "Ann", &props, &id, NULL));
	import_ok(other, ann, n, 0);
	assert_int_equal(person_of_sessions(other, "Ann"), 1);
	assert_int_equal(person_of_sessions(other, "Me"), n - 1);

	/* A session without a person (a file from before people): the default person's. */
	import_ok(third, none, n, 0);
	assert_int_equal(person_of_sessions(third, "Me"), n);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
#define T(name) cmocka_unit_test_setup_teardown(name, test_store_setup, test_store_teardown)
		T(test_round_trip_and_twice_is_once),
		T(test_bad_input_imports_nothing),
		T(test_person_by_name),
#undef T
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
