/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The simulated sessions of bench-proto-stream.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench-proto-stream.h"

#define SAMPLE_PERIOD_MS 10		/* force sampled at 100 Hz */
#define STROKE_MIN_MS 800		/* a stroke every 0.8..1.2 s */
#define STROKE_SPREAD_MS 400
#define COVERAGE_INTERVAL_MS 5000
#define EVENT_MIN_MS 30000		/* an event every 30..90 s */
#define EVENT_SPREAD_MS 60000
#define SESSION_MIN_MS (15u * 60 * 1000)	/* sessions of 15..25 min */
#define SESSION_SPREAD_MS (10u * 60 * 1000)
#define GRID_COLS 10
#define GRID_ROWS 8

struct session_sim {
	uint32_t rng;
	uint16_t session_id;
	uint8_t seq;
	uint32_t t_ms;			/* time of the next force sample */
	uint32_t end_ms;
	uint32_t stroke_start_ms;
	uint32_t next_stroke_ms;
	uint32_t next_coverage_ms;
	uint32_t next_event_ms;
	uint16_t roll_count;
	uint16_t stroke_force_cN;	/* the pressure of the stroke under way */
	bool paused;
	bool start_pending;
	uint8_t passes[GRID_COLS * GRID_ROWS];
};

/*
 * Every force sample, into four running sums: with one, the bench would
 * time a chain of dependent adds (a cycle a sample, a third of the whole
 * parse) rather than the parser.  Written out: at -O2 GCC keeps a loop
 * over the four sums a loop, a compare and a branch a sample.
 */
uint64_t
samples_checksum(const uint8_t *samples, unsigned n)
{
	uint32_t s0 = 0, s1 = 0, s2 = 0, s3 = 0;
	const uint8_t *p = samples;

	for (; n >= 4; n -= 4, p += 8) {
		s0 += roller_get_le16(p);
		s1 += roller_get_le16(p + 2);
		s2 += roller_get_le16(p + 4);
		s3 += roller_get_le16(p + 6);
	}
	for (; n > 0; n--, p += 2)
		s0 += roller_get_le16(p);
	return (uint64_t)s0 + s1 + s2 + s3;
}

void
bench_proto_die(const char *what)
{
	fprintf(stderr, "bench-proto: %s\n", what);
	exit(1);
}

void *
bench_proto_allocate(size_t size)
{
	void *p = malloc(size);

	if (!p)
		bench_proto_die("out of memory");
	return p;
}

static uint32_t
next_random(struct session_sim *sim)
{
	/* xorshift32: deterministic, so every run parses the same stream. */
	sim->rng ^= sim->rng << 13;
	sim->rng ^= sim->rng >> 17;
	sim->rng ^= sim->rng << 5;
	return sim->rng;
}

static uint32_t
random_below(struct session_sim *sim, uint32_t bound)
{
	return next_random(sim) % bound;
}

static void
session_begin(struct session_sim *sim)
{
	/* Session id 0 means "none". */
	sim->session_id = sim->session_id == UINT16_MAX ?
		1 : (uint16_t)(sim->session_id + 1);
	sim->seq = 0;
	sim->t_ms = 0;
	sim->end_ms = SESSION_MIN_MS + random_below(sim, SESSION_SPREAD_MS);
	sim->stroke_start_ms = 0;
	sim->next_stroke_ms = STROKE_MIN_MS + random_below(sim, STROKE_SPREAD_MS);
	sim->next_coverage_ms = COVERAGE_INTERVAL_MS;
	sim->next_event_ms = EVENT_MIN_MS + random_below(sim, EVENT_SPREAD_MS);
	sim->roll_count = 0;
	sim->stroke_force_cN = (uint16_t)(250 + random_below(sim, 300));
	sim->paused = false;
	sim->start_pending = true;
	memset(sim->passes, 0, sizeof(sim->passes));
}

/* Pressed for most of a stroke, lifted for its last fifth; rarely no reading. */
static uint16_t
simulate_force(struct session_sim *sim, uint32_t t_ms)
{
	uint32_t stroke_len = sim->next_stroke_ms - sim->stroke_start_ms;

	if (random_below(sim, 4096) == 0)
		return ROLLER_FORCE_INVALID;
	if (sim->paused || t_ms - sim->stroke_start_ms > stroke_len * 4 / 5)
		return (uint16_t)random_below(sim, 20);
	return (uint16_t)(sim->stroke_force_cN + random_below(sim, 61) - 30);
}

