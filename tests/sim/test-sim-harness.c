/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "roller-record.h"
#include "test-sim-harness.h"

static void
on_notify(void *user, enum model_char_id ch, const uint8_t *data, size_t len)
{
	struct sim_rig *rig = user;
	struct sim_note *note;

	assert_true(len <= MODEL_ATT_VALUE_MAX);
	if (rig->n_notes == rig->cap_notes) {
		rig->cap_notes = rig->cap_notes ? 2 * rig->cap_notes : 256;
		rig->notes = realloc(rig->notes, rig->cap_notes * sizeof(*rig->notes));
		assert_non_null(rig->notes);
	}
	note = &rig->notes[rig->n_notes++];
	note->ch = ch;
	note->at_ms = rig->now;
	note->len = len;
	note->data = malloc(len ? len : 1);
	assert_non_null(note->data);
	memcpy(note->data, data, len);
}

static void
on_record_stored(void *user, const uint8_t *record, size_t len)
{
	struct sim_rig *rig = user;

	rig->stored = realloc(rig->stored, (rig->n_stored + 1) * sizeof(*rig->stored));
	rig->stored_len = realloc(rig->stored_len,
				  (rig->n_stored + 1) * sizeof(*rig->stored_len));
	assert_non_null(rig->stored);
	assert_non_null(rig->stored_len);
	rig->stored[rig->n_stored] = malloc(len);
	assert_non_null(rig->stored[rig->n_stored]);
	memcpy(rig->stored[rig->n_stored], record, len);
	rig->stored_len[rig->n_stored++] = len;
}

void
sim_rig_config(struct model_device_config *cfg, uint32_t seed)
{
	model_device_config_defaults(cfg);
	cfg->seed = seed;
}

void
sim_rig_init(struct sim_rig *rig, const struct model_device_config *cfg,
	     size_t store_size)
{
	struct model_device_io io = {
		.notify = on_notify, .record_stored = on_record_stored, .user = rig,
	};

	memset(rig, 0, sizeof(*rig));
	rig->cfg = *cfg;
	rig->store_size = store_size ? store_size :
			  (size_t)cfg->info.record_capacity * ROLLER_RECORD_MAX_LEN;
	rig->store = malloc(rig->store_size);
	rig->dev = malloc(model_device_size());
	assert_non_null(rig->store);
	assert_non_null(rig->dev);
	model_device_init(rig->dev, cfg, rig->store, rig->store_size, &io);
}

void
sim_rig_forget_notes(struct sim_rig *rig)
{
	for (size_t i = 0; i < rig->n_notes; i++)
		free(rig->notes[i].data);
	rig->n_notes = 0;
}

void
sim_rig_free(struct sim_rig *rig)
{
	sim_rig_forget_notes(rig);
	free(rig->notes);
	for (size_t i = 0; i < rig->n_stored; i++)
		free(rig->stored[i]);
	free(rig->stored);
	free(rig->stored_len);
	free(rig->dev);
	free(rig->store);
	memset(rig, 0, sizeof(*rig));
}

void
sim_rig_connect(struct sim_rig *rig, uint16_t mtu)
{
	static const enum model_char_id subscribable[] = {
		MODEL_CHAR_TELEMETRY, MODEL_CHAR_CONTROL_POINT,
		MODEL_CHAR_RECORD_TRANSFER, MODEL_CHAR_STATUS,
		MODEL_CHAR_BATTERY_LEVEL,
	};

	model_device_connect(rig->dev, mtu, rig->now);
	for (size_t i = 0; i < sizeof(subscribable) / sizeof(subscribable[0]); i++)
		model_device_subscribe(rig->dev, subscribable[i], true);
}

void
sim_rig_up(struct sim_rig *rig, uint32_t seed, uint16_t mtu)
{
	struct model_device_config cfg;

	sim_rig_config(&cfg, seed);
	sim_rig_init(rig, &cfg, 0);
	sim_rig_connect(rig, mtu);
}

struct roller_cp_request
sim_request(uint8_t opcode)
{
	return (struct roller_cp_request) { .opcode = opcode };
}

