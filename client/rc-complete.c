/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <stdio.h>

#include "common/rd-area.h"
#include "rc-complete.h"

/* Session ids offered: the newest, as many as a screen of choices. */
#define COMPLETE_SESSIONS 100u

static gboolean
print_addresses(GDBusConnection *bus, int *code)
{
	g_autoptr(GPtrArray) paths = rc_roller_paths(bus, code);

	if (!paths)
		return FALSE;
	for (guint i = 0; i < paths->len; i++) {
		g_autoptr(RdDbusRoller2) r = rc_roller(bus, paths->pdata[i], code);

		if (!r)
			return FALSE;
		printf("%s\n", rd_dbus_roller2_get_address(r));
	}
	return TRUE;
}

static gboolean
print_sessions(RdDbusManager1 *manager)
{
	g_autoptr(GVariant) rows = NULL;
	GVariantBuilder filter;
	GVariantIter iter;
	GVariant *row;

	g_variant_builder_init(&filter, G_VARIANT_TYPE_VARDICT);
	g_variant_builder_add(&filter, "{sv}", "limit", g_variant_new_uint32(COMPLETE_SESSIONS));
	if (!rd_dbus_manager1_call_query_sessions_sync(manager, g_variant_builder_end(&filter),
						       G_DBUS_CALL_FLAGS_NONE, -1, &rows, NULL,
						       NULL))
		return FALSE;
	g_variant_iter_init(&iter, rows);
	while ((row = g_variant_iter_next_value(&iter))) {
		guint64 id = 0;

		if (g_variant_lookup(row, "id", "t", &id))
			printf("%" G_GUINT64_FORMAT "\n", id);
		g_variant_unref(row);
	}
	return TRUE;
}

static gboolean
print_people(RdDbusManager1 *manager)
{
	g_autoptr(GVariant) people = NULL;
	GVariantIter iter;
	const char *name;

	if (!rd_dbus_manager1_call_list_people_sync(manager, G_DBUS_CALL_FLAGS_NONE, -1, &people,
						    NULL, NULL))
		return FALSE;
	g_variant_iter_init(&iter, people);
	while (g_variant_iter_next(&iter, "(&o&s)", NULL, &name))
		printf("%s\n", name);
	return TRUE;
}

static void
discard(const char *text)
{
}

int
rc_cmd_complete(const struct rc_globals *globals, int argc, char **argv)
{
	g_autoptr(GDBusConnection) bus = NULL;
	g_autoptr(RdDbusManager1) manager = NULL;
	const char *kind = argc == 2 ? argv[1] : "";
	int code = RC_EXIT_OK;
	gboolean ok;

	if (g_str_equal(kind, "areas")) {
		for (const char *const *a = rd_area_names(); *a; a++)
			printf("%s\n", *a);
		return RC_EXIT_OK;
	}
	if (!g_str_equal(kind, "addresses") && !g_str_equal(kind, "sessions") &&
	    !g_str_equal(kind, "people"))
		return RC_EXIT_USAGE;
	/* Whatever goes wrong, nothing may land in the middle of a command line. */
	g_set_printerr_handler(discard);
	if (!(bus = rc_connect(globals, &code)) || !(manager = rc_manager(bus, &code)))
		return code;
	if (g_str_equal(kind, "addresses"))
		ok = print_addresses(bus, &code);
	else if (g_str_equal(kind, "sessions"))
		ok = print_sessions(manager);
	else
		ok = print_people(manager);
	return ok ? RC_EXIT_OK : RC_EXIT_FAILURE;
}
