/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The rollers: status, list, scan, connect, disconnect, forget, identify, start, stop. */
#include "config.h"

#include <stdio.h>
#include <glib-unix.h>

#include "common/rd-area.h"
#include "rc-rollers.h"

/* One roller as a JSON object; field names are documented in rollerctl(1). */
static JsonNode *
roller_to_json(RdDbusRoller2 *r)
{
	g_autoptr(JsonBuilder) b = json_builder_new();
	guint16 low = 0, high = 0;
	GVariant *band = rd_dbus_roller2_get_force_band(r);

	if (band)
		g_variant_get(band, "(qq)", &low, &high);
	json_builder_begin_object(b);
	json_builder_set_member_name(b, "address");
	json_builder_add_string_value(b, rd_dbus_roller2_get_address(r) ?: "");
	json_builder_set_member_name(b, "name");
	json_builder_add_string_value(b, rd_dbus_roller2_get_name(r) ?: "");
	json_builder_set_member_name(b, "serial");
	json_builder_add_string_value(b, rd_dbus_roller2_get_serial(r) ?: "");
	json_builder_set_member_name(b, "connected");
	json_builder_add_boolean_value(b, rd_dbus_roller2_get_connected(r));
	json_builder_set_member_name(b, "paired");
	json_builder_add_boolean_value(b, rd_dbus_roller2_get_paired(r));
	json_builder_set_member_name(b, "bonded");
	json_builder_add_boolean_value(b, rd_dbus_roller2_get_bonded(r));
	json_builder_set_member_name(b, "state");
	json_builder_add_string_value(b, rd_dbus_roller2_get_state(r) ?: "");
	json_builder_set_member_name(b, "battery");
	if (rd_dbus_roller2_get_battery(r) <= 100)
		json_builder_add_int_value(b, rd_dbus_roller2_get_battery(r));
	else
		json_builder_add_null_value(b);
	json_builder_set_member_name(b, "stored_records");
	json_builder_add_int_value(b, rd_dbus_roller2_get_stored_records(r));
	json_builder_set_member_name(b, "storage_full");
	json_builder_add_boolean_value(b, rd_dbus_roller2_get_storage_full(r));
	json_builder_set_member_name(b, "last_sync");
	json_builder_add_int_value(b, rd_dbus_roller2_get_last_sync(r));
	json_builder_set_member_name(b, "needle_um");
	json_builder_add_int_value(b, rd_dbus_roller2_get_needle_length(r));
	json_builder_set_member_name(b, "force_band_cn");
	json_builder_begin_array(b);
	json_builder_add_int_value(b, low);
	json_builder_add_int_value(b, high);
	json_builder_end_array(b);
	json_builder_set_member_name(b, "sync_state");
	json_builder_add_string_value(b, rd_dbus_roller2_get_sync_state(r) ?: "");
	json_builder_end_object(b);
	return json_builder_get_root(b);
}

/* Said only of a paired roller: most rollers never pair. */
static const char *
link_security(RdDbusRoller2 *r)
{
	if (rd_dbus_roller2_get_bonded(r))
		return "  bonded";
	return rd_dbus_roller2_get_paired(r) ? "  paired, no bond" : "";
}

static void
print_roller_line(RdDbusRoller2 *r)
{
	g_autofree char *sync = rc_format_time(rd_dbus_roller2_get_last_sync(r));
	g_autofree char *battery = rd_dbus_roller2_get_battery(r) <= 100 ?
		g_strdup_printf("%u%%", rd_dbus_roller2_get_battery(r)) : g_strdup("?");

	/* A full roller starts no session: say so where its count is shown. */
	printf("%s  %-12s %-10s %-12s battery %-4s stored %-3u last sync %s%s%s\n",
	       rd_dbus_roller2_get_address(r), rd_dbus_roller2_get_name(r),
	       *rd_dbus_roller2_get_serial(r) ? rd_dbus_roller2_get_serial(r) : "-",
	       rd_dbus_roller2_get_state(r), battery, rd_dbus_roller2_get_stored_records(r),
	       rd_dbus_roller2_get_last_sync(r) ? sync : "never",
	       rd_dbus_roller2_get_storage_full(r) ? "  storage full: sync it" : "",
	       link_security(r));
}

