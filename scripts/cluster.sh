#!/usr/bin/env bash
# A local sockchat cluster in one command (issue 11): a throwaway PostgreSQL (scripts/postgres.sh)
# and three `sockchat serve --cluster` nodes sharing it. Prints where everything is, then runs
# until Ctrl+C or SIGTERM, which stops the nodes and PostgreSQL and removes the temp folder.
# A node that dies (try `kill -9` on one) is reported; the others keep running.
#
#   scripts/cluster.sh [-- MORE SERVE OPTIONS...]      e.g. scripts/cluster.sh -- --motd "hi"
#
# On stdout, one line each (the first word says what it is; the nodes' logs are in the folder):
#   folder /tmp/sockchat-cluster.XXXXXX
#   postgres Host=127.0.0.1;Port=24589;Username=postgres;Database=sockchat
#   node1 chat 127.0.0.1:41234 web http://127.0.0.1:41235/ pid 12345
#   node2 ...
#   ready 3 nodes
#
# Environment:
#   SOCKCHAT       the sockchat program (default: `sockchat` on PATH)
#   NODES          how many nodes (default 3, at most 9)
#   HOST           the address the nodes listen on (default 127.0.0.1)
#   BASE_PORT      node N gets chat port BASE_PORT+2(N-1) and web port one above; default: free
#                  ports the nodes pick themselves (--port 0 --web-port 0)
#   READY_TIMEOUT  seconds to wait for each node's `listening on` line (default 60)
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
sockchat=${SOCKCHAT:-sockchat}
nodes=${NODES:-3}
host=${HOST:-127.0.0.1}
base_port=${BASE_PORT:-}
ready_timeout=${READY_TIMEOUT:-60}
stop_timeout=20

die() {
  echo "cluster.sh: $*" >&2
  exit 1
}

