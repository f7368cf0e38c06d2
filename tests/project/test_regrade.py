"""`grade` run again, in shards, and stopped: regrading by content, exercise by exercise,
`merge`, and Ctrl-C.

The classes are tiny: one or two exercises attempted by two students at most, the rest cheap to
grade (an untouched stub, a file that does not parse, an empty folder: no pytest session, so no
fork server starts for them). The two that need sessions share shard 3 of 3 (their ids were
chosen so), so sharding starts one fork server more than grading whole, not three.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import time
from pathlib import Path

import pytest
from conftest import gradebook, grader_command, reference, run_grader, submission

from grader.core.manifest import load_manifest
from grader.core.paths import PROJECT_ROOT
from grader.grading.shards import shard_of

pytestmark = pytest.mark.slow
EXERCISES = len(load_manifest())
HIDDEN_TEMPLATE = PROJECT_ROOT / "examples" / "hidden" / "test_model_selection_hidden.py"
LINEAR = reference("linear_regression")
K_FOLD = reference("model_selection")
BROKEN = "def k_fold_split(n_samples, k:\n"
SIGNATURE = "\n\ndef k_fold_split(n_samples, k, *, shuffle=False, seed=None):\n"
WRONG = K_FOLD + SIGNATURE + "    return []\n"
HANGS = K_FOLD + SIGNATURE + "    while True:\n        pass\n"
STUDENTS = ("broken", "empty", "kfold", "stubs", "wrong")


def cheap_class(root: Path) -> Path:
    """Three students whose grading runs no session: quick to grade again and again."""
    submissions = root / "submissions"
    submission(submissions, "broken", model_selection=BROKEN)
    submission(submissions, "stubs")
    (submissions / "empty").mkdir()
    return submissions


def stamps(out: Path) -> dict[str, int]:
    """When each student's result was last written."""
    return {p.parent.name: p.stat().st_mtime_ns for p in out.glob("*/grade.json")}


def rewritten(before: dict[str, int], out: Path) -> set[str]:
    return {student for student, stamp in stamps(out).items() if before.get(student) != stamp}


def exercises(out: Path, student: str) -> dict[str, dict]:
    """A student's stored exercise results, by name, as stored."""
    data = json.loads((out / student / "grade.json").read_text(encoding="utf-8"))
    return {exercise["name"]: exercise for exercise in data["exercises"]}


def regraded(before: Path, after: Path, student: str) -> set[str]:
    """The exercises of ``student`` graded again from one output to the next (what they were
    graded with changed); every other one is stored exactly as it was, to its durations."""
    one, other = exercises(before, student), exercises(after, student)
    assert one.keys() == other.keys()
    changed = {name for name in one if one[name]["graded_with"] != other[name]["graded_with"]}
    for name in one.keys() - changed:
        assert one[name] == other[name], f"{student}'s {name} was not kept as it was"
    assert all(other[name]["graded_with"] for name in changed)
    return changed


def comparable(path: Path) -> dict:
    """A stored result without the times, which differ from one grading to the next."""
    data = json.loads(path.read_text(encoding="utf-8"))
    for exercise in data["exercises"]:
        exercise["timings"] = []
        for test in exercise["tests"]:
            test["duration"] = 0
    return data


@pytest.fixture(scope="module")
def whole(tmp_path_factory):
    """A class of five graded whole: (submissions, out)."""
    root = tmp_path_factory.mktemp("regrade")
    submissions = cheap_class(root)
    submission(submissions, "kfold", model_selection=K_FOLD)
    submission(submissions, "wrong", model_selection=WRONG)
    out = root / "whole"
    result = run_grader("grade", submissions, "--out", out)
    assert result.returncode == 0, result.stderr[-3000:]
    assert "graded 4, reused 0 unchanged; 1 could not be taken in" in result.stdout
    return submissions, out


