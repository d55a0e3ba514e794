/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * People in the store: adding, naming rules, removal that loses nothing,
 * whose sessions are whose (live, synced, merged, moved), the plan and
 * the query per person, and the due events of reminders.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "roller-record.h"
#include "daemon/store/rd-store-db.h"
#include "daemon/store/rd-store-people.h"
#include "daemon/store/rd-store-reminders.h"
#include "test-store-util.h"

static gint64
add(RdStore *store, const char *name)
{
	g_autoptr(GError) error = NULL;
	gint64 id = 0;

	if (!rd_store_add_person(store, name, NULL, &id, &error))
		fail_msg("add %s: %s", name, error->message);
	return id;
}

static void
assert_add_refused(RdStore *store, const char *name, const char *mentions)
{
	g_autoptr(GError) error = NULL;

	assert_false(rd_store_add_person(store, name, NULL, NULL, &error));
	assert_true(g_error_matches(error, RD_ERROR, RD_ERROR_INVALID_ARGUMENTS));
	if (!strstr(error->message, mentions))
		fail_msg("“%s” does not say “%s”", error->message, mentions);
}

/* A record of @person committed as the sync does; its session id. */
static gint64
commit_for(RdStore *store, GBytes *bytes, gint64 person, RdCommitResult expect)
{
	g_autoptr(GError) error = NULL;
	struct roller_stored_record rec;
	RdCommitResult result;
	gint64 id;

	test_record_decode(bytes, &rec);
	if (!rd_store_commit_record(store, TEST_SERIAL, TEST_ADDRESS, &rec, person, &result,
				    &id, &error))
		fail_msg("commit: %s", error->message);
	assert_int_equal(result, expect);
	return id;
}

static gint64
session_person(RdStore *store, gint64 id)
{
	g_autoptr(RdSession) s = NULL;
	g_autoptr(GError) error = NULL;

	if (!rd_store_get_session(store, id, &s, &error))
		fail_msg("get %" G_GINT64_FORMAT ": %s", id, error->message);
	return s->summary.person_id;
}

static void
test_default_person_and_adding(void **state)
{
	TestStoreFixture *f = *state;
	static const guint8 areas[] = { 7, 1 };
	RdPersonProps props = { .notes = "prefers 0.5 mm", .set_defaults = TRUE,
				.needle_um = 500, .areas = areas, .n_areas = 2 };
	g_autoptr(GPtrArray) people = NULL;
	g_autoptr(RdPerson) p = NULL;
	g_autoptr(GError) error = NULL;
	gint64 anna, found;

	assert_true(rd_store_list_people(f->store, &people, &error));
	assert_int_equal(people->len, 1);
	p = g_ptr_array_steal_index(people, 0);
	assert_int_equal(p->id, RD_PERSON_DEFAULT_ID);
	assert_string_equal(p->name, RD_PERSON_DEFAULT_NAME);
	g_clear_pointer(&p, rd_person_free);

	assert_true(rd_store_add_person(f->store, "  Anna Åberg ", &props, &anna, &error));
	assert_true(rd_store_get_person(f->store, anna, &p, &error));
	assert_string_equal(p->name, "Anna Åberg");	/* trimmed */
	assert_string_equal(p->notes, "prefers 0.5 mm");
	assert_int_equal(p->needle_um, 500);
	assert_int_equal(p->areas->len, 2);
	assert_int_equal(p->areas->data[0], 7);
	assert_true(rd_store_find_person(f->store, "ANNA åBERG", &found, &error));
	assert_int_equal(found, anna);
	assert_false(rd_store_find_person(f->store, "Nobody", &found, &error));
	assert_true(g_error_matches(error, RD_ERROR, RD_ERROR_NOT_FOUND));
}

