/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The simulated roller's sessions: start and stop, each sampling tick's
 * telemetry, the battery draining meanwhile, the end and the record.
 *
 * Choices where the spec is silent:
 *  - A Control Point response is indicated after the request's effects:
 *    START's SESSION_START frame and Status notification come before it,
 *    STOP's last frames and the stored record too.
 *  - Telemetry frames are built whenever a session runs, connected or
 *    not, so seq counts frames a central missed while away.
 *  - A session starts only when its record is sure to fit, so no session
 *    ever ends with reason 3 (storage full); a full store makes
 *    START_SESSION fail and the button do nothing.  Reason 1 (idle
 *    timeout) is not produced either: the person never leaves the roller
 *    on for long without rolling.
 *  - A session ends by itself (end reason user) once it has rolled for
 *    session_seconds, pauses excluded, at the next moment between strokes.
 *  - The record's needle_um is the head's at the start; HEAD_CHANGED is
 *    only sent when the host calls model_device_change_head().
 */
#include "model-device-session.h"

static void
send_telemetry(void *user, const uint8_t *frame, size_t len)
{
	model_dev_notify(user, MODEL_CHAR_TELEMETRY, frame, len);
}

enum roller_cp_result
model_dev_start_session(struct model_device *dev, uint8_t area_id,
			 uint32_t now_ms, uint16_t *session_id)
{
	struct model_session_params params;
	uint16_t id;

	if (dev->in_session || dev->charging ||
	    dev->battery <= MODEL_BATTERY_EMPTY_PERCENT ||
	    model_store_is_full(&dev->store))
		return ROLLER_CP_FAILED;
	id = model_dev_allocate_session_id(dev);
	model_dev_session_params(dev, id, area_id,
				  model_dev_unix_at(dev, now_ms), &params);
	model_session_begin(&dev->session, &params, &dev->person,
			     model_dev_session_seed(dev, id));
	dev->in_session = true;
	dev->session_start_ms = now_ms;
	dev->next_drain_ms = MODEL_BATTERY_DRAIN_MS;
	model_telemetry_begin(&dev->telemetry, id, dev->info.sample_period_ms,
			       model_telemetry_frame_max(dev->mtu),
			       dev->cfg.telemetry_crc, send_telemetry, dev);
	model_telemetry_event(&dev->telemetry, 0, ROLLER_EVENT_SESSION_START,
			       area_id);
	model_telemetry_commit(&dev->telemetry);
	model_dev_status_changed(dev);
	*session_id = id;
	return ROLLER_CP_SUCCESS;
}

static void
end_session(struct model_device *dev, uint32_t t_ms, uint8_t reason)
{
	struct model_session *s = &dev->session;
	size_t len = 0;

	if (t_ms < s->last_t_ms)
		t_ms = s->last_t_ms;
	model_telemetry_event(&dev->telemetry, t_ms, ROLLER_EVENT_SESSION_END, reason);
	model_telemetry_coverage(&dev->telemetry, s->p.motion.cols,
				  s->p.motion.rows, s->passes);
	model_telemetry_flush(&dev->telemetry);
	if (model_session_finish(s, t_ms, reason, dev->record_buf,
				  sizeof(dev->record_buf), &len) == ROLLER_OK)
		model_dev_store_record(dev, dev->record_buf, len);
	dev->in_session = false;
	if (reason == ROLLER_END_BATTERY) {
		/* The person puts the roller on its charger. */
		dev->charging = true;
		dev->next_charge_ms = dev->session_start_ms + t_ms +
				      MODEL_BATTERY_CHARGE_MS;
	}
	model_dev_status_changed(dev);
}

enum roller_cp_result
model_dev_stop_session(struct model_device *dev, uint32_t now_ms,
			uint16_t *session_id)
{
	if (!dev->in_session)
		return ROLLER_CP_FAILED;
	*session_id = dev->session.p.id;
	end_session(dev, now_ms - dev->session_start_ms, ROLLER_END_USER);
	return ROLLER_CP_SUCCESS;
}

