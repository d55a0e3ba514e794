/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * rollerctl report: one A4 page, drawn with cairo, as PDF, PNG or SVG: a
 * session (headline figures, coverage heat map, direction balance, force
 * over time against the band, notes) or an area's progress over its
 * sessions (rc-report-area.c).
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>
#include <cairo.h>
#include <glib/gstdio.h>
#include <cairo-pdf.h>
#include <cairo-svg.h>

#include "rc-report.h"
#include "rc-notes.h"
#include "rc-report-private.h"
#include "rc-trace.h"
#include "rc-sessions.h"

/* PNG at 150 dpi. */
#define PNG_SCALE (150.0 / 72.0)

static void
draw_tiles(cairo_t *cr, RdDbusSession1 *s, const guint8 *p, gsize np, double y)
{
	double w = (RC_PAGE_W - 2 * RC_MARGIN - 3 * 10) / 4;
	g_autofree char *strokes = g_strdup_printf("%u", rd_dbus_session1_get_strokes(s));
	g_autofree char *in_band = g_strdup_printf("%.1f%%", rd_dbus_session1_get_in_band(s) / 10.0);
	g_autofree char *mean = g_strdup_printf("%u cN", rd_dbus_session1_get_force_mean(s));
	g_autofree char *max = g_strdup_printf("max %u cN", rd_dbus_session1_get_force_max(s));
	g_autofree char *coverage = g_strdup_printf("%.0f%%", rc_coverage_permille(p, np) / 10.0);
	g_autofree char *cells = g_strdup_printf("%zu cells in the grid", np);
	g_autofree char *rate = NULL;

	/* Strokes a minute of rolling: the pace, comparable between sessions. */
	if (rd_dbus_session1_get_duration(s) >= 1000)
		rate = g_strdup_printf("%.0f a minute", rd_dbus_session1_get_strokes(s) * 60000.0 /
				       rd_dbus_session1_get_duration(s));
	rc_tile(cr, (RcBox){ RC_MARGIN, y, w, 54 }, strokes, "strokes", rate);
	rc_tile(cr, (RcBox){ RC_MARGIN + (w + 10), y, w, 54 }, in_band, "of contact in band", NULL);
	rc_tile(cr, (RcBox){ RC_MARGIN + 2 * (w + 10), y, w, 54 }, mean, "mean force", max);
	rc_tile(cr, (RcBox){ RC_MARGIN + 3 * (w + 10), y, w, 54 }, coverage, "of cells rolled",
		p ? cells : NULL);
}

/* The journal: the notes' facts on a line, the free text under them. */
static void
draw_notes(cairo_t *cr, GVariant *notes, double y)
{
	g_autoptr(GPtrArray) facts = rc_notes_facts(notes);
	g_autofree char *line = NULL;
	const char *str;

	rc_heading(cr, RC_MARGIN, y, "Journal");
	y += 16;
	if (!notes || g_variant_n_children(notes) == 0) {
		rc_ink_muted(cr);
		rc_text(cr, RC_MARGIN, y, 9, FALSE, RC_ALIGN_LEFT,
			"No notes yet: 'rollerctl note ID' adds them.");
		return;
	}
	rc_ink(cr);
	if (facts->len) {
		g_ptr_array_add(facts, NULL);
		line = g_strjoinv("     ", (char **)facts->pdata);
		y = rc_text_wrapped(cr, RC_MARGIN, y, RC_PAGE_W - 2 * RC_MARGIN, 9, 2, line) + 2;
	}
	if (g_variant_lookup(notes, "text", "&s", &str))
		rc_text_wrapped(cr, RC_MARGIN, y, RC_PAGE_W - 2 * RC_MARGIN, 9, 7, str);
}

