/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The report's drawing pieces: text, headline tiles, axes, heat map, force, directions. */
#include "config.h"

#include <math.h>
#include <string.h>

#include "rc-report-private.h"
#include "rc-trace.h"

#define FONT "DejaVu Sans"

void
rc_ink(cairo_t *cr)
{
	cairo_set_source_rgb(cr, 0.1, 0.1, 0.12);
}

void
rc_ink_muted(cairo_t *cr)
{
	cairo_set_source_rgb(cr, 0.42, 0.42, 0.45);
}

static void
set_font(cairo_t *cr, double size, gboolean bold)
{
	cairo_select_font_face(cr, FONT, CAIRO_FONT_SLANT_NORMAL,
			       bold ? CAIRO_FONT_WEIGHT_BOLD : CAIRO_FONT_WEIGHT_NORMAL);
	cairo_set_font_size(cr, size);
}

static double
text_width(cairo_t *cr, const char *s)
{
	cairo_text_extents_t e;

	cairo_text_extents(cr, s, &e);
	return e.x_advance;
}

void
rc_text(cairo_t *cr, double x, double y, double size, gboolean bold, RcAlign align,
	const char *s)
{
	set_font(cr, size, bold);
	if (align != RC_ALIGN_LEFT)
		x -= text_width(cr, s) / (align == RC_ALIGN_CENTER ? 2 : 1);
	cairo_move_to(cr, x, y);
	cairo_show_text(cr, s);
}

void
rc_textf(cairo_t *cr, double x, double y, double size, gboolean bold, RcAlign align,
	 const char *fmt, ...)
{
	g_autofree char *s = NULL;
	va_list ap;

	va_start(ap, fmt);
	s = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	rc_text(cr, x, y, size, bold, align, s);
}

void
rc_text_up(cairo_t *cr, double x, double y, double size, const char *s)
{
	cairo_save(cr);
	cairo_translate(cr, x, y);
	cairo_rotate(cr, -G_PI / 2);
	rc_text(cr, 0, 0, size, FALSE, RC_ALIGN_CENTER, s);
	cairo_restore(cr);
}

/* The longest start of @s (whole words if it can) that fits @w; its length. */
static gsize
fitting_prefix(cairo_t *cr, const char *s, double w)
{
	gsize best = 0;

	for (const char *p = s; *p; p = g_utf8_next_char(p)) {
		const char *next = g_utf8_next_char(p);
		g_autofree char *head = g_strndup(s, (gsize)(next - s));

		if (text_width(cr, head) > w)
			break;
		if (*next == '\0' || g_ascii_isspace(*next))
			best = (gsize)(next - s);
	}
	if (best == 0 && *s) {
		/* A word wider than the line: cut it where it must be. */
		for (const char *p = s; *p; p = g_utf8_next_char(p)) {
			g_autofree char *head = g_strndup(s, (gsize)(g_utf8_next_char(p) - s));

			if (text_width(cr, head) > w)
				break;
			best = (gsize)(g_utf8_next_char(p) - s);
		}
	}
	return MAX(best, (gsize)(g_utf8_next_char(s) - s));
}

double
rc_text_wrapped(cairo_t *cr, double x, double y, double w, double size, guint max_lines,
		const char *s)
{
	g_autofree char *flat = g_strdup(s);

	g_strdelimit(flat, "\n\r\t", ' ');
	set_font(cr, size, FALSE);
	for (const char *p = g_strstrip(flat); *p && max_lines; max_lines--) {
		gsize len = fitting_prefix(cr, p, w);
		/* The last line allowed, with more to come: room for an ellipsis. */
		gboolean cut = max_lines == 1 && p[len];
		g_autofree char *line = NULL;

		if (cut)
			len = fitting_prefix(cr, p, w - text_width(cr, "…"));
		line = g_strchomp(g_strndup(p, len));
		rc_textf(cr, x, y, size, FALSE, RC_ALIGN_LEFT, "%s%s", line, cut ? "…" : "");
		for (p += len; g_ascii_isspace(*p); p++)
			;
		y += size * 1.35;
	}
	return y;
}

