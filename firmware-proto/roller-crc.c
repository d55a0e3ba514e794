/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "roller-crc.h"

/*
 * Bytes 2..7 of an 8-byte step, which do not meet the register.  Written
 * out: at -O2 compilers keep a loop over the tables a loop.
 */
static inline unsigned
crc16_bytes_2_to_7(const uint16_t (*t)[256], const uint8_t *p)
{
	return t[5][p[2]] ^ t[4][p[3]] ^ t[3][p[4]] ^
	       t[2][p[5]] ^ t[1][p[6]] ^ t[0][p[7]];
}

uint16_t
roller_crc16(uint16_t crc, const uint8_t *p, size_t len)
{
	const uint16_t (*t)[256] = roller_crc16_table;
	unsigned c;

	for (; len >= 16; p += 16, len -= 16) {
		c = crc ^ ((unsigned)p[0] << 8 | p[1]);
		crc = (uint16_t)(t[15][c >> 8] ^ t[14][c & 0xff] ^
				 t[13][p[2]] ^ t[12][p[3]] ^ t[11][p[4]] ^
				 t[10][p[5]] ^ t[9][p[6]] ^ t[8][p[7]] ^
				 t[7][p[8]] ^ t[6][p[9]] ^
				 crc16_bytes_2_to_7(t, p + 8));
	}
	if (len >= 8) {
		c = crc ^ ((unsigned)p[0] << 8 | p[1]);
		crc = (uint16_t)(t[7][c >> 8] ^ t[6][c & 0xff] ^
				 crc16_bytes_2_to_7(t, p));
		p += 8;
		len -= 8;
	}
	while (len--)
		crc = (uint16_t)((crc << 8) ^ t[0][((crc >> 8) ^ *p++) & 0xff]);
	return crc;
}

uint32_t
roller_crc32(uint32_t crc, const uint8_t *p, size_t len)
{
	const uint32_t (*t)[256] = roller_crc32_table;

	crc = ~crc;
	while (len >= 8) {
		uint32_t c = crc ^ ((uint32_t)p[0] | (uint32_t)p[1] << 8 |
				    (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24);

		crc = t[7][c & 0xff] ^ t[6][(c >> 8) & 0xff] ^
		      t[5][(c >> 16) & 0xff] ^ t[4][c >> 24] ^
		      t[3][p[4]] ^ t[2][p[5]] ^ t[1][p[6]] ^ t[0][p[7]];
		p += 8;
		len -= 8;
	}
	while (len--)
		crc = (crc >> 8) ^ t[0][(crc ^ *p++) & 0xff];
	return ~crc;
}
