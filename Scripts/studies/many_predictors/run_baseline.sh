#!/bin/bash
# Run robustfit 0.5.0 --loss adaptive on every data file; JSON to out_rf/
cd "$(dirname "$0")"  # this folder; $ROBUSTFIT names the binary
ls data/*.csv | xargs -P 2 -I{} sh -c 'b=$(basename {} .csv); [ -s out_rf/$b.json ] || ${ROBUSTFIT:-../../../.build/release/robustfit} {} --y 1 --loss adaptive --format json > out_rf/$b.json 2> out_rf/$b.err'