static int
show_rollers(const struct rc_globals *globals, int argc, char **argv, gboolean status)
{
	g_autoptr(GDBusConnection) bus = NULL;
	g_autoptr(RdDbusManager1) manager = NULL;
	g_autoptr(GPtrArray) paths = NULL;
	g_autoptr(JsonBuilder) b = json_builder_new();
	int code = RC_EXIT_OK;

	if (!rc_parse_options(status ? "status" : "list", "",
			      status ? "Show rollerd and the rollers it knows." :
			      "List the rollers rollerd knows, one per line.",
			      NULL, &argc, &argv, &code) ||
	    !rc_check_no_extra(status ? "status" : "list", argc, argv, 0, &code))
		return code;
	if (!(bus = rc_connect(globals, &code)) || !(manager = rc_manager(bus, &code)) ||
	    !(paths = rc_roller_paths(bus, &code)))
		return code;
	if (globals->json) {
		json_builder_begin_object(b);
		json_builder_set_member_name(b, "version");
		json_builder_add_string_value(b, rd_dbus_manager1_get_version(manager) ?: "");
		json_builder_set_member_name(b, "discovering");
		json_builder_add_boolean_value(b, rd_dbus_manager1_get_discovering(manager));
		json_builder_set_member_name(b, "rollers");
		json_builder_begin_array(b);
	} else if (status) {
		printf("rollerd %s, %s\n", rd_dbus_manager1_get_version(manager),
		       rd_dbus_manager1_get_discovering(manager) ? "scanning" : "not scanning");
		if (paths->len == 0)
			printf("No roller known yet: 'rollerctl scan' finds them.\n");
	}
	for (guint i = 0; i < paths->len; i++) {
		g_autoptr(RdDbusRoller2) r = rc_roller(bus, paths->pdata[i], &code);

		if (!r)
			return code;
		if (globals->json)
			json_builder_add_value(b, roller_to_json(r));
		else
			print_roller_line(r);
	}
	if (globals->json) {
		g_autoptr(JsonNode) root = NULL;

		json_builder_end_array(b);
		json_builder_end_object(b);
		root = json_builder_get_root(b);
		rc_print_json(status ? root : json_object_get_member(json_node_get_object(root),
								     "rollers"));
	}
	return RC_EXIT_OK;
}

int
rc_cmd_status(const struct rc_globals *globals, int argc, char **argv)
{
	return show_rollers(globals, argc, argv, TRUE);
}

int
rc_cmd_list(const struct rc_globals *globals, int argc, char **argv)
{
	return show_rollers(globals, argc, argv, FALSE);
}

typedef struct {
	GMainLoop *loop;
	GHashTable *seen;
	gboolean json;
	JsonBuilder *builder;
	GDBusConnection *bus;
} ScanData;

static void
report_roller(ScanData *d, const char *path)
{
	g_autoptr(RdDbusRoller2) r = NULL;
	int code;

	if (!g_str_has_prefix(path, "/org/rollerd/roller/") || g_str_has_suffix(path, "/live") ||
	    g_hash_table_contains(d->seen, path))
		return;
	g_hash_table_add(d->seen, g_strdup(path));
	if (!(r = rc_roller(d->bus, path, &code)))
		return;
	if (d->json) {
		json_builder_add_value(d->builder, roller_to_json(r));
	} else {
		printf("Found %s %s\n", rd_dbus_roller2_get_address(r), rd_dbus_roller2_get_name(r));
		fflush(stdout);
	}
}

static void
on_interfaces_added(GDBusConnection *bus, const char *sender, const char *path,
		    const char *iface, const char *signal, GVariant *params, gpointer user_data)
{
	const char *object;

	g_variant_get(params, "(&o@a{sa{sv}})", &object, NULL);
	report_roller(user_data, object);
}

static gboolean
on_scan_over(gpointer user_data)
{
	g_main_loop_quit(((ScanData *)user_data)->loop);
	return G_SOURCE_REMOVE;
}

