"""`pip install --no-build-isolation ./clients/python` builds with the in-tree backend alone."""

from __future__ import annotations

import base64
import hashlib
import subprocess
import sys
import tempfile
import unittest
import zipfile
from pathlib import Path

CLIENT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(CLIENT / "build_backend"))

import skill_metrics_build  # noqa: E402


class Wheel(unittest.TestCase):
    def test_the_wheel_holds_the_package_with_a_record_that_matches(self) -> None:
        with tempfile.TemporaryDirectory() as folder:
            name = skill_metrics_build.build_wheel(folder)
            self.assertEqual(name, "skill_metrics-0.1.0-py3-none-any.whl")
            with zipfile.ZipFile(Path(folder) / name) as wheel:
                names = wheel.namelist()
                self.assertIn("skill_metrics/__init__.py", names)
                self.assertIn("skill_metrics/_journal.py", names)
                self.assertFalse([n for n in names if "__pycache__" in n or n.startswith("tests/")])
                metadata = wheel.read("skill_metrics-0.1.0.dist-info/METADATA").decode()
                self.assertIn("Name: skill-metrics\nVersion: 0.1.0\n", metadata)
                self.assertIn("Requires-Python: >=3.9", metadata)
                record = wheel.read("skill_metrics-0.1.0.dist-info/RECORD").decode()
                for line in record.splitlines():
                    path, digest, size = line.rsplit(",", 2)
                    if path.endswith("RECORD"):
                        continue
                    data = wheel.read(path)
                    expected = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=")
                    self.assertEqual(digest, "sha256=" + expected.decode(), path)
                    self.assertEqual(int(size), len(data), path)
            # A pure-Python wheel imports straight from the zip: the package is whole.
            probe = subprocess.run(
                [sys.executable, "-c", "import skill_metrics; print(skill_metrics.SkillMetricsTracker.__name__)"],
                env={"PYTHONPATH": str(Path(folder) / name)},
                cwd=folder,
                capture_output=True,
                text=True,
            )
            self.assertEqual(probe.stdout.strip(), "SkillMetricsTracker", probe.stderr)

    def test_the_sdist_holds_the_sources_and_the_backend(self) -> None:
        import tarfile

        with tempfile.TemporaryDirectory() as folder:
            name = skill_metrics_build.build_sdist(folder)
            with tarfile.open(Path(folder) / name) as sdist:
                names = sdist.getnames()
            self.assertIn("skill_metrics-0.1.0/pyproject.toml", names)
            self.assertIn("skill_metrics-0.1.0/build_backend/skill_metrics_build.py", names)
            self.assertIn("skill_metrics-0.1.0/skill_metrics/tracker.py", names)


if __name__ == "__main__":
    unittest.main()
