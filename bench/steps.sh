#!/usr/bin/env bash
# The gain of each server change, measured in one sitting: for each git revision given, builds
# that revision's server in a temporary worktree and runs the chosen scenarios against sockchat
# alone (today's load generator, bench/run.sh's settings), then appends the results, tagged with
# the revision and its commit subject, to bench/results/steps.jsonl. bench/report.py turns them
# into RESULTS.md's "step by step" table. Loopback only; every run is bounded by run.sh.
#
#   bench/steps.sh 160b5c7 aaf3688 HEAD            # scenarios a b c d, RUNS (default 2) each
#   SCENARIOS="b c" RUNS=1 bench/steps.sh HEAD~1 HEAD
#   FRESH=1 bench/steps.sh ...                     # start steps.jsonl afresh instead of appending
set -uo pipefail

cd "$(dirname "$0")/.."
ROOT=$PWD
OUT=$ROOT/bench/results/steps.jsonl
read -r -a SCENARIO_LIST <<<"${SCENARIOS:-a b c d}"
[ $# -gt 0 ] || { echo "usage: bench/steps.sh REV [REV...]" >&2; exit 2; }
mkdir -p "$ROOT/bench/results"
[ "${FRESH:-0}" = 1 ] && : >"$OUT"

for rev in "$@"; do
    sha=$(git rev-parse --short "$rev") || exit 2
    subject=$(git log -1 --format=%s "$sha")
    tree=$(mktemp -d /tmp/sockchat-step.XXXXXX)
    raw=$(mktemp /tmp/sockchat-step.XXXXXX.jsonl)
    rm -f "$raw"
    echo "$(date +%H:%M:%S) $sha: $subject" >&2
    git worktree add -q --detach "$tree" "$sha"
    # Published as run.sh publishes today's server: ReadyToRun for linux-x64.
    if dotnet publish "$tree/src/Sockchat" -c Release -r linux-x64 --self-contained false -p:PublishReadyToRun=true -p:PublishAot=false \
            -o "$tree.server" -nologo -v q >"$tree.build.log" 2>&1; then
        SOCKCHAT_DLL=$tree.server/sockchat.dll RAW=$raw PEERS=sockchat RUNS=${RUNS:-2} \
            bench/run.sh "${SCENARIO_LIST[@]}"
        python3 - "$raw" "$sha" "$subject" >>"$OUT" <<'PY'
import json, sys
path, sha, subject = sys.argv[1:4]
for line in open(path):
    record = json.loads(line)
    if record.get("scenario") != "env":
        record.update(rev=sha, subject=subject)
        print(json.dumps(record))
PY
    else
        echo "build of $sha failed (see $tree.build.log)" >&2
    fi
    git worktree remove --force "$tree"
    rm -rf "$raw" "$tree.build.log" "$tree.server"
done
echo "$(date +%H:%M:%S) appended to $OUT; python3 bench/report.py bench/results/raw.jsonl bench/RESULTS.md to rewrite the report" >&2
