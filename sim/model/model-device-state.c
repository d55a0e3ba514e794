/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * What survives a restart, and the history a roller arrives with.
 *
 * The saved state is a versioned blob (little-endian):
 *
 *   0  u8[4] magic "RLst"
 *   4  u16   version (1)
 *   6  u16   flags: bit0 clock set, bit1 head attached
 *   8  u64   clock offset, ms (two's complement): unix ms = device ms + it
 *  16  u16   next session id
 *  18  u16   force band low, cN
 *  20  u16   force band high, cN
 *  22  u16   needle_um
 *  24  u8    battery percent
 *  25  u8    reserved, 0
 *  26  u16   stored records
 *  28  u32   store bytes N
 *  32  u8[N] the store's entries (u16 length, record), oldest first
 *  32+N u32  CRC-32 over every byte before it
 *
 * The clock is kept as an offset from the host's millisecond clock, so a
 * roller-sim restarted later comes back with its clock behind by the time
 * it was down (a central sets it again, as after any battery change); a
 * saved value does not change while nothing happens, so the host can tell
 * when there is something new to write.
 */
#include "roller-crc.h"
#include "model-device.h"
#include "model-device-core.h"

#define STATE_MAGIC "RLst"
#define STATE_VERSION 1
#define STATE_HEADER_LEN 32
#define STATE_CRC_LEN 4
#define STATE_FLAG_CLOCK_SET 0x01
#define STATE_FLAG_HEAD_ATTACHED 0x02

/* Preloaded sessions: 30 to 90 s of rolling each, one every 3 to 30 h. */
#define PRELOAD_ACTIVE_MIN_MS 30000
#define PRELOAD_ACTIVE_MAX_MS 90000
#define PRELOAD_GAP_MIN_S (3 * 3600)
#define PRELOAD_GAP_MAX_S (30 * 3600)
#define PRELOAD_AREA_MAX 10

size_t
model_device_save(const struct model_device *dev, uint8_t *out, size_t cap)
{
	size_t need = STATE_HEADER_LEN + dev->store.used + STATE_CRC_LEN;
	uint64_t offset = (uint64_t)dev->clock_offset_ms;
	uint16_t flags = 0;

	if (!out || cap < need)
		return need;
	if (dev->clock_set)
		flags |= STATE_FLAG_CLOCK_SET;
	if (dev->head_attached)
		flags |= STATE_FLAG_HEAD_ATTACHED;
	memcpy(out, STATE_MAGIC, 4);
	roller_put_le16(out + 4, STATE_VERSION);
	roller_put_le16(out + 6, flags);
	roller_put_le32(out + 8, (uint32_t)offset);
	roller_put_le32(out + 12, (uint32_t)(offset >> 32));
	roller_put_le16(out + 16, dev->next_session_id);
	roller_put_le16(out + 18, dev->info.force_band_low_cN);
	roller_put_le16(out + 20, dev->info.force_band_high_cN);
	roller_put_le16(out + 22, dev->info.needle_um);
	out[24] = dev->battery;
	out[25] = 0;
	roller_put_le16(out + 26, dev->store.count);
	roller_put_le32(out + 28, (uint32_t)dev->store.used);
	if (dev->store.used)
		memcpy(out + STATE_HEADER_LEN, dev->store.base, dev->store.used);
	roller_put_le32(out + need - STATE_CRC_LEN,
			roller_crc32(ROLLER_CRC32_INIT, out, need - STATE_CRC_LEN));
	return need;
}

bool
model_device_load(struct model_device *dev, const uint8_t *data, size_t len)
{
	uint16_t flags, next_id, low, high;
	size_t used;

	/* A state replaces records a session or a transfer may be using. */
	if (dev->in_session || dev->report.active)
		return false;
	if (!data || len < STATE_HEADER_LEN + STATE_CRC_LEN ||
	    memcmp(data, STATE_MAGIC, 4) != 0 ||
	    roller_get_le16(data + 4) != STATE_VERSION)
		return false;
	used = roller_get_le32(data + 28);
	if (used != len - STATE_HEADER_LEN - STATE_CRC_LEN ||
	    roller_crc32(ROLLER_CRC32_INIT, data, len - STATE_CRC_LEN) !=
	    roller_get_le32(data + len - STATE_CRC_LEN))
		return false;

	flags = roller_get_le16(data + 6);
	next_id = roller_get_le16(data + 16);
	low = roller_get_le16(data + 18);
	high = roller_get_le16(data + 20);
	if (next_id == 0 || low >= high || high > dev->info.force_full_scale_cN ||
	    data[24] > 100)
		return false;
	if (!model_store_restore(&dev->store, data + STATE_HEADER_LEN, used,
				  roller_get_le16(data + 26)))
		return false;

	dev->clock_set = flags & STATE_FLAG_CLOCK_SET;
	dev->head_attached = flags & STATE_FLAG_HEAD_ATTACHED;
	dev->clock_offset_ms = (int64_t)((uint64_t)roller_get_le32(data + 8) |
					 (uint64_t)roller_get_le32(data + 12) << 32);
	dev->next_session_id = next_id;
	dev->info.force_band_low_cN = low;
	dev->info.force_band_high_cN = high;
	dev->info.needle_um = roller_get_le16(data + 22);
	dev->battery = data[24];
	model_dev_status_changed(dev);
	return true;
}

/* Rolls session @id to the end offline, the way it would have gone live. */
static void
roll_offline(struct model_device *dev, uint16_t id, uint8_t area_id,
	     uint32_t start_unix, uint32_t active_ms)
{
	struct model_session *s = &dev->session;
	struct model_session_params params;
	struct model_session_tick tick;
	size_t len = 0;

	model_dev_session_params(dev, id, area_id, start_unix, &params);
	model_session_begin(s, &params, &dev->person,
			     model_dev_session_seed(dev, id));
	do
		model_session_tick(s, &tick);
	while (model_session_active_ms(s, tick.t_ms) < active_ms ||
	       !model_motion_between_strokes(&s->motion));
	if (model_session_finish(s, tick.t_ms, ROLLER_END_USER, dev->record_buf,
				  sizeof(dev->record_buf), &len) == ROLLER_OK)
		model_dev_store_record(dev, dev->record_buf, len);
}

void
model_device_preload_sessions(struct model_device *dev, unsigned count)
{
	struct model_rand gaps, choices;
	uint64_t seed = model_rand_mix(dev->seed ^ 0x7072656c6f6164ull ^
					dev->next_session_id);
	uint64_t behind_s = 0;
	uint32_t now_unix = model_dev_unix_at(dev, dev->now_ms);
	unsigned room;

	if (dev->in_session || dev->report.active)
		return;
	room = dev->store.count < dev->store.capacity ?
	       (unsigned)(dev->store.capacity - dev->store.count) : 0;
	if (count > room)
		count = room;

	/* The sessions end before now: first how far back the first one
	 * lies, then the same gaps again to walk forward. */
	model_rand_seed(&gaps, seed);
	for (unsigned i = 0; i < count; i++)
		behind_s += (uint32_t)model_rand_range(&gaps, PRELOAD_GAP_MIN_S,
							PRELOAD_GAP_MAX_S);
	model_rand_seed(&gaps, seed);
	model_rand_seed(&choices, model_rand_mix(seed));

	for (unsigned i = 0; i < count && !model_store_is_full(&dev->store); i++) {
		uint32_t start_unix = 0;
		uint8_t area = (uint8_t)model_rand_range(&choices, 0, PRELOAD_AREA_MAX);
		uint32_t active = (uint32_t)model_rand_range(&choices,
							      PRELOAD_ACTIVE_MIN_MS,
							      PRELOAD_ACTIVE_MAX_MS);

		if (dev->clock_set && now_unix > behind_s)
			start_unix = (uint32_t)(now_unix - behind_s);
		behind_s -= (uint32_t)model_rand_range(&gaps, PRELOAD_GAP_MIN_S,
							PRELOAD_GAP_MAX_S);
		roll_offline(dev, model_dev_allocate_session_id(dev), area,
			     start_unix, active);
	}
	model_dev_status_changed(dev);
}
