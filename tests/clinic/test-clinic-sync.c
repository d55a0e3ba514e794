/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The clinic's replication against a real PostgreSQL started here: one
 * room's people, sessions, notes and deletions arrive exactly once; the
 * server stopped for a whole sync, killed mid-batch, a room stopped with
 * rows in its outbox, everything sent twice; the notes' rule between two
 * rooms, a room's clock an hour wrong; row ownership by room.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <sqlite3.h>
#include <string.h>
#include <glib/gstdio.h>

#include "daemon/clinic/rd-clinic.h"
#include "daemon/store/rd-store-db.h"
#include "daemon/store/rd-store-outbox.h"
#include "daemon/store/rd-store-people.h"
#include "daemon/store/rd-store-restore.h"
#include "tests/store/test-store-util.h"
#include "test-pg-server.h"

static TestPgServer *server;

typedef struct {
	char *db;
	TestStoreDir *dir;
	RdStore *store;
	RdClinic *clinic;
} Room;

static RdClinic *
clinic_new_as(RdStore **store, const char *db, const char *user, const char *room)
{
	g_autofree char *conninfo = test_pg_server_conninfo(server, user, db);
	g_autoptr(GError) error = NULL;
	RdClinicSettings settings = {
		.connection = conninfo, .room = room, .timeout_ms = 3000,
	};
	RdClinic *clinic = rd_clinic_new(store, &settings, &error);

	if (!clinic)
		fail_msg("%s", error->message);
	return clinic;
}

static RdClinic *
clinic_new(RdStore **store, const char *db, const char *room)
{
	return clinic_new_as(store, db, room, room);
}

static void
room_open_as(Room *r, const char *db, const char *user, const char *room)
{
	g_autoptr(GError) error = NULL;

	r->db = g_strdup(db);
	r->dir = test_store_dir_new();
	r->store = rd_store_open(r->dir->path, &error);
	assert_non_null(r->store);
	r->clinic = clinic_new_as(&r->store, db, user, room);
}

static void
room_open(Room *r, const char *db, const char *name)
{
	room_open_as(r, db, name, name);
}

static void
room_close(Room *r)
{
	g_clear_pointer(&r->clinic, rd_clinic_free);
	g_clear_pointer(&r->store, rd_store_free);
	g_clear_pointer(&r->dir, test_store_dir_free);
	g_clear_pointer(&r->db, g_free);
}

static gint64
outbox_count(RdStore *store)
{
	g_autoptr(GError) error = NULL;
	gint64 n = -1;

	assert_true(rd_store_outbox_count(store, &n, &error));
	return n;
}

/* Runs the loop until the outbox is empty; FALSE after @seconds. */
static gboolean
drain(RdStore *store, double seconds)
{
	gint64 end = g_get_monotonic_time() + (gint64)(seconds * G_USEC_PER_SEC);

	while (outbox_count(store) > 0) {
		if (g_get_monotonic_time() > end)
			return FALSE;
		g_main_context_iteration(NULL, FALSE);
		g_usleep(1000);
	}
	return TRUE;
}

/* Runs the loop for @seconds. */
static void
spin(double seconds)
{
	gint64 end = g_get_monotonic_time() + (gint64)(seconds * G_USEC_PER_SEC);

	while (g_get_monotonic_time() < end) {
		g_main_context_iteration(NULL, FALSE);
		g_usleep(1000);
	}
}

/* Room @room, connecting as @user, with a history the clinic does not
 * take: after a second its outbox still holds it all. */
static void
room_open_kept_waiting(Room *r, const char *db, const char *user, const char *room)
{
	room_open_as(r, db, user, room);
	test_fill_history(r->store);
	spin(1.0);
	assert_true(outbox_count(r->store) >= 30);
}

static gint64
pg_int(const char *db, const char *sql)
{
	return test_pg_sql_int(server, db, sql);
}

