#ifndef ROBUSTFIT_CDIGITS_H
#define ROBUSTFIT_CDIGITS_H

// The number scanner's digit kernel (TabularIO's DecimalParser): the run of ASCII digits at the start
// of 16 bytes and its value, in SSE2 (baseline x86-64), a portable loop elsewhere. `static inline`, so
// that Swift inlines it into the scanner like its own code.

#include <stdint.h>
#if defined(__SSE2__) && defined(__x86_64__)
#include <emmintrin.h>
#endif

/// The leading run of a 16-byte window: `count` (0...16) digits before the first byte that is not an
/// ASCII digit, and `padded`, the value of the window with every byte from that one on read as '0' —
/// the run's value times 10^(16 - count), below 10^16.
typedef struct {
  uint64_t padded;
  uint32_t count;
} rf_digit_run;

#if defined(__SSE2__) && defined(__x86_64__)
/// 16 bytes of 0xFF, then 16 of 0: the 16 at offset 16 - n keep the first n bytes of a window.
static const uint8_t rf_digit_prefix_mask[32] = {
  0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
#endif

/// ``rf_digit_run16`` byte by byte: the kernel where SSE2 is not available, and the definition the tests
/// hold the SSE2 kernel to (on x86-64 both are compiled).
static inline rf_digit_run rf_digit_run16_portable(const uint8_t *p) {
  uint32_t n = 0;
  while (n < 16 && (uint8_t)(p[n] - '0') <= 9) n++;
  uint64_t value = 0;
  for (uint32_t k = 0; k < 16; k++) value = value * 10 + (k < n ? (uint64_t)(p[k] - '0') : 0);
  rf_digit_run run = {value, n};
  return run;
}

/// The digit run at the start of the 16 readable bytes at p (any alignment). SSE2: the bytes minus '0'
/// are digits where min(b, 9) == b; the first byte that is not ends the run (movemask, count trailing
/// ones), and the run is kept by a mask from the sliding table. The 16 digit values, widened to 16 bits,
/// are combined pairwise by pmaddwd three times — (10, 1) into 2-digit values, (100, 1) into 4-digit,
/// (10^4, 1) into the two 8-digit halves — and the halves by one multiplication.
static inline rf_digit_run rf_digit_run16(const uint8_t *p) {
#if defined(__SSE2__) && defined(__x86_64__)
  __m128i d = _mm_sub_epi8(_mm_loadu_si128((const __m128i *)p), _mm_set1_epi8('0'));
  __m128i isDigit = _mm_cmpeq_epi8(_mm_min_epu8(d, _mm_set1_epi8(9)), d);
  uint32_t n = (uint32_t)__builtin_ctz(~(uint32_t)_mm_movemask_epi8(isDigit));  // bits 16... are set
  d = _mm_and_si128(d, _mm_loadu_si128((const __m128i *)(rf_digit_prefix_mask + 16 - n)));
  __m128i zero = _mm_setzero_si128();
  __m128i tens = _mm_set1_epi32(0x0001000A);  // (10, 1) in each pair of 16-bit lanes, first digit first
  __m128i two = _mm_packs_epi32(_mm_madd_epi16(_mm_unpacklo_epi8(d, zero), tens),
                                _mm_madd_epi16(_mm_unpackhi_epi8(d, zero), tens));
  __m128i four = _mm_madd_epi16(two, _mm_set1_epi32(0x00010064));  // (100, 1): four 4-digit values
  __m128i eight = _mm_madd_epi16(_mm_packs_epi32(four, four), _mm_set1_epi32(0x00012710));  // (10^4, 1)
  uint64_t halves = (uint64_t)_mm_cvtsi128_si64(eight);
  rf_digit_run run = {(halves & 0xFFFFFFFFu) * 100000000u + (halves >> 32), n};
  return run;
#else
  return rf_digit_run16_portable(p);
#endif
}

#endif
