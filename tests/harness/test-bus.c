/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>
#include <glib/gstdio.h>

#include "test-bus.h"

/* Real milliseconds a child has to end on SIGTERM, before its slowness:
 * roller-sim --peripheral ends its link first, over 2 s in bluetoothd. */
#define STOP_TIMEOUT_MS 10000
/* How much slower a child runs under a wrapper such as valgrind. */
#define WRAPPED_SLOWNESS 10

typedef struct {
	GPid pid;
	char *log_name;
	char *wrapper;	/* the command line it runs under, or NULL */
	guint slowness;
	gboolean exited;	/* and reaped: @status is its wait status */
	int status;
} TestBusChild;

struct _TestBus {
	char *dir;
	char *address;
	GPid daemon_pid;
	GDBusConnection *connection;
	GArray *children;	/* TestBusChild */
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

/* In the child before exec: a crashed or killed test leaves nothing behind. */
static void
die_with_parent(gpointer parent)
{
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	/* The test may have died before prctl(). */
	if (getppid() != GPOINTER_TO_INT(parent))
		_exit(127);
}

static void
clear_child(gpointer data)
{
	TestBusChild *child = data;

	g_free(child->log_name);
	g_free(child->wrapper);
}

static TestBus *
bus_alloc(GError **error)
{
	TestBus *bus = g_new0(TestBus, 1);

	bus->children = g_array_new(FALSE, FALSE, sizeof(TestBusChild));
	g_array_set_clear_func(bus->children, clear_child);
	bus->dir = g_dir_make_tmp("rollerd-test-XXXXXX", error);
	if (!bus->dir)
		die("cannot make a temporary directory", *error);
	return bus;
}

TestBus *
test_bus_new(void)
{
	return test_bus_new_with_policy("");
}

TestBus *
test_bus_new_with_policy(const char *policy)
{
	g_autoptr(GError) error = NULL;
	TestBus *bus = bus_alloc(&error);
	g_autofree char *config_path = g_build_filename(bus->dir, "bus.conf", NULL);
	g_autofree char *config = g_strdup_printf(bus_config, bus->dir, policy);
	g_autofree char *config_arg = g_strconcat("--config-file=", config_path, NULL);
	/* The dbus-daemon configure found, not whichever PATH has first. */
	const char *argv[] = { DBUS_DAEMON, "--nofork", "--print-address=1", config_arg, NULL };
	int out_fd;
	char line[512];
	ssize_t got = 0;

	if (!g_file_set_contents(config_path, config, -1, &error))
		die("cannot write the bus config", error);
	/* Not reaped by GLib: its double fork would orphan the daemon, whose
	 * PR_SET_PDEATHSIG would then fire at once. */
	if (!g_spawn_async_with_pipes(NULL, (char **)argv, NULL,
				      G_SPAWN_DO_NOT_REAP_CHILD | G_SPAWN_STDERR_TO_DEV_NULL,
				      die_with_parent, GINT_TO_POINTER(getpid()),
				      &bus->daemon_pid, NULL, &out_fd, NULL, &error))
		die("cannot start dbus-daemon", error);
	/* The address is the first line dbus-daemon prints. */
	while (got < (ssize_t)sizeof(line) - 1 && read(out_fd, line + got, 1) > 0 &&
	       line[got] != '\n')
		got++;
	close(out_fd);
	line[got] = '\0';
	if (got == 0)
		die("dbus-daemon printed no address", NULL);
	bus->address = g_strdup(line);
	g_setenv("DBUS_SESSION_BUS_ADDRESS", bus->address, TRUE);
	g_unsetenv("DBUS_SYSTEM_BUS_ADDRESS");
	bus->connection = g_dbus_connection_new_for_address_sync(bus->address,
								 G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT |
								 G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION,
								 NULL, NULL, &error);
	if (!bus->connection)
		die("cannot connect to the test bus", error);
	return bus;
}

GDBusConnection *
test_bus_new_client(TestBus *bus)
{
	g_autoptr(GError) error = NULL;
	GDBusConnection *c = g_dbus_connection_new_for_address_sync(
		bus->address,
		G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT |
		G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION, NULL, NULL, &error);

	if (!c)
		die("cannot connect to the test bus", error);
	return c;
}

TestBus *
test_bus_new_system(void)
{
	g_autoptr(GError) error = NULL;
	TestBus *bus = bus_alloc(&error);

	bus->connection = g_bus_get_sync(G_BUS_TYPE_SYSTEM, NULL, &error);
	if (!bus->connection)
		die("cannot connect to the system bus", error);
	bus->address = g_dbus_address_get_for_bus_sync(G_BUS_TYPE_SYSTEM, NULL, &error);
	if (!bus->address)
		die("the system bus has no address", error);
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

GPid
test_bus_get_daemon_pid(TestBus *bus)
{
	return bus->daemon_pid;
}

GDBusConnection *
test_bus_get_connection(TestBus *bus)
{
	return bus->connection;
}

/* The command line in $@wrapper_var, or NULL when there is none. */
static const char *
wrapper_of(const char *wrapper_var)
{
	const char *wrapper = wrapper_var ? g_getenv(wrapper_var) : NULL;

	return wrapper && wrapper[strspn(wrapper, " \t")] ? wrapper : NULL;
}

guint
test_bus_slowness(const char *wrapper_var)
{
	return wrapper_of(wrapper_var) ? WRAPPED_SLOWNESS : 1;
}

GPid
test_bus_spawn(TestBus *bus, const char *log_name, const char *const *argv)
{
	return test_bus_spawn_wrapped(bus, log_name, NULL, argv);
}

GPid
test_bus_spawn_wrapped(TestBus *bus, const char *log_name, const char *wrapper_var,
		       const char *const *argv)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GPtrArray) args = g_ptr_array_new_with_free_func(g_free);
	g_autofree char *log_path = g_strdup_printf("%s/%s.log", bus->dir, log_name);
	const char *builddir = g_getenv("ROLLER_BUILDDIR");
	TestBusChild child = { 0 };
	int log_fd;