static void
test_names_are_checked(void **state)
{
	TestStoreFixture *f = *state;
	g_autofree char *long_name = g_strnfill(RD_PERSON_NAME_MAX + 1, 'x');
	g_autofree char *max_name = g_strnfill(RD_PERSON_NAME_MAX, 'x');
	g_autofree char *long_notes = g_strnfill(RD_PERSON_NOTES_MAX + 1, 'n');
	RdPersonProps props = { .notes = long_notes };
	static const guint8 many[RD_PERSON_AREAS_MAX + 1];
	RdPersonProps too_many = { .set_defaults = TRUE, .areas = many,
				   .n_areas = G_N_ELEMENTS(many) };
	RdPersonProps long_needle = { .set_defaults = TRUE, .needle_um = 10001 };
	g_autoptr(GError) error = NULL;
	gint64 bob;

	assert_add_refused(f->store, "", "empty");
	assert_add_refused(f->store, "   ", "empty");
	assert_add_refused(f->store, long_name, "at most");
	assert_add_refused(f->store, "tab\there", "control");
	assert_add_refused(f->store, "\xff\xfe", "UTF-8");
	assert_add_refused(f->store, "me", "already");	/* the default, any case */
	add(f->store, max_name);
	bob = add(f->store, "Bob");
	assert_add_refused(f->store, "BOB", "already");
	assert_add_refused(f->store, "ｂｏｂ", "already");	/* NFKC: fullwidth */

	assert_false(rd_store_add_person(f->store, "Carl", &props, NULL, &error));
	assert_true(g_error_matches(error, RD_ERROR, RD_ERROR_INVALID_ARGUMENTS));
	g_clear_error(&error);
	assert_false(rd_store_add_person(f->store, "Carl", &too_many, NULL, &error));
	assert_true(g_error_matches(error, RD_ERROR, RD_ERROR_INVALID_ARGUMENTS));
	g_clear_error(&error);
	assert_false(rd_store_add_person(f->store, "Carl", &long_needle, NULL, &error));
	assert_true(g_error_matches(error, RD_ERROR, RD_ERROR_INVALID_ARGUMENTS));
	g_clear_error(&error);

	/* Renaming keeps the rules; a person may change their name's case. */
	assert_false(rd_store_rename_person(f->store, bob, "ME", &error));
	assert_true(g_error_matches(error, RD_ERROR, RD_ERROR_INVALID_ARGUMENTS));
	g_clear_error(&error);
	assert_true(rd_store_rename_person(f->store, bob, "BOB", &error));
	assert_false(rd_store_rename_person(f->store, 999, "Zed", &error));
	assert_true(g_error_matches(error, RD_ERROR, RD_ERROR_NOT_FOUND));
	assert_int_equal(test_sql_int(f->store, "SELECT count(*) FROM people"), 3);
}

static void
test_removal_loses_nothing(void **state)
{
	TestStoreFixture *f = *state;
	g_autoptr(GBytes) rec = test_record_new(1, TEST_START, 7, 500, 10);
	g_autoptr(GError) error = NULL;
	gint64 anna = add(f->store, "Anna"), bob = add(f->store, "Bob");
	gint64 id = commit_for(f->store, rec, anna, RD_COMMIT_INSERTED);

	assert_false(rd_store_remove_person(f->store, anna, &error));
	assert_true(g_error_matches(error, RD_ERROR, RD_ERROR_FAILED));
	assert_non_null(strstr(error->message, "1 session"));
	g_clear_error(&error);
	assert_false(rd_store_remove_person(f->store, RD_PERSON_DEFAULT_ID, &error));
	assert_non_null(strstr(error->message, "default"));
	g_clear_error(&error);

	/* Moved, the sessions stay; then the person may go. */
	assert_true(rd_store_set_session_person(f->store, id, bob, &error));
	assert_int_equal(session_person(f->store, id), bob);
	assert_true(rd_store_remove_person(f->store, anna, &error));
	assert_false(rd_store_remove_person(f->store, anna, &error));
	assert_true(g_error_matches(error, RD_ERROR, RD_ERROR_NOT_FOUND));
	g_clear_error(&error);
	assert_false(rd_store_set_session_person(f->store, id, anna, &error));
	assert_true(g_error_matches(error, RD_ERROR, RD_ERROR_NOT_FOUND));
	g_clear_error(&error);
	assert_false(rd_store_set_session_person(f->store, 999, bob, &error));
	assert_true(g_error_matches(error, RD_ERROR, RD_ERROR_NOT_FOUND));
	assert_int_equal(test_sql_int(f->store, "SELECT count(*) FROM sessions"), 1);
	/* The database refuses it too, whatever the code above does. */
	assert_int_equal(sqlite3_exec(rd_store_get_db(f->store)->sqlite,
				      "DELETE FROM people WHERE name = 'Bob'", NULL, NULL, NULL) & 0xff,
			 SQLITE_CONSTRAINT);
}