void
rc_heading(cairo_t *cr, double x, double y, const char *s)
{
	rc_ink(cr);
	rc_text(cr, x, y, 11, TRUE, RC_ALIGN_LEFT, s);
}

static void
rounded_rect(cairo_t *cr, RcBox b, double r)
{
	cairo_new_sub_path(cr);
	cairo_arc(cr, b.x + b.w - r, b.y + r, r, -G_PI / 2, 0);
	cairo_arc(cr, b.x + b.w - r, b.y + b.h - r, r, 0, G_PI / 2);
	cairo_arc(cr, b.x + r, b.y + b.h - r, r, G_PI / 2, G_PI);
	cairo_arc(cr, b.x + r, b.y + r, r, G_PI, 3 * G_PI / 2);
	cairo_close_path(cr);
}

void
rc_tile(cairo_t *cr, RcBox box, const char *value, const char *label, const char *note)
{
	cairo_set_source_rgb(cr, 0.94, 0.95, 0.97);
	rounded_rect(cr, box, 6);
	cairo_fill(cr);
	rc_ink(cr);
	rc_text(cr, box.x + 10, box.y + 24, 17, TRUE, RC_ALIGN_LEFT, value);
	rc_ink_muted(cr);
	rc_text(cr, box.x + 10, box.y + 37, 8, FALSE, RC_ALIGN_LEFT, label);
	if (note)
		rc_text(cr, box.x + 10, box.y + 48, 7.5, FALSE, RC_ALIGN_LEFT, note);
}

double
rc_nice_step(double max, int ticks)
{
	double raw = MAX(max, 1e-9) / MAX(ticks, 1);
	double power = pow(10, floor(log10(raw)));
	double f = raw / power;

	return power * (f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10);
}

void
rc_y_grid(cairo_t *cr, RcBox plot, double max, double step, const char *unit)
{
	cairo_set_line_width(cr, 0.5);
	for (double v = 0; v <= max + step / 1000; v += step) {
		double y = plot.y + plot.h - plot.h * v / max;

		cairo_set_source_rgb(cr, 0.85, 0.85, 0.87);
		cairo_move_to(cr, plot.x, y);
		cairo_line_to(cr, plot.x + plot.w, y);
		cairo_stroke(cr);
		rc_ink_muted(cr);
		rc_textf(cr, plot.x - 4, y + 2.5, 7, FALSE, RC_ALIGN_RIGHT, "%g%s", v, unit);
	}
}

/* Light grey for an untouched cell, then light yellow through orange to a deep red. */
static void
heat_color(cairo_t *cr, guint v, guint max)
{
	static const double stops[][3] = {
		{ 1.00, 0.93, 0.63 }, { 0.99, 0.70, 0.30 }, { 0.94, 0.36, 0.17 },
		{ 0.72, 0.09, 0.15 }, { 0.45, 0.02, 0.15 },
	};
	double t, f;
	int i;

	if (v == 0) {
		cairo_set_source_rgb(cr, 0.91, 0.91, 0.92);
		return;
	}
	t = max > 1 ? (double)(v - 1) / (max - 1) : 1;
	f = t * (G_N_ELEMENTS(stops) - 1);
	i = MIN((int)f, (int)G_N_ELEMENTS(stops) - 2);
	f -= i;
	cairo_set_source_rgb(cr, stops[i][0] + f * (stops[i + 1][0] - stops[i][0]),
			     stops[i][1] + f * (stops[i + 1][1] - stops[i][1]),
			     stops[i][2] + f * (stops[i + 1][2] - stops[i][2]));
}

