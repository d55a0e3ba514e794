/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * rollerctl report: one page, drawn with cairo, as PDF, PNG or SVG: a
 * session (coverage heat map, force over time against the band, direction
 * balance, summary, notes) or an area's progress over its sessions.
 */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <string.h>
#include <cairo.h>
#include <cairo-pdf.h>
#include <cairo-svg.h>

#include "rc-report.h"
#include "rc-sessions.h"

/* A4 in points; PNG at 150 dpi. */
#define PAGE_W 595.0
#define PAGE_H 842.0
#define PNG_SCALE (150.0 / 72.0)
#define MARGIN 40.0

typedef struct {
	guint64 id;
	gint64 start;
	guint strokes;
	guint in_band;
	guint mean;
} AreaPoint;

static void
text(cairo_t *cr, double x, double y, double size, gboolean bold, const char *s)
{
	cairo_select_font_face(cr, "DejaVu Sans", CAIRO_FONT_SLANT_NORMAL,
			       bold ? CAIRO_FONT_WEIGHT_BOLD : CAIRO_FONT_WEIGHT_NORMAL);
	cairo_set_font_size(cr, size);
	cairo_move_to(cr, x, y);
	cairo_show_text(cr, s);
}

static void
textf(cairo_t *cr, double x, double y, double size, const char *fmt, ...) G_GNUC_PRINTF(5, 6);

static void
textf(cairo_t *cr, double x, double y, double size, const char *fmt, ...)
{
	g_autofree char *s = NULL;
	va_list ap;

	va_start(ap, fmt);
	s = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	text(cr, x, y, size, FALSE, s);
}

/* White (0 passes) through blue to a deep red. */
static void
heat_color(cairo_t *cr, guint v, guint max)
{
	double t = max ? (double)v / max : 0;

	if (v == 0)
		cairo_set_source_rgb(cr, 0.96, 0.96, 0.96);
	else
		cairo_set_source_rgb(cr, 0.2 + 0.75 * t, 0.45 * (1 - t) + 0.15, 0.85 * (1 - t) + 0.1);
}

static void
draw_heat_map(cairo_t *cr, double x, double y, double w, double h, const guint8 *p,
	      guint cols, guint rows)
{
	double cell = MIN(w / cols, h / rows);
	guint max = 1;

	for (guint i = 0; i < cols * rows; i++)
		max = MAX(max, p[i]);
	text(cr, x, y - 8, 12, TRUE, "Coverage: passes per cell");
	for (guint r = 0; r < rows; r++) {
		for (guint c = 0; c < cols; c++) {
			guint v = p[r * cols + c];
			char label[8];

			heat_color(cr, v, max);
			cairo_rectangle(cr, x + c * cell, y + r * cell, cell - 1, cell - 1);
			cairo_fill(cr);
			cairo_set_source_rgb(cr, (double)v / max > 0.5 ? 1 : 0.1, (double)v / max > 0.5 ? 1 : 0.1,
					     (double)v / max > 0.5 ? 1 : 0.1);
			g_snprintf(label, sizeof(label), "%u", v);
			text(cr, x + c * cell + cell * 0.3, y + r * cell + cell * 0.65, cell * 0.35, FALSE, label);
		}
	}
	/* The legend: the colour scale from 0 to the maximum. */
	for (int i = 0; i <= 10; i++) {
		heat_color(cr, (guint)(max * i / 10), max);
		cairo_rectangle(cr, x + i * 12, y + rows * cell + 8, 12, 8);
		cairo_fill(cr);
	}
	cairo_set_source_rgb(cr, 0.2, 0.2, 0.2);
	textf(cr, x + 140, y + rows * cell + 16, 9, "0 to %u passes", max);
}

