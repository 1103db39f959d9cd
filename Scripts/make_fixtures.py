#!/usr/bin/env python3
"""Generate the data fixtures (CSV) with fixed seeds, and record the true model next to each one.

What it writes (all CSVs: a header row, predictors first, the response y LAST; numbers with 6 decimals):

  Fixtures/line_outliers.csv   (x, y), n = 60. The video's line with gross outliers.
      x ~ U[0, 10], y = 2 + 0.8 x + N(0, 0.5^2). Then 20 % of the points (12) are replaced by a cluster of
      gross outliers: 12 distinct indices drawn among the points with x >= 7 get y = 2 + 0.8 x + 10 + N(0, 1).
      numpy default_rng(18). The seed was chosen (out of 0..59, all with the same recipe) so that, under the
      Docs/spec.md's default scales (c = k * sigma_hat, MAD re-estimated every IRLS step; exact L1 start for the
      redescending losses), the story of the video holds by a clear margin in both distances below: L2 is the
      farthest from the truth, pseudo-Huber is closer than L2, Cauchy / Geman-McClure / Welsch are closer than
      L1 and Cauchy is the closest fixed loss (the video's Welsch < Geman-McClure < Cauchy ordering), and the
      adaptive fit (alpha in [0, 2], Scripts/reference_adaptive.py) is closer than every fixed loss.
  Fixtures/seventy_thirty.csv  (x, y), n = 100. The video's "70 % in one direction and 30 % in the other".
      Interpretation: no outliers, but a skewed two-regime noise: every point is on the line
      y = 1 + 0.5 x + e, e ~ N(0, 0.3^2), and a fixed 30 % of the points (30, chosen at random) carry an extra
      offset of +2.5 (so 70 % of the residuals from the "central" line go one way, 30 % the other).
      L1 targets (about) the conditional median, which lies in the majority (70 %) regime; L2 targets the
      conditional mean, 1 + 0.3*2.5 = 0.75 above the majority line. The truth file records the majority
      line (as the coefficients), the minority line, the mean line and the median line (intercepts; all slopes
      are 0.5). x ~ U[0, 10]; default_rng(7030).
  Fixtures/heavy_tailed.csv    (x, y), n = 200. y = 1 + 2 x + 0.5 * t(df = 1.5); x ~ U[0, 10]; default_rng(1500).
  Fixtures/multi_outliers.csv  (x1, x2, x3, y), n = 120.
      x ~ N(0, I_3) with x2 += 0.5 x1 (mild correlation); y = 1 + 2 x1 - 1 x2 + 0.5 x3 + N(0, 0.5^2).
      15 % outliers (18 points): 12 vertical outliers (y += 8 + N(0, 1)), and 6 bad leverage points whose x1 is
      moved to 5 + U[0, 1], x2 to -3 + U[0, 1] and whose y follows a wrong model (y = -4 + N(0, 0.5^2)).
      default_rng(120).
  Fixtures/stackloss.csv       (air_flow, water_temp, acid_conc, stack_loss), the classical 21-row stackloss
      data, from statsmodels.datasets.stackloss (integers, written as integers). No truth file.
  Fixtures/gaussian_line.csv   (x, y), n = 500, y = 1 + 3 x + N(0, 1), x ~ U[0, 10]; default_rng(500).

  Fixtures/<name>.truth.json for every generated fixture: the true coefficients as top-level keys
  ("intercept" and one key per predictor column name), "generation" (recipe, seed, parameters, the row
  indices of the planted outliers, 0-based data rows), and for the lines "distance" (the definition used
  below). line_outliers.truth.json also carries "reference_check": the distances this script's own IRLS
  reached (informational only; tests should compute distances from their own fits and the true
  coefficients, not compare with these numbers).

Distance to the true line (lines y = a + b x):
  "rms_line": sqrt(mean over x ~ U[x_lo, x_hi] of ((a - a0) + (b - b0) x)^2), in closed form, with [x_lo, x_hi]
  the generation range of x ([0, 10]); also "coefficients": the Euclidean norm of (a - a0, b - b0).

Self-check (printed): OLS, exact L1 (linprog/HiGHS) and IRLS with Docs/spec.md default scales for huber, pseudo-huber,
cauchy, geman-mcclure, welsch, tukey on line_outliers, with both distances; the story above is asserted.

Run:  python3 Scripts/make_fixtures.py      (from the repository root; a few seconds)
"""

import json
import math
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import robust_reference as rr  # noqa: E402

OUT = "Fixtures"


def write_csv(name, header, columns, integer=False):
  path = os.path.join(OUT, name + ".csv")
  with open(path, "w") as f:
    f.write(",".join(header) + "\n")
    for row in zip(*columns):
      f.write(",".join((str(int(v)) if integer else f"{v:.6f}") for v in row) + "\n")
  return path


