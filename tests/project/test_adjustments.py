"""Deadlines and overrides: ``grade --adjustments``, ``--due`` and its late policy, submission
times from the LMS's own formats, and every output that shows them.

The rules are checked on results built by hand (no grading); the times are read from faithful
samples of each format (Gradescope's ``submission_metadata.json``, Moodle's grading
worksheet, Canvas's download names, a Git repository); every bad input is one line naming the
file, the line and the problem, and nothing is written. The runs of ``grade`` (marked slow)
use classes whose grading runs no test session: untouched stubs and an empty folder.
"""

from __future__ import annotations

import copy
import csv
import io
import json
import os
import shutil
import subprocess
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from conftest import grade, gradebook, submission

from grader.__main__ import main
from grader.core import exits
from grader.core.manifest import load_manifest
from grader.core.paths import EXERCISES_DIR
from grader.grading.adjustments import AdjustmentsError, Override, adjust, read_adjustments
from grader.grading.amend import Amend, exercise_functions
from grader.grading.deadlines import DeadlineError, LatePolicy, roster_dues
from grader.grading.times import (
    GIT_SOURCE,
    GRADESCOPE_SOURCE,
    MOODLE_SOURCE,
    Stamp,
    TimesError,
    canvas_stamp,
    git_stamp,
    gradescope_metadata,
    read_times,
)
from grader.results.amended import Adjustment, Late
from grader.results.classroom import runner_result
from grader.results.feedback import feedback_md
from grader.results.formats import STORED_FILE
from grader.results.gradebook import AMEND_COLUMNS, gradebook_csv
from grader.results.gradescope import gradescope_json
from grader.results.lms import Scale
from grader.results.model import FORMAT_VERSION, ExerciseResult, SubmissionResult, TestOutcome
from grader.results.roster import parse_roster
from grader.results.summary import class_summary_md

POINTS = {exercise.name: exercise.points for exercise in load_manifest()}
FUNCTIONS = exercise_functions()
DUE = datetime(2025, 3, 1, 23, 59, tzinfo=UTC)


def outcomes_of(name: str, function: str, passed: int, failed: int) -> list[TestOutcome]:
    outcomes = ["passed"] * passed + ["failed"] * failed
    return [TestOutcome(name, f"test_{function}_{i}[cpu]", outcome, values=(function,))
            for i, outcome in enumerate(outcomes)]  # fmt: skip


def activations(softmax: int = 2, relu: int = 2) -> ExerciseResult:
    """activations (10 points): softmax and relu 5 points each, 2 tests each, ``softmax`` and
    ``relu`` of them passed."""
    return ExerciseResult.from_tests(
        "activations", "Activations", POINTS["activations"],
        [*outcomes_of("activations", "softmax", softmax, 2 - softmax),
         *outcomes_of("activations", "relu", relu, 2 - relu)],
    )  # fmt: skip


def losses(points: float) -> ExerciseResult:
    test = TestOutcome("losses", "test_mse[cpu]", "passed" if points else "failed", worth=15.0)
    return ExerciseResult("losses", "Losses", 15, points, "graded", "", (test,))


def result(student: str = "ada", softmax: int = 1, relu: int = 2, loss: float = 7.5):
    return SubmissionResult(student, "graded", "", (activations(softmax, relu), losses(loss)))


def override(exercise: str, points=None, delta=None, function: str = "", line: int = 2):
    return Override("ada", exercise, function, points, delta, "why", line)


# --------------------------------------------------------------------------------------------
# The rules


def test_a_set_and_a_delta_move_the_total_not_the_tests_points():
    graded = result()  # activations 7.5, losses 7.5
    applied = adjust(graded, [override("activations", points=9), override("losses", delta=-2.5)])
    assert [(a.rule, a.points) for a in applied] == [("= 9", 1.5), ("-2.5", -2.5)]
    final = Amend({"ada": ()}, None, {}, {}).apply(graded)
    assert final.adjustments == () and final.total == 15
    changed = replace(graded, adjustments=applied)
    assert changed.autograded_total == 15 and changed.adjusted == -1 and changed.total == 14
    assert changed.exercise("activations").points == 7.5  # the tests' points stay


