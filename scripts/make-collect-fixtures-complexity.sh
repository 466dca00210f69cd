#!/usr/bin/env bash
# Regenerates tests/fixtures/collect/complexity/ from its small source tree src/ (Python and C
# functions of known cyclomatic complexity). Needs lizard and radon on PATH (`.ci/run`'s virtual
# environment has them: `pip install lizard==1.24.3 radon==6.0.1`).
set -euo pipefail
cd "$(dirname "$0")/../tests/fixtures/collect/complexity"
lizard --csv src > lizard.csv
radon cc -j src > radon.json
radon cc -j --show-closures src > radon-closures.json
{ lizard --version; radon --version; } > versions.txt
# The tools' own summaries of the same tree, which the tests hold kpi's values to.
lizard src > lizard.txt
radon cc -s --show-closures src > radon.txt
