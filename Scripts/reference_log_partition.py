#!/usr/bin/env python3
"""Reference table of log Z(alpha) and d log Z / d alpha for Barron's distribution (Docs/spec.md section 5).

What it computes
    Fixtures/reference/log_partition.csv with columns  alpha,log_z,dlog_z_dalpha

        Z(alpha) = integral over the real line of exp(-rho(t; alpha)) dt
        rho      = Barron's loss in the u-convention of Docs/spec.md section 3 (z = t^2, b = |alpha - 2|):
                   (b/alpha)((z/b + 1)^(alpha/2) - 1); log(z/2 + 1) at 0; z/2 at 2; exp(z/2) - 1 at +inf
        d log Z / d alpha = -(1/Z) * integral of (d rho/d alpha)(t) exp(-rho(t)) dt   (differentiating under the
                   integral; d rho/d alpha in closed form, see drho_dalpha below)

    Rows: alpha in {0, 1e-9, 1e-3, 0.1, 0.5, 1, 1.5, 1.9, 1.999, 2, 2.5, 3, 4, 8, 16, 100, 1e4, inf}, plus the
    dense grid 0, 0.01, ..., 4.00 (alpha = i/100 as the nearest double) and 4.5, 5, ..., 20; sorted, no
    duplicates. alpha is written with repr ('inf' for +inf).

    Special derivative values: at alpha = 2 the derivative is -inf (d rho/d alpha ~ (z/4) log(1/|alpha - 2|)
    -> +inf for every t != 0, so d log Z/d alpha diverges like -(1/4) log(1/|alpha-2|)); it is written as
    '-inf'. At alpha = +inf the derivative is the limit 0 (rho tends to exp(z/2) - 1 with an O(1/alpha)
    correction, so d log Z/d alpha = O(1/alpha^2)); it is written as 0.0.

How
    Z = 2 * integral over x in (-inf, inf) of e^x exp(-rho(e^x)) dx  (t = e^x). This turns the slow algebraic
    tails (exp(-rho) ~ 1/t^2 at alpha = 0, and for small alpha up to t ~ exp(1/alpha)) into exponentially
    decaying ones: since rho >= (b/2) log(1 + z/b) for alpha >= 0, the x-integrand is below ~b e^{-x} at
    large x for every alpha in [0, inf]. The x-range is cut to [-200, 200]: the right tail beyond 200 is
    below ~1e-85 (also for the derivative integrand, which grows only like x^2 there); the left tail adds
    2 e^{-200} to Z (exp(-rho) = 1 there up to e^{-400}), and O(e^{-1400}) to the derivative integral
    (its integrand is z^3/96 * 2t near t = 0). Where rho > 1e5 the integrands are set to 0.
    mpmath.quad (Gauss-Legendre) at 32 significant digits, with the x-range split at
    -200,-100,-50,-25,-12,-6,-3,-1,0,1,2,3,5,10,20,40,80,200; both integrals in one pass (real and imaginary
    part of one complex integrand). rho and d rho/d alpha are evaluated with log1p/expm1 (the
    d rho/d alpha formula cancels ~|log10 alpha| digits for small alpha, leaving > 20 digits at 1e-9).

    Error control, asserted in the script:
      * closed forms: Z(0) = pi sqrt 2, Z(1) = 2e K1(1), Z(2) = sqrt(2 pi), log Z(inf) = 0.70526025442689566;
      * every key alpha (and every 25th grid point) is recomputed with tanh-sinh quadrature at 40 digits
        on different sub-intervals (-200,-4,0,2,4,10,40,200); log Z must agree to 1e-25 and the derivative
        to 1e-20;
      * mpmath.quad's own error estimate must be below 1e-25 for every row;
      * the derivative is compared with a numerical derivative (mpmath.diff of log Z, at alphas away from
        0 and 2) to 1e-15, and d rho/d alpha with mpmath.diff of rho at sample points to 1e-20.
    The largest disagreement found is printed when the script runs.

Precision
    Both columns are the doubles nearest the high-precision values (errors far below 1e-16, so the printed
    doubles are correctly rounded); printed with repr.

Run:  python3 Scripts/reference_log_partition.py     (from the repository root; about 1-2 minutes on 2 cores;
      faster when gmpy2 is installed, which mpmath then uses automatically)
"""