def test_a_function_override_moves_that_function_within_its_share():
    graded = result(softmax=1)  # softmax 2.5 of 5, relu 5 of 5
    (up,) = adjust(graded, [override("activations", points=4, function="softmax")])
    assert (up.target, up.rule, up.points) == ("activations.softmax", "= 4", 1.5)
    (capped,) = adjust(graded, [override("activations", delta=9, function="softmax")])
    assert capped.points == 2.5, "at most the function's 5 points"
    (full,) = adjust(graded, [override("activations", delta=1, function="relu")])
    assert full.points == 0, "relu has its 5 already"


@pytest.mark.parametrize(
    ("rule", "moved"),
    [({"points": 12}, 2.5), ({"delta": 5}, 2.5), ({"delta": -9}, -7.5), ({"points": 0}, -7.5)],
)
def test_an_override_is_clipped_to_the_exercise(rule, moved):
    (applied,) = adjust(result(), [override("activations", **rule)])
    assert applied.points == moved


def test_overrides_apply_in_order_and_a_submission_not_graded_moves_nothing():
    graded = result()
    applied = adjust(graded, [override("activations", delta=2, function="softmax"),
                              override("activations", points=10)])  # fmt: skip
    assert [a.points for a in applied] == [2, 0.5]
    broken = SubmissionResult("ada", "error", "the zip is damaged", ())
    assert [a.points for a in adjust(broken, [override("activations", points=3)])] == [0]


def stamp(hours: float, **kwargs) -> Stamp:
    return Stamp(DUE + timedelta(hours=hours), "times file", **kwargs)


@pytest.mark.parametrize(
    ("policy", "hours", "percent"),
    [
        (LatePolicy(DUE, 10), -1, 0),  # on time
        (LatePolicy(DUE, 10), 0.01, 10),  # a day started
        (LatePolicy(DUE, 10), 24.5, 20),  # two days started
        (LatePolicy(DUE, 2, "hour"), 2.5, 6),  # three hours started
        (LatePolicy(DUE, 10, grace=timedelta(minutes=30)), 0.4, 0),  # within the grace
        (LatePolicy(DUE, 10, grace=timedelta(minutes=30)), 24.6, 20),  # started after it
        (LatePolicy(DUE, 25, cap=60), 24 * 9, 60),  # capped
    ],
)
def test_the_late_penalty_per_day_or_hour_with_grace_and_cap(policy, hours, percent):
    late = policy.late(DUE, stamp(hours), total=50)
    assert late.percent == percent and late.points == percent / 2
    assert late.hours == max(round(hours, 2), 0) and late.flag == ""


def test_the_penalty_is_a_percent_of_the_total_after_overrides():
    amend = Amend({"ada": (override("losses", delta=2.5),)}, LatePolicy(DUE, 10), {},
                  {"ada": stamp(30)})  # fmt: skip
    final = amend.apply(result())
    assert (final.autograded_total, final.adjusted, final.penalty) == (15, 2.5, 3.5)
    assert final.total == 14 and final.late.percent == 20


def test_a_submission_with_no_known_time_is_flagged_never_on_time():
    policy = LatePolicy(DUE, 10)
    unknown = policy.late(DUE, None, 20)
    canvas = policy.late(DUE, canvas_stamp("leeada_LATE_1234_5678_activations.zip"), 20)
    for late in (unknown, canvas):
        assert late.submitted == "" and late.points == 0 and "no submission time known" in late.flag
    assert "marked late (Canvas download name)" in canvas.flag
    commit = policy.late(DUE, Stamp(DUE - timedelta(hours=1), GIT_SOURCE, trusted=False), 20)
    assert not commit.trusted and "untrusted" in commit.flag and commit.points == 0


def test_a_students_extension_or_own_due_date_comes_from_the_roster(tmp_path):
    roster = tmp_path / "roster.csv"
    roster.write_text("Student,ID,submission,due,extension\n"
                      "Lee Ada,1,ada,,48\n"
                      "Ng Bob,2,bob,2025-03-10T12:00+01:00,\n"
                      "Ito Cat,3,cat,,\n"
                      "Kim Dan,4,dan,,24\n", encoding="utf-8")  # fmt: skip
    notes: list[str] = []
    dues = roster_dues(roster, DUE, ["ada", "bob", "cat"], notes)
    assert dues == {"ada": DUE + timedelta(hours=48),
                    "bob": datetime(2025, 3, 10, 11, 0, tzinfo=UTC)}  # fmt: skip
    assert notes == [f"roster {roster} line 5: no submission 'dan' here; its extension is not used"]
    amend = Amend(None, LatePolicy(DUE, 10), dues, {"ada": stamp(30), "cat": stamp(30)})
    assert amend.apply(result("ada")).late.percent == 0  # 30 h late, 48 h more
    assert amend.apply(result("cat")).late.percent == 20


