/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The history: sessions, show, note, delete. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "rc-notes.h"
#include "rc-sessions.h"
#include "rc-filter.h"
#include "rc-trace.h"

/* QuerySessions' page when no limit is asked (docs/dbus-api.md). */
#define DEFAULT_PAGE 100u

int
rc_cmd_sessions(const struct rc_globals *globals, int argc, char **argv)
{
	RcFilter f = RC_FILTER_INIT;
	const GOptionEntry entries[] = {
		RC_FILTER_ENTRIES(f, "At most N sessions (default 100, at most 1000)"),
		{ NULL }
	};
	g_autoptr(GDBusConnection) bus = NULL;
	g_autoptr(RdDbusManager1) manager = NULL;
	g_autoptr(GVariant) rows = NULL;
	g_autoptr(GVariant) filter = NULL;
	g_autoptr(GError) error = NULL;
	GVariantIter iter;
	GVariant *row;
	g_autofree char *filtered = NULL;
	gboolean default_limit;
	int code = RC_EXIT_OK;

	if (!rc_parse_options("sessions", "", "List the history, newest first.", entries,
			      &argc, &argv, &code) ||
	    !rc_check_no_extra("sessions", argc, argv, 0, &code)) {
		rc_filter_clear(&f);
		return code;
	}
	default_limit = f.limit == RC_NO_LIMIT;
	filtered = rc_filter_describe(&f);
	/* The filter's mistakes are usage errors, found before rollerd is asked. */
	filter = rc_filter_to_variant("sessions", &f);
	if (!filter) {
		rc_filter_clear(&f);
		return RC_EXIT_USAGE;
	}
	g_variant_ref_sink(filter);
	if (!rc_filter_connect(globals, "sessions", &f, &bus, &manager, &code)) {
		rc_filter_clear(&f);
		return code;
	}
	g_variant_unref(filter);
	filter = g_variant_ref_sink(rc_filter_to_variant("sessions", &f));
	rc_filter_clear(&f);
	if (!rd_dbus_manager1_call_query_sessions_sync(manager, filter, G_DBUS_CALL_FLAGS_NONE,
						       -1, &rows, NULL, &error))
		return rc_print_error("sessions", error);
	if (globals->json) {
		g_autoptr(JsonNode) node = json_gvariant_serialize(rows);

		rc_print_json(node);
		return RC_EXIT_OK;
	}
	if (g_variant_n_children(rows) == 0 && filtered)
		printf("No session matches %s; 'rollerctl sessions' lists them all.\n", filtered);
	else if (g_variant_n_children(rows) == 0)
		printf("No session in the history yet: 'rollerctl sync' brings them from a roller.\n");
	else
		printf("%-6s %-16s %-11s %8s %7s %6s %7s %-7s %s\n", "ID", "START", "AREA",
		       "DURATION", "STROKES", "MEAN", "INBAND", "SOURCE", "PERSON");
	g_variant_iter_init(&iter, rows);
	while ((row = g_variant_iter_next_value(&iter))) {
		guint64 id = 0;
		gint64 start = 0;
		guint32 duration = 0, strokes = 0;
		guint16 mean = 0, in_band = 0;
		const char *area = "", *source = "", *person = "";
		g_autofree char *when = NULL, *dur = NULL;

		g_variant_lookup(row, "id", "t", &id);
		g_variant_lookup(row, "start", "x", &start);
		g_variant_lookup(row, "area", "&s", &area);
		g_variant_lookup(row, "duration_ms", "u", &duration);
		g_variant_lookup(row, "strokes", "u", &strokes);
		g_variant_lookup(row, "force_mean_cn", "q", &mean);
		g_variant_lookup(row, "in_band_permille", "q", &in_band);
		g_variant_lookup(row, "source", "&s", &source);
		g_variant_lookup(row, "person_name", "&s", &person);
		when = rc_format_time(start);
		dur = rc_format_duration(duration);
		printf("%-6" G_GUINT64_FORMAT " %-16s %-11s %8s %7u %4ucN %6.1f%% %-7s %s\n", id,
		       when, area, dur, strokes, mean, in_band / 10.0, source, person);
		g_variant_unref(row);
	}
	/* A full default page may not be all: say how to see the rest. */
	if (default_limit && g_variant_n_children(rows) == DEFAULT_PAGE)
		g_printerr("rollerctl sessions: %u shown (the default --limit); "
			   "--limit up to 1000 and --offset show more, export shows all\n",
			   DEFAULT_PAGE);
	return RC_EXIT_OK;
}

