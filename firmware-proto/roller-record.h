/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Stored session records (spec section 6) and the statistics definitions
 * that device and central share.
 */
#pragma once

#include "roller-proto.h"

#define ROLLER_RECORD_MIN_LEN 41
#define ROLLER_RECORD_MAX_LEN 8192
#define ROLLER_RECORD_FIXED_LEN 32	/* up to and including rows */
#define ROLLER_CONTACT_MIN_CN 50

/*
 * A decoded record.  passes and trace point into the decoded buffer (or,
 * for encoding, into the caller's arrays); trace holds trace_len
 * little-endian u16 values, read them with roller_stored_record_trace().
 */
struct roller_stored_record {
	uint16_t record_id;
	uint32_t start_unix;
	uint32_t duration_ms;
	uint8_t area_id;
	uint8_t end_reason;
	uint16_t needle_um;
	uint16_t roll_count;
	uint16_t force_mean_cN;
	uint16_t force_max_cN;
	uint16_t in_band_permille;
	uint16_t dirs[4];
	uint8_t cols;
	uint8_t rows;
	const uint8_t *passes;
	uint16_t trace_period_ms;
	uint16_t trace_len;
	const uint8_t *trace;
	uint32_t crc;
};

/* Bytes the record with these dimensions takes on the wire. */
size_t roller_stored_record_size(uint8_t cols, uint8_t rows, uint16_t trace_len);

/*
 * Validates @len bytes at @buf in spec section 8's order and fills @rec
 * (left untouched on error).  Reads only buf[0..len).
 */
enum roller_error roller_stored_record_decode(const uint8_t *buf, size_t len,
					      struct roller_stored_record *rec);

/*
 * Encodes @rec, whose trace values come from @trace (host order, trace_len
 * of them; rec->trace is ignored), into @buf, CRC included.  Returns
 * ROLLER_ERR_INVALID when a field breaks a spec rule, ROLLER_ERR_NO_SPACE
 * when @cap is too small; *out_len receives the length on success.
 */
enum roller_error roller_stored_record_encode(const struct roller_stored_record *rec,
					      const uint16_t *trace,
					      uint8_t *buf, size_t cap,
					      size_t *out_len);

static inline uint16_t
roller_stored_record_trace(const struct roller_stored_record *rec, unsigned i)
{
	return roller_get_le16(rec->trace + 2 * i);
}

/*
 * Spec section 6's contact sample: valid (not 0xFFFF), at least
 * ROLLER_CONTACT_MIN_CN, taken while the session was not paused.  The
 * statistics and, by rollerd's and roller-sim's reading, the trace use it.
 */
static inline bool
roller_force_is_contact(uint16_t sample, bool paused)
{
	return !paused && sample != 0xFFFFu && sample >= ROLLER_CONTACT_MIN_CN;
}

/*
 * Force statistics by spec section 6: feed every FORCE sample with
 * whether the session was paused when it was taken.
 */
struct roller_force_stats {
	uint64_t contact_sum;
	uint32_t contact_n;
	uint32_t in_band_n;
	uint16_t max_cN;	/* raw; read it with roller_force_stats_max() */
};

void roller_force_stats_init(struct roller_force_stats *st);
void roller_force_stats_add(struct roller_force_stats *st, uint16_t sample,
			    bool paused, uint16_t band_low, uint16_t band_high);
uint16_t roller_force_stats_mean(const struct roller_force_stats *st);
uint16_t roller_force_stats_max(const struct roller_force_stats *st);
uint16_t roller_force_stats_in_band_permille(const struct roller_force_stats *st);