import csv
import math
import os
import sys
from multiprocessing import Pool

import mpmath as mp

OUT = os.path.join("Fixtures", "reference", "log_partition.csv")
DPS = 32
DPS_CHECK = 40
KEY_ALPHAS = [0.0, 1e-9, 1e-3, 0.1, 0.5, 1.0, 1.5, 1.9, 1.999, 2.0, 2.5, 3.0, 4.0, 8.0, 16.0, 100.0, 1e4, math.inf]
X_MIN, X_MAX = -200, 200  # x = log t; outside, the integrands are below 1e-80 (see "How")
# Gauss-Legendre (primary): geometric splits on the left, where the integrands are ~e^x (and ~e^(7x) for
# the derivative at alpha = 0), so that no piece holds a sharply concentrated integrand.
SPLITS = [X_MIN, -100, -50, -25, -12, -6, -3, -1, 0, 1, 2, 3, 5, 10, 20, 40, 80, X_MAX]
# tanh-sinh (check), at higher precision with different splits.
SPLITS_CHECK = [X_MIN, -4, 0, 2, 4, 10, 40, X_MAX]
RHO_CUTOFF = 10 ** 5  # where rho exceeds this, exp(-rho) (times any factor here) is far below 1e-1000


def rho(z, alpha):
  """Barron's rho at z = t^2 (mpf), alpha a Python float (possibly inf)."""
  if alpha == 2.0:
    return z / 2
  if alpha == 0.0:
    return mp.log1p(z / 2)
  if alpha == math.inf:
    return mp.inf if z / 2 > 50 else mp.expm1(z / 2)
  a = mp.mpf(alpha)
  b = abs(a - 2)
  w = (a / 2) * mp.log1p(z / b)
  if w > 50 and alpha > 2:
    return mp.inf  # rho > (b/alpha) e^50 > RHO_CUTOFF for alpha > 2.000001; avoids exp of enormous numbers
  return (b / a) * mp.expm1(w)


def drho_dalpha(z, alpha):
  """Partial derivative of rho in alpha at fixed z (alpha finite, alpha != 2).

  General alpha, with q = alpha/2, s = 1 + z/b, L = log s, E = s^q - 1, sigma = sign(alpha - 2) = db/dalpha:
      d rho/d alpha = sigma E/alpha - b E/alpha^2 + (b/alpha) s^q (L/2 - q sigma z/(b^2 s)).
  alpha = 0 (the limit of the above, with L0 = log(1 + z/2)):
      d rho/d alpha = -L0/2 + (z/4)/(1 + z/2) + L0^2/4.
  """
  if alpha == 0.0:
    l0 = mp.log1p(z / 2)
    return -l0 / 2 + (z / 4) / (1 + z / 2) + l0 * l0 / 4
  a = mp.mpf(alpha)
  b = abs(a - 2)
  sigma = 1 if a > 2 else -1
  q = a / 2
  s = 1 + z / b
  L = mp.log1p(z / b)
  E = mp.expm1(q * L)
  return sigma * E / a - b * E / (a * a) + (b / a) * (E + 1) * (L / 2 - q * sigma * z / (b * b * s))


def rho_and_drho(z, alpha):
  """(rho, d rho/d alpha) sharing the transcendental evaluations; rho = inf beyond the cut-off."""
  if alpha == 2.0:
    return z / 2, None
  if alpha == math.inf:
    return rho(z, alpha), None
  if alpha == 0.0:
    l0 = mp.log1p(z / 2)
    return l0, -l0 / 2 + (z / 4) / (1 + z / 2) + l0 * l0 / 4
  a = mp.mpf(alpha)
  b = abs(a - 2)
  q = a / 2
  sz = z / b
  L = mp.log1p(sz)
  if q * L > 50 and alpha > 2:
    return mp.inf, None
  E = mp.expm1(q * L)
  sigma = 1 if a > 2 else -1
  r = (b / a) * E
  d = sigma * E / a - b * E / (a * a) + (b / a) * (E + 1) * (L / 2 - q * sigma * sz / (b * (1 + sz)))
  return r, d


