/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libFuzzer target for stored records: every record the decoder accepts
 * must re-encode to the same bytes and dump within ROLLER_DUMP_RECORD_MAX.
 *
 * The decoder checks the CRC-32 before any field, and a mutated record
 * almost never keeps a valid one; so each input is checked as given and
 * once more with its last four bytes made its CRC.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "roller-crc.h"
#include "roller-dump.h"
#include "roller-record.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static volatile uint64_t field_sink;

static void
check(int condition)
{
	if (!condition)
		abort();
}

static void
check_round_trip(const uint8_t *data, size_t size,
		 const struct roller_stored_record *rec)
{
	static uint16_t trace[ROLLER_RECORD_MAX_LEN / 2];
	static uint8_t rebuilt[ROLLER_RECORD_MAX_LEN];
	size_t cells = (size_t)rec->cols * rec->rows;
	size_t rebuilt_len = 0;
	uint64_t sum;

	check(rec->cols >= 1 && rec->cols <= ROLLER_GRID_MAX);
	check(rec->rows >= 1 && rec->rows <= ROLLER_GRID_MAX);
	check(rec->in_band_permille <= 1000);
	check(roller_stored_record_size(rec->cols, rec->rows, rec->trace_len) == size);
	check(rec->passes == data + ROLLER_RECORD_FIXED_LEN);
	check(rec->trace == data + ROLLER_RECORD_FIXED_LEN + cells + 4);
	check(rec->crc == roller_get_le32(data + size - 4));

	sum = rec->record_id + rec->start_unix + rec->duration_ms +
	      rec->area_id + rec->end_reason + rec->needle_um +
	      rec->roll_count + rec->force_mean_cN + rec->force_max_cN +
	      rec->in_band_permille + rec->trace_period_ms + rec->crc;
	for (int i = 0; i < 4; i++)
		sum += rec->dirs[i];
	for (size_t i = 0; i < cells; i++)
		sum += rec->passes[i];
	for (unsigned i = 0; i < rec->trace_len; i++) {
		trace[i] = roller_stored_record_trace(rec, i);
		sum += trace[i];
	}
	field_sink += sum;

	check(roller_stored_record_encode(rec, trace, rebuilt, sizeof(rebuilt),
					  &rebuilt_len) == ROLLER_OK);
	check(rebuilt_len == size);
	check(memcmp(rebuilt, data, size) == 0);
}

static void
check_record(const uint8_t *data, size_t size)
{
	static char dump[ROLLER_DUMP_RECORD_MAX];
	struct roller_stored_record rec;
	enum roller_error err, dump_err;
	size_t dump_len;

	err = roller_stored_record_decode(data, size, &rec);
	if (err == ROLLER_OK)
		check_round_trip(data, size, &rec);
	else
		check(err == ROLLER_ERR_TOO_SHORT || err == ROLLER_ERR_TOO_LONG ||
		      err == ROLLER_ERR_CRC || err == ROLLER_ERR_BAD_RECORD ||
		      err == ROLLER_ERR_TRUNCATED);

	dump_len = roller_dump_record(data, size, dump, sizeof(dump), &dump_err);
	check(dump_len < sizeof(dump));
	check(dump_err == err);
	check(strlen(dump) == dump_len);
	check(dump_len > 0 && dump[dump_len - 1] == '\n');
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *crc_fixed;

	check_record(data, size);
	if (size >= 4 && size <= ROLLER_RECORD_MAX_LEN) {
		/* Of the exact size, as libFuzzer's copy: ASan sees over-reads. */
		crc_fixed = malloc(size);
		check(crc_fixed != NULL);
		memcpy(crc_fixed, data, size);
		roller_put_le32(crc_fixed + size - 4,
				roller_crc32(ROLLER_CRC32_INIT, crc_fixed, size - 4));
		check_record(crc_fixed, size);
		free(crc_fixed);
	}
	return 0;
}
