#!/usr/bin/env python3
"""The CLI end to end against the library's Huber fit and scikit-learn's HuberRegressor, two CLI builds
alternated (issue 16's CLI targets; Docs/performance.md).

Each round runs, in turn: every CLI build given (`robustfit FILE --loss huber --format json`, as
targets.py does), the library's Huber fit (`robustfit-bench --json`, one repeat, as targets.py does) and,
unless --no-sklearn, HuberRegressor on arrays already in memory. Prints wall and CPU medians, the two
target ratios per CLI build (CLI / library fit, HuberRegressor / CLI) and the load average before and after.

    python3 Benchmarks/cli_side_by_side.py --cli base=/tmp/base/.build/release/robustfit \\
        --cli new=.build/release/robustfit [--bench .build/release/robustfit-bench] [--rounds 7]
"""

import argparse
import json
import os
import resource
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import benchlib as bl  # noqa: E402


def timed_run(command):
    """(stdout, wall seconds, CPU seconds of the child) of one command."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    out = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return out, wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--cli", action="append", required=True, help="label=path of a robustfit binary")
    parser.add_argument("--bench", default=".build/release/robustfit-bench")
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--n", type=int, default=1_000_000)
    parser.add_argument("--workdir", default="/tmp")
    parser.add_argument("--no-sklearn", action="store_true")
    args = parser.parse_args()
    clis = [tuple(item.split("=", 1)) for item in args.cli]
    path = bl.standard_csv(args.bench, args.n, args.workdir)
    X = y = None
    if not args.no_sklearn:
        import targets
        X, y = targets.design_from(path)
    print(f"file {path} ({os.path.getsize(path) / 1e6:.1f} MB), load average before: {os.getloadavg()}")
    walls = {label: [] for label, _ in clis}
    cpus = {label: [] for label, _ in clis}
    reports = {}
    library, sklearn = [], []
    for _ in range(args.rounds):
        for label, binary in clis:
            out, wall, cpu = timed_run([binary, path, "--loss", "huber", "--format", "json"])
            walls[label].append(wall)
            cpus[label].append(cpu)
            reports.setdefault(label, out)
        library.append(bl.bench_fits(args.bench, args.n, ["huber"], repeats=1)["huber"]["fit_seconds"])
        if X is not None:
            from sklearn.linear_model import HuberRegressor
            model = HuberRegressor(epsilon=1.345, alpha=0.0, fit_intercept=False, max_iter=10_000, tol=1e-10)
            _, wall, _ = bl.timed(model.fit, X, y)
            sklearn.append(wall)
    lib = bl.median(library)
    print(f"library Huber fit: median {lib:.3f} s  (all: {', '.join(f'{t:.3f}' for t in library)})")
    if sklearn:
        print(f"HuberRegressor fit: median {bl.median(sklearn):.3f} s")
    print("| CLI | median wall s | min wall s | median CPU s | CLI / library fit | HuberRegressor / CLI |")
    print("|---|---:|---:|---:|---:|---:|")
    for label, _ in clis:
        w = bl.median(walls[label])
        sk = f"{bl.median(sklearn) / w:.2f}" if sklearn else "—"
        print(f"| {label} | {w:.3f} | {min(walls[label]):.3f} | {bl.median(cpus[label]):.3f} | {w / lib:.2f} | {sk} |")
    labels = [label for label, _ in clis]
    same = all(json.loads(reports[label]) == json.loads(reports[labels[0]]) for label in labels)
    bytes_same = all(reports[label] == reports[labels[0]] for label in labels)
    print(f"reports equal: {same} (byte for byte: {bytes_same}); load average after: {os.getloadavg()}")


if __name__ == "__main__":
    main()