static void
draw_session_page(cairo_t *cr, GDBusConnection *bus, RdDbusSession1 *s)
{
	g_autofree char *when = rc_format_time(rd_dbus_session1_get_start(s));
	g_autofree char *dur = rc_format_duration(rd_dbus_session1_get_duration(s));
	GVariant *passes = rd_dbus_session1_get_passes(s), *dirs = rd_dbus_session1_get_directions(s);
	GVariant *trace = rd_dbus_session1_get_force_trace(s);
	guint cols = rd_dbus_session1_get_grid_columns(s), rows = rd_dbus_session1_get_grid_rows(s);
	g_autoptr(GVariant) values = NULL;
	const guint16 *v = NULL;
	gsize n = 0, np = 0, nd = 0;
	const guint8 *p = passes ? g_variant_get_fixed_array(passes, &np, 1) : NULL;
	const guint32 *d = dirs ? g_variant_get_fixed_array(dirs, &nd, sizeof(guint32)) : NULL;
	guint16 period = 0;
	guint low, high;
	double map_w = 170, rose_x;

	if (p && (!cols || !rows || np != (gsize)cols * rows))
		p = NULL;
	rc_roller_band(bus, rd_dbus_session1_get_roller(s), &low, &high);
	if (trace) {
		g_variant_get(trace, "(q@aq)", &period, &values);
		v = g_variant_get_fixed_array(values, &n, sizeof(guint16));
	}
	rc_ink(cr);
	rc_textf(cr, RC_MARGIN, 58, 20, TRUE, RC_ALIGN_LEFT, "Session %" G_GUINT64_FORMAT ": %s",
		 rd_dbus_session1_get_id(s), rd_dbus_session1_get_area(s));
	rc_ink_muted(cr);
	rc_textf(cr, RC_MARGIN, 75, 10, FALSE, RC_ALIGN_LEFT,
		 "%s%s, %s of rolling, needle %.2f mm, roller %s", when,
		 rd_dbus_session1_get_clock_set(s) ? "" : " (estimated)", dur,
		 rd_dbus_session1_get_needle_length(s) / 1000.0, rd_dbus_session1_get_roller(s));
	draw_tiles(cr, s, p, p ? np : 0, 88);

	if (p)
		map_w = rc_heat_map(cr, (RcBox){ RC_MARGIN, 174, 300, 262 }, p, cols, rows);
	rose_x = RC_MARGIN + map_w + 30;
	rc_heading(cr, RC_MARGIN, 166, "Coverage: passes per cell");
	rc_heading(cr, rose_x, 166, "Direction balance");
	if (d && nd == 4)
		rc_direction_rose(cr, (RcBox){ rose_x, 174, RC_PAGE_W - RC_MARGIN - rose_x, 262 }, d);
	rc_heading(cr, RC_MARGIN, 458, "Force over time");
	if (v && n) {
		rc_ink_muted(cr);
		rc_textf(cr, RC_MARGIN + 104, 458, 8, FALSE, RC_ALIGN_LEFT,
			 "contact force, mean per %.3g s, max %u cN; gaps: roller lifted",
			 period / 1000.0, rc_trace_max(v, n));
		rc_force_chart(cr, (RcBox){ RC_MARGIN, 464, RC_PAGE_W - 2 * RC_MARGIN, 160 }, v, n,
			       period, low, high, rd_dbus_session1_get_force_mean(s));
	}
	draw_notes(cr, rd_dbus_session1_get_notes(s), 654);
}

/* The output file, and the first error writing it (an errno). */
typedef struct {
	int fd;
	int error;
} Sink;

static cairo_status_t
write_sink(void *closure, const unsigned char *data, unsigned int length)
{
	Sink *sink = closure;

	while (length > 0) {
		ssize_t n = write(sink->fd, data, length);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			sink->error = errno;
			return CAIRO_STATUS_WRITE_ERROR;
		}
		data += n;
		length -= (unsigned int)n;
	}
	return CAIRO_STATUS_SUCCESS;
}

