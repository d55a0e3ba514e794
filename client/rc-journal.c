/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The journal as a whole: backup, restore, import.  rollerctl opens the
 * files and passes their descriptors: rollerd runs as its own user and
 * could not open the caller's paths.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>
#include <gio/gunixfdlist.h>
#include <glib/gstdio.h>

#include "rc-journal.h"

/* The one FILE argument; else a usage error. */
static const char *
file_argument(const char *command, int argc, char **argv)
{
	if (argc == 2)
		return argv[1];
	g_printerr("rollerctl %s: %s; rollerctl %s FILE\n", command,
		   argc < 2 ? "which file?" : "one file only", command);
	return NULL;
}

/* @fd in a list for a call's h argument 0; NULL after printing. */
static GUnixFDList *
fd_list_of(const char *command, int fd)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GUnixFDList) list = g_unix_fd_list_new();

	if (g_unix_fd_list_append(list, fd, &error) < 0) {
		g_printerr("rollerctl %s: %s\n", command, error->message);
		return NULL;
	}
	return g_steal_pointer(&list);
}

/* A floating a{sv} as a JSON object on stdout. */
static void
print_json(GVariant *object)
{
	g_autoptr(GVariant) owned = g_variant_ref_sink(object);
	g_autoptr(JsonNode) node = json_gvariant_serialize(owned);

	rc_print_json(node);
}

static int
open_for_reading(const char *command, const char *path)
{
	int fd = g_open(path, O_RDONLY | O_CLOEXEC, 0);

	if (fd < 0)
		g_printerr("rollerctl %s: cannot open %s: %s\n", command, path,
			   g_strerror(errno));
	return fd;
}

static void
sync_parent(const char *path)
{
	g_autofree char *dir = g_path_get_dirname(path);
	int fd = g_open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0);

	if (fd >= 0) {
		fsync(fd);
		close(fd);
	}
}

/*
 * Into a new file beside FILE (0600: the journal is personal), renamed
 * to FILE only once rollerd has written and checked it: a failed backup
 * leaves FILE as it was, and nothing that looks like a backup.
 */
int
rc_cmd_backup(const struct rc_globals *globals, int argc, char **argv)
{
	g_autoptr(GDBusConnection) bus = NULL;
	g_autoptr(RdDbusManager1) manager = NULL;
	g_autoptr(GUnixFDList) fds = NULL;
	g_autoptr(GError) error = NULL;
	g_autofree char *tmp = NULL;
	const char *path;
	GStatBuf st;
	int code = RC_EXIT_OK;
	int fd;

	if (!rc_parse_options("backup", "FILE",
			      "Write a copy of the whole journal (an SQLite database, checked)\n"
			      "to FILE, while rollerd runs.", NULL, &argc, &argv, &code))
		return code;
	if (!(path = file_argument("backup", argc, argv)))
		return RC_EXIT_USAGE;
	if (!(bus = rc_connect(globals, &code)) || !(manager = rc_manager(bus, &code)))
		return code;
	/* The new file replaces FILE by a rename: never a device, a pipe, a
	 * directory or a link (rollerctl may run as root). */
	if (g_lstat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
		g_printerr("rollerctl backup: %s exists and is not a regular file; "
			   "give a new file's name\n", path);
		return RC_EXIT_FAILURE;
	}
	tmp = g_strdup_printf("%s.XXXXXX", path);
	fd = g_mkstemp_full(tmp, O_RDWR | O_CLOEXEC, 0600);
	if (fd < 0) {
		g_printerr("rollerctl backup: cannot create a file beside %s: %s\n", path,
			   g_strerror(errno));
		return RC_EXIT_FAILURE;
	}
	fds = fd_list_of("backup", fd);
	close(fd);
	g_dbus_proxy_set_default_timeout(G_DBUS_PROXY(manager), G_MAXINT);
	if (!fds || !rd_dbus_manager1_call_backup_sync(manager, g_variant_new_handle(0),
						       G_DBUS_CALL_FLAGS_NONE, -1, fds, NULL,
						       NULL, &error)) {
		g_unlink(tmp);
		return error ? rc_print_error("backup", error) : RC_EXIT_FAILURE;
	}
	if (g_rename(tmp, path) < 0) {
		g_printerr("rollerctl backup: cannot rename %s to %s: %s\n", tmp, path,
			   g_strerror(errno));
		g_unlink(tmp);
		return RC_EXIT_FAILURE;
	}
	sync_parent(path);
	if (globals->json)
		print_json(g_variant_new_parsed("{'path': <%s>}", path));
	else
		printf("Journal backed up to %s\n", path);
	return RC_EXIT_OK;
}

