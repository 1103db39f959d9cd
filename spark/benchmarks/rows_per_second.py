"""Rows per second per core of a fit (Huber by default): robustfit_spark in Spark local[N] against the CLI,
on the standard benchmark data (robustfit-bench --csv, n rows, p = 10) written as Parquet with 8
partitions; with --weighted a case-weights column w (whole numbers 1-3, seeded) is added first.

    python3 spark/benchmarks/rows_per_second.py [--n 1e6] [--cores 2] [--repeats 3] [--loss huber] [--weighted]

Prints the median wall time of each (CLI: the whole process, CSV parse included; Spark: fit() on the
cached Parquet DataFrame, Spark's start and the first read excluded), rows × iterations / (time × cores),
and the pass counts.
"""
import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "spark"))
os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [os.path.join(ROOT, "spark"), os.environ.get("PYTHONPATH")]))

from pyspark.sql import SparkSession  # noqa: E402

import robustfit_spark  # noqa: E402


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", default="1e6")
    parser.add_argument("--cores", type=int, default=2)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--loss", default="huber")
    parser.add_argument("--weighted", action="store_true")
    args = parser.parse_args()
    n = int(float(args.n))
    work = tempfile.mkdtemp()
    csv = os.path.join(work, "bench.csv")
    subprocess.run([os.path.join(ROOT, ".build/release/robustfit-bench"), "--n", str(n), "--p", "10", "--csv", csv],
                   check=True, capture_output=True)
    weights = None
    if args.weighted:
        import numpy as np
        import pandas as pd
        table = pd.read_csv(csv)
        table["w"] = np.random.default_rng(1).integers(1, 4, len(table)).astype(float)
        table.to_csv(csv, index=False)
        weights = "w"
    spark = (SparkSession.builder.master(f"local[{args.cores}]").config("spark.ui.enabled", "false")
             .config("spark.sql.execution.arrow.maxRecordsPerBatch", "65536").getOrCreate())
    spark.sparkContext.setLogLevel("ERROR")
    parquet = os.path.join(work, "bench.parquet")
    spark.read.csv(csv, header=True, inferSchema=True).repartition(8).write.parquet(parquet)
    df = spark.read.parquet(parquet).cache()
    df.count()
    cli, distributed = [], []
    for _ in range(args.repeats):
        start = time.perf_counter()
        command = [os.path.join(ROOT, ".build/release/robustfit"), csv, "--loss", args.loss, "--format", "json"]
        command += ["--weights", weights] if weights else []
        single = json.loads(subprocess.run(command, check=True, capture_output=True, text=True).stdout)
        cli.append(time.perf_counter() - start)
        start = time.perf_counter()
        result = robustfit_spark.fit(df, y="y", loss=args.loss, weights=weights, cache=False)
        distributed.append(time.perf_counter() - start)
    # Spark's floor per pass: the same mapInArrow over the same cached data, counting rows only.
    import pyarrow as pa

    def count(batches):
        yield pa.RecordBatch.from_arrays([pa.array([sum(b.num_rows for b in batches)], pa.int64())], names=["n"])
    floors = []
    for _ in range(3):
        start = time.perf_counter()
        df.mapInArrow(count, "n long").collect()
        floors.append(time.perf_counter() - start)
    print(f"a counting mapInArrow pass: median {statistics.median(floors):.2f} s of {[round(x, 2) for x in floors]}")
    worst = max(abs(result["coefficients"][k] - v) / abs(v) for k, v in single["coefficients"].items())
    iterations = result["iterations"]
    for name, times, cores in (("CLI", cli, 2), ("Spark local", distributed, args.cores)):
        t = statistics.median(times)
        print(f"{name:12s} median {t:8.2f} s of {[round(x, 2) for x in times]}; "
              f"{n * iterations / t / cores:12.0f} row-iterations per second per core")
    print(f"iterations {iterations}; passes {result['passes']}; largest relative coefficient difference {worst:.2e}")
    print(f"Spark / CLI time: {statistics.median(distributed) / statistics.median(cli):.1f}")
    spark.stop()
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
