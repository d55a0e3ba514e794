/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "daemon/rd-config.h"
#include "rd-feedback.h"
#include "rd-live-object.h"
#include "rd-live-session.h"
#include "rd-live-stream.h"
#include "rd-live.h"
#include "rd-rate-limit.h"
#include "rd-rejects.h"
#include "daemon/store/rd-store.h"
#include "daemon/dbus/rd-variant.h"

/* Roller2.FramesRejected follows at most once a second, however many come. */
#define REJECTS_PROPERTY_DELAY_MS 1000

struct _RdLive {
	RdContext *ctx;
	RdDbusRoller2 *roller;
	char *live_path;

	struct roller_info info;
	gboolean have_info;
	char *serial;
	char *address;
	gint area_id;			/* from StartSession, -1 when unknown */
	gboolean clock_set;

	RdLiveSession *session;
	/*
	 * The session that ended last, 0 if none: its frames that come after
	 * its end must not start it again as a second live session.
	 */
	guint16 ended_id;
	/* Status said the session ended and its SESSION_END has not come:
	 * the frames still on their way are waited for this long. */
	guint end_grace_id;
	RdFeedback *feedback;
	RdLiveObject *object;
	gint64 start_unix;
	gboolean end_pending;

	/* LiveUpdate and Stroke are sent only while someone watches. */
	gboolean watched;
	RdRateLimit rate;
	guint update_id;		/* the next update's slot */
	gboolean update_wanted;		/* the session moved on since the last update */
	/* An ended session's last values, waiting for their slot. */
	RdLiveSummary *final;
	gint64 properties_us;

	RdLiveStream *stream;

	/* Every malformed frame of the roller, in a session or not. */
	RdRejects rejects;
	guint rejects_timer;
};

static void
emit_live_update(RdLive *l, const RdLiveSummary *s, gint64 now)
{
	rd_dbus_roller2_emit_live_update(
		l->roller, s->rolls, s->strokes_per_minute, s->force_latest_cN, s->force_mean_cN,
		s->in_band_permille,
		g_variant_new("(uuuu)", s->dirs[0], s->dirs[1], s->dirs[2], s->dirs[3]),
		rd_variant_new_fixed_array(G_VARIANT_TYPE_BYTE, s->passes,
					   (gsize)s->cols * s->rows, 1),
		s->duration_ms, s->paused, s->frames_ok, s->frames_lost, s->frames_rejected_total);
	rd_rate_limit_sent(&l->rate, now);
}

static gboolean on_update_timer(gpointer user_data);

static void
arm_update_timer(RdLive *l, gint64 now)
{
	l->update_id = g_timeout_add(rd_rate_limit_delay_ms(&l->rate, now), on_update_timer, l);
}

/* The slot came: an ended session's last values first, else the latest. */
static void
send_update(RdLive *l, gint64 now)
{
	RdLiveSummary s;

	if (l->final) {
		emit_live_update(l, l->final, now);
		g_clear_pointer(&l->final, g_free);
		/* The next session's frames came meanwhile: the next slot is theirs. */
		if (l->session && l->update_wanted)
			arm_update_timer(l, now);
		return;
	}
	if (!l->session)
		return;
	l->update_wanted = FALSE;
	rd_live_session_get_summary(l->session, &s);
	emit_live_update(l, &s, now);
	/* Session1's properties follow once a second: LiveUpdate is the fast path. */
	if (now - l->properties_us >= G_USEC_PER_SEC) {
		rd_live_object_flush(l->object);
		l->properties_us = now;
	}
}

static gboolean
on_update_timer(gpointer user_data)
{
	RdLive *l = user_data;

	l->update_id = 0;
	send_update(l, g_get_monotonic_time());
	return G_SOURCE_REMOVE;
}

/* Evenly spaced: now if the last update is an interval old, else at its slot. */
static void
schedule_live_update(RdLive *l, gint64 now)
{
	if (!l->watched)
		return;
	l->update_wanted = TRUE;
	if (l->update_id)
		return;
	if (rd_rate_limit_next(&l->rate, now) <= now)
		send_update(l, now);
	else
		arm_update_timer(l, now);
}

