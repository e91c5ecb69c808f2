#!/usr/bin/env bash
# How fast `fix` changes users in a real Director's shape: the simulator's
# web-only mode with USERS users (default 10,000), the suggestions read and
# previewed, then the same applied. "Apply alone" is the second run's wall
# time less the first's (both read every user and preview); each changed
# user costs a GET for the backup, a fresh GET and a PUT, 8 users in flight.
# Usage: benches/fix-apply-rate.sh [USERS] [BINARY]
set -euo pipefail
users=${1:-10000}
bin=$(realpath "${2:-${CARGO_TARGET_DIR:-target}/release/hybrid-setup}")
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null; rm -rf "$work"' EXIT
export HYBRID_DIRECTOR_PASSWORD=changeme HYBRID_SETUP_HOME=$work/home

"$bin" sim --web-only --generate "$users" --addr 127.0.0.1:0 >"$work/url" 2>/dev/null &
for _ in $(seq 300); do [ -s "$work/url" ] && break; sleep 0.1; done
url=$(head -1 "$work/url")

# Wall seconds of a command, its standard output kept in $work/out.json.
timed() {
  local start end
  start=$(date +%s.%N)
  "$@" >"$work/out.json" 2>/dev/null || true
  end=$(date +%s.%N)
  awk -v s="$start" -v e="$end" 'BEGIN { printf "%.2f", e - s }'
}
preview=$(timed "$bin" fix --director "$url" --suggest --format json)
previewed=$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["changes"]))' "$work/out.json")
apply=$(timed "$bin" fix --director "$url" --suggest --apply --allow-many --format json)
read -r applied users_changed < <(python3 -c '
import json, sys
rows = json.load(open(sys.argv[1]))["changes"]
print(sum(r["result"] == "applied" for r in rows), len({r["user_dn"] for r in rows if r["result"] == "applied"}))' "$work/out.json")
echo "$users users, $previewed changes previewed"
echo "read + preview: $preview s"
echo "read + preview + backup + apply: $apply s ($applied changes applied to $users_changed users)"
awk -v a="$apply" -v p="$preview" -v n="$users_changed" 'BEGIN {
  alone = a - p
  if (alone <= 0) { print "apply alone: too quick to tell from the preview"; exit }
  printf "apply alone: %.2f s = %.0f users/s (%.0f requests/s)\n", alone, n / alone, 3 * n / alone
}'
