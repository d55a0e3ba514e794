/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * What the simulated roller's API (model-device.h) and its parts
 * (model-device-core.h and the files above it) share: the
 * characteristics, ATT errors, the configuration and the host's callbacks.
 */
#pragma once

#include "roller-proto.h"
#include "roller-info.h"

enum model_char_id {
	MODEL_CHAR_TELEMETRY,
	MODEL_CHAR_CONTROL_POINT,
	MODEL_CHAR_RECORD_TRANSFER,
	MODEL_CHAR_ROLLER_INFO,
	MODEL_CHAR_STATUS,
	MODEL_CHAR_BATTERY_LEVEL,
	MODEL_CHAR_MANUFACTURER,
	MODEL_CHAR_MODEL_NUMBER,
	MODEL_CHAR_SERIAL_NUMBER,
	MODEL_CHAR_FIRMWARE_REV,
	MODEL_CHAR_HARDWARE_REV,
	MODEL_CHAR_COUNT,
};

/* ATT error codes a read or write can fail with (Core spec Vol 3 Part F). */
enum model_att_error {
	MODEL_ATT_OK = 0x00,
	MODEL_ATT_READ_NOT_PERMITTED = 0x02,
	MODEL_ATT_WRITE_NOT_PERMITTED = 0x03,
	MODEL_ATT_INVALID_OFFSET = 0x07,
	MODEL_ATT_INVALID_VALUE_LEN = 0x0d,
	MODEL_ATT_CCCD_IMPROPER = 0xfd,	/* indications not enabled */
};

#define MODEL_DEVICE_SERIAL_MAX 16

struct model_device_config {
	uint32_t seed;
	char serial[MODEL_DEVICE_SERIAL_MAX + 1];	/* e.g. "RL0001A7" */
	const char *model;		/* Model Number string */
	const char *firmware;		/* Firmware Revision string */
	struct roller_info info;	/* Roller Info as served */
	uint8_t battery_percent;
	/* Seconds of rolling per simulated session before it ends by itself
	 * (end reason user); 0: only STOP_SESSION or the button end it. */
	uint16_t session_seconds;
	/* Record Transfer chunks the link carries per 7.5 ms interval. */
	uint8_t chunks_per_interval;
	/* Added for the simulator; model_device_config_defaults() sets them. */
	const char *manufacturer;	/* Manufacturer Name string */
	const char *hardware;		/* Hardware Revision string */
	bool telemetry_crc;		/* telemetry frames carry a CRC-16 */
	uint8_t button_area;		/* area_id of sessions the button starts */
	/* The person rolls the whole grid in one direction before turning
	 * (model-motion.h), not the taught pattern. */
	bool whole_passes;
};

struct model_device_io {
	/* Every notification (Telemetry, Record Transfer, Status, Battery)
	 * and indication (Control Point) the device sends, in order. */
	void (*notify)(void *user, enum model_char_id ch, const uint8_t *data,
		       size_t len);
	/* Called once per record when a session ends and it is stored. */
	void (*record_stored)(void *user, const uint8_t *record, size_t len);
	void *user;
};
