#!/usr/bin/env bash
# Issue 11's measurements: sockchat's cluster mode against the single-node SQLite server, in one
# sitting. Scenario b (100 clients, 10 senders x 500) with the clients spread round-robin over 1,
# 2 and 3 `--cluster` nodes (each point on a fresh database of one throwaway PostgreSQL);
# scenario c (1,000 clients, one sender at 1,000/s) on one SQLite server and over 2 nodes (the
# sender on node 1, half the readers on node 2: cross-node deliveries); and the stored rate into
# one room (10 clients all sending 3,000 messages as fast as acks allow; every message is stored
# before it is delivered, so messages/s is stored/s) on SQLite, 1 node and 3 nodes; and the
# same stored rate spread over 50 rooms ("stored-rooms": 100 clients all sending 300 messages,
# `--chat-rooms 50`, so each room has 2 members, both senders, and over 3 nodes those 2 are on
# different nodes) on SQLite, 1 node and 3 nodes; and, since that series has ten times the
# clients of the one-room series (which costs a server on its own, SQLite included), the same
# 10 clients as the one-room series over 5 rooms ("stored-5rooms").
#
#   bench/cluster.sh                     # all points, RUNS times each (default 1)
#   SOCKCHAT=/path/to/sockchat bench/cluster.sh
#
# Nodes run on core 0, the generator on core 1; PostgreSQL is not pinned (it shares both cores).
# Results: one JSON line per run in bench/results/cluster.jsonl (replaced), the tables on stdout
# (bench/results/cluster.md is that output from the last recorded sitting).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
RUNS=${RUNS:-1}
OUT=${OUT:-$ROOT/bench/results/cluster.jsonl}
WORK=$(mktemp -d /tmp/sockchat-cluster-bench.XXXXXX)
chmod 755 "$WORK"   # PostgreSQL runs as its own user below it
PGDIR=$WORK/postgres
NODE_PIDS=()

log() { echo "$(date +%H:%M:%S) $*" >&2; }

