/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* rollerd: the daemon of instrumented microneedling rollers. */
#include "config.h"

#include <locale.h>
#include <malloc.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <glib-unix.h>

#include "roller-crc-clmul.h"
#include "roller-frame.h"
#include "daemon/clinic/rd-clinic-schema.h"
#include "daemon/clinic/rd-clinic-setup.h"
#include "daemon/dbus/rd-call-guard.h"
#include "daemon/dbus/rd-daemon.h"

#define DEFAULT_STATE_DIR LOCALSTATEDIR "/lib/rollerd"
#define DEFAULT_CONFIG SYSCONFDIR "/rollerd/rollerd.conf"

typedef struct {
	GMainLoop *loop;
	RdDaemon *daemon;
	GDBusConnection *bus;
	GDBusConnection *bluez_bus;
	RdCallGuard *guard;
	GBusNameOwnerFlags name_flags;
	guint owner_id;
	int exit_code;
} Main;

static gboolean
on_signal(gpointer user_data)
{
	Main *m = user_data;

	g_message("Stopping");
	g_main_loop_quit(m->loop);
	return G_SOURCE_CONTINUE;
}

static void
on_name_acquired(GDBusConnection *bus, const char *name, gpointer user_data)
{
	Main *m = user_data;

	g_message("rollerd %s is on the bus as %s", PACKAGE_VERSION, name);
	rd_daemon_name_acquired(m->daemon);
}

static void on_name_acquired(GDBusConnection *bus, const char *name,
			     gpointer user_data);
static void on_name_lost(GDBusConnection *bus, const char *name, gpointer user_data);

/* Callers meet a rollerd that knows BlueZ's adapters and devices already. */
static gboolean
take_bus_name(gpointer user_data)
{
	Main *m = user_data;

	m->owner_id = g_bus_own_name_on_connection(m->bus, "org.rollerd", m->name_flags,
						   on_name_acquired, on_name_lost, m, NULL);
	return G_SOURCE_REMOVE;
}

static void
on_name_lost(GDBusConnection *bus, const char *name, gpointer user_data)
{
	Main *m = user_data;

	if (g_dbus_connection_is_closed(bus))
		g_warning("The bus connection closed");
	else
		g_warning("Cannot own %s: another rollerd runs (try --replace)", name);
	m->exit_code = EXIT_FAILURE;
	g_main_loop_quit(m->loop);
}

/* "system", "session" or a D-Bus address. */
static GDBusConnection *
connect_bluez_bus(const char *which, GError **error)
{
	if (!which || g_str_equal(which, "system"))
		return g_bus_get_sync(G_BUS_TYPE_SYSTEM, NULL, error);
	if (g_str_equal(which, "session"))
		return g_bus_get_sync(G_BUS_TYPE_SESSION, NULL, error);
	return g_dbus_connection_new_for_address_sync(which,
						      G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT |
						      G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION,
						      NULL, NULL, error);
}