static void
set_text_notes(RdStore *store, gint64 id, const char *text)
{
	g_autoptr(GError) error = NULL;

	assert_true(rd_store_set_notes(store, id, g_variant_new("a{sv}", NULL), &error));
	assert_true(rd_store_set_notes(store, id,
				       g_variant_new_parsed("{'text': <%s>}", text), &error));
}

static void
test_one_room_exactly_once(void **state)
{
	g_autofree char *db = test_pg_new_database(server);
	g_autoptr(GError) error = NULL;
	g_autoptr(GBytes) rec = test_record_new(200, TEST_START + 40 * DAY, 2, 750, 99);
	Room a = { 0 };
	gint64 ann = 0, session;

	room_open(&a, db, "room_a");
	test_fill_history(a.store);
	assert_true(rd_store_add_person(a.store, "Ann", NULL, &ann, &error));
	session = test_commit(a.store, rec, RD_COMMIT_INSERTED);
	assert_true(rd_store_set_session_person(a.store, session, ann, &error));
	set_text_notes(a.store, session, "calm skin");
	assert_true(drain(a.store, 20));
	/* A session the clinic has gets a tombstone there. */
	assert_true(rd_store_delete_session(a.store, 1, &error));
	assert_true(drain(a.store, 20));

	assert_int_equal(pg_int(db, "SELECT count(*) FROM sessions WHERE NOT deleted"), 30);
	assert_int_equal(pg_int(db, "SELECT count(*) FROM sessions WHERE deleted"), 1);
	assert_int_equal(pg_int(db, "SELECT count(*) FROM sessions s JOIN people p ON "
				"p.id = s.person_id WHERE p.name = 'Ann' AND s.record_id = 200 "
				"AND s.strokes = 99 AND s.needle_um = 750"), 1);
	assert_int_equal(pg_int(db, "SELECT count(*) FROM session_notes WHERE text = 'calm skin'"),
			 1);
	/* Traces and coverage travel whole. */
	assert_int_equal(pg_int(db, "SELECT count(*) FROM sessions WHERE body->>'passes' <> '' "
				"AND length(body->>'trace') > 0"), 31);
	assert_int_equal(pg_int(db, "SELECT count(*) FROM people WHERE NOT deleted"), 2);
	assert_int_equal(pg_int(db, "SELECT last_seq FROM cursors WHERE room = 'room_a'"),
			 test_sql_int(a.store, "SELECT seq FROM sqlite_sequence WHERE name = 'outbox'"));

	/* Everything again (the outbox switched off and on): stored once. */
	assert_true(rd_store_outbox_enable(a.store, FALSE, &error));
	assert_true(rd_store_outbox_enable(a.store, TRUE, &error));
	assert_true(outbox_count(a.store) > 30);
	assert_true(drain(a.store, 20));
	assert_int_equal(pg_int(db, "SELECT count(*) FROM sessions"), 31);
	assert_int_equal(pg_int(db, "SELECT count(*) FROM session_notes"), 1);
	assert_int_equal(pg_int(db, "SELECT count(*) FROM people"), 2);

	/* A rename moves no session; a removal is a tombstone. */
	assert_true(rd_store_rename_person(a.store, ann, "Annie", &error));
	assert_true(drain(a.store, 20));
	assert_int_equal(pg_int(db, "SELECT count(*) FROM sessions s JOIN people p ON "
				"p.id = s.person_id WHERE p.name = 'Annie'"), 1);
	assert_true(rd_store_set_session_person(a.store, session, 1, &error));
	assert_true(rd_store_remove_person(a.store, ann, &error));
	assert_true(drain(a.store, 20));
	assert_int_equal(pg_int(db, "SELECT count(*) FROM people WHERE deleted AND "
				"name_key = 'annie'"), 1);
	room_close(&a);
}

/* A person renamed while a session naming them waits in the outbox: that
 * session goes first, under the new name, then the rename; the clinic
 * still has one person with both sessions. */
