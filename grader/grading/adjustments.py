"""The instructor's overrides, ``adjustments.csv`` (``grade --adjustments``): one row per change
to one student's exercise, or to one function of it, with a comment the student reads::

    student,exercise,function,points,delta,comment
    ada,activations,,,1.5,regrade: the softmax test's tolerance was too tight
    bob,losses,cross_entropy,2,,partial credit for the derivation

``student`` is the submission id (the student's folder under ``grade --out``), ``exercise`` an
exercise of the manifest, ``function`` (optional; the column too) a public function of its
stub; ``points`` sets the points, ``delta`` moves them (exactly one of the two: a sign alone
would not survive a spreadsheet); ``comment`` says why. The overrides of a student are applied
to the tests' points in the file's order, each clipped to what its exercise (or function)
allows; :class:`grader.results.amended.Adjustment` records the points each really moved.

The file is checked against the class before anything is graded: an unknown column, student,
exercise or function, a duplicate override, a number that is not one, a missing comment, each
is one line naming the file, the line and the problem (:class:`AdjustmentsError`).
"""

from __future__ import annotations

import csv
import difflib
import io
import math
from collections.abc import Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from grader.core.files import UnreadableFile, read_utf8
from grader.results.amended import Adjustment, format_signed
from grader.results.model import SubmissionResult, format_points

STUDENT, EXERCISE, FUNCTION = "student", "exercise", "function"
POINTS, DELTA, COMMENT = "points", "delta", "comment"
COLUMNS = (STUDENT, EXERCISE, FUNCTION, POINTS, DELTA, COMMENT)
REQUIRED = (STUDENT, EXERCISE, COMMENT)


class AdjustmentsError(ValueError):
    """An adjustments file that cannot be used as it is; the message is one line."""


@dataclass(frozen=True)
class Override:
    """One row of the file, checked: ``points`` (set) or ``delta`` (move), the other None."""

    student: str
    exercise: str
    function: str
    points: float | None
    delta: float | None
    comment: str
    line: int

    @property
    def target(self) -> str:
        """What it overrides: ``activations``, or ``activations.softmax``."""
        return f"{self.exercise}.{self.function}" if self.function else self.exercise

    @property
    def rule(self) -> str:
        """The rule as written: ``= 3`` or ``+1.5``."""
        return f"= {format_points(self.points)}" if self.points is not None else (
            format_signed(self.delta or 0.0))  # fmt: skip


def read_adjustments(
    path: Path, students: Collection[str], functions: Mapping[str, Collection[str]]
) -> dict[str, tuple[Override, ...]]:
    """The overrides in the file ``path``, by student, each checked against the class's
    ``students`` and the manifest's exercises and their public ``functions``."""
    where = f"adjustments {path}"
    try:
        text = read_utf8(path, "adjustments")
    except UnreadableFile as problem:
        raise AdjustmentsError(str(problem)) from None
    rows = csv.reader(io.StringIO(text, newline=""))
    found: dict[tuple[str, str, str], Override] = {}
    try:
        header = _header(next(rows, []), where)
        for cells, line in _records(rows, header, where):
            override = _override(cells, line, where, students, functions)
            key = (override.student, override.exercise, override.function)
            if key in found:
                raise AdjustmentsError(
                    f"{where} lines {found[key].line} and {line} both override "
                    f"{override.target} of {override.student!r}: keep one"
                )
            found[key] = override
    except csv.Error as problem:
        raise AdjustmentsError(
            f"{where} line {rows.line_num} is not valid CSV: {problem}"
        ) from None
    by_student: dict[str, tuple[Override, ...]] = {}
    for override in found.values():
        by_student[override.student] = (*by_student.get(override.student, ()), override)
    return by_student


def _header(cells: list[str], where: str) -> list[str]:
    header = [cell.strip().casefold() for cell in cells]
    if unknown := [cell for cell in header if cell not in COLUMNS]:
        raise AdjustmentsError(f"{where}: unknown column {unknown[0]!r} (the columns: "
                               f"{', '.join(COLUMNS)})")  # fmt: skip
    if missing := [column for column in REQUIRED if column not in header]:
        raise AdjustmentsError(f"{where}: no column {missing[0]!r} (want {', '.join(COLUMNS)})")
    if POINTS not in header and DELTA not in header:
        raise AdjustmentsError(f"{where}: no column {POINTS!r} or {DELTA!r}")
    if twice := sorted({cell for cell in header if header.count(cell) > 1}):
        raise AdjustmentsError(f"{where}: the column {twice[0]!r} more than once")
    return header


