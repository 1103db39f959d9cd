#!/usr/bin/env python3
"""The out-of-core report's residual summary (quantiles, outliers, R²: DistributedResidualSummary) measured:
the passes it adds after the fit and their time, as the before/after of two robustfit binaries run
alternately on the same column of data (the benchmark's CSV, n rows, p = 10, the standard data, written
once to a file), medians of the runs with their ratio.

    python3 Benchmarks/out_of_core_summary.py --before /tmp/base/.build/release/robustfit --n 1e6

Reported per loss: the fit's seconds (`out_of_core.fit_seconds`: the passes, the summary's included), the
whole process's wall seconds (reading the CSV and writing the column file too), and the passes by kind.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import benchlib  # noqa: E402


def run(cli, path, loss):
    """(fit seconds, wall seconds, passes) of one out-of-core fit."""
    started = time.perf_counter()
    done = subprocess.run([cli, path, "--out-of-core", "--loss", loss, "--format", "json"],
                          capture_output=True, text=True)
    wall = time.perf_counter() - started
    if done.returncode != 0:
        raise RuntimeError(f"{cli} {path} --loss {loss} failed: {done.stderr.strip()[-600:]}")
    report = json.loads(done.stdout)
    extra = report["out_of_core"]
    return extra["fit_seconds"], wall, extra["passes"]


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", default="1e6")
    parser.add_argument("--before", required=True, help="the robustfit binary without the summary")
    parser.add_argument("--after", default=".build/release/robustfit")
    parser.add_argument("--bench", default=".build/release/robustfit-bench")
    parser.add_argument("--losses", default="l2,huber")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--data", default=None, help="the CSV file to write (default: /tmp/ocr-bench-N.csv)")
    args = parser.parse_args()
    n = int(float(args.n))
    path = args.data or f"/tmp/ocr-bench-{n}.csv"
    if not os.path.exists(path):
        subprocess.run([args.bench, "--n", str(n), "--p", str(benchlib.STANDARD_P), "--csv", path], check=True,
                       capture_output=True)
    print(benchlib.machine_line())
    print(f"n = {n:.3g}, p = {benchlib.STANDARD_P}, {args.repeats} alternating runs each; load average "
          f"{os.getloadavg()[0]:.1f} at the start")
    print()
    print("| loss | passes before → after | fit s before | fit s after | ratio | wall s before | wall s after | ratio |")
    print("|---|---|---:|---:|---:|---:|---:|---:|")
    for loss in args.losses.split(","):
        times = {"before": [], "after": []}
        passes = {}
        for _ in range(args.repeats):
            for side, cli in (("before", args.before), ("after", args.after)):
                fit, wall, kinds = run(cli, path, loss)
                times[side].append((fit, wall))
                passes[side] = kinds
        median = {side: (statistics.median(f for f, _ in v), statistics.median(w for _, w in v))
                  for side, v in times.items()}
        count = {side: sum(k.values()) for side, k in passes.items()}
        added = {k: v for k, v in passes["after"].items() if k not in passes["before"]}
        print(f"| {loss} | {count['before']} → {count['after']} ({', '.join(f'{k} {v}' for k, v in added.items())}) "
              f"| {median['before'][0]:.3f} | {median['after'][0]:.3f} | {median['after'][0] / median['before'][0]:.2f} "
              f"| {median['before'][1]:.3f} | {median['after'][1]:.3f} | {median['after'][1] / median['before'][1]:.2f} |")
    print(f"\nload average {os.getloadavg()[0]:.1f} at the end")


if __name__ == "__main__":
    main()
