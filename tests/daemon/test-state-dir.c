/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * rd-state-dir: the journal's directory is private before rollerd uses
 * it, whatever it was (issue: sessions.db was 0644 in a 0755 directory).
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>
#include <glib/gstdio.h>

#include "common/rd-error.h"
#include "daemon/rd-state-dir.h"

static guint mode_of(const char *path)
{
	struct stat st;

	assert_int_equal(lstat(path, &st), 0);
	return st.st_mode & 07777;
}

static char *
write_file(const char *dir, const char *name, guint mode)
{
	char *path = g_build_filename(dir, name, NULL);

	assert_true(g_file_set_contents(path, "journal", -1, NULL));
	assert_int_equal(chmod(path, mode), 0);
	return path;
}

static int
setup(void **state)
{
	*state = g_dir_make_tmp("rd-state-dir-XXXXXX", NULL);
	assert_non_null(*state);
	return 0;
}

static int
teardown(void **state)
{
	g_autofree char *cmd = g_strdup_printf("rm -rf '%s'", (char *)*state);

	assert_int_equal(system(cmd), 0);
	g_free(*state);
	return 0;
}

static void
test_created_private(void **state)
{
	g_autofree char *dir = g_build_filename(*state, "var", "lib", "rollerd", NULL);
	g_autoptr(GError) error = NULL;

	assert_true(rd_state_dir_prepare(dir, &error));
	assert_null(error);
	assert_int_equal(mode_of(dir), 0700);
	/* Calling again (every start) changes nothing. */
	assert_true(rd_state_dir_prepare(dir, &error));
	assert_int_equal(mode_of(dir), 0700);
}

static void
test_open_directory_tightened(void **state)
{
	g_autofree char *dir = g_build_filename(*state, "rollerd", NULL);
	g_autofree char *db = NULL, *ini = NULL, *wal = NULL;
	g_autoptr(GError) error = NULL;

	assert_int_equal(g_mkdir(dir, 0755), 0);
	assert_int_equal(chmod(dir, 0755), 0);
	db = write_file(dir, "sessions.db", 0644);
	wal = write_file(dir, "sessions.db-wal", 0664);
	ini = write_file(dir, "rollers.ini", 0600);
	assert_true(rd_state_dir_prepare(dir, &error));
	assert_null(error);
	assert_int_equal(mode_of(dir), 0700);
	assert_int_equal(mode_of(db), 0600);
	assert_int_equal(mode_of(wal), 0600);
	assert_int_equal(mode_of(ini), 0600);
}

/* A link in the directory does not carry the change to its target. */
static void
test_links_not_followed(void **state)
{
	g_autofree char *dir = g_build_filename(*state, "rollerd", NULL);
	g_autofree char *outside = write_file(*state, "elsewhere", 0644);
	g_autofree char *link = g_build_filename(dir, "sessions.db", NULL);
	g_autoptr(GError) error = NULL;

	assert_int_equal(g_mkdir(dir, 0700), 0);
	assert_int_equal(symlink(outside, link), 0);
	assert_true(rd_state_dir_prepare(dir, &error));
	assert_int_equal(mode_of(outside), 0644);
}

static void
assert_refused(const char *dir, const char *mentions)
{
	g_autoptr(GError) error = NULL;

	assert_false(rd_state_dir_prepare(dir, &error));
	assert_non_null(error);
	assert_true(g_error_matches(error, RD_ERROR, RD_ERROR_STORAGE_FAILED));
	assert_non_null(strstr(error->message, dir));
	if (!strstr(error->message, mentions))
		fail_msg("\"%s\" does not say \"%s\"", error->message, mentions);
}

static void
test_link_to_directory_refused(void **state)
{
	g_autofree char *real = g_build_filename(*state, "real", NULL);
	g_autofree char *dir = g_build_filename(*state, "rollerd", NULL);

	assert_int_equal(g_mkdir(real, 0755), 0);
	assert_int_equal(symlink(real, dir), 0);
	assert_refused(dir, "not a link");
	assert_int_equal(mode_of(real), 0755);
}

static void
test_file_refused(void **state)
{
	g_autofree char *dir = write_file(*state, "rollerd", 0644);

	assert_refused(dir, "directory");
}

static void
test_other_owner_refused(void **state)
{
	g_autofree char *dir = g_build_filename(*state, "rollerd", NULL);

	if (geteuid() != 0)
		skip();	/* only root can give a directory away */
	assert_int_equal(g_mkdir(dir, 0755), 0);
	assert_int_equal(chown(dir, 65534, 65534), 0);
	assert_refused(dir, "belongs to uid 65534");
	assert_int_equal(mode_of(dir), 0755);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_created_private, setup, teardown),
		cmocka_unit_test_setup_teardown(test_open_directory_tightened, setup, teardown),
		cmocka_unit_test_setup_teardown(test_links_not_followed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_link_to_directory_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_file_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_other_owner_refused, setup, teardown),
	};

	g_log_set_writer_func(g_log_writer_default, NULL, NULL);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
