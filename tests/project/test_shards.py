"""`grade --shard K/N` without grading: the split, the option's checks, the setup's digest, and
the ready-made uses in examples/shards/ (GitHub Actions, Slurm, Kubernetes) with the index
arithmetic of each engine checked against the grader's K (counted from 1).
"""

from __future__ import annotations

import dataclasses
import os
import random
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from grader.__main__ import main
from grader.core.manifest import load_manifest
from grader.grading.fingerprint import (
    differences,
    exercise_fingerprints,
    exercise_setups,
    fingerprint,
    setup_parts,
)
from grader.grading.intake.model import Intake, Submission
from grader.grading.regrade import kept_exercises
from grader.grading.shards import Shard, parse_shard, shard_of
from grader.results.model import ExerciseResult, SubmissionResult

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "shards"
SETTINGS = {"device": "cpu", "timeout": 120.0}


def test_the_shards_partition_any_class_whatever_its_order():
    ids = [f"student-{n}" for n in range(300)] + ["ÄÖ", "a b", "x.y"]
    for count in (1, 2, 3, 7):
        shards = [Shard(k, count) for k in range(1, count + 1)]
        for order in (ids, sorted(ids, reverse=True), random.Random(count).sample(ids, len(ids))):
            held = [[s for s in order if shard.holds(s)] for shard in shards]
            assert sorted(s for part in held for s in part) == sorted(ids)  # each exactly once
            assert [set(part) for part in held] == [
                {s for s in ids if shard_of(s, count) == k} for k in range(1, count + 1)
            ]
        if count > 1:
            assert all(len(part) > len(ids) / count / 2 for part in held), "a lopsided split"


@pytest.mark.parametrize(
    ("text", "words"),
    [("4/3", "1 <= K <= N"), ("0/0", "1 <= K <= N"), ("0/3", "K counts from 1"),
     ("x", "want K/N"), ("1/x", "want K/N"), ("3", "want K/N")],
)  # fmt: skip
def test_a_bad_shard_is_one_line_naming_the_option(text, words, capsys, tmp_path):
    with pytest.raises(SystemExit) as exited:
        main(["grade", str(tmp_path), "--out", str(tmp_path / "out"), "--shard", text])
    assert exited.value.code == 2
    last = capsys.readouterr().err.strip().splitlines()[-1]
    assert "argument --shard:" in last and words in last and repr(text) in last
    assert not (tmp_path / "out").exists()


def test_only_and_shard_do_not_go_together(capsys, tmp_path):
    with pytest.raises(SystemExit) as exited:
        main(["grade", str(tmp_path), "--out", str(tmp_path), "--only", "a", "--shard", "1/2"])
    assert exited.value.code == 2
    assert "not allowed with argument" in capsys.readouterr().err


def test_a_good_shard_parses():
    assert parse_shard("2/3") == Shard(2, 3) and str(parse_shard("1/1")) == "1/1"


def changed_exercises(before: dict, after: dict) -> set[str]:
    """The exercises whose setup (what they are graded with) differs between two setups."""
    one, other = exercise_setups(before), exercise_setups(after)
    assert list(one) == list(other) == [exercise.name for exercise in load_manifest()]
    return {name for name in one if one[name] != other[name]}


