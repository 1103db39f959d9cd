import json, sys, numpy as np
from collections import Counter
nrep = sys.argv[1] if len(sys.argv) > 1 else "40"
d = json.load(open(f"results_{nrep}.json"))
kinds = "".join(dict.fromkeys(kk for kk, r, R, i in d))
def rms(v): return float(np.sqrt(np.mean(np.square(v))))
methods = list(d[0][2].keys())
E = {k: {m: rms([R[m] for kk, r, R, i in d if kk == k]) for m in methods} for k in kinds}
fixedM = ["Huber", "Cauchy", "GemanMcC", "Welsch", "Tukey"]
allbase = fixedM + ["L1", "LS"]
out = []
def P(s=""): print(s); out.append(s)
P(f"# Results ({nrep} replicates per kind). RMS over replicates of the line RMS distance on x in [0,10]")
P("\n## Absolute errors\n")
P("| method | " + " | ".join(kinds) + " |"); P("|---|" + "---|" * len(kinds))
for m in methods:
    P(f"| {m} | " + " | ".join(f"{E[k][m]:.4f}" for k in kinds) + " |")
bestM = {k: min(fixedM, key=lambda m: E[k][m]) for k in kinds}
bestA = {k: min(allbase, key=lambda m: E[k][m]) for k in kinds}
P("\nbest fixed M-loss per kind: " + ", ".join(f"{k}: {bestM[k]} {E[k][bestM[k]]:.4f}" for k in kinds))
P("best of all baselines (incl. L1, LS): " + ", ".join(f"{k}: {bestA[k]} {E[k][bestA[k]]:.4f}" for k in kinds))
# paired bootstrap 90% CI of ratio of RMS errors, method vs best fixed M-loss
rngb = np.random.default_rng(0)
def boot(k, m1, m2, B=2000):
    a = np.array([R[m1] for kk, r, R, i in d if kk == k]) ** 2; b = np.array([R[m2] for kk, r, R, i in d if kk == k]) ** 2
    idx = rngb.integers(0, len(a), (B, len(a)))
    rr = np.sqrt(a[idx].mean(1) / b[idx].mean(1)); return np.percentile(rr, [5, 95])
P("\n## Paired bootstrap 90% CI of RMS ratio vs best fixed M-loss (same replicates)\n")
for m in ["A1fine_H1det", "A1coarseBrent_H1det", "A2_H1det", "A1fine_HCdet", "A1fine_HCtr", "A2_HCdet", "GemanMcC", "Welsch"]:
    P(f"{m:20s} " + " | ".join(f"{k}: [{boot(k, m, bestM[k])[0]:.3f},{boot(k, m, bestM[k])[1]:.3f}]" for k in kinds))
P("A2_H1det vs A1fine_H1det " + " | ".join(f"{k}: [{boot(k, 'A2_H1det', 'A1fine_H1det')[0]:.3f},{boot(k, 'A2_H1det', 'A1fine_H1det')[1]:.3f}]" for k in kinds))
P("\n## Ratio to best fixed M-loss (Huber/Cauchy/GM/Welsch/Tukey) per kind  [ratio to best incl. L1/LS in brackets]\n")
P("| method | " + " | ".join(kinds) + " | max |"); P("|---|" + "---|" * (len(kinds)+1))
for m in methods:
    if m in ("LTS",): continue
    r = [E[k][m] / E[k][bestM[k]] for k in kinds]
    r2 = [E[k][m] / E[k][bestA[k]] for k in kinds]
    P(f"| {m} | " + " | ".join(f"{a:.3f} [{b:.3f}]" for a, b in zip(r, r2)) + f" | {max(r):.3f} |")
# paired comparison adaptive 1D vs 2D, per replicate
P("\n## Paired: fraction of replicates where 2-D (alpha,m) beats 1-D (alpha) fine grid, H1 criterion; mean log ratio")
for k in kinds:
    a1 = np.array([R["A1fine_H1det"] for kk, r, R, i in d if kk == k]); a2 = np.array([R["A2_H1det"] for kk, r, R, i in d if kk == k])
    P(f"{k}: 2D better in {np.mean(a2 < a1 - 1e-12):.2f}, worse in {np.mean(a2 > a1 + 1e-12):.2f}; mean log(2D/1D) = {np.mean(np.log(a2 / a1)):+.3f}")
# choice frequencies
def alpha_of(s):
    if s <= -1: return "-inf"
    return "2" if s >= 2 - 1e-9 else ("neg" if s < 0 else "[0,2)")
P("\n## Chosen alpha (Q5): counts of alpha=2 / alpha=-inf / alpha<0 finite / alpha in [0,2), per criterion and kind")
for key in ["s1fine_H1det", "s1brent_H1det", "s1fine_HCdet", "s1fine_HCtr", "s1fine_HCpred", "s2_H1det", "s2_HCdet", "s2_HCtr"]:
    row = []
    for k in kinds:
        c = Counter(alpha_of(i[key]) for kk, r, R, i in d if kk == k)
        row.append(f"{k}: 2={c['2']:2d} -inf={c['-inf']:2d} neg={c['neg']:2d} [0,2)={c['[0,2)']:2d}")
    P(f"{key:14s} " + " | ".join(row))
P("\n## median chosen s (alpha = s for s>=0, s/(1+s) for s<0) and IQR")
for key in ["s1fine_H1det", "s1brent_H1det", "s1fine_HCdet", "s1fine_HCtr", "s2_H1det"]:
    P(f"{key:14s} " + " | ".join(f"{k}: {np.median([i[key] for kk,r,R,i in d if kk==k]):+.2f} [{np.percentile([i[key] for kk,r,R,i in d if kk==k],25):+.2f},{np.percentile([i[key] for kk,r,R,i in d if kk==k],75):+.2f}]" for k in kinds))
P("\n## chosen multiplier m in 2-D search (H1): counts of 0.5/0.7/1/1.4/2")
for key in ["m2_H1det", "m2_HCdet", "m2_HCtr"]:
    P(f"{key}: " + " | ".join(f"{k}: " + " ".join(f"{m}:{sum(1 for kk,r,R,i in d if kk==k and abs(i[key]-m)<1e-9)}" for m in [0.5,0.7,1.0,1.4,2.0]) for k in kinds))
# agreement between criteria
P("\n## Agreement of the 1-D choice (fine grid) between criteria: fraction of replicates with |s_a - s_b| <= 0.05")
for a, b in [("H1det", "HCdet"), ("H1det", "HCtr"), ("HCdet", "HCtr"), ("H1det", "HCpred")]:
    P(f"{a} vs {b}: " + " ".join(f"{k}:{np.mean([abs(i['s1fine_'+a]-i['s1fine_'+b])<=0.05+1e-9 for kk,r,R,i in d if kk==k]):.2f}" for k in kinds))
open(f"tables_{nrep}.md", "w").write("\n".join(out) + "\n")
