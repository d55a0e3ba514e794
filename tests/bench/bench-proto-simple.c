/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* bench-proto's straightforward parser, and its callgrind runs. */
#define _POSIX_C_SOURCE 200809L

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench-proto-simple.h"
#include "roller-crc.h"

/*
 * The walk and its consumer are inlined into both passes that use them,
 * as GCC does by itself while there is one: a call a record would make
 * the straightforward parser slower than it is.
 */
#if defined(__GNUC__)
#define ALWAYS_INLINE inline __attribute__((always_inline))
#else
#define ALWAYS_INLINE inline
#endif

/* Pass 1; on ROLLER_OK, *records_end is where the CRC (or the frame) ends. */
static enum roller_error
validate(const uint8_t *buf, size_t len, size_t *records_end)
{
	bool has_crc = len > 0 && (buf[0] & ROLLER_FRAME_FLAG_CRC);
	size_t end = len, pos;

	if (len < 4 || (has_crc && len < 6))
		return ROLLER_ERR_TOO_SHORT;
	if (len > 512)
		return ROLLER_ERR_TOO_LONG;
	if (buf[0] >> 4 != 1)
		return ROLLER_ERR_VERSION;
	if (has_crc) {
		end -= 2;
		if (roller_crc16(0xFFFF, buf, end) != (buf[end] | buf[end + 1] << 8))
			return ROLLER_ERR_CRC;
	}
	for (pos = 4; pos < end; pos += 2 + buf[pos + 1]) {
		const uint8_t *body = buf + pos + 2;
		uint8_t rlen;
		bool ok;

		if (end - pos < 2 || end - pos - 2 < buf[pos + 1])
			return ROLLER_ERR_TRUNCATED;
		rlen = buf[pos + 1];
		switch (buf[pos]) {
		case ROLLER_RECORD_FORCE:	/* 5 + 2k, k >= 1, period >= 1 */
			ok = rlen >= 7 && rlen % 2 == 1 && body[4] >= 1;
			break;
		case ROLLER_RECORD_STROKE:
			ok = rlen == 12;
			break;
		case ROLLER_RECORD_COVERAGE:
			ok = rlen >= 2 && body[0] >= 1 && body[0] <= 15 &&
			     body[1] >= 1 && body[1] <= 15 &&
			     rlen == 2 + body[0] * body[1];
			break;
		case ROLLER_RECORD_EVENT:
			ok = rlen == 8;
			break;
		default:		/* unknown types are skipped */
			ok = true;
			break;
		}
		if (!ok)
			return ROLLER_ERR_BAD_RECORD;
	}
	*records_end = end;
	return ROLLER_OK;
}

enum roller_error
simple_frame_validate(const uint8_t *buf, size_t len)
{
	size_t end;

	return validate(buf, len, &end);
}

/* The consumer: every field of one record, as the firmware side sums it. */
static ALWAYS_INLINE uint64_t
consume(uint8_t type, uint8_t len, const uint8_t *b)
{
	switch (type) {
	case ROLLER_RECORD_FORCE:
		return roller_get_le32(b) + b[4] +
		       samples_checksum(b + 5, (len - 5u) / 2);
	case ROLLER_RECORD_STROKE: {
		struct roller_stroke s = {
			.t_end_ms = roller_get_le32(b),
			.roll_count = roller_get_le16(b + 4),
			.length_mm = roller_get_le16(b + 6),
			.heading = b[8],
			.zone = b[9],
			.mean_force_cN = roller_get_le16(b + 10),
		};

		return stroke_checksum(&s);
	}
	case ROLLER_RECORD_COVERAGE:
		return coverage_checksum(b[0], b[1], b + 2);
	case ROLLER_RECORD_EVENT: {
		struct roller_event e = {
			.t_ms = roller_get_le32(b),
			.code = b[4],
			.reserved = b[5],
			.arg = roller_get_le16(b + 6),
		};

		return event_checksum(&e);
	}
	default:
		return type + len;
	}
}

