"""The original SkillMetricsTracker's public API, written through the skill-metrics CLI."""

from __future__ import annotations

import json
import logging
import os
import uuid
from dataclasses import asdict, dataclass, field, fields
from datetime import datetime
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional

from ._cli import READ_TIMEOUT_SECONDS, Applier, SkillMetricsUnavailable, run_read
from ._journal import append_to_journal, encode_entry

logger = logging.getLogger("skill_metrics")

#: How long a completer may hold its caller, unless ``SKILL_METRICS_COMPLETION_TIMEOUT`` (seconds)
#: or the tracker's ``completion_timeout`` says otherwise.
DEFAULT_COMPLETION_TIMEOUT_SECONDS = 2.0


@dataclass
class SkillInvocation:
    """One invocation, its fields in the legacy file's key order."""

    skill_name: str
    invoked_at: str
    workflow_path: Optional[str] = None
    completed: bool = False
    duration_seconds: Optional[float] = None
    follow_up_actions: List[str] = field(default_factory=list)
    error_type: Optional[str] = None

    def to_dict(self) -> Dict[str, Any]:
        return asdict(self)


@dataclass
class SkillMetrics:
    """One skill's aggregate, as the original computes it (the CLI sums it; these two divide)."""

    skill_name: str
    total_invocations: int = 0
    completed_invocations: int = 0
    abandoned_invocations: int = 0
    total_duration_seconds: float = 0.0
    workflow_paths: Dict[str, int] = field(default_factory=dict)
    common_errors: Dict[str, int] = field(default_factory=dict)
    follow_up_actions: Dict[str, int] = field(default_factory=dict)
    first_invoked: Optional[str] = None
    last_invoked: Optional[str] = None

    def completion_rate(self) -> float:
        """Completed invocations, in percent of all."""
        if self.total_invocations == 0:
            return 0.0
        return self.completed_invocations / self.total_invocations * 100

    def avg_duration_seconds(self) -> float:
        """Mean duration of the completed invocations."""
        if self.completed_invocations == 0:
            return 0.0
        return self.total_duration_seconds / self.completed_invocations

    def to_dict(self) -> Dict[str, Any]:
        return {
            **asdict(self),
            "completion_rate": self.completion_rate(),
            "avg_duration_seconds": self.avg_duration_seconds(),
        }

    @classmethod
    def from_dict(cls, data: Dict[str, Any]) -> "SkillMetrics":
        # The CLI adds percentiles the original never had: only the original's fields are kept.
        return cls(**{f.name: data[f.name] for f in fields(cls) if f.name in data})


def _completion_timeout() -> float:
    configured = os.environ.get("SKILL_METRICS_COMPLETION_TIMEOUT")
    if configured is None:
        return DEFAULT_COMPLETION_TIMEOUT_SECONDS
    try:
        seconds = float(configured)
    except ValueError:
        seconds = -1.0
    if seconds >= 0:
        return seconds
    logger.warning(
        "skill-metrics: SKILL_METRICS_COMPLETION_TIMEOUT must be seconds >= 0, got %r; using %s",
        configured,
        DEFAULT_COMPLETION_TIMEOUT_SECONDS,
    )
    return DEFAULT_COMPLETION_TIMEOUT_SECONDS


def _invalid_outcome(
    skill_name: Any, workflow_path: Any, follow_up_actions: List[Any], error_type: Any
) -> Optional[str]:
    """Why the legacy format cannot hold this invocation, or None."""
    if not isinstance(skill_name, str):
        return f"skill_name must be a string, got {type(skill_name).__name__}"
    if workflow_path is not None and not isinstance(workflow_path, str):
        return f"workflow_path must be a string or None, got {type(workflow_path).__name__}"
    if error_type is not None and not isinstance(error_type, str):
        return f"error_type must be a string or None, got {type(error_type).__name__}"
    for action in follow_up_actions:
        if not isinstance(action, str):
            return f"follow_up_actions must hold strings, got {type(action).__name__}"
    return None