@pytest.fixture(scope="module")
def shards(whole, tmp_path_factory):
    """The same class graded as shards 1/3, 2/3, 3/3, side by side: their output folders."""
    submissions, _ = whole
    assert {shard_of(s, 3) for s in ("kfold", "wrong")} == {3}, "keep the sessions together"
    root = tmp_path_factory.mktemp("shards")
    outs = [root / f"shard-{k}" for k in (1, 2, 3)]
    running = [
        subprocess.Popen(grader_command("grade", submissions, "--out", out, "--shard", f"{k}/3"),
                         cwd=PROJECT_ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         text=True)
        for k, out in enumerate(outs, start=1)
    ]  # fmt: skip
    for process in running:
        _, stderr = process.communicate(timeout=600)
        assert process.returncode == 0, stderr[-3000:]
    return outs


def test_shards_partition_the_class(shards):
    held = [sorted(p.parent.name for p in out.glob("*/grade.json")) for out in shards]
    assert sorted(s for part in held for s in part) == list(STUDENTS)  # each in exactly one
    for k, (out, part) in enumerate(zip(shards, held, strict=True), start=1):
        record = json.loads((out / "run.json").read_text())
        assert record["shard"] == f"{k}/3" and record["students"] == part
        assert record["everyone"] == list(STUDENTS)


def test_three_shards_merge_to_the_class_graded_whole(whole, shards, tmp_path):
    _, out = whole
    merged = tmp_path / "merged"
    result = run_grader("merge", *shards, "--out", merged)
    assert result.returncode == 0, result.stderr
    for name in ("gradebook.csv", "summary.md"):
        assert (merged / name).read_bytes() == (out / name).read_bytes(), name
    assert (merged / "scores.png").is_file()
    for student in STUDENTS:
        assert comparable(merged / student / "grade.json") == comparable(
            out / student / "grade.json"
        ), student
        assert (merged / student / "feedback.md").is_file()
    assert float(gradebook(merged)["kfold"]["total"]) == 10
    assert float(gradebook(merged)["wrong"]["total"]) < 10


def test_merge_refuses_shards_that_do_not_belong_together(whole, shards, tmp_path):
    submissions, _ = whole
    one, two, three = shards

    def refused(*outputs: Path) -> str:
        result = run_grader("merge", *outputs, "--out", tmp_path / "merged")
        assert result.returncode == 2, result.stdout
        assert "Traceback" not in result.stderr and not (tmp_path / "merged").exists()
        (line,) = result.stderr.strip().splitlines()
        return line

    assert "2 students of the class are in no output (empty, stubs)" in refused(one, three)
    other = tmp_path / "other-timeout"  # shard 1 holds only "broken": graded in seconds
    graded = run_grader("grade", submissions, "--out", other, "--shard", "1/3", "--timeout", "30")
    assert graded.returncode == 0, graded.stderr[-3000:]
    line = refused(other, two, three)
    assert "graded differently" in line and "timeout 30.0 vs 120.0" in line

    tampered = tmp_path / "tampered"  # shard 3 twice, kfold's result different in the copy
    shutil.copytree(three, tampered)
    stored = json.loads((tampered / "kfold" / "grade.json").read_text())
    stored["exercises"][0]["message"] = "different"
    (tampered / "kfold" / "grade.json").write_text(json.dumps(stored))
    line = refused(one, two, three, tampered)
    assert "kfold has different results" in line

    unfinished = tmp_path / "unfinished"
    shutil.copytree(three, unfinished)
    (unfinished / "wrong" / "grade.json").unlink()
    assert "unfinished: wrong" in refused(one, two, unfinished)
    assert "run.json is missing" in refused(one, two, three / "kfold")


def test_an_unchanged_class_is_reused_not_graded_again(whole, tmp_path):
    submissions, out = whole
    again = tmp_path / "again"
    shutil.copytree(out, again)
    before = stamps(again)
    started = time.monotonic()
    result = run_grader("grade", submissions, "--out", again)
    assert result.returncode == 0, result.stderr[-3000:]
    assert "graded 0, reused 5 unchanged" in result.stdout
    assert not rewritten(before, again)
    assert time.monotonic() - started < 60, "no fork server should have started"


