#!/usr/bin/env bash
# CPU time and peak memory of the window while idle (a scripted whole-process run).
# usage: benches/idle-window.sh BINARY [SECONDS] [SETTINGS-FOLDER]   (needs xvfb)
# With a provisioned settings folder (docs/screenshots/take-status.sh, KEEP=1)
# it measures monitor mode: the status panel polling Director.
set -u
. "$(dirname "$0")/budget.sh"
bin=$1; secs=${2:-30}; home=${3:-$(mktemp -d)}
disp=:$(( 70 + RANDOM % 9 ))
Xvfb $disp -screen 0 1280x800x24 >/dev/null 2>&1 & x=$!; sleep 1
DISPLAY=$disp HYBRID_SETUP_HOME=$home "$bin" >/dev/null 2>&1 & p=$!
sleep 8
hz=$(getconf CLK_TCK)
t0=$(awk '{print $14+$15}' /proc/$p/stat); sleep "$secs"; t1=$(awk '{print $14+$15}' /proc/$p/stat)
ms=$(( (t1 - t0) * 1000 / hz ))
budget "CPU over $secs s ($ms ms)" "$(awk -v ms=$ms -v s=$secs 'BEGIN{printf "%.2f", ms/10/s}')" 1 "% of one core"
budget "peak RSS" "$(( $(awk '/VmHWM/{print $2}' /proc/$p/status) / 1024 ))" 80 MB
kill $p $x
budgets_kept
