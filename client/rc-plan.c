/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* rollerctl plan: per person and area, when the next session is due. */
#include "config.h"

#include <stdio.h>

#include "rc-plan.h"

void
rc_plan_print(GVariant *plan)
{
	gint64 now = g_get_real_time() / G_USEC_PER_SEC;
	GVariantIter iter;
	GVariant *row;

	printf("%-16s %-11s %8s %-16s %-20s\n", "PERSON", "AREA", "SESSIONS", "LAST", "NEXT");
	g_variant_iter_init(&iter, plan);
	while ((row = g_variant_iter_next_value(&iter))) {
		const char *area = "", *name = "";
		guint32 sessions = 0, days = 0;
		gint64 last = 0, next = 0;
		gboolean reminded = FALSE;
		g_autofree char *last_text = NULL, *next_text = NULL;

		g_variant_lookup(row, "person_name", "&s", &name);
		g_variant_lookup(row, "reminded", "b", &reminded);
		g_variant_lookup(row, "area", "&s", &area);
		g_variant_lookup(row, "sessions", "u", &sessions);
		g_variant_lookup(row, "last_start", "x", &last);
		g_variant_lookup(row, "next_due", "x", &next);
		g_variant_lookup(row, "min_interval_days", "u", &days);
		last_text = last ? rc_format_time(last) : g_strdup("-");
		if (!sessions)
			next_text = g_strdup("any time");
		else if (next <= now)
			next_text = g_strdup(reminded ? "due now (reminded)" : "due now");
		else
			next_text = g_strdup_printf("in %" G_GINT64_FORMAT " day(s)",
						    (next - now + 86399) / 86400);
		printf("%-16s %-11s %8u %-16s %-20s\n", name, area, sessions, last_text, next_text);
		g_variant_unref(row);
	}
}

int
rc_cmd_plan(const struct rc_globals *globals, int argc, char **argv)
{
	g_autoptr(GDBusConnection) bus = NULL;
	g_autoptr(RdDbusManager1) manager = NULL;
	g_autoptr(GVariant) plan = NULL;
	g_autoptr(GError) error = NULL;
	g_autofree char *person = NULL, *person_path = NULL;
	const GOptionEntry entries[] = {
		{ "person", 'p', 0, G_OPTION_ARG_STRING, &person, "Only this person's plan", "NAME" },
		{ NULL }
	};
	GVariantBuilder rows;
	GVariantIter iter;
	GVariant *row;
	int code = RC_EXIT_OK;

	if (!rc_parse_options("plan", "",
			      "Per person and area: sessions so far, the last one, and when the\n"
			      "next is due by the minimum intervals of rollerd.conf (your settings,\n"
			      "not medical advice).", entries, &argc, &argv, &code))
		return code;
	if (argc > 1) {
		g_printerr("rollerctl plan: takes no argument (a person is --person NAME)\n");
		return RC_EXIT_USAGE;
	}
	if (!(bus = rc_connect(globals, &code)) || !(manager = rc_manager(bus, &code)) ||
	    (person && !(person_path = rc_resolve_person(bus, "plan", person, &code))))
		return code;
	if (!rd_dbus_manager1_call_get_treatment_plan_sync(manager, G_DBUS_CALL_FLAGS_NONE, -1,
							   &plan, NULL, &error))
		return rc_print_error("plan", error);
	/* rollerd gives everyone's; --person keeps one's. */
	g_variant_builder_init(&rows, G_VARIANT_TYPE("aa{sv}"));
	g_variant_iter_init(&iter, plan);
	while ((row = g_variant_iter_next_value(&iter))) {
		const char *path = "";

		g_variant_lookup(row, "person", "&o", &path);
		if (!person_path || g_str_equal(path, person_path))
			g_variant_builder_add_value(&rows, row);
		g_variant_unref(row);
	}
	g_variant_unref(plan);
	plan = g_variant_ref_sink(g_variant_builder_end(&rows));
	if (globals->json) {
		g_autoptr(JsonNode) node = json_gvariant_serialize(plan);

		rc_print_json(node);
		return RC_EXIT_OK;
	}
	rc_plan_print(plan);
	return RC_EXIT_OK;
}