/*
 * A synced record is the person's whose live session it was; one whose
 * session rollerd did not see is the roller's current person's.
 */
static void
test_records_go_to_the_live_sessions_person(void **state)
{
	TestStoreFixture *f = *state;
	gint64 anna = add(f->store, "Anna"), bob = add(f->store, "Bob");
	g_autoptr(GBytes) r1 = test_record_new(1, TEST_START, 7, 500, 100);
	g_autoptr(GBytes) r2 = test_record_new(2, TEST_START + DAY, 7, 500, 100);
	g_autoptr(GBytes) r3 = test_record_new(3, TEST_START + 2 * DAY, 7, 500, 100);
	g_autoptr(GError) error = NULL;
	RdLiveSessionRow row;
	RdCommitResult result;
	gint64 live1, live2, id;

	test_live_row_init(&row, 1, TEST_START, 7, 500, 100, 10);
	row.person_id = anna;
	assert_true(rd_store_save_live_session(f->store, &row, &result, &live1, &error));
	test_live_row_init(&row, 2, TEST_START + DAY, 7, 500, 100, 10);
	row.person_id = bob;
	assert_true(rd_store_save_live_session(f->store, &row, &result, &live2, &error));

	/* The sync runs while Bob is the roller's person: Anna's stays hers. */
	assert_int_equal(commit_for(f->store, r1, bob, RD_COMMIT_MERGED), live1);
	assert_int_equal(commit_for(f->store, r2, bob, RD_COMMIT_MERGED), live2);
	id = commit_for(f->store, r3, bob, RD_COMMIT_INSERTED);
	assert_int_equal(session_person(f->store, live1), anna);
	assert_int_equal(session_person(f->store, live2), bob);
	assert_int_equal(session_person(f->store, id), bob);

	/* Synced first, live after: the live session knows whose it was. */
	g_clear_pointer(&r1, g_bytes_unref);
	r1 = test_record_new(4, TEST_START + 3 * DAY, 7, 500, 100);
	id = commit_for(f->store, r1, bob, RD_COMMIT_INSERTED);
	test_live_row_init(&row, 4, TEST_START + 3 * DAY, 7, 500, 100, 10);
	row.person_id = anna;
	assert_true(rd_store_save_live_session(f->store, &row, &result, &live1, &error));
	assert_int_equal(result, RD_COMMIT_MERGED);
	assert_int_equal(live1, id);
	assert_int_equal(session_person(f->store, id), anna);
	/* No person given: the default one's. */
	g_clear_pointer(&r1, g_bytes_unref);
	r1 = test_record_new(5, TEST_START + 4 * DAY, 7, 500, 100);
	id = commit_for(f->store, r1, 0, RD_COMMIT_INSERTED);
	assert_int_equal(session_person(f->store, id), RD_PERSON_DEFAULT_ID);
}