if [ $# -gt 0 ]; then
  [ "$1" = "--" ] || die "unknown argument '$1'; options for the nodes go after --"
  shift
fi
[[ $nodes =~ ^[1-9]$ ]] || die "NODES=$nodes: give 1 to 9"
[[ $ready_timeout =~ ^[0-9]+$ ]] || die "READY_TIMEOUT=$ready_timeout is not a number of seconds"
if [ -n "$base_port" ] && { ! [[ $base_port =~ ^[0-9]+$ ]] || [ "$base_port" -lt 1024 ] || [ $((base_port + 2 * nodes)) -gt 65535 ]; }; then
  die "BASE_PORT=$base_port: give a port from 1024 that leaves room for $((2 * nodes)) ports"
fi
command -v "$sockchat" >/dev/null 2>&1 || die "'$sockchat' not found: install the tool (see README.md) or set SOCKCHAT=/path/to/sockchat"
# A sockchat without the cluster mode would start three unrelated servers: refuse it up front.
help=$(timeout 30 "$sockchat" serve --help 2>&1) || die "'$sockchat serve --help' failed: $help"
grep -q -- '--cluster' <<<"$help" || die "'$sockchat' has no 'serve --cluster' (a sockchat from before issue 11); set SOCKCHAT to a newer one"
web=1
for arg in "$@"; do
  [ "$arg" != "--no-web" ] || web=0
done

dir=$(mktemp -d "${TMPDIR:-/tmp}/sockchat-cluster.XXXXXX")
chmod 755 "$dir" # PostgreSQL runs as the postgres user when we are root: it must reach $dir/postgres
pids=()
stopping=0
setsid=""
if command -v setsid >/dev/null 2>&1; then setsid=setsid; fi

# Stops every node (SIGTERM, then SIGKILL after $stop_timeout s), then PostgreSQL; removes $dir.
# shellcheck disable=SC2317  # run by the traps below, which shellcheck does not follow
cleanup() {
  [ "$stopping" = 0 ] || return 0
  stopping=1
  local pid deadline
  for pid in "${pids[@]}"; do
    kill -TERM "$pid" 2>/dev/null || true
  done
  deadline=$((SECONDS + stop_timeout))
  for pid in "${pids[@]}"; do
    while kill -0 "$pid" 2>/dev/null && [ "$SECONDS" -lt "$deadline" ]; do
      sleep 0.1
    done
    if kill -0 "$pid" 2>/dev/null; then
      echo "cluster.sh: node pid $pid did not stop within ${stop_timeout} s; killing it" >&2
      kill -KILL "$pid" 2>/dev/null || true
    fi
    wait "$pid" 2>/dev/null || true
  done
  "$here/postgres.sh" stop "$dir/postgres" || echo "cluster.sh: stopping PostgreSQL failed; see $dir" >&2
  rm -rf "$dir"
}
trap 'cleanup; exit 0' INT TERM HUP
trap cleanup EXIT

echo "folder $dir"
"$here/postgres.sh" start "$dir/postgres" >/dev/null
conn=$("$here/postgres.sh" createdb "$dir/postgres" sockchat)
echo "postgres $conn"

# All nodes start at once, as after a deploy: each creates or migrates the schema itself.
for i in $(seq 1 "$nodes"); do
  if [ -n "$base_port" ]; then
    port=$((base_port + 2 * (i - 1)))
    web_port=$((port + 1))
  else
    port=0
    web_port=0
  fi
  mkdir "$dir/node$i" # its working directory: no chat.json from where the script was started
  # setsid: a session of its own, so that Ctrl+C at the terminal reaches only this script, which
  # then stops each node once with SIGTERM (not SIGINT and SIGTERM racing in its shutdown).
  (cd "$dir/node$i" && exec $setsid "$sockchat" serve --cluster "$conn" --host "$host" --port "$port" --web-port "$web_port" "$@" \
    >"$dir/node$i.out" 2>"$dir/node$i.log" </dev/null) &
  pids+=("$!")
done

# Waits (bounded) until node $1 has printed its ready line(s); prints its summary line.
wait_ready() {
  local i=$1 pid=$2 out=$dir/node$1.out deadline=$((SECONDS + ready_timeout)) chat url
  while :; do
    chat=$(sed -n 's/^listening on \(.*\)$/\1/p' "$out" | head -n 1)
    url=$(sed -n 's/^web on \(.*\)$/\1/p' "$out" | head -n 1)
    if [ -n "$chat" ] && { [ "$web" = 0 ] || [ -n "$url" ]; }; then
      break
    fi
    if ! kill -0 "$pid" 2>/dev/null; then
      tail -n 20 "$dir/node$i.log" >&2 || true
      die "node$i exited before it was ready (its log above)"
    fi
    if [ "$SECONDS" -ge "$deadline" ]; then
      tail -n 20 "$dir/node$i.log" >&2 || true
      die "node$i printed no 'listening on' line within ${ready_timeout} s (its log above)"
    fi
    sleep 0.1
  done
  echo "node$i chat $chat${url:+ web $url} pid $pid"
}
for i in $(seq 1 "$nodes"); do
  wait_ready "$i" "${pids[$((i - 1))]}"
done
echo "ready $nodes nodes"
echo "cluster.sh: logs in $dir/node*.log; Ctrl+C stops the nodes and PostgreSQL" >&2

# Until a signal: report each node that exits; when none is left there is nothing to run.
living=("${pids[@]}")
while [ ${#living[@]} -gt 0 ]; do
  status=0
  exited=""
  wait -n -p exited "${living[@]}" || status=$?
  [ -n "$exited" ] || continue
  rest=()
  for i in $(seq 1 "$nodes"); do
    pid=${pids[$((i - 1))]}
    if [ "$pid" = "$exited" ]; then
      echo "cluster.sh: node$i (pid $pid) exited with status $status; the others keep running" >&2
    elif printf '%s\n' "${living[@]}" | grep -qx "$pid"; then
      rest+=("$pid")
    fi
  done
  living=("${rest[@]}")
done
echo "cluster.sh: every node has exited; stopping PostgreSQL" >&2
exit 1
