#!/usr/bin/env bash
# Checks that every mermaid chart `kpi report` writes parses and renders with mermaid itself:
# `@mermaid-js/mermaid-cli` (installed under target/mermaid-cli on first use, about 500 MB) drives
# Debian's chromium, so puppeteer downloads no browser of its own. Not part of .ci/run, which
# stays within cargo and the apt packages; run it after changing the charts.
#
#   scripts/check-mermaid.sh            # every example, with charts of several metrics
#   MERMAID_CLI_VERSION=11.17.0 ...     # another mermaid-cli
set -euo pipefail
cd "$(dirname "$0")/.."
version=${MERMAID_CLI_VERSION:-11.17.0}
tools=target/mermaid-cli
chromium=$(command -v chromium || true)
[[ -n $chromium ]] || { echo "error: chromium is not installed; apt-get install chromium" >&2; exit 2; }
if [[ ! -x $tools/node_modules/.bin/mmdc ]]; then
  mkdir -p "$tools"
  PUPPETEER_SKIP_DOWNLOAD=1 npm install --prefix "$tools" --no-audit --no-fund --silent \
    "@mermaid-js/mermaid-cli@$version"
fi
cargo build --quiet
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
printf '{"executablePath": "%s", "args": ["--no-sandbox", "--disable-gpu"]}\n' "$chromium" >"$work/puppeteer.json"
# A one-point history, so that a single value is checked too.
printf 'date,metric,value\n2026-11-23,mttr,45m\n' >"$work/one-point.csv"
reports=(
  "examples/weekly-history.csv --chart mttr --chart cpu_utilisation --chart error_rate"
  "examples/services.csv --chart response_time --chart mttr"
  "$work/one-point.csv --chart mttr"
)
charts=0
for args in "${reports[@]}"; do
  # shellcheck disable=SC2086 # the arguments are words
  target/debug/kpi report $args >"$work/report.md"
  # One file per chart: mermaid-cli names the diagram that fails.
  awk -v dir="$work" '/^```mermaid$/ { n++; file = dir "/chart-" n ".mmd"; next }
    /^```$/ { file = ""; next } file { print > file }' "$work/report.md"
  for chart in "$work"/chart-*.mmd; do
    if ! out=$(PUPPETEER_EXECUTABLE_PATH=$chromium "$tools/node_modules/.bin/mmdc" --quiet \
      -p "$work/puppeteer.json" -i "$chart" -o "${chart%.mmd}.svg" 2>&1); then
      echo "error: mermaid could not render a chart of \`kpi report $args\`:" >&2
      cat "$chart" >&2
      echo "$out" >&2
      exit 1
    fi
    grep -q '<svg' "${chart%.mmd}.svg"
    charts=$((charts + 1))
    rm -f "$chart"
  done
done
echo "mermaid rendered all $charts charts"
