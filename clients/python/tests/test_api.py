"""The drop-in's API: the original's shapes, and values equal to what the legacy rules give."""

from __future__ import annotations

import io
import json
import logging
import os
import shutil
import signal
import sys
import time
import unittest
from contextlib import redirect_stdout
from dataclasses import fields
from pathlib import Path

from skill_metrics import SkillInvocation, SkillMetrics, SkillMetricsTracker, track_skill
from skill_metrics import tracker as tracker_module
from skill_metrics._journal import journal_path_of

from support import CLI, FIXTURES, SKILL, Store


class Shapes(unittest.TestCase):
    def test_invocation_fields_in_the_legacy_files_key_order(self) -> None:
        self.assertEqual(
            [f.name for f in fields(SkillInvocation)],
            [
                "skill_name",
                "invoked_at",
                "workflow_path",
                "completed",
                "duration_seconds",
                "follow_up_actions",
                "error_type",
            ],
        )

    def test_metrics_fields_then_the_two_computed_values(self) -> None:
        metrics = SkillMetrics(skill_name="s", total_invocations=4, completed_invocations=3,
                               abandoned_invocations=1, total_duration_seconds=4.5)
        self.assertEqual(
            list(metrics.to_dict()),
            [
                "skill_name",
                "total_invocations",
                "completed_invocations",
                "abandoned_invocations",
                "total_duration_seconds",
                "workflow_paths",
                "common_errors",
                "follow_up_actions",
                "first_invoked",
                "last_invoked",
                "completion_rate",
                "avg_duration_seconds",
            ],
        )
        self.assertEqual(metrics.completion_rate(), 75.0)
        self.assertEqual(metrics.avg_duration_seconds(), 1.5)
        self.assertEqual(SkillMetrics(skill_name="s").completion_rate(), 0.0)
        self.assertEqual(SkillMetrics(skill_name="s").avg_duration_seconds(), 0.0)

    def test_default_file_is_session_buddy_in_the_current_directory(self) -> None:
        self.assertEqual(
            SkillMetricsTracker().metrics_file, Path.cwd() / ".session-buddy" / "skill_metrics.json"
        )


def tracker_on(store: Store) -> SkillMetricsTracker:
    """A tracker for tests of values, not of the bound: on a loaded 2-core CI machine starting the
    CLI can take longer than the 2 s default, and the entry would still be waiting when the test
    reads the file or the CLI directly. The bound has its own tests (NeverHurtsTheHost)."""
    return SkillMetricsTracker(store.file, completion_timeout=120)


class OriginalAnswers(unittest.TestCase):
    """On the fixtures the original tool wrote, the drop-in answers exactly what it answered."""

    def test_fixtures(self) -> None:
        store = Store(self)
        for name in ("small", "medium", "edge"):
            with self.subTest(fixture=name):
                shutil.copyfile(FIXTURES / f"{name}.json", store.file)
                tracker = tracker_on(store)
                expected = json.loads((FIXTURES / f"{name}.metrics.json").read_text())
                got = {key: value.to_dict() for key, value in tracker.get_all_metrics().items()}
                self.assertEqual(list(got), list(expected))
                for skill, metrics in expected.items():
                    for key, value in metrics.items():
                        if isinstance(value, float):
                            self.assertAlmostEqual(got[skill][key], value, places=9, msg=key)
                        else:
                            self.assertEqual(got[skill][key], value, msg=key)
                first = next(iter(expected))
                self.assertEqual(tracker.get_skill_metrics(first).to_dict()["skill_name"], first)
                self.assertIsNone(tracker.get_skill_metrics("no-such-skill"))
                summary = json.loads((FIXTURES / f"{name}.summary.json").read_text())
                summary["skills_by_usage"] = [tuple(pair) for pair in summary["skills_by_usage"]]
                self.assertEqual(tracker.get_summary(), summary)
                self.assertEqual(
                    tracker.generate_report(), (FIXTURES / f"{name}.report.txt").read_text()
                )


