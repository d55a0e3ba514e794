/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Random valid telemetry frames together with the model they were built
 * from, and the other helpers of the frame tests.  Include after
 * <cmocka.h>: the assertions fail the running test.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "roller-frame.h"
#include "tests/harness/test-util.h"

#define TEST_FRAME_MAX_RECORDS 254	/* empty records in 512 - 4 bytes */
#define TEST_FRAME_MAX_SAMPLES 125	/* (255 - 5) / 2 */

struct test_frame_record {
	uint8_t type;
	uint8_t len;
	uint32_t t_ms;
	uint8_t period_ms;
	uint16_t n;
	uint16_t samples[TEST_FRAME_MAX_SAMPLES];
	struct roller_stroke stroke;
	struct roller_event event;
	uint8_t cols;
	uint8_t rows;
	uint8_t bytes[255];	/* coverage passes, or an unknown type's body */
};

struct test_frame_model {
	uint8_t seq;
	uint16_t session_id;
	bool crc;
	unsigned n_records;
	unsigned n_unknown;
	struct test_frame_record rec[TEST_FRAME_MAX_RECORDS];
};

/*
 * Builds a random frame of random FORCE, STROKE, COVERAGE, EVENT and
 * unknown records into a malloc'ed buffer of exactly the writer's
 * capacity; @model says what went in, *len how long the frame is.
 */
uint8_t *test_frame_build_random(struct test_rand *rnd,
				 struct test_frame_model *model, size_t *len);

/* Fails the test unless @r carries exactly what @m describes. */
void test_frame_assert_record(const struct roller_record *r,
			      const struct test_frame_record *m);

/*
 * Re-encodes a parsed frame with the writer from its fields only, the
 * reserved header bits included; returns the length.
 */
size_t test_frame_rebuild(const struct roller_frame *frame, uint8_t *out,
			  size_t cap);

/*
 * One random bit flip, byte change, truncation or extension (up to @cap
 * bytes) of the @len bytes at @buf; returns the new length.
 */
size_t test_frame_mutate(struct test_rand *rnd, uint8_t *buf, size_t len,
			 size_t cap);

/* The canonical dump line of one record, written from its typed fields. */
void test_frame_format_record(const struct roller_record *r, char *out,
			      size_t cap);