RdDbusSession1 *
rc_get_session(GDBusConnection *bus, const char *id_text, int *exit_code)
{
	g_autoptr(RdDbusManager1) manager = rc_manager(bus, exit_code);
	g_autoptr(GError) error = NULL;
	g_autofree char *path = NULL;
	guint64 id;
	RdDbusSession1 *session;

	if (!manager)
		return NULL;
	if (!g_ascii_string_to_unsigned(id_text, 10, 1, G_MAXINT64, &id, NULL)) {
		g_printerr("rollerctl: '%s' is not a session id (see 'rollerctl sessions')\n",
			   id_text);
		*exit_code = RC_EXIT_USAGE;
		return NULL;
	}
	if (!rd_dbus_manager1_call_get_session_sync(manager, id, G_DBUS_CALL_FLAGS_NONE, -1,
						    &path, NULL, &error)) {
		*exit_code = rc_print_error(NULL, error);
		return NULL;
	}
	session = rd_dbus_session1_proxy_new_sync(bus, G_DBUS_PROXY_FLAGS_NONE, "org.rollerd",
						  path, NULL, &error);
	if (!session)
		*exit_code = rc_print_error(NULL, error);
	return session;
}

/* The grid as shades (or digits), one row per line. */
static void
print_heat_map(RdDbusSession1 *s, gboolean unicode)
{
	static const char *const shades[] = { " ", "░", "▒", "▓", "█" };
	GVariant *passes = rd_dbus_session1_get_passes(s);
	guint cols = rd_dbus_session1_get_grid_columns(s), rows = rd_dbus_session1_get_grid_rows(s);
	gsize n = 0;
	const guint8 *p = passes ? g_variant_get_fixed_array(passes, &n, 1) : NULL;
	guint max = 1;

	if (!p || n != (gsize)cols * rows)
		return;
	for (gsize i = 0; i < n; i++)
		max = MAX(max, p[i]);
	printf("Coverage (passes per cell, darkest %u):\n", max);
	for (guint r = 0; r < rows; r++) {
		printf("  ");
		for (guint c = 0; c < cols; c++) {
			guint v = p[r * cols + c];

			if (unicode)
				printf("%s%s", shades[v ? 1 + (v * 3 + max - 1) / max : 0],
				       shades[v ? 1 + (v * 3 + max - 1) / max : 0]);
			else
				printf("%3u", v);
		}
		printf("\n");
	}
}

/* The trace as a line of bars, a space where the roller was lifted. */
static void
print_sparkline(RdDbusSession1 *s, gboolean unicode)
{
	GVariant *trace = rd_dbus_session1_get_force_trace(s);
	g_autoptr(GVariant) values = NULL;
	g_autofree char *line = NULL;
	const guint16 *v;
	guint16 period;
	gsize n;

	if (!trace)
		return;
	g_variant_get(trace, "(q@aq)", &period, &values);
	v = g_variant_get_fixed_array(values, &n, sizeof(guint16));
	if (!n)
		return;
	line = rc_trace_sparkline(v, n, 60, unicode);
	/* Its max is the highest contact mean, not the Force line's largest sample. */
	printf("Force over time, max %u cN (contact force, mean per %.3g s; gaps: roller lifted):\n"
	       "  %s\n", rc_trace_max(v, n), period / 1000.0, line);
}

