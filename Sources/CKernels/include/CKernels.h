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

/// The shape of Barron's loss for rf_barron_terms: α in [0, 2) or (2, +inf), b = |α − 2|, s = sign(α − 2)
/// (−1 below 2) and 1/b, as BarronShapeDerivatives holds them.
struct rf_barron_shape {
  double alpha, b, s, inverse_b;
};

/// The transcendental terms of Barron's rows at u_i = r[i] * inverse_scale, z = u_i², y = z / b, for
/// i < m: l[i] = log1p(y), w[i] the IRLS weight (1/(1 + y) at α = 0, exp(s·b·l/2) otherwise), and f0[i]
/// the factor of ρ: φ(α·l/2) with φ(x) = (eˣ − 1)/x for α in (0, 1] (1 at α = 0), expm1(s·b·l/2) for
/// α > 1; with jets also φ′ and φ″ in f1, f2 for α ≤ 1 (1/2 and 1/3 at α = 0; not written for α > 1).
/// The same doubles as the scalar Swift code (the same libm calls and operations; φ's series four rows at
/// a time). Rows where z overflows get meaningless terms (the caller takes those rows through its scalar
/// code). Returns 1, or 0 without computing anything where the AVX2 loop is not available (not x86-64,
/// or no AVX2/FMA).
int rf_barron_terms(const double *r, long m, double inverse_scale, const struct rf_barron_shape *shape, int jets,
                    double *l, double *w, double *f0, double *f1, double *f2);

/// r[i] = y[i] − Σⱼ beta[j]·x[j*ldx + i] for i < m (column-major X, p columns): the same doubles as
/// WeightedPass.residuals (the same operations on each row, in the same order, never fused), with the
/// rows sixteen at a time in AVX2 registers where the processor has it (rf_weighted_gram_uses_avx2).
void rf_block_residuals(const double *x, long ldx, int p, const double *y, const double *beta, long m,
                        double *r);

/// rf_block_residuals with the variant forced, for tests: 0 the portable code, 1 the AVX2 code (the
/// portable code where rf_weighted_gram_uses_avx2 is 0).
void rf_block_residuals_variant(int variant, const double *x, long ldx, int p, const double *y,
                                const double *beta, long m, double *r);

/// Σ w[i]·ρ(r[i]·inverse) for i < m (w NULL: Σ ρ), ρ(u) = t(3 − 3t + t²) with t = min(u², 1): the
/// normalised bisquare's sum as MScale.meanRho added it, row after row from 0, the same doubles; the
/// terms four rows at a time in AVX2 where rf_weighted_gram_uses_avx2.
double rf_bisquare_rho_sum(const double *r, const double *w, long m, double inverse);

/// rf_bisquare_rho_sum with the variant forced, for tests: 0 the portable code, 1 the AVX2 code.
double rf_bisquare_rho_sum_variant(int variant, const double *r, const double *w, long m, double inverse);

/// sums[0] = Σ w[i]·ρ(u_i) and sums[1] = Σ w[i]·ρ′(u_i)·u_i, u_i = r[i]·inverse, i < m (w NULL: weights 1),
/// ρ′(u)·u = 6t(1 − t)² with t = min(u², 1): MScale.meanRhoAndSlope's sums over a chunk's rows, row after
/// row from 0, the same doubles; the terms four rows at a time in AVX2 where rf_weighted_gram_uses_avx2.
void rf_bisquare_rho_slope_sums(const double *r, const double *w, long m, double inverse, double sums[2]);

/// rf_bisquare_rho_slope_sums with the variant forced, for tests: 0 the portable code, 1 the AVX2 code.
void rf_bisquare_rho_slope_sums_variant(int variant, const double *r, const double *w, long m, double inverse,
                                        double sums[2]);

/// One chunk of a job of rf_chunk_pool_run: body(context, chunk) for chunk in 0..<chunks.
typedef void (*rf_chunk_body)(void *context, long chunk);

/// Runs body(context, chunk) for every chunk in 0..<chunks, each exactly once, on the calling thread and
/// the pool's workers (one per available core but the caller's, at most 7), and returns 1 once all have
/// returned. Returns 0 at once, having run none, when the pool is busy with another job (another
/// thread's, or the job whose chunk calls it), has no worker (one core), or chunks exceeds 65535: the
/// caller runs the chunks elsewhere. Which thread runs which chunk varies from call to call, and chunks
/// may run one after another: a chunk must not wait for another chunk of its job, nor fork(). Workers
/// spin for 0.1 ms after a job (a job posted within it starts at once), then sleep until the next.
int rf_chunk_pool_run(long chunks, rf_chunk_body body, void *context);

/// The pool's workers (started on the first call): the available cores less one, at most 7.
int rf_chunk_pool_workers(void);

#endif
