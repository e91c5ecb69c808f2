# Sourced by the take-*.sh scripts: starts a virtual screen and the release
# binary in it (the arguments after the binary are passed on, settings in a
# throwaway folder), and gives the walk its verbs. Coordinates are for the
# default 1040x720 window at the top-left corner.
# THEME=light|dark runs it in that theme (--theme); PREFIX is put before
# every file name (a folder such as light/).
# Needs: xvfb, xdotool, imagemagick.
home=$(mktemp -d)
disp=:$(( 60 + RANDOM % 9 ))
Xvfb "$disp" -screen 0 1280x800x24 >/dev/null 2>&1 &
xvfb=$!
export DISPLAY=$disp
sleep 1
HYBRID_SETUP_HOME=$home "$bin" "$@" ${THEME:+--theme "$THEME"} >/dev/null 2>&1 &
app=$!
trap 'kill $app $xvfb 2>/dev/null || true; rm -rf "$home"' EXIT

win=$(timeout 20 xdotool search --sync --onlyvisible --pid $app | head -1)
focus() { xdotool windowfocus "$win"; sleep 0.2; }
shot() { sleep "${2:-1}"; import -window root -crop 1040x720+0+0 "${PREFIX:-}$1.png"; echo "saved ${PREFIX:-}$1.png"; }
click() { focus; xdotool mousemove "$1" "$2" click 1; sleep 0.4; }
key() { focus; xdotool key "$@"; sleep 0.6; }
type_tab() { xdotool type --delay 10 "$1"; xdotool key Tab; sleep 0.1; }
park() { xdotool mousemove 1030 670; }
