#!/usr/bin/env bash
# The Windows build's notification-area icon under Wine, as a person uses it:
# `--tray` puts the grey "not set up" icon in Wine's system tray (Wine shows
# its "Wine System Tray" window only while an icon is in it); a second
# `--tray` finds the first over its named pipe, exits 0 and has it open the
# window; a right click opens the icon's menu and "Quit" (by keyboard) ends
# the program and takes the icon away.
# With SIM=the Linux build, then a real Director's shape: the simulator's
# web-only mode, added with `directors add` (as a deployment script would),
# watched by the Windows icon — counted by the simulator: one sign-in, the
# list read on every check.
# Usage: [SIM=BINARY] tray-check.sh EXE [SCREENSHOT-DIR]   (WINEPREFIX
# prepared, with the bcryptprimitives shim; needs Xvfb, xdotool,
# ImageMagick's import).
set -euo pipefail
exe=$1
shots=${2:-}
wine=/usr/lib/wine/wine64
display=:$(( 60 + RANDOM % 9 ))
Xvfb "$display" -screen 0 1024x700x24 >/dev/null 2>&1 & xvfb=$!
export DISPLAY=$display
home=$(mktemp -d)
export HYBRID_SETUP_HOME="Z:${home//\//\\}"
tray=
sim=
cleanup() {
  [ -n "$tray" ] && kill "$tray" 2>/dev/null
  [ -n "$sim" ] && kill "$sim" 2>/dev/null
  /usr/lib/wine/wineserver -k 2>/dev/null || true
  kill "$xvfb" 2>/dev/null || true
  rm -rf "$home"
}
trap cleanup EXIT
fail() { echo "tray under Wine: $*"; exit 1; }
sleep 1

"$wine" "$exe" --tray >"$home/first.out" 2>&1 & tray=$!
systray=$(timeout 90 xdotool search --sync --onlyvisible --name "Wine System Tray" | head -1) \
  || fail "no icon in Wine's system tray within 90 s"
echo "the icon is in Wine's system tray"
[ -n "$shots" ] && import -window "$systray" "$shots/wine-tray-icon.png"

# A second launch: over the named pipe, to the first; it ends at once.
second=$(timeout 60 "$wine" "$exe" --tray 2>&1) || fail "a second --tray failed: $second"
grep -q "already in the notification area" <<<"$second" || fail "the second launch said: $second"
echo "a second --tray exits 0: $second"
timeout 90 xdotool search --sync --onlyvisible --name "^Connect HYBRID Setup$" >/dev/null \
  || fail "the first did not open its window when asked"
echo "the running icon opened the window"
pkill -f -- "--demo-url" || true
sleep 2

# The menu: a right click on the icon, then the last line (Quit) by keyboard.
eval "$(xdotool getwindowgeometry --shell "$systray")"
xdotool mousemove $((X + 10)) $((Y + 10)) click 3
sleep 2
[ -n "$shots" ] && import -window root -crop 240x90+$((X - 4))+$((Y - 4)) "$shots/wine-tray-menu.png"
xdotool key Up Return
for _ in $(seq 60); do kill -0 "$tray" 2>/dev/null || break; sleep 0.5; done
kill -0 "$tray" 2>/dev/null && fail "Quit from the menu did not end the program"
wait "$tray" || fail "the program ended with $? after Quit"
tray=
sleep 1
xdotool search --onlyvisible --name "Wine System Tray" >/dev/null && fail "the icon stayed after Quit"
echo "Quit from the icon's menu: exit 0, the icon is gone"

[ -n "${SIM:-}" ] || exit 0
# A real Director's shape, watched by the Windows icon every 10 s.
"$SIM" sim --web-only --generate 30 --addr 127.0.0.1:0 >"$home/sim.url" 2>/dev/null & sim=$!
for _ in $(seq 100); do [ -s "$home/sim.url" ] && break; sleep 0.1; done
url=$(head -1 "$home/sim.url")
asked() { curl -s "$url/__sim/requests" | python3 -c "import json,sys; print(sum(n for k, n in json.load(sys.stdin).items() if k.startswith(sys.argv[1])))" "$1"; }
added=$(HYBRID_DIRECTOR_PASSWORD=changeme timeout 120 "$wine" "$exe" directors add --director "$url" \
  --name hq --check-every 10 2>&1) || fail "directors add failed: $added"
grep -q "Added hq (web interface" <<<"$added" || fail "directors add said: $added"
echo "directors add: $(head -1 <<<"$added")"
before=$(asked "GET /director/users/list")
HYBRID_DIRECTOR_PASSWORD=changeme "$wine" "$exe" --tray >"$home/real.out" 2>&1 & tray=$!
systray=$(timeout 90 xdotool search --sync --onlyvisible --name "Wine System Tray" | head -1) \
  || fail "no icon for the real Director within 90 s"
sleep 25
[ -n "$shots" ] && import -window "$systray" "$shots/wine-tray-real.png"
lists=$(( $(asked "GET /director/users/list") - before ))
[ "$lists" -ge 2 ] || fail "the icon read the user list $lists times in 25 s at a 10-s check"
echo "the Windows icon watches the real Director: $lists list reads in 25 s, $(asked "POST /director/login") sign-ins in all"
kill "$tray"; wait "$tray" 2>/dev/null || true; tray=
