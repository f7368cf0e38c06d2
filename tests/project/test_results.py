"""The grader's results: data model, JSON round trip, and every file written from it.

Results are built by hand here (graded, partly done, not attempted, timed out, crashed, invalid,
could not be graded), with unicode and hostile text in messages and student ids; each writer's
output is parsed back and checked, and every file must be written atomically.
"""

from __future__ import annotations

import csv
import io
import json
import os
import random
import re
import subprocess
import sys
import unicodedata
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from grader.core import files as atomic_files
from grader.core.files import atomic_write_bytes, atomic_write_text
from grader.core.manifest import load_manifest
from grader.core.paths import PROJECT_ROOT
from grader.core.text import CLIP_CHARS
from grader.results import explain
from grader.results.feedback import write_feedback_md
from grader.results.formats import CLASS_FORMATS, write_class_files
from grader.results.gradebook import write_gradebook_csv
from grader.results.gradescope import write_results_json
from grader.results.junit import write_junit
from grader.results.model import (
    ExerciseResult,
    SubmissionResult,
    TestOutcome,
    format_points,
)
from grader.results.order import exercise_order
from grader.results.stored import load_submission, save_submission
from grader.results.summary import PLOT_FILE, SUMMARY_FILE, class_summary_md, write_summary_md
from grader.results.table import render_table

MANIFEST = {exercise.name: exercise for exercise in load_manifest()}
NAMES = list(MANIFEST)
NASTY = 'o\'brien,"x"\n'  # a student id that needs quoting everywhere
HOSTILE = "<script>alert('x')</script> & ]]> \x00\x1b[31mred\x1b[0m \ud800 \ufffe ```` end"
FORBIDDEN_MESSAGE = (
    "softmax(x) called torch.softmax\ntorch.softmax is not allowed in this exercise: it is the "
    "routine you are asked to write yourself. Build it from elementary tensor operations instead."
)


def failure(call: str, lines: int = 4) -> str:
    body = "\n".join(f"  row {i}: 0.{i:04d}" for i in range(max(lines - 3, 0)))
    return f"{call} returned wrong values\nexpected:\n{body}\nactual: nan\nHint: shift by the max"


def outcomes(exercise: str, **counts: int) -> list[TestOutcome]:
    """``counts`` tests per outcome (keys: passed, failed, error, not_attempted, skipped)."""
    tests = []
    for key, count in counts.items():
        outcome = key.replace("_", " ")
        for i in range(count):
            message = failure(f"{exercise}.f{i}(x)") if outcome in ("failed", "error") else ""
            tests.append(TestOutcome(exercise, f"test_{key}_{i}[cpu]", outcome, message, 0.01))
    return tests


def share(passed: int, graded: int, points: float) -> float:
    """What ``passed`` of ``graded`` tests of one function earn of ``points``."""
    return round(points * passed / graded, 2) + 0.0 if graded else 0.0


def exercise(name: str, tests, status="graded", message="", timings=(), points=None):
    spec = MANIFEST[name]
    if points is None:
        counted = [t for t in tests if t.outcome != "skipped"]
        points = share(sum(t.outcome == "passed" for t in counted), len(counted), spec.points)
    return ExerciseResult(
        name, spec.title, spec.points, points, status, message, tuple(tests), tuple(timings)
    )


def full_marks(name: str) -> ExerciseResult:
    return exercise(name, outcomes(name, passed=4), timings=[("f", 2e-3, 1e-3)])


def untouched(name: str) -> ExerciseResult:
    return ExerciseResult.from_tests(
        name, MANIFEST[name].title, MANIFEST[name].points, outcomes(name, not_attempted=3)
    )


def graded(student: str, exercises, notes=()) -> SubmissionResult:
    return SubmissionResult(student, "graded", "", tuple(exercises), tuple(notes))


def perfect(student: str) -> SubmissionResult:
    return graded(student, [full_marks(name) for name in NAMES])


def partial(student: str) -> SubmissionResult:
    """Every kind of exercise result, listed out of manifest order on purpose."""
    activations = exercise(
        "activations",
        [
            *outcomes("activations", passed=5, not_attempted=2, skipped=1),
            TestOutcome("activations", "test_softmax[dim=-1-float32-cpu]", "failed", failure("s")),
            TestOutcome("activations", "test_forbidden[softmax]", "failed", FORBIDDEN_MESSAGE),
            TestOutcome("activations", "test_hostile", "error", HOSTILE, 0.5),
        ],
        timings=[("softmax", 3e-3, 1e-3), ("sigmoid", 4e-7, 0.0)],
    )
    losses = exercise(
        "losses", outcomes("losses", passed=2), "timeout", "timed out after 60 s", points=3.75
    )
    optimizers = exercise(
        "optimizers", [], "crashed", "your code crashed the process (SIGSEGV)", points=0
    )
    regularization = exercise(
        "regularization",
        [],
        "invalid",
        "regularization.py does not parse: invalid syntax (line 3)\n    return x +\n          ^",
        points=0,
    )
    special = [losses, optimizers, regularization, activations]
    rest = [full_marks(name) for name in NAMES if name not in {e.name for e in special}]
    exercises = [*rest, *special]
    return graded(student, exercises, notes=["ignored notes.txt (not an exercise module)"])


