// Σ w_i·ρ(r_i·inverse) of the normalised bisquare for fast-S's candidates (see include/CKernels.h).
//
// The sum is added row after row, as MScale.meanRho added it, so only the terms can go four at a time:
// in AVX2 each group of four rows forms its ρ in one register and the four lanes are then added to the
// sum in row order. ρ is formed as the Swift code forms it, t·((3 − 3t) + t·t) with t = min(u², 1) (a
// NaN u gives t = 1 in both: minpd returns its second operand when either is NaN), never fused.
#include "CKernels.h"

#pragma STDC FP_CONTRACT OFF

#if defined(__x86_64__) && (defined(__clang__) || defined(__GNUC__))
#include <immintrin.h>
#endif

static double rho(double u) {
  double z = u * u, t = z < 1 ? z : 1;
  return t * (3 - 3 * t + t * t);
}

// The running sum `sum` continued over rows 0..<m.
static double rho_sum_portable(double sum, const double *r, const double *w, long m, double inverse) {
  if (w)
    for (long i = 0; i < m; i++) sum += w[i] * rho(r[i] * inverse);
  else
    for (long i = 0; i < m; i++) sum += rho(r[i] * inverse);
  return sum;
}

#if defined(__x86_64__) && (defined(__clang__) || defined(__GNUC__))
__attribute__((target("avx2")))
static double rho_sum_avx2(const double *r, const double *w, long m, double inverse) {
  const __m256d scale = _mm256_set1_pd(inverse), one = _mm256_set1_pd(1), three = _mm256_set1_pd(3);
  double sum = 0;
  long i = 0;
  for (; i + 4 <= m; i += 4) {
    __m256d u = _mm256_mul_pd(_mm256_loadu_pd(r + i), scale);
    __m256d t = _mm256_min_pd(_mm256_mul_pd(u, u), one);
    __m256d terms = _mm256_mul_pd(t, _mm256_add_pd(_mm256_sub_pd(three, _mm256_mul_pd(three, t)), _mm256_mul_pd(t, t)));
    if (w) terms = _mm256_mul_pd(_mm256_loadu_pd(w + i), terms);
    double lanes[4];
    _mm256_storeu_pd(lanes, terms);
    sum += lanes[0];
    sum += lanes[1];
    sum += lanes[2];
    sum += lanes[3];
  }
  return rho_sum_portable(sum, r + i, w ? w + i : 0, m - i, inverse);
}
#endif

double rf_bisquare_rho_sum(const double *r, const double *w, long m, double inverse) {
#if defined(__x86_64__) && (defined(__clang__) || defined(__GNUC__))
  if (rf_weighted_gram_uses_avx2()) return rho_sum_avx2(r, w, m, inverse);
#endif
  return rho_sum_portable(0, r, w, m, inverse);
}

double rf_bisquare_rho_sum_variant(int variant, const double *r, const double *w, long m, double inverse) {
#if defined(__x86_64__) && (defined(__clang__) || defined(__GNUC__))
  if (variant == 1 && rf_weighted_gram_uses_avx2()) return rho_sum_avx2(r, w, m, inverse);
#endif
  return rho_sum_portable(0, r, w, m, inverse);
}
