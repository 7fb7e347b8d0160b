#!/usr/bin/env bash
# The main job, end to end on what exists today: a realistic legacy file, live writes into it
# through the lossless tracker, then what the original tool would report for it.
set -euo pipefail
cd "$(dirname "$0")/.."
cli() { node apps/cli/bin/run.js "$@"; }
demo=${SKILL_METRICS_DEMO_DIR:-$(mktemp -d)}
export SKILL_METRICS_JSON_FILE="$demo/.session-buddy/skill_metrics.json"
mkdir -p "$demo/.session-buddy"
rm -f "$SKILL_METRICS_JSON_FILE"

echo "== generate a legacy file like crackerjack's tracker writes"
cli generate "$SKILL_METRICS_JSON_FILE" --invocations 20000 --skills 12

echo "== 4 processes × 5 invocations tracked into it at once"
for writer in 1 2 3 4; do
  (for run in 1 2 3 4 5; do
    if (( run % 4 == 0 )); then
      cli track refactor --workflow-path quick --abandoned --error-type TimeoutError >/dev/null
    else
      cli track review --workflow-path full --duration "$run.5" --follow-up commit >/dev/null
    fi
  done) &
done
wait

echo "== metrics"
cli metrics
echo "== the original tool's report"
cli report
echo
echo "legacy file: $SKILL_METRICS_JSON_FILE"
