"""robustfit's M-estimates of a Spark DataFrame.

The fit runs in robustfit's compiled library on the driver (its IRLS loop, the exact MAD scale, the
sandwich standard errors); every pass over the rows is a request the library hands to `_run_pass`, which
runs it with `DataFrame.mapInArrow` on each partition (Arrow batches straight into the library's row
code, no per-row Python), sums each partition's batches in batch order, and merges the partitions in
partition-index order. Python holds no estimator logic: it ships requests and adds arrays.
"""
import ctypes
import json

import numpy as np
import pyarrow as pa
from pyspark import TaskContext
from pyspark.sql import functions as F

from . import _native


class FitError(RuntimeError):
    """The library refused the fit or a pass failed."""


def _batch_pass(lib, request, columns, y, weights, rows):
    """One batch through rf_batch_pass (weights: None, or the batch's case weights): the doubles it wrote."""
    req = request.ctypes.data_as(ctypes.POINTER(ctypes.c_double))
    capacity = lib.rf_batch_capacity(req, request.size, rows)
    if capacity < 0:
        raise FitError("malformed pass request")
    out = np.empty(max(capacity, 1))
    pointers = (ctypes.POINTER(ctypes.c_double) * max(len(columns), 1))(
        *[c.ctypes.data_as(ctypes.POINTER(ctypes.c_double)) for c in columns])
    error = ctypes.create_string_buffer(512)
    written = lib.rf_batch_pass(req, request.size, pointers, len(columns),
                                y.ctypes.data_as(ctypes.POINTER(ctypes.c_double)),
                                None if weights is None else weights.ctypes.data_as(ctypes.POINTER(ctypes.c_double)),
                                rows,
                                out.ctypes.data_as(ctypes.POINTER(ctypes.c_double)), capacity, error, len(error))
    if written < 0:
        raise FitError(error.value.decode())
    return out[:written]


def _column(batch, index):
    array = batch.column(index)
    if array.null_count:
        raise FitError(f"column {batch.schema.names[index]} has {array.null_count} nulls in a batch; "
                       "drop or impute them first")
    return np.ascontiguousarray(array.to_numpy(zero_copy_only=False), dtype=np.float64)


def _partition_function(request_bytes, merge, predictors, weighted, library):
    """The function mapInArrow runs on each partition: its merged answer, tagged with its index."""
    def run(batches):
        lib = _native.load(library)
        request = np.frombuffer(request_bytes, dtype=np.float64).copy()
        partition = TaskContext.get().partitionId()
        total, parts = None, []
        for batch in batches:
            if batch.num_rows == 0:
                continue
            columns = [_column(batch, j) for j in range(predictors)]
            y = _column(batch, predictors)
            weights = _column(batch, predictors + 1) if weighted else None
            answer = _batch_pass(lib, request, columns, y, weights, batch.num_rows)
            if merge == 0:
                total = answer.copy() if total is None else total + answer
            else:
                parts.append(answer)
        if merge == 0 and total is None:
            return
        payload = total if merge == 0 else (np.concatenate(parts) if parts else np.empty(0))
        yield pa.RecordBatch.from_arrays(
            [pa.array([partition], pa.int32()), pa.array([payload.tobytes()], pa.binary())],
            names=["partition", "payload"])
    return run


def _run_pass(data, request, merge, expected, predictors, weighted, library):
    """One pass over every partition of `data`, merged in partition order."""
    function = _partition_function(request.tobytes(), merge, predictors, weighted, library)
    rows = data.mapInArrow(function, "partition int, payload binary").collect()
    rows.sort(key=lambda row: row["partition"])
    arrays = [np.frombuffer(row["payload"], dtype=np.float64) for row in rows]
    if merge == 0:
        merged = np.zeros(expected)
        for part in arrays:
            merged = merged + part
        return merged
    return np.concatenate(arrays) if arrays else np.empty(0)


