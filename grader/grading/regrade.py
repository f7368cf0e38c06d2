"""Reuse or run: whether a student's stored result still holds, whole or exercise by exercise.

A student's ``OUT/<student>/grade.json`` records what it was computed from
(:mod:`grader.grading.fingerprint`): the run's setup and the submission's content as taken in,
and, for each exercise, the digest of the setup that exercise was graded with and of the
student's module of it. Each submission is taken in again (cheap: intake reads, never runs);
its stored result is reused whole while neither the setup nor the content changed, and
otherwise the exercises whose own digest is unchanged are kept as they are and only the others
are graded again: a hidden test added to one exercise grades that exercise again for every
student, a student's edit of one module that exercise of that student. ``--force`` and
``--only`` grade everything again. A run stopped half-way therefore resumes where it stopped,
and a corrected resubmission is graded again on the next run, without the instructor having to
know which students changed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from grader.grading.runrecord import load_record
from grader.grading.settings import RunSettings
from grader.results.formats import STORED_FILE
from grader.results.model import ExerciseResult, SubmissionResult
from grader.results.stored import load_submission


@dataclass(frozen=True)
class Plan:
    """Where results go, the run's settings and setup (its fingerprint:
    :func:`grader.grading.fingerprint.fingerprint`; each exercise's:
    :func:`grader.grading.fingerprint.exercise_setups`), and whether to grade again what is
    unchanged."""

    out: Path
    settings: RunSettings
    setup: str
    exercises: Mapping[str, str]  # by exercise name
    force: bool = False


def stored_result(out: Path, student: str) -> SubmissionResult | None:
    """The complete result stored for ``student`` (None: none, or a damaged one)."""
    try:
        return load_submission(out / student / STORED_FILE)
    except (OSError, ValueError):
        return None


def earlier_result(plan: Plan, student: str) -> SubmissionResult | None:
    """The stored result of ``student`` this run may reuse, whole or in part (None: none, or
    everything is to be graded again)."""
    return None if plan.force else stored_result(plan.out, student)


def reusable(plan: Plan, stored: SubmissionResult | None, content: str) -> bool:
    """The ``stored`` result (:func:`earlier_result`) was graded with this run's setup from this
    ``content`` (:func:`grader.grading.fingerprint.content_digest`): it holds as it is."""
    return stored is not None and (stored.graded_with, stored.content) == (plan.setup, content)


def kept_exercises(
    stored: SubmissionResult | None, graded_with: Mapping[str, str]
) -> dict[str, ExerciseResult]:
    """The exercises of the ``stored`` result (:func:`earlier_result`) that still hold, by
    name: those graded with what this run grades them with (``graded_with``:
    :func:`grader.grading.fingerprint.exercise_fingerprints`). A grader fault was stored
    without a fingerprint: it is never kept."""
    if stored is None:
        return {}
    return {e.name: e for e in stored.exercises if e.graded_with == graded_with.get(e.name)}


def is_current(out: Path, student: str, setup: str) -> bool:
    """A complete result graded with ``setup`` is stored for ``student``."""
    stored = stored_result(out, student)
    return stored is not None and stored.graded_with == setup


def progress(out: Path) -> tuple[int, int]:
    """(finished, all): of the students the last run into ``out`` set out to grade
    (``run.json``), how many have a complete result of its setup; (0, 0) before it wrote one."""
    try:
        record = load_record(out)
    except ValueError:
        return 0, 0
    finished = sum(is_current(out, student, record.fingerprint) for student in record.students)
    return finished, len(record.students)
