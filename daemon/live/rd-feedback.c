/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "rd-feedback.h"

struct _RdFeedback {
	RdFeedbackConfig cfg;
	RdFeedbackAlertFunc alert;
	gpointer user_data;

	gboolean raised[RD_ALERT_N_KINDS];
	guint32 last_raised_ms[RD_ALERT_N_KINDS];
	guint32 overforce_seen;
	guint32 battery_low_seen;
	guint8 cell_raised[(ROLLER_GRID_CELLS_MAX + 7) / 8];
	gboolean finished;
};

static const char *const kind_names[RD_ALERT_N_KINDS] = {
	[RD_ALERT_FORCE_LOW] = "force-low",
	[RD_ALERT_FORCE_HIGH] = "force-high",
	[RD_ALERT_OVERFORCE] = "overforce",
	[RD_ALERT_TOO_FAST] = "too-fast",
	[RD_ALERT_CELL_OVERWORKED] = "cell-overworked",
	[RD_ALERT_DIRECTION_NEGLECTED] = "direction-neglected",
	[RD_ALERT_COVERAGE_INCOMPLETE] = "coverage-incomplete",
	[RD_ALERT_BATTERY_LOW] = "battery-low",
};

static const char *const direction_names[4] = {
	"vertical", "diagonal", "horizontal", "anti-diagonal",
};

const char *
rd_alert_kind_to_string(RdAlertKind kind)
{
	return (guint)kind < RD_ALERT_N_KINDS ? kind_names[kind] : NULL;
}

gboolean
rd_alert_kind_from_string(const char *name, RdAlertKind *kind)
{
	for (guint i = 0; i < RD_ALERT_N_KINDS; i++) {
		if (g_strcmp0(name, kind_names[i]) == 0) {
			*kind = (RdAlertKind)i;
			return TRUE;
		}
	}
	return FALSE;
}

RdFeedback *
rd_feedback_new(const RdFeedbackConfig *config, RdFeedbackAlertFunc alert,
		gpointer user_data)
{
	RdFeedback *fb = g_new0(RdFeedback, 1);

	fb->cfg = *config;
	fb->alert = alert;
	fb->user_data = user_data;
	return fb;
}

void
rd_feedback_free(RdFeedback *fb)
{
	g_free(fb);
}

static gboolean
enabled(const RdFeedback *fb, RdAlertKind kind)
{
	return !(fb->cfg.disabled & (1u << kind));
}

/* Enabled and not raised within the hold-off. */
static gboolean
may_raise(const RdFeedback *fb, RdAlertKind kind, guint32 now_ms)
{
	if (!enabled(fb, kind))
		return FALSE;
	if (!fb->raised[kind])
		return TRUE;
	return now_ms >= fb->last_raised_ms[kind] &&
	       now_ms - fb->last_raised_ms[kind] >= fb->cfg.hold_off_ms;
}

G_GNUC_PRINTF(4, 5)
static void
raise_alert(RdFeedback *fb, RdAlertKind kind, guint32 now_ms, const char *format, ...)
{
	g_autofree char *message = NULL;
	va_list args;

	va_start(args, format);
	message = g_strdup_vprintf(format, args);
	va_end(args);
	fb->raised[kind] = TRUE;
	fb->last_raised_ms[kind] = now_ms;
	if (fb->alert)
		fb->alert(kind, kind_names[kind], message, fb->user_data);
}

static double
newtons(guint cN)
{
	return cN / 100.0;
}

/* Overforce and battery-low: one alert for the events since the last look. */
static void
check_events(RdFeedback *fb, const RdLiveSummary *sum, guint32 now_ms)
{
	if (sum->overforce_events != fb->overforce_seen) {
		fb->overforce_seen = sum->overforce_events;
		if (may_raise(fb, RD_ALERT_OVERFORCE, now_ms))
			raise_alert(fb, RD_ALERT_OVERFORCE, now_ms,
				    "Far too much force (%.1f N, the top of the band is %.1f N): "
				    "press much more lightly.",
				    newtons(sum->overforce_last_cN), newtons(sum->band_high_cN));
	}
	if (sum->battery_low_events != fb->battery_low_seen) {
		fb->battery_low_seen = sum->battery_low_events;
		if (may_raise(fb, RD_ALERT_BATTERY_LOW, now_ms))
			raise_alert(fb, RD_ALERT_BATTERY_LOW, now_ms,
				    "The roller's battery is low (%u%%): charge it after this session.",
				    sum->battery_last_percent);
	}
}

static void
check_force(RdFeedback *fb, const RdLiveSummary *sum, guint32 now_ms)
{
	double secs = sum->force_run_ms / 1000.0;

	if (sum->force_run == RD_FORCE_RUN_BELOW &&
	    sum->force_run_ms >= fb->cfg.force_low_ms &&
	    may_raise(fb, RD_ALERT_FORCE_LOW, now_ms))
		raise_alert(fb, RD_ALERT_FORCE_LOW, now_ms,
			    "The force has stayed under the target band (%.1f to %.1f N) "
			    "for %.1f s: press a little harder.",
			    newtons(sum->band_low_cN), newtons(sum->band_high_cN), secs);
	if (sum->force_run == RD_FORCE_RUN_ABOVE &&
	    sum->force_run_ms >= fb->cfg.force_high_ms &&
	    may_raise(fb, RD_ALERT_FORCE_HIGH, now_ms))
		raise_alert(fb, RD_ALERT_FORCE_HIGH, now_ms,
			    "The force has stayed over the target band (%.1f to %.1f N) "
			    "for %.1f s: press more lightly.",
			    newtons(sum->band_low_cN), newtons(sum->band_high_cN), secs);
}

