"""Runs the skill-metrics CLI: the phase logic, the lock and the aggregate maths live there only."""

from __future__ import annotations

import logging
import os
import shlex
import shutil
import subprocess
import tempfile
import threading
from pathlib import Path
from typing import IO, List, Optional, Tuple

logger = logging.getLogger("skill_metrics")

#: How long a read (metrics, summary, report, export) may take before it is reported as failed.
READ_TIMEOUT_SECONDS = 120.0


class SkillMetricsUnavailable(RuntimeError):
    """A read could not be answered: the CLI is missing, failed, or took too long."""


def cli_command() -> Optional[List[str]]:
    """``SKILL_METRICS_CLI`` (a command line, e.g. ``node /opt/skill-metrics/bin/run.js``), else
    ``skill-metrics`` on PATH; None when neither is there."""
    configured = os.environ.get("SKILL_METRICS_CLI", "").strip()
    if configured:
        return shlex.split(configured)
    found = shutil.which("skill-metrics")
    return [found] if found is not None else None


def _reason(stream: IO[bytes]) -> str:
    """The CLI's own error line when it printed one (a crash ends with Node's version, not why)."""
    stream.seek(0)
    lines = [line.strip() for line in stream.read().decode("utf-8", "replace").splitlines()]
    lines = [line for line in lines if line]
    errors = [line for line in lines if "Error" in line]
    return (errors or lines or ["(no message)"])[0]


class Applier:
    """Starts ``skill-metrics journal apply --entry`` for each journaled entry and waits for it up
    to a bound. A run still going at the bound is left to finish on its own (it applies the entry
    later, or the next writer does); it is reaped, and its failure logged, on a later call."""

    def __init__(self) -> None:
        self._running: List[Tuple[subprocess.Popen, IO[bytes], str]] = []
        self._guard = threading.Lock()

    def apply(self, metrics_file: Path, entry_id: str, entry_json: str, bound: float) -> bool:
        self.reap()
        command = cli_command()
        if command is None:
            logger.warning(
                "skill-metrics: no CLI (set SKILL_METRICS_CLI or put skill-metrics on PATH); "
                "entry %s waits in the journal for the next run",
                entry_id,
            )
            return False
        errors = tempfile.TemporaryFile()
        try:
            process = subprocess.Popen(
                [*command, "journal", "apply", "--json-file", str(metrics_file), f"--entry={entry_json}"],
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=errors,
                start_new_session=True,
            )
        except OSError as error:
            errors.close()
            logger.warning(
                "skill-metrics: could not start %s (%s); entry %s waits in the journal for the next run",
                command[0],
                error,
                entry_id,
            )
            return False
        try:
            code = process.wait(timeout=bound)
        except subprocess.TimeoutExpired:
            with self._guard:
                self._running.append((process, errors, entry_id))
            logger.info(
                "skill-metrics: entry %s not applied within %.1f s; it waits in the journal and the "
                "started run goes on",
                entry_id,
                bound,
            )
            return False
        return self._finished(process, code, errors, entry_id)

    def reap(self) -> None:
        with self._guard:
            running, self._running = self._running, []
        for process, errors, entry_id in running:
            code = process.poll()
            if code is None:
                with self._guard:
                    self._running.append((process, errors, entry_id))
            else:
                self._finished(process, code, errors, entry_id)

    def wait_all(self, timeout: Optional[float] = None) -> None:
        """Waits for the runs left going (for tests and for a host that exits cleanly)."""
        with self._guard:
            running, self._running = self._running, []
        for process, errors, entry_id in running:
            try:
                code = process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                with self._guard:
                    self._running.append((process, errors, entry_id))
                continue
            self._finished(process, code, errors, entry_id)

    @staticmethod
    def _finished(process: subprocess.Popen, code: int, errors: IO[bytes], entry_id: str) -> bool:
        try:
            if code == 0:
                return True
            logger.warning(
                "skill-metrics: applying entry %s failed (exit %s): %s; it waits in the journal "
                "for the next run",
                entry_id,
                code,
                _reason(errors),
            )
            return False
        finally:
            errors.close()


def run_read(metrics_file: Path, *arguments: str) -> str:
    """Runs a read command and returns its standard output; raises SkillMetricsUnavailable."""
    command = cli_command()
    if command is None:
        raise SkillMetricsUnavailable(
            "no skill-metrics CLI: set SKILL_METRICS_CLI or put skill-metrics on PATH"
        )
    try:
        result = subprocess.run(
            [*command, *arguments, "--json-file", str(metrics_file)],
            stdin=subprocess.DEVNULL,
            capture_output=True,
            timeout=READ_TIMEOUT_SECONDS,
        )
    except (OSError, subprocess.TimeoutExpired) as error:
        raise SkillMetricsUnavailable(f"skill-metrics {arguments[0]}: {error}") from error
    if result.returncode != 0:
        message = result.stderr.decode("utf-8", "replace").strip() or "(no message)"
        raise SkillMetricsUnavailable(
            f"skill-metrics {arguments[0]} failed (exit {result.returncode}): {message}"
        )
    return result.stdout.decode("utf-8")
