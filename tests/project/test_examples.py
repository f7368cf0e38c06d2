"""The bundled example class (``examples/submissions/``) and the README's main command on it."""

from __future__ import annotations

import csv
import importlib.util
import re
import zipfile
from pathlib import Path

import pytest
from conftest import grade, gradebook, run_grader

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
    assert 0 < regularization < points["regularization"], "dropout_mask keeps its tests"
    assert book["crashes"]["regularization state"] == "crashed"
    assert "perfect" in result.stdout  # the table is printed
    assert f"{full}/{full}" in result.stdout
    readme = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    for line in result.stdout.splitlines():  # the README shows the table as it is today
        if line.split(" ")[0] in book:
            assert line.rstrip() in readme, f"README's example table is stale: {line}"
    with (out / "misconceptions.csv").open(newline="", encoding="utf-8") as handle:
        shown = [row for row in csv.DictReader(handle) if row["count"] != "0"]
    # the classic mistakes the failures point at: the mistakes student's, in every exercise
    assert {row["students"] for row in shown} == {"mistakes"}
    assert {row["exercise"] for row in shown} == set(points)


@pytest.mark.slow
def test_the_student_s_own_check_gives_the_points_grade_gives(tmp_path):
    """One score wherever it is computed: the mistakes student's own `grader check` table
    (in-process, 1 decimal) and the README's gradebook row, which `grade` (sandboxed) gives
    (test_the_main_command_grades_the_example_class), agree exercise by exercise."""
    with zipfile.ZipFile(EXAMPLES / "submissions" / "mistakes.zip") as archive:
        archive.extractall(tmp_path / "unpacked")
    modules = next(path.parent for path in (tmp_path / "unpacked").rglob("activations.py"))
    checked = run_grader("check", "--impl", modules, timeout=900)
    rows = dict(re.findall(r"^\s*\d+\s+(\w+)\s.*?\s([\d.]+)/\d+\s*$", checked.stdout, re.MULTILINE))
    names = [exercise.name for exercise in load_manifest()]
    assert list(rows) == names, checked.stdout[-3000:]
    readme = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8").splitlines()
    graded = next(line.split() for line in readme if line.startswith("mistakes "))[1:]
    for name, shown, given in zip(names, rows.values(), graded, strict=False):
        assert float(shown) == pytest.approx(float(given), abs=0.051), name