/* The ended session's last update: sent in its slot, however soon it ended. */
static void
schedule_final_update(RdLive *l, const RdLiveSummary *s, gint64 now)
{
	if (!l->watched)
		return;
	if (rd_rate_limit_next(&l->rate, now) <= now) {
		g_clear_handle_id(&l->update_id, g_source_remove);
		emit_live_update(l, s, now);
		return;
	}
	g_free(l->final);
	l->final = g_memdup2(s, sizeof(*s));
	l->update_wanted = FALSE;
	if (!l->update_id)
		arm_update_timer(l, now);
}

static void
on_alert(RdAlertKind kind, const char *kind_name, const char *message, gpointer user_data)
{
	RdLive *l = user_data;

	g_debug("Alert %s: %s", kind_name, message);
	rd_dbus_roller2_emit_alert(l->roller, kind_name, message);
}

static void
on_stroke(RdLiveSession *session, const struct roller_stroke *stroke,
	  enum roller_direction direction, guint32 count, gpointer user_data)
{
	RdLive *l = user_data;

	if (!l->watched)
		return;
	rd_dbus_roller2_emit_stroke(l->roller, stroke->t_end_ms, count, stroke->length_mm,
				    stroke->heading, (guint8)direction, stroke->zone,
				    stroke->mean_force_cN);
}

static void
on_event(RdLiveSession *session, const struct roller_event *event, gpointer user_data)
{
	RdLive *l = user_data;
	g_autoptr(GError) error = NULL;

	if (event->code != ROLLER_EVENT_HEAD_CHANGED || !*l->serial)
		return;
	if (!rd_store_note_head_changed(l->ctx->store, l->serial, event->arg,
					g_get_real_time() / G_USEC_PER_SEC, &error))
		g_warning("Cannot note the new needle head: %s", error->message);
}

static void
on_ended(RdLiveSession *session, guint8 reason, gpointer user_data)
{
	RdLive *l = user_data;

	/* The session may not be freed from its own callback. */
	l->end_pending = TRUE;
}

static void
check_head_wear(RdLive *l)
{
	g_autoptr(GError) error = NULL;
	guint limit = rd_config_get_sessions_per_head(l->ctx->config);
	RdHeadUsage usage;

	if (!limit || !*l->serial)
		return;
	if (!rd_store_head_usage(l->ctx->store, l->serial, &usage, &error)) {
		g_warning("Cannot read the needle head's use: %s", error->message);
		return;
	}
	if (usage.head_id && usage.sessions >= limit) {
		g_autofree char *message =
			g_strdup_printf("The needle head has been used for %u sessions; "
					"consider replacing it", usage.sessions);

		rd_dbus_roller2_emit_alert(l->roller, "head-worn", message);
	}
}

static void
save_session(RdLive *l, const RdLiveSummary *s)
{
	g_autoptr(GError) error = NULL;
	g_autofree guint16 *trace = g_new(guint16, RD_LIVE_SESSION_TRACE_MAX);
	RdLiveSessionRow row = { 0 };
	RdCommitResult result;
	guint32 first_second;
	gint64 id;

	if (!*l->serial) {
		g_message("Roller %s: no serial number; its live session is not stored",
			  l->address);
		return;
	}
	row.serial = l->serial;
	row.address = l->address;
	row.record_id = s->session_id;
	row.area_id = s->area_id >= 0 ? (guint8)s->area_id :
		      l->area_id >= 0 ? (guint8)l->area_id : 0;
	row.start_unix = l->start_unix;
	row.clock_set = l->clock_set;
	row.duration_ms = s->duration_ms;
	row.end_reason = s->end_reason;
	row.needle_um = s->needle_um;
	row.strokes = s->rolls;
	row.force_mean_cn = s->force_mean_cN;
	row.force_max_cn = s->force_max_cN;
	row.in_band_permille = s->in_band_permille;
	memcpy(row.dirs, s->dirs, sizeof(row.dirs));
	row.cols = s->cols;
	row.rows = s->rows;
	row.passes = s->passes;
	row.trace_len = rd_live_session_get_trace(l->session, trace,
						  RD_LIVE_SESSION_TRACE_MAX, &first_second);
	row.trace_period_ms = row.trace_len ? RD_LIVE_SESSION_TRACE_PERIOD_MS : 0;
	row.trace = trace;
	row.frames_lost = s->frames_lost;
	if (!rd_store_save_live_session(l->ctx->store, &row, &result, &id, &error)) {
		g_warning("Roller %s: cannot store its live session: %s", l->address,
			  error->message);
		return;
	}
	g_message("Roller %s: session %u stored as %" G_GINT64_FORMAT, l->address,
		  s->session_id, id);
	if (result == RD_COMMIT_MERGED)
		l->ctx->session_changed(l->ctx->owner, id);
	rd_live_object_set_id(l->object, (guint64)id);
}

