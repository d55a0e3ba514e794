/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "roller-proto.h"
#include "sim-harness.h"

/* Real milliseconds, before the slowness factor. */
#define START_TIMEOUT_MS 5000
#define STOP_TIMEOUT_MS 5000

static const char bus_config[] =
	"<!DOCTYPE busconfig PUBLIC \"-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN\"\n"
	" \"http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd\">\n"
	"<busconfig>\n"
	"  <type>session</type>\n"
	"  <listen>unix:tmpdir=/tmp</listen>\n"
	"  <auth>EXTERNAL</auth>\n"
	"  <policy context=\"default\">\n"
	"    <allow send_destination=\"*\" eavesdrop=\"true\"/>\n"
	"    <allow eavesdrop=\"true\"/>\n"
	"    <allow own=\"*\"/>\n"
	"  </policy>\n"
	"</busconfig>\n";

static void
die_with_parent(gpointer data)
{
	/* A crashed or killed test leaves no bus or simulator behind. */
	prctl(PR_SET_PDEATHSIG, SIGKILL);
}

static void
on_child_exit(GPid pid, int status, gpointer data)
{
	HarnessChild *child = data;

	child->exited = TRUE;
	child->status = status;
	child->watch = 0;
	g_spawn_close_pid(pid);
}

char *
harness_path(Harness *h, const char *name)
{
	return g_build_filename(h->dir, name, NULL);
}

/* Starts roller-sim in @mode; returns an error message, or NULL. */
static char *
spawn(Harness *h, HarnessChild *child, const char *mode,
      const char *const *args)
{
	g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func(g_free);
	g_autoptr(GError) error = NULL;
	const char *builddir = g_getenv("ROLLER_BUILDDIR");
	const char *wrapper = g_getenv("ROLLER_SIM_WRAPPER");

	if (wrapper && *wrapper) {
		g_auto(GStrv) words = NULL;

		if (!g_shell_parse_argv(wrapper, NULL, &words, &error))
			return g_strdup_printf("ROLLER_SIM_WRAPPER: %s",
					       error->message);
		for (guint i = 0; words[i]; i++)
			g_ptr_array_add(argv, g_strdup(words[i]));
	}
	g_ptr_array_add(argv, g_build_filename(builddir ? builddir : SIM_BUILDDIR,
					       "sim",
					       "roller-sim", NULL));
	g_ptr_array_add(argv, g_strdup(mode));
	g_ptr_array_add(argv, g_strconcat("--bus=", h->bus_address, NULL));
	for (guint i = 0; args && args[i]; i++) {
		g_auto(GStrv) parts = g_strsplit(args[i], "{dir}", -1);

		g_ptr_array_add(argv, g_strjoinv(h->dir, parts));
	}
	g_ptr_array_add(argv, NULL);

	child->exited = FALSE;
	if (!g_spawn_async(NULL, (char **)argv->pdata, NULL,
			   G_SPAWN_DO_NOT_REAP_CHILD | G_SPAWN_SEARCH_PATH,
			   die_with_parent, NULL, &child->pid, &error))
		return g_strdup_printf("roller-sim: %s", error->message);
	child->watch = g_child_watch_add(child->pid, on_child_exit, child);
	return NULL;
}

static char *
spawn_sim(Harness *h, const char *const *args)
{
	return spawn(h, &h->sim, "--mock-bluez", args);
}

static gboolean
adapter_is_served(Harness *h, gpointer data)
{
	g_autoptr(GDBusInterface) adapter =
		g_dbus_object_manager_get_interface(h->manager, "/org/bluez/hci0",
						    "org.bluez.Adapter1");

	return adapter != NULL || h->sim.exited;
}

static gboolean try_wait(Harness *h, HarnessCondition cond, gpointer data,
			 guint timeout_ms);

