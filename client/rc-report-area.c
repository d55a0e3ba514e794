/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * rollerctl report --area: an area's page.  Its progress over the last
 * sessions (strokes; in-band share and coverage, by date), then the
 * latest session's coverage, direction balance and force.
 */
#include "config.h"

#include <math.h>

#include "rc-report-private.h"
#include "rc-clinic-export.h"
#include "rc-trace.h"
#include "rc-sessions.h"

/* Sessions on the page: enough to see a trend, few enough to label each. */
#define AREA_SESSIONS 20

typedef struct {
	guint64 id;
	gint64 start;
	gboolean clock_set;
	guint strokes;
	guint in_band;		/* per mille of contact */
	guint coverage;		/* per mille of the grid's cells */
} AreaPoint;

struct _RcAreaReport {
	char *area;
	char *person;		/* --person's name as rollerd spells it, or NULL */
	GArray *points;		/* AreaPoint, oldest first */
	RdDbusSession1 *latest;
	gboolean more;		/* older sessions were left out */
};

void
rc_area_report_free(RcAreaReport *rep)
{
	if (!rep)
		return;
	g_free(rep->area);
	g_free(rep->person);
	g_array_unref(rep->points);
	g_clear_object(&rep->latest);
	g_free(rep);
}

/* The sessions' summaries and objects, newest first, from this room's journal. */
static GPtrArray *
load_local(GDBusConnection *bus, RdDbusManager1 *manager, GVariant *filter, char **person,
	   int *exit_code)
{
	g_autoptr(GPtrArray) sessions = g_ptr_array_new_with_free_func(g_object_unref);
	g_autoptr(GVariant) rows = NULL;
	g_autoptr(GError) error = NULL;

	if (!rd_dbus_manager1_call_query_sessions_sync(manager, filter, G_DBUS_CALL_FLAGS_NONE,
						       -1, &rows, NULL, &error)) {
		*exit_code = rc_print_error("report", error);
		return NULL;
	}
	for (gsize i = 0; i < g_variant_n_children(rows); i++) {
		g_autoptr(GVariant) row = g_variant_get_child_value(rows, i);
		g_autofree char *id_text = NULL;
		RdDbusSession1 *s;
		guint64 id = 0;

		if (i == 0)
			g_variant_lookup(row, "person_name", "s", person);
		/* The summaries have no grid: coverage needs the session itself. */
		g_variant_lookup(row, "id", "t", &id);
		id_text = g_strdup_printf("%" G_GUINT64_FORMAT, id);
		if (!(s = rc_get_session(bus, id_text, exit_code)))
			return NULL;
		g_ptr_array_add(sessions, s);
	}
	return g_steal_pointer(&sessions);
}

RcAreaReport *
rc_area_report_load(GDBusConnection *bus, const char *area, const char *person_path,
		    gboolean clinic, int *exit_code)
{
	g_autoptr(RcAreaReport) rep = g_new0(RcAreaReport, 1);
	g_autoptr(RdDbusManager1) manager = rc_manager(bus, exit_code);
	g_autoptr(GPtrArray) sessions = NULL;
	g_autoptr(GVariant) filter = NULL;
	g_autoptr(GError) error = NULL;
	g_autofree char *person = NULL;
	GVariantBuilder f;

	if (!manager)
		return NULL;
	rep->area = g_strdup(area);
	rep->points = g_array_new(FALSE, FALSE, sizeof(AreaPoint));
	g_variant_builder_init(&f, G_VARIANT_TYPE_VARDICT);
	g_variant_builder_add(&f, "{sv}", "area", g_variant_new_string(area));
	if (person_path)
		g_variant_builder_add(&f, "{sv}", "person", g_variant_new_object_path(person_path));
	/* One more than shown, to tell whether older ones were left out. */
	g_variant_builder_add(&f, "{sv}", "limit", g_variant_new_uint32(AREA_SESSIONS + 1));
	filter = g_variant_ref_sink(g_variant_builder_end(&f));
	if (clinic) {
		if (!(sessions = rc_clinic_sessions(manager, "report", filter, &error))) {
			*exit_code = rc_print_error("report", error);
			return NULL;
		}
	} else if (!(sessions = load_local(bus, manager, filter, &person, exit_code))) {
		return NULL;
	}
	if (sessions->len == 0) {
		g_printerr("rollerctl report: no session of the area %s in the history\n", area);
		*exit_code = RC_EXIT_FAILURE;
		return NULL;
	}
	rep->more = sessions->len > AREA_SESSIONS;
	if (person_path)
		rep->person = clinic ? g_strdup(rc_clinic_session_person(sessions->pdata[0]))
				     : g_steal_pointer(&person);
	for (guint i = MIN(sessions->len, AREA_SESSIONS); i > 0; i--) {
		RdDbusSession1 *s = sessions->pdata[i - 1];
		GVariant *passes = rd_dbus_session1_get_passes(s);
		AreaPoint pt = { 0 };
		gsize np = 0;

		pt.id = rd_dbus_session1_get_id(s);
		pt.start = rd_dbus_session1_get_start(s);
		pt.clock_set = rd_dbus_session1_get_clock_set(s);
		pt.strokes = rd_dbus_session1_get_strokes(s);
		pt.in_band = rd_dbus_session1_get_in_band(s);
		if (passes) {
			const guint8 *p = g_variant_get_fixed_array(passes, &np, 1);

			pt.coverage = rc_coverage_permille(p, np);
		}
		g_array_append_val(rep->points, pt);
		g_set_object(&rep->latest, s);
	}
	return g_steal_pointer(&rep);
}