@pytest.mark.parametrize(
    ("row", "problem"),
    [
        ("ada,,x", "line 2: extension 'x' is not a number of hours (e.g. 48)"),
        ("ada,2025-03-05,", "line 2: due '2025-03-05' has no UTC offset: add one, "
                            "e.g. 2025-03-05T23:59+01:00 or 2025-03-05T23:59Z"),
        ("ada,2025-03-05T10:00Z,12", "line 2: both a due and an extension; give one"),
    ],
)  # fmt: skip
def test_a_bad_roster_deadline_is_one_line(tmp_path, row, problem):
    roster = tmp_path / "roster.csv"
    roster.write_text(f"submission,due,extension\n{row}\n", encoding="utf-8")
    with pytest.raises(DeadlineError) as raised:
        roster_dues(roster, DUE, ["ada"], [])
    assert str(raised.value) == f"roster {roster} {problem}"


# --------------------------------------------------------------------------------------------
# The adjustments file

GOOD = (
    "Student,Exercise,Function,Points,Delta,Comment\r\n"
    'ada,activations,,,1.5,"regrade: the tolerance, too tight"\r\n'
    "ada,activations,softmax,4,,partial credit\r\n"
    "\r\n"
    "bob,losses,,0,,copied from ada (academic integrity case 12)\r\n"
)


def adjustments(tmp_path: Path, text: str | bytes) -> Path:
    path = tmp_path / "adjustments.csv"
    path.write_bytes(text.encode("utf-8") if isinstance(text, str) else text)
    return path


def test_the_adjustments_file_is_read_by_student_in_order(tmp_path):
    path = adjustments(tmp_path, "\ufeff" + GOOD)  # as Excel saves it
    read = read_adjustments(path, ["ada", "bob"], FUNCTIONS)
    assert [(o.target, o.rule, o.line) for o in read["ada"]] == [
        ("activations", "+1.5", 2), ("activations.softmax", "= 4", 3)]  # fmt: skip
    assert read["bob"][0].comment == "copied from ada (academic integrity case 12)"


BAD_ADJUSTMENTS = [
    ("student,exercise,points,comment\nzed,losses,1,x\n", " line 2: unknown student 'zed'"),
    ("student,exercise,points,comment\nadaa,losses,1,x\n",
     " line 2: unknown student 'adaa' (did you mean 'ada'?)"),
    ("student,exercise,points,comment\nada,loss,1,x\n",
     " line 2: unknown exercise 'loss' (did you mean 'losses'?)"),
    ("student,exercise,function,points,comment\nada,activations,softmx,1,x\n",
     " line 2: activations has no function 'softmx' (its functions: "),
    ("student,exercise,points,comment\nada,losses,1,x\nbob,losses,2,y\nada,losses,3,z\n",
     " lines 2 and 4 both override losses of 'ada': keep one"),
    ("student,exercise,points,comment\nada,losses,1.5.2,x\n",
     " line 2: points '1.5.2' is not a number (e.g. 2.5)"),
    ("student,exercise,delta,comment\nada,losses,nan,x\n", " line 2: delta 'nan' is not a number"),
    ("student,exercise,points,delta,comment\nada,losses,1,1,x\n",
     " line 2: give points (to set) or delta (to move), one of them"),
    ("student,exercise,points,comment\nada,losses,-1,x\n", " line 2: points '-1' is below 0"),
    ("student,exercise,points,comment\nada,losses,1,\n", " line 2: no comment: say why"),
    ("student,exercise,points,comments\nada,losses,1,x\n", ": unknown column 'comments'"),
    ("student,points,comment\nada,1,x\n", ": no column 'exercise'"),
    ("student,exercise,comment\nada,losses,x\n", ": no column 'points' or 'delta'"),
    ("student,exercise,points,comment\nada,losses,1,x,y\n", " line 2 has more cells than the"),
    (b"student,exercise,points,comment\nada,losses,1,caf\xe9\n", " is not UTF-8 text"),
]  # fmt: skip


