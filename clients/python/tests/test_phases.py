import unittest

from phases import run_lifecycle


class PythonWritersFollowEveryPhase(unittest.TestCase):
    def test_two_processes_five_completions_per_phase(self) -> None:
        run_lifecycle(self, processes=2, completions=5)


if __name__ == "__main__":
    unittest.main()