def test_the_setup_digest_covers_the_tests_their_helpers_and_the_settings(tmp_path):
    """Changing a helper beside the tests or a setting changes the setup of every exercise (each
    is graded again); a public or hidden test module, only its exercise's; an unchanged setup
    digests the same."""
    helper, module = tmp_path / "support.py", tmp_path / "test_losses.py"
    tests = [helper, module]
    for path in tests:
        path.write_text("x = 1\n", encoding="utf-8")
    hidden = tmp_path / "hidden"
    hidden.mkdir()
    before = setup_parts(SETTINGS, [hidden], tests)
    assert fingerprint(setup_parts(SETTINGS, [hidden], tests)) == fingerprint(before)
    everyone = {exercise.name for exercise in load_manifest()}
    for path, part, exercises in ((helper, "test helpers", everyone),
                                  (module, "tests: losses", {"losses"})):  # fmt: skip
        path.write_text("x = 2\n", encoding="utf-8")
        changed = setup_parts(SETTINGS, [hidden], tests)
        assert fingerprint(changed) != fingerprint(before)
        assert differences(before, changed) == [part]
        assert changed_exercises(before, changed) == exercises
        path.write_text("x = 1\n", encoding="utf-8")
    (hidden / "test_nothing_graded.py").write_text("def test_x():\n    pass\n", encoding="utf-8")
    assert setup_parts(SETTINGS, [hidden], tests) == before, "a module that grades no exercise"
    (hidden / "test_losses_more.py").write_text("def test_x():\n    pass\n", encoding="utf-8")
    more = setup_parts(SETTINGS, [hidden], tests)
    assert differences(before, more) == ["hidden tests: losses"]
    assert changed_exercises(before, more) == {"losses"}
    moved = tmp_path / "elsewhere"
    shutil.copytree(hidden, moved)
    assert setup_parts(SETTINGS, [moved], tests) == setup_parts(SETTINGS, [hidden], tests)
    slower = setup_parts({**SETTINGS, "timeout": 60.0}, [hidden], tests)
    assert differences(setup_parts(SETTINGS, [hidden], tests), slower) == [
        "settings: timeout 120.0 vs 60.0"
    ]
    assert changed_exercises(more, slower) == everyone


def test_an_exercise_is_graded_with_its_setup_and_the_students_module_of_it(tmp_path):
    """A stored exercise result is kept while its fingerprint is unchanged: another module of
    the student, or another exercise's tests, leave it alone; its own module does not."""
    setups = exercise_setups(setup_parts(SETTINGS, []))
    folder = tmp_path / "impl"
    folder.mkdir()
    for name in ("losses", "metrics"):
        (folder / f"{name}.py").write_text(f"# {name}\n", encoding="utf-8")
    student = Submission("ada", tmp_path / "ada", "folder")
    intake = Intake(student, {name: folder / f"{name}.py" for name in ("losses", "metrics")})
    before = exercise_fingerprints(setups, intake)
    assert list(before) == list(setups) and len(set(before.values())) == len(before)
    (folder / "metrics.py").write_text("# metrics, edited\n", encoding="utf-8")
    intake.module_problem("mlp", "mlp.py does not parse")
    after = exercise_fingerprints(setups, intake)
    assert {name for name in before if before[name] != after[name]} == {"metrics", "mlp"}
    exercises = tuple(ExerciseResult(name, name, 10, 0, "not attempted", "", (), (), digest)
                      for name, digest in before.items())  # fmt: skip
    stored = SubmissionResult("ada", "graded", "", exercises)
    assert set(kept_exercises(stored, after)) == set(before) - {"metrics", "mlp"}
    fault = dataclasses.replace(exercises[0], graded_with="")
    assert not kept_exercises(dataclasses.replace(stored, exercises=(fault,)), after)
    assert kept_exercises(None, after) == {}


# --- examples/shards/: the three engines ---------------------------------------------------


