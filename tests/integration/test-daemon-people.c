/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * People on the bus: AddPerson, ListPeople and Person1 with their
 * argument checks, Remove under polkit, two people alternating on one
 * roller-sim whose sessions and synced records each stay theirs, and
 * Manager1.Reminder sent once per due event, across a restart.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/stat.h>
#include <cmocka.h>

#include "daemon/store/rd-store-people.h"
#include "tests/harness/test-daemon-util.h"

#define MANAGER "/org/rollerd"
#define MANAGER1 "org.rollerd.Manager1"
#define ROLLER2 "org.rollerd.Roller2"
#define SESSION1 "org.rollerd.Session1"
#define PERSON1 "org.rollerd.Person1"
#define REMOVE_ACTION "org.rollerd.remove-person"
#define WAIT_MS 60000

static int
teardown(void **state)
{
	return *state ? test_daemon_free(*state) : 0;
}

static char *
add_person(TestDaemon *td, const char *name, const char *props)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GVariant) ret = test_daemon_call(td, MANAGER, MANAGER1, "AddPerson",
						   g_variant_new("(s@a{sv})", name,
								 g_variant_new_parsed(props)),
						   &error);
	char *path;

	if (!ret)
		fail_msg("AddPerson %s: %s", name, error->message);
	g_variant_get(ret, "(o)", &path);
	return path;
}

static void
assert_add_refused(TestDaemon *td, GVariant *args, const char *name, const char *mentions)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GVariant) ret = test_daemon_call(td, MANAGER, MANAGER1, "AddPerson", args,
						   &error);

	assert_null(ret);
	test_daemon_assert_error(error, name, mentions, "AddPerson");
}

static char *
get_string(TestDaemon *td, const char *path, const char *iface, const char *name)
{
	g_autoptr(GVariant) v = test_daemon_get(td, path, iface, name);

	return g_variant_is_of_type(v, G_VARIANT_TYPE_STRING) ||
	       g_variant_is_of_type(v, G_VARIANT_TYPE_OBJECT_PATH) ?
	       g_variant_dup_string(v, NULL) : g_variant_print(v, FALSE);
}

