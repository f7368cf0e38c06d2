"""Reuse or run: whether a student's stored result still holds.

A student's ``OUT/<student>/grade.json`` records what it was computed from
(:mod:`grader.grading.fingerprint`): the run's setup and the submission's content as taken in.
Each submission is taken in again (cheap: intake reads, never runs) and graded only when one
of the two changed, or when the instructor asks (``--force``, ``--only``). A run stopped
half-way therefore resumes where it stopped, and a corrected resubmission is graded again on
the next run, without the instructor having to know which students changed.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from grader.grading.runrecord import load_record
from grader.grading.settings import RunSettings
from grader.results.formats import STORED_FILE
from grader.results.model import SubmissionResult
from grader.results.stored import load_submission


@dataclass(frozen=True)
class Plan:
    """Where results go, the run's settings and setup (its fingerprint:
    :func:`grader.grading.fingerprint.fingerprint`), and whether to grade again what is
    unchanged."""

    out: Path
    settings: RunSettings
    setup: str
    force: bool = False


def stored_result(out: Path, student: str) -> SubmissionResult | None:
    """The complete result stored for ``student`` (None: none, or a damaged one)."""
    try:
        return load_submission(out / student / STORED_FILE)
    except (OSError, ValueError):
        return None


def reusable(plan: Plan, student: str, content: str) -> bool:
    """The stored result of ``student`` was graded with this run's setup from this
    ``content`` (:func:`grader.grading.fingerprint.content_digest`), and no one asked for it
    again."""
    stored = stored_result(plan.out, student)
    return (
        stored is not None
        and not plan.force
        and (stored.graded_with, stored.content) == (plan.setup, content)
    )


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
