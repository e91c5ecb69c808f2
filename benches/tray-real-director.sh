#!/usr/bin/env bash
# The notification-area icon (`--tray`) watching a real Director's shape —
# the simulator's web-only mode with USERS users — set up as a deployment
# script would (`directors add --check-every`), in Xfce's panel on a
# virtual screen, for SECONDS: peak memory (VmHWM), CPU time, and what
# Director was asked per check (list pages, user documents, sign-ins),
# counted by the simulator. The first check reads every document; the
# later ones only the list's pages (service::web_users).
# Needs: xvfb, xfce4-panel, dbus-daemon; a release build (benches/in-panel.sh).
# Usage: benches/tray-real-director.sh [SECONDS] [USERS] [CHECK_EVERY] [BINARY]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/budget.sh"
seconds=${1:-600}
users=${2:-10000}
every=${3:-60}
bin=$(realpath "${4:-${CARGO_TARGET_DIR:-target}/release/hybrid-setup}")
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null; rm -rf "$work"' EXIT
export HYBRID_DIRECTOR_PASSWORD=changeme

"$bin" sim --web-only --generate "$users" --addr 127.0.0.1:0 >"$work/url" 2>/dev/null &
for _ in $(seq 300); do [ -s "$work/url" ] && break; sleep 0.1; done
url=$(head -1 "$work/url")
mkdir -p "$work/home"
HYBRID_SETUP_HOME=$work/home "$bin" directors add --director "$url" --name hq \
  --check-every "$every" 2>/dev/null

asked() {
  curl -s "$url/__sim/requests" | python3 -c '
import json, sys
r = json.load(sys.stdin)
pages = sum(n for k, n in r.items() if k.startswith("GET /director/users/list"))
docs = sum(n for k, n in r.items() if k.startswith("GET /director/users/") and k.endswith(".json"))
logins = sum(n for k, n in r.items() if k.startswith("POST /director/login"))
total = sum(r.values())
print(pages, docs, logins, total)'
}

read -r p0 d0 l0 t0 < <(asked)
# Measured from the start: the first full read included.
read -r _ peak cpu < <(dbus-run-session -- "$here/in-panel.sh" "$seconds" 0 "$work/home" \
  "$bin" --tray 2>/dev/null | grep '^measured')
budget "tray   peak RSS" "$(awk -v k="$peak" 'BEGIN { printf "%.1f", k / 1024 }')" 30 MB
echo "tray   CPU $cpu s in $seconds s (first full read included) = $(awk -v c="$cpu" -v s="$seconds" 'BEGIN { printf "%.3f", 100 * c / s }') % of one core"
read -r p1 d1 l1 t1 < <(asked)
pages_per_check=$(( (users + 999) / 1000 ))
checks=$(( (p1 - p0) / pages_per_check ))
echo "users $users, a check every $every s, $seconds s: $checks checks (the first reads every document)"
echo "asked in all: $((p1 - p0)) list pages, $((d1 - d0)) user documents, $((l1 - l0)) sign-ins, $((t1 - t0)) requests"
later=$(( (t1 - t0) - (d1 - d0) - 2 * (l1 - l0) ))
# The budget is 15; "< 16" as the helper compares.
budget "requests per check besides documents (list pages, the build page; 15 at most)" \
  "$(( later / (checks > 0 ? checks : 1) ))" 16 requests
budgets_kept
