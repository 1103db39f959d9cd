"""Generate the study data sets (fixed seeds). y first column, then p-1 N(0,1) predictors.
True beta: intercept 1, slopes N(0,1)*0.5 ; noise N(0,1).  Contaminated: 10% random rows y += U(10,40)."""
import numpy as np, os, json
N = 1000
PN = [0.01, 0.05, 0.1, 0.2, 0.3, 0.5]
SEEDS = [1, 2, 3]
os.makedirs('data', exist_ok=True)
def make(pn, seed, contam):
    p = int(round(pn * N))
    rng = np.random.default_rng(1000 * seed + p)
    X = rng.standard_normal((N, p - 1))
    beta = np.concatenate([[1.0], 0.5 * rng.standard_normal(p - 1)])
    e = rng.standard_normal(N)
    y = beta[0] + X @ beta[1:] + e
    out = np.zeros(N, bool)
    if contam:
        rng2 = np.random.default_rng(7777 + 1000 * seed + p)
        idx = rng2.choice(N, N // 10, replace=False)
        y[idx] += rng2.uniform(10, 40, size=idx.size)
        out[idx] = True
    return X, y, out
if __name__ == '__main__':
    for contam in (False, True):
        for pn in PN:
            for s in SEEDS:
                X, y, out = make(pn, s, contam)
                tag = f"{'c' if contam else 'g'}_pn{pn}_s{s}"
                hdr = 'y,' + ','.join(f'x{j}' for j in range(1, X.shape[1] + 1))
                np.savetxt(f'data/{tag}.csv', np.column_stack([y, X]), delimiter=',', header=hdr, comments='', fmt='%.10g')
                np.save(f'data/{tag}_out.npy', out)
