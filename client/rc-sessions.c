/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The history: sessions, show, note, delete, export. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "common/rd-csv.h"
#include "rc-notes.h"
#include "rc-sessions.h"
#include "rc-clinic-export.h"

/* "2026-11-24" or a full ISO 8601 time, local time unless it says; -1 if bad. */
static gint64
parse_date(const char *text)
{
	g_autoptr(GTimeZone) local = g_time_zone_new_local();
	g_autoptr(GDateTime) dt = g_date_time_new_from_iso8601(text, local);
	int y, m, d;
	char end;

	if (dt)
		return g_date_time_to_unix(dt);
	if (sscanf(text, "%4d-%2d-%2d%c", &y, &m, &d, &end) == 3) {
		g_autoptr(GDateTime) day = g_date_time_new_local(y, m, d, 0, 0, 0);

		if (day)
			return g_date_time_to_unix(day);
	}
	return -1;
}

/* QuerySessions' page when no limit is asked (docs/dbus-api.md). */
#define DEFAULT_PAGE 100u

typedef struct {
	char *area, *since, *until, *roller, *person;
	char *person_path;	/* --person resolved, once connected */
	int limit, offset;	/* limit NO_LIMIT when not given */
} Filter;

#define NO_LIMIT (-1)
#define FILTER_INIT { .limit = NO_LIMIT }

#define FILTER_ENTRIES(f, limit_help) \
	{ "area", 'a', 0, G_OPTION_ARG_STRING, &(f).area, "Only this treatment area", "AREA" }, \
	{ "since", 0, 0, G_OPTION_ARG_STRING, &(f).since, "From this date (YYYY-MM-DD)", "DATE" }, \
	{ "until", 0, 0, G_OPTION_ARG_STRING, &(f).until, "Before this date", "DATE" }, \
	{ "roller", 'r', 0, G_OPTION_ARG_STRING, &(f).roller, "Only this roller (serial or address)", "R" }, \
	{ "person", 'p', 0, G_OPTION_ARG_STRING, &(f).person, "Only this person's sessions", "NAME" }, \
	{ "limit", 'n', 0, G_OPTION_ARG_INT, &(f).limit, limit_help, "N" }, \
	{ "offset", 0, 0, G_OPTION_ARG_INT, &(f).offset, "Skip the newest N", "N" }

static void
filter_clear(Filter *f)
{
	g_free(f->area);
	g_free(f->since);
	g_free(f->until);
	g_free(f->roller);
	g_free(f->person);
	g_free(f->person_path);
}

/* The filter's options as given ("--roller R --area A"), NULL for none. */
static char *
filter_describe(const Filter *f)
{
	g_autoptr(GString) text = g_string_new(NULL);
	const struct {
		const char *option, *value;
	} given[] = {
		{ "--area", f->area }, { "--since", f->since }, { "--until", f->until },
		{ "--roller", f->roller }, { "--person", f->person },
	};

	for (gsize i = 0; i < G_N_ELEMENTS(given); i++) {
		if (given[i].value)
			g_string_append_printf(text, "%s%s %s", text->len ? " " : "",
					       given[i].option, given[i].value);
	}
	if (f->offset > 0)
		g_string_append_printf(text, "%s--offset %d", text->len ? " " : "", f->offset);
	return text->len ? g_string_free(g_steal_pointer(&text), FALSE) : NULL;
}

/* Connects and resolves --person; FALSE (printed, *code set) if that fails. */
static gboolean
filter_connect(const struct rc_globals *globals, const char *command, Filter *f,
	       GDBusConnection **bus, RdDbusManager1 **manager, int *code)
{
	if (!(*bus = rc_connect(globals, code)) || !(*manager = rc_manager(*bus, code)))
		return FALSE;
	return !f->person || (f->person_path = rc_resolve_person(*bus, command, f->person, code));
}

/* The a{sv} of QuerySessions; NULL (printed) for a bad option. */
static GVariant *
filter_to_variant(const char *command, const Filter *f)
{
	GVariantBuilder b;
	gint64 t;

	if (f->area && !rc_check_area(command, f->area))
		return NULL;
	g_variant_builder_init(&b, G_VARIANT_TYPE_VARDICT);
	if (f->area)
		g_variant_builder_add(&b, "{sv}", "area", g_variant_new_string(f->area));
	if (f->roller)
		g_variant_builder_add(&b, "{sv}", "roller", g_variant_new_string(f->roller));
	if (f->person_path)
		g_variant_builder_add(&b, "{sv}", "person", g_variant_new_object_path(f->person_path));
	if (f->since) {
		if ((t = parse_date(f->since)) < 0)
			goto bad_date;
		g_variant_builder_add(&b, "{sv}", "since", g_variant_new_int64(t));
	}
	if (f->until) {
		if ((t = parse_date(f->until)) < 0)
			goto bad_date;
		g_variant_builder_add(&b, "{sv}", "until", g_variant_new_int64(t));
	}
	if ((f->limit != NO_LIMIT && (f->limit < 1 || f->limit > 1000)) || f->offset < 0) {
		g_printerr("rollerctl %s: --limit takes 1 to 1000, --offset 0 or more\n", command);
		g_variant_builder_clear(&b);
		return NULL;
	}
	if (f->limit != NO_LIMIT)
		g_variant_builder_add(&b, "{sv}", "limit", g_variant_new_uint32((guint32)f->limit));
	if (f->offset)
		g_variant_builder_add(&b, "{sv}", "offset", g_variant_new_uint32((guint32)f->offset));
	return g_variant_builder_end(&b);
bad_date:
	g_printerr("rollerctl %s: a date is YYYY-MM-DD or ISO 8601\n", command);
	g_variant_builder_clear(&b);
	return NULL;
}

