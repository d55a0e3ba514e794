/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Small helpers the unit tests share; include after <cmocka.h>.
 *
 * The PRNG is xorshift32 with a fixed seed per test, not rand(), so that a
 * failing iteration is the same on every libc and every run.
 */
#pragma once

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

struct test_rand {
	uint32_t state;
};

static inline void
test_rand_init(struct test_rand *r, uint32_t seed)
{
	r->state = seed ? seed : 0x9e3779b9u;
}

static inline uint32_t
test_rand_next(struct test_rand *r)
{
	uint32_t x = r->state;

	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	return r->state = x;
}

/* Uniform enough for tests in lo..hi, both included. */
static inline uint32_t
test_rand_range(struct test_rand *r, uint32_t lo, uint32_t hi)
{
	uint64_t span = (uint64_t)hi - lo + 1;

	return lo + (uint32_t)(test_rand_next(r) % span);
}

static inline void
test_rand_fill(struct test_rand *r, uint8_t *buf, size_t len)
{
	for (size_t i = 0; i < len; i++)
		buf[i] = (uint8_t)test_rand_next(r);
}

/*
 * A heap copy of exactly @len bytes, so that ASan and valgrind report any
 * read past the end (malloc(0) still yields a block nothing may read).
 */
static inline uint8_t *
test_memdup_exact(const void *src, size_t len)
{
	uint8_t *p = calloc(1, len);	/* not malloc: -Wmaybe-uninitialized at len 0 */

	if (len) {
		assert_non_null(p);
		memcpy(p, src, len);
	}
	return p;
}

#define TEST_MARK 0xee

/* A heap buffer of exactly @cap bytes, every byte TEST_MARK. */
static inline uint8_t *
test_marked_buffer(size_t cap)
{
	uint8_t *buf = malloc(cap);

	if (cap) {
		assert_non_null(buf);
		memset(buf, TEST_MARK, cap);
	}
	return buf;
}

/* Fails unless buf[from..cap) still holds TEST_MARK: nothing wrote there. */
static inline void
test_assert_marked(const uint8_t *buf, size_t from, size_t cap)
{
	for (size_t i = from; i < cap; i++)
		if (buf[i] != TEST_MARK)
			fail_msg("byte %zu of %zu was written: 0x%02x", i, cap, buf[i]);
}