def test_a_corrected_resubmission_is_graded_again_alone(whole, tmp_path):
    submissions, out = whole
    fixed = tmp_path / "submissions"
    shutil.copytree(submissions, fixed)
    again = tmp_path / "again"
    shutil.copytree(out, again)
    (fixed / "broken" / "model_selection.py").write_text(K_FOLD, encoding="utf-8")
    before = stamps(again)
    result = run_grader("grade", fixed, "--out", again)
    assert result.returncode == 0, result.stderr[-3000:]
    assert rewritten(before, again) == {"broken"}
    assert regraded(out, again, "broken") == {"model_selection"}
    assert f"graded 1 (1 of {EXERCISES} exercises), reused 4 unchanged" in result.stdout
    assert float(gradebook(again)["broken"]["total"]) == 10


def test_a_changed_hidden_test_grades_its_exercise_again_for_everyone(tmp_path):
    """Cheaply (no session runs): each change of a hidden module grades its exercise again for
    every student, and no other; a module that grades no exercise changes nothing."""
    submissions = cheap_class(tmp_path)
    out, hidden = tmp_path / "out", tmp_path / "hidden"
    hidden.mkdir()
    assert (
        "graded 2, reused 0 unchanged; 1 could not"
        in run_grader("grade", submissions, "--out", out).stdout
    )
    (hidden / "test_unrelated.py").write_text("def test_x():\n    pass\n", encoding="utf-8")
    assert "graded 0, reused 3" in run_grader("grade", submissions, "--out", out).stdout
    test = hidden / "test_model_selection_more.py"
    test.write_text("def test_more():\n    pass\n", encoding="utf-8")
    before, stored = stamps(out), tmp_path / "stored"
    shutil.copytree(out, stored)
    result = run_grader("grade", submissions, "--out", out, "--tests", hidden)
    line = f"graded 2 (2 of {2 * EXERCISES} exercises), reused 0 unchanged; 1 could not"
    assert line in result.stdout, result.stderr[-3000:]
    assert rewritten(before, out) == {"broken", "stubs", "empty"}
    assert regraded(stored, out, "broken") == regraded(stored, out, "stubs") == {"model_selection"}
    test.write_text("def test_more():\n    assert True\n", encoding="utf-8")
    result = run_grader("grade", submissions, "--out", out, "--tests", hidden)
    assert line in result.stdout


def test_a_submission_no_longer_taken_in_keeps_none_of_its_exercises(tmp_path):
    """The exercises it never had digest as before, but a result that is an error has none:
    none is counted as kept."""
    submissions = cheap_class(tmp_path)
    lone = submission(submissions, "lone", only=(), model_selection=BROKEN)
    out = tmp_path / "out"
    assert run_grader("grade", submissions, "--out", out).returncode == 0
    (lone / "model_selection.py").unlink()
    result = run_grader("grade", submissions, "--out", out)
    assert "graded 0, reused 3 unchanged; 1 could not be taken in" in result.stdout
    assert exercises(out, "lone") == {}


@pytest.fixture(scope="module")
def pair(tmp_path_factory):
    """Two students with two exercises each that run (bob's model_selection wrong), the rest
    untouched stubs, graded: (submissions, out)."""
    root = tmp_path_factory.mktemp("pair")
    submissions = root / "submissions"
    submission(submissions, "ada", linear_regression=LINEAR, model_selection=K_FOLD)
    submission(submissions, "bob", linear_regression=LINEAR, model_selection=WRONG)
    out = root / "out"
    result = run_grader("grade", submissions, "--out", out)
    assert result.returncode == 0, result.stderr[-3000:]
    assert "graded 2, reused 0 unchanged" in result.stdout
    return submissions, out


