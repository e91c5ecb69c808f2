# Sourced by take-directors.sh and take-exporter.sh (which set $bin, $work
# and the array pids): start_sim starts one simulated Director, signs in,
# saves its Synchronization settings with the Portal account's Token (yes) or
# a revoked one (no), runs a Connect Sync cycle, and prints "URL ACCOUNT-ID".
# Needs: curl, python3.
start_sim() { # TOKEN-OK(yes|no)
  local out=$work/sim$RANDOM
  "$bin" sim >"$out" 2>/dev/null & pids+=($!)
  for _ in $(seq 50); do [ -s "$out" ] && break; sleep 0.1; done
  local url; url=$(head -1 "$out")
  local jar=$out.jar
  curl -sf -c "$jar" -H 'content-type: application/json' \
    -d '{"login_name":"admin","password":"changeme"}' "$url/director/api/session" >/dev/null
  local account token
  read -r account token < <(curl -sf "$url/__sim/state" | python3 -c '
import json, sys
a = json.load(sys.stdin)["portal"]["accounts"][0]
print(a["account_id"], a["token"])')
  [ "$1" = no ] && token=revoked
  curl -sf -b "$jar" -X PUT -H 'content-type: application/json' \
    -d "{\"account_id\":\"$account\",\"token\":\"$token\",\"use_email\":true,\"append_domain\":\"acme-corp.example\"}" \
    "$url/director/api/hybrid/sync" >/dev/null
  curl -sf -b "$jar" -X POST "$url/director/api/hybrid/sync/run" >/dev/null
  echo "$url $account"
}
