/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* rollerctl export: the history, or a part, as CSV or JSON. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "common/rd-csv.h"
#include "rc-clinic-export.h"
#include "rc-export.h"
#include "rc-filter.h"
#include "rc-sessions.h"

/*
 * A page of QuerySessions for export; the two calls export makes per
 * session cost far more than one query per hundred.
 */
#define EXPORT_PAGE 100

/*
 * The ids of the sessions @f matches, newest first.  With --limit, that
 * one page; without, every one: rollerd answers a page at a time (100 by
 * default), so ask on from the next offset until a short page.  A session
 * stored meanwhile shifts the pages by one; the id set keeps it from
 * being exported twice.
 */
static GArray *
query_ids(RdDbusManager1 *manager, const RcFilter *f, GError **error)
{
	g_autoptr(GArray) ids = g_array_new(FALSE, FALSE, sizeof(guint64));
	g_autoptr(GHashTable) seen = g_hash_table_new_full(g_int64_hash, g_int64_equal,
							   g_free, NULL);
	RcFilter page = *f;

	if (page.limit == RC_NO_LIMIT)
		page.limit = EXPORT_PAGE;
	for (;;) {
		g_autoptr(GVariant) filter = g_variant_ref_sink(rc_filter_to_variant("export", &page));
		g_autoptr(GVariant) rows = NULL;
		GVariantIter iter;
		GVariant *row;
		gsize n;

		if (!rd_dbus_manager1_call_query_sessions_sync(manager, filter,
							       G_DBUS_CALL_FLAGS_NONE, -1,
							       &rows, NULL, error))
			return NULL;
		n = g_variant_n_children(rows);
		g_variant_iter_init(&iter, rows);
		while ((row = g_variant_iter_next_value(&iter))) {
			guint64 id = 0;

			g_variant_lookup(row, "id", "t", &id);
			g_variant_unref(row);
			if (g_hash_table_add(seen, g_memdup2(&id, sizeof(id))))
				g_array_append_val(ids, id);
		}
		if (f->limit != RC_NO_LIMIT || n < (gsize)page.limit || page.offset > G_MAXINT - (int)n)
			break;
		page.offset += (int)n;
	}
	return g_steal_pointer(&ids);
}

/* @text to @output, or stdout when NULL. */
static int
write_export(const char *output, const char *text)
{
	g_autoptr(GError) error = NULL;

	if (output) {
		if (!g_file_set_contents(output, text, -1, &error)) {
			g_printerr("rollerctl export: %s\n", error->message);
			return RC_EXIT_FAILURE;
		}
		return RC_EXIT_OK;
	}
	fputs(text, stdout);
	return RC_EXIT_OK;
}

/* --clinic: every room's sessions, each with its room (rc-clinic-export.h). */
static int
export_clinic(const struct rc_globals *globals, RcFilter *f, gboolean json, const char *output)
{
	g_autoptr(GDBusConnection) bus = NULL;
	g_autoptr(RdDbusManager1) manager = NULL;
	g_autoptr(GVariant) filter = NULL;
	g_autoptr(GError) error = NULL;
	g_autofree char *text = NULL;
	int code = RC_EXIT_OK;

	if (rc_filter_connect(globals, "export", f, &bus, &manager, &code)) {
		filter = g_variant_ref_sink(rc_filter_to_variant("export", f));
		if (!(text = rc_clinic_export(manager, "export", filter, json, &error)))
			code = rc_print_error("export", error);
	}
	rc_filter_clear(f);
	return text ? write_export(output, text) : code;
}

int
rc_cmd_export(const struct rc_globals *globals, int argc, char **argv)
{
	RcFilter f = RC_FILTER_INIT;
	g_autofree char *format = NULL, *output = NULL;
	const GOptionEntry entries[] = {
		{ "format", 'f', 0, G_OPTION_ARG_STRING, &format,
		  "csv or json (default csv, json with --json)", "F" },
		{ "output", 'o', 0, G_OPTION_ARG_FILENAME, &output, "Write to FILE, not stdout", "FILE" },
		RC_FILTER_ENTRIES(f, "At most N sessions (1 to 1000; default all)"),
		{ NULL }
	};
	g_autoptr(GDBusConnection) bus = NULL;
	g_autoptr(RdDbusManager1) manager = NULL;
	g_autoptr(GArray) ids = NULL;
	g_autoptr(GError) error = NULL;
	g_autoptr(GString) out = g_string_new(NULL);
	g_autoptr(GVariant) check = NULL;
	gboolean json;
	int code = RC_EXIT_OK;

	if (!rc_parse_options("export", "", "Export the history (or a part) as CSV or JSON.",
			      entries, &argc, &argv, &code) ||
	    !rc_check_no_extra("export", argc, argv, 0, &code)) {
		rc_filter_clear(&f);
		return code;
	}
	json = format ? g_str_equal(format, "json") : globals->json;
	if (format && !json && !g_str_equal(format, "csv")) {
		g_printerr("rollerctl export: --format is csv or json\n");
		rc_filter_clear(&f);
		return RC_EXIT_USAGE;
	}
	if (globals->json && !json) {
		g_printerr("rollerctl export: --json and --format csv disagree; give one of them\n");
		rc_filter_clear(&f);
		return RC_EXIT_USAGE;
	}
	/* The filter's mistakes are usage errors, found before rollerd is asked. */
	if (!(check = rc_filter_to_variant("export", &f))) {
		rc_filter_clear(&f);
		return RC_EXIT_USAGE;
	}
	g_variant_ref_sink(check);
	if (globals->clinic)
		return export_clinic(globals, &f, json, output);
	if (!rc_filter_connect(globals, "export", &f, &bus, &manager, &code) ||
	    !(ids = query_ids(manager, &f, &error))) {
		rc_filter_clear(&f);
		return error ? rc_print_error("export", error) : code;
	}
	rc_filter_clear(&f);
	if (json)
		g_string_append(out, "[\n");
	else if (ids->len == 0)
		g_string_append(out, RD_CSV_HEADER);
	for (guint i = 0; i < ids->len; i++) {
		g_autoptr(RdDbusSession1) s = NULL;
		g_autofree char *data = NULL, *id_text = NULL;
		const char *body;

		id_text = g_strdup_printf("%" G_GUINT64_FORMAT, g_array_index(ids, guint64, i));
		if (!(s = rc_get_session(bus, id_text, &code)))
			return code;
		if (!rd_dbus_session1_call_export_sync(s, json ? "json" : "csv",
						       G_DBUS_CALL_FLAGS_NONE, -1, &data, NULL,
						       &error))
			return rc_print_error("export", error);
		/* One CSV header for the whole export: skip the others'. */
		body = data;
		if (!json && i > 0 && (body = strchr(data, '\n')))
			body++;
		if (json && i > 0)
			g_string_append(out, ",\n");
		g_string_append(out, body ? body : "");
	}
	if (json)
		g_string_append(out, "\n]\n");
	return write_export(output, out->str);
}
