"""A Python application using the drop-in: COUNT completions of py-skill, each with its own
workflow path (TAG-N) so a test can count each exactly. Prints the tags and the slowest
completer's time as JSON."""

import json
import logging
import sys
import time
from pathlib import Path

from skill_metrics import SkillMetricsTracker


def main() -> None:
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
    file, tag, count = Path(sys.argv[1]), sys.argv[2], int(sys.argv[3])
    tracker = SkillMetricsTracker(file)
    tags, slowest = [], 0.0
    for index in range(count):
        workflow = f"{tag}-{index}"
        complete = tracker.track_invocation("py-skill", workflow)
        started = time.monotonic()
        if index % 5 == 4:
            complete(completed=False, error_type="TimeoutError")
        else:
            complete(follow_up_actions=["commit"])
        slowest = max(slowest, time.monotonic() - started)
        tags.append(workflow)
    # A run that outlived its completer's bound finishes before the process reports.
    tracker.wait_for_pending(timeout=120)
    print(json.dumps({"tags": tags, "slowest": slowest}))


if __name__ == "__main__":
    main()
