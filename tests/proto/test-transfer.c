/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * roller-transfer: the chunker at the two ATT payload sizes that matter
 * (MTU 23 and 247, minus 3), and the reassembler with every way a
 * transfer can go wrong.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "roller-crc.h"
#include "roller-transfer.h"
#include "tests/harness/test-util.h"

#define SMALL_CHUNK (23 - 3)
#define LARGE_CHUNK (247 - 3)
/* Enough for 8192 bytes at 15 data bytes a chunk. */
#define MAX_CHUNKS (ROLLER_RECORD_MAX_LEN / (SMALL_CHUNK - ROLLER_CHUNK_HEADER_LEN) + 1)

struct chunk_list {
	size_t n;
	size_t len[MAX_CHUNKS];
	uint8_t data[MAX_CHUNKS][LARGE_CHUNK];
};

static uint8_t reassembly_buf[ROLLER_RECORD_MAX_LEN];

static size_t
encode_record(uint16_t id, uint8_t cols, uint8_t rows, uint16_t trace_len,
	      uint8_t *buf, size_t cap)
{
	static uint8_t passes[ROLLER_GRID_CELLS_MAX];
	static uint16_t trace[(ROLLER_RECORD_MAX_LEN - 40) / 2];
	struct roller_stored_record rec = {
		.record_id = id, .start_unix = 1700000000u + id, .duration_ms = 1000,
		.in_band_permille = 500, .cols = cols, .rows = rows,
		.passes = passes, .trace_period_ms = 100, .trace_len = trace_len,
	};
	size_t len = 0;

	for (unsigned i = 0; i < ROLLER_GRID_CELLS_MAX; i++)
		passes[i] = (uint8_t)(i + id);
	for (unsigned i = 0; i < trace_len; i++)
		trace[i] = (uint16_t)(i * 3 + id);
	assert_int_equal(roller_stored_record_encode(&rec, trace, buf, cap, &len),
			 ROLLER_OK);
	return len;
}

/* Splits with the chunker, into buffers of exactly @max_chunk bytes. */
static void
split(struct chunk_list *list, uint16_t chunk_id, const uint8_t *record,
      size_t len, size_t max_chunk)
{
	struct roller_chunker ch;
	uint8_t *out = malloc(max_chunk);
	size_t n;

	assert_non_null(out);
	roller_chunker_init(&ch, chunk_id, record, len);
	for (list->n = 0; (n = roller_chunker_next(&ch, out, max_chunk)) != 0; list->n++) {
		assert_true(list->n < MAX_CHUNKS);
		assert_true(n <= max_chunk);
		memcpy(list->data[list->n], out, n);
		list->len[list->n] = n;
	}
	assert_int_equal(roller_chunker_next(&ch, out, max_chunk), 0);
	free(out);
}

static size_t
make_chunk(uint8_t *out, uint16_t id, uint16_t offset, uint8_t flags,
	   const uint8_t *data, size_t n)
{
	roller_put_le16(out, id);
	roller_put_le16(out + 2, offset);
	out[4] = flags;
	memcpy(out + ROLLER_CHUNK_HEADER_LEN, data, n);
	return ROLLER_CHUNK_HEADER_LEN + n;
}

/* Feeds an exact-size heap copy of the chunk. */
static enum roller_error
feed(struct roller_reassembler *r, const uint8_t *chunk, size_t len,
     bool *complete, struct roller_stored_record *rec)
{
	uint8_t *copy = test_memdup_exact(chunk, len);
	enum roller_error err;

	*complete = true;	/* the reassembler must clear it itself */
	err = roller_reassembler_feed(r, copy, len, complete, rec);
	free(copy);
	return err;
}

/* Feeds chunks [from, to) of @list; all but a final last one are partial. */
static void
feed_partial(struct roller_reassembler *r, const struct chunk_list *list,
	     size_t from, size_t to)
{
	struct roller_stored_record rec;
	bool complete;

	for (size_t i = from; i < to; i++) {
		assert_int_equal(feed(r, list->data[i], list->len[i], &complete, &rec),
				 ROLLER_OK);
		assert_false(complete);
	}
}

