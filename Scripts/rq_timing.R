#!/usr/bin/env Rscript
## rq_timing.R -- time quantreg::rq (median regression, tau = 0.5) on one CSV file, for robustfit's
## performance comparisons (Benchmarks/targets.py, Benchmarks/quantreg_side_by_side.py).
##
## Usage:  Rscript Scripts/rq_timing.R data.csv [methods=pfn] [repetitions=3]
##   data.csv: header row; the response is the column named y (else the first column), the other
##   columns are the predictors. methods: a comma list of rq methods (br, fn, pfn, ...).
## For each method: `repetitions` fits of rq(y ~ ., tau = 0.5, method = m), only the fit timed
## (system.time, not R's start or read.csv); prints
##   method M median_elapsed S times T1 T2 ...
##   coef M b0 b1 ...            (%.17g, intercept first)
## after a "# R x.y quantreg z" line.
suppressPackageStartupMessages(library(quantreg))
args <- commandArgs(trailingOnly = TRUE)
if (length(args) < 1) stop("usage: Rscript rq_timing.R data.csv [methods] [repetitions]")
methods <- if (length(args) >= 2) strsplit(args[2], ",")[[1]] else "pfn"
reps <- if (length(args) >= 3) as.integer(args[3]) else 3L
d <- read.csv(args[1], colClasses = "numeric")
response <- if ("y" %in% names(d)) "y" else names(d)[1]
fml <- as.formula(paste(response, "~ ."))
cat("# R ", R.version$major, ".", R.version$minor, " quantreg ", as.character(packageVersion("quantreg")), "\n",
    sep = "")
for (m in methods) {
    times <- numeric(reps)
    fit <- NULL
    for (k in seq_len(reps)) {
        times[k] <- system.time(fit <- rq(fml, tau = 0.5, data = d, method = m))[["elapsed"]]
    }
    cat("method", m, "median_elapsed", median(times), "times", times, "\n")
    cat("coef", m, sprintf("%.17g", coef(fit)), "\n")
}
