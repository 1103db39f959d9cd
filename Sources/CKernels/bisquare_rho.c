// Σ w_i·ρ(r_i·inverse) of the normalised bisquare for fast-S's candidates, and with it Σ w_i·ρ′(u)·u for
// the M-scale's Newton steps (see include/CKernels.h).
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

// ρ′(u)·u = 6t(1 − t)² as MScale.meanRhoAndSlope forms it, ((6t)(1 − t))(1 − t).
static double slope(double u) {
  double z = u * u, t = z < 1 ? z : 1;
  return 6 * t * (1 - t) * (1 - t);
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
// t = min(u², 1) of four rows u = r·inverse, as rho() and slope() form it.
__attribute__((target("avx2")))
static inline __m256d clamped_square4(const double *r, __m256d scale) {
  __m256d u = _mm256_mul_pd(_mm256_loadu_pd(r), scale);
  return _mm256_min_pd(_mm256_mul_pd(u, u), _mm256_set1_pd(1));
}

// ρ of four rows from their t, t·((3 − 3t) + t·t), as rho() forms it.
__attribute__((target("avx2")))
static inline __m256d rho4(__m256d t) {
  const __m256d three = _mm256_set1_pd(3);
  return _mm256_mul_pd(t, _mm256_add_pd(_mm256_sub_pd(three, _mm256_mul_pd(three, t)), _mm256_mul_pd(t, t)));
}

__attribute__((target("avx2")))
static double rho_sum_avx2(const double *r, const double *w, long m, double inverse) {
  const __m256d scale = _mm256_set1_pd(inverse);
  double sum = 0;
  long i = 0;
  for (; i + 4 <= m; i += 4) {
    __m256d terms = rho4(clamped_square4(r + i, scale));
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
  return rf_bisquare_rho_sum_variant(1, r, w, m, inverse);
}

double rf_bisquare_rho_sum_variant(int variant, const double *r, const double *w, long m, double inverse) {
#if defined(__x86_64__) && (defined(__clang__) || defined(__GNUC__))
  if (variant == 1 && rf_weighted_gram_uses_avx2()) return rho_sum_avx2(r, w, m, inverse);
#endif
  return rho_sum_portable(0, r, w, m, inverse);
}

// The running sums `sums` continued over rows 0..<m.
static void rho_slope_portable(const double *r, const double *w, long m, double inverse, double sums[2]) {
  for (long i = 0; i < m; i++) {
    double u = r[i] * inverse, wi = w ? w[i] : 1;
    sums[0] += wi * rho(u);
    sums[1] += wi * slope(u);
  }
}

#if defined(__x86_64__) && (defined(__clang__) || defined(__GNUC__))
__attribute__((target("avx2")))
static void rho_slope_avx2(const double *r, const double *w, long m, double inverse, double sums[2]) {
  const __m256d scale = _mm256_set1_pd(inverse), one = _mm256_set1_pd(1), six = _mm256_set1_pd(6);
  double sum = sums[0], slopes = sums[1];
  long i = 0;
  for (; i + 4 <= m; i += 4) {
    __m256d t = clamped_square4(r + i, scale), rest = _mm256_sub_pd(one, t);
    __m256d rhos = rho4(t);
    __m256d derivatives = _mm256_mul_pd(_mm256_mul_pd(_mm256_mul_pd(six, t), rest), rest);
    if (w) {
      __m256d wi = _mm256_loadu_pd(w + i);
      rhos = _mm256_mul_pd(wi, rhos);
      derivatives = _mm256_mul_pd(wi, derivatives);
    }
    double a[4], b[4];
    _mm256_storeu_pd(a, rhos);
    _mm256_storeu_pd(b, derivatives);
    sum += a[0];
    slopes += b[0];
    sum += a[1];
    slopes += b[1];
    sum += a[2];
    slopes += b[2];
    sum += a[3];
    slopes += b[3];
  }
  sums[0] = sum;
  sums[1] = slopes;
  rho_slope_portable(r + i, w ? w + i : 0, m - i, inverse, sums);
}
#endif

void rf_bisquare_rho_slope_sums(const double *r, const double *w, long m, double inverse, double sums[2]) {
  rf_bisquare_rho_slope_sums_variant(1, r, w, m, inverse, sums);
}

void rf_bisquare_rho_slope_sums_variant(int variant, const double *r, const double *w, long m, double inverse,
                                        double sums[2]) {
  sums[0] = 0;
  sums[1] = 0;
#if defined(__x86_64__) && (defined(__clang__) || defined(__GNUC__))
  if (variant == 1 && rf_weighted_gram_uses_avx2()) return rho_slope_avx2(r, w, m, inverse, sums);
#endif
  rho_slope_portable(r, w, m, inverse, sums);
}
