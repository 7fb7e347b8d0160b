"""What the tests share: the workspace's CLI, a scratch store, and Python writers in processes."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import unittest
from pathlib import Path
from typing import Dict, List

CLIENT = Path(__file__).resolve().parents[1]
REPO = CLIENT.parents[1]
CLI = REPO / "apps" / "cli" / "bin" / "run.js"
FIXTURES = REPO / "fixtures" / "legacy"
WRITER = Path(__file__).resolve().parent / "writer.py"
SKILL = "py-skill"


def cli_command() -> str:
    return f"{shutil.which('node') or 'node'} {CLI}"


class Store:
    """A legacy file and a SQLite database in a scratch folder, with the CLI pointed at them."""

    def __init__(self, test: unittest.TestCase) -> None:
        if not CLI.exists():
            raise unittest.SkipTest(f"{CLI} is missing: run `pnpm build` first")
        self.folder = Path(tempfile.mkdtemp(prefix="skill-metrics-py-"))
        test.addCleanup(shutil.rmtree, self.folder, True)
        self.file = self.folder / ".session-buddy" / "skill_metrics.json"
        self.file.parent.mkdir()
        self.db = f"sqlite:{self.folder / '.session-buddy' / 'skill_metrics.db'}"
        self.env = {
            **os.environ,
            "SKILL_METRICS_CLI": cli_command(),
            "SKILL_METRICS_DB": self.db,
            "SKILL_METRICS_JSON_FILE": str(self.file),
            "PYTHONPATH": str(CLIENT),
        }
        os.environ.update({key: self.env[key] for key in ("SKILL_METRICS_CLI", "SKILL_METRICS_DB")})

    def cli(self, *arguments: str, check: bool = True) -> str:
        result = subprocess.run(
            ["node", str(CLI), *arguments],
            env=self.env,
            cwd=self.folder,
            capture_output=True,
            text=True,
            timeout=300,
        )
        if check and result.returncode != 0:
            raise AssertionError(
                f"skill-metrics {' '.join(arguments)} exited {result.returncode}:\n{result.stderr}"
            )
        return result.stdout

    def cli_json(self, *arguments: str) -> dict:
        return json.loads(self.cli(*arguments, "--json"))

    def metrics(self) -> dict:
        return self.cli_json("metrics")

    def phase(self) -> str:
        return self.cli_json("status")["phase"]

    def write_in_processes(self, processes: int, completions: int, tag: str) -> List[str]:
        """Runs Python writers at once; returns every workflow path they completed."""
        children = [
            subprocess.Popen(
                [sys.executable, str(WRITER), str(self.file), f"{tag}-p{index}", str(completions)],
                env=self.env,
                cwd=self.folder,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for index in range(processes)
        ]
        tags: List[str] = []
        for child in children:
            out, err = child.communicate(timeout=600)
            if child.returncode != 0:
                raise AssertionError(f"a Python writer exited {child.returncode}:\n{err}")
            tags.extend(json.loads(out)["tags"])
        return tags


def workflow_counts(metrics: dict) -> Dict[str, int]:
    return dict(metrics.get(SKILL, {}).get("workflow_paths", {}))
