"""The class summary: ``summary.md`` (counts, statistics of the totals, per exercise mean points,
pass rate and attempt rate, the submissions that could not be graded) and ``scores.png``.
"""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from grader.core.devices import device_text
from grader.core.files import atomic_write_bytes, atomic_write_text, figure_png
from grader.core.outcomes import ExerciseState
from grader.core.text import (
    one_line,
)
from grader.results.amended import format_signed
from grader.results.explain import md_code, md_text, status_label
from grader.results.misconception_report import misconception_lines
from grader.results.model import SubmissionResult, format_points
from grader.results.order import exercise_order, sorted_exercises, sorted_results

if TYPE_CHECKING:
    from matplotlib.figure import Figure


@dataclass(frozen=True)
class _ExerciseStats:
    name: str
    title: str
    max_points: float
    mean_points: float
    pass_rate: float  # full marks
    attempt_rate: float


def _exercise_stats(graded: list[SubmissionResult], names: list[str]) -> list[_ExerciseStats]:
    stats = []
    for name in names:
        found = [r.exercise(name) for r in graded]
        present = [e for e in found if e is not None]
        title = present[0].title if present else name
        max_points = max((e.max_points for e in present), default=0.0)
        count = len(graded) or 1
        stats.append(
            _ExerciseStats(
                name=name,
                title=title,
                max_points=max_points,
                mean_points=sum(e.points for e in present) / count,
                pass_rate=sum(1 for e in present if e.full_marks) / count,
                attempt_rate=sum(1 for e in present if e.attempted) / count,
            )
        )
    return stats


def class_summary_md(
    results: Iterable[SubmissionResult], order: Sequence[str] | None = None
) -> str:
    results = sorted_results(results)
    graded = [r for r in results if r.status == "graded"]
    errors = [r for r in results if r.status == "error"]
    names = exercise_order(results, order)
    devices = sorted({r.device for r in results}) or ["cpu"]
    walls = sorted({r.isolation for r in results if r.isolation}) or ["none (nothing ran)"]
    states = Counter(e.status for r in graded for e in r.exercises)
    lines = [
        "# Class summary",
        "",
        f"- submissions: {len(results)} ({len(graded)} graded, {len(errors)} could not be "
        "graded at all)",
        f"- tests graded: {', '.join(device_text(d) for d in devices)} "
        f"(--device {', '.join(devices)})",
        f"- isolation of student code: {'; '.join(walls)} (docs/GRADER.md)",
        "- exercises of the graded submissions: "
        + ", ".join(f"{states[status]} {status_label(status)}" for status in ExerciseState),
    ]
    if graded:
        totals = [r.total for r in graded]
        max_total = max(r.max_total for r in graded)
        lines += [
            f"- total (out of {format_points(max_total)}), over the graded submissions: "
            f"mean {format_points(statistics.fmean(totals))}, "
            f"median {format_points(statistics.median(totals))}, "
            f"min {format_points(min(totals))}, max {format_points(max(totals))}",
            "",
            "## Exercises",
            "",
            "Over the graded submissions; a missing exercise counts as 0 points, not attempted.",
            "Pass rate: share with full marks. Attempt rate: share that attempted it.",
            "",
            "| exercise | max | mean points | pass rate | attempt rate |",
            "|---|---:|---:|---:|---:|",
        ]
        for stat in _exercise_stats(graded, names):
            lines.append(
                f"| {md_code(stat.name)} | {format_points(stat.max_points)} "
                f"| {format_points(stat.mean_points)} | {stat.pass_rate:.0%} "
                f"| {stat.attempt_rate:.0%} |"
            )
        lines += misconception_lines(graded, names)
    elif errors:
        lines += ["- no submission could be taken in: each one's reason is below"]
    else:
        lines += ["- no graded submissions"]
    lines += ["", "## Submissions that could not be graded", ""]
    if errors:
        lines += [f"- {md_text(r.student)}: {md_text(r.message)}" for r in errors]
    else:
        lines.append("None: every submission was graded.")
    problems = [(r.student, e) for r in graded for e in sorted_exercises(r) if e.status.abnormal]
    if problems:
        lines += ["", "## Exercises timed out, crashed or invalid", ""]
        lines += [f"- {md_text(student)}, {md_code(e.name)}: {status_label(e.status)}"
                  + (f": {md_text(one_line(e.message, 200))}" if e.message else "")
                  for student, e in problems]  # fmt: skip
    lines += amendments_md(results)
    return "\n".join(lines) + "\n"


