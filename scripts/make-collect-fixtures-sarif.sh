#!/usr/bin/env bash
# Regenerates tests/fixtures/collect/sarif/ from its small source tree src/ (Python with known
# findings). Needs bandit with the bandit-sarif-formatter plugin, and ruff, on PATH (`.ci/run`'s
# virtual environment has them: `pip install bandit==1.9.4 bandit-sarif-formatter==1.1.1
# ruff==0.17.5`). Both tools exit 1 when they find something, as they do here.
set -euo pipefail
cd "$(dirname "$0")/../tests/fixtures/collect/sarif"
rules=E,F,B,S,UP,PTH
bandit -q -f sarif -o bandit.sarif -r src || [ $? -eq 1 ]
ruff check --no-cache --isolated --select "$rules" --output-format sarif src > ruff.sarif || [ $? -eq 1 ]
# The tools' own summaries of the same tree, which the tests hold kpi's counts to.
{ bandit -q -f json -r src || [ $? -eq 1 ]; } | python3 -c 'import json, sys; print(json.dumps(json.load(sys.stdin)["metrics"]["_totals"], indent=2, sort_keys=True))' > bandit-totals.json
ruff check --no-cache --isolated --select "$rules" --statistics src > ruff-statistics.txt || [ $? -eq 1 ]
{ bandit --version | head -1; ruff --version; } > versions.txt
