/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A clinic of three rooms: three rollerd, each with its roller-sim on its
 * own private bus, share one journal in a real PostgreSQL started here.
 * Every room's sessions for the same two clients are in the clinic view
 * once and the clinic plan counts them all; a room that cannot reach the
 * server answers from its journal and says so; a rollerd killed with rows
 * in its outbox sends them after its restart; a server that accepts and
 * never answers delays no other D-Bus reply.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <signal.h>
#include <cmocka.h>

#include "tests/clinic/test-pg-server.h"
#include "tests/client/test-rollerctl-util.h"
#include "tests/harness/test-daemon-util.h"

#define MANAGER "/org/rollerd"
#define MANAGER1 "org.rollerd.Manager1"
#define ROLLER2 "org.rollerd.Roller2"
#define WAIT_MS 60000

static TestPgServer *server;

/* rollerd.conf of a room in @db, or of one whose server is @conninfo. */
static char *
write_config(TestDaemon *td, const char *conninfo, const char *room, guint timeout_s)
{
	g_autofree char *path = g_build_filename(test_bus_get_dir(td->bus), "rollerd-clinic.conf",
						 NULL);
	g_autofree char *text = g_strdup_printf("[Clinic]\nConnection=%s\nRoom=%s\n"
						"TimeoutSeconds=%u\n", conninfo, room, timeout_s);

	assert_true(g_file_set_contents(path, text, -1, NULL));
	return g_strconcat("--config=", path, NULL);
}

static TestDaemon *
room_new(const char *db, const char *room, const char *address, const char *stored)
{
	g_autofree char *address_arg = g_strconcat("--address=", address, NULL);
	g_autofree char *stored_arg = g_strconcat("--stored=", stored, NULL);
	const char *sim_args[] = { address_arg, stored_arg, NULL };
	TestDaemon *td = test_daemon_new(sim_args);
	g_autofree char *conninfo = test_pg_server_conninfo(server, room, db);
	g_autofree char *config = write_config(td, conninfo, room, 5);
	const char *extra[] = { config, NULL };

	test_daemon_start_rollerd(td, extra);
	return td;
}

static char *
add_person(TestDaemon *td, const char *name)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GVariant) ret = test_daemon_call(td, MANAGER, MANAGER1, "AddPerson",
						   g_variant_new_parsed("(%s, @a{sv} {})", name),
						   &error);
	char *path = NULL;

	if (!ret)
		fail_msg("AddPerson: %s", error->message);
	g_variant_get(ret, "(o)", &path);
	return path;
}

/*
 * QuerySessions with @scope; the status element is checked (what answered:
 * @want_scope, any when NULL) and dropped.
 */
static GVariant *
query(TestDaemon *td, const char *scope, const char *want_scope, char **clinic_error)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GVariant) ret = test_daemon_call(td, MANAGER, MANAGER1, "QuerySessions",
						   g_variant_new_parsed("({'scope': <%s>, "
									"'limit': <uint32 1000>},)",
									scope), &error);
	g_autoptr(GVariant) rows = NULL;
	g_autoptr(GVariant) status = NULL;
	const char *got = NULL;
	GVariantBuilder b;

	if (!ret)
		fail_msg("QuerySessions: %s", error->message);
	rows = g_variant_get_child_value(ret, 0);
	assert_true(g_variant_n_children(rows) >= 1);
	status = g_variant_get_child_value(rows, 0);
	assert_true(g_variant_lookup(status, "scope", "&s", &got));
	if (want_scope)
		assert_string_equal(got, want_scope);
	else if (!g_str_equal(got, "clinic"))
		return NULL;
	if (clinic_error)
		*clinic_error = g_variant_lookup(status, "clinic_error", "s", clinic_error) ?
				*clinic_error : NULL;
	g_variant_builder_init(&b, G_VARIANT_TYPE("aa{sv}"));
	for (gsize i = 1; i < g_variant_n_children(rows); i++) {
		g_autoptr(GVariant) row = g_variant_get_child_value(rows, i);

		g_variant_builder_add_value(&b, row);
	}
	return g_variant_ref_sink(g_variant_builder_end(&b));
}

