"""The distributed fit against the single-machine CLI: every coefficient, the scale c, σ̂ and the standard
errors to 1e-10 relative, on the repository's fixtures and on a generated 1e6-row, p = 10 Parquet file
written with 8 partitions; 2 vs 8 partitions and a shuffled row order must not change the answer beyond
that. Needs Spark (local[2]), the release library and the release CLI (spark/run_tests.sh builds them).
"""
import json
import os
import subprocess
import sys
import tempfile
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "spark"))
# Spark's Python workers import robustfit_spark too (on a cluster: pip install spark/ on every node).
os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [os.path.join(ROOT, "spark"), os.environ.get("PYTHONPATH")]))

from pyspark.sql import SparkSession, functions as F  # noqa: E402

import robustfit_spark  # noqa: E402

CLI = os.path.join(ROOT, ".build", "release", "robustfit")
BENCH = os.path.join(ROOT, ".build", "release", "robustfit-bench")
TOLERANCE = 1e-10
# MM above the driver's limit starts from another sample than the CLI's and stops at the IRLS tolerance
# 1e-10 (relative change) from there: measured 8.9e-16 on the coefficients, 4.0e-12 on the standard errors.
MM_TOLERANCE = 1e-9
# Rows of the generated file: ROBUSTFIT_SPARK_ROWS overrides (the acceptance figure is 1e6).
BIG_ROWS = int(float(os.environ.get("ROBUSTFIT_SPARK_ROWS", "1e6")))


def cli_fit(path, loss, alpha=None, weights=None):
    command = [CLI, path, "--loss", loss, "--format", "json"]
    if alpha is not None:
        command += ["--alpha", repr(alpha)]
    if weights is not None:
        command += ["--weights", weights]
    return json.loads(subprocess.run(command, check=True, capture_output=True, text=True).stdout)


def relative(a, b):
    return abs(a - b) / max(abs(a), abs(b), 1e-300)


