/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The simulated roller's stored records as a central sees them:
 * REPORT_NUMBER and DELETE_RECORDS with each operator, REPORT_RECORDS
 * paced per connection interval and reassembled, BUSY and ABORT, a full
 * store, session ids, save/load with corrupted states refused, and the
 * preloaded history.
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
test_number_and_delete(void **state)
{
	struct roller_cp_request req;
	struct roller_status st;
	struct sim_rig rig;

	sim_rig_up(&rig, 11, SIM_MTU_LARGE);
	model_device_preload_sessions(rig.dev, 10);
	req = sim_records_request(ROLLER_CP_REPORT_NUMBER, ROLLER_CP_OP_ALL, 0);
	sim_rig_expect(&rig, &req, ROLLER_CP_SUCCESS, 10);
	req = sim_records_request(ROLLER_CP_REPORT_NUMBER, ROLLER_CP_OP_LE, 3);
	sim_rig_expect(&rig, &req, ROLLER_CP_SUCCESS, 3);
	req = sim_records_request(ROLLER_CP_REPORT_NUMBER, ROLLER_CP_OP_GE, 8);
	sim_rig_expect(&rig, &req, ROLLER_CP_SUCCESS, 3);
	req = sim_records_request(ROLLER_CP_REPORT_NUMBER, ROLLER_CP_OP_GE, 11);
	sim_rig_expect(&rig, &req, ROLLER_CP_SUCCESS, 0);

	req = sim_records_request(ROLLER_CP_DELETE_RECORDS, ROLLER_CP_OP_LE, 3);
	sim_rig_expect(&rig, &req, ROLLER_CP_SUCCESS, 3);
	sim_rig_expect(&rig, &req, ROLLER_CP_NO_RECORDS, 0);
	req = sim_records_request(ROLLER_CP_REPORT_RECORDS, ROLLER_CP_OP_LE, 3);
	sim_rig_expect(&rig, &req, ROLLER_CP_NO_RECORDS, 0);
	req = sim_records_request(ROLLER_CP_REPORT_NUMBER, ROLLER_CP_OP_ALL, 0);
	sim_rig_expect(&rig, &req, ROLLER_CP_SUCCESS, 7);
	sim_rig_status(&rig, &st);
	assert_int_equal(st.stored_records, 7);
	assert_int_equal(st.last_record_id, 10);

	req = sim_records_request(ROLLER_CP_DELETE_RECORDS, ROLLER_CP_OP_GE, 10);
	sim_rig_expect(&rig, &req, ROLLER_CP_SUCCESS, 1);
	sim_rig_status(&rig, &st);
	assert_int_equal(st.last_record_id, 9);
	req = sim_records_request(ROLLER_CP_DELETE_RECORDS, ROLLER_CP_OP_ALL, 0);
	sim_rig_expect(&rig, &req, ROLLER_CP_SUCCESS, 6);
	sim_rig_status(&rig, &st);
	assert_int_equal(st.stored_records, 0);
	assert_int_equal(st.last_record_id, 0);
	sim_rig_free(&rig);
}

/* Reassembles every Record Transfer chunk; returns the records completed. */
static size_t
reassemble(const struct sim_rig *rig, uint16_t *ids, size_t max_ids,
	   size_t *last_chunk_note)
{
	static uint8_t buf[ROLLER_RECORD_MAX_LEN];
	struct roller_reassembler r;
	size_t n = 0;

	roller_reassembler_init(&r, buf);
	for (size_t i = 0; i < rig->n_notes; i++) {
		struct roller_stored_record rec;
		bool complete;

		if (rig->notes[i].ch != MODEL_CHAR_RECORD_TRANSFER)
			continue;
		assert_true(rig->notes[i].len <= SIM_MTU_SMALL - 3u);
		assert_int_equal(roller_reassembler_feed(&r, rig->notes[i].data,
							 rig->notes[i].len,
							 &complete, &rec), ROLLER_OK);
		*last_chunk_note = i;
		if (!complete)
			continue;
		assert_true(n < max_ids);
		/* The very bytes the roller stored. */
		assert_int_equal(r.len, rig->stored_len[rec.record_id - 1]);
		assert_memory_equal(buf, rig->stored[rec.record_id - 1], r.len);
		ids[n++] = rec.record_id;
	}
	return n;
}