static void
feed_whole(struct roller_reassembler *r, const struct chunk_list *list,
	   struct roller_stored_record *rec)
{
	bool complete;

	feed_partial(r, list, 0, list->n - 1);
	assert_int_equal(feed(r, list->data[list->n - 1], list->len[list->n - 1],
			      &complete, rec), ROLLER_OK);
	assert_true(complete);
}

static void
test_chunker_splits_contiguously(void **state)
{
	static const size_t sizes[] = {
		0, 1, 14, 15, 16, 30, 41, 54, 238, 239, 240, 478, 1000, 4097, 8192,
	};
	static const size_t max_chunks[] = { SMALL_CHUNK, LARGE_CHUNK };
	static uint8_t record[ROLLER_RECORD_MAX_LEN], joined[ROLLER_RECORD_MAX_LEN];
	static struct chunk_list list;
	struct test_rand rnd;

	test_rand_init(&rnd, 99);
	test_rand_fill(&rnd, record, sizeof(record));
	for (size_t m = 0; m < 2; m++) {
		size_t max = max_chunks[m], room = max - ROLLER_CHUNK_HEADER_LEN;

		for (size_t s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
			size_t size = sizes[s], offset = 0;

			split(&list, 0xbeef, record, size, max);
			assert_int_equal(list.n, size ? (size + room - 1) / room : 1);
			for (size_t i = 0; i < list.n; i++) {
				struct roller_chunk c;
				size_t want = size - offset < room ? size - offset : room;

				assert_int_equal(roller_chunk_parse(list.data[i], list.len[i], &c),
						 ROLLER_OK);
				assert_int_equal(c.record_id, 0xbeef);
				assert_int_equal(c.offset, offset);
				assert_int_equal(c.data_len, want);
				assert_int_equal(c.flags, i == list.n - 1 ? ROLLER_CHUNK_FLAG_LAST : 0);
				memcpy(joined + offset, c.data, c.data_len);
				offset += c.data_len;
			}
			assert_int_equal(offset, size);
			assert_memory_equal(joined, record, size);
		}
	}
}

static void
test_chunker_needs_room_for_a_data_byte(void **state)
{
	static const uint8_t record[3] = { 1, 2, 3 };
	static struct chunk_list list;
	struct roller_chunker ch;
	uint8_t out[8];

	roller_chunker_init(&ch, 1, record, sizeof(record));
	assert_int_equal(roller_chunker_next(&ch, out, ROLLER_CHUNK_HEADER_LEN), 0);
	assert_int_equal(roller_chunker_next(&ch, out, 0), 0);

	split(&list, 1, record, sizeof(record), ROLLER_CHUNK_HEADER_LEN + 1);
	assert_int_equal(list.n, 3);
	assert_int_equal(list.data[2][4], ROLLER_CHUNK_FLAG_LAST);
	assert_int_equal(list.data[2][5], 3);
}

static void
test_chunk_parse(void **state)
{
	static const uint8_t bytes[] = { 0x34, 0x12, 0x78, 0x56, 0x01, 0xaa };
	struct roller_chunk c;

	assert_int_equal(roller_chunk_parse(bytes, sizeof(bytes), &c), ROLLER_OK);
	assert_int_equal(c.record_id, 0x1234);
	assert_int_equal(c.offset, 0x5678);
	assert_int_equal(c.flags, ROLLER_CHUNK_FLAG_LAST);
	assert_ptr_equal(c.data, bytes + 5);
	assert_int_equal(c.data_len, 1);
	assert_int_equal(roller_chunk_parse(bytes, 5, &c), ROLLER_OK);
	assert_int_equal(c.data_len, 0);
	for (size_t len = 0; len < ROLLER_CHUNK_HEADER_LEN; len++)
		assert_int_equal(roller_chunk_parse(bytes, len, &c), ROLLER_ERR_TOO_SHORT);
}