def write_truth(name, truth):
  path = os.path.join(OUT, name + ".truth.json")
  with open(path, "w") as f:
    json.dump(truth, f, indent=2)
    f.write("\n")


DISTANCE_DOC = {
    "rms_line": "sqrt(mean over x ~ U[x_lo, x_hi] of ((a - a0) + (b - b0) x)^2), closed form",
    "coefficients": "Euclidean norm of (a - a0, b - b0)",
    "x_lo": 0.0,
    "x_hi": 10.0,
}


def line_outliers():
  seed, n, a0, b0, noise = 18, 60, 2.0, 0.8, 0.5
  n_out, x_min_out, shift, out_noise = 12, 7.0, 10.0, 1.0
  rng = np.random.default_rng(seed)
  x = rng.uniform(0, 10, n)
  y = a0 + b0 * x + rng.normal(0, noise, n)
  candidates = np.flatnonzero(x >= x_min_out)
  idx = rng.choice(candidates, size=n_out, replace=False)
  y[idx] = a0 + b0 * x[idx] + shift + rng.normal(0, out_noise, n_out)
  write_csv("line_outliers", ["x", "y"], [x, y])
  return dict(intercept=a0, x=b0, generation=dict(
      recipe="x ~ U[0,10]; y = 2 + 0.8 x + N(0, 0.5^2); 12 points with x >= 7 replaced by "
             "y = 2 + 0.8 x + 10 + N(0, 1)", rng="numpy.random.default_rng", seed=seed, n=n, noise_sd=noise,
      outlier_count=n_out, outlier_fraction=n_out / n, outlier_x_min=x_min_out, outlier_shift=shift,
      outlier_noise_sd=out_noise, outlier_rows=sorted(int(i) for i in idx)), distance=DISTANCE_DOC)


def seventy_thirty():
  seed, n, a0, b0, noise, offset, frac = 7030, 100, 1.0, 0.5, 0.3, 2.5, 0.3
  rng = np.random.default_rng(seed)
  x = rng.uniform(0, 10, n)
  y = a0 + b0 * x + rng.normal(0, noise, n)
  idx = rng.choice(n, size=int(round(frac * n)), replace=False)
  y[idx] += offset
  write_csv("seventy_thirty", ["x", "y"], [x, y])
  # Median of the noise mixture 0.7 N(0, s^2) + 0.3 N(offset, s^2), by bisection on its CDF.
  from scipy import optimize, stats
  cdf = lambda t: 0.7 * stats.norm.cdf(t / noise) + 0.3 * stats.norm.cdf((t - offset) / noise) - 0.5
  median = optimize.brentq(cdf, -5, 5, xtol=1e-14)
  return dict(intercept=a0, x=b0, generation=dict(
      recipe="x ~ U[0,10]; y = 1 + 0.5 x + N(0, 0.3^2); a random 30 % of rows get +2.5",
      rng="numpy.random.default_rng", seed=seed, n=n, noise_sd=noise, offset=offset, offset_fraction=frac,
      offset_rows=sorted(int(i) for i in idx)),
      lines=dict(
          majority={"intercept": a0, "x": b0},
          minority={"intercept": a0 + offset, "x": b0},
          mean={"intercept": a0 + frac * offset, "x": b0},
          median={"intercept": a0 + median, "x": b0}),
      note="coefficients (top level) are the majority (70 %) line; 'lines' gives the alternatives: mean is "
           "what L2 estimates, median what L1 estimates (population values)",
      distance=DISTANCE_DOC)


def heavy_tailed():
  seed, n, a0, b0, df, scale = 1500, 200, 1.0, 2.0, 1.5, 0.5
  rng = np.random.default_rng(seed)
  x = rng.uniform(0, 10, n)
  y = a0 + b0 * x + scale * rng.standard_t(df, n)
  write_csv("heavy_tailed", ["x", "y"], [x, y])
  return dict(intercept=a0, x=b0, generation=dict(
      recipe="x ~ U[0,10]; y = 1 + 2 x + 0.5 * t(df=1.5)", rng="numpy.random.default_rng", seed=seed, n=n,
      t_df=df, noise_scale=scale), distance=DISTANCE_DOC)