static void
test_rename_while_rows_wait(void **state)
{
	g_autofree char *db = test_pg_new_database(server);
	g_autoptr(GError) error = NULL;
	g_autoptr(GBytes) first = test_record_new(300, TEST_START + 50 * DAY, 2, 750, 42);
	g_autoptr(GBytes) second = test_record_new(301, TEST_START + 51 * DAY, 2, 750, 42);
	Room a = { 0 };
	gint64 ann = 0, s1, s2;

	room_open(&a, db, "room_a");
	assert_true(rd_store_add_person(a.store, "Ann", NULL, &ann, &error));
	s1 = test_commit(a.store, first, RD_COMMIT_INSERTED);
	assert_true(rd_store_set_session_person(a.store, s1, ann, &error));
	assert_true(drain(a.store, 20));
	test_pg_server_stop(server, FALSE);
	s2 = test_commit(a.store, second, RD_COMMIT_INSERTED);
	assert_true(rd_store_set_session_person(a.store, s2, ann, &error));
	assert_true(rd_store_rename_person(a.store, ann, "Annie", &error));
	test_pg_server_start(server);
	assert_true(drain(a.store, 40));
	assert_int_equal(pg_int(db, "SELECT count(*) FROM people WHERE NOT deleted AND "
				"name_key IN ('ann', 'annie')"), 1);
	assert_int_equal(pg_int(db, "SELECT count(*) FROM sessions s JOIN people p ON "
				"p.id = s.person_id WHERE p.name = 'Annie' AND NOT p.deleted"), 2);
	room_close(&a);
}

/* A session deleted then imported again is live in the clinic: its
 * tombstone holds no key. */
static void
test_deleted_then_imported_again(void **state)
{
	g_autofree char *db = test_pg_new_database(server);
	g_autoptr(GError) error = NULL;
	g_autoptr(GBytes) rec = test_record_new(300, TEST_START + 50 * DAY, 2, 750, 42);
	Room a = { 0 };
	gint64 first;

	room_open(&a, db, "room_a");
	first = test_commit(a.store, rec, RD_COMMIT_INSERTED);
	assert_true(drain(a.store, 20));
	assert_true(rd_store_delete_session(a.store, first, &error));
	assert_true(drain(a.store, 20));
	test_commit(a.store, rec, RD_COMMIT_INSERTED);
	assert_true(drain(a.store, 20));
	assert_int_equal(pg_int(db, "SELECT count(*) FROM sessions WHERE record_id = 300 "
				"AND NOT deleted"), 1);
	assert_int_equal(pg_int(db, "SELECT count(*) FROM sessions WHERE record_id = 300"), 2);
	room_close(&a);
}

/* The same batch twice: the cursor stores it once. */
static void
test_batch_sent_twice(void **state)
{
	g_autofree char *db = test_pg_new_database(server);
	Room a = { 0 };
	static const char batch[] =
		"SELECT rollerd_apply_batch('elsewhere', '[[1000,\"session\",1,{\"id\":900,"
		"\"serial\":\"RL-X\",\"address\":\"\",\"record_id\":1,\"area\":1,\"start\":5,"
		"\"clock_set\":1,\"duration_ms\":1,\"needle_um\":0,\"strokes\":3,"
		"\"force_mean_cn\":1,\"force_max_cn\":1,\"in_band_permille\":0,"
		"\"source\":\"synced\",\"person\":\"me\"}]]')";

	room_open(&a, db, "room_a");
	assert_true(drain(a.store, 20));
	/* Only the journal's own rows so far; this batch comes from "elsewhere". */
	g_free(test_pg_sql_as(server, "room_a", db, batch));
	g_free(test_pg_sql_as(server, "room_a", db, "UPDATE sessions SET strokes = 4 "
			      "WHERE local_id = 900"));
	g_free(test_pg_sql_as(server, "room_a", db, batch));
	assert_int_equal(pg_int(db, "SELECT count(*) FROM sessions WHERE local_id = 900"), 1);
	/* Not applied again: the later change stays. */
	assert_int_equal(pg_int(db, "SELECT strokes FROM sessions WHERE local_id = 900"), 4);
	room_close(&a);
}

