/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Hex text to bytes and back, as the vectors and the tools write them. */
#pragma once

#include "roller-proto.h"

/*
 * Decodes @len hex digits at @hex (either case, no separators) into @out
 * of @cap bytes.  False, with nothing promised in @out, when @len is odd,
 * a character is not a hex digit, or the bytes do not fit.
 */
bool roller_hex_decode(const char *hex, size_t len, uint8_t *out, size_t cap,
		       size_t *out_len);

/* Writes 2 * @len lower-case digits and a NUL into @out (2 * len + 1 bytes). */
void roller_hex_encode(const uint8_t *buf, size_t len, char *out);
