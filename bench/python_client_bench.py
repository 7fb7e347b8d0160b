"""Driver of bench/python-client.mjs: times the Python drop-in (clients/python) from a Python caller.

Standard library only. Prints one JSON object on standard output; progress and the client's log
records go to standard error. Modes:

``complete FILE --calls N --skill S``
    N times: ``complete = tracker.track_invocation(S, "bench")``, then the wall time of
    ``complete(completed=True, follow_up_actions=["commit"])``; after each, ``skill-metrics metrics
    --json`` is run until S's total includes the invocation (time from the call of complete to the
    end of that run). The completer's two parts are timed too: the journal append (with its fsync)
    and the CLI run that applies the entry (waited for up to the completer's bound).
``reference FILE --copy COPY --runs N``
    What the original tracker does on every completion, N times on COPY (a copy of FILE):
    ``json.load`` + ``json.dumps(data, indent=2)`` + ``Path.write_text``.
``startup --runs N``
    ``skill-metrics --version`` N times: the CLI's start-up (Node + oclif) as a completer pays it.

The CLI comes from ``SKILL_METRICS_CLI`` and the database from ``SKILL_METRICS_DB``, as for the
client itself; ``PYTHONPATH`` must name clients/python.
"""

from __future__ import annotations

import argparse
import json
import logging
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, Dict, List, Optional

import skill_metrics.tracker as tracker_module
from skill_metrics import SkillMetricsTracker
from skill_metrics._cli import cli_command

WORKFLOW = "bench"


def milliseconds_since(started: float) -> float:
    return (time.perf_counter() - started) * 1000


class Collected(logging.Handler):
    """Keeps the client's warnings (a failed or late apply) for the report."""

    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.lines: List[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(f"{record.levelname}: {record.getMessage()}")


def skill_total(metrics_file: Path, skill: str) -> int:
    """The skill's total_invocations in ``metrics --json`` (0 when it has none yet)."""
    command = cli_command()
    if command is None:
        raise SystemExit("no skill-metrics CLI: set SKILL_METRICS_CLI")
    run = subprocess.run(
        [*command, "metrics", "--json", "--json-file", str(metrics_file)],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        timeout=300,
    )
    if run.returncode != 0:
        message = run.stderr.decode("utf-8", "replace").strip()
        raise SystemExit(f"skill-metrics metrics failed (exit {run.returncode}): {message}")
    answer = json.loads(run.stdout.decode("utf-8"))
    return int(answer.get(skill, {}).get("total_invocations", 0))


def complete_mode(metrics_file: Path, calls: int, skill: str, poll_limit: float) -> Dict[str, Any]:
    collected = Collected()
    logging.getLogger("skill_metrics").addHandler(collected)
    logging.getLogger("skill_metrics").setLevel(logging.INFO)
    tracker = SkillMetricsTracker(metrics_file)

    # The completer's two parts, timed where it calls them.
    parts: Dict[str, Any] = {}
    append_to_journal = tracker_module.append_to_journal
    apply = tracker._applier.apply

    def timed_append(*arguments: Any) -> None:
        started = time.perf_counter()
        try:
            append_to_journal(*arguments)
        finally:
            parts["append_ms"] = milliseconds_since(started)

    def timed_apply(*arguments: Any) -> bool:
        started = time.perf_counter()
        try:
            applied = apply(*arguments)
        finally:
            parts["apply_ms"] = milliseconds_since(started)
        parts["applied"] = applied
        return applied

    tracker_module.append_to_journal = timed_append
    tracker._applier.apply = timed_apply  # type: ignore[method-assign]

    baseline = skill_total(metrics_file, skill)
    samples = []
    for index in range(calls):
        parts.clear()
        complete = tracker.track_invocation(skill, WORKFLOW)
        started = time.perf_counter()
        complete(completed=True, follow_up_actions=["commit"])
        complete_ms = milliseconds_since(started)
        expected = baseline + index + 1
        visible_ms = None
        polls = 0
        while True:
            polls += 1
            total = skill_total(metrics_file, skill)
            if total >= expected:
                visible_ms = milliseconds_since(started)
                break
            if milliseconds_since(started) > poll_limit * 1000:
                break
        samples.append(
            {
                "complete_ms": complete_ms,
                "append_ms": parts.get("append_ms"),
                "apply_ms": parts.get("apply_ms"),
                "applied_within_bound": parts.get("applied") is True,
                "visible_ms": visible_ms,
                "metrics_runs": polls,
            }
        )
        print(
            f"  call {index + 1}: complete {complete_ms:.0f} ms (append {parts.get('append_ms') or 0:.1f} ms,"
            f" CLI run {parts.get('apply_ms') or 0:.0f} ms), visible after"
            f" {'never' if visible_ms is None else f'{visible_ms:.0f} ms'} ({polls} metrics runs)",
            file=sys.stderr,
        )
    tracker.wait_for_pending(timeout=poll_limit)
    final = skill_total(metrics_file, skill)
    return {
        "baseline": baseline,
        "final": final,
        "expected_final": baseline + calls,
        "completion_timeout": tracker.completion_timeout,
        "samples": samples,
        "log": collected.lines,
    }


def reference_mode(metrics_file: Path, copy: Path, runs: int) -> Dict[str, Any]:
    shutil.copyfile(metrics_file, copy)
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        with open(copy, encoding="utf-8") as stream:
            data = json.load(stream)
        copy.write_text(json.dumps(data, indent=2))
        times.append(milliseconds_since(started))
    return {"ms": times}


def startup_mode(runs: int) -> Dict[str, Any]:
    command = cli_command()
    if command is None:
        raise SystemExit("no skill-metrics CLI: set SKILL_METRICS_CLI")
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        run = subprocess.run(
            [*command, "--version"],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        times.append(milliseconds_since(started))
        if run.returncode != 0:
            message = run.stderr.decode("utf-8", "replace").strip()
            raise SystemExit(f"skill-metrics --version failed (exit {run.returncode}): {message}")
    return {"ms": times}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    modes = parser.add_subparsers(dest="mode", required=True)
    complete = modes.add_parser("complete")
    complete.add_argument("file", type=Path)
    complete.add_argument("--calls", type=int, default=7)
    complete.add_argument("--skill", default="bench-python")
    complete.add_argument("--poll-limit", type=float, default=60.0)
    reference = modes.add_parser("reference")
    reference.add_argument("file", type=Path)
    reference.add_argument("--copy", type=Path, required=True)
    reference.add_argument("--runs", type=int, default=3)
    startup = modes.add_parser("startup")
    startup.add_argument("--runs", type=int, default=5)
    arguments = parser.parse_args()
    if arguments.mode == "complete":
        result = complete_mode(
            arguments.file.resolve(), arguments.calls, arguments.skill, arguments.poll_limit
        )
    elif arguments.mode == "reference":
        result = reference_mode(arguments.file, arguments.copy, arguments.runs)
    else:
        result = startup_mode(arguments.runs)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