/* Stopped for the whole of a room's sync, restarted later: nothing lost. */
static void
test_server_down_then_up(void **state)
{
	g_autofree char *db = test_pg_new_database(server);
	Room a = { 0 };

	room_open(&a, db, "room_a");
	assert_true(drain(a.store, 20));
	test_pg_server_stop(server, FALSE);
	test_fill_history(a.store);
	spin(1.5);
	/* The journal took every session; the outbox keeps them. */
	assert_int_equal(test_sql_int(a.store, "SELECT count(*) FROM sessions"), 30);
	assert_true(outbox_count(a.store) >= 30);
	test_pg_server_start(server);
	assert_true(drain(a.store, 40));
	assert_int_equal(pg_int(db, "SELECT count(*) FROM sessions"), 30);
	room_close(&a);
}

static void
on_batch(gpointer user_data)
{
	guint *batches = user_data;

	(*batches)++;
}

/* Killed mid-batch (immediate stop) and restarted: each row once. */
static void
test_server_killed_mid_batch(void **state)
{
	g_autofree char *db = test_pg_new_database(server);
	Room a = { 0 };
	guint batches = 0;

	room_open(&a, db, "room_a");
	assert_true(drain(a.store, 20));
	rd_clinic_sender_set_batch_func(rd_clinic_get_sender(a.clinic), G_CALLBACK(on_batch),
					&batches);
	/* With their heads' rows, several batches. */
	for (guint i = 0; i < 600; i++) {
		g_autoptr(GBytes) rec = test_record_new((guint16)(i + 1), TEST_START + i * 3600,
							1, 500, 10);

		assert_true(test_commit_bytes(a.store, TEST_SERIAL, TEST_ADDRESS, rec, NULL, NULL,
					      NULL));
	}
	batches = 0;
	while (batches == 0)
		g_main_context_iteration(NULL, TRUE);
	test_pg_server_stop(server, TRUE);
	spin(0.3);
	test_pg_server_start(server);
	assert_true(drain(a.store, 40));
	assert_int_equal(pg_int(db, "SELECT count(*) FROM sessions"), 600);
	assert_int_equal(pg_int(db, "SELECT count(DISTINCT local_id) FROM sessions"), 600);
	room_close(&a);
}

static void
commit_n(RdStore *store, guint16 first, guint n)
{
	for (guint i = 0; i < n; i++) {
		g_autoptr(GBytes) rec = test_record_new((guint16)(first + i),
							TEST_START + (first + i) * DAY, 1, 500, 7);

		test_commit(store, rec, RD_COMMIT_INSERTED);
	}
}

/* A journal with @n sessions, record ids from @first, made outside the
 * clinic in @dir: a backup to restore. */
static char *
make_backup(const char *dir, guint16 first, guint n)
{
	g_autofree char *path = g_build_filename(dir, "backup.db", NULL);
	g_autoptr(GError) error = NULL;
	RdStore *store = rd_store_open(path, &error);

	assert_non_null(store);
	commit_n(store, first, n);
	rd_store_free(store);
	return g_steal_pointer(&path);
}

/* @backup in the room's journal's place, as Restore does: its history
 * put in its outbox first, then the clinic told. */
static void
room_restore(Room *r, const char *backup)
{
	g_autoptr(GError) error = NULL;
	g_autofree char *kept = NULL;

	assert_true(rd_store_restore_prepare(backup, TRUE, &error));
	assert_true(rd_store_restore_replace(&r->store, backup, &kept, &error));
	assert_true(rd_clinic_journal_replaced(r->clinic, &error));
}

/* A Restore while a batch is in flight, of a backup made outside the
 * clinic: that batch's answer, for the replaced journal, trims nothing
 * of the restored one, whose history arrives whole. */