double
rc_heat_map(cairo_t *cr, RcBox box, const guint8 *p, guint cols, guint rows)
{
	double cell = MIN(box.w / cols, (box.h - 22) / rows);
	double legend_y = box.y + rows * cell + 8;
	guint max = 1;

	for (guint i = 0; i < cols * rows; i++)
		max = MAX(max, p[i]);
	for (guint r = 0; r < rows; r++) {
		for (guint c = 0; c < cols; c++) {
			guint v = p[r * cols + c];
			double x = box.x + c * cell, y = box.y + r * cell;

			heat_color(cr, v, max);
			cairo_rectangle(cr, x, y, cell - 1, cell - 1);
			cairo_fill(cr);
			if (cell < 12)
				continue;
			if (v && max > 1 && (double)(v - 1) / (max - 1) > 0.55)
				cairo_set_source_rgb(cr, 1, 1, 1);
			else
				cairo_set_source_rgb(cr, 0.25, 0.25, 0.28);
			rc_textf(cr, x + (cell - 1) / 2, y + (cell - 1) / 2 + cell * 0.13,
				 cell * 0.36, FALSE, RC_ALIGN_CENTER, "%u", v);
		}
	}
	/* The legend: untouched, then the colours from 1 pass to the most. */
	heat_color(cr, 0, max);
	cairo_rectangle(cr, box.x, legend_y, 10, 8);
	cairo_fill(cr);
	rc_ink_muted(cr);
	rc_text(cr, box.x + 13, legend_y + 7, 7, FALSE, RC_ALIGN_LEFT, "none");
	for (int i = 0; i < 40; i++) {
		heat_color(cr, 1 + (guint)((max - 1) * i / 39.0 + 0.5), max);
		cairo_rectangle(cr, box.x + 50 + i * 2, legend_y, 2.2, 8);
		cairo_fill(cr);
	}
	rc_ink_muted(cr);
	rc_text(cr, box.x + 47, legend_y + 7, 7, FALSE, RC_ALIGN_RIGHT, "1");
	rc_textf(cr, box.x + 133, legend_y + 7, 7, FALSE, RC_ALIGN_LEFT,
		 "%u pass%s", max, max == 1 ? "" : "es");
	/* The legend under the grid is about 170 pt wide. */
	return MAX(cols * cell, 170);
}

static char *
format_seconds(guint s)
{
	return g_strdup_printf("%u:%02u", s / 60, s % 60);
}

void
rc_force_chart_path(cairo_t *cr, RcBox plot, const guint16 *v, gsize n, double max,
		    gboolean closed)
{
	double period_w = plot.w / MAX(n, 1), base = plot.y + plot.h;
	gsize pos = 0, start, end;

	cairo_new_path(cr);
	while (rc_trace_next_run(v, n, &pos, &start, &end)) {
		/* Each value at the middle of its period; one alone spans its period. */
		double first = plot.x + period_w * (start + 0.5), last = plot.x + period_w * (end - 0.5);

		if (end - start == 1) {
			first -= period_w / 2;
			last += period_w / 2;
			cairo_move_to(cr, first, base - plot.h * v[start] / max);
			cairo_line_to(cr, last, base - plot.h * v[start] / max);
		} else {
			for (gsize i = start; i < end; i++) {
				double x = plot.x + period_w * (i + 0.5), y = base - plot.h * v[i] / max;

				if (i == start)
					cairo_move_to(cr, x, y);
				else
					cairo_line_to(cr, x, y);
			}
		}
		if (closed) {
			cairo_line_to(cr, last, base);
			cairo_line_to(cr, first, base);
			cairo_close_path(cr);
		}
	}
}

