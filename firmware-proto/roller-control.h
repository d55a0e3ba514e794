/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Control Point requests and their indicated responses (spec section 5). */
#pragma once

#include "roller-proto.h"

enum roller_cp_opcode {
	ROLLER_CP_START_SESSION = 0x01,
	ROLLER_CP_STOP_SESSION = 0x02,
	ROLLER_CP_SET_TIME = 0x03,
	ROLLER_CP_SET_FORCE_BAND = 0x04,
	ROLLER_CP_IDENTIFY = 0x05,
	ROLLER_CP_REPORT_RECORDS = 0x10,
	ROLLER_CP_DELETE_RECORDS = 0x11,
	ROLLER_CP_ABORT = 0x12,
	ROLLER_CP_REPORT_NUMBER = 0x13,
	ROLLER_CP_RESPONSE = 0x80,
};

enum roller_cp_operator {
	ROLLER_CP_OP_ALL = 0x01,
	ROLLER_CP_OP_LE = 0x02,
	ROLLER_CP_OP_GE = 0x03,
};

enum roller_cp_result {
	ROLLER_CP_SUCCESS = 0x01,
	ROLLER_CP_NOT_SUPPORTED = 0x02,
	ROLLER_CP_INVALID_PARAM = 0x03,
	ROLLER_CP_FAILED = 0x04,
	ROLLER_CP_BUSY = 0x05,
	ROLLER_CP_NO_RECORDS = 0x06,
	ROLLER_CP_ABORTED = 0x07,
};

#define ROLLER_CP_REQUEST_MAX_LEN 5
#define ROLLER_CP_RESPONSE_MAX_LEN 5
#define ROLLER_IDENTIFY_MAX_S 30

struct roller_cp_request {
	uint8_t opcode;
	union {
		uint8_t area_id;			/* START_SESSION */
		uint32_t unix_seconds;			/* SET_TIME */
		struct {
			uint16_t low_cN;
			uint16_t high_cN;
		} band;					/* SET_FORCE_BAND */
		uint8_t seconds;			/* IDENTIFY */
		struct {
			uint8_t op;
			uint16_t id;			/* unused with OP_ALL */
		} records;	/* REPORT_RECORDS, DELETE_RECORDS, REPORT_NUMBER */
	} u;
};

struct roller_cp_response {
	uint8_t request_opcode;
	uint8_t result;
	bool has_value;
	uint16_t value;	/* session_id, sent, deleted or count on success */
};

/* "START_SESSION", ...; NULL for an unknown opcode. */
const char *roller_cp_opcode_name(uint8_t opcode);
/* "SUCCESS", "BUSY", ...; NULL for an unknown result. */
const char *roller_cp_result_name(uint8_t result);

/*
 * Encodes @req into @buf (ROLLER_CP_REQUEST_MAX_LEN bytes suffice); returns
 * the length, 0 when @cap is too small or the opcode or operator is unknown.
 * Values are written as given so that tests can send out-of-range ones.
 */
size_t roller_cp_request_encode(const struct roller_cp_request *req,
				uint8_t *buf, size_t cap);

/*
 * Decodes a written request as the device does and returns the result to
 * answer with when it is not ROLLER_CP_SUCCESS: NOT_SUPPORTED for an
 * unknown opcode (or an empty write), INVALID_PARAM for a wrong length, an
 * unknown operator or a value outside the spec's range.  The force band's
 * "high <= full scale" rule needs the device's full scale: pass 0 to skip it.
 */
enum roller_cp_result roller_cp_request_decode(const uint8_t *buf, size_t len,
					       uint16_t full_scale_cN,
					       struct roller_cp_request *req);

/* Writes 3 bytes, 5 with has_value; 0 when @cap is too small. */
size_t roller_cp_response_encode(const struct roller_cp_response *rsp,
				 uint8_t *buf, size_t cap);

/*
 * Decodes an indication: ROLLER_ERR_TOO_SHORT / TOO_LONG for a length that
 * does not fit the opcode and result, ROLLER_ERR_BAD_RECORD when the first
 * byte is not 0x80.
 */
enum roller_error roller_cp_response_decode(const uint8_t *buf, size_t len,
					    struct roller_cp_response *rsp);

/* Whether a successful response to @opcode carries a u16 value. */
bool roller_cp_opcode_has_value(uint8_t opcode);
