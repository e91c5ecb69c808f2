#!/usr/bin/env bash
# Run by take-status.sh with TRAY=1, inside `dbus-run-session`: Xfce's panel
# (xfce4-panel, whose status tray hosts StatusNotifierItems) on a virtual
# screen, then `hybrid-setup --tray` with the settings in HOME-DIR; saves
# OUT.png (the panel), OUT-tooltip.png and OUT-menu.png, and prints the
# icon's process's peak memory.
# Usage: tray-panel.sh BINARY HOME-DIR OUT
set -u
bin=$1; settings=$2; out=$3
HOME=$(mktemp -d); export HOME
disp=:$(( 84 + RANDOM % 9 ))
Xvfb "$disp" -screen 0 800x240x24 >/dev/null 2>&1 & x=$!
export DISPLAY=$disp
sleep 1
xfce4-panel >/dev/null 2>&1 & panel=$!
sleep 8   # the panel's first start writes its default layout, with the status tray
HYBRID_SETUP_HOME=$settings "$bin" --tray >/dev/null 2>&1 & tray=$!
sleep 5
import -window root -crop 800x27+0+0 "$out.png" && echo "saved $out.png"
# The icon is the status tray's only item, left of the clock.
icon_x=$(( 800 - 125 ))
xdotool mousemove "$icon_x" 13; sleep 3
import -window root -crop 800x120+0+0 "$out-tooltip.png" && echo "saved $out-tooltip.png"
xdotool click 3; sleep 2
import -window root -crop 800x240+0+0 "$out-menu.png" && echo "saved $out-menu.png"
echo "peak memory of the icon's process: $(grep VmHWM /proc/$tray/status)"
kill $tray $panel $x 2>/dev/null
rm -rf "$HOME"