class Parity(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.spark = (SparkSession.builder.master("local[2]").appName("robustfit-spark-tests")
                     .config("spark.ui.enabled", "false")
                     .config("spark.sql.execution.arrow.maxRecordsPerBatch", "65536")
                     .getOrCreate())
        cls.spark.sparkContext.setLogLevel("ERROR")
        cls.temporary = tempfile.TemporaryDirectory()

    @classmethod
    def tearDownClass(cls):
        cls.spark.stop()
        cls.temporary.cleanup()

    def assertSameFit(self, distributed, single, label, tolerance=TOLERANCE):
        names = list(single["coefficients"])
        self.assertEqual(list(distributed["coefficients"]), names, label)
        worst = 0.0
        for name in names:
            for key in ("coefficients", "standard_errors"):
                error = relative(distributed[key][name], single[key][name])
                worst = max(worst, error)
                self.assertLessEqual(error, tolerance, f"{label}: {key}[{name}] {distributed[key][name]!r} "
                                                       f"vs {single[key][name]!r}")
        for key in ("scale", "sigma", "alpha", "alpha_se"):
            theirs = distributed["alpha_standard_error" if key == "alpha_se" else key]
            if single.get(key) is None:
                self.assertIsNone(theirs, f"{label}: {key}")
                continue
            error = relative(theirs, single[key])
            worst = max(worst, error)
            self.assertLessEqual(error, tolerance, f"{label}: {key} {theirs!r} vs {single[key]!r}")
        self.assertEqual(distributed["termination"], single["termination"], label)
        print(f"  {label}: n = {distributed['n']}, {distributed['iterations']} iterations "
              f"(CLI {single['iterations']}), largest relative difference {worst:.2e}", flush=True)
        return worst

    def assertSameShape(self, distributed, single, label, tolerance=TOLERANCE):
        """The adaptive fit's se(c) and α's profile-likelihood interval (its ends found to 5e-4 in α by the
        same search over the same profiled fits: equal to the fits' digits)."""
        if single.get("scale_se") is None:
            self.assertIsNone(distributed["scale_standard_error"], f"{label}: scale_se")
        else:
            self.assertLessEqual(relative(distributed["scale_standard_error"], single["scale_se"]), tolerance,
                                 f"{label}: scale_se")
        self.assertEqual(distributed["alpha_interval_method"], "profile likelihood", label)
        for mine, theirs in zip(distributed["alpha_interval"], single["alpha_interval"]):
            self.assertLessEqual(abs(mine - theirs), 1e-8, f"{label}: alpha_interval {distributed['alpha_interval']} "
                                                         f"vs {single['alpha_interval']}")
        self.assertEqual(distributed["alpha_interval_on_bound"], single["alpha_interval_on_bound"], label)

    def assertSameSummary(self, distributed, single, label, tolerance=TOLERANCE):
        """`summary=True`'s residual quantiles (R's type 7), outlier count and (l2) R² against the CLI's report:
        the same numbers at β̂, which agree to the fits' digits."""
        quantiles = single["residual_quantiles"]
        spread = max(abs(v) for v in quantiles.values())
        for mine, key in zip(distributed["residual_quantiles"], ("min", "q1", "median", "q3", "max")):
            self.assertLessEqual(abs(mine - quantiles[key]), tolerance * spread,
                                 f"{label}: residual quantile {key} {mine!r} vs {quantiles[key]!r}")
        self.assertEqual(distributed["outlier_count"], single["outlier_count"], f"{label}: outlier count")
        self.assertEqual(distributed["outlier_threshold"], single["outlier_threshold"], label)
        for key in ("r_squared", "adj_r_squared"):
            if single.get(key) is None:
                self.assertIsNone(distributed.get(key), f"{label}: {key}")
            else:
                self.assertLessEqual(relative(distributed[key], single[key]), tolerance, f"{label}: {key}")

    def test_fixtures(self):
        cases = [("stackloss.csv", "huber", None), ("multi_outliers.csv", "l2", None),
                 ("seventy_thirty.csv", "pseudo-huber", None), ("heavy_tailed.csv", "general", 1.5)]
        for file, loss, alpha in cases:
            path = os.path.join(ROOT, "Fixtures", file)
            single = cli_fit(path, loss, alpha)
            df = self.spark.read.csv(path, header=True, inferSchema=True)
            distributed = robustfit_spark.fit(df, y=single["y"], loss=loss, alpha=alpha, summary=True)
            self.assertSameFit(distributed, single, f"{file} {loss}")
            self.assertSameSummary(distributed, single, f"{file} {loss}")

    def test_case_weights(self):
        """Frequency weights: the fixture's whole weights, and fractional ones added to a fixture."""
        import numpy as np
        import pandas as pd
        table = pd.read_csv(os.path.join(ROOT, "Fixtures", "heavy_tailed.csv"))
        table["w"] = np.random.default_rng(17).uniform(0.05, 2.0, len(table)).round(6)
        fractional = os.path.join(self.temporary.name, "heavy_tailed_weighted.csv")
        table.to_csv(fractional, index=False)
        cases = [(os.path.join(ROOT, "Fixtures", "weighted_line.csv"), "huber", None, 1),
                 (fractional, "general", 1.5, 3)]
        for path, loss, alpha, partitions in cases:
            single = cli_fit(path, loss, alpha, weights="w")
            df = self.spark.read.csv(path, header=True, inferSchema=True).repartition(partitions)
            distributed = robustfit_spark.fit(df, y=single["y"], loss=loss, alpha=alpha, weights="w")
            self.assertSameFit(distributed, single,
                               f"{os.path.basename(path)} {loss}, weights w, {partitions} partition(s)")

    def test_driver_rows(self):
        """Adaptive, MM, S and L1 on fixtures (at most the driver's limit of rows): every row on the driver in
        the canonical order (y, x..., w increasing lexicographically), against the CLI on the file sorted so."""
        import pandas as pd
        cases = [("stackloss.csv", "adaptive", None), ("seventy_thirty.csv", "adaptive", None),
                 ("multi_outliers.csv", "mm", None), ("heavy_tailed.csv", "s", None),
                 ("weighted_line.csv", "l1", "w"), ("weighted_line.csv", "mm", "w")]
        for file, loss, weights in cases:
            path = os.path.join(ROOT, "Fixtures", file)
            table = pd.read_csv(path)
            y = cli_fit(path, "l2", weights=weights)["y"]
            x = [c for c in table.columns if c not in (y, weights)]
            ordered = table.sort_values([y] + x + ([weights] if weights else []), kind="mergesort")
            canonical = os.path.join(self.temporary.name, f"canonical_{file}")
            ordered.to_csv(canonical, index=False)
            single = cli_fit(canonical, loss, weights=weights)
            df = self.spark.read.csv(path, header=True, inferSchema=True).repartition(3)
            distributed = robustfit_spark.fit(df, y=y, x=x, loss=loss, weights=weights)
            self.assertEqual(distributed["passes"], {"range": 1, "rows": 1})
            self.assertSameFit(distributed, single, f"{file} {loss}{', weights' if weights else ''}, 3 partitions")
            # Against the file in its own order: the random subsets of the start differ with the order.
            original = cli_fit(path, loss, weights=weights)
            gap = max(relative(distributed["coefficients"][n], original["coefficients"][n]) for n in x)
            print(f"    vs the CLI on the file in its own row order: largest coefficient difference {gap:.1e}")

    def test_conditioned(self):
        """Data that need a change of units or origin (an epoch timestamp predictor, y in units of 1e-200, y +
        1e15): conditioned as the CLI's fit in memory conditions them, the sums and Tukey above the driver's
        limit; and α = -inf (welsch) comes back as float('-inf'), the CLI's JSON string "-inf"."""
        import numpy as np
        import pandas as pd
        rng = np.random.default_rng(17)
        n = 3000
        t = 1.7e9 + np.round(rng.uniform(0, 1e5, n))
        b = rng.uniform(0, 10, n)
        y = 1 + 3e-5 * (t - 1.7e9) - 0.25 * b + rng.uniform(-0.3, 0.3, n)
        y[::37] += 15 + rng.uniform(0, 10, len(y[::37]))
        for label, response, loss in (("t, y * 1e-200", y * 1e-200, "huber"), ("t, y + 1e15", y + 1e15, "tukey")):
            path = os.path.join(self.temporary.name, "conditioned.csv")
            pd.DataFrame({"t": t, "b": b, "y": response}).to_csv(path, index=False, float_format="%.17g")
            df = self.spark.read.csv(path, header=True, inferSchema=True).repartition(3)
            distributed = robustfit_spark.fit(df, y="y", x=["t", "b"], loss=loss)
            self.assertSameFit(distributed, cli_fit(path, loss), f"{label}, {loss}, 3 partitions")
        small = os.path.join(ROOT, "Fixtures", "stackloss.csv")
        single = cli_fit(small, "welsch")
        self.assertEqual(single["alpha"], "-inf")
        frame = self.spark.read.csv(small, header=True, inferSchema=True)
        welsch = robustfit_spark.fit(frame, y=single["y"], loss="welsch")
        self.assertEqual(welsch["alpha"], float("-inf"))

    def test_generated_parquet_and_partitioning(self):
        csv = os.path.join(self.temporary.name, "bench.csv")
        subprocess.run([BENCH, "--n", str(BIG_ROWS), "--p", "10", "--csv", csv], check=True,
                       capture_output=True)
        single = cli_fit(csv, "huber")
        parquet = os.path.join(self.temporary.name, "bench.parquet")
        (self.spark.read.csv(csv, header=True, inferSchema=True).repartition(8)
         .write.mode("overwrite").parquet(parquet))
        df = self.spark.read.parquet(parquet)
        self.assertEqual(df.rdd.getNumPartitions() >= 2, True)
        columns = [c for c in df.columns if c != "y"]
        eight = robustfit_spark.fit(df.repartition(8), y="y", x=columns, loss="huber", summary=True)
        self.assertSameFit(eight, single, "1e6 × 10 Parquet, 8 partitions")
        self.assertSameSummary(eight, single, "1e6 × 10 Parquet, 8 partitions")
        shuffled = df.orderBy(F.rand(seed=7)).repartition(2)
        two = robustfit_spark.fit(shuffled, y="y", x=columns, loss="huber")
        self.assertSameFit(two, single, "1e6 × 10 Parquet, shuffled, 2 partitions")
        # Case weights (whole numbers 0-3, some rows left out) on the same rows: CLI --weights w.
        import numpy as np
        import pandas as pd
        table = pd.read_csv(csv)
        table["w"] = np.random.default_rng(5).integers(0, 4, len(table)).astype(float)
        weighted_csv = os.path.join(self.temporary.name, "bench_weighted.csv")
        table.to_csv(weighted_csv, index=False)
        weighted_single = cli_fit(weighted_csv, "huber", weights="w")
        weighted_parquet = os.path.join(self.temporary.name, "bench_weighted.parquet")
        table.to_parquet(weighted_parquet, index=False)
        weighted = self.spark.read.parquet(weighted_parquet).repartition(8)
        eight_weighted = robustfit_spark.fit(weighted, y="y", x=columns, loss="huber", weights="w")
        self.assertSameFit(eight_weighted, weighted_single, "1e6 × 10, weights w, 8 partitions")
        # Adaptive above the driver's limit of rows (Docs/scaling.md): the start and the α scan on the keyed
        # sample of 2000 rows in memory on the driver (the rows the CLI's fit in memory scans too), the
        # descent, the observed information and the profile interval of α as passes over all rows.
        adaptive_single = cli_fit(csv, "adaptive")
        for frame, label in ((df.repartition(8), "8 partitions"), (shuffled, "shuffled, 2 partitions")):
            started = time.monotonic()
            adaptive = robustfit_spark.fit(frame, y="y", x=columns, loss="adaptive")
            seconds = time.monotonic() - started
            self.assertSameFit(adaptive, adaptive_single, f"1e6 × 10 Parquet, adaptive, {label}")
            self.assertSameShape(adaptive, adaptive_single, f"1e6 × 10 Parquet, adaptive, {label}")
            print(f"    {sum(adaptive['passes'].values())} passes in {seconds:.0f} s: {adaptive['passes']}", flush=True)
        # MM above it: fast-S on a keyed sample of 2000 rows, then S refinement, M-scale, MM steps and
        # covariance as passes over all rows. Only the start differs from the CLI's (its 2000 random rows
        # by index); both refine to the same S minimum and iterate to the same MM fixed point
        # (Docs/scaling.md: measured 8.9e-16 on the coefficients, 4.0e-12 on the standard errors).
        mm = robustfit_spark.fit(df.repartition(8), y="y", x=columns, loss="mm")
        self.assertSameFit(mm, cli_fit(csv, "mm"), "1e6 × 10 Parquet, mm, 8 partitions", tolerance=MM_TOLERANCE)
        # Tukey's bisquare above it (a redescending M-estimate): the S-estimate of all rows as the start (MM's
        # steps), then IRLS with c = k·σ̂ and the sandwich as passes. The CLI starts from its own S-estimate;
        # the iterations contract the difference of the starts to rounding (measured 4.6e-15 out of core).
        tukey = robustfit_spark.fit(df.repartition(8), y="y", x=columns, loss="tukey")
        self.assertSameFit(tukey, cli_fit(csv, "tukey"), "1e6 × 10 Parquet, tukey, 8 partitions")


if __name__ == "__main__":
    unittest.main(verbosity=2)
