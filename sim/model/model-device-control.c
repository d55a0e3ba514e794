/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The Control Point (spec section 5) and the record transfer it drives
 * (spec section 6).
 *
 * Choices where the spec is silent:
 *  - Writes need the Control Point's indications enabled, else they fail
 *    with ATT error 0xFD (CCCD improperly configured), as with RACP; a
 *    REPORT_RECORDS also needs Record Transfer notifications enabled and
 *    fails the same way without them.
 *  - While REPORT_RECORDS runs, every request but ABORT is answered BUSY,
 *    an unknown opcode NOT_SUPPORTED.
 *  - ABORT during a transfer stops it between two chunks; the
 *    REPORT_RECORDS procedure is answered ABORTED, then ABORT SUCCESS.
 *    ABORT with nothing under way is answered SUCCESS.
 *  - DELETE_RECORDS answers NO_RECORDS when nothing matched; REPORT_NUMBER
 *    answers SUCCESS with a count of 0.
 *  - SET_FORCE_BAND fails during a session: the session's in-band share
 *    is defined by the band it started with.
 *  - Chunks go out chunks_per_interval at a time, one batch per 7.5 ms
 *    connection interval counted from the request; the response follows
 *    the last chunk.  A disconnection ends the transfer unanswered.
 */
#include "model-device-control.h"
#include "model-device-session.h"

/* The connection interval, 7.5 ms, in half milliseconds. */
#define INTERVAL_HALF_MS 15u

static void
respond(struct model_device *dev, uint8_t opcode, uint8_t result, uint16_t value)
{
	struct roller_cp_response rsp = {
		.request_opcode = opcode,
		.result = result,
		.has_value = result == ROLLER_CP_SUCCESS &&
			     roller_cp_opcode_has_value(opcode),
		.value = value,
	};
	uint8_t buf[ROLLER_CP_RESPONSE_MAX_LEN];
	size_t len = roller_cp_response_encode(&rsp, buf, sizeof(buf));

	model_dev_notify(dev, MODEL_CHAR_CONTROL_POINT, buf, len);
}

static uint32_t
interval_start_ms(const struct model_report_procedure *report, uint32_t k)
{
	return report->start_ms + (uint32_t)(((uint64_t)k * INTERVAL_HALF_MS + 1) / 2);
}

uint32_t
model_dev_report_next_ms(const struct model_device *dev)
{
	return interval_start_ms(&dev->report, dev->report.intervals_done);
}

static size_t
chunk_max(const struct model_device *dev)
{
	size_t payload = dev->mtu - 3u;

	return payload < MODEL_ATT_VALUE_MAX ? payload : MODEL_ATT_VALUE_MAX;
}

/* Loads the next matching record into the chunker; false when none is left. */
static bool
next_matching_record(struct model_device *dev)
{
	struct model_report_procedure *report = &dev->report;
	struct model_store_entry e;

	while (report->candidates_left &&
	       model_store_entry_at(&dev->store, report->scan_pos, &e)) {
		report->scan_pos = model_store_entry_next(&e);
		report->candidates_left--;
		if (model_store_id_matches(e.id, report->op, report->operand)) {
			roller_chunker_init(&report->chunker, e.id, e.record, e.len);
			report->sending = true;
			return true;
		}
	}
	return false;
}

static void
finish_report(struct model_device *dev, uint8_t result)
{
	dev->report.active = false;
	respond(dev, ROLLER_CP_REPORT_RECORDS, result, dev->report.sent);
	model_dev_status_changed(dev);
}

static void
send_interval(struct model_device *dev)
{
	struct model_report_procedure *report = &dev->report;
	unsigned budget = dev->cfg.chunks_per_interval ? dev->cfg.chunks_per_interval : 1;

	while (budget && report->active) {
		size_t len;

		if (!report->sending && !next_matching_record(dev)) {
			finish_report(dev, ROLLER_CP_SUCCESS);
			return;
		}
		len = roller_chunker_next(&report->chunker, dev->chunk_buf,
					  chunk_max(dev));
		if (len)
			model_dev_notify(dev, MODEL_CHAR_RECORD_TRANSFER,
					  dev->chunk_buf, len);
		budget--;
		if (report->chunker.done || len == 0) {
			report->sending = false;
			report->sent++;
		}
	}
}

void
model_dev_report_pump(struct model_device *dev, uint32_t now_ms)
{
	struct model_report_procedure *report = &dev->report;

	while (report->active &&
	       !roller_time_before(now_ms, interval_start_ms(report,
							    report->intervals_done))) {
		report->intervals_done++;
		send_interval(dev);
	}
}

void
model_dev_report_cancel(struct model_device *dev)
{
	dev->report.active = false;
}