def not_attempted(student: str) -> SubmissionResult:
    return graded(student, [untouched(name) for name in NAMES])


def broken(student: str) -> SubmissionResult:
    return SubmissionResult(student, "error", 'the zip archive is damaged, "bad CRC"\n', ())


def klass() -> list[SubmissionResult]:
    return [
        perfect("alice"),
        partial(NASTY),
        not_attempted("学生-ünï"),
        broken("zed, the <b>bold</b>"),
        partial("Bob"),
    ]


# --------------------------------------------------------------------------------------------
# Scoring and the data model


def test_format_points_has_at_most_two_decimals():
    assert [format_points(x) for x in (10, 10.0, 7.5, 6.666, 0.0, -0.0, 0.004, 123.45)] == [
        "10",
        "10",
        "7.5",
        "6.67",
        "0",
        "0",
        "0",
        "123.45",
    ]


def test_from_tests_scores_and_spots_an_untouched_exercise():
    tests = outcomes("losses", passed=3, failed=1, error=1, not_attempted=1, skipped=2)
    result = ExerciseResult.from_tests("losses", "Losses", 15, tests, [("mse_loss", 1.0, 0.5)])
    assert result.status == "graded" and result.points == share(3, 6, 15) == 7.5
    assert result.graded == 6 and result.passed == 3
    assert result.counts() == {
        "passed": 3,
        "failed": 1,
        "not attempted": 1,
        "error": 1,
        "skipped": 2,
    }
    assert result.attempted and not result.full_marks
    assert untouched("losses").status == "not attempted" and not untouched("losses").attempted
    assert full_marks("losses").full_marks


def test_totals_and_validation():
    submission = partial("bob")
    assert submission.total == round(sum(e.points for e in submission.exercises), 2)
    assert submission.max_total == sum(e.points for e in load_manifest())
    assert broken("x").total == 0 and broken("x").max_total == 0
    assert hash(submission)  # frozen, tuples all the way down
    listed = ExerciseResult("a", "A", 1, 1, "graded", "", [], [["f", 1, 2]])
    assert listed.tests == () and listed.timings == (("f", 1.0, 2.0),)
    spec = dict(name="a", title="A", max_points=10, message="", tests=())
    with pytest.raises(ValueError, match="exceed"):
        ExerciseResult(**spec, points=11, status="graded")
    with pytest.raises(ValueError, match="status"):
        ExerciseResult(**spec, points=1, status="great")
    with pytest.raises(ValueError, match="finite"):
        ExerciseResult(**spec, points=float("nan"), status="graded")
    with pytest.raises(ValueError, match="outcome"):
        TestOutcome("a", "t", "won")
    with pytest.raises(ValueError, match="duration"):
        TestOutcome("a", "t", "passed", "", -1.0)
    with pytest.raises(ValueError, match="duplicate"):
        graded("x", [full_marks("losses"), full_marks("losses")])


@pytest.mark.parametrize("make", [perfect, partial, not_attempted, broken])
@pytest.mark.parametrize("student", ["alice", NASTY, "学生 \ud83c", "<b>&amp;</b>"])
def test_json_round_trip(tmp_path, make, student):
    result = make(student)
    data = result.to_json()
    text = json.dumps(data, allow_nan=False)  # plain JSON
    assert SubmissionResult.from_json(json.loads(text)) == result
    assert SubmissionResult.from_json(text) == result
    path = tmp_path / "stored.json"
    save_submission(result, path)
    assert load_submission(path) == result
    path.read_bytes().decode("utf-8")  # valid UTF-8 even with a lone surrogate inside
    assert os.listdir(tmp_path) == ["stored.json"]


