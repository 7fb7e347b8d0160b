"""A PEP 517 build backend in the standard library alone.

Why not setuptools: `pip install --no-build-isolation ./clients/python` builds with what the
environment already has, and one with setuptools older than 70.1 but no `wheel` package (this
machine's Python) cannot build a wheel with it. The package is pure Python with no build step, so a
wheel is a zip of its files and three metadata files (the wheel format, PEP 427).
"""

from __future__ import annotations

import base64
import hashlib
import re
import tarfile
import zipfile
from pathlib import Path
from typing import List, Optional, Tuple

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = "skill_metrics"


def _project() -> Tuple[str, str, str, str]:
    """Name, version, summary and Python requirement from pyproject.toml's [project] table."""
    text = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    project = text.split("[project]", 1)[1].split("\n[", 1)[0]

    def field(key: str) -> str:
        found = re.search(rf'^{key}\s*=\s*"([^"]*)"', project, re.MULTILINE)
        if found is None:
            raise ValueError(f"pyproject.toml: [project] has no {key}")
        return found.group(1)

    return field("name"), field("version"), field("description"), field("requires-python")


def _sources() -> List[Path]:
    return sorted(
        path
        for path in (ROOT / PACKAGE).rglob("*.py")
        if "__pycache__" not in path.parts
    )


def _digest(data: bytes) -> str:
    return "sha256=" + base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()


def _metadata() -> str:
    name, version, summary, python = _project()
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    return (
        f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\nSummary: {summary}\n"
        f"Requires-Python: {python}\nDescription-Content-Type: text/markdown\n\n{readme}"
    )


def build_wheel(
    wheel_directory: str,
    config_settings: Optional[dict] = None,
    metadata_directory: Optional[str] = None,
) -> str:
    name, version, _, _ = _project()
    distribution = name.replace("-", "_")
    info = f"{distribution}-{version}.dist-info"
    wheel_name = f"{distribution}-{version}-py3-none-any.whl"
    files = [(path.relative_to(ROOT).as_posix(), path.read_bytes()) for path in _sources()]
    files.append((f"{info}/METADATA", _metadata().encode("utf-8")))
    files.append(
        (
            f"{info}/WHEEL",
            b"Wheel-Version: 1.0\nGenerator: skill_metrics_build\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
        )
    )
    record = "".join(f"{path},{_digest(data)},{len(data)}\n" for path, data in files)
    record += f"{info}/RECORD,,\n"
    files.append((f"{info}/RECORD", record.encode("utf-8")))
    with zipfile.ZipFile(Path(wheel_directory) / wheel_name, "w", zipfile.ZIP_DEFLATED) as wheel:
        for path, data in files:
            wheel.writestr(path, data)
    return wheel_name


def build_sdist(sdist_directory: str, config_settings: Optional[dict] = None) -> str:
    name, version, _, _ = _project()
    base = f"{name.replace('-', '_')}-{version}"
    members = [
        *_sources(),
        ROOT / "pyproject.toml",
        ROOT / "README.md",
        Path(__file__).resolve(),
    ]
    with tarfile.open(Path(sdist_directory) / f"{base}.tar.gz", "w:gz") as sdist:
        for path in members:
            sdist.add(path, arcname=f"{base}/{path.relative_to(ROOT).as_posix()}")
    return f"{base}.tar.gz"