struct roller_cp_request
sim_records_request(uint8_t opcode, uint8_t op, uint16_t id)
{
	struct roller_cp_request req = { .opcode = opcode };

	req.u.records.op = op;
	req.u.records.id = id;
	return req;
}

void
sim_rig_run_to(struct sim_rig *rig, uint32_t until)
{
	for (;;) {
		uint32_t next = model_device_advance(rig->dev, rig->now);

		/* Whatever was due by now has happened. */
		assert_true(next > rig->now);
		if (next > until)
			break;
		rig->now = next;
	}
	rig->now = until;
	model_device_advance(rig->dev, rig->now);
}

void
sim_rig_step_to(struct sim_rig *rig, uint32_t until, uint32_t step)
{
	while (rig->now < until) {
		rig->now = until - rig->now > step ? rig->now + step : until;
		model_device_advance(rig->dev, rig->now);
	}
}

enum model_att_error
sim_rig_write(struct sim_rig *rig, const uint8_t *req, size_t len)
{
	return model_device_write(rig->dev, MODEL_CHAR_CONTROL_POINT, req, len,
				   rig->now);
}

enum model_att_error
sim_rig_request(struct sim_rig *rig, const struct roller_cp_request *req)
{
	uint8_t buf[ROLLER_CP_REQUEST_MAX_LEN];
	size_t len = roller_cp_request_encode(req, buf, sizeof(buf));

	assert_true(len > 0);
	return sim_rig_write(rig, buf, len);
}

void
sim_rig_expect(struct sim_rig *rig, const struct roller_cp_request *req,
	       uint8_t result, uint16_t value)
{
	size_t before = sim_rig_count(rig, MODEL_CHAR_CONTROL_POINT);
	struct roller_cp_response rsp;

	assert_int_equal(sim_rig_request(rig, req), MODEL_ATT_OK);
	assert_int_equal(sim_rig_count(rig, MODEL_CHAR_CONTROL_POINT), before + 1);
	assert_true(sim_rig_last_response(rig, &rsp));
	assert_int_equal(rsp.request_opcode, req->opcode);
	assert_int_equal(rsp.result, result);
	if (result == ROLLER_CP_SUCCESS && roller_cp_opcode_has_value(req->opcode)) {
		assert_true(rsp.has_value);
		assert_int_equal(rsp.value, value);
	}
}

bool
sim_rig_last_response(const struct sim_rig *rig, struct roller_cp_response *rsp)
{
	for (size_t i = rig->n_notes; i-- > 0;) {
		if (rig->notes[i].ch != MODEL_CHAR_CONTROL_POINT)
			continue;
		assert_int_equal(roller_cp_response_decode(rig->notes[i].data,
							   rig->notes[i].len, rsp),
				 ROLLER_OK);
		return true;
	}
	return false;
}

size_t
sim_rig_count(const struct sim_rig *rig, enum model_char_id ch)
{
	size_t n = 0;

	for (size_t i = 0; i < rig->n_notes; i++)
		n += rig->notes[i].ch == ch;
	return n;
}

void
sim_rig_status(const struct sim_rig *rig, struct roller_status *status)
{
	uint8_t buf[ROLLER_STATUS_LEN];
	size_t len = 0;

	assert_int_equal(model_device_read(rig->dev, MODEL_CHAR_STATUS, 0, buf,
					    sizeof(buf), &len), MODEL_ATT_OK);
	assert_int_equal(roller_status_decode(buf, len, status), ROLLER_OK);
}

uint16_t
sim_rig_session(struct sim_rig *rig, uint32_t ms)
{
	struct roller_cp_request start = sim_request(ROLLER_CP_START_SESSION);
	struct roller_cp_request stop = sim_request(ROLLER_CP_STOP_SESSION);
	struct roller_cp_response rsp;

	assert_int_equal(sim_rig_request(rig, &start), MODEL_ATT_OK);
	assert_true(sim_rig_last_response(rig, &rsp));
	assert_int_equal(rsp.result, ROLLER_CP_SUCCESS);
	sim_rig_run_to(rig, rig->now + ms);
	sim_rig_expect(rig, &stop, ROLLER_CP_SUCCESS, rsp.value);
	return rsp.value;
}
