"""Profile of the REML-count objective over alpha (beta, c converged at each fixed alpha), t3 errors, p/n = 0.3, seed 1.
Checks that reml_c's alpha = 2 is the global optimum, not a basin artefact."""
import os; os.environ['OMP_NUM_THREADS'] = '1'
import numpy as np, math, sys
import barron as B
from run_heavy import make_t
kind = sys.argv[1] if len(sys.argv) > 1 else 't3'
X, y = make_t(0.3, 1, 3 if kind == 't3' else 0); n, p = X.shape
for meth, n_c in (('none', n), ('reml_c', n - p)):
    out = []
    for a in (0.0, 0.5, 1.0, 1.5, 1.9, 2.0):
        beta = B.huber_start(X, y); lc = math.log(B.mad_sigma(y - X @ beta))
        for it in range(400):
            obj = B.Obj(y - X @ beta, n_c, n)
            f, lc = B.opt_c(obj, a, lc, 4.0)
            bn = B.irls(X, y, beta, a, math.exp(lc), iters=3)
            if np.max(np.abs(bn - beta)) < 1e-8: beta = bn; break
            beta = bn
        f = B.Obj(y - X @ beta, n_c, n)(a, lc)
        out.append('a=%.1f: NLL=%.2f c=%.3f' % (a, f, math.exp(lc)))
    print(kind, meth, ' | '.join(out), flush=True)