/* "1 Dec", with "~" before it when the roller's clock was not set. */
static char *
point_date(const AreaPoint *pt, const char *format)
{
	g_autoptr(GDateTime) dt = g_date_time_new_from_unix_local(pt->start);
	g_autofree char *text = dt ? g_date_time_format(dt, format) : g_strdup("?");

	return g_strconcat(pt->clock_set ? "" : "~", text, NULL);
}

#define POINT(rep, i) (&g_array_index((rep)->points, AreaPoint, (i)))

static void
draw_tiles(cairo_t *cr, RcAreaReport *rep, double y)
{
	const AreaPoint *last = POINT(rep, rep->points->len - 1);
	const AreaPoint *prev = rep->points->len > 1 ? POINT(rep, rep->points->len - 2) : NULL;
	double w = (RC_PAGE_W - 2 * RC_MARGIN - 3 * 10) / 4;
	g_autofree char *count = g_strdup_printf("%u", rep->points->len);
	g_autofree char *strokes = g_strdup_printf("%u", last->strokes);
	g_autofree char *in_band = g_strdup_printf("%.1f%%", last->in_band / 10.0);
	g_autofree char *coverage = g_strdup_printf("%.0f%%", last->coverage / 10.0);
	g_autofree char *d_strokes = NULL, *d_in_band = NULL, *d_coverage = NULL;

	/* Changes since the session before, which is what a person compares. */
	if (prev) {
		d_strokes = g_strdup_printf("%+d vs previous", (int)last->strokes - (int)prev->strokes);
		d_in_band = g_strdup_printf("%+.1f pts", ((int)last->in_band - (int)prev->in_band) / 10.0);
		d_coverage = g_strdup_printf("%+.0f pts",
					     ((int)last->coverage - (int)prev->coverage) / 10.0);
	}
	rc_tile(cr, (RcBox){ RC_MARGIN, y, w, 54 }, count,
		rep->more ? "latest sessions shown" : "sessions", NULL);
	rc_tile(cr, (RcBox){ RC_MARGIN + (w + 10), y, w, 54 }, strokes, "strokes, latest", d_strokes);
	rc_tile(cr, (RcBox){ RC_MARGIN + 2 * (w + 10), y, w, 54 }, in_band,
		"of contact in band, latest", d_in_band);
	rc_tile(cr, (RcBox){ RC_MARGIN + 3 * (w + 10), y, w, 54 }, coverage,
		"of cells rolled, latest", d_coverage);
}

static double
slot_x(RcBox plot, guint n, guint i)
{
	return plot.x + plot.w * (i + 0.5) / n;
}

static void
draw_strokes_chart(cairo_t *cr, RcAreaReport *rep, RcBox box)
{
	RcBox plot = { box.x + 40, box.y + 6, box.w - 44, box.h - 6 };
	guint n = rep->points->len, max = 1;
	double slot = plot.w / n, bar = MIN(slot * 0.6, 22), step, top;

	for (guint i = 0; i < n; i++)
		max = MAX(max, POINT(rep, i)->strokes);
	step = rc_nice_step(max, 3);
	top = ceil(max / step) * step;
	rc_y_grid(cr, plot, top, step, "");
	rc_ink_muted(cr);
	rc_text_up(cr, box.x + 7, plot.y + plot.h / 2, 7, "strokes");
	for (guint i = 0; i < n; i++) {
		const AreaPoint *pt = POINT(rep, i);
		double h = plot.h * pt->strokes / top, x = slot_x(plot, n, i);

		if (i == n - 1)
			cairo_set_source_rgb(cr, 0.16, 0.38, 0.67);
		else
			cairo_set_source_rgb(cr, 0.55, 0.68, 0.85);
		cairo_rectangle(cr, x - bar / 2, plot.y + plot.h - h, bar, h);
		cairo_fill(cr);
		if (slot >= 18) {
			rc_ink_muted(cr);
			rc_textf(cr, x, plot.y + plot.h - h - 2, 6.5, FALSE, RC_ALIGN_CENTER, "%u",
				 pt->strokes);
		}
	}
}