/* Waits until the clinic view, as @td reads it, has @n sessions. */
static GVariant *
wait_clinic_sessions(TestDaemon *td, gsize n)
{
	gint64 end = g_get_monotonic_time() + WAIT_MS * 1000;

	for (;;) {
		/* NULL while the clinic cannot answer yet (its schema is being made). */
		GVariant *rows = query(td, "clinic", NULL, NULL);

		if (rows && g_variant_n_children(rows) == n)
			return rows;
		if (g_get_monotonic_time() > end)
			fail_msg("the clinic has %zu sessions, not %zu",
				 rows ? g_variant_n_children(rows) : 0, n);
		g_clear_pointer(&rows, g_variant_unref);
		g_usleep(100 * 1000);
	}
}

/* Connects the roller for @person and waits until its records are stored. */
static void
sync_for(TestDaemon *td, const char *person)
{
	test_daemon_discover(td, 1);
	test_daemon_call_ok(td, td->roller_path, ROLLER2, "SetCurrentPerson",
			    g_variant_new("(o)", person));
	test_daemon_connect(td);
	assert_true(test_daemon_wait_property(td, td->roller_path, ROLLER2, "StoredRecords",
					      "0", WAIT_MS));
}

static guint
count_substrings(const char *text, const char *needle)
{
	guint n = 0;

	for (const char *p = text; (p = strstr(p, needle)); p += strlen(needle))
		n++;
	return n;
}

/* This room's own export (scope local) of its session @id, as JSON. */
static JsonObject *
local_export(TestDaemon *td, gint64 id, JsonNode **keep)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GVariant) ret = test_daemon_call(td, MANAGER, MANAGER1, "ExportSessions",
		g_variant_new_parsed("({'scope': <'local'>, 'limit': <uint32 1000>}, 'json')"),
		&error);
	const char *data = NULL;
	JsonArray *rows;

	if (!ret)
		fail_msg("ExportSessions: %s", error->message);
	g_variant_get(ret, "(@a{sv}&s)", NULL, &data);
	*keep = parse_json(data);
	rows = expect_array(*keep);
	for (guint i = 0; i < json_array_get_length(rows); i++) {
		JsonObject *o = expect_object_at(rows, i);

		if (json_object_get_int_member(o, "id") == id)
			return o;
	}
	fail_msg("room has no session %" G_GINT64_FORMAT, id);
	return NULL;
}

static void
assert_same_array(JsonObject *a, JsonObject *b, const char *member)
{
	JsonArray *x = json_object_get_array_member(a, member);
	JsonArray *y = json_object_get_array_member(b, member);

	assert_true(json_array_get_length(x) > 0);
	assert_int_equal(json_array_get_length(x), json_array_get_length(y));
	for (guint i = 0; i < json_array_get_length(x); i++)
		assert_int_equal(json_array_get_int_element(x, i), json_array_get_int_element(y, i));
}

/*
 * rollerctl --clinic export in one room: every room's sessions with their
 * room, grids, traces and notes as each room's own journal has them; and
 * the clinic report of an area.
 */
/* Whether @room's session @id has the notes note_session() wrote. */
static gboolean
noted_in(JsonArray *rows, const char *room, guint64 id)
{
	for (guint i = 0; i < json_array_get_length(rows); i++) {
		JsonObject *o = expect_object_at(rows, i);
		JsonObject *notes = json_object_get_object_member(o, "notes");

		if (g_str_equal(json_object_get_string_member(o, "room"), room) &&
		    (guint64)json_object_get_int_member(o, "id") == id)
			return !json_node_is_null(json_object_get_member(notes, "text")) &&
			       g_strcmp0(json_object_get_string_member(notes, "text"),
					 "seen in room a") == 0 &&
			       json_object_get_boolean_member(notes, "numbing") &&
			       json_node_is_null(json_object_get_member(notes, "topical"));
	}
	return FALSE;
}

