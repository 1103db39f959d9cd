#!/usr/bin/env python3
"""Side-by-side timing of robustfit against its Python peers on the same generated file
(Docs/performance.md, "Against the peers").

For each n (default 1e5 and 1e6, p = 10) the script
  1. writes the standard benchmark data with `robustfit-bench --csv` (intercept + 9 N(0,1) columns,
     y = X.beta + N(0,1), 20 % of rows shifted by U(20, 50), fixed seed) and loads it with pandas;
  2. fits Huber (k = 1.345) with
       - statsmodels RLM(HuberT()), MAD scale centred at 0 updated every step, OLS start,
         conv="coefs", tol=1e-10 (max absolute coefficient change), maxiter=500: the same estimator as
         `robustfit --loss huber` (SPEC 2 and 4), so the coefficients must agree to 1e-6;
       - scipy.optimize.least_squares(loss="huber", f_scale=c) with c FIXED at robustfit's final
         c = 1.345 * sigma_hat: at that c the Huber minimiser is robustfit's fixed point, so they must
         agree too (to the solver's tolerance);
       - scikit-learn HuberRegressor(epsilon=1.345, alpha=0): a DIFFERENT scale convention. It estimates
         sigma jointly with beta by Owen's concomitant objective
             min  sum_i sigma + H_eps(r_i / sigma) * sigma,   H_eps(z) = z^2 (|z| <= eps), 2 eps |z| - eps^2,
         not by the MAD, so its beta differs from RLM's. At its own sigma, though, beta is the Huber
         M-estimate with threshold c = eps * sigma, so the script refits robustfit with
         `--scale <eps * sigma_sklearn>` and compares with that (to lbfgs's tolerance);
       - the robustfit CLI, end to end (process start + CSV parse + fit + JSON report):
         `robustfit FILE --loss huber --format json`;
       - the library alone through `robustfit-bench --json` (same seed, so the same data).
  3. prints times, iterations, the largest coefficient differences and the time ratios.

Peers' times are for the fit alone (the data already in memory); robustfit's CLI time includes reading
the CSV. Wall-clock and process CPU times are both printed: this machine is shared, so wall times are
noisy. Usage:  python3 Benchmarks/peers.py [--n 100000,1000000] [--p 10] [--cli PATH] [--bench PATH]
"""

import argparse
import json
import os
import sys
import tempfile

import numpy as np
import pandas as pd
import scipy
import sklearn
import statsmodels
import statsmodels.api as sm
from scipy.optimize import least_squares
from sklearn.linear_model import HuberRegressor

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import benchlib as bl  # noqa: E402

HUBER_K = 1.345
MAD_CONSISTENCY = 0.6744897501960817



def fit_statsmodels(X, y):
    model = sm.RLM(y, X, M=sm.robust.norms.HuberT(t=HUBER_K))
    result = model.fit(maxiter=500, tol=1e-10, conv="coefs", scale_est="mad", update_scale=True)
    iterations = result.fit_history["iteration"]
    return np.asarray(result.params), float(result.scale), iterations


def fit_statsmodels_default(X, y):
    """statsmodels' own defaults: conv="dev" (absolute change of sum rho), tol=1e-8, maxiter=50."""
    model = sm.RLM(y, X, M=sm.robust.norms.HuberT(t=HUBER_K))
    result = model.fit()
    return np.asarray(result.params), result.fit_history["iteration"]


def fit_scipy(X, y, c, start):
    result = least_squares(lambda b: X @ b - y, start, jac=lambda b: X, loss="huber", f_scale=c,
                           method="trf", ftol=1e-12, xtol=1e-12, gtol=1e-12)
    return result.x, result.nfev


def fit_sklearn(X, y):
    model = HuberRegressor(epsilon=HUBER_K, alpha=0.0, fit_intercept=False, max_iter=10_000, tol=1e-10)
    model.fit(X, y)
    return model.coef_, float(model.scale_), int(model.n_iter_)


