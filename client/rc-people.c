/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* People: whose sessions are whose (Manager1.AddPerson, Person1). */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "common/rd-area.h"
#include "rc-people.h"
#include "rc-sessions.h"

static RdDbusPerson1 *
person_proxy(GDBusConnection *bus, const char *path, int *exit_code)
{
	g_autoptr(GError) error = NULL;
	RdDbusPerson1 *p = rd_dbus_person1_proxy_new_sync(bus, G_DBUS_PROXY_FLAGS_NONE,
							  "org.rollerd", path, NULL, &error);

	if (!p)
		*exit_code = rc_print_error(NULL, error);
	return p;
}

static char *
areas_text(const char *const *areas)
{
	return areas && areas[0] ? g_strjoinv(",", (char **)areas) : g_strdup("-");
}

int
rc_cmd_people(const struct rc_globals *globals, int argc, char **argv)
{
	g_autoptr(GDBusConnection) bus = NULL;
	g_autoptr(RdDbusManager1) manager = NULL;
	g_autoptr(GVariant) people = NULL;
	g_autoptr(GError) error = NULL;
	g_autoptr(JsonBuilder) json = json_builder_new();
	GVariantIter iter;
	const char *path, *name;
	int code = RC_EXIT_OK;

	if (!rc_parse_options("people", "", "List the people whose sessions the journal keeps.",
			      NULL, &argc, &argv, &code))
		return code;
	if (argc > 1) {
		g_printerr("rollerctl people: takes no argument\n");
		return RC_EXIT_USAGE;
	}
	if (!(bus = rc_connect(globals, &code)) || !(manager = rc_manager(bus, &code)))
		return code;
	if (!rd_dbus_manager1_call_list_people_sync(manager, G_DBUS_CALL_FLAGS_NONE, -1, &people,
						    NULL, &error))
		return rc_print_error("people", error);
	if (!globals->json)
		printf("%-24s %-7s %s\n", "NAME", "NEEDLE", "AREAS");
	json_builder_begin_array(json);
	g_variant_iter_init(&iter, people);
	while (g_variant_iter_next(&iter, "(&o&s)", &path, &name)) {
		g_autoptr(RdDbusPerson1) p = person_proxy(bus, path, &code);
		g_autofree char *areas = NULL;
		guint needle;

		if (!p)
			return code;
		needle = rd_dbus_person1_get_default_needle_length(p);
		areas = areas_text(rd_dbus_person1_get_areas(p));
		if (!globals->json) {
			g_autofree char *mm = needle ? g_strdup_printf("%.2f", needle / 1000.0) :
						       g_strdup("-");

			printf("%-24s %-7s %s\n", name, mm, areas);
			continue;
		}
		json_builder_begin_object(json);
		json_builder_set_member_name(json, "name");
		json_builder_add_string_value(json, name);
		json_builder_set_member_name(json, "path");
		json_builder_add_string_value(json, path);
		json_builder_set_member_name(json, "needle_um");
		json_builder_add_int_value(json, needle);
		json_builder_set_member_name(json, "notes");
		json_builder_add_string_value(json, rd_dbus_person1_get_notes(p));
		json_builder_end_object(json);
	}
	json_builder_end_array(json);
	if (globals->json) {
		g_autoptr(JsonNode) root = json_builder_get_root(json);

		rc_print_json(root);
	}
	return RC_EXIT_OK;
}

/* "0.5" (mm) to micrometres; FALSE for anything else. */
static gboolean
parse_needle(const char *text, guint16 *um)
{
	char *end = NULL;
	double mm = g_ascii_strtod(text, &end);

	if (!end || *end || end == text || mm < 0 || mm > 10)
		return FALSE;
	*um = (guint16)(mm * 1000 + 0.5);
	return TRUE;
}

