# The two commands of README.md: `make demo` installs what is missing and fits the shipped fixture
# with the adaptive loss; `make test` runs the test suite.
SWIFT ?= swift
FIXTURE ?= Fixtures/line_outliers.csv

.PHONY: deps demo test release bench

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

test: deps
	$(SWIFT) test

bench: deps
	$(SWIFT) run -c release robustfit-bench