int
rc_cmd_show(const struct rc_globals *globals, int argc, char **argv)
{
	g_autoptr(GDBusConnection) bus = NULL;
	g_autoptr(RdDbusSession1) s = NULL;
	g_autofree char *when = NULL, *dur = NULL;
	GVariant *dirs, *notes;
	const guint32 *d;
	gsize n = 0;
	int code = RC_EXIT_OK;

	if (!rc_parse_options("show", "ID", "Show one session: summary, coverage, force, notes.",
			      NULL, &argc, &argv, &code) ||
	    !rc_check_no_extra("show", argc, argv, 1, &code))
		return code;
	if (argc != 2) {
		g_printerr("rollerctl show: which session? rollerctl show ID\n");
		return RC_EXIT_USAGE;
	}
	if (!(bus = rc_connect(globals, &code)) || !(s = rc_get_session(bus, argv[1], &code)))
		return code;
	if (globals->json) {
		g_autofree char *text = NULL;
		g_autoptr(GError) error = NULL;

		if (!rd_dbus_session1_call_export_sync(s, "json", G_DBUS_CALL_FLAGS_NONE, -1,
						       &text, NULL, &error))
			return rc_print_error("show", error);
		printf("%s\n", text);
		return RC_EXIT_OK;
	}
	when = rc_format_time(rd_dbus_session1_get_start(s));
	dur = rc_format_duration(rd_dbus_session1_get_duration(s));
	dirs = rd_dbus_session1_get_directions(s);
	d = dirs ? g_variant_get_fixed_array(dirs, &n, sizeof(guint32)) : NULL;
	printf("Session %" G_GUINT64_FORMAT " on %s (%s), roller %s, record %u\n",
	       rd_dbus_session1_get_id(s), when,
	       rd_dbus_session1_get_clock_set(s) ? "roller's clock" : "clock unset: estimated",
	       rd_dbus_session1_get_roller(s), rd_dbus_session1_get_record_id(s));
	printf("Area %s, needle %.2f mm, %s of rolling, %u strokes\n",
	       rd_dbus_session1_get_area(s), rd_dbus_session1_get_needle_length(s) / 1000.0,
	       dur, rd_dbus_session1_get_strokes(s));
	printf("Force: mean %u cN, max %u cN, %.1f%% of contact in the band\n",
	       rd_dbus_session1_get_force_mean(s), rd_dbus_session1_get_force_max(s),
	       rd_dbus_session1_get_in_band(s) / 10.0);
	if (d && n == 4)
		printf("Directions: vertical %u, diagonal %u, horizontal %u, anti-diagonal %u\n",
		       d[0], d[1], d[2], d[3]);
	print_heat_map(s, rc_use_unicode());
	print_sparkline(s, rc_use_unicode());
	notes = rd_dbus_session1_get_notes(s);
	if (notes && g_variant_n_children(notes)) {
		g_autoptr(GPtrArray) facts = rc_notes_facts(notes);
		const char *text;

		printf("Notes:\n");
		for (guint i = 0; i < facts->len; i++)
			printf("  %s\n", (char *)facts->pdata[i]);
		if (g_variant_lookup(notes, "text", "&s", &text))
			printf("  %s\n", text);
	}
	printf("Source: %s\n", rd_dbus_session1_get_source(s));
	return RC_EXIT_OK;
}

static const char *const redness_levels[] = { "none", "mild", "moderate", "strong", NULL };

