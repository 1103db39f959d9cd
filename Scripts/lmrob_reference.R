#!/usr/bin/env Rscript
## lmrob_reference.R -- reference fits from R's robustbase::lmrob (its default
## MM-estimator: fast-S initial estimate with bisquare rho, c = 1.54764, b = 0.5,
## then a bisquare M-step with c = 4.685061 at the fixed S-scale) for the
## robustfit S/MM implementation.
##
## What it writes (paths relative to the repository root, which must be the
## working directory):
##   Fixtures/leverage/<name>.csv   each data set: header row, response first,
##                                  then the predictors in formula order, no
##                                  row names, 17 significant digits.
##   Fixtures/reference/lmrob.json  per data set: n, p, coefficient names, MM and
##                                  S coefficients, scales, standard errors
##                                  (sqrt(diag(vcov(fit))), i.e. .vcov.avar1),
##                                  robust R^2 / adjusted R^2, robustness
##                                  weights, convergence, iterations, the control
##                                  values used, and any warnings; plus the R and
##                                  robustbase versions that produced the file.
##                                  Every number is the shortest decimal (15-17
##                                  significant digits) that reads back exactly.
##
## How to run (from the repository root):
##   Rscript Scripts/lmrob_reference.R
## Needs: R with robustbase and MASS (for hills); the JSON is written by hand
## (17 significant digits at most). On Debian:
##   apt-get install r-base-core r-cran-robustbase r-cran-mass
##
## Randomness: fast-S draws random subsamples with R's RNG; set.seed(1) is called
## immediately before each lmrob() call (lmrob.control(seed = NULL), the
## default, means lmrob uses the global RNG stream). Results are therefore
## reproducible in R for a given R/robustbase version, but a different RNG
## (as in Swift) will draw different subsamples: S-estimates agree only to the
## extent that the S objective has a well-separated global minimum.
##
## The versions of R and robustbase used are recorded in the JSON output
## ("R_version", "robustbase_version", "MASS_version").

suppressPackageStartupMessages(library(robustbase))
options(digits = 17)

outDir.csv  <- file.path("Fixtures", "leverage")
outFile.json <- file.path("Fixtures", "reference", "lmrob.json")
dir.create(outDir.csv, recursive = TRUE, showWarnings = FALSE)
dir.create(dirname(outFile.json), recursive = TRUE, showWarnings = FALSE)

getData <- function(name, pkg) {
    e <- new.env()
    utils::data(list = name, package = pkg, envir = e)
    get(name, envir = e)
}

specs <- list(
    list(name = "starsCYG",  pkg = "robustbase", formula = log.light ~ log.Te),
    list(name = "hbk",       pkg = "robustbase", formula = Y ~ X1 + X2 + X3),
    list(name = "wood",      pkg = "robustbase", formula = y ~ x1 + x2 + x3 + x4 + x5),
    list(name = "stackloss", pkg = "datasets",   formula = stack.loss ~ Air.Flow + Water.Temp + Acid.Conc.),
    list(name = "phosphor",  pkg = "robustbase", formula = plant ~ inorg + organic),
    list(name = "salinity",  pkg = "robustbase", formula = Y ~ X1 + X2 + X3),
    list(name = "coleman",   pkg = "robustbase", formula = Y ~ .),
    list(name = "aircraft",  pkg = "robustbase", formula = Y ~ X1 + X2 + X3 + X4),
    list(name = "hills",     pkg = "MASS",       formula = time ~ dist + climb)
)

## shortest decimal string (15..17 significant digits) that reads back as x
shortest <- function(x) {
    for (d in 15:17) {
        s <- formatC(x, digits = d, format = "g")
        if (as.numeric(s) == x) return(trimws(s))
    }
    trimws(sprintf("%.17g", x))
}

ctrlFields <- c("tuning.chi", "bb", "tuning.psi", "nResample", "k.fast.s",
                "best.r.s", "refine.tol", "rel.tol", "scale.tol", "solve.tol",
                "max.it", "fast.s.large.n", "groups", "n.group", "k.max",
                "maxit.scale", "mts", "subsampling", "psi", "method", "cov")

## A small JSON writer: jsonlite (1.8.x) prints at most 15 significant digits,
## which does not round-trip every double, so numbers go through shortest().
## Vectors wrapped in I() (and any vector of length != 1) become JSON arrays,
## matrices become arrays of rows, named lists become objects.
jstr <- function(s) paste0('"', gsub('"', '\\\\"', gsub("\\\\", "\\\\\\\\", s)), '"')
jscalar <- function(v) {
    if (is.na(v)) "null"
    else if (is.logical(v)) if (v) "true" else "false"
    else if (is.numeric(v)) shortest(v)
    else jstr(as.character(v))
}
toJ <- function(x, indent = "") {
    ind2 <- paste0(indent, "  ")
    if (is.null(x)) return("null")
    if (is.function(x)) return(jstr(paste(deparse(x), collapse = " ")))
    if (is.list(x)) {
        if (!is.null(names(x))) {
            items <- vapply(names(x), function(k)
                paste0(ind2, jstr(k), ": ", toJ(x[[k]], ind2)), "")
            return(paste0("{\n", paste(items, collapse = ",\n"), "\n", indent, "}"))
        }
        items <- vapply(x, function(e) paste0(ind2, toJ(e, ind2)), "")
        return(paste0("[\n", paste(items, collapse = ",\n"), "\n", indent, "]"))
    }
    if (is.matrix(x))
        return(toJ(lapply(seq_len(nrow(x)), function(i) I(unname(x[i, ]))), indent))
    if (length(x) == 1 && !inherits(x, "AsIs")) return(jscalar(x))
    paste0("[", paste(vapply(unclass(x), jscalar, ""), collapse = ", "), "]")
}

