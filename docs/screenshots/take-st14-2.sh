#!/usr/bin/env bash
# A ShoreTel 14.2 GA8 Director (the simulator's web-only mode showing build
# 19.43.7902.0): Requirements, Link Director and the guided Register step,
# each naming that product line's screens. Saves 26-st14-2-*.png here.
# Needs: xvfb, xdotool, imagemagick. Usage: docs/screenshots/take-st14-2.sh [BINARY]
set -euo pipefail
cd "$(dirname "$0")"
bin=$(realpath "${1:-${CARGO_TARGET_DIR:-../../target}/release/hybrid-setup}")
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null; rm -rf "$work"' EXIT
"$bin" sim --web-only --build 19.43.7902.0 --generate 40 --addr 127.0.0.1:0 >"$work/url" 2>/dev/null &
for _ in $(seq 100); do [ -s "$work/url" ] && break; sleep 0.1; done
display=:$(( 70 + RANDOM % 9 ))
Xvfb "$display" -screen 0 1280x800x24 >/dev/null 2>&1 &
export DISPLAY=$display
sleep 1
HYBRID_SETUP_HOME=$work/home HYBRID_DIRECTOR_PASSWORD=changeme "$bin" --director "$(head -1 "$work/url")" >/dev/null 2>&1 &
shot() { import -window root -crop 1040x720+0+0 +repage "$1.png"; }
sleep 7
shot 26-st14-2-requirements
xdotool mousemove 997 701 click 1; sleep 1.5      # Continue
shot 26b-st14-2-link
xdotool mousemove 997 701 click 1; sleep 1.5      # Continue: the account link
shot 26c-st14-2-register