@pytest.mark.parametrize(("text", "problem"), BAD_ADJUSTMENTS)
def test_a_bad_adjustments_file_is_one_line_naming_file_line_and_problem(tmp_path, text, problem):
    path = adjustments(tmp_path, text)
    with pytest.raises(AdjustmentsError) as raised:
        read_adjustments(path, ["ada", "bob"], FUNCTIONS)
    message = str(raised.value)
    assert message.startswith(f"adjustments {path}{problem}") and "\n" not in message


# --------------------------------------------------------------------------------------------
# Submission times, from each source's own format

# Gradescope's documented example (gradescope-autograders.readthedocs.io, "Submission
# Metadata"), with the per-student dates real files carry in users[].assignment.
GRADESCOPE = {
    "id": 123456,
    "created_at": "2018-08-01T14:22:32.365935-07:00",
    "assignment": {
        "due_date": "2018-07-31T23:00:00.000000-07:00", "group_size": 4,
        "group_submission": True, "id": 25828, "course_id": 1234, "late_due_date": None,
        "release_date": "2018-07-02T00:00:00.000000-07:00",
        "title": "Programming Assignment 1", "total_points": "20.0",
    },
    "submission_method": "upload",
    "users": [{
        "email": "student@example.com", "id": 1234, "name": "Student User",
        "assignment": {"due_date": "2018-08-01T12:00:00.000000-07:00", "late_due_date": None,
                       "release_date": "2018-07-02T00:00:00.000000-07:00"},
    }],
    "previous_submissions": [
        {"submission_time": "2018-07-30T14:24:48.087023-07:00", "score": 0.0, "results": {}},
    ],
}  # fmt: skip


def test_gradescope_metadata_gives_the_time_and_the_students_own_due_date(tmp_path):
    path, metadata = tmp_path / "submission_metadata.json", copy.deepcopy(GRADESCOPE)
    path.write_text(json.dumps(metadata), encoding="utf-8")
    stamp, due = gradescope_metadata(path)
    assert stamp.when == datetime.fromisoformat(GRADESCOPE["created_at"]) and stamp.trusted
    assert stamp.source == GRADESCOPE_SOURCE
    assert due == datetime.fromisoformat("2018-08-01T12:00:00-07:00"), "the extension's"
    del metadata["users"][0]["assignment"]
    path.write_text(json.dumps(metadata), encoding="utf-8")
    assert gradescope_metadata(path)[1] == datetime.fromisoformat("2018-07-31T23:00-07:00")
    path.write_text('{"created_at": "yesterday"}', encoding="utf-8")
    with pytest.raises(TimesError, match=r"Gradescope metadata .* cannot be read"):
        gradescope_metadata(path)


# Moodle's grading worksheet (Assignment > View all submissions > Download grading worksheet),
# as mod/assign/gradingtable.php writes it: English headers, userdate()'s default format.
MOODLE_WORKSHEET = (
    "Identifier,Full name,Email address,Status,Grade,Maximum grade,Grade can be changed,"
    "Last modified (submission),Online text,Last modified (grade),Feedback comments\r\n"
    "Participant 481516,Ada Lee,ada@uni.edu,Submitted for grading,,10.00,Yes,"
    '"Monday, 3 March 2025, 10:15 AM",,-,\r\n'
    "Participant 234200,Bob Ng,bob@uni.edu,Submitted for grading - 1 day 2 hours late,,10.00,"
    'Yes,"Sunday, 2 March 2025, 1:05 AM",,-,\r\n'
    "Participant 999999,Cat Ito,cat@uni.edu,No submission,,10.00,Yes,-,,-,\r\n"
)