/* Pass 2: every record of a frame whose records end at @end. */
static ALWAYS_INLINE uint64_t
walk(const uint8_t *buf, size_t end)
{
	uint64_t sum = buf[1] + (unsigned)(buf[2] | buf[3] << 8);

	for (size_t pos = 4; pos < end; pos += 2 + buf[pos + 1])
		sum += consume(buf[pos], buf[pos + 1], buf + pos + 2);
	return sum;
}

uint64_t
simple_pass(const struct stream *st)
{
	const uint8_t *buf = st->bytes;
	uint64_t sum = 0;

	for (size_t i = 0; i < st->n_frames; buf += st->lengths[i++]) {
		size_t end;

		if (validate(buf, st->lengths[i], &end) != ROLLER_OK)
			bench_proto_die("the straightforward parser rejected a frame");
		sum += walk(buf, end);
	}
	return sum;
}

uint64_t
unchecked_pass(const struct stream *st)
{
	const uint8_t *buf = st->bytes;
	uint64_t sum = 0;

	for (size_t i = 0; i < st->n_frames; buf += st->lengths[i++])
		sum += walk(buf, st->lengths[i] - (buf[0] & ROLLER_FRAME_FLAG_CRC ? 2 : 0));
	return sum;
}

static void
check_one(const uint8_t *buf, size_t len)
{
	struct roller_frame frame;

	if (simple_frame_validate(buf, len) != roller_frame_parse(buf, len, &frame))
		bench_proto_die("the two parsers disagree on a damaged frame");
}

void
simple_check_agrees(const struct stream *st)
{
	uint8_t copy[ROLLER_FRAME_MAX_LEN];
	const uint8_t *buf = st->bytes;

	for (size_t i = 0; i < st->n_frames && i < 64; buf += st->lengths[i++]) {
		size_t len = st->lengths[i];

		for (size_t cut = 0; cut <= len; cut++)
			check_one(buf, cut);
		for (size_t at = 0; at < len; at++) {
			memcpy(copy, buf, len);
			copy[at] ^= (uint8_t)(1u << (at % 8));
			check_one(copy, len);
			/* A length byte if a record starts here, else any byte. */
			copy[at] = (uint8_t)(buf[at] + 1);
			check_one(copy, len);
		}
	}
}

uint64_t
callgrind_measured_pass(uint64_t (*pass)(const struct stream *),
			const struct stream *st)
{
	return pass(st);
}

/* "summary: <Ir>" of a callgrind output file; -1 without one. */
static double
read_summary(const char *path)
{
	char line[256];
	double ir = -1;
	FILE *f = fopen(path, "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (strncmp(line, "summary:", 8) == 0)
			ir = strtod(line + 8, NULL);
	fclose(f);
	return ir;
}

double
callgrind_instructions_per_frame(const char *parser, bool crc,
				 size_t n_frames)
{
	const char *tmpdir = getenv("TMPDIR");
	char out[512], out_arg[600], self[512];
	ssize_t self_len;
	int fd, status;
	double ir;
	pid_t pid;

	/* valgrind would read its own /proc/self/exe: resolve ours first. */
	self_len = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (self_len <= 0)
		return -1;
	self[self_len] = '\0';
	snprintf(out, sizeof(out), "%s/bench-proto-callgrind-XXXXXX",
		 tmpdir && *tmpdir ? tmpdir : "/tmp");
	fd = mkstemp(out);
	if (fd < 0)
		return -1;
	close(fd);
	snprintf(out_arg, sizeof(out_arg), "--callgrind-out-file=%s", out);

	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		int null = open("/dev/null", O_WRONLY);

		if (null >= 0) {
			dup2(null, STDOUT_FILENO);
			dup2(null, STDERR_FILENO);
		}
		execlp("valgrind", "valgrind", "--tool=callgrind", out_arg,
		       "--toggle-collect=callgrind_measured_pass", self,
		       CALLGRIND_CHILD_ARG, parser, crc ? "crc" : "plain",
		       (char *)NULL);
		_exit(127);
	}
	ir = -1;
	if (pid > 0 && waitpid(pid, &status, 0) == pid &&
	    WIFEXITED(status) && WEXITSTATUS(status) == 0)
		ir = read_summary(out);
	unlink(out);
	return ir < 0 ? -1 : ir / (double)n_frames;
}