static void
draw_force(cairo_t *cr, double x, double y, double w, double h, const guint16 *v, gsize n,
	   guint period_ms, guint low, guint high)
{
	guint max = MAX(high * 3 / 2, 1);

	for (gsize i = 0; i < n; i++)
		max = MAX(max, v[i]);
	text(cr, x, y - 8, 12, TRUE, "Force over time");
	cairo_set_source_rgb(cr, 0.97, 0.97, 0.97);
	cairo_rectangle(cr, x, y, w, h);
	cairo_fill(cr);
	if (high > low) {
		cairo_set_source_rgba(cr, 0.3, 0.75, 0.4, 0.25);
		cairo_rectangle(cr, x, y + h - h * high / max, w, h * (high - low) / max);
		cairo_fill(cr);
		cairo_set_source_rgb(cr, 0.2, 0.5, 0.25);
		textf(cr, x + w - 120, y + h - h * high / max - 3, 8, "target band %u-%u cN", low, high);
	} else {
		cairo_set_source_rgb(cr, 0.4, 0.4, 0.4);
		text(cr, x + 4, y + 12, 8, FALSE, "(the roller's target band is not known here)");
	}
	cairo_set_source_rgb(cr, 0.15, 0.3, 0.7);
	cairo_set_line_width(cr, 1.2);
	for (gsize i = 0; i < n; i++) {
		double px = x + (n > 1 ? w * i / (n - 1) : 0), py = y + h - h * v[i] / max;

		if (i == 0)
			cairo_move_to(cr, px, py);
		else
			cairo_line_to(cr, px, py);
	}
	cairo_stroke(cr);
	cairo_set_source_rgb(cr, 0.3, 0.3, 0.3);
	textf(cr, x, y + h + 12, 8, "0 s");
	textf(cr, x + w - 40, y + h + 12, 8, "%.0f s", n * period_ms / 1000.0);
	textf(cr, x - 2, y - 1 + 10, 8, "%u cN", max);
}

static void
draw_directions(cairo_t *cr, double x, double y, double w, const guint32 *d)
{
	static const char *const names[] = { "vertical", "diagonal", "horizontal", "anti-diagonal" };
	guint max = 1;

	for (int i = 0; i < 4; i++)
		max = MAX(max, d[i]);
	text(cr, x, y - 8, 12, TRUE, "Direction balance (strokes)");
	for (int i = 0; i < 4; i++) {
		cairo_set_source_rgb(cr, 0.25, 0.45, 0.75);
		cairo_rectangle(cr, x + 90, y + i * 18, (w - 140) * d[i] / max, 12);
		cairo_fill(cr);
		cairo_set_source_rgb(cr, 0.1, 0.1, 0.1);
		text(cr, x, y + i * 18 + 10, 10, FALSE, names[i]);
		textf(cr, x + 95 + (w - 140) * d[i] / max, y + i * 18 + 10, 10, "%u", d[i]);
	}
}

/* The band of the roller with @serial, if rollerd knows it. */
static void
roller_band(GDBusConnection *bus, const char *serial, guint *low, guint *high)
{
	int code;
	g_autoptr(GPtrArray) paths = rc_roller_paths(bus, &code);

	*low = *high = 0;
	for (guint i = 0; paths && i < paths->len; i++) {
		g_autoptr(RdDbusRoller1) r = rc_roller(bus, paths->pdata[i], &code);
		GVariant *band = r ? rd_dbus_roller1_get_force_band(r) : NULL;
		guint16 lo = 0, hi = 0;

		if (band && g_strcmp0(rd_dbus_roller1_get_serial(r), serial) == 0) {
			g_variant_get(band, "(qq)", &lo, &hi);
			*low = lo;
			*high = hi;
		}
	}
}

