/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <langinfo.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "common/rd-area.h"
#include "rc-common.h"

#define ROLLERD_NAME "org.rollerd"

static gboolean
name_has_owner(GDBusConnection *bus)
{
	g_autoptr(GVariant) ret =
		g_dbus_connection_call_sync(bus, "org.freedesktop.DBus", "/org/freedesktop/DBus",
					    "org.freedesktop.DBus", "NameHasOwner",
					    g_variant_new("(s)", ROLLERD_NAME), G_VARIANT_TYPE("(b)"),
					    G_DBUS_CALL_FLAGS_NONE, -1, NULL, NULL);
	gboolean owned = FALSE;

	if (ret)
		g_variant_get(ret, "(b)", &owned);
	return owned;
}

static gboolean
activatable(GDBusConnection *bus)
{
	g_autoptr(GVariant) ret =
		g_dbus_connection_call_sync(bus, "org.freedesktop.DBus", "/org/freedesktop/DBus",
					    "org.freedesktop.DBus", "ListActivatableNames", NULL,
					    G_VARIANT_TYPE("(as)"), G_DBUS_CALL_FLAGS_NONE, -1,
					    NULL, NULL);
	g_autofree const char **names = NULL;

	if (!ret)
		return FALSE;
	g_variant_get(ret, "(^a&s)", &names);
	return names && g_strv_contains(names, ROLLERD_NAME);
}

gboolean
rc_parse_options(const char *command, const char *params, const char *summary,
		 const GOptionEntry *entries, int *argc, char ***argv,
		 int *exit_code)
{
	g_autofree char *usage = g_strdup_printf("%s %s", command, params);
	g_autoptr(GOptionContext) ctx = g_option_context_new(usage);
	g_autoptr(GError) error = NULL;

	g_option_context_set_summary(ctx, summary);
	if (entries)
		g_option_context_add_main_entries(ctx, entries, NULL);
	if (!g_option_context_parse(ctx, argc, argv, &error)) {
		g_printerr("rollerctl %s: %s\nTry 'rollerctl %s --help'.\n",
			   command, error->message, command);
		*exit_code = RC_EXIT_USAGE;
		return FALSE;
	}
	return TRUE;
}

gboolean
rc_check_no_extra(const char *command, int argc, char **argv, int max, int *exit_code)
{
	if (argc <= max + 1)
		return TRUE;
	g_printerr("rollerctl %s: unexpected argument '%s'; see 'rollerctl %s --help'\n",
		   command, argv[max + 1], command);
	*exit_code = RC_EXIT_USAGE;
	return FALSE;
}

gboolean
rc_check_area(const char *command, const char *area)
{
	g_autofree char *known = NULL;
	guint8 id;

	if (rd_area_from_string(area, &id))
		return TRUE;
	known = g_strjoinv(", ", (char **)rd_area_names());
	g_printerr("rollerctl %s: unknown area '%s'; the areas are %s (or area-N, N 0 to 255)\n",
		   command, area, known);
	return FALSE;
}

GDBusConnection *
rc_connect(const struct rc_globals *globals, int *exit_code)
{
	g_autoptr(GError) error = NULL;
	const char *which = globals->session_bus ? "session" : "system";
	GDBusConnection *bus = g_bus_get_sync(globals->session_bus ? G_BUS_TYPE_SESSION :
					      G_BUS_TYPE_SYSTEM, NULL, &error);

	if (!bus) {
		g_printerr("rollerctl: cannot reach the %s bus: %s\n", which, error->message);
		*exit_code = RC_EXIT_NO_DAEMON;
		return NULL;
	}
	if (!name_has_owner(bus) && !activatable(bus)) {
		g_printerr("rollerctl: rollerd is not running (no %s on the %s bus)%s\n",
			   ROLLERD_NAME, which,
			   globals->session_bus ? "; start it with 'rollerd --session'" :
			   "; start it with 'systemctl start rollerd'");
		*exit_code = RC_EXIT_NO_DAEMON;
		g_object_unref(bus);
		return NULL;
	}
	return bus;
}

RdDbusManager1 *
rc_manager(GDBusConnection *bus, int *exit_code)
{
	g_autoptr(GError) error = NULL;
	RdDbusManager1 *manager =
		rd_dbus_manager1_proxy_new_sync(bus, G_DBUS_PROXY_FLAGS_NONE, ROLLERD_NAME,
						"/org/rollerd", NULL, &error);

	if (!manager)
		*exit_code = rc_print_error(NULL, error);
	return manager;
}

