// The transcendental terms of Barron's rows in a fused pass, four rows at a time (see include/CKernels.h).
//
// Per row the adaptive fit's passes need log1p(z/b), an exp for the weight and, by α, the series or closed
// form of φ(x) = (eˣ − 1)/x (α in (0, 1]) or an expm1 (α > 1). φ's series for |x| < 1 (up to 25 terms,
// each tested against 1e-18) was the costliest of these in scalar code; here it is summed four rows at a
// time in the scalar code's order, each lane stopping where the scalar loop stops. log1p, exp and expm1
// are libm's, called lane by lane (the same calls as the Swift code's), and every other operation is
// the scalar code's, operation for operation (this file is compiled without contraction into FMA): the
// terms are the scalar code's bit for bit. The 4-lane loop is compiled for AVX2 and chosen at run time
// (the processors rf_weighted_gram's kernel needs); elsewhere rf_barron_terms returns 0 and the caller
// keeps its scalar code.
//
// (glibc's libmvec has 4-lane AVX2 log1p/exp/expm1, but clang lowers a call that passes a 256-bit vector
// by the module's ABI, in memory, unless the whole file is compiled for AVX: see Docs/performance.md.)
#include "CKernels.h"

#include <math.h>

#pragma STDC FP_CONTRACT OFF
#if defined(__clang__)
#pragma clang fp contract(off)
#endif

#if defined(__x86_64__) && (defined(__clang__) || defined(__GNUC__))

typedef double v4d __attribute__((vector_size(32)));
typedef long long v4l __attribute__((vector_size(32)));
typedef double v4du __attribute__((vector_size(32), aligned(8)));

#define AVX2 __attribute__((target("avx2,fma")))

// libm's log1p, exp and expm1 lane by lane: the doubles the scalar Swift code gets from the same calls.
static AVX2 inline v4d log1p4(v4d a) { return (v4d){log1p(a[0]), log1p(a[1]), log1p(a[2]), log1p(a[3])}; }
static AVX2 inline v4d exp4(v4d a) { return (v4d){exp(a[0]), exp(a[1]), exp(a[2]), exp(a[3])}; }
static AVX2 inline v4d expm14(v4d a) { return (v4d){expm1(a[0]), expm1(a[1]), expm1(a[2]), expm1(a[3])}; }

static AVX2 inline v4d splat(double a) { return (v4d){a, a, a, a}; }
static AVX2 inline v4d vabs(v4d a) { return (v4d)((v4l)a & (v4l){~(1LL << 63), ~(1LL << 63), ~(1LL << 63), ~(1LL << 63)}); }
// mask ? a : b, mask lanes all ones or all zeros (a vector comparison's result).
static AVX2 inline v4d select(v4l mask, v4d a, v4d b) { return (v4d)(((v4l)a & mask) | ((v4l)b & ~mask)); }
static AVX2 inline int any(v4l mask) { return (mask[0] | mask[1] | mask[2] | mask[3]) != 0; }

// 1/k! for k = 0…25, the doubles of SeriesFunctions.swift's inverseFactorials (the same products and
// quotients), filled when the library is loaded.
static double inverse_factorials[26];

__attribute__((constructor)) static void prepare_factorials(void) {
  double factorial = 1.0;
  for (int k = 0; k <= 25; k++) {
    if (k > 0) factorial *= (double)k;
    inverse_factorials[k] = 1 / factorial;
  }
}

