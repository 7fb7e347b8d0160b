#!/usr/bin/env python3
"""A long-running Python application using the drop-in (clients/python, on PYTHONPATH): one
completion after another until the stop file exists, each with its own tag as workflow path,
every fifth abandoned with an error type. Each completion goes to the group-commit journal and
`skill-metrics journal apply` (SKILL_METRICS_CLI, SKILL_METRICS_DB): a completer that returned
may leave its entry waiting in the journal, durable, for a later write to apply.

Usage: python-writer.py JSON_FILE NAME STOP_FILE LOG

Appends `TAG MS` to LOG once the completer returned (MS: how long it held the writer). The
drop-in never raises: it reports failures through the `skill_metrics` logger, so every record of
WARNING or above goes to `LOG.errors` as a JSON line (the tag being completed, when, the message)
for the harness to judge, and that completion's tag is not claimed as returned. Nothing is
printed: anything on stderr (a traceback) is the harness's to report as an error.
"""

import json
import logging
import os
import sys
import time
from pathlib import Path

from skill_metrics import SkillMetricsTracker

SKILL = "smoke-python"
#: How long the writer waits, once stopped, for the `journal apply` runs that outlived their bound.
PENDING_TIMEOUT_SECONDS = 120


def append_line(path: str, line: str) -> None:
    """One whole line in one write: the harness reads the file while we append."""
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        os.write(fd, (line + "\n").encode("utf-8"))
    finally:
        os.close(fd)


def now_ms() -> int:
    return int(time.time() * 1000)


class ErrorLog(logging.Handler):
    """The drop-in's failures, each with the completion it was logged during (or none)."""

    def __init__(self, path: str) -> None:
        super().__init__(logging.WARNING)
        self.path = path
        self.tag = None
        self.started_at = None
        self.count = 0
        self.setFormatter(logging.Formatter("%(levelname)s %(message)s"))

    def emit(self, record: logging.LogRecord) -> None:
        self.count += 1
        ended_at = now_ms()
        entry = {
            "tag": self.tag,
            "startedAt": self.started_at if self.started_at is not None else ended_at,
            "endedAt": ended_at,
            "message": self.format(record),
        }
        append_line(self.path, json.dumps(entry))


def main() -> None:
    json_file, name, stop_file, log = sys.argv[1:5]
    errors = ErrorLog(log + ".errors")
    logger = logging.getLogger("skill_metrics")
    logger.addHandler(errors)
    logger.propagate = False
    tracker = SkillMetricsTracker(Path(json_file))
    index = 0
    while not os.path.exists(stop_file):
        tag = f"{name}-{index}"
        errors.tag, errors.started_at = tag, now_ms()
        errors_before = errors.count
        complete = tracker.track_invocation(SKILL, tag)
        started = time.monotonic()
        if index % 5 == 4:
            complete(completed=False, error_type="TimeoutError")
        else:
            complete(follow_up_actions=["commit"] if index % 3 == 0 else None)
        held_ms = round((time.monotonic() - started) * 1000)
        if errors.count == errors_before:
            append_line(log, f"{tag} {held_ms}")
        index += 1
    errors.tag, errors.started_at = None, None
    # Its runs that outlived their bound finish before it exits (a failure is logged above).
    tracker.wait_for_pending(timeout=PENDING_TIMEOUT_SECONDS)


if __name__ == "__main__":
    main()
