import unittest

from phases import run_lifecycle


class ManyPythonWriters(unittest.TestCase):
    def test_eight_processes_fifty_completions_in_json_only_dual_write_and_db_primary(self) -> None:
        run_lifecycle(
            self, processes=8, completions=50, phases=["json-only", "dual-write", "db-primary"]
        )


if __name__ == "__main__":
    unittest.main()