static void
draw_session_page(cairo_t *cr, GDBusConnection *bus, RdDbusSession1 *s)
{
	g_autofree char *when = rc_format_time(rd_dbus_session1_get_start(s));
	g_autofree char *dur = rc_format_duration(rd_dbus_session1_get_duration(s));
	GVariant *passes = rd_dbus_session1_get_passes(s), *dirs = rd_dbus_session1_get_directions(s);
	GVariant *trace = rd_dbus_session1_get_force_trace(s), *notes = rd_dbus_session1_get_notes(s);
	g_autoptr(GVariant) values = NULL;
	const guint16 *v = NULL;
	gsize n = 0, np = 0, nd = 0;
	const guint8 *p = passes ? g_variant_get_fixed_array(passes, &np, 1) : NULL;
	const guint32 *d = dirs ? g_variant_get_fixed_array(dirs, &nd, sizeof(guint32)) : NULL;
	guint16 period = 0;
	guint low, high;
	double y = MARGIN + 20;

	roller_band(bus, rd_dbus_session1_get_roller(s), &low, &high);
	if (trace) {
		g_variant_get(trace, "(q@aq)", &period, &values);
		v = g_variant_get_fixed_array(values, &n, sizeof(guint16));
	}
	cairo_set_source_rgb(cr, 0.1, 0.1, 0.1);
	textf(cr, MARGIN, y, 20, "Session %" G_GUINT64_FORMAT ": %s", rd_dbus_session1_get_id(s),
	      rd_dbus_session1_get_area(s));
	y += 22;
	textf(cr, MARGIN, y, 11, "%s%s, roller %s, needle %.2f mm, %s of rolling", when,
	      rd_dbus_session1_get_clock_set(s) ? "" : " (estimated)",
	      rd_dbus_session1_get_roller(s), rd_dbus_session1_get_needle_length(s) / 1000.0, dur);
	y += 24;
	textf(cr, MARGIN, y, 12, "Strokes %u    mean force %u cN    max %u cN    in band %.1f%%",
	      rd_dbus_session1_get_strokes(s), rd_dbus_session1_get_force_mean(s),
	      rd_dbus_session1_get_force_max(s), rd_dbus_session1_get_in_band(s) / 10.0);
	y += 40;
	if (p && np == (gsize)rd_dbus_session1_get_grid_columns(s) * rd_dbus_session1_get_grid_rows(s))
		draw_heat_map(cr, MARGIN, y, PAGE_W - 2 * MARGIN, 260, p,
			      rd_dbus_session1_get_grid_columns(s), rd_dbus_session1_get_grid_rows(s));
	y += 300;
	if (v && n)
		draw_force(cr, MARGIN, y, PAGE_W - 2 * MARGIN, 140, v, n, period, low, high);
	y += 185;
	if (d && nd == 4)
		draw_directions(cr, MARGIN, y, PAGE_W - 2 * MARGIN, d);
	y += 95;
	if (notes && g_variant_n_children(notes)) {
		const char *str;
		gboolean b;

		cairo_set_source_rgb(cr, 0.1, 0.1, 0.1);
		text(cr, MARGIN, y, 12, TRUE, "Journal");
		if (g_variant_lookup(notes, "redness", "&s", &str))
			textf(cr, MARGIN + 60, y, 10, "redness: %s", str);
		if (g_variant_lookup(notes, "numbing", "b", &b))
			textf(cr, MARGIN + 180, y, 10, "numbing: %s", b ? "yes" : "no");
		if (g_variant_lookup(notes, "topical", "&s", &str))
			textf(cr, MARGIN + 280, y, 10, "topical: %s", str);
		if (g_variant_lookup(notes, "text", "&s", &str))
			textf(cr, MARGIN, y + 14, 10, "%s", str);
	}
}

static void
draw_area_page(cairo_t *cr, const char *area, GArray *points, RdDbusSession1 *latest,
	       GDBusConnection *bus)
{
	double x = MARGIN, y = MARGIN + 20, w = PAGE_W - 2 * MARGIN, h = 160;
	guint max_strokes = 1;

	cairo_set_source_rgb(cr, 0.1, 0.1, 0.1);
	textf(cr, x, y, 20, "Progress: %s", area);
	textf(cr, x, y + 20, 11, "%u session(s), oldest first", points->len);
	y += 60;
	for (guint i = 0; i < points->len; i++)
		max_strokes = MAX(max_strokes, g_array_index(points, AreaPoint, i).strokes);
	text(cr, x, y - 8, 12, TRUE, "Share of contact in the band (bars) and strokes (line)");
	for (guint i = 0; i < points->len; i++) {
		AreaPoint *pt = &g_array_index(points, AreaPoint, i);
		double bw = w / MAX(points->len, 1);

		cairo_set_source_rgb(cr, 0.3, 0.7, 0.4);
		cairo_rectangle(cr, x + i * bw + 2, y + h - h * pt->in_band / 1000.0, bw - 4,
				h * pt->in_band / 1000.0);
		cairo_fill(cr);
	}
	cairo_set_source_rgb(cr, 0.15, 0.3, 0.7);
	for (guint i = 0; i < points->len; i++) {
		AreaPoint *pt = &g_array_index(points, AreaPoint, i);
		double bw = w / MAX(points->len, 1);
		double px = x + i * bw + bw / 2, py = y + h - h * pt->strokes / max_strokes;

		if (i == 0)
			cairo_move_to(cr, px, py);
		else
			cairo_line_to(cr, px, py);
	}
	cairo_stroke(cr);
	if (latest) {
		cairo_save(cr);
		cairo_translate(cr, 0, y + h + 20);
		draw_session_page(cr, bus, latest);
		cairo_restore(cr);
	}
}

