/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Record Transfer chunks (spec section 6): a splitter for the device side
 * and a reassembler for the central side, both without allocation.
 */
#pragma once

#include "roller-proto.h"
#include "roller-record.h"

#define ROLLER_CHUNK_HEADER_LEN 5
#define ROLLER_CHUNK_FLAG_LAST 0x01

struct roller_chunk {
	uint16_t record_id;
	uint16_t offset;
	uint8_t flags;
	const uint8_t *data;	/* points into the parsed chunk */
	size_t data_len;
};

/* Parses one notification; ROLLER_ERR_TOO_SHORT under 5 bytes. */
enum roller_error roller_chunk_parse(const uint8_t *buf, size_t len,
				     struct roller_chunk *chunk);

/*
 * Splitter: walks a record in chunks of at most @max_chunk bytes (the ATT
 * payload, MTU - 3).  Each call of roller_chunker_next() writes one chunk
 * into @out (at least @max_chunk bytes) and returns its length, 0 when the
 * record has been sent whole or @max_chunk cannot carry a data byte.
 */
struct roller_chunker {
	const uint8_t *record;
	size_t len;
	size_t offset;
	uint16_t record_id;
	bool done;
};

void roller_chunker_init(struct roller_chunker *ch, uint16_t record_id,
			 const uint8_t *record, size_t len);
size_t roller_chunker_next(struct roller_chunker *ch, uint8_t *out,
			   size_t max_chunk);

/*
 * Reassembler into a caller buffer of ROLLER_RECORD_MAX_LEN bytes.  Feed
 * every chunk in arrival order.  roller_reassembler_feed() returns:
 *  - ROLLER_OK with *complete false: more chunks are expected;
 *  - ROLLER_OK with *complete true: @rec holds the whole record, decoded
 *    and CRC-checked, pointing into the buffer until the next feed;
 *  - an error: the record under way is discarded (ROLLER_ERR_GAP for a
 *    chunk out of order, ROLLER_ERR_OVERLONG past 8192 bytes,
 *    ROLLER_ERR_ID_MISMATCH when the record's own id differs from the
 *    chunks', or the decoder's error).  failed_id then names the record to
 *    ask for again.  A chunk at offset 0 while a record is still
 *    incomplete is a GAP too (that record is named), never a silent restart.
 */
struct roller_reassembler {
	uint8_t *buf;
	size_t len;
	uint16_t record_id;
	bool active;
	uint16_t failed_id;
};

void roller_reassembler_init(struct roller_reassembler *r, uint8_t *buf);
void roller_reassembler_reset(struct roller_reassembler *r);
enum roller_error roller_reassembler_feed(struct roller_reassembler *r,
					  const uint8_t *chunk, size_t len,
					  bool *complete,
					  struct roller_stored_record *rec);
