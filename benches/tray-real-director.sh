#!/usr/bin/env bash
# The notification-area icon (`--tray`) watching a real Director's shape —
# the simulator's web-only mode with USERS users — set up as a deployment
# script would (`directors add --check-every`), in Xfce's panel on a
# virtual screen, for SECONDS: peak memory (VmHWM), CPU time, and what
# Director was asked per check (list pages, user documents, sign-ins),
# counted by the simulator. The first check reads every document; the
# later ones only the list's pages (service::web_users).
# Needs: xvfb, xfce4-panel, dbus-daemon; a release build.
# Usage: benches/tray-real-director.sh [SECONDS] [USERS] [CHECK_EVERY] [BINARY]
set -euo pipefail
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

cat >"$work/run.sh" <<'INNER'
set -u
bin=$1; home=$2; seconds=$3
HOME=$(mktemp -d); export HOME
disp=:$(( 84 + RANDOM % 9 ))
Xvfb "$disp" -screen 0 1280x800x24 >/dev/null 2>&1 & x=$!
export DISPLAY=$disp
sleep 1
xfce4-panel >/dev/null 2>&1 & panel=$!
sleep 8
HYBRID_SETUP_HOME=$home "$bin" --tray >/dev/null 2>&1 & app=$!
echo "app $app"
hz=$(getconf CLK_TCK)
sleep "$seconds"
used=$(awk '{ print $14 + $15 }' "/proc/$app/stat")
awk -v u="$used" -v hz="$hz" -v secs="$seconds" \
  -v peak="$(awk '/VmHWM/ { print $2 }' "/proc/$app/status")" \
  'BEGIN { printf "tray   peak RSS %.1f MB, CPU %.2f s in %d s (first full read included) = %.3f%% of one core\n", peak / 1024, u / hz, secs, 100 * u / hz / secs }'
kill $app $panel $x 2>/dev/null
rm -rf "$HOME"
INNER
read -r p0 d0 l0 t0 < <(asked)
dbus-run-session -- bash "$work/run.sh" "$bin" "$work/home" "$seconds" 2>/dev/null | grep -E "^tray"
read -r p1 d1 l1 t1 < <(asked)
pages_per_check=$(( (users + 999) / 1000 ))
checks=$(( (p1 - p0) / pages_per_check ))
echo "users $users, a check every $every s, $seconds s: $checks checks (the first reads every document)"
echo "asked in all: $((p1 - p0)) list pages, $((d1 - d0)) user documents, $((l1 - l0)) sign-ins, $((t1 - t0)) requests"
later=$(( (t1 - t0) - (d1 - d0) - 2 * (l1 - l0) ))
echo "requests per check besides documents (list pages, the build page): $(( later / (checks > 0 ? checks : 1) )) (goal: <= 15 plus one per changed user)"
