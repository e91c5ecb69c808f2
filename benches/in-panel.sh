#!/usr/bin/env bash
# Runs a program beside Xfce's panel on a virtual screen, under the
# caller's D-Bus session, and measures it: after SETTLE seconds, for
# SECONDS more, then prints "measured PEAK_RSS_KB CPU_SECONDS" (VmHWM, and
# the CPU time used while measured). The notification-area benches use it.
# Needs: xvfb, xfce4-panel.
# Usage: dbus-run-session -- benches/in-panel.sh SECONDS SETTLE SETTINGS-FOLDER PROGRAM [ARGS...]
set -u
seconds=$1; settle=$2; settings=$3; shift 3
HOME=$(mktemp -d); export HOME
disp=:$(( 84 + RANDOM % 9 ))
Xvfb "$disp" -screen 0 1280x800x24 >/dev/null 2>&1 & x=$!
export DISPLAY=$disp
sleep 1
xfce4-panel >/dev/null 2>&1 & panel=$!
sleep 8
HYBRID_SETUP_HOME=$settings "$@" >/dev/null 2>&1 & app=$!
sleep "$settle"
hz=$(getconf CLK_TCK)
start=$(awk '{ print $14 + $15 }' "/proc/$app/stat")
sleep "$seconds"
end=$(awk '{ print $14 + $15 }' "/proc/$app/stat")
peak=$(awk '/VmHWM/ { print $2 }' "/proc/$app/status")
echo "measured $peak $(awk -v s="$start" -v e="$end" -v hz="$hz" 'BEGIN { printf "%.2f", (e - s) / hz }')"
kill $app $panel $x 2>/dev/null
rm -rf "$HOME"