int
rc_cmd_scan(const struct rc_globals *globals, int argc, char **argv)
{
	int timeout = 10, code = RC_EXIT_OK;
	const GOptionEntry entries[] = {
		{ "timeout", 't', 0, G_OPTION_ARG_INT, &timeout, "Seconds to scan (default 10)", "S" },
		{ NULL }
	};
	g_autoptr(GDBusConnection) bus = NULL;
	g_autoptr(RdDbusManager1) manager = NULL;
	g_autoptr(GPtrArray) known = NULL;
	g_autoptr(GError) error = NULL;
	g_autoptr(GMainLoop) loop = NULL;
	g_autoptr(GHashTable) seen = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	g_autoptr(JsonBuilder) builder = json_builder_new();
	ScanData d;
	guint sub, sig_int, sig_term;

	if (!rc_parse_options("scan", "", "Scan for rollers (Ctrl-C stops) and show what is found.",
			      entries, &argc, &argv, &code) ||
	    !rc_check_no_extra("scan", argc, argv, 0, &code))
		return code;
	if (timeout < 1 || timeout > 3600) {
		g_printerr("rollerctl scan: --timeout takes 1 to 3600 seconds\n");
		return RC_EXIT_USAGE;
	}
	if (!(bus = rc_connect(globals, &code)) || !(manager = rc_manager(bus, &code)))
		return code;
	loop = g_main_loop_new(NULL, FALSE);
	d = (ScanData){ loop, seen, globals->json, builder, bus };
	json_builder_begin_array(builder);
	sub = g_dbus_connection_signal_subscribe(bus, "org.rollerd",
						 "org.freedesktop.DBus.ObjectManager",
						 "InterfacesAdded", "/org/rollerd", NULL,
						 G_DBUS_SIGNAL_FLAGS_NONE, on_interfaces_added, &d, NULL);
	if (!rd_dbus_manager1_call_start_discovery_sync(manager, G_DBUS_CALL_FLAGS_NONE, -1, NULL, &error))
		return rc_print_error("scan", error);
	/* Rollers already known show up at once. */
	if ((known = rc_roller_paths(bus, &code))) {
		for (guint i = 0; i < known->len; i++)
			report_roller(&d, known->pdata[i]);
	}
	if (!globals->json)
		printf("Scanning for %d s...\n", timeout);
	g_timeout_add_seconds((guint)timeout, on_scan_over, &d);
	sig_int = g_unix_signal_add(SIGINT, on_scan_over, &d);
	sig_term = g_unix_signal_add(SIGTERM, on_scan_over, &d);
	g_main_loop_run(loop);
	g_source_remove(sig_int);
	g_source_remove(sig_term);
	g_dbus_connection_signal_unsubscribe(bus, sub);
	rd_dbus_manager1_call_stop_discovery_sync(manager, G_DBUS_CALL_FLAGS_NONE, -1, NULL, NULL);
	json_builder_end_array(builder);
	if (globals->json) {
		g_autoptr(JsonNode) root = json_builder_get_root(builder);

		rc_print_json(root);
	} else {
		printf("%u roller(s) found\n", g_hash_table_size(seen));
	}
	return RC_EXIT_OK;
}

typedef enum {
	ACTION_CONNECT,
	ACTION_DISCONNECT,
	ACTION_FORGET,
	ACTION_IDENTIFY,
	ACTION_START,
	ACTION_STOP,
} Action;