// φ(x) and (with jets) φ′, φ″ for four x: expMinusOneOverXSeries of SeriesFunctions.swift lane by lane.
static AVX2 void phi4(v4d x, int jets, v4d *f0, v4d *f1, v4d *f2) {
  v4l small = vabs(x) < splat(1);
  v4d s0 = splat(0), s1 = splat(0), s2 = splat(0);
  if (any(small)) {
    // The series for |x| < 1, its terms c_k x^k, k c_k x^(k−1), k(k−1) c_k x^(k−2): a lane stops adding
    // after the term at which the scalar loop breaks (k ≥ 3 and the three terms' magnitudes ≤ 1e-18).
    v4l active = small;
    v4d pk = splat(1), pk1 = splat(0), pk2 = splat(0);
    for (int k = 0; k <= 24; k++) {
      double c = inverse_factorials[k + 1];
      v4d t0 = splat(c) * pk, t1 = splat((double)k * c) * pk1, t2 = splat((double)(k * (k - 1)) * c) * pk2;
      s0 = select(active, s0 + t0, s0);
      if (jets) {
        s1 = select(active, s1 + t1, s1);
        s2 = select(active, s2 + t2, s2);
      }
      if (k >= 3) {
        active &= ~((vabs(t0) + vabs(t1)) + vabs(t2) <= splat(1e-18));
        if (!any(active)) break;
      }
      pk2 = pk1;
      pk1 = pk;
      pk = pk * x;
      if (k == 0) pk1 = splat(1);
      if (k == 1) pk2 = splat(1);
    }
  }
  if (any(~small)) {
    // The closed forms for |x| ≥ 1: eˣ as 1 + (eˣ − 1) for x ≥ 1, computed below −1.
    v4d em = expm14(x);
    v4d c0 = em / x;
    s0 = select(small, s0, c0);
    if (jets) {
      v4d e = select(x >= splat(1), splat(1) + em, exp4(x));
      v4d xx = x * x;
      v4d c1 = (x * e - em) / xx;
      v4d c2 = (e * (xx - splat(2) * x) + splat(2) * em) / (xx * x);
      s1 = select(small, s1, c1);
      s2 = select(small, s2, c2);
    }
  }
  *f0 = s0;
  *f1 = s1;
  *f2 = s2;
}

// The terms of four rows u (see rf_barron_terms), stored at out[0…3].
static AVX2 void terms4(v4d u, const struct rf_barron_shape *shape, int jets, double *l_out, double *w_out,
                        double *f0_out, double *f1_out, double *f2_out) {
  v4d z = u * u;
  v4d y = z * splat(shape->inverse_b);
  v4d l = log1p4(y);
  v4d m = splat(shape->s * shape->b) * l / splat(2);
  v4d w, f0, f1 = splat(0), f2 = splat(0);
  if (shape->alpha == 0) {
    w = splat(1) / (splat(1) + y);
    f0 = splat(1);
    f1 = splat(0.5);
    f2 = splat(1.0 / 3);
  } else {
    w = exp4(m);
    if (shape->alpha <= 1) {
      phi4(splat(shape->alpha) * l / splat(2), jets, &f0, &f1, &f2);
    } else {
      f0 = expm14(m);
    }
  }
  *(v4du *)l_out = l;
  *(v4du *)w_out = w;
  *(v4du *)f0_out = f0;
  if (jets) {
    *(v4du *)f1_out = f1;
    *(v4du *)f2_out = f2;
  }
}

static AVX2 void terms_avx2(const double *r, long m, double inverse_scale, const struct rf_barron_shape *shape,
                            int jets, double *l, double *w, double *f0, double *f1, double *f2) {
  long i = 0;
  for (; i + 4 <= m; i += 4) {
    v4d u = *(const v4du *)(r + i) * splat(inverse_scale);
    terms4(u, shape, jets, l + i, w + i, f0 + i, f1 + i, f2 + i);
  }
  if (i < m) {
    // The last rows padded with zeros into a four-row tail.
    double tail[4] = {0, 0, 0, 0}, tl[4], tw[4], t0[4], t1[4], t2[4];
    for (long k = i; k < m; k++) tail[k - i] = r[k];
    v4d u = *(const v4du *)tail * splat(inverse_scale);
    terms4(u, shape, jets, tl, tw, t0, t1, t2);
    for (long k = i; k < m; k++) {
      l[k] = tl[k - i];
      w[k] = tw[k - i];
      f0[k] = t0[k - i];
      if (jets) {
        f1[k] = t1[k - i];
        f2[k] = t2[k - i];
      }
    }
  }
}

int rf_barron_terms(const double *r, long m, double inverse_scale, const struct rf_barron_shape *shape, int jets,
                    double *l, double *w, double *f0, double *f1, double *f2) {
  // The processors of rf_weighted_gram's AVX2/FMA kernel.
  if (!rf_weighted_gram_uses_avx2()) return 0;
  if (m > 0) terms_avx2(r, m, inverse_scale, shape, jets, l, w, f0, f1, f2);
  return 1;
}

#else

int rf_barron_terms(const double *r, long m, double inverse_scale, const struct rf_barron_shape *shape, int jets,
                    double *l, double *w, double *f0, double *f1, double *f2) {
  (void)r, (void)m, (void)inverse_scale, (void)shape, (void)jets, (void)l, (void)w, (void)f0, (void)f1, (void)f2;
  return 0;
}

#endif
