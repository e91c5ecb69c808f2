#!/usr/bin/env bash
# Screenshots of the status panel in each state (green, red, stale, unknown)
# and of the Alerts view, taken of the release binary under Xvfb.
# The demo's simulated world is prepared with `hybrid-setup sim --state` and
# the simulator's admin routes, then edited for each state.
# THEME=light PREFIX=light/ takes them in the light theme;
# TRAY=1 takes the notification-area icon instead (`--tray`, in Xfce's
# panel: tray-panel.sh; needs xfce4-panel and dbus-daemon);
# ZOOM=200 PREFIX=zoom-200/ takes them zoomed in, in the smallest window
# (820x560); the Alerts view is then opened with the keyboard.
# Needs: xvfb, xdotool, imagemagick, curl, python3.
# Usage: docs/screenshots/take-status.sh [BINARY]
set -euo pipefail
cd "$(dirname "$0")"
bin=$(realpath "${1:-${CARGO_TARGET_DIR:-../../target}/release/hybrid-setup}")
work=$(mktemp -d); echo "work: $work"
trap '[ -n "${KEEP:-}" ] || rm -rf "$work"' EXIT

# 1. A provisioned simulated world: settings saved, one good cycle run.
"$bin" sim --state "$work/world.json" >"$work/url" 2>/dev/null &
sim=$!
for _ in $(seq 50); do [ -s "$work/url" ] && break; sleep 0.1; done
url=$(head -1 "$work/url")
jar="$work/cookies"
curl -sf -c "$jar" -H 'content-type: application/json' \
  -d '{"login_name":"admin","password":"changeme"}' "$url/director/api/session" >/dev/null
read -r account token < <(curl -sf "$url/__sim/state" | python3 -c '
import json, sys
a = json.load(sys.stdin)["portal"]["accounts"][0]
print(a["account_id"], a["token"])')
curl -sf -b "$jar" -X PUT -H 'content-type: application/json' \
  -d "{\"account_id\":\"$account\",\"token\":\"$token\",\"use_email\":true,\"append_domain\":\"acme-corp.example\"}" \
  "$url/director/api/hybrid/sync" >/dev/null
curl -sf -b "$jar" -X POST "$url/director/api/hybrid/sync/run" >/dev/null
sleep 2
kill -INT $sim; wait $sim || true

# 2. One settings folder per state.
prepare() { # NAME PYTHON-EDIT [DIRECTOR-URL]
  local home="$work/$1"; mkdir -p "$home"
  python3 - "$work/world.json" "$home/demo-simulator.json" "$2" <<'PY'
import json, sys, time
world = json.load(open(sys.argv[1]))
now = int(time.time() * 1000)
exec(sys.argv[3])
json.dump(world, open(sys.argv[2], "w"))
PY
  local director='{"kind":"demo"}'
  [ -n "${3:-}" ] && director="{\"kind\":\"url\",\"url\":\"$3\"}"
  cat >"$home/settings.json" <<JSON
{"version":1,"director":$director,"director_login":"admin","portal_url":"",
 "progress":{"step":"done","completed":["requirements","link_director","credentials","username_format","first_sync"],
 "has_account":true,"account_name":"Acme Corporation","account_id":"$account","use_email":true,
 "append_domain":"acme-corp.example","provisioned":true}}
JSON
}
prepare green 'world["director"]["sync"]["next_sync_ms"] = now'
prepare red 'world["director"]["settings"]["token"] = "revoked"; world["director"]["sync"]["next_sync_ms"] = now'
prepare stale 'world["sync_paused"] = True; world["director"]["sync"]["last_success_ms"] = now - 17*60*1000; world["director"]["sync"]["last_attempt_ms"] = now - 17*60*1000; world["director"]["sync"]["next_sync_ms"] = now - 12*60*1000'
prepare unknown 'pass' "http://127.0.0.1:9"
# PREPARE_ONLY=1 KEEP=1: the settings folders only (benches/tray-idle.sh).
[ -n "${PREPARE_ONLY:-}" ] && exit 0

size=1040x720
[ -n "${ZOOM:-}" ] && size=820x560
shoot() { # NAME OUT [CLICK-X CLICK-Y OUT2]
  local disp=:$(( 60 + RANDOM % 9 ))
  Xvfb "$disp" -screen 0 1280x800x24 >/dev/null 2>&1 & local x=$!
  sleep 1
  DISPLAY=$disp HYBRID_SETUP_HOME="$work/$1" "$bin" ${ZOOM:+--zoom "$ZOOM"} ${THEME:+--theme "$THEME"} >/dev/null 2>&1 & local app=$!
  local win; win=$(DISPLAY=$disp timeout 20 xdotool search --sync --onlyvisible --pid $app | head -1)
  [ -n "${ZOOM:-}" ] && DISPLAY=$disp xdotool windowsize "$win" 820 560
  sleep 4
  DISPLAY=$disp xdotool mousemove 1030 670
  DISPLAY=$disp import -window root -crop "$size+0+0" "${PREFIX:-}$2.png" && echo "saved ${PREFIX:-}$2.png"
  if [ -n "${3:-}" ]; then
    DISPLAY=$disp xdotool windowfocus "$win"
    if [ -n "${ZOOM:-}" ]; then
      # The icon is the first control: Tab to it, Enter opens the alerts.
      DISPLAY=$disp xdotool key Tab Return
    else
      DISPLAY=$disp xdotool mousemove "$3" "$4" click 1
    fi
    sleep 1
    DISPLAY=$disp xdotool mousemove 1030 670
    DISPLAY=$disp import -window root -crop "$size+0+0" "${PREFIX:-}$5.png" && echo "saved ${PREFIX:-}$5.png"
  fi
  kill $app $x 2>/dev/null || true
  wait $app 2>/dev/null || true
}
if [ -n "${TRAY:-}" ]; then
  for state in green red stale unknown; do
    dbus-run-session -- ./tray-panel.sh "$bin" "$work/$state" "${PREFIX:-}tray-$state"
  done
  # The README's crop: the panel's right end in each state, side by side.
  for state in green red stale unknown; do
    convert "${PREFIX:-}tray-$state.png" -crop 220x27+580+0 +repage "$work/crop-$state.png"
  done
  convert "$work"/crop-{green,red,stale,unknown}.png +append -scale 200% "${PREFIX:-}tray-states.png"
  echo "saved ${PREFIX:-}tray-states.png"
  exit 0
fi
shoot green 09-status-green
shoot red 10-status-red 58 114 11-alerts
shoot stale 12-status-stale
shoot unknown 13-status-unknown
