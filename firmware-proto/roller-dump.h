/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The canonical dump of spec section 8: the text every implementation
 * prints for the same bytes, used by the tools and the vector tests.
 */
#pragma once

#include "roller-proto.h"

/* Large enough for the dump of any frame of at most 512 bytes. */
#define ROLLER_DUMP_FRAME_MAX 8192
/* Large enough for the dump of any stored record of at most 8192 bytes. */
#define ROLLER_DUMP_RECORD_MAX 32768

/*
 * Write the dump of the @len bytes at @buf (a frame or a stored record),
 * every line ending in '\n', NUL-terminated, into @out of @cap bytes.
 * A rejected input dumps as "error <NAME>\n".  Like snprintf(), they
 * return the length the whole dump needs (without the NUL), writing as
 * much as fits; the input's error, if any, goes to *err when err != NULL.
 */
size_t roller_dump_frame(const uint8_t *buf, size_t len, char *out, size_t cap,
			 enum roller_error *err);
size_t roller_dump_record(const uint8_t *buf, size_t len, char *out, size_t cap,
			  enum roller_error *err);
