#!/usr/bin/env bash
# The wizard's first screens zoomed in to 200 % in the smallest window
# (820x560 pixels), taken of the release binary under Xvfb: the step rail
# shows numbers only, the page scrolls, the form puts labels above fields.
# With the keyboard only (Enter = Continue, the wheel to scroll).
# Needs: xvfb, xdotool, imagemagick.
# Usage: docs/screenshots/take-zoom.sh [BINARY]   (ZOOM=150 for 150 %)
set -euo pipefail
cd "$(dirname "$0")"
bin=$(realpath "${1:-${CARGO_TARGET_DIR:-../../target}/release/hybrid-setup}")
zoom=${ZOOM:-200}
out=zoom-$zoom
mkdir -p "$out"

walk() { # DEMO-DIRECTOR PREFIX
  local home; home=$(mktemp -d)
  local disp=:$(( 60 + RANDOM % 9 ))
  Xvfb "$disp" -screen 0 1280x800x24 >/dev/null 2>&1 & local x=$!
  export DISPLAY=$disp
  sleep 1
  HYBRID_SETUP_HOME=$home "$bin" --demo-director "$1" --zoom "$zoom" >/dev/null 2>&1 & local app=$!
  local win; win=$(timeout 20 xdotool search --sync --onlyvisible --pid $app | head -1)
  xdotool windowsize "$win" 820 560
  xdotool windowfocus "$win"
  shot() { sleep "${2:-1}"; xdotool mousemove 815 300; import -window root -crop 820x560+0+0 "$out/$1.png"; echo "saved $out/$1.png"; }
  wheel() { xdotool mousemove 450 300; for _ in $(seq "$1"); do xdotool click 5; sleep 0.05; done; }
  shot "$2-01-requirements" 5
  wheel 8; shot "$2-01b-requirements-scrolled"
  xdotool key Return; shot "$2-02-link-director"
  xdotool key Return; shot "$2-03-register"
  wheel 8; shot "$2-03b-register-scrolled"
  kill $app $x 2>/dev/null || true
  wait $app 2>/dev/null || true
  rm -rf "$home"
}
walk contract demo
walk web real
