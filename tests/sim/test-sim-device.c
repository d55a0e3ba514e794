/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The simulated roller as a central sees it: reads, the state machine,
 * the session opcodes and every kind of bad request, SET_TIME and
 * SET_FORCE_BAND, the battery, and determinism.  The record opcodes,
 * the transfer, storage and save/load are in test-sim-records.c.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "roller-crc.h"
#include "roller-record.h"
#include "roller-transfer.h"
#include "test-sim-harness.h"

static void
read_value(struct sim_rig *rig, enum model_char_id ch, uint16_t offset,
	   uint8_t *out, size_t cap, size_t *len)
{
	assert_int_equal(model_device_read(rig->dev, ch, offset, out, cap, len),
			 MODEL_ATT_OK);
}

static void
test_reads(void **state)
{
	struct sim_rig rig;
	struct roller_info info;
	struct roller_status st;
	uint8_t buf[64];
	size_t len;

	sim_rig_up(&rig, 7, SIM_MTU_LARGE);
	read_value(&rig, MODEL_CHAR_ROLLER_INFO, 0, buf, sizeof(buf), &len);
	assert_int_equal(roller_info_decode(buf, len, &info), ROLLER_OK);
	assert_int_equal(info.grid_cols, 10);
	assert_int_equal(info.grid_rows, 8);
	assert_int_equal(info.record_capacity, rig.cfg.info.record_capacity);
	assert_int_equal(info.force_band_low_cN, 300);

	sim_rig_status(&rig, &st);
	assert_int_equal(st.state, ROLLER_STATE_IDLE);
	assert_int_equal(st.flags, ROLLER_STATUS_HEAD_ATTACHED);
	assert_int_equal(st.stored_records, 0);
	assert_int_equal(st.last_record_id, 0);

	read_value(&rig, MODEL_CHAR_BATTERY_LEVEL, 0, buf, sizeof(buf), &len);
	assert_int_equal(len, 1);
	assert_int_equal(buf[0], 87);
	read_value(&rig, MODEL_CHAR_MANUFACTURER, 0, buf, sizeof(buf), &len);
	assert_memory_equal(buf, "Roller Labs", len);
	read_value(&rig, MODEL_CHAR_MODEL_NUMBER, 0, buf, sizeof(buf), &len);
	assert_memory_equal(buf, "RL-1", len);
	read_value(&rig, MODEL_CHAR_FIRMWARE_REV, 0, buf, sizeof(buf), &len);
	assert_memory_equal(buf, "1.0.0", len);
	read_value(&rig, MODEL_CHAR_HARDWARE_REV, 0, buf, sizeof(buf), &len);
	assert_memory_equal(buf, "B", len);

	/* Long reads: a blob from an offset, the end, past the end. */
	read_value(&rig, MODEL_CHAR_SERIAL_NUMBER, 0, buf, 3, &len);
	assert_int_equal(len, 3);
	assert_memory_equal(buf, "RL0", 3);
	read_value(&rig, MODEL_CHAR_SERIAL_NUMBER, 3, buf, sizeof(buf), &len);
	assert_int_equal(len, 5);
	assert_memory_equal(buf, "00001", 5);
	read_value(&rig, MODEL_CHAR_SERIAL_NUMBER, 8, buf, sizeof(buf), &len);
	assert_int_equal(len, 0);
	assert_int_equal(model_device_read(rig.dev, MODEL_CHAR_SERIAL_NUMBER, 9,
					    buf, sizeof(buf), &len),
			 MODEL_ATT_INVALID_OFFSET);
	read_value(&rig, MODEL_CHAR_ROLLER_INFO, 10, buf, sizeof(buf), &len);
	assert_int_equal(len, 6);
	assert_int_equal(roller_get_le16(buf), 300);

	assert_int_equal(model_device_read(rig.dev, MODEL_CHAR_TELEMETRY, 0, buf,
					    sizeof(buf), &len),
			 MODEL_ATT_READ_NOT_PERMITTED);
	assert_int_equal(model_device_read(rig.dev, MODEL_CHAR_CONTROL_POINT, 0,
					    buf, sizeof(buf), &len),
			 MODEL_ATT_READ_NOT_PERMITTED);
	assert_int_equal(model_device_write(rig.dev, MODEL_CHAR_ROLLER_INFO, buf, 1, 0),
			 MODEL_ATT_WRITE_NOT_PERMITTED);
	sim_rig_free(&rig);
}