static void
test_people_and_their_checks(void **state)
{
	TestDaemon *td = *state = test_daemon_new(NULL);
	g_autofree char *anna = NULL, *bob = NULL, *text = NULL, *huge = NULL;
	g_autoptr(GVariant) list = NULL;
	g_autoptr(GError) error = NULL;
	g_autoptr(GVariant) ret = NULL;

	test_daemon_start_rollerd(td, NULL);
	anna = add_person(td, "Anna", "{'notes': <'sensitive skin'>, 'needle_um': <@q 500>, "
			  "'areas': <['face', 'scalp', 'face']>}");
	bob = add_person(td, "Bob", "@a{sv} {}");
	assert_string_equal(anna, "/org/rollerd/person/2");
	text = get_string(td, anna, PERSON1, "Areas");
	assert_string_equal(text, "['face', 'scalp']");
	g_free(text);
	text = get_string(td, anna, PERSON1, "DefaultNeedleLength");
	assert_string_equal(text, "500");
	ret = test_daemon_call(td, MANAGER, MANAGER1, "ListPeople", NULL, &error);
	assert_non_null(ret);
	list = g_variant_get_child_value(ret, 0);
	g_free(text);
	text = g_variant_print(list, FALSE);
	assert_string_equal(text, "[('/org/rollerd/person/2', 'Anna'), "
			    "('/org/rollerd/person/3', 'Bob'), ('/org/rollerd/person/1', 'Me')]");

	assert_add_refused(td, g_variant_new_parsed("('', @a{sv} {})"), "InvalidArguments",
			   "empty");
	assert_add_refused(td, g_variant_new_parsed("('anna', @a{sv} {})"), "InvalidArguments",
			   "already");
	assert_add_refused(td, g_variant_new_parsed("('Carl', {'colour': <'red'>})"),
			   "InvalidArguments", "colour");
	assert_add_refused(td, g_variant_new_parsed("('Carl', {'needle_um': <500>})"),
			   "InvalidArguments", "needle_um");
	assert_add_refused(td, g_variant_new_parsed("('Carl', {'areas': <['elbow']>})"),
			   "InvalidArguments", "elbow");
	huge = g_strnfill(RD_PERSON_NAME_MAX + 1, 'x');
	assert_add_refused(td, g_variant_new("(s@a{sv})", huge,
					     g_variant_new_parsed("@a{sv} {}")),
			   "InvalidArguments", "at most");
	g_free(huge);
	/* Far over what any argument may be: the call guard's refusal. */
	huge = g_strnfill(128 * 1024, 'x');
	assert_add_refused(td, g_variant_new("(s@a{sv})", huge,
					     g_variant_new_parsed("@a{sv} {}")),
			   "InvalidArguments", "argument");

	g_clear_pointer(&ret, g_variant_unref);
	ret = test_daemon_call(td, bob, PERSON1, "Rename", g_variant_new("(s)", "ANNA"), &error);
	assert_null(ret);
	test_daemon_assert_error(error, "InvalidArguments", "already", "Rename");
	test_daemon_call_ok(td, bob, PERSON1, "Rename", g_variant_new("(s)", "Robert"));
	test_daemon_call_ok(td, bob, PERSON1, "SetNotes", g_variant_new("(s)", "left-handed"));
	test_daemon_call_ok(td, bob, PERSON1, "SetDefaults",
			    g_variant_new_parsed("(@q 1000, ['abdomen'])"));
	g_free(text);
	text = get_string(td, bob, PERSON1, "Name");
	assert_string_equal(text, "Robert");
	g_free(text);
	text = get_string(td, bob, PERSON1, "Areas");
	assert_string_equal(text, "['abdomen']");
	g_clear_error(&error);
	g_clear_pointer(&ret, g_variant_unref);
	ret = test_daemon_call(td, bob, PERSON1, "SetDefaults",
			       g_variant_new_parsed("(@q 20000, @as [])"), &error);
	assert_null(ret);
	test_daemon_assert_error(error, "InvalidArguments", "needle", "SetDefaults");

	/* People are in the journal: a restarted rollerd has them. */
	test_daemon_start_rollerd(td, NULL);
	g_free(text);
	text = get_string(td, bob, PERSON1, "Notes");
	assert_string_equal(text, "left-handed");
}

static void
polkit_allow(TestDaemon *td, const char *action)
{
	const char *actions[] = { action, NULL };
	g_autoptr(GError) error = NULL;
	g_autoptr(GVariant) ret =
		g_dbus_connection_call_sync(td->conn, "org.freedesktop.PolicyKit1",
					    "/org/freedesktop/PolicyKit1/Authority",
					    "org.freedesktop.DBus.Mock", "SetAllowed",
					    g_variant_new("(^as)", actions), NULL,
					    G_DBUS_CALL_FLAGS_NONE, 10000, NULL, &error);

	if (!ret)
		fail_msg("polkitd mock: %s", error->message);
}

/* The newest session @filter finds, exported (GetSession). */
static char *
first_session(TestDaemon *td, const char *filter)
{
	g_autoptr(GVariant) rows = test_daemon_query(td, filter);
	g_autoptr(GVariant) row = NULL;
	g_autoptr(GVariant) ret = NULL;
	g_autoptr(GError) error = NULL;
	guint64 id = 0;
	char *path = NULL;

	assert_true(g_variant_n_children(rows) > 0);
	row = g_variant_get_child_value(rows, 0);
	assert_true(g_variant_lookup(row, "id", "t", &id));
	ret = test_daemon_call(td, MANAGER, MANAGER1, "GetSession", g_variant_new("(t)", id),
			       &error);
	if (!ret)
		fail_msg("GetSession: %s", error->message);
	g_variant_get(ret, "(o)", &path);
	return path;
}

