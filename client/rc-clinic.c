/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* rollerctl --clinic: sessions and plan from every room of the clinic. */
#include "config.h"

#include <stdio.h>

#include "rc-clinic.h"
#include "rc-plan.h"
#include "rc-report.h"
#include "rc-export.h"
#include "rc-sessions.h"

/* Drops the reply's status element, saying when the clinic did not answer. */
static GVariant *
take_status(const char *command, GVariant *reply)
{
	g_autoptr(GVariant) status = NULL;
	const char *scope = "", *why = NULL;
	GVariantBuilder rows;

	g_variant_builder_init(&rows, G_VARIANT_TYPE("aa{sv}"));
	if (g_variant_n_children(reply) > 0) {
		status = g_variant_get_child_value(reply, 0);
		g_variant_lookup(status, "scope", "&s", &scope);
		g_variant_lookup(status, "clinic_error", "&s", &why);
	}
	if (!g_str_equal(scope, "clinic"))
		g_printerr("rollerctl %s: %s; this room's journal only:\n", command,
			   why ? why : "the clinic did not answer");
	for (gsize i = 1; i < g_variant_n_children(reply); i++) {
		g_autoptr(GVariant) row = g_variant_get_child_value(reply, i);

		g_variant_builder_add_value(&rows, row);
	}
	return g_variant_ref_sink(g_variant_builder_end(&rows));
}

static int
print_json(GVariant *reply)
{
	g_autoptr(JsonNode) node = json_gvariant_serialize(reply);

	rc_print_json(node);
	return RC_EXIT_OK;
}

static int
clinic_sessions(const struct rc_globals *globals, int argc, char **argv)
{
	g_autofree char *area = NULL, *person = NULL;
	int limit = 0, offset = 0;
	const GOptionEntry entries[] = {
		{ "area", 'a', 0, G_OPTION_ARG_STRING, &area, "Only this treatment area", "AREA" },
		{ "person", 'p', 0, G_OPTION_ARG_STRING, &person, "Only this person's sessions",
		  "NAME" },
		{ "limit", 'n', 0, G_OPTION_ARG_INT, &limit, "At most N sessions (default 100)", "N" },
		{ "offset", 0, 0, G_OPTION_ARG_INT, &offset, "Skip the newest N", "N" },
		{ NULL }
	};
	g_autoptr(GDBusConnection) bus = NULL;
	g_autoptr(RdDbusManager1) manager = NULL;
	g_autoptr(GVariant) reply = NULL, rows = NULL;
	g_autoptr(GError) error = NULL;
	g_autofree char *person_path = NULL;
	GVariantBuilder filter;
	GVariantIter iter;
	GVariant *row;
	int code = RC_EXIT_OK;

	if (!rc_parse_options("sessions", "", "The clinic's sessions, every room's, newest first.",
			      entries, &argc, &argv, &code))
		return code;
	if (limit < 0 || limit > 1000 || offset < 0) {
		g_printerr("rollerctl sessions: --limit takes 1 to 1000, --offset 0 or more\n");
		return RC_EXIT_USAGE;
	}
	if (!(bus = rc_connect(globals, &code)) || !(manager = rc_manager(bus, &code)) ||
	    (person && !(person_path = rc_resolve_person(bus, "sessions", person, &code))))
		return code;
	g_variant_builder_init(&filter, G_VARIANT_TYPE_VARDICT);
	g_variant_builder_add(&filter, "{sv}", "scope", g_variant_new_string("clinic"));
	if (area)
		g_variant_builder_add(&filter, "{sv}", "area", g_variant_new_string(area));
	if (person_path)
		g_variant_builder_add(&filter, "{sv}", "person",
				      g_variant_new_object_path(person_path));
	if (limit)
		g_variant_builder_add(&filter, "{sv}", "limit", g_variant_new_uint32((guint32)limit));
	if (offset)
		g_variant_builder_add(&filter, "{sv}", "offset",
				      g_variant_new_uint32((guint32)offset));
	if (!rd_dbus_manager1_call_query_sessions_sync(manager, g_variant_builder_end(&filter),
						       G_DBUS_CALL_FLAGS_NONE, -1, &reply, NULL,
						       &error))
		return rc_print_error("sessions", error);
	if (globals->json)
		return print_json(reply);
	rows = take_status("sessions", reply);
	printf("%-10s %-6s %-16s %-11s %8s %7s %-7s %s\n", "ROOM", "ID", "START", "AREA",
	       "DURATION", "STROKES", "SOURCE", "PERSON");
	g_variant_iter_init(&iter, rows);
	while ((row = g_variant_iter_next_value(&iter))) {
		const char *room = "(here)", *row_area = "", *source = "", *name = "";
		guint64 id = 0;
		gint64 start = 0;
		guint32 duration = 0, strokes = 0;
		g_autofree char *when = NULL, *dur = NULL;

		g_variant_lookup(row, "room", "&s", &room);
		g_variant_lookup(row, "id", "t", &id);
		g_variant_lookup(row, "start", "x", &start);
		g_variant_lookup(row, "area", "&s", &row_area);
		g_variant_lookup(row, "duration_ms", "u", &duration);
		g_variant_lookup(row, "strokes", "u", &strokes);
		g_variant_lookup(row, "source", "&s", &source);
		g_variant_lookup(row, "person_name", "&s", &name);
		when = rc_format_time(start);
		dur = rc_format_duration(duration);
		printf("%-10s %-6" G_GUINT64_FORMAT " %-16s %-11s %8s %7u %-7s %s\n", room, id, when,
		       row_area, dur, strokes, source, name);
		g_variant_unref(row);
	}
	return RC_EXIT_OK;
}

