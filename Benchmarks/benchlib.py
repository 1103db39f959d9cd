"""What every benchmark script of Benchmarks/ needs: running a command with its wall and CPU time,
timing a call, medians, the robustfit tools' JSON, the standard data files, versions and load.

Imported by the side-by-side scripts (`sys.path` holds this folder when a script in it runs).
"""

import json
import os
import platform
import statistics
import subprocess
import sys
import time

STANDARD_P = 10


def run(command, env=None, stdin=None):
    """(stdout, wall seconds, child CPU seconds) of a subprocess; raises on a non-zero exit."""
    before = os.times()
    wall = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, env=env, stdin=stdin)
    wall = time.perf_counter() - wall
    after = os.times()
    cpu = (after.children_user - before.children_user) + (after.children_system - before.children_system)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(map(str, command))} exited with {done.returncode}: "
                           f"{done.stderr.strip()[:600]}")
    return done.stdout, wall, cpu


def timed(function, *args, **kwargs):
    """(result, wall seconds, process CPU seconds) of one call."""
    wall, cpu = time.perf_counter(), time.process_time()
    result = function(*args, **kwargs)
    return result, time.perf_counter() - wall, time.process_time() - cpu


def median(values):
    return statistics.median(values)


def load_average():
    return os.getloadavg()[0]


def json_lines(text):
    """The JSON objects of a tool's output, one per line that starts with '{'."""
    return [json.loads(line) for line in text.splitlines() if line.strip().startswith("{")]


def bench_fits(bench, n, losses, p=STANDARD_P, repeats=None):
    """`robustfit-bench --json` on the standard data: {loss: record} (fit_seconds is the median of the
    tool's repeats)."""
    command = [bench, "--n", str(n), "--p", str(p), "--loss", ",".join(losses), "--no-marginal", "--json"]
    if repeats is not None:
        command += ["--repeats", str(repeats)]
    out, _, _ = run(command)
    return {record["loss"]: record for record in json_lines(out)}


def standard_csv(bench, n, workdir, p=STANDARD_P):
    """The standard benchmark data as CSV (header x1..x(p-1),y), written once per (n, p)."""
    path = os.path.join(workdir, f"robustfit-bench-n{n}-p{p}.csv")
    if not os.path.exists(path):
        run([bench, "--n", str(n), "--p", str(p), "--csv", path])
    return path


def git_commit():
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
    dirty = subprocess.run(["git", "status", "--porcelain", "--", "Sources"], capture_output=True,
                           text=True).stdout.strip()
    return commit + (" (Sources/ modified in the work tree)" if dirty else "")


def r_versions(rscript="Rscript"):
    """R's version line and robustbase/quantreg versions, or a note when R is missing."""
    code = ('cat(R.version.string, "; robustbase", as.character(packageVersion("robustbase")), '
            '"; quantreg", as.character(packageVersion("quantreg")), "\\n")')
    try:
        out, _, _ = run([rscript, "-e", code])
        return out.strip()
    except (OSError, RuntimeError) as error:
        return f"R not usable ({error})"


def machine_line():
    return (f"{platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, "
            f"python {sys.version.split()[0]}")


def y_first_copy(source, target):
    """A copy of a CSV with its last column (y) moved to the front, each field's text unchanged (the R
    timing scripts take the first column as the response)."""
    with open(source) as inp, open(target, "w") as out:
        for line in inp:
            line = line.rstrip("\n")
            if line:
                head, _, last = line.rpartition(",")
                out.write(f"{last},{head}\n")
