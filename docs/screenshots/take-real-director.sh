#!/usr/bin/env bash
# Walks the release binary through the wizard against the built-in
# simulator playing a real Director's web interface (--demo-director web),
# the way a person would (mouse and keyboard through xdotool), and saves a
# PNG of every guided screen into docs/screenshots/.
# Needs: xvfb, xdotool, imagemagick. Usage: docs/screenshots/take-real-director.sh [BINARY]
# Coordinates are for the default 1040x720 window at the top-left corner,
# with the "no keyring" notice line of a machine without a Secret Service.
set -euo pipefail
cd "$(dirname "$0")"
bin=${1:-${CARGO_TARGET_DIR:-../../target}/release/hybrid-setup}
source ./walk.sh --demo-director web


park
shot 17-real-director-requirements 4
key Return                      # Continue
key Return                      # Register… (the card chosen first)
park
shot 18-real-register 1.5
key Return                      # I have registered
click 420 126                   # Account Name
xdotool type --delay 10 "Acme Boston"; xdotool key Tab; sleep 0.2
xdotool type --delay 10 "1000 002"; xdotool key Tab; sleep 0.3
park
shot 19-real-confirmation-error 1
click 420 167                   # Account ID, typed again right
xdotool key ctrl+a; xdotool type --delay 10 "1000002"; sleep 0.3
key Return                      # leaves the field
key Return                      # Continue
park
shot 20-real-credentials 1
click 428 304                   # Token
xdotool type --delay 5 "Zq81-tok-ExampleToken-3f9a"; sleep 0.2
key Return
key Return
click 226 104                   # Use the email address
click 226 127                   # Append a domain
click 997 701                   # Continue
park
shot 21-real-save 1.5
key Return                      # I clicked Save — verify (the primary)
park
shot 21b-real-save-verified 3
click 1007 701                  # Finish
park
shot 22-real-status 3
