/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Roller Info (spec section 2) and Status (spec section 3). */
#pragma once

#include "roller-proto.h"

#define ROLLER_INFO_LEN 16
#define ROLLER_STATUS_LEN 8

struct roller_info {
	uint8_t protocol_version;
	uint8_t grid_cols;
	uint8_t grid_rows;
	uint8_t cell_mm;
	uint8_t sample_period_ms;
	uint8_t reserved;
	uint16_t needle_um;
	uint16_t record_capacity;
	uint16_t force_band_low_cN;
	uint16_t force_band_high_cN;
	uint16_t force_full_scale_cN;
};

enum roller_state {
	ROLLER_STATE_IDLE = 0,
	ROLLER_STATE_SESSION = 1,
	ROLLER_STATE_PAUSED = 2,
	ROLLER_STATE_TRANSFERRING = 3,
	ROLLER_STATE_CHARGING = 4,
};

#define ROLLER_STATUS_CLOCK_SET     0x01
#define ROLLER_STATUS_HEAD_ATTACHED 0x02
#define ROLLER_STATUS_BATTERY_LOW   0x04
#define ROLLER_STATUS_STORAGE_FULL  0x08

struct roller_status {
	uint8_t state;
	uint8_t flags;
	uint16_t active_session_id;
	uint16_t stored_records;
	uint16_t last_record_id;
};

/*
 * Decodes exactly 16 bytes: TOO_SHORT / TOO_LONG for another length,
 * VERSION unless protocol_version is 1, BAD_RECORD when a field breaks its
 * rule (grid 1..15, cell 5..100, period >= 1, low < high).  The reserved
 * byte is ignored.
 */
enum roller_error roller_info_decode(const uint8_t *buf, size_t len,
				     struct roller_info *info);
/* Writes ROLLER_INFO_LEN bytes as given. */
void roller_info_encode(const struct roller_info *info, uint8_t *buf);

/* Decodes exactly 8 bytes; states and flags are reported as given. */
enum roller_error roller_status_decode(const uint8_t *buf, size_t len,
				       struct roller_status *status);
/* Writes ROLLER_STATUS_LEN bytes. */
void roller_status_encode(const struct roller_status *status, uint8_t *buf);
