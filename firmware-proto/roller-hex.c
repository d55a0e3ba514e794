/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "roller-hex.h"

static int
hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

bool
roller_hex_decode(const char *hex, size_t len, uint8_t *out, size_t cap,
		  size_t *out_len)
{
	if (len % 2 || len / 2 > cap)
		return false;
	for (size_t i = 0; i < len; i += 2) {
		int hi = hex_value(hex[i]), lo = hex_value(hex[i + 1]);

		if (hi < 0 || lo < 0)
			return false;
		out[i / 2] = (uint8_t)(hi << 4 | lo);
	}
	*out_len = len / 2;
	return true;
}

void
roller_hex_encode(const uint8_t *buf, size_t len, char *out)
{
	static const char digits[] = "0123456789abcdef";

	for (size_t i = 0; i < len; i++) {
		out[2 * i] = digits[buf[i] >> 4];
		out[2 * i + 1] = digits[buf[i] & 15];
	}
	out[2 * len] = '\0';
}