static void
test_restore_during_a_batch(void **state)
{
	g_autofree char *db = test_pg_new_database(server);
	g_autofree char *backup = NULL;
	Room a = { 0 };
	guint batches = 0;

	room_open(&a, db, "room_a");
	backup = make_backup(a.dir->dir, 1000, 5);
	assert_true(drain(a.store, 20));
	rd_clinic_sender_set_batch_func(rd_clinic_get_sender(a.clinic), G_CALLBACK(on_batch),
					&batches);
	for (guint i = 0; i < 600; i++) {
		g_autoptr(GBytes) rec = test_record_new((guint16)(i + 1), TEST_START + i * 3600,
							1, 500, 10);

		assert_true(test_commit_bytes(a.store, TEST_SERIAL, TEST_ADDRESS, rec, NULL, NULL,
					      NULL));
	}
	rd_clinic_kick(a.clinic);
	while (batches == 0)
		g_main_context_iteration(NULL, TRUE);
	/* The next batch went with the first one's answer: now in flight. */
	room_restore(&a, backup);
	assert_true(drain(a.store, 20));
	assert_int_equal(pg_int(db, "SELECT count(*) FROM sessions WHERE record_id >= 1000"), 5);
	room_close(&a);
}

/* 10 sessions, a backup at 5, the backup restored, 1 new session: the
 * new one takes no id of the 5 made after the backup, and the clinic
 * keeps all 11. */
static void
test_restore_reuses_no_id(void **state)
{
	g_autofree char *db = test_pg_new_database(server);
	g_autofree char *backup = NULL;
	Room a = { 0 };

	room_open(&a, db, "room_a");
	commit_n(a.store, 1, 5);
	assert_true(drain(a.store, 20));
	backup = g_build_filename(a.dir->dir, "backup.db", NULL);
	{
		sqlite3 *copy = NULL;
		g_autofree char *vacuum = g_strdup_printf("VACUUM INTO '%s'", backup);

		assert_int_equal(sqlite3_open(a.dir->path, &copy), SQLITE_OK);
		assert_int_equal(sqlite3_exec(copy, vacuum, NULL, NULL, NULL), SQLITE_OK);
		sqlite3_close(copy);
	}
	commit_n(a.store, 6, 5);
	assert_true(drain(a.store, 20));
	room_restore(&a, backup);
	commit_n(a.store, 11, 1);
	assert_true(drain(a.store, 20));
	assert_int_equal(pg_int(db, "SELECT count(*) FROM sessions WHERE NOT deleted"), 11);
	assert_int_equal(pg_int(db, "SELECT count(DISTINCT record_id) FROM sessions"), 11);
	room_close(&a);
}

/* A room stopped (as by SIGKILL) with rows in its outbox sends them later. */
static void
test_room_stopped_with_outbox(void **state)
{
	g_autofree char *db = test_pg_new_database(server);
	g_autoptr(GError) error = NULL;
	Room a = { 0 };
	g_autofree char *path = NULL;

	room_open(&a, db, "room_a");
	assert_true(drain(a.store, 20));
	test_pg_server_stop(server, FALSE);
	test_fill_history(a.store);
	assert_true(outbox_count(a.store) >= 30);
	/* Nothing runs at a kill: the clinic and journal just go. */
	g_clear_pointer(&a.clinic, rd_clinic_free);
	g_clear_pointer(&a.store, rd_store_free);
	test_pg_server_start(server);

	a.store = rd_store_open(a.dir->path, &error);
	assert_non_null(a.store);
	assert_true(outbox_count(a.store) >= 30);
	a.clinic = clinic_new(&a.store, db, "room_a");
	assert_true(drain(a.store, 40));
	assert_int_equal(pg_int(db, "SELECT count(*) FROM sessions"), 30);
	room_close(&a);
}

/* A new machine for the room: a journal of its own, whose history
 * (more rows than the old one's cursor) arrives whole, its ids counting
 * from 1 again beside the old journal's, which stay. */