/* Returns an error message, or NULL once the adapter is served. */
static char *
wait_for_sim(Harness *h)
{
	if (!try_wait(h, adapter_is_served, NULL, START_TIMEOUT_MS))
		return g_strdup("roller-sim did not serve /org/bluez/hci0 in time");
	if (h->sim.exited)
		return g_strdup_printf("roller-sim exited at start (status 0x%x)",
				       h->sim.status);
	return NULL;
}

static void stop_all(Harness *h);

Harness *
harness_start(const char *const *args)
{
	g_autoptr(GError) error = NULL;
	g_autofree char *config = NULL;
	g_autofree char *listen = NULL;
	g_autofree char *failure = NULL;
	Harness *h = g_new0(Harness, 1);
	const char *wrapper = g_getenv("ROLLER_SIM_WRAPPER");
	gint64 deadline;

	h->slowness = wrapper && *wrapper ? 10 : 1;
	h->dir = g_dir_make_tmp("roller-sim-test-XXXXXX", &error);
	if (!h->dir)
		fail_msg("temporary directory: %s", error->message);
	config = harness_path(h, "bus.conf");
	listen = g_strdup_printf("--address=unix:path=%s/bus", h->dir);
	{
		/* The one configure found. */
		const char *argv[] = { DBUS_DAEMON, "--nofork", "--config-file",
				       config, listen, NULL };

		if (!g_file_set_contents(config, bus_config, -1, &error) ||
		    !g_spawn_async(NULL, (char **)argv, NULL,
				   G_SPAWN_SEARCH_PATH | G_SPAWN_DO_NOT_REAP_CHILD |
				   G_SPAWN_STDERR_TO_DEV_NULL,
				   die_with_parent, NULL, &h->bus_pid, &error)) {
			failure = g_strdup_printf("dbus-daemon: %s", error->message);
			goto fail;
		}
	}
	h->bus_address = g_strdup_printf("unix:path=%s/bus", h->dir);
	/* The socket appears once the bus listens. */
	deadline = g_get_monotonic_time() + START_TIMEOUT_MS * 1000;
	while (!h->connection) {
		g_clear_error(&error);
		h->connection = g_dbus_connection_new_for_address_sync(h->bus_address,
			G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT |
			G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION,
			NULL, NULL, &error);
		if (!h->connection && g_get_monotonic_time() > deadline) {
			failure = g_strdup_printf("no bus: %s", error->message);
			goto fail;
		}
		if (!h->connection)
			g_usleep(10000);
	}
	h->manager = bluez_object_manager_client_new_sync(h->connection,
		G_DBUS_OBJECT_MANAGER_CLIENT_FLAGS_NONE, "org.bluez", "/",
		NULL, &error);
	if (!h->manager) {
		failure = g_strdup_printf("ObjectManager client: %s", error->message);
		goto fail;
	}
	failure = spawn_sim(h, args);
	if (!failure)
		failure = wait_for_sim(h);
	if (!failure)
		return h;
fail:
	/* Nothing left behind, even when setting up failed. */
	stop_all(h);
	fail_msg("%s", failure);
	return NULL;
}

/* Returns an error message, or NULL when roller-sim ended well. */
static char *
stop_child(Harness *h, HarnessChild *child)
{
	gint64 deadline = g_get_monotonic_time() +
			  (gint64)STOP_TIMEOUT_MS * h->slowness * 1000;
	GPid pid = child->pid;

	if (!pid)
		return NULL;
	child->pid = 0;
	if (!child->exited)
		kill(pid, SIGTERM);
	while (!child->exited && g_get_monotonic_time() < deadline) {
		if (!g_main_context_iteration(NULL, FALSE))
			g_usleep(2000);
	}
	if (!child->exited) {
		kill(pid, SIGKILL);
		if (child->watch)
			g_source_remove(child->watch);
		child->watch = 0;
		waitpid(pid, NULL, 0);
		g_spawn_close_pid(pid);
		return g_strdup("roller-sim did not exit on SIGTERM");
	}
	if (!WIFEXITED(child->status) || WEXITSTATUS(child->status) != 0)
		return g_strdup_printf("roller-sim ended with status 0x%x",
				       child->status);
	return NULL;
}

