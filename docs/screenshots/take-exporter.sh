#!/usr/bin/env bash
# Screenshots of the exporter's own pages in a browser: `/` (the Directors,
# worst first) and `/troubleshooting` (the guide the alert rules link to),
# over three simulated Directors — hq and plant green, branch with an alert —
# and one address where nothing answers. Release binary, headless Chromium.
# Needs: chromium, curl, python3. Usage: docs/screenshots/take-exporter.sh [BINARY]
set -euo pipefail
cd "$(dirname "$0")"
bin=$(realpath "${1:-${CARGO_TARGET_DIR:-../../target}/release/hybrid-setup}")
work=$(mktemp -d)
pids=()
cleanup() { kill "${pids[@]}" 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
source ./sims.sh

read -r hq _ < <(start_sim yes)
read -r branch _ < <(start_sim no)
read -r plant _ < <(start_sim yes)
cat >"$work/directors.toml" <<TOML
[[director]]
name = "hq"
url = "$hq"
password_env = "HYBRID_PW"
interval_seconds = 10

[[director]]
name = "branch"
url = "$branch"
password_env = "HYBRID_PW"
interval_seconds = 10

[[director]]
name = "plant"
url = "$plant"
password_env = "HYBRID_PW"
interval_seconds = 10

[[director]]
name = "warehouse"
url = "http://127.0.0.1:9"
password_env = "HYBRID_PW"
interval_seconds = 10
TOML
HYBRID_PW=changeme "$bin" exporter --config "$work/directors.toml" --listen 127.0.0.1:0 \
  >"$work/exporter.out" 2>/dev/null & pids+=($!)
for _ in $(seq 50); do [ -s "$work/exporter.out" ] && break; sleep 0.1; done
base=$(head -1 "$work/exporter.out" | sed -E 's#.*(http://[^/]+)/metrics#\1#')
sleep 3   # every Director polled once
shoot() { # PATH OUT
  chromium --headless --no-sandbox --disable-gpu --hide-scrollbars \
    --window-size=1040,720 --screenshot="$PWD/$2" "$base$1" >/dev/null 2>&1
  echo "saved $2"
}
shoot / exporter-index.png
shoot /troubleshooting exporter-troubleshooting.png
