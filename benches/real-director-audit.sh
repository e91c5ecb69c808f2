#!/usr/bin/env bash
# Whole-process timings of reading every user of a real Director's shape:
# `audit --director-web` against the simulator's web-only mode (one request
# per user, at several concurrencies), and `audit --db` against a throwaway
# MariaDB loaded with the same number of users (one query).
# usage: benches/real-director-audit.sh BINARY [USERS...]   (default 10000 100000)
# Needs mariadb-server for the database rows (skipped without it).
set -u
bin=$(realpath "$1"); shift
sizes=${*:-10000 100000}
export HYBRID_SETUP_HOME=$(mktemp -d) HYBRID_DIRECTOR_PASSWORD=changeme
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null; rm -rf "$work" "$HYBRID_SETUP_HOME"' EXIT

seconds() { /usr/bin/time -f %e "$@" 2>&1 >/dev/null | tail -1; }

echo "| users | source | in flight | wall time | users/s |"
echo "|---:|---|---:|---:|---:|"
for n in $sizes; do
  "$bin" sim --web-only --generate "$n" --addr 127.0.0.1:0 >"$work/url" 2>/dev/null &
  sim=$!
  for _ in $(seq 100); do [ -s "$work/url" ] && break; sleep 0.1; done
  url=$(head -1 "$work/url")
  for c in 1 4 8 16 32; do
    t=$(seconds "$bin" audit --director-web "$url" --concurrency "$c" --format json)
    echo "| $n | web interface | $c | $t s | $(awk -v n=$n -v t=$t 'BEGIN{printf "%d", n/t}') |"
  done
  kill $sim; wait $sim 2>/dev/null

  if command -v mariadbd >/dev/null; then
    db=$work/db; mkdir -p "$db"; port=$(( 20000 + RANDOM % 20000 ))
    mariadb-install-db --no-defaults --datadir="$db/data" --auth-root-authentication-method=normal \
      --skip-test-db $( [ "$(id -u)" = 0 ] && echo --user=root ) >/dev/null 2>&1
    mariadbd --no-defaults --datadir="$db/data" --socket="$db/sock" --port=$port --bind-address=127.0.0.1 \
      --skip-log-bin --innodb-buffer-pool-size=64M $( [ "$(id -u)" = 0 ] && echo --user=root ) >/dev/null 2>&1 &
    dbpid=$!
    for _ in $(seq 200); do [ -S "$db/sock" ] && break; sleep 0.1; done
    {
      sed -n '1,/^-- Hand-written rows/p' tests/fixtures/shoreware.sql
      echo "CREATE USER 'st_configread'@'127.0.0.1' IDENTIFIED BY 'bench'; GRANT SELECT ON shoreware.* TO 'st_configread'@'127.0.0.1';"
      python3 - "$n" <<'PY'
import sys
n = int(sys.argv[1])
for start in range(0, n, 1000):
    rows = range(start + 1, min(n, start + 1000) + 1)
    print("INSERT INTO tabaddresses (AddressID, FirstName, LastName, EmailAddress) VALUES " +
          ",".join(f"({i},'First{i}','Last{i}','user{i}@acme-corp.example')" for i in rows) + ";")
    print("INSERT INTO users (UserDN, AddressID, GuiLoginName) VALUES " +
          ",".join(f"({i},{i},'{'user%d@acme-corp.example' % i if i % 10 else 'user%d' % i}')" for i in rows) + ";")
PY
    } | mariadb --no-defaults --socket="$db/sock" --user=root
    t=$(HYBRID_DB_PASSWORD=bench seconds "$bin" audit --db "mysql://st_configread@127.0.0.1:$port/shoreware" --format json)
    echo "| $n | configuration database | one query | $t s | $(awk -v n=$n -v t=$t 'BEGIN{printf "%d", n/t}') |"
    kill $dbpid; wait $dbpid 2>/dev/null; rm -rf "$db"
  fi
done
