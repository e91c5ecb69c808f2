#!/usr/bin/env bash
# The notification-area icon watching a real Director's shape (the
# simulator's web-only mode), set up with `directors add`, in Xfce's panel:
# all fine (green, with the corner mark), usernames in the way (amber), and
# the sign-in refused (red). Saves tray-real-<state>.png, -tooltip.png and
# -menu.png here (tray-panel.sh takes them).
# Needs: xvfb, xfce4-panel, xdotool, imagemagick, dbus-daemon.
# Usage: docs/screenshots/take-tray-real.sh [BINARY]
set -euo pipefail
cd "$(dirname "$0")"
bin=$(realpath "${1:-${CARGO_TARGET_DIR:-../../target}/release/hybrid-setup}")
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null; rm -rf "$work"' EXIT
"$bin" sim --web-only --addr 127.0.0.1:0 >"$work/url" 2>/dev/null &
for _ in $(seq 100); do [ -s "$work/url" ] && break; sleep 0.1; done
url=$(head -1 "$work/url")
# state  password  options
while read -r state password options; do
  home=$work/$state; mkdir -p "$home"
  # Added with the right password; the refused state then gets a wrong one.
  # shellcheck disable=SC2086
  HYBRID_SETUP_HOME=$home HYBRID_DIRECTOR_PASSWORD=changeme \
    "$bin" directors add --director "$url" --name hq $options >/dev/null 2>&1
  HYBRID_DIRECTOR_PASSWORD=$password dbus-run-session -- \
    bash ./tray-panel.sh "$bin" "$home" "tray-real-$state" 2>/dev/null
done <<LIST
green changeme --use-email --append-domain acme-corp.example
stale changeme
red not-the-password
LIST
