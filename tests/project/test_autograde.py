"""The release's GitHub Actions workflow and `python -m grader autograde`, the command it runs.

The workflow is checked against GitHub's workflow schema (bundled: see schemas/README.md) and
for what it must do; then its grading step is run here, as written, in a copy of the release.
The same for the GitHub Classroom variant (`release --classroom`), whose points are read back
by a copy, in Python, of what GitHub Classroom's reporter action does with them.
"""

from __future__ import annotations

import base64
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
from grader.results import classroom
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
        (["--classroom-output", "."], "--classroom-output . is a folder, not a file"),
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


# --- GitHub Classroom ------------------------------------------------------------------------
#
# What classroom-resources/autograding-grading-reporter does with the runners' results, copied
# into Python from its source (src/main.js and src/notify-classroom.js at commit 43c2d9f; the
# built dist/main.js of its tag v1, which `@v1` runs, is the same), so that what autograde
# writes is read here as the reporter reads it. The console table it also prints
# (src/console-results.js) is left out: it weights each test equally by pass or fail, and posts
# nothing.

RUNNERS_PATTERN = re.compile(r"^([a-zA-Z0-9]+,)*[a-zA-Z0-9]+$")  # main.js, its input check
STEP_OUTPUT = re.compile(r"^\$\{\{\s*steps\.([\w-]+)\.outputs\.([\w-]+)\s*\}\}$")


def js_number(value: float) -> str:
    """A number as JavaScript writes it in a template string: 10 for 10.0, else its shortest
    round-trip digits (Python's repr, for numbers of this size)."""
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def reporter(runners: str, environment: dict[str, str]) -> dict[str, Any]:
    """The reporter's run: its "Points X/Y" notice (None where it posts none), the points it
    adds up, and why it fails its step (None where it does not)."""
    # main.js: core.getInput("runners") (trimmed) split on ",", each runner's results read from
    # process.env[`${runner.trim().toUpperCase()}_RESULTS`], base64 decoded, JSON.parse'd.
    runner_results = []
    for runner in runners.strip().split(","):
        encoded = environment[f"{runner.strip().upper()}_RESULTS"]
        runner_results.append(json.loads(base64.b64decode(encoded).decode("utf-8")))
    # notify-classroom.js: a runner without a max_score (or 0) is skipped; otherwise its
    # max_score and each of its tests' score are added up; no notice where maxPoints is 0.
    total_points, max_points = 0, 0
    for results in runner_results:
        if not results.get("max_score"):
            continue
        max_points += results["max_score"]
        for test in results["tests"]:
            total_points += test["score"]
    notice = f"Points {js_number(total_points)}/{js_number(max_points)}" if max_points else None
    # main.js: the step fails where any runner's status is "fail", else where any is "error".
    statuses = [results.get("status") for results in runner_results]
    failed = (
        "Some tests failed." if "fail" in statuses
        else "Some tests errored." if "error" in statuses
        else None
    )  # fmt: skip
    return {"notice": notice, "points": total_points, "max": max_points, "failed": failed}


def step_outputs(text: str) -> dict[str, str]:
    """A step's outputs from the file $GITHUB_OUTPUT names, as the Actions runner reads it:
    ``name=value`` lines, and ``name<<DELIMITER`` ... ``DELIMITER`` for several lines."""
    outputs, lines = {}, iter(text.splitlines())
    for line in lines:
        if "<<" in line and ("=" not in line or line.index("<<") < line.index("=")):
            name, delimiter = line.split("<<", 1)
            outputs[name] = "\n".join(iter(lines.__next__, delimiter))
        elif line:
            name, value = line.split("=", 1)
            outputs[name] = value
    return outputs


def reporter_environment(step: dict[str, Any], outputs: dict[str, dict[str, str]]) -> dict:
    """The reporter step's ``env``, each ``${{ steps.ID.outputs.NAME }}`` replaced by that
    step's output (outputs: step id -> its outputs)."""
    environment = {}
    for variable, expression in step["env"].items():
        step_id, name = STEP_OUTPUT.match(expression).groups()
        environment[variable] = outputs[step_id][name]
    return environment


def encode(results: dict[str, Any] | str) -> str:
    text = results if isinstance(results, str) else json.dumps(results)
    return base64.b64encode(text.encode("utf-8")).decode("ascii")


