/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * roller-control: Control Point requests and responses (spec section 5),
 * their exact lengths, the parameter rules the device enforces and the
 * names the tools print.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "roller-control.h"
#include "tests/harness/test-util.h"

static const uint8_t all_opcodes[] = {
	ROLLER_CP_START_SESSION, ROLLER_CP_STOP_SESSION, ROLLER_CP_SET_TIME,
	ROLLER_CP_SET_FORCE_BAND, ROLLER_CP_IDENTIFY, ROLLER_CP_REPORT_RECORDS,
	ROLLER_CP_DELETE_RECORDS, ROLLER_CP_ABORT, ROLLER_CP_REPORT_NUMBER,
};

static const uint8_t records_opcodes[] = {
	ROLLER_CP_REPORT_RECORDS, ROLLER_CP_DELETE_RECORDS, ROLLER_CP_REPORT_NUMBER,
};

#define N_ELEMENTS(a) (sizeof(a) / sizeof((a)[0]))

/* The decoders see exact-size heap copies, so overreads are caught. */
static enum roller_cp_result
decode_request(const uint8_t *buf, size_t len, uint16_t full_scale_cN,
	       struct roller_cp_request *req)
{
	uint8_t *copy = test_memdup_exact(buf, len);
	enum roller_cp_result result = roller_cp_request_decode(copy, len,
								full_scale_cN, req);

	free(copy);
	return result;
}

static enum roller_error
decode_response(const uint8_t *buf, size_t len, struct roller_cp_response *rsp)
{
	uint8_t *copy = test_memdup_exact(buf, len);
	enum roller_error err = roller_cp_response_decode(copy, len, rsp);

	free(copy);
	return err;
}

/* Encodes @req, checks the bytes, decodes them and compares. */
static void
assert_request_round_trip(const struct roller_cp_request *req,
			  const uint8_t *want, size_t want_len)
{
	uint8_t buf[ROLLER_CP_REQUEST_MAX_LEN + 4];
	struct roller_cp_request out;
	size_t len;

	memset(buf, 0xee, sizeof(buf));
	len = roller_cp_request_encode(req, buf, sizeof(buf));
	assert_int_equal(len, want_len);
	assert_memory_equal(buf, want, want_len);
	assert_int_equal(buf[want_len], 0xee);

	/* The capacity is respected: one byte less is refused. */
	assert_int_equal(roller_cp_request_encode(req, buf, want_len - 1), 0);

	memset(&out, 0xa5, sizeof(out));
	assert_int_equal(decode_request(buf, len, 0, &out), ROLLER_CP_SUCCESS);
	assert_int_equal(out.opcode, req->opcode);
	switch (req->opcode) {
	case ROLLER_CP_START_SESSION:
		assert_int_equal(out.u.area_id, req->u.area_id);
		break;
	case ROLLER_CP_SET_TIME:
		assert_int_equal(out.u.unix_seconds, req->u.unix_seconds);
		break;
	case ROLLER_CP_SET_FORCE_BAND:
		assert_int_equal(out.u.band.low_cN, req->u.band.low_cN);
		assert_int_equal(out.u.band.high_cN, req->u.band.high_cN);
		break;
	case ROLLER_CP_IDENTIFY:
		assert_int_equal(out.u.seconds, req->u.seconds);
		break;
	case ROLLER_CP_REPORT_RECORDS:
	case ROLLER_CP_DELETE_RECORDS:
	case ROLLER_CP_REPORT_NUMBER:
		assert_int_equal(out.u.records.op, req->u.records.op);
		assert_int_equal(out.u.records.id, req->u.records.op == ROLLER_CP_OP_ALL ?
				 0 : req->u.records.id);
		break;
	default:
		break;
	}
}