def test_moodles_grading_worksheet_gives_local_times_by_participant(tmp_path):
    path = tmp_path / "worksheet.csv"
    path.write_text(MOODLE_WORKSHEET, encoding="utf-8")
    # the folder names of Moodle's "Download all submissions", today's and an older version's
    ids = ["Ada Lee_481516_assignsubmission_file", "Bob Ng_234200_assignsubmission_file_"]
    times = read_times(path, ids, "Europe/Berlin")
    assert times[ids[0]].when == datetime(2025, 3, 3, 9, 15, tzinfo=UTC)
    assert times[ids[1]].when == datetime(2025, 3, 2, 0, 5, tzinfo=UTC)
    assert {stamp.source for stamp in times.values()} == {MOODLE_SOURCE}
    with pytest.raises(TimesError, match=r"no UTC offset .* --times-zone Europe/Berlin"):
        read_times(path, ids)
    path.write_text(MOODLE_WORKSHEET.replace("Monday, 3 March", "lundi 3 mars"), "utf-8")
    with pytest.raises(TimesError, match=r"line 2: .*Moodle's language set to English"):
        read_times(path, ids, "Europe/Berlin")


def test_a_plain_times_file_and_its_bad_rows(tmp_path):
    path = tmp_path / "times.csv"
    path.write_text("submission,submitted\nada,2025-03-02T10:00:00Z\n\n", encoding="utf-8")
    assert read_times(path, ["ada", "bob"])["ada"].when == datetime(2025, 3, 2, 10, tzinfo=UTC)
    for rows, problem in [
        ("zed,2025-03-02T10:00Z\n", "line 2: unknown submission 'zed'"),
        ("ada,2025-03-02 10:00\n", "line 2: submitted '2025-03-02 10:00' has no UTC offset"),
        ("ada,soon\n", "line 2: submitted 'soon' is not an ISO 8601 time"),
        ("ada,2025-03-02T10:00Z\nada,2025-03-02T11:00Z\n", "lines 2 and 3 both give a time"),
    ]:
        path.write_text("submission,submitted\n" + rows, encoding="utf-8")
        with pytest.raises(TimesError) as raised:
            read_times(path, ["ada"])
        assert str(raised.value).startswith(f"times {path} {problem}"), raised.value


def test_canvas_download_names_mark_late_but_carry_no_time():
    """lib/content_zipper.rb: [sortable name, "LATE" if late, user id].join("_"), then the
    attachment's id and name; anonymous grading puts anon_<id> for name and user."""
    assert canvas_stamp("leeada_LATE_1234_5678_activations.zip").marked_late
    assert canvas_stamp("LATE_anon_x7Yz2_5678_hw.zip").when is None
    assert canvas_stamp("leeada_1234_5678_activations.zip") is None
    assert canvas_stamp("latecomer_1234_5678_hw.zip") is None


needs_git = pytest.mark.skipif(shutil.which("git") is None, reason="needs git")


@needs_git
def test_a_git_repository_gives_its_last_commit_untrusted_and_runs_none_of_its_commands(
    tmp_path,
):
    repository, marker = tmp_path / "ada", tmp_path / "ran"
    repository.mkdir()
    hook = tmp_path / "hook.sh"
    hook.write_text(f"#!/bin/sh\ntouch {marker}\n", encoding="utf-8")
    hook.chmod(0o755)
    when = "2025-03-02T10:00:00+01:00"
    environment = {**os.environ, "GIT_AUTHOR_DATE": when, "GIT_COMMITTER_DATE": when,
                   "GIT_AUTHOR_NAME": "a", "GIT_AUTHOR_EMAIL": "a@b", "GIT_COMMITTER_NAME": "a",
                   "GIT_COMMITTER_EMAIL": "a@b", "GIT_CONFIG_GLOBAL": os.devnull}  # fmt: skip
    for command in (["init", "-q"], ["commit", "-q", "--allow-empty", "-m", "done"]):
        subprocess.run(["git", *command], cwd=repository, env=environment, check=True)
    for key, value in [("core.fsmonitor", hook), ("log.showSignature", "true"),
                       ("gpg.program", hook), ("core.pager", hook)]:  # fmt: skip
        subprocess.run(["git", "config", key, str(value)], cwd=repository, check=True)
    found = git_stamp(repository)
    assert found == Stamp(datetime.fromisoformat(when), GIT_SOURCE, trusted=False)
    assert not marker.exists(), "a command of the student's repository configuration ran"
    assert git_stamp(tmp_path) is None  # no repository there


# --------------------------------------------------------------------------------------------
# Every output shows them


def amended() -> SubmissionResult:
    overrides = (override("activations", points=10), override("losses", delta=-1.5))
    amend = Amend({"ada": overrides}, LatePolicy(DUE, 10), {}, {"ada": stamp(20)})
    return amend.apply(result())  # tests 15, overrides +1, late 10%


