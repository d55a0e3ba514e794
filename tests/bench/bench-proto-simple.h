/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * What bench-proto compares firmware-proto's parser with: a plain two-pass
 * TLV parser of the bench's own, as anyone would write from the profile
 * (section 4, checked in section 8's order).  Pass 1 checks the header,
 * the CRC (with the library's CRC-16, so that CRC frames compare the
 * parsers and not two CRCs) and every record's length and field rules;
 * pass 2 walks the records again and hands each to a consumer that reads
 * every field.  Also that walk alone, and callgrind's count of the
 * instructions each takes.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bench-proto-stream.h"

#define CALLGRIND_CHILD_ARG "--callgrind-child"

/* Pass 1 alone: ROLLER_OK or the error firmware-proto must name too. */
enum roller_error simple_frame_validate(const uint8_t *buf, size_t len);

/* Both passes over every frame of @st; dies on a frame pass 1 rejects. */
uint64_t simple_pass(const struct stream *st);

/*
 * Pass 2 alone, trusting every frame: what reading the records costs with
 * no check at all, a floor no parser that checks them can go below.
 */
uint64_t unchecked_pass(const struct stream *st);

/*
 * Dies unless, on the first frames of @st cut short, with a byte flipped
 * or a length byte changed, pass 1 names the error roller_frame_parse()
 * names: the straightforward parser validates as much as the library.
 */
void simple_check_agrees(const struct stream *st);

/* What callgrind counts: one call of @pass over @st. */
uint64_t callgrind_measured_pass(uint64_t (*pass)(const struct stream *),
				 const struct stream *st);

/*
 * Runs this program again under valgrind --tool=callgrind with
 * CALLGRIND_CHILD_ARG @parser ("firmware", "simple" or "unchecked") and "crc" or
 * "plain", counting callgrind_measured_pass() only; the instructions per
 * frame of a stream of @n_frames, or -1 when valgrind did not run.
 */
double callgrind_instructions_per_frame(const char *parser, bool crc,
					size_t n_frames);
