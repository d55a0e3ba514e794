/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "roller-info.h"

static enum roller_error
check_exact_length(size_t len, size_t want)
{
	if (len < want)
		return ROLLER_ERR_TOO_SHORT;
	if (len > want)
		return ROLLER_ERR_TOO_LONG;
	return ROLLER_OK;
}

enum roller_error
roller_info_decode(const uint8_t *buf, size_t len, struct roller_info *info)
{
	enum roller_error err = check_exact_length(len, ROLLER_INFO_LEN);
	struct roller_info i;

	if (err != ROLLER_OK)
		return err;
	i.protocol_version = buf[0];
	i.grid_cols = buf[1];
	i.grid_rows = buf[2];
	i.cell_mm = buf[3];
	i.sample_period_ms = buf[4];
	i.reserved = buf[5];
	i.needle_um = roller_get_le16(buf + 6);
	i.record_capacity = roller_get_le16(buf + 8);
	i.force_band_low_cN = roller_get_le16(buf + 10);
	i.force_band_high_cN = roller_get_le16(buf + 12);
	i.force_full_scale_cN = roller_get_le16(buf + 14);

	if (i.protocol_version != ROLLER_PROTOCOL_VERSION)
		return ROLLER_ERR_VERSION;
	if (i.grid_cols < 1 || i.grid_cols > ROLLER_GRID_MAX ||
	    i.grid_rows < 1 || i.grid_rows > ROLLER_GRID_MAX ||
	    i.cell_mm < 5 || i.cell_mm > 100 || i.sample_period_ms < 1 ||
	    i.force_band_low_cN >= i.force_band_high_cN)
		return ROLLER_ERR_BAD_RECORD;
	*info = i;
	return ROLLER_OK;
}

void
roller_info_encode(const struct roller_info *info, uint8_t *buf)
{
	buf[0] = info->protocol_version;
	buf[1] = info->grid_cols;
	buf[2] = info->grid_rows;
	buf[3] = info->cell_mm;
	buf[4] = info->sample_period_ms;
	buf[5] = info->reserved;
	roller_put_le16(buf + 6, info->needle_um);
	roller_put_le16(buf + 8, info->record_capacity);
	roller_put_le16(buf + 10, info->force_band_low_cN);
	roller_put_le16(buf + 12, info->force_band_high_cN);
	roller_put_le16(buf + 14, info->force_full_scale_cN);
}

enum roller_error
roller_status_decode(const uint8_t *buf, size_t len, struct roller_status *status)
{
	enum roller_error err = check_exact_length(len, ROLLER_STATUS_LEN);

	if (err != ROLLER_OK)
		return err;
	status->state = buf[0];
	status->flags = buf[1];
	status->active_session_id = roller_get_le16(buf + 2);
	status->stored_records = roller_get_le16(buf + 4);
	status->last_record_id = roller_get_le16(buf + 6);
	return ROLLER_OK;
}

void
roller_status_encode(const struct roller_status *status, uint8_t *buf)
{
	buf[0] = status->state;
	buf[1] = status->flags;
	roller_put_le16(buf + 2, status->active_session_id);
	roller_put_le16(buf + 4, status->stored_records);
	roller_put_le16(buf + 6, status->last_record_id);
}