def test_the_result_round_trips_with_its_overrides_and_penalty():
    final = amended()
    assert (final.total, final.penalty, final.late.percent) == (14.4, 1.6, 10)
    data = final.to_json()
    assert data["version"] == FORMAT_VERSION == 4
    assert SubmissionResult.from_json(json.dumps(data)) == final
    with pytest.raises(ValueError, match="format version 3"):
        SubmissionResult.from_json({**data, "version": 3})


def test_every_format_shows_the_overrides_and_the_penalty_beside_the_tests_points():
    final, other = amended(), result("bob")
    book = list(csv.DictReader(io.StringIO(gradebook_csv([final, other]))))
    assert list(book[0])[-len(AMEND_COLUMNS) :] == list(AMEND_COLUMNS)
    assert [book[0][c] for c in ("total", *AMEND_COLUMNS)] == [
        "14.4", "15", "1", "1.6", "2025-03-02T19:59:00+00:00"]  # fmt: skip
    assert "late: submitted 2025-03-02T19:59:00+00:00" in book[0]["message"]
    assert [book[1][c] for c in ("total", *AMEND_COLUMNS)] == ["15", "15", "0", "", ""]
    feedback = feedback_md(final)
    assert "**Total: 14.4 / 25 points**" in feedback and "- tests: 15 points" in feedback
    assert "- override of `activations` (= 10): +2.5 points: why" in feedback
    assert "20 h after the due date 2025-03-01T23:59:00+00:00: -10% = -1.6 points" in feedback
    document = json.loads(gradescope_json(final))
    assert document["score"] == 14.4 and "- tests: 15 points" in document["output"]
    extra = document["extra_data"]
    assert extra["autograded_total"] == 15 and extra["late"]["percent"] == 10
    assert [Adjustment.from_json(a) for a in extra["adjustments"]] == list(final.adjustments)
    summary = class_summary_md([final, other])
    assert "| ada | `losses` | -1.5 | -1.5 | why |" in summary
    assert "## Late submissions" in summary and "- ada: submitted" in summary
    assert Scale(25).cell(final) == "14.4"  # the LMS export's grade
    runner = runner_result(final)
    assert round(sum(test["score"] for test in runner["tests"]), 2) == final.total


def test_a_summary_without_deadlines_or_overrides_has_no_such_sections():
    summary = class_summary_md([result("ada")])
    assert "## Overrides" not in summary and "## Late submissions" not in summary
    assert Late(DUE.isoformat(), "", "", True, 0, 0, 0, "x").describe().startswith("x; due ")


# --------------------------------------------------------------------------------------------
# `grade` and `autograde` with them


def cheap_class(root: Path) -> Path:
    """Two untouched stubs and an empty folder: grading them runs no test session."""
    submissions = root / "submissions"
    submission(submissions, "ada")
    submission(submissions, "bob")
    (submissions / "cat").mkdir()
    return submissions


def stored(out: Path, student: str) -> dict:
    return json.loads((out / student / STORED_FILE).read_text(encoding="utf-8"))


@pytest.mark.slow
def test_grade_applies_overrides_and_deadlines_and_regrades_keep_them(tmp_path):
    submissions = cheap_class(tmp_path)
    out = tmp_path / "out"
    assert grade(submissions, out).returncode == 0
    before = {s: stored(out, s) for s in ("ada", "bob", "cat")}
    path = adjustments(tmp_path, "student,exercise,points,comment\n"
                                 "ada,activations,4,regrade request\n")  # fmt: skip
    times = tmp_path / "times.csv"
    times.write_text("submission,submitted\nada,2025-03-02T10:00Z\n", encoding="utf-8")
    options = ["--adjustments", path, "--due", "2025-03-01T23:59Z", "--late-per-day", "25",
               "--times", times]  # fmt: skip
    run = grade(submissions, out, *options)
    assert run.returncode == 0, run.stderr[-3000:]
    assert "graded 0, reused 3 unchanged" in run.stdout, "a new override grades no one again"
    assert "1 override(s) applied; 1 late; 2 with no known submission time" in run.stdout
    row = gradebook(out)["ada"]
    assert (row["total"], row["autograded_total"], row["adjustments"], row["late_penalty"]) == (
        "3", "0", "4", "1")  # fmt: skip
    assert "no submission time known" in gradebook(out)["bob"]["message"]
    for student in ("ada", "bob", "cat"):  # the tests' result, as it was
        now = stored(out, student)
        assert {k: v for k, v in now.items() if k not in ("adjustments", "late")} == {
            k: v for k, v in before[student].items() if k not in ("adjustments", "late")
        }
    assert "regrade request" in (out / "ada" / "feedback.md").read_text(encoding="utf-8")
    assert json.loads((out / "ada" / "results.json").read_text())["score"] == 3
    regraded = grade(submissions, out, "--force", *options)
    assert "graded 2, reused 0" in regraded.stdout, regraded.stderr[-3000:]
    assert stored(out, "ada")["adjustments"][0]["comment"] == "regrade request"
    assert gradebook(out)["ada"]["total"] == "3", "the override survived the regrade"
    dropped = grade(submissions, out)
    assert "note: dropped the overrides of 1 student(s): no --adjustments" in dropped.stdout
    assert "note: dropped the late penalties of 3 student(s): no --due" in dropped.stdout
    assert gradebook(out)["ada"]["total"] == "0"


