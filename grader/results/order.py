"""The order results are shown in: exercises in the manifest's teaching order (then any others in
the order they occur), students by id; and the shape of a class's table where no submission
could be taken in (its columns and maxima from the manifest).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from grader.results.model import ExerciseResult, SubmissionResult


def manifest_points() -> dict[str, float]:
    """Each exercise's points, by name, in the manifest's order (empty without a manifest)."""
    try:
        from grader.core.manifest import load_manifest

        return {exercise.name: exercise.points for exercise in load_manifest()}
    except (OSError, ValueError):
        return {}


def manifest_names() -> tuple[str, ...]:
    return tuple(manifest_points())


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


def class_columns(
    results: Iterable[SubmissionResult], order: Sequence[str] | None = None
) -> list[str]:
    """The exercise columns of a class table: :func:`exercise_order`; where no result has an
    exercise (no submission could be taken in), every name of ``order`` (default: the
    manifest), so that the table keeps its columns."""
    results = list(results)
    return exercise_order(results, order) or list(manifest_names() if order is None else order)


def row_max_total(result: SubmissionResult) -> float:
    """The most a row could score: its exercises' points; for a submission without exercise
    results (it could not be taken in), the manifest's total (0 of 130, not 0 of 0)."""
    if result.exercises:
        return result.max_total
    return round(sum(manifest_points().values()), 2) + 0.0


def sorted_exercises(result: SubmissionResult) -> list[ExerciseResult]:
    names = exercise_order([result])
    return sorted(result.exercises, key=lambda exercise: names.index(exercise.name))


def sorted_results(results: Iterable[SubmissionResult]) -> list[SubmissionResult]:
    return sorted(results, key=lambda r: (r.student.casefold(), r.student, r.status, r.message))
