"""Shared helpers for the reference scripts (not a script itself): losses, data loading, L1 by linear
programming and a plain IRLS with Docs/spec.md's default scale rule.

Everything follows Docs/spec.md sections 2-4 (u = r/c, rho(0) = 0, rho ~ u^2/2 near 0), written
independently of the Swift sources. numpy float64 throughout.
"""

import csv
import math

import numpy as np
from scipy import optimize

MAD_TO_SIGMA = 0.6744897501960817

# name -> (Barron alpha or None, default 95 %-efficiency tuning constant k), Docs/spec.md section 2.
LOSSES = {
    "l2": (2.0, None),
    "huber": (None, 1.345),
    "pseudo-huber": (1.0, 1.2871),
    "cauchy": (0.0, 1.6864),
    "geman-mcclure": (-2.0, 1.8937),
    "welsch": (-math.inf, 2.1105),
    "tukey": (None, 4.685),
}
REDESCENDING = {"cauchy", "geman-mcclure", "welsch", "tukey"}


def barron_rho(u, alpha):
  z = np.square(u)
  if alpha == 2.0:
    return z / 2
  if alpha == 0.0:
    return np.log1p(z / 2)
  if alpha == -math.inf:
    return -np.expm1(-z / 2)
  if alpha == math.inf:
    return np.expm1(z / 2)
  b = abs(alpha - 2)
  return (b / alpha) * np.expm1((alpha / 2) * np.log1p(z / b))


def barron_weight(u, alpha):
  z = np.square(u)
  if alpha == 2.0:
    return np.ones_like(z)
  if alpha == -math.inf:
    return np.exp(-z / 2)
  if alpha == math.inf:
    return np.exp(z / 2)
  b = abs(alpha - 2)
  return np.exp((alpha / 2 - 1) * np.log1p(z / b))


def barron_dpsi(u, alpha):
  z = np.square(u)
  if alpha == 2.0:
    return np.ones_like(z)
  if alpha == -math.inf:
    return np.exp(-z / 2) * (1 - z)
  b = abs(alpha - 2)
  return np.exp((alpha / 2 - 2) * np.log1p(z / b)) * (1 + (alpha - 1) * z / b)


def rho(name, u, alpha=None):
  u = np.asarray(u, dtype=float)
  if name == "huber":
    a = np.abs(u)
    return np.where(a <= 1, u * u / 2, a - 0.5)
  if name == "tukey":
    z = np.minimum(u * u, 1.0)
    return (1 - (1 - z) ** 3) / 6
  return barron_rho(u, LOSSES[name][0] if alpha is None else alpha)


def weight(name, u, alpha=None):
  u = np.asarray(u, dtype=float)
  if name == "huber":
    a = np.abs(u)
    return np.where(a <= 1, 1.0, 1.0 / np.maximum(a, 1.0))
  if name == "tukey":
    return np.where(np.abs(u) <= 1, (1 - np.minimum(u * u, 1.0)) ** 2, 0.0)
  return barron_weight(u, LOSSES[name][0] if alpha is None else alpha)


def dpsi(name, u, alpha=None):
  u = np.asarray(u, dtype=float)
  if name == "huber":
    return np.where(np.abs(u) < 1, 1.0, 0.0)
  if name == "tukey":
    z = u * u
    return np.where(np.abs(u) <= 1, (1 - z) * (1 - 5 * z), 0.0)
  return barron_dpsi(u, LOSSES[name][0] if alpha is None else alpha)


def read_csv(path):
  """Return (column names, X with an intercept column first, y, raw predictor matrix)."""
  with open(path) as f:
    rows = list(csv.reader(f))
  header, data = rows[0], np.array([[float(v) for v in r] for r in rows[1:]])
  predictors = data[:, :-1]
  X = np.column_stack([np.ones(len(data)), predictors])
  return header, X, data[:, -1], predictors


def mad_sigma(r):
  return np.median(np.abs(r)) / MAD_TO_SIGMA


def ols(X, y):
  return np.linalg.lstsq(X, y, rcond=None)[0]


def l1_linprog(X, y):
  """Exact L1 regression: min sum |y - X b| as an LP (HiGHS). Returns (beta, objective)."""
  n, p = X.shape
  # variables: beta (free, p), e+ (n), e- (n);  X beta + e+ - e- = y
  c = np.concatenate([np.zeros(p), np.ones(2 * n)])
  A_eq = np.hstack([X, np.eye(n), -np.eye(n)])
  bounds = [(None, None)] * p + [(0, None)] * (2 * n)
  res = optimize.linprog(c, A_eq=A_eq, b_eq=y, bounds=bounds, method="highs",
                         options={"primal_feasibility_tolerance": 1e-10, "dual_feasibility_tolerance": 1e-10})
  assert res.status == 0, res.message
  beta = res.x[:p]
  return beta, float(np.sum(np.abs(y - X @ beta)))


