"""The release's GitHub Actions workflow and `python -m grader autograde`, the command it runs.

The workflow is checked against GitHub's workflow schema (bundled: see schemas/README.md) and
for what it must do; then its grading step is run here, as written, in a copy of the release.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from conftest import python_first

from grader.__main__ import main
from grader.authoring import release
from grader.core.manifest import load_manifest
from grader.core.paths import PROJECT_ROOT, handout_stubs
from grader.grading import autograde
from grader.results.model import ExerciseResult, SubmissionResult

# The dev extra (pip install -e ".[dev]"; tox installs it): without it this module is skipped,
# so that `pytest` in an environment made with the test extra alone still runs (README).
DEV_EXTRA = 'the dev extra: pip install -c constraints.txt -e ".[dev]"'
jsonschema = pytest.importorskip("jsonschema", reason=DEV_EXTRA)
yaml = pytest.importorskip("yaml", reason=DEV_EXTRA)

SCHEMA = json.loads((Path(__file__).parent / "schemas" / "github-workflow.json").read_text())
POINTS = {exercise.name: exercise.points for exercise in load_manifest()}


class WorkflowLoader(yaml.SafeLoader):
    """YAML as GitHub reads it: only true/false are booleans. (PyYAML follows YAML 1.1, where
    the key `on` would become True and the schema would find no triggers.)"""


WorkflowLoader.yaml_implicit_resolvers = {
    first: [r for r in resolvers if r[0] != "tag:yaml.org,2002:bool"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
WorkflowLoader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)


@pytest.fixture(scope="module")
def released(tmp_path_factory) -> Path:
    return release.build_release(tmp_path_factory.mktemp("release") / "out")


@pytest.fixture(scope="module")
def workflow(released) -> dict[str, Any]:
    text = (released / release.WORKFLOW).read_text(encoding="utf-8")
    return yaml.load(text, Loader=WorkflowLoader)


def steps(workflow: dict[str, Any]) -> list[dict[str, Any]]:
    (job,) = workflow["jobs"].values()
    return job["steps"]


def step_using(workflow: dict[str, Any], action: str) -> dict[str, Any]:
    (step,) = [s for s in steps(workflow) if s.get("uses", "").startswith(f"{action}@")]
    return step


def grading_step(workflow: dict[str, Any]) -> dict[str, Any]:
    (step,) = [s for s in steps(workflow) if "python -m grader autograde" in s.get("run", "")]
    return step


def test_the_workflow_is_valid_for_github(workflow):
    jsonschema.Draft7Validator(SCHEMA).validate(workflow)


def test_the_schema_check_catches_a_broken_workflow(released, workflow):
    """The schema really constrains: a job without runs-on, or a step without uses or run,
    is refused (a schema that accepted anything would pass the test above too)."""
    validator = jsonschema.Draft7Validator(SCHEMA)
    (name,) = workflow["jobs"]
    no_runner = {**workflow, "jobs": {name: {"steps": steps(workflow)}}}
    assert list(validator.iter_errors(no_runner))
    empty_step = {**workflow, "jobs": {name: {**workflow["jobs"][name], "steps": [{"name": "x"}]}}}
    assert list(validator.iter_errors(empty_step))
    as_pyyaml_reads_it = yaml.safe_load((released / release.WORKFLOW).read_text())
    assert list(validator.iter_errors(as_pyyaml_reads_it))  # `on` became True: WorkflowLoader


def test_the_workflow_runs_on_every_push_and_does_the_four_things(workflow):
    assert "push" in workflow["on"]
    python = step_using(workflow, "actions/setup-python")
    assert python["with"]["python-version"] == "3.11"  # a string: 3.10 as a number is 3.1
    (install,) = [s for s in steps(workflow) if "pip install" in s.get("run", "")]
    assert "-c constraints.txt" in install["run"] and '".[test]"' in install["run"]
    grade = grading_step(workflow)
    out = re.search(r"--out (\S+)", grade["run"])[1]
    upload = step_using(workflow, "actions/upload-artifact")
    assert upload["with"]["path"].rstrip("/") == out
    assert upload["if"] == "always()"  # the results of a failed run are kept too
    names = [s.get("uses", s.get("run", "")) for s in steps(workflow)]
    assert names.index(install["run"]) < names.index(grade["run"]) < names.index(upload["uses"])
    # The score table reaches the run's page through $GITHUB_STEP_SUMMARY, which autograde
    # appends to by default (tested below), so the step needs no --summary.
    assert "--summary" not in grade["run"]


def test_a_student_id_is_a_safe_folder_name():
    assert autograde.student_id("octocat") == "octocat"
    assert autograde.student_id("bob smith/../x") == "bob_smith_.._x"
    assert autograde.student_id("..") == "student"
    assert autograde.student_id(None) == "student"


def test_exercises_come_from_exercises_or_the_folder_itself(tmp_path):
    assert autograde.exercises_folder(tmp_path) == tmp_path
    (tmp_path / "exercises").mkdir()
    assert autograde.exercises_folder(tmp_path) == tmp_path / "exercises"


def test_copying_a_submission_keeps_links_as_links_and_skips_folders(tmp_path):
    source = tmp_path / "exercises"
    source.mkdir()
    (source / "activations.py").write_text("x = 1\n", encoding="utf-8")
    (source / "losses.py").symlink_to(PROJECT_ROOT / "solutions" / "losses.py")
    (source / "__pycache__").mkdir()
    (source / ".hidden.py").write_text("", encoding="utf-8")
    autograde.copy_submission(source, tmp_path / "copy")
    copied = tmp_path / "copy"
    assert sorted(path.name for path in copied.iterdir()) == ["activations.py", "losses.py"]
    assert (copied / "losses.py").is_symlink()  # the intake refuses it in its own words


def test_grading_compares_with_the_handout_not_with_the_students_own_exercises(tmp_path):
    """In a student's repository exercises/ is their work: were it taken for the stubs, every
    module would be "the untouched stub" and earn nothing. A release's grader/handout/ is used
    (the slow workflow test below shows it end to end: a solved exercise earns its points)."""
    handout = tmp_path / "handout"
    handout.mkdir()
    assert handout_stubs(handout) == handout
    assert handout_stubs(tmp_path / "absent") == PROJECT_ROOT / "exercises"  # the instructor's


def test_the_summary_table_escapes_student_text():
    exercise = ExerciseResult(
        "activations", "Activations", 10, 0.0, "invalid", "bad | line\n| x | y |", ()
    )
    table = autograde.markdown_summary(SubmissionResult("s", "graded", "", (exercise,)))
    (row,) = [line for line in table.splitlines() if line.startswith("| 1 |")]
    assert row.count("|") - row.count("\\|") == 6  # five cells, whatever the message holds
    assert "## Autograde: 0 / 10 points" in table


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--root", "no/such/folder"], "--root no/such/folder is not a folder"),
        (["--tests", "no/such/tests"], "--tests no/such/tests is not a folder"),
    ],
)
def test_bad_arguments_are_named(args, message, capsys):
    assert main(["autograde", *args]) == 2
    error = capsys.readouterr().err
    assert message in error and "Traceback" not in error


@pytest.mark.slow
def test_the_workflow_grading_step_grades_the_repository(released, workflow, tmp_path):
    """The workflow's grading command, run as written in a student's clone: the stubs with
    `activations` solved. Exit 0, results.json in Gradescope's format, the table appended to
    $GITHUB_STEP_SUMMARY, the student named after $GITHUB_ACTOR."""
    clone = tmp_path / "clone"
    shutil.copytree(released, clone)
    shutil.copy(PROJECT_ROOT / "solutions" / "activations.py", clone / "exercises")
    summary = tmp_path / "step-summary.md"
    summary.write_text("earlier step\n", encoding="utf-8")
    environment = python_first(GITHUB_STEP_SUMMARY=str(summary), GITHUB_ACTOR="octo cat")
    command = grading_step(workflow)["run"]
    assert command.startswith("python ")  # so that PATH above picks this suite's Python
    finished = subprocess.run(
        ["bash", "-c", command], cwd=clone, env=environment, capture_output=True, text=True,
        timeout=600,
    )  # fmt: skip
    assert finished.returncode == 0, finished.stdout[-3000:] + finished.stderr[-3000:]
    out = clone / re.search(r"--out (\S+)", command)[1]
    results = json.loads((out / "results.json").read_text(encoding="utf-8"))
    scores = {test["extra_data"]["exercise"]: test["score"] for test in results["tests"]}
    assert scores == {
        name: (points if name == "activations" else 0) for name, points in POINTS.items()
    }
    assert results["score"] == POINTS["activations"]
    assert (out / "feedback.md").is_file()
    table = summary.read_text(encoding="utf-8")
    total, done = sum(POINTS.values()), POINTS["activations"]
    assert table.startswith(f"earlier step\n## Autograde: {done} / {total} points")  # appended
    number = list(POINTS).index("activations") + 1
    title = next(e.title for e in load_manifest() if e.name == "activations")
    assert f"| {number} | {title} | {done} / {done} |" in table
    assert table.count("| - | not attempted: ") == len(POINTS) - 1  # "...: the untouched stub"
    assert "octo_cat" in finished.stdout
