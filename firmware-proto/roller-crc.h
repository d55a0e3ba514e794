/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The two checksums of the profile, slicing-by-8 and table-driven (the
 * tables are const, so they live in flash on a microcontroller).
 */
#pragma once

#include <stddef.h>
#include <stdint.h>

#define ROLLER_CRC16_INIT 0xFFFFu
#define ROLLER_CRC32_INIT 0u

extern const uint16_t roller_crc16_table[8][256];
extern const uint32_t roller_crc32_table[8][256];

/*
 * CRC-16/CCITT-FALSE (poly 0x1021, no reflection, xorout 0) of @len bytes
 * at @data, continuing from @crc: pass ROLLER_CRC16_INIT to start.
 */
uint16_t roller_crc16(uint16_t crc, const uint8_t *data, size_t len);

/*
 * CRC-32 (IEEE 802.3) as zlib's crc32(): pass ROLLER_CRC32_INIT to start,
 * and a previous result to continue over more bytes.
 */
uint32_t roller_crc32(uint32_t crc, const uint8_t *data, size_t len);
