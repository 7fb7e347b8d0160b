"""Python writers through the whole lifecycle: each phase's completions land once in its truth."""

from __future__ import annotations

import unittest
from typing import Callable, List, Tuple

from support import SKILL, Store, workflow_counts

Step = Tuple[str, Callable[[Store], None]]

#: The runbook's order, a rollback and a second cutover included, then cleanup.
LIFECYCLE: List[Step] = [
    ("json-only", lambda store: store.cli("schema", "migrate")),
    ("dual-write", lambda store: store.cli("phase", "dual-write")),
    ("migrated", lambda store: (store.cli("data", "migrate"), store.cli("data", "validate"))),
    ("dual-read", lambda store: store.cli("phase", "dual-read")),
    ("db-primary", lambda store: store.cli("cutover")),
    ("dual-write", lambda store: store.cli("rollback", "--to", "dual-write")),
    ("db-primary", lambda store: (
        store.cli("data", "migrate"),
        store.cli("data", "validate"),
        store.cli("phase", "dual-read"),
        store.cli("cutover"),
    )),
    ("cleaned", lambda store: store.cli(
        "cleanup", "--retention-days", "0", "--force", "--reason", "test", "--yes"
    )),
]


def run_lifecycle(
    test: unittest.TestCase, processes: int, completions: int, phases: List[str] = None
) -> None:
    """Each phase (or the first visit of each named) gets PROCESSES Python writers × COMPLETIONS at once; after
    each, every completion so far counts exactly once in the store that is the truth."""
    store = Store(test)
    store.cli("track", "seed")
    written: List[str] = []
    visited = set()
    for index, (phase, enter) in enumerate(LIFECYCLE):
        enter(store)
        test.assertEqual(store.phase(), phase)
        if phases is not None and (phase not in phases or phase in visited):
            continue
        visited.add(phase)
        written += store.write_in_processes(processes, completions, f"{phase}{index}")
        # What outlived a completer's bound waits in the journal: a run of the CLI applies it.
        store.cli("journal", "apply")
        counts = workflow_counts(store.metrics())
        test.assertEqual(
            {tag: counts.get(tag, 0) for tag in written},
            {tag: 1 for tag in written},
            f"after {phase}: every Python completion exactly once",
        )
        test.assertEqual(store.metrics()[SKILL]["total_invocations"], len(written))
        test.assertEqual(store.cli_json("status")["journal"]["waiting"], 0)