def test_loading_a_damaged_or_foreign_result_is_a_value_error(tmp_path):
    good = partial("bob").to_json()
    damaged = [
        {**good, "version": 99},
        {key: value for key, value in good.items() if key != "student"},
        {**good, "status": "maybe"},
        {**good, "exercises": {"a": 1}},
        {**good, "exercises": [{**good["exercises"][0], "points": "ten"}]},
        {**good, "exercises": [{**good["exercises"][0], "tests": [{"name": "t"}]}]},
        [1, 2],
    ]
    for data in damaged:
        with pytest.raises(ValueError):
            SubmissionResult.from_json(data)
    path = tmp_path / "half.json"
    path.write_bytes(json.dumps(good).encode()[:100])
    with pytest.raises(ValueError, match="not a stored result"):
        load_submission(path)
    path.write_bytes(b"\xff\xfe")
    with pytest.raises(ValueError):
        load_submission(path)


def test_exercise_order_follows_the_manifest_then_first_seen():
    results = [partial("a"), graded("b", [full_marks("losses")])]
    assert exercise_order(results) == NAMES
    extra = ExerciseResult("bonus", "Bonus", 5, 5, "graded", "", ())
    assert exercise_order([graded("c", [extra, full_marks("mlp")])]) == ["mlp", "bonus"]
    assert exercise_order(results, order=["mlp", "losses"])[:2] == ["mlp", "losses"]
    assert exercise_order([broken("x")]) == []


# --------------------------------------------------------------------------------------------
# Gradescope results.json

_VISIBILITY = {"hidden", "after_due_date", "after_published", "visible"}
_FORMATS = {"text", "html", "simple_format", "md", "ansi"}
# A hand-written schema of https://gradescope-autograders.readthedocs.io/en/latest/specs/ :
# key -> (type, allowed values or None). "required" keys must be present.
_TOP = {
    "score": ((int, float), None),
    "execution_time": ((int, float), None),
    "output": (str, None),
    "output_format": (str, _FORMATS),
    "test_output_format": (str, _FORMATS),
    "test_name_format": (str, _FORMATS),
    "visibility": (str, _VISIBILITY),
    "stdout_visibility": (str, _VISIBILITY),
    "extra_data": (dict, None),
    "tests": (list, None),
    "leaderboard": (list, None),
}
_TEST = {
    "score": ((int, float), None),
    "max_score": ((int, float), None),
    "status": (str, {"passed", "failed"}),
    "name": (str, None),
    "name_format": (str, _FORMATS),
    "number": (str, None),
    "output": (str, None),
    "output_format": (str, _FORMATS),
    "tags": (list, None),
    "visibility": (str, _VISIBILITY),
    "extra_data": (dict, None),
}


def _validate(document: dict, schema: dict, where: str) -> None:
    assert isinstance(document, dict), where
    unknown = set(document) - set(schema)
    assert not unknown, f"{where}: keys not in the spec: {unknown}"
    for key, value in document.items():
        kind, allowed = schema[key]
        assert isinstance(value, kind) and not isinstance(value, bool), f"{where}.{key}: {value!r}"
        if allowed is not None:
            assert value in allowed, f"{where}.{key}: {value!r} not in {allowed}"


def gradescope(tmp_path: Path, result: SubmissionResult) -> dict:
    path = tmp_path / "results.json"
    write_results_json(result, path)
    document = json.loads(path.read_text(encoding="utf-8"))
    _validate(document, _TOP, "results")
    assert "score" in document or all("score" in test for test in document.get("tests", []))
    for i, test in enumerate(document.get("tests", [])):
        _validate(test, _TEST, f"tests[{i}]")
    return document


@pytest.mark.parametrize("make", [perfect, partial, not_attempted, broken])
def test_gradescope_results_follow_the_spec(tmp_path, make):
    result = make(NASTY)
    document = gradescope(tmp_path, result)
    assert document["score"] == result.total
    assert document["output_format"] == "md" and document["stdout_visibility"] == "hidden"
    tests = document["tests"]
    assert [t["name"] for t in tests] == [MANIFEST[e].title for e in exercise_order([result])]
    assert round(sum(t["score"] for t in tests), 2) == result.total
    for entry in tests:
        assert entry["visibility"] == "visible" and entry["score"] <= entry["max_score"]
        assert entry["status"] == ("passed" if entry["score"] == entry["max_score"] else "failed")
    assert (
        f"{format_points(result.total)} / {format_points(result.max_total)}" in (document["output"])
    )


def test_gradescope_output_says_what_failed_and_why(tmp_path):
    document = gradescope(tmp_path, partial("bob"))
    by_name = {t["extra_data"]["exercise"]: t for t in document["tests"]}
    activations = by_name["activations"]["output"]
    assert "test_softmax[dim=-1-float32-cpu]" in activations
    assert "Hint: shift by the max" in activations and "torch.softmax" in activations
    assert "\x00" not in activations and "\x1b" not in activations and "\\x1b" in activations
    assert "timed out after 60 s" in by_name["losses"]["output"]
    assert "SIGSEGV" in by_name["optimizers"]["output"]
    assert "does not parse" in by_name["regularization"]["output"]
    assert by_name["mlp"]["status"] == "passed"
    assert "could not be graded" in gradescope(tmp_path, broken("x"))["output"]