static void
test_control_point_needs_indications(void **state)
{
	struct roller_cp_request req = sim_records_request(ROLLER_CP_REPORT_NUMBER,
						       ROLLER_CP_OP_ALL, 0);
	struct sim_rig rig;

	sim_rig_up(&rig, 7, SIM_MTU_LARGE);
	model_device_subscribe(rig.dev, MODEL_CHAR_CONTROL_POINT, false);
	assert_int_equal(sim_rig_request(&rig, &req), MODEL_ATT_CCCD_IMPROPER);
	assert_int_equal(rig.n_notes, 0);
	model_device_subscribe(rig.dev, MODEL_CHAR_CONTROL_POINT, true);
	sim_rig_expect(&rig, &req, ROLLER_CP_SUCCESS, 0);

	/* Reports need Record Transfer notifications as well. */
	model_device_preload_sessions(rig.dev, 1);
	model_device_subscribe(rig.dev, MODEL_CHAR_RECORD_TRANSFER, false);
	req.opcode = ROLLER_CP_REPORT_RECORDS;
	assert_int_equal(sim_rig_request(&rig, &req), MODEL_ATT_CCCD_IMPROPER);
	sim_rig_free(&rig);
}

static void
test_session_start_stop(void **state)
{
	struct roller_cp_request start = sim_request(ROLLER_CP_START_SESSION);
	struct roller_cp_request stop = sim_request(ROLLER_CP_STOP_SESSION);
	struct roller_stored_record rec;
	struct roller_status st;
	struct sim_rig rig;

	sim_rig_up(&rig, 7, SIM_MTU_LARGE);
	sim_rig_expect(&rig, &stop, ROLLER_CP_FAILED, 0);
	start.u.area_id = 7;
	sim_rig_expect(&rig, &start, ROLLER_CP_SUCCESS, 1);
	sim_rig_status(&rig, &st);
	assert_int_equal(st.state, ROLLER_STATE_SESSION);
	assert_int_equal(st.active_session_id, 1);
	sim_rig_expect(&rig, &start, ROLLER_CP_FAILED, 0);

	sim_rig_run_to(&rig, 20000);
	sim_rig_expect(&rig, &stop, ROLLER_CP_SUCCESS, 1);
	sim_rig_expect(&rig, &stop, ROLLER_CP_FAILED, 0);
	sim_rig_status(&rig, &st);
	assert_int_equal(st.state, ROLLER_STATE_IDLE);
	assert_int_equal(st.active_session_id, 0);
	assert_int_equal(st.stored_records, 1);
	assert_int_equal(st.last_record_id, 1);

	assert_int_equal(rig.n_stored, 1);
	assert_int_equal(roller_stored_record_decode(rig.stored[0], rig.stored_len[0],
						     &rec), ROLLER_OK);
	assert_int_equal(rec.record_id, 1);
	assert_int_equal(rec.area_id, 7);
	assert_int_equal(rec.end_reason, ROLLER_END_USER);
	assert_int_equal(rec.start_unix, 0);	/* clock not set */
	assert_true(rec.duration_ms > 10000 && rec.duration_ms <= 20000);
	assert_true(rec.roll_count > 5);

	/* The button: the next id, then back to idle. */
	model_device_press_button(rig.dev, rig.now);
	sim_rig_status(&rig, &st);
	assert_int_equal(st.active_session_id, 2);
	sim_rig_run_to(&rig, rig.now + 5000);
	model_device_press_button(rig.dev, rig.now);
	sim_rig_status(&rig, &st);
	assert_int_equal(st.state, ROLLER_STATE_IDLE);
	assert_int_equal(st.last_record_id, 2);
	/* Every change was notified: the last Status note is the state now. */
	for (size_t i = rig.n_notes; i-- > 0;) {
		struct roller_status notified;

		if (rig.notes[i].ch != MODEL_CHAR_STATUS)
			continue;
		assert_int_equal(roller_status_decode(rig.notes[i].data,
						      rig.notes[i].len, &notified),
				 ROLLER_OK);
		assert_memory_equal(&notified, &st, sizeof(st));
		break;
	}
	sim_rig_free(&rig);
}

