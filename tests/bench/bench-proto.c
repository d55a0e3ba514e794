/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Telemetry parse throughput of firmware-proto.
 *
 * Encodes, with the library's frame writer, at least 64 MiB of the frames
 * a roller sends during simulated sessions, then times parsing all of them
 * (roller_frame_parse, and every field of every record through the
 * iterator) against a memcpy of the same bytes, and counts the heap
 * allocations made while parsing.  The last line is the machine-readable
 * summary: parse MB/s=<x> ns/frame=<y> frames=<n> (MB = 10^6 bytes).
 */
#define _POSIX_C_SOURCE 200112L

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "roller-frame.h"

#define STREAM_MIN_BYTES (64u * 1024 * 1024)
#define ATT_PAYLOAD_MAX 244		/* ATT MTU 247 minus the 3-byte header */
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
#define CRC_ONE_FRAME_IN 4
#define PASSES 31

/*
 * Heap allocations are counted by linking with -Wl,--wrap=malloc (and
 * calloc, realloc): every call the bench or libroller-proto.a makes goes
 * through these.  The setup's own allocations prove the wrapping works.
 */
void *__real_malloc(size_t size);
void *__real_calloc(size_t n, size_t size);
void *__real_realloc(void *p, size_t size);
void *__wrap_malloc(size_t size);
void *__wrap_calloc(size_t n, size_t size);
void *__wrap_realloc(void *p, size_t size);

static unsigned long allocation_count;

void *
__wrap_malloc(size_t size)
{
	allocation_count++;
	return __real_malloc(size);
}

void *
__wrap_calloc(size_t n, size_t size)
{
	allocation_count++;
	return __real_calloc(n, size);
}

void *
__wrap_realloc(void *p, size_t size)
{
	allocation_count++;
	return __real_realloc(p, size);
}

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
	/* What parsing must add up to: the same sum over the encoder's inputs. */
	uint64_t expected_checksum;
};

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

static void
die(const char *what)
{
	fprintf(stderr, "bench-proto: %s\n", what);
	exit(1);
}

