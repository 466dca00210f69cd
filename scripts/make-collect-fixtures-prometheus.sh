#!/usr/bin/env bash
# Regenerates tests/fixtures/collect/prometheus/: the OpenMetrics samples the Prometheus tests
# backfill (written by the test that holds them equal), and the answers a real Prometheus server
# (Debian's `prometheus` and `promtool`) gives to each built-in query with `scope_label: service`
# at 2026-11-24T00:00:00Z, the instant `--as-of 2026-11-23` queries at.
set -euo pipefail
cd "$(dirname "$0")/.."
out=tests/fixtures/collect/prometheus
KPI_WRITE_FIXTURES=1 cargo test --quiet --test collect_prometheus the_committed_samples_are_the_tests_samples
work=$(mktemp -d)
pid=
cleanup() { [[ -n $pid ]] && kill "$pid" 2>/dev/null; wait 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
promtool tsdb create-blocks-from openmetrics "$out/samples.om" "$work/data" >/dev/null
printf 'global:\n  scrape_interval: 1h\n' >"$work/prometheus.yml"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
prometheus --config.file="$work/prometheus.yml" --storage.tsdb.path="$work/data" \
    --storage.tsdb.retention.time=100y --web.listen-address="127.0.0.1:$port" 2>"$work/log" &
pid=$!
for _ in $(seq 300); do
    curl -fs "http://127.0.0.1:$port/-/ready" >/dev/null && break
    sleep 0.1
done
# Each line of queries.tsv: the metric, a tab, the built-in query (a test holds them equal to
# the collector's own).
while IFS=$'\t' read -r metric expr; do
    curl -fsS "http://127.0.0.1:$port/api/v1/query" --data-urlencode "query=$expr" \
        --data-urlencode "time=1795478400" | python3 -m json.tool --indent 1 >"$out/$metric.json"
    echo "$out/$metric.json: curl -d query=... -d time=1795478400 http://127.0.0.1:$port/api/v1/query"
done <"$out/queries.tsv"
