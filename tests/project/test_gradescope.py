"""`python -m grader gradescope OUT.zip`: the autograder bundle, and one Gradescope run of it on
a fake /autograder tree (AUTOGRADER_ROOT) with the suite's Python on PATH."""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest
from conftest import python_first

from grader.__main__ import main
from grader.authoring import gradescope, release
from grader.authoring.templates import template
from grader.core.manifest import load_manifest
from grader.core.paths import EXERCISES_DIR, SOLUTIONS_DIR

POINTS = {exercise.name: exercise.points for exercise in load_manifest()}
HIDDEN_TEST = '''\
def test_a_hidden_check_that_fails(load_impl):
    """Proves the hidden tests reach the grading: the reference fails this one."""
    assert load_impl("activations").relu.__name__ == "not relu"
'''


@pytest.fixture(scope="module")
def hidden(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("hidden")
    (folder / "test_activations_hidden.py").write_text(HIDDEN_TEST, encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def bundle(tmp_path_factory, hidden) -> Path:
    out = tmp_path_factory.mktemp("bundle") / "autograder.zip"
    assert main(["gradescope", str(out), "--tests", str(hidden)]) == 0
    return out


def test_the_bundle_holds_what_grading_needs_and_no_solutions(bundle):
    with zipfile.ZipFile(bundle) as archive:
        names = set(archive.namelist())
        modes = {info.filename: info.external_attr >> 16 for info in archive.infolist()}
    assert {"setup.sh", "run_autograder", "manifest.toml", "constraints.txt"} <= names
    assert {"pyproject.toml", "README.md", "tests/support.py"} <= names  # pip install -e needs both
    assert "hidden_tests/test_activations_hidden.py" in names
    for exercise in load_manifest():
        assert f"exercises/{exercise.name}.py" in names  # the intake compares signatures
        assert all(test in names for test in exercise.tests)
    assert not [name for name in names if name.startswith(("solutions/", "tests/project/"))]
    assert not [name for name in names if name.startswith("tests/variants/")]
    assert not [name for name in names if name.startswith(f"grader/{release.INSTRUCTOR_PACKAGE}/")]
    assert "grader/grading/autograde.py" in names and "grader/sandbox/client.py" in names
    for script in gradescope.EXECUTABLES:
        assert stat.S_ISREG(modes[script]) and modes[script] & 0o111 == 0o111, script
    assert modes["manifest.toml"] & 0o111 == 0


def test_the_scripts_are_valid_bash():
    for text in (template("setup.sh"), template("run_autograder")):
        finished = subprocess.run(["bash", "-n"], input=text, capture_output=True, text=True)
        assert finished.returncode == 0, finished.stderr


@pytest.mark.parametrize(
    ("setup", "args", "message"),
    [
        ("", ["out.txt"], "must be a .zip file"),
        ("file", ["out.zip"], "exists: choose another name, or pass --force"),
        ("", ["out.zip", "--tests", "nowhere"], "--tests nowhere is not a folder"),
        ("badname", ["out.zip", "--tests", "hidden"], "name it test_<exercise>_<anything>.py"),
        ("empty", ["out.zip", "--tests", "hidden"], "holds no test_*.py module"),
    ],
)
def test_bad_input_is_refused_with_a_message(setup, args, message, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    if setup == "file":
        (tmp_path / "out.zip").write_bytes(b"mine")
    if setup in ("badname", "empty"):
        (tmp_path / "hidden").mkdir()
    if setup == "badname":
        (tmp_path / "hidden" / "test_softmax_extra.py").write_text("", encoding="utf-8")
    assert main(["gradescope", *args]) == 2
    error = capsys.readouterr().err
    assert message in error and "Traceback" not in error
    if setup == "file":
        assert (tmp_path / "out.zip").read_bytes() == b"mine"
        assert main(["gradescope", "out.zip", "--force"]) == 0
        assert zipfile.is_zipfile(tmp_path / "out.zip")


def _unzip(bundle: Path, destination: Path) -> None:
    """As Gradescope unpacks it: the file modes recorded in the zip are kept."""
    with zipfile.ZipFile(bundle) as archive:
        for info in archive.infolist():
            target = Path(archive.extract(info, destination))
            target.chmod(info.external_attr >> 16 & 0o777)


@pytest.mark.slow
def test_run_autograder_grades_a_submission_end_to_end(bundle, tmp_path):
    root = tmp_path / "autograder"
    _unzip(bundle, root / "source")
    submission = root / "submission" / "exercises"  # as a GitHub-linked submission has it
    shutil.copytree(EXERCISES_DIR, submission)
    shutil.copy(SOLUTIONS_DIR / "activations.py", submission)
    (root / "results").mkdir()
    environment = python_first(AUTOGRADER_ROOT=str(root), AUTOGRADER_SKIP_INSTALL="1")
    for script in ("setup.sh", "run_autograder"):
        finished = subprocess.run(
            [str(root / "source" / script)], cwd=root, env=environment, capture_output=True,
            text=True, timeout=600,
        )  # fmt: skip
        assert finished.returncode == 0, finished.stdout[-3000:] + finished.stderr[-3000:]
    assert not (root / "source" / "solutions").exists()

    results = json.loads((root / "results" / "results.json").read_text(encoding="utf-8"))
    assert isinstance(results, dict) and isinstance(results["tests"], list)
    for test in results["tests"]:
        assert {"score", "max_score", "name", "output"} <= test.keys(), test
        assert 0 <= test["score"] <= test["max_score"]
    by_exercise = {test["extra_data"]["exercise"]: test for test in results["tests"]
                   if not test["extra_data"].get("hidden")}  # fmt: skip
    hidden = [test for test in results["tests"] if test["extra_data"].get("hidden")]
    max_scores = {name: test["max_score"] for name, test in by_exercise.items()}
    for test in hidden:
        max_scores[test["extra_data"]["exercise"]] += test["max_score"]
    assert max_scores == pytest.approx(POINTS, abs=0.011)
    assert results["score"] == pytest.approx(sum(t["score"] for t in results["tests"]), abs=0.01)
    # Every public test passes; the one hidden test fails: full marks on the public entry,
    # nothing on the hidden one, which names the test and its outcome and nothing else.
    solved = by_exercise["activations"]
    assert solved["score"] == solved["max_score"] and solved["visibility"] == "visible"
    assert [test["extra_data"]["exercise"] for test in hidden] == ["activations"]
    assert hidden[0]["score"] == 0 and hidden[0]["visibility"] == "after_due_date"
    assert "`test_a_hidden_check_that_fails`: failed" in hidden[0]["output"]
    text = json.dumps(results) + (root / "results" / "feedback.md").read_text(encoding="utf-8")
    assert "not relu" not in text, "a hidden test's details reached the student"
    assert all(by_exercise[name]["score"] == 0 for name in POINTS if name != "activations")


def test_the_budget_script_counts_a_process_tree_once():
    """gradescope_budget's memory figure: the tree's PSS, a child's included (no figure is
    asserted: it depends on the machine)."""
    from grader.authoring.gradescope_budget import tree_pss_bytes

    alone = tree_pss_bytes(os.getpid())
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(5)"])
    try:
        time.sleep(0.5)
        assert alone > 0 and tree_pss_bytes(child.pid) > 0
        assert tree_pss_bytes(os.getpid()) > tree_pss_bytes(child.pid)
    finally:
        child.kill()
        child.wait()