class ScriptedSequence(unittest.TestCase):
    def test_values_follow_the_legacy_rules_and_the_report_is_the_clis(self) -> None:
        store = Store(self)
        tracker = tracker_on(store)
        script = [
            ("lint", "quick", dict(follow_up_actions=["commit", "commit"])),
            ("lint", "full", dict(completed=False, error_type="TimeoutError")),
            ("lint", "quick", dict()),
            ("review", None, dict(follow_up_actions=["open PR"])),
            ("review", "deep", dict(completed=False)),
        ]
        for skill, workflow, outcome in script:
            complete = tracker.track_invocation(skill, workflow)
            time.sleep(0.01)
            self.assertIsNone(complete(**outcome))
        recorded = json.loads(store.file.read_text())["invocations"]
        self.assertEqual(len(recorded), 5)
        self.assertEqual(list(recorded[0]), [f.name for f in fields(SkillInvocation)])
        for invocation in recorded:
            self.assertGreaterEqual(invocation["duration_seconds"], 0.01)
        lint = tracker.get_skill_metrics("lint")
        lint_done = [r for r in recorded if r["skill_name"] == "lint" and r["completed"]]
        self.assertEqual(
            (lint.total_invocations, lint.completed_invocations, lint.abandoned_invocations),
            (3, 2, 1),
        )
        self.assertEqual(lint.workflow_paths, {"quick": 2, "full": 1})
        self.assertEqual(lint.common_errors, {"TimeoutError": 1})
        self.assertEqual(lint.follow_up_actions, {"commit": 2})
        self.assertAlmostEqual(
            lint.total_duration_seconds, sum(r["duration_seconds"] for r in lint_done)
        )
        self.assertAlmostEqual(lint.completion_rate(), 2 / 3 * 100)
        self.assertAlmostEqual(lint.avg_duration_seconds(), lint.total_duration_seconds / 2)
        self.assertEqual(lint.first_invoked, recorded[0]["invoked_at"])
        self.assertEqual(lint.last_invoked, recorded[2]["invoked_at"])
        review = tracker.get_skill_metrics("review")
        self.assertEqual(review.completion_rate(), 50.0)
        self.assertEqual(review.workflow_paths, {"deep": 1})
        self.assertEqual(tracker.generate_report(), store.cli("report")[:-1])
        summary = tracker.get_summary()
        self.assertEqual(summary["total_invocations"], 5)
        self.assertEqual(summary["skills_by_usage"], [("lint", 3), ("review", 2)])
        exported = store.folder / "export.json"
        tracker.export_metrics(exported)
        self.assertEqual(len(json.loads(exported.read_text())["invocations"]), 5)

    def test_a_completer_called_twice_records_once(self) -> None:
        store = Store(self)
        tracker = tracker_on(store)
        complete = tracker.track_invocation(SKILL, "once")
        complete()
        with self.assertLogs("skill_metrics", logging.WARNING):
            complete()
        self.assertEqual(store.metrics()[SKILL]["total_invocations"], 1)

    def test_track_skill_uses_the_process_tracker(self) -> None:
        store = Store(self)
        tracker_module._tracker = tracker_on(store)
        self.addCleanup(setattr, tracker_module, "_tracker", None)
        track_skill("module-level", "w")(completed=True)
        self.assertEqual(store.metrics()["module-level"]["total_invocations"], 1)


class OneApplyRun(unittest.TestCase):
    """A tracker keeps one `journal apply --serve` run: the CLI's start-up is paid once."""

    def test_every_completion_goes_through_the_same_run(self) -> None:
        store = Store(self)
        tracker = tracker_on(store)
        pids = set()
        for index in range(5):
            tracker.track_invocation(SKILL, f"served-{index}")()
            pids.add(tracker._applier._server.process.pid)
        self.assertEqual(len(pids), 1)
        self.assertEqual(store.metrics()[SKILL]["total_invocations"], 5)

    def test_a_run_killed_between_completions_is_replaced_and_nothing_is_lost(self) -> None:
        store = Store(self)
        tracker = tracker_on(store)
        tracker.track_invocation(SKILL, "before")()
        first = tracker._applier._server.process
        with self.assertLogs("skill_metrics", logging.WARNING) as logs:
            os.kill(first.pid, signal.SIGKILL)
            tracker._applier._server.reader.join(10)
        self.assertIn("journal apply ended", logs.output[0])
        tracker.track_invocation(SKILL, "after")()
        self.assertNotEqual(tracker._applier._server.process.pid, first.pid)
        metrics = store.metrics()[SKILL]
        self.assertEqual(metrics["workflow_paths"], {"before": 1, "after": 1})


