/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "roller-crc-clmul.h"
#include "roller-crc.h"

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>

/*
 * The CRC is that of the message as one polynomial, most significant bit
 * first.  A 16-byte lane, loaded byte-reversed, is such a polynomial with
 * its first byte on top; moving it n bits on (x^n) multiplies its 64-bit
 * halves by x^(n+64) and x^n, which only matter modulo
 * P = x^16 + x^12 + x^5 + 1: these are x^k mod P.  The product of a half
 * and a 16-bit constant has under 80 bits, so each fold stays in a lane.
 */
#define X128_MOD_P 0xaefc
#define X192_MOD_P 0x650b
#define X512_MOD_P 0x13fc
#define X576_MOD_P 0x8832

#define CLMUL_TARGET __attribute__((target("pclmul,ssse3")))

static CLMUL_TARGET inline __m128i
reverse_bytes(__m128i x)
{
	return _mm_shuffle_epi8(x, _mm_set_epi8(0, 1, 2, 3, 4, 5, 6, 7, 8, 9,
						10, 11, 12, 13, 14, 15));
}

static CLMUL_TARGET inline __m128i
load_lane(const uint8_t *p)
{
	return reverse_bytes(_mm_loadu_si128((const __m128i *)(const void *)p));
}

/* @x moved on by the distance @k holds (high: x^(n+64), low: x^n mod P). */
static CLMUL_TARGET inline __m128i
fold(__m128i x, __m128i k)
{
	return _mm_xor_si128(_mm_clmulepi64_si128(x, k, 0x11),
			     _mm_clmulepi64_si128(x, k, 0x00));
}

CLMUL_TARGET uint16_t
roller_crc16_clmul(uint16_t crc, const uint8_t *p, size_t len)
{
	const __m128i k512 = _mm_set_epi64x(X576_MOD_P, X512_MOD_P);
	const __m128i k128 = _mm_set_epi64x(X192_MOD_P, X128_MOD_P);
	__m128i x0, x1, x2, x3;
	uint8_t rest[16];

	/* Shorter, the four lanes are not worth loading. */
	if (len < 64)
		return roller_crc16(crc, p, len);
	/* The running CRC goes onto the message's first 16 bits. */
	x0 = _mm_xor_si128(load_lane(p),
			   _mm_set_epi64x((long long)((uint64_t)crc << 48), 0));
	x1 = load_lane(p + 16);
	x2 = load_lane(p + 32);
	x3 = load_lane(p + 48);
	for (p += 64, len -= 64; len >= 64; p += 64, len -= 64) {
		x0 = _mm_xor_si128(fold(x0, k512), load_lane(p));
		x1 = _mm_xor_si128(fold(x1, k512), load_lane(p + 16));
		x2 = _mm_xor_si128(fold(x2, k512), load_lane(p + 32));
		x3 = _mm_xor_si128(fold(x3, k512), load_lane(p + 48));
	}
	x0 = _mm_xor_si128(fold(x0, k128), x1);
	x0 = _mm_xor_si128(fold(x0, k128), x2);
	x0 = _mm_xor_si128(fold(x0, k128), x3);
	for (; len >= 16; p += 16, len -= 16)
		x0 = _mm_xor_si128(fold(x0, k128), load_lane(p));

	/*
	 * x0 now equals, modulo P, all the message before p: as 16 bytes in
	 * message order followed by the tail, it has the same CRC from 0.
	 */
	_mm_storeu_si128((__m128i *)(void *)rest, reverse_bytes(x0));
	crc = roller_crc16(0, rest, sizeof(rest));
	return roller_crc16(crc, p, len);
}

roller_crc16_fn *
roller_crc16_clmul_get(void)
{
	__builtin_cpu_init();
	if (__builtin_cpu_supports("pclmul") && __builtin_cpu_supports("ssse3"))
		return roller_crc16_clmul;
	return NULL;
}

#else

uint16_t
roller_crc16_clmul(uint16_t crc, const uint8_t *p, size_t len)
{
	return roller_crc16(crc, p, len);
}

roller_crc16_fn *
roller_crc16_clmul_get(void)
{
	return NULL;
}

#endif
