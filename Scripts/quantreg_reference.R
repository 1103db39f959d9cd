# Reference standard errors of the L1 (median) fit: R's quantreg `summary.rq(se = "iid")` on the data sets of
# Fixtures/leverage (response first), written to Fixtures/reference/quantreg_iid.json.
# Run from the repository root: Rscript Scripts/quantreg_reference.R
suppressMessages(library(quantreg))
sets <- c("stackloss", "phosphor", "hbk", "salinity", "aircraft", "coleman")
num <- function(v) paste0("[", paste(sprintf("%.17g", v), collapse = ", "), "]")
out <- c("{", sprintf('  "generator": "Scripts/quantreg_reference.R, %s, quantreg %s",', R.version.string,
                     packageVersion("quantreg")), '  "fits": {')
for (k in seq_along(sets)) {
  d <- read.csv(sprintf("Fixtures/leverage/%s.csv", sets[k]))
  f <- suppressWarnings(rq(as.formula(paste(names(d)[1], "~ .")), data = d))
  s <- suppressWarnings(summary(f, se = "iid"))
  out <- c(out, sprintf('    "%s": {"coefficients": %s, "standard_errors": %s}%s', sets[k], num(coef(f)),
                        num(s$coefficients[, 2]), if (k < length(sets)) "," else ""))
}
writeLines(c(out, "  }", "}"), "Fixtures/reference/quantreg_iid.json")