static void
series(cairo_t *cr, RcAreaReport *rep, RcBox plot, gboolean coverage, double r, double g,
       double b)
{
	guint n = rep->points->len;

	cairo_set_source_rgb(cr, r, g, b);
	cairo_set_line_width(cr, 1.6);
	cairo_set_line_join(cr, CAIRO_LINE_JOIN_ROUND);
	for (guint i = 0; i < n; i++) {
		const AreaPoint *pt = POINT(rep, i);
		double y = plot.y + plot.h - plot.h * (coverage ? pt->coverage : pt->in_band) / 1000.0;

		if (i == 0)
			cairo_move_to(cr, slot_x(plot, n, i), y);
		else
			cairo_line_to(cr, slot_x(plot, n, i), y);
	}
	cairo_stroke(cr);
	for (guint i = 0; i < n; i++) {
		const AreaPoint *pt = POINT(rep, i);
		double y = plot.y + plot.h - plot.h * (coverage ? pt->coverage : pt->in_band) / 1000.0;

		cairo_arc(cr, slot_x(plot, n, i), y, 2.4, 0, 2 * G_PI);
		cairo_fill(cr);
	}
}

static void
legend(cairo_t *cr, double x, double y, double r, double g, double b, const char *label)
{
	cairo_set_source_rgb(cr, r, g, b);
	cairo_rectangle(cr, x, y - 6, 12, 3);
	cairo_fill(cr);
	rc_ink_muted(cr);
	rc_text(cr, x + 16, y, 7.5, FALSE, RC_ALIGN_LEFT, label);
}

static void
draw_share_chart(cairo_t *cr, RcAreaReport *rep, RcBox box)
{
	RcBox plot = { box.x + 40, box.y + 6, box.w - 44, box.h - 20 };
	guint n = rep->points->len, every;
	double slot = plot.w / n;

	rc_y_grid(cr, plot, 100, 25, "%");
	rc_ink_muted(cr);
	rc_text_up(cr, box.x + 7, plot.y + plot.h / 2, 7, "share, %");
	series(cr, rep, plot, TRUE, 0.90, 0.50, 0.12);
	series(cr, rep, plot, FALSE, 0.18, 0.58, 0.34);
	/* Dates under the sessions; the latest always, others as room allows. */
	every = (guint)ceil(36.0 / slot);
	rc_ink_muted(cr);
	for (guint i = 0; i < n; i++) {
		g_autofree char *date = NULL;

		if ((n - 1 - i) % MAX(every, 1))
			continue;
		date = point_date(POINT(rep, i), "%-d %b");
		rc_text(cr, slot_x(plot, n, i), plot.y + plot.h + 11, 7, FALSE, RC_ALIGN_CENTER, date);
	}
}