int
main(int argc, char **argv)
{
	gboolean session = FALSE, replace = FALSE, verbose = FALSE, version = FALSE;
	gboolean no_acquire = FALSE;
	g_autofree char *state_dir = NULL, *config_path = NULL, *bluez_bus = NULL;
	g_autofree char *clinic_setup = NULL;
	const GOptionEntry entries[] = {
		{ "session", 0, 0, G_OPTION_ARG_NONE, &session,
		  "Serve org.rollerd on the session bus (user installs and tests)", NULL },
		{ "state-dir", 0, 0, G_OPTION_ARG_FILENAME, &state_dir,
		  "Where the session history lives (default " DEFAULT_STATE_DIR
		  ", or $STATE_DIRECTORY)", "DIR" },
		{ "config", 0, 0, G_OPTION_ARG_FILENAME, &config_path,
		  "Configuration file (default " DEFAULT_CONFIG ")", "FILE" },
		{ "bluez-bus", 0, 0, G_OPTION_ARG_STRING, &bluez_bus,
		  "Where bluetoothd is: system (default), session or a D-Bus address", "BUS" },
		{ "no-acquire-notify", 0, 0, G_OPTION_ARG_NONE, &no_acquire,
		  "Receive notifications with StartNotify only, never AcquireNotify", NULL },
		{ "replace", 'r', 0, G_OPTION_ARG_NONE, &replace,
		  "Replace a running rollerd", NULL },
		{ "clinic-setup", 0, 0, G_OPTION_ARG_STRING, &clinic_setup,
		  "Create or migrate the clinic's PostgreSQL schema over this libpq connection "
		  "(as its owner, not a room), then exit", "CONNINFO" },
		{ "verbose", 'v', 0, G_OPTION_ARG_NONE, &verbose, "Print debug messages", NULL },
		{ "version", 'V', 0, G_OPTION_ARG_NONE, &version, "Print the version", NULL },
		{ NULL }
	};
	g_autoptr(GOptionContext) ctx = g_option_context_new(NULL);
	g_autoptr(GError) error = NULL;
	RdDaemonOptions options = { 0 };
	Main m = { 0 };

	/* Whatever rollerd creates (the journal, its WAL, rollers.ini) is
	 * personal data: private whatever the caller's umask was. */
	umask(0077);
	/* One malloc arena: GDBus's worker thread would otherwise get its own,
	 * and the peak RSS of a daemon serving tens of rollers matters. */
	mallopt(M_ARENA_MAX, 1);
	/* A caller's big message is mapped and unmapped whole: glibc's
	 * moving threshold would keep it in the heap after the first. */
	mallopt(M_MMAP_THRESHOLD, 256 * 1024);
	/* With a CRC, checking it is most of a frame's parse. */
	roller_frame_use_crc16(roller_crc16_clmul_get());
	setlocale(LC_ALL, "");
	g_set_prgname("rollerd");
	g_option_context_set_summary(ctx, "The daemon of instrumented microneedling rollers: "
				     "finds them through BlueZ,\ndecodes their telemetry, keeps "
				     "the session history and publishes it on D-Bus.");
	g_option_context_add_main_entries(ctx, entries, NULL);
	if (!g_option_context_parse(ctx, &argc, &argv, &error)) {
		g_printerr("rollerd: %s\n", error->message);
		return 2;
	}
	if (version) {
		g_print("rollerd %s\n", PACKAGE_VERSION);
		return EXIT_SUCCESS;
	}
	if (verbose)
		g_log_set_debug_enabled(TRUE);
	if (clinic_setup) {
		if (!rd_clinic_setup(clinic_setup, NULL, &error)) {
			g_printerr("rollerd: the clinic's setup: %s\n", error->message);
			return EXIT_FAILURE;
		}
		g_print("The clinic's schema is at version %d; rooms in rollerd_rooms may "
			"connect\n", RD_CLINIC_SCHEMA_VERSION);
		return EXIT_SUCCESS;
	}

	if (!state_dir)
		state_dir = g_strdup(g_getenv("STATE_DIRECTORY") ?: DEFAULT_STATE_DIR);
	options.state_dir = state_dir;
	if (config_path)
		options.config_path = config_path;
	else if (g_file_test(DEFAULT_CONFIG, G_FILE_TEST_EXISTS))
		options.config_path = DEFAULT_CONFIG;
	options.acquire_notify = !no_acquire;
	options.system_bus = !session;

	m.daemon = rd_daemon_new(&options, &error);
	if (!m.daemon) {
		g_printerr("rollerd: %s\n", error->message);
		return EXIT_FAILURE;
	}
	if (bluez_bus) {
		m.bluez_bus = connect_bluez_bus(bluez_bus, &error);
		if (!m.bluez_bus) {
			g_printerr("rollerd: cannot reach bluetoothd's bus %s: %s\n",
				   bluez_bus, error->message);
			rd_daemon_free(m.daemon);
			return EXIT_FAILURE;
		}
	}

	/* A file size limit must fail a write (the store reports it), not kill. */
	signal(SIGXFSZ, SIG_IGN);
	m.loop = g_main_loop_new(NULL, FALSE);
	m.exit_code = EXIT_SUCCESS;
	g_unix_signal_add(SIGTERM, on_signal, &m);
	g_unix_signal_add(SIGINT, on_signal, &m);
	m.bus = g_bus_get_sync(session ? G_BUS_TYPE_SESSION : G_BUS_TYPE_SYSTEM, NULL, &error);
	if (!m.bus) {
		g_printerr("rollerd: cannot connect to the %s bus: %s\n",
			   session ? "session" : "system", error->message);
		rd_daemon_free(m.daemon);
		g_clear_object(&m.bluez_bus);
		return EXIT_FAILURE;
	}
	m.guard = rd_call_guard_new(m.bus);
	m.name_flags = G_BUS_NAME_OWNER_FLAGS_ALLOW_REPLACEMENT |
		       (replace ? G_BUS_NAME_OWNER_FLAGS_REPLACE : 0);
	rd_daemon_start(m.daemon, m.bus, m.bluez_bus ? m.bluez_bus : m.bus,
			take_bus_name, &m);
	g_main_loop_run(m.loop);

	if (m.owner_id)
		g_bus_unown_name(m.owner_id);
	rd_daemon_free(m.daemon);
	rd_call_guard_free(m.guard);
	g_clear_object(&m.bluez_bus);
	g_clear_object(&m.bus);
	g_main_loop_unref(m.loop);
	return m.exit_code;
}