RdDbusRoller2 *
rc_roller(GDBusConnection *bus, const char *path, int *exit_code)
{
	g_autoptr(GError) error = NULL;
	RdDbusRoller2 *roller =
		rd_dbus_roller2_proxy_new_sync(bus, G_DBUS_PROXY_FLAGS_NONE, ROLLERD_NAME,
					       path, NULL, &error);

	if (!roller)
		*exit_code = rc_print_error(NULL, error);
	return roller;
}

/*
 * For g_ptr_array_sort(), which passes pointers to the elements.  A
 * roller's path ends in its address, ':' as '_': in address order.
 */
static int
compare_paths(gconstpointer a, gconstpointer b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Paths of the rollers rollerd knows, by address. */
static GPtrArray *
list_roller_paths(GDBusConnection *bus, GError **error)
{
	g_autoptr(GVariant) ret =
		g_dbus_connection_call_sync(bus, ROLLERD_NAME, "/org/rollerd",
					    "org.freedesktop.DBus.ObjectManager",
					    "GetManagedObjects", NULL,
					    G_VARIANT_TYPE("(a{oa{sa{sv}}})"),
					    G_DBUS_CALL_FLAGS_NONE, -1, NULL, error);
	g_autoptr(GVariantIter) iter = NULL;
	GPtrArray *paths;
	const char *path;
	GVariant *ifaces;

	if (!ret)
		return NULL;
	paths = g_ptr_array_new_with_free_func(g_free);
	g_variant_get(ret, "(a{oa{sa{sv}}})", &iter);
	while (g_variant_iter_loop(iter, "{&o@a{sa{sv}}}", &path, &ifaces)) {
		if (g_variant_lookup_value(ifaces, "org.rollerd.Roller2", NULL))
			g_ptr_array_add(paths, g_strdup(path));
	}
	g_ptr_array_sort(paths, compare_paths);
	return paths;
}

GPtrArray *
rc_roller_paths(GDBusConnection *bus, int *exit_code)
{
	g_autoptr(GError) error = NULL;
	GPtrArray *paths = list_roller_paths(bus, &error);

	if (!paths)
		*exit_code = rc_print_error(NULL, error);
	return paths;
}

void
rc_roller_band(GDBusConnection *bus, const char *serial, guint *low, guint *high)
{
	int code;
	g_autoptr(GPtrArray) paths = rc_roller_paths(bus, &code);

	*low = *high = 0;
	for (guint i = 0; paths && i < paths->len; i++) {
		g_autoptr(RdDbusRoller2) r = rc_roller(bus, paths->pdata[i], &code);
		GVariant *band = r ? rd_dbus_roller2_get_force_band(r) : NULL;
		guint16 lo = 0, hi = 0;

		if (band && g_strcmp0(rd_dbus_roller2_get_serial(r), serial) == 0) {
			g_variant_get(band, "(qq)", &lo, &hi);
			*low = lo;
			*high = hi;
		}
	}
}

char *
rc_resolve_roller(GDBusConnection *bus, const char *address, int *exit_code)
{
	g_autoptr(GPtrArray) paths = rc_roller_paths(bus, exit_code);
	g_autofree char *wanted = NULL;

	if (!paths)
		return NULL;
	if (address) {
		wanted = g_ascii_strup(address, -1);
		g_strdelimit(wanted, ":", '_');
		for (guint i = 0; i < paths->len; i++) {
			if (g_str_has_suffix(paths->pdata[i], wanted))
				return g_strdup(paths->pdata[i]);
		}
		g_printerr("rollerctl: no roller %s is known; run 'rollerctl scan' first\n",
			   address);
		*exit_code = RC_EXIT_FAILURE;
		return NULL;
	}
	if (paths->len == 1)
		return g_strdup(paths->pdata[0]);
	if (paths->len == 0)
		g_printerr("rollerctl: no roller is known yet; run 'rollerctl scan' first\n");
	else
		g_printerr("rollerctl: %u rollers are known; say which one (ADDR), "
			   "see 'rollerctl list'\n", paths->len);
	/* Not knowing which roller is meant is the command line's fault. */
	*exit_code = paths->len ? RC_EXIT_USAGE : RC_EXIT_FAILURE;
	return NULL;
}

int
rc_print_error(const char *command, const GError *error)
{
	g_autofree char *remote = g_dbus_error_get_remote_error(error);
	g_autoptr(GError) plain = g_error_copy(error);
	g_autofree char *who = command ? g_strdup_printf("rollerctl %s", command) :
				 g_strdup("rollerctl");

	g_dbus_error_strip_remote_error(plain);
	if (g_strcmp0(remote, "org.freedesktop.DBus.Error.ServiceUnknown") == 0 ||
	    g_strcmp0(remote, "org.freedesktop.DBus.Error.NameHasNoOwner") == 0 ||
	    g_strcmp0(remote, "org.freedesktop.DBus.Error.NoReply") == 0 ||
	    g_error_matches(error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT)) {
		g_printerr("%s: rollerd is not running or stopped answering\n", who);
		return RC_EXIT_NO_DAEMON;
	}
	if (g_error_matches(error, G_IO_ERROR, G_IO_ERROR_CLOSED)) {
		g_printerr("%s: the connection to the bus was lost\n", who);
		return RC_EXIT_NO_DAEMON;
	}
	/* The bus' own refusal names match rules, not what to do: say it. */
	if (g_strcmp0(remote, "org.freedesktop.DBus.Error.AccessDenied") == 0) {
		g_printerr("%s: permission denied: only root and members of the group "
			   "rollerd may control rollerd\n", who);
		return RC_EXIT_FAILURE;
	}
	/* polkit's answer, through rollerd: its message says which action. */
	if (g_strcmp0(remote, "org.rollerd.Error.NotAuthorized") == 0) {
		g_printerr("%s: permission denied: %s\n", who, plain->message);
		return RC_EXIT_FAILURE;
	}
	if (g_strcmp0(remote, "org.rollerd.Error.PairingFailed") == 0) {
		g_printerr("%s: %s\n"
			   "The roller needs an encrypted link and would not pair. Wake it "
			   "and hold it near this computer: rollerd tries again by itself. "
			   "If it keeps failing, 'rollerctl forget' it, switch it off and "
			   "on, and connect again.\n", who, plain->message);
		return RC_EXIT_FAILURE;
	}
	g_printerr("%s: %s\n", who, plain->message);
	return RC_EXIT_FAILURE;
}

/*
 * A terminal that takes escapes and block graphics: not TERM=dumb, and no
 * NO_COLOR (https://no-color.org: set and not empty), which here means
 * plain text altogether.
 */
static gboolean
fancy_terminal(void)
{
	const char *term = g_getenv("TERM");
	const char *no_color = g_getenv("NO_COLOR");

	return isatty(STDOUT_FILENO) && term && !g_str_equal(term, "dumb") &&
	       !(no_color && *no_color);
}

gboolean
rc_use_color(void)
{
	return fancy_terminal();
}

gboolean
rc_use_unicode(void)
{
	return fancy_terminal() && g_str_equal(nl_langinfo(CODESET), "UTF-8");
}

void
rc_print_json(JsonNode *node)
{
	g_autoptr(JsonGenerator) gen = json_generator_new();
	g_autofree char *text = NULL;

	json_generator_set_pretty(gen, TRUE);
	json_generator_set_root(gen, node);
	text = json_generator_to_data(gen, NULL);
	printf("%s\n", text);
}

char *
rc_format_time(gint64 unix_seconds)
{
	g_autoptr(GDateTime) dt = NULL;

	if (unix_seconds <= 0)
		return g_strdup("unknown");
	dt = g_date_time_new_from_unix_local(unix_seconds);
	return dt ? g_date_time_format(dt, "%Y-%m-%d %H:%M") : g_strdup("unknown");
}

char *
rc_format_duration(guint32 ms)
{
	guint s = ms / 1000;

	if (s >= 3600)
		return g_strdup_printf("%u:%02u:%02u", s / 3600, s / 60 % 60, s % 60);
	return g_strdup_printf("%u:%02u", s / 60, s % 60);
}

static char *
name_key(const char *name)
{
	g_autofree char *normal = g_utf8_normalize(name, -1, G_NORMALIZE_NFKC);

	return g_utf8_casefold(normal ? normal : name, -1);
}

char *
rc_resolve_person(GDBusConnection *bus, const char *command, const char *name,
		  int *exit_code)
{
	g_autoptr(RdDbusManager1) manager = rc_manager(bus, exit_code);
	g_autoptr(GVariant) people = NULL;
	g_autoptr(GError) error = NULL;
	g_autofree char *want = NULL;
	g_autofree char *trimmed = g_strstrip(g_strdup(name));
	GVariantIter iter;
	const char *path, *candidate;

	if (!manager)
		return NULL;
	if (!rd_dbus_manager1_call_list_people_sync(manager, G_DBUS_CALL_FLAGS_NONE, -1, &people,
						    NULL, &error)) {
		*exit_code = rc_print_error(command, error);
		return NULL;
	}
	want = name_key(trimmed);
	g_variant_iter_init(&iter, people);
	while (g_variant_iter_next(&iter, "(&o&s)", &path, &candidate)) {
		g_autofree char *key = name_key(candidate);

		if (g_str_equal(key, want))
			return g_strdup(path);
	}
	g_printerr("rollerctl %s: no person called '%s'; 'rollerctl people' lists them, "
		   "'rollerctl person add NAME' adds one\n", command, trimmed);
	*exit_code = RC_EXIT_FAILURE;
	return NULL;
}