static void
test_reassembles_records_of_many_sizes(void **state)
{
	static const struct {
		uint8_t cols, rows;
		uint16_t trace_len;
	} shapes[] = {
		{ 1, 1, 0 }, { 3, 2, 4 }, { 15, 15, 0 }, { 5, 4, 100 },
		{ 15, 14, 3971 }, { 2, 2, 1000 },
	};
	static const size_t max_chunks[] = { SMALL_CHUNK, LARGE_CHUNK };
	static uint8_t record[ROLLER_RECORD_MAX_LEN];
	static struct chunk_list list;
	struct roller_reassembler r;

	/* One reassembler for all: each record starts where the last ended. */
	roller_reassembler_init(&r, reassembly_buf);
	for (size_t s = 0; s < sizeof(shapes) / sizeof(shapes[0]); s++) {
		for (size_t m = 0; m < 2; m++) {
			size_t max = max_chunks[m];
			uint16_t id = (uint16_t)(100 + s);
			size_t len = encode_record(id, shapes[s].cols, shapes[s].rows,
						   shapes[s].trace_len, record, sizeof(record));
			struct roller_stored_record want, got;

			assert_int_equal(roller_stored_record_decode(record, len, &want),
					 ROLLER_OK);
			split(&list, id, record, len, max);
			feed_whole(&r, &list, &got);
			assert_int_equal(got.record_id, id);
			assert_int_equal(got.start_unix, want.start_unix);
			assert_int_equal(got.cols, shapes[s].cols);
			assert_int_equal(got.rows, shapes[s].rows);
			assert_int_equal(got.trace_len, shapes[s].trace_len);
			assert_int_equal(got.crc, want.crc);
			assert_ptr_equal(got.passes, reassembly_buf + ROLLER_RECORD_FIXED_LEN);
			assert_memory_equal(reassembly_buf, record, len);
		}
	}
}

/* A 3x2 record of 86 bytes: six chunks of up to 15 data bytes. */
static void
split_record(struct chunk_list *list, uint16_t record_id, uint16_t chunk_id)
{
	uint8_t record[128];
	size_t len = encode_record(record_id, 3, 2, 20, record, sizeof(record));

	split(list, chunk_id, record, len, SMALL_CHUNK);
	assert_int_equal(list->n, 6);
}

static void
test_gap_for_a_skipped_chunk(void **state)
{
	static struct chunk_list rec7;
	struct roller_reassembler r;
	struct roller_stored_record rec;
	bool complete;

	split_record(&rec7, 7, 7);
	roller_reassembler_init(&r, reassembly_buf);
	feed_partial(&r, &rec7, 0, 2);
	assert_int_equal(feed(&r, rec7.data[3], rec7.len[3], &complete, &rec),
			 ROLLER_ERR_GAP);
	assert_false(complete);
	assert_int_equal(r.failed_id, 7);

	/* The rest of the broken record is refused too... */
	assert_int_equal(feed(&r, rec7.data[4], rec7.len[4], &complete, &rec),
			 ROLLER_ERR_GAP);
	assert_int_equal(r.failed_id, 7);

	/* ...until it is sent again from offset 0. */
	feed_whole(&r, &rec7, &rec);
	assert_int_equal(rec.record_id, 7);
}

static void
test_gap_for_another_record_mid_record(void **state)
{
	static struct chunk_list rec7, rec8;
	struct roller_reassembler r;
	struct roller_stored_record rec;
	bool complete;

	split_record(&rec7, 7, 7);
	split_record(&rec8, 8, 8);
	roller_reassembler_init(&r, reassembly_buf);
	feed_partial(&r, &rec7, 0, 2);
	/* Record 8's third chunk has the very offset record 7 expects next. */
	assert_int_equal(feed(&r, rec8.data[2], rec8.len[2], &complete, &rec),
			 ROLLER_ERR_GAP);
	assert_false(complete);
	assert_int_equal(r.failed_id, 7);

	feed_whole(&r, &rec8, &rec);
	assert_int_equal(rec.record_id, 8);
}