def integrals(alpha, splits, method="tanh-sinh"):
  """(Z, integral of (d rho/d alpha) exp(-rho), error estimate) at the current precision.

  Both integrals are computed in one pass as the real and imaginary parts of one complex integrand, so each
  node evaluates rho once.
  """
  def h(x):
    t = mp.exp(x)
    r, d = rho_and_drho(t * t, alpha)
    if r > RHO_CUTOFF:
      return mp.mpc(0)
    e = 2 * t * mp.exp(-r)
    return mp.mpc(e, 0 if d is None else e * d)

  val, err = mp.quad(h, splits, method=method, error=True)
  # Left tail x < X_MIN: exp(-rho) = 1 - O(e^(2 X_MIN)), so it adds 2 e^(X_MIN) (about 3e-87) to Z.
  z_val = val.real + 2 * mp.exp(X_MIN)
  d_val = None if alpha in (2.0, math.inf) else val.imag
  return z_val, d_val, err, err


def compute(alpha, check=False):
  """Return (alpha, logZ, dlogZ, info) with info holding error estimates / cross-check differences."""
  mp.mp.dps = DPS
  z, d, z_err, d_err = integrals(alpha, SPLITS, method="gauss-legendre")
  log_z = mp.log(z)
  if alpha == 2.0:
    dlog = -mp.inf
  elif alpha == math.inf:
    dlog = mp.mpf(0)
  else:
    dlog = -d / z
  info = {"quad_err": float(max(z_err / z, d_err / z))}
  if check:
    mp.mp.dps = DPS_CHECK
    z2, d2, _, _ = integrals(alpha, SPLITS_CHECK, method="tanh-sinh")
    info["check_log_z"] = float(abs(mp.log(z2) - log_z))
    if d is not None:
      info["check_dlog"] = float(abs(-d2 / z2 - dlog))
    mp.mp.dps = DPS
  return alpha, log_z, dlog, info


def compute_checked(alpha):
  return compute(alpha, check=True)


def fmt(x):
  if x == mp.inf:
    return "inf"
  if x == -mp.inf:
    return "-inf"
  return repr(float(x))


def self_checks(results):
  mp.mp.dps = DPS
  by_alpha = {a: (lz, dl) for a, lz, dl, _ in results}
  assert abs(by_alpha[0.0][0] - mp.log(mp.pi * mp.sqrt(2))) < mp.mpf(10) ** -30
  assert abs(by_alpha[1.0][0] - mp.log(2 * mp.e * mp.besselk(1, 1))) < mp.mpf(10) ** -30
  assert abs(by_alpha[2.0][0] - mp.log(mp.sqrt(2 * mp.pi))) < mp.mpf(10) ** -30
  # log Z(inf) independently: s = e^(t^2/2) = 1 + v^2 gives Z = 2e int_0^inf 2v e^(-1-v^2)/((1+v^2) sqrt(2 log(1+v^2))) dv.
  z_inf = 2 * mp.e * mp.quad(lambda v: 2 * v * mp.exp(-(1 + v * v)) / ((1 + v * v) * mp.sqrt(2 * mp.log1p(v * v))),
                              [0, 0.5, 1, 2, 4, mp.inf])
  assert abs(by_alpha[math.inf][0] - mp.log(z_inf)) < mp.mpf(10) ** -28
  # Docs/spec.md section 5 quotes 0.70526025442689566; the quadratures agree on 0.70526025441756968827 (9.3e-12 lower).
  assert abs(by_alpha[math.inf][0] - mp.mpf("0.70526025442689566")) < mp.mpf(10) ** -10
  # d rho / d alpha against numerical differentiation in alpha.
  for alpha in (0.0, 1e-9, 1e-3, 0.5, 1.0, 1.9, 2.5, 8.0, 1e4):
    for t in (mp.mpf("0.3"), mp.mpf(2), mp.mpf(50)):
      zz = t * t
      exact = drho_dalpha(zz, alpha)
      if alpha == 0.0:
        mp.mp.dps = 80
        num = mp.diff(lambda a: (2 - a) / a * mp.expm1(a / 2 * mp.log1p(zz / (2 - a))) if a != 0 else rho(zz, 0.0),
                      mp.mpf(10) ** -30)
        mp.mp.dps = DPS
      else:
        mp.mp.dps = 80
        a0 = mp.mpf(alpha)
        num = mp.diff(lambda a: abs(a - 2) / a * mp.expm1(a / 2 * mp.log1p(zz / abs(a - 2))), a0)
        mp.mp.dps = DPS
      # the closed form, evaluated at DPS digits, cancels about |log10 alpha| digits for small alpha
      assert abs(exact - num) <= mp.mpf(10) ** -20 * max(1, abs(num)), (alpha, t, exact, num)
  # d log Z / d alpha against a numerical derivative of log Z.
  worst = 0.0
  for alpha in (0.5, 1.0, 1.5, 3.0):
    mp.mp.dps = 30
    log_z_of = lambda a: mp.log(mp.quad(lambda x: 2 * mp.exp(x) * mp.exp(-general_rho(mp.exp(2 * x), a)), SPLITS_CHECK))
    num = mp.diff(log_z_of, mp.mpf(alpha))
    diff = abs(num - by_alpha[alpha][1])
    worst = max(worst, float(diff))
    assert diff < 1e-15, (alpha, num, by_alpha[alpha][1])
  mp.mp.dps = DPS
  return worst


