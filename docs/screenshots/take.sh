#!/usr/bin/env bash
# Walks the release binary through the wizard in a virtual screen, the way a
# person would (mouse and keyboard through xdotool), and saves a PNG of every
# screen into docs/screenshots/.
# Needs: xvfb, xdotool, imagemagick. Usage: docs/screenshots/take.sh [BINARY]
# Coordinates are for the default 1040x720 window at the top-left corner.
set -euo pipefail
cd "$(dirname "$0")"
bin=${1:-${CARGO_TARGET_DIR:-../../target}/release/hybrid-setup}
source ./walk.sh


park
shot 01-requirements 3
key Return
shot 02-link-director
key Return
click 530 107
for value in "Acme Corporation" "1 Main Street" "Springfield" "MA" "01101" "United States" \
             "Pat" "Admin" "pat.admin@acme-corp.example" "+1 617 555 0100" "Str0ngPass" "Str0ngPass"; do
  type_tab "$value"
done
click 338 450          # the "terms and conditions" link
park
shot 03-register-terms 1.5
click 536 484          # Hide the terms (shown under the link)
click 226 477          # tick the Terms box
park
key Return             # Register: the demo already has "Acme Corporation"
shot 03b-register-conflict 1.5
click 485 163          # "Use “Acme Corporation (Springfield)”"
park
key Return
shot 04-confirmation 1.5
key Return
click 244 221          # Sign in (the password typed at registration is offered)
click 366 157          # Connect Credentials > Show
park
shot 05-credentials 1.5
key Return
shot 06-username-format 1.5
# From here a notice line (no keyring on the screenshot machine) moves the page down.
click 226 104          # Use the email address
click 226 191          # Invalid only
park
shot 06b-username-format-invalid-only
key Return             # Save to Director: 14 invalid, so it asks
shot 06c-confirm-save 0.5
click 435 396          # Cancel
click 226 127          # Append a domain
park
shot 06d-username-format-zero
key Return
shot 07-first-sync-waiting 0.3
shot 07b-first-sync-verified 4
key Return
shot 08-done 2