static void
test_request_errors(void **state)
{
	static const struct {
		uint8_t bytes[6];
		size_t len;
		uint8_t result;
	} cases[] = {
		{ { 0 }, 0, ROLLER_CP_NOT_SUPPORTED },
		{ { 0x7f }, 1, ROLLER_CP_NOT_SUPPORTED },
		{ { ROLLER_CP_START_SESSION }, 1, ROLLER_CP_INVALID_PARAM },
		{ { ROLLER_CP_STOP_SESSION, 1 }, 2, ROLLER_CP_INVALID_PARAM },
		{ { ROLLER_CP_IDENTIFY, 0 }, 2, ROLLER_CP_INVALID_PARAM },
		{ { ROLLER_CP_IDENTIFY, 31 }, 2, ROLLER_CP_INVALID_PARAM },
		{ { ROLLER_CP_IDENTIFY, 1 }, 2, ROLLER_CP_SUCCESS },
		{ { ROLLER_CP_IDENTIFY, 30 }, 2, ROLLER_CP_SUCCESS },
		{ { ROLLER_CP_SET_TIME, 1, 2, 3 }, 4, ROLLER_CP_INVALID_PARAM },
		{ { ROLLER_CP_SET_FORCE_BAND, 0x90, 1, 0x90, 1 }, 5, ROLLER_CP_INVALID_PARAM },
		{ { ROLLER_CP_SET_FORCE_BAND, 100, 0, 0xd1, 0x07 }, 5, ROLLER_CP_INVALID_PARAM },
		{ { ROLLER_CP_REPORT_NUMBER, 9 }, 2, ROLLER_CP_INVALID_PARAM },
		{ { ROLLER_CP_REPORT_NUMBER, ROLLER_CP_OP_LE }, 2, ROLLER_CP_INVALID_PARAM },
		{ { ROLLER_CP_DELETE_RECORDS }, 1, ROLLER_CP_INVALID_PARAM },
		{ { ROLLER_CP_ABORT, 0 }, 2, ROLLER_CP_INVALID_PARAM },
		{ { ROLLER_CP_ABORT }, 1, ROLLER_CP_SUCCESS },
	};
	struct roller_cp_response rsp;
	struct sim_rig rig;

	sim_rig_up(&rig, 7, SIM_MTU_LARGE);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		size_t before = sim_rig_count(&rig, MODEL_CHAR_CONTROL_POINT);

		assert_int_equal(sim_rig_write(&rig, cases[i].bytes, cases[i].len),
				 MODEL_ATT_OK);
		assert_int_equal(sim_rig_count(&rig, MODEL_CHAR_CONTROL_POINT), before + 1);
		assert_true(sim_rig_last_response(&rig, &rsp));
		assert_int_equal(rsp.request_opcode, cases[i].len ? cases[i].bytes[0] : 0);
		assert_int_equal(rsp.result, cases[i].result);
	}
	sim_rig_free(&rig);
}

static void
test_set_time_and_force_band(void **state)
{
	struct roller_cp_request set_time = sim_request(ROLLER_CP_SET_TIME);
	struct roller_cp_request band = sim_request(ROLLER_CP_SET_FORCE_BAND);
	struct roller_cp_request start = sim_request(ROLLER_CP_START_SESSION);
	struct roller_stored_record rec;
	struct roller_status st;
	struct roller_info info;
	struct sim_rig rig;

	sim_rig_up(&rig, 9, SIM_MTU_LARGE);
	rig.now = 4000;
	set_time.u.unix_seconds = 1700000000u;
	sim_rig_expect(&rig, &set_time, ROLLER_CP_SUCCESS, 0);
	sim_rig_status(&rig, &st);
	assert_true(st.flags & ROLLER_STATUS_CLOCK_SET);

	band.u.band.low_cN = 400;
	band.u.band.high_cN = 2000;	/* full scale itself is allowed */
	sim_rig_expect(&rig, &band, ROLLER_CP_SUCCESS, 0);
	model_device_get_info(rig.dev, &info);
	assert_int_equal(info.force_band_low_cN, 400);
	assert_int_equal(info.force_band_high_cN, 2000);

	rig.now = 10000;
	sim_rig_expect(&rig, &start, ROLLER_CP_SUCCESS, 1);
	sim_rig_expect(&rig, &band, ROLLER_CP_FAILED, 0);	/* mid-session */
	sim_rig_run_to(&rig, 30000);
	model_device_press_button(rig.dev, rig.now);
	assert_int_equal(roller_stored_record_decode(rig.stored[0], rig.stored_len[0],
						     &rec), ROLLER_OK);
	assert_int_equal(rec.start_unix, 1700000006u);
	sim_rig_free(&rig);
}