static void
test_report_records(void **state)
{
	struct roller_cp_request req = sim_records_request(ROLLER_CP_REPORT_RECORDS,
						       ROLLER_CP_OP_GE, 3);
	struct roller_cp_response rsp;
	struct roller_status st;
	struct sim_rig rig;
	uint16_t ids[8];
	size_t last_chunk = 0, n;

	sim_rig_up(&rig, 13, SIM_MTU_SMALL);
	model_device_preload_sessions(rig.dev, 6);
	rig.now = 1000;
	sim_rig_forget_notes(&rig);
	assert_int_equal(sim_rig_request(&rig, &req), MODEL_ATT_OK);
	assert_int_equal(sim_rig_count(&rig, MODEL_CHAR_RECORD_TRANSFER), 0);
	sim_rig_status(&rig, &st);
	assert_int_equal(st.state, ROLLER_STATE_TRANSFERRING);

	/* Four chunks per 7.5 ms interval, from the request on. */
	model_device_advance(rig.dev, 1000);
	assert_int_equal(sim_rig_count(&rig, MODEL_CHAR_RECORD_TRANSFER), 4);
	model_device_advance(rig.dev, 1007);
	assert_int_equal(sim_rig_count(&rig, MODEL_CHAR_RECORD_TRANSFER), 4);
	model_device_advance(rig.dev, 1008);
	assert_int_equal(sim_rig_count(&rig, MODEL_CHAR_RECORD_TRANSFER), 8);
	model_device_advance(rig.dev, 1015);
	assert_int_equal(sim_rig_count(&rig, MODEL_CHAR_RECORD_TRANSFER), 12);
	assert_int_equal(sim_rig_count(&rig, MODEL_CHAR_CONTROL_POINT), 0);

	sim_rig_run_to(&rig, 60000);
	n = reassemble(&rig, ids, 8, &last_chunk);
	assert_int_equal(n, 4);
	for (size_t i = 0; i < n; i++)
		assert_int_equal(ids[i], 3 + i);
	assert_int_equal(sim_rig_count(&rig, MODEL_CHAR_CONTROL_POINT), 1);
	assert_true(sim_rig_last_response(&rig, &rsp));
	assert_int_equal(rsp.request_opcode, ROLLER_CP_REPORT_RECORDS);
	assert_int_equal(rsp.result, ROLLER_CP_SUCCESS);
	assert_int_equal(rsp.value, 4);
	for (size_t i = 0; i < rig.n_notes; i++)
		if (rig.notes[i].ch == MODEL_CHAR_CONTROL_POINT)
			assert_true(i > last_chunk);
	sim_rig_status(&rig, &st);
	assert_int_equal(st.state, ROLLER_STATE_IDLE);
	assert_int_equal(st.stored_records, 6);	/* reporting deletes nothing */
	sim_rig_free(&rig);
}

