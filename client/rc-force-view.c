/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "rc-force-view.h"
#include "roller-record.h"

struct RcForceView {
	/* A ring of the newest samples, oldest at @first. */
	guint32 t_ms[RC_FORCE_VIEW_KEEP];
	guint16 cn[RC_FORCE_VIEW_KEEP];
	gboolean contact[RC_FORCE_VIEW_KEEP];
	guint first;
	guint count;
};

RcForceView *
rc_force_view_new(void)
{
	return g_new0(RcForceView, 1);
}

void
rc_force_view_free(RcForceView *view)
{
	g_free(view);
}

void
rc_force_view_clear(RcForceView *view)
{
	view->first = 0;
	view->count = 0;
}

/* The @i-th newest sample's slot, 0 the newest. */
static guint
newest(const RcForceView *view, guint i)
{
	return (view->first + view->count - 1 - i) % RC_FORCE_VIEW_KEEP;
}

static void
push(RcForceView *view, guint32 t_ms, guint16 cn, gboolean contact)
{
	guint slot = (view->first + view->count) % RC_FORCE_VIEW_KEEP;

	if (view->count == RC_FORCE_VIEW_KEEP)
		view->first = (view->first + 1) % RC_FORCE_VIEW_KEEP;
	else
		view->count++;
	view->t_ms[slot] = t_ms;
	view->cn[slot] = cn;
	view->contact[slot] = contact;
}

void
rc_force_view_add(RcForceView *view, const struct roller_force *force, gboolean paused)
{
	guint32 t_end = force->t_ms + (guint32)(force->n - 1) * force->period_ms;
	guint32 t = force->t_ms;

	if (!force->n)
		return;
	if (view->count && t_end < view->t_ms[newest(view, 0)])
		rc_force_view_clear(view);
	for (guint i = 0; i < force->n; i++, t += force->period_ms) {
		guint16 v = roller_force_sample(force, i);

		if (view->count && t <= view->t_ms[newest(view, 0)])
			continue;
		push(view, t, v, !paused && v != ROLLER_FORCE_INVALID && v >= ROLLER_CONTACT_MIN_CN);
	}
}

gboolean
rc_force_view_contact_cn(const RcForceView *view, guint16 *cn)
{
	guint64 sum = 0;
	guint n = 0;
	guint32 last;

	if (!view->count)
		return FALSE;
	last = view->t_ms[newest(view, 0)];
	for (guint i = 0; i < view->count; i++) {
		guint slot = newest(view, i);

		if (last - view->t_ms[slot] >= RC_FORCE_VIEW_GAUGE_MS)
			break;
		if (view->contact[slot]) {
			sum += view->cn[slot];
			n++;
		}
	}
	if (!n)
		return FALSE;
	*cn = (guint16)((sum + n / 2) / n);
	return TRUE;
}

void
rc_force_view_columns(const RcForceView *view, guint span_ms, RcForceColumn *columns, guint n)
{
	g_autofree guint64 *sum = g_new0(guint64, n);
	g_autofree guint *contact_n = g_new0(guint, n);
	guint32 last_span;

	for (guint c = 0; c < n; c++)
		columns[c] = (RcForceColumn){ RC_FORCE_COLUMN_EMPTY, 0, 0 };
	if (!view->count || !n || !span_ms)
		return;
	last_span = view->t_ms[newest(view, 0)] / span_ms;
	for (guint i = 0; i < view->count; i++) {
		guint slot = newest(view, i);
		guint32 back = last_span - view->t_ms[slot] / span_ms;
		RcForceColumn *col;

		if (back >= n)
			break;
		col = &columns[n - 1 - back];
		if (col->kind == RC_FORCE_COLUMN_EMPTY)
			col->kind = RC_FORCE_COLUMN_LIFTED;
		if (!view->contact[slot])
			continue;
		col->kind = RC_FORCE_COLUMN_CONTACT;
		col->max_cn = MAX(col->max_cn, view->cn[slot]);
		sum[n - 1 - back] += view->cn[slot];
		contact_n[n - 1 - back]++;
	}
	for (guint c = 0; c < n; c++) {
		if (contact_n[c])
			columns[c].mean_cn = (guint16)((sum[c] + contact_n[c] / 2) / contact_n[c]);
	}
}