void
rc_force_chart(cairo_t *cr, RcBox box, const guint16 *v, gsize n, guint period_ms,
	       guint low, guint high, guint contact_mean)
{
	static const guint x_steps[] = { 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600 };
	RcBox plot = { box.x + 40, box.y + 4, box.w - 44, box.h - 30 };
	double seconds = (double)n * period_ms / 1000.0, step;
	double max = MAX(MAX(high, contact_mean) * 1.15, 1);
	guint x_step = x_steps[G_N_ELEMENTS(x_steps) - 1];

	max = MAX(max, rc_trace_max(v, n));
	step = rc_nice_step(max, 4);
	max = ceil(max / step) * step;
	cairo_set_source_rgb(cr, 0.985, 0.985, 0.99);
	cairo_rectangle(cr, plot.x, plot.y, plot.w, plot.h);
	cairo_fill(cr);
	rc_y_grid(cr, plot, max, step, "");
	rc_ink_muted(cr);
	rc_text_up(cr, box.x + 7, plot.y + plot.h / 2, 7, "force, cN");
	if (high > low) {
		double top = plot.y + plot.h - plot.h * high / max;

		cairo_set_source_rgba(cr, 0.30, 0.69, 0.45, 0.22);
		cairo_rectangle(cr, plot.x, top, plot.w, plot.h * (high - low) / max);
		cairo_fill(cr);
		cairo_set_source_rgb(cr, 0.15, 0.45, 0.25);
		rc_textf(cr, plot.x + plot.w - 4, top + 9, 7, FALSE, RC_ALIGN_RIGHT,
			 "target band %u–%u cN", low, high);
	} else {
		rc_ink_muted(cr);
		rc_text(cr, plot.x + plot.w - 4, plot.y + 9, 7, FALSE, RC_ALIGN_RIGHT,
			"(the roller's target band is not known here)");
	}
	/* The trace, filled lightly under it, broken where the roller was lifted. */
	if (rc_trace_max(v, n)) {
		rc_force_chart_path(cr, plot, v, n, max, TRUE);
		cairo_set_source_rgba(cr, 0.16, 0.38, 0.67, 0.10);
		cairo_fill(cr);
		rc_force_chart_path(cr, plot, v, n, max, FALSE);
		cairo_set_source_rgb(cr, 0.16, 0.38, 0.67);
		cairo_set_line_width(cr, 1.1);
		cairo_set_line_join(cr, CAIRO_LINE_JOIN_ROUND);
		cairo_set_line_cap(cr, CAIRO_LINE_CAP_ROUND);
		cairo_stroke(cr);
		cairo_set_line_cap(cr, CAIRO_LINE_CAP_BUTT);
	}
	if (contact_mean) {
		static const double dash[] = { 4, 3 };
		double y = plot.y + plot.h - plot.h * contact_mean / max;

		cairo_set_source_rgb(cr, 0.55, 0.25, 0.10);
		cairo_set_line_width(cr, 1);
		cairo_set_dash(cr, dash, G_N_ELEMENTS(dash), 0);
		cairo_move_to(cr, plot.x, y);
		cairo_line_to(cr, plot.x + plot.w, y);
		cairo_stroke(cr);
		cairo_set_dash(cr, NULL, 0, 0);
		rc_textf(cr, plot.x + 4, y - 3, 7, FALSE, RC_ALIGN_LEFT,
			 "contact mean %u cN (the roller on the skin)", contact_mean);
	}
	/* Time along the bottom, at most about six ticks. */
	for (gsize i = 0; i < G_N_ELEMENTS(x_steps); i++) {
		if (seconds / x_steps[i] <= 6) {
			x_step = x_steps[i];
			break;
		}
	}
	rc_ink_muted(cr);
	for (guint t = 0; seconds > 0 && t <= seconds; t += x_step) {
		g_autofree char *label = format_seconds(t);
		double px = plot.x + plot.w * t / seconds;

		rc_text(cr, px, plot.y + plot.h + 10, 7, FALSE,
			t == 0 ? RC_ALIGN_LEFT : px > plot.x + plot.w - 10 ? RC_ALIGN_RIGHT :
			RC_ALIGN_CENTER, label);
	}
	rc_text(cr, plot.x + plot.w / 2, plot.y + plot.h + 22, 7, FALSE, RC_ALIGN_CENTER,
		"time into the session, min:s");
}