/* Remove: polkit's, and never while the person has sessions. */
static void
test_remove_needs_polkit_and_no_sessions(void **state)
{
	const char *sim_args[] = { "--stored=1", NULL };
	TestDaemon *td = *state = test_daemon_new(sim_args);
	g_autofree char *carl = NULL, *session = NULL, *filter = NULL, *current = NULL;
	g_autoptr(GError) error = NULL;
	g_autoptr(GVariant) ret = NULL;

	if (!test_daemon_start_polkit_mock(td)) {
		skip();
		return;
	}
	test_daemon_discover(td, 1);
	carl = add_person(td, "Carl", "@a{sv} {}");
	test_daemon_call_ok(td, td->roller_path, ROLLER2, "SetCurrentPerson",
			    g_variant_new("(o)", carl));
	test_daemon_connect(td);
	assert_true(test_daemon_wait_property(td, td->roller_path, ROLLER2, "StoredRecords",
					      "0", WAIT_MS));
	filter = g_strdup_printf("{'person': <objectpath '%s'>}", carl);
	session = first_session(td, filter);

	ret = test_daemon_call(td, carl, PERSON1, "Remove", NULL, &error);
	assert_null(ret);
	test_daemon_assert_error(error, "NotAuthorized", "remove-person", "Remove");
	g_clear_error(&error);
	polkit_allow(td, REMOVE_ACTION);
	ret = test_daemon_call(td, carl, PERSON1, "Remove", NULL, &error);
	assert_null(ret);
	test_daemon_assert_error(error, "Failed", "session", "Remove");
	g_clear_error(&error);
	ret = test_daemon_call(td, "/org/rollerd/person/1", PERSON1, "Remove", NULL, &error);
	assert_null(ret);
	test_daemon_assert_error(error, "Failed", "default", "Remove");
	g_clear_error(&error);

	/* Moved to the default person, the session stays and Carl may go. */
	ret = test_daemon_call(td, session, SESSION1, "SetPerson",
			       g_variant_new("(o)", "/org/rollerd/nobody"), &error);
	assert_null(ret);
	test_daemon_assert_error(error, "InvalidArguments", "person", "SetPerson");
	g_clear_error(&error);
	test_daemon_call_ok(td, session, SESSION1, "SetPerson",
			    g_variant_new("(o)", "/org/rollerd/person/1"));
	test_daemon_call_ok(td, carl, PERSON1, "Remove", NULL);
	current = get_string(td, td->roller_path, ROLLER2, "CurrentPerson");
	assert_string_equal(current, "/org/rollerd/person/1");
	g_free(current);
	current = get_string(td, session, SESSION1, "Person");
	assert_string_equal(current, "/org/rollerd/person/1");
	ret = test_daemon_call(td, MANAGER, MANAGER1, "QuerySessions",
			       g_variant_new_parsed("({'person': <%o>},)", carl), &error);
	assert_null(ret);
	test_daemon_assert_error(error, "NotFound", "person", "QuerySessions");
	g_clear_pointer(&ret, g_variant_unref);
	ret = test_daemon_query(td, "{}");
	assert_int_equal(g_variant_n_children(ret), 1);
}

static gint
compare_strings(gconstpointer a, gconstpointer b)
{
	return g_strcmp0(*(char *const *)a, *(char *const *)b);
}

/* Each summary's record id and person name, "1:Anna 2:Bob ...", by record id. */
static char *
owners(TestDaemon *td)
{
	g_autoptr(GVariant) rows = test_daemon_query(td, "{}");
	g_autoptr(GPtrArray) parts = g_ptr_array_new_with_free_func(g_free);
	GVariantIter iter;
	GVariant *row;

	g_variant_iter_init(&iter, rows);
	while ((row = g_variant_iter_next_value(&iter))) {
		guint16 record = 0;
		const char *name = "", *source = "";

		g_variant_lookup(row, "record_id", "q", &record);
		g_variant_lookup(row, "person_name", "&s", &name);
		g_variant_lookup(row, "source", "&s", &source);
		g_ptr_array_add(parts, g_strdup_printf("%03u:%s:%s", record, name, source));
		g_variant_unref(row);
	}
	g_ptr_array_sort(parts, compare_strings);
	g_ptr_array_add(parts, NULL);
	return g_strjoinv(" ", (char **)parts->pdata);
}