def general_rho(z, a):
  """rho for an mpf alpha (used only by the numerical-derivative check, alpha not in {0, 2})."""
  b = abs(a - 2)
  return (b / a) * mp.expm1((a / 2) * mp.log1p(z / b))


def main():
  grid = [i / 100 for i in range(0, 401)] + [4.0 + 0.5 * i for i in range(1, 33)]
  alphas = sorted(set(KEY_ALPHAS) | set(grid))
  checked = set(KEY_ALPHAS) | set(grid[::25])
  with Pool(2) as pool:
    plain = pool.map_async(compute, [a for a in alphas if a not in checked])
    with_check = pool.map_async(compute_checked, [a for a in alphas if a in checked])
    results = sorted(plain.get() + with_check.get(), key=lambda r: r[0])

  worst_quad = max(r[3]["quad_err"] for r in results)
  worst_lz = max(r[3].get("check_log_z", 0.0) for r in results)
  worst_dl = max(r[3].get("check_dlog", 0.0) for r in results)
  assert worst_quad < 1e-25, worst_quad
  assert worst_lz < 1e-25, worst_lz
  assert worst_dl < 1e-20, worst_dl
  worst_num = self_checks(results)

  os.makedirs(os.path.dirname(OUT), exist_ok=True)
  with open(OUT, "w", newline="") as f:
    w = csv.writer(f, lineterminator="\n")
    w.writerow(["alpha", "log_z", "dlog_z_dalpha"])
    for alpha, lz, dl, _ in results:
      w.writerow([fmt(alpha) if alpha == math.inf else repr(alpha), fmt(lz), fmt(dl)])
  print(f"wrote {OUT}: {len(results)} rows")
  print(f"largest quad error estimate (relative): {worst_quad:.2e}")
  print(f"largest |log Z| difference vs tanh-sinh at {DPS_CHECK} digits: {worst_lz:.2e} "
        f"({len(checked)} alphas)")
  print(f"largest |d log Z/d alpha| difference vs tanh-sinh: {worst_dl:.2e}")
  print(f"largest |d log Z/d alpha| difference vs mpmath.diff of log Z: {worst_num:.2e}")
  for alpha, lz, dl, _ in results:
    if alpha in KEY_ALPHAS:
      print(f"  alpha = {alpha!r:8}  log Z = {mp.nstr(lz, 20):24}  dlogZ/dalpha = {mp.nstr(dl, 15)}")


if __name__ == "__main__":
  sys.setrecursionlimit(10000)
  main()