class SkillMetricsTracker:
    """Drop-in for crackerjack's SkillMetricsTracker.

    Every completion is appended to the group-commit journal beside the legacy file (synced, with
    its own entry id) and then applied by ``skill-metrics journal apply``, wherever the migration
    phase keeps the truth: the legacy file, both stores, or the database. A completer never raises
    and holds its caller at most ``completion_timeout`` seconds; what is not applied by then waits
    in the journal for the next CLI run, and is applied exactly once.
    """

    def __init__(
        self, metrics_file: Optional[Path] = None, *, completion_timeout: Optional[float] = None
    ) -> None:
        self.metrics_file = (
            Path(metrics_file)
            if metrics_file is not None
            else Path.cwd() / ".session-buddy" / "skill_metrics.json"
        )
        self.completion_timeout = (
            _completion_timeout() if completion_timeout is None else completion_timeout
        )
        self._applier = Applier()

    @property
    def _file(self) -> Path:
        return Path(os.path.abspath(self.metrics_file))

    def track_invocation(
        self, skill_name: str, workflow_path: Optional[str] = None
    ) -> Callable[..., None]:
        """Notes the start time (nothing is written yet, as in the original); the returned
        completer records the whole invocation once."""
        started = datetime.now()
        done = False

        def completer(
            *,
            completed: bool = True,
            follow_up_actions: Optional[List[str]] = None,
            error_type: Optional[str] = None,
        ) -> None:
            nonlocal done
            if done:
                logger.warning(
                    "skill-metrics: %s started at %s was already completed; not recorded twice",
                    skill_name,
                    started.isoformat(),
                )
                return
            done = True
            try:
                self._complete(
                    skill_name, workflow_path, started, completed, follow_up_actions, error_type
                )
            except Exception:  # noqa: BLE001 - a completer must never hurt its host
                logger.exception("skill-metrics: recording %s failed", skill_name)

        return completer

    def _complete(
        self,
        skill_name: str,
        workflow_path: Optional[str],
        started: datetime,
        completed: bool,
        follow_up_actions: Optional[List[str]],
        error_type: Optional[str],
    ) -> None:
        actions = list(follow_up_actions or [])
        problem = _invalid_outcome(skill_name, workflow_path, actions, error_type)
        if problem is not None:
            logger.error("skill-metrics: not recorded: %s", problem)
            return
        invocation = SkillInvocation(
            skill_name=skill_name,
            invoked_at=started.isoformat(),
            workflow_path=workflow_path,
            completed=bool(completed),
            duration_seconds=(datetime.now() - started).total_seconds(),
            follow_up_actions=actions,
            error_type=error_type,
        )
        entry = {
            "entry": str(uuid.uuid4()),
            "kind": "invocation",
            "record": invocation.to_dict(),
            "session_id": None,
        }
        append_to_journal(self._file, entry)
        entry_json = encode_entry(entry).decode("utf-8").strip()
        self._applier.apply(self._file, entry["entry"], entry_json, self.completion_timeout)

    def wait_for_pending(self, timeout: Optional[float] = None) -> None:
        """Waits for the CLI runs that outlived their completer's bound (optional)."""
        self._applier.wait_all(timeout)

    def _read(self, *arguments: str) -> str:
        # The original answered with its own writes included. A completion that outlived its bound
        # is still being applied by its CLI run: the read waits for it (reads may take long; only
        # completers are bounded), so this tracker reads its own writes.
        self._applier.wait_all(READ_TIMEOUT_SECONDS)
        return run_read(self._file, *arguments)

    def get_skill_metrics(self, skill_name: str) -> Optional[SkillMetrics]:
        return self.get_all_metrics().get(skill_name)

    def get_all_metrics(self) -> Dict[str, SkillMetrics]:
        answer = json.loads(self._read("metrics", "--json"))
        return {name: SkillMetrics.from_dict(data) for name, data in answer.items()}

    def get_summary(self) -> Dict[str, Any]:
        summary = json.loads(self._read("summary", "--json"))
        if isinstance(summary.get("skills_by_usage"), list):
            summary["skills_by_usage"] = [tuple(pair) for pair in summary["skills_by_usage"]]
        return summary

    def generate_report(self) -> str:
        report = self._read("report")
        return report[:-1] if report.endswith("\n") else report

    def export_metrics(self, output_file: Path) -> None:
        self._read("export", os.path.abspath(output_file))


_tracker: Optional[SkillMetricsTracker] = None


def get_tracker() -> SkillMetricsTracker:
    """The process's tracker, on ``.session-buddy/skill_metrics.json`` in the current directory."""
    global _tracker
    if _tracker is None:
        _tracker = SkillMetricsTracker()
    return _tracker


def track_skill(skill_name: str, workflow_path: Optional[str] = None) -> Callable[..., None]:
    return get_tracker().track_invocation(skill_name, workflow_path)