/*
 * Bob's two stored sessions come when he is the roller's person; Anna
 * and Bob then alternate, each session started for its person, and a
 * sync while Bob is current leaves Anna's sessions hers.
 */
static void
test_two_people_alternate(void **state)
{
	const char *sim_args[] = { "--stored=2", "--speed=20", "--session-seconds=20", NULL };
	TestDaemon *td = *state = test_daemon_new(sim_args);
	g_autofree char *anna = NULL, *bob = NULL, *got = NULL, *path = NULL;
	g_autofree char *live = NULL;
	TestRollerSignals s = { 0 };

	test_daemon_discover(td, 1);
	anna = add_person(td, "Anna", "@a{sv} {}");
	bob = add_person(td, "Bob", "@a{sv} {}");
	test_daemon_call_ok(td, td->roller_path, ROLLER2, "SetCurrentPerson",
			    g_variant_new("(o)", bob));
	test_daemon_connect(td);
	test_daemon_wait_synced(td, WAIT_MS);
	test_daemon_subscribe(td, &s);

	live = g_strdup_printf("'%s/live'", td->roller_path);
	for (guint i = 0; i < 3; i++) {
		const char *who = i % 2 ? bob : anna;

		test_daemon_call_ok(td, td->roller_path, ROLLER2, "StartSessionFor",
				    g_variant_new("(so)", "face", who));
		assert_true(test_daemon_wait_property(td, td->roller_path, ROLLER2, "Session",
						      live, WAIT_MS));
		g_free(path);
		path = get_string(td, td->roller_path, ROLLER2, "Session");
		g_free(got);
		got = get_string(td, path, SESSION1, "Person");
		assert_string_equal(got, who);
		assert_true(test_daemon_wait_property(td, td->roller_path, ROLLER2, "Session",
						      "'/'", WAIT_MS));
	}
	g_free(got);
	got = get_string(td, td->roller_path, ROLLER2, "CurrentPerson");
	assert_string_equal(got, anna);
	test_daemon_call_ok(td, td->roller_path, ROLLER2, "SetCurrentPerson",
			    g_variant_new("(o)", bob));
	test_daemon_sync_and_wait(td, &s, WAIT_MS);
	g_free(got);
	got = owners(td);
	assert_string_equal(got, "001:Bob:synced 002:Bob:synced 003:Anna:both 004:Bob:both "
			    "005:Anna:both");

	/* The roller's person is remembered across a restart. */
	test_daemon_start_rollerd(td, NULL);
	assert_true(test_daemon_wait_property(td, td->roller_path, ROLLER2, "CurrentPerson",
					      "'/org/rollerd/person/3'", WAIT_MS));
}

typedef struct {
	GPtrArray *seen;	/* "person|kind|message" */
	GPtrArray *at;		/* gint64 * wall-clock seconds each came */
} Reminders;

static void
on_reminder(GDBusConnection *conn, const char *sender, const char *path, const char *iface,
	    const char *signal, GVariant *params, gpointer user_data)
{
	Reminders *r = user_data;
	const char *person, *kind, *message;
	gint64 now = g_get_real_time() / G_USEC_PER_SEC;

	g_variant_get(params, "(&s&s&s)", &person, &kind, &message);
	g_ptr_array_add(r->seen, g_strdup_printf("%s|%s|%s", person, kind, message));
	g_ptr_array_add(r->at, g_memdup2(&now, sizeof(now)));
}

static gboolean
two_seen(gpointer user_data)
{
	return ((Reminders *)user_data)->seen->len >= 2;
}

