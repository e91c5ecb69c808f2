#!/usr/bin/env bash
# Screenshot of the Directors view: three simulated Directors (two green,
# one red), the current one open, the other two's passwords in a keyring
# (a private gnome-keyring in a private D-Bus session, filled the way a
# person fills it: by opening each Director once). Release binary, Xvfb.
# Needs: xvfb, xdotool, imagemagick, curl, python3, dbus-daemon, xfce4-panel,
# gnome-keyring. Usage: docs/screenshots/take-directors.sh [BINARY]
set -euo pipefail
self=$(realpath "$0")
cd "$(dirname "$0")"
bin=$(realpath "${1:-${CARGO_TARGET_DIR:-../../target}/release/hybrid-setup}")
if [ -z "${DBUS_SESSION_BUS_ADDRESS:-}" ] || [ -z "${INSIDE:-}" ]; then
  exec env INSIDE=1 dbus-run-session -- bash "$self" "$bin"
fi
work=$(mktemp -d)
pids=()
cleanup() { kill "${pids[@]}" 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
export HOME=$work/home XDG_DATA_HOME=$work/home/.local/share
mkdir -p "$XDG_DATA_HOME/keyrings"
printf 'login' >"$XDG_DATA_HOME/keyrings/default"
eval "$(printf 'pw' | gnome-keyring-daemon --unlock --components=secrets --daemonize 2>/dev/null)"

# Three Directors: synced with the right Token (green) or a revoked one (red).
source ./sims.sh
read -r hq hq_account < <(start_sim yes)
read -r branch branch_account < <(start_sim no)
read -r plant plant_account < <(start_sim yes)

progress() { # ACCOUNT
  echo "{\"step\":\"done\",\"completed\":[\"requirements\",\"link_director\",\"credentials\",\"username_format\",\"first_sync\"],\"has_account\":true,\"account_name\":\"Acme Corporation\",\"account_id\":\"$1\",\"use_email\":true,\"append_domain\":\"acme-corp.example\",\"provisioned\":true}"
}
settings() { # FOLDER URL ACCOUNT [OTHERS-JSON]
  mkdir -p "$1"
  cat >"$1/settings.json" <<JSON
{"version":1,"director":{"kind":"url","url":"$2"},"director_login":"admin","portal_url":"",
 "progress":$(progress "$3"), "other_directors":${4:-[]}}
JSON
}
run_window() { # FOLDER SECONDS
  local disp=:$(( 70 + RANDOM % 9 ))
  Xvfb "$disp" -screen 0 1280x800x24 >/dev/null 2>&1 & local x=$!
  sleep 1
  DISPLAY=$disp HYBRID_SETUP_HOME=$1 HYBRID_DIRECTOR_PASSWORD=changeme "$bin" >/dev/null 2>&1 & local app=$!
  DISPLAY=$disp timeout 20 xdotool search --sync --onlyvisible --pid $app >/dev/null
  sleep "$2"
  kill $app $x 2>/dev/null || true
  wait $app 2>/dev/null || true
}
# Open the two others once each: their first step keeps the password.
for d in "$branch $branch_account" "$plant $plant_account"; do
  set -- $d
  settings "$work/once-$2" "$1" "$2"
  run_window "$work/once-$2" 5
done
others="[{\"director\":{\"kind\":\"url\",\"url\":\"$branch\"},\"director_login\":\"admin\",\"progress\":$(progress "$branch_account")},
 {\"director\":{\"kind\":\"url\",\"url\":\"$plant\"},\"director_login\":\"admin\",\"progress\":$(progress "$plant_account")}]"
settings "$work/fleet" "$hq" "$hq_account" "$others"
# The window on hq, then the Directors view.
disp=:$(( 80 + RANDOM % 9 ))
Xvfb "$disp" -screen 0 1280x800x24 >/dev/null 2>&1 & x=$!; pids+=($x)
sleep 1
DISPLAY=$disp HYBRID_SETUP_HOME=$work/fleet HYBRID_DIRECTOR_PASSWORD=changeme "$bin" >/dev/null 2>&1 & app=$!; pids+=($app)
DISPLAY=$disp timeout 20 xdotool search --sync --onlyvisible --pid $app >/dev/null
sleep 6
DISPLAY=$disp xdotool mousemove 1030 670
DISPLAY=$disp import -window root -crop 1040x720+0+0 "${PREFIX:-}directors-status.png" && echo "saved ${PREFIX:-}directors-status.png"
# "Directors (3)", below the notice about the red one.
DISPLAY=$disp xdotool mousemove 50 384 click 1
sleep 1
DISPLAY=$disp xdotool mousemove 1030 670
DISPLAY=$disp import -window root -crop 1040x720+0+0 "${PREFIX:-}directors-view.png" && echo "saved ${PREFIX:-}directors-view.png"
kill $app 2>/dev/null || true; wait $app 2>/dev/null || true
# The notification-area icon: hq is green, but branch has an alert — the
# icon shows the worst, named.
bash ./tray-panel.sh "$bin" "$work/fleet" "${PREFIX:-}directors-tray"
