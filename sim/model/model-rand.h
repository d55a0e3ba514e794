/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The simulator's only source of chance: xorshift64* seeded through
 * splitmix64.  Integer only and the same on every platform, so a roller's
 * behaviour is a function of its seed and nothing else.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

struct model_rand {
	uint64_t state;
};

/* splitmix64's output function: spreads any 64-bit value over all bits. */
static inline uint64_t
model_rand_mix(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ull;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
	return x ^ (x >> 31);
}

static inline void
model_rand_seed(struct model_rand *r, uint64_t seed)
{
	r->state = model_rand_mix(seed);
	if (r->state == 0)	/* xorshift never leaves 0 */
		r->state = 0x9e3779b97f4a7c15ull;
}

static inline uint64_t
model_rand_next(struct model_rand *r)
{
	uint64_t x = r->state;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	r->state = x;
	return x * 0x2545f4914f6cdd1dull;
}

/* Uniform in lo..hi, both included (multiply-shift, no modulo bias worth
 * mentioning for spans this small). */
static inline int32_t
model_rand_range(struct model_rand *r, int32_t lo, int32_t hi)
{
	uint64_t span = (uint64_t)((int64_t)hi - lo) + 1;
	uint64_t top = model_rand_next(r) >> 32;

	return (int32_t)(lo + (int64_t)((top * span) >> 32));
}

/* True with probability @per_mille / 1000. */
static inline bool
model_rand_chance(struct model_rand *r, uint32_t per_mille)
{
	return (uint32_t)model_rand_range(r, 0, 999) < per_mille;
}

/* True with probability @per_million / 1000000. */
static inline bool
model_rand_chance_ppm(struct model_rand *r, uint32_t per_million)
{
	return (uint32_t)model_rand_range(r, 0, 999999) < per_million;
}
