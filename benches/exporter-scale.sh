#!/usr/bin/env bash
# The exporter at scale: DIRECTORS simulated Directors (default 500, each
# its own server on a free loopback port, 50 users each) polled every 60 s.
# After the first round of polls, for SECONDS (default 300): a scrape every
# 5 s (curl's total time), the exporter's resident memory each time, and
# its CPU time over the whole window.
# Usage: benches/exporter-scale.sh [SECONDS] [DIRECTORS] [BINARY]
set -euo pipefail
. "$(dirname "$0")/budget.sh"
seconds=${1:-300}
count=${2:-500}
bin=$(realpath "${3:-${CARGO_TARGET_DIR:-target}/release/hybrid-setup}")
work=$(mktemp -d)
pids=()
cleanup() { kill "${pids[@]}" 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
export HYBRID_SETUP_HOME=$work

"$bin" sim --count "$count" --generate 50 >"$work/sims.txt" 2>"$work/sims.err" & pids+=($!)
for _ in $(seq 600); do [ "$(wc -l <"$work/sims.txt")" -ge "$count" ] && break; sleep 0.1; done
[ "$(wc -l <"$work/sims.txt")" -ge "$count" ] || { echo "the simulators did not start"; cat "$work/sims.err"; exit 1; }
n=0
while read -r url; do
  n=$((n + 1))
  printf '[[director]]\nname = "site-%03d"\nurl = "%s"\npassword_env = "HYBRID_PW"\ninterval_seconds = 60\n\n' "$n" "$url"
done <"$work/sims.txt" >"$work/directors.toml"

HYBRID_PW=changeme "$bin" exporter --config "$work/directors.toml" --listen 127.0.0.1:0 >"$work/exporter.out" 2>&1 & exporter=$!
pids+=($exporter)
for _ in $(seq 100); do grep -q "/metrics" "$work/exporter.out" 2>/dev/null && break; sleep 0.1; done
metrics=$(grep -o 'http://[^ ]*/metrics' "$work/exporter.out")
started=$(date +%s.%N)
for _ in $(seq 1200); do
  polled=$(curl -fsS "$metrics" | grep -c '^hybrid_last_poll_timestamp_seconds' || true)
  [ "$polled" -ge "$count" ] && break
  sleep 0.5
done
first_round=$(echo "$(date +%s.%N) - $started" | bc)
up=$(curl -fsS "$metrics" | grep -c '^hybrid_up{.*} 1$' || true)
printf "first round: %s of %s Directors polled in %.1f s (%s up)\n" "$polled" "$count" "$first_round" "$up"

hz=$(getconf CLK_TCK)
cpu_start=$(awk '{ print $14 + $15 }' "/proc/$exporter/stat")
t_start=$(date +%s.%N)
: >"$work/scrapes.txt"; : >"$work/rss.txt"
end=$(( $(date +%s) + seconds ))
while [ "$(date +%s)" -lt "$end" ]; do
  curl -fsS -o "$work/page.txt" -w '%{time_total}\n' "$metrics" >>"$work/scrapes.txt"
  awk '/^VmRSS/ { print $2 }' "/proc/$exporter/status" >>"$work/rss.txt"
  sleep 5
done
cpu_end=$(awk '{ print $14 + $15 }' "/proc/$exporter/stat")
t_end=$(date +%s.%N)
peak=$(awk '/^VmHWM/ { print $2 }' "/proc/$exporter/status")
samples=$(grep -vc '^#' "$work/page.txt")
sort -n "$work/scrapes.txt" >"$work/sorted.txt"
scrapes=$(wc -l <"$work/sorted.txt")
median=$(awk -v n="$scrapes" 'NR == int((n + 1) / 2) { printf "%.1f", $1 * 1000 }' "$work/sorted.txt")
slowest=$(tail -1 "$work/sorted.txt" | awk '{ printf "%.1f", $1 * 1000 }')
rss_max=$(sort -n "$work/rss.txt" | tail -1)
rss_min=$(sort -n "$work/rss.txt" | head -1)
cpu=$(echo "scale=3; 100 * ($cpu_end - $cpu_start) / $hz / ($t_end - $t_start)" | bc)
echo "$count Directors every 60 s, measured over $seconds s after the first round:"
echo "  scrape ($samples samples, $(wc -c <"$work/page.txt") bytes): slowest $slowest ms over $scrapes scrapes"
budget "  scrape, median" "$median" 50 ms
echo "  resident memory: $((rss_min / 1024))–$((rss_max / 1024)) MB"
budget "  resident memory, peak" "$((peak / 1024))" 100 MB
budget "  CPU" "$cpu" 5 "% of one core"
budgets_kept