void
rc_direction_rose(cairo_t *cr, RcBox box, const guint32 *d)
{
	static const char *const names[] = { "vertical", "diagonal", "horizontal", "anti-diagonal" };
	/* Each class's upper end, clockwise from straight up (heading 0 is row 0, the top). */
	static const double angle[] = { 0, G_PI / 4, G_PI / 2, -G_PI / 4 };
	static const RcAlign align[] = { RC_ALIGN_CENTER, RC_ALIGN_LEFT, RC_ALIGN_LEFT,
					 RC_ALIGN_RIGHT };
	double r_max = MIN(box.w / 2 - 50, (box.h - 30) / 2 - 18);
	/* Centred in @box: labels 18 above, the sentence 26 below. */
	double cx = box.x + box.w / 2, cy = box.y + (box.h - 2 * r_max - 44) / 2 + 18 + r_max;
	guint32 max = 0, total = 0;
	int most = 0;

	for (int i = 0; i < 4; i++) {
		total += d[i];
		if (d[i] > max) {
			max = d[i];
			most = i;
		}
	}
	cairo_set_line_width(cr, 0.5);
	cairo_set_source_rgb(cr, 0.85, 0.85, 0.87);
	cairo_new_path(cr);	/* not from where the last text ended */
	cairo_arc(cr, cx, cy, r_max, 0, 2 * G_PI);
	cairo_stroke(cr);
	cairo_arc(cr, cx, cy, r_max / 2, 0, 2 * G_PI);
	cairo_stroke(cr);
	for (int i = 0; i < 4; i++) {
		double ux = sin(angle[i]), uy = -cos(angle[i]);

		cairo_move_to(cr, cx - ux * r_max, cy - uy * r_max);
		cairo_line_to(cr, cx + ux * r_max, cy + uy * r_max);
	}
	cairo_stroke(cr);
	cairo_set_line_cap(cr, CAIRO_LINE_CAP_ROUND);
	for (int i = 0; i < 4; i++) {
		double ux = sin(angle[i]), uy = -cos(angle[i]);
		double r = max ? r_max * d[i] / max : 0;
		double lx = cx + ux * (r_max + 8), ly = cy + uy * (r_max + 8);

		if (r > 0) {
			cairo_set_source_rgb(cr, 0.16, 0.38, 0.67);
			cairo_set_line_width(cr, 8);
			cairo_move_to(cr, cx - ux * r, cy - uy * r);
			cairo_line_to(cr, cx + ux * r, cy + uy * r);
			cairo_stroke(cr);
		}
		/* Name and count by the upper end; the top one sits above the circle. */
		if (i == 0)
			ly -= 10;
		else if (i == 2)
			ly -= 2;
		rc_ink(cr);
		rc_textf(cr, lx, ly, 9, TRUE, align[i], "%u", d[i]);
		rc_ink_muted(cr);
		rc_text(cr, lx, ly + 9, 7, FALSE, align[i], names[i]);
	}
	cairo_set_line_cap(cr, CAIRO_LINE_CAP_BUTT);
	rc_ink_muted(cr);
	if (total)
		rc_textf(cr, cx, cy + r_max + 22, 8, FALSE, RC_ALIGN_CENTER,
			 "%s: %.0f%% of %u strokes", names[most], 100.0 * max / total, total);
	else
		rc_text(cr, cx, cy + r_max + 22, 8, FALSE, RC_ALIGN_CENTER, "no strokes");
}

guint
rc_coverage_permille(const guint8 *passes, gsize n)
{
	gsize touched = 0;

	for (gsize i = 0; i < n; i++)
		touched += passes[i] > 0;
	return n ? (guint)((touched * 1000 + n / 2) / n) : 0;
}