int
rc_cmd_report(const struct rc_globals *globals, int argc, char **argv)
{
	g_autofree char *output = NULL, *area = NULL;
	const GOptionEntry entries[] = {
		{ "output", 'o', 0, G_OPTION_ARG_FILENAME, &output,
		  "The file to write: .pdf, .png or .svg (required)", "FILE" },
		{ "area", 'a', 0, G_OPTION_ARG_STRING, &area, "An area's progress instead of one session", "AREA" },
		{ NULL }
	};
	g_autoptr(GDBusConnection) bus = NULL;
	g_autoptr(RdDbusSession1) session = NULL;
	g_autoptr(GArray) points = g_array_new(FALSE, FALSE, sizeof(AreaPoint));
	cairo_surface_t *surface;
	cairo_t *cr;
	const char *format;
	int code = RC_EXIT_OK;
	cairo_status_t status;

	if (!rc_parse_options("report", "ID | --area AREA",
			      "Draw a session, or an area's progress, as a one-page PDF, PNG or\n"
			      "SVG (by the --output file's extension).", entries,
			      &argc, &argv, &code))
		return code;
	if (!output || (argc == 2) == (area != NULL) || argc > 2) {
		g_printerr("rollerctl report: usage: rollerctl report ID|--area AREA --output FILE\n");
		return RC_EXIT_USAGE;
	}
	format = g_str_has_suffix(output, ".pdf") ? "pdf" : g_str_has_suffix(output, ".png") ? "png" :
		 g_str_has_suffix(output, ".svg") ? "svg" : NULL;
	if (!format) {
		g_printerr("rollerctl report: the output must end in .pdf, .png or .svg\n");
		return RC_EXIT_USAGE;
	}
	if (!(bus = rc_connect(globals, &code)))
		return code;
	if (!area) {
		if (!(session = rc_get_session(bus, argv[1], &code)))
			return code;
	} else {
		g_autoptr(RdDbusManager1) manager = rc_manager(bus, &code);
		g_autoptr(GVariant) rows = NULL;
		g_autoptr(GError) error = NULL;
		GVariantBuilder f;

		if (!manager)
			return code;
		g_variant_builder_init(&f, G_VARIANT_TYPE_VARDICT);
		g_variant_builder_add(&f, "{sv}", "area", g_variant_new_string(area));
		g_variant_builder_add(&f, "{sv}", "limit", g_variant_new_uint32(20));
		if (!rd_dbus_manager1_call_query_sessions_sync(manager, g_variant_builder_end(&f),
							       G_DBUS_CALL_FLAGS_NONE, -1, &rows,
							       NULL, &error))
			return rc_print_error("report", error);
		for (gsize i = g_variant_n_children(rows); i > 0; i--) {
			g_autoptr(GVariant) row = g_variant_get_child_value(rows, i - 1);
			AreaPoint pt = { 0 };
			guint16 q = 0;

			g_variant_lookup(row, "id", "t", &pt.id);
			g_variant_lookup(row, "start", "x", &pt.start);
			g_variant_lookup(row, "strokes", "u", &pt.strokes);
			if (g_variant_lookup(row, "in_band_permille", "q", &q))
				pt.in_band = q;
			g_array_append_val(points, pt);
		}
		if (points->len) {
			g_autofree char *id = g_strdup_printf("%" G_GUINT64_FORMAT,
							      g_array_index(points, AreaPoint,
									    points->len - 1).id);

			session = rc_get_session(bus, id, &code);
		}
	}

	if (g_str_equal(format, "pdf"))
		surface = cairo_pdf_surface_create(output, PAGE_W, PAGE_H);
	else if (g_str_equal(format, "svg"))
		surface = cairo_svg_surface_create(output, PAGE_W, PAGE_H);
	else
		surface = cairo_image_surface_create(CAIRO_FORMAT_RGB24, (int)(PAGE_W * PNG_SCALE),
						     (int)(PAGE_H * PNG_SCALE));
	cr = cairo_create(surface);
	if (g_str_equal(format, "png"))
		cairo_scale(cr, PNG_SCALE, PNG_SCALE);
	cairo_set_source_rgb(cr, 1, 1, 1);
	cairo_paint(cr);
	if (area)
		draw_area_page(cr, area, points, session, bus);
	else
		draw_session_page(cr, bus, session);
	cairo_set_source_rgb(cr, 0.45, 0.45, 0.45);
	text(cr, MARGIN, PAGE_H - 20, 8, FALSE,
	     "rollerd technique journal - a record of how the roller was used, not medical advice.");
	cairo_show_page(cr);
	if (g_str_equal(format, "png"))
		cairo_surface_write_to_png(surface, output);
	status = cairo_status(cr);
	cairo_destroy(cr);
	cairo_surface_finish(surface);
	if (status == CAIRO_STATUS_SUCCESS)
		status = cairo_surface_status(surface);
	cairo_surface_destroy(surface);
	if (status != CAIRO_STATUS_SUCCESS) {
		g_printerr("rollerctl report: cannot write %s: %s\n", output,
			   cairo_status_to_string(status));
		return RC_EXIT_FAILURE;
	}
	if (globals->json)
		printf("{\"path\": \"%s\", \"format\": \"%s\", \"pages\": 1}\n", output, format);
	else
		printf("%s\n", output);
	return RC_EXIT_OK;
}
