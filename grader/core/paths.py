"""Where things are: the project's folders and files, each named once.

Every other module takes its paths from here, so moving a folder is one edit. Imports nothing.
"""

from __future__ import annotations

from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[2]
MANIFEST_PATH = PROJECT_ROOT / "manifest.toml"
SOLUTIONS_DIR = PROJECT_ROOT / "solutions"  # the reference implementations (instructor only)
EXERCISES_DIR = PROJECT_ROOT / "exercises"  # the stubs, or a student's own work in a release
INSTRUCTIONS_DIR = PROJECT_ROOT / "instructions"
TESTS_DIR = PROJECT_ROOT / "tests"  # the public tests
DATA_DIR = PROJECT_ROOT / "data"
# Modules beside the test modules that the tests import: copied with them wherever tests go.
TEST_HELPERS = ("support.py", "gradient_functions.py", "conftest.py", "__init__.py")
# The trusted functions a test may hand to student code (numerical_gradient's f): the sandbox
# passes them by name, and its child imports this module from beside the tests before it starts.
FUNCTIONS_MODULE = "gradient_functions"
HANDOUT_DIR = PROJECT_ROOT / "grader" / "handout"  # a release's copy of the stubs as handed out
# What the commands generate, by default inside the project and ignored by git (.gitignore):
OUTPUT_DIR = PROJECT_ROOT / "output"  # train's plot
NOTEBOOKS_DIR = PROJECT_ROOT / "notebooks"  # the notebooks command's (the student's work there)


def instructor_copy() -> bool:
    """Whether this copy of the project is the instructor's: the one that holds the reference,
    ``solutions/``. A student release has none (nor has the Gradescope bundle): there the
    command line offers the student's commands only, and no ``--impl solutions``."""
    return SOLUTIONS_DIR.is_dir()


def handout_stubs(handout: Path = HANDOUT_DIR) -> Path:
    """The stubs as handed out, which grading compares submissions with (signatures, untouched
    stubs): ``grader/handout/`` in a student release, where ``exercises/`` is the student's own
    work; ``exercises/`` in the instructor's project, where they are the generated stubs."""
    return handout if handout.is_dir() else EXERCISES_DIR