static void
test_gap_with_nothing_under_way(void **state)
{
	static struct chunk_list rec7;
	struct roller_reassembler r;
	struct roller_stored_record rec;
	bool complete;

	split_record(&rec7, 7, 7);
	roller_reassembler_init(&r, reassembly_buf);
	assert_int_equal(feed(&r, rec7.data[1], rec7.len[1], &complete, &rec),
			 ROLLER_ERR_GAP);
	assert_int_equal(r.failed_id, 7);

	/* A completed record is closed: a repeated last chunk is a gap. */
	feed_whole(&r, &rec7, &rec);
	assert_int_equal(feed(&r, rec7.data[5], rec7.len[5], &complete, &rec),
			 ROLLER_ERR_GAP);
	assert_false(complete);
	assert_int_equal(r.failed_id, 7);
}

/* A new record while one is incomplete names the incomplete one. */
static void
test_offset_zero_mid_record_is_a_gap(void **state)
{
	static struct chunk_list rec7, rec8;
	struct roller_reassembler r;
	struct roller_stored_record rec;
	bool complete;

	split_record(&rec7, 7, 7);
	split_record(&rec8, 8, 8);
	roller_reassembler_init(&r, reassembly_buf);
	feed_partial(&r, &rec7, 0, 3);
	assert_int_equal(feed(&r, rec7.data[0], rec7.len[0], &complete, &rec),
			 ROLLER_ERR_GAP);
	assert_int_equal(r.failed_id, 7);

	feed_partial(&r, &rec7, 0, 4);
	assert_int_equal(feed(&r, rec8.data[0], rec8.len[0], &complete, &rec),
			 ROLLER_ERR_GAP);
	assert_false(complete);
	assert_int_equal(r.failed_id, 7);

	/* After the error the next record starts cleanly. */
	feed_whole(&r, &rec8, &rec);
	assert_int_equal(rec.record_id, 8);
	assert_int_equal(rec.start_unix, 1700000008u);
}

static void
test_overlong_record(void **state)
{
	static uint8_t data[LARGE_CHUNK];
	uint8_t chunk[LARGE_CHUNK];
	struct roller_reassembler r;
	struct roller_stored_record rec;
	size_t offset = 0, len;
	bool complete;

	roller_reassembler_init(&r, reassembly_buf);
	/* Exactly 8192 bytes are accepted, waiting for more... */
	while (offset < ROLLER_RECORD_MAX_LEN) {
		size_t n = ROLLER_RECORD_MAX_LEN - offset < 239 ?
			ROLLER_RECORD_MAX_LEN - offset : 239;

		len = make_chunk(chunk, 5, (uint16_t)offset, 0, data, n);
		assert_int_equal(feed(&r, chunk, len, &complete, &rec), ROLLER_OK);
		assert_false(complete);
		offset += n;
	}
	/* ...but not one byte more, last chunk or not. */
	len = make_chunk(chunk, 5, (uint16_t)offset, ROLLER_CHUNK_FLAG_LAST, data, 1);
	assert_int_equal(feed(&r, chunk, len, &complete, &rec), ROLLER_ERR_OVERLONG);
	assert_false(complete);
	assert_int_equal(r.failed_id, 5);

	/* After 34 * 239 = 8126 bytes, a chunk of 239 crosses the limit. */
	for (offset = 0; offset < 34 * 239; offset += 239) {
		len = make_chunk(chunk, 6, (uint16_t)offset, 0, data, 239);
		assert_int_equal(feed(&r, chunk, len, &complete, &rec), ROLLER_OK);
	}
	len = make_chunk(chunk, 6, (uint16_t)offset, 0, data, 239);
	assert_int_equal(feed(&r, chunk, len, &complete, &rec), ROLLER_ERR_OVERLONG);
	assert_int_equal(r.failed_id, 6);
}