/* A journal with Anna's abdomen due already and her face due in a moment. */
static gint64
make_journal(TestDaemon *td, guint face_in_s)
{
	g_autofree char *db = g_build_filename(td->state_dir, "sessions.db", NULL);
	g_autoptr(GError) error = NULL;
	g_autoptr(RdStore) store = NULL;
	static guint8 passes[1] = { 1 };
	RdLiveSessionRow row = { .serial = "RL-TEST", .address = "AA:BB:CC:DD:EE:FF",
				 .clock_set = TRUE, .end_reason = -1, .needle_um = 250,
				 .strokes = 10, .cols = 1, .rows = 1, .passes = passes };
	gint64 now = g_get_real_time() / G_USEC_PER_SEC, anna;

	assert_int_equal(g_mkdir_with_parents(td->state_dir, 0700), 0);
	store = rd_store_open(db, &error);
	if (!store)
		fail_msg("journal: %s", error->message);
	assert_true(rd_store_add_person(store, "Anna", NULL, &anna, &error));
	/* 0.25 mm: three days by rollerd.conf's default [Plan]. */
	row.person_id = anna;
	row.record_id = 1;
	row.area_id = 1;
	row.start_unix = now - 4 * 86400;
	assert_true(rd_store_save_live_session(store, &row, NULL, NULL, &error));
	row.record_id = 2;
	row.area_id = 7;
	row.start_unix = now - 3 * 86400 + face_in_s;
	assert_true(rd_store_save_live_session(store, &row, NULL, NULL, &error));
	return row.start_unix + 3 * 86400;
}

static void
test_reminders_once_per_due_event(void **state)
{
	TestDaemon *td = *state = test_daemon_new(NULL);
	Reminders r = { g_ptr_array_new_with_free_func(g_free),
			g_ptr_array_new_with_free_func(g_free) };
	g_autoptr(GVariant) ret = NULL;
	g_autoptr(GError) error = NULL;
	g_autofree char *text = NULL;
	guint slow = test_bus_slowness("ROLLERD_WRAPPER");
	gint64 face_due = make_journal(td, 3 + 2 * slow);
	guint sub = g_dbus_connection_signal_subscribe(td->conn, "org.rollerd", MANAGER1,
						       "Reminder", MANAGER, NULL,
						       G_DBUS_SIGNAL_FLAGS_NONE, on_reminder, &r,
						       NULL);

	test_daemon_start_rollerd(td, NULL);
	assert_true(test_bus_wait_until(two_seen, &r, (10 + 2 * slow) * 1000));
	assert_non_null(strstr(r.seen->pdata[0], "Anna|area-due|Anna: abdomen is due"));
	assert_non_null(strstr(r.seen->pdata[1], "Anna|area-due|Anna: face is due"));
	/* The face's came when it fell due, from the timer: not before. */
	assert_true(*(gint64 *)r.at->pdata[1] >= face_due);

	/* Both still due, each sent once: the plan says so, nothing comes again. */
	ret = test_daemon_call(td, MANAGER, MANAGER1, "GetTreatmentPlan", NULL, &error);
	text = g_variant_print(ret, FALSE);
	assert_non_null(strstr(text, "'area': <'abdomen'>, 'sessions': <uint32 1>"));
	assert_non_null(strstr(text, "'due': <true>, 'reminded': <true>"));
	g_clear_pointer(&ret, g_variant_unref);
	ret = test_daemon_call(td, MANAGER, MANAGER1, "ListReminders", NULL, &error);
	assert_non_null(ret);
	g_free(text);
	text = g_variant_print(ret, FALSE);
	assert_non_null(strstr(text, "('Anna', 'area-due', 'Anna: abdomen is due"));
	test_daemon_start_rollerd(td, NULL);
	test_bus_run_for(1500);
	assert_int_equal(r.seen->len, 2);

	g_dbus_connection_signal_unsubscribe(td->conn, sub);
	g_ptr_array_unref(r.seen);
	g_ptr_array_unref(r.at);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_people_and_their_checks, teardown),
		cmocka_unit_test_teardown(test_remove_needs_polkit_and_no_sessions, teardown),
		cmocka_unit_test_teardown(test_two_people_alternate, teardown),
		cmocka_unit_test_teardown(test_reminders_once_per_due_event, teardown),
	};

	return cmocka_run_group_tests_name("rollerd people", tests, NULL, NULL);
}