def test_long_messages_are_clipped(tmp_path):
    huge = TestOutcome("mlp", "test_huge", "failed", failure("mlp_forward", lines=500))
    wide = TestOutcome("mlp", "test_wide", "failed", "x" * 100_000)
    result = graded("bob", [exercise("mlp", [huge, wide])])
    output = gradescope(tmp_path, result)["tests"][0]["output"]
    assert "row 10: " in output and "row 400: " not in output and "clipped" in output
    assert len(output) < 3 * CLIP_CHARS
    write_feedback_md(result, tmp_path / "feedback.md")
    feedback = (tmp_path / "feedback.md").read_text(encoding="utf-8")
    assert "row 400: " not in feedback and len(feedback) < 3 * CLIP_CHARS
    many = [TestOutcome("mlp", f"test_{i}", "failed", failure(f"f{i}")) for i in range(30)]
    write_feedback_md(graded("bob", [exercise("mlp", many)]), tmp_path / "many.md")
    text = (tmp_path / "many.md").read_text(encoding="utf-8")
    assert text.count("Hint: shift by the max") == explain.MAX_DETAILED
    assert all(f"`test_{i}`" in text for i in range(30))  # the rest are named, in brief


# --------------------------------------------------------------------------------------------
# JUnit XML


def junit(tmp_path: Path, result: SubmissionResult) -> ET.Element:
    path = tmp_path / "junit.xml"
    write_junit(result, path)
    root = ET.fromstring(path.read_bytes())
    assert root.tag == "testsuites"
    return root


def test_junit_has_one_suite_per_exercise_and_one_case_per_test(tmp_path):
    result = partial(NASTY)
    root = junit(tmp_path, result)
    assert root.get("name") == NASTY  # escaped, and read back exactly
    suites = {suite.get("name"): suite for suite in root.iter("testsuite")}
    assert list(suites) == exercise_order([result])
    activations = result.exercise("activations")
    cases = suites["activations"].findall("testcase")
    assert [case.get("name") for case in cases] == [t.name for t in activations.tests]
    for case, test in zip(cases, activations.tests, strict=True):
        failed = case.find("failure")
        skipped = case.find("skipped")
        assert (failed is not None) == (test.outcome in ("failed", "error"))
        assert (skipped is not None) == (test.outcome in ("not attempted", "skipped"))
        if test.outcome == "not attempted":
            assert skipped.get("message") == "not attempted"
        if failed is not None:
            assert failed.get("type") == test.outcome
            assert "\n" not in failed.get("message") and failed.get("message")
    forbidden = next(c for c in cases if c.get("name") == "test_forbidden[softmax]")
    assert "is not allowed" in forbidden.find("failure").text
    hostile = next(c for c in cases if c.get("name") == "test_hostile").find("failure").text
    assert "<script>" in hostile and "]]>" in hostile and "\\x00" in hostile
    counts = suites["activations"].attrib
    assert (counts["tests"], counts["failures"], counts["errors"], counts["skipped"]) == (
        "11",
        "2",
        "1",
        "3",
    )
    assert int(root.get("tests")) == sum(len(s.findall("testcase")) for s in suites.values())
    for name, status in [("losses", "timeout"), ("optimizers", "crashed")]:
        last = suites[name].findall("testcase")[-1]
        assert last.get("name") == f"{name} ({status})" and last.find("failure") is not None
    properties = {p.get("name"): p.get("value") for p in suites["losses"].iter("property")}
    assert properties["status"] == "timeout" and properties["points"] == "3.75"


def test_junit_for_untouched_and_ungradable_submissions(tmp_path):
    root = junit(tmp_path, not_attempted("x"))
    assert int(root.get("skipped")) == int(root.get("tests")) == 3 * len(NAMES)
    root = junit(tmp_path, broken("x"))
    (case,) = root.iter("testcase")
    assert "damaged" in case.find("failure").text and root.get("errors") == "1"


# --------------------------------------------------------------------------------------------
# Feedback for the student


def feedback(tmp_path: Path, result: SubmissionResult) -> str:
    path = tmp_path / "feedback.md"
    write_feedback_md(result, path)
    return path.read_text(encoding="utf-8")


def fenced_blocks(text: str) -> list[str]:
    """The bodies of the fenced code blocks, closed by a fence of the same length."""
    blocks, fence, body = [], None, []
    for line in text.split("\n"):
        if fence is None:
            if line.startswith("```"):
                fence = line[: len(line) - len(line.lstrip("`"))]
                body = []
        elif line == fence:
            blocks.append("\n".join(body))
            fence = None
        else:
            body.append(line)
    assert fence is None, "unclosed fence"
    return blocks