/* Notes on @td's newest session, and waits until the clinic's export has them. */
static guint64
note_session(TestDaemon *td, const char *room)
{
	guint64 id = newest_session_id(td);
	g_autoptr(GVariant) ret = NULL;
	g_autoptr(GError) error = NULL;
	const char *path = NULL;
	gint64 end = g_get_monotonic_time() + WAIT_MS * 1000;

	ret = test_daemon_call(td, MANAGER, MANAGER1, "GetSession", g_variant_new("(t)", id),
			       &error);
	if (!ret)
		fail_msg("GetSession: %s", error->message);
	g_variant_get(ret, "(&o)", &path);
	test_daemon_call_ok(td, path, "org.rollerd.Session1", "SetNotes",
			    g_variant_new_parsed("({'text': <'seen in room a'>, "
						 "'numbing': <true>},)"));
	for (;;) {
		g_autoptr(GVariant) out = test_daemon_call(td, MANAGER, MANAGER1, "ExportSessions",
			g_variant_new_parsed("({'scope': <'clinic'>, 'limit': <uint32 1000>}, "
					     "'json')"), &error);
		g_autoptr(JsonNode) json = NULL;
		const char *data = NULL;

		if (!out)
			fail_msg("ExportSessions: %s", error->message);
		g_variant_get(out, "(@a{sv}&s)", NULL, &data);
		json = parse_json(data);
		if (noted_in(expect_array(json), room, id))
			return id;
		if (g_get_monotonic_time() > end)
			fail_msg("the clinic's export has no notes of session %" G_GUINT64_FORMAT, id);
		g_usleep(100 * 1000);
	}
}

static void
check_clinic_export(TestDaemon *const *td, const char *const *rooms, char **env,
		    const char *dir)
{
	guint64 noted_id = note_session(td[0], rooms[0]);
	g_auto(Run) r = { 0 };
	g_autoptr(JsonNode) json = NULL;
	g_autofree char *svg = g_build_filename(dir, "clinic-area.svg", NULL);
	g_autofree char *area = NULL;
	g_auto(GStrv) lines = NULL;
	JsonArray *rows;
	guint per_room[3] = { 0 };

	rollerctl_env(&r, env, "--clinic", "--json", "export", NULL);
	assert_int_equal(r.status, 0);
	assert_null(strstr(r.err, "only"));
	json = parse_json(r.out);
	rows = expect_array(json);
	assert_int_equal(json_array_get_length(rows), 7);
	assert_true(noted_in(rows, "room_a", noted_id));
	for (guint i = 0; i < json_array_get_length(rows); i++) {
		JsonObject *o = expect_object_at(rows, i);
		const char *room = json_object_get_string_member(o, "room");
		g_autoptr(JsonNode) keep = NULL;
		JsonObject *mine;
		guint k = 0;

		while (k < 3 && !g_str_equal(rooms[k], room))
			k++;
		assert_true(k < 3);
		per_room[k]++;
		mine = local_export(td[k], json_object_get_int_member(o, "id"), &keep);
		assert_same_array(o, mine, "passes");
		assert_same_array(o, mine, "directions");
		assert_same_array(json_object_get_object_member(o, "trace"),
				  json_object_get_object_member(mine, "trace"), "values");
		assert_string_equal(json_object_get_string_member(o, "person"),
				    json_object_get_string_member(mine, "person"));
		assert_string_equal(json_object_get_string_member(mine, "room"), room);
		if (!area && k == 0)
			area = g_strdup(json_object_get_string_member(o, "area"));
	}
	assert_int_equal(per_room[0], 2);
	assert_int_equal(per_room[1], 3);
	assert_int_equal(per_room[2], 2);

	rollerctl_env(&r, env, "--clinic", "export", "--format", "csv", NULL);
	assert_int_equal(r.status, 0);
	lines = g_strsplit(r.out, "\r\n", -1);
	assert_int_equal(g_strv_length(lines), 1 + 7 + 1);
	assert_true(g_str_has_suffix(lines[0], ",person,room"));
	for (guint i = 1; i <= 7; i++)
		assert_true(g_str_has_suffix(lines[i], ",room_a") ||
			    g_str_has_suffix(lines[i], ",room_b") ||
			    g_str_has_suffix(lines[i], ",room_c"));

	/* Ann's area over rooms a and c, drawn in room b, which never treated her. */
	rollerctl_env(&r, env, "--clinic", "report", "--area", area, "--person", "Ann",
		      "--output", svg, NULL);
	assert_int_equal(r.status, 0);
	assert_true(g_file_test(svg, G_FILE_TEST_IS_REGULAR));
	rollerctl_env(&r, env, "--clinic", "report", "1", "--output", svg, NULL);
	assert_int_equal(r.status, 2);
	assert_non_null(strstr(r.err, "--area"));
}