static void
end_session(RdLive *l, gint64 now)
{
	RdLiveSummary s;

	if (!l->session)
		return;
	g_clear_handle_id(&l->end_grace_id, g_source_remove);
	rd_live_session_get_summary(l->session, &s);
	if (!s.ended)
		rd_feedback_finish(l->feedback, l->session, s.time_ms);
	if (rd_live_stream_count(l->stream))
		rd_live_stream_send_end(l->stream, &s, now);
	schedule_final_update(l, &s, now);
	save_session(l, &s);
	check_head_wear(l);

	l->ended_id = s.session_id;
	rd_dbus_roller2_set_session(l->roller, "/");
	g_clear_pointer(&l->object, rd_live_object_free);
	g_clear_pointer(&l->feedback, rd_feedback_free);
	g_clear_pointer(&l->session, rd_live_session_free);
	l->end_pending = FALSE;
	l->area_id = -1;
}

static void
start_session(RdLive *l, guint16 session_id)
{
	static const RdLiveSessionCallbacks callbacks = {
		.stroke = on_stroke,
		.event = on_event,
		.ended = on_ended,
	};
	RdLiveObjectInfo info = {
		.path = l->live_path,
		.serial = l->serial,
		.address = l->address,
		.area_id = l->area_id,
		.clock_set = l->clock_set,
	};

	l->session = rd_live_session_new(&l->info, session_id, &callbacks, l);
	l->feedback = rd_feedback_new(rd_config_get_feedback(l->ctx->config), on_alert, l);
	l->start_unix = info.start_unix = g_get_real_time() / G_USEC_PER_SEC;
	l->object = rd_live_object_new(l->ctx->object_manager, l->session, &info);
	rd_dbus_roller2_set_session(l->roller, l->live_path);
	g_message("Roller %s: live session %u", l->address, session_id);
}

static gboolean
on_rejects_timer(gpointer user_data)
{
	RdLive *l = user_data;

	l->rejects_timer = 0;
	rd_dbus_roller2_set_frames_rejected(l->roller, rd_rejects_to_variant(l->rejects.counts));
	return G_SOURCE_REMOVE;
}

/* Counted for the roller and, while one runs, for its live session. */
static void
note_rejected(RdLive *l, gsize len, enum roller_error err, gint64 now)
{
	rd_rejects_add(&l->rejects, l->address, err, len, now);
	if (!l->rejects_timer)
		l->rejects_timer = g_timeout_add(REJECTS_PROPERTY_DELAY_MS, on_rejects_timer, l);
	if (!l->session)
		return;
	rd_live_session_feed_rejected(l->session, err);
	rd_live_object_changed(l->object);
	schedule_live_update(l, now);
}

void
rd_live_feed_telemetry(RdLive *l, const guint8 *data, gsize len)
{
	gint64 now = g_get_monotonic_time();
	struct roller_frame frame;
	enum roller_error err;
	RdLiveFrameResult result;
	guint16 sid;

	if (!l->have_info)
		return;
	/* Parsed here only, CRC included; the session gets the result.
	 * Whatever session a malformed frame claims, it is counted, and
	 * neither starts a session nor ends one. */
	err = roller_frame_parse(data, len, &frame);
	if (err != ROLLER_OK) {
		note_rejected(l, len, err, now);
		return;
	}
	sid = frame.session_id;
	if (sid != 0 && sid == l->ended_id &&
	    (!l->session || rd_live_session_get_id(l->session) != sid)) {
		g_debug("Roller %s: dropping a late frame of ended session %u", l->address, sid);
		return;
	}
	if (!l->session) {
		if (sid == 0)
			return;
		start_session(l, sid);
	}
	result = rd_live_session_feed_frame(l->session, &frame, now);
	if (result == RD_LIVE_FRAME_OTHER_SESSION && sid != 0) {
		end_session(l, now);
		start_session(l, sid);
		result = rd_live_session_feed_frame(l->session, &frame, now);
	}
	if (result != RD_LIVE_FRAME_APPLIED)
		return;
	/* Stream readers get it first, from this dispatch. */
	if (rd_live_stream_count(l->stream)) {
		RdLiveSummary s;

		rd_live_session_get_summary(l->session, &s);
		rd_live_stream_send_frame(l->stream, &s, data, len, now);
	}
	rd_live_object_changed(l->object);
	rd_feedback_evaluate(l->feedback, l->session, rd_live_session_get_time_ms(l->session));
	if (l->end_pending)
		end_session(l, now);
	else
		schedule_live_update(l, now);
}