def test_the_copy_of_the_reporter_reads_the_reporter_s_own_fixtures():
    """The inputs of the reporter's __tests__/main.test.js (no max_score: no points posted; no
    runner status: the step does not fail, whatever its tests' statuses) and
    __tests__/aggregate-results.test.js (two runners of max_score 2 with a test scoring 1)."""
    for status in ("pass", "fail", "error"):
        fixture = f'{{ "tests": [{{ "name": "Test 1", "status": "{status}", "message": null }}] }}'
        both = {"RESULT1_RESULTS": encode(fixture), "RESULT2_RESULTS": encode(fixture)}
        run = reporter("result1,result2", both)
        assert run == {"notice": None, "points": 0, "max": 0, "failed": None}
    for status, failed in [("fail", "Some tests failed."), ("error", "Some tests errored.")]:
        runner = encode({"status": status, "tests": []})
        assert reporter("result1", {"RESULT1_RESULTS": runner})["failed"] == failed

    def runner(version: int, status: str) -> dict[str, Any]:
        tests = [
            {"name": "a", "status": "pass", "message": None, "line_no": None,
             "execution_time": "0ms", "score": 1},
            {"name": "b", "status": "fail", "message": "Expected output not matched",
             "line_no": 10, "execution_time": "5ms", "score": 0},
        ]  # fmt: skip
        return {"version": version, "status": status, "tests": tests, "max_score": 2}

    two = {
        "RUNNER1_RESULTS": encode(runner(1, "pass")),
        "RUNNER2_RESULTS": encode(runner(2, "fail")),
    }
    assert reporter("runner1,runner2", two) == {
        "notice": "Points 2/4", "points": 2, "max": 4, "failed": "Some tests failed.",
    }  # fmt: skip


def classroom_submission(*exercises: ExerciseResult) -> SubmissionResult:
    return SubmissionResult("octocat", "graded", "", exercises)


PARTIAL = (
    ExerciseResult("activations", "Activations", 10, 10.0, "graded", "", ()),
    ExerciseResult("losses", "Losses", 15, 6.67, "graded", "", ()),
    ExerciseResult("mlp", "MLP", 20, 0.0, "not attempted", "mlp.py is the untouched stub", ()),
    ExerciseResult("cnn", "CNN", 10, 0.0, "timeout", "timed out after 60 s", ()),
)


def test_what_autograde_writes_is_what_the_reporter_reads(tmp_path):
    """The step output file holds `result=<base64>`, after what was there (a line without its
    newline too); the reporter posts the points and the maximum that every other format gives,
    one test per exercise, and fails the step until every exercise has full marks."""
    result = classroom_submission(*PARTIAL)
    output = tmp_path / "github-output"
    output.write_text("earlier=1", encoding="utf-8")
    classroom.append_output(result, output)
    outputs = step_outputs(output.read_text(encoding="utf-8"))
    assert outputs["earlier"] == "1"
    run = reporter("autograde", {"AUTOGRADE_RESULTS": outputs[classroom.OUTPUT_NAME]})
    assert run["points"] == pytest.approx(result.total) and run["max"] == result.max_total
    assert round(run["points"], 2) == result.total == 16.67 and result.max_total == 55
    assert run["notice"] == "Points 16.67/55"
    assert run["failed"] == "Some tests failed."
    decoded = json.loads(base64.b64decode(outputs[classroom.OUTPUT_NAME]))
    assert decoded["version"] == classroom.RESULT_VERSION == 1  # the runners' format
    assert [test["status"] for test in decoded["tests"]] == ["pass", "fail", "fail", "fail"]
    assert [test["score"] for test in decoded["tests"]] == [10, 6.67, 0, 0]
    assert [test["max_score"] for test in decoded["tests"]] == [10, 15, 20, 10]
    assert {"name", "status", "score", "message", "line_no"} <= set(decoded["tests"][0])
    assert all(test["line_no"] == 0 for test in decoded["tests"])  # no "- line N" in its log
    assert decoded["tests"][1]["name"] == "Losses (6.67/15 points)"
    assert decoded["tests"][3]["message"] == "timed out: timed out after 60 s"


def test_full_marks_pass_and_an_ungraded_submission_errs():
    full = classroom_submission(PARTIAL[0])
    run = reporter("autograde", {"AUTOGRADE_RESULTS": classroom.encoded_result(full)})
    assert run == {"notice": "Points 10/10", "points": 10, "max": 10, "failed": None}
    broken = SubmissionResult("octocat", "error", "the zip is damaged", ())
    run = reporter("autograde", {"AUTOGRADE_RESULTS": classroom.encoded_result(broken)})
    assert run["notice"] is None and run["failed"] == "Some tests errored."  # 0/0: no points
    (test,) = classroom.runner_result(broken)["tests"]
    assert test["status"] == "error" and "the zip is damaged" in test["message"]


def test_student_text_stays_one_ascii_line():
    exercise = ExerciseResult(
        "activations", "Activations", 10, 0.0, "invalid", "bad \u4e2d\n| line \udcff" * 40, ()
    )
    encoded = classroom.encoded_result(classroom_submission(exercise))
    (test,) = json.loads(base64.b64decode(encoded).decode("ascii"))["tests"]
    assert "\n" not in test["message"] and len(test["message"]) <= classroom.MESSAGE_CHARS
    assert "\u4e2d" in test["message"]


