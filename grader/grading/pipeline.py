"""One submission, top to bottom: take it in, grade it (unless its stored result still
holds), write its files.

    take in   :func:`grader.grading.intake.unpack.unpack`, into a fresh scratch folder: copies
              the exercise modules out of the submission, never running them
    reuse?    :func:`grader.grading.regrade.reusable`: the stored result was graded with this
              run's setup from this same content; if not, the exercises of it graded with what
              this run grades them with are kept (:func:`grader.grading.regrade.kept_exercises`)
    grade     :func:`grader.grading.sessions.grade_submission`: every other exercise, sandboxed
    write     :func:`grader.results.formats.write_student_files`, atomically each, the stored
              result (``grade.json``) last: it marks the student as done

:mod:`grader.grading.grade` runs this for every student of the class, a few at once.
"""

from __future__ import annotations

import dataclasses
import tempfile
from collections.abc import Mapping
from pathlib import Path

from grader.core.outcomes import GRADER_FAULT
from grader.grading.fingerprint import content_digest, exercise_fingerprints
from grader.grading.intake.model import Submission
from grader.grading.intake.unpack import unpack
from grader.grading.regrade import Plan, earlier_result, kept_exercises, reusable
from grader.grading.sessions import grade_submission
from grader.grading.workers import ServerOf
from grader.results.formats import write_student_files
from grader.results.model import ExerciseResult, SubmissionResult

SCRATCH_PREFIX = "grade-"  # the scratch folders' names, in the temporary folder


@dataclasses.dataclass(frozen=True)
class Written:
    """A result :func:`grade_one` wrote, and how many of its exercises it kept as stored (the
    others were graded in this run)."""

    result: SubmissionResult
    kept: int

    @property
    def graded(self) -> int:
        """Its exercises graded in this run."""
        return len(self.result.exercises) - self.kept


def grade_one(submission: Submission, plan: Plan, server: ServerOf) -> Written | None:
    """Take in, grade and write one student, unless their stored result still holds (and
    ``plan.force`` is off): the result written (status "error" where the submission could not
    be taken in), with the exercises of the stored one that still hold kept as they were; None
    when the stored one was reused whole."""
    with tempfile.TemporaryDirectory(prefix=SCRATCH_PREFIX) as scratch:
        root = Path(scratch)
        root.chmod(0o711)  # a sandbox with a uid of its own reaches its scratch folder, no more
        intake = None if submission.problems else unpack(submission, root / "impl")
        if (root / "impl").is_dir():
            (root / "impl").chmod(0o700)
        content = content_digest(submission, intake)
        stored = earlier_result(plan, submission.student)
        if reusable(plan, stored, content):
            return None
        graded_with = {} if intake is None else exercise_fingerprints(plan.exercises, intake)
        kept = kept_exercises(stored, graded_with)
        result = grade_submission(submission, intake, root, server, plan.settings, kept)
        # A grader fault is kept (and shown), but never as current: the next run grades again.
        current = not result.message.startswith(GRADER_FAULT)
        result = dataclasses.replace(
            result,
            exercises=tuple(_stamped(exercise, graded_with) for exercise in result.exercises),
            graded_with=plan.setup if current else "",
            content=content,
        )
        directory = plan.out / result.student
        directory.mkdir(parents=True, exist_ok=True)
        write_student_files(result, directory, plan.settings.format_options())
        # None kept where the submission can no longer be taken in (its result has no exercises)
        return Written(result, sum(exercise.name in kept for exercise in result.exercises))


def _stamped(exercise: ExerciseResult, graded_with: Mapping[str, str]) -> ExerciseResult:
    """``exercise`` with what it was graded with, so that a later run keeps it while that is
    unchanged; a grader fault with nothing: the next run grades it again."""
    fault = exercise.message.startswith(GRADER_FAULT)
    return dataclasses.replace(exercise, graded_with="" if fault else graded_with[exercise.name])