static void
test_request_round_trip_of_every_opcode(void **state)
{
	struct roller_cp_request req;

	memset(&req, 0, sizeof(req));
	req.opcode = ROLLER_CP_START_SESSION;
	req.u.area_id = 7;
	assert_request_round_trip(&req, (const uint8_t[]){ 0x01, 0x07 }, 2);

	req.opcode = ROLLER_CP_STOP_SESSION;
	assert_request_round_trip(&req, (const uint8_t[]){ 0x02 }, 1);

	req.opcode = ROLLER_CP_SET_TIME;
	req.u.unix_seconds = 0x6923a000u;
	assert_request_round_trip(&req, (const uint8_t[]){ 0x03, 0x00, 0xa0, 0x23, 0x69 }, 5);

	req.opcode = ROLLER_CP_SET_FORCE_BAND;
	req.u.band.low_cN = 250;
	req.u.band.high_cN = 0x1234;
	assert_request_round_trip(&req, (const uint8_t[]){ 0x04, 0xfa, 0x00, 0x34, 0x12 }, 5);

	memset(&req, 0, sizeof(req));
	req.opcode = ROLLER_CP_IDENTIFY;
	req.u.seconds = 30;
	assert_request_round_trip(&req, (const uint8_t[]){ 0x05, 0x1e }, 2);

	req.opcode = ROLLER_CP_ABORT;
	assert_request_round_trip(&req, (const uint8_t[]){ 0x12 }, 1);

	for (size_t i = 0; i < N_ELEMENTS(records_opcodes); i++) {
		uint8_t op = records_opcodes[i];

		/* OP_ALL carries no id, whatever the struct holds. */
		req.opcode = op;
		req.u.records.op = ROLLER_CP_OP_ALL;
		req.u.records.id = 0xbeef;
		assert_request_round_trip(&req, (const uint8_t[]){ op, 0x01 }, 2);

		req.u.records.op = ROLLER_CP_OP_LE;
		req.u.records.id = 0x0102;
		assert_request_round_trip(&req, (const uint8_t[]){ op, 0x02, 0x02, 0x01 }, 4);

		req.u.records.op = ROLLER_CP_OP_GE;
		req.u.records.id = 0xffff;
		assert_request_round_trip(&req, (const uint8_t[]){ op, 0x03, 0xff, 0xff }, 4);
	}
}

static void
test_encode_refuses_unknown_opcodes_and_operators(void **state)
{
	struct roller_cp_request req;
	uint8_t buf[16];

	memset(&req, 0, sizeof(req));
	req.opcode = 0x06;
	assert_int_equal(roller_cp_request_encode(&req, buf, sizeof(buf)), 0);
	req.opcode = ROLLER_CP_RESPONSE;
	assert_int_equal(roller_cp_request_encode(&req, buf, sizeof(buf)), 0);
	req.opcode = ROLLER_CP_REPORT_RECORDS;
	req.u.records.op = 0x04;
	assert_int_equal(roller_cp_request_encode(&req, buf, sizeof(buf)), 0);
	req.u.records.op = 0x00;
	assert_int_equal(roller_cp_request_encode(&req, buf, sizeof(buf)), 0);

	/* Out-of-range values are encoded as given, for testing devices. */
	req.opcode = ROLLER_CP_IDENTIFY;
	req.u.seconds = 0;
	assert_int_equal(roller_cp_request_encode(&req, buf, sizeof(buf)), 2);
	assert_int_equal(buf[1], 0);
}

static void
test_decode_unknown_opcode_or_empty_write(void **state)
{
	static const uint8_t unknown[] = { 0x00, 0x06, 0x0f, 0x14, 0x80, 0xff };
	struct roller_cp_request req;
	uint8_t buf[2] = { 0, 0 };

	assert_int_equal(decode_request(buf, 0, 0, &req), ROLLER_CP_NOT_SUPPORTED);
	for (size_t i = 0; i < N_ELEMENTS(unknown); i++) {
		buf[0] = unknown[i];
		assert_int_equal(decode_request(buf, 1, 0, &req),
				 ROLLER_CP_NOT_SUPPORTED);
		assert_int_equal(decode_request(buf, 2, 0, &req),
				 ROLLER_CP_NOT_SUPPORTED);
	}
}

static void
test_decode_wrong_lengths(void **state)
{
	static const struct {
		uint8_t opcode;
		uint8_t first_param;	/* an operator where there is one */
		size_t len;		/* the right length */
	} cases[] = {
		{ ROLLER_CP_START_SESSION, 1, 2 },
		{ ROLLER_CP_STOP_SESSION, 0, 1 },
		{ ROLLER_CP_SET_TIME, 0, 5 },
		{ ROLLER_CP_SET_FORCE_BAND, 0, 5 },
		{ ROLLER_CP_IDENTIFY, 1, 2 },
		{ ROLLER_CP_ABORT, 0, 1 },
		{ ROLLER_CP_REPORT_RECORDS, ROLLER_CP_OP_ALL, 2 },
		{ ROLLER_CP_REPORT_RECORDS, ROLLER_CP_OP_LE, 4 },
		{ ROLLER_CP_DELETE_RECORDS, ROLLER_CP_OP_ALL, 2 },
		{ ROLLER_CP_DELETE_RECORDS, ROLLER_CP_OP_GE, 4 },
		{ ROLLER_CP_REPORT_NUMBER, ROLLER_CP_OP_ALL, 2 },
		{ ROLLER_CP_REPORT_NUMBER, ROLLER_CP_OP_LE, 4 },
	};

	for (size_t i = 0; i < N_ELEMENTS(cases); i++) {
		/* A valid SET_FORCE_BAND: low 1, high 2. */
		uint8_t buf[8] = { cases[i].opcode, cases[i].first_param, 0, 2, 0, 0, 0, 0 };
		struct roller_cp_request req;

		if (cases[i].opcode == ROLLER_CP_SET_FORCE_BAND)
			buf[1] = 1;
		assert_int_equal(decode_request(buf, cases[i].len, 0, &req),
				 ROLLER_CP_SUCCESS);
		assert_int_equal(decode_request(buf, cases[i].len + 1, 0, &req),
				 ROLLER_CP_INVALID_PARAM);
		/* Without parameters, one byte short would be an empty write. */
		if (cases[i].len > 1)
			assert_int_equal(decode_request(buf, cases[i].len - 1, 0,
								  &req),
					 ROLLER_CP_INVALID_PARAM);
	}
}