/* "face,scalp" checked against the area names; NULL (printed) if bad. */
static GStrv
parse_areas(const char *command, const char *text)
{
	g_auto(GStrv) areas = g_strsplit(text, ",", -1);

	for (guint i = 0; areas[i]; i++) {
		guint8 id;

		g_strstrip(areas[i]);
		if (!rd_area_from_string(areas[i], &id)) {
			g_autofree char *known = g_strjoinv(", ", (char **)rd_area_names());

			g_printerr("rollerctl %s: unknown area '%s'; the areas are %s\n", command,
				   areas[i], known);
			return NULL;
		}
	}
	return g_steal_pointer(&areas);
}

typedef struct {
	char *notes;
	char *needle;
	char *areas;
} PersonOptions;

static void
person_options_clear(PersonOptions *o)
{
	g_free(o->notes);
	g_free(o->needle);
	g_free(o->areas);
}
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(PersonOptions, person_options_clear)

/* --needle and --areas parsed; FALSE after printing a usage error. */
static gboolean
parse_defaults(const char *command, const PersonOptions *o, guint16 *um, GStrv *areas)
{
	*um = 0;
	*areas = NULL;
	if (o->needle && !parse_needle(o->needle, um)) {
		g_printerr("rollerctl %s: --needle takes millimetres, 0 to 10 (e.g. 0.5)\n",
			   command);
		return FALSE;
	}
	if (o->areas && !(*areas = parse_areas(command, o->areas)))
		return FALSE;
	return TRUE;
}

static int
person_add(GDBusConnection *bus, const struct rc_globals *globals, const char *name,
	   const PersonOptions *o)
{
	g_autoptr(RdDbusManager1) manager = NULL;
	g_autoptr(GError) error = NULL;
	g_autofree char *path = NULL;
	g_auto(GStrv) areas = NULL;
	GVariantBuilder props;
	guint16 um;
	int code = RC_EXIT_OK;

	if (!parse_defaults("person add", o, &um, &areas))
		return RC_EXIT_USAGE;
	g_variant_builder_init(&props, G_VARIANT_TYPE_VARDICT);
	if (o->notes)
		g_variant_builder_add(&props, "{sv}", "notes", g_variant_new_string(o->notes));
	if (o->needle)
		g_variant_builder_add(&props, "{sv}", "needle_um", g_variant_new_uint16(um));
	if (areas)
		g_variant_builder_add(&props, "{sv}", "areas",
				      g_variant_new_strv((const char *const *)areas, -1));
	if (!(manager = rc_manager(bus, &code))) {
		g_variant_builder_clear(&props);
		return code;
	}
	if (!rd_dbus_manager1_call_add_person_sync(manager, name, g_variant_builder_end(&props),
						   G_DBUS_CALL_FLAGS_NONE, -1, &path, NULL,
						   &error))
		return rc_print_error("person add", error);
	if (!globals->json)
		printf("Added %s\n", name);
	return RC_EXIT_OK;
}

/* The person's properties and their plan. */
static int
person_show(GDBusConnection *bus, const char *path)
{
	g_autoptr(RdDbusPerson1) p = NULL;
	g_autoptr(RdDbusManager1) manager = NULL;
	g_autoptr(GVariant) rows = NULL;
	g_autoptr(GError) error = NULL;
	g_autofree char *areas = NULL;
	g_autofree char *filter_text = g_strdup_printf("{'person': <objectpath '%s'>, "
						       "'limit': <uint32 1000>}", path);
	guint needle;
	int code = RC_EXIT_OK;

	if (!(p = person_proxy(bus, path, &code)) || !(manager = rc_manager(bus, &code)))
		return code;
	if (!rd_dbus_manager1_call_query_sessions_sync(manager,
						       g_variant_new_parsed(filter_text),
						       G_DBUS_CALL_FLAGS_NONE, -1, &rows, NULL,
						       &error))
		return rc_print_error("person show", error);
	needle = rd_dbus_person1_get_default_needle_length(p);
	areas = areas_text(rd_dbus_person1_get_areas(p));
	printf("%s\n", rd_dbus_person1_get_name(p));
	printf("  Sessions: %zu%s\n", g_variant_n_children(rows),
	       g_variant_n_children(rows) == 1000 ? " or more" : "");
	if (needle)
		printf("  Default needle: %.2f mm\n", needle / 1000.0);
	printf("  Areas: %s\n", areas);
	if (*rd_dbus_person1_get_notes(p))
		printf("  Notes: %s\n", rd_dbus_person1_get_notes(p));
	return RC_EXIT_OK;
}