static void *
allocate(size_t size)
{
	void *p = malloc(size);

	if (!p)
		die("out of memory");
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

static uint64_t
stroke_checksum(const struct roller_stroke *s)
{
	return s->t_end_ms + s->roll_count + s->length_mm + s->heading +
	       s->zone + s->mean_force_cN;
}

static uint64_t
event_checksum(const struct roller_event *e)
{
	return e->t_ms + e->code + e->reserved + e->arg;
}

static uint64_t
coverage_checksum(uint8_t cols, uint8_t rows, const uint8_t *passes)
{
	uint64_t sum = cols + rows;

	for (unsigned i = 0; i < (unsigned)cols * rows; i++)
		sum += passes[i];
	return sum;
}

static void
must_add(enum roller_error err)
{
	if (err != ROLLER_OK)
		die("the frame writer refused a record of the simulation");
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
append_frame(struct stream *st, struct session_sim *sim)
{
	struct roller_frame_writer w;
	bool with_crc = st->n_frames % CRC_ONE_FRAME_IN == 0;
	bool ending = sim->t_ms >= sim->end_ms;
	size_t len;

	if (st->n_frames == st->max_frames)
		die("frame length array too small");
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

static void
build_stream(struct stream *st)
{
	struct session_sim sim = { .rng = 0x5eed1234u };
	/* Every frame has a header and a record: 6 bytes at least. */
	size_t capacity = STREAM_MIN_BYTES + ROLLER_FRAME_MAX_LEN;

	memset(st, 0, sizeof(*st));
	st->bytes = allocate(capacity);
	st->max_frames = capacity / 6;
	st->lengths = allocate(st->max_frames * sizeof(st->lengths[0]));
	session_begin(&sim);
	while (st->len < STREAM_MIN_BYTES)
		append_frame(st, &sim);
	st->simulated_ms += sim.t_ms;
}

/*
 * Every sample, into four running sums: with one, the bench would time a
 * chain of dependent adds (a cycle a sample, a third of the whole parse)
 * rather than the parser.
 */
static uint64_t
force_checksum(const struct roller_force *f)
{
	uint32_t part[4] = { 0 };
	unsigned i = 0;

	for (; i + 4 <= f->n; i += 4)
		for (unsigned k = 0; k < 4; k++)
			part[k] += roller_force_sample(f, i + k);
	for (; i < f->n; i++)
		part[0] += roller_force_sample(f, i);
	return (uint64_t)part[0] + part[1] + part[2] + part[3];
}

static uint64_t
record_checksum(const struct roller_record *rec)
{
	uint64_t sum = 0;

	switch (rec->type) {
	case ROLLER_RECORD_FORCE:
		sum = rec->u.force.t_ms + rec->u.force.period_ms +
		      force_checksum(&rec->u.force);
		break;
	case ROLLER_RECORD_STROKE:
		sum = stroke_checksum(&rec->u.stroke);
		break;
	case ROLLER_RECORD_COVERAGE:
		sum = coverage_checksum(rec->u.coverage.cols, rec->u.coverage.rows,
					rec->u.coverage.passes);
		break;
	case ROLLER_RECORD_EVENT:
		sum = event_checksum(&rec->u.event);
		break;
	default:
		sum = rec->type + rec->len;
		break;
	}
	return sum;
}

/*
 * With @read_records false, roller_frame_parse alone: what validation
 * costs before the caller sees any record.
 */
static uint64_t
parse_stream(const struct stream *st, bool read_records)
{
	const uint8_t *p = st->bytes;
	uint64_t checksum = 0;

	for (size_t i = 0; i < st->n_frames; i++) {
		struct roller_frame frame;
		struct roller_frame_iter it;
		struct roller_record rec;

		if (roller_frame_parse(p, st->lengths[i], &frame) != ROLLER_OK)
			die("the parser rejected a frame of the writer");
		p += st->lengths[i];
		checksum += frame.seq + frame.session_id;
		if (!read_records)
			continue;
		roller_frame_iter_init(&it, &frame);
		while (roller_frame_iter_next(&it, &rec))
			checksum += record_checksum(&rec);
	}
	return checksum;
}

static double
now_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int
compare_doubles(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static void
sort_times(double *times, size_t n)
{
	qsort(times, n, sizeof(times[0]), compare_doubles);
}

static double
median_of_sorted(const double *times, size_t n)
{
	return n % 2 ? times[n / 2] : (times[n / 2 - 1] + times[n / 2]) / 2;
}

static const char *
verdict(bool met)
{
	return met ? "met" : "MISSED";
}

int
main(void)
{
	static double parse_times[PASSES], memcpy_times[PASSES];
	static double validate_times[PASSES];
	volatile uint64_t validate_sink;
	volatile uint8_t copy_sink;
	struct stream st;
	unsigned long setup_allocations, parse_allocations;
	uint64_t checksum = 0;
	uint8_t *copy;
	double parse_best, parse_median, memcpy_best, memcpy_median;
	double mb, parse_mb_s, memcpy_mb_s, ns_per_frame, ratio;
	bool wrapped;

	build_stream(&st);
	copy = allocate(st.len);
	memset(copy, 0, st.len);	/* fault the pages in before timing */
	setup_allocations = allocation_count;
	wrapped = setup_allocations >= 3;

	/*
	 * Parse and memcpy passes alternate, so that both see the same
	 * conditions when the machine is shared (a VM's neighbours).
	 */
	for (int i = 0; i < PASSES; i++) {
		double start = now_seconds();
		uint64_t sum = parse_stream(&st, true);

		parse_times[i] = now_seconds() - start;
		if (i > 0 && sum != checksum)
			die("parse checksum differs between passes");
		checksum = sum;

		start = now_seconds();
		validate_sink = parse_stream(&st, false);
		validate_times[i] = now_seconds() - start;

		start = now_seconds();
		memcpy(copy, st.bytes, st.len);
		memcpy_times[i] = now_seconds() - start;
		copy_sink = copy[i * (st.len / PASSES)];
	}
	(void)copy_sink;
	(void)validate_sink;
	parse_allocations = allocation_count - setup_allocations;
	if (checksum != st.expected_checksum)
		die("parse checksum differs from the encoder's inputs");

	sort_times(parse_times, PASSES);
	sort_times(memcpy_times, PASSES);
	sort_times(validate_times, PASSES);
	parse_best = parse_times[0];
	parse_median = median_of_sorted(parse_times, PASSES);
	memcpy_best = memcpy_times[0];
	memcpy_median = median_of_sorted(memcpy_times, PASSES);
	mb = (double)st.len / 1e6;
	parse_mb_s = mb / parse_best;
	memcpy_mb_s = mb / memcpy_best;
	ns_per_frame = parse_best * 1e9 / (double)st.n_frames;
	ratio = parse_best / memcpy_best;

	printf("bench-proto: firmware-proto telemetry parsing, one thread\n");
	printf("stream: %zu frames, %zu bytes (%.1f MiB), %.1f bytes/frame, "
	       "ATT payload <= %d\n", st.n_frames, st.len,
	       (double)st.len / (1024.0 * 1024.0),
	       (double)st.len / (double)st.n_frames, ATT_PAYLOAD_MAX);
	printf("crc: 1 frame in %d carries a CRC-16 (%zu frames)\n",
	       CRC_ONE_FRAME_IN, st.n_crc_frames);
	printf("simulated: %zu sessions, %.1f h, force at %d Hz "
	       "(%llu samples), %dx%d coverage every %d s\n",
	       st.n_sessions, (double)st.simulated_ms / 3.6e6,
	       1000 / SAMPLE_PERIOD_MS, (unsigned long long)st.n_samples,
	       GRID_COLS, GRID_ROWS, COVERAGE_INTERVAL_MS / 1000);
	printf("records: force=%zu stroke=%zu coverage=%zu event=%zu\n",
	       st.n_records[ROLLER_RECORD_FORCE],
	       st.n_records[ROLLER_RECORD_STROKE],
	       st.n_records[ROLLER_RECORD_COVERAGE],
	       st.n_records[ROLLER_RECORD_EVENT]);
	printf("parse: %d passes, best %.2f ms, median %.2f ms, "
	       "median %.1f MB/s, checksum %llu (matches the encoder's inputs)\n",
	       PASSES, parse_best * 1e3, parse_median * 1e3,
	       mb / parse_median, (unsigned long long)checksum);
	printf("of which validation (roller_frame_parse alone): best %.2f ms, "
	       "%.1f MB/s\n", validate_times[0] * 1e3, mb / validate_times[0]);
	printf("memcpy: %d passes, best %.2f ms, median %.2f ms, best %.1f MB/s\n",
	       PASSES, memcpy_best * 1e3, memcpy_median * 1e3,
	       memcpy_mb_s);
	printf("parse/memcpy time: %.2f\n", ratio);
	if (wrapped)
		printf("allocations while parsing: %lu "
		       "(malloc/calloc/realloc wrapped; %lu during setup)\n",
		       parse_allocations, setup_allocations);
	else
		printf("allocations while parsing: unknown "
		       "(malloc is not wrapped: link with -Wl,--wrap=malloc)\n");
	printf("targets: >= 2500 MB/s %s; <= 4x memcpy time %s; "
	       "zero allocations %s\n", verdict(parse_mb_s >= 2500),
	       verdict(ratio <= 4), verdict(wrapped && parse_allocations == 0));
	printf("parse MB/s=%.1f ns/frame=%.1f frames=%zu\n",
	       parse_mb_s, ns_per_frame, st.n_frames);

	free(copy);
	free(st.lengths);
	free(st.bytes);
	return 0;
}