stop_nodes() {
    [ ${#NODE_PIDS[@]} -eq 0 ] && return 0
    kill -TERM "${NODE_PIDS[@]}" 2>/dev/null || true
    wait "${NODE_PIDS[@]}" 2>/dev/null || true
    NODE_PIDS=()
}

cleanup() {
    stop_nodes
    "$ROOT/scripts/postgres.sh" stop "$PGDIR" >/dev/null 2>&1 || true
    rm -rf "$WORK"
}
trap cleanup EXIT

if [ -z "${SOCKCHAT:-}" ]; then
    log "publishing the native server (dotnet publish -r linux-x64)"
    dotnet publish "$ROOT/src/Sockchat" -c Release -r linux-x64 -o "$WORK/native" -v q >"$WORK/publish.log" 2>&1
    SOCKCHAT=$WORK/native/sockchat
fi
log "building the load generator"
dotnet build "$ROOT/bench/Sockchat.Bench" -c Release -v q >"$WORK/build.log" 2>&1 || { cat "$WORK/build.log" >&2; exit 1; }
GENERATOR=$ROOT/bench/Sockchat.Bench/bin/Release/net10.0/sockchat-bench.dll

ADMIN=$("$ROOT/scripts/postgres.sh" start "$PGDIR")
log "PostgreSQL: $ADMIN"

# start_nodes N (SQLITE | DATABASE): N nodes (N=1 and SQLITE: one plain server); sets PORTS, NODE_PIDS.
start_nodes() {
    local count=$1 store=$2 i out
    PORTS=""
    NODE_PIDS=()
    for i in $(seq "$count"); do
        out=$WORK/node$i.out
        : >"$out"
        local storage=(--history-db "$WORK/history-$RANDOM.db")
        [ "$store" = SQLITE ] || storage=(--cluster "$ADMIN;Database=$store")
        timeout --signal=TERM 600 taskset -c 0 "$SOCKCHAT" serve --port 0 --no-web --rate 0 --max-per-address 0 \
            --max-clients 60000 "${storage[@]}" >"$out" 2>>"$WORK/node$i.log" &
        NODE_PIDS+=($!)
    done
    for i in $(seq "$count"); do
        local port=""
        for _ in $(seq 300); do
            port=$(sed -n 's/^listening on .*:\([0-9]*\)$/\1/p' "$WORK/node$i.out")
            [ -n "$port" ] && break
            sleep 0.1
        done
        [ -n "$port" ] || { log "node $i did not start: $(tail -3 "$WORK/node$i.log")"; return 1; }
        PORTS=${PORTS:+$PORTS,}$port
    done
}

# point SCENARIO LABEL NODES STORE [generator args...]
point() {
    local scenario=$1 label=$2 nodes=$3 store=$4; shift 4
    local run db
    for run in $(seq "$RUNS"); do
        db=$store
        if [ "$store" != SQLITE ]; then
            db="b$RANDOM$RANDOM"
            "$ROOT/scripts/postgres.sh" createdb "$PGDIR" "$db" >/dev/null 2>>"$WORK/postgres.out"
        fi
        start_nodes "$nodes" "$db"
        local json=$WORK/$scenario-$label-$run.json
        taskset -c 1 timeout 120 dotnet "$GENERATOR" --ports "$PORTS" --time-limit 90 --label "$scenario/$label" "$@" \
            >"$json" 2>"$WORK/$scenario-$label-$run.log" || true
        stop_nodes
        python3 - "$json" "$scenario" "$label" "$nodes" "$run" "$*" >>"$OUT" <<'PY'
import json, sys
path, scenario, label, nodes, run, args = sys.argv[1:7]
try:
    data = json.loads(open(path).read().strip().splitlines()[-1])
except (IndexError, ValueError):
    data = {"status": "no report"}
data.update(scenario=scenario, peer=label, nodes=int(nodes), run=int(run), args=args)
print(json.dumps(data))
PY
        log "$scenario $label run $run: $(tail -1 "$OUT" | python3 -c 'import json,sys; d=json.loads(sys.stdin.read()); print(d.get("status"), "delivered/s", d.get("delivered_per_s"), "p99_us", d.get("p99_us"), "lost", d.get("lost"), "sent", d.get("sent"), "duration_s", d.get("duration_s"))')"
    done
}

: >"$OUT"
B=(--clients 100 --senders 10 --messages 500)
point b sqlite 1 SQLITE "${B[@]}"
point b cluster-1 1 PG "${B[@]}"
point b cluster-2 2 PG "${B[@]}"
point b cluster-3 3 PG "${B[@]}"
C=(--clients 1000 --senders 1 --messages 5000 --rate 1000)
point c sqlite 1 SQLITE "${C[@]}"
point c cluster-2 2 PG "${C[@]}"
S=(--clients 10 --senders 10 --messages 3000)
point stored sqlite 1 SQLITE "${S[@]}"
point stored cluster-1 1 PG "${S[@]}"
point stored cluster-3 3 PG "${S[@]}"
S2=(--clients 100 --senders 100 --messages 300 --chat-rooms 50)
point stored-rooms sqlite 1 SQLITE "${S2[@]}"
point stored-rooms cluster-1 1 PG "${S2[@]}"
point stored-rooms cluster-3 3 PG "${S2[@]}"
S3=(--clients 10 --senders 10 --messages 3000 --chat-rooms 5)
point stored-5rooms sqlite 1 SQLITE "${S3[@]}"
point stored-5rooms cluster-1 1 PG "${S3[@]}"
point stored-5rooms cluster-3 3 PG "${S3[@]}"

python3 - "$OUT" <<'PY'
import json, sys
rows = [json.loads(line) for line in open(sys.argv[1]) if line.strip()]
def mean(scenario, peer, key):
    values = [r.get(key) or 0 for r in rows if r["scenario"] == scenario and r["peer"] == peer]
    return sum(values) / len(values) if values else 0
print("| scenario | peer | nodes | status | delivered/s | p99 ms | messages stored/s | vs sqlite delivered/s | vs sqlite p99 |")
print("| --- | --- | ---: | --- | ---: | ---: | ---: | ---: | ---: |")
for r in rows:
    base_d, base_p = mean(r["scenario"], "sqlite", "delivered_per_s"), mean(r["scenario"], "sqlite", "p99_us")
    stored = (r.get("sent") or 0) / r["duration_s"] if r.get("duration_s") else 0
    print(f'| {r["scenario"]} | {r["peer"]} | {r["nodes"]} | {r.get("status")} | {r.get("delivered_per_s") or 0:,.0f} | {(r.get("p99_us") or 0) / 1000:.1f} | {stored:,.0f} | '
          f'{(r.get("delivered_per_s") or 0) / base_d if base_d else 0:.2f}x | {(r.get("p99_us") or 0) / base_p if base_p else 0:.2f}x |')
print()
print("Means of runs, against the SQLite server of the same sitting (targets: issue 11):")
print()
print("| scenario | peer | delivered/s | p99 ms | stored/s | delivered/s vs sqlite | p99 vs sqlite | target |")
print("| --- | --- | ---: | ---: | ---: | ---: | ---: | --- |")
for scenario in dict.fromkeys(r["scenario"] for r in rows):
    base_d, base_p = mean(scenario, "sqlite", "delivered_per_s"), mean(scenario, "sqlite", "p99_us")
    for peer in dict.fromkeys(r["peer"] for r in rows if r["scenario"] == scenario):
        d, p = mean(scenario, peer, "delivered_per_s"), mean(scenario, peer, "p99_us")
        runs = [r for r in rows if r["scenario"] == scenario and r["peer"] == peer and r.get("duration_s")]
        stored = sum(r["sent"] / r["duration_s"] for r in runs) / len(runs) if runs else 0
        target = "–"
        if peer != "sqlite" and scenario in ("b", "c"):
            target = "p99 <= 2x: " + ("yes" if base_p and p / base_p <= 2 else "**no**")
        if peer != "sqlite" and scenario == "stored":
            target = ">= 5,000 stored/s into one room: " + ("yes" if stored >= 5000 else "**no**")
        if peer != "sqlite" and scenario in ("stored-rooms", "stored-5rooms"):
            rooms = next((r.get("chat_rooms") for r in runs if r.get("chat_rooms")), "?")
            one = [r for r in rows if r["scenario"] == "stored" and r["peer"] == peer and r.get("duration_s")]
            one_room = sum(r["sent"] / r["duration_s"] for r in one) / len(one) if one else 0
            target = f"more over {rooms} rooms than into one ({one_room:,.0f}/s): " + ("yes" if one_room and stored > one_room else "**no**")
        print(f"| {scenario} | {peer} | {d:,.0f} | {p / 1000:.1f} | {stored:,.0f} | {d / base_d if base_d else 0:.2f}x | {p / base_p if base_p else 0:.2f}x | {target} |")
PY
