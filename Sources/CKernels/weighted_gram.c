// The weighted Gram kernel of the fused IRLS pass (see include/CKernels.h).
//
// Swift cannot compile one function for AVX2/FMA and pick it at run time, and a baseline x86-64 build
// gets only SSE2 without FMA, so this one hot loop lives in C: the same body is compiled twice, with
// and without the AVX2/FMA target, and the first call picks by CPUID. G is cut into 4 x 2 tiles
// (4 columns j, 2 columns k >= j): per group of 4 rows the tile loads w, the two k columns and the four
// j columns, forms u = w * x_k and adds u * x_j into 8 four-lane accumulators. Tiles that cross the
// diagonal or the last column compute a few entries twice or beyond q (indices clamped) and store only
// the entries with j <= k < q.
#include "CKernels.h"

typedef double v4d __attribute__((vector_size(32)));
typedef double v4du __attribute__((vector_size(32), aligned(8)));

#define LOAD(p) (*(const v4du *)(p))

#define hsum(v) (((v)[0] + (v)[1]) + ((v)[2] + (v)[3]))

#define COLUMN(j) ((j) < p ? x + (long)(j) * ldx : y)
#define KERNEL_BODY                                                                               \
  int q = p + (y ? 1 : 0);                                                                        \
  long m4 = m & ~3L;                                                                              \
  for (int jb = 0; jb < q; jb += 4) {                                                             \
    const double *a0 = COLUMN(jb), *a1 = COLUMN(jb + 1 < q ? jb + 1 : q - 1);                     \
    const double *a2 = COLUMN(jb + 2 < q ? jb + 2 : q - 1), *a3 = COLUMN(jb + 3 < q ? jb + 3 : q - 1); \
    for (int kb = jb; kb < q; kb += 2) {                                                          \
      const double *b0 = COLUMN(kb), *b1 = COLUMN(kb + 1 < q ? kb + 1 : q - 1);                   \
      v4d s00 = {0}, s10 = {0}, s20 = {0}, s30 = {0}, s01 = {0}, s11 = {0}, s21 = {0}, s31 = {0}; \
      for (long i = 0; i < m4; i += 4) {                                                          \
        v4d wi = LOAD(w + i);                                                                     \
        v4d u0 = wi * LOAD(b0 + i), u1 = wi * LOAD(b1 + i);                                       \
        v4d x0 = LOAD(a0 + i), x1 = LOAD(a1 + i), x2 = LOAD(a2 + i), x3 = LOAD(a3 + i);           \
        s00 += x0 * u0; s10 += x1 * u0; s20 += x2 * u0; s30 += x3 * u0;                           \
        s01 += x0 * u1; s11 += x1 * u1; s21 += x2 * u1; s31 += x3 * u1;                           \
      }                                                                                           \
      double t[2][4] = {{hsum(s00), hsum(s10), hsum(s20), hsum(s30)},                             \
                        {hsum(s01), hsum(s11), hsum(s21), hsum(s31)}};                            \
      for (long i = m4; i < m; i++) {                                                             \
        double u0 = w[i] * b0[i], u1 = w[i] * b1[i];                                              \
        t[0][0] += a0[i] * u0; t[0][1] += a1[i] * u0; t[0][2] += a2[i] * u0; t[0][3] += a3[i] * u0; \
        t[1][0] += a0[i] * u1; t[1][1] += a1[i] * u1; t[1][2] += a2[i] * u1; t[1][3] += a3[i] * u1; \
      }                                                                                           \
      for (int dk = 0; dk < 2; dk++) {                                                            \
        int k = kb + dk;                                                                          \
        if (k >= q) break;                                                                        \
        for (int dj = 0; dj < 4; dj++) {                                                          \
          int j = jb + dj;                                                                        \
          if (j < q && j <= k) g[(long)k * ldg + j] += t[dk][dj];                                 \
        }                                                                                         \
      }                                                                                           \
    }                                                                                             \
  }

static void gram_portable(const double *x, long ldx, int p, const double *y, const double *w, long m, double *g,
                          int ldg) {
  KERNEL_BODY
}

#if defined(__x86_64__) && (defined(__clang__) || defined(__GNUC__))
__attribute__((target("avx2,fma")))
static void gram_avx2(const double *x, long ldx, int p, const double *y, const double *w, long m, double *g,
                          int ldg) {
  KERNEL_BODY
}

static int detect(void) {
  __builtin_cpu_init();
  return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
}
#else
static void gram_avx2(const double *x, long ldx, int p, const double *y, const double *w, long m, double *g,
                          int ldg) {
  gram_portable(x, ldx, p, y, w, m, g, ldg);
}
static int detect(void) { return 0; }
#endif

// -1: not decided yet. Threads that race to decide all store the same value (relaxed atomics: no
// data race, no ordering needed).
static int choice = -1;

int rf_weighted_gram_uses_avx2(void) {
  int c = __atomic_load_n(&choice, __ATOMIC_RELAXED);
  if (c < 0) {
    c = detect();
    __atomic_store_n(&choice, c, __ATOMIC_RELAXED);
  }
  return c;
}

void rf_weighted_gram(const double *x, long ldx, int p, const double *y, const double *w, long m, double *g,
                          int ldg) {
  rf_weighted_gram_variant(1, x, ldx, p, y, w, m, g, ldg);
}

void rf_weighted_gram_variant(int variant, const double *x, long ldx, int p, const double *y, const double *w,
                              long m, double *g, int ldg) {
  if (p + (y ? 1 : 0) <= 0 || m <= 0) return;
  if (variant == 1 && rf_weighted_gram_uses_avx2()) gram_avx2(x, ldx, p, y, w, m, g, ldg);
  else gram_portable(x, ldx, p, y, w, m, g, ldg);
}
