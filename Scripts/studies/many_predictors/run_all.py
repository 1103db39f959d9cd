"""Run the prototype fits. usage: python3 run_all.py WORKER NWORKERS  -> results/*.json"""
import os, sys, json, time, math
os.environ.setdefault('OMP_NUM_THREADS', '1'); os.environ.setdefault('OPENBLAS_NUM_THREADS', '1')
import numpy as np
from gen_data import make, PN, SEEDS
import barron as B

def evaluate(X, y, out, R):
    a, c = R['alpha'], R['c']; r = R['r']
    u2 = r * r / c**2
    h, _ = B.hat_w(X, B.wgt(u2, a)); h = np.minimum(h, 1 - 1e-8)
    rl = r / np.sqrt(1 - h)
    rm = B.est_residuals('loo_m', X, y, R['beta'], a, c)
    res = dict(alpha=a, c=c, iters=R['iters'], converged=bool(R['converged']), f=R['f'])
    for name, rr in (('raw', r), ('lev', rl), ('loo', rm)):
        fl, s = B.flags(rr)
        res[f'flag_{name}'] = int(fl.sum()); res[f'sig_{name}'] = float(s)
        res[f'tp_{name}'] = int((fl & out).sum())
    return res

if __name__ == "__main__":
    tasks = []
    for contam in (False, True):
        for pn in PN:
            for s in SEEDS:
                for m in ('none', 'lev', 'loo_w', 'loo_m', 'reml_c'):
                    tasks.append((contam, pn, s, m))
                if s == 1:
                    for m in ('reml_cz', 'lap_w', 'lap_d'):
                        tasks.append((contam, pn, s, m))
    extra = sys.argv[3:] if len(sys.argv) > 3 else None
    if extra:   # extra p/n values, gaussian only
        tasks = [(False, float(pn), s, m) for pn in extra for s in SEEDS for m in ('none', 'reml_c', 'loo_m', 'lev')]
    # cheap first, laplace last
    tasks.sort(key=lambda t: (t[3].startswith('lap'), t[1]))
    wk, nw = int(sys.argv[1]), int(sys.argv[2])
    os.makedirs('results', exist_ok=True)
    for i, (contam, pn, s, m) in enumerate(tasks):
        if i % nw != wk: continue
        fn = f"results/{'c' if contam else 'g'}_pn{pn}_s{s}_{m}.json"
        if os.path.exists(fn): continue
        X, y, out = make(pn, s, contam); X = np.column_stack([np.ones(len(y)), X])
        t = time.time()
        R = B.fit(X, y, m, max_outer=60 if m.startswith('lap') else 200)
        res = evaluate(X, y, out, R); res['time'] = time.time() - t
        res.update(method=m, pn=pn, seed=s, contam=contam)
        json.dump(res, open(fn, 'w'))
        print(fn, '%.3f %.4f %d %.1fs' % (res['alpha'], res['c'], res['flag_raw'], res['time']), flush=True)
