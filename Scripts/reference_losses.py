#!/usr/bin/env python3
"""Reference values of the robust losses: rho, psi, psi' and the IRLS weight.

What it computes
    Fixtures/reference/loss_values.csv with columns

        loss,alpha,u,rho,psi,dpsi,weight

    for Barron's general loss ("barron"), Huber ("huber"), Tukey's biweight ("tukey") and the squared loss
    ("l2"), in the conventions of Docs/spec.md sections 2-3:

        u      the standardised residual r/c;  z = u^2;  b = |alpha - 2|
        rho    (b/alpha)*((z/b + 1)^(alpha/2) - 1)     general alpha
               z/2 (alpha = 2), log(z/2 + 1) (alpha = 0), 1 - exp(-z/2) (alpha = -inf), exp(z/2) - 1 (alpha = inf)
        psi    d rho / du            = u * (z/b + 1)^(alpha/2 - 1)
        dpsi   d psi / du            = (z/b + 1)^(alpha/2 - 2) * (1 + (alpha - 1) z/b)
        weight psi / u (closed form) = (z/b + 1)^(alpha/2 - 1); at u = 0 the limit 1
        huber  rho = u^2/2 (|u| <= 1) else |u| - 1/2; psi = clip(u, -1, 1); dpsi = 1 (|u| < 1) else 0;
               weight = min(1, 1/|u|)
        tukey  rho = (1 - (1 - u^2)^3)/6 (|u| <= 1) else 1/6; psi = u (1 - u^2)^2 inside, 0 outside;
               dpsi = (1 - u^2)(1 - 5u^2) inside, 0 outside; weight = (1 - u^2)^2 inside, 0 outside
        l2     rho = u^2/2, psi = u, dpsi = 1, weight = 1

How
    Every value is computed with mpmath at 60 significant digits from the exact decimal-to-double value of
    the inputs (alpha and u are first rounded to IEEE doubles, then converted exactly to mpf), using the
    cancellation-free forms expm1/log1p for the general Barron case. Each row is computed a second time at
    110 digits with the naive pow form, and psi / dpsi are also checked against mpmath numerical
    differentiation of rho / psi at 60 digits; the script asserts agreement to 1e-40 relative (to 1e-25 for
    the numerical derivatives), so the printed doubles are the correctly rounded true values.

Precision
    Each number is the double nearest to the exact value (mpmath's float() rounds to nearest), printed with
    Python's repr (the shortest text that reads back to the same double, i.e. an exact 17-significant-digit
    value). Non-zero values below the smallest normal double (~2.2e-308) are rounded to subnormals/zero as
    IEEE arithmetic would; such rows are kept (their value is still the correctly rounded double).

Alpha column
    Barron rows write repr(alpha) of the double (e.g. 1.999999999 is the double nearest to 2 - 1e-9, written
    as '1.999999999'), '-inf' / 'inf' for the infinite shapes; huber, tukey and l2 rows leave alpha empty.

Skipped rows
    A row is skipped when any of rho, psi, dpsi, weight exceeds the largest finite double (1.797e308):
    alpha = inf at |u| >= 1e3 (exp(5e5)), and alpha > 2 at u = 1e8 for alpha = 100 (1e16^49). The number of
    skipped rows and which ones are printed when the script runs.

Run:  python3 Scripts/reference_losses.py      (from the repository root; takes about a second)
"""

import csv
import math
import os
import sys

import mpmath as mp

OUT = os.path.join("Fixtures", "reference", "loss_values.csv")
DPS = 60
DPS_CHECK = 110

BARRON_ALPHAS = [-math.inf, -1e4, -2.0, -1.0, -1e-9, 0.0, 1e-9, 1e-3, 0.5, 1.0, 1.5, 2.0 - 1e-9, 2.0, 2.0 + 1e-9,
                 3.0, 8.0, 100.0, math.inf]
BARRON_US = [0.0, 1e-8, -1e-8, 1e-4, 0.3, -0.7, 1.0, 1.5, 3.0, -10.0, 1e3, 1e8]
# Huber and Tukey have kinks at |u| = 1: these points avoid them (0.999 and 1.001 straddle the kink).
PIECEWISE_US = [0.0, 1e-8, -1e-8, 1e-4, 0.3, -0.7, 0.999, -0.999, 1.001, 1.5, 3.0, -10.0, 1e3, 1e8]
L2_US = [0.0, 1e-8, -1e-8, 0.3, -0.7, 1.5, -10.0, 1e3, 1e8]

DBL_MAX = mp.mpf(sys.float_info.max)


