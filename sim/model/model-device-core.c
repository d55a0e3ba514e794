/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * What every part of the simulated roller needs of the device: notifying
 * a subscribed central, Status and Battery Level, the clock, session ids
 * and parameters, and the record store.  Nothing here calls upward.
 */
#include "model-device-core.h"

void
model_dev_notify(struct model_device *dev, enum model_char_id ch,
		  const uint8_t *data, size_t len)
{
	if (!dev->connected || (unsigned)ch >= MODEL_CHAR_COUNT ||
	    !dev->subscribed[ch] || !dev->io.notify)
		return;
	dev->io.notify(dev->io.user, ch, data, len);
}

void
model_dev_get_status(const struct model_device *dev,
		     struct roller_status *status)
{
	if (dev->in_session)
		status->state = dev->session.paused ? ROLLER_STATE_PAUSED :
						      ROLLER_STATE_SESSION;
	else if (dev->report.active)
		status->state = ROLLER_STATE_TRANSFERRING;
	else if (dev->charging)
		status->state = ROLLER_STATE_CHARGING;
	else
		status->state = ROLLER_STATE_IDLE;
	status->flags = 0;
	if (dev->clock_set)
		status->flags |= ROLLER_STATUS_CLOCK_SET;
	if (dev->head_attached)
		status->flags |= ROLLER_STATUS_HEAD_ATTACHED;
	if (dev->battery <= MODEL_BATTERY_LOW_PERCENT)
		status->flags |= ROLLER_STATUS_BATTERY_LOW;
	if (model_store_is_full(&dev->store))
		status->flags |= ROLLER_STATUS_STORAGE_FULL;
	status->active_session_id = dev->in_session ? dev->session.p.id : 0;
	status->stored_records = dev->store.count;
	status->last_record_id = dev->store.last_id;
}

void
model_dev_status_changed(struct model_device *dev)
{
	struct roller_status now;
	uint8_t buf[ROLLER_STATUS_LEN];

	model_dev_get_status(dev, &now);
	roller_status_encode(&now, buf);
	if (memcmp(buf, dev->last_status, sizeof(buf)) != 0) {
		memcpy(dev->last_status, buf, sizeof(buf));
		model_dev_notify(dev, MODEL_CHAR_STATUS, buf, sizeof(buf));
	}
	if (dev->battery != dev->last_battery) {
		dev->last_battery = dev->battery;
		model_dev_notify(dev, MODEL_CHAR_BATTERY_LEVEL, &dev->battery, 1);
	}
}

uint32_t
model_dev_unix_at(const struct model_device *dev, uint32_t ms)
{
	int64_t unix_ms = (int64_t)ms + dev->clock_offset_ms;

	if (!dev->clock_set || unix_ms < 0)
		return 0;
	return unix_ms / 1000 > UINT32_MAX ? UINT32_MAX : (uint32_t)(unix_ms / 1000);
}

uint16_t
model_dev_allocate_session_id(struct model_device *dev)
{
	for (;;) {
		uint16_t id = dev->next_session_id++;

		if (dev->next_session_id == 0)
			dev->next_session_id = 1;
		if (id != 0 && !model_store_has_id(&dev->store, id))
			return id;
	}
}

uint64_t
model_dev_session_seed(const struct model_device *dev, uint16_t id)
{
	return model_rand_mix(dev->seed ^ ((uint64_t)id * 0x9e3779b97f4a7c15ull));
}

void
model_dev_session_params(const struct model_device *dev, uint16_t id,
			  uint8_t area_id, uint32_t start_unix,
			  struct model_session_params *params)
{
	params->id = id;
	params->area_id = area_id;
	params->start_unix = start_unix;
	params->needle_um = dev->info.needle_um;
	params->motion = (struct model_motion_params) {
		.cols = dev->info.grid_cols,
		.rows = dev->info.grid_rows,
		.cell_mm = dev->info.cell_mm,
		.period_ms = dev->info.sample_period_ms,
		.band_low_cN = dev->info.force_band_low_cN,
		.band_high_cN = dev->info.force_band_high_cN,
		.full_scale_cN = dev->info.force_full_scale_cN,
	};
}

bool
model_dev_store_record(struct model_device *dev, const uint8_t *record,
			size_t len)
{
	if (!model_store_append(&dev->store, record, len))
		return false;
	if (dev->io.record_stored)
		dev->io.record_stored(dev->io.user, record, len);
	return true;
}
