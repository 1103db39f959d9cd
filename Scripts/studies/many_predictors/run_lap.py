"""Laplace-marginal (REML-type) variants on the three p/n = 0.3 cases, seed 1 only (expensive: a log-determinant per objective evaluation)."""
import os, sys, json, time
os.environ['OMP_NUM_THREADS'] = '1'; os.environ['OPENBLAS_NUM_THREADS'] = '1'
import numpy as np
import barron as B
from gen_data import make
from run_all import evaluate
N = 1000
def make_t(pn, seed, df=3):
    p = int(round(pn * N)); rng = np.random.default_rng(50000 + 1000 * seed + p)
    X = rng.standard_normal((N, p - 1)); beta = np.concatenate([[1.0], 0.5 * rng.standard_normal(p - 1)])
    return np.column_stack([np.ones(N), X]), beta[0] + X @ beta[1:] + rng.standard_t(df, N)
kind, m = sys.argv[1], sys.argv[2]; pn = float(sys.argv[3]) if len(sys.argv) > 3 else 0.3
if kind == 't3': X, y = make_t(pn, 1); out = np.zeros(N, bool)
else:
    X, y, out = make(pn, 1, kind == 'c'); X = np.column_stack([np.ones(N), X])
t = time.time(); R = B.fit(X, y, m, max_outer=40)
res = evaluate(X, y, out, R); res.update(kind=kind, pn=pn, seed=1, method=m, time=time.time() - t)
os.makedirs('results_lap', exist_ok=True)
json.dump(res, open(f'results_lap/{kind}_pn{pn}_s1_{m}.json', 'w'))
print(kind, pn, m, 'alpha=%.3f c=%.4f flag_raw=%d flag_loo=%d tp_loo=%d %.0fs' % (res['alpha'], res['c'], res['flag_raw'], res['flag_loo'], res['tp_loo'], res['time']), flush=True)