def barron(alpha, u, naive=False):
  """(rho, psi, dpsi, weight) of Barron's loss at the double alpha and double u, in the current mp precision."""
  u = mp.mpf(u)
  z = u * u
  if alpha == 2.0:
    return z / 2, u, mp.mpf(1), mp.mpf(1)
  if alpha == 0.0:
    w = 1 / (z / 2 + 1)
    return mp.log1p(z / 2), u * w, w * w * (1 - z / 2), w
  if alpha == -math.inf:
    e = mp.exp(-z / 2)
    return -mp.expm1(-z / 2), u * e, e * (1 - z), e
  if alpha == math.inf:
    e = mp.exp(z / 2)
    return mp.expm1(z / 2), u * e, e * (1 + z), e
  a = mp.mpf(alpha)
  b = abs(a - 2)
  s = z / b
  if naive:
    rho = (b / a) * ((s + 1) ** (a / 2) - 1)
    w = (s + 1) ** (a / 2 - 1)
    dpsi = (s + 1) ** (a / 2 - 2) * (1 + (a - 1) * s)
  else:
    l1p = mp.log1p(s)
    rho = (b / a) * mp.expm1((a / 2) * l1p)
    w = mp.exp((a / 2 - 1) * l1p)
    dpsi = mp.exp((a / 2 - 2) * l1p) * (1 + (a - 1) * s)
  return rho, u * w, dpsi, w


def huber(u):
  u = mp.mpf(u)
  if abs(u) <= 1:
    return u * u / 2, u, mp.mpf(1), mp.mpf(1)
  return abs(u) - mp.mpf(1) / 2, mp.sign(u), mp.mpf(0), 1 / abs(u)


def tukey(u):
  u = mp.mpf(u)
  if abs(u) <= 1:
    t = 1 - u * u
    return (1 - t ** 3) / 6, u * t * t, t * (1 - 5 * u * u), t * t
  return mp.mpf(1) / 6, mp.mpf(0), mp.mpf(0), mp.mpf(0)


def l2(u):
  u = mp.mpf(u)
  return u * u / 2, u, mp.mpf(1), mp.mpf(1)


def rel_diff(x, y):
  if x == y:
    return mp.mpf(0)
  return abs(x - y) / max(abs(x), abs(y))


def check_derivatives(fn, u, tol):
  """psi against d rho/du and dpsi against d psi/du by mpmath numerical differentiation (smooth points only)."""
  u = mp.mpf(u)
  if abs(u) > 1e6:
    return  # the values are checked by the second evaluation; mp.diff step sizes get awkward at huge u
  rho, psi, dpsi, _ = fn(u)
  d_rho = mp.diff(lambda t: fn(t)[0], u)
  d_psi = mp.diff(lambda t: fn(t)[1], u)
  for name, exact, numeric in (("psi", psi, d_rho), ("dpsi", dpsi, d_psi)):
    scale = max(abs(exact), mp.mpf(10) ** (-DPS // 2))
    assert abs(exact - numeric) / scale < tol, (name, u, exact, numeric)


def fmt(x):
  """repr of the double nearest to the mpf x (mpmath rounds to nearest)."""
  return repr(float(x))


def fmt_alpha(alpha):
  if alpha == math.inf:
    return "inf"
  if alpha == -math.inf:
    return "-inf"
  return repr(alpha)


def main():
  rows = []
  skipped = []

  def add(loss, alpha_text, u, values):
    if any(abs(v) > DBL_MAX for v in values):
      skipped.append((loss, alpha_text, u))
      return
    rows.append([loss, alpha_text, repr(u)] + [fmt(v) for v in values])

  for alpha in BARRON_ALPHAS:
    for u in BARRON_US:
      mp.mp.dps = DPS
      values = barron(alpha, u)
      check_derivatives(lambda t: barron(alpha, t), u, mp.mpf(10) ** -25)
      mp.mp.dps = DPS_CHECK
      check = barron(alpha, u, naive=True)
      mp.mp.dps = DPS
      for v, c in zip(values, check):
        assert rel_diff(v, c) < mp.mpf(10) ** -40, (alpha, u, v, c)
      add("barron", fmt_alpha(alpha), u, values)

  for name, fn in (("huber", huber), ("tukey", tukey)):
    for u in PIECEWISE_US:
      mp.mp.dps = DPS
      values = fn(u)
      check_derivatives(fn, u, mp.mpf(10) ** -25)
      add(name, "", u, values)

  for u in L2_US:
    mp.mp.dps = DPS
    add("l2", "", u, l2(u))

  # Sanity checks on the named identities of Docs/spec.md section 3 (at a few points, 50 digits).
  mp.mp.dps = DPS
  for u in (0.3, 1.5, -10.0):
    z = mp.mpf(u) ** 2
    assert rel_diff(barron(1.0, u)[0], mp.sqrt(z + 1) - 1) < 1e-50
    assert rel_diff(barron(-2.0, u)[0], 2 * z / (z + 4)) < 1e-50
    assert rel_diff(barron(-2.0, u)[3], 16 / (z + 4) ** 2) < 1e-50

  os.makedirs(os.path.dirname(OUT), exist_ok=True)
  with open(OUT, "w", newline="") as f:
    writer = csv.writer(f, lineterminator="\n")
    writer.writerow(["loss", "alpha", "u", "rho", "psi", "dpsi", "weight"])
    writer.writerows(rows)
  print(f"wrote {OUT}: {len(rows)} rows; skipped {len(skipped)} rows that overflow a double:")
  for s in skipped:
    print("  skipped", s)


if __name__ == "__main__":
  main()