static int
clinic_plan(const struct rc_globals *globals, int argc, char **argv)
{
	g_autofree char *person = NULL;
	const GOptionEntry entries[] = {
		{ "person", 'p', 0, G_OPTION_ARG_STRING, &person,
		  "Only this person's plan (known to any room)", "NAME" },
		{ NULL }
	};
	g_autoptr(GDBusConnection) bus = NULL;
	g_autoptr(RdDbusManager1) manager = NULL;
	g_autoptr(GVariant) reply = NULL, rows = NULL;
	g_autoptr(GError) error = NULL;
	GVariantBuilder options;
	int code = RC_EXIT_OK;

	if (!rc_parse_options("plan", "", "Per person and area over every room's sessions: "
			      "sessions so far,\nthe last one, and when the next is due.",
			      entries, &argc, &argv, &code))
		return code;
	if (!(bus = rc_connect(globals, &code)) || !(manager = rc_manager(bus, &code)))
		return code;
	g_variant_builder_init(&options, G_VARIANT_TYPE_VARDICT);
	g_variant_builder_add(&options, "{sv}", "scope", g_variant_new_string("clinic"));
	if (person)
		g_variant_builder_add(&options, "{sv}", "person_name", g_variant_new_string(person));
	if (!rd_dbus_manager1_call_query_treatment_plan_sync(manager,
							     g_variant_builder_end(&options),
							     G_DBUS_CALL_FLAGS_NONE, -1, &reply,
							     NULL, &error))
		return rc_print_error("plan", error);
	if (globals->json)
		return print_json(reply);
	rows = take_status("plan", reply);
	rc_plan_print(rows);
	return RC_EXIT_OK;
}

int
rc_clinic_command(const struct rc_globals *globals, int argc, char **argv)
{
	if (g_str_equal(argv[0], "sessions"))
		return clinic_sessions(globals, argc, argv);
	if (g_str_equal(argv[0], "plan"))
		return clinic_plan(globals, argc, argv);
	if (g_str_equal(argv[0], "export"))
		return rc_cmd_export(globals, argc, argv);
	if (g_str_equal(argv[0], "report"))
		return rc_cmd_report(globals, argc, argv);
	g_printerr("rollerctl: --clinic applies to sessions, plan, export and report, not %s\n",
		   argv[0]);
	return RC_EXIT_USAGE;
}