def test_feedback_reports_every_exercise_in_manifest_order(tmp_path):
    result = partial(NASTY)
    text = feedback(tmp_path, result)
    assert text.startswith('# Feedback: o\'brien,"x"\n')  # one line, whatever the id holds
    assert f"**Total: {format_points(result.total)} / {format_points(result.max_total)}" in text
    headings = [line for line in text.splitlines() if line.startswith("## ")]
    assert len(headings) == len(NAMES)
    for number, (heading, name) in enumerate(zip(headings, NAMES, strict=True), start=1):
        spec, got = MANIFEST[name], result.exercise(name)
        assert heading.startswith(f"## {number}. ") and spec.title.split(":")[0] in heading
        assert f"{format_points(got.points)} / {format_points(spec.points)} points" in heading
    assert "5 of 10 tests passed (1 skipped, not counted)." in text
    assert "All 4 tests passed. Well done." in text
    assert "ignored notes.txt" in text


def test_feedback_shows_failures_in_fences_and_names_forbidden_calls_and_timeouts(tmp_path):
    text = feedback(tmp_path, partial("bob"))
    blocks = fenced_blocks(text)
    assert any(block.startswith("s returned wrong values") for block in blocks)
    hostile = next(block for block in blocks if "<script>" in block)
    assert "```` end" in hostile  # backticks inside do not close the block
    assert "\x00" not in text and "\x1b" not in text and "\ud800" not in text
    assert "**Forbidden call:** your code called `torch.softmax`" in text
    assert "**Time limit:** timed out after 60 s. Of the 2 tests that ran, 2 passed." in text
    assert "**Crash:** your code crashed the process (SIGSEGV)." in text
    assert "**Could not be loaded:** regularization.py does not parse" in text
    assert "    return x +\n          ^" in blocks  # the rest of the reason, as it was
    assert "Not attempted yet (2): `test_not_attempted_0[cpu]`, `test_not_attempted_1[cpu]`" in (
        text
    )
    timing = text[text.index("Timing (not graded)") :]
    assert "| `softmax` | 3.00 ms | 1.00 ms | 3.0× |" in timing
    assert "| `sigmoid` | 400 ns | 0 ns | – |" in timing


def test_feedback_for_untouched_perfect_and_ungradable_submissions(tmp_path):
    text = feedback(tmp_path, not_attempted("x"))
    assert text.count("Not attempted yet. Write the functions in") == len(NAMES)
    assert "`test_not_attempted_0[cpu]`" not in text  # briefly: no list of tests
    assert "Congratulations" in feedback(tmp_path, perfect("x"))
    text = feedback(tmp_path, broken("<img src=x onerror=alert(1)>"))
    assert "\\<img" in text and not re.search(r"(?<!\\)<img", text)  # no raw HTML
    assert 'could not be graded: the zip archive is damaged, "bad CRC"' in text


# --------------------------------------------------------------------------------------------
# Gradebook and terminal table


def test_gradebook_round_trips_through_the_csv_module(tmp_path):
    results = klass()
    path = tmp_path / "grades.csv"
    write_gradebook_csv(results, path)
    with path.open(newline="", encoding="utf-8") as stream:
        rows = list(csv.reader(stream))
    assert rows[0] == ["student", *NAMES, "total", "max_total", "status", "device",
                       *(f"{name} state" for name in NAMES), "message",
                       "autograded_total", "adjustments", "late_penalty", "submitted"]  # fmt: skip
    expected = sorted(results, key=lambda r: (r.student.casefold(), r.student))
    assert [row[0] for row in rows[1:]] == [r.student for r in expected]
    assert NASTY in [row[0] for row in rows]  # quotes, comma and newline survive
    for row, result in zip(rows[1:], expected, strict=True):
        record = dict(zip(rows[0], row, strict=True))
        assert float(record["total"]) == result.total
        full = sum(spec.points for spec in MANIFEST.values())  # a submission not taken in
        assert record["max_total"] == format_points(result.max_total if result.exercises else full)
        assert (record["status"], record["device"]) == (result.status, result.device)
        assert record["message"].startswith(result.message)
        for name in NAMES:
            got = result.exercise(name)
            assert record[name] == ("" if got is None else format_points(got.points))
            assert record[f"{name} state"] == ("" if got is None else got.status)
            if got is not None and got.status in ("timeout", "crashed", "invalid"):
                assert f"{name} " in record["message"], "a 0 without its reason"
    bob = next(row for row in rows if row[0] == "Bob")
    assert bob[NAMES.index("losses") + 1] == "3.75"
    numbers = [cell for row in rows[1:] for cell in row[1 : len(NAMES) + 3] if cell]
    assert all(re.fullmatch(r"\d+(\.\d\d?)?", cell) for cell in numbers)