static int
person_change(GDBusConnection *bus, const char *verb, const char *path, const char *arg,
	      const PersonOptions *o)
{
	g_autoptr(RdDbusPerson1) p = NULL;
	g_autoptr(GError) error = NULL;
	g_autofree char *command = g_strdup_printf("person %s", verb);
	int code = RC_EXIT_OK;
	gboolean ok = FALSE;

	if (!(p = person_proxy(bus, path, &code)))
		return code;
	if (g_str_equal(verb, "rename")) {
		ok = rd_dbus_person1_call_rename_sync(p, arg, G_DBUS_CALL_FLAGS_NONE, -1, NULL,
						      &error);
	} else if (g_str_equal(verb, "notes")) {
		ok = rd_dbus_person1_call_set_notes_sync(p, arg, G_DBUS_CALL_FLAGS_NONE, -1, NULL,
							 &error);
	} else if (g_str_equal(verb, "defaults")) {
		g_auto(GStrv) areas = NULL;
		const char *none[] = { NULL };
		guint16 um;

		if (!parse_defaults(command, o, &um, &areas))
			return RC_EXIT_USAGE;
		ok = rd_dbus_person1_call_set_defaults_sync(p, um, areas ? (const char *const *)areas :
							    none, G_DBUS_CALL_FLAGS_NONE, -1, NULL,
							    &error);
	} else {
		g_dbus_proxy_set_default_timeout(G_DBUS_PROXY(p), G_MAXINT);	/* polkit may ask */
		ok = rd_dbus_person1_call_remove_sync(p, G_DBUS_CALL_FLAGS_ALLOW_INTERACTIVE_AUTHORIZATION,
						      -1, NULL, &error);
	}
	if (ok)
		return RC_EXIT_OK;
	code = rc_print_error(command, error);
	/* Refused for their sessions: say how to move them. */
	if (g_str_equal(verb, "remove") && strstr(error->message, " session(s)"))
		g_printerr("rollerctl %s: 'rollerctl sessions --person NAME' lists them, "
			   "'rollerctl assign ID OTHER' moves one\n", command);
	return code;
}

/* person use NAME [ADDR]: the roller's current person. */
static int
person_use(GDBusConnection *bus, gboolean json, const char *path, const char *name,
	   const char *address)
{
	g_autoptr(RdDbusRoller2) roller = NULL;
	g_autoptr(GError) error = NULL;
	g_autofree char *roller_path = NULL;
	int code = RC_EXIT_OK;

	if (!(roller_path = rc_resolve_roller(bus, address, &code)) ||
	    !(roller = rc_roller(bus, roller_path, &code)))
		return code;
	if (!rd_dbus_roller2_call_set_current_person_sync(roller, path, G_DBUS_CALL_FLAGS_NONE,
							  -1, NULL, &error))
		return rc_print_error("person use", error);
	if (!json)
		printf("Sessions on %s are %s's from now on\n",
		       rd_dbus_roller2_get_address(roller), name);
	return RC_EXIT_OK;
}

static const char person_summary[] =
	"Manage the people whose sessions the journal keeps apart:\n"
	"  add NAME [--notes T] [--needle MM] [--areas A,B]   add a person\n"
	"  rename NAME NEW                                    rename\n"
	"  remove NAME         remove one without sessions (move them with 'assign')\n"
	"  show NAME           their defaults, notes and how many sessions\n"
	"  notes NAME TEXT     set their notes\n"
	"  defaults NAME [--needle MM] [--areas A,B]   set their default needle and areas\n"
	"  use NAME [ADDR]     sessions on the roller are theirs from now on";

