/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "roller-transfer.h"

enum roller_error
roller_chunk_parse(const uint8_t *buf, size_t len, struct roller_chunk *chunk)
{
	if (len < ROLLER_CHUNK_HEADER_LEN)
		return ROLLER_ERR_TOO_SHORT;
	chunk->record_id = roller_get_le16(buf);
	chunk->offset = roller_get_le16(buf + 2);
	chunk->flags = buf[4];
	chunk->data = buf + ROLLER_CHUNK_HEADER_LEN;
	chunk->data_len = len - ROLLER_CHUNK_HEADER_LEN;
	return ROLLER_OK;
}

void
roller_chunker_init(struct roller_chunker *ch, uint16_t record_id,
		    const uint8_t *record, size_t len)
{
	ch->record = record;
	ch->len = len;
	ch->offset = 0;
	ch->record_id = record_id;
	ch->done = false;
}

size_t
roller_chunker_next(struct roller_chunker *ch, uint8_t *out, size_t max_chunk)
{
	size_t n;

	if (ch->done || max_chunk <= ROLLER_CHUNK_HEADER_LEN ||
	    ch->offset > UINT16_MAX)
		return 0;
	n = ch->len - ch->offset;
	if (n > max_chunk - ROLLER_CHUNK_HEADER_LEN)
		n = max_chunk - ROLLER_CHUNK_HEADER_LEN;
	roller_put_le16(out, ch->record_id);
	roller_put_le16(out + 2, (uint16_t)ch->offset);
	out[4] = ch->offset + n == ch->len ? ROLLER_CHUNK_FLAG_LAST : 0;
	memcpy(out + ROLLER_CHUNK_HEADER_LEN, ch->record + ch->offset, n);
	ch->offset += n;
	ch->done = out[4] & ROLLER_CHUNK_FLAG_LAST;
	return ROLLER_CHUNK_HEADER_LEN + n;
}

void
roller_reassembler_init(struct roller_reassembler *r, uint8_t *buf)
{
	r->buf = buf;
	r->failed_id = 0;
	roller_reassembler_reset(r);
}

void
roller_reassembler_reset(struct roller_reassembler *r)
{
	r->len = 0;
	r->record_id = 0;
	r->active = false;
}

static enum roller_error
reassembly_failed(struct roller_reassembler *r, uint16_t id,
		  enum roller_error err)
{
	r->failed_id = id;
	roller_reassembler_reset(r);
	return err;
}

enum roller_error
roller_reassembler_feed(struct roller_reassembler *r, const uint8_t *buf,
			size_t len, bool *complete,
			struct roller_stored_record *rec)
{
	struct roller_chunk c;
	enum roller_error err;

	*complete = false;
	err = roller_chunk_parse(buf, len, &c);
	if (err != ROLLER_OK)
		return reassembly_failed(r, r->active ? r->record_id : 0, err);

	if (c.offset == 0 && r->active) {
		/* Dropping the partial record silently could let a later
		 * DELETE_RECORDS "<= id" remove it unstored. */
		return reassembly_failed(r, r->record_id, ROLLER_ERR_GAP);
	} else if (c.offset == 0) {
		roller_reassembler_reset(r);
		r->active = true;
		r->record_id = c.record_id;
	} else if (!r->active || c.record_id != r->record_id ||
		   c.offset != r->len) {
		return reassembly_failed(r, r->active ? r->record_id : c.record_id,
					 ROLLER_ERR_GAP);
	}

	if (c.data_len > ROLLER_RECORD_MAX_LEN - r->len)
		return reassembly_failed(r, c.record_id, ROLLER_ERR_OVERLONG);
	memcpy(r->buf + r->len, c.data, c.data_len);
	r->len += c.data_len;
	if (!(c.flags & ROLLER_CHUNK_FLAG_LAST))
		return ROLLER_OK;

	err = roller_stored_record_decode(r->buf, r->len, rec);
	if (err == ROLLER_OK && rec->record_id != c.record_id)
		err = ROLLER_ERR_ID_MISMATCH;
	if (err != ROLLER_OK)
		return reassembly_failed(r, c.record_id, err);
	r->active = false;
	*complete = true;
	return ROLLER_OK;
}
