/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "roller-control.h"
#include "roller-record.h"
#include "model-store.h"

void
model_store_init(struct model_store *st, uint8_t *base, size_t size,
		  uint16_t configured_capacity, size_t record_max)
{
	size_t fits = base ? size / (MODEL_STORE_ENTRY_HEADER + record_max) : 0;

	st->base = base;
	st->size = base ? size : 0;
	st->capacity = fits < configured_capacity ? (uint16_t)fits : configured_capacity;
	model_store_clear(st);
}

void
model_store_clear(struct model_store *st)
{
	st->used = 0;
	st->count = 0;
	st->last_id = 0;
}

bool
model_store_is_full(const struct model_store *st)
{
	return st->count >= st->capacity;
}

bool
model_store_append(struct model_store *st, const uint8_t *record, size_t len)
{
	if (model_store_is_full(st) || len < 2 || len > UINT16_MAX ||
	    st->size - st->used < MODEL_STORE_ENTRY_HEADER + len)
		return false;
	roller_put_le16(st->base + st->used, (uint16_t)len);
	memcpy(st->base + st->used + MODEL_STORE_ENTRY_HEADER, record, len);
	st->used += MODEL_STORE_ENTRY_HEADER + len;
	st->count++;
	st->last_id = roller_get_le16(record);
	return true;
}

bool
model_store_entry_at(const struct model_store *st, size_t pos,
		      struct model_store_entry *entry)
{
	if (pos + MODEL_STORE_ENTRY_HEADER > st->used)
		return false;
	entry->pos = pos;
	entry->len = roller_get_le16(st->base + pos);
	entry->record = st->base + pos + MODEL_STORE_ENTRY_HEADER;
	entry->id = roller_get_le16(entry->record);
	return true;
}

bool
model_store_has_id(const struct model_store *st, uint16_t id)
{
	struct model_store_entry e;

	for (size_t pos = 0; model_store_entry_at(st, pos, &e);
	     pos = model_store_entry_next(&e))
		if (e.id == id)
			return true;
	return false;
}

/* The newest is the last entry: walk to it. */
static void
update_last_id(struct model_store *st)
{
	struct model_store_entry e;

	st->last_id = 0;
	for (size_t pos = 0; model_store_entry_at(st, pos, &e);
	     pos = model_store_entry_next(&e))
		st->last_id = e.id;
}

bool
model_store_id_matches(uint16_t id, uint8_t op, uint16_t operand)
{
	switch (op) {
	case ROLLER_CP_OP_ALL:
		return true;
	case ROLLER_CP_OP_LE:
		return id <= operand;
	case ROLLER_CP_OP_GE:
		return id >= operand;
	default:
		return false;
	}
}

uint16_t
model_store_count_matching(const struct model_store *st, uint8_t op,
			    uint16_t operand)
{
	struct model_store_entry e;
	uint16_t n = 0;

	for (size_t pos = 0; model_store_entry_at(st, pos, &e);
	     pos = model_store_entry_next(&e))
		if (model_store_id_matches(e.id, op, operand))
			n++;
	return n;
}

uint16_t
model_store_delete_matching(struct model_store *st, uint8_t op,
			     uint16_t operand)
{
	struct model_store_entry e;
	size_t pos = 0;
	uint16_t n = 0;

	while (model_store_entry_at(st, pos, &e)) {
		size_t next = model_store_entry_next(&e);

		if (!model_store_id_matches(e.id, op, operand)) {
			pos = next;
			continue;
		}
		/* Close the gap: what follows keeps its order. */
		memmove(st->base + pos, st->base + next, st->used - next);
		st->used -= next - pos;
		st->count--;
		n++;
	}
	if (n)
		update_last_id(st);
	return n;
}

bool
model_store_restore(struct model_store *st, const uint8_t *entries,
		     size_t used, uint16_t count)
{
	struct roller_stored_record rec;
	size_t pos = 0;
	uint16_t n = 0;

	if (used > st->size || count > st->capacity)
		return false;
	while (pos < used) {
		size_t len;

		if (used - pos < MODEL_STORE_ENTRY_HEADER)
			return false;
		len = roller_get_le16(entries + pos);
		pos += MODEL_STORE_ENTRY_HEADER;
		if (len > used - pos ||
		    roller_stored_record_decode(entries + pos, len, &rec) != ROLLER_OK)
			return false;
		pos += len;
		n++;
	}
	if (n != count)
		return false;
	if (used)
		memcpy(st->base, entries, used);
	st->used = used;
	st->count = count;
	update_last_id(st);
	return true;
}
