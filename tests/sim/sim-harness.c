/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "sim-harness.h"

/* Real milliseconds, before the slowness factor. */
#define START_TIMEOUT_MS 5000
#define SIM_LOG "roller-sim"
#define PEER_LOG "roller-sim-peripheral"

char *
harness_path(Harness *h, const char *name)
{
	return g_build_filename(test_bus_get_dir(h->bus), name, NULL);
}

/* Prints the children's logs, for a failure's context. */
static void
dump_logs(Harness *h)
{
	test_bus_dump_log(h->bus, SIM_LOG);
	if (h->peer)
		test_bus_dump_log(h->bus, PEER_LOG);
}

/* Starts roller-sim in @mode, under $ROLLER_SIM_WRAPPER when set. */
static GPid
spawn(Harness *h, const char *log_name, const char *mode, const char *const *args)
{
	g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func(g_free);

	g_ptr_array_add(argv, g_strdup("@builddir@/sim/roller-sim"));
	g_ptr_array_add(argv, g_strdup(mode));
	g_ptr_array_add(argv, g_strconcat("--bus=", test_bus_get_address(h->bus), NULL));
	for (guint i = 0; args && args[i]; i++) {
		g_auto(GStrv) parts = g_strsplit(args[i], "{dir}", -1);

		g_ptr_array_add(argv, g_strjoinv(test_bus_get_dir(h->bus), parts));
	}
	g_ptr_array_add(argv, NULL);
	return test_bus_spawn_wrapped(h->bus, log_name, "ROLLER_SIM_WRAPPER",
				      (const char *const *)argv->pdata);
}

typedef struct {
	Harness *h;
	HarnessCondition cond;
	gpointer data;
} Wait;

static gboolean
wait_holds(gpointer user_data)
{
	Wait *w = user_data;

	return w->cond(w->h, w->data);
}

static gboolean
try_wait(Harness *h, HarnessCondition cond, gpointer data, guint timeout_ms)
{
	Wait w = { h, cond, data };

	return test_bus_wait_until(wait_holds, &w, timeout_ms * h->slowness);
}

void
harness_wait(Harness *h, HarnessCondition cond, gpointer data, guint timeout_ms,
	     const char *what)
{
	if (!try_wait(h, cond, data, timeout_ms)) {
		dump_logs(h);
		fail_msg("Timed out after %u ms waiting for %s",
			 timeout_ms * h->slowness, what);
	}
}

void
harness_sleep(Harness *h, guint ms)
{
	test_bus_run_for(ms);
}

static gboolean
adapter_is_served(Harness *h, gpointer data)
{
	g_autoptr(GDBusInterface) adapter =
		g_dbus_object_manager_get_interface(h->manager, "/org/bluez/hci0",
						    "org.bluez.Adapter1");

	return adapter != NULL || test_bus_has_exited(h->bus, h->sim, NULL);
}

/* Starts roller-sim --mock-bluez; returns an error message, or NULL once
 * the adapter is served. */
static char *
start_sim(Harness *h, const char *const *args)
{
	int status;

	h->sim = spawn(h, SIM_LOG, "--mock-bluez", args);
	if (!try_wait(h, adapter_is_served, NULL, START_TIMEOUT_MS))
		return g_strdup("roller-sim did not serve /org/bluez/hci0 in time");
	if (test_bus_has_exited(h->bus, h->sim, &status))
		return g_strdup_printf("roller-sim exited at start (status 0x%x)", status);
	return NULL;
}

/* Stops one roller-sim; FALSE when it did not exit with 0 on SIGTERM. */
static gboolean
stop_child(Harness *h, GPid *pid)
{
	gboolean ok = TRUE;

	if (*pid)
		ok = test_bus_stop_ok(h->bus, *pid);
	*pid = 0;
	return ok;
}