def test_render_table_is_aligned(tmp_path):
    results = klass()
    table = render_table(results)
    lines = table.splitlines()
    header, rule = lines[0], lines[1]
    rows = lines[2 : 2 + len(results)]

    def columns(line: str) -> str:  # one character per terminal column
        wide = {"W", "F"}
        return "".join(c + "\0" * (unicodedata.east_asian_width(c) in wide) for c in line)

    status_at = header.index("status")
    total_end = header.index("total") + len("total")
    for row in map(columns, rows):
        assert row[status_at - 2 : status_at] == "  " and row[status_at] != " "
        assert row[total_end - 1] != " " and row[total_end] == " "
    assert len(rule.split()) == len(NAMES) + 3
    assert "学生-ünï" in table and 'o\'brien,"x"' in table and "\n\n" in table
    assert "error: the zip archive is damaged" in table
    assert "marks: n not attempted, t timed out, c crashed, i invalid module" in table
    assert render_table([]).splitlines()[-1] == "(no submissions)"


# --------------------------------------------------------------------------------------------
# Class summary


def test_class_summary(tmp_path):
    results = klass()
    write_class_files(results, tmp_path / "out")
    assert sorted(os.listdir(tmp_path / "out")) == sorted(CLASS_FORMATS)
    assert (tmp_path / "out" / PLOT_FILE).read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
    text = (tmp_path / "out" / SUMMARY_FILE).read_text(encoding="utf-8")
    totals = sorted(r.total for r in results if r.status == "graded")
    assert "- submissions: 5 (4 graded, 1 could not be graded at all)" in text
    assert "- tests graded: the CPU tests (--device cpu)" in text
    assert re.search(r"- exercises of the graded submissions: \d+ graded, \d+ not attempted, "
                     r"\d+ timed out, \d+ crashed, \d+ could not be loaded", text)  # fmt: skip
    mean = format_points(sum(totals) / 4)
    median = format_points((totals[1] + totals[2]) / 2)
    best = format_points(sum(spec.points for spec in MANIFEST.values()))  # alice: full marks
    assert f"mean {mean}, median {median}, min 0, max {best}" in text
    lines = {
        line.split(" | ")[0][2:].strip("`"): line
        for line in text.splitlines()
        if line.startswith("| ")
    }
    # activations: 2 partial (not full), 1 perfect, 1 untouched of 4 graded
    most = MANIFEST["activations"].points
    points = format_points((most + 2 * result_points(partial("b"), "activations")) / 4)
    assert lines["activations"] == f"| `activations` | {most} | {points} | 25% | 75% |"
    most = MANIFEST["mlp"].points  # full marks in 3 of 4
    assert lines["mlp"] == f"| `mlp` | {most} | {format_points(3 * most / 4)} | 75% | 75% |"
    assert "- zed, the \\<b\\>bold\\</b\\>: the zip archive is damaged" in text
    empty = class_summary_md([])
    assert "- submissions: 0" in empty and "no graded submissions" in empty


def result_points(result: SubmissionResult, name: str) -> float:
    return result.exercise(name).points


# --------------------------------------------------------------------------------------------
# Atomic, deterministic files


def write_everything(results: list[SubmissionResult], out: Path, class_order=None) -> None:
    """Every file, per student by position in ``results``; the class files from ``class_order``
    (default ``results``)."""
    for i, result in enumerate(results):
        write_results_json(result, out / f"{i}" / "results.json")
        write_junit(result, out / f"{i}" / "junit.xml")
        write_feedback_md(result, out / f"{i}" / "feedback.md")
        save_submission(result, out / f"{i}" / "result.json")
    write_class_files(results if class_order is None else class_order, out)


def test_output_is_deterministic_and_leaves_no_temporary_files(tmp_path):
    results = klass()
    write_everything(results, tmp_path / "a")
    shuffled = results[:]
    random.Random(1).shuffle(shuffled)
    write_everything(results, tmp_path / "b", class_order=shuffled)
    files = sorted(p.relative_to(tmp_path / "a") for p in (tmp_path / "a").rglob("*"))
    assert files == sorted(p.relative_to(tmp_path / "b") for p in (tmp_path / "b").rglob("*"))
    assert not [p for p in files if p.name.startswith(".") or p.suffix == ".tmp"]
    for relative in files:
        if relative.suffix != ".png" and (tmp_path / "a" / relative).is_file():
            same = (tmp_path / "a" / relative).read_bytes() == (
                tmp_path / "b" / relative
            ).read_bytes()
            assert same, relative
    assert render_table(shuffled) == render_table(results)


