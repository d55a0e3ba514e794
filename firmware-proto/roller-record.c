/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "roller-record.h"
#include "roller-crc.h"

size_t
roller_stored_record_size(uint8_t cols, uint8_t rows, uint16_t trace_len)
{
	return ROLLER_RECORD_FIXED_LEN + (size_t)cols * rows + 4 +
	       2 * (size_t)trace_len + 4;
}

enum roller_error
roller_stored_record_decode(const uint8_t *buf, size_t len,
			    struct roller_stored_record *rec)
{
	size_t body_len, cells, pos;
	uint16_t trace_len, in_band;

	if (len < ROLLER_RECORD_MIN_LEN)
		return ROLLER_ERR_TOO_SHORT;
	if (len > ROLLER_RECORD_MAX_LEN)
		return ROLLER_ERR_TOO_LONG;
	body_len = len - 4;
	if (roller_crc32(ROLLER_CRC32_INIT, buf, body_len) !=
	    roller_get_le32(buf + body_len))
		return ROLLER_ERR_CRC;
	if (buf[30] < 1 || buf[30] > ROLLER_GRID_MAX ||
	    buf[31] < 1 || buf[31] > ROLLER_GRID_MAX)
		return ROLLER_ERR_BAD_RECORD;
	cells = (size_t)buf[30] * buf[31];
	pos = ROLLER_RECORD_FIXED_LEN + cells;
	if (pos + 4 > body_len)
		return ROLLER_ERR_TRUNCATED;
	trace_len = roller_get_le16(buf + pos + 2);
	if (pos + 4 + 2 * (size_t)trace_len != body_len)
		return ROLLER_ERR_TRUNCATED;
	in_band = roller_get_le16(buf + 20);
	if (in_band > 1000)
		return ROLLER_ERR_BAD_RECORD;

	rec->record_id = roller_get_le16(buf);
	rec->start_unix = roller_get_le32(buf + 2);
	rec->duration_ms = roller_get_le32(buf + 6);
	rec->area_id = buf[10];
	rec->end_reason = buf[11];
	rec->needle_um = roller_get_le16(buf + 12);
	rec->roll_count = roller_get_le16(buf + 14);
	rec->force_mean_cN = roller_get_le16(buf + 16);
	rec->force_max_cN = roller_get_le16(buf + 18);
	rec->in_band_permille = in_band;
	for (int i = 0; i < 4; i++)
		rec->dirs[i] = roller_get_le16(buf + 22 + 2 * i);
	rec->cols = buf[30];
	rec->rows = buf[31];
	rec->passes = buf + ROLLER_RECORD_FIXED_LEN;
	rec->trace_period_ms = roller_get_le16(buf + pos);
	rec->trace_len = trace_len;
	rec->trace = buf + pos + 4;
	rec->crc = roller_get_le32(buf + body_len);
	return ROLLER_OK;
}

enum roller_error
roller_stored_record_encode(const struct roller_stored_record *rec,
			    const uint16_t *trace, uint8_t *buf, size_t cap,
			    size_t *out_len)
{
	size_t len, pos, cells;

	if (rec->cols < 1 || rec->cols > ROLLER_GRID_MAX ||
	    rec->rows < 1 || rec->rows > ROLLER_GRID_MAX ||
	    rec->in_band_permille > 1000)
		return ROLLER_ERR_INVALID;
	len = roller_stored_record_size(rec->cols, rec->rows, rec->trace_len);
	if (len > ROLLER_RECORD_MAX_LEN)
		return ROLLER_ERR_INVALID;
	if (len > cap)
		return ROLLER_ERR_NO_SPACE;

	roller_put_le16(buf, rec->record_id);
	roller_put_le32(buf + 2, rec->start_unix);
	roller_put_le32(buf + 6, rec->duration_ms);
	buf[10] = rec->area_id;
	buf[11] = rec->end_reason;
	roller_put_le16(buf + 12, rec->needle_um);
	roller_put_le16(buf + 14, rec->roll_count);
	roller_put_le16(buf + 16, rec->force_mean_cN);
	roller_put_le16(buf + 18, rec->force_max_cN);
	roller_put_le16(buf + 20, rec->in_band_permille);
	for (int i = 0; i < 4; i++)
		roller_put_le16(buf + 22 + 2 * i, rec->dirs[i]);
	buf[30] = rec->cols;
	buf[31] = rec->rows;
	cells = (size_t)rec->cols * rec->rows;
	memcpy(buf + ROLLER_RECORD_FIXED_LEN, rec->passes, cells);
	pos = ROLLER_RECORD_FIXED_LEN + cells;
	roller_put_le16(buf + pos, rec->trace_period_ms);
	roller_put_le16(buf + pos + 2, rec->trace_len);
	pos += 4;
	for (uint16_t i = 0; i < rec->trace_len; i++, pos += 2)
		roller_put_le16(buf + pos, trace[i]);
	roller_put_le32(buf + pos, roller_crc32(ROLLER_CRC32_INIT, buf, pos));
	*out_len = len;
	return ROLLER_OK;
}

void
roller_force_stats_init(struct roller_force_stats *st)
{
	memset(st, 0, sizeof(*st));
}

void
roller_force_stats_add(struct roller_force_stats *st, uint16_t sample,
		       bool paused, uint16_t band_low, uint16_t band_high)
{
	if (sample == 0xFFFFu)
		return;
	if (sample > st->max_cN)
		st->max_cN = sample;
	if (!roller_force_is_contact(sample, paused))
		return;
	st->contact_sum += sample;
	st->contact_n++;
	if (sample >= band_low && sample <= band_high)
		st->in_band_n++;
}

/* Rounded half up: (2a + b) / 2b. */
static uint64_t
div_round_half_up(uint64_t a, uint64_t b)
{
	return (2 * a + b) / (2 * b);
}

uint16_t
roller_force_stats_mean(const struct roller_force_stats *st)
{
	return st->contact_n ?
		(uint16_t)div_round_half_up(st->contact_sum, st->contact_n) : 0;
}

/* The spec's literal reading: any valid sample counts, paused or light. */
uint16_t
roller_force_stats_max(const struct roller_force_stats *st)
{
	return st->contact_n ? st->max_cN : 0;
}

uint16_t
roller_force_stats_in_band_permille(const struct roller_force_stats *st)
{
	return st->contact_n ?
		(uint16_t)div_round_half_up(1000u * (uint64_t)st->in_band_n,
					    st->contact_n) : 0;
}
