"""The manifest names every exercise with its files, and only routines that exist."""

from __future__ import annotations

import pytest

from grader.check.forbidden import resolve
from grader.check.timing import KEY_FUNCTIONS
from grader.core.manifest import exercise_for_test_file, load_manifest
from grader.core.paths import INSTRUCTIONS_DIR, PROJECT_ROOT

EXERCISES = load_manifest()


@pytest.mark.parametrize("exercise", EXERCISES, ids=lambda e: e.name)
def test_exercise_has_reference_stub_and_tests(exercise):
    assert (PROJECT_ROOT / "solutions" / f"{exercise.name}.py").is_file()
    assert (PROJECT_ROOT / "exercises" / f"{exercise.name}.py").is_file()
    assert exercise.tests and all((PROJECT_ROOT / test).is_file() for test in exercise.tests)
    assert exercise.points > 0 and exercise.title


@pytest.mark.parametrize("exercise", EXERCISES, ids=lambda e: e.name)
def test_forbidden_routines_exist(exercise):
    for name in exercise.forbidden:
        assert resolve(name), f"{name} matches nothing"


def test_every_exercise_test_module_is_in_the_manifest():
    orphans = [
        path.name
        for path in (PROJECT_ROOT / "tests").glob("test_*.py")
        if exercise_for_test_file(path) is None
    ]
    assert not orphans, f"test modules no exercise claims: {orphans}"


def test_every_solution_is_an_exercise():
    names = {exercise.name for exercise in EXERCISES}
    modules = {path.stem for path in (PROJECT_ROOT / "solutions").glob("*.py")}
    assert modules <= names, f"solutions without a manifest entry: {modules - names}"


@pytest.mark.parametrize("exercise", EXERCISES, ids=lambda e: e.name)
def test_every_list_that_names_exercises_names_this_one(exercise):
    """Adding an exercise (the checklist in docs/ARCHITECTURE.md): each place that lists the
    exercises by name has it. The example class's mistakes are checked in test_examples."""
    assert exercise.name in KEY_FUNCTIONS, "grader/check/timing.py: KEY_FUNCTIONS"
    assert (INSTRUCTIONS_DIR / f"{exercise.name}.md").is_file(), "instructions/<name>.md"
    variants = PROJECT_ROOT / "tests" / "variants" / f"{exercise.name}.py"
    assert variants.is_file(), "tests/variants/<name>.py: its planted mistakes"