def robustfit_cli(cli, path, extra=(), repeats=1):
    """The CLI end to end; with repeats > 1 the run with the median wall time."""
    runs = []
    for _ in range(repeats):
        runs.append(bl.run([cli, path, "--loss", "huber", "--format", "json", *extra]))
    runs.sort(key=lambda run: run[1])
    out, wall, cpu = runs[len(runs) // 2]
    report = json.loads(out)
    names = ["intercept"] + [f"x{j}" for j in range(1, len(report["coefficients"]))]
    beta = np.array([report["coefficients"][name] for name in names])
    return beta, report, wall, cpu


def robustfit_library(bench, n, p):
    out, wall, _ = bl.run([bench, "--n", str(n), "--p", str(p), "--loss", "huber", "--json",
                                "--repeats", "3", "--no-marginal"])
    line = json.loads(out.strip().splitlines()[-1])
    return np.array(line["coefficients"]), line


def largest_difference(a, b):
    return float(np.max(np.abs(np.asarray(a) - np.asarray(b))))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", default="100000,1000000")
    parser.add_argument("--p", type=int, default=10)
    parser.add_argument("--cli", default=".build/release/robustfit")
    parser.add_argument("--bench", default=".build/release/robustfit-bench")
    parser.add_argument("--workdir", default=tempfile.gettempdir())
    args = parser.parse_args()
    sizes = [int(float(v)) for v in args.n.split(",")]

    print(f"python {sys.version.split()[0]}, numpy {np.__version__}, scipy {scipy.__version__}, "
          f"statsmodels {statsmodels.__version__}, scikit-learn {sklearn.__version__}, "
          f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}")
    print(f"robustfit CLI: {args.cli}; library timing: {args.bench}")
    failures = []
    for n in sizes:
        p = args.p
        path = os.path.join(args.workdir, f"robustfit-bench-n{n}-p{p}.csv")
        bl.run([args.bench, "--n", str(n), "--p", str(p), "--csv", path])
        frame, load_wall, _ = bl.timed(pd.read_csv, path)
        y = frame["y"].to_numpy()
        X = np.column_stack([np.ones(n), frame.drop(columns="y").to_numpy()])
        print(f"\n## n = {n}, p = {p}  ({os.path.getsize(path) / 1e6:.0f} MB CSV; pandas.read_csv {load_wall:.2f} s)\n")

        rows = []
        (sm_beta, sm_scale, sm_iterations), sm_wall, sm_cpu = bl.timed(fit_statsmodels, X, y)
        rows.append(("statsmodels RLM HuberT (MAD), conv=coefs tol=1e-10", sm_wall, sm_cpu, sm_iterations))
        (smd_beta, smd_iterations), smd_wall, smd_cpu = bl.timed(fit_statsmodels_default, X, y)
        rows.append(("statsmodels RLM HuberT, its defaults (conv=dev, tol=1e-8)", smd_wall, smd_cpu,
                     smd_iterations))

        library_beta, library = robustfit_library(args.bench, n, p)
        rows.append(("robustfit library fit (bench)", library["fit_seconds"], None, library["iterations"]))

        cli_ok = True
        try:
            rf_beta, rf_report, rf_wall, rf_cpu = robustfit_cli(args.cli, path, repeats=3)
            rows.append(("robustfit CLI end to end (median of 3)", rf_wall, rf_cpu, rf_report["iterations"]))
        except (OSError, RuntimeError, ValueError, KeyError) as error:
            cli_ok = False
            print(f"robustfit CLI not usable ({error}); using the library through robustfit-bench instead")
            rf_beta, rf_report = library_beta, {"scale": library["scale"], "iterations": library["iterations"]}
            rf_wall = library["fit_seconds"]

        c = rf_report["scale"]
        ols = np.linalg.lstsq(X, y, rcond=None)[0]
        (sp_beta, sp_nfev), sp_wall, sp_cpu = bl.timed(fit_scipy, X, y, c, ols)
        rows.append((f"scipy least_squares huber (f_scale = c = {c:.6g} fixed)", sp_wall, sp_cpu, sp_nfev))

        (sk_beta, sk_sigma, sk_iterations), sk_wall, sk_cpu = bl.timed(fit_sklearn, X, y)
        rows.append((f"sklearn HuberRegressor (own sigma = {sk_sigma:.6g})", sk_wall, sk_cpu, sk_iterations))

        print("| fit | wall s | CPU s | iterations | wall / robustfit CLI | wall / robustfit library |")
        print("|---|---:|---:|---:|---:|---:|")
        for name, wall, cpu, iterations in rows:
            cpu_text = "—" if cpu is None else f"{cpu:.3f}"
            print(f"| {name} | {wall:.3f} | {cpu_text} | {iterations} | {wall / rf_wall:.1f} | "
                  f"{wall / library['fit_seconds']:.1f} |")
        print(f"\nstatsmodels per iteration: {1e3 * sm_wall / sm_iterations:.1f} ms; robustfit library per "
              f"iteration (fit / iterations): {1e3 * library['fit_seconds'] / library['iterations']:.2f} ms")

        print("\nagreement (largest |difference| of the 10 coefficients):")
        checks = [("statsmodels vs robustfit (Huber, MAD scale)", largest_difference(sm_beta, rf_beta), 1e-6),
                  ("statsmodels vs robustfit library", largest_difference(sm_beta, library_beta), 1e-6),
                  ("statsmodels (its defaults) vs robustfit", largest_difference(smd_beta, rf_beta), None),
                  ("scipy (c fixed) vs robustfit", largest_difference(sp_beta, rf_beta), 1e-6)]
        print(f"  statsmodels scale {sm_scale:.12g}, robustfit c / 1.345 = {c / HUBER_K:.12g}")
        if cli_ok:
            sk_c = HUBER_K * sk_sigma
            rf_fixed, _, _, _ = robustfit_cli(args.cli, path, ["--scale", repr(sk_c)])
            checks.append((f"sklearn vs robustfit --scale {sk_c:.6g} (= eps * sklearn sigma)",
                           largest_difference(sk_beta, rf_fixed), 1e-4))
            checks.append(("sklearn vs robustfit MAD-scale Huber (different estimators)",
                           largest_difference(sk_beta, rf_beta), None))
        for name, difference, limit in checks:
            verdict = "" if limit is None else ("  ok" if difference <= limit else f"  FAILS (limit {limit:g})")
            if limit is not None and difference > limit:
                failures.append(f"n = {n}: {name}")
            print(f"  {name}: {difference:.2e}{verdict}")
        print(f"  load average after n = {n}: {os.getloadavg()[0]:.1f}")
        os.remove(path)

    print("\nall agreement checks passed" if not failures else "\nFAILED: " + "; ".join(failures))
    return 0 if not failures else 1


if __name__ == "__main__":
    sys.exit(main())
