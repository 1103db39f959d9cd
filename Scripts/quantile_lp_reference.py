"""Reference optima of quantile regression, min over beta of sum_i w_i * rho_tau(y_i - x_i.beta) with
rho_tau(r) = r * (tau - 1{r < 0}), by scipy's linprog (HiGHS) on the LP
    min  sum_i w_i (tau u_i + (1 - tau) v_i)   s.t.  X beta + u - v = y,  u, v >= 0,  beta free,
for the exact quantile walk of robustfit's L1 fit (LeastAbsoluteBasis.quantile; the fits at 1/2 +- h of
the nid standard errors). Three data sets: continuous data with outliers, integer data with many ties
(degenerate vertices), and case weights (whole and fractional). Written to
Fixtures/reference/quantile_lp.json. Run from the repository root: python3 Scripts/quantile_lp_reference.py
"""
import json

import numpy as np
import scipy
from scipy.optimize import linprog

TAUS = [0.05, 0.2, 0.35, 0.5, 0.65, 0.8, 0.95]


def optimum(x, y, w, tau):
    n, p = x.shape
    c = np.concatenate([np.zeros(p), w * tau, w * (1 - tau)])
    a = np.hstack([x, np.eye(n), -np.eye(n)])
    bounds = [(None, None)] * p + [(0, None)] * (2 * n)
    res = linprog(c, A_eq=a, b_eq=y, bounds=bounds, method="highs",
                  options={"primal_feasibility_tolerance": 1e-10, "dual_feasibility_tolerance": 1e-10})
    assert res.status == 0, res.message
    beta = res.x[:p]
    r = y - x @ beta
    return float(np.sum(w * r * (tau - (r < 0)))), beta.tolist()


def data_sets():
    rng = np.random.default_rng(20261206)
    n = 60
    x1, x2 = rng.normal(size=n), rng.uniform(0, 10, size=n)
    y = 1 + 2 * x1 - 0.5 * x2 + rng.standard_t(2, size=n) * (1 + 0.3 * x2)
    y[:5] += 40
    yield "outliers", np.column_stack([x1, x2]), y, None
    n = 80
    x = rng.integers(0, 6, size=n).astype(float)
    y = (2 + x + rng.integers(-3, 4, size=n)).astype(float)
    yield "ties", x[:, None], y, None
    n = 50
    x = rng.normal(size=(n, 3))
    y = x @ np.array([1.0, -1.0, 0.5]) + rng.laplace(size=n)
    w = rng.integers(0, 4, size=n).astype(float)
    w[::7] = 0.5 + rng.uniform(size=len(w[::7]))
    yield "weights", x, y, w


sets = {}
for name, predictors, y, w in data_sets():
    x = np.column_stack([np.ones(len(y)), predictors])
    weights = np.ones(len(y)) if w is None else w
    fits = []
    for tau in TAUS:
        objective, beta = optimum(x, y, weights, tau)
        fits.append({"tau": tau, "objective": objective, "coefficients": beta})
    sets[name] = {"predictors": predictors.T.tolist(), "y": y.tolist(),
                  "weights": None if w is None else w.tolist(), "fits": fits}

# One line per data set and per fit, every number as repr gives it (round-trips exactly).
lines = ["{", f'  "generator": "Scripts/quantile_lp_reference.py, scipy {scipy.__version__} linprog (HiGHS)",', '  "sets": {']
for k, (name, s) in enumerate(sets.items()):
    lines.append(f'    "{name}": {{"predictors": {json.dumps(s["predictors"])}, "y": {json.dumps(s["y"])}, '
                 f'"weights": {json.dumps(s["weights"])}, "fits": [')
    lines += [f"      {json.dumps(fit)}" + ("," if j < len(s["fits"]) - 1 else "") for j, fit in enumerate(s["fits"])]
    lines.append("    ]}" + ("," if k < len(sets) - 1 else ""))
lines += ["  }", "}"]
with open("Fixtures/reference/quantile_lp.json", "w") as f:
    f.write("\n".join(lines) + "\n")
