/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What the report's pages share: the page, drawing pieces, the area page. */
#pragma once

#include <cairo.h>

#include "rc-common.h"

/* A4 in points. */
#define RC_PAGE_W 595.0
#define RC_PAGE_H 842.0
#define RC_MARGIN 40.0

typedef enum {
	RC_ALIGN_LEFT,
	RC_ALIGN_CENTER,
	RC_ALIGN_RIGHT,
} RcAlign;

typedef struct {
	double x, y, w, h;
} RcBox;

/* Text colours. */
void rc_ink(cairo_t *cr);
void rc_ink_muted(cairo_t *cr);

/* One line of text with its baseline at @y, aligned on @x. */
void rc_text(cairo_t *cr, double x, double y, double size, gboolean bold, RcAlign align,
	     const char *s);
void rc_textf(cairo_t *cr, double x, double y, double size, gboolean bold, RcAlign align,
	      const char *fmt, ...) G_GNUC_PRINTF(7, 8);
/* Text read bottom to top, centred on (@x, @y): a y axis' title. */
void rc_text_up(cairo_t *cr, double x, double y, double size, const char *s);
/*
 * @s in lines at most @w wide, the first baseline at @y, at most
 * @max_lines (the last one cut with an ellipsis); returns the baseline
 * after the last line.
 */
double rc_text_wrapped(cairo_t *cr, double x, double y, double w, double size,
		       guint max_lines, const char *s);
/* A section's title. */
void rc_heading(cairo_t *cr, double x, double y, const char *s);

/* A headline figure: @value large, @label under it, @note (may be NULL) after. */
void rc_tile(cairo_t *cr, RcBox box, const char *value, const char *label, const char *note);

/* A round step (1, 2 or 5 times a power of ten) giving about @ticks ticks up to @max. */
double rc_nice_step(double max, int ticks);
/* Horizontal grid lines and their labels (@unit after each) left of @plot, 0 to @max. */
void rc_y_grid(cairo_t *cr, RcBox plot, double max, double step, const char *unit);

/*
 * The coverage grid with the passes in its cells and a legend under it,
 * in @box; returns the width it took.
 */
double rc_heat_map(cairo_t *cr, RcBox box, const guint8 *passes, guint cols, guint rows);
/*
 * Force over the session with its axes, against the band (@low = @high =
 * 0: unknown): the trace's contact means (rc-trace.h), broken where the
 * roller was lifted, and the session's contact mean as a dashed line (0:
 * none).
 */
void rc_force_chart(cairo_t *cr, RcBox box, const guint16 *v, gsize n, guint period_ms,
		    guint low, guint high, guint contact_mean);
/*
 * The trace's line in @plot (0 cN at its bottom, @max at its top) as the
 * current path, replacing it: one sub-path per run of contact means, none
 * through a gap; with @closed, each run is closed down to the bottom, for
 * the fill under it.
 */
void rc_force_chart_path(cairo_t *cr, RcBox plot, const guint16 *v, gsize n, double max,
			 gboolean closed);
/* The four direction classes as a rose, with a sentence on the balance. */
void rc_direction_rose(cairo_t *cr, RcBox box, const guint32 *d);

/* Share of the grid's cells with a pass, per mille. */
guint rc_coverage_permille(const guint8 *passes, gsize n);

/* An area's page: its sessions (oldest first) and the latest one. */
typedef struct _RcAreaReport RcAreaReport;

/*
 * The last 20 sessions of @area, of every room's with @clinic; NULL
 * after printing why not.
 */
RcAreaReport *rc_area_report_load(GDBusConnection *bus, const char *area,
				  const char *person_path, gboolean clinic, int *exit_code);
void rc_area_report_draw(cairo_t *cr, GDBusConnection *bus, RcAreaReport *report);
void rc_area_report_free(RcAreaReport *report);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(RcAreaReport, rc_area_report_free)
