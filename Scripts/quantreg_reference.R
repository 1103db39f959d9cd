# Reference standard errors of the L1 (median) fit: R's quantreg `summary.rq(se = "iid")` and
# `summary.rq(se = "nid")` on the data sets of Fixtures/leverage (response first), written to
# Fixtures/reference/quantreg_iid.json and Fixtures/reference/quantreg_nid.json. The nid file also holds
# what the sandwich is made of: the bandwidth h, the quantile fits at 1/2 - h and 1/2 + h (rq.fit, method
# "br", as summary.rq calls it) and the count of quantreg's warning "k non-positive fis".
# Run from the repository root: Rscript Scripts/quantreg_reference.R
suppressMessages(library(quantreg))
sets <- c("stackloss", "phosphor", "hbk", "salinity", "aircraft", "coleman")
num <- function(v) paste0("[", paste(sprintf("%.17g", v), collapse = ", "), "]")
generator <- sprintf('  "generator": "Scripts/quantreg_reference.R, %s, quantreg %s",', R.version.string,
                     packageVersion("quantreg"))
out <- c("{", generator, '  "fits": {')
nid <- c("{", generator, '  "fits": {')
for (k in seq_along(sets)) {
  d <- read.csv(sprintf("Fixtures/leverage/%s.csv", sets[k]))
  f <- suppressWarnings(rq(as.formula(paste(names(d)[1], "~ .")), data = d))
  s <- suppressWarnings(summary(f, se = "iid"))
  out <- c(out, sprintf('    "%s": {"coefficients": %s, "standard_errors": %s}%s', sets[k], num(coef(f)),
                        num(s$coefficients[, 2]), if (k < length(sets)) "," else ""))
  # nid, with its warning counted rather than printed.
  nonpositive <- 0
  s <- withCallingHandlers(summary(f, se = "nid"), warning = function(w) {
    m <- regmatches(conditionMessage(w), regexpr("^[0-9]+(?= non-positive fis)", conditionMessage(w), perl = TRUE))
    if (length(m)) nonpositive <<- as.integer(m)
    invokeRestart("muffleWarning")
  })
  # The pieces, as summary.rq makes them (tau = 1/2, hs = TRUE).
  x <- cbind(1, as.matrix(d[, -1])); y <- d[[1]]
  h <- bandwidth.rq(0.5, nrow(d), hs = TRUE)
  while ((0.5 - h < 0) || (0.5 + h > 1)) h <- h / 2
  blo <- suppressWarnings(rq.fit(x, y, tau = 0.5 - h, method = "br")$coef)
  bhi <- suppressWarnings(rq.fit(x, y, tau = 0.5 + h, method = "br")$coef)
  nid <- c(nid, sprintf(paste0('    "%s": {"coefficients": %s, "standard_errors": %s, "bandwidth": %s, ',
                               '"low_quantile_coefficients": %s, "high_quantile_coefficients": %s, ',
                               '"non_positive_fis": %d}%s'),
                        sets[k], num(coef(f)), num(s$coefficients[, 2]), sprintf("%.17g", h), num(blo), num(bhi),
                        nonpositive, if (k < length(sets)) "," else ""))
}
writeLines(c(out, "  }", "}"), "Fixtures/reference/quantreg_iid.json")
writeLines(c(nid, "  }", "}"), "Fixtures/reference/quantreg_nid.json")