	child.slowness = test_bus_slowness(wrapper_var);
	child.wrapper = g_strdup(wrapper_of(wrapper_var));
	if (child.wrapper) {
		g_auto(GStrv) words = NULL;

		if (!g_shell_parse_argv(child.wrapper, NULL, &words, &error))
			die(wrapper_var, error);
		for (gsize i = 0; words[i]; i++)
			g_ptr_array_add(args, g_strdup(words[i]));
	}
	for (gsize i = 0; argv[i]; i++) {
		if (g_str_has_prefix(argv[i], "@builddir@/"))
			g_ptr_array_add(args, g_build_filename(builddir ? builddir : TEST_BUS_BUILDDIR,
							       argv[i] + strlen("@builddir@/"),
							       NULL));
		else
			g_ptr_array_add(args, g_strdup(argv[i]));
	}
	g_ptr_array_add(args, NULL);
	log_fd = open(log_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	if (log_fd < 0)
		die("cannot open a child's log", NULL);
	if (!g_spawn_async_with_fds(NULL, (char **)args->pdata, NULL,
				    G_SPAWN_DO_NOT_REAP_CHILD | G_SPAWN_SEARCH_PATH,
				    die_with_parent, GINT_TO_POINTER(getpid()), &child.pid,
				    -1, log_fd, log_fd, &error))
		die("cannot start a child", error);
	close(log_fd);
	child.log_name = g_strdup(log_name);
	g_array_append_val(bus->children, child);
	return child.pid;
}

static TestBusChild *
find_child(TestBus *bus, GPid pid, guint *index)
{
	for (guint i = 0; i < bus->children->len; i++) {
		TestBusChild *child = &g_array_index(bus->children, TestBusChild, i);

		if (child->pid == pid) {
			if (index)
				*index = i;
			return child;
		}
	}
	return NULL;
}

static void
forget_child(TestBus *bus, GPid pid)
{
	guint i;

	if (find_child(bus, pid, &i))
		g_array_remove_index_fast(bus->children, i);
}

/* SIGTERM, then SIGKILL after @timeout_ms; the wait status. */
static int
stop_pid(GPid pid, guint timeout_ms)
{
	gint64 deadline = g_get_monotonic_time() + (gint64)timeout_ms * 1000;
	int status = 0;

	/* The main context is not run: a test's signal handlers may point
	 * into a stack frame that is gone by now. */
	kill(pid, SIGTERM);
	while (g_get_monotonic_time() < deadline) {
		if (waitpid(pid, &status, WNOHANG) == pid)
			return status;
		g_usleep(10000);
	}
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	return status;
}

gboolean
test_bus_has_exited(TestBus *bus, GPid pid, int *status)
{
	TestBusChild *child = find_child(bus, pid, NULL);

	g_return_val_if_fail(child, TRUE);
	if (!child->exited && waitpid(pid, &child->status, WNOHANG) == pid)
		child->exited = TRUE;
	if (child->exited && status)
		*status = child->status;
	return child->exited;
}

int
test_bus_stop(TestBus *bus, GPid pid)
{
	TestBusChild *child = find_child(bus, pid, NULL);
	int status;

	if (!child)
		return stop_pid(pid, STOP_TIMEOUT_MS);
	/* Reaped already: the pid may be another process's by now. */
	if (test_bus_has_exited(bus, pid, &status)) {
		forget_child(bus, pid);
		return status;
	}
	status = stop_pid(pid, STOP_TIMEOUT_MS * child->slowness);
	forget_child(bus, pid);
	return status;
}

static void
dump_log_tail(TestBus *bus, const char *log_name, gsize max)
{
	g_autofree char *path = g_strdup_printf("%s/%s.log", bus->dir, log_name);
	g_autofree char *text = NULL;
	gsize len = 0;

	if (!g_file_get_contents(path, &text, &len, NULL))
		return;
	fprintf(stderr, "--- %s (last %" G_GSIZE_FORMAT " KiB) ---\n%s\n---\n", log_name,
		max / 1024, len > max ? text + len - max : text);
}

void
test_bus_dump_log(TestBus *bus, const char *log_name)
{
	dump_log_tail(bus, log_name, 4096);
}

static char *
describe_status(int status)
{
	if (WIFEXITED(status))
		return g_strdup_printf("exit status %d", WEXITSTATUS(status));
	if (WIFSIGNALED(status))
		return g_strdup_printf("signal %d (%s)", WTERMSIG(status),
				       g_strsignal(WTERMSIG(status)));
	return g_strdup_printf("wait status 0x%x", status);
}

gboolean
test_bus_stop_ok(TestBus *bus, GPid pid)
{
	TestBusChild *child = find_child(bus, pid, NULL);
	g_autofree char *name = NULL;
	g_autofree char *wrapper = NULL;
	g_autofree char *how = NULL;
	int status;

	g_return_val_if_fail(child, FALSE);
	/* Anything but 0 on SIGTERM is a bug, and how a sanitizer's report
	 * (a leak at exit) or a wrapper's error exit code reaches the test. */
	name = g_strdup(child->log_name);
	wrapper = g_strdup(child->wrapper);
	status = test_bus_stop(bus, pid);
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return TRUE;
	/* A wrapper's report is at the end, and longer than a usual tail. */
	dump_log_tail(bus, name, 32768);
	how = describe_status(status);
	fprintf(stderr, "%s%s%s ended with %s on SIGTERM\n", name, wrapper ? " under " : "",
		wrapper ? wrapper : "", how);
	return FALSE;
}

static gboolean
has_exited(gpointer user_data)
{
	gpointer *args = user_data;

	return test_bus_has_exited(args[0], GPOINTER_TO_INT(args[1]), NULL);
}

int
test_bus_wait_exit(TestBus *bus, GPid pid, guint timeout_ms)
{
	gpointer args[] = { bus, GINT_TO_POINTER(pid) };
	int status;

	if (!test_bus_wait_until(has_exited, args, timeout_ms))
		return -1;
	test_bus_has_exited(bus, pid, &status);
	forget_child(bus, pid);
	return status;
}

void
test_bus_kill(TestBus *bus, GPid pid)
{
	int status;

	if (!test_bus_has_exited(bus, pid, NULL)) {
		kill(pid, SIGKILL);
		waitpid(pid, &status, 0);
	}
	forget_child(bus, pid);
}

typedef struct {
	TestBus *bus;
	const char *name;
	gboolean owned;
} NameWait;

static gboolean
name_owned_is(gpointer user_data)
{
	NameWait *w = user_data;
	g_autoptr(GVariant) ret =
		g_dbus_connection_call_sync(w->bus->connection, "org.freedesktop.DBus",
					    "/org/freedesktop/DBus", "org.freedesktop.DBus",
					    "NameHasOwner", g_variant_new("(s)", w->name),
					    G_VARIANT_TYPE("(b)"), G_DBUS_CALL_FLAGS_NONE, -1,
					    NULL, NULL);
	gboolean owned;

	if (!ret)
		return FALSE;
	g_variant_get(ret, "(b)", &owned);
	return owned == w->owned;
}

gboolean
test_bus_wait_for_name(TestBus *bus, const char *name, guint timeout_ms)
{
	NameWait w = { bus, name, TRUE };

	return test_bus_wait_until(name_owned_is, &w, timeout_ms);
}

gboolean
test_bus_wait_for_name_gone(TestBus *bus, const char *name, guint timeout_ms)
{
	NameWait w = { bus, name, FALSE };

	return test_bus_wait_until(name_owned_is, &w, timeout_ms);
}

static gboolean
wake_up(gpointer user_data)
{
	return G_SOURCE_CONTINUE;
}

gboolean
test_bus_wait_until(TestBusCondition cond, gpointer user_data, guint timeout_ms)
{
	gint64 deadline = g_get_monotonic_time() + (gint64)timeout_ms * 1000;
	/* The loop blocks until something is dispatched, but no longer than
	 * this: a condition on another process (a log, a property) and the
	 * deadline are looked at in time. */
	guint tick = g_timeout_add(10, wake_up, NULL);
	gboolean met;

	while (!(met = cond(user_data)) && g_get_monotonic_time() <= deadline)
		g_main_context_iteration(NULL, TRUE);
	g_source_remove(tick);
	return met;
}

static gboolean
never(gpointer user_data)
{
	return FALSE;
}

void
test_bus_run_for(guint ms)
{
	test_bus_wait_until(never, NULL, ms);
}

static void
remove_tree(const char *path)
{
	g_autoptr(GDir) dir = g_dir_open(path, 0, NULL);
	const char *name;

	while (dir && (name = g_dir_read_name(dir))) {
		g_autofree char *child = g_build_filename(path, name, NULL);

		if (g_file_test(child, G_FILE_TEST_IS_DIR) &&
		    !g_file_test(child, G_FILE_TEST_IS_SYMLINK))
			remove_tree(child);
		else
			g_unlink(child);
	}
	g_rmdir(path);
}

void
test_bus_free(TestBus *bus)
{
	if (!bus)
		return;
	while (bus->children->len)
		test_bus_stop(bus, g_array_index(bus->children, TestBusChild, 0).pid);
	g_array_unref(bus->children);
	if (bus->connection && bus->daemon_pid)
		g_dbus_connection_close_sync(bus->connection, NULL, NULL);
	g_clear_object(&bus->connection);
	if (bus->daemon_pid) {
		stop_pid(bus->daemon_pid, STOP_TIMEOUT_MS);
		g_spawn_close_pid(bus->daemon_pid);
	}
	/* Whatever is still queued for the closed connection goes now, not
	 * into the next test (or valgrind's leak report). */
	while (g_main_context_iteration(NULL, FALSE))
		;
	if (!g_getenv("ROLLER_TEST_KEEP"))
		remove_tree(bus->dir);
	else
		fprintf(stderr, "test-bus: kept %s\n", bus->dir);
	g_free(bus->address);
	g_free(bus->dir);
	g_free(bus);
}
