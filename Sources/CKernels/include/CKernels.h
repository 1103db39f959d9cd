#ifndef ROBUSTFIT_CKERNELS_H
#define ROBUSTFIT_CKERNELS_H

/// Adds the upper triangle of the weighted Gram matrix of the block [X | y] (m rows) to g:
///
///     g[k*ldg + j] += sum_i w[i] * a_j[i] * a_k[i]   for 0 <= j <= k < q,
///
/// where a_j = x + j*ldx for j < p (column-major X with leading dimension ldx) and a_p = y when y is
/// not NULL (q = p + 1; q = p otherwise). On x86-64 processors with AVX2 and FMA the 4-lane fused
/// kernel runs, elsewhere the same loops in portable vector code; the choice is made once per process.
/// Each entry is summed over the rows in a fixed order that depends only on m and on that choice.
void rf_weighted_gram(const double *x, long ldx, int p, const double *y, const double *w, long m, double *g,
                      int ldg);

/// rf_weighted_gram with the variant forced, for tests: 0 the portable code, 1 the AVX2/FMA code (the
/// portable code when the processor lacks AVX2 or FMA).
void rf_weighted_gram_variant(int variant, const double *x, long ldx, int p, const double *y, const double *w,
                              long m, double *g, int ldg);

/// 1 when the AVX2/FMA kernel is in use, 0 otherwise.
int rf_weighted_gram_uses_avx2(void);

#endif
