#!/usr/bin/env bash
# Our username rules vs Python's email-validator on the same 100,000
# addresses: time per address, ratio, and the verdicts that differ.
# Usage: benches/compare-email-validator.sh   (numbers in docs/PERFORMANCE.md)
set -euo pipefail
cd "$(dirname "$0")/.."
target=${CARGO_TARGET_DIR:-target}
venv=${VENV:-/var/tmp/hybrid-venv}
if ! "$venv/bin/python" -c "import email_validator" 2>/dev/null; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet "email-validator==2.4.0"
fi
cargo build --release --quiet --example generate_users --example validate_addresses
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$target/release/examples/generate_users" 60000 > "$work/users.csv"
"$venv/bin/python" benches/compare_email_validator.py "$work/users.csv" "$work" \
  "$target/release/examples/validate_addresses"
