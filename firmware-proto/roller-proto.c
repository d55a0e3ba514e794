/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "roller-proto.h"

const char *
roller_error_name(enum roller_error err)
{
	switch (err) {
	case ROLLER_OK: return "OK";
	case ROLLER_ERR_TOO_SHORT: return "TOO_SHORT";
	case ROLLER_ERR_TOO_LONG: return "TOO_LONG";
	case ROLLER_ERR_VERSION: return "VERSION";
	case ROLLER_ERR_CRC: return "CRC";
	case ROLLER_ERR_TRUNCATED: return "TRUNCATED";
	case ROLLER_ERR_BAD_RECORD: return "BAD_RECORD";
	case ROLLER_ERR_GAP: return "GAP";
	case ROLLER_ERR_OVERLONG: return "OVERLONG";
	case ROLLER_ERR_ID_MISMATCH: return "ID_MISMATCH";
	case ROLLER_ERR_NO_SPACE: return "NO_SPACE";
	case ROLLER_ERR_INVALID: return "INVALID";
	}
	return "UNKNOWN";
}
