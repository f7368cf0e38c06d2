"""`python -m grader gradescope OUT.zip`: the autograder bundle, and one Gradescope run of it on
a fake /autograder tree (AUTOGRADER_ROOT) with the suite's Python on PATH."""

from __future__ import annotations

import argparse
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

from grader.__main__ import build_parser, main
from grader.authoring import gradescope, release
from grader.core.devices import GRADED_DEVICES
from grader.core.limits import DEFAULT_TIMEOUT
from grader.core.manifest import load_manifest
from grader.core.paths import EXERCISES_DIR, SOLUTIONS_DIR
from grader.results.gradescope import DEFAULT_VISIBILITY, VISIBILITIES

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


def test_the_scripts_are_valid_bash(bundle):
    with zipfile.ZipFile(bundle) as archive:
        texts = [archive.read(script).decode() for script in gradescope.EXECUTABLES]
    for text in texts:
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


def test_help_lists_the_grading_options_with_grade_s_defaults(capsys):
    with pytest.raises(SystemExit):
        main(["gradescope", "--help"])
    shown = " ".join(capsys.readouterr().out.split())
    assert "--timeout TIMEOUT seconds of the student's own time" in shown
    assert f"(default: {DEFAULT_TIMEOUT})" in shown
    assert f"--device {{{','.join(GRADED_DEVICES)}}}" in shown
    assert f"--hidden-visibility {{{','.join(VISIBILITIES)}}}" in shown
    assert f"(default: {DEFAULT_VISIBILITY})" in shown


def run_autograder_arguments(bundle: Path, root: Path) -> argparse.Namespace:
    """What ``run_autograder`` asks ``autograde`` to do: the bundle unpacked into ``root``, its
    script run with a "python" that prints its arguments, those parsed by autograde's parser."""
    _unzip(bundle, root / "source")
    python = root / "venv" / "bin" / "python"
    python.parent.mkdir(parents=True)
    python.write_text('#!/bin/sh\nprintf "%s\\n" "$@"\n', encoding="utf-8")
    python.chmod(0o755)
    finished = subprocess.run(
        [str(root / "source" / "run_autograder")], env={**os.environ, "AUTOGRADER_ROOT": str(root)},
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert finished.returncode == 0, finished.stderr
    module, command, *arguments = finished.stdout.splitlines()
    assert (module, command) == ("-m", "grader")
    return build_parser("autograde").parse_args(arguments)


def test_the_bundle_grades_with_grade_s_defaults(bundle, tmp_path):
    graded = run_autograder_arguments(bundle, tmp_path / "autograder")
    assert graded.command == "autograde" and graded.timeout == DEFAULT_TIMEOUT
    assert graded.device == GRADED_DEVICES[0] and graded.hidden_visibility == DEFAULT_VISIBILITY
    assert graded.tests == [tmp_path / "autograder" / "source" / gradescope.HIDDEN_TESTS]


def test_the_bundle_grades_with_the_options_it_was_made_with(hidden, tmp_path):
    out = tmp_path / "autograder.zip"
    options = ["--timeout", "7.5", "--device", "cuda", "--hidden-visibility", "after_published"]
    assert main(["gradescope", str(out), "--tests", str(hidden), *options]) == 0
    graded = run_autograder_arguments(out, tmp_path / "autograder")
    assert (graded.timeout, graded.device, graded.hidden_visibility) == (
        7.5, "cuda", "after_published",
    )  # fmt: skip
    with zipfile.ZipFile(out) as archive:
        readme = archive.read("README.md").decode()
    for said in ("`--timeout 7.5`", "`--device cuda`", "`--hidden-visibility after_published`"):
        assert said in readme


def test_the_bundle_grades_with_the_late_policy_it_was_made_with(tmp_path):
    """The late policy reaches autograde in run_autograder; the due date stays Gradescope's own
    (submission_metadata.json) unless --due was given."""
    out = tmp_path / "autograder.zip"
    late = ["--late-per-hour", "2", "--late-cap", "40", "--grace", "15"]
    assert main(["gradescope", str(out), *late]) == 0
    graded = run_autograder_arguments(out, tmp_path / "autograder")
    assert (graded.late_per_hour, graded.late_cap, graded.grace) == (2, 40, 15)
    assert graded.due is None and graded.late_per_day is None
    with zipfile.ZipFile(out) as archive:
        assert "`--late-per-hour 2 --late-cap 40 --grace 15`" in archive.read("README.md").decode()


def test_hidden_visibility_hidden_with_hidden_tests_is_refused(hidden, tmp_path, capsys):
    """Gradescope shows the total of a submission whose hidden entries are ``hidden``: the
    hidden tests' points would show at once."""
    out = tmp_path / "autograder.zip"
    argv = ["gradescope", str(out), "--hidden-visibility", "hidden"]
    assert main([*argv, "--tests", str(hidden)]) == 2
    error = capsys.readouterr().err
    assert error.count("\n") == 1 and "points in the student's total" in error
    assert "after_due_date or after_published" in error and not out.exists()
    assert main(argv) == 0, "without hidden tests no points are hidden"


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