def run_with_fake_python(command: list[str], env: dict[str, str], tmp_path: Path) -> list[str]:
    """Run ``command`` with a `python` that prints its arguments: the grade command an engine
    would start, as a list of arguments."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir(exist_ok=True)
    fake = bin_dir / "python"
    fake.write_text('#!/bin/sh\nfor a in "$@"; do printf "%s\\n" "$a"; done\n')
    fake.chmod(0o755)
    environment = {"PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}", **env}
    done = subprocess.run(command, env=environment, capture_output=True, text=True, check=True)
    return done.stdout.splitlines()


def option(arguments: list[str], name: str) -> str:
    return arguments[arguments.index(name) + 1]


def assert_a_partition(shards: list[str], count: int) -> None:
    parsed = [parse_shard(text) for text in shards]
    assert sorted(shard.index for shard in parsed) == list(range(1, count + 1))
    assert {shard.count for shard in parsed} == {count}


def test_the_slurm_array_grades_shards_1_to_n(tmp_path):
    script = EXAMPLES / "slurm.sbatch"
    array = re.search(r"^#SBATCH --array=(\d+)-(\d+)$", script.read_text(), re.M)
    assert array, "the script sets its array"
    first, last = int(array[1]), int(array[2])
    count = last - first + 1
    shards, outs = [], set()
    for task in range(first, last + 1):
        env = {"SLURM_ARRAY_TASK_ID": str(task), "SLURM_ARRAY_TASK_MIN": str(first),
               "SLURM_ARRAY_TASK_COUNT": str(count)}  # fmt: skip
        args = run_with_fake_python(["bash", str(script), "subs", "out"], env, tmp_path)
        assert args[:4] == ["-m", "grader", "grade", "subs"]
        shards.append(option(args, "--shard"))
        outs.add(option(args, "--out"))
    assert_a_partition(shards, count)
    assert len(outs) == count, "each task its own output folder"
    rerun = {"SLURM_ARRAY_TASK_ID": "3", "SLURM_ARRAY_TASK_MIN": "3",
             "SLURM_ARRAY_TASK_COUNT": "1", "SHARDS": str(count)}  # fmt: skip
    args = run_with_fake_python(["bash", str(script), "subs", "out"], rerun, tmp_path)
    assert option(args, "--shard") == f"3/{count}", "the documented rerun of one task"


def test_the_kubernetes_indexed_job_grades_shards_1_to_n(tmp_path):
    yaml = pytest.importorskip("yaml", reason='the dev extra: pip install -e ".[dev]"')
    job = yaml.safe_load((EXAMPLES / "kubernetes-job.yaml").read_text())
    spec = job["spec"]
    assert job["kind"] == "Job" and spec["completionMode"] == "Indexed"
    (container,) = spec["template"]["spec"]["containers"]
    env = {item["name"]: item["value"] for item in container["env"]}
    count = spec["completions"]
    assert int(env["SHARDS"]) == count, "SHARDS must equal completions"
    shards = []
    for index in range(count):  # Kubernetes counts from 0
        variables = {**env, "JOB_COMPLETION_INDEX": str(index)}
        args = run_with_fake_python([*container["command"], *container["args"]], variables,
                                    tmp_path)  # fmt: skip
        shards.append(option(args, "--shard"))
    assert_a_partition(shards, count)
    merge = yaml.safe_load((EXAMPLES / "kubernetes-merge.yaml").read_text())
    (merger,) = merge["spec"]["template"]["spec"]["containers"]
    assert "python -m grader merge /class/graded/shard-* --out" in merger["args"][0]


def test_the_github_workflow_is_valid_and_grades_shards_1_to_n():
    pytest.importorskip("yaml", reason='the dev extra: pip install -e ".[dev]"')
    jsonschema = pytest.importorskip("jsonschema", reason='the dev extra: pip install -e ".[dev]"')
    import yaml
    from test_autograde import SCHEMA, WorkflowLoader

    workflow = yaml.load((EXAMPLES / "github-actions.yml").read_text(), Loader=WorkflowLoader)
    jsonschema.Draft7Validator(SCHEMA).validate(workflow)
    grade, merge = workflow["jobs"]["grade"], workflow["jobs"]["merge"]
    shards = grade["strategy"]["matrix"]["shard"]
    assert shards == list(range(1, len(shards) + 1)), "K counts from 1"
    (command,) = [s["run"] for s in grade["steps"] if "-m grader grade" in s.get("run", "")]
    assert command.startswith("sudo "), "as root: the strongest isolation (docs/GRADER.md)"
    assert '--shard "${{ matrix.shard }}/${{ strategy.job-total }}"' in command
    upload = next(s for s in grade["steps"] if s.get("uses", "").startswith("actions/upload-"))
    assert upload["with"]["path"] == "graded-${{ matrix.shard }}"
    assert '--out "graded-${{ matrix.shard }}"' in command
    assert merge["needs"] == "grade"
    download = next(s for s in merge["steps"] if s.get("uses", "").startswith("actions/download"))
    assert download["with"]["pattern"] == "graded-*"
    assert any(
        f"python -m grader merge {download['with']['path']}/graded-*" in s.get("run", "")
        for s in merge["steps"]
    )
