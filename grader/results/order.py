"""The order results are shown in: exercises in the manifest's teaching order (then any others in
the order they occur), students by id.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from grader.results.model import ExerciseResult, SubmissionResult


def manifest_names() -> tuple[str, ...]:
    try:
        from grader.core.manifest import load_manifest

        return tuple(exercise.name for exercise in load_manifest())
    except (OSError, ValueError):
        return ()


def exercise_order(
    results: Iterable[SubmissionResult], order: Sequence[str] | None = None
) -> list[str]:
    """The exercise names that occur in ``results``: those in ``order`` (default: the manifest)
    in that order, then any others in the order they first occur."""
    order = manifest_names() if order is None else tuple(order)
    seen: dict[str, None] = {}
    for result in results:
        for exercise in result.exercises:
            seen.setdefault(exercise.name)
    known = [name for name in order if name in seen]
    return known + [name for name in seen if name not in set(order)]


def sorted_exercises(result: SubmissionResult) -> list[ExerciseResult]:
    names = exercise_order([result])
    return sorted(result.exercises, key=lambda exercise: names.index(exercise.name))


def sorted_results(results: Iterable[SubmissionResult]) -> list[SubmissionResult]:
    return sorted(results, key=lambda r: (r.student.casefold(), r.student, r.status, r.message))