results <- list()
for (s in specs) {
    if (s$pkg == "MASS" && !requireNamespace("MASS", quietly = TRUE)) {
        message("MASS not installed: skipping ", s$name); next
    }
    d <- getData(s$name, s$pkg)
    ## response first, then predictors in formula order
    mf <- model.frame(s$formula, data = d)
    csvData <- as.data.frame(lapply(mf, as.numeric))
    csvFile <- file.path(outDir.csv, paste0(s$name, ".csv"))
    ## each number with the fewest significant digits (15, 16 or 17) that
    ## round-trip exactly to the same double
    write.csv(as.data.frame(lapply(csvData, function(v) vapply(v, shortest, ""))),
              csvFile, row.names = FALSE, quote = FALSE)
    ## the fit is done on the CSV columns (same numbers, plain names)
    fml <- as.formula(paste(names(csvData)[1], "~",
                            paste(names(csvData)[-1], collapse = " + ")))
    warns <- character()
    set.seed(1)   # <-- the seed: right before each fit
    fit <- withCallingHandlers(
        lmrob(fml, data = csvData, control = lmrob.control()),
        warning = function(w) { warns <<- c(warns, conditionMessage(w))
                                invokeRestart("muffleWarning") })
    sm <- summary(fit)
    X <- model.matrix(fit)
    n <- nrow(X); p <- ncol(X)
    ctrl <- fit$control
    stopifnot(identical(ctrl$cov, ".vcov.avar1"))
    se <- sqrt(diag(vcov(fit)))
    rw <- unname(fit$rweights)
    results[[s$name]] <- list(
        dataset   = s$name,
        package   = s$pkg,
        formula   = deparse(s$formula),
        csv       = csvFile,
        n = n, p = p,
        intercept = "(Intercept)" %in% colnames(X),
        coefficient_names = I(colnames(X)),
        seed = 1L,
        mm_coefficients = unname(coef(fit)),
        s_coefficients  = unname(fit$init.S$coefficients),
        scale           = fit$scale,           # the S-scale, kept fixed in the M-step
        s_scale         = fit$init.S$scale,
        s_converged     = fit$init.S$converged,
        s_iterations    = fit$init.S$k.iter,   # refinement steps of the best candidate
        standard_errors = unname(se),
        cov_method      = ctrl$cov,
        vcov            = unname(vcov(fit)),
        r_squared       = sm$r.squared,
        adj_r_squared   = sm$adj.r.squared,
        rweights        = rw,
        outliers_lt_0.1_over_n = I(which(rw < 0.1 / n)),  # 1-based row numbers
        converged       = fit$converged,
        iterations      = fit$iter,
        ## fit$loss is 0 in robustbase 0.95-0 (rwls() only fills it when
        ## trace.lev > 0), so the M objective is computed here instead:
        ## mean over i of rho~(r_i / scale) with the bisquare at tuning.psi,
        ## rho~ normalised to sup = 1
        mm_objective    = mean(Mchi(residuals(fit) / fit$scale, ctrl$tuning.psi, ctrl$psi)),
        ## the S equation check: sum_i rho~(r0_i / s) / (n - p), should be bb = 0.5
        s_equation_lhs  = sum(Mchi(fit$init.S$residuals / fit$init.S$scale,
                                   ctrl$tuning.chi, ctrl$psi)) / (n - p),
        residuals       = unname(residuals(fit)),
        ## fit$init.S$residuals as stored by robustbase: NOT exactly y - X b_S but the
        ## residuals of the previous refinement iterate (differences ~1e-7 relative);
        ## .vcov.avar1 uses these
        s_residuals     = unname(fit$init.S$residuals),
        warnings        = I(warns),
        control = c(ctrl[ctrlFields],
                    list(eps.outlier = ctrl$eps.outlier(n)))
    )
    cat(sprintf("%-10s n=%3d p=%d scale=%.10g converged=%s iter=%d\n",
                s$name, n, p, fit$scale, fit$converged, fit$iter))
}

out <- list(
    generator = "Scripts/lmrob_reference.R",
    R_version = R.version.string,
    robustbase_version = as.character(packageVersion("robustbase")),
    MASS_version = if (requireNamespace("MASS", quietly = TRUE))
                       as.character(packageVersion("MASS")) else NA,
    RNGkind = RNGkind(),
    note = paste("lmrob(formula, data, control = lmrob.control()) with set.seed(1)",
                 "before each fit; standard errors are sqrt(diag(vcov(fit))) with",
                 "control$cov = '.vcov.avar1'; every number is the shortest decimal (15-17 significant digits) that reads back as the same double."),
    fits = results)
writeLines(toJ(out), outFile.json)
cat("R:", R.version.string, " robustbase:", as.character(packageVersion("robustbase")), "\n")
cat("wrote", outFile.json, "\n")