def test_autograde_writes_the_classroom_output_with_the_same_total(tmp_path, capsys):
    """`autograde --classroom-output` on this project's own untouched stubs (nothing runs):
    the reporter's points and maximum are results.json's (Gradescope's) score and the
    manifest's total; the table still goes to --summary."""
    output = tmp_path / "github-output"
    out = tmp_path / "out"
    code = main([
        "autograde", "--root", str(PROJECT_ROOT), "--out", str(out), "--isolation", "process",
        "--summary", str(tmp_path / "summary.md"), "--classroom-output", str(output),
    ])  # fmt: skip
    assert code == 0, capsys.readouterr()
    encoded = step_outputs(output.read_text(encoding="utf-8"))[classroom.OUTPUT_NAME]
    run = reporter("autograde", {"AUTOGRADE_RESULTS": encoded})
    results = json.loads((out / "results.json").read_text(encoding="utf-8"))
    assert run["points"] == results["score"] == 0
    assert run["max"] == sum(POINTS.values())
    assert run["notice"] == f"Points 0/{sum(POINTS.values())}"
    tests = json.loads(base64.b64decode(encoded))["tests"]
    assert [test["filename"] for test in tests] == [f"{name}.py" for name in POINTS]


@pytest.fixture(scope="module")
def classroom_released(tmp_path_factory) -> Path:
    return release.build_release(tmp_path_factory.mktemp("classroom") / "out", classroom=True)


@pytest.fixture(scope="module")
def classroom_workflow(classroom_released) -> dict[str, Any]:
    text = (classroom_released / release.WORKFLOW).read_text(encoding="utf-8")
    return yaml.load(text, Loader=WorkflowLoader)


def test_the_classroom_workflow_is_valid_for_github(classroom_workflow):
    jsonschema.Draft7Validator(SCHEMA).validate(classroom_workflow)


def test_the_classroom_workflow_is_the_plain_one_plus_the_report(workflow, classroom_workflow):
    """The same triggers and steps, the grading step with an id and --classroom-output, then
    the reporter last."""
    assert {k: v for k, v in classroom_workflow.items() if k != "jobs"} == {
        k: v for k, v in workflow.items() if k != "jobs"
    }
    plain, classroom_steps = steps(workflow), steps(classroom_workflow)
    *same, report = classroom_steps
    assert len(same) == len(plain)
    grade = grading_step(classroom_workflow)
    for ours, theirs in zip(same, plain, strict=True):
        if ours is grade:
            assert ours["run"] == theirs["run"] + ' --classroom-output "$GITHUB_OUTPUT"'
            assert {k: v for k, v in ours.items() if k not in ("id", "run")} == {
                k: v for k, v in theirs.items() if k != "run"
            }
        else:
            assert ours == theirs
    assert report is step_using(classroom_workflow, classroom.REPORTER)
    assert report["uses"] == f"{classroom.REPORTER}@v1"


def test_the_reporter_reads_the_grading_step_s_output(classroom_workflow):
    """The reporter's `runners` names the grading step's id, and its env maps
    <ID>_RESULTS (the id in capitals) to that step's output `result`."""
    grade = grading_step(classroom_workflow)
    report = step_using(classroom_workflow, classroom.REPORTER)
    runners = report["with"]["runners"]
    assert RUNNERS_PATTERN.match(runners)  # what its input check accepts
    assert runners.split(",") == [grade["id"]]
    assert report["env"] == {
        classroom.reporter_variable(grade["id"]): (
            f"${{{{ steps.{grade['id']}.outputs.{classroom.OUTPUT_NAME} }}}}"
        )
    }
    assert "if" not in report  # not after a failed grading step: there is nothing to report


def test_only_the_classroom_release_mentions_classroom(released, classroom_released):
    assert "Classroom" not in (released / "README.md").read_text(encoding="utf-8")
    readme = (classroom_released / "README.md").read_text(encoding="utf-8")
    assert release.CLASSROOM_README.strip() in readme


@pytest.mark.slow
def test_the_classroom_workflow_reports_the_points_of_its_grading_step(
    classroom_released, classroom_workflow, tmp_path
):
    """The grading step run as written in a student's clone (activations solved), with
    $GITHUB_OUTPUT; then the reporter's env filled from that step's outputs as Actions fills
    it: the reporter posts results.json's score out of the manifest's total."""
    clone = tmp_path / "clone"
    shutil.copytree(classroom_released, clone)
    shutil.copy(PROJECT_ROOT / "solutions" / "activations.py", clone / "exercises")
    output = tmp_path / "github-output"
    output.touch()
    environment = python_first(
        GITHUB_OUTPUT=str(output), GITHUB_STEP_SUMMARY=str(tmp_path / "summary.md")
    )
    grade = grading_step(classroom_workflow)
    finished = subprocess.run(
        ["bash", "-c", grade["run"]], cwd=clone, env=environment, capture_output=True,
        text=True, timeout=600,
    )  # fmt: skip
    assert finished.returncode == 0, finished.stdout[-3000:] + finished.stderr[-3000:]
    report = step_using(classroom_workflow, classroom.REPORTER)
    outputs = {grade["id"]: step_outputs(output.read_text(encoding="utf-8"))}
    run = reporter(report["with"]["runners"], reporter_environment(report, outputs))
    out = clone / re.search(r"--out (\S+)", grade["run"])[1]
    results = json.loads((out / "results.json").read_text(encoding="utf-8"))
    assert run["points"] == results["score"] == POINTS["activations"]
    assert run["notice"] == f"Points {POINTS['activations']}/{sum(POINTS.values())}"
    assert run["failed"] == "Some tests failed."
