"""Q2 calibration: is the H1 (and HC) variance optimistic at small c?  For fixed (alpha, m), compare
realised mean squared line error over replicates with the mean predicted one, tr(Cov*G), G = E_x[(1,x)(1,x)^T]."""
import numpy as np, json
from multiprocessing import Pool
from barron import *
from study import gen, kfun, line_err, MULTS, XG

ALPHAS = [-np.inf, -2.0, 0.0, 1.0, 1.5]
G = np.array([[1, XG.mean()], [XG.mean(), np.mean(XG ** 2)]])

def covs(X, y, b, c, a):
    n, p = X.shape
    u = (y - X @ b) / c; ps = psi(u, a); dps = dpsi(u, a); m = dps.mean()
    K = 1 + (p / n) * dps.var() / m ** 2
    C1 = K * K * (ps ** 2).sum() / (n - p) * c * c / m ** 2 * np.linalg.inv(X.T @ X)
    M = X.T @ (X * dps[:, None]); Mi = np.linalg.inv(M)
    C2 = c * c * n / (n - p) * Mi @ (X.T @ (X * (ps ** 2)[:, None])) @ Mi
    return np.trace(C1 @ G), np.trace(C2 @ G)

def one(args):
    kind, rep = args
    rng = np.random.default_rng(1000 * "GTSN".index(kind) + rep + 12345)
    X, y = gen(kind, rng)
    b0 = lts(X, y, np.random.default_rng(rep + 7)); sig = mad0(y - X @ b0)
    out = []
    for a in ALPHAS:
        for m in MULTS:
            c = m * kfun(a) * sig
            b = irls(X, y, b0, c, lambda u: weight(u, a))
            p1, p2 = covs(X, y, b, c, a)
            out.append((kind, float(a), m, line_err(b) ** 2, p1, p2))
    return out

if __name__ == "__main__":
    with Pool(2) as pool:
        res = sum(pool.map(one, [(k, r) for k in "GTSN" for r in range(40)], chunksize=4), [])
    lines = ["# Calibration of variance estimates (40 reps/kind)",
             "cells: realised RMS line error / sqrt(mean predicted) for H1 ; for HC ; and realised RMS line error (x1000)", ""]
    for kind in "GTSN":
        lines.append(f"\n## {kind}\n\n| alpha | " + " | ".join(f"m={m}" for m in MULTS) + " |\n|---|" + "---|" * len(MULTS))
        for a in ALPHAS:
            cells = []
            for m in MULTS:
                R = np.array([(r[3], r[4], r[5]) for r in res if r[0] == kind and r[1] == a and r[2] == m])
                real = np.sqrt(R[:, 0].mean())
                cells.append(f"{real/np.sqrt(R[:,1].mean()):.2f} ; {real/np.sqrt(R[:,2].mean()):.2f} ; {1000*real:.1f}")
            lines.append(f"| {a} | " + " | ".join(cells) + " |")
    open("calib.md", "w").write("\n".join(lines) + "\n"); print("\n".join(lines))