static int
roller_action(const struct rc_globals *globals, int argc, char **argv, Action action)
{
	static const char *const names[] = { "connect", "disconnect", "forget", "identify",
					     "start", "stop" };
	static const char *const summaries[] = {
		"Connect to a roller (and sync it); rollerd then reconnects it whenever\n"
		"it comes back in range.",
		"Disconnect from a roller; it is not reconnected until 'rollerctl connect'.",
		"Disconnect and forget a roller.",
		"Make a roller buzz so you can tell which one it is.",
		"Start a session on a roller (areas: unspecified, abdomen, thighs, hips,\n"
		"buttocks, upper-arms, breasts, face, scalp, back, calves), for the\n"
		"roller's current person or --person NAME, who then becomes it.",
		"Stop the session running on a roller.",
	};
	int seconds = 5, code = RC_EXIT_OK;
	g_autofree char *area = NULL, *person = NULL, *person_path = NULL;
	const GOptionEntry identify_entries[] = {
		{ "seconds", 's', 0, G_OPTION_ARG_INT, &seconds, "How long, 1 to 30 (default 5)", "N" },
		{ NULL }
	};
	const GOptionEntry start_entries[] = {
		{ "area", 'a', 0, G_OPTION_ARG_STRING, &area, "Treatment area (required)", "AREA" },
		{ "person", 'p', 0, G_OPTION_ARG_STRING, &person, "Whose session it is", "NAME" },
		{ NULL }
	};
	g_autoptr(GDBusConnection) bus = NULL;
	g_autoptr(RdDbusRoller2) roller = NULL;
	g_autoptr(GError) error = NULL;
	g_autofree char *path = NULL;
	gboolean ok = FALSE;

	if (!rc_parse_options(names[action], "[ADDR]", summaries[action],
			      action == ACTION_IDENTIFY ? identify_entries :
			      action == ACTION_START ? start_entries : NULL,
			      &argc, &argv, &code))
		return code;
	if (!rc_check_no_extra(names[action], argc, argv, 1, &code))
		return code;
	if (action == ACTION_START && !area) {
		g_printerr("rollerctl start: say where: --area AREA\n");
		return RC_EXIT_USAGE;
	}
	if (action == ACTION_START && !rc_check_area("start", area))
		return RC_EXIT_USAGE;
	if (action == ACTION_IDENTIFY && (seconds < 1 || seconds > 30)) {
		g_printerr("rollerctl identify: --seconds takes 1 to 30\n");
		return RC_EXIT_USAGE;
	}
	if (!(bus = rc_connect(globals, &code)) ||
	    !(path = rc_resolve_roller(bus, argc > 1 ? argv[1] : NULL, &code)) ||
	    !(roller = rc_roller(bus, path, &code)) ||
	    (person && !(person_path = rc_resolve_person(bus, "start", person, &code))))
		return code;
	/* A connect may take a while: BLE, service resolution, the clock. */
	g_dbus_proxy_set_default_timeout(G_DBUS_PROXY(roller), 60000);
	switch (action) {
	case ACTION_CONNECT:
		ok = rd_dbus_roller2_call_connect_sync(roller, G_DBUS_CALL_FLAGS_NONE, -1, NULL, &error);
		break;
	case ACTION_DISCONNECT:
		ok = rd_dbus_roller2_call_disconnect_sync(roller, G_DBUS_CALL_FLAGS_NONE, -1, NULL, &error);
		break;
	case ACTION_FORGET:
		ok = rd_dbus_roller2_call_forget_sync(roller,
						       G_DBUS_CALL_FLAGS_ALLOW_INTERACTIVE_AUTHORIZATION, -1, NULL, &error);
		break;
	case ACTION_IDENTIFY:
		ok = rd_dbus_roller2_call_identify_sync(roller, (guint8)seconds, G_DBUS_CALL_FLAGS_NONE, -1, NULL, &error);
		break;
	case ACTION_START:
		if (person_path)
			ok = rd_dbus_roller2_call_start_session_for_sync(roller, area, person_path,
									 G_DBUS_CALL_FLAGS_NONE, -1,
									 NULL, &error);
		else
			ok = rd_dbus_roller2_call_start_session_sync(roller, area,
								     G_DBUS_CALL_FLAGS_NONE, -1,
								     NULL, &error);
		break;
	case ACTION_STOP:
		ok = rd_dbus_roller2_call_stop_session_sync(roller, G_DBUS_CALL_FLAGS_NONE, -1, NULL, &error);
		break;
	}
	if (!ok)
		return rc_print_error(names[action], error);
	if (!globals->json) {
		static const char *const done[] = { "Connected to", "Disconnected from", "Forgot",
						    "Identifying", "Session started on",
						    "Session stopped on" };

		printf("%s %s\n", done[action], rd_dbus_roller2_get_address(roller));
	}
	return RC_EXIT_OK;
}

int
rc_cmd_connect(const struct rc_globals *g, int argc, char **argv)
{
	return roller_action(g, argc, argv, ACTION_CONNECT);
}

int
rc_cmd_disconnect(const struct rc_globals *g, int argc, char **argv)
{
	return roller_action(g, argc, argv, ACTION_DISCONNECT);
}

int
rc_cmd_forget(const struct rc_globals *g, int argc, char **argv)
{
	return roller_action(g, argc, argv, ACTION_FORGET);
}

int
rc_cmd_identify(const struct rc_globals *g, int argc, char **argv)
{
	return roller_action(g, argc, argv, ACTION_IDENTIFY);
}

int
rc_cmd_start(const struct rc_globals *g, int argc, char **argv)
{
	return roller_action(g, argc, argv, ACTION_START);
}

int
rc_cmd_stop(const struct rc_globals *g, int argc, char **argv)
{
	return roller_action(g, argc, argv, ACTION_STOP);
}
