/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libFuzzer target for the Record Transfer reassembler.  The input is a
 * sequence of chunks, each prefixed by its length in one byte (a last,
 * shorter chunk takes what is left).  Every chunk is fed to a reassembler
 * and to a small model of roller-transfer.h's contract, which must agree
 * on the outcome; a completed record must re-encode to the bytes
 * reassembled, and the splitter's chunks of it must reassemble to it again.
 *
 * A record's CRC-32 spans all its chunks, so mutations almost never keep
 * it valid.  Chunk flag bit 7, which the spec does not define, is taken
 * by the harness (and cleared before feeding): on a last chunk it makes
 * the chunk's final four bytes the CRC of the record it completes.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "roller-crc.h"
#include "roller-record.h"
#include "roller-transfer.h"

#define HARNESS_FLAG_FIX_CRC 0x80

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The record under way per roller-transfer.h, apart from roller-transfer.c. */
struct model {
	uint8_t bytes[ROLLER_RECORD_MAX_LEN];
	size_t len;
	uint16_t record_id;
	bool active;
	/*
	 * After an error, the record failed_id must name: the one that was
	 * under way; -1 when none was, where the header leaves it open.
	 */
	int32_t failed_id;
};

static void
check(int condition)
{
	if (!condition)
		abort();
}

static enum roller_error
model_fail(struct model *m, enum roller_error err)
{
	m->failed_id = m->active ? m->record_id : -1;
	m->active = false;
	return err;
}

static enum roller_error
model_feed(struct model *m, const uint8_t *chunk, size_t len)
{
	struct roller_stored_record rec;
	uint16_t id, offset;
	size_t data_len;
	enum roller_error err;

	if (len < ROLLER_CHUNK_HEADER_LEN)
		return model_fail(m, ROLLER_ERR_TOO_SHORT);
	id = roller_get_le16(chunk);
	offset = roller_get_le16(chunk + 2);
	data_len = len - ROLLER_CHUNK_HEADER_LEN;
	/* A restart would drop the incomplete record silently: a GAP too. */
	if (offset == 0 && m->active)
		return model_fail(m, ROLLER_ERR_GAP);
	if (offset == 0) {
		m->active = true;
		m->record_id = id;
		m->len = 0;
	} else if (!m->active || id != m->record_id || offset != m->len) {
		return model_fail(m, ROLLER_ERR_GAP);
	}
	if (m->len + data_len > ROLLER_RECORD_MAX_LEN)
		return model_fail(m, ROLLER_ERR_OVERLONG);
	memcpy(m->bytes + m->len, chunk + ROLLER_CHUNK_HEADER_LEN, data_len);
	m->len += data_len;
	if (!(chunk[4] & ROLLER_CHUNK_FLAG_LAST))
		return ROLLER_OK;

	err = roller_stored_record_decode(m->bytes, m->len, &rec);
	if (err == ROLLER_OK && rec.record_id != id)
		err = ROLLER_ERR_ID_MISMATCH;
	if (err != ROLLER_OK)
		return model_fail(m, err);
	m->active = false;
	return ROLLER_OK;
}

/* Makes a last chunk's CRC right for the model's record, if it continues it. */
static void
fix_record_crc(const struct model *m, uint8_t *chunk, size_t len)
{
	uint16_t id = roller_get_le16(chunk);
	uint16_t offset = roller_get_le16(chunk + 2);
	size_t data_len = len - ROLLER_CHUNK_HEADER_LEN;
	size_t prefix_len;
	uint32_t crc;

	if (data_len < 4)
		return;
	if (offset == 0)
		prefix_len = 0;
	else if (m->active && id == m->record_id && offset == m->len)
		prefix_len = m->len;
	else
		return;
	if (prefix_len + data_len > ROLLER_RECORD_MAX_LEN)
		return;
	crc = roller_crc32(ROLLER_CRC32_INIT, m->bytes, prefix_len);
	crc = roller_crc32(crc, chunk + ROLLER_CHUNK_HEADER_LEN, data_len - 4);
	roller_put_le32(chunk + len - 4, crc);
}