static void
test_new_machine_for_the_room(void **state)
{
	g_autofree char *db = test_pg_new_database(server);
	g_autoptr(GError) error = NULL;
	Room a = { 0 };
	TestStoreDir *old_dir;

	room_open(&a, db, "room_a");
	test_fill_history(a.store);
	assert_true(drain(a.store, 20));
	g_clear_pointer(&a.clinic, rd_clinic_free);
	g_clear_pointer(&a.store, rd_store_free);
	old_dir = a.dir;
	a.dir = test_store_dir_new();
	a.store = rd_store_open(a.dir->path, &error);
	assert_non_null(a.store);
	commit_n(a.store, 1000, 40);
	a.clinic = clinic_new(&a.store, db, "room_a");
	assert_true(drain(a.store, 20));
	assert_int_equal(pg_int(db, "SELECT count(*) FROM sessions WHERE record_id >= 1000 "
				"AND NOT deleted"), 40);
	assert_int_equal(pg_int(db, "SELECT count(*) FROM sessions WHERE record_id < 1000 "
				"AND NOT deleted"), 30);
	assert_int_equal(pg_int(db, "SELECT count(DISTINCT journal) FROM sessions"), 2);
	test_store_dir_free(old_dir);
	room_close(&a);
}

/*
 * Two rooms edit the same person's notes: the last writer by (the
 * writer's clock, then room name) wins, whichever arrives last.  A room
 * whose clock runs an hour ahead wins over a true later edit: the rule
 * trusts the rooms' clocks (docs/clinic.md says to keep them in time).
 */
static void
test_notes_last_writer_by_time_then_room(void **state)
{
	g_autofree char *db = test_pg_new_database(server);
	g_autoptr(GError) error = NULL;
	RdPersonProps props = { 0 };
	Room a = { 0 }, b = { 0 };
	g_autofree char *notes = NULL;
	gint64 ann_a = 0, ann_b = 0;

	room_open(&a, db, "room_a");
	room_open(&b, db, "room_b");
	assert_true(rd_store_add_person(a.store, "Ann", NULL, &ann_a, &error));
	assert_true(rd_store_add_person(b.store, "ann", NULL, &ann_b, &error));
	assert_true(drain(a.store, 20) && drain(b.store, 20));
	assert_int_equal(pg_int(db, "SELECT count(*) FROM people WHERE name_key = 'ann'"), 1);

	/* Room a's clock an hour ahead: its edit counts as the later one. */
	props.notes = "from a (clock +1 h)";
	assert_true(rd_store_set_person_props(a.store, ann_a, &props, &error));
	test_sql_int(a.store, "UPDATE outbox SET at = at + 3600 RETURNING 0");
	assert_true(drain(a.store, 20));
	props.notes = "from b, later in truth";
	assert_true(rd_store_set_person_props(b.store, ann_b, &props, &error));
	assert_true(drain(b.store, 20));
	notes = test_pg_sql(server, db, "SELECT notes FROM people WHERE name_key = 'ann'");
	assert_string_equal(notes, "from a (clock +1 h)");

	/* The same second: the room name decides, whichever came first. */
	props.notes = "b same second";
	assert_true(rd_store_set_person_props(b.store, ann_b, &props, &error));
	test_sql_int(b.store, "UPDATE outbox SET at = 4000000000 RETURNING 0");
	assert_true(drain(b.store, 20));
	props.notes = "a same second";
	assert_true(rd_store_set_person_props(a.store, ann_a, &props, &error));
	test_sql_int(a.store, "UPDATE outbox SET at = 4000000000 RETURNING 0");
	assert_true(drain(a.store, 20));
	g_free(notes);
	notes = test_pg_sql(server, db, "SELECT notes FROM people WHERE name_key = 'ann'");
	assert_string_equal(notes, "b same second");
	room_close(&a);
	room_close(&b);
}

/* A clinic schema newer than this rollerd: nothing sent, nothing lost. */
static void
test_newer_schema_refused(void **state)
{
	g_autofree char *db = test_pg_new_database(server);
	Room a = { 0 };

	g_free(test_pg_sql(server, db, "UPDATE rollerd_schema SET version = 99"));
	room_open_kept_waiting(&a, db, "room_a", "room_a");
	assert_int_equal(pg_int(db, "SELECT count(*) FROM sessions"), 0);
	room_close(&a);
}