/* Stops and frees everything; FALSE when a roller-sim ended badly. */
static gboolean
stop_everything(Harness *h)
{
	gboolean ok;

	g_clear_object(&h->manager);
	ok = stop_child(h, &h->peer);
	ok = stop_child(h, &h->sim) && ok;
	test_bus_free(h->bus);
	g_free(h);
	return ok;
}

Harness *
harness_start(const char *const *args)
{
	g_autoptr(GError) error = NULL;
	g_autofree char *failure = NULL;
	Harness *h = g_new0(Harness, 1);

	h->slowness = test_bus_slowness("ROLLER_SIM_WRAPPER");
	h->bus = test_bus_new();
	h->connection = test_bus_get_connection(h->bus);
	h->manager = bluez_object_manager_client_new_sync(h->connection,
		G_DBUS_OBJECT_MANAGER_CLIENT_FLAGS_NONE, "org.bluez", "/",
		NULL, &error);
	if (!h->manager)
		failure = g_strdup_printf("ObjectManager client: %s", error->message);
	else
		failure = start_sim(h, args);
	if (!failure)
		return h;
	/* Nothing left behind, even when setting up failed. */
	dump_logs(h);
	stop_everything(h);
	fail_msg("%s", failure);
	return NULL;
}

void
harness_stop(Harness *h)
{
	if (h && !stop_everything(h))
		fail_msg("roller-sim did not end well on SIGTERM (see above)");
}

void
harness_stop_sim(Harness *h)
{
	if (!stop_child(h, &h->sim))
		fail_msg("roller-sim --mock-bluez did not end well on SIGTERM (see above)");
}

void
harness_stop_peripheral(Harness *h)
{
	if (!stop_child(h, &h->peer))
		fail_msg("roller-sim --peripheral did not end well on SIGTERM (see above)");
}

static gboolean
bluez_has_no_owner(Harness *h, gpointer data)
{
	g_autofree char *owner = g_dbus_object_manager_client_get_name_owner(
		G_DBUS_OBJECT_MANAGER_CLIENT(h->manager));

	return owner == NULL;
}

void
harness_restart_sim(Harness *h, const char *const *args)
{
	g_autofree char *failure = NULL;

	harness_stop_sim(h);
	/* Else the client's objects are still the old roller-sim's, and the
	 * new one would seem to serve the adapter at once. */
	harness_wait(h, bluez_has_no_owner, NULL, START_TIMEOUT_MS,
		     "the client to see roller-sim go");
	failure = start_sim(h, args);
	if (failure) {
		dump_logs(h);
		fail_msg("%s", failure);
	}
}

static char **
list_names(Harness *h)
{
	g_autoptr(GVariant) reply =
		g_dbus_connection_call_sync(h->connection, "org.freedesktop.DBus",
					    "/org/freedesktop/DBus", "org.freedesktop.DBus",
					    "ListNames", NULL, G_VARIANT_TYPE("(as)"),
					    G_DBUS_CALL_FLAGS_NONE, -1, NULL, NULL);
	char **names = NULL;

	if (reply)
		g_variant_get(reply, "(^as)", &names);
	return names;
}

typedef struct {
	char **before;
	char *found;
} NewName;

static gboolean
new_name_on_bus(Harness *h, gpointer data)
{
	NewName *wanted = data;
	g_auto(GStrv) names = list_names(h);

	if (!names || test_bus_has_exited(h->bus, h->peer, NULL))
		return TRUE;
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
	/* Its unique name is the one that was not there before. */
	g_auto(GStrv) before = list_names(h);
	NewName wanted = { before, NULL };
	int status = 0;

	assert_non_null(before);
	h->peer = spawn(h, PEER_LOG, "--peripheral", args);
	harness_wait(h, new_name_on_bus, &wanted, START_TIMEOUT_MS,
		     "roller-sim --peripheral on the bus");
	if (!wanted.found) {
		dump_logs(h);
		test_bus_has_exited(h->bus, h->peer, &status);
		fail_msg("roller-sim --peripheral exited (status 0x%x)", status);
	}
	return wanted.found;
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