def test_atomic_write_replaces_and_keeps_the_mode(tmp_path):
    path = tmp_path / "sub" / "file.txt"
    atomic_write_text(path, "one\r\nline ünï\n")
    assert path.read_bytes() == "one\r\nline ünï\n".encode()  # newlines as given
    assert path.stat().st_mode & 0o777 == 0o644
    path.chmod(0o600)
    atomic_write_bytes(path, b"two")
    assert path.read_bytes() == b"two" and path.stat().st_mode & 0o777 == 0o600
    assert os.listdir(path.parent) == ["file.txt"]


@pytest.mark.parametrize("failing", ["replace", "fsync", "write"])
def test_a_failed_write_leaves_the_previous_file_intact(tmp_path, monkeypatch, failing):
    path = tmp_path / "feedback.md"
    path.write_text("previous", encoding="utf-8")

    def boom(*args, **kwargs):
        raise OSError(28, "No space left on device")

    if failing == "write":
        monkeypatch.setattr(atomic_files.os, "fdopen", lambda fd, mode: _Failing(fd))
    else:
        monkeypatch.setattr(atomic_files.os, failing, boom)
    with pytest.raises(OSError, match="No space"):
        write_feedback_md(partial("bob"), path)
    monkeypatch.undo()
    assert path.read_text(encoding="utf-8") == "previous"
    assert os.listdir(tmp_path) == ["feedback.md"]


class _Failing(io.FileIO):
    """A file that fails half way through writing."""

    def __init__(self, fd: int) -> None:
        super().__init__(fd, "wb", closefd=True)

    def write(self, data) -> int:
        super().write(bytes(data)[:10])
        raise OSError(28, "No space left on device")


@pytest.mark.skipif(
    not hasattr(os, "geteuid") or os.geteuid() == 0, reason="root writes to read-only folders"
)
def test_a_read_only_folder_leaves_the_previous_file_intact(tmp_path):
    path = tmp_path / "grades.csv"
    path.write_text("previous", encoding="utf-8")
    tmp_path.chmod(0o500)
    try:
        with pytest.raises(PermissionError):
            write_gradebook_csv(klass(), path)
    finally:
        tmp_path.chmod(0o700)
    assert path.read_text(encoding="utf-8") == "previous"
    assert os.listdir(tmp_path) == ["grades.csv"]


def test_results_module_imports_neither_pytest_nor_torch_nor_matplotlib():
    code = (
        "import sys, grader.results; "
        "print(sorted({'pytest', 'torch', 'matplotlib'} & set(sys.modules)))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "PYTHONPATH": str(PROJECT_ROOT)},
    )
    assert done.stdout.strip() == "[]"


@pytest.mark.parametrize(
    ("lang", "expected", "absent"),
    [("", "Activations: sigmoid, ReLU, softmax", "激活函数"), ("zh", "激活函数", "Activations:")],
)
def test_feedback_speaks_the_students_language(tmp_path, monkeypatch, lang, expected, absent):
    """The exercise titles and summaries come from instructions/ in GRADER_LANG (English by
    default); the test messages themselves stay as the tests wrote them."""
    monkeypatch.setenv("GRADER_LANG", lang)
    text = feedback(tmp_path, graded("ming", [full_marks("activations")]))
    heading = next(line for line in text.splitlines() if line.startswith("## 1."))
    assert expected in heading and absent not in heading
    assert any(line.startswith("_") and len(line) > 20 for line in text.splitlines())


@pytest.mark.parametrize("text", ['=HYPERLINK("http://x")', "+1+1", "-2+3", "@SUM(A1)", "\t=1"])
def test_gradebook_cells_never_start_a_spreadsheet_formula(tmp_path, text):
    """A student id or message taken from a submission would otherwise run in Excel."""
    result = SubmissionResult(text, "error", text, ())
    path = tmp_path / "grades.csv"
    write_gradebook_csv([result], path)
    with path.open(newline="", encoding="utf-8") as stream:
        header, row = list(csv.reader(stream))
    assert row[0] == row[header.index("message")] == "'" + text


def test_the_exercise_summary_keeps_its_code_spans(tmp_path, monkeypatch):
    """The summary is trusted Markdown from instructions/: `torch.optim` stays code, unescaped."""
    monkeypatch.delenv("GRADER_LANG", raising=False)
    text = feedback(tmp_path, graded("ming", [full_marks("optimizers")]))
    assert "`torch.optim`" in text and "\\`" not in text


