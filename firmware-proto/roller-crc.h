/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The two checksums of the profile, table-driven by slicing (the tables are
 * const, so they live in flash on a microcontroller: 8 KiB each).  Every
 * telemetry frame may carry a CRC-16, so it takes 16 bytes a step; CRC-32
 * covers stored records only and takes 8.
 */
#pragma once

#include <stddef.h>
#include <stdint.h>

#define ROLLER_CRC16_INIT 0xFFFFu
#define ROLLER_CRC32_INIT 0u

#define ROLLER_CRC16_SLICES 16
#define ROLLER_CRC32_SLICES 8

extern const uint16_t roller_crc16_table[ROLLER_CRC16_SLICES][256];
extern const uint32_t roller_crc32_table[ROLLER_CRC32_SLICES][256];

/*
 * CRC-16/CCITT-FALSE (poly 0x1021, no reflection, xorout 0) of @len bytes
 * at @data, continuing from @crc: pass ROLLER_CRC16_INIT to start.
 */
uint16_t roller_crc16(uint16_t crc, const uint8_t *data, size_t len);

/* A function that returns what roller_crc16() returns (a faster one). */
typedef uint16_t roller_crc16_fn(uint16_t crc, const uint8_t *data, size_t len);

/*
 * CRC-32 (IEEE 802.3) as zlib's crc32(): pass ROLLER_CRC32_INIT to start,
 * and a previous result to continue over more bytes.
 */
uint32_t roller_crc32(uint32_t crc, const uint8_t *data, size_t len);
