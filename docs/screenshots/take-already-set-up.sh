#!/usr/bin/env bash
# A real Director whose Connect Sync is already set up, added by signing in:
# the Requirements step's "It is already set up…" form, filled in as its
# Hybrid page shows, with the "N of X" the page should show. Release binary,
# the built-in simulator playing a real Director (--demo-director web).
# Needs: xvfb, xdotool, imagemagick. Usage: docs/screenshots/take-already-set-up.sh [BINARY]
set -euo pipefail
cd "$(dirname "$0")"
bin=${1:-${CARGO_TARGET_DIR:-../../target}/release/hybrid-setup}
source ./walk.sh --demo-director web

sleep 4                           # the checks
click 561 261                     # It is already set up…
xdotool type --delay 10 "1000002" # Account ID has the focus
click 232 407                     # Use the email address as the client username
click 435 447                     # Domain appended to client usernames
xdotool type --delay 10 "acme-corp.example"
park
shot 17b-real-already-set-up 1