static void
test_query_and_plan_per_person(void **state)
{
	TestStoreFixture *f = *state;
	static const RdPlanBand bands[] = { { 500, 7 }, { 1000, 28 } };
	RdPlanConfig config = { bands, G_N_ELEMENTS(bands) };
	static const guint8 face_only[] = { 7 };
	RdPersonProps props = { .set_defaults = TRUE, .needle_um = 1000, .areas = face_only,
				.n_areas = 1 };
	RdSessionFilter filter = RD_SESSION_FILTER_INIT;
	g_autoptr(GPtrArray) rows = NULL;
	g_autoptr(GPtrArray) plan = NULL;
	g_autoptr(GError) error = NULL;
	g_autoptr(GBytes) a1 = test_record_new(1, TEST_START, 7, 500, 10);
	g_autoptr(GBytes) b1 = test_record_new(2, TEST_START + 5 * DAY, 7, 1000, 10);
	g_autoptr(GBytes) b2 = test_record_new(3, TEST_START + 6 * DAY, 2, 0, 10);
	const RdPlanArea *area;
	gint64 anna = add(f->store, "Anna"), bob;

	assert_true(rd_store_add_person(f->store, "Bob", &props, &bob, &error));
	commit_for(f->store, a1, anna, RD_COMMIT_INSERTED);
	commit_for(f->store, b1, bob, RD_COMMIT_INSERTED);
	commit_for(f->store, b2, bob, RD_COMMIT_INSERTED);

	filter.person_id = anna;
	assert_true(rd_store_query_sessions(f->store, &filter, &rows, &error));
	assert_int_equal(rows->len, 1);
	assert_string_equal(((RdSessionSummary *)rows->pdata[0])->person_name, "Anna");
	g_clear_pointer(&rows, g_ptr_array_unref);
	filter.person_id = bob;
	filter.area_id = 7;
	assert_true(rd_store_query_sessions(f->store, &filter, &rows, &error));
	assert_int_equal(rows->len, 1);
	assert_int_equal(((RdSessionSummary *)rows->pdata[0])->record_id, 2);

	/* Face for each, by their own last session; Bob's areas are his. */
	assert_true(rd_store_treatment_plan(f->store, &config, bob, &plan, &error));
	assert_int_equal(plan->len, 2);	/* face (his area), thighs (a session) */
	area = plan->pdata[0];
	assert_int_equal(area->area_id, 2);
	assert_int_equal(area->min_interval_days, 28);	/* needle unknown: his default */
	area = plan->pdata[1];
	assert_int_equal(area->area_id, 7);
	assert_int_equal(area->sessions, 1);
	assert_int_equal(area->next_due, TEST_START + 5 * DAY + 28 * DAY);
	assert_string_equal(area->person_name, "Bob");
	g_clear_pointer(&plan, g_ptr_array_unref);

	assert_true(rd_store_treatment_plan(f->store, &config, 0, &plan, &error));
	assert_int_equal(plan->len, 10 + 2 + 10);	/* Anna, Bob, Me by name */
	area = plan->pdata[6];
	assert_string_equal(area->person_name, "Anna");
	assert_int_equal(area->area_id, 7);
	assert_int_equal(area->next_due, TEST_START + 7 * DAY);
	area = plan->pdata[12 + 6];
	assert_string_equal(area->person_name, RD_PERSON_DEFAULT_NAME);
	assert_int_equal(area->sessions, 0);
}

static GPtrArray *
due_at(RdStore *store, const RdPlanConfig *config, guint per_head, gint64 now, gint64 *next)
{
	g_autoptr(GError) error = NULL;
	GPtrArray *due = NULL;

	if (!rd_store_due_reminders(store, config, per_head, now, &due, next, &error))
		fail_msg("due: %s", error->message);
	return due;
}

static void
test_due_events_are_remembered(void **state)
{
	TestStoreFixture *f = *state;
	static const RdPlanBand bands[] = { { 500, 7 } };
	RdPlanConfig config = { bands, G_N_ELEMENTS(bands) };
	g_autoptr(GBytes) a1 = test_record_new(1, TEST_START, 7, 500, 10);
	g_autoptr(GBytes) a2 = test_record_new(2, TEST_START + 2 * DAY, 1, 500, 10);
	g_autoptr(GPtrArray) due = NULL;
	g_autoptr(GPtrArray) plan = NULL;
	g_autoptr(GError) error = NULL;
	const RdReminder *r;
	gint64 anna = add(f->store, "Anna"), next;

	commit_for(f->store, a1, anna, RD_COMMIT_INSERTED);
	commit_for(f->store, a2, anna, RD_COMMIT_INSERTED);
	due = due_at(f->store, &config, 0, TEST_START + 7 * DAY - 1, &next);
	assert_int_equal(due->len, 0);
	assert_int_equal(next, TEST_START + 7 * DAY);
	g_clear_pointer(&due, g_ptr_array_unref);

	due = due_at(f->store, &config, 0, TEST_START + 7 * DAY, &next);
	assert_int_equal(due->len, 1);
	assert_int_equal(next, TEST_START + 9 * DAY);
	r = due->pdata[0];
	assert_int_equal(r->kind, RD_REMINDER_AREA_DUE);
	assert_string_equal(r->person_name, "Anna");
	assert_false(r->sent);
	assert_non_null(strstr(r->message, "face is due"));
	assert_true(rd_store_mark_reminded(f->store, r, TEST_START + 7 * DAY, &error));
	assert_true(rd_store_mark_reminded(f->store, r, TEST_START + 7 * DAY, &error));
	g_clear_pointer(&due, g_ptr_array_unref);

	/* Sent once: still due, no longer news; the plan says both. */
	due = due_at(f->store, &config, 0, TEST_START + 8 * DAY, &next);
	assert_int_equal(due->len, 1);
	assert_true(((RdReminder *)due->pdata[0])->sent);
	assert_true(rd_store_treatment_plan(f->store, &config, anna, &plan, &error));
	assert_true(((RdPlanArea *)plan->pdata[6])->reminded);
	assert_false(((RdPlanArea *)plan->pdata[0])->reminded);
	g_clear_pointer(&due, g_ptr_array_unref);

	/* A new session on the face makes a new event, a week on. */
	g_clear_pointer(&a1, g_bytes_unref);
	a1 = test_record_new(3, TEST_START + 8 * DAY, 7, 500, 10);
	commit_for(f->store, a1, anna, RD_COMMIT_INSERTED);
	due = due_at(f->store, &config, 0, TEST_START + 15 * DAY - 1, &next);
	assert_int_equal(due->len, 1);	/* the abdomen, never reminded */
	assert_int_equal(((RdReminder *)due->pdata[0])->subject, 1);
	assert_int_equal(next, TEST_START + 15 * DAY);
	g_clear_pointer(&due, g_ptr_array_unref);
	due = due_at(f->store, &config, 0, TEST_START + 15 * DAY, &next);
	assert_int_equal(due->len, 2);
	for (guint i = 0; i < due->len; i++)
		assert_false(((RdReminder *)due->pdata[i])->sent);
}

