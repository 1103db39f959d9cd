# The two commands of README.md: `make demo` installs what is missing and fits the shipped fixture
# with the adaptive loss; `make test` runs the test suite. CI (.ci/run) also runs `make check-docs`
# (the CLI sessions quoted in the docs, replayed); `make docs` builds the DocC documentation.
SWIFT ?= swift
FIXTURE ?= Fixtures/line_outliers.csv

.PHONY: deps demo test check-docs docs release bench reproduce install install-binary uninstall

deps:
	@missing=""; for p in liblapacke-dev libopenblas-dev; do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y --no-install-recommends $$missing; \
	fi

release: deps
	$(SWIFT) build -c release --product robustfit

demo: release
	.build/release/robustfit $(FIXTURE) --loss adaptive

# `make install` builds the release binary and copies it to $(PREFIX)/bin (default /usr/local/bin; no
# root needed for a PREFIX you can write, e.g. `make install PREFIX=$$HOME/.local`). DESTDIR is put in
# front for staged installs. `install-binary` is the copy alone, of $(INSTALL_BINARY).
PREFIX ?= /usr/local
BINDIR = $(PREFIX)/bin
INSTALL_BINARY ?= .build/release/robustfit
install: release
	@$(MAKE) --no-print-directory install-binary

install-binary:
	install -d "$(DESTDIR)$(BINDIR)"
	install -m 755 "$(INSTALL_BINARY)" "$(DESTDIR)$(BINDIR)/robustfit"

uninstall:
	rm -f "$(DESTDIR)$(BINDIR)/robustfit"

# The video's comparison on the three story fixtures (tables on stdout) and the loss-family figures,
# written to $(FIGURES) (default: the committed Docs/figures; see Docs/reproduction.md).
FIGURES ?= Docs/figures
STORY_LOSSES = l2,l1,pseudo-huber,welsch,geman-mcclure,cauchy,adaptive,adaptive:variance
LEVERAGE_LOSSES = l2,l1,huber,tukey,welsch,cauchy,s,mm,adaptive
reproduce: release
	@mkdir -p $(FIGURES)
	.build/release/robustfit compare Fixtures/line_outliers.csv --losses $(STORY_LOSSES) --plot $(FIGURES)/line-outliers.svg
	.build/release/robustfit compare Fixtures/seventy_thirty.csv --losses $(STORY_LOSSES) --plot $(FIGURES)/seventy-thirty.svg
	.build/release/robustfit compare Fixtures/heavy_tailed.csv --losses $(STORY_LOSSES) --plot $(FIGURES)/heavy-tailed.svg
	.build/release/robustfit compare Fixtures/leverage/starsCYG.csv --y log.light --losses $(LEVERAGE_LOSSES) --plot $(FIGURES)/starsCYG.svg
	.build/release/robustfit compare Fixtures/leverage/hbk.csv --y Y --losses $(LEVERAGE_LOSSES)
	.build/release/robustfit compare Fixtures/stackloss.csv --plot $(FIGURES)/stackloss-compare.svg > /dev/null
	.build/release/robustfit Fixtures/stackloss.csv --diagnostics $(FIGURES)/stackloss-diagnostics.svg > /dev/null
	.build/release/robustfit replicates
	.build/release/robustfit Fixtures/seventy_thirty.csv --loss adaptive --profile-plot $(FIGURES)/seventy-thirty-profile.svg > /dev/null
	.build/release/robustfit Fixtures/line_outliers.csv --loss adaptive --criterion variance --profile-plot $(FIGURES)/line-outliers-variance.svg > /dev/null
	.build/release/robustfit figures $(FIGURES)

test: deps
	$(SWIFT) test

# Replays the `$ robustfit ...` sessions quoted in README.md and Docs/*.md against the release binary
# (Scripts/check_doc_sessions.py: text, exit codes and integers exact; full-precision decimals to a
# relative 1e-11, the CPU-dependent summation order of OpenBLAS's kernels). After a deliberate change
# of output, `python3 Scripts/check_doc_sessions.py --update` rewrites the pages.
PYTHON ?= python3
check-docs: release
	$(PYTHON) Scripts/check_doc_sessions.py --binary .build/release/robustfit

bench: deps
	$(SWIFT) run -c release robustfit-bench

# API documentation with DocC (the swiftlang/swift-docc-plugin dependency; `docc` itself comes with the
# toolchain, next to `swift`). The catalog is Sources/RobustRegression/Documentation.docc; the archive
# goes to .build/plugins/Swift-DocC/outputs/RobustRegression.doccarchive (never committed). DOCC_FLAGS
# passes options on to docc, e.g. DOCC_FLAGS=--warnings-as-errors, or --transform-for-static-hosting
# for a folder a plain web server can serve.
DOCC_FLAGS ?=
docs: deps
	$(SWIFT) package generate-documentation --target RobustRegression $(DOCC_FLAGS)

# libFuzzer runs (Tests/Fuzz/README.md): the CSV reader alone, and the whole fit path in-process.
# FUZZ_SECONDS (default 600) bounds each run; corpora and crash files go under /tmp.
FUZZ_SECONDS ?= 600
.PHONY: fuzz-csv fuzz-fit
fuzz-csv:
	swiftc -O -sanitize=fuzzer,address -parse-as-library -module-name CSVFuzz Sources/TabularIO/*.swift \
	  Tests/Fuzz/CSVFuzz.swift -o /tmp/csvfuzz
	mkdir -p /tmp/csvfuzz-corpus
	/tmp/csvfuzz /tmp/csvfuzz-corpus -max_total_time=$(FUZZ_SECONDS) -max_len=4096 -print_final_stats=1

fuzz-fit: deps
	$(SWIFT) build -c release --product robustfit --scratch-path .build-fuzz \
	  -Xswiftc -sanitize=fuzzer,address -Xswiftc -DFUZZING
	mkdir -p /tmp/fitfuzz-corpus /tmp/fitfuzz-artifacts
	SWIFT_BACKTRACE=enable=no ROBUSTFIT_PROGRESS=never .build-fuzz/release/robustfit /tmp/fitfuzz-corpus \
	  Tests/Fuzz/fit-seeds -dict=Tests/Fuzz/fit.dict -max_len=4096 -rss_limit_mb=4096 \
	  -artifact_prefix=/tmp/fitfuzz-artifacts/ -max_total_time=$(FUZZ_SECONDS) -print_final_stats=1
