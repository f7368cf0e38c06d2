"""The class gradebook, ``gradebook.csv``: one row per student, a column per exercise (points and
state), made safe for spreadsheets (no formula injection).
"""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Iterable, Sequence

from grader.core.files import atomic_write_text
from grader.core.text import (
    one_line,
)
from grader.results.explain import status_label
from grader.results.model import SubmissionResult, format_points
from grader.results.order import class_columns, row_max_total, sorted_exercises, sorted_results

# After the columns that were there first, so that nothing reading those moves: the tests'
# points, what the overrides moved, the late penalty and the submission time
# (grader/results/amended.py); `total` is the grade, after them.
AMEND_COLUMNS = ("autograded_total", "adjustments", "late_penalty", "submitted")


def write_gradebook_csv(
    results: Iterable[SubmissionResult],
    path: str | os.PathLike[str],
    order: Sequence[str] | None = None,
) -> None:
    """The class gradebook: ``student``, one column of points per exercise (manifest order, or
    ``order``), ``total``, ``max_total``, ``status``, ``message``, then :data:`AMEND_COLUMNS`;
    one row per submission, sorted by student. A submission without a result for an exercise
    has an empty cell there; one that could not be taken in at all is out of the manifest's
    total, and a class of those keeps every column (:func:`grader.results.order.class_columns`).
    The exercise columns are the tests' points; ``total`` adds the overrides and takes off the
    late penalty, and the message flags a late submission or one whose time is not known."""
    atomic_write_text(path, gradebook_csv(results, order))


def gradebook_csv(results: Iterable[SubmissionResult], order: Sequence[str] | None = None) -> str:
    results = sorted_results(results)
    names = class_columns(results, order)
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow(["student", *names, "total", "max_total", "status", "device",
                     *(f"{name} state" for name in names), "message", *AMEND_COLUMNS])  # fmt: skip
    for result in results:
        cells, states = [], []
        for name in names:
            exercise = result.exercise(name)
            cells.append("" if exercise is None else format_points(exercise.points))
            states.append("" if exercise is None else exercise.status)
        writer.writerow(
            [
                csv_safe(result.student),
                *cells,
                format_points(result.total),
                format_points(row_max_total(result)),
                result.status,
                result.device,
                *states,
                csv_safe(_row_message(result)),
                format_points(result.autograded_total),
                format_points(result.adjusted),
                "" if result.late is None else format_points(result.penalty),
                "" if result.late is None else result.late.submitted,
            ]
        )
    return buffer.getvalue()


def write_functions_csv(results: Iterable[SubmissionResult], path: str | os.PathLike[str]) -> None:
    """The gradebook's breakdown, one row per student, exercise and function: ``student``,
    ``exercise``, ``function``, ``points``, ``max_points`` (grader/core/scoring.py: how an
    exercise's points are shared among its functions). An exercise whose tests did not run
    (not attempted, timed out, crashed before they ran) has no rows: the gradebook says why."""
    atomic_write_text(path, functions_csv(results))


def functions_csv(results: Iterable[SubmissionResult]) -> str:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow(["student", "exercise", "function", "points", "max_points"])
    for result in sorted_results(results):
        for exercise in sorted_exercises(result):
            for function in exercise.functions():
                writer.writerow([csv_safe(result.student), exercise.name, function.name,
                                 format_points(function.points),
                                 format_points(function.max_points)])  # fmt: skip
    return buffer.getvalue()


def _row_message(result: SubmissionResult) -> str:
    """Why the row is below full marks where points alone do not say: the submission's message,
    then each exercise that was not graded normally, with its reason on one line."""
    parts = [result.message] if result.message else []
    for exercise in sorted_exercises(result):
        if exercise.status.abnormal:
            reason = one_line(exercise.message, 200) if exercise.message else ""
            label = status_label(exercise.status)
            parts.append(f"{exercise.name} {label}" + (f": {reason}" if reason else ""))
    if result.late is not None and (result.late.is_late or result.late.flag):
        parts.append(f"late: {result.late.describe()}" if result.late.is_late else result.late.flag)
    return "; ".join(parts)


_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_safe(text: str) -> str:
    """Exact text, except lone surrogates (not encodable as UTF-8) written as escapes, and text a
    spreadsheet would run as a formula (it starts with = + - @, a tab or a carriage return)
    prefixed with a single quote. Student ids and messages come from submissions: a zip named
    ``=HYPERLINK(...).zip`` must not become a live formula when the instructor opens the
    gradebook in Excel or LibreOffice. The quote is visible in a plain CSV reader; that is the
    price of the instructor's safety (OWASP's advice for CSV injection)."""
    text = text.encode("utf-8", "backslashreplace").decode("utf-8")
    return "'" + text if text.startswith(_FORMULA_STARTS) else text
