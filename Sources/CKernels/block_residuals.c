// The residuals of fast-S's candidates on a block of rows (see include/CKernels.h).
//
// The same doubles as WeightedPass.residuals, which the IRLS fits use and which stays as it is: per row
// r = y, then for each group of four columns r -= (b0*x0 + b1*x1) + (b2*x2 + b3*x3), then each column
// left over with a nonzero coefficient r -= b*x, in that order. That loop sweeps r once per group of
// columns in SSE2's two lanes; here sixteen rows stay in registers through all the columns and are stored
// once, in four lanes where AVX2 is there. Only the order of the rows changes, not the operations on any
// one row. Contraction to FMA would change the doubles: it is off, and the AVX2 body is compiled without
// the FMA target besides.
#include "CKernels.h"

#pragma STDC FP_CONTRACT OFF

typedef double v4d __attribute__((vector_size(32)));
typedef double v4du __attribute__((vector_size(32), aligned(8)));

#define LOAD(p) (*(const v4du *)(p))
#define SCALAR(p) (*(p))

// The residuals of U groups of rows i + 4u (u < U) with T v4d and READ LOAD, or of row i with U 1, T
// double and READ SCALAR, left in v[u]. The coefficients are broadcast once per column for all U groups.
#define RESIDUALS(U, T, READ)                                                                      \
  T v[U];                                                                                         \
  for (int u = 0; u < U; u++) v[u] = READ(y + i + 4 * u);                                         \
  int j = 0;                                                                                      \
  for (; j + 4 <= p; j += 4) {                                                                    \
    const double *c = x + (long)j * ldx + i;                                                      \
    double b0 = b[j], b1 = b[j + 1], b2 = b[j + 2], b3 = b[j + 3];                                \
    for (int u = 0; u < U; u++) {                                                                 \
      const double *cu = c + 4 * u;                                                               \
      v[u] -= (b0 * READ(cu) + b1 * READ(cu + ldx)) + (b2 * READ(cu + 2 * ldx) + b3 * READ(cu + 3 * ldx)); \
    }                                                                                             \
  }                                                                                               \
  for (; j < p; j++) {                                                                            \
    double bj = b[j];                                                                             \
    if (bj != 0)                                                                                  \
      for (int u = 0; u < U; u++) v[u] -= bj * READ(x + (long)j * ldx + i + 4 * u);              \
  }

// Sixteen rows at a time (four registers: the broadcasts and the loop's bookkeeping shared), then four,
// then one.
#define KERNEL_BODY                                                                               \
  long i = 0;                                                                                     \
  for (; i + 16 <= m; i += 16) {                                                                  \
    RESIDUALS(4, v4d, LOAD)                                                                       \
    for (int u = 0; u < 4; u++) *(v4du *)(r + i + 4 * u) = v[u];                                  \
  }                                                                                               \
  for (; i + 4 <= m; i += 4) {                                                                    \
    RESIDUALS(1, v4d, LOAD)                                                                       \
    *(v4du *)(r + i) = v[0];                                                                      \
  }                                                                                               \
  for (; i < m; i++) {                                                                            \
    RESIDUALS(1, double, SCALAR)                                                                  \
    r[i] = v[0];                                                                                  \
  }

static void residuals_portable(const double *x, long ldx, int p, const double *y, const double *b, long m,
                               double *r) {
  KERNEL_BODY
}

#if defined(__x86_64__) && (defined(__clang__) || defined(__GNUC__))
__attribute__((target("avx2")))
static void residuals_avx2(const double *x, long ldx, int p, const double *y, const double *b, long m,
                           double *r) {
  KERNEL_BODY
}
#else
static void residuals_avx2(const double *x, long ldx, int p, const double *y, const double *b, long m,
                           double *r) {
  residuals_portable(x, ldx, p, y, b, m, r);
}
#endif

void rf_block_residuals(const double *x, long ldx, int p, const double *y, const double *beta, long m,
                        double *r) {
  rf_block_residuals_variant(1, x, ldx, p, y, beta, m, r);
}

void rf_block_residuals_variant(int variant, const double *x, long ldx, int p, const double *y,
                                const double *beta, long m, double *r) {
  if (variant == 1 && rf_weighted_gram_uses_avx2()) residuals_avx2(x, ldx, p, y, beta, m, r);
  else residuals_portable(x, ldx, p, y, beta, m, r);
}
