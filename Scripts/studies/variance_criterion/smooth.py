"""Q4: criterion vs alpha on a fine s-grid (step 0.01) for replicate 0 of each kind."""
import numpy as np
from barron import *
from study import gen, kfun, fit_alpha, line_err

S = np.round(np.arange(-1.0, 2.0001, 0.01), 10)
lines = []
def P(*a):
    s = " ".join(str(x) for x in a); print(s); lines.append(s)
for kind in "GTSN":
    rng = np.random.default_rng(1000 * "GTSN".index(kind) + 0 + 12345)
    X, y = gen(kind, rng)
    b0 = lts(X, y, np.random.default_rng(7)); sig = mad0(y - X @ b0)
    rows = []
    for s in S:
        a = 2.0 if s >= 2 else s_to_alpha(s)
        b, v = fit_alpha(X, y, b0, sig, a)
        rows.append((s, a, kfun(a), v["H1det"], v["HCdet"], v["HCtr"], v["HCpred"], line_err(b), b[0], b[1]))
    R = np.array(rows)
    np.savetxt(f"smooth_{kind}.tsv", R, delimiter="\t", fmt="%.6g",
               header="s\talpha\tk\tH1det\tHCdet\tHCtr\tHCpred\tlineerr\tb0\tb1")
    P(f"\n## kind {kind}  (sigma_hat={sig:.3f})")
    for j, name in enumerate(["H1det", "HCdet", "HCtr", "HCpred"]):
        c = np.log(R[:, 3 + j]); d = np.diff(c); dd = np.diff(c, 2)
        locmin = [S[i] for i in range(1, len(S) - 1) if c[i] < c[i - 1] and c[i] < c[i + 1]]
        P(f"{name:7s} argmin s={S[np.argmin(c)]:+.2f}  range(log)={c.max()-c.min():.3f}  max|dlog|/step={np.abs(d).max():.4f}  "
          f"max|d2log|={np.abs(dd).max():.5f}  interior local minima at s={locmin}")
    db = np.abs(np.diff(R[:, 8:10], axis=0)).max(axis=1)
    P(f"max |delta beta| between adjacent s: {db.max():.2e} at s={S[np.argmax(db)]:+.2f}")
    P("s     alpha    k     H1det       HCdet       HCtr        lineerr")
    for r in R[::10]:
        P(f"{r[0]:+.2f} {r[1]:7.2f} {r[2]:.3f} {r[3]:.4e} {r[4]:.4e} {r[5]:.4e} {r[7]:.4f}")
open("smooth.md", "w").write("\n".join(lines) + "\n")
