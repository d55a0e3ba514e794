/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>
#include <glib/gstdio.h>

#include "test-bus.h"

struct _TestBus {
	char *dir;
	char *address;
	GPid daemon_pid;
	GDBusConnection *connection;
	GArray *children;	/* GPid */
};

static const char bus_config[] =
	"<!DOCTYPE busconfig PUBLIC \"-//freedesktop//DTD D-BUS Bus Configuration 1.0//EN\"\n"
	" \"http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd\">\n"
	"<busconfig>\n"
	"  <type>session</type>\n"
	"  <listen>unix:dir=%s</listen>\n"
	"  <auth>EXTERNAL</auth>\n"
	"  <policy context=\"default\">\n"
	"    <allow send_destination=\"*\" eavesdrop=\"true\"/>\n"
	"    <allow eavesdrop=\"true\"/>\n"
	"    <allow own=\"*\"/>\n"
	"  </policy>\n"
	"%s"
	"  <limit name=\"max_replies_per_connection\">50000</limit>\n"
	"</busconfig>\n";

static void
die(const char *what, const GError *error)
{
	fprintf(stderr, "test-bus: %s: %s\n", what, error ? error->message : g_strerror(errno));
	abort();
}

TestBus *
test_bus_new(void)
{
	return test_bus_new_with_policy("");
}

TestBus *
test_bus_new_with_policy(const char *policy)
{
	TestBus *bus = g_new0(TestBus, 1);
	g_autoptr(GError) error = NULL;
	g_autofree char *config_path = NULL;
	g_autofree char *config = NULL;
	const char *argv[] = { "dbus-daemon", "--nofork", "--print-address=1",
			       NULL, NULL };
	g_autofree char *config_arg = NULL;
	int out_fd;
	char line[512];
	ssize_t n, got = 0;

	bus->dir = g_dir_make_tmp("rollerd-test-XXXXXX", &error);
	if (!bus->dir)
		die("cannot make a temporary directory", error);
	config_path = g_build_filename(bus->dir, "bus.conf", NULL);
	config = g_strdup_printf(bus_config, bus->dir, policy);
	if (!g_file_set_contents(config_path, config, -1, &error))
		die("cannot write the bus config", error);
	config_arg = g_strconcat("--config-file=", config_path, NULL);
	argv[3] = config_arg;
	if (!g_spawn_async_with_pipes(NULL, (char **)argv, NULL,
				      G_SPAWN_SEARCH_PATH | G_SPAWN_STDERR_TO_DEV_NULL,
				      NULL, NULL, &bus->daemon_pid, NULL, &out_fd, NULL,
				      &error))
		die("cannot start dbus-daemon", error);
	/* The address is the first line dbus-daemon prints. */
	while (got < (ssize_t)sizeof(line) - 1 &&
	       (n = read(out_fd, line + got, 1)) > 0 && line[got] != '\n')
		got++;
	close(out_fd);
	line[got] = '\0';
	if (got == 0)
		die("dbus-daemon printed no address", NULL);
	bus->address = g_strdup(line);
	g_setenv("DBUS_SESSION_BUS_ADDRESS", bus->address, TRUE);
	g_unsetenv("DBUS_SYSTEM_BUS_ADDRESS");
	bus->children = g_array_new(FALSE, FALSE, sizeof(GPid));
	bus->connection = g_dbus_connection_new_for_address_sync(bus->address,
								 G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT |
								 G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION,
								 NULL, NULL, &error);
	if (!bus->connection)
		die("cannot connect to the test bus", error);
	return bus;
}

TestBus *
test_bus_new_system(void)
{
	TestBus *bus = g_new0(TestBus, 1);
	g_autoptr(GError) error = NULL;

	bus->dir = g_dir_make_tmp("rollerd-test-XXXXXX", &error);
	if (!bus->dir)
		die("cannot make a temporary directory", error);
	bus->connection = g_bus_get_sync(G_BUS_TYPE_SYSTEM, NULL, &error);
	if (!bus->connection)
		die("cannot connect to the system bus", error);
	bus->address = g_dbus_address_get_for_bus_sync(G_BUS_TYPE_SYSTEM, NULL, &error);
	if (!bus->address)
		die("the system bus has no address", error);
	bus->children = g_array_new(FALSE, FALSE, sizeof(GPid));
	return bus;
}

const char *
test_bus_get_address(TestBus *bus)
{
	return bus->address;
}

const char *
test_bus_get_dir(TestBus *bus)
{
	return bus->dir;
}

GDBusConnection *
test_bus_get_connection(TestBus *bus)
{
	return bus->connection;
}

GPid
test_bus_spawn(TestBus *bus, const char *log_name, const char *const *argv)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GPtrArray) args = g_ptr_array_new_with_free_func(g_free);
	g_autofree char *log_path = g_strdup_printf("%s/%s.log", bus->dir, log_name);
	const char *builddir = g_getenv("ROLLER_BUILDDIR");
	int log_fd = open(log_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	GPid pid;

	if (log_fd < 0)
		die("cannot open a child's log", NULL);
	for (gsize i = 0; argv[i]; i++) {
		if (g_str_has_prefix(argv[i], "@builddir@/"))
			g_ptr_array_add(args, g_build_filename(builddir ? builddir : ".",
							       argv[i] + strlen("@builddir@/"),
							       NULL));
		else
			g_ptr_array_add(args, g_strdup(argv[i]));
	}
	g_ptr_array_add(args, NULL);
	if (!g_spawn_async_with_fds(NULL, (char **)args->pdata, NULL,
				    G_SPAWN_DO_NOT_REAP_CHILD | G_SPAWN_SEARCH_PATH,
				    NULL, NULL, &pid, -1, log_fd, log_fd, &error))
		die("cannot start a child", error);
	close(log_fd);
	g_array_append_val(bus->children, pid);
	return pid;
}