static void
check_speed(RdFeedback *fb, const RdLiveSummary *sum, guint32 now_ms)
{
	if (sum->strokes_per_minute > fb->cfg.max_strokes_per_minute &&
	    may_raise(fb, RD_ALERT_TOO_FAST, now_ms))
		raise_alert(fb, RD_ALERT_TOO_FAST, now_ms,
			    "%.0f strokes a minute, more than %u: roll more slowly.",
			    sum->strokes_per_minute, fb->cfg.max_strokes_per_minute);
}

/* Each cell once: its passes only grow, so a reminder would only nag. */
static void
check_cells(RdFeedback *fb, const RdLiveSummary *sum, guint32 now_ms)
{
	guint cells = (guint)sum->cols * sum->rows, first = 0, n_new = 0;

	if (!may_raise(fb, RD_ALERT_CELL_OVERWORKED, now_ms))
		return;
	for (guint i = 0; i < cells; i++) {
		if (sum->passes[i] <= fb->cfg.max_passes_per_cell ||
		    (fb->cell_raised[i / 8] & (1u << (i % 8))))
			continue;
		if (!n_new++)
			first = i;
		fb->cell_raised[i / 8] |= (guint8)(1u << (i % 8));
	}
	if (!n_new)
		return;
	if (n_new == 1)
		raise_alert(fb, RD_ALERT_CELL_OVERWORKED, now_ms,
			    "Row %u, column %u has had %u passes, more than %u: "
			    "move on to other parts of the area.",
			    first / sum->cols + 1, first % sum->cols + 1,
			    sum->passes[first], fb->cfg.max_passes_per_cell);
	else
		raise_alert(fb, RD_ALERT_CELL_OVERWORKED, now_ms,
			    "%u cells, among them row %u, column %u, have had more than %u "
			    "passes: move on to other parts of the area.",
			    n_new, first / sum->cols + 1, first % sum->cols + 1,
			    fb->cfg.max_passes_per_cell);
}

static void
check_directions(RdFeedback *fb, const RdLiveSummary *sum, guint32 now_ms)
{
	guint64 total = (guint64)sum->dirs[0] + sum->dirs[1] + sum->dirs[2] + sum->dirs[3];
	g_autoptr(GString) names = NULL;

	if (total == 0 || total < fb->cfg.direction_min_strokes ||
	    !may_raise(fb, RD_ALERT_DIRECTION_NEGLECTED, now_ms))
		return;
	for (guint d = 0; d < 4; d++) {
		if ((guint64)sum->dirs[d] * 100 >= (guint64)fb->cfg.direction_min_share_percent * total)
			continue;
		if (!names)
			names = g_string_new(direction_names[d]);
		else
			g_string_append_printf(names, " and %s", direction_names[d]);
	}
	if (!names)
		return;
	raise_alert(fb, RD_ALERT_DIRECTION_NEGLECTED, now_ms,
		    "After %" G_GUINT64_FORMAT " strokes, few went %s (under %u%% each): "
		    "roll in every direction.",
		    total, names->str, fb->cfg.direction_min_share_percent);
}

static void
check_coverage(RdFeedback *fb, const RdLiveSummary *sum, guint32 now_ms)
{
	guint cells = (guint)sum->cols * sum->rows, covered = 0;

	if (!enabled(fb, RD_ALERT_COVERAGE_INCOMPLETE) || sum->rolls == 0 || cells == 0)
		return;
	for (guint i = 0; i < cells; i++)
		covered += sum->passes[i] >= fb->cfg.coverage_min_passes;
	if ((guint64)covered * 100 >= (guint64)fb->cfg.coverage_min_share_percent * cells)
		return;
	raise_alert(fb, RD_ALERT_COVERAGE_INCOMPLETE, now_ms,
		    "Only %u of the %u cells (%u%%) had %u or more passes; "
		    "%u%% was the aim.",
		    covered, cells, (covered * 100 + cells / 2) / cells,
		    fb->cfg.coverage_min_passes, fb->cfg.coverage_min_share_percent);
}

void
rd_feedback_finish(RdFeedback *fb, const RdLiveSession *session, guint32 now_session_ms)
{
	RdLiveSummary sum;

	if (fb->finished)
		return;
	fb->finished = TRUE;
	rd_live_session_get_summary(session, &sum);
	check_events(fb, &sum, now_session_ms);
	check_coverage(fb, &sum, now_session_ms);
}

void
rd_feedback_evaluate(RdFeedback *fb, const RdLiveSession *session, guint32 now_session_ms)
{
	RdLiveSummary sum;

	if (fb->finished)
		return;
	if (rd_live_session_is_ended(session)) {
		rd_feedback_finish(fb, session, now_session_ms);
		return;
	}
	rd_live_session_get_summary(session, &sum);
	check_events(fb, &sum, now_session_ms);
	/* A paused roller is off the skin: nothing to say about technique. */
	if (sum.paused)
		return;
	check_force(fb, &sum, now_session_ms);
	check_speed(fb, &sum, now_session_ms);
	check_cells(fb, &sum, now_session_ms);
	check_directions(fb, &sum, now_session_ms);
}
