#!/usr/bin/env python3
"""The out-of-core fit (Docs/scaling.md) measured: the benchmark's CSV (n rows, p = 10, the standard data)
piped into `robustfit - --out-of-core --loss huber`, with the peak resident memory and wall time of
/usr/bin/time, the fit's own split (reading + writing the column file, then the passes) and the passes by
kind; optionally the fit in memory of the same data, for the same run's ratio.

    python3 Benchmarks/out_of_core.py --n 1e7 --in-memory     # minutes
    python3 Benchmarks/out_of_core.py --n 2e8                 # the issue's run: ~40 GB of CSV through a pipe

The rows per second of a pass here are those of a column file held in the page cache; a file larger than
the page cache is read from disk once per pass (Docs/scaling.md plans n = 1e9 from these figures and the
disk's measured read rate).
"""

import argparse
import json
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import benchlib  # noqa: E402


def piped_fit(bench, cli, n, extra):
    """(report JSON, peak RSS bytes, wall seconds) of `bench --csv | cli - extra`."""
    command = (f"{bench} --n {n} --p {benchlib.STANDARD_P} --csv /dev/stdout | "
               f"/usr/bin/time -f 'peak %M KiB wall %e s' {cli} - --loss huber --format json {extra}")
    done = subprocess.run(["bash", "-o", "pipefail", "-c", command], capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"{command} failed: {done.stderr.strip()[-600:]}")
    line = next(l for l in done.stderr.splitlines() if l.startswith("peak "))
    words = line.split()
    return json.loads(done.stdout), int(words[1]) * 1024, float(words[4])


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", default="1e7")
    parser.add_argument("--in-memory", action="store_true", help="also fit the same data in memory")
    parser.add_argument("--cli", default=".build/release/robustfit")
    parser.add_argument("--bench", default=".build/release/robustfit-bench")
    parser.add_argument("--spill-dir", default=None)
    args = parser.parse_args()
    n = int(float(args.n))
    p = benchlib.STANDARD_P
    print(benchlib.machine_line())
    print(f"n = {n:.3g}, p = {p}: X is {8 * n * p / 1e9:.2f} GB; the column file holds y and 9 predictors, "
          f"{8 * n * p / 1e9:.2f} GB\n")
    extra = "--out-of-core" + (f" --spill-dir {args.spill_dir}" if args.spill_dir else "")
    report, peak, wall = piped_fit(args.bench, args.cli, n, extra)
    ooc = report["out_of_core"]
    passes = sum(ooc["passes"].values())
    per_pass = ooc["fit_seconds"] / passes
    print("| fit | wall | peak memory | read + write | passes | fit | per pass | rows/s per pass |")
    print("|---|---|---|---|---|---|---|---|")
    print(f"| out of core | {wall:.1f} s | {peak / 1e9:.2f} GB ({peak / (8 * n * p):.3f}× X) | "
          f"{ooc['write_seconds']:.1f} s | {passes} ({', '.join(f'{k} {v}' for k, v in sorted(ooc['passes'].items()))}) | "
          f"{ooc['fit_seconds']:.1f} s | {per_pass:.3f} s | {n / per_pass:.3g} |")
    if args.in_memory:
        memory, peak_m, wall_m = piped_fit(args.bench, args.cli, n, "--no-out-of-core")
        print(f"| in memory | {wall_m:.1f} s | {peak_m / 1e9:.2f} GB ({peak_m / (8 * n * p):.3f}× X) | | | | | |")
        worst = max(abs(report["coefficients"][k] - memory["coefficients"][k]) / abs(memory["coefficients"][k])
                    for k in memory["coefficients"])
        print(f"\ncoefficients equal to {worst:.1e} relative; iterations {report['iterations']} "
              f"(in memory {memory['iterations']}); wall ratio {wall / wall_m:.2f}")
    print(f"\ncoefficients: {json.dumps(report['coefficients'])}")
    print(f"iterations {report['iterations']} ({report['termination']}), c = {report['scale']}, σ̂ = {report['sigma']}")


if __name__ == "__main__":
    main()