@pytest.mark.slow
@pytest.mark.parametrize(
    ("options", "problem"),
    [
        (["--adjustments", "{adjustments}"], "line 2: unknown student 'dan'"),
        (["--due", "2025-03-01T23:59"], "argument --due: '2025-03-01T23:59' has no UTC offset"),
        (["--due", "2025-03-01T23:59Z", "--times", "{times}"], "line 2: submitted 'never'"),
        (["--times", "{times}"], "--times needs a due date: give --due"),
    ],
)
def test_grade_refuses_bad_input_in_one_line_and_writes_nothing(tmp_path, options, problem):
    submissions = cheap_class(tmp_path)
    files = {"adjustments": adjustments(tmp_path, "student,exercise,points,comment\n"
                                                  "dan,losses,1,x\n"),
             "times": tmp_path / "times.csv"}  # fmt: skip
    files["times"].write_text("submission,submitted\nada,never\n", encoding="utf-8")
    out = tmp_path / "out"
    run = grade(submissions, out, *(option.format(**files) for option in options))
    assert run.returncode == exits.USAGE, run.stderr
    said = run.stderr.splitlines()[-1]
    assert said.startswith("grader: ") and problem in said and run.stdout == ""
    assert not out.exists(), "nothing is written"


def test_autograde_reads_gradescopes_metadata(tmp_path, capsys):
    """On this project's untouched stubs (nothing runs): the submission time and the
    student's own due date come from the metadata; the lateness shows in every file."""
    metadata = tmp_path / "submission_metadata.json"
    metadata.write_text(json.dumps(GRADESCOPE), encoding="utf-8")
    root, out = tmp_path / "repository", tmp_path / "out"
    shutil.copytree(EXERCISES_DIR, root / "exercises", ignore=shutil.ignore_patterns("__py*"))
    argv = ["autograde", "--root", str(root), "--out", str(out), "--isolation", "process",
            "--student", "ada", "--submission-metadata", str(metadata), "--late-per-hour", "5",
            "--summary", str(tmp_path / "summary.md")]  # fmt: skip
    assert main(argv) == exits.OK, capsys.readouterr().err[-3000:]
    late = json.loads((out / "results.json").read_text(encoding="utf-8"))["extra_data"]["late"]
    assert late["submitted"] == "2018-08-01T14:22:32.365935-07:00"
    assert late["due"] == "2018-08-01T12:00:00-07:00" and late["source"] == GRADESCOPE_SOURCE
    assert (late["hours"], late["percent"], late["points"]) == (2.38, 15, 0)
    assert "2.38 h after the due date" in (out / "feedback.md").read_text(encoding="utf-8")
    assert "- deadline: submitted" in (tmp_path / "summary.md").read_text(encoding="utf-8")
    metadata.write_text("{}", encoding="utf-8")
    assert main(argv) == exits.USAGE
    assert "Gradescope metadata" in capsys.readouterr().err


def test_a_roster_is_still_a_roster_with_deadline_columns():
    roster = parse_roster("ID,submission,due,extension\n1,ada,2025-03-01T10:00Z,\n2,bob,,24\n")
    assert [s.get("extension") for s in roster.students] == ["", "24"]
