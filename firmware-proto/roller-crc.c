/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "roller-crc.h"

uint16_t
roller_crc16(uint16_t crc, const uint8_t *p, size_t len)
{
	const uint16_t (*t)[256] = roller_crc16_table;

	while (len >= 8) {
		unsigned c = crc ^ ((unsigned)p[0] << 8 | p[1]);

		crc = (uint16_t)(t[7][c >> 8] ^ t[6][c & 0xff] ^
				 t[5][p[2]] ^ t[4][p[3]] ^ t[3][p[4]] ^
				 t[2][p[5]] ^ t[1][p[6]] ^ t[0][p[7]]);
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
