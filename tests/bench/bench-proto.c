/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Telemetry parse throughput of firmware-proto.
 *
 * First, against memcpy: encodes, with the library's frame writer, at
 * least 64 MiB of the frames a roller sends during simulated sessions
 * (bench-proto-stream.h), then times parsing all of them
 * (roller_frame_parse, and every field of every record through the
 * iterator) against a memcpy of the same bytes, and counts the heap
 * allocations made while parsing.
 *
 * Then, against a straightforward two-pass parser of the bench's own
 * (bench-proto-simple.h) and its walk with no check at all (the floor),
 * over the same frames of FORCE, STROKE and EVENT records (about 243
 * bytes each), once without and once with a CRC-16, in interleaved runs;
 * and, when valgrind is on the PATH, the instructions per frame of each
 * from callgrind (the same on any machine).  firmware-proto checks CRCs
 * as rollerd does, by carry-less multiply where the CPU has it.
 *
 * The last line is the machine-readable summary: parse MB/s=<x>
 * ns/frame=<y> frames=<n> two-pass-ratio=<r> two-pass-ratio-crc=<c>
 * (MB = 10^6 bytes; the ratios are firmware-proto's median time over the
 * straightforward parser's).
 */
#define _POSIX_C_SOURCE 200809L

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench-proto-simple.h"
#include "bench-proto-stream.h"
#include "roller-crc-clmul.h"

#define STREAM_MIN_BYTES (64u * 1024 * 1024)
#define PASSES 31
/* In L2, as a notification that just arrived is. */
#define CMP_STREAM_BYTES (1u * 1024 * 1024)
#define CMP_RUNS 15
#define CMP_PASSES_PER_RUN 20

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

static uint64_t
firmware_record_checksum(const struct roller_record *rec)
{
	switch (rec->type) {
	case ROLLER_RECORD_FORCE:
		return rec->u.force.t_ms + rec->u.force.period_ms +
		       samples_checksum(rec->u.force.samples, rec->u.force.n);
	case ROLLER_RECORD_STROKE:
		return stroke_checksum(&rec->u.stroke);
	case ROLLER_RECORD_COVERAGE:
		return coverage_checksum(rec->u.coverage.cols, rec->u.coverage.rows,
					 rec->u.coverage.passes);
	case ROLLER_RECORD_EVENT:
		return event_checksum(&rec->u.event);
	default:
		return rec->type + rec->len;
	}
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
			bench_proto_die("the parser rejected a frame of the writer");
		p += st->lengths[i];
		checksum += frame.seq + frame.session_id;
		if (!read_records)
			continue;
		roller_frame_iter_init(&it, &frame);
		while (roller_frame_iter_next(&it, &rec))
			checksum += firmware_record_checksum(&rec);
	}
	return checksum;
}