int
rc_cmd_person(const struct rc_globals *globals, int argc, char **argv)
{
	g_auto(PersonOptions) o = { NULL };
	const GOptionEntry entries[] = {
		{ "notes", 0, 0, G_OPTION_ARG_STRING, &o.notes, "Notes (add)", "TEXT" },
		{ "needle", 0, 0, G_OPTION_ARG_STRING, &o.needle,
		  "Default needle length in mm (add, defaults)", "MM" },
		{ "areas", 0, 0, G_OPTION_ARG_STRING, &o.areas,
		  "Their areas, separated by commas (add, defaults)", "A,B" },
		{ NULL }
	};
	static const struct { const char *verb; int args; } verbs[] = {
		{ "add", 1 }, { "rename", 2 }, { "remove", 1 }, { "show", 1 }, { "notes", 2 },
		{ "defaults", 1 }, { "use", -1 },
	};
	g_autoptr(GDBusConnection) bus = NULL;
	g_autofree char *path = NULL;
	g_autofree char *command = NULL;
	int code = RC_EXIT_OK;
	int want = 0;

	if (!rc_parse_options("person", "add|rename|remove|show|notes|defaults|use NAME ...",
			      person_summary, entries, &argc, &argv, &code))
		return code;
	for (gsize i = 0; argc > 1 && i < G_N_ELEMENTS(verbs); i++)
		if (g_str_equal(argv[1], verbs[i].verb))
			want = verbs[i].args;
	if (!want || (want > 0 && argc != want + 2) || (want < 0 && (argc < 3 || argc > 4)) ||
	    ((o.needle || o.areas) && !g_str_equal(argv[1], "add") &&
	     !g_str_equal(argv[1], "defaults")) || (o.notes && !g_str_equal(argv[1], "add"))) {
		g_printerr("rollerctl person: usage: rollerctl person "
			   "add|rename|remove|show|notes|defaults|use NAME ...; "
			   "see 'rollerctl person --help'\n");
		return RC_EXIT_USAGE;
	}
	command = g_strdup_printf("person %s", argv[1]);
	if (!(bus = rc_connect(globals, &code)))
		return code;
	if (g_str_equal(argv[1], "add"))
		return person_add(bus, globals, argv[2], &o);
	if (!(path = rc_resolve_person(bus, command, argv[2], &code)))
		return code;
	if (g_str_equal(argv[1], "show"))
		return person_show(bus, path);
	if (g_str_equal(argv[1], "use"))
		return person_use(bus, globals->json, path, argv[2], argc > 3 ? argv[3] : NULL);
	code = person_change(bus, argv[1], path, argc > 3 ? argv[3] : NULL, &o);
	if (code == RC_EXIT_OK && !globals->json)
		printf("%s: done\n", command);
	return code;
}

int
rc_cmd_assign(const struct rc_globals *globals, int argc, char **argv)
{
	g_autoptr(GDBusConnection) bus = NULL;
	g_autoptr(RdDbusSession1) s = NULL;
	g_autoptr(GError) error = NULL;
	g_autofree char *path = NULL;
	int code = RC_EXIT_OK;

	if (!rc_parse_options("assign", "ID NAME", "Give a stored session to a person.", NULL,
			      &argc, &argv, &code))
		return code;
	if (argc != 3) {
		g_printerr("rollerctl assign: usage: rollerctl assign ID NAME\n");
		return RC_EXIT_USAGE;
	}
	if (!(bus = rc_connect(globals, &code)) ||
	    !(path = rc_resolve_person(bus, "assign", argv[2], &code)) ||
	    !(s = rc_get_session(bus, argv[1], &code)))
		return code;
	if (!rd_dbus_session1_call_set_person_sync(s, path, G_DBUS_CALL_FLAGS_NONE, -1, NULL,
						   &error))
		return rc_print_error("assign", error);
	if (!globals->json)
		printf("Session %s is %s's\n", argv[1], argv[2]);
	return RC_EXIT_OK;
}