static void
test_busy_and_abort(void **state)
{
	struct roller_cp_request report = sim_records_request(ROLLER_CP_REPORT_RECORDS,
							  ROLLER_CP_OP_ALL, 0);
	struct roller_cp_request number = sim_records_request(ROLLER_CP_REPORT_NUMBER,
							  ROLLER_CP_OP_ALL, 0);
	struct roller_cp_request del = sim_records_request(ROLLER_CP_DELETE_RECORDS,
						       ROLLER_CP_OP_ALL, 0);
	struct roller_cp_request start = sim_request(ROLLER_CP_START_SESSION);
	struct roller_cp_request abort_req = sim_request(ROLLER_CP_ABORT);
	struct roller_cp_response rsp;
	struct roller_status st;
	struct sim_rig rig;
	size_t chunks, cp;
	uint8_t unknown = 0x42;

	sim_rig_up(&rig, 17, SIM_MTU_SMALL);
	model_device_preload_sessions(rig.dev, 4);
	sim_rig_expect(&rig, &abort_req, ROLLER_CP_SUCCESS, 0);	/* nothing to abort */
	assert_int_equal(sim_rig_request(&rig, &report), MODEL_ATT_OK);
	sim_rig_run_to(&rig, rig.now + 20);

	sim_rig_expect(&rig, &report, ROLLER_CP_BUSY, 0);
	sim_rig_expect(&rig, &number, ROLLER_CP_BUSY, 0);
	sim_rig_expect(&rig, &start, ROLLER_CP_BUSY, 0);
	sim_rig_expect(&rig, &del, ROLLER_CP_BUSY, 0);
	assert_int_equal(sim_rig_write(&rig, &unknown, 1), MODEL_ATT_OK);
	assert_true(sim_rig_last_response(&rig, &rsp));
	assert_int_equal(rsp.result, ROLLER_CP_NOT_SUPPORTED);

	/* ABORT: the report is answered ABORTED, then ABORT itself. */
	cp = sim_rig_count(&rig, MODEL_CHAR_CONTROL_POINT);
	assert_int_equal(sim_rig_request(&rig, &abort_req), MODEL_ATT_OK);
	assert_int_equal(sim_rig_count(&rig, MODEL_CHAR_CONTROL_POINT), cp + 2);
	for (size_t i = rig.n_notes, seen = 0; i-- > 0 && seen < 2;) {
		if (rig.notes[i].ch != MODEL_CHAR_CONTROL_POINT)
			continue;
		assert_int_equal(roller_cp_response_decode(rig.notes[i].data,
							   rig.notes[i].len, &rsp),
				 ROLLER_OK);
		assert_int_equal(rsp.request_opcode, seen ? ROLLER_CP_REPORT_RECORDS :
							   ROLLER_CP_ABORT);
		assert_int_equal(rsp.result, seen ? ROLLER_CP_ABORTED : ROLLER_CP_SUCCESS);
		assert_false(rsp.has_value);
		seen++;
	}
	chunks = sim_rig_count(&rig, MODEL_CHAR_RECORD_TRANSFER);
	assert_true(chunks > 0);
	sim_rig_run_to(&rig, rig.now + 5000);
	assert_int_equal(sim_rig_count(&rig, MODEL_CHAR_RECORD_TRANSFER), chunks);
	sim_rig_status(&rig, &st);
	assert_int_equal(st.state, ROLLER_STATE_IDLE);
	assert_int_equal(st.stored_records, 4);
	sim_rig_expect(&rig, &number, ROLLER_CP_SUCCESS, 4);

	/* A lost link ends a transfer without an answer. */
	assert_int_equal(sim_rig_request(&rig, &report), MODEL_ATT_OK);
	sim_rig_run_to(&rig, rig.now + 10);
	cp = sim_rig_count(&rig, MODEL_CHAR_CONTROL_POINT);
	model_device_disconnect(rig.dev, rig.now);
	sim_rig_status(&rig, &st);
	assert_int_equal(st.state, ROLLER_STATE_IDLE);
	sim_rig_connect(&rig, SIM_MTU_SMALL);
	sim_rig_run_to(&rig, rig.now + 5000);
	assert_int_equal(sim_rig_count(&rig, MODEL_CHAR_CONTROL_POINT), cp);
	sim_rig_free(&rig);
}

/*
 * A central gone with the link kept up (its process killed; bluetoothd
 * holds the link and drops its subscriptions): its REPORT_RECORDS runs
 * on unseen, the next central is answered BUSY until its ABORT, which
 * ends the orphan as any other, and no record is lost.
 */
