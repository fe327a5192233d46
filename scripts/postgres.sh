#!/usr/bin/env bash
# A throwaway PostgreSQL for tests and for trying the cluster mode (issue 11). Never for real data:
# it trusts every local connection (initdb -A trust) and listens on 127.0.0.1 only.
#
#   scripts/postgres.sh start DIR [PORT]   initdb into DIR/data (unless DIR already holds a cluster),
#                                          start it on 127.0.0.1:PORT (default: the port DIR used last
#                                          time, else a free one), print the admin connection string
#                                          "Host=127.0.0.1;Port=PORT;Username=postgres" on stdout
#   scripts/postgres.sh createdb DIR NAME  create database NAME in the running cluster of DIR and
#                                          print its connection string
#   scripts/postgres.sh halt DIR           stop the server but keep DIR (start DIR brings it back on
#                                          the same port with the same data)
#   scripts/postgres.sh stop DIR           stop the server and remove DIR
#
# As root, the server runs as the `postgres` user (PostgreSQL refuses to run as root): DIR is
# chowned to it, so DIR's parent folders must be searchable by that user (a folder under /tmp is).
# As any other user, the server runs as that user. Everything but the connection string goes to
# stderr. Every wait is bounded (PG_TIMEOUT seconds, default 60). PG_BIN picks the binaries' folder.
set -euo pipefail

timeout_s=${PG_TIMEOUT:-60}
marker=.sockchat-postgres

die() {
  echo "postgres.sh: $*" >&2
  exit 1
}

usage() {
  sed -n '4,13p' "$0" | sed 's/^# \{0,1\}//' >&2
  exit 2
}

# The folder with initdb, pg_ctl and postgres: PG_BIN, else Debian's newest
# /usr/lib/postgresql/N/bin, else whatever is on PATH.
find_bin() {
  if [ -n "${PG_BIN:-}" ]; then
    [ -x "$PG_BIN/initdb" ] || die "PG_BIN=$PG_BIN has no initdb"
    echo "$PG_BIN"
    return
  fi
  local candidate best=""
  for candidate in /usr/lib/postgresql/*/bin; do
    [ -x "$candidate/initdb" ] && [ -x "$candidate/pg_ctl" ] && best=$candidate
  done
  if [ -z "$best" ]; then
    # Sorted by the shell, so /usr/lib/postgresql/9.x would win over 15; Debian ships one or two.
    for candidate in /usr/lib/postgresql/*/bin; do
      [ -x "$candidate/initdb" ] && best=$candidate
    done
  fi
  if [ -z "$best" ] && command -v initdb >/dev/null 2>&1 && command -v pg_ctl >/dev/null 2>&1; then
    best=$(dirname "$(command -v initdb)")
  fi
  [ -n "$best" ] || die "the PostgreSQL server programs (initdb, pg_ctl, postgres) were not found in /usr/lib/postgresql/*/bin or on PATH; install them: apt-get install postgresql"
  echo "$best"
}

# Runs a command as the user that owns the server: `postgres` when we are root.
as_owner() {
  if [ "$(id -u)" = 0 ]; then
    if command -v runuser >/dev/null 2>&1; then
      runuser -u postgres -- "$@"
    else
      su postgres -s /bin/sh -c "$(printf '%q ' "$@")"
    fi
  else
    "$@"
  fi
}

# A port in 20000-32767 (below Linux's ephemeral range, so nothing that binds port 0 takes it
# while the server is halted) on which nothing accepts connections right now.
free_port() {
  local tries port
  for tries in $(seq 1 50); do
    port=$((20000 + RANDOM % 12768))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      echo "$port"
      return
    fi
  done
  die "no free port found in 20000-32767 after $tries tries"
}

connection_string() {
  echo "Host=127.0.0.1;Port=$1;Username=postgres${2:+;Database=$2}"
}

recorded_port() {
  [ -f "$1/port" ] && cat "$1/port"
}

# 0 when the server of DIR runs (pg_ctl status: 0 running, 3 not running, 4 no data folder).
running() {
  [ -f "$1/data/PG_VERSION" ] && (cd "$1" && as_owner timeout "$timeout_s" "$bin/pg_ctl" status -D "$1/data" >/dev/null 2>&1)
}