static void
test_three_rooms_one_journal(void **state)
{
	g_autofree char *db = test_pg_new_database(server);
	static const char *const rooms[] = { "room_a", "room_b", "room_c" };
	static const char *const addresses[] = {
		"C0:52:4C:00:0A:01", "C0:52:4C:00:0B:01", "C0:52:4C:00:0C:01",
	};
	TestDaemon *td[3];
	g_autoptr(GVariant) all = NULL;
	g_autoptr(GVariant) plan = NULL;
	g_autoptr(GHashTable) seen = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	g_autoptr(GError) error = NULL;
	guint ann_sessions = 0;
	GVariantIter iter;
	GVariant *row;

	for (guint i = 0; i < 3; i++) {
		g_autofree char *ann = NULL, *bob = NULL;

		td[i] = room_new(db, rooms[i], addresses[i], i == 1 ? "3" : "2");
		ann = add_person(td[i], "Ann");
		bob = add_person(td[i], "Bob");
		/* Room b treats Bob, the others Ann. */
		sync_for(td[i], i == 1 ? bob : ann);
	}
	all = wait_clinic_sessions(td[0], 2 + 3 + 2);

	/* Each session once, and each room's own all there. */
	g_variant_iter_init(&iter, all);
	while ((row = g_variant_iter_next_value(&iter))) {
		const char *room = NULL, *roller = NULL, *person = NULL;
		guint16 record = 0;
		gint64 start = 0;

		assert_true(g_variant_lookup(row, "room", "&s", &room));
		assert_true(g_variant_lookup(row, "roller", "&s", &roller));
		assert_true(g_variant_lookup(row, "record_id", "q", &record));
		assert_true(g_variant_lookup(row, "start", "x", &start));
		assert_true(g_variant_lookup(row, "person_name", "&s", &person));
		assert_true(g_hash_table_add(seen, g_strdup_printf("%s/%u/%" G_GINT64_FORMAT,
								   roller, record, start)));
		assert_string_equal(person, g_str_equal(room, "room_b") ? "Bob" : "Ann");
		g_variant_unref(row);
	}
	for (guint i = 0; i < 3; i++) {
		g_autoptr(GVariant) local = query(td[i], "local", "local", NULL);

		assert_int_equal(g_variant_n_children(local), i == 1 ? 3 : 2);
	}

	/* The clinic plan of Ann, asked in room b (which never treated her). */
	{
		g_autoptr(GVariant) ret = test_daemon_call(td[1], MANAGER, MANAGER1,
			"QueryTreatmentPlan",
			g_variant_new_parsed("({'person_name': <'ann'>, 'scope': <'clinic'>},)"),
			&error);
		const char *scope = NULL;
		g_autoptr(GVariant) status = NULL;

		if (!ret)
			fail_msg("QueryTreatmentPlan: %s", error->message);
		plan = g_variant_get_child_value(ret, 0);
		status = g_variant_get_child_value(plan, 0);
		assert_true(g_variant_lookup(status, "scope", "&s", &scope));
		assert_string_equal(scope, "clinic");
	}
	for (gsize i = 1; i < g_variant_n_children(plan); i++) {
		g_autoptr(GVariant) area = g_variant_get_child_value(plan, i);
		const char *name = NULL;
		guint32 n = 0;

		assert_true(g_variant_lookup(area, "person_name", "&s", &name));
		assert_string_equal(name, "Ann");
		assert_false(g_variant_lookup(area, "person", "&o", &name));
		assert_true(g_variant_lookup(area, "sessions", "u", &n));
		ann_sessions += n;
	}
	assert_int_equal(ann_sessions, 4);

	/* rollerctl --clinic in room b: every room's sessions, Ann's plan. */
	{
		g_auto(Run) r = { 0 };
		g_auto(GStrv) env = g_environ_setenv(g_get_environ(), "DBUS_SESSION_BUS_ADDRESS",
						     test_bus_get_address(td[1]->bus), TRUE);
		g_autoptr(JsonNode) json = NULL;
		JsonArray *areas;
		gint64 sum = 0;

		rollerctl_env(&r, env, "--clinic", "sessions", NULL);
		assert_int_equal(r.status, 0);
		assert_non_null(strstr(r.out, "room_a"));
		assert_non_null(strstr(r.out, "room_c"));
		assert_null(strstr(r.err, "only"));
		rollerctl_env(&r, env, "--clinic", "--json", "plan", "--person", "ANN", NULL);
		assert_int_equal(r.status, 0);
		json = parse_json(r.out);
		areas = expect_array(json);
		assert_string_equal(json_object_get_string_member(expect_object_at(areas, 0),
								  "scope"), "clinic");
		for (guint i = 1; i < json_array_get_length(areas); i++)
			sum += json_object_get_int_member(expect_object_at(areas, i), "sessions");
		assert_int_equal(sum, 4);
		rollerctl_env(&r, env, "--clinic", "remind", NULL);
		assert_int_equal(r.status, 2);
		check_clinic_export(td, rooms, env, test_bus_get_dir(td[1]->bus));
	}
	for (guint i = 0; i < 3; i++)
		assert_int_equal(test_daemon_free(td[i]), 0);
}

