/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Roller GATT profile v1: constants, error codes and little-endian helpers
 * shared by every module of firmware-proto.
 *
 * firmware-proto is freestanding-friendly C11: no heap, no stdio, nothing
 * beyond <stdint.h>, <stddef.h>, <stdbool.h> and <string.h>.  Every function
 * that reads a buffer takes its length and never reads past it; every
 * function that writes takes the capacity and never writes past it.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define ROLLER_PROTOCOL_VERSION 1

#define ROLLER_UUID_SERVICE         "524c0100-526f-6c6c-6572-2d50726f746f"
#define ROLLER_UUID_TELEMETRY       "524c0101-526f-6c6c-6572-2d50726f746f"
#define ROLLER_UUID_CONTROL_POINT   "524c0102-526f-6c6c-6572-2d50726f746f"
#define ROLLER_UUID_RECORD_TRANSFER "524c0103-526f-6c6c-6572-2d50726f746f"
#define ROLLER_UUID_ROLLER_INFO     "524c0104-526f-6c6c-6572-2d50726f746f"
#define ROLLER_UUID_STATUS          "524c0105-526f-6c6c-6572-2d50726f746f"

/* Standard SIG UUIDs in the 128-bit form BlueZ reports them in. */
#define ROLLER_UUID_DEVICE_INFO     "0000180a-0000-1000-8000-00805f9b34fb"
#define ROLLER_UUID_MANUFACTURER    "00002a29-0000-1000-8000-00805f9b34fb"
#define ROLLER_UUID_MODEL_NUMBER    "00002a24-0000-1000-8000-00805f9b34fb"
#define ROLLER_UUID_SERIAL_NUMBER   "00002a25-0000-1000-8000-00805f9b34fb"
#define ROLLER_UUID_FIRMWARE_REV    "00002a26-0000-1000-8000-00805f9b34fb"
#define ROLLER_UUID_HARDWARE_REV    "00002a27-0000-1000-8000-00805f9b34fb"
#define ROLLER_UUID_BATTERY         "0000180f-0000-1000-8000-00805f9b34fb"
#define ROLLER_UUID_BATTERY_LEVEL   "00002a19-0000-1000-8000-00805f9b34fb"
#define ROLLER_UUID_CCCD            "00002902-0000-1000-8000-00805f9b34fb"

#define ROLLER_GRID_MAX 15
#define ROLLER_GRID_CELLS_MAX (ROLLER_GRID_MAX * ROLLER_GRID_MAX)

/* The first six are spec section 8's names, in its checking order. */
enum roller_error {
	ROLLER_OK = 0,
	ROLLER_ERR_TOO_SHORT,
	ROLLER_ERR_TOO_LONG,
	ROLLER_ERR_VERSION,
	ROLLER_ERR_CRC,
	ROLLER_ERR_TRUNCATED,
	ROLLER_ERR_BAD_RECORD,
	/* Record transfer: a chunk out of order, or a record beyond 8192 bytes. */
	ROLLER_ERR_GAP,
	ROLLER_ERR_OVERLONG,
	/* A chunk's record_id differs from the record_id inside the record. */
	ROLLER_ERR_ID_MISMATCH,
	/* Encoders: the output does not fit, or a value breaks a spec rule. */
	ROLLER_ERR_NO_SPACE,
	ROLLER_ERR_INVALID,
};

#define ROLLER_ERROR_COUNT (ROLLER_ERR_INVALID + 1)

/* "TOO_SHORT", ...; "OK" for ROLLER_OK, "UNKNOWN" outside the enum. */
const char *roller_error_name(enum roller_error err);

static inline uint16_t
roller_get_le16(const uint8_t *p)
{
	return (uint16_t)(p[0] | (p[1] << 8));
}

static inline uint32_t
roller_get_le32(const uint8_t *p)
{
	return (uint32_t)p[0] | ((uint32_t)p[1] << 8) |
	       ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
}

static inline void
roller_put_le16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static inline void
roller_put_le32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}
