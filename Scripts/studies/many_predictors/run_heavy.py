"""Intermediate tails: Student-t(3) errors (no gross outliers); plus Gaussian at p/n = 0.25, 0.4 to locate the collapse.
-> results_heavy/*.json"""
import os, sys, json, time
os.environ.setdefault('OMP_NUM_THREADS', '1'); os.environ.setdefault('OPENBLAS_NUM_THREADS', '1')
import numpy as np
import barron as B
from run_all import evaluate
N = 1000
def make_t(pn, seed, df=3):
    p = int(round(pn * N)); rng = np.random.default_rng(50000 + 1000 * seed + p)
    X = rng.standard_normal((N, p - 1)); beta = np.concatenate([[1.0], 0.5 * rng.standard_normal(p - 1)])
    e = rng.standard_t(df, N) if df else rng.standard_normal(N)
    return np.column_stack([np.ones(N), X]), beta[0] + X @ beta[1:] + e
if __name__ == "__main__":
    os.makedirs('results_heavy', exist_ok=True)
    tasks = [('t3', pn, s, m) for pn in (0.01, 0.1, 0.3) for s in (1, 2, 3) for m in ('none', 'reml_c', 'loo_m')]
    tasks += [('gauss', pn, s, m) for pn in (0.25, 0.4) for s in (1, 2, 3) for m in ('none', 'reml_c', 'loo_m')]
    for kind, pn, s, m in tasks:
        fn = f'results_heavy/{kind}_pn{pn}_s{s}_{m}.json'
        if os.path.exists(fn): continue
        X, y = make_t(pn, s, 3 if kind == 't3' else 0)
        t = time.time(); R = B.fit(X, y, m, max_outer=200)
        res = evaluate(X, y, np.zeros(N, bool), R); res.update(kind=kind, pn=pn, seed=s, method=m, time=time.time() - t)
        json.dump(res, open(fn, 'w')); print(fn, '%.3f %.4f %d %d %.1fs' % (res['alpha'], res['c'], res['flag_raw'], res['flag_loo'], res['time']), flush=True)