static void
must_add(enum roller_error err)
{
	if (err != ROLLER_OK)
		bench_proto_die("the frame writer refused a record of the simulation");
}

static void
add_event(struct stream *st, struct roller_frame_writer *w, uint32_t t_ms,
	  uint8_t code, uint16_t arg)
{
	struct roller_event e = { .t_ms = t_ms, .code = code, .arg = arg };

	must_add(roller_frame_add_event(w, &e));
	st->n_records[ROLLER_RECORD_EVENT]++;
	st->expected_checksum += event_checksum(&e);
}

static void
add_coverage(struct stream *st, struct roller_frame_writer *w,
	     const struct session_sim *sim)
{
	must_add(roller_frame_add_coverage(w, GRID_COLS, GRID_ROWS, sim->passes));
	st->n_records[ROLLER_RECORD_COVERAGE]++;
	st->expected_checksum += coverage_checksum(GRID_COLS, GRID_ROWS,
						   sim->passes);
}

static void
add_stroke(struct stream *st, struct roller_frame_writer *w,
	   struct session_sim *sim)
{
	uint32_t cell = random_below(sim, GRID_COLS * GRID_ROWS + 8);
	struct roller_stroke s = {
		.t_end_ms = sim->next_stroke_ms,
		.roll_count = ++sim->roll_count,
		.length_mm = (uint16_t)(40 + random_below(sim, 80)),
		.heading = (uint8_t)next_random(sim),
		.zone = cell < GRID_COLS * GRID_ROWS ?
			(uint8_t)cell : ROLLER_ZONE_OUTSIDE,
		.mean_force_cN = sim->stroke_force_cN,
	};

	if (s.zone != ROLLER_ZONE_OUTSIDE && sim->passes[s.zone] < 255)
		sim->passes[s.zone]++;
	must_add(roller_frame_add_stroke(w, &s));
	st->n_records[ROLLER_RECORD_STROKE]++;
	st->expected_checksum += stroke_checksum(&s);

	sim->stroke_start_ms = sim->next_stroke_ms;
	sim->next_stroke_ms += STROKE_MIN_MS + random_below(sim, STROKE_SPREAD_MS);
	sim->stroke_force_cN = (uint16_t)(250 + random_below(sim, 300));
}

/* Pauses come and go, the rest are one-off warnings. */
static void
add_occasional_event(struct stream *st, struct roller_frame_writer *w,
		     struct session_sim *sim)
{
	uint32_t t_ms = sim->next_event_ms;

	if (sim->paused) {
		sim->paused = false;
		add_event(st, w, t_ms, ROLLER_EVENT_RESUME, 0);
	} else {
		switch (random_below(sim, 4)) {
		case 0:
			sim->paused = true;
			add_event(st, w, t_ms, ROLLER_EVENT_PAUSE, 0);
			break;
		case 1:
			add_event(st, w, t_ms, ROLLER_EVENT_BATTERY_LOW,
				  (uint16_t)(5 + random_below(sim, 15)));
			break;
		default:
			add_event(st, w, t_ms, ROLLER_EVENT_OVERFORCE,
				  (uint16_t)(900 + random_below(sim, 400)));
			break;
		}
	}
	sim->next_event_ms += EVENT_MIN_MS + random_below(sim, EVENT_SPREAD_MS);
}

static void
add_force(struct stream *st, struct roller_frame_writer *w,
	  struct session_sim *sim)
{
	uint16_t samples[128];
	uint16_t n = roller_frame_writer_force_room(w);

	if (n > sizeof(samples) / sizeof(samples[0]))
		n = sizeof(samples) / sizeof(samples[0]);
	st->expected_checksum += sim->t_ms + SAMPLE_PERIOD_MS;
	for (uint16_t i = 0; i < n; i++) {
		samples[i] = simulate_force(sim, sim->t_ms + i * SAMPLE_PERIOD_MS);
		st->expected_checksum += samples[i];
	}
	must_add(roller_frame_add_force(w, sim->t_ms, SAMPLE_PERIOD_MS,
					samples, n));
	st->n_records[ROLLER_RECORD_FORCE]++;
	st->n_samples += n;
	sim->t_ms += n * SAMPLE_PERIOD_MS;
}

