import json, numpy as np
d = json.load(open("results_40.json")) + json.load(open("results_40_H.json"))
kinds = "GTSNH"
fixedM = ["Huber", "Cauchy", "GemanMcC", "Welsch", "Tukey"]
E = {k: {m: float(np.sqrt(np.mean([R[m] ** 2 for kk, r, R, i in d if kk == k]))) for m in d[0][2]} for k in kinds}
rows = [("Adaptive 1-D, H1, 61-pt s-grid", "A1fine_H1det"), ("Adaptive 1-D, H1, 13-pt grid + Brent", "A1coarseBrent_H1det"),
        ("Adaptive 1-D, HC det", "A1fine_HCdet"), ("Adaptive 1-D, HC trace", "A1fine_HCtr"), ("Adaptive 1-D, HC tr(Cov XtX)/n", "A1fine_HCpred"),
        ("Adaptive 2-D (alpha,m), H1", "A2_H1det"), ("Adaptive 2-D, HC det", "A2_HCdet"), ("Adaptive 2-D, HC trace", "A2_HCtr"),
        ("Huber 1.345", "Huber"), ("Cauchy a=0", "Cauchy"), ("Geman-McClure a=-2", "GemanMcC"), ("Welsch a=-inf", "Welsch"),
        ("Tukey 4.685", "Tukey"), ("L1", "L1"), ("LS", "LS"), ("Oracle best alpha (m=1) per replicate", "Oracle1D"), ("Oracle best (alpha,m) per replicate", "Oracle2D")]
best = {k: min(fixedM, key=lambda m: E[k][m]) for k in kinds}
out = ["| method | " + " | ".join(kinds) + " | worst |", "|---|" + "---|" * (len(kinds) + 1)]
for lab, m in rows:
    r = [E[k][m] / E[k][best[k]] for k in kinds]
    out.append(f"| {lab} | " + " | ".join(f"{x:.3f}" for x in r) + f" | {max(r[:4]):.3f} (GTSN) |")
out.append("| best fixed M-loss (abs. RMS err) | " + " | ".join(f"{best[k]} {E[k][best[k]]:.4f}" for k in kinds) + " | |")
s = "\n".join(out); print(s); open("summary_table.md", "w").write(s + "\n")
