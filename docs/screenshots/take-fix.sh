#!/usr/bin/env bash
# Walks the release binary to "Fix in Director…" against the built-in
# simulator playing a real Director's web interface (--demo-director web),
# the way a person would (mouse and keyboard through xdotool), and saves a
# PNG of the fix view: suggestions, review, the question Apply asks, the
# result, and the undo's review. THEME=light PREFIX=light/ for the light theme.
# Needs: xvfb, xdotool, imagemagick. Usage: docs/screenshots/take-fix.sh [BINARY]
# Coordinates are for the default 1040x720 window at the top-left corner,
# with the "no keyring" notice line of a machine without a Secret Service.
set -euo pipefail
cd "$(dirname "$0")"
bin=${1:-${CARGO_TARGET_DIR:-../../target}/release/hybrid-setup}
source ./walk.sh --demo-director web
# The pointer rests on the title bar: the fix view's buttons are at the
# bottom right, where walk.sh parks it (their tooltips would cover them).
park() { xdotool mousemove 1030 30; }


sleep 4                         # Requirements read the users
key Return; key Return; key Return
click 420 126                   # Account Name, Account ID
xdotool type --delay 10 "Acme Boston"; xdotool key Tab; sleep 0.2
xdotool type --delay 10 "1000002"; sleep 0.3
key Return; key Return
click 428 304                   # Token
xdotool type --delay 5 "Zq81-tok-ExampleToken-3f9a"; sleep 0.2
key Return; key Return          # Username format
click 712 191                   # Fix in Director…
park
shot 23-fix-suggestions 3
click 968 671                   # Review 11 users…
park
shot 24-fix-review 2
click 910 489                   # Apply 11 changes to …
park
shot 24b-fix-confirm 1
click 960 536                   # Yes, apply 11 changes
park
shot 25-fix-result 3
click 462 507                   # Undo this fix…
park
shot 25b-fix-undo-review 3
