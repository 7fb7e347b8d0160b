#!/usr/bin/env bash
# The main job: the whole migration of a bundled legacy file (written by crackerjack's original
# Python tracker) to SQLite, with writers tracking invocations throughout, through every phase:
# dual-write → data migration → validation → dual-read → cutover, then health and the reports;
# the last line it prints is the path of the HTML report, beside the legacy file.
set -euo pipefail
cd "$(dirname "$0")/.."
cli() { node apps/cli/bin/run.js "$@"; }
demo=${SKILL_METRICS_DEMO_DIR:-$(mktemp -d)}
export SKILL_METRICS_JSON_FILE="$demo/.session-buddy/skill_metrics.json"
export SKILL_METRICS_DB="sqlite:$demo/.session-buddy/skill_metrics.db"
mkdir -p "$demo/.session-buddy"
rm -f "$demo"/.session-buddy/skill_metrics.*
cp fixtures/legacy/medium.json "$SKILL_METRICS_JSON_FILE"

step() { printf '\n== %s\n' "$*"; }

step "a legacy file written by the original Python tracker (fixtures/legacy/medium.json)"
cli status

step "schema migrate"
cli schema migrate

step "phase 1: dual-write"
cli phase dual-write

# Writers go on through every phase below: the migration stops no process.
stop="$demo/stop-writers"
for writer in 1 2 3 4; do
  (run=0
   while [ ! -e "$stop" ]; do
     run=$((run + 1))
     if (( run % 4 == 0 )); then
       cli track refactor --workflow-path quick --abandoned --error-type TimeoutError >/dev/null
     else
       cli track review --workflow-path "writer-$writer" --duration "$run.5" --follow-up commit >/dev/null
     fi
   done) &
done
trap 'touch "$stop"; wait' EXIT

# A write the database missed while it was busy keeps the next guard closed until the next
# backfill repairs it: what the runbook says to do, in a loop.
for attempt in 1 2 3; do
  step "phase 2: data migrate (attempt $attempt)"
  cli data migrate
  step "data validate"
  if cli data validate && cli phase dual-read; then break; fi
  [ "$attempt" -lt 3 ] || exit 1
done

step "phase 4: cutover (writers wait during the freeze, they do not fail)"
cli cutover
sleep 1
touch "$stop"
wait
trap - EXIT

step "health"
cli health
step "status"
cli status
step "metrics, now from the database"
cli metrics
step "the original tool's report, from the database"
cli report
report_html="$demo/.session-buddy/report.html"
step "the HTML report, from the database (one file, no network: open it in a browser)"
cli report --html "$report_html"
echo
echo "legacy file: $SKILL_METRICS_JSON_FILE"
echo "database:    $SKILL_METRICS_DB"
echo "To go back:  SKILL_METRICS_JSON_FILE=$SKILL_METRICS_JSON_FILE SKILL_METRICS_DB=$SKILL_METRICS_DB pnpm skill-metrics rollback"
echo "HTML report:"
echo "$report_html"