static enum model_att_error
start_report(struct model_device *dev, const struct roller_cp_request *req,
	     uint32_t now_ms)
{
	struct model_report_procedure *report = &dev->report;

	if (!dev->subscribed[MODEL_CHAR_RECORD_TRANSFER])
		return MODEL_ATT_CCCD_IMPROPER;
	if (!model_store_count_matching(&dev->store, req->u.records.op,
					 req->u.records.id)) {
		respond(dev, req->opcode, ROLLER_CP_NO_RECORDS, 0);
		return MODEL_ATT_OK;
	}
	memset(report, 0, sizeof(*report));
	report->active = true;
	report->op = req->u.records.op;
	report->operand = req->u.records.id;
	report->candidates_left = dev->store.count;
	report->start_ms = now_ms;
	model_dev_status_changed(dev);
	return MODEL_ATT_OK;
}

static void
abort_procedure(struct model_device *dev)
{
	if (dev->report.active)
		finish_report(dev, ROLLER_CP_ABORTED);
	respond(dev, ROLLER_CP_ABORT, ROLLER_CP_SUCCESS, 0);
}

static void
delete_records(struct model_device *dev, const struct roller_cp_request *req)
{
	uint16_t n = model_store_delete_matching(&dev->store, req->u.records.op,
						  req->u.records.id);

	model_dev_status_changed(dev);
	respond(dev, req->opcode, n ? ROLLER_CP_SUCCESS : ROLLER_CP_NO_RECORDS, n);
}

static void
set_force_band(struct model_device *dev, const struct roller_cp_request *req)
{
	if (dev->in_session) {
		respond(dev, req->opcode, ROLLER_CP_FAILED, 0);
		return;
	}
	dev->info.force_band_low_cN = req->u.band.low_cN;
	dev->info.force_band_high_cN = req->u.band.high_cN;
	respond(dev, req->opcode, ROLLER_CP_SUCCESS, 0);
}

static enum model_att_error
dispatch(struct model_device *dev, const struct roller_cp_request *req,
	 uint32_t now_ms)
{
	enum roller_cp_result result;
	uint16_t id = 0;

	switch (req->opcode) {
	case ROLLER_CP_START_SESSION:
		result = model_dev_start_session(dev, req->u.area_id, now_ms, &id);
		respond(dev, req->opcode, result, id);
		break;
	case ROLLER_CP_STOP_SESSION:
		result = model_dev_stop_session(dev, now_ms, &id);
		respond(dev, req->opcode, result, id);
		break;
	case ROLLER_CP_SET_TIME:
		dev->clock_offset_ms = (int64_t)req->u.unix_seconds * 1000 - now_ms;
		dev->clock_set = true;
		model_dev_status_changed(dev);
		respond(dev, req->opcode, ROLLER_CP_SUCCESS, 0);
		break;
	case ROLLER_CP_SET_FORCE_BAND:
		set_force_band(dev, req);
		break;
	case ROLLER_CP_IDENTIFY:
		/* The buzzer runs on its own; nothing else changes. */
		dev->identify_until_ms = now_ms + req->u.seconds * 1000u;
		respond(dev, req->opcode, ROLLER_CP_SUCCESS, 0);
		break;
	case ROLLER_CP_REPORT_RECORDS:
		return start_report(dev, req, now_ms);
	case ROLLER_CP_DELETE_RECORDS:
		delete_records(dev, req);
		break;
	case ROLLER_CP_ABORT:
		abort_procedure(dev);
		break;
	case ROLLER_CP_REPORT_NUMBER:
		respond(dev, req->opcode, ROLLER_CP_SUCCESS,
			model_store_count_matching(&dev->store, req->u.records.op,
						    req->u.records.id));
		break;
	default:
		respond(dev, req->opcode, ROLLER_CP_NOT_SUPPORTED, 0);
		break;
	}
	return MODEL_ATT_OK;
}

enum model_att_error
model_dev_control_check(const struct model_device *dev, enum model_char_id ch,
			size_t len)
{
	if (ch != MODEL_CHAR_CONTROL_POINT)
		return MODEL_ATT_WRITE_NOT_PERMITTED;
	if (len > MODEL_ATT_VALUE_MAX)
		return MODEL_ATT_INVALID_VALUE_LEN;
	if (!dev->subscribed[MODEL_CHAR_CONTROL_POINT])
		return MODEL_ATT_CCCD_IMPROPER;
	return MODEL_ATT_OK;
}

enum model_att_error
model_dev_control_write(struct model_device *dev, const uint8_t *data,
			size_t len, uint32_t now_ms)
{
	struct roller_cp_request req;
	enum roller_cp_result result;
	uint8_t opcode = len ? data[0] : 0;

	result = roller_cp_request_decode(data, len, dev->info.force_full_scale_cN,
					  &req);
	if (result == ROLLER_CP_NOT_SUPPORTED) {
		respond(dev, opcode, result, 0);
		return MODEL_ATT_OK;
	}
	if (dev->report.active && opcode != ROLLER_CP_ABORT) {
		respond(dev, opcode, ROLLER_CP_BUSY, 0);
		return MODEL_ATT_OK;
	}
	if (result != ROLLER_CP_SUCCESS) {
		respond(dev, opcode, result, 0);
		return MODEL_ATT_OK;
	}
	return dispatch(dev, &req, now_ms);
}
