"""Barron adaptive-loss joint fit (own implementation) with degrees-of-freedom corrections.

methods (the beta step is always IRLS on sum rho(r/c; alpha) at the current (alpha, c)):
  none      : (alpha, c) = argmin  sum rho(r/c) + n log c + n log Z               (plain ML, = robustfit)
  lev       : same, on leverage-corrected residuals r/sqrt(1-h), h = weighted hat values (IRLS weights W)
  loo_w     : same, on r/(1-h)      (LOO residuals of the *weighted LS* with W fixed)
  loo_m     : same, on M-estimation LOO residuals r + k psi/(1 - d k), k = x'(X'DX)^-1 x, d = rho''/c^2
  reml_cz   : sum rho(r/c) + (n-p) log c + (n-p) log Z
  reml_c    : sum rho(r/c) + (n-p) log c + n log Z
  post      : plain ML, then c *= sqrt(n/(n-p))  (alpha unchanged)
  lap_w     : sum rho + (n-p) log c + n log Z + 1/2 logdet(X' W X)   (W = rho'(u)/u, dimensionless)
  lap_d     : same with D = max(rho''(u), 1e-8) (Laplace marginal likelihood in beta; flat prior)
"""
import numpy as np, math, functools
from scipy import integrate, optimize, linalg

LOGZ0 = math.log(math.pi * math.sqrt(2)); LOGZ2 = 0.5 * math.log(2 * math.pi)

def _rho_s(t, a):
    if a < 1e-12: return math.log1p(0.5 * t * t)
    if abs(a - 2) < 1e-12: return 0.5 * t * t
    b = abs(a - 2); return b / a * math.expm1(0.5 * a * math.log1p(t * t / b))

def _logZ_quad(a):
    if a < 1e-12: return LOGZ0
    if abs(a - 2) < 1e-14: return LOGZ2
    f = lambda x: math.exp(x - _rho_s(math.exp(x), a))   # t = e^x
    s = 0.0
    for lo, hi in ((-60, -5), (-5, 0), (0, 2), (2, 5), (5, 12), (12, 40)):
        s += integrate.quad(f, lo, hi, epsabs=0, epsrel=1e-12, limit=200)[0]
    return math.log(2 * s)

def _build_table():
    import os
    fn = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'logz_table.npz')
    if os.path.exists(fn):
        d = np.load(fn); return d['a1'], d['z1'], d['s2'], d['z2']
    a1 = np.linspace(0, 1.9, 1901); z1 = np.array([_logZ_quad(a) for a in a1])
    s2 = np.linspace(math.log(0.1), math.log(1e-13), 2001); z2 = np.array([_logZ_quad(2 - math.exp(s)) for s in s2])
    np.savez(fn, a1=a1, z1=z1, s2=s2, z2=z2); return a1, z1, s2, z2

from scipy.interpolate import CubicSpline
_a1, _z1, _s2, _z2 = _build_table()
_sp1 = CubicSpline(_a1, _z1); _sp2 = CubicSpline(_s2[::-1], _z2[::-1])

def logZ(a):
    if a <= 1.9: return float(_sp1(a))
    if 2 - a < 1e-13: return LOGZ2
    return float(_sp2(math.log(2 - a)))

def rho(u2, a):
    if a < 1e-12: return np.log1p(0.5 * u2)
    if abs(a - 2) < 1e-12: return 0.5 * u2
    b = abs(a - 2); return b / a * np.expm1(0.5 * a * np.log1p(u2 / b))

def wgt(u2, a):           # rho'(u)/u
    if abs(a - 2) < 1e-12: return np.ones_like(u2)
    b = abs(a - 2); return np.exp((0.5 * a - 1) * np.log1p(u2 / b))

def rho2(u2, a):          # rho''(u)
    if abs(a - 2) < 1e-12: return np.ones_like(u2)
    b = abs(a - 2); return np.exp((0.5 * a - 2) * np.log1p(u2 / b)) * (1 + u2 * (a - 1) / b)

