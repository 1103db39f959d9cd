"""Barron general loss: psi, psi', weights; 95%-efficiency k(alpha); robust start; IRLS; sandwich variances."""
import numpy as np
from scipy.optimize import brentq

NEG_INF = -np.inf

def s_to_alpha(s):
    if s >= 0: return float(s)
    if s <= -1: return NEG_INF
    return s / (1.0 + s)

def alpha_to_s(a):
    if a >= 0: return float(a)
    if np.isinf(a): return -1.0
    return a / (1.0 - a)

def psi(u, a):
    if a == 2: return u.copy()
    if np.isinf(a): return u * np.exp(-0.5 * u * u)
    b = abs(a - 2.0)
    return u * (u * u / b + 1.0) ** (a / 2.0 - 1.0)

def dpsi(u, a):
    if a == 2: return np.ones_like(u)
    if np.isinf(a): return (1.0 - u * u) * np.exp(-0.5 * u * u)
    b = abs(a - 2.0)
    t = u * u / b + 1.0
    return t ** (a / 2.0 - 2.0) * (t - u * u)      # valid for a<2

def weight(u, a):
    if a == 2: return np.ones_like(u)
    if np.isinf(a): return np.exp(-0.5 * u * u)
    b = abs(a - 2.0)
    return (u * u / b + 1.0) ** (a / 2.0 - 1.0)

# --- classical psi's for baselines
def huber_fns(k):
    return (lambda u: np.clip(u, -k, k), lambda u: (np.abs(u) <= k).astype(float),
            lambda u: np.minimum(1.0, k / np.maximum(np.abs(u), 1e-300)))
def tukey_fns():
    def p(u):
        return np.where(np.abs(u) < 1, u * (1 - u * u) ** 2, 0.0)
    def dp(u):
        return np.where(np.abs(u) < 1, (1 - u * u) * (1 - 5 * u * u), 0.0)
    def w(u):
        return np.where(np.abs(u) < 1, (1 - u * u) ** 2, 0.0)
    return p, dp, w
def barron_fns(a):
    return (lambda u: psi(u, a), lambda u: dpsi(u, a), lambda u: weight(u, a))

# --- Gaussian efficiency
_Z = np.linspace(-12, 12, 48001)
_PHI = np.exp(-0.5 * _Z ** 2) / np.sqrt(2 * np.pi)
_DZ = _Z[1] - _Z[0]
def _E(f):
    return np.sum(f * _PHI) * _DZ

def eff_fns(p, dp, k):
    u = _Z / k
    V = k * k * _E(p(u) ** 2) / _E(dp(u)) ** 2
    return 1.0 / V

def eff(a, k):
    if a == 2: return 1.0
    return eff_fns(lambda u: psi(u, a), lambda u: dpsi(u, a), k)

K_FLOOR = 0.0   # set by caller
_kcache = {}
def k95(a, target=0.95, kmin=0.02):
    """k with eff(k)=target; if eff>=target even as k->0 (Lq limit, alpha>~1.6) returns NaN."""
    if a == 2: return np.nan
    key = (a, target)
    if key in _kcache: return _kcache[key]
    f = lambda k: eff(a, k) - target
    if f(kmin) >= 0:
        r = np.nan
    else:
        r = brentq(f, kmin, 200.0, xtol=1e-10)
    _kcache[key] = r
    return r

# --- robust start: LTS by random elemental subsets + C-steps
def lts(X, y, rng, nsub=500, h=None, nbest=10):
    n, p = X.shape
    h = h or (n + p + 1) // 2
    cands = []
    for _ in range(nsub):
        idx = rng.choice(n, p, replace=False)
        try:
            b = np.linalg.solve(X[idx], y[idx])
        except np.linalg.LinAlgError:
            continue
        for _ in range(2):
            r = (y - X @ b) ** 2
            sel = np.argpartition(r, h)[:h]
            b = np.linalg.lstsq(X[sel], y[sel], rcond=None)[0]
        r = (y - X @ b) ** 2
        cands.append((np.sort(r)[:h].sum(), b))
    cands.sort(key=lambda t: t[0])
    best = None
    for _, b in cands[:nbest]:
        for _ in range(100):
            r = (y - X @ b) ** 2
            sel = np.argpartition(r, h)[:h]
            bn = np.linalg.lstsq(X[sel], y[sel], rcond=None)[0]
            if np.allclose(bn, b, atol=1e-12, rtol=0): break
            b = bn
        obj = np.sort((y - X @ b) ** 2)[:h].sum()
        if best is None or obj < best[0]: best = (obj, b)
    return best[1]

def mad0(r):
    return 1.482602218505602 * np.median(np.abs(r - np.median(r)))

def irls(X, y, b0, c, w_fn, maxit=500, tol=1e-10):
    b = b0.copy()
    for it in range(maxit):
        u = (y - X @ b) / c
        w = w_fn(u)
        if not np.all(np.isfinite(w)) or w.sum() <= 0: break
        sw = np.sqrt(w)
        bn = np.linalg.lstsq(X * sw[:, None], y * sw, rcond=None)[0]
        if np.max(np.abs(bn - b)) < tol * (1 + np.max(np.abs(b))):
            b = bn; break
        b = bn
    return b

def l1fit(X, y, b0):
    b = b0.copy()
    for _ in range(300):
        r = y - X @ b
        w = 1.0 / np.maximum(np.abs(r), 1e-8)
        sw = np.sqrt(w)
        bn = np.linalg.lstsq(X * sw[:, None], y * sw, rcond=None)[0]
        if np.max(np.abs(bn - b)) < 1e-10: return bn
        b = bn
    return b

def variances(X, y, b, c, p_fn, dp_fn):
    """return dict: H1 scalar-det and trace, HC det^(1/p) and trace, and HC 'pred' = tr(Cov XtX)/n"""
    n, p = X.shape
    u = (y - X @ b) / c
    ps = p_fn(u); dps = dp_fn(u)
    m = dps.mean()
    XtX = X.T @ X
    out = {}
    if m <= 0:
        for key in ("H1det", "H1tr", "HCdet", "HCtr", "HCpred"): out[key] = np.inf
        return out
    K = 1 + (p / n) * dps.var() / m ** 2
    s2 = K * K * (ps ** 2).sum() / (n - p) * c * c / (m * m)
    C1 = s2 * np.linalg.inv(XtX)
    out["H1det"] = np.linalg.det(C1) ** (1 / p)
    out["H1tr"] = np.trace(C1)
    M = X.T @ (X * dps[:, None])
    ev = np.linalg.eigvalsh(M)
    if ev.min() <= 0:
        out["HCdet"] = out["HCtr"] = out["HCpred"] = np.inf
    else:
        Mi = np.linalg.inv(M)
        B = X.T @ (X * (ps ** 2)[:, None])
        C2 = c * c * n / (n - p) * Mi @ B @ Mi
        out["HCdet"] = np.linalg.det(C2) ** (1 / p)
        out["HCtr"] = np.trace(C2)
        out["HCpred"] = np.trace(C2 @ XtX) / n
    return out
