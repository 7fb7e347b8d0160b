"""Runs the skill-metrics CLI: the phase logic, the lock and the aggregate maths live there only."""

from __future__ import annotations

import json
import logging
import os
import shlex
import shutil
import subprocess
import tempfile
import threading
import time
from pathlib import Path
from typing import IO, Dict, List, Optional, Tuple

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


class _Server:
    """One ``skill-metrics journal apply --serve`` run: entries go in on its standard input, one
    JSON line each; a reader thread matches its answers (one line each, in order) to them."""

    def __init__(self, key: Tuple[str, ...], process: subprocess.Popen, errors: IO[bytes]) -> None:
        self.key = key
        self.process = process
        self.errors = errors
        self.lines_sent = 0
        #: Line number -> (entry id, set when answered, the answer).
        self.waiting: Dict[int, Tuple[str, threading.Event, List[dict]]] = {}
        self.guard = threading.Lock()
        self.reader = threading.Thread(target=self._read_answers, daemon=True)
        self.reader.start()

    def send(self, entry_id: str, entry_json: str) -> Tuple[threading.Event, List[dict]]:
        """Sends one entry; raises OSError when the run is gone."""
        answered, answer = threading.Event(), []  # type: threading.Event, List[dict]
        with self.guard:
            self.lines_sent += 1
            self.waiting[self.lines_sent] = (entry_id, answered, answer)
            try:
                assert self.process.stdin is not None
                self.process.stdin.write(entry_json.encode("utf-8") + b"\n")
                self.process.stdin.flush()
            except (OSError, ValueError) as error:
                del self.waiting[self.lines_sent]
                raise OSError(f"the apply run is gone: {error}") from error
        return answered, answer

    def alive(self) -> bool:
        return self.process.poll() is None and self.reader.is_alive()

    def pending(self) -> List[threading.Event]:
        with self.guard:
            return [answered for _, answered, _ in self.waiting.values()]

    def close(self) -> None:
        """Ends its input: it applies what it was sent, then exits by itself."""
        try:
            if self.process.stdin is not None:
                self.process.stdin.close()
        except OSError:
            pass

    def _read_answers(self) -> None:
        assert self.process.stdout is not None
        for raw in self.process.stdout:
            try:
                answer = json.loads(raw)
                line = int(answer["line"])
            except (ValueError, KeyError, TypeError):
                logger.warning("skill-metrics: unreadable answer from journal apply: %r", raw[:200])
                continue
            with self.guard:
                waiter = self.waiting.pop(line, None)
            if waiter is None:
                continue
            entry_id, answered, holder = waiter
            holder.append(answer)
            if not answer.get("ok"):
                logger.warning(
                    "skill-metrics: applying entry %s failed: %s; it waits in the journal for the "
                    "next run",
                    entry_id,
                    (answer.get("error") or {}).get("message", "(no message)"),
                )
            answered.set()
        code = self.process.wait()
        with self.guard:
            left, self.waiting = self.waiting, {}
        if left or code != 0:
            logger.warning(
                "skill-metrics: journal apply ended (exit %s) with %d entr%s unanswered: %s; they "
                "wait in the journal for the next run",
                code,
                len(left),
                "y" if len(left) == 1 else "ies",
                _reason(self.errors),
            )
        for _, answered, _ in left.values():
            answered.set()
        for stream in (self.process.stdin, self.process.stdout, self.errors):
            try:
                if stream is not None:
                    stream.close()
            except OSError:
                pass


class Applier:
    """Applies each journaled entry through one ``skill-metrics journal apply --serve`` run kept for
    the tracker (started again when the CLI, the database or the file changes, or when it died),
    so a completion pays the CLI's start-up and the database's connection once, not every time.
    It waits for an entry's answer up to a bound; an entry not answered by then is applied by that
    run later (it goes on after the host exits, until it has applied what it was sent), or by the
    next writer: it is in the journal."""

    def __init__(self) -> None:
        self._server: Optional[_Server] = None
        self._guard = threading.Lock()

    def apply(self, metrics_file: Path, entry_id: str, entry_json: str, bound: float) -> bool:
        command = cli_command()
        if command is None:
            logger.warning(
                "skill-metrics: no CLI (set SKILL_METRICS_CLI or put skill-metrics on PATH); "
                "entry %s waits in the journal for the next run",
                entry_id,
            )
            return False
        try:
            answered, answer = self._server_for(command, metrics_file).send(entry_id, entry_json)
        except OSError as error:
            logger.warning(
                "skill-metrics: could not start or reach %s (%s); entry %s waits in the journal "
                "for the next run",
                command[0],
                error,
                entry_id,
            )
            return False
        if not answered.wait(bound):
            logger.info(
                "skill-metrics: entry %s not applied within %.1f s; it waits in the journal and the "
                "started run goes on",
                entry_id,
                bound,
            )
            return False
        return bool(answer and answer[0].get("ok"))

    def _server_for(self, command: List[str], metrics_file: Path) -> _Server:
        key = (*command, os.environ.get("SKILL_METRICS_DB", ""), str(metrics_file))
        with self._guard:
            server = self._server
            if server is not None and server.key == key and server.alive():
                return server
            if server is not None:
                server.close()
            errors = tempfile.TemporaryFile()
            try:
                process = subprocess.Popen(
                    [*command, "journal", "apply", "--serve", "--json-file", str(metrics_file)],
                    stdin=subprocess.PIPE,
                    stdout=subprocess.PIPE,
                    stderr=errors,
                    start_new_session=True,
                )
            except OSError:
                errors.close()
                self._server = None
                raise
            self._server = _Server(key, process, errors)
            return self._server

    def wait_all(self, timeout: Optional[float] = None) -> None:
        """Waits for the answers still due (for reads, tests and a host that exits cleanly)."""
        server = self._server
        if server is None:
            return
        deadline = None if timeout is None else time.monotonic() + timeout
        for answered in server.pending():
            left = None if deadline is None else max(0.0, deadline - time.monotonic())
            answered.wait(left)


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
