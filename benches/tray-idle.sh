#!/usr/bin/env bash
# The notification-area icon alone (`--tray`, no window) watching the
# demo's Director, idle for SECONDS (default 600) in Xfce's panel on a
# virtual screen: peak memory (VmHWM) and CPU time used, against the window
# open on the status panel for the same time, same run.
# Needs: xvfb, xfce4-panel, dbus-daemon, xdotool; a release build.
# Usage: benches/tray-idle.sh [SECONDS] [BINARY]
set -euo pipefail
seconds=${1:-600}
bin=$(realpath "${2:-${CARGO_TARGET_DIR:-target}/release/hybrid-setup}")
cd "$(dirname "$0")/../docs/screenshots"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# A provisioned demo, green (the status screenshots' preparation).
KEEP=1 PREPARE_ONLY=1 ./take-status.sh "$bin" >"$work/prepare.log" 2>&1 || true
prepared=$(sed -n 's/^work: //p' "$work/prepare.log")
[ -d "$prepared/green" ] || { echo "preparation failed"; cat "$work/prepare.log"; exit 1; }



cat >"$work/run.sh" <<'INNER'
set -u
bin=$1; settings=$2; seconds=$3; what=$4
HOME=$(mktemp -d); export HOME
disp=:$(( 84 + RANDOM % 9 ))
Xvfb "$disp" -screen 0 1280x800x24 >/dev/null 2>&1 & x=$!
export DISPLAY=$disp
sleep 1
xfce4-panel >/dev/null 2>&1 & panel=$!
sleep 8
if [ "$what" = tray ]; then
  HYBRID_SETUP_HOME=$settings "$bin" --tray >/dev/null 2>&1 & app=$!
else
  HYBRID_SETUP_HOME=$settings "$bin" >/dev/null 2>&1 & app=$!
fi
sleep 10   # started, first poll done
hz=$(getconf CLK_TCK)
start=$(awk '{ print $14 + $15 }' "/proc/$app/stat")
sleep "$seconds"
end=$(awk '{ print $14 + $15 }' "/proc/$app/stat")
awk -v s="$start" -v e="$end" -v hz="$hz" -v secs="$seconds" -v what="$what" \
  -v peak="$(awk '/VmHWM/ { print $2 }' "/proc/$app/status")" \
  'BEGIN { printf "%-6s peak RSS %.1f MB, CPU %.2f s in %d s = %.3f%% of one core\n", what, peak / 1024, (e - s) / hz, secs, 100 * (e - s) / hz / secs }'
kill $app $panel $x 2>/dev/null
rm -rf "$HOME"
INNER
for what in tray window; do
  dbus-run-session -- bash "$work/run.sh" "$bin" "$prepared/green" "$seconds" "$what" 2>/dev/null | grep -E "^(tray|window)"
done
rm -rf "$prepared"
