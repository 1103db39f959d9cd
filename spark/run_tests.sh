#!/usr/bin/env bash
# The Spark tests of robustfit_spark (spark/tests): builds the release library and CLI, installs Java 17
# (Debian's openjdk-17-jre-headless) and pyspark (PyPI) when missing, then fits in Spark local[2] mode
# against the CLI. Called by .ci/run after the Swift tests. When Java or pyspark cannot be installed it
# prints a loud SKIPPED banner and exits 0; any other failure fails.
set -euo pipefail
cd "$(dirname "$0")/.."

skip() {
  echo "##########################################################################"
  echo "##  SKIPPED: the Spark tests of robustfit_spark did not run: $1"
  echo "##########################################################################"
  exit 0
}

if ! command -v java >/dev/null 2>&1; then
  export DEBIAN_FRONTEND=noninteractive
  { apt-get update && apt-get install -y --no-install-recommends openjdk-17-jre-headless; } \
    || skip "openjdk-17-jre-headless could not be installed"
fi
if ! python3 -c "import pyspark, pyarrow, numpy" >/dev/null 2>&1; then
  python3 -m pip install --quiet "pyspark>=3.3" pyarrow numpy || skip "pyspark could not be installed from PyPI"
fi
python3 -c "import pyspark" >/dev/null 2>&1 || skip "pyspark does not import"

swift build -c release --product robustfit_c
swift build -c release --product robustfit
swift build -c release --product robustfit-bench
python3 -W ignore::FutureWarning -m unittest discover -s spark/tests -v
