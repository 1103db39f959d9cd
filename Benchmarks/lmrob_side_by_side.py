#!/usr/bin/env python3
"""Side-by-side timing of robustfit's MM estimator against R's robustbase::lmrob on the same
generated file (Docs/performance.md, "MM against robustbase::lmrob").

For each n (default 1e4, 1e5, 1e6; p = 10) the script
  1. writes the standard benchmark data once with `robustfit-bench --csv` (intercept + 9 N(0,1)
     columns, y = X.beta + N(0,1), 20 % of the rows shifted up by U(20, 50), fixed seed 20240601),
     and a copy with y moved to the first column (text moved verbatim, so the same doubles) for
     `Scripts/lmrob_timing.R`, which takes the first column as the response;
  2. runs ROUNDS (default 3) alternating rounds of
       (a) `Rscript Scripts/lmrob_timing.R FILE 1`: one lmrob(y ~ ., data) fit, lmrob.control()
           defaults (fast-S, bisquare MM, set.seed(1)); only the fit is timed (system.time), not
           R's start or read.csv;
       (b) `robustfit-bench --n N --p 10 --loss s,mm,huber --no-marginal --json`: the library fit
           alone on data in memory, each loss the median of the tool's default repeats (5 at
           n <= 1e5, 3 above); `s` is the S-estimate alone, the first stage of `mm`;
       (c) `robustfit FILE --y y --loss mm --format json`: the CLI end to end (process start, CSV
           parse, fit, JSON report), one run per round;
  3. prints every time, the medians over the rounds, the ratios, and the largest relative
     difference |b_robustfit - b_lmrob| / |b_lmrob| of the MM coefficients (CLI and library
     coefficients are also checked against each other) and of the S-scales.

The machine is shared and noisy, hence the alternation and the medians.
Usage (from the repository root, after `swift build -c release --product robustfit` and
`swift build -c release --product robustfit-bench`):
    python3 Benchmarks/lmrob_side_by_side.py [--n 1e4,1e5,1e6] [--rounds 3] [--workdir /tmp]
        > Benchmarks/lmrob-output.txt
Needs R with robustbase and numpy.
"""

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import benchlib as bl  # noqa: E402

P = 10




def lmrob_once(rscript, script, path):
    out, wall, _ = bl.run([rscript, script, path, "1"])
    seconds, scale, coefficients, header = None, None, [], []
    for line in out.splitlines():
        if line.startswith("#"):
            header.append(line)
            continue
        fields = line.split()
        if fields[0] == "median_elapsed_seconds":
            seconds = float(fields[1])
        elif fields[0] == "scale":
            scale = float(fields[1])
        elif fields[0] == "(Intercept)" or (fields[0].startswith("x") and len(fields) == 2):
            coefficients.append(float(fields[1]))
    return seconds, scale, np.array(coefficients), header, wall


def bench_once(bench, n):
    out, _, _ = bl.run([bench, "--n", str(n), "--p", str(P), "--loss", "s,mm,huber", "--no-marginal", "--json"])
    fits = {}
    for line in out.splitlines():
        line = line.strip()
        if line.startswith("{"):
            record = json.loads(line)
            fits[record["loss"]] = record
    return fits


def cli_once(cli, path):
    out, wall, cpu = bl.run([cli, path, "--y", "y", "--loss", "mm", "--format", "json"])
    report = json.loads(out)
    names = ["intercept"] + [f"x{j}" for j in range(1, P)]
    beta = np.array([report["coefficients"][name] for name in names])
    return beta, report, wall, cpu


def max_rel(a, b):
    a, b = np.asarray(a, float), np.asarray(b, float)
    return float(np.max(np.abs(a - b) / np.abs(b)))


