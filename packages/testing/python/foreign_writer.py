#!/usr/bin/env python3
"""A writer of the legacy file that skill-metrics does not control, written for the tests.

It behaves like the original crackerjack SkillMetricsTracker: it loads the file once when it
starts, keeps the whole state in memory, and on every completion saves that whole state with
``json.dumps(indent=2)``, in place, taking no lock. Each save therefore erases whatever other
writers wrote since the load. Standard library only.

Two ways to drive it:

* ``--commands``: one command per line on stdin, one answer line on stdout each
  (``loaded N`` first, once the file is read):
  ``append SKILL TAG [abandoned]`` completes a new invocation and saves (answers ``saved TAG``);
  ``start SKILL TAG`` remembers a start time and writes nothing, as the original does
  (``started TAG``); ``complete TAG`` completes it and saves (``saved TAG``); ``quit``.
  The TAG is the invocation's workflow path, so a test can find it again.
* ``--random-saves PREFIX``: saves one new invocation (tag ``PREFIX-N``) at random moments
  until ``CONTROL/stop`` exists. While ``CONTROL/pause`` exists it saves nothing: before its
  next save it creates ``CONTROL/paused`` and waits. Every tag is appended to ``CONTROL/saved``
  once the save that holds it returned.
"""

import argparse
import json
import os
import random
import sys
import time
from datetime import datetime
from pathlib import Path


class OriginalStyleTracker:
    """Loads once, saves the whole in-memory state: the original's behaviour, on purpose."""

    def __init__(self, metrics_file: Path):
        self.metrics_file = metrics_file
        self.invocations = []
        self.skills = {}
        if metrics_file.exists():
            data = json.loads(metrics_file.read_text())
            self.invocations = list(data.get("invocations", []))
            self.skills = dict(data.get("skills", {}))

    def complete(self, skill_name, workflow_path, started, completed=True, error_type=None):
        now = datetime.now()
        invocation = {
            "skill_name": skill_name,
            "invoked_at": started.isoformat(),
            "workflow_path": workflow_path,
            "completed": completed,
            "duration_seconds": (now - started).total_seconds(),
            "follow_up_actions": [],
            "error_type": error_type,
        }
        self.invocations.append(invocation)
        self._update_metrics(invocation)
        self._save()

    def _update_metrics(self, invocation):
        name = invocation["skill_name"]
        metrics = self.skills.get(name)
        if metrics is None:
            metrics = {
                "skill_name": name,
                "total_invocations": 0,
                "completed_invocations": 0,
                "abandoned_invocations": 0,
                "total_duration_seconds": 0.0,
                "workflow_paths": {},
                "common_errors": {},
                "follow_up_actions": {},
                "first_invoked": invocation["invoked_at"],
                "last_invoked": None,
            }
            self.skills[name] = metrics
        metrics["total_invocations"] += 1
        metrics["last_invoked"] = invocation["invoked_at"]
        if invocation["completed"]:
            metrics["completed_invocations"] += 1
            if invocation["duration_seconds"]:
                metrics["total_duration_seconds"] += invocation["duration_seconds"]
        else:
            metrics["abandoned_invocations"] += 1
        for field, key in (
            ("workflow_paths", invocation["workflow_path"]),
            ("common_errors", invocation["error_type"]),
        ):
            if key:
                metrics[field][key] = metrics[field].get(key, 0) + 1
        for action in invocation["follow_up_actions"]:
            counts = metrics["follow_up_actions"]
            counts[action] = counts.get(action, 0) + 1
        total = metrics["total_invocations"]
        done = metrics["completed_invocations"]
        metrics["completion_rate"] = done / total * 100 if total else 0.0
        metrics["avg_duration_seconds"] = metrics["total_duration_seconds"] / done if done else 0.0

    def _save(self):
        data = {
            "invocations": self.invocations,
            "skills": self.skills,
            "last_updated": datetime.now().isoformat(),
        }
        self.metrics_file.parent.mkdir(parents=True, exist_ok=True)
        self.metrics_file.write_text(json.dumps(data, indent=2))


def answer(line):
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def run_commands(tracker):
    started = {}
    for line in sys.stdin:
        words = line.split()
        if not words:
            continue
        command = words[0]
        if command == "quit":
            return
        if command == "append":
            tracker.complete(words[1], words[2], datetime.now(), completed=words[3:] != ["abandoned"])
            answer(f"saved {words[2]}")
        elif command == "start":
            started[words[2]] = (words[1], datetime.now())
            answer(f"started {words[2]}")
        elif command == "complete":
            skill_name, at = started.pop(words[1])
            tracker.complete(skill_name, words[1], at)
            answer(f"saved {words[1]}")
        else:
            answer(f"error unknown command {command}")


def run_random_saves(tracker, prefix, control, min_ms, max_ms):
    pause, paused, stop = control / "pause", control / "paused", control / "stop"
    saved_log = control / "saved"
    skills = ["foreign-skill", "session-end", f"{prefix}-only"]
    for index in range(sys.maxsize):
        time.sleep(random.uniform(min_ms, max_ms) / 1000)
        while pause.exists() and not stop.exists():
            paused.touch()
            time.sleep(0.02)
        if paused.exists():
            paused.unlink()
        if stop.exists():
            return
        tag = f"{prefix}-{index}"
        tracker.complete(random.choice(skills), tag, datetime.now(), completed=random.random() < 0.8)
        with open(saved_log, "a") as log:
            log.write(tag + "\n")
            log.flush()
            os.fsync(log.fileno())


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("file", type=Path)
    mode = parser.add_mutually_exclusive_group(required=True)
    mode.add_argument("--commands", action="store_true")
    mode.add_argument("--random-saves", metavar="PREFIX")
    parser.add_argument("--control", type=Path)
    parser.add_argument("--min-ms", type=float, default=50)
    parser.add_argument("--max-ms", type=float, default=500)
    args = parser.parse_args()
    tracker = OriginalStyleTracker(args.file)
    if args.commands:
        answer(f"loaded {len(tracker.invocations)}")
        run_commands(tracker)
    else:
        if args.control is None:
            parser.error("--random-saves needs --control")
        args.control.mkdir(parents=True, exist_ok=True)
        run_random_saves(tracker, args.random_saves, args.control, args.min_ms, args.max_ms)


if __name__ == "__main__":
    main()