static uint64_t
firmware_pass(const struct stream *st)
{
	return parse_stream(st, true);
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

/* ns per frame of one run: CMP_PASSES_PER_RUN passes over @st. */
static double
time_run(uint64_t (*pass)(const struct stream *), const struct stream *st)
{
	double start = now_seconds();

	for (int i = 0; i < CMP_PASSES_PER_RUN; i++)
		if (pass(st) != st->expected_checksum)
			bench_proto_die("a parser's sum differs from the encoder's inputs");
	return (now_seconds() - start) * 1e9 /
	       ((double)CMP_PASSES_PER_RUN * (double)st->n_frames);
}

/*
 * Both parsers, and the walk with no check as the floor, over the same
 * frames, runs interleaved (the order rotated each run) so that all see
 * the machine's neighbours alike.  Returns the median ratio,
 * firmware-proto over straightforward.
 */
static double
compare_parsers(const char *label, const struct stream *st)
{
	static uint64_t (*const passes[3])(const struct stream *) = {
		firmware_pass, simple_pass, unchecked_pass,
	};
	double t[3][CMP_RUNS], min[3], median[3];

	for (int i = 0; i < CMP_RUNS; i++)
		for (int k = 0; k < 3; k++)
			t[(i + k) % 3][i] = time_run(passes[(i + k) % 3], st);
	for (int k = 0; k < 3; k++) {
		sort_times(t[k], CMP_RUNS);
		min[k] = t[k][0];
		median[k] = median_of_sorted(t[k], CMP_RUNS);
	}
	printf("%s: firmware-proto min %.1f median %.1f ns/frame; "
	       "straightforward min %.1f median %.1f; no check at all (floor) "
	       "min %.1f median %.1f\n", label, min[0], median[0], min[1],
	       median[1], min[2], median[2]);
	printf("%s: firmware-proto/straightforward time: min %.2f, median %.2f "
	       "(target <= 0.80: %s); floor/straightforward: median %.2f\n",
	       label, min[0] / min[1], median[0] / median[1],
	       verdict(median[0] / median[1] <= 0.8), median[2] / median[1]);
	return median[0] / median[1];
}

static void
print_instructions(const struct stream *plain, const struct stream *crc)
{
	const struct stream *streams[] = { plain, crc };
	static const char *const labels[] = { "no crc", "crc" };

	for (int i = 0; i < 2; i++) {
		size_t n = streams[i]->n_frames;
		double fw = callgrind_instructions_per_frame("firmware", i, n);
		double simple = callgrind_instructions_per_frame("simple", i, n);
		double unchecked = callgrind_instructions_per_frame("unchecked", i, n);

		if (fw < 0 || simple < 0 || unchecked < 0) {
			printf("instructions/frame: not measured "
			       "(valgrind --tool=callgrind did not run)\n");
			return;
		}
		printf("%s: instructions/frame (callgrind): firmware-proto %.0f, "
		       "straightforward %.0f, floor %.0f; firmware-proto/"
		       "straightforward %.2f\n", labels[i], fw, simple, unchecked,
		       fw / simple);
	}
}

/* One pass, alone, for callgrind_instructions_per_frame(). */
static int
callgrind_child(const char *parser, const char *crc)
{
	uint64_t (*pass)(const struct stream *) =
		strcmp(parser, "firmware") == 0 ? firmware_pass :
		strcmp(parser, "simple") == 0 ? simple_pass : unchecked_pass;
	bool with_crc = strcmp(crc, "crc") == 0;
	struct stream st;

	stream_build(&st, CMP_STREAM_BYTES,
		     with_crc ? STREAM_CRC_ALL : STREAM_CRC_NONE, false);
	if (callgrind_measured_pass(pass, &st) != st.expected_checksum)
		bench_proto_die("a parser's sum differs from the encoder's inputs");
	stream_free(&st);
	return 0;
}

int
main(int argc, char **argv)
{
	static double parse_times[PASSES], memcpy_times[PASSES];
	static double validate_times[PASSES];
	volatile uint64_t validate_sink;
	volatile uint8_t copy_sink;
	struct stream st, plain, crc;
	unsigned long setup_allocations, parse_allocations;
	uint64_t checksum = 0;
	uint8_t *copy;
	double parse_best, parse_median, memcpy_best, memcpy_median;
	double mb, parse_mb_s, memcpy_mb_s, ns_per_frame, ratio;
	double plain_ratio, crc_ratio;
	bool wrapped;

	/* As rollerd does; the straightforward parser keeps roller_crc16(). */
	roller_frame_use_crc16(roller_crc16_clmul_get());
	if (argc == 4 && strcmp(argv[1], CALLGRIND_CHILD_ARG) == 0)
		return callgrind_child(argv[2], argv[3]);

	stream_build(&st, STREAM_MIN_BYTES, STREAM_CRC_ONE_IN_4, true);
	copy = bench_proto_allocate(st.len);
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
			bench_proto_die("parse checksum differs between passes");
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
		bench_proto_die("parse checksum differs from the encoder's inputs");

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
	printf("frame CRC-16: %s\n", roller_crc16_clmul_get() ?
	       "carry-less multiply (roller-crc-clmul.c), as rollerd" :
	       "portable roller_crc16() (no carry-less multiply here)");
	stream_describe(&st);
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
	free(copy);
	stream_free(&st);

	printf("\nagainst a straightforward two-pass parser, on the same frames "
	       "(%d runs of %d passes each, interleaved)\n", CMP_RUNS,
	       CMP_PASSES_PER_RUN);
	stream_build(&plain, CMP_STREAM_BYTES, STREAM_CRC_NONE, false);
	stream_build(&crc, CMP_STREAM_BYTES, STREAM_CRC_ALL, false);
	stream_describe(&plain);
	simple_check_agrees(&plain);
	simple_check_agrees(&crc);
	plain_ratio = compare_parsers("no crc", &plain);
	crc_ratio = compare_parsers("crc", &crc);
	print_instructions(&plain, &crc);
	stream_free(&plain);
	stream_free(&crc);

	printf("parse MB/s=%.1f ns/frame=%.1f frames=%zu two-pass-ratio=%.2f "
	       "two-pass-ratio-crc=%.2f\n", parse_mb_s, ns_per_frame,
	       st.n_frames, plain_ratio, crc_ratio);
	return 0;
}