/* Out of reach: the journal answers and says why; killed with its outbox
 * full, rollerd sends it after the restart. */
static void
test_unreachable_then_killed(void **state)
{
	g_autofree char *db = test_pg_new_database(server);
	TestDaemon *td = room_new(db, "room_a", "C0:52:4C:00:0D:01", "3");
	g_autofree char *ann = add_person(td, "Ann");
	g_autofree char *why = NULL;
	g_autoptr(GVariant) rows = NULL;
	g_autoptr(GVariant) all = NULL;
	g_autofree char *conninfo = test_pg_server_conninfo(server, "room_a", db);
	g_autofree char *config = NULL;
	const char *extra[2] = { NULL, NULL };

	g_variant_unref(wait_clinic_sessions(td, 0));
	test_pg_server_stop(server, FALSE);
	sync_for(td, ann);
	rows = query(td, "clinic", "local", &why);
	assert_int_equal(g_variant_n_children(rows), 3);
	assert_non_null(why);
	assert_non_null(strstr(why, "clinic"));
	{
		g_auto(Run) r = { 0 };

		rollerctl(&r, "--clinic", "sessions", NULL);
		assert_int_equal(r.status, 0);
		assert_non_null(strstr(r.err, "this room's journal only"));
		assert_non_null(strstr(r.out, "(here)"));
		/* The export too, each session with this room's name. */
		rollerctl(&r, "--clinic", "export", NULL);
		assert_int_equal(r.status, 0);
		assert_non_null(strstr(r.err, "this room's journal only"));
		assert_non_null(strstr(r.out, ",person,room\r\n"));
		assert_int_equal(count_substrings(r.out, ",room_a\r\n"), 3);
	}

	/* SIGKILL: nothing is flushed, the outbox is what the journal holds. */
	kill(td->rollerd, SIGKILL);
	g_usleep(200 * 1000);
	td->rollerd = 0;
	test_pg_server_start(server);
	config = write_config(td, conninfo, "room_a", 5);
	extra[0] = config;
	test_daemon_start_rollerd(td, extra);
	all = wait_clinic_sessions(td, 3);
	assert_int_equal(test_pg_sql_int(server, db, "SELECT count(*) FROM sessions"), 3);
	assert_int_equal(test_daemon_free(td), 0);
}

static void
on_reply(GObject *source, GAsyncResult *result, gpointer user_data)
{
	GAsyncResult **out = user_data;

	*out = g_object_ref(result);
}

/*
 * A server that accepts the connection and never answers: other calls are
 * answered meanwhile, and the clinic query falls back to the journal once
 * the timeout gave the server up (how long nothing waits: bench-clinic).
 */