def irls(X, y, name, k=None, alpha=None, scale=None, start=None, tol=1e-12, max_iter=2000):
  """IRLS with c = k * sigma_hat (MAD re-estimated every step) or a fixed scale c.

  Returns dict(beta, c, sigma, iterations, converged). Start: OLS for convex losses, the exact L1 fit for
  redescending ones (Docs/spec.md section 4), unless a start is given.
  """
  if k is None:
    k = LOSSES[name][1]
  if start is None:
    redescending = name in REDESCENDING or (alpha is not None and alpha < 1)
    start = l1_linprog(X, y)[0] if redescending else ols(X, y)
  beta = np.array(start, dtype=float)
  prev_obj = None
  for it in range(1, max_iter + 1):
    r = y - X @ beta
    sigma = mad_sigma(r)
    c = scale if scale is not None else k * sigma
    w = weight(name, r / c, alpha)
    sw = np.sqrt(w)
    new = np.linalg.lstsq(X * sw[:, None], y * sw, rcond=None)[0]
    r_new = y - X @ new
    c_obj = scale if scale is not None else k * mad_sigma(r_new)
    obj = float(np.sum(rho(name, r_new / c_obj, alpha)))
    step = np.max(np.abs(new - beta)) / max(1.0, np.max(np.abs(new)))
    beta = new
    if prev_obj is not None and abs(prev_obj - obj) <= tol * max(1.0, abs(obj)) and step <= tol:
      return dict(beta=beta, c=c_obj, sigma=mad_sigma(r_new), iterations=it, converged=True)
    prev_obj = obj
  return dict(beta=beta, c=c_obj, sigma=mad_sigma(y - X @ beta), iterations=max_iter, converged=False)


def line_distance(beta, truth, x_lo, x_hi):
  """RMS vertical distance between the lines a + b x over x uniform in [x_lo, x_hi] (exact integral)."""
  da, db = beta[0] - truth[0], beta[1] - truth[1]
  # mean of (da + db x)^2 over the interval
  m1 = (x_lo + x_hi) / 2
  m2 = (x_lo ** 2 + x_lo * x_hi + x_hi ** 2) / 3
  return math.sqrt(da * da + 2 * da * db * m1 + db * db * m2)


# ---------------------------------------------------------------------------------------------------------------
# Barron's distribution (Docs/spec.md section 5): log Z by scipy quadrature, and the joint NLL fit.

def log_partition(alpha):
  """log Z(alpha), Z = integral of exp(-rho(t; alpha)) dt over the real line, alpha >= 0, by scipy quad.

  Substituting t = e^x turns the 1/t^2 tails of small alpha into e^(-x) tails:
  Z = 2 * integral over x of e^x exp(-rho(e^x)). The x-range [-60, 150] misses below 1e-26 on the left
  (2 e^-60) and below 1e-60 on the right (rho >= log(1 + z/b) b/2 for alpha >= 0); the left piece is
  added in closed form. Relative accuracy about 1e-14 (checked against the closed forms at 0, 1, 2).
  """
  from scipy import integrate
  f = lambda x: 2.0 * math.exp(x - float(barron_rho(math.exp(x), alpha)))
  pieces = [-60.0, -5.0, -1.0, 0.0, 1.0, 2.0, 3.0, 5.0, 10.0, 20.0, 40.0, 80.0, 150.0]
  total = 2.0 * math.exp(-60.0)
  for a, b in zip(pieces[:-1], pieces[1:]):
    total += integrate.quad(f, a, b, epsabs=1e-17, epsrel=1e-13, limit=200)[0]
  return math.log(total)


def fixed_alpha_c_beta(X, y, alpha, c, start):
  """argmin over beta of sum rho(r/c; alpha) by IRLS (a majorise-minimise method for alpha <= 2)."""
  beta = np.array(start, dtype=float)
  obj = float(np.sum(barron_rho((y - X @ beta) / c, alpha)))
  for _ in range(5000):
    w = barron_weight((y - X @ beta) / c, alpha)
    sw = np.sqrt(w)
    new = np.linalg.lstsq(X * sw[:, None], y * sw, rcond=None)[0]
    new_obj = float(np.sum(barron_rho((y - X @ new) / c, alpha)))
    done = abs(obj - new_obj) <= 1e-15 * max(1.0, abs(new_obj)) and np.max(np.abs(new - beta)) <= 1e-13 * max(
        1.0, np.max(np.abs(new)))
    beta, obj = new, new_obj
    if done:
      break
  return beta, obj


def nll(X, y, beta, alpha, c, log_z=None):
  n = len(y)
  if log_z is None:
    log_z = log_partition(alpha)
  return float(np.sum(barron_rho((y - X @ beta) / c, alpha))) + n * math.log(c) + n * log_z