static void
test_corrupted_byte_fails_the_crc(void **state)
{
	static struct chunk_list rec7;
	struct roller_reassembler r;
	struct roller_stored_record rec;
	bool complete;

	split_record(&rec7, 7, 7);
	rec7.data[2][10] ^= 0x01;
	roller_reassembler_init(&r, reassembly_buf);
	feed_partial(&r, &rec7, 0, 5);
	assert_int_equal(feed(&r, rec7.data[5], rec7.len[5], &complete, &rec),
			 ROLLER_ERR_CRC);
	assert_false(complete);
	assert_int_equal(r.failed_id, 7);

	rec7.data[2][10] ^= 0x01;
	feed_whole(&r, &rec7, &rec);
	assert_int_equal(rec.record_id, 7);
}

static void
test_record_id_must_match_the_chunks(void **state)
{
	static struct chunk_list list;
	struct roller_reassembler r;
	struct roller_stored_record rec;
	bool complete;

	split_record(&list, 7, 9);
	roller_reassembler_init(&r, reassembly_buf);
	feed_partial(&r, &list, 0, 5);
	assert_int_equal(feed(&r, list.data[5], list.len[5], &complete, &rec),
			 ROLLER_ERR_ID_MISMATCH);
	assert_false(complete);
	assert_int_equal(r.failed_id, 9);
}

static void
test_decoder_errors_pass_through(void **state)
{
	uint8_t record[128], chunk[LARGE_CHUNK];
	struct roller_reassembler r;
	struct roller_stored_record rec;
	size_t len = encode_record(4, 2, 2, 0, record, sizeof(record)), n;
	bool complete;

	roller_reassembler_init(&r, reassembly_buf);
	n = make_chunk(chunk, 4, 0, ROLLER_CHUNK_FLAG_LAST, record, 40);
	assert_int_equal(feed(&r, chunk, n, &complete, &rec), ROLLER_ERR_TOO_SHORT);
	assert_int_equal(r.failed_id, 4);

	record[30] = 16;
	roller_put_le32(record + len - 4, roller_crc32(ROLLER_CRC32_INIT, record, len - 4));
	n = make_chunk(chunk, 4, 0, ROLLER_CHUNK_FLAG_LAST, record, len);
	assert_int_equal(feed(&r, chunk, n, &complete, &rec), ROLLER_ERR_BAD_RECORD);
	assert_false(complete);
}

static void
test_short_chunk(void **state)
{
	static struct chunk_list rec7;
	struct roller_reassembler r;
	struct roller_stored_record rec;
	bool complete;

	split_record(&rec7, 7, 7);
	roller_reassembler_init(&r, reassembly_buf);
	for (size_t len = 0; len < ROLLER_CHUNK_HEADER_LEN; len++) {
		assert_int_equal(feed(&r, rec7.data[0], len, &complete, &rec),
				 ROLLER_ERR_TOO_SHORT);
		assert_false(complete);
	}

	/* Mid-record it names the record under way and discards it. */
	feed_partial(&r, &rec7, 0, 2);
	assert_int_equal(feed(&r, rec7.data[2], 4, &complete, &rec), ROLLER_ERR_TOO_SHORT);
	assert_int_equal(r.failed_id, 7);
	assert_int_equal(feed(&r, rec7.data[2], rec7.len[2], &complete, &rec),
			 ROLLER_ERR_GAP);
	feed_whole(&r, &rec7, &rec);
	assert_int_equal(rec.record_id, 7);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_chunker_splits_contiguously),
		cmocka_unit_test(test_chunker_needs_room_for_a_data_byte),
		cmocka_unit_test(test_chunk_parse),
		cmocka_unit_test(test_reassembles_records_of_many_sizes),
		cmocka_unit_test(test_gap_for_a_skipped_chunk),
		cmocka_unit_test(test_gap_for_another_record_mid_record),
		cmocka_unit_test(test_gap_with_nothing_under_way),
		cmocka_unit_test(test_offset_zero_mid_record_is_a_gap),
		cmocka_unit_test(test_overlong_record),
		cmocka_unit_test(test_corrupted_byte_fails_the_crc),
		cmocka_unit_test(test_record_id_must_match_the_chunks),
		cmocka_unit_test(test_decoder_errors_pass_through),
		cmocka_unit_test(test_short_chunk),
	};

	return cmocka_run_group_tests_name("roller-transfer", tests, NULL, NULL);
}