static void
test_decode_parameter_rules(void **state)
{
	struct roller_cp_request req;

	/* Operators other than 1..3. */
	for (size_t i = 0; i < N_ELEMENTS(records_opcodes); i++) {
		static const uint8_t bad_ops[] = { 0x00, 0x04, 0xff };

		for (size_t k = 0; k < N_ELEMENTS(bad_ops); k++) {
			uint8_t buf[4] = { records_opcodes[i], bad_ops[k], 0, 0 };

			assert_int_equal(decode_request(buf, 2, 0, &req),
					 ROLLER_CP_INVALID_PARAM);
			assert_int_equal(decode_request(buf, 4, 0, &req),
					 ROLLER_CP_INVALID_PARAM);
		}
	}

	/* IDENTIFY 1..30 seconds. */
	for (unsigned s = 0; s < 256; s++) {
		uint8_t buf[2] = { ROLLER_CP_IDENTIFY, (uint8_t)s };

		assert_int_equal(decode_request(buf, 2, 0, &req),
				 s >= 1 && s <= 30 ? ROLLER_CP_SUCCESS :
						     ROLLER_CP_INVALID_PARAM);
	}
}

static enum roller_cp_result
decode_band(uint16_t low, uint16_t high, uint16_t full_scale)
{
	struct roller_cp_request req;
	uint8_t buf[5] = { ROLLER_CP_SET_FORCE_BAND };

	roller_put_le16(buf + 1, low);
	roller_put_le16(buf + 3, high);
	return decode_request(buf, sizeof(buf), full_scale, &req);
}

static void
test_decode_force_band_rules(void **state)
{
	assert_int_equal(decode_band(200, 400, 5000), ROLLER_CP_SUCCESS);
	assert_int_equal(decode_band(399, 400, 5000), ROLLER_CP_SUCCESS);
	assert_int_equal(decode_band(400, 400, 5000), ROLLER_CP_INVALID_PARAM);
	assert_int_equal(decode_band(401, 400, 5000), ROLLER_CP_INVALID_PARAM);
	assert_int_equal(decode_band(0, 1, 5000), ROLLER_CP_SUCCESS);
	assert_int_equal(decode_band(200, 5000, 5000), ROLLER_CP_SUCCESS);
	assert_int_equal(decode_band(200, 5001, 5000), ROLLER_CP_INVALID_PARAM);

	/* A full scale of 0 means unknown: only low < high is checked. */
	assert_int_equal(decode_band(200, 0xffff, 0), ROLLER_CP_SUCCESS);
	assert_int_equal(decode_band(0xffff, 0xffff, 0), ROLLER_CP_INVALID_PARAM);
	assert_int_equal(decode_band(500, 400, 0), ROLLER_CP_INVALID_PARAM);
}

static void
test_response_round_trip(void **state)
{
	static const uint8_t results[] = {
		ROLLER_CP_SUCCESS, ROLLER_CP_NOT_SUPPORTED, ROLLER_CP_INVALID_PARAM,
		ROLLER_CP_FAILED, ROLLER_CP_BUSY, ROLLER_CP_NO_RECORDS,
		ROLLER_CP_ABORTED,
	};

	for (size_t i = 0; i < N_ELEMENTS(all_opcodes); i++) {
		for (size_t k = 0; k < N_ELEMENTS(results); k++) {
			struct roller_cp_response rsp = {
				.request_opcode = all_opcodes[i],
				.result = results[k],
				.has_value = results[k] == ROLLER_CP_SUCCESS &&
					     roller_cp_opcode_has_value(all_opcodes[i]),
				.value = 0x1234,
			};
			struct roller_cp_response out;
			uint8_t buf[8];
			size_t len = roller_cp_response_encode(&rsp, buf, sizeof(buf));

			if (!rsp.has_value)
				rsp.value = 0;
			assert_int_equal(len, rsp.has_value ? 5 : 3);
			assert_int_equal(buf[0], 0x80);
			assert_int_equal(buf[1], all_opcodes[i]);
			assert_int_equal(buf[2], results[k]);
			if (rsp.has_value)
				assert_int_equal(roller_get_le16(buf + 3), 0x1234);
			assert_int_equal(roller_cp_response_encode(&rsp, buf, len - 1), 0);

			memset(&out, 0xa5, sizeof(out));
			assert_int_equal(decode_response(buf, len, &out), ROLLER_OK);
			assert_int_equal(out.request_opcode, rsp.request_opcode);
			assert_int_equal(out.result, rsp.result);
			assert_int_equal(out.has_value, rsp.has_value);
			assert_int_equal(out.value, rsp.value);
		}
	}
}

