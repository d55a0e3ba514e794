/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "roller-control.h"

const char *
roller_cp_opcode_name(uint8_t opcode)
{
	switch (opcode) {
	case ROLLER_CP_START_SESSION: return "START_SESSION";
	case ROLLER_CP_STOP_SESSION: return "STOP_SESSION";
	case ROLLER_CP_SET_TIME: return "SET_TIME";
	case ROLLER_CP_SET_FORCE_BAND: return "SET_FORCE_BAND";
	case ROLLER_CP_IDENTIFY: return "IDENTIFY";
	case ROLLER_CP_REPORT_RECORDS: return "REPORT_RECORDS";
	case ROLLER_CP_DELETE_RECORDS: return "DELETE_RECORDS";
	case ROLLER_CP_ABORT: return "ABORT";
	case ROLLER_CP_REPORT_NUMBER: return "REPORT_NUMBER";
	default: return NULL;
	}
}

const char *
roller_cp_result_name(uint8_t result)
{
	switch (result) {
	case ROLLER_CP_SUCCESS: return "SUCCESS";
	case ROLLER_CP_NOT_SUPPORTED: return "NOT_SUPPORTED";
	case ROLLER_CP_INVALID_PARAM: return "INVALID_PARAM";
	case ROLLER_CP_FAILED: return "FAILED";
	case ROLLER_CP_BUSY: return "BUSY";
	case ROLLER_CP_NO_RECORDS: return "NO_RECORDS";
	case ROLLER_CP_ABORTED: return "ABORTED";
	default: return NULL;
	}
}

bool
roller_cp_opcode_has_value(uint8_t opcode)
{
	switch (opcode) {
	case ROLLER_CP_START_SESSION:
	case ROLLER_CP_STOP_SESSION:
	case ROLLER_CP_REPORT_RECORDS:
	case ROLLER_CP_DELETE_RECORDS:
	case ROLLER_CP_REPORT_NUMBER:
		return true;
	default:
		return false;
	}
}

static bool
is_records_opcode(uint8_t opcode)
{
	return opcode == ROLLER_CP_REPORT_RECORDS ||
	       opcode == ROLLER_CP_DELETE_RECORDS ||
	       opcode == ROLLER_CP_REPORT_NUMBER;
}

/* Parameter bytes a well-formed request of @opcode has. */
static int
request_param_len(uint8_t opcode, const uint8_t *params, size_t avail)
{
	switch (opcode) {
	case ROLLER_CP_START_SESSION:
	case ROLLER_CP_IDENTIFY:
		return 1;
	case ROLLER_CP_STOP_SESSION:
	case ROLLER_CP_ABORT:
		return 0;
	case ROLLER_CP_SET_TIME:
	case ROLLER_CP_SET_FORCE_BAND:
		return 4;
	case ROLLER_CP_REPORT_RECORDS:
	case ROLLER_CP_DELETE_RECORDS:
	case ROLLER_CP_REPORT_NUMBER:
		if (avail < 1)
			return 1;
		if (params[0] == ROLLER_CP_OP_ALL)
			return 1;
		if (params[0] == ROLLER_CP_OP_LE || params[0] == ROLLER_CP_OP_GE)
			return 3;
		return -1;
	default:
		return -1;
	}
}

size_t
roller_cp_request_encode(const struct roller_cp_request *req, uint8_t *buf,
			 size_t cap)
{
	uint8_t params[4];
	int n;

	switch (req->opcode) {
	case ROLLER_CP_START_SESSION:
		params[0] = req->u.area_id;
		break;
	case ROLLER_CP_IDENTIFY:
		params[0] = req->u.seconds;
		break;
	case ROLLER_CP_SET_TIME:
		roller_put_le32(params, req->u.unix_seconds);
		break;
	case ROLLER_CP_SET_FORCE_BAND:
		roller_put_le16(params, req->u.band.low_cN);
		roller_put_le16(params + 2, req->u.band.high_cN);
		break;
	case ROLLER_CP_REPORT_RECORDS:
	case ROLLER_CP_DELETE_RECORDS:
	case ROLLER_CP_REPORT_NUMBER:
		params[0] = req->u.records.op;
		roller_put_le16(params + 1, req->u.records.id);
		break;
	default:
		break;
	}
	n = request_param_len(req->opcode, params, sizeof(params));
	if (n < 0 || (size_t)n + 1 > cap)
		return 0;
	buf[0] = req->opcode;
	memcpy(buf + 1, params, (size_t)n);
	return (size_t)n + 1;
}

enum roller_cp_result
roller_cp_request_decode(const uint8_t *buf, size_t len, uint16_t full_scale_cN,
			 struct roller_cp_request *req)
{
	const uint8_t *p = buf + 1;
	int n;

	if (len < 1 || !roller_cp_opcode_name(buf[0]))
		return ROLLER_CP_NOT_SUPPORTED;
	memset(req, 0, sizeof(*req));
	req->opcode = buf[0];
	n = request_param_len(buf[0], p, len - 1);
	if (n < 0 || (size_t)n != len - 1)
		return ROLLER_CP_INVALID_PARAM;

	switch (req->opcode) {
	case ROLLER_CP_START_SESSION:
		req->u.area_id = p[0];
		break;
	case ROLLER_CP_IDENTIFY:
		req->u.seconds = p[0];
		if (p[0] < 1 || p[0] > ROLLER_IDENTIFY_MAX_S)
			return ROLLER_CP_INVALID_PARAM;
		break;
	case ROLLER_CP_SET_TIME:
		req->u.unix_seconds = roller_get_le32(p);
		break;
	case ROLLER_CP_SET_FORCE_BAND:
		req->u.band.low_cN = roller_get_le16(p);
		req->u.band.high_cN = roller_get_le16(p + 2);
		if (req->u.band.low_cN >= req->u.band.high_cN ||
		    (full_scale_cN && req->u.band.high_cN > full_scale_cN))
			return ROLLER_CP_INVALID_PARAM;
		break;
	default:
		if (is_records_opcode(req->opcode)) {
			req->u.records.op = p[0];
			if (n == 3)
				req->u.records.id = roller_get_le16(p + 1);
		}
		break;
	}
	return ROLLER_CP_SUCCESS;
}

size_t
roller_cp_response_encode(const struct roller_cp_response *rsp, uint8_t *buf,
			  size_t cap)
{
	size_t n = rsp->has_value ? 5 : 3;

	if (cap < n)
		return 0;
	buf[0] = ROLLER_CP_RESPONSE;
	buf[1] = rsp->request_opcode;
	buf[2] = rsp->result;
	if (rsp->has_value)
		roller_put_le16(buf + 3, rsp->value);
	return n;
}

enum roller_error
roller_cp_response_decode(const uint8_t *buf, size_t len,
			  struct roller_cp_response *rsp)
{
	size_t want;

	if (len < 3)
		return ROLLER_ERR_TOO_SHORT;
	if (buf[0] != ROLLER_CP_RESPONSE)
		return ROLLER_ERR_BAD_RECORD;
	want = buf[2] == ROLLER_CP_SUCCESS &&
	       roller_cp_opcode_has_value(buf[1]) ? 5 : 3;
	if (len < want)
		return ROLLER_ERR_TOO_SHORT;
	if (len > want)
		return ROLLER_ERR_TOO_LONG;
	rsp->request_opcode = buf[1];
	rsp->result = buf[2];
	rsp->has_value = want == 5;
	rsp->value = rsp->has_value ? roller_get_le16(buf + 3) : 0;
	return ROLLER_OK;
}