def fit(df, y="y", x=None, loss="huber", alpha=None, tuning=None, fixed_scale=None, intercept=True,
        weights=None, tolerance=1e-10, max_iterations=500, cache=True, library=None, summary=False,
        outlier_threshold=2.5):
    """Fits y on the columns x (default: every other column but `weights`) of the Spark DataFrame `df`
    with robustfit's `loss` (a CLI --loss name; above max(2000, 50p) rows those Docs/scaling.md
    lists: l2, huber, pseudo-huber, general with alpha <= 2, cauchy, geman-mcclure, welsch, tukey,
    mm, s, adaptive), the MAD scale re-estimated at every step (or `fixed_scale`; adaptive: c estimated
    with alpha, or held at `fixed_scale`). `weights`: a column of case weights (frequency
    weights, >= 0: row i counts as w_i rows, the CLI's --weights). Returns a dict: coefficients and
    standard errors by name, scale (c), sigma (the MAD of the final residuals), objective, iterations,
    termination, n and the passes run, alpha for Barron's family (a float, float('-inf') for welsch and
    general with alpha -inf); for adaptive also alpha_standard_error,
    scale_standard_error, alpha_on_bound, scale_on_bound and alpha's 95 % profile-likelihood interval
    (alpha_interval, alpha_interval_level, alpha_interval_on_bound, alpha_interval_method, and the profile
    points [alpha, NLL, c] it evaluated). `summary`: two or more passes more at the end for the residual
    quantiles (residual_quantiles [min, q1, median, q3, max], R's type 7), outlier_count (|r|/sigma above
    `outlier_threshold`; mm and s: lmrob's robustness weight below 0.1/n, outlier_rule "weight"),
    outlier_threshold, and for l2 r_squared and adj_r_squared (the CLI's report's numbers).
    """
    if x is None:
        x = [c for c in df.columns if c not in (y, weights)]
    x = list(x)
    weighted = weights is not None
    data = df.select(*[F.col(c).cast("double").alias(f"x{j}") for j, c in enumerate(x)],
                     F.col(y).cast("double").alias("y"),
                     *([F.col(weights).cast("double").alias("w")] if weighted else []))
    if cache:
        data = data.cache()
    library = _native.library_path(library)
    lib = _native.load(library)
    nan = float("nan")
    error = ctypes.create_string_buffer(1024)
    handle = lib.rf_fit_create(loss.encode(), nan if alpha is None else alpha, nan if tuning is None else tuning,
                               nan if fixed_scale is None else fixed_scale, len(x), 1 if intercept else 0,
                               1 if weighted else 0, tolerance, max_iterations, error, len(error))
    if not handle:
        raise FitError(error.value.decode())
    if summary:
        lib.rf_fit_set_summary(handle, 1, outlier_threshold)
    kept, failures = [None], []

    def callback(_context, request_pointer, request_count, merge, expected, result, count):
        try:
            request = np.ctypeslib.as_array(request_pointer, (request_count,)).copy()
            merged = np.ascontiguousarray(_run_pass(data, request, merge, expected, len(x), weighted,
                                                           library))
            kept[0] = merged
            result[0] = merged.ctypes.data_as(ctypes.POINTER(ctypes.c_double))
            count[0] = merged.size
            return 0
        except BaseException as exception:  # reported after the library returns
            failures.append(exception)
            return 1

    try:
        status = lib.rf_fit_run(handle, _native.PASS_CALLBACK(callback), None, error, len(error))
        if failures:
            raise FitError(f"a pass failed: {failures[0]}") from failures[0]
        if status != 0:
            raise FitError(error.value.decode())
        size = lib.rf_fit_result_json(handle, None, 0)
        buffer = ctypes.create_string_buffer(size)
        lib.rf_fit_result_json(handle, buffer, size)
        raw = json.loads(buffer.value.decode())
    finally:
        lib.rf_fit_free(handle)
        if cache:
            data.unpersist()
    names = (["intercept"] if intercept else []) + x
    raw["coefficients"] = dict(zip(names, raw["coefficients"]))
    if raw["standard_errors"] is not None:
        raw["standard_errors"] = dict(zip(names, raw["standard_errors"]))
    # α = ±∞ (welsch, general with alpha -inf) comes as the CLI's JSON writes it, the string "-inf"/"inf".
    if isinstance(raw.get("alpha"), str):
        raw["alpha"] = float(raw["alpha"])
    raw["loss"] = loss
    return raw