int
rc_cmd_report(const struct rc_globals *globals, int argc, char **argv)
{
	g_autofree char *output = NULL, *area = NULL, *person = NULL, *person_path = NULL;
	const GOptionEntry entries[] = {
		{ "output", 'o', 0, G_OPTION_ARG_FILENAME, &output,
		  "The file to write: .pdf, .png or .svg (required)", "FILE" },
		{ "area", 'a', 0, G_OPTION_ARG_STRING, &area, "An area's progress instead of one session", "AREA" },
		{ "person", 'p', 0, G_OPTION_ARG_STRING, &person,
		  "With --area: this person's sessions only", "NAME" },
		{ NULL }
	};
	g_autoptr(GDBusConnection) bus = NULL;
	g_autoptr(RdDbusSession1) session = NULL;
	g_autoptr(RcAreaReport) area_report = NULL;
	cairo_surface_t *surface;
	cairo_t *cr;
	const char *format;
	int code = RC_EXIT_OK;
	cairo_status_t status;
	Sink sink = { -1, 0 };

	if (!rc_parse_options("report", "ID | --area AREA",
			      "Draw a session, or an area's progress, as a one-page PDF, PNG or\n"
			      "SVG (by the --output file's extension).", entries,
			      &argc, &argv, &code))
		return code;
	if (!output || (argc == 2) == (area != NULL) || argc > 2 || (person && !area)) {
		g_printerr("rollerctl report: usage: rollerctl report ID|--area AREA "
			   "[--person NAME] --output FILE\n");
		return RC_EXIT_USAGE;
	}
	if (globals->clinic && !area) {
		g_printerr("rollerctl report: with --clinic, report draws an area's progress over "
			   "every room's sessions: give --area AREA\n");
		return RC_EXIT_USAGE;
	}
	if (area && !rc_check_area("report", area))
		return RC_EXIT_USAGE;
	format = g_str_has_suffix(output, ".pdf") ? "pdf" : g_str_has_suffix(output, ".png") ? "png" :
		 g_str_has_suffix(output, ".svg") ? "svg" : NULL;
	if (!format) {
		g_printerr("rollerctl report: the output must end in .pdf, .png or .svg\n");
		return RC_EXIT_USAGE;
	}
	if (!(bus = rc_connect(globals, &code)) ||
	    (person && !(person_path = rc_resolve_person(bus, "report", person, &code))))
		return code;
	if (area ? !(area_report = rc_area_report_load(bus, area, person_path, globals->clinic,
						       &code)) :
	    !(session = rc_get_session(bus, argv[1], &code)))
		return code;

	/* Opened here, not by cairo, whose errors do not say what the OS said. */
	sink.fd = g_open(output, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
	if (sink.fd < 0) {
		g_printerr("rollerctl report: cannot write %s: %s\n", output, g_strerror(errno));
		return RC_EXIT_FAILURE;
	}
	if (g_str_equal(format, "pdf"))
		surface = cairo_pdf_surface_create_for_stream(write_sink, &sink, RC_PAGE_W, RC_PAGE_H);
	else if (g_str_equal(format, "svg"))
		surface = cairo_svg_surface_create_for_stream(write_sink, &sink, RC_PAGE_W, RC_PAGE_H);
	else
		surface = cairo_image_surface_create(CAIRO_FORMAT_RGB24, (int)(RC_PAGE_W * PNG_SCALE),
						     (int)(RC_PAGE_H * PNG_SCALE));
	cr = cairo_create(surface);
	if (g_str_equal(format, "png"))
		cairo_scale(cr, PNG_SCALE, PNG_SCALE);
	cairo_set_source_rgb(cr, 1, 1, 1);
	cairo_paint(cr);
	if (area_report)
		rc_area_report_draw(cr, bus, area_report);
	else
		draw_session_page(cr, bus, session);
	rc_ink_muted(cr);
	rc_text(cr, RC_MARGIN, RC_PAGE_H - 20, 7.5, FALSE, RC_ALIGN_LEFT,
		"rollerd technique journal: a record of how the roller was used, not medical advice.");
	cairo_show_page(cr);
	status = cairo_status(cr);
	if (status == CAIRO_STATUS_SUCCESS && g_str_equal(format, "png"))
		status = cairo_surface_write_to_png_stream(surface, write_sink, &sink);
	cairo_destroy(cr);
	cairo_surface_finish(surface);
	if (status == CAIRO_STATUS_SUCCESS)
		status = cairo_surface_status(surface);
	cairo_surface_destroy(surface);
	/* cairo's font caches hold fontconfig patterns until exit: released
	 * here, so that leak checkers see what is rollerctl's own. */
	cairo_debug_reset_static_data();
	if (close(sink.fd) < 0 && !sink.error)
		sink.error = errno;
	if (status != CAIRO_STATUS_SUCCESS || sink.error) {
		g_printerr("rollerctl report: cannot write %s: %s\n", output,
			   sink.error ? g_strerror(sink.error) : cairo_status_to_string(status));
		return RC_EXIT_FAILURE;
	}
	if (globals->json) {
		g_autoptr(JsonBuilder) b = json_builder_new();
		g_autoptr(JsonNode) root = NULL;

		json_builder_begin_object(b);
		json_builder_set_member_name(b, "path");
		json_builder_add_string_value(b, output);
		json_builder_set_member_name(b, "format");
		json_builder_add_string_value(b, format);
		json_builder_set_member_name(b, "pages");
		json_builder_add_int_value(b, 1);
		json_builder_end_object(b);
		root = json_builder_get_root(b);
		rc_print_json(root);
	} else {
		printf("%s\n", output);
	}
	return RC_EXIT_OK;
}
