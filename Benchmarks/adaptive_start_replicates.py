#!/usr/bin/env python3
"""Whether two robustfit builds' adaptive fits end in the same basin, over replicate data sets from fixed
seeds (Docs/performance.md, issue 16 item 3: the adaptive fit's S start from one group's candidates).

Four kinds of data, `--replicates` data sets each (seeds 1, 2, ...), n rows, p = 10 (intercept + 9 N(0, 1)
columns, beta = (1, 2, -1, 2, -1, ...)):

  shift     y = X beta + N(0, 1), 20 % of the rows shifted up by U(20, 50) (the benchmark's data);
  leverage  as shift, and another 10 % of the rows moved to x1 = U(8, 12) with y = X beta - 5 x1 (bad
            leverage points on a wrong line);
  gaussian  y = X beta + N(0, 1), no outliers (the likelihood's optimum near alpha = 2);
  heavy     y = X beta + t with 2 degrees of freedom.

Each data set is fitted by `--base` and `--cli` (`robustfit FILE --loss adaptive --format json`); the
table gives, per kind, how many fits end in the same basin (alpha within 0.05 and every coefficient
within 0.1 standard errors of the other build's) and the largest differences: |d alpha|, |d beta|/se,
relative |d c|, and |d| of the alpha interval's ends; and how far each build's coefficients lie from the
optimum itself (the base build run to `--tolerance 1e-15`), largest |d beta|/se over the replicates.

Usage: python3 Benchmarks/adaptive_start_replicates.py --base BASE_CLI [--cli CLI] [--n 10000]
           [--replicates 50] [--workdir /tmp] > Benchmarks/adaptive-start-replicates-output.md
"""

import argparse
import json
import os
import sys
import tempfile

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import benchlib as bl  # noqa: E402

KINDS = ["shift", "leverage", "gaussian", "heavy"]


def data_set(kind, n, seed, p=10):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((n, p - 1))
    beta = np.array([1.0] + [2.0 if j % 2 == 1 else -1.0 for j in range(1, p)])
    design = np.column_stack([np.ones(n), x])
    noise = rng.standard_t(2, n) if kind == "heavy" else rng.standard_normal(n)
    y = design @ beta + noise
    if kind in ("shift", "leverage"):
        shifted = rng.choice(n, size=n // 5, replace=False)
        y[shifted] += rng.uniform(20, 50, size=shifted.size)
        if kind == "leverage":
            rest = np.setdiff1d(np.arange(n), shifted)
            moved = rng.choice(rest, size=n // 10, replace=False)
            x[moved, 0] = rng.uniform(8, 12, size=moved.size)
            design = np.column_stack([np.ones(n), x])
            y[moved] = design[moved] @ beta - 5 * x[moved, 0]
    return x, y


def write_csv(path, x, y):
    header = ",".join([f"x{j + 1}" for j in range(x.shape[1])] + ["y"])
    np.savetxt(path, np.column_stack([x, y]), delimiter=",", header=header, comments="", fmt="%.17g")


def fit(cli, path, extra=()):
    out, wall, _ = bl.run([cli, path, "--loss", "adaptive", "--format", "json", *extra])
    return json.loads(out), wall


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", required=True, help="the baseline build's robustfit")
    parser.add_argument("--cli", default=".build/release/robustfit")
    parser.add_argument("--n", type=lambda v: int(float(v)), default=10_000)
    parser.add_argument("--replicates", type=int, default=50)
    parser.add_argument("--workdir", default=tempfile.gettempdir())
    args = parser.parse_args()
    print(f"# Adaptive fit: same basin in two builds, n = {args.n}, p = 10, {args.replicates} replicates per kind\n")
    print(f"- base {args.base}, new {args.cli} (commit {bl.git_commit()}); {bl.machine_line()}")
    print(f"- load average {bl.load_average():.2f}\n")
    print("| kind | same basin | max abs d alpha | max abs d beta / se | max rel d c | max abs d interval end "
          "| alpha range (base) | base, new to the optimum: max abs d beta / se | CLI wall base / new, median s |")
    print("|---|---:|---:|---:|---:|---:|---|---|---|")
    path = os.path.join(args.workdir, f"adaptive-replicate-{os.getpid()}.csv")
    for kind in KINDS:
        same, d_alpha, d_beta, d_c, d_end, alphas, walls = 0, [], [], [], [], [], ([], [])
        to_optimum = ([], [])
        for seed in range(1, args.replicates + 1):
            x, y = data_set(kind, args.n, seed)
            write_csv(path, x, y)
            (base, base_wall), (new, new_wall) = fit(args.base, path), fit(args.cli, path)
            walls[0].append(base_wall)
            walls[1].append(new_wall)
            names = list(base["coefficients"])
            se = np.array([base["standard_errors"][k] or np.nan for k in names])
            db = np.abs(np.array([new["coefficients"][k] - base["coefficients"][k] for k in names])) / se
            da = abs(new["alpha"] - base["alpha"])
            d_alpha.append(da)
            d_beta.append(float(np.nanmax(db)))
            optimum, _ = fit(args.base, path, ("--tolerance", "1e-15", "--max-iterations", "2000"))
            for k, report in enumerate((base, new)):
                to_optimum[k].append(float(np.nanmax([abs(report["coefficients"][key] - optimum["coefficients"][key])
                                                      / s for key, s in zip(names, se)])))
            d_c.append(abs(new["scale"] - base["scale"]) / base["scale"])
            ends = [abs(a - b) for a, b in zip(new["alpha_interval"] or [], base["alpha_interval"] or [])
                    if a is not None and b is not None]
            d_end.append(max(ends) if ends else 0.0)
            alphas.append(base["alpha"])
            same += da <= 0.05 and float(np.nanmax(db)) <= 0.1
        print(f"| {kind} | {same}/{args.replicates} | {max(d_alpha):.1e} | {max(d_beta):.1e} | {max(d_c):.1e} "
              f"| {max(d_end):.1e} | {min(alphas):.3g}–{max(alphas):.3g} "
              f"| {max(to_optimum[0]):.1e}, {max(to_optimum[1]):.1e} | {bl.median(walls[0]):.3f} / "
              f"{bl.median(walls[1]):.3f} |")
    os.remove(path)
    print(f"\nload average at the end {bl.load_average():.2f}")


if __name__ == "__main__":
    main()
