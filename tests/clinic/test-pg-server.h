/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A real PostgreSQL for the clinic's tests: initdb in a fresh temporary
 * directory, a server listening only on a unix socket there, stopped and
 * removed at the end.  Run as an unprivileged user: the caller, or when
 * that is root (CI) the user "nobody", who then owns the directory.
 * Roles room_a, room_b, room_c and outsider may log in (trust, over the
 * socket); "clinic" is the superuser, who runs the clinic's setup.
 */
#pragma once

#include <glib.h>
#include <libpq-fe.h>

typedef struct {
	char *dir;
	char *data;
	char *bindir;
	gboolean running;
} TestPgServer;

/* NULL when PostgreSQL's server is not installed (the test then skips). */
TestPgServer *test_pg_server_new(void);
void test_pg_server_free(TestPgServer *pg);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(TestPgServer, test_pg_server_free)

/* pg_ctl start -w / stop -m fast (or immediate: as if killed). */
void test_pg_server_start(TestPgServer *pg);
void test_pg_server_stop(TestPgServer *pg, gboolean immediate);

/* A libpq connection string for @user (the superuser "clinic" or a room)
 * to database @db ("postgres" when NULL). */
char *test_pg_server_conninfo(TestPgServer *pg, const char *user, const char *db);

/* A fresh database for one test, set up as the administrator would
 * (rollerd --clinic-setup, rooms a to c in rollerd_rooms); its name. */
char *test_pg_new_database(TestPgServer *pg);
/* The same without the clinic's setup, then the setup alone. */
char *test_pg_new_bare_database(TestPgServer *pg);
void test_pg_setup_clinic(TestPgServer *pg, const char *db);

/* Runs @sql as @user on @db, asserting success; the first value, or NULL. */
char *test_pg_sql_as(TestPgServer *pg, const char *user, const char *db, const char *sql);
char *test_pg_sql(TestPgServer *pg, const char *db, const char *sql);
gint64 test_pg_sql_int(TestPgServer *pg, const char *db, const char *sql);
