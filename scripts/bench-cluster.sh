#!/bin/sh
# `make bench-cluster`: a throw-away PostgreSQL cluster (initdb + pg_ctl on a temporary folder and a free port, as the
# postgres user when run as root), a database filled once with PEOPLE synthetic people (kept in .build/bench-cluster
# between runs: the second run reuses it), and `pairmatch bench cluster` against it; the server is stopped at the end.
# Usage: scripts/bench-cluster.sh PAIRMATCH MODELS [PEOPLE] [DURATION]
set -eu
BIN=$1; MODELS=$2; PEOPLE=${3:-1000000}; DURATION=${4:-20}
PGBIN=/usr/lib/postgresql/15/bin
DIR=$(pwd)/.build/bench-cluster
PORT=${BENCH_PGPORT:-55433}
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
mkdir -p "$DIR"
if [ ! -f "$DIR/data/PG_VERSION" ]; then
  head -c 18 /dev/urandom | base64 | tr -dc 'a-zA-Z0-9' > "$DIR/pwfile"
  mkdir -p "$DIR/socket"
  [ "$(id -u)" = 0 ] && chown -R postgres:postgres "$DIR"
  as_pg "$PGBIN/initdb" -D "$DIR/data" -U postgres --pwfile "$DIR/pwfile" -E UTF8 --no-locale \
    --auth-local=trust --auth-host=scram-sha-256 >/dev/null
fi
as_pg "$PGBIN/pg_ctl" -D "$DIR/data" -l "$DIR/server.log" -w -t 60 \
  -o "-c listen_addresses=127.0.0.1 -p $PORT -c unix_socket_directories=$DIR/socket -c shared_buffers=1GB -c max_wal_size=4GB" start >/dev/null
trap 'as_pg "$PGBIN/pg_ctl" -D "$DIR/data" -m fast -w stop >/dev/null' EXIT
DB=people_$PEOPLE
as_pg psql -h "$DIR/socket" -p "$PORT" -U postgres -Atqc "SELECT 1 FROM pg_database WHERE datname = '$DB'" | grep -q 1 \
  || as_pg psql -h "$DIR/socket" -p "$PORT" -U postgres -qc "CREATE DATABASE $DB ENCODING 'UTF8' TEMPLATE template0"
PGPASSWORD=$(cat "$DIR/pwfile") "$BIN" bench cluster --gallery "postgres://postgres@127.0.0.1:$PORT/$DB" \
  --people "$PEOPLE" --duration "$DURATION" --models "$MODELS"