int
rc_cmd_note(const struct rc_globals *globals, int argc, char **argv)
{
	g_autofree char *topical = NULL, *redness = NULL, *text = NULL;
	gboolean numbing = FALSE, no_numbing = FALSE, cleaned = FALSE;
	const GOptionEntry entries[] = {
		{ "topical", 0, 0, G_OPTION_ARG_STRING, &topical, "Topical product applied", "TEXT" },
		{ "numbing", 0, 0, G_OPTION_ARG_NONE, &numbing, "Numbing cream was used", NULL },
		{ "no-numbing", 0, 0, G_OPTION_ARG_NONE, &no_numbing, "No numbing cream", NULL },
		{ "redness", 0, 0, G_OPTION_ARG_STRING, &redness,
		  "Redness afterwards: none, mild, moderate or strong", "LEVEL" },
		{ "text", 0, 0, G_OPTION_ARG_STRING, &text, "Free text", "TEXT" },
		{ "cleaned", 0, 0, G_OPTION_ARG_NONE, &cleaned, "The roller was cleaned", NULL },
		{ NULL }
	};
	g_autoptr(GDBusConnection) bus = NULL;
	g_autoptr(RdDbusSession1) s = NULL;
	g_autoptr(GError) error = NULL;
	GVariantBuilder b;
	int code = RC_EXIT_OK;

	if (!rc_parse_options("note", "ID", "Add journal notes to a session.", entries,
			      &argc, &argv, &code))
		return code;
	if (argc != 2 || (numbing && no_numbing)) {
		g_printerr("rollerctl note: usage: rollerctl note ID [--topical TEXT] "
			   "[--numbing|--no-numbing] [--redness LEVEL] [--text TEXT] [--cleaned]\n");
		return RC_EXIT_USAGE;
	}
	if (!topical && !numbing && !no_numbing && !redness && !text && !cleaned) {
		g_printerr("rollerctl note: nothing to note: give --topical, --numbing, "
			   "--no-numbing, --redness, --text or --cleaned\n");
		return RC_EXIT_USAGE;
	}
	if (redness && !g_strv_contains(redness_levels, redness)) {
		g_printerr("rollerctl note: --redness is none, mild, moderate or strong, not '%s'\n",
			   redness);
		return RC_EXIT_USAGE;
	}
	g_variant_builder_init(&b, G_VARIANT_TYPE_VARDICT);
	if (topical)
		g_variant_builder_add(&b, "{sv}", "topical", g_variant_new_string(topical));
	if (numbing || no_numbing)
		g_variant_builder_add(&b, "{sv}", "numbing", g_variant_new_boolean(numbing));
	if (redness)
		g_variant_builder_add(&b, "{sv}", "redness", g_variant_new_string(redness));
	if (text)
		g_variant_builder_add(&b, "{sv}", "text", g_variant_new_string(text));
	if (cleaned)
		g_variant_builder_add(&b, "{sv}", "cleaned", g_variant_new_boolean(TRUE));
	if (!(bus = rc_connect(globals, &code)) || !(s = rc_get_session(bus, argv[1], &code))) {
		g_variant_builder_clear(&b);
		return code;
	}
	if (!rd_dbus_session1_call_set_notes_sync(s, g_variant_builder_end(&b),
						  G_DBUS_CALL_FLAGS_NONE, -1, NULL, &error))
		return rc_print_error("note", error);
	if (!globals->json)
		printf("Notes saved for session %s\n", argv[1]);
	return RC_EXIT_OK;
}

int
rc_cmd_delete(const struct rc_globals *globals, int argc, char **argv)
{
	g_autoptr(GDBusConnection) bus = NULL;
	g_autoptr(RdDbusSession1) s = NULL;
	g_autoptr(GError) error = NULL;
	int code = RC_EXIT_OK;

	if (!rc_parse_options("delete", "ID", "Delete a session from the history.", NULL,
			      &argc, &argv, &code) ||
	    !rc_check_no_extra("delete", argc, argv, 1, &code))
		return code;
	if (argc != 2) {
		g_printerr("rollerctl delete: which session? rollerctl delete ID\n");
		return RC_EXIT_USAGE;
	}
	if (!(bus = rc_connect(globals, &code)) || !(s = rc_get_session(bus, argv[1], &code)))
		return code;
	g_dbus_proxy_set_default_timeout(G_DBUS_PROXY(s), G_MAXINT);	/* polkit may ask */
	if (!rd_dbus_session1_call_delete_sync(s, G_DBUS_CALL_FLAGS_ALLOW_INTERACTIVE_AUTHORIZATION,
					       -1, NULL, &error))
		return rc_print_error("delete", error);
	if (!globals->json)
		printf("Session %s deleted\n", argv[1]);
	return RC_EXIT_OK;
}
