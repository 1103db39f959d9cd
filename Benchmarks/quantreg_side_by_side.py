#!/usr/bin/env python3
"""Side-by-side timing of robustfit's exact L1 fit against R's quantreg::rq on the same files
(Docs/performance.md, "L1 against quantreg").

For each data set (standard benchmark data at n = 1e5 and 1e6, p = 10, and the tied variant of
`robustfit-bench --data tied`: x rounded to {-1, 0, 1}, y to integers, many repeated rows) the script
  1. writes the CSV once with `robustfit-bench --csv` (same doubles as the bench's data in memory);
  2. runs, in one R process per file, rq(y ~ ., tau = 0.5) with method "br" (only at n <= 1e5: it is
     slow), "fn" and "pfn": only the fit is timed (system.time, the data already loaded), median of 3;
  3. runs `robustfit-bench --loss l1 --json` (the library fit on the same data in memory, median of 3)
     and the CLI `robustfit FILE --loss l1 --format json` 3 times (end to end: process, CSV, fit, report);
  4. computes every objective sum |y - X b| from the CSV in Python (math.fsum over numpy residuals) and
     prints its relative difference from robustfit's; robustfit's is the certified optimum, so a peer's
     may only be larger (the interior-point methods stop near the optimum, not on it).
Usage (repository root, after `swift build -c release`):
    python3 Benchmarks/quantreg_side_by_side.py > Benchmarks/quantreg-output.txt
Needs R with quantreg, numpy and pandas.
"""

import argparse
import json
import math
import os
import platform
import statistics
import subprocess
import sys
import time

import numpy as np
import pandas as pd

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import benchlib as bl  # noqa: E402

P = 10
R_SCRIPT = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "Scripts", "rq_timing.R")


def run(command):
    """(stdout, wall seconds) of a subprocess (benchlib.run); raises on a non-zero exit."""
    out, wall, _ = bl.run(command)
    return out, wall


def objective(x, y, beta):
    r = y - beta[0] - x @ np.asarray(beta[1:])
    return math.fsum(np.abs(r))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cli", default=".build/release/robustfit")
    parser.add_argument("--bench", default=".build/release/robustfit-bench")
    parser.add_argument("--workdir", default="/tmp")
    parser.add_argument("--sets", default="standard:1e5,standard:1e6,tied:1e5,tied:1e6")
    args = parser.parse_args()
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
    rversion = subprocess.run(["Rscript", "--version"], capture_output=True, text=True)
    print(f"# python {sys.version.split()[0]}, numpy {np.__version__}, pandas {pd.__version__}, "
          f"{(rversion.stdout or rversion.stderr).strip()}; {platform.machine()}, {os.cpu_count()} CPUs")
    print(f"# robustfit at commit {commit}; started {time.strftime('%Y-%m-%d %H:%M:%S')}, "
          f"load average {' '.join(f'{v:.2f}' for v in os.getloadavg())}")
    rows = []
    for item in args.sets.split(","):
        kind, size = item.split(":")
        n = int(float(size))
        path = os.path.join(args.workdir, f"quantreg-side-{kind}-n{n}-p{P}.csv")
        run([args.bench, "--data", kind, "--n", str(n), "--p", str(P), "--csv", path])
        frame = pd.read_csv(path)
        x, y = frame.iloc[:, :-1].to_numpy(), frame["y"].to_numpy()
        methods = ["br", "fn", "pfn"] if n <= 100_000 else ["fn", "pfn"]
        print(f"\n## {kind} data, n = {n}, p = {P}; load average {os.getloadavg()[0]:.2f}")
        out, _ = run(["Rscript", R_SCRIPT, path, ",".join(methods), "3"])
        peers = {}
        for line in out.splitlines():
            fields = line.split()
            if line.startswith("#"):
                print(f"  {line}")
            elif fields[:1] == ["method"]:
                peers.setdefault(fields[1], {})["seconds"] = float(fields[3])
                print(f"  rq {fields[1]}: times {' '.join(fields[5:])} s, median {fields[3]} s")
            elif fields[:1] == ["coef"]:
                peers.setdefault(fields[1], {})["beta"] = [float(v) for v in fields[2:]]
        out, _ = run([args.bench, "--data", kind, "--n", str(n), "--p", str(P), "--loss", "l1", "--repeats", "3",
                      "--no-marginal", "--json"])
        record = next(json.loads(line) for line in out.splitlines() if line.startswith("{"))
        library, library_beta = record["fit_seconds"], record["coefficients"]
        cli_times, cli_beta = [], None
        for _ in range(3):
            out, wall = run([args.cli, path, "--loss", "l1", "--format", "json"])
            report = json.loads(out)
            cli_beta = [report["coefficients"][name] for name in ["intercept"] + [f"x{j}" for j in range(1, P)]]
            cli_times.append(wall)
        cli = statistics.median(cli_times)
        best = objective(x, y, library_beta)
        print(f"  robustfit library: median of 3 {library:.4f} s ({record['iterations']} steps, {record['termination']}); "
              f"CLI end to end {' '.join(f'{t:.3f}' for t in cli_times)} s, median {cli:.3f} s")
        print(f"  objective: robustfit library {best:.17g}; CLI rel. diff {(objective(x, y, cli_beta) - best) / best:.1e}")
        for method, peer in peers.items():
            value = objective(x, y, peer["beta"])
            peer["relative"] = (value - best) / best
            print(f"  objective: rq {method} {value:.17g}, rel. diff from robustfit {peer['relative']:.1e}")
        rows.append((kind, n, peers, library, cli))
        sys.stdout.flush()

    print("\n## Summary (medians; ratio = rq time / robustfit library time; objective rel. diff = (rq − robustfit)/robustfit)")
    print("| data | n | rq br s | rq fn s | rq pfn s | robustfit library s | CLI s | pfn / library | fn / library | obj. diff br | fn | pfn |")
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for kind, n, peers, library, cli in rows:
        def t(m):
            return f"{peers[m]['seconds']:.3f}" if m in peers else "—"

        def d(m):
            return f"{peers[m]['relative']:.1e}" if m in peers else "—"
        print(f"| {kind} | {n:.0e} | {t('br')} | {t('fn')} | {t('pfn')} | {library:.4f} | {cli:.3f} | "
              f"{peers['pfn']['seconds'] / library:.1f}x | {peers['fn']['seconds'] / library:.1f}x | "
              f"{d('br')} | {d('fn')} | {d('pfn')} |")
    print(f"# finished {time.strftime('%Y-%m-%d %H:%M:%S')}, load average "
          f"{' '.join(f'{v:.2f}' for v in os.getloadavg())}")


if __name__ == "__main__":
    main()