static void
test_battery(void **state)
{
	struct roller_cp_request start = sim_request(ROLLER_CP_START_SESSION);
	struct model_device_config cfg;
	struct roller_stored_record rec;
	struct roller_status st;
	struct sim_rig rig;
	bool low_event = false, end_event = false;
	uint8_t last_level = 0;

	sim_rig_config(&cfg, 23);
	cfg.battery_percent = 17;
	cfg.session_seconds = 0;	/* rolls until the battery gives up */
	sim_rig_init(&rig, &cfg, 0);
	sim_rig_connect(&rig, SIM_MTU_LARGE);
	model_device_press_button(rig.dev, 0);
	sim_rig_run_to(&rig, 14 * 90000 + 1000);

	for (size_t i = 0; i < rig.n_notes; i++) {
		struct roller_frame f;
		struct roller_frame_iter it;
		struct roller_record r;

		if (rig.notes[i].ch == MODEL_CHAR_BATTERY_LEVEL)
			last_level = rig.notes[i].data[0];
		if (rig.notes[i].ch != MODEL_CHAR_TELEMETRY)
			continue;
		assert_int_equal(roller_frame_parse(rig.notes[i].data, rig.notes[i].len,
						    &f), ROLLER_OK);
		roller_frame_iter_init(&it, &f);
		while (roller_frame_iter_next(&it, &r)) {
			if (r.type != ROLLER_RECORD_EVENT)
				continue;
			if (r.u.event.code == ROLLER_EVENT_BATTERY_LOW) {
				assert_int_equal(r.u.event.arg, 15);
				assert_int_equal(r.u.event.t_ms, 2 * 90000);
				low_event = true;
			}
			if (r.u.event.code == ROLLER_EVENT_SESSION_END) {
				assert_int_equal(r.u.event.arg, ROLLER_END_BATTERY);
				end_event = true;
			}
		}
	}
	assert_true(low_event);
	assert_true(end_event);
	assert_int_equal(last_level, 3);
	assert_int_equal(roller_stored_record_decode(rig.stored[0], rig.stored_len[0],
						     &rec), ROLLER_OK);
	assert_int_equal(rec.end_reason, ROLLER_END_BATTERY);

	sim_rig_status(&rig, &st);
	assert_int_equal(st.state, ROLLER_STATE_CHARGING);
	assert_true(st.flags & ROLLER_STATUS_BATTERY_LOW);
	sim_rig_expect(&rig, &start, ROLLER_CP_FAILED, 0);
	sim_rig_run_to(&rig, rig.now + 100 * 6000);
	sim_rig_status(&rig, &st);
	assert_int_equal(st.state, ROLLER_STATE_IDLE);
	assert_false(st.flags & ROLLER_STATUS_BATTERY_LOW);
	sim_rig_free(&rig);
}

/* Every notification of a scripted hour, hashed (FNV-1a), with its channel. */
static uint64_t
scripted_run(uint32_t seed, const char *serial)
{
	struct roller_cp_request report = sim_records_request(ROLLER_CP_REPORT_RECORDS,
							  ROLLER_CP_OP_ALL, 0);
	struct model_device_config cfg;
	struct sim_rig rig;
	uint64_t h = 0xcbf29ce484222325ull;

	sim_rig_config(&cfg, seed);
	strcpy(cfg.serial, serial);
	cfg.session_seconds = 40;
	sim_rig_init(&rig, &cfg, 0);
	sim_rig_connect(&rig, 185);
	model_device_preload_sessions(rig.dev, 3);
	sim_rig_session(&rig, 30000);
	model_device_press_button(rig.dev, rig.now);	/* ends by itself */
	sim_rig_run_to(&rig, rig.now + 90000);
	assert_int_equal(sim_rig_request(&rig, &report), MODEL_ATT_OK);
	sim_rig_run_to(&rig, rig.now + 10000);
	assert_int_equal(rig.n_stored, 5);
	for (size_t i = 0; i < rig.n_notes; i++) {
		h = (h ^ rig.notes[i].ch) * 0x100000001b3ull;
		for (size_t j = 0; j < rig.notes[i].len; j++)
			h = (h ^ rig.notes[i].data[j]) * 0x100000001b3ull;
	}
	assert_true(rig.n_notes > 100);
	sim_rig_free(&rig);
	return h;
}

static void
test_determinism(void **state)
{
	uint64_t first = scripted_run(31, "RL0000A1");

	assert_true(first == scripted_run(31, "RL0000A1"));
	assert_true(first != scripted_run(32, "RL0000A1"));
	assert_true(first != scripted_run(31, "RL0000A2"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reads),
		cmocka_unit_test(test_control_point_needs_indications),
		cmocka_unit_test(test_session_start_stop),
		cmocka_unit_test(test_request_errors),
		cmocka_unit_test(test_set_time_and_force_band),
		cmocka_unit_test(test_battery),
		cmocka_unit_test(test_determinism),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
