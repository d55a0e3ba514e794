/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A throw-away PostgreSQL server for the clinic's tests. */
#include "config.h"

#include <pwd.h>
#include <stdlib.h>
#include <unistd.h>
#include <glib/gstdio.h>

#include "test-pg-server.h"
#include "daemon/clinic/rd-clinic-setup.h"

#define PORT "5432"	/* only names the socket: the directory is private */

/* Runs @argv as the server's user; aborts the test on failure. */
static void
run(TestPgServer *pg, const char *const *argv)
{
	g_autoptr(GPtrArray) full = g_ptr_array_new();
	g_autoptr(GError) error = NULL;
	g_autofree char *err = NULL;
	int status;

	if (geteuid() == 0) {
		g_ptr_array_add(full, (char *)"setpriv");
		g_ptr_array_add(full, (char *)"--reuid=nobody");
		g_ptr_array_add(full, (char *)"--regid=nogroup");
		g_ptr_array_add(full, (char *)"--clear-groups");
		g_ptr_array_add(full, (char *)"--");
	}
	for (guint i = 0; argv[i]; i++)
		g_ptr_array_add(full, (char *)argv[i]);
	g_ptr_array_add(full, NULL);
	if (!g_spawn_sync(pg->dir, (char **)full->pdata, NULL, G_SPAWN_SEARCH_PATH |
			  G_SPAWN_STDOUT_TO_DEV_NULL, NULL, NULL, NULL, &err, &status, &error) ||
	    !g_spawn_check_wait_status(status, NULL))
		g_error("%s failed: %s%s", argv[0], error ? error->message : "", err ? err : "");
}

static char *
find_bindir(void)
{
	g_autofree char *out = NULL;
	g_autofree char *postgres = NULL;

	if (g_getenv("PG_BINDIR"))
		out = g_strdup(g_getenv("PG_BINDIR"));
	else if (!g_spawn_command_line_sync("pg_config --bindir", &out, NULL, NULL, NULL))
		return NULL;
	g_strstrip(out);
	postgres = g_build_filename(out, "postgres", NULL);
	if (!g_file_test(postgres, G_FILE_TEST_IS_EXECUTABLE))
		return NULL;
	return g_steal_pointer(&out);
}

TestPgServer *
test_pg_server_new(void)
{
	g_autofree char *bindir = find_bindir();
	g_autofree char *initdb = NULL, *conf = NULL, *settings = NULL;
	TestPgServer *pg;

	if (!bindir)
		return NULL;
	pg = g_new0(TestPgServer, 1);
	pg->bindir = g_steal_pointer(&bindir);
	/* Short: a unix socket's path is at most 107 bytes. */
	pg->dir = g_dir_make_tmp("rd-pg-XXXXXX", NULL);
	g_assert_nonnull(pg->dir);
	if (geteuid() == 0) {
		struct passwd *nobody = getpwnam("nobody");

		g_assert_nonnull(nobody);
		g_assert_cmpint(chown(pg->dir, nobody->pw_uid, nobody->pw_gid), ==, 0);
	}
	pg->data = g_build_filename(pg->dir, "data", NULL);
	initdb = g_build_filename(pg->bindir, "initdb", NULL);
	run(pg, (const char *const[]){ initdb, "-D", pg->data, "-U", "clinic", "--auth=trust",
				       "-E", "UTF8", "--no-sync", "--no-instructions", NULL });
	conf = g_build_filename(pg->data, "postgresql.conf", NULL);
	settings = g_strdup_printf("listen_addresses = ''\nunix_socket_directories = '%s'\n"
				   "port = " PORT "\nfsync = off\nmax_connections = 40\n"
				   "shared_buffers = 16MB\n", pg->dir);
	{
		g_autofree char *old = NULL;
		g_autofree char *all = NULL;

		g_assert_true(g_file_get_contents(conf, &old, NULL, NULL));
		all = g_strconcat(old, settings, NULL);
		/* Written by root when root: readable by nobody, who owns the dir. */
		g_assert_true(g_file_set_contents_full(conf, all, -1, G_FILE_SET_CONTENTS_NONE,
						       0644, NULL));
		if (geteuid() == 0) {
			struct passwd *nobody = getpwnam("nobody");

			g_assert_cmpint(chown(conf, nobody->pw_uid, nobody->pw_gid), ==, 0);
		}
	}
	test_pg_server_start(pg);
	g_free(test_pg_sql(pg, NULL, "CREATE ROLE room_a LOGIN; CREATE ROLE room_b LOGIN; "
			   "CREATE ROLE room_c LOGIN; CREATE ROLE outsider LOGIN"));
	return pg;
}

