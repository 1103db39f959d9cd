#!/usr/bin/env python3
"""Every speed target of Docs/performance.md measured in one run, against the peers, on the same files
(Docs/performance.md, "The targets in one run"; output committed as Benchmarks/targets-output.md).

Standard data (`robustfit-bench --csv`: intercept + 9 N(0,1) columns, y = X.beta + N(0,1), 20 % of the
rows shifted up by U(20, 50), seed 20240601), p = 10. Sections, each a table row per target:

  csv       reading the n = 1e6 file: pandas.read_csv (C engine), polars.read_csv (all threads) and
            `robustfit-bench --parse` (TabularIO into column storage), alternating, median of ROUNDS;
  cli       the CLI end to end (`robustfit FILE --loss huber --format json`: process start, read, fit,
            report) against the library's Huber fit alone (`robustfit-bench --json`) and against
            scikit-learn's HuberRegressor fit alone (arrays already in memory);
  rlm       the library's Huber fit against statsmodels RLM HuberT (MAD scale, conv="coefs",
            tol=1e-10, one BLAS thread), coefficients compared;
  adaptive  the adaptive fit against the Huber fit, library, n = 1e4 ... 1e7;
  mm        the MM fit against robustbase::lmrob (Scripts/lmrob_timing.R, the fit alone), n = 1e5, 1e6;
  l1        the exact L1 fit against quantreg::rq (method "pfn", and "fn"), n = 1e6, objectives compared;
  memory    peak resident memory of the CLI reading the data through a pipe, against the size of X.

Usage (from the repository root, after `swift build -c release`):
    python3 Benchmarks/targets.py [--sections csv,cli,...] [--rounds 3] [--workdir /tmp]
        > Benchmarks/targets-output.md
Needs numpy, pandas, polars, scikit-learn, statsmodels, threadpoolctl; R with robustbase and quantreg.
A section whose peer is missing prints why and goes on.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import benchlib as bl  # noqa: E402

HUBER_K = 1.345
SECTIONS = ["csv", "cli", "rlm", "adaptive", "mm", "l1", "memory"]


class Report:
    """The summary table: one row per target, printed at the end."""

    def __init__(self):
        self.rows = []

    def add(self, target, measured, ratio, goal, met, note=""):
        self.rows.append((target, measured, ratio, goal, "yes" if met else "**no**", note))

    def print(self):
        print("\n## Summary: the targets (ratios from this run)\n")
        print("| target | measured | ratio | goal | met | note |")
        print("|---|---|---:|---|---|---|")
        for row in self.rows:
            print("| " + " | ".join(str(field) for field in row) + " |")


def design_from(path):
    import pandas as pd
    frame = pd.read_csv(path)
    y = frame["y"].to_numpy()
    X = np.column_stack([np.ones(len(y)), frame.drop(columns="y").to_numpy()])
    return X, y


def cli_huber(cli, path, rounds):
    walls, report = [], None
    for _ in range(rounds):
        out, wall, _ = bl.run([cli, path, "--loss", "huber", "--format", "json"])
        walls.append(wall)
        report = json.loads(out)
    return bl.median(walls), report


def section_csv(args, report, n=1_000_000):
    import pandas as pd
    try:
        import polars as pl
        polars_version = pl.__version__
    except ImportError:
        pl, polars_version = None, "not installed"
    path = bl.standard_csv(args.bench, n, args.workdir)
    size = os.path.getsize(path) / 1e6
    print(f"\n## Reading CSV: n = {n}, p = 10, {size:.0f} MB (pandas {pd.__version__}, polars {polars_version})\n")
    times = {"pandas": [], "polars": [], "robustfit": []}
    for _ in range(args.rounds):
        _, wall, _ = bl.timed(pd.read_csv, path)
        times["pandas"].append(wall)
        if pl is not None:
            _, wall, _ = bl.timed(pl.read_csv, path)
            times["polars"].append(wall)
        out, _, _ = bl.run([args.bench, "--parse", path])
        # "parse FILE: ... median of 5: 6.6 ms wall, ..."
        milliseconds = float(out.split("median of")[1].split(":")[1].split("ms wall")[0])
        times["robustfit"].append(milliseconds / 1e3)
    medians = {name: bl.median(values) for name, values in times.items() if values}
    print("| reader | median s | MB/s |")
    print("|---|---:|---:|")
    for name, seconds in medians.items():
        print(f"| {name} | {seconds:.3f} | {size / seconds:.0f} |")
    ours = medians["robustfit"]
    report.add("CSV read vs pandas.read_csv", f"{ours:.3f} s vs {medians['pandas']:.3f} s",
               f"{medians['pandas'] / ours:.2f}×", "≥ 2×", medians["pandas"] / ours >= 2)
    if "polars" in medians:
        report.add("CSV read vs polars.read_csv", f"{ours:.3f} s vs {medians['polars']:.3f} s",
                   f"{medians['polars'] / ours:.2f}×", "≥ 1.5×", medians["polars"] / ours >= 1.5)


def section_cli(args, report, n=1_000_000):
    import sklearn
    from sklearn.linear_model import HuberRegressor
    path = bl.standard_csv(args.bench, n, args.workdir)
    X, y = design_from(path)
    print(f"\n## CLI end to end and scikit-learn: n = {n}, p = 10 (scikit-learn {sklearn.__version__})\n")
    cli_walls, library_walls, sklearn_walls = [], [], []
    for _ in range(args.rounds):
        wall, _ = cli_huber(args.cli, path, 1)
        cli_walls.append(wall)
        library_walls.append(bl.bench_fits(args.bench, n, ["huber"], repeats=1)["huber"]["fit_seconds"])
        model = HuberRegressor(epsilon=HUBER_K, alpha=0.0, fit_intercept=False, max_iter=10_000, tol=1e-10)
        _, wall, _ = bl.timed(model.fit, X, y)
        sklearn_walls.append(wall)
    cli, library, sk = bl.median(cli_walls), bl.median(library_walls), bl.median(sklearn_walls)
    print("| run | median s |")
    print("|---|---:|")
    print(f"| robustfit CLI end to end | {cli:.3f} |\n| robustfit library Huber fit | {library:.3f} |")
    print(f"| scikit-learn HuberRegressor fit | {sk:.3f} |")
    report.add("CLI end to end / library Huber fit", f"{cli:.3f} s / {library:.3f} s", f"{cli / library:.2f}×",
               "≤ 1.5×", cli / library <= 1.5)
    report.add("HuberRegressor fit / CLI end to end", f"{sk:.3f} s / {cli:.3f} s", f"{sk / cli:.2f}×", "≥ 3×",
               sk / cli >= 3)


def section_rlm(args, report, n=1_000_000):
    import statsmodels
    import statsmodels.api as sm
    from threadpoolctl import threadpool_limits
    path = bl.standard_csv(args.bench, n, args.workdir)
    X, y = design_from(path)
    print(f"\n## Huber against statsmodels RLM: n = {n}, p = 10 (statsmodels {statsmodels.__version__}, "
          "one BLAS thread)\n")
    with threadpool_limits(limits=1, user_api="blas"):
        model = sm.RLM(y, X, M=sm.robust.norms.HuberT(t=HUBER_K))
        result, rlm_wall, _ = bl.timed(model.fit, maxiter=500, tol=1e-10, conv="coefs", scale_est="mad",
                                       update_scale=True)
    fit = bl.bench_fits(args.bench, n, ["huber"], repeats=3)["huber"]
    difference = float(np.max(np.abs(np.asarray(result.params) - np.asarray(fit["coefficients"]))))
    ratio = rlm_wall / fit["fit_seconds"]
    print(f"statsmodels {rlm_wall:.2f} s ({result.fit_history['iteration']} iterations), robustfit library "
          f"{fit['fit_seconds']:.3f} s ({fit['iterations']} iterations); largest coefficient difference "
          f"{difference:.1e}")
    report.add("statsmodels RLM / library Huber fit", f"{rlm_wall:.2f} s / {fit['fit_seconds']:.3f} s",
               f"{ratio:.1f}×", "≥ 50×, coefficients to 1e-10", ratio >= 50 and difference <= 1e-10,
               f"coefficients differ by {difference:.1e}")


def adaptive_repeats(n):
    """Fits timed per loss at n: 41 at n <= 1e4 and 21 at 1e5 (a fit of 3-30 ms, whose median over the bench's
    default 5 repeats still holds the first fits' page faults and thread start-up), the bench's default above."""
    return 41 if n <= 10_000 else 21 if n <= 100_000 else None


def section_adaptive(args, report):
    print("\n## Adaptive against Huber (library, median of the bench's repeats: 41 at 1e4, 21 at 1e5, 3 at 1e6, 1 at 1e7)\n")
    print("| n | Huber s | adaptive s | ratio |")
    print("|---|---:|---:|---:|")
    for n in args.adaptive_n:
        fits = bl.bench_fits(args.bench, n, ["huber", "adaptive"], repeats=adaptive_repeats(n))
        huber, adaptive = fits["huber"]["fit_seconds"], fits["adaptive"]["fit_seconds"]
        print(f"| {size_label(n)} | {huber:.4f} | {adaptive:.4f} | {adaptive / huber:.2f} |")
        report.add(f"adaptive / Huber at n = {size_label(n)}", f"{adaptive:.3f} s / {huber:.4f} s",
                   f"{adaptive / huber:.2f}×", "≤ 3×", adaptive / huber <= 3)



def r_fit(script, path, rounds):
    """(median elapsed seconds, coefficients) from Scripts/lmrob_timing.R: it prints
    `median_elapsed_seconds S` and one `name value` line per coefficient."""
    out, _, _ = bl.run([args_global.rscript, script, path, str(rounds)])
    seconds, coefficients = None, []
    for line in out.splitlines():
        fields = line.split()
        if len(fields) != 2 or line.startswith("#"):
            continue
        if fields[0] == "median_elapsed_seconds":
            seconds = float(fields[1])
        elif fields[0] == "(Intercept)" or fields[0].startswith("x"):
            coefficients.append(float(fields[1]))
    return seconds, np.array(coefficients)


def section_mm(args, report):
    print("\n## MM against robustbase::lmrob (the fit alone, data in memory)\n")
    print("| n | lmrob s | robustfit MM s | ratio | largest relative coefficient difference |")
    print("|---|---:|---:|---:|---:|")
    for n in (100_000, 1_000_000):
        path = bl.standard_csv(args.bench, n, args.workdir)
        rpath = path.replace(".csv", "-yfirst.csv")
        bl.y_first_copy(path, rpath)
        lmrob, beta = r_fit("Scripts/lmrob_timing.R", rpath, args.rounds)
        fit = bl.bench_fits(args.bench, n, ["mm"])["mm"]
        ours = np.asarray(fit["coefficients"])
        difference = float(np.max(np.abs(ours - beta) / np.abs(beta)))
        ratio = lmrob / fit["fit_seconds"]
        print(f"| {size_label(n)} | {lmrob:.3f} | {fit['fit_seconds']:.3f} | {ratio:.1f} | {difference:.1e} |")
        report.add(f"lmrob / MM at n = {size_label(n)}", f"{lmrob:.2f} s / {fit['fit_seconds']:.3f} s", f"{ratio:.1f}×",
                   "≥ 10×, equal coefficients", ratio >= 10 and difference <= 1e-6,
                   f"coefficients differ by {difference:.1e} relative")


def section_l1(args, report, n=1_000_000):
    path = bl.standard_csv(args.bench, n, args.workdir)
    X, y = design_from(path)
    print(f"\n## Exact L1 against quantreg::rq: n = {n}, p = 10 (the fit alone)\n")
    print("| fit | median s | objective Σ|r| | relative objective difference to robustfit |")
    print("|---|---:|---:|---:|")
    fit = bl.bench_fits(args.bench, n, ["l1"])["l1"]
    ours = float(np.sum(np.abs(y - X @ np.asarray(fit["coefficients"]))))
    print(f"| robustfit l1 (library) | {fit['fit_seconds']:.3f} | {ours:.15g} | — |")
    for method in ("pfn", "fn"):
        seconds, beta = rq_fit(path, method, args.rounds if method == "pfn" else 1)
        objective = float(np.sum(np.abs(y - X @ beta)))
        relative = (objective - ours) / ours
        print(f"| quantreg rq(method = \"{method}\") | {seconds:.3f} | {objective:.15g} | {relative:.1e} |")
        if method == "pfn":
            ratio = seconds / fit["fit_seconds"]
            report.add("rq(pfn) / exact L1 at n = 1e6", f"{seconds:.2f} s / {fit['fit_seconds']:.3f} s",
                       f"{ratio:.2f}×", "≥ 2×, objective to 1e-12", ratio >= 2 and abs(relative) <= 1e-12,
                       f"objectives differ by {relative:.1e} relative")


def rq_fit(path, method, rounds):
    """(median elapsed seconds, coefficients) of `Scripts/rq_timing.R` for one method."""
    out, _, _ = bl.run([args_global.rscript, "Scripts/rq_timing.R", path, method, str(rounds)])
    seconds, beta = None, None
    for line in out.splitlines():
        fields = line.split()
        if fields[:2] == ["method", method]:
            seconds = float(fields[3])
        elif fields[:2] == ["coef", method]:
            beta = np.array([float(v) for v in fields[2:]])
    return seconds, beta


def section_memory(args, report):
    n = args.memory_n
    x_bytes = 8 * n * 10
    print(f"\n## Memory: n = {size_label(n)}, p = 10, CSV through a pipe into `robustfit - --loss huber`\n")
    command = (f"{args.bench} --n {n} --p 10 --csv /dev/stdout | /usr/bin/time -v {args.cli} - --loss huber "
               "--format json > /dev/null")
    done = subprocess.run(["bash", "-o", "pipefail", "-c", command], capture_output=True, text=True)
    if done.returncode != 0:
        print(f"failed: {done.stderr.strip()[-400:]}")
        return
    kib = next(int(line.split(":")[1]) for line in done.stderr.splitlines() if "Maximum resident" in line)
    ratio = kib * 1024 / x_bytes
    print(f"maximum resident set {kib * 1024 / 1e9:.2f} GB for X = {x_bytes / 1e9:.2f} GB: {ratio:.2f}× X")
    report.add(f"peak memory / X at n = {size_label(n)}", f"{kib * 1024 / 1e9:.2f} GB / {x_bytes / 1e9:.2f} GB",
               f"{ratio:.2f}×", "≤ 1.5× (at n = 1e8)", ratio <= 1.5,
               "fixed part weighs more at small n" if n < 100_000_000 else "")


args_global = None


def size_label(n):
    """1e4, 2e8, 12345: the power-of-ten form when n is one."""
    mantissa, exponent = f"{n:.0e}".split("e")
    return f"{mantissa}e{int(exponent)}" if float(f"{mantissa}e{exponent}") == n else str(n)


def main():
    global args_global
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sections", default=",".join(SECTIONS))
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--adaptive-n", default="1e4,1e5,1e6,1e7")
    parser.add_argument("--memory-n", default="1e7")
    parser.add_argument("--cli", default=".build/release/robustfit")
    parser.add_argument("--bench", default=".build/release/robustfit-bench")
    parser.add_argument("--rscript", default="Rscript")
    parser.add_argument("--workdir", default=tempfile.gettempdir())
    args = parser.parse_args()
    args.adaptive_n = [int(float(v)) for v in args.adaptive_n.split(",")]
    args.memory_n = int(float(args.memory_n))
    args_global = args

    print("# robustfit: the speed targets in one run\n")
    print(f"- robustfit commit {bl.git_commit()}; {bl.machine_line()}, numpy {np.__version__}")
    print(f"- {bl.r_versions(args.rscript)}")
    print(f"- started {time.strftime('%Y-%m-%d %H:%M:%S')}, load average {bl.load_average():.2f}")
    report = Report()
    for name in args.sections.split(","):
        start = time.perf_counter()
        try:
            globals()[f"section_{name}"](args, report)
        except (ImportError, OSError, RuntimeError, ValueError, KeyError) as error:
            print(f"\nsection {name} not run: {error}")
        print(f"\n(section {name}: {time.perf_counter() - start:.0f} s, load average {bl.load_average():.2f})")
    report.print()
    print(f"\nfinished {time.strftime('%Y-%m-%d %H:%M:%S')}, load average {bl.load_average():.2f}")


if __name__ == "__main__":
    main()
