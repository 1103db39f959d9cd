#!/usr/bin/env Rscript
## lmrob_s_share.R -- how much of robustbase::lmrob's MM time is its S-estimate (fast-S),
## for Docs/performance.md, "MM against robustbase::lmrob".
##
## Usage:  Rscript Benchmarks/lmrob_s_share.R data.csv [repetitions=3]
##   data.csv: header row, the response in the first column, then x1..xk (the y-first copy
##   Benchmarks/lmrob_side_by_side.py writes, e.g. /tmp/lmrob-side-n100000-p10-yfirst.csv).
## Alternates lmrob.S(x, y, lmrob.control()) alone and the full lmrob(y ~ ., data) fit
## (set.seed(1) before each), prints the elapsed times and their medians.
suppressPackageStartupMessages(library(robustbase))
args <- commandArgs(trailingOnly = TRUE)
reps <- if (length(args) >= 2) as.integer(args[2]) else 3L
d <- read.csv(args[1])
fml <- as.formula(paste(names(d)[1], "~ ."))
x <- model.matrix(fml, d)
y <- d[[1]]
ctrl <- lmrob.control()
cat(sprintf("# %s, robustbase %s; n = %d, p = %d\n", R.version.string,
            packageVersion("robustbase"), nrow(x), ncol(x)))
ts <- tm <- numeric(reps)
for (i in seq_len(reps)) {
    set.seed(1); ts[i] <- system.time(s <- lmrob.S(x, y, ctrl))[["elapsed"]]
    set.seed(1); tm[i] <- system.time(m <- lmrob(fml, data = d))[["elapsed"]]
}
cat("lmrob.S elapsed:", sprintf("%.3f", ts), sprintf(" median %.3f\n", median(ts)))
cat("lmrob   elapsed:", sprintf("%.3f", tm), sprintf(" median %.3f\n", median(tm)))
cat(sprintf("S share of lmrob: %.2f; S-scale %.17g (lmrob's %.17g)\n",
            median(ts) / median(tm), s$scale, m$scale))
