/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The record store: stored records, oldest first, packed into the arena
 * the host lends (the roller's flash).  Each entry is a u16 length and
 * the record's bytes.  Records only leave through DELETE_RECORDS, which
 * closes the gap behind them, so entries keep storage order.
 *
 * The store counts as full when it holds its capacity: the smaller of the
 * configured record capacity and the number of records of the largest
 * size a session can produce that fit in the arena.  So a session that
 * may start always has room for its record.
 */
#pragma once

#include "roller-proto.h"

#define MODEL_STORE_ENTRY_HEADER 2

struct model_store {
	uint8_t *base;
	size_t size;
	size_t used;
	uint16_t count;
	uint16_t capacity;
	uint16_t last_id;	/* the newest record's, 0 when empty */
};

/* A stored record as the store hands it out. */
struct model_store_entry {
	size_t pos;		/* of the entry in the arena */
	uint16_t id;
	const uint8_t *record;
	size_t len;
};

void model_store_init(struct model_store *st, uint8_t *base, size_t size,
		       uint16_t configured_capacity, size_t record_max);

/* Forgets every record. */
void model_store_clear(struct model_store *st);

bool model_store_is_full(const struct model_store *st);

/* False when the store is full or the record does not fit. */
bool model_store_append(struct model_store *st, const uint8_t *record,
			 size_t len);

/* Walks the records from storage position @pos (0 for the oldest); fills
 * @entry and returns true, or false past the last one.  The next record
 * is at entry->pos + MODEL_STORE_ENTRY_HEADER + entry->len. */
bool model_store_entry_at(const struct model_store *st, size_t pos,
			   struct model_store_entry *entry);

static inline size_t
model_store_entry_next(const struct model_store_entry *entry)
{
	return entry->pos + MODEL_STORE_ENTRY_HEADER + entry->len;
}

bool model_store_has_id(const struct model_store *st, uint16_t id);

/* Whether @id matches a REPORT/DELETE/NUMBER operator (spec section 5). */
bool model_store_id_matches(uint16_t id, uint8_t op, uint16_t operand);

uint16_t model_store_count_matching(const struct model_store *st, uint8_t op,
				     uint16_t operand);
uint16_t model_store_delete_matching(struct model_store *st, uint8_t op,
				      uint16_t operand);

/*
 * Replaces the contents with @used bytes of entries in the store's format
 * (a saved state); false, leaving the store as it was, unless they are
 * @count whole entries of records that decode, within the capacity.
 */
bool model_store_restore(struct model_store *st, const uint8_t *entries,
			  size_t used, uint16_t count);
