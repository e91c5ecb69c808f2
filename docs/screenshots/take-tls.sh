#!/usr/bin/env bash
# The certificate screens: a simulator with a self-signed certificate
# (`sim --tls`), the trust prompt, the pinned check, then the same address
# with a new certificate (the hard stop). Saves 14-, 15- and 16-*.png here.
# Needs: xvfb, xdotool, imagemagick. Usage: docs/screenshots/take-tls.sh [BINARY]
set -euo pipefail
cd "$(dirname "$0")"
bin=${1:-${CARGO_TARGET_DIR:-../../target}/release/hybrid-setup}
home=$(mktemp -d)
port=$(( 40000 + RANDOM % 2000 ))
disp=:$(( 70 + RANDOM % 9 ))
"$bin" sim --tls --generate 60 --addr 127.0.0.1:$port >/dev/null 2>&1 &
sim=$!
Xvfb "$disp" -screen 0 1280x800x24 >/dev/null 2>&1 &
xvfb=$!
export DISPLAY=$disp
sleep 2
HYBRID_SETUP_HOME=$home "$bin" --director "https://localhost:$port" >/dev/null 2>&1 &
app=$!
trap 'kill $app $xvfb $sim 2>/dev/null || true; rm -rf "$home"' EXIT
win=$(timeout 20 xdotool search --sync --onlyvisible --pid $app | head -1)
focus() { xdotool windowfocus "$win"; sleep 0.2; }
click() { focus; xdotool mousemove "$1" "$2" click 1; sleep 0.4; }
shot() { sleep "${2:-1.5}"; xdotool mousemove 1030 670; import -window root -crop 1040x720+0+0 "$1.png"; echo "saved $1.png"; }

click 550 164; xdotool type --delay 10 "changeme"   # the demo admin password
click 258 215                                       # Run checks
shot 14-certificate-prompt
click 290 410                                       # Trust this certificate
shot 15-certificate-pinned
kill $sim; sleep 1
"$bin" sim --tls --generate 60 --addr 127.0.0.1:$port >/dev/null 2>&1 &
sim=$!
sleep 2
click 275 215                                       # Run checks again
shot 16-certificate-changed
