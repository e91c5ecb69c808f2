#!/usr/bin/env bash
# The .msi under Wine: installs the program, and on removal takes away the
# "Start at login" Run value of the user removing it (the program's own
# `--forget-start-at-login`, run by the installer) — and nothing else in
# the Run key. Usage: msi-check.sh MSI   (WINEPREFIX prepared).
set -euo pipefail
msi=$(realpath "$1")
wine=/usr/lib/wine/wine64
run_key='HKCU\Software\Microsoft\Windows\CurrentVersion\Run'
fail() { echo "MSI under Wine: $*"; exit 1; }
installed="$WINEPREFIX/drive_c/Program Files/Connect HYBRID Setup/hybrid-setup.exe"

timeout 300 "$wine" msiexec /i "Z:${msi//\//\\}" /qn || fail "install exited $?"
[ -f "$installed" ] || fail "no $installed after install"
# "Start at login" as the program writes it, and another program's value.
"$wine" reg add "$run_key" /v "Connect HYBRID Setup" /d '"C:\Program Files\Connect HYBRID Setup\hybrid-setup.exe" --tray' /f >/dev/null
"$wine" reg add "$run_key" /v "Another Program" /d 'another.exe' /f >/dev/null
timeout 300 "$wine" msiexec /x "Z:${msi//\//\\}" /qn || fail "uninstall exited $?"
[ -f "$installed" ] && fail "the program is still there after uninstall"
values=$("$wine" reg query "$run_key" 2>/dev/null | tr -d '\r')
grep -q "Connect HYBRID Setup" <<<"$values" && fail "the Run value outlived the program: $values"
grep -q "Another Program" <<<"$values" || fail "another program's Run value was removed"
"$wine" reg delete "$run_key" /v "Another Program" /f >/dev/null
echo "the .msi installs, and its removal takes the Start at login value with it (others stay)"