static gboolean
on_end_grace(gpointer user_data)
{
	RdLive *l = user_data;

	l->end_grace_id = 0;
	g_debug("Roller %s: no SESSION_END came; ending the session on its Status",
		l->address);
	end_session(l, g_get_monotonic_time());
	return G_SOURCE_REMOVE;
}

void
rd_live_feed_status(RdLive *l, const struct roller_status *status)
{
	l->clock_set = status->flags & ROLLER_STATUS_CLOCK_SET;
	/*
	 * Status travels apart from Telemetry (another socket, another EATT
	 * bearer, the roller's own order), so it can overtake the session's
	 * last frames; and SESSION_END may have been lost with its frame.
	 */
	if (l->session && !l->end_grace_id &&
	    (status->state == ROLLER_STATE_IDLE ||
	     status->state == ROLLER_STATE_CHARGING ||
	     status->active_session_id != rd_live_session_get_id(l->session)))
		l->end_grace_id = g_timeout_add(RD_LIVE_END_GRACE_MS, on_end_grace, l);
}

void
rd_live_link_lost(RdLive *l)
{
	if (l->session)
		rd_live_session_link_lost(l->session);
}

void
rd_live_set_roller_info(RdLive *l, const struct roller_info *info, const char *serial,
			const char *address)
{
	if (info) {
		if (l->session && l->have_info &&
		    (info->force_band_low_cN != l->info.force_band_low_cN ||
		     info->force_band_high_cN != l->info.force_band_high_cN))
			rd_live_session_set_force_band(l->session, info->force_band_low_cN,
						       info->force_band_high_cN);
		l->info = *info;
		l->have_info = TRUE;
	}
	g_free(l->serial);
	l->serial = g_strdup(serial ? serial : "");
	g_free(l->address);
	l->address = g_strdup(address ? address : "");
}

void
rd_live_set_area(RdLive *l, guint8 area_id)
{
	l->area_id = area_id;
	if (l->object)
		rd_live_object_set_area(l->object, area_id);
}

void
rd_live_set_watched(RdLive *l, gboolean watched)
{
	if (l->watched == watched)
		return;
	l->watched = watched;
	if (watched) {
		/* A new watcher sees the session's values without waiting for a frame. */
		if (l->session)
			schedule_live_update(l, g_get_monotonic_time());
		return;
	}
	g_clear_handle_id(&l->update_id, g_source_remove);
	g_clear_pointer(&l->final, g_free);
}

RdLiveStream *
rd_live_get_stream(RdLive *l)
{
	return l->stream;
}

RdLive *
rd_live_new(RdContext *ctx, RdDbusRoller2 *roller, const char *roller_path)
{
	RdLive *l = g_new0(RdLive, 1);
	guint hz = rd_config_get_live_update_max_hz(ctx->config);

	l->ctx = ctx;
	l->roller = g_object_ref(roller);
	l->live_path = g_strconcat(roller_path, "/live", NULL);
	l->serial = g_strdup("");
	l->address = g_strdup("");
	l->area_id = -1;
	rd_rate_limit_init(&l->rate, hz);
	l->stream = rd_live_stream_new(ctx->bus);
	rd_rejects_init(&l->rejects);
	rd_dbus_roller2_set_frames_rejected(roller, g_variant_new_parsed("@a{su} {}"));
	return l;
}

void
rd_live_free(RdLive *l)
{
	if (!l)
		return;
	g_clear_handle_id(&l->update_id, g_source_remove);
	g_clear_handle_id(&l->end_grace_id, g_source_remove);
	g_clear_handle_id(&l->rejects_timer, g_source_remove);
	g_clear_pointer(&l->object, rd_live_object_free);
	g_clear_pointer(&l->stream, rd_live_stream_free);
	g_free(l->final);
	g_clear_pointer(&l->feedback, rd_feedback_free);
	g_clear_pointer(&l->session, rd_live_session_free);
	g_object_unref(l->roller);
	g_free(l->live_path);
	g_free(l->serial);
	g_free(l->address);
	g_free(l);
}