def mad_sigma(r): return np.median(np.abs(r - 0 * np.median(r))) / 0.6745

def hat_w(X, w):
    """h_i = w_i x_i'(X'WX)^-1 x_i via Cholesky of X'WX."""
    L = linalg.cholesky((X * w[:, None]).T @ X, lower=True)
    B = linalg.solve_triangular(L, X.T, lower=True)
    return w * np.einsum('ij,ij->j', B, B), L

def kvals(X, d):
    """k_i = x_i'(X'DX)^-1 x_i (None if X'DX not PD)."""
    try:
        L = linalg.cholesky((X * d[:, None]).T @ X, lower=True)
    except linalg.LinAlgError:
        return None
    B = linalg.solve_triangular(L, X.T, lower=True)
    return np.einsum('ij,ij->j', B, B)

class Obj:
    """(alpha, log c) objective on residual vector r (given method's counts)."""
    def __init__(self, r, n_c, n_z, X=None, lap=None):
        self.r2 = r * r; self.n_c = n_c; self.n_z = n_z; self.X = X; self.lap = lap
    def __call__(self, a, lc):
        c2 = math.exp(2 * lc); u2 = self.r2 / c2
        v = rho(u2, a).sum() + self.n_c * lc + self.n_z * logZ(a)
        if self.lap is not None:
            d = wgt(u2, a) if self.lap == 'w' else np.maximum(rho2(u2, a), 1e-8)
            M = (self.X * d[:, None]).T @ self.X
            sgn, ld = np.linalg.slogdet(M)
            v += 0.5 * ld
        return v

def opt_c(obj, a, lc0, span):
    res = optimize.minimize_scalar(lambda lc: obj(a, lc), bounds=(lc0 - span, lc0 + span),
                                   method='bounded', options={'xatol': 1e-7})
    return res.fun, res.x

def opt_alpha_c(obj, s, a0=None, lc0=None):
    """global-ish: grid in alpha (profiling c), then Brent refine. s: rough scale of residuals."""
    if obj.lap is not None and a0 is not None:     # expensive objective: local 2-D L-BFGS-B from the current point
        f0 = obj(a0, lc0)
        r = optimize.minimize(lambda v: obj(v[0], v[1]), [min(a0, 2 - 1e-9), lc0], method='L-BFGS-B',
                              bounds=[(0, 2), (lc0 - 3, lc0 + 3)], options={'eps': 1e-7})
        if r.fun < f0: return r.fun, float(r.x[0]), float(r.x[1])
        return f0, a0, lc0
    lcs = math.log(max(s, 1e-300))
    grid = np.linspace(0, 2, 21) if a0 is None else np.clip(np.r_[np.linspace(a0 - .2, a0 + .2, 9), 0, 2], 0, 2)
    grid = np.unique(grid)
    best = None
    for a in grid:
        f, lc = opt_c(obj, a, lcs if lc0 is None else lc0, 8.0 if lc0 is None else 3.0)
        if best is None or f < best[0]: best = (f, a, lc)
    f, a, lc = best
    step = grid[1] - grid[0] if len(grid) > 1 else 0.1
    lo, hi = max(0, a - step), min(2, a + step)
    prof = lambda aa: opt_c(obj, aa, lc, 3.0)[0]
    r = optimize.minimize_scalar(prof, bounds=(lo, hi), method='bounded', options={'xatol': 1e-6})
    if r.fun < f:
        a = r.x; f, lc = opt_c(obj, a, lc, 3.0)
    # snap to bounds if better
    for ab in (0.0, 2.0):
        fb, lcb = opt_c(obj, ab, lc, 3.0)
        if fb <= f: f, a, lc = fb, ab, lcb
    return f, a, lc