static void
test_abort_orphaned_report(void **state)
{
	struct roller_cp_request report = sim_records_request(ROLLER_CP_REPORT_RECORDS,
							  ROLLER_CP_OP_ALL, 0);
	struct roller_cp_request number = sim_records_request(ROLLER_CP_REPORT_NUMBER,
							  ROLLER_CP_OP_ALL, 0);
	struct roller_cp_request set_time = sim_request(ROLLER_CP_SET_TIME);
	struct roller_cp_request abort_req = sim_request(ROLLER_CP_ABORT);
	struct roller_cp_response rsp;
	struct roller_status st;
	struct sim_rig rig;
	size_t cp;

	sim_rig_up(&rig, 23, SIM_MTU_SMALL);
	model_device_preload_sessions(rig.dev, 5);
	assert_int_equal(sim_rig_request(&rig, &report), MODEL_ATT_OK);
	sim_rig_run_to(&rig, rig.now + 20);
	for (int ch = 0; ch < MODEL_CHAR_COUNT; ch++)
		model_device_subscribe(rig.dev, ch, false);
	sim_rig_run_to(&rig, rig.now + 20);
	sim_rig_status(&rig, &st);
	assert_int_equal(st.state, ROLLER_STATE_TRANSFERRING);

	/* The next central subscribes on the same link. */
	for (int ch = 0; ch < MODEL_CHAR_COUNT; ch++)
		model_device_subscribe(rig.dev, ch, true);
	sim_rig_expect(&rig, &set_time, ROLLER_CP_BUSY, 0);
	sim_rig_expect(&rig, &number, ROLLER_CP_BUSY, 0);
	cp = sim_rig_count(&rig, MODEL_CHAR_CONTROL_POINT);
	assert_int_equal(sim_rig_request(&rig, &abort_req), MODEL_ATT_OK);
	assert_int_equal(sim_rig_count(&rig, MODEL_CHAR_CONTROL_POINT), cp + 2);
	assert_true(sim_rig_last_response(&rig, &rsp));
	assert_int_equal(rsp.request_opcode, ROLLER_CP_ABORT);
	assert_int_equal(rsp.result, ROLLER_CP_SUCCESS);
	sim_rig_status(&rig, &st);
	assert_int_equal(st.state, ROLLER_STATE_IDLE);
	sim_rig_expect(&rig, &set_time, ROLLER_CP_SUCCESS, 0);
	sim_rig_expect(&rig, &number, ROLLER_CP_SUCCESS, 5);
	sim_rig_free(&rig);
}

/* A report may run while someone rolls; the session's record, stored
 * meanwhile, is not part of it. */
static void
test_report_during_session(void **state)
{
	struct roller_cp_request report = sim_records_request(ROLLER_CP_REPORT_RECORDS,
							      ROLLER_CP_OP_ALL, 0);
	struct roller_cp_request stop = sim_request(ROLLER_CP_STOP_SESSION);
	struct roller_cp_response rsp;
	struct roller_status st;
	struct sim_rig rig;
	uint16_t ids[32];
	size_t last_chunk = 0;

	sim_rig_up(&rig, 53, SIM_MTU_SMALL);
	model_device_preload_sessions(rig.dev, 20);
	model_device_press_button(rig.dev, rig.now);
	sim_rig_run_to(&rig, 3000);
	assert_int_equal(sim_rig_request(&rig, &report), MODEL_ATT_OK);
	sim_rig_run_to(&rig, 3100);
	sim_rig_status(&rig, &st);
	assert_int_equal(st.state, ROLLER_STATE_SESSION);	/* the session shows */
	sim_rig_expect(&rig, &stop, ROLLER_CP_BUSY, 0);
	model_device_press_button(rig.dev, rig.now);	/* the button works */
	assert_int_equal(rig.n_stored, 21);
	sim_rig_status(&rig, &st);
	assert_int_equal(st.state, ROLLER_STATE_TRANSFERRING);
	sim_rig_run_to(&rig, 20000);

	assert_int_equal(reassemble(&rig, ids, 32, &last_chunk), 20);
	assert_true(sim_rig_last_response(&rig, &rsp));
	assert_int_equal(rsp.request_opcode, ROLLER_CP_REPORT_RECORDS);
	assert_int_equal(rsp.value, 20);
	sim_rig_free(&rig);
}

