"""The class as a text table for the terminal, fitted to the columns wide characters take."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from grader.core.outcomes import ExerciseState
from grader.core.text import (
    fit,
    one_line,
    pad,
    width,
)
from grader.results.model import SubmissionResult, format_points
from grader.results.order import class_columns, row_max_total, sorted_results

_MARK = {
    ExerciseState.NOT_ATTEMPTED: "n",
    ExerciseState.TIMEOUT: "t",
    ExerciseState.CRASHED: "c",
    ExerciseState.INVALID: "i",
    ExerciseState.GRADED: "",
}


def render_table(results: Iterable[SubmissionResult], order: Sequence[str] | None = None) -> str:
    """The gradebook as a fixed-width text table: student, points per exercise (a letter marks
    an exercise not attempted, timed out, crashed or invalid), total/max, status."""
    results = sorted_results(results)
    names = class_columns(results, order)
    header = ["student", *names, "total", "status"]
    rows = []
    used: set[str] = set()
    for result in results:
        cells = [fit(one_line(result.student), 24)]
        for name in names:
            exercise = result.exercise(name)
            if exercise is None:
                cells.append("–")
                continue
            mark = _MARK[exercise.status]
            if exercise.status == ExerciseState.GRADED and not exercise.attempted:
                mark = _MARK[ExerciseState.NOT_ATTEMPTED]
            used.add(mark)
            cells.append(format_points(exercise.points) + mark)
        cells.append(f"{format_points(result.total)}/{format_points(row_max_total(result))}")
        status = result.status if result.status == "graded" else f"error: {result.message}"
        cells.append(fit(one_line(status), 48))
        rows.append(cells)
    widths = [max(width(row[i]) for row in [header, *rows]) for i in range(len(header))]
    numeric = [False] + [True] * (len(names) + 1) + [False]

    def line(cells: list[str]) -> str:
        parts = [pad(c, w, right) for c, w, right in zip(cells, widths, numeric, strict=True)]
        return "  ".join(parts).rstrip()

    out = [line(header), "  ".join("-" * w for w in widths)]
    out += [line(row) for row in rows]
    if not rows:
        out.append("(no submissions)")
    legend = {
        "n": "n not attempted",
        "t": "t timed out",
        "c": "c crashed",
        "i": "i invalid module",
    }
    marks = [legend[mark] for mark in "ntci" if mark in used]
    if marks:
        out += ["", "marks: " + ", ".join(marks)]
    return "\n".join(out) + "\n"