class AdaptiveFit:
  """Minimise NLL(beta, alpha, c) over beta, alpha in [lo, hi], c > 0 by nested profiling.

  inner:  beta(alpha, c) by IRLS from the exact L1 start (deterministic, robust);
  middle: c(alpha) by bounded Brent on log c in [log(c_lo), log(c_hi)], then Newton on (beta, log c) with
          the analytic gradient and Hessian (Brent on function values alone stops at ~1e-7 in log c);
  outer:  alpha by a grid over [lo, hi] (step 0.05) followed by bounded Brent around the best grid point.
  """

  def __init__(self, X, y, lo=0.0, hi=2.0):
    self.X, self.y, self.lo, self.hi = X, y, lo, hi
    self.n = len(y)
    self.l1_beta = l1_linprog(X, y)[0]
    s = mad_sigma(y - X @ self.l1_beta)
    self.c_lo, self.c_hi = s * 1e-3, s * 1e3
    self._log_z = {}

  def log_z(self, alpha):
    if alpha not in self._log_z:
      self._log_z[alpha] = log_partition(alpha)
    return self._log_z[alpha]

  def profile_c(self, alpha, log_c):
    c = math.exp(log_c)
    beta, obj = fixed_alpha_c_beta(self.X, self.y, alpha, c, self.l1_beta)
    return obj + self.n * log_c + self.n * self.log_z(alpha), beta

  def gradient_hessian(self, alpha, beta, s):
    """Gradient and Hessian of the NLL in (beta, s = log c) at fixed alpha (analytic)."""
    X, y, n = self.X, self.y, self.n
    c = math.exp(s)
    u = (y - X @ beta) / c
    psi = u * barron_weight(u, alpha)
    dps = barron_dpsi(u, alpha)
    g = np.concatenate([-X.T @ psi / c, [n - float(np.sum(psi * u))]])
    p = X.shape[1]
    H = np.empty((p + 1, p + 1))
    H[:p, :p] = (X.T * dps) @ X / (c * c)
    H[:p, p] = H[p, :p] = X.T @ (dps * u + psi) / c
    H[p, p] = float(np.sum(dps * u * u + psi * u))
    return g, H

  def polish(self, alpha, beta, s):
    """Newton on (beta, log c) at fixed alpha: a step is taken when the NLL decreases, or stays within
    4 ulp while the gradient's max norm decreases (the NLL is flat to rounding near the optimum)."""
    lz = self.log_z(alpha)
    f = nll(self.X, self.y, beta, alpha, math.exp(s), lz)
    g, H = self.gradient_hessian(alpha, beta, s)
    for _ in range(50):
      try:
        step = np.linalg.solve(H, -g)
      except np.linalg.LinAlgError:
        break
      t, ok = 1.0, False
      while t > 1e-10:
        nb, ns = beta + t * step[:-1], s + t * step[-1]
        fc = nll(self.X, self.y, nb, alpha, math.exp(ns), lz)
        gc, Hc = self.gradient_hessian(alpha, nb, ns)
        if fc < f or (fc <= f + 4 * np.finfo(float).eps * abs(f) and np.max(np.abs(gc)) < np.max(np.abs(g))):
          ok = True
          break
        t /= 2
      if not ok:
        break
      beta, s, f, g, H = nb, ns, min(f, fc), gc, Hc
      if np.max(np.abs(t * step)) <= 1e-15 * max(1.0, np.max(np.abs(beta))):
        break
    return nll(self.X, self.y, beta, alpha, math.exp(s), lz), beta, s

  def profile_alpha(self, alpha):
    res = optimize.minimize_scalar(lambda lc: self.profile_c(alpha, lc)[0],
                                   bounds=(math.log(self.c_lo), math.log(self.c_hi)), method="bounded",
                                   options={"xatol": 1e-11, "maxiter": 500})
    value, beta = self.profile_c(alpha, res.x)
    value, beta, s = self.polish(alpha, beta, res.x)
    return value, math.exp(s), beta

  def fit(self):
    grid = np.linspace(self.lo, self.hi, int(round((self.hi - self.lo) / 0.05)) + 1)
    values = [self.profile_alpha(float(a))[0] for a in grid]
    i = int(np.argmin(values))
    a_lo, a_hi = float(grid[max(i - 1, 0)]), float(grid[min(i + 1, len(grid) - 1)])
    res = optimize.minimize_scalar(lambda a: self.profile_alpha(a)[0], bounds=(a_lo, a_hi), method="bounded",
                                   options={"xatol": 1e-10, "maxiter": 500})
    candidates = [(values[i], float(grid[i])), (res.fun, float(res.x))]
    value, alpha = min(candidates)
    value, c, beta = self.profile_alpha(alpha)
    return dict(alpha=alpha, c=c, beta=beta, nll=value, grid=list(zip(map(float, grid), values)))
