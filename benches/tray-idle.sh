#!/usr/bin/env bash
# The notification-area icon alone (`--tray`, no window) watching the
# demo's Director, idle for SECONDS (default 600) in Xfce's panel on a
# virtual screen: peak memory (VmHWM) and CPU time used, against the window
# open on the status panel for the same time, same run.
# Needs: xvfb, xfce4-panel, dbus-daemon, xdotool; a release build.
# Usage: benches/tray-idle.sh [SECONDS] [BINARY]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/budget.sh"
seconds=${1:-600}
bin=$(realpath "${2:-${CARGO_TARGET_DIR:-target}/release/hybrid-setup}")
cd "$(dirname "$0")/../docs/screenshots"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# A provisioned demo, green (the status screenshots' preparation).
KEEP=1 PREPARE_ONLY=1 ./take-status.sh "$bin" >"$work/prepare.log" 2>&1 || true
prepared=$(sed -n 's/^work: //p' "$work/prepare.log")
[ -d "$prepared/green" ] || { echo "preparation failed"; cat "$work/prepare.log"; exit 1; }

for what in tray window; do
  args=()
  [ "$what" = tray ] && args=(--tray)
  # Started and the first poll done (10 s), then measured.
  read -r _ peak cpu < <(dbus-run-session -- "$here/in-panel.sh" "$seconds" 10 \
    "$prepared/green" "$bin" "${args[@]}" 2>/dev/null | grep '^measured')
  percent=$(awk -v c="$cpu" -v s="$seconds" 'BEGIN { printf "%.3f", 100 * c / s }')
  mb=$(awk -v k="$peak" 'BEGIN { printf "%.1f", k / 1024 }')
  if [ "$what" = tray ]; then
    budget "tray   peak RSS" "$mb" 30 MB
    budget "tray   CPU ($cpu s in $seconds s)" "$percent" 0.2 "% of one core"
  else
    echo "window peak RSS: $mb MB; CPU: $cpu s in $seconds s = $percent % of one core"
  fi
done
rm -rf "$prepared"
budgets_kept