/* 1 % less; true when the battery is too low to go on. */
static bool
drain_battery(struct model_device *dev, uint32_t t_ms)
{
	if (dev->battery > 0)
		dev->battery--;
	if (dev->battery == MODEL_BATTERY_LOW_PERCENT)
		model_telemetry_event(&dev->telemetry, t_ms,
				       ROLLER_EVENT_BATTERY_LOW, dev->battery);
	return dev->battery <= MODEL_BATTERY_EMPTY_PERCENT;
}

/* Sends what one tick produced; false when it ended the session. */
static bool
emit_tick(struct model_device *dev, const struct model_session_tick *tick)
{
	struct model_telemetry *tel = &dev->telemetry;
	const struct model_motion_sample *sample = &tick->sample;
	struct model_session *s = &dev->session;
	bool empty = false;

	/* PAUSE and RESUME go before the first sample they apply to, so a
	 * receiver reading the stream in order classifies every sample
	 * right; what concerns this sample goes after it. */
	if (sample->pause_ends)
		model_telemetry_event(tel, tick->t_ms, ROLLER_EVENT_RESUME, 0);
	if (sample->pause_begins)
		model_telemetry_event(tel, tick->t_ms, ROLLER_EVENT_PAUSE, 0);
	model_telemetry_sample(tel, tick->t_ms, sample->force_cN);
	if (tick->overforce)
		model_telemetry_event(tel, tick->t_ms, ROLLER_EVENT_OVERFORCE,
				       sample->force_cN);
	if (sample->stroke_done)
		model_telemetry_stroke(tel, &sample->stroke);
	if (tick->coverage_due)
		model_telemetry_coverage(tel, s->p.motion.cols, s->p.motion.rows,
					  s->passes);
	if (tick->t_ms >= dev->next_drain_ms) {
		dev->next_drain_ms += MODEL_BATTERY_DRAIN_MS;
		empty = drain_battery(dev, tick->t_ms);
	}
	model_telemetry_commit(tel);
	/* A pause, a resume or the battery: Status and Battery Level. */
	model_dev_status_changed(dev);
	if (empty) {
		end_session(dev, tick->t_ms, ROLLER_END_BATTERY);
		return false;
	}
	return true;
}

static bool
session_rolled_enough(const struct model_device *dev, uint32_t t_ms)
{
	uint32_t limit = dev->cfg.session_seconds * 1000u;

	return limit && model_session_active_ms(&dev->session, t_ms) >= limit &&
	       model_motion_between_strokes(&dev->session.motion);
}

void
model_dev_run_session(struct model_device *dev, uint32_t now_ms)
{
	struct model_session_tick tick;

	while (dev->in_session) {
		uint32_t elapsed = now_ms - dev->session_start_ms;

		if (model_session_next_sample_ms(&dev->session) > elapsed)
			return;
		model_session_tick(&dev->session, &tick);
		if (!emit_tick(dev, &tick))
			return;
		if (session_rolled_enough(dev, tick.t_ms))
			end_session(dev, tick.t_ms, ROLLER_END_USER);
	}
}

uint32_t
model_dev_session_next_ms(const struct model_device *dev)
{
	const struct model_session *s = &dev->session;
	uint32_t sample = model_session_next_sample_ms(s);
	uint32_t room = model_telemetry_room(&dev->telemetry);
	uint32_t next = model_session_next_edge_ms(s);
	uint32_t limit = dev->cfg.session_seconds * 1000u;

	/* Session times: the frame fills, something happens, 1 % goes, the
	 * session may have rolled long enough. */
	if (room)
		next = roller_time_earlier(next, sample + (room - 1) * s->motion.p.period_ms);
	next = roller_time_earlier(next, dev->next_drain_ms);
	if (limit) {
		uint32_t active = model_session_active_ms(s, sample);

		next = roller_time_earlier(next, active >= limit ? sample :
							   sample + limit - active);
	}
	if (next < sample)
		next = sample;
	return dev->session_start_ms + next;
}

void
model_dev_session_head_changed(struct model_device *dev, uint16_t needle_um,
			       uint32_t now_ms)
{
	if (!dev->in_session)
		return;
	model_telemetry_event(&dev->telemetry, now_ms - dev->session_start_ms,
			       ROLLER_EVENT_HEAD_CHANGED, needle_um);
	model_telemetry_commit(&dev->telemetry);
}