/* The device side: split @record with the chunker and reassemble it. */
static void
check_rechunked(const uint8_t *record, size_t len, uint16_t record_id,
		size_t max_chunk)
{
	static uint8_t buffer[ROLLER_RECORD_MAX_LEN];
	uint8_t chunk[UINT8_MAX];
	struct roller_reassembler r;
	struct roller_stored_record rec;
	struct roller_chunker ch;
	bool complete = false;
	size_t chunk_len, n_chunks = 0;

	roller_reassembler_init(&r, buffer);
	roller_chunker_init(&ch, record_id, record, len);
	while ((chunk_len = roller_chunker_next(&ch, chunk, max_chunk)) > 0) {
		check(chunk_len <= max_chunk && !complete);
		check(roller_reassembler_feed(&r, chunk, chunk_len, &complete,
					      &rec) == ROLLER_OK);
		n_chunks++;
	}
	check(complete);
	check(n_chunks == (len + max_chunk - ROLLER_CHUNK_HEADER_LEN - 1) /
			  (max_chunk - ROLLER_CHUNK_HEADER_LEN));
	check(r.len == len && memcmp(buffer, record, len) == 0);
}

static void
check_completed(const struct roller_reassembler *r, const struct model *m,
		const struct roller_stored_record *rec, uint16_t chunk_id,
		size_t chunk_len)
{
	static uint16_t trace[ROLLER_RECORD_MAX_LEN / 2];
	static uint8_t rebuilt[ROLLER_RECORD_MAX_LEN];
	size_t rebuilt_len = 0;

	check(!r->active);
	check(rec->record_id == chunk_id);
	check(r->len == m->len && memcmp(r->buf, m->bytes, m->len) == 0);
	check(rec->passes == r->buf + ROLLER_RECORD_FIXED_LEN);
	check(rec->trace + 2u * rec->trace_len + 4 == r->buf + r->len);

	for (unsigned i = 0; i < rec->trace_len; i++)
		trace[i] = roller_stored_record_trace(rec, i);
	check(roller_stored_record_encode(rec, trace, rebuilt, sizeof(rebuilt),
					  &rebuilt_len) == ROLLER_OK);
	check(rebuilt_len == r->len);
	check(memcmp(rebuilt, r->buf, r->len) == 0);

	/* The splitter's chunk size: the completing chunk's, with a data byte. */
	check_rechunked(r->buf, r->len, chunk_id,
			chunk_len > ROLLER_CHUNK_HEADER_LEN ?
			chunk_len : ROLLER_CHUNK_HEADER_LEN + 1);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t buffer[ROLLER_RECORD_MAX_LEN];
	static struct model model;
	struct roller_reassembler r;
	size_t pos = 0;

	memset(&model, 0, sizeof(model));
	roller_reassembler_init(&r, buffer);

	while (pos < size) {
		size_t len = data[pos++];
		struct roller_stored_record rec;
		enum roller_error err, expected;
		bool complete = true;
		uint8_t *chunk;

		if (len > size - pos)
			len = size - pos;
		/* A heap copy of the exact size: ASan sees reads past the chunk. */
		chunk = malloc(len);
		check(chunk != NULL);
		memcpy(chunk, data + pos, len);
		pos += len;
		if (len >= ROLLER_CHUNK_HEADER_LEN &&
		    (chunk[4] & HARNESS_FLAG_FIX_CRC)) {
			chunk[4] &= (uint8_t)~HARNESS_FLAG_FIX_CRC;
			if (chunk[4] & ROLLER_CHUNK_FLAG_LAST)
				fix_record_crc(&model, chunk, len);
		}

		expected = model_feed(&model, chunk, len);
		err = roller_reassembler_feed(&r, chunk, len, &complete, &rec);
		check(err == expected);
		if (err != ROLLER_OK) {
			check(!complete && !r.active);
			check(model.failed_id < 0 || r.failed_id == model.failed_id);
		} else if (complete)
			check_completed(&r, &model, &rec, roller_get_le16(chunk),
					len);
		else
			check(r.active);
		free(chunk);
	}
	return 0;
}