static void
test_response_decode_errors(void **state)
{
	static const uint8_t start_ok[] = { 0x80, 0x01, 0x01, 0x2a, 0x00, 0x00 };
	static const uint8_t start_busy[] = { 0x80, 0x01, 0x05, 0x00, 0x00 };
	static const uint8_t abort_ok[] = { 0x80, 0x12, 0x01, 0x00 };
	static const uint8_t not_response[] = { 0x01, 0x01, 0x01, 0x2a, 0x00 };
	struct roller_cp_response rsp;

	for (size_t len = 0; len < 3; len++)
		assert_int_equal(decode_response(start_ok, len, &rsp),
				 ROLLER_ERR_TOO_SHORT);
	/* A successful START_SESSION carries its session id. */
	assert_int_equal(decode_response(start_ok, 3, &rsp), ROLLER_ERR_TOO_SHORT);
	assert_int_equal(decode_response(start_ok, 4, &rsp), ROLLER_ERR_TOO_SHORT);
	assert_int_equal(decode_response(start_ok, 5, &rsp), ROLLER_OK);
	assert_int_equal(rsp.value, 42);
	assert_int_equal(decode_response(start_ok, 6, &rsp), ROLLER_ERR_TOO_LONG);

	/* A failure, or an opcode without a value, is three bytes. */
	assert_int_equal(decode_response(start_busy, 3, &rsp), ROLLER_OK);
	assert_false(rsp.has_value);
	assert_int_equal(decode_response(start_busy, 5, &rsp), ROLLER_ERR_TOO_LONG);
	assert_int_equal(decode_response(abort_ok, 3, &rsp), ROLLER_OK);
	assert_int_equal(decode_response(abort_ok, 4, &rsp), ROLLER_ERR_TOO_LONG);

	assert_int_equal(decode_response(not_response, 5, &rsp),
			 ROLLER_ERR_BAD_RECORD);
	assert_int_equal(decode_response(not_response, 3, &rsp),
			 ROLLER_ERR_BAD_RECORD);
}

static void
test_names(void **state)
{
	static const char *const opcode_names[] = {
		"START_SESSION", "STOP_SESSION", "SET_TIME", "SET_FORCE_BAND",
		"IDENTIFY", "REPORT_RECORDS", "DELETE_RECORDS", "ABORT",
		"REPORT_NUMBER",
	};
	static const char *const result_names[] = {
		NULL, "SUCCESS", "NOT_SUPPORTED", "INVALID_PARAM", "FAILED", "BUSY",
		"NO_RECORDS", "ABORTED", NULL,
	};
	unsigned n_named = 0;

	for (size_t i = 0; i < N_ELEMENTS(all_opcodes); i++)
		assert_string_equal(roller_cp_opcode_name(all_opcodes[i]), opcode_names[i]);
	for (unsigned op = 0; op < 256; op++)
		n_named += roller_cp_opcode_name((uint8_t)op) != NULL;
	assert_int_equal(n_named, N_ELEMENTS(all_opcodes));
	assert_null(roller_cp_opcode_name(ROLLER_CP_RESPONSE));

	for (unsigned r = 0; r < N_ELEMENTS(result_names); r++) {
		if (result_names[r])
			assert_string_equal(roller_cp_result_name((uint8_t)r), result_names[r]);
		else
			assert_null(roller_cp_result_name((uint8_t)r));
	}
	assert_null(roller_cp_result_name(0xff));

	for (unsigned op = 0; op < 256; op++)
		assert_int_equal(roller_cp_opcode_has_value((uint8_t)op),
				 op == ROLLER_CP_START_SESSION || op == ROLLER_CP_STOP_SESSION ||
				 op == ROLLER_CP_REPORT_RECORDS ||
				 op == ROLLER_CP_DELETE_RECORDS ||
				 op == ROLLER_CP_REPORT_NUMBER);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_request_round_trip_of_every_opcode),
		cmocka_unit_test(test_encode_refuses_unknown_opcodes_and_operators),
		cmocka_unit_test(test_decode_unknown_opcode_or_empty_write),
		cmocka_unit_test(test_decode_wrong_lengths),
		cmocka_unit_test(test_decode_parameter_rules),
		cmocka_unit_test(test_decode_force_band_rules),
		cmocka_unit_test(test_response_round_trip),
		cmocka_unit_test(test_response_decode_errors),
		cmocka_unit_test(test_names),
	};

	return cmocka_run_group_tests_name("roller-control", tests, NULL, NULL);
}