static void
test_worn_head_is_one_event(void **state)
{
	TestStoreFixture *f = *state;
	static const RdPlanBand bands[] = { { 500, 365 } };	/* no area due */
	RdPlanConfig config = { bands, G_N_ELEMENTS(bands) };
	g_autoptr(GPtrArray) due = NULL;
	g_autoptr(GError) error = NULL;
	const RdReminder *r;
	gint64 bob = add(f->store, "Bob"), next;

	for (guint i = 1; i <= 3; i++) {
		g_autoptr(GBytes) rec = test_record_new((guint16)i, TEST_START + i * DAY, 7, 500, 10);

		commit_for(f->store, rec, i == 3 ? bob : RD_PERSON_DEFAULT_ID, RD_COMMIT_INSERTED);
	}
	due = due_at(f->store, &config, 4, TEST_START + 10 * DAY, &next);
	assert_int_equal(due->len, 0);
	g_clear_pointer(&due, g_ptr_array_unref);
	due = due_at(f->store, &config, 3, TEST_START + 10 * DAY, &next);
	assert_int_equal(due->len, 1);
	r = due->pdata[0];
	assert_int_equal(r->kind, RD_REMINDER_HEAD_WORN);
	assert_string_equal(r->person_name, "Bob");	/* the last session's */
	assert_non_null(strstr(r->message, "3 sessions"));
	assert_true(rd_store_mark_reminded(f->store, r, TEST_START, &error));
	g_clear_pointer(&due, g_ptr_array_unref);
	due = due_at(f->store, &config, 3, TEST_START + 10 * DAY, &next);
	assert_true(((RdReminder *)due->pdata[0])->sent);
	g_clear_pointer(&due, g_ptr_array_unref);

	/* A new head is a new event, once it wears in turn. */
	assert_true(rd_store_note_head_changed(f->store, TEST_SERIAL, 500, TEST_START + 5 * DAY,
					       &error));
	due = due_at(f->store, &config, 3, TEST_START + 10 * DAY, &next);
	assert_int_equal(due->len, 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_default_person_and_adding, test_store_setup,
						test_store_teardown),
		cmocka_unit_test_setup_teardown(test_names_are_checked, test_store_setup,
						test_store_teardown),
		cmocka_unit_test_setup_teardown(test_removal_loses_nothing, test_store_setup,
						test_store_teardown),
		cmocka_unit_test_setup_teardown(test_records_go_to_the_live_sessions_person,
						test_store_setup, test_store_teardown),
		cmocka_unit_test_setup_teardown(test_query_and_plan_per_person, test_store_setup,
						test_store_teardown),
		cmocka_unit_test_setup_teardown(test_due_events_are_remembered, test_store_setup,
						test_store_teardown),
		cmocka_unit_test_setup_teardown(test_worn_head_is_one_event, test_store_setup,
						test_store_teardown),
	};

	return cmocka_run_group_tests_name("rd-store-people", tests, NULL, NULL);
}
