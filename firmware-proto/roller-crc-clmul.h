/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * CRC-16/CCITT-FALSE by carry-less multiplication (x86-64 PCLMULQDQ), for
 * hosts: not part of the portable library, whose roller_crc16() stays the
 * reference that this must equal (tests/proto/test-crc-clmul.c checks).
 * Four 16-byte lanes are folded 64 bytes a step; what is left (16 bytes of
 * folded remainder and the tail) goes through roller_crc16().
 */
#pragma once

#include "roller-crc.h"

/*
 * roller_crc16_clmul when this CPU and compiler have carry-less
 * multiplication, else NULL; for roller_frame_use_crc16().
 */
roller_crc16_fn *roller_crc16_clmul_get(void);

/* As roller_crc16(); only where roller_crc16_clmul_get() is not NULL. */
uint16_t roller_crc16_clmul(uint16_t crc, const uint8_t *data, size_t len);
