/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * rd-pg-conn against a real PostgreSQL: a query that waits behind slow
 * ones past the timeout fails with RD_ERROR_TIMEOUT without being sent,
 * queries beyond the most that may wait are refused at once, and a host
 * name is resolved off the main loop.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "common/rd-error.h"
#include "daemon/clinic/rd-pg-conn.h"
#include "test-pg-server.h"

static TestPgServer *server;

typedef struct {
	guint done;
	guint ok;
	guint timed_out;
	guint busy;
	gint64 last_end;
} Tally;

static void
on_result(PGresult *result, const GError *error, gpointer user_data)
{
	Tally *t = user_data;

	t->done++;
	t->last_end = g_get_monotonic_time();
	if (!error)
		t->ok++;
	else if (g_error_matches(error, RD_ERROR, RD_ERROR_TIMEOUT))
		t->timed_out++;
	else if (g_error_matches(error, RD_ERROR, RD_ERROR_BUSY))
		t->busy++;
	else
		fail_msg("%s", error->message);
}

static RdPgConn *
ready_conn(guint timeout_ms)
{
	g_autofree char *db = test_pg_new_bare_database(server);
	g_autofree char *conninfo = test_pg_server_conninfo(server, "room_a", db);
	RdPgConn *conn = rd_pg_conn_new(conninfo, NULL, timeout_ms);

	rd_pg_conn_start(conn);
	while (!rd_pg_conn_is_ready(conn))
		g_main_context_iteration(NULL, TRUE);
	return conn;
}

/* Three 2 s queries and a fourth, with a 3 s timeout: the third would
 * wait 4 s before it went, so it fails at 3 s, before the second is
 * answered; the fourth too.  A second of margin each way, for valgrind. */
static void
test_waiting_query_times_out(void **state)
{
	g_autoptr(RdPgConn) conn = ready_conn(3000);
	Tally slow = { 0 }, late = { 0 };

	rd_pg_conn_query(conn, "SELECT pg_sleep(2)", 0, NULL, on_result, &slow);
	rd_pg_conn_query(conn, "SELECT pg_sleep(2)", 0, NULL, on_result, &slow);
	rd_pg_conn_query(conn, "SELECT pg_sleep(2)", 0, NULL, on_result, &late);
	rd_pg_conn_query(conn, "SELECT 1", 0, NULL, on_result, &late);
	while (slow.done + late.done < 4)
		g_main_context_iteration(NULL, TRUE);
	assert_int_equal(slow.ok, 2);
	assert_int_equal(late.timed_out, 2);
	/* Failed at their deadline, not once the slow ones ahead ended. */
	assert_true(late.last_end < slow.last_end);
	/* The connection goes on. */
	rd_pg_conn_query(conn, "SELECT 1", 0, NULL, on_result, &slow);
	while (slow.done < 3)
		g_main_context_iteration(NULL, TRUE);
	assert_int_equal(slow.ok, 3);
}

/* Beyond 64 waiting, a query is refused (RD_ERROR_BUSY), never from
 * inside the call. */
static void
test_queue_is_bounded(void **state)
{
	g_autoptr(RdPgConn) conn = ready_conn(5000);
	Tally t = { 0 };

	rd_pg_conn_query(conn, "SELECT pg_sleep(0.2)", 0, NULL, on_result, &t);
	for (guint i = 0; i < 70; i++)
		rd_pg_conn_query(conn, "SELECT 1", 0, NULL, on_result, &t);
	assert_int_equal(t.done, 0);
	while (t.done < 71)
		g_main_context_iteration(NULL, TRUE);
	/* The first 64 wait (none is in flight before the loop runs). */
	assert_int_equal(t.busy, 7);
	assert_int_equal(t.ok, 64);
}

static gboolean
on_tick(gpointer user_data)
{
	(*(guint *)user_data)++;
	return G_SOURCE_CONTINUE;
}

/* A name that cannot resolve: rd_pg_conn_start() returns before the
 * resolver answers (libpq would have failed inside it), the loop runs
 * on meanwhile (a source ready at every iteration ticks), and
 * the failure names the host. */
static void
test_unresolvable_name(void **state)
{
	g_autoptr(RdPgConn) conn = rd_pg_conn_new("host=rollerd-test.invalid dbname=clinic "
						  "user=room_a", NULL, 5000);
	guint ticks = 0;
	guint tick_id = g_timeout_add(0, on_tick, &ticks);
	const char *why;

	rd_pg_conn_start(conn);
	assert_null(rd_pg_conn_last_error(conn));
	assert_false(rd_pg_conn_is_ready(conn));
	while (!rd_pg_conn_last_error(conn))
		g_main_context_iteration(NULL, TRUE);
	g_source_remove(tick_id);
	assert_true(ticks > 0);
	why = rd_pg_conn_last_error(conn);
	assert_non_null(strstr(why, "Could not resolve the clinic's server rollerd-test.invalid"));
	assert_false(rd_pg_conn_is_ready(conn));
}

static gboolean
on_quit(gpointer user_data)
{
	*(gboolean *)user_data = TRUE;
	return G_SOURCE_REMOVE;
}

/* Freed while resolving: the cancelled lookup's answer, when it comes,
 * touches nothing freed (valgrind and ASan watch this). */
static void
test_free_while_resolving(void **state)
{
	RdPgConn *conn = rd_pg_conn_new("host=rollerd-test.invalid dbname=clinic", NULL, 5000);
	gboolean over = FALSE;

	rd_pg_conn_start(conn);
	assert_null(rd_pg_conn_last_error(conn));
	rd_pg_conn_free(conn);
	g_timeout_add(300, on_quit, &over);
	while (!over)
		g_main_context_iteration(NULL, TRUE);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_waiting_query_times_out),
		cmocka_unit_test(test_queue_is_bounded),
		cmocka_unit_test(test_unresolvable_name),
		cmocka_unit_test(test_free_while_resolving),
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