def test_a_hidden_test_grades_only_its_exercise_again_as_a_full_regrade_would(pair, tmp_path):
    """A hidden module added for model_selection: that exercise alone is graded again, for
    every student, every other exercise is kept byte for byte; the results are those of a
    regrade of everything (--force), times aside."""
    submissions, out = pair
    hidden = tmp_path / "hidden"
    hidden.mkdir()
    shutil.copy(HIDDEN_TEMPLATE, hidden)
    again, full = tmp_path / "again", tmp_path / "full"
    for copy in (again, full):
        shutil.copytree(out, copy)
    result = run_grader("grade", submissions, "--out", again, "--tests", hidden)
    assert result.returncode == 0, result.stderr[-3000:]
    assert f"graded 2 (2 of {2 * EXERCISES} exercises), reused 0 unchanged" in result.stdout
    for student in ("ada", "bob"):
        assert regraded(out, again, student) == {"model_selection"}
        assert any(test["hidden"] for test in exercises(again, student)["model_selection"]["tests"])
    before = stamps(full)
    forced = run_grader("grade", submissions, "--out", full, "--tests", hidden, "--force")
    assert forced.returncode == 0, forced.stderr[-3000:]
    assert "graded 2, reused 0 unchanged" in forced.stdout, "nothing kept"
    assert rewritten(before, full) == {"ada", "bob"}
    for student in ("ada", "bob"):
        assert comparable(again / student / "grade.json") == comparable(
            full / student / "grade.json"
        ), student
    for name in ("gradebook.csv", "summary.md"):
        assert (again / name).read_bytes() == (full / name).read_bytes(), name
    assert float(gradebook(again)["ada"]["model_selection"]) == 10
    assert float(gradebook(again)["bob"]["model_selection"]) < 10


def test_an_edited_module_grades_that_exercise_of_that_student_again(pair, tmp_path):
    submissions, out = pair
    edited, again = tmp_path / "submissions", tmp_path / "again"
    shutil.copytree(submissions, edited)
    shutil.copytree(out, again)
    (edited / "bob" / "model_selection.py").write_text(K_FOLD, encoding="utf-8")
    before = stamps(again)
    result = run_grader("grade", edited, "--out", again)
    assert result.returncode == 0, result.stderr[-3000:]
    assert f"graded 1 (1 of {EXERCISES} exercises), reused 1 unchanged" in result.stdout
    assert rewritten(before, again) == {"bob"}
    assert regraded(out, again, "bob") == {"model_selection"}
    assert float(gradebook(again)["bob"]["model_selection"]) == 10


def test_a_changed_setting_grades_every_exercise_again(pair, tmp_path):
    submissions, out = pair
    again = tmp_path / "again"
    shutil.copytree(out, again)
    result = run_grader("grade", submissions, "--out", again, "--timeout", "60")
    assert result.returncode == 0, result.stderr[-3000:]
    assert "graded 2, reused 0 unchanged" in result.stdout
    for student in ("ada", "bob"):
        assert regraded(out, again, student) == set(exercises(out, student))


def test_only_grades_the_chosen_students_and_no_one_else(tmp_path):
    submissions = cheap_class(tmp_path)
    out = tmp_path / "out"
    assert run_grader("grade", submissions, "--out", out).returncode == 0
    (submissions / "broken" / "model_selection.py").write_text(BROKEN + "\n# changed\n")
    before = stamps(out)
    result = run_grader("grade", submissions, "--out", out, "--only", "stubs", "empty")
    assert result.returncode == 0, result.stderr[-3000:]
    assert (
        "graded 1, reused 0 unchanged; 1 could not be taken in; 1 not in --only left as they were"
        in result.stdout
    )
    assert rewritten(before, out) == {"stubs", "empty"}, "unchanged, but asked for"
    assert set(gradebook(out)) == {"broken", "stubs", "empty"}


def test_only_with_an_unknown_id_is_a_clear_error(tmp_path):
    submissions = cheap_class(tmp_path)
    result = run_grader("grade", submissions, "--out", tmp_path / "out", "--only", "stubs", "zed")
    assert result.returncode == 2
    assert result.stderr.strip() == f"grader: --only: no submission zed in {submissions}"
    assert not (tmp_path / "out").exists()