/* A room never creates the schema: it waits, outbox kept, and sends once
 * the administrator has run the setup, on the same connection. */
static void
test_room_waits_for_the_setup(void **state)
{
	g_autofree char *db = test_pg_new_bare_database(server);
	Room a = { 0 };

	room_open_kept_waiting(&a, db, "room_a", "room_a");
	assert_int_equal(pg_int(db, "SELECT count(*) FROM pg_tables WHERE tablename = 'sessions'"),
			 0);
	test_pg_setup_clinic(server, db);
	assert_true(drain(a.store, 20));
	assert_int_equal(pg_int(db, "SELECT count(*) FROM sessions"), 30);
	room_close(&a);
}

/* A check that fails (here the schema's version unreadable) is tried
 * again on the same connection: the room sends once it passes. */
static void
test_failed_check_is_retried(void **state)
{
	g_autofree char *db = test_pg_new_database(server);
	Room a = { 0 };

	g_free(test_pg_sql(server, db, "REVOKE SELECT ON rollerd_schema FROM rollerd_rooms"));
	room_open_kept_waiting(&a, db, "room_a", "room_a");
	assert_int_equal(pg_int(db, "SELECT count(*) FROM sessions"), 0);
	g_free(test_pg_sql(server, db, "GRANT SELECT ON rollerd_schema TO rollerd_rooms"));
	assert_true(drain(a.store, 20));
	assert_int_equal(pg_int(db, "SELECT count(*) FROM sessions"), 30);
	assert_int_equal(pg_int(db, "SELECT count(*) FROM pg_stat_activity WHERE "
				"usename = 'room_a' AND backend_type = 'client backend'"), 2);
	room_close(&a);
}

/* Room "Room_A" connecting as role room_a would sign rows as room_a:
 * refused at connect, nothing sent. */
static void
test_room_must_be_the_role(void **state)
{
	g_autofree char *db = test_pg_new_database(server);
	Room a = { 0 };

	room_open_kept_waiting(&a, db, "room_a", "Room_A");
	assert_int_equal(pg_int(db, "SELECT count(*) FROM sessions"), 0);
	room_close(&a);
}

/* A password file others may read is refused, saying why. */
static void
test_password_file_mode(void **state)
{
	g_autoptr(TestStoreDir) dir = test_store_dir_new();
	g_autofree char *file = g_build_filename(dir->dir, "clinic.pgpass", NULL);
	g_autoptr(GError) error = NULL;
	RdClinicSettings settings = {
		.connection = "dbname=none", .room = "room_a", .password_file = file,
		.timeout_ms = 1000,
	};
	RdStore *store = rd_store_open(dir->path, &error);

	assert_non_null(store);
	assert_true(g_file_set_contents_full(file, "*:*:*:room_a:secret\n", -1,
					     G_FILE_SET_CONTENTS_NONE, 0600, &error));
	assert_int_equal(g_chmod(file, 0644), 0);
	assert_null(rd_clinic_new(&store, &settings, &error));
	assert_non_null(strstr(error->message, "may be read by others (mode 0644)"));
	g_clear_error(&error);
	assert_int_equal(g_chmod(file, 0600), 0);
	{
		g_autoptr(RdClinic) clinic = rd_clinic_new(&store, &settings, &error);

		assert_non_null(clinic);
	}
	rd_store_free(store);
}

static PGresult *
exec_as(PGconn *c, const char *sql, ExecStatusType expected)
{
	PGresult *r = PQexec(c, sql);

	if (PQresultStatus(r) != expected)
		fail_msg("%s: %s", sql, PQresultErrorMessage(r));
	return r;
}

static PGconn *
connect_as(const char *db, const char *user)
{
	g_autofree char *conninfo = test_pg_server_conninfo(server, user, db);
	PGconn *c = PQconnectdb(conninfo);

	assert_int_equal(PQstatus(c), CONNECTION_OK);
	return c;
}

/* Row ownership: a room writes only rows signed as itself, owns nothing
 * it could switch the rules off with; a role not in rollerd_rooms reads
 * nothing. */
