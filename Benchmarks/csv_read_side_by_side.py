#!/usr/bin/env python3
"""CSV reading and the CLI end to end, side by side, on the same benchmark file (issue 16, items 1-2).

On the standard data (`robustfit-bench --n N --p P --csv FILE`: header x1..x(p-1),y, every number in
shortest round-trip form), one run times, alternating the tools, each a median of --repeats:
  - pandas.read_csv(FILE)                  (C engine, in this process, page cache warm)
  - polars.read_csv(FILE)                  (all threads, in this process)
  - robustfit-bench --parse FILE           (TabularIO into column storage; the in-process median the
                                            bench prints, one read per process)
  - robustfit FILE --loss huber            (the CLI end to end: process start, read, design, fit,
                                            text report; wall time of the process)
  - robustfit-bench --n N --p P --loss huber --json   (the library's Huber fit alone, in process,
                                            on the same data generated in memory)
  - sklearn HuberRegressor(epsilon=1.345, alpha=0).fit on the arrays in memory (--sklearn-repeats)
and prints the medians and the target ratios: pandas / robustfit read, polars / robustfit read,
CLI / library fit, sklearn fit / CLI. With --base-cli and --base-bench (a build of main) the same
figures are measured for the baseline in the same run, alternating with the new build.

Usage (after `swift build -c release`):
  python3 Benchmarks/csv_read_side_by_side.py [--file /tmp/robustfit-n1e6-p10.csv] [--n 1e6] [--p 10]
      [--repeats 5] [--cli .build/release/robustfit] [--bench .build/release/robustfit-bench]
      [--base-cli PATH --base-bench PATH] [--sklearn-repeats 3]
"""

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import time

import numpy as np
import pandas as pd
import polars as pl
import sklearn
from sklearn.linear_model import HuberRegressor

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import benchlib as bl  # noqa: E402


def run(command):
    """(stdout, wall seconds) of a subprocess (benchlib.run); raises on a non-zero exit."""
    out, wall, _ = bl.run(command)
    return out, wall


def bench_parse(bench, path, threads=None):
    """The in-process read time robustfit-bench --parse prints (one read after a warm-up read)."""
    command = [bench, "--parse", path, "--repeats", "1"]
    if threads is not None:
        command += ["--threads", str(threads)]
    out, _ = run(command)
    match = re.search(r"median of \d+: ([0-9.]+) ms wall", out)
    return float(match.group(1)) / 1e3


def bench_fit(bench, n, p):
    out, _ = run([bench, "--n", str(n), "--p", str(p), "--loss", "huber", "--json", "--repeats", "1",
                  "--no-marginal"])
    return json.loads(out.strip().splitlines()[-1])["fit_seconds"]


def cli(binary, path):
    _, wall = run([binary, path, "--loss", "huber"])
    return wall


def timed(function, *args):
    start = time.perf_counter()
    function(*args)
    return time.perf_counter() - start


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--file", default=None)
    parser.add_argument("--n", default="1e6")
    parser.add_argument("--p", type=int, default=10)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--sklearn-repeats", type=int, default=3)
    parser.add_argument("--cli", default=".build/release/robustfit")
    parser.add_argument("--bench", default=".build/release/robustfit-bench")
    parser.add_argument("--base-cli", default=None)
    parser.add_argument("--base-bench", default=None)
    args = parser.parse_args()
    n = int(float(args.n))
    path = args.file or f"/tmp/robustfit-n{n}-p{args.p}.csv"
    if not os.path.exists(path):
        run([args.bench, "--n", str(n), "--p", str(args.p), "--csv", path])
    size = os.path.getsize(path)
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
    print(f"# {path}: {size / 1e6:.1f} MB, n = {n}, p = {args.p}; robustfit commit {commit}; "
          f"{os.cpu_count()} CPUs; load average at start {' '.join(f'{v:.2f}' for v in os.getloadavg())}")
    print(f"# python {sys.version.split()[0]}, numpy {np.__version__}, pandas {pd.__version__}, "
          f"polars {pl.__version__} ({pl.thread_pool_size()} threads), scikit-learn {sklearn.__version__}")

    builds = [("new", args.cli, args.bench)]
    if args.base_cli and args.base_bench:
        builds.insert(0, ("base", args.base_cli, args.base_bench))
    samples = {}

    def add(key, value):
        samples.setdefault(key, []).append(value)

    pd.read_csv(path)  # warm the page cache
    for _ in range(args.repeats):
        add("pandas.read_csv", timed(pd.read_csv, path))
        add("polars.read_csv", timed(pl.read_csv, path))
        for label, binary, bench in builds:
            add(f"{label}: robustfit-bench --parse", bench_parse(bench, path))
            add(f"{label}: robustfit CLI end to end", cli(binary, path))
            add(f"{label}: library Huber fit", bench_fit(bench, n, args.p))
        add("new: robustfit-bench --parse --threads 1", bench_parse(args.bench, path, threads=1))

    frame = pd.read_csv(path)
    y = frame["y"].to_numpy()
    X = np.column_stack([np.ones(len(frame)), frame.drop(columns=["y"]).to_numpy()])
    for _ in range(args.sklearn_repeats):
        model = HuberRegressor(epsilon=1.345, alpha=0.0, fit_intercept=False, max_iter=10_000, tol=1e-10)
        add("sklearn HuberRegressor fit", timed(model.fit, X, y))

    median = {key: statistics.median(values) for key, values in samples.items()}
    print()
    print("| what | median s | all runs s |")
    print("|---|---:|---|")
    for key, values in samples.items():
        print(f"| {key} | {median[key]:.3f} | {' '.join(f'{v:.3f}' for v in values)} |")
    print()
    print("| build | pandas / read | polars / read | read MB/s | CLI / library fit | sklearn fit / CLI | CLI − fit s |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for label, _, _ in builds:
        read = median[f"{label}: robustfit-bench --parse"]
        end_to_end = median[f"{label}: robustfit CLI end to end"]
        fit = median[f"{label}: library Huber fit"]
        print(f"| {label} | {median['pandas.read_csv'] / read:.2f} | {median['polars.read_csv'] / read:.2f} | "
              f"{size / 1e6 / read:.0f} | {end_to_end / fit:.2f} | {median['sklearn HuberRegressor fit'] / end_to_end:.2f} | "
              f"{end_to_end - fit:.3f} |")
    print()
    print("# targets: pandas / read >= 2, polars / read >= 1.5, CLI / library fit <= 1.5, sklearn fit / CLI >= 3")
    print(f"# load average at end {' '.join(f'{v:.2f}' for v in os.getloadavg())}")


if __name__ == "__main__":
    main()