void
test_pg_server_start(TestPgServer *pg)
{
	g_autofree char *pg_ctl = g_build_filename(pg->bindir, "pg_ctl", NULL);
	g_autofree char *log = g_build_filename(pg->dir, "server.log", NULL);

	run(pg, (const char *const[]){ pg_ctl, "-D", pg->data, "-l", log, "-w", "-s", "start",
				       NULL });
	pg->running = TRUE;
}

void
test_pg_server_stop(TestPgServer *pg, gboolean immediate)
{
	g_autofree char *pg_ctl = g_build_filename(pg->bindir, "pg_ctl", NULL);

	run(pg, (const char *const[]){ pg_ctl, "-D", pg->data, "-w", "-s", "-m",
				       immediate ? "immediate" : "fast", "stop", NULL });
	pg->running = FALSE;
}

static void
remove_tree(const char *path)
{
	g_autoptr(GDir) dir = g_dir_open(path, 0, NULL);
	const char *name;

	while (dir && (name = g_dir_read_name(dir))) {
		g_autofree char *child = g_build_filename(path, name, NULL);

		if (g_file_test(child, G_FILE_TEST_IS_DIR) && !g_file_test(child, G_FILE_TEST_IS_SYMLINK))
			remove_tree(child);
		else
			g_unlink(child);
	}
	g_rmdir(path);
}

void
test_pg_server_free(TestPgServer *pg)
{
	if (!pg)
		return;
	if (pg->running)
		test_pg_server_stop(pg, TRUE);
	remove_tree(pg->dir);
	g_free(pg->dir);
	g_free(pg->data);
	g_free(pg->bindir);
	g_free(pg);
}

char *
test_pg_server_conninfo(TestPgServer *pg, const char *user, const char *db)
{
	return g_strdup_printf("host=%s port=" PORT " dbname=%s user=%s connect_timeout=5",
			       pg->dir, db ? db : "postgres", user);
}

char *
test_pg_new_bare_database(TestPgServer *pg)
{
	static guint n;
	char *name = g_strdup_printf("clinic%u", ++n);
	g_autofree char *create = g_strdup_printf("CREATE DATABASE %s", name);

	g_free(test_pg_sql(pg, NULL, create));
	return name;
}

void
test_pg_setup_clinic(TestPgServer *pg, const char *db)
{
	g_autofree char *conninfo = test_pg_server_conninfo(pg, "clinic", db);
	g_autoptr(GError) error = NULL;

	if (!rd_clinic_setup(conninfo, NULL, &error))
		g_error("the clinic's setup: %s", error->message);
	g_free(test_pg_sql(pg, db, "GRANT rollerd_rooms TO room_a, room_b, room_c"));
}

char *
test_pg_new_database(TestPgServer *pg)
{
	char *name = test_pg_new_bare_database(pg);

	test_pg_setup_clinic(pg, name);
	return name;
}

char *
test_pg_sql(TestPgServer *pg, const char *db, const char *sql)
{
	return test_pg_sql_as(pg, "clinic", db, sql);
}

static void
quiet(void *data, const char *message)
{
}

char *
test_pg_sql_as(TestPgServer *pg, const char *user, const char *db, const char *sql)
{
	g_autofree char *conninfo = test_pg_server_conninfo(pg, user, db);
	PGconn *c = PQconnectdb(conninfo);
	PGresult *r;
	char *value = NULL;

	if (PQstatus(c) != CONNECTION_OK)
		g_error("connect: %s", PQerrorMessage(c));
	PQsetNoticeProcessor(c, quiet, NULL);
	r = PQexec(c, sql);
	if (PQresultStatus(r) != PGRES_COMMAND_OK && PQresultStatus(r) != PGRES_TUPLES_OK)
		g_error("%s: %s", sql, PQresultErrorMessage(r));
	if (PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) > 0 && !PQgetisnull(r, 0, 0))
		value = g_strdup(PQgetvalue(r, 0, 0));
	PQclear(r);
	PQfinish(c);
	return value;
}

gint64
test_pg_sql_int(TestPgServer *pg, const char *db, const char *sql)
{
	g_autofree char *value = test_pg_sql(pg, db, sql);

	g_assert_nonnull(value);
	return g_ascii_strtoll(value, NULL, 10);
}
