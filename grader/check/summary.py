"""The table that ends a student's own test run: per exercise, passed, failed, not attempted
and points, gated as grading gates them (:mod:`grader.core.gating`), and what to do next."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest

from grader.check.plugin import GRADED_TESTS, IMPL_DIR, TALLY
from grader.core.gating import gated_counts
from grader.core.manifest import load_manifest
from grader.core.outcomes import NOT_ATTEMPTED
from grader.core.paths import EXERCISES_DIR


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    tally = config.stash.get(TALLY, {})
    if not tally:
        return
    write = terminalreporter.write_line
    terminalreporter.section(f"exercise summary ({config.stash[IMPL_DIR]})")
    write(f"{'#':>2}  {'exercise':<16} {'passed':>9} {'failed':>7} {'not attempted':>14}   points")
    next_up = None
    total_points = earned = 0.0
    partial = []
    full_set = config.stash.get(GRADED_TESTS, Counter())
    waiting_notes = []
    for number, exercise in enumerate(load_manifest(), start=1):
        if not tally.get(exercise.name):
            continue
        counts, waiting = gated_counts(tally[exercise.name])
        if waiting:
            waiting_notes.append(f"{exercise.name}: {waiting}")
        graded = counts["passed"] + counts["failed"] + counts[NOT_ATTEMPTED]
        points = exercise.points * counts["passed"] / graded if graded else 0.0
        total_points += exercise.points
        if next_up is None and counts["passed"] < graded:
            next_up = exercise
        ran = sum(counts.values())
        if ran < full_set[exercise.name]:  # -k, -m or a test id chose some of its tests
            partial.append(f"{exercise.name}: {ran} of its {full_set[exercise.name]} tests")
            shown = f"{'partial':>5}/{exercise.points}"
        else:
            earned += points
            shown = f"{points:5.1f}/{exercise.points}"
        write(
            f"{number:>2}  {exercise.name:<16} {counts['passed']:>4}/{graded:<4} "
            f"{counts['failed']:>7} {counts[NOT_ATTEMPTED]:>14}   {shown}"
        )
    write(f"{'':>2}  {'total':<16} {'':>9} {'':>7} {'':>14}   {earned:5.1f}/{total_points:g}")
    if waiting_notes:
        write(
            f"passing tests that count once the values are right ({'; '.join(waiting_notes)}): "
            "a test of the function's values failed, so its other tests do not count yet"
        )
    if partial:
        write(
            f"partial run ({'; '.join(partial)}): no points shown for it; the score counts "
            "every test of an exercise, as grading does (run it without -k to see it)"
        )
    if next_up is not None:
        where = (  # a notebook's cells are tested from a scratch folder: no file to name
            f" - edit exercises/{next_up.name}.py"
            if config.stash[IMPL_DIR] == EXERCISES_DIR.resolve()
            else ""
        )
        write(f"next: {next_up.name} ({next_up.title}){where}")