static char *
stop_sim(Harness *h)
{
	return stop_child(h, &h->sim);
}

void
harness_stop_sim(Harness *h)
{
	g_autofree char *failure = stop_sim(h);

	if (failure)
		fail_msg("%s", failure);
}

void
harness_stop_peripheral(Harness *h)
{
	g_autofree char *failure = stop_child(h, &h->peer);

	if (failure)
		fail_msg("%s", failure);
}

void
harness_restart_sim(Harness *h, const char *const *args)
{
	g_autofree char *failure = NULL;

	harness_stop_sim(h);
	failure = spawn_sim(h, args);
	if (!failure)
		failure = wait_for_sim(h);
	if (failure)
		fail_msg("%s", failure);
}

static void
remove_tree(const char *path)
{
	GDir *dir = g_dir_open(path, 0, NULL);
	const char *name;

	while (dir && (name = g_dir_read_name(dir))) {
		g_autofree char *child = g_build_filename(path, name, NULL);

		if (g_file_test(child, G_FILE_TEST_IS_DIR) &&
		    !g_file_test(child, G_FILE_TEST_IS_SYMLINK))
			remove_tree(child);
		else
			unlink(child);
	}
	if (dir)
		g_dir_close(dir);
	rmdir(path);
}

/* Stops and frees everything; returns roller-sim's failure, if any. */
static char *
stop_everything(Harness *h)
{
	char *failure;

	g_clear_object(&h->manager);
	failure = stop_child(h, &h->peer);
	if (failure)
		g_free(stop_sim(h));
	else
		failure = stop_sim(h);
	if (h->connection)
		g_dbus_connection_close_sync(h->connection, NULL, NULL);
	g_clear_object(&h->connection);
	if (h->bus_pid) {
		kill(h->bus_pid, SIGTERM);
		waitpid(h->bus_pid, NULL, 0);
		g_spawn_close_pid(h->bus_pid);
	}
	/* Whatever is still queued for the dead connection goes now. */
	while (g_main_context_iteration(NULL, FALSE))
		;
	if (h->dir)
		remove_tree(h->dir);
	g_free(h->dir);
	g_free(h->bus_address);
	g_free(h);
	return failure;
}

static void
stop_all(Harness *h)
{
	g_free(stop_everything(h));
}

void
harness_stop(Harness *h)
{
	g_autofree char *failure = NULL;

	if (!h)
		return;
	failure = stop_everything(h);
	if (failure)
		fail_msg("%s", failure);
}

struct new_name {
	char **before;
	char *found;
};

static gboolean
new_name_on_bus(Harness *h, gpointer data)
{
	struct new_name *wanted = data;
	g_autoptr(GVariant) reply = NULL;
	g_autofree const char **names = NULL;

	reply = g_dbus_connection_call_sync(h->connection, "org.freedesktop.DBus",
					    "/org/freedesktop/DBus",
					    "org.freedesktop.DBus", "ListNames",
					    NULL, G_VARIANT_TYPE("(as)"),
					    G_DBUS_CALL_FLAGS_NONE, -1, NULL, NULL);
	if (!reply || h->peer.exited)
		return TRUE;
	g_variant_get(reply, "(^a&s)", &names);
	for (guint i = 0; names[i]; i++) {
		if (names[i][0] == ':' &&
		    !g_strv_contains((const char *const *)wanted->before, names[i])) {
			wanted->found = g_strdup(names[i]);
			return TRUE;
		}
	}
	return FALSE;
}