def amendments_md(results: list[SubmissionResult]) -> list[str]:
    """The overrides applied (student, target, rule, points moved, comment) and the late
    submissions, those whose time is not known or not trusted among them (docs/GRADER.md,
    "Deadlines and overrides"); nothing where there are neither."""
    lines = []
    overrides = [(r.student, a) for r in results for a in r.adjustments]
    if overrides:
        lines += ["", "## Overrides", "", "| student | overrides | rule | points | comment |",
                  "|---|---|---|---:|---|"]  # fmt: skip
        lines += [f"| {md_text(student)} | {md_code(a.target)} | {a.rule} "
                  f"| {format_signed(a.points)} | {md_text(a.comment)} |"
                  for student, a in overrides]  # fmt: skip
    deadlines = [(r.student, r.late) for r in results if r.late is not None]
    if deadlines:
        late = [f"- {md_text(student)}: {md_text(late.describe())}"
                for student, late in deadlines if late.is_late or late.flag]  # fmt: skip
        lines += ["", "## Late submissions", "", *late]
        lines += [] if late else ["None: every submission was on time."]
    return lines


SUMMARY_FILE, PLOT_FILE = "summary.md", "scores.png"


def write_summary_md(
    results: Iterable[SubmissionResult], path: Path, order: Sequence[str] | None = None
) -> None:
    atomic_write_text(path, class_summary_md(results, order))


def write_scores_png(
    results: Iterable[SubmissionResult], path: Path, order: Sequence[str] | None = None
) -> None:
    atomic_write_bytes(path, scores_png(results, order))


def scores_png(results: Iterable[SubmissionResult], order: Sequence[str] | None = None) -> bytes:
    """The class plot (:func:`scores_figure`) as PNG bytes."""
    return figure_png(scores_figure(results, order))


def scores_figure(
    results: Iterable[SubmissionResult], order: Sequence[str] | None = None
) -> Figure:
    """The class plot, a matplotlib ``Figure`` on its own Agg canvas (pyplot's global state
    untouched): left, how many graded submissions reached each total (a histogram: whole
    counts on its y axis); right, per exercise the mean fraction of its points, over the graded
    submissions (a missing exercise counts 0), as in summary.md's "mean points" column."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    results = sorted_results(results)
    graded = [r for r in results if r.status == "graded"]
    names = exercise_order(results, order)
    figure = Figure(figsize=(11, 4.5))
    FigureCanvasAgg(figure)
    left, right = figure.subplots(1, 2, width_ratios=(1, 1.4))
    if graded:
        max_total = max(r.max_total for r in graded) or 1.0
        left.hist([r.total for r in graded], bins=20, range=(0, max_total), edgecolor="white")
        left.set(xlabel=f"total points (out of {format_points(max_total)})", ylabel="submissions")
        left.yaxis.set_major_locator(MaxNLocator(integer=True))  # a count of students
        stats = _exercise_stats(graded, names)
        fractions = [s.mean_points / s.max_points if s.max_points else 0.0 for s in stats]
        right.bar(range(len(stats)), fractions)
        right.set_xticks(range(len(stats)), [s.name for s in stats], rotation=30, ha="right")
        right.set(ylim=(0, 1), ylabel="mean points / max points")
    else:
        for axes in (left, right):
            axes.text(0.5, 0.5, "no graded submissions", ha="center", va="center")
    left.set_title(f"submissions per total ({len(graded)} graded)")
    right.set_title("mean fraction of points per exercise")
    figure.tight_layout()
    return figure