static void
test_storage_full(void **state)
{
	struct model_device_config cfg;
	struct roller_cp_request start = sim_request(ROLLER_CP_START_SESSION);
	struct roller_cp_request del = sim_records_request(ROLLER_CP_DELETE_RECORDS,
						       ROLLER_CP_OP_LE, 1);
	struct roller_status st;
	struct roller_info info;
	struct sim_rig rig;

	/* An arena for three records of the largest size: capacity 3. */
	sim_rig_config(&cfg, 19);
	sim_rig_init(&rig, &cfg, 3 * (2 + model_session_record_max(10, 8)) + 100);
	sim_rig_connect(&rig, SIM_MTU_LARGE);
	model_device_get_info(rig.dev, &info);
	assert_int_equal(info.record_capacity, 3);
	model_device_preload_sessions(rig.dev, 5);
	sim_rig_status(&rig, &st);
	assert_int_equal(st.stored_records, 3);
	assert_true(st.flags & ROLLER_STATUS_STORAGE_FULL);
	sim_rig_expect(&rig, &start, ROLLER_CP_FAILED, 0);
	model_device_press_button(rig.dev, rig.now);
	sim_rig_status(&rig, &st);
	assert_int_equal(st.state, ROLLER_STATE_IDLE);

	sim_rig_expect(&rig, &del, ROLLER_CP_SUCCESS, 1);
	sim_rig_status(&rig, &st);
	assert_false(st.flags & ROLLER_STATUS_STORAGE_FULL);
	sim_rig_expect(&rig, &start, ROLLER_CP_SUCCESS, 4);
	sim_rig_free(&rig);
}

/* Rewrites the saved state's next session id and its CRC. */
static void
patch_next_id(uint8_t *blob, size_t len, uint16_t id)
{
	roller_put_le16(blob + 16, id);
	roller_put_le32(blob + len - 4, roller_crc32(ROLLER_CRC32_INIT, blob, len - 4));
}