def multi_outliers():
  seed, n, beta = 120, 120, (1.0, 2.0, -1.0, 0.5)
  rng = np.random.default_rng(seed)
  x = rng.normal(0, 1, (n, 3))
  x[:, 1] += 0.5 * x[:, 0]
  y = beta[0] + x @ np.array(beta[1:]) + rng.normal(0, 0.5, n)
  rows = rng.choice(n, size=18, replace=False)
  vertical, leverage = rows[:12], rows[12:]
  y[vertical] += 8 + rng.normal(0, 1, 12)
  x[leverage, 0] = 5 + rng.uniform(0, 1, 6)
  x[leverage, 1] = -3 + rng.uniform(0, 1, 6)
  y[leverage] = -4 + rng.normal(0, 0.5, 6)
  write_csv("multi_outliers", ["x1", "x2", "x3", "y"], [x[:, 0], x[:, 1], x[:, 2], y])
  return dict(intercept=beta[0], x1=beta[1], x2=beta[2], x3=beta[3], generation=dict(
      recipe="x ~ N(0, I3), x2 += 0.5 x1; y = 1 + 2 x1 - x2 + 0.5 x3 + N(0, 0.5^2); 12 vertical outliers "
             "y += 8 + N(0,1); 6 leverage points x1 = 5 + U[0,1], x2 = -3 + U[0,1], y = -4 + N(0, 0.5^2)",
      rng="numpy.random.default_rng", seed=seed, n=n, noise_sd=0.5,
      vertical_outlier_rows=sorted(int(i) for i in vertical),
      leverage_rows=sorted(int(i) for i in leverage)))


def gaussian_line():
  seed, n, a0, b0 = 500, 500, 1.0, 3.0
  rng = np.random.default_rng(seed)
  x = rng.uniform(0, 10, n)
  y = a0 + b0 * x + rng.normal(0, 1, n)
  write_csv("gaussian_line", ["x", "y"], [x, y])
  return dict(intercept=a0, x=b0, generation=dict(
      recipe="x ~ U[0,10]; y = 1 + 3 x + N(0, 1)", rng="numpy.random.default_rng", seed=seed, n=n,
      noise_sd=1.0), distance=DISTANCE_DOC)


def stackloss():
  import statsmodels.api as sm
  d = sm.datasets.stackloss.load_pandas().data
  cols = [d["AIRFLOW"], d["WATERTEMP"], d["ACIDCONC"], d["STACKLOSS"]]
  for c in cols:
    assert np.all(c == np.round(c))
  write_csv("stackloss", ["air_flow", "water_temp", "acid_conc", "stack_loss"], cols, integer=True)


def distances(beta, truth):
  a0, b0 = truth
  return dict(rms_line=rr.line_distance(beta, truth, 0.0, 10.0),
              coefficients=math.hypot(beta[0] - a0, beta[1] - b0))


def check_line_outliers(truth):
  _, X, y, _ = rr.read_csv(os.path.join(OUT, "line_outliers.csv"))
  t = (truth["intercept"], truth["x"])
  fits = {"l2": rr.ols(X, y), "l1": rr.l1_linprog(X, y)[0]}
  for name in ("huber", "pseudo-huber", "cauchy", "geman-mcclure", "welsch", "tukey"):
    res = rr.irls(X, y, name)
    assert res["converged"], name
    fits[name] = res["beta"]
  d = {k: distances(v, t) for k, v in fits.items()}
  print("line_outliers: distance to the true line (Docs/spec.md default scales, IRLS with MAD updated each step)")
  for k, v in d.items():
    print(f"  {k:14s} intercept={fits[k][0]: .6f} slope={fits[k][1]: .6f}  rms_line={v['rms_line']:.4f}  "
          f"coefficients={v['coefficients']:.4f}")
  for metric in ("rms_line", "coefficients"):
    m = {k: v[metric] for k, v in d.items()}
    assert m["l2"] == max(m.values()), metric
    assert m["pseudo-huber"] < m["l2"], metric
    for k in ("cauchy", "geman-mcclure", "welsch"):
      assert m[k] < 0.95 * m["l1"], (metric, k)
    assert m["cauchy"] == min(m.values()), metric
    assert m["cauchy"] < m["geman-mcclure"] < m["welsch"], metric
  return {k: dict(beta=[float(c) for c in fits[k]], distance_rms_line=v["rms_line"],
                 distance_coefficients=v["coefficients"]) for k, v in d.items()}


def main():
  os.makedirs(OUT, exist_ok=True)
  truths = {
      "line_outliers": line_outliers(),
      "seventy_thirty": seventy_thirty(),
      "heavy_tailed": heavy_tailed(),
      "multi_outliers": multi_outliers(),
      "gaussian_line": gaussian_line(),
  }
  stackloss()
  truths["line_outliers"]["reference_check"] = dict(
      note="distances reached by Scripts/make_fixtures.py's own IRLS (Docs/spec.md default scales); informational",
      fits=check_line_outliers(truths["line_outliers"]))
  for name, truth in truths.items():
    write_truth(name, truth)
  print("wrote", ", ".join(f"Fixtures/{n}.csv" for n in list(truths) + ["stackloss"]), "and the truth files")


if __name__ == "__main__":
  main()
