"""The table that ends a student's own test run: per exercise, passed, failed, waiting, not
attempted and points, gated as grading gates them (:mod:`grader.core.gating`), and what to do
next. Failed is what pytest reports failed (or errored); a test that passed but waits for its
function's values counts as waiting, neither passed nor failed."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest

from grader.check.plugin import GRADED_TESTS, IMPL_DIR, NAMED_IN_PART, TALLY
from grader.core.gating import WAITING, gated_counts
from grader.core.manifest import load_manifest
from grader.core.outcomes import Outcome
from grader.core.paths import EXERCISES_DIR
from grader.core.scoring import exercise_points

STOPPED = pytest.StashKey[bool]()  # the run stopped at a failure (-x, --maxfail, --sw)


def pytest_sessionfinish(session: pytest.Session) -> None:
    """Runs before the terminal summary: whether the run stopped before its last test."""
    session.config.stash[STOPPED] = bool(session.shouldfail or session.shouldstop)


def choosing_options(config: pytest.Config) -> list[str]:
    """The options of this run that choose some of the tests, as typed on the command line;
    none for a run stopped otherwise (Ctrl-C)."""
    maxfail = config.getoption("maxfail", 0)
    options = {
        "-k": config.getoption("keyword", ""),
        "-m": config.getoption("markexpr", ""),
        "--deselect": config.getoption("deselect", None),
        "test ids": any("::" in arg for arg in config.args),
        "--lf": config.getoption("lf", False),
        "--sw": config.getoption("stepwise", False),
        "-x" if maxfail == 1 else f"--maxfail={maxfail}": (
            maxfail and config.stash.get(STOPPED, False)
        ),
    }
    return [option for option, given in options.items() if given]


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    tally = config.stash.get(TALLY, {})
    if not tally:
        return
    write = terminalreporter.write_line
    terminalreporter.section(f"exercise summary ({config.stash[IMPL_DIR]})")
    write(
        f"{'#':>2}  {'exercise':<16} {'passed':>9} {'failed':>7} {WAITING:>8} "
        f"{Outcome.NOT_ATTEMPTED:>14}   points"
    )
    next_up = None
    total_points = earned = 0.0
    partial = []
    full_set = config.stash.get(GRADED_TESTS, Counter())
    named_in_part = config.stash.get(NAMED_IN_PART, set())
    waiting = 0
    for number, exercise in enumerate(load_manifest(), start=1):
        if not tally.get(exercise.name):
            continue
        counts = gated_counts(tally[exercise.name])
        waiting += counts[WAITING]
        passed, failed = counts[Outcome.PASSED], counts[Outcome.FAILED]
        untouched = counts[Outcome.NOT_ATTEMPTED]
        graded = passed + failed + counts[WAITING] + untouched
        points = exercise_points(exercise.points, tally[exercise.name], exercise.function_points)
        total_points += exercise.points
        if next_up is None and passed < graded:
            next_up = exercise
        ran = sum(counts.values())
        if exercise.name in named_in_part or ran < full_set[exercise.name]:
            of_its = "" if exercise.name in named_in_part else f" {full_set[exercise.name]}"
            partial.append(f"{exercise.name}: {ran} of its{of_its} tests")
            shown = f"{'partial':>5}/{exercise.points}"
        else:
            earned += points
            shown = f"{points:5.1f}/{exercise.points}"
        write(
            f"{number:>2}  {exercise.name:<16} {passed:>4}/{graded:<4} "
            f"{failed:>7} {counts[WAITING]:>8} {untouched:>14}   {shown}"
        )
    total = f"{'partial':>5}" if partial else f"{earned:5.1f}"
    write(f"{'':>2}  {'total':<16} {'':>9} {'':>7} {'':>8} {'':>14}   {total}/{total_points:g}")
    if waiting:
        write(
            f"{WAITING}: passing tests that count once their function's values are right "
            "(a test of its values failed: fix that first)"
        )
    if partial:
        options = " and ".join(choosing_options(config))
        chosen, rerun = (
            (f", chosen with {options}", f"without {options}") if options else ("", "all its tests")
        )
        write(
            f"partial run ({'; '.join(partial)}{chosen}): no points shown; the score counts "
            f"every test of an exercise, as grading does (run {rerun} to see it)"
        )
    if next_up is not None:
        where = (  # a notebook's cells are tested from a scratch folder: no file to name
            f" - edit exercises/{next_up.name}.py"
            if config.stash[IMPL_DIR] == EXERCISES_DIR.resolve()
            else ""
        )
        write(f"next: {next_up.name} ({next_up.title}){where}")
