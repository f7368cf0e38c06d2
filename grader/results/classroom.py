"""GitHub Classroom's runner result for one student: the points, as Classroom's reporter reads them.

A GitHub Classroom autograding workflow runs "runner" steps, each of which sets the step output
:data:`OUTPUT_NAME` (``result``) to base64 of a JSON object, then the reporter action
:data:`REPORTER`, whose ``runners`` input lists those steps' ids. For each id the reporter reads
the environment variable :func:`reporter_variable` (the id in capitals, then ``_RESULTS``, which
the workflow sets to ``${{ steps.<id>.outputs.result }}``), decodes it, adds up the runners'
``max_score`` (a runner without one is left out) and their tests' ``score``, posts
"Points X/Y" as a notice on the run, and fails its step where a runner's ``status`` is "fail"
or "error". Checked against the reporter's ``src/main.js`` and ``src/notify-classroom.js``
(``dist/main.js`` of its tag ``v1`` is the same), and the runners
``classroom-resources/autograding-command-grader`` and ``autograding-io-grader``
(``src/main.js``), whose result, version 1, this one follows: docs/GRADER.md, "GitHub Classroom".

One test entry per exercise (manifest order): its points as ``score``, ``status`` "pass" on
full marks and "fail" otherwise, a one-line ``message``; the runner's ``max_score`` is the
exercise points' total; where a late penalty (or an override) changed the total, one more entry
holds that change. So the reporter's sum is :attr:`SubmissionResult.total`, as every other
format gives it. A submission that could not be graded is one "error" entry with the reason.
"""

from __future__ import annotations

import base64
import json
import os
from pathlib import Path
from typing import Any

from grader.core.outcomes import ExerciseState
from grader.core.text import one_line
from grader.results.explain import passed_line, status_label
from grader.results.model import ExerciseResult, SubmissionResult, format_points
from grader.results.order import sorted_exercises

REPORTER = "classroom-resources/autograding-grading-reporter"  # the action that reads it
OUTPUT_NAME = "result"  # the step output every runner sets
RESULTS_SUFFIX = "_RESULTS"  # the reporter reads <STEP ID>_RESULTS
RESULT_VERSION = 1  # the runners' result format (command-grader, io-grader)
PASS, FAIL, ERROR = "pass", "fail", "error"  # a test's and the runner's status
MESSAGE_CHARS = 240  # a message's length: one line of the log


def reporter_variable(step_id: str) -> str:
    """The environment variable the reporter reads the step ``step_id``'s result from."""
    return f"{step_id.strip().upper()}{RESULTS_SUFFIX}"


def runner_result(result: SubmissionResult) -> dict[str, Any]:
    """The runner's result: version, status, max_score and one test per exercise."""
    tests = [_exercise_test(exercise) for exercise in sorted_exercises(result)]
    if result.status == "error":
        status = ERROR
        reason = one_line(f"not graded: {result.message}", MESSAGE_CHARS)
        tests.insert(0, _test("submission", ERROR, 0.0, 0.0, reason))
    else:
        status = PASS if all(test["status"] == PASS for test in tests) else FAIL
    if change := round(result.total - result.autograded_total, 2):
        tests.append(_amended_test(result, change))
    return {
        "version": RESULT_VERSION,
        "status": status,
        "max_score": result.max_total,
        "tests": tests,
    }


def encoded_result(result: SubmissionResult) -> str:
    """:func:`runner_result` as the step output's value: base64 of its JSON (ASCII, one line)."""
    text = json.dumps(runner_result(result), allow_nan=False, separators=(",", ":"))
    return base64.b64encode(text.encode("ascii")).decode("ascii")


def append_output(result: SubmissionResult, path: str | os.PathLike[str]) -> None:
    """Append ``result=<base64>`` to ``path``: GitHub's step output file (``$GITHUB_OUTPUT``),
    one ``name=value`` line per output."""
    path = Path(path)
    ended = not path.is_file() or path.read_bytes()[-1:] in (b"", b"\n")
    with path.open("a", encoding="utf-8") as handle:
        handle.write(("" if ended else "\n") + f"{OUTPUT_NAME}={encoded_result(result)}\n")


def _exercise_test(exercise: ExerciseResult) -> dict[str, Any]:
    if exercise.status == ExerciseState.GRADED:
        message = passed_line(exercise)
    else:
        message = status_label(exercise.status) + (
            f": {exercise.message}" if exercise.message else ""
        )
    points = f"{format_points(exercise.points)}/{format_points(exercise.max_points)} points"
    return _test(
        f"{exercise.title or exercise.name} ({points})",  # the reporter's log shows the name
        PASS if exercise.full_marks else FAIL,
        exercise.points,
        exercise.max_points,
        one_line(message, MESSAGE_CHARS),
        filename=f"{exercise.name}.py",
        seconds=sum(test.duration for test in exercise.tests),
    )


def _amended_test(result: SubmissionResult, change: float) -> dict[str, Any]:
    """The points the overrides and the late penalty moved, as one entry of their own (its
    status "pass": it says what changed, not what failed), so that the reporter's sum is still
    the total."""
    said = [adjustment.describe() for adjustment in result.adjustments]
    said += [] if result.late is None else [result.late.describe()]
    return _test("overrides and late penalty", PASS, change, 0.0,
                 one_line("; ".join(said), MESSAGE_CHARS))  # fmt: skip


def _test(
    name: str,
    status: str,
    score: float,
    max_score: float,
    message: str,
    filename: str = "",
    seconds: float = 0.0,
) -> dict[str, Any]:
    """One test entry, with the fields the runners write (the reporter prints ``name``, the
    ``message`` of an "error" and ``line_no`` unless 0); ``max_score`` is ours."""
    return {
        "name": one_line(name),
        "status": status,
        "score": score,
        "max_score": max_score,
        "message": message,
        "test_code": "",
        "filename": filename,
        "line_no": 0,
        "execution_time": f"{seconds:.2f}s",
    }
