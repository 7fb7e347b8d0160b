"""The group-commit journal beside the legacy file, written exactly as the TypeScript writers do.

Each entry is one line, preceded by a newline so that a line torn by a crash or a full disk ends
there and never glues itself to the next writer's, and synced before the call returns. A lock
holder may rename the journal away while we append: if the path names another file once our line
is synced, the line is appended again to the new journal. The entry id makes the second copy
harmless: an applied entry is never applied again.
"""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

PRIVATE_FILE_MODE = 0o600
MAX_APPEND_ATTEMPTS = 100


def journal_path_of(metrics_file: Path) -> Path:
    return metrics_file.with_name(metrics_file.name + ".journal")


def mode_for_files_beside(metrics_file: Path) -> int:
    """The legacy file's permissions: whoever may read it may read what waits to enter it."""
    try:
        return stat.S_IMODE(metrics_file.stat().st_mode)
    except FileNotFoundError:
        return PRIVATE_FILE_MODE


def encode_entry(entry: dict) -> bytes:
    return ("\n" + json.dumps(entry, ensure_ascii=False, separators=(",", ":")) + "\n").encode(
        "utf-8"
    )


def append_to_journal(metrics_file: Path, entry: dict) -> None:
    path = journal_path_of(metrics_file)
    path.parent.mkdir(parents=True, exist_ok=True)
    line = encode_entry(entry)
    mode = mode_for_files_beside(metrics_file)
    for _ in range(MAX_APPEND_ATTEMPTS):
        ino = _append_line(path, line, mode)
        try:
            if path.stat().st_ino == ino:
                return
        except FileNotFoundError:
            pass
    raise OSError(f"the journal {path} kept moving while we appended to it")


def _append_line(path: Path, line: bytes, mode: int) -> int:
    created = not path.exists()
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, mode)
    try:
        view = memoryview(line)
        while view:
            written = os.write(fd, view)
            view = view[written:]
        os.fsync(fd)
        ino = os.fstat(fd).st_ino
    finally:
        os.close(fd)
    if created:
        # A new journal's name must survive a crash as its line does.
        folder = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(folder)
        finally:
            os.close(folder)
    return ino
