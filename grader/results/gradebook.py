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
from grader.results.order import exercise_order, sorted_exercises, sorted_results


def write_gradebook_csv(
    results: Iterable[SubmissionResult],
    path: str | os.PathLike[str],
    order: Sequence[str] | None = None,
) -> None:
    """The class gradebook: ``student``, one column of points per exercise (manifest order, or
    ``order``), ``total``, ``max_total``, ``status``, ``message``; one row per submission,
    sorted by student. A submission without a result for an exercise has an empty cell there."""
    atomic_write_text(path, gradebook_csv(results, order))


def gradebook_csv(results: Iterable[SubmissionResult], order: Sequence[str] | None = None) -> str:
    results = sorted_results(results)
    names = exercise_order(results, order)
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow(["student", *names, "total", "max_total", "status", "device",
                     *(f"{name} state" for name in names), "message"])  # fmt: skip
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
                format_points(result.max_total),
                result.status,
                result.device,
                *states,
                csv_safe(_row_message(result)),
            ]
        )
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