start() {
  local dir=$1 port=${2:-}
  mkdir -p "$dir"
  dir=$(cd "$dir" && pwd)
  if [ -n "$(ls -A "$dir")" ] && [ ! -f "$dir/$marker" ]; then
    die "$dir is not empty and was not made by postgres.sh; give an empty or new folder"
  fi
  touch "$dir/$marker"
  # The socket path must fit in sockaddr_un (107 bytes): DIR/s/.s.PGSQL.PORT.
  [ ${#dir} -le 80 ] || die "folder path too long for a unix socket (over 80 characters): $dir"
  mkdir -p "$dir/s"
  if [ "$(id -u)" = 0 ]; then
    id postgres >/dev/null 2>&1 || die "running as root needs a 'postgres' user (the postgresql package creates it)"
    chown -R postgres: "$dir"
    as_owner test -x "$dir" || die "user postgres cannot reach $dir: a parent folder is not searchable by it; use a folder under /tmp"
  fi
  bin=$(find_bin)
  if [ ! -f "$dir/data/PG_VERSION" ]; then
    echo "postgres.sh: initdb into $dir/data" >&2
    (cd "$dir" && as_owner timeout "$timeout_s" "$bin/initdb" -D "$dir/data" -A trust -U postgres -E UTF8 --locale=C --no-sync >"$dir/initdb.log" 2>&1) \
      || { cat "$dir/initdb.log" >&2; die "initdb failed (log above)"; }
  fi
  if running "$dir"; then
    port=$(recorded_port "$dir") || die "a server runs in $dir but its port is not recorded"
    echo "postgres.sh: already running on 127.0.0.1:$port" >&2
    connection_string "$port"
    return
  fi
  local attempts=1
  [ -n "$port" ] || port=$(recorded_port "$dir") || true
  if [ -z "$port" ]; then
    port=$(free_port)
    attempts=5 # another program may take the chosen port first: then try another
  fi
  local attempt
  for attempt in $(seq 1 "$attempts"); do
    # max_connections: several nodes with their pools per test class, two classes at a time.
    if (cd "$dir" && as_owner timeout "$timeout_s" "$bin/pg_ctl" start -D "$dir/data" -l "$dir/postgres.log" -w -t "$timeout_s" \
          -o "-c listen_addresses=127.0.0.1 -p $port -k $dir/s -c max_connections=300" >&2); then
      echo "$port" >"$dir/port"
      if [ "$(id -u)" = 0 ]; then chown postgres: "$dir/port"; fi
      echo "postgres.sh: PostgreSQL $(cat "$dir/data/PG_VERSION") on 127.0.0.1:$port, data in $dir/data, log $dir/postgres.log" >&2
      connection_string "$port"
      return
    fi
    if [ "$attempt" -lt "$attempts" ] && tail -n 20 "$dir/postgres.log" 2>/dev/null | grep -q 'could not bind'; then
      echo "postgres.sh: port $port was taken meanwhile; trying another" >&2
      port=$(free_port)
      continue
    fi
    tail -n 20 "$dir/postgres.log" >&2 2>/dev/null || true
    die "PostgreSQL did not start on 127.0.0.1:$port (log above, in $dir/postgres.log)"
  done
}

halt() {
  local dir=$1
  [ -d "$dir" ] || return 0
  [ -n "$(ls -A "$dir")" ] || return 0 # made for a start that never came (a trap set before it)
  [ -f "$dir/$marker" ] || die "$dir was not made by postgres.sh; not touching it"
  [ -f "$dir/data/PG_VERSION" ] || return 0
  bin=$(find_bin)
  if running "$dir"; then
    (cd "$dir" && as_owner timeout "$timeout_s" "$bin/pg_ctl" stop -D "$dir/data" -m fast -w -t "$timeout_s" >&2) \
      || (cd "$dir" && as_owner timeout "$timeout_s" "$bin/pg_ctl" stop -D "$dir/data" -m immediate -w -t "$timeout_s" >&2) \
      || die "PostgreSQL in $dir did not stop"
  fi
}

createdb() {
  local dir=$1 name=$2 port
  [[ $name =~ ^[a-z_][a-z0-9_]*$ ]] || die "database name '$name': use lower-case letters, digits and _"
  port=$(recorded_port "$dir") || die "no server was started in $dir"
  bin=$(find_bin)
  running "$dir" || die "the server of $dir is not running"
  (cd "$dir" && as_owner timeout "$timeout_s" "$bin/psql" -h 127.0.0.1 -p "$port" -U postgres -d postgres -q -v ON_ERROR_STOP=1 \
    -c "CREATE DATABASE $name" >&2) || die "cannot create database $name"
  connection_string "$port" "$name"
}

[ $# -ge 2 ] || usage
command=$1
dir=$2
bin="" # found when needed: stopping a folder that holds no cluster needs no binaries
case "$command" in
  start)
    [ $# -le 3 ] || usage
    if [ $# -eq 3 ]; then
      if ! [[ $3 =~ ^[0-9]+$ ]] || [ "$3" -lt 1 ] || [ "$3" -gt 65535 ]; then
        die "port '$3' is not a number in 1-65535"
      fi
    fi
    start "$dir" "${3:-}"
    ;;
  createdb)
    [ $# -eq 3 ] || usage
    createdb "$dir" "$3"
    ;;
  halt)
    [ $# -eq 2 ] || usage
    halt "$dir"
    ;;
  stop)
    [ $# -eq 2 ] || usage
    halt "$dir"
    rm -rf "$dir"
    ;;
  *)
    usage
    ;;
esac