int
rc_cmd_restore(const struct rc_globals *globals, int argc, char **argv)
{
	g_autoptr(GDBusConnection) bus = NULL;
	g_autoptr(RdDbusManager1) manager = NULL;
	g_autoptr(GUnixFDList) fds = NULL;
	g_autoptr(GError) error = NULL;
	g_autofree char *replaced = NULL;
	const char *path;
	int code = RC_EXIT_OK;
	int fd;

	if (!rc_parse_options("restore", "FILE",
			      "Replace the journal with the backup FILE, once it is checked; the\n"
			      "replaced journal is kept beside it (polkit may ask for a password).",
			      NULL, &argc, &argv, &code))
		return code;
	if (!(path = file_argument("restore", argc, argv)))
		return RC_EXIT_USAGE;
	if ((fd = open_for_reading("restore", path)) < 0)
		return RC_EXIT_FAILURE;
	fds = fd_list_of("restore", fd);
	close(fd);
	if (!fds)
		return RC_EXIT_FAILURE;
	if (!(bus = rc_connect(globals, &code)) || !(manager = rc_manager(bus, &code)))
		return code;
	g_dbus_proxy_set_default_timeout(G_DBUS_PROXY(manager), G_MAXINT);	/* polkit may ask */
	if (!rd_dbus_manager1_call_restore_sync(manager, g_variant_new_handle(0),
						G_DBUS_CALL_FLAGS_ALLOW_INTERACTIVE_AUTHORIZATION,
						-1, fds, &replaced, NULL, NULL, &error))
		return rc_print_error("restore", error);
	if (globals->json)
		print_json(g_variant_new_parsed("{'replaced': <%s>}", replaced));
	else
		printf("Journal restored from %s; the replaced journal is kept as %s\n", path,
		       replaced);
	return RC_EXIT_OK;
}

int
rc_cmd_import(const struct rc_globals *globals, int argc, char **argv)
{
	g_autoptr(GDBusConnection) bus = NULL;
	g_autoptr(RdDbusManager1) manager = NULL;
	g_autoptr(GUnixFDList) fds = NULL;
	g_autoptr(GError) error = NULL;
	guint imported = 0, present = 0;
	const char *path;
	int code = RC_EXIT_OK;
	int fd;

	if (!rc_parse_options("import", "FILE",
			      "Add the sessions of FILE (JSON as 'rollerctl export --json' writes\n"
			      "it) to the history; those already there are left as they are.",
			      NULL, &argc, &argv, &code))
		return code;
	if (!(path = file_argument("import", argc, argv)))
		return RC_EXIT_USAGE;
	if ((fd = open_for_reading("import", path)) < 0)
		return RC_EXIT_FAILURE;
	fds = fd_list_of("import", fd);
	close(fd);
	if (!fds)
		return RC_EXIT_FAILURE;
	if (!(bus = rc_connect(globals, &code)) || !(manager = rc_manager(bus, &code)))
		return code;
	g_dbus_proxy_set_default_timeout(G_DBUS_PROXY(manager), G_MAXINT);
	if (!rd_dbus_manager1_call_import_sync(manager, g_variant_new_handle(0),
					       G_DBUS_CALL_FLAGS_NONE, -1, fds, &imported,
					       &present, NULL, NULL, &error))
		return rc_print_error("import", error);
	if (globals->json)
		print_json(g_variant_new_parsed("{'imported': <%u>, 'present': <%u>}",
						imported, present));
	else
		printf("Imported %u sessions from %s (%u were in the history already)\n",
		       imported, path, present);
	return RC_EXIT_OK;
}
