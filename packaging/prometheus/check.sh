#!/usr/bin/env bash
# The exporter's Prometheus side, as CI checks it: the alert rules load and
# pass their unit tests, and a live /metrics scrape of the exporter over a
# simulated Director passes `promtool check metrics`.
# Usage: packaging/prometheus/check.sh BINARY   (needs promtool, curl)
set -euo pipefail
cd "$(dirname "$0")"
bin=$(realpath "$1")
promtool check rules hybrid-alerts.yml
promtool test rules hybrid-alerts.test.yml
promtool check config prometheus.yml >/dev/null
echo "prometheus.yml: the sample scrape job loads"

work=$(mktemp -d)
pids=()
cleanup() { kill "${pids[@]}" 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
export HYBRID_SETUP_HOME=$work
"$bin" sim >"$work/sim.out" 2>&1 & pids+=($!)
for _ in $(seq 100); do [ -s "$work/sim.out" ] && break; sleep 0.1; done
sim_url=$(head -1 "$work/sim.out")
sed -e "s|https://director.example.com:5478|$sim_url|" -e 's|HYBRID_PW_HQ|HYBRID_PW_DEMO|' directors.toml >"$work/directors.toml"
HYBRID_PW_DEMO=changeme "$bin" exporter --config "$work/directors.toml" --listen 127.0.0.1:0 >"$work/exporter.out" 2>&1 & pids+=($!)
for _ in $(seq 100); do grep -q "/metrics" "$work/exporter.out" 2>/dev/null && break; sleep 0.1; done
metrics=$(grep -o 'http://[^ ]*/metrics' "$work/exporter.out")
for _ in $(seq 100); do
  curl -fsS "$metrics" | grep -q '^hybrid_up{director="hq"} 1' && break
  sleep 0.2
done
curl -fsS "$metrics" >"$work/metrics.txt"
grep -q '^hybrid_up{director="hq"} 1' "$work/metrics.txt" || { echo "the exporter never read the simulator:"; cat "$work/metrics.txt" "$work/exporter.out"; exit 1; }
promtool check metrics <"$work/metrics.txt"
echo "promtool check metrics: a live scrape ($(grep -vc '^#' "$work/metrics.txt") samples) passes"
