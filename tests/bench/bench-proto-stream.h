/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * bench-proto's telemetry: the frames a roller sends during simulated
 * sessions, encoded back to back with the library's frame writer, and the
 * sums of their fields that a parse must add up to.  Deterministic: every
 * run builds the same bytes.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "roller-frame.h"

#define ATT_PAYLOAD_MAX 244		/* ATT MTU 247 minus the 3-byte header */

enum stream_crc {
	STREAM_CRC_NONE,
	STREAM_CRC_ALL,
	STREAM_CRC_ONE_IN_4,
};

/* Frames back to back; frame i is lengths[i] bytes long. */
struct stream {
	uint8_t *bytes;
	size_t len;
	uint16_t *lengths;
	size_t n_frames;
	size_t max_frames;
	size_t n_crc_frames;
	size_t n_sessions;
	uint64_t simulated_ms;
	size_t n_records[ROLLER_RECORD_EVENT + 1];
	uint64_t n_samples;
	bool coverage;			/* 10x8 COVERAGE every 5 s and at the end */
	/* What parsing must add up to: the same sum over the encoder's inputs. */
	uint64_t expected_checksum;
};

/* Prints "bench-proto: <what>" and exits with status 1. */
void bench_proto_die(const char *what);
/* malloc() that dies instead of returning NULL. */
void *bench_proto_allocate(size_t size);

/* Simulates sessions until the stream holds at least @min_bytes. */
void stream_build(struct stream *st, size_t min_bytes, enum stream_crc crc,
		  bool coverage);
void stream_free(struct stream *st);
/* Prints what @st holds: its frames, sessions and records. */
void stream_describe(const struct stream *st);

/* The sums both sides add up (the encoder's inputs, the parsed fields). */
static inline uint64_t
stroke_checksum(const struct roller_stroke *s)
{
	return s->t_end_ms + s->roll_count + s->length_mm + s->heading +
	       s->zone + s->mean_force_cN;
}

static inline uint64_t
event_checksum(const struct roller_event *e)
{
	return e->t_ms + e->code + e->reserved + e->arg;
}

static inline uint64_t
coverage_checksum(uint8_t cols, uint8_t rows, const uint8_t *passes)
{
	uint64_t sum = cols + rows;

	for (unsigned i = 0; i < (unsigned)cols * rows; i++)
		sum += passes[i];
	return sum;
}

/*
 * Every force sample, summed.  Out of line, in its own file: all parsers
 * run this same machine code, so that where a compiler puts their inlined
 * copies of the loop (which moved a parser's time by 15%) is not timed.
 */
uint64_t samples_checksum(const uint8_t *samples, unsigned n);