class NeverHurtsTheHost(unittest.TestCase):
    def test_bad_input_is_logged_not_raised_and_nothing_is_written(self) -> None:
        store = Store(self)
        tracker = tracker_on(store)
        with self.assertLogs("skill_metrics", logging.ERROR) as logs:
            tracker.track_invocation(SKILL, workflow_path=42)()
        self.assertIn("workflow_path", logs.output[0])
        self.assertFalse(journal_path_of(store.file).exists())

    def test_missing_cli_returns_at_once_and_the_journal_drains_later(self) -> None:
        store = Store(self)
        self._unreachable(store, "/nonexistent/skill-metrics", bound=2.0)

    def test_hanging_cli_returns_within_the_bound_and_the_journal_drains_later(self) -> None:
        store = Store(self)
        hang = store.folder / "hang.py"
        hang.write_text("import time\ntime.sleep(3)\n")
        self._unreachable(store, f"{sys.executable} {hang}", bound=0.5)

    def test_a_read_waits_for_its_own_completions_still_being_applied(self) -> None:
        store = Store(self)
        slow_apply = store.folder / "slow_apply.py"
        slow_apply.write_text(
            "import os, sys, time\n"
            "if sys.argv[1] == 'journal':\n"
            "    time.sleep(1.5)\n"
            f"os.execvp('node', ['node', {str(CLI)!r}, *sys.argv[1:]])\n"
        )
        self._use_cli(f"{sys.executable} {slow_apply}")
        tracker = SkillMetricsTracker(store.file, completion_timeout=0.2)
        with self.assertLogs("skill_metrics", logging.INFO) as logs:
            tracker.track_invocation(SKILL, "own-write")()
        self.assertIn("not applied within", logs.output[0])
        own = tracker.get_skill_metrics(SKILL)
        self.assertIsNotNone(own, "the read did not see the tracker's own completion")
        self.assertEqual(own.total_invocations, 1)

    def _use_cli(self, cli: str) -> str:
        previous = os.environ["SKILL_METRICS_CLI"]
        os.environ["SKILL_METRICS_CLI"] = cli
        self.addCleanup(os.environ.__setitem__, "SKILL_METRICS_CLI", previous)
        return previous

    def _unreachable(self, store: Store, cli: str, bound: float) -> None:
        previous = self._use_cli(cli)
        tracker = SkillMetricsTracker(store.file, completion_timeout=bound)
        self.addCleanup(tracker.wait_for_pending, 30)
        printed = io.StringIO()
        with redirect_stdout(printed), self.assertLogs("skill_metrics", logging.INFO):
            for index in range(3):
                complete = tracker.track_invocation(SKILL, f"waiting-{index}")
                started = time.monotonic()
                complete()
                self.assertLess(time.monotonic() - started, bound + 0.5)
        self.assertEqual(printed.getvalue(), "")
        os.environ["SKILL_METRICS_CLI"] = previous
        self.assertEqual(store.cli_json("status")["journal"]["waiting"], 3)
        store.cli("journal", "apply")
        store.cli("journal", "apply")
        metrics = store.metrics()[SKILL]
        self.assertEqual(metrics["total_invocations"], 3)
        self.assertEqual(metrics["workflow_paths"], {f"waiting-{i}": 1 for i in range(3)})
        self.assertEqual(store.cli_json("status")["journal"]["waiting"], 0)


if __name__ == "__main__":
    unittest.main()