static void
test_rooms_own_their_rows(void **state)
{
	static const char *const refused[] = {
		"ALTER TABLE sessions NO FORCE ROW LEVEL SECURITY",
		"ALTER TABLE sessions DISABLE ROW LEVEL SECURITY",
		"DROP POLICY room_updates ON sessions",
		"CREATE OR REPLACE FUNCTION rollerd_apply_batch(j text, batch jsonb) RETURNS bigint "
		"LANGUAGE sql AS 'SELECT 0::bigint'",
		"DELETE FROM sessions",
		"UPDATE rollerd_schema SET version = 0",
	};
	g_autofree char *db = test_pg_new_database(server);
	Room a = { 0 };
	PGconn *c;

	room_open(&a, db, "room_a");
	test_fill_history(a.store);
	assert_true(drain(a.store, 20));
	/* Room a, first to connect, is no owner of what it found. */
	c = connect_as(db, "room_a");
	PQclear(exec_as(c, "BEGIN", PGRES_COMMAND_OK));
	for (guint i = 0; i < G_N_ELEMENTS(refused); i++) {
		PQclear(exec_as(c, "SAVEPOINT s", PGRES_COMMAND_OK));
		PQclear(exec_as(c, refused[i], PGRES_FATAL_ERROR));
		PQclear(exec_as(c, "ROLLBACK TO SAVEPOINT s", PGRES_COMMAND_OK));
	}
	PQclear(exec_as(c, "COMMIT", PGRES_COMMAND_OK));
	PQfinish(c);
	c = connect_as(db, "room_b");
	{
		PGresult *r = exec_as(c, "UPDATE sessions SET strokes = 0 WHERE room = 'room_a'",
				      PGRES_COMMAND_OK);

		assert_string_equal(PQcmdTuples(r), "0");
		PQclear(r);
		/* Reading every room's rows is allowed. */
		r = exec_as(c, "SELECT count(*) FROM sessions", PGRES_TUPLES_OK);
		assert_string_equal(PQgetvalue(r, 0, 0), "30");
		PQclear(r);
	}
	/* A batch signs rows as the caller: room_b's copy, not room_a's. */
	PQclear(exec_as(c, "SELECT rollerd_apply_batch('j', '[[1,\"session-delete\",1,{\"id\":1}]]')",
			PGRES_TUPLES_OK));
	PQfinish(c);
	assert_int_equal(pg_int(db, "SELECT count(*) FROM sessions WHERE strokes = 0 OR deleted"),
			 0);

	c = connect_as(db, "outsider");
	PQclear(exec_as(c, "SELECT count(*) FROM sessions", PGRES_FATAL_ERROR));
	PQclear(exec_as(c, "SELECT count(*) FROM people", PGRES_FATAL_ERROR));
	PQclear(exec_as(c, "SELECT rollerd_apply_batch('j', '[]')", PGRES_FATAL_ERROR));
	PQfinish(c);
	room_close(&a);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_one_room_exactly_once),
		cmocka_unit_test(test_deleted_then_imported_again),
		cmocka_unit_test(test_rename_while_rows_wait),
		cmocka_unit_test(test_batch_sent_twice),
		cmocka_unit_test(test_server_down_then_up),
		cmocka_unit_test(test_server_killed_mid_batch),
		cmocka_unit_test(test_room_stopped_with_outbox),
		cmocka_unit_test(test_restore_during_a_batch),
		cmocka_unit_test(test_restore_reuses_no_id),
		cmocka_unit_test(test_new_machine_for_the_room),
		cmocka_unit_test(test_notes_last_writer_by_time_then_room),
		cmocka_unit_test(test_rooms_own_their_rows),
		cmocka_unit_test(test_newer_schema_refused),
		cmocka_unit_test(test_room_waits_for_the_setup),
		cmocka_unit_test(test_room_must_be_the_role),
		cmocka_unit_test(test_failed_check_is_retried),
		cmocka_unit_test(test_password_file_mode),
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