def fmt(values, digits=3):
    return ", ".join(f"{v:.{digits}f}" for v in values)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", default="1e4,1e5,1e6")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--cli", default=".build/release/robustfit")
    parser.add_argument("--bench", default=".build/release/robustfit-bench")
    parser.add_argument("--rscript", default="Rscript")
    parser.add_argument("--r-script", default="Scripts/lmrob_timing.R")
    parser.add_argument("--workdir", default="/tmp")
    args = parser.parse_args()
    sizes = [int(float(v)) for v in args.n.split(",")]

    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
    dirty = subprocess.run(["git", "status", "--porcelain", "--", "Sources"], capture_output=True, text=True).stdout.strip()
    print(f"# python {sys.version.split()[0]}, numpy {np.__version__}, {platform.processor() or platform.machine()}, "
          f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f} at the start")
    print(f"# robustfit at commit {commit}{' (Sources/ modified in the work tree)' if dirty else ''}; "
          f"CLI {args.cli}, library timing {args.bench}; {args.rounds} alternating rounds per n")
    print(f"# started {time.strftime('%Y-%m-%d %H:%M:%S')}")
    rows = []
    for n in sizes:
        path = os.path.join(args.workdir, f"lmrob-side-n{n}-p{P}.csv")
        rpath = os.path.join(args.workdir, f"lmrob-side-n{n}-p{P}-yfirst.csv")
        bl.run([args.bench, "--n", str(n), "--p", str(P), "--csv", path])
        bl.y_first_copy(path, rpath)
        print(f"\n## n = {n}, p = {P}: {os.path.getsize(path) / 1e6:.1f} MB of CSV; load average {os.getloadavg()[0]:.2f}")

        lm_t, lm_proc, lib = [], [], {"s": [], "mm": [], "huber": []}
        mm_iter = None
        cli_wall, cli_cpu = [], []
        lm_beta = lm_scale = cli_beta = cli_report = bench_fits = None
        for r in range(args.rounds):
            seconds, lm_scale_r, beta_r, header, rwall = lmrob_once(args.rscript, args.r_script, rpath)
            if lm_beta is not None and max_rel(beta_r, lm_beta) != 0.0:
                print("  note: lmrob's coefficients changed between rounds")
            lm_beta, lm_scale = beta_r, lm_scale_r
            lm_t.append(seconds)
            lm_proc.append(rwall)
            if r == 0:
                for line in header:
                    print(f"  R: {line.lstrip('# ')}")
            bench_fits = bench_once(args.bench, n)
            for loss in lib:
                lib[loss].append(bench_fits[loss]["fit_seconds"])
            mm_iter = bench_fits["mm"]["iterations"]
            cli_beta, cli_report, w, c = cli_once(args.cli, path)
            cli_wall.append(w)
            cli_cpu.append(c)
            print(f"  round {r + 1}: lmrob {seconds:.3f} s (Rscript process {rwall:.2f} s) | library s "
                  f"{lib['s'][-1]:.4f}, mm {lib['mm'][-1]:.4f}, huber {lib['huber'][-1]:.4f} s | CLI mm "
                  f"{w:.3f} s wall, {c:.3f} s CPU; load {os.getloadavg()[0]:.2f}")

        med = {k: statistics.median(v) for k, v in lib.items()}
        lm_med = statistics.median(lm_t)
        cli_med = statistics.median(cli_wall)
        bench_beta = np.array(bench_fits["mm"]["coefficients"])
        # robustfit's S-scale: the CLI's sigma (the bench's "scale" is c = k * sigma)
        rf_scale = cli_report["sigma"]
        d_beta = max_rel(cli_beta, lm_beta)
        d_lib_cli = max_rel(bench_beta, cli_beta)
        d_scale = abs(rf_scale - lm_scale) / lm_scale
        print(f"  lmrob elapsed: {fmt(lm_t)}  median {lm_med:.3f} s")
        print(f"  library s:     {fmt(lib['s'], 4)}  median {med['s']:.4f} s")
        print(f"  library mm:    {fmt(lib['mm'], 4)}  median {med['mm']:.4f} s ({mm_iter} IRLS iterations after S)")
        print(f"  library huber: {fmt(lib['huber'], 4)}  median {med['huber']:.4f} s")
        print(f"  CLI mm wall:   {fmt(cli_wall)}  median {cli_med:.3f} s (CPU median {statistics.median(cli_cpu):.3f} s)")
        print(f"  S share of the library MM fit: {med['s'] / med['mm']:.2f}")
        print(f"  lmrob / library mm {lm_med / med['mm']:.1f}x; lmrob / CLI {lm_med / cli_med:.1f}x")
        print(f"  S-scale: lmrob {lm_scale:.17g}, robustfit {rf_scale:.17g}, rel. diff {d_scale:.2e}")
        print(f"  lmrob coefficients:     {' '.join(f'{v:.17g}' for v in lm_beta)}")
        print(f"  robustfit coefficients: {' '.join(f'{v:.17g}' for v in cli_beta)}")
        print(f"  max rel. coefficient difference robustfit CLI vs lmrob: {d_beta:.2e}; library vs CLI: {d_lib_cli:.2e}")
        sys.stdout.flush()
        rows.append((n, lm_med, med["mm"], cli_med, lm_med / med["mm"], d_beta, med["s"], d_scale))

    print("\n## Summary (medians over the rounds)")
    print("| n | lmrob s | robustfit library s | CLI s | lmrob/library | max rel. coef. diff | library S alone s | S-scale rel. diff |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for n, lm, lb, cl, ratio, d, s_alone, ds in rows:
        print(f"| {f'{n:.0e}'.replace('e+0', 'e')} | {lm:.3f} | {lb:.4f} | {cl:.3f} | {ratio:.1f}x | {d:.1e} | {s_alone:.4f} | {ds:.1e} |")
    print(f"# finished {time.strftime('%Y-%m-%d %H:%M:%S')}, load average {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
