// median|r| of a block of fast-S's candidate search through a window (see include/CKernels.h).
//
// The median is a value of the data (or the midpoint of two), so whichever way the middle order
// statistics are found they are the same doubles; what is left to choose is the cost. One pass over the
// rows counts the |r_i| below [lower, upper] and packs those inside it to the front of the scratch
// buffer (in AVX2, four rows at a time: the mask of the rows inside picks a permutation that moves them
// to the front of the register, stored whole), and a selection among the packed values finds the middle
// ranks. Both variants give the same doubles: only the order of the packed values differs.
#include "CKernels.h"

#include <stdint.h>

#if defined(__x86_64__) && (defined(__clang__) || defined(__GNUC__))
#include <immintrin.h>
#endif

// The packing pass, portable: returns the number packed, adds the rows below to *below and the NaN to
// *nan (compared, a NaN is neither below, inside nor above).
static long pack_portable(const double *r, long n, double lower, double upper, double *target, long *below,
                          long *nan) {
  long inside = 0, b = 0, z = 0;
  for (long i = 0; i < n; i++) {
    double a = __builtin_fabs(r[i]);
    target[inside] = a;
    int isBelow = a < lower, isInside = a >= lower && a <= upper;
    b += isBelow;
    z += a != a;
    inside += isInside;
  }
  *below += b;
  *nan += z;
  return inside;
}

#if defined(__x86_64__) && (defined(__clang__) || defined(__GNUC__))
// For each 4-bit mask of lanes inside, the 32-bit lanes that bring those doubles to the front in order.
static const int32_t pack_permutations[16][8] = {
    {0, 1, 2, 3, 4, 5, 6, 7}, {0, 1, 2, 3, 4, 5, 6, 7}, {2, 3, 0, 1, 4, 5, 6, 7}, {0, 1, 2, 3, 4, 5, 6, 7},
    {4, 5, 0, 1, 2, 3, 6, 7}, {0, 1, 4, 5, 2, 3, 6, 7}, {2, 3, 4, 5, 0, 1, 6, 7}, {0, 1, 2, 3, 4, 5, 6, 7},
    {6, 7, 0, 1, 2, 3, 4, 5}, {0, 1, 6, 7, 2, 3, 4, 5}, {2, 3, 6, 7, 0, 1, 4, 5}, {0, 1, 2, 3, 6, 7, 4, 5},
    {4, 5, 6, 7, 0, 1, 2, 3}, {0, 1, 4, 5, 6, 7, 2, 3}, {2, 3, 4, 5, 6, 7, 0, 1}, {0, 1, 2, 3, 4, 5, 6, 7}};

// The packing pass in AVX2: the rows inside four at a time are stored whole at the packed position (the
// lanes after the packed ones are overwritten by the next store, or lie at most three past the last packed
// value and before the row read last: target may be r's own length).
__attribute__((target("avx2,popcnt")))
static long pack_avx2(const double *r, long n, double lower, double upper, double *target, long *below,
                      long *nan) {
  const __m256d sign = _mm256_set1_pd(-0.0), lo = _mm256_set1_pd(lower), hi = _mm256_set1_pd(upper);
  long inside = 0, b = 0, z = 0, i = 0;
  for (; i + 4 <= n; i += 4) {
    __m256d a = _mm256_andnot_pd(sign, _mm256_loadu_pd(r + i));
    int isBelow = _mm256_movemask_pd(_mm256_cmp_pd(a, lo, _CMP_LT_OQ));
    int isInside = _mm256_movemask_pd(_mm256_and_pd(_mm256_cmp_pd(a, lo, _CMP_GE_OQ), _mm256_cmp_pd(a, hi, _CMP_LE_OQ)));
    int isNan = _mm256_movemask_pd(_mm256_cmp_pd(a, a, _CMP_UNORD_Q));
    __m256i order = _mm256_loadu_si256((const __m256i *)pack_permutations[isInside]);
    _mm256_storeu_pd(target + inside, _mm256_castps_pd(_mm256_permutevar8x32_ps(_mm256_castpd_ps(a), order)));
    b += __builtin_popcount(isBelow);
    z += __builtin_popcount(isNan);
    inside += __builtin_popcount(isInside);
  }
  *below += b;
  *nan += z;
  return inside + pack_portable(r + i, n - i, lower, upper, target + inside, below, nan);
}
#endif

// The value of rank k (0-based) of a[0..<n], with a[0..<k] <= it <= a[k+1..<n] afterwards: Hoare's
// partition around a[k], which stops on values equal to the pivot from both sides (ties, common in
// residuals of tied data, then split evenly instead of making the selection quadratic). No NaN in a.
static double select_rank(double *a, long n, long k) {
  long l = 0, h = n - 1;
  while (l < h) {
    double pivot = a[k];
    long i = l, j = h;
    do {
      while (a[i] < pivot) i++;
      while (pivot < a[j]) j--;
      if (i <= j) {
        double t = a[i];
        a[i] = a[j];
        a[j] = t;
        i++;
        j--;
      }
    } while (i <= j);
    if (j < k) l = i;
    if (k < i) h = j;
  }
  return a[k];
}

int rf_window_median_absolute(const double *r, long n, double lower, double upper, double *scratch,
                              double *median) {
  long below = 0, nan = 0, inside;
#if defined(__x86_64__) && (defined(__clang__) || defined(__GNUC__))
  if (rf_weighted_gram_uses_avx2()) inside = pack_avx2(r, n, lower, upper, scratch, &below, &nan);
  else
#endif
    inside = pack_portable(r, n, lower, upper, scratch, &below, &nan);
  long upperRank = n / 2, lowerRank = n % 2 == 0 ? upperRank - 1 : upperRank;
  if (n <= 0 || nan > 0 || below > lowerRank || below + inside <= upperRank) return 0;
  double high = select_rank(scratch, inside, upperRank - below);
  if (lowerRank == upperRank) {
    *median = high;
    return 1;
  }
  double low = scratch[0];  // the lower middle: the largest value left of the upper one
  for (long i = 1; i < upperRank - below; i++)
    if (scratch[i] > low) low = scratch[i];
  *median = low == high ? low : low + (high - low) / 2;  // Selection.midpoint
  return 1;
}