# --------------------------------------------------------------------------------------------
# Output without noise: grouped failures, Markdown without visible escapes, an honest plot


def test_failures_of_one_test_with_one_hint_are_one_block(tmp_path):
    """24 inputs of one parametrized test failing with the same hint: the first in full, the
    others counted; another hint, or another test, is a block of its own."""
    same = [
        TestOutcome("mlp", f"test_forward[{i}-cpu]", "failed", failure(f"mlp_forward#{i}"))
        for i in range(24)
    ]
    other_hint = TestOutcome(
        "mlp", "test_forward[x-cpu]", "failed", "mlp_forward wrong\nHint: transpose W"
    )
    gated = [
        TestOutcome("mlp", f"test_dtype[{i}]", "failed", "passed, but counts once f is right")
        for i in range(3)
    ]
    result = graded("bob", [exercise("mlp", [*same, other_hint, *gated])])
    text = explain_feedback(tmp_path, result)
    assert text.count("Hint: shift by the max") == 1  # one block, not 24
    assert "- `test_forward[0-cpu]` (failed), and 23 more inputs like this" in text
    assert "mlp_forward#0" in text and "mlp_forward#1 " not in text
    assert "Hint: transpose W" in text  # its own block
    assert "- `test_dtype[0]` (failed), and 2 more inputs like this" in text
    groups = explain.failure_groups([*same, other_hint, *gated])
    assert [len(group) for group in groups] == [24, 1, 3]


def test_groups_beyond_the_detailed_ones_are_counted_in_brief(tmp_path):
    tests = [
        TestOutcome("mlp", f"test_{k}[{i}]", "failed", f"wrong {k}\nHint: hint {k}")
        for k in range(explain.MAX_DETAILED + 1)
        for i in range(4)
    ]
    text = explain_feedback(tmp_path, graded("bob", [exercise("mlp", tests)]))
    last = explain.MAX_DETAILED
    assert f"- `test_{last}[0]`: wrong {last} (and 3 more inputs like this)" in text
    assert "4 more failing tests, in brief:" in text


def explain_feedback(tmp_path: Path, result: SubmissionResult) -> str:
    write_feedback_md(result, tmp_path / "feedback.md")
    return (tmp_path / "feedback.md").read_text(encoding="utf-8")


def code_spans(markdown: str) -> list[str]:
    return [span for line in markdown.splitlines() for _, span in re.findall(r"(`+)(.+?)\1", line)]


def test_markdown_shows_no_backslash_in_code_spans_or_headings(tmp_path):
    """Escapes belong in plain text; in a code span a backslash is shown as it is. An
    underscore inside a word needs no escape at all."""
    crash = exercise("model_selection", [], status="timeout", message="model_selection hung")
    wrong = TestOutcome(
        "linear_regression", "test_fit[a_b]", "failed", "fit_linear_regression(X) wrong\nHint: h"
    )
    result = graded("alice_smith", [crash, exercise("linear_regression", [wrong])])
    feedback = explain_feedback(tmp_path, result)
    write_summary_md([result], tmp_path / SUMMARY_FILE)
    summary = (tmp_path / SUMMARY_FILE).read_text(encoding="utf-8")
    for text in (feedback, summary):
        assert not [span for span in code_spans(text) if "\\" in span], text
        assert not [line for line in text.splitlines() if line.startswith("#") and "\\" in line]
    assert "# Feedback: alice_smith" in feedback
    assert "| `linear_regression` |" in summary and "`model_selection`: timed out" in summary
    assert explain.md_text("fit_linear_regression(x)") == "fit_linear_regression(x)"
    assert explain.md_text("_emphasis_ *b* [l](u)") == r"\_emphasis\_ \*b\* \[l\](u)"


def test_the_scores_plot_counts_whole_submissions_and_says_what_it_shows():
    from grader.results.summary import scores_figure

    results = [perfect("alice"), partial("bob"), graded("carol", [full_marks(NAMES[0])])]
    figure = scores_figure(results)
    histogram, exercises = figure.axes
    figure.canvas.draw()
    ticks = histogram.get_yticks()
    assert all(float(t).is_integer() for t in ticks), ticks  # no 0.5 of a student
    assert histogram.get_ylabel() == "submissions"
    assert "graded" in histogram.get_title()
    assert exercises.get_title() == "mean fraction of points per exercise"
    heights = [bar.get_height() for bar in exercises.patches]
    stats = {e.name: e for e in results[0].exercises}
    first = NAMES[0]  # alice and carol full marks, bob whatever partial() gives it
    bob = partial("bob").exercise(first)
    expected = (2 * stats[first].max_points + (bob.points if bob else 0)) / 3
    assert heights[0] == pytest.approx(expected / stats[first].max_points)