def test_only_into_a_fresh_out_says_the_others_were_not_graded(tmp_path):
    """No result of the others was there to leave as it was: the line says so."""
    submissions = cheap_class(tmp_path)
    out = tmp_path / "out"
    result = run_grader("grade", submissions, "--out", out, "--only", "stubs")
    assert result.returncode == 0, result.stderr[-3000:]
    assert "left as they were" not in result.stdout
    assert "graded 1, reused 0 unchanged; 2 not in --only have no result in" in result.stdout
    assert set(gradebook(out)) == {"stubs"}
    (submissions / "broken" / "model_selection.py").write_text(BROKEN + "\n# changed\n")
    result = run_grader("grade", submissions, "--out", out, "--only", "broken")
    assert "1 not in --only left as they were; 1 not in --only have no result" in result.stdout
    assert set(gradebook(out)) == {"stubs", "broken"}


@pytest.mark.parametrize("given", ["stubs.zip", "stubs/", "Stubs", "stub"])
def test_only_with_a_file_name_suggests_the_student_id(tmp_path, given):
    submissions = cheap_class(tmp_path)
    result = run_grader("grade", submissions, "--out", tmp_path / "out", "--only", given)
    assert result.returncode == 2
    assert result.stderr.strip() == (
        f"grader: --only: no submission {given} in {submissions} (did you mean stubs? --only "
        "takes student ids: the entry's name without .zip or .ipynb)"
    )
    assert not (tmp_path / "out").exists()


def running_in(folder: Path) -> list[int]:
    """The processes whose working directory is inside ``folder`` (Linux)."""
    found = []
    for entry in Path("/proc").iterdir():
        try:
            if entry.name.isdigit() and Path(os.readlink(entry / "cwd")).is_relative_to(folder):
                found.append(int(entry.name))
        except OSError:
            continue
    return found


@pytest.mark.skipif(not Path("/proc/self/cwd").exists(), reason="reads /proc (Linux)")
def test_ctrl_c_stops_quietly_keeps_finished_students_and_exits_130(tmp_path):
    """SIGINT to the whole process group, as a terminal's Ctrl-C sends it, while a submission
    hangs inside its sandbox: one line, exit 130, no traceback, no process left behind."""
    submissions = tmp_path / "submissions"
    submission(submissions, "broken", model_selection=BROKEN)  # finished first, in no time
    submission(submissions, "hangs", model_selection=HANGS)
    scratch = tmp_path / "tmp"  # the run's temporary folders (TMPDIR): sessions show up here
    scratch.mkdir()
    command = grader_command("grade", submissions, "--out", tmp_path / "out", "--jobs", "1",
                             "--timeout", "300")  # fmt: skip
    process = subprocess.Popen(
        command, cwd=PROJECT_ROOT, env={**os.environ, "TMPDIR": str(scratch)},
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True,
    )  # fmt: skip
    deadline = time.monotonic() + 300
    while not list(scratch.glob("grade-*/report-*.jsonl")) and time.monotonic() < deadline:
        time.sleep(0.2)
    time.sleep(1.5)  # inside the hanging call by now
    assert running_in(scratch), "the session should be running"
    os.killpg(process.pid, signal.SIGINT)
    stdout, stderr = process.communicate(timeout=120)
    assert process.returncode == 130, stderr[-3000:]
    assert "Traceback" not in stderr + stdout
    lines = [line for line in stderr.splitlines() if line.startswith("grader:")]
    assert lines == [
        "grader: interrupted; 1 of 2 students are finished (kept); the same command grades the rest"
    ]
    assert (tmp_path / "out" / "broken" / "grade.json").is_file()
    assert not (tmp_path / "out" / "hangs").exists()
    time.sleep(0.5)
    assert not running_in(scratch), "a process of the run outlived it"
    assert not list(scratch.glob("grade-*")), "the scratch folder of the stopped student"
    assert not list(scratch.glob("sandbox-*")), "the scratch folders of its sandboxes"
