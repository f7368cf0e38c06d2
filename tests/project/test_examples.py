"""The bundled example class (``examples/submissions/``) and the README's main command on it."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest
from conftest import grade, gradebook

from grader.core.manifest import load_manifest
from grader.core.paths import PROJECT_ROOT

EXAMPLES = PROJECT_ROOT / "examples"


def _maker():
    path = EXAMPLES / "make_submissions.py"
    spec = importlib.util.spec_from_file_location("make_submissions", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_generated_submissions_are_up_to_date():
    """The zips copy solutions/, exercises/ and tests/variants/: a change there must be carried
    over (`python examples/make_submissions.py`), or the example class grades stale code."""
    maker = _maker()
    for zip_name, modules in maker.classes().items():
        committed = (maker.SUBMISSIONS / zip_name).read_bytes()
        assert committed == maker.zip_bytes(Path(zip_name).stem, modules), (
            f"examples/submissions/{zip_name} is stale: run python examples/make_submissions.py"
        )


def test_the_mistakes_are_planted_mistakes_of_every_exercise():
    maker = _maker()
    assert set(maker.MISTAKES) == {exercise.name for exercise in load_manifest()}
    for name, mistakes in maker.MISTAKES.items():
        module = maker.mistake(name)
        assert all(f"# A classic mistake: {mistake}" in module for mistake in mistakes)


@pytest.mark.slow
def test_the_main_command_grades_the_example_class(tmp_path):
    """What the README promises an instructor: every kind of submission gets its expected row."""
    out = tmp_path / "graded"
    result = grade(EXAMPLES / "submissions", out, "--timeout", "15")
    assert result.returncode == 0, result.stderr[-3000:]
    book = gradebook(out)
    assert set(book) == {"perfect", "partial", "stubs", "mistakes", "hangs", "crashes"}
    points = {exercise.name: exercise.points for exercise in load_manifest()}
    full = sum(points.values())
    assert float(book["perfect"]["total"]) == full
    partial = _maker().PARTIAL  # the exercises partial.zip solved; the rest untouched stubs
    assert partial and set(partial) < set(points)
    assert float(book["partial"]["total"]) == sum(points[name] for name in partial)
    assert float(book["stubs"]["total"]) == 0
    for exercise in load_manifest():  # every planted mistake costs points, none costs them all
        assert 0 < float(book["mistakes"][exercise.name]) < exercise.points, exercise.name
    assert float(book["hangs"]["model_selection"]) == 0
    assert "took more than 15 s in all (time limit)" in (out / "hangs" / "feedback.md").read_text()
    crash = (out / "crashes" / "feedback.md").read_text()
    assert "segmentation fault" in crash
    regularization = float(book["crashes"]["regularization"])
    assert 0 < regularization < points["regularization"], "the mask tests ran before the crash"
    assert "perfect" in result.stdout  # the table is printed
    assert f"{full}/{full}" in result.stdout