static void
draw_latest(cairo_t *cr, GDBusConnection *bus, RdDbusSession1 *s, double y)
{
	g_autofree char *when = rc_format_time(rd_dbus_session1_get_start(s));
	g_autofree char *dur = rc_format_duration(rd_dbus_session1_get_duration(s));
	GVariant *passes = rd_dbus_session1_get_passes(s), *dirs = rd_dbus_session1_get_directions(s);
	GVariant *trace = rd_dbus_session1_get_force_trace(s);
	guint cols = rd_dbus_session1_get_grid_columns(s), rows = rd_dbus_session1_get_grid_rows(s);
	gsize np = 0, nd = 0, nv = 0;
	const guint8 *p = passes ? g_variant_get_fixed_array(passes, &np, 1) : NULL;
	const guint32 *d = dirs ? g_variant_get_fixed_array(dirs, &nd, sizeof(guint32)) : NULL;
	const guint16 *v = NULL;
	g_autoptr(GVariant) values = NULL;
	guint16 period = 0;
	guint low, high;
	double map_w = 170, rose_x;

	rc_roller_band(bus, rd_dbus_session1_get_roller(s), &low, &high);
	if (trace) {
		g_variant_get(trace, "(q@aq)", &period, &values);
		v = g_variant_get_fixed_array(values, &nv, sizeof(guint16));
	}
	rc_heading(cr, RC_MARGIN, y, "Latest session");
	rc_ink_muted(cr);
	rc_textf(cr, RC_MARGIN, y + 14, 9, FALSE, RC_ALIGN_LEFT,
		 "%s%s, %s of rolling, needle %.2f mm, roller %s (session %" G_GUINT64_FORMAT ")",
		 when, rd_dbus_session1_get_clock_set(s) ? "" : " (estimated)", dur,
		 rd_dbus_session1_get_needle_length(s) / 1000.0, rd_dbus_session1_get_roller(s),
		 rd_dbus_session1_get_id(s));
	y += 36;
	if (p && cols && rows && np == (gsize)cols * rows)
		map_w = rc_heat_map(cr, (RcBox){ RC_MARGIN, y + 8, 300, 172 }, p, cols, rows);
	rose_x = RC_MARGIN + map_w + 30;
	rc_ink(cr);
	rc_text(cr, RC_MARGIN, y, 9, TRUE, RC_ALIGN_LEFT, "Coverage: passes per cell");
	rc_text(cr, rose_x, y, 9, TRUE, RC_ALIGN_LEFT, "Direction balance");
	if (d && nd == 4)
		rc_direction_rose(cr, (RcBox){ rose_x, y + 8, RC_PAGE_W - RC_MARGIN - rose_x, 172 }, d);
	y += 200;
	rc_ink(cr);
	rc_textf(cr, RC_MARGIN, y, 9, TRUE, RC_ALIGN_LEFT,
		 "Force over time: contact force, mean per %.3g s, max %u cN; gaps: roller lifted",
		 period / 1000.0, rc_trace_max(v, nv));
	if (v && nv)
		rc_force_chart(cr, (RcBox){ RC_MARGIN, y + 6, RC_PAGE_W - 2 * RC_MARGIN, 122 }, v,
			       nv, period, low, high, rd_dbus_session1_get_force_mean(s));
}

void
rc_area_report_draw(cairo_t *cr, GDBusConnection *bus, RcAreaReport *rep)
{
	const double x = RC_MARGIN, w = RC_PAGE_W - 2 * RC_MARGIN;
	g_autofree char *first = point_date(POINT(rep, 0), "%-d %b %Y");
	g_autofree char *last = point_date(POINT(rep, rep->points->len - 1), "%-d %b %Y");
	gboolean estimated = FALSE;

	for (guint i = 0; i < rep->points->len; i++)
		estimated |= !POINT(rep, i)->clock_set;
	rc_ink(cr);
	rc_textf(cr, x, 58, 20, TRUE, RC_ALIGN_LEFT, "%c%s: progress%s%s",
		 g_ascii_toupper(rep->area[0]), rep->area + (rep->area[0] != '\0'),
		 rep->person ? " of " : "", rep->person ? rep->person : "");
	rc_ink_muted(cr);
	rc_textf(cr, x, 75, 10, FALSE, RC_ALIGN_LEFT, "%s%u session%s, %s%s%s%s",
		 rep->more ? "The latest " : "", rep->points->len,
		 rep->points->len == 1 ? "" : "s", g_str_equal(first, last) ? "on " : "", first,
		 g_str_equal(first, last) ? "" : " to ", g_str_equal(first, last) ? "" : last);
	if (estimated)
		rc_text(cr, x + w, 75, 8, FALSE, RC_ALIGN_RIGHT,
			"~ a date estimated: the roller's clock was unset");
	draw_tiles(cr, rep, 88);

	rc_heading(cr, x, 166, "Strokes per session");
	draw_strokes_chart(cr, rep, (RcBox){ x, 172, w, 74 });
	rc_heading(cr, x, 268, "In band and coverage per session");
	legend(cr, x + w - 250, 268, 0.18, 0.58, 0.34, "in band: contact in the target band");
	legend(cr, x + w - 90, 268, 0.90, 0.50, 0.12, "coverage: cells rolled");
	draw_share_chart(cr, rep, (RcBox){ x, 274, w, 118 });

	cairo_set_source_rgb(cr, 0.82, 0.82, 0.85);
	cairo_set_line_width(cr, 0.6);
	cairo_move_to(cr, x, 408);
	cairo_line_to(cr, x + w, 408);
	cairo_stroke(cr);
	if (rep->latest)
		draw_latest(cr, bus, rep->latest, 430);
}