static void
test_save_load(void **state)
{
	struct roller_cp_request set_time = sim_request(ROLLER_CP_SET_TIME);
	struct roller_cp_request del;
	struct roller_status a, b;
	struct sim_rig rig, copy;
	uint8_t *blob, *again;
	size_t len;

	sim_rig_up(&rig, 29, SIM_MTU_LARGE);
	set_time.u.unix_seconds = 1710000000u;
	sim_rig_expect(&rig, &set_time, ROLLER_CP_SUCCESS, 0);
	model_device_preload_sessions(rig.dev, 20);
	len = model_device_save(rig.dev, NULL, 0);
	assert_int_equal(model_device_save(rig.dev, NULL, 0), len);
	blob = malloc(len);
	again = malloc(len);
	assert_int_equal(model_device_save(rig.dev, blob, len - 1), len);
	assert_int_equal(model_device_save(rig.dev, blob, len), len);

	sim_rig_up(&copy, 29, SIM_MTU_LARGE);
	assert_true(model_device_load(copy.dev, blob, len));
	assert_int_equal(model_device_save(copy.dev, again, len), len);
	assert_memory_equal(blob, again, len);
	sim_rig_status(&rig, &a);
	sim_rig_status(&copy, &b);
	assert_memory_equal(&a, &b, sizeof(a));
	assert_int_equal(b.stored_records, 20);
	assert_true(b.flags & ROLLER_STATUS_CLOCK_SET);

	/* Corruption anywhere, truncation, trailing bytes: refused. */
	for (size_t i = 0; i < len; i += 97) {
		memcpy(again, blob, len);
		again[i] ^= 0x10;
		assert_false(model_device_load(copy.dev, again, len));
	}
	assert_false(model_device_load(copy.dev, blob, len - 1));
	assert_false(model_device_load(copy.dev, blob, 10));
	assert_false(model_device_load(copy.dev, NULL, 0));
	memcpy(again, blob, len);
	roller_put_le16(again + 4, 2);	/* a version from the future */
	roller_put_le32(again + len - 4, roller_crc32(ROLLER_CRC32_INIT, again, len - 4));
	assert_false(model_device_load(copy.dev, again, len));
	sim_rig_status(&copy, &b);
	assert_memory_equal(&a, &b, sizeof(a));	/* refusals change nothing */

	/* Ids skip 0 and those still stored. */
	memcpy(again, blob, len);
	patch_next_id(again, len, 0xffff);
	assert_true(model_device_load(copy.dev, again, len));
	assert_int_equal(sim_rig_session(&copy, 3000), 0xffff);
	assert_int_equal(sim_rig_session(&copy, 3000), 21);
	del = sim_records_request(ROLLER_CP_DELETE_RECORDS, ROLLER_CP_OP_LE, 2);
	sim_rig_expect(&copy, &del, ROLLER_CP_SUCCESS, 2);
	patch_next_id(again, len, 1);
	model_device_press_button(copy.dev, copy.now);
	assert_false(model_device_load(copy.dev, again, len));	/* mid-session */
	sim_rig_free(&copy);
	sim_rig_free(&rig);
	free(blob);
	free(again);
}

static void
test_preload_history(void **state)
{
	struct roller_cp_request set_time = sim_request(ROLLER_CP_SET_TIME);
	uint32_t now_unix = 1720000000u, prev_start = 0;
	struct roller_status st;
	struct sim_rig rig;

	sim_rig_up(&rig, 37, SIM_MTU_LARGE);
	set_time.u.unix_seconds = now_unix;
	sim_rig_expect(&rig, &set_time, ROLLER_CP_SUCCESS, 0);
	model_device_preload_sessions(rig.dev, 300);
	assert_int_equal(rig.n_stored, 300);
	sim_rig_status(&rig, &st);
	assert_int_equal(st.stored_records, 300);
	assert_int_equal(st.last_record_id, 300);
	for (size_t i = 0; i < rig.n_stored; i++) {
		struct roller_stored_record rec;

		assert_int_equal(roller_stored_record_decode(rig.stored[i],
							     rig.stored_len[i], &rec),
				 ROLLER_OK);
		assert_int_equal(rec.record_id, i + 1);
		assert_true(rec.start_unix > prev_start + 3 * 3600 - 1);
		assert_true(rec.start_unix + rec.duration_ms / 1000 < now_unix);
		assert_true(rec.duration_ms >= 30000 && rec.duration_ms < 100000);
		assert_true(rec.roll_count > 10);
		assert_true(rec.force_mean_cN > 0);
		prev_start = rec.start_unix;
	}
	/* Spread over weeks, not minutes. */
	assert_true(now_unix - roller_get_le32(rig.stored[0] + 2) > 14 * 86400u);
	/* The next live session goes on from there. */
	assert_int_equal(sim_rig_session(&rig, 2000), 301);
	sim_rig_free(&rig);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_number_and_delete),
		cmocka_unit_test(test_report_records),
		cmocka_unit_test(test_busy_and_abort),
		cmocka_unit_test(test_abort_orphaned_report),
		cmocka_unit_test(test_report_during_session),
		cmocka_unit_test(test_storage_full),
		cmocka_unit_test(test_save_load),
		cmocka_unit_test(test_preload_history),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
