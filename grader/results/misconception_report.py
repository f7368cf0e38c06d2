"""The class's misconceptions (:mod:`grader.results.misconceptions`): how many graded submissions
showed each, per exercise, as a section of ``summary.md``, as ``misconceptions.csv`` (for the
instructor only: it names the students) and as ``misconceptions.png`` (a horizontal bar chart).
Class files only: nothing here reaches a student's own files.
"""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import groupby
from typing import TYPE_CHECKING

from grader.core.files import atomic_write_bytes, atomic_write_text, figure_png
from grader.results.explain import md_code, md_text
from grader.results.gradebook import csv_safe
from grader.results.misconceptions import MISCONCEPTIONS, Misconception, recognize
from grader.results.model import SubmissionResult
from grader.results.order import exercise_order, sorted_results

if TYPE_CHECKING:
    from matplotlib.figure import Figure

MISCONCEPTIONS_CSV, MISCONCEPTIONS_PLOT = "misconceptions.csv", "misconceptions.png"


@dataclass(frozen=True)
class Prevalence:
    """One misconception in one class: the graded submissions whose failures point at it."""

    misconception: Misconception
    students: tuple[str, ...]  # sorted as the gradebook sorts them
    graded: int  # the class's graded submissions, the share's denominator

    @property
    def share(self) -> float:
        return len(self.students) / self.graded if self.graded else 0.0


def prevalence(
    results: Iterable[SubmissionResult], order: Sequence[str] | None = None
) -> list[Prevalence]:
    """Every misconception of the exercises in ``results`` (manifest order, or ``order``; then
    the registry's), with the graded submissions that showed it (none, for some)."""
    results = sorted_results(results)
    graded = [r for r in results if r.status == "graded"]
    showed: dict[str, list[str]] = {}
    for result in graded:
        for exercise in result.exercises:
            for misconception in recognize(exercise):
                showed.setdefault(misconception.id, []).append(result.student)
    return [
        Prevalence(m, tuple(showed.get(m.id, ())), len(graded))
        for name in exercise_order(results, order)
        for m in MISCONCEPTIONS
        if m.exercise == name
    ]


def misconception_lines(
    results: Iterable[SubmissionResult], order: Sequence[str] | None = None
) -> list[str]:
    """Markdown, summary.md's section: per exercise, each misconception seen with the share of
    the graded submissions that showed it and its teaching note."""
    results = list(results)
    graded = sum(1 for r in results if r.status == "graded")
    seen = [p for p in prevalence(results, order) if p.students]
    lines = [
        "",
        "## Misconceptions",
        "",
        "Classic mistakes the failed tests' hints point at (grader/results/misconceptions.py).",
        f"Share: of the {graded} graded submissions; {md_code(MISCONCEPTIONS_CSV)} names the "
        "students.",
        "",
    ]
    if not seen:
        return [*lines, "None recognised."]
    for exercise, group in groupby(seen, key=lambda p: p.misconception.exercise):
        lines += [f"### {md_code(exercise)}", ""]
        lines += [
            f"- **{md_text(p.misconception.title)}**: {p.share:.0%} "
            f"({len(p.students)} of {p.graded}). {md_text(p.misconception.note)}"
            for p in group
        ]
        lines.append("")
    return lines[:-1]


def write_misconceptions_csv(
    results: Iterable[SubmissionResult],
    path: str | os.PathLike[str],
    order: Sequence[str] | None = None,
) -> None:
    """``misconceptions.csv``: one row per misconception of the exercises graded (those nobody
    showed too): ``misconception`` (its stable id), ``exercise``, ``title``, ``note``,
    ``count``, ``share`` (of the graded submissions), ``students`` (their ids, ``; ``
    between them). For the instructor: it names students, so it is never handed out."""
    atomic_write_text(path, misconceptions_csv(results, order))


def misconceptions_csv(
    results: Iterable[SubmissionResult], order: Sequence[str] | None = None
) -> str:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow(["misconception", "exercise", "title", "note", "count", "share", "students"])
    for p in prevalence(results, order):
        m = p.misconception
        writer.writerow([m.id, m.exercise, m.title, m.note, len(p.students), f"{p.share:.4f}",
                         csv_safe("; ".join(p.students))])  # fmt: skip
    return buffer.getvalue()


def write_misconceptions_png(
    results: Iterable[SubmissionResult],
    path: str | os.PathLike[str],
    order: Sequence[str] | None = None,
) -> None:
    atomic_write_bytes(path, misconceptions_png(results, order))


def misconceptions_png(
    results: Iterable[SubmissionResult], order: Sequence[str] | None = None
) -> bytes:
    """The chart (:func:`misconceptions_figure`) as PNG bytes."""
    return figure_png(misconceptions_figure(results, order))


def misconceptions_figure(
    results: Iterable[SubmissionResult], order: Sequence[str] | None = None
) -> Figure:
    """A horizontal bar per misconception seen, top to bottom in exercise order: the share of
    the graded submissions that showed it, its count written beside the bar. A matplotlib
    ``Figure`` on its own Agg canvas (pyplot's global state untouched)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.ticker import PercentFormatter

    seen = [p for p in prevalence(results, order) if p.students]
    figure = Figure(figsize=(11, 1.5 + 0.35 * max(len(seen), 1)))
    FigureCanvasAgg(figure)
    axes = figure.subplots()
    if seen:
        rows = range(len(seen))
        axes.barh(rows, [p.share for p in seen])
        labels = [f"{p.misconception.title} ({p.misconception.exercise})" for p in seen]
        axes.set_yticks(rows, labels)
        axes.invert_yaxis()  # the first exercise on top
        for row, p in zip(rows, seen, strict=True):
            axes.text(p.share, row, f" {len(p.students)} of {p.graded}", va="center")
        axes.set(xlim=(0, 1.15), xlabel=f"share of the {seen[0].graded} graded submissions")
        axes.set_xticks([0, 0.25, 0.5, 0.75, 1])
        axes.xaxis.set_major_formatter(PercentFormatter(1.0))
    else:
        axes.text(0.5, 0.5, "no misconception recognised", ha="center", va="center")
        axes.set_axis_off()
    axes.set_title("misconceptions the failed tests point at")
    figure.tight_layout()
    return figure