/*
 * One notification: what happened since the previous one (session start,
 * strokes, the coverage snapshot, events), then as many force samples as
 * still fit; the session's last frame carries the final coverage and
 * SESSION_END instead.
 */
static void
append_frame(struct stream *st, struct session_sim *sim, enum stream_crc crc)
{
	struct roller_frame_writer w;
	bool with_crc = crc == STREAM_CRC_ALL ||
			(crc == STREAM_CRC_ONE_IN_4 && st->n_frames % 4 == 0);
	bool ending = sim->t_ms >= sim->end_ms;
	size_t len;

	if (st->n_frames == st->max_frames)
		bench_proto_die("frame length array too small");
	roller_frame_writer_init(&w, st->bytes + st->len, ATT_PAYLOAD_MAX,
				 sim->seq, sim->session_id, with_crc);
	st->expected_checksum += sim->seq + sim->session_id;

	if (sim->start_pending) {
		add_event(st, &w, 0, ROLLER_EVENT_SESSION_START,
			  (uint16_t)(1 + random_below(sim, 10)));
		sim->start_pending = false;
	}
	while (sim->next_stroke_ms <= sim->t_ms)
		add_stroke(st, &w, sim);
	if (ending || sim->next_coverage_ms <= sim->t_ms) {
		if (st->coverage)
			add_coverage(st, &w, sim);
		sim->next_coverage_ms += COVERAGE_INTERVAL_MS;
	}
	if (ending) {
		add_event(st, &w, sim->t_ms, ROLLER_EVENT_SESSION_END,
			  ROLLER_END_USER);
	} else {
		if (sim->next_event_ms <= sim->t_ms)
			add_occasional_event(st, &w, sim);
		add_force(st, &w, sim);
	}

	len = roller_frame_writer_finish(&w);
	st->lengths[st->n_frames++] = (uint16_t)len;
	st->len += len;
	st->n_crc_frames += with_crc;
	sim->seq++;
	if (ending) {
		st->n_sessions++;
		st->simulated_ms += sim->t_ms;
		session_begin(sim);
	}
}

void
stream_build(struct stream *st, size_t min_bytes, enum stream_crc crc,
	     bool coverage)
{
	struct session_sim sim = { .rng = 0x5eed1234u };
	/* Every frame has a header and a record: 6 bytes at least. */
	size_t capacity = min_bytes + ROLLER_FRAME_MAX_LEN;

	memset(st, 0, sizeof(*st));
	st->coverage = coverage;
	st->bytes = bench_proto_allocate(capacity);
	st->max_frames = capacity / 6;
	st->lengths = bench_proto_allocate(st->max_frames * sizeof(st->lengths[0]));
	session_begin(&sim);
	while (st->len < min_bytes)
		append_frame(st, &sim, crc);
	st->simulated_ms += sim.t_ms;
}

void
stream_free(struct stream *st)
{
	free(st->lengths);
	free(st->bytes);
}

void
stream_describe(const struct stream *st)
{
	printf("stream: %zu frames, %zu bytes (%.1f MiB), %.1f bytes/frame, "
	       "ATT payload <= %d, %zu with a CRC-16\n", st->n_frames, st->len,
	       (double)st->len / (1024.0 * 1024.0),
	       (double)st->len / (double)st->n_frames, ATT_PAYLOAD_MAX,
	       st->n_crc_frames);
	printf("simulated: %zu sessions, %.1f h, force at %d Hz "
	       "(%llu samples)", st->n_sessions,
	       (double)st->simulated_ms / 3.6e6, 1000 / SAMPLE_PERIOD_MS,
	       (unsigned long long)st->n_samples);
	if (st->coverage)
		printf(", %dx%d coverage every %d s", GRID_COLS, GRID_ROWS,
		       COVERAGE_INTERVAL_MS / 1000);
	printf("\nrecords: force=%zu stroke=%zu coverage=%zu event=%zu\n",
	       st->n_records[ROLLER_RECORD_FORCE],
	       st->n_records[ROLLER_RECORD_STROKE],
	       st->n_records[ROLLER_RECORD_COVERAGE],
	       st->n_records[ROLLER_RECORD_EVENT]);
}