static void
forget_child(TestBus *bus, GPid pid)
{
	for (guint i = 0; i < bus->children->len; i++) {
		if (g_array_index(bus->children, GPid, i) == pid) {
			g_array_remove_index_fast(bus->children, i);
			return;
		}
	}
}

static int
stop_pid(GPid pid)
{
	int status = 0;

	/* roller-sim --peripheral ends its link first: over 2 s in bluetoothd. */
	kill(pid, SIGTERM);
	for (int i = 0; i < 1000; i++) {
		if (waitpid(pid, &status, WNOHANG) == pid)
			return status;
		g_usleep(10000);
	}
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	return status;
}

int
test_bus_stop(TestBus *bus, GPid pid)
{
	forget_child(bus, pid);
	return stop_pid(pid);
}

int
test_bus_wait_exit(TestBus *bus, GPid pid, guint timeout_ms)
{
	gint64 deadline = g_get_monotonic_time() + (gint64)timeout_ms * 1000;
	int status;

	while (waitpid(pid, &status, WNOHANG) != pid) {
		if (g_get_monotonic_time() > deadline)
			return -1;
		test_bus_run_for(20);
	}
	forget_child(bus, pid);
	return status;
}

void
test_bus_kill(TestBus *bus, GPid pid)
{
	int status;

	forget_child(bus, pid);
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
}

static gboolean
name_has_owner(gpointer user_data)
{
	gpointer *args = user_data;
	TestBus *bus = args[0];
	g_autoptr(GVariant) ret =
		g_dbus_connection_call_sync(bus->connection, "org.freedesktop.DBus",
					    "/org/freedesktop/DBus", "org.freedesktop.DBus",
					    "NameHasOwner", g_variant_new("(s)", args[1]),
					    G_VARIANT_TYPE("(b)"), G_DBUS_CALL_FLAGS_NONE, -1,
					    NULL, NULL);
	gboolean owned = FALSE;

	if (ret)
		g_variant_get(ret, "(b)", &owned);
	return owned;
}

gboolean
test_bus_wait_for_name(TestBus *bus, const char *name, guint timeout_ms)
{
	gpointer args[] = { bus, (gpointer)name };

	return test_bus_wait_until(name_has_owner, args, timeout_ms);
}

gboolean
test_bus_wait_until(TestBusCondition cond, gpointer user_data, guint timeout_ms)
{
	gint64 deadline = g_get_monotonic_time() + (gint64)timeout_ms * 1000;

	while (!cond(user_data)) {
		if (g_get_monotonic_time() > deadline)
			return FALSE;
		if (!g_main_context_iteration(NULL, FALSE))
			g_usleep(2000);
	}
	return TRUE;
}

void
test_bus_run_for(guint ms)
{
	gint64 deadline = g_get_monotonic_time() + (gint64)ms * 1000;

	while (g_get_monotonic_time() < deadline) {
		if (!g_main_context_iteration(NULL, FALSE))
			g_usleep(2000);
	}
}

void
test_bus_dump_log(TestBus *bus, const char *log_name)
{
	g_autofree char *path = g_strdup_printf("%s/%s.log", bus->dir, log_name);
	g_autofree char *text = NULL;
	gsize len = 0;

	if (!g_file_get_contents(path, &text, &len, NULL))
		return;
	fprintf(stderr, "--- %s (last 4 KiB) ---\n%s\n---\n", log_name,
		len > 4096 ? text + len - 4096 : text);
}

static void
remove_tree(const char *path)
{
	g_autoptr(GDir) dir = g_dir_open(path, 0, NULL);
	const char *name;

	if (dir) {
		while ((name = g_dir_read_name(dir))) {
			g_autofree char *child = g_build_filename(path, name, NULL);

			if (g_file_test(child, G_FILE_TEST_IS_DIR) &&
			    !g_file_test(child, G_FILE_TEST_IS_SYMLINK))
				remove_tree(child);
			else
				g_unlink(child);
		}
	}
	g_rmdir(path);
}

void
test_bus_free(TestBus *bus)
{
	if (!bus)
		return;
	while (bus->children->len)
		test_bus_stop(bus, g_array_index(bus->children, GPid, 0));
	g_array_unref(bus->children);
	if (bus->daemon_pid) {
		g_dbus_connection_close_sync(bus->connection, NULL, NULL);
		stop_pid(bus->daemon_pid);
		g_spawn_close_pid(bus->daemon_pid);
	}
	g_object_unref(bus->connection);
	if (!g_getenv("ROLLER_TEST_KEEP"))
		remove_tree(bus->dir);
	else
		fprintf(stderr, "test-bus: kept %s\n", bus->dir);
	g_free(bus->address);
	g_free(bus->dir);
	g_free(bus);
}