def _records(rows: Any, header: list[str], where: str) -> Iterator[tuple[dict[str, str], int]]:
    """Each non-blank row of the csv reader ``rows`` as {column: cell}, with its line."""
    for cells in rows:
        line = rows.line_num
        if not any(cell.strip() for cell in cells):
            continue
        if any(cell.strip() for cell in cells[len(header) :]):
            raise AdjustmentsError(f"{where} line {line} has more cells than the header")
        yield {column: cell.strip() for column, cell in zip(header, cells, strict=False)}, line


def _override(
    cells: dict[str, str],
    line: int,
    where: str,
    students: Collection[str],
    functions: Mapping[str, Collection[str]],
) -> Override:
    at = f"{where} line {line}"
    student, exercise, function = (cells.get(key, "") for key in (STUDENT, EXERCISE, FUNCTION))
    if student not in students:
        raise AdjustmentsError(f"{at}: unknown student {student!r}{_near(student, students)}")
    if exercise not in functions:
        raise AdjustmentsError(f"{at}: unknown exercise {exercise!r}{_near(exercise, functions)}")
    if function and function not in functions[exercise]:
        raise AdjustmentsError(f"{at}: {exercise} has no function {function!r} (its functions: "
                               f"{', '.join(functions[exercise])})")  # fmt: skip
    points, delta = cells.get(POINTS, ""), cells.get(DELTA, "")
    if bool(points) == bool(delta):
        raise AdjustmentsError(f"{at}: give {POINTS} (to set) or {DELTA} (to move), one of them")
    if not cells.get(COMMENT):
        raise AdjustmentsError(f"{at}: no comment: say why (the student reads it)")
    value = _number(points or delta, POINTS if points else DELTA, at)
    if points and value < 0:
        raise AdjustmentsError(f"{at}: {POINTS} {points!r} is below 0")
    return Override(student, exercise, function, value if points else None,
                    None if points else value, cells[COMMENT], line)  # fmt: skip


def _number(text: str, column: str, at: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not math.isfinite(value):
        raise AdjustmentsError(f"{at}: {column} {text!r} is not a number (e.g. 2.5)")
    return value


def _near(name: str, names: Collection[str]) -> str:
    near = difflib.get_close_matches(name, list(names), n=1)
    return f" (did you mean {near[0]!r}?)" if near else ""


def adjust(result: SubmissionResult, overrides: Sequence[Override]) -> tuple[Adjustment, ...]:
    """``overrides`` applied, in order, to the tests' points of ``result``: each moves its
    exercise's points (a function's: that function's share of them) within 0 and the most they
    can be. A submission that could not be graded has no points to move: each moves 0."""
    now = {exercise.name: exercise.points for exercise in result.exercises}
    shares = {(e.name, f.name): f for e in result.exercises for f in e.functions()}
    moved_in = {key: 0.0 for key in shares}
    applied = []
    for override in overrides:
        exercise = result.exercise(override.exercise)
        moved = 0.0
        if result.status == "graded" and exercise is not None:
            had = now[exercise.name]
            if override.function:
                key = (exercise.name, override.function)
                share = shares.get(key)
                before = (share.points if share else 0.0) + moved_in.get(key, 0.0)
                ceiling = share.max_points if share else exercise.max_points
                wanted = _within(_wanted(override, before), ceiling)
                moved = min(max(wanted - before, -had), exercise.max_points - had)
                moved_in[key] = moved_in.get(key, 0.0) + moved
            else:
                moved = _within(_wanted(override, had), exercise.max_points) - had
            moved = round(moved, 2) + 0.0
            now[exercise.name] = had + moved
        applied.append(Adjustment(override.exercise, override.function, override.rule, moved,
                                  override.comment))  # fmt: skip
    return tuple(applied)


def _wanted(override: Override, before: float) -> float:
    return override.points if override.points is not None else before + (override.delta or 0.0)


def _within(points: float, ceiling: float) -> float:
    return min(max(points, 0.0), ceiling)