static void
test_hanging_server_blocks_nothing(void **state)
{
	g_autoptr(GSocketListener) listener = g_socket_listener_new();
	g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback(G_SOCKET_FAMILY_IPV4);
	g_autoptr(GSocketAddress) any = g_inet_socket_address_new(loopback, 0);
	g_autoptr(GSocketAddress) bound = NULL;
	g_autoptr(GError) error = NULL;
	g_autofree char *conninfo = NULL, *config = NULL;
	g_autoptr(GAsyncResult) result = NULL;
	g_autoptr(GVariant) reply = NULL, rows = NULL, status = NULL, ping = NULL;
	const char *extra[2] = { NULL, NULL };
	const char *scope = NULL, *why = NULL;
	const char *sim_args[] = { "--stored=1", NULL };
	TestDaemon *td = test_daemon_new(sim_args);

	assert_true(g_socket_listener_add_address(listener, any, G_SOCKET_TYPE_STREAM,
						  G_SOCKET_PROTOCOL_TCP, NULL, &bound, &error));
	conninfo = g_strdup_printf("host=127.0.0.1 port=%u dbname=clinic user=room_a "
				   "sslmode=disable",
				   g_inet_socket_address_get_port(G_INET_SOCKET_ADDRESS(bound)));
	config = write_config(td, conninfo, "room_a", 1);
	extra[0] = config;
	test_daemon_start_rollerd(td, extra);

	g_dbus_connection_call(td->conn, "org.rollerd", MANAGER, MANAGER1, "QuerySessions",
			       g_variant_new_parsed("({'scope': <'clinic'>},)"), NULL,
			       G_DBUS_CALL_FLAGS_NONE, 30000, NULL, on_reply, &result);
	ping = g_dbus_connection_call_sync(td->conn, "org.rollerd", MANAGER,
					   "org.freedesktop.DBus.Peer", "Ping", NULL, NULL,
					   G_DBUS_CALL_FLAGS_NONE, 30000, NULL, &error);
	assert_non_null(ping);
	while (!result)
		g_main_context_iteration(NULL, TRUE);
	reply = g_dbus_connection_call_finish(td->conn, result, &error);
	if (!reply)
		fail_msg("QuerySessions: %s", error->message);
	rows = g_variant_get_child_value(reply, 0);
	status = g_variant_get_child_value(rows, 0);
	assert_true(g_variant_lookup(status, "scope", "&s", &scope));
	assert_string_equal(scope, "local");
	assert_true(g_variant_lookup(status, "clinic_error", "&s", &why));
	assert_non_null(strstr(why, "in time"));
	assert_int_equal(test_daemon_free(td), 0);
}

/* rollerd --clinic-setup with @user's connection: its exit status, and
 * its output in *@out. */
static int
clinic_setup_as(const char *user, const char *db, char **out)
{
	g_autofree char *rollerd = g_build_filename(g_getenv("ROLLER_BUILDDIR") ?: ".",
						    "daemon", "rollerd", NULL);
	g_autofree char *conninfo = test_pg_server_conninfo(server, user, db);
	const char *argv[] = { rollerd, "--clinic-setup", conninfo, NULL };
	g_autofree char *err = NULL;
	g_autofree char *std = NULL;
	g_autoptr(GError) error = NULL;
	int status = 0;

	assert_true(g_spawn_sync(NULL, (char **)argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, &std,
				 &err, &status, &error));
	*out = g_strconcat(std, err, NULL);
	return g_spawn_check_wait_status(status, NULL) ? 0 : 1;
}

/* The administrator's setup from the command line: a room cannot, the
 * owner can; the tables are the owner's, and running it again is fine. */
static void
test_clinic_setup_command(void **state)
{
	g_autofree char *db = test_pg_new_bare_database(server);
	g_autofree char *out = NULL;
	g_autofree char *owner = NULL;

	assert_int_equal(clinic_setup_as("room_a", db, &out), 1);
	assert_non_null(strstr(out, "the clinic's setup:"));
	g_clear_pointer(&out, g_free);
	for (guint i = 0; i < 2; i++) {
		assert_int_equal(clinic_setup_as("clinic", db, &out), 0);
		assert_non_null(strstr(out, "version 1"));
		g_clear_pointer(&out, g_free);
	}
	assert_int_equal(test_pg_sql_int(server, db, "SELECT max(version) FROM rollerd_schema"),
			 1);
	owner = test_pg_sql(server, db, "SELECT tableowner FROM pg_tables "
			    "WHERE tablename = 'sessions'");
	assert_string_equal(owner, "clinic");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_three_rooms_one_journal),
		cmocka_unit_test(test_unreachable_then_killed),
		cmocka_unit_test(test_hanging_server_blocks_nothing),
		cmocka_unit_test(test_clinic_setup_command),
	};
	int failed;

	server = test_pg_server_new();
	if (!server) {
		g_print("SKIP: PostgreSQL's server is not installed\n");
		return 77;
	}
	failed = cmocka_run_group_tests(tests, NULL, NULL);
	g_clear_pointer(&server, test_pg_server_free);
	return failed;
}
