"""One submission, top to bottom: take it in, grade it (unless its stored result still
holds), write its files.

    take in   :func:`grader.grading.intake.unpack.unpack`, into a fresh scratch folder: copies
              the exercise modules out of the submission, never running them
    reuse?    :func:`grader.grading.regrade.reusable`: the stored result was graded with this
              run's setup from this same content
    grade     :func:`grader.grading.sessions.grade_submission`: every exercise, sandboxed
    write     :func:`grader.results.formats.write_student_files`, atomically each, the stored
              result (``grade.json``) last: it marks the student as done

:mod:`grader.grading.grade` runs this for every student of the class, a few at once.
"""

from __future__ import annotations

import dataclasses
import tempfile
from pathlib import Path

from grader.core.outcomes import GRADER_FAULT
from grader.grading.fingerprint import content_digest
from grader.grading.intake.model import Submission
from grader.grading.intake.unpack import unpack
from grader.grading.regrade import Plan, reusable
from grader.grading.sessions import grade_submission
from grader.grading.workers import ServerOf
from grader.results.formats import write_student_files
from grader.results.model import SubmissionResult

SCRATCH_PREFIX = "grade-"  # the scratch folders' names, in the temporary folder


def grade_one(submission: Submission, plan: Plan, server: ServerOf) -> SubmissionResult | None:
    """Take in, grade and write one student, unless their stored result still holds (and
    ``plan.force`` is off): the result written (status "error" where the submission could not
    be taken in), None when the stored one was reused."""
    with tempfile.TemporaryDirectory(prefix=SCRATCH_PREFIX) as scratch:
        root = Path(scratch)
        root.chmod(0o711)  # a sandbox with a uid of its own reaches its scratch folder, no more
        intake = None if submission.problems else unpack(submission, root / "impl")
        if (root / "impl").is_dir():
            (root / "impl").chmod(0o700)
        content = content_digest(submission, intake)
        if reusable(plan, submission.student, content):
            return None
        result = grade_submission(submission, intake, root, server, plan.settings)
        # A grader fault is kept (and shown), but never as current: the next run grades again.
        current = not result.message.startswith(GRADER_FAULT)
        result = dataclasses.replace(
            result, graded_with=plan.setup if current else "", content=content
        )
        directory = plan.out / result.student
        directory.mkdir(parents=True, exist_ok=True)
        write_student_files(result, directory, plan.settings.format_options())
        return result