def irls(X, y, beta, a, c, iters=5):
    for _ in range(iters):
        r = y - X @ beta
        w = wgt(r * r / (c * c), a)
        Xw = X * w[:, None]
        beta_new = linalg.cho_solve(linalg.cho_factor(Xw.T @ X), Xw.T @ y)
        if np.max(np.abs(beta_new - beta)) < 1e-10 * (1 + np.max(np.abs(beta))):
            beta = beta_new; break
        beta = beta_new
    return beta

def huber_start(X, y, k=1.345, iters=50):
    beta = linalg.lstsq(X, y)[0]
    for _ in range(iters):
        r = y - X @ beta; s = mad_sigma(r); u = np.abs(r) / s
        w = np.where(u <= k, 1.0, k / np.maximum(u, 1e-300))
        Xw = X * w[:, None]
        bn = linalg.cho_solve(linalg.cho_factor(Xw.T @ X), Xw.T @ y)
        if np.max(np.abs(bn - beta)) < 1e-9: beta = bn; break
        beta = bn
    return beta

def est_residuals(method, X, y, beta, a, c):
    r = y - X @ beta
    if method in ('lev', 'loo_w'):
        w = wgt(r * r / (c * c), a)
        h, _ = hat_w(X, w); h = np.minimum(h, 1 - 1e-8)
        return r / np.sqrt(1 - h) if method == 'lev' else r / (1 - h)
    if method == 'loo_m':
        u = r / c; u2 = u * u
        d = rho2(u2, a) / c**2; psi = u * wgt(u2, a) / c
        k = kvals(X, d)
        if k is None:                       # X'DX not PD: fall back to the weighted-LS form
            w = wgt(u2, a); h, _ = hat_w(X, w); return r / (1 - np.minimum(h, 1 - 1e-8))
        return r + k * psi / (1 - d * k)
    return r

def fit(X, y, method='none', max_outer=300, tol=1e-6, verbose=False):
    n, p = X.shape
    n_c = n - p if method in ('reml_cz', 'reml_c', 'lap_w', 'lap_d') else n
    n_z = n - p if method == 'reml_cz' else n
    lap = {'lap_w': 'w', 'lap_d': 'd'}.get(method)
    beta0 = huber_start(X, y)
    s0 = mad_sigma(y - X @ beta0)
    # alpha scan: at each grid alpha, alternate beta / c a few times; keep best
    best = None
    for a in np.linspace(0, 2, 9):
        beta = beta0.copy(); lc = math.log(s0)
        for _ in range(15):
            rr = est_residuals(method, X, y, beta, a, math.exp(lc))
            obj = Obj(rr, n_c, n_z, X, lap)
            f, lc = opt_c(obj, a, lc, 6.0)
            beta = irls(X, y, beta, a, math.exp(lc), iters=3)
        rr = est_residuals(method, X, y, beta, a, math.exp(lc))
        f = Obj(rr, n_c, n_z, X, lap)(a, lc)
        if best is None or f < best[0]: best = (f, a, lc, beta)
    f, a, lc, beta = best
    hist = []
    for it in range(max_outer):
        rr = est_residuals(method, X, y, beta, a, math.exp(lc))
        obj = Obj(rr, n_c, n_z, X, lap)
        f, a_new, lc_new = opt_alpha_c(obj, mad_sigma(rr), a, lc)
        beta_new = irls(X, y, beta, a_new, math.exp(lc_new), iters=5)
        dchg = max(abs(a_new - a), abs(lc_new - lc), np.max(np.abs(beta_new - beta)) / (1 + np.max(np.abs(beta))))
        a, lc, beta = a_new, lc_new, beta_new
        hist.append((f, a, math.exp(lc)))
        if verbose: print(it, f, a, math.exp(lc))
        if dchg < tol: break
    c = math.exp(lc)
    if method == 'post': c *= math.sqrt(n / (n - p))
    r = y - X @ beta
    return dict(alpha=a, c=c, beta=beta, r=r, iters=it + 1, f=f,
                converged=dchg < tol)

def flags(r, z=2.5):
    s = mad_sigma(r); return np.abs(r) / s > z, s
