#!/usr/bin/env bash
# Sourced by .ci/run: installs (if needed) and starts a throwaway PostgreSQL server on 127.0.0.1 and
# exports RISK_TEST_DATABASE_URL for the tests marked `postgres`.  The server stops when CI exits.
initdb_bin=$(command -v initdb || ls /usr/lib/postgresql/*/bin/initdb 2>/dev/null | tail -n 1 || true)
if [ -z "$initdb_bin" ]; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
  initdb_bin=$(ls /usr/lib/postgresql/*/bin/initdb | tail -n 1)
fi
pg_bin=$(dirname "$initdb_bin")
pg_ctl_bin=$(command -v pg_ctl || echo "$pg_bin/pg_ctl")
pg_dir=$(mktemp -d /tmp/risk-ci-pg.XXXXXX)
as_pg=()
if [ "$(id -u)" = "0" ]; then chown postgres "$pg_dir"; as_pg=(runuser -u postgres --); fi
pg_port=${RISK_CI_PG_PORT:-55432}
"${as_pg[@]}" "$initdb_bin" -D "$pg_dir/data" -A trust -U risk --no-sync -E UTF8 >/dev/null
"${as_pg[@]}" "$pg_ctl_bin" -D "$pg_dir/data" -l "$pg_dir/log" -w \
  -o "-k $pg_dir -p $pg_port -c listen_addresses=127.0.0.1 -F -c max_connections=200" start >/dev/null
trap '"${as_pg[@]}" "$pg_ctl_bin" -D "$pg_dir/data" -m immediate stop >/dev/null 2>&1 || true' EXIT
export RISK_TEST_DATABASE_URL="postgresql+psycopg://risk@127.0.0.1:$pg_port/postgres"
echo "PostgreSQL for the tests: $RISK_TEST_DATABASE_URL"
