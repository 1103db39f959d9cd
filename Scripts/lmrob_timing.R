#!/usr/bin/env Rscript
## lmrob_timing.R -- time robustbase::lmrob (default MM: fast-S + bisquare M-step)
## on one CSV file, for the robustfit performance comparison.
##
## Usage:  Rscript Scripts/lmrob_timing.R data.csv [repetitions=3]
##   data.csv: header row, the response in the first column, then x1..xk.
## Fits lmrob(<first column> ~ ., data) `repetitions` times (set.seed(1) before
## each fit, lmrob.control() defaults), and prints the R and robustbase
## versions, every elapsed time, the median elapsed seconds, and the
## coefficients with %.17g.
suppressPackageStartupMessages(library(robustbase))
args <- commandArgs(trailingOnly = TRUE)
if (length(args) < 1) stop("usage: Rscript lmrob_timing.R data.csv [repetitions]")
reps <- if (length(args) >= 2) as.integer(args[2]) else 3L
d <- read.csv(args[1])
fml <- as.formula(paste(names(d)[1], "~ ."))
cat(sprintf("# %s, robustbase %s\n", R.version.string, packageVersion("robustbase")))
cat(sprintf("# file %s: n = %d, k = %d predictors (+ intercept)\n",
            args[1], nrow(d), ncol(d) - 1L))
times <- numeric(reps)
fit <- NULL
for (i in seq_len(reps)) {
    set.seed(1)
    times[i] <- system.time(fit <- lmrob(fml, data = d))[["elapsed"]]
}
cat("elapsed:", sprintf("%.3f", times), "\n")
cat(sprintf("median_elapsed_seconds %.6f\n", median(times)))
cat(sprintf("scale %.17g\n", fit$scale))
cat(sprintf("converged %s iterations %d\n", fit$converged, fit$iter))
cf <- coef(fit)
for (j in seq_along(cf)) cat(sprintf("%s %.17g\n", names(cf)[j], cf[[j]]))