char *
harness_start_peripheral(Harness *h, const char *const *args)
{
	g_autoptr(GVariant) reply = NULL;
	g_autofree char *failure = NULL;
	struct new_name wanted = { NULL, NULL };

	/* Its unique name is the one that was not there before. */
	reply = g_dbus_connection_call_sync(h->connection, "org.freedesktop.DBus",
					    "/org/freedesktop/DBus",
					    "org.freedesktop.DBus", "ListNames",
					    NULL, G_VARIANT_TYPE("(as)"),
					    G_DBUS_CALL_FLAGS_NONE, -1, NULL, NULL);
	assert_non_null(reply);
	g_variant_get(reply, "(^as)", &wanted.before);
	failure = spawn(h, &h->peer, "--peripheral", args);
	if (failure) {
		g_strfreev(wanted.before);
		fail_msg("%s", failure);
	}
	harness_wait(h, new_name_on_bus, &wanted, START_TIMEOUT_MS,
		     "roller-sim --peripheral on the bus");
	g_strfreev(wanted.before);
	if (!wanted.found)
		fail_msg("roller-sim --peripheral exited (status 0x%x)",
			 h->peer.status);
	return wanted.found;
}

static gboolean
on_tick(gpointer data)
{
	return G_SOURCE_CONTINUE;
}

static gboolean
try_wait(Harness *h, HarnessCondition cond, gpointer data, guint timeout_ms)
{
	gint64 deadline = g_get_monotonic_time() +
			  (gint64)timeout_ms * h->slowness * 1000;
	/* Wakes the loop up, so that the deadline is looked at. */
	guint tick = g_timeout_add(20, on_tick, NULL);
	gboolean met;

	while (!(met = cond(h, data)) && g_get_monotonic_time() <= deadline)
		g_main_context_iteration(NULL, TRUE);
	g_source_remove(tick);
	return met;
}

void
harness_wait(Harness *h, HarnessCondition cond, gpointer data, guint timeout_ms,
	     const char *what)
{
	if (!try_wait(h, cond, data, timeout_ms))
		fail_msg("Timed out after %u ms waiting for %s",
			 timeout_ms * h->slowness, what);
}

static gboolean
deadline_passed(Harness *h, gpointer data)
{
	return g_get_monotonic_time() > *(gint64 *)data;
}

void
harness_sleep(Harness *h, guint ms)
{
	gint64 until = g_get_monotonic_time() + (gint64)ms * 1000;

	harness_wait(h, deadline_passed, &until, ms + 1000, "a pause");
}

BluezAdapter1 *
harness_adapter(Harness *h)
{
	return (BluezAdapter1 *)g_dbus_object_manager_get_interface(h->manager,
		"/org/bluez/hci0", "org.bluez.Adapter1");
}

BluezDevice1 *
harness_device(Harness *h, const char *address)
{
	g_autofree char *path = g_strdup_printf("/org/bluez/hci0/dev_%s", address);

	g_strdelimit(path, ":", '_');
	return (BluezDevice1 *)g_dbus_object_manager_get_interface(h->manager,
		path, "org.bluez.Device1");
}

char *
harness_error_name(const GError *error)
{
	return error ? g_dbus_error_get_remote_error(error) : NULL;
}

void
harness_assert_error(GError **error, const char *name)
{
	g_autofree char *got = NULL;

	if (!*error)
		fail_msg("Expected %s, got success", name);
	got = harness_error_name(*error);
	if (g_strcmp0(got, name) != 0)
		fail_msg("Expected %s, got %s (%s)", name, got, (*error)->message);
	g_clear_error(error);
}

gboolean
harness_sim_call(Harness *h, const char *method, GVariant *args, GError **error)
{
	g_autoptr(GVariant) reply =
		g_dbus_connection_call_sync(h->connection, "org.bluez",
					    "/org/rollerd/sim", "org.rollerd.Sim1",
					    method, args, NULL,
					    G_DBUS_CALL_FLAGS_NONE, -1, NULL,
					    error);

	return reply != NULL;
}

GVariant *
harness_property(gpointer proxy, const char *name)
{
	return g_dbus_proxy_get_cached_property(G_DBUS_PROXY(proxy), name);
}

gboolean
harness_is_disconnected(Harness *h, gpointer device)
{
	return !bluez_device1_get_connected(device);
}

int
harness_setup(void **state)
{
	*state = harness_start(*state);
	return 0;
}

int
harness_teardown(void **state)
{
	harness_stop(*state);
	return 0;
}
