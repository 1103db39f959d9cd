#!/usr/bin/env Rscript
## rq_timing.R -- time quantreg::rq (median regression, tau = 0.5) on one CSV file, for the robustfit
## performance comparison (Benchmarks/targets.py).
##
## Usage:  Rscript Scripts/rq_timing.R data.csv [repetitions=3] [method=pfn]
##   data.csv: header row, the response in the first column, then the predictors.
## Fits rq(<first column> ~ ., data, method = method) `repetitions` times and prints the R and quantreg
## versions, every elapsed time, the median elapsed seconds, the objective sum |r| and the
## coefficients with %.17g. Only the fit is timed (system.time), not R's start or read.csv.
suppressPackageStartupMessages(library(quantreg))
args <- commandArgs(trailingOnly = TRUE)
if (length(args) < 1) stop("usage: Rscript rq_timing.R data.csv [repetitions] [method]")
reps <- if (length(args) >= 2) as.integer(args[2]) else 3L
method <- if (length(args) >= 3) args[3] else "pfn"
d <- read.csv(args[1], colClasses = "numeric")
fml <- as.formula(paste(names(d)[1], "~ ."))
cat(sprintf("# %s, quantreg %s, method %s\n", R.version.string, packageVersion("quantreg"), method))
times <- numeric(reps)
fit <- NULL
for (i in seq_len(reps)) {
    times[i] <- system.time(fit <- rq(fml, data = d, tau = 0.5, method = method))[["elapsed"]]
}
cat("elapsed:", sprintf("%.3f", times), "\n")
cat(sprintf("median_elapsed_seconds %.6f\n", median(times)))
r <- d[[1]] - drop(model.matrix(fml, d) %*% coef(fit))  # "pfn" keeps no residuals
cat(sprintf("objective %.17g\n", sum(abs(r))))
cf <- coef(fit)
for (j in seq_along(cf)) cat(sprintf("%s %.17g\n", names(cf)[j], cf[[j]]))