int
rc_cmd_sessions(const struct rc_globals *globals, int argc, char **argv)
{
	Filter f = FILTER_INIT;
	const GOptionEntry entries[] = {
		FILTER_ENTRIES(f, "At most N sessions (default 100, at most 1000)"),
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
		filter_clear(&f);
		return code;
	}
	default_limit = f.limit == NO_LIMIT;
	filtered = filter_describe(&f);
	/* The filter's mistakes are usage errors, found before rollerd is asked. */
	filter = filter_to_variant("sessions", &f);
	if (!filter) {
		filter_clear(&f);
		return RC_EXIT_USAGE;
	}
	g_variant_ref_sink(filter);
	if (!filter_connect(globals, "sessions", &f, &bus, &manager, &code)) {
		filter_clear(&f);
		return code;
	}
	g_variant_unref(filter);
	filter = g_variant_ref_sink(filter_to_variant("sessions", &f));
	filter_clear(&f);
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

static void
print_sparkline(RdDbusSession1 *s, gboolean unicode)
{
	static const char *const bars[] = { "▁", "▂", "▃", "▄", "▅", "▆", "▇", "█" };
	static const char ascii[] = "_.-=+*#@";
	GVariant *trace = rd_dbus_session1_get_force_trace(s);
	g_autoptr(GVariant) values = NULL;
	const guint16 *v;
	gsize n, step;
	guint16 period, max = 1;

	if (!trace)
		return;
	g_variant_get(trace, "(q@aq)", &period, &values);
	v = g_variant_get_fixed_array(values, &n, sizeof(guint16));
	if (!n)
		return;
	step = (n + 59) / 60;
	for (gsize i = 0; i < n; i++)
		max = MAX(max, v[i]);
	/* Not the contact force of the line above: lifts lower these means. */
	printf("Force over time, mean per %.3g s counting lifts as 0 (highest %u cN): ",
	       period / 1000.0, max);
	for (gsize i = 0; i < n; i += step) {
		guint level = v[i] * 7u / max;

		if (unicode)
			fputs(bars[level], stdout);
		else
			putchar(ascii[level]);
	}
	printf("\n");
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
query_ids(RdDbusManager1 *manager, const Filter *f, GError **error)
{
	g_autoptr(GArray) ids = g_array_new(FALSE, FALSE, sizeof(guint64));
	g_autoptr(GHashTable) seen = g_hash_table_new_full(g_int64_hash, g_int64_equal,
							   g_free, NULL);
	Filter page = *f;

	if (page.limit == NO_LIMIT)
		page.limit = EXPORT_PAGE;
	for (;;) {
		g_autoptr(GVariant) filter = g_variant_ref_sink(filter_to_variant("export", &page));
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
		if (f->limit != NO_LIMIT || n < (gsize)page.limit || page.offset > G_MAXINT - (int)n)
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
export_clinic(const struct rc_globals *globals, Filter *f, gboolean json, const char *output)
{
	g_autoptr(GDBusConnection) bus = NULL;
	g_autoptr(RdDbusManager1) manager = NULL;
	g_autoptr(GVariant) filter = NULL;
	g_autoptr(GError) error = NULL;
	g_autofree char *text = NULL;
	int code = RC_EXIT_OK;

	if (filter_connect(globals, "export", f, &bus, &manager, &code)) {
		filter = g_variant_ref_sink(filter_to_variant("export", f));
		if (!(text = rc_clinic_export(manager, "export", filter, json, &error)))
			code = rc_print_error("export", error);
	}
	filter_clear(f);
	return text ? write_export(output, text) : code;
}

int
rc_cmd_export(const struct rc_globals *globals, int argc, char **argv)
{
	Filter f = FILTER_INIT;
	g_autofree char *format = NULL, *output = NULL;
	const GOptionEntry entries[] = {
		{ "format", 'f', 0, G_OPTION_ARG_STRING, &format,
		  "csv or json (default csv, json with --json)", "F" },
		{ "output", 'o', 0, G_OPTION_ARG_FILENAME, &output, "Write to FILE, not stdout", "FILE" },
		FILTER_ENTRIES(f, "At most N sessions (1 to 1000; default all)"),
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
		filter_clear(&f);
		return code;
	}
	json = format ? g_str_equal(format, "json") : globals->json;
	if (format && !json && !g_str_equal(format, "csv")) {
		g_printerr("rollerctl export: --format is csv or json\n");
		filter_clear(&f);
		return RC_EXIT_USAGE;
	}
	if (globals->json && !json) {
		g_printerr("rollerctl export: --json and --format csv disagree; give one of them\n");
		filter_clear(&f);
		return RC_EXIT_USAGE;
	}
	/* The filter's mistakes are usage errors, found before rollerd is asked. */
	if (!(check = filter_to_variant("export", &f))) {
		filter_clear(&f);
		return RC_EXIT_USAGE;
	}
	g_variant_ref_sink(check);
	if (globals->clinic)
		return export_clinic(globals, &f, json, output);
	if (!filter_connect(globals, "export", &f, &bus, &manager, &code) ||
	    !(ids = query_ids(manager, &f, &error))) {
		filter_clear(&f);
		return error ? rc_print_error("export", error) : code;
	}
	filter_clear(&f);
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
