"""Gradescope's ``results.json`` for one student (https://gradescope-autograders.readthedocs.io/en/latest/specs/)."""

from __future__ import annotations

import json
import os
from dataclasses import replace

from grader.core.files import atomic_write_text
from grader.core.outcomes import ExerciseState, Outcome
from grader.core.text import (
    CLIP_CHARS,
    CLIP_LINES,
    printable,
)
from grader.results.explain import (
    failure_section,
    functions_lines,
    hidden_tests_lines,
    status_lines,
    summary_md,
)
from grader.results.model import ExerciseResult, SubmissionResult
from grader.results.order import sorted_exercises

# Gradescope's visibility of a test entry in results.json; the hidden tests' entries get the
# instructor's choice (grade --hidden-visibility), every other entry is visible.
VISIBILITIES = ("visible", "hidden", "after_due_date", "after_published")
DEFAULT_VISIBILITY = "after_due_date"


def write_results_json(
    result: SubmissionResult,
    path: str | os.PathLike[str],
    hidden_visibility: str = DEFAULT_VISIBILITY,
    show_hidden: bool = False,
) -> None:
    """Gradescope's ``results.json`` (https://gradescope-autograders.readthedocs.io/en/latest/specs/):
    the total as "score" (after the overrides and the late penalty, which the "output" and
    "extra_data" state), a Markdown summary as "output", one test entry per exercise (title,
    points, "passed" on full marks, what failed), visible; where the instructor's hidden tests
    ran, a second entry per exercise with their share of the points, each hidden test by name
    and outcome only (with ``show_hidden``, ``grade --show-hidden``, their failures too), with
    ``hidden_visibility``; the grader's stdout hidden."""
    atomic_write_text(path, gradescope_json(result, hidden_visibility, show_hidden))


def gradescope_json(
    result: SubmissionResult, hidden_visibility: str = DEFAULT_VISIBILITY, show_hidden: bool = False
) -> str:
    if hidden_visibility not in VISIBILITIES:
        raise ValueError(f"visibility {hidden_visibility!r}: one of {VISIBILITIES}")
    tests = []
    views = []  # what the visible entries say of each exercise: its public tests alone
    for number, exercise in enumerate(sorted_exercises(result), start=1):
        public, hidden = public_part(exercise)
        views.append(public)
        body = status_lines(public)
        if not public.full_marks:
            body += functions_lines(public)
        if public.status == ExerciseState.GRADED or public.tests:
            body += failure_section(public, CLIP_LINES, CLIP_CHARS)
        tests.append(
            {
                "name": printable(exercise.title or exercise.name),
                "number": str(number),
                "score": public.points,
                "max_score": public.max_points,
                "status": "passed" if public.full_marks else "failed",
                "output": "\n".join(body).strip() + "\n",
                "output_format": "md",
                "visibility": "visible",
                "extra_data": {
                    "exercise": exercise.name,
                    "grading_status": exercise.status,
                    "functions": {f.name: [f.points, f.max_points] for f in public.functions()},
                },
            }
        )
        if hidden is not None:
            lines = hidden_tests_lines(hidden, show_hidden)
            tests.append(
                {
                    "name": printable(f"{exercise.title or exercise.name}: hidden tests"),
                    "number": f"{number}.h",
                    "score": hidden.points,
                    "max_score": hidden.max_points,
                    "status": "passed" if hidden.points >= hidden.max_points else "failed",
                    "output": "\n".join(lines) + "\n",
                    "output_format": "md",
                    "visibility": hidden_visibility,
                    "extra_data": {"exercise": exercise.name, "hidden": True},
                }
            )
    # The visible summary: with hidden tests not shown yet, the public points alone (Gradescope
    # hides the total score itself while an after_due_date or after_published entry is hidden)
    apart = hidden_visibility != "visible" and any(test.hidden for e in result.exercises
                                                   for test in e.tests)  # fmt: skip
    shown = replace(result, exercises=tuple(views)) if apart else result
    output = summary_md(shown)
    if apart:
        output += f"\nThe hidden tests' points are not shown here ({hidden_visibility}).\n"
    document = {
        "score": result.total,
        "output": output,
        "output_format": "md",
        "visibility": "visible",
        "stdout_visibility": "hidden",
        "extra_data": {
            "device": result.device,
            "isolation": result.isolation,
            "autograded_total": result.autograded_total,
            "adjustments": [adjustment.to_json() for adjustment in result.adjustments],
            "late": None if result.late is None else result.late.to_json(),
        },
        "tests": tests,
    }
    return json.dumps(document, ensure_ascii=False, indent=2, allow_nan=False) + "\n"


def public_part(exercise: ExerciseResult) -> tuple[ExerciseResult, ExerciseResult | None]:
    """The exercise as its public tests alone grade it, and its hidden tests' part (None when
    it has none): each with the worth of its own tests (grader/core/scoring.py) as maximum; the
    hidden part earns what its passed tests are worth (never more than the exercise earned:
    an exercise that timed out earns nothing), the public part the rest, so that the two add
    up to the exercise's points whatever its status."""
    hidden = [test for test in exercise.tests if test.hidden]
    public = [test for test in exercise.tests if not test.hidden]
    if not hidden:
        return exercise, None
    won = sum(test.worth for test in hidden if test.outcome == Outcome.PASSED)
    hidden_points = min(round(won, 2), exercise.points)
    parts = []
    for tests, points in ((public, exercise.points - hidden_points), (hidden, hidden_points)):
        worth = round(sum(test.worth for test in tests), 2) + 0.0
        earned = round(min(points, worth), 2) + 0.0
        parts.append(replace(exercise, tests=tuple(tests), points=earned, max_points=worth))
    return parts[0], parts[1]
