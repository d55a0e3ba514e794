/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * rollerd-mqtt: publishes what rollerd knows on an MQTT broker, with Home
 * Assistant discovery, and passes the broker's commands to rollerd
 * (rollerd-mqtt(8), docs/mqtt.md).
 */
#include "config.h"

#include <locale.h>
#include <stdlib.h>

#include <glib-unix.h>

#include "mqtt/rm-bridge.h"

#define DEFAULT_CONFIG SYSCONFDIR "/rollerd/mqtt.conf"
#define DEFAULT_STATE_DIR LOCALSTATEDIR "/lib/rollerd-mqtt"

static gboolean
on_signal(gpointer data)
{
	g_main_loop_quit(data);
	return G_SOURCE_CONTINUE;
}

int
main(int argc, char **argv)
{
	g_autofree char *config_path = NULL;
	gboolean session_bus = FALSE, version = FALSE;
	GOptionEntry entries[] = {
		{ "config", 'c', 0, G_OPTION_ARG_FILENAME, &config_path,
		  "Settings file (default " DEFAULT_CONFIG ")", "PATH" },
		{ "session", 0, 0, G_OPTION_ARG_NONE, &session_bus,
		  "Talk to the rollerd of the session bus (rollerd --session)", NULL },
		{ "version", 0, 0, G_OPTION_ARG_NONE, &version, "Print the version", NULL },
		{ NULL }
	};
	g_autoptr(GOptionContext) ctx = g_option_context_new("- rollerd on an MQTT broker");
	g_autoptr(GError) error = NULL;
	g_autoptr(RmConfig) cfg = NULL;
	g_autoptr(RmBridge) bridge = NULL;
	g_autoptr(GMainLoop) loop = NULL;
	const char *path;

	setlocale(LC_ALL, "");
	g_option_context_add_main_entries(ctx, entries, NULL);
	if (!g_option_context_parse(ctx, &argc, &argv, &error)) {
		g_printerr("rollerd-mqtt: %s\n", error->message);
		return 2;
	}
	if (version) {
		g_print("rollerd-mqtt %s\n", PACKAGE_VERSION);
		return 0;
	}
	path = config_path ? config_path : DEFAULT_CONFIG;
	/* Without --config, a missing default file means the defaults. */
	cfg = rm_config_load(config_path || g_file_test(path, G_FILE_TEST_EXISTS) ? path : NULL,
			     &error);
	if (!cfg) {
		g_printerr("rollerd-mqtt: %s\n", error->message);
		return 1;
	}
	if (!cfg->state_dir) {
		const char *sd = g_getenv("STATE_DIRECTORY");	/* systemd's StateDirectory= */

		cfg->state_dir = g_strdup(sd && *sd ? sd : DEFAULT_STATE_DIR);
	}
	if (!cfg->ca_file && !rm_config_is_loopback(cfg))
		g_warning("No [Broker] CAFile: the session summaries, the names of the persons in "
			  "the treatment plan%s go to %s unencrypted, readable on the network",
			  cfg->username ? " and the broker password" : "", cfg->host);
	loop = g_main_loop_new(NULL, FALSE);
	bridge = rm_bridge_new(g_steal_pointer(&cfg),
			       session_bus ? G_BUS_TYPE_SESSION : G_BUS_TYPE_SYSTEM, &error);
	if (!bridge) {
		g_printerr("rollerd-mqtt: %s\n", error->message);
		return 1;
	}
	g_unix_signal_add(SIGTERM, on_signal, loop);
	g_unix_signal_add(SIGINT, on_signal, loop);
	g_main_loop_run(loop);
	g_clear_pointer(&bridge, rm_bridge_free);
	return 0;
}
