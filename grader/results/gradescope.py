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
from grader.results.explain import failure_section, md_code, status_lines, summary_md
from grader.results.model import SubmissionResult
from grader.results.order import sorted_exercises

# Gradescope's visibility of a test entry in results.json; the hidden tests' entries get the
# instructor's choice (grade --hidden-visibility), every other entry is visible.
VISIBILITIES = ("visible", "hidden", "after_due_date", "after_published")
DEFAULT_VISIBILITY = "after_due_date"


def write_results_json(
    result: SubmissionResult,
    path: str | os.PathLike[str],
    hidden_visibility: str = DEFAULT_VISIBILITY,
) -> None:
    """Gradescope's ``results.json`` (https://gradescope-autograders.readthedocs.io/en/latest/specs/):
    the total as "score", a Markdown summary as "output", one test entry per exercise (title,
    points, "passed" on full marks, what failed), visible; where the instructor's hidden tests
    ran, a second entry per exercise with their share of the points, each hidden test by name
    and outcome only, with ``hidden_visibility``; the grader's stdout hidden."""
    atomic_write_text(path, gradescope_json(result, hidden_visibility))


def gradescope_json(result: SubmissionResult, hidden_visibility: str = DEFAULT_VISIBILITY) -> str:
    if hidden_visibility not in VISIBILITIES:
        raise ValueError(f"visibility {hidden_visibility!r}: one of {VISIBILITIES}")
    tests = []
    for number, exercise in enumerate(sorted_exercises(result), start=1):
        hidden = [test for test in exercise.tests if test.hidden]
        public = replace(exercise, tests=tuple(t for t in exercise.tests if not t.hidden))
        hidden_max = round(exercise.max_points * len(hidden) / exercise.graded, 2) if (
            hidden and exercise.graded) else 0.0  # fmt: skip
        hidden_points = 0.0
        if hidden and exercise.status == ExerciseState.GRADED:
            passed = sum(test.outcome == Outcome.PASSED for test in hidden)
            hidden_points = min(round(exercise.max_points * passed / exercise.graded, 2),
                                exercise.points)  # fmt: skip
        body = status_lines(exercise)
        if exercise.status == ExerciseState.GRADED or public.tests:
            body += failure_section(public, CLIP_LINES, CLIP_CHARS)
        points = round(exercise.points - hidden_points, 2)
        tests.append(
            {
                "name": printable(exercise.title or exercise.name),
                "number": str(number),
                "score": points,
                "max_score": round(exercise.max_points - hidden_max, 2),
                "status": "passed" if exercise.full_marks else "failed",
                "output": "\n".join(body).strip() + "\n",
                "output_format": "md",
                "visibility": "visible",
                "extra_data": {"exercise": exercise.name, "grading_status": exercise.status},
            }
        )
        if hidden:
            lines = [f"- {md_code(test.name)}: {test.outcome}" for test in hidden]
            tests.append(
                {
                    "name": printable(f"{exercise.title or exercise.name}: hidden tests"),
                    "number": f"{number}.h",
                    "score": hidden_points,
                    "max_score": hidden_max,
                    "status": "passed" if hidden_points >= hidden_max else "failed",
                    "output": "\n".join(lines) + "\n",
                    "output_format": "md",
                    "visibility": hidden_visibility,
                    "extra_data": {"exercise": exercise.name, "hidden": True},
                }
            )
    document = {
        "score": result.total,
        "output": summary_md(result),
        "output_format": "md",
        "visibility": "visible",
        "stdout_visibility": "hidden",
        "extra_data": {"device": result.device, "isolation": result.isolation},
        "tests": tests,
    }
    return json.dumps(document, ensure_ascii=False, indent=2, allow_nan=False) + "\n"
