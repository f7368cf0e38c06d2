"""Grade a class, reusing every stored result that still holds.

A student's ``OUT/<student>/grade.json`` records what it was computed from
(:mod:`grader.grading.fingerprint`): the run's setup and the submission's content as taken in.
Each submission is taken in again (cheap: intake reads, never runs) and graded only when one
of the two changed, or when the instructor asks (``--force``, ``--only``). A run stopped
half-way therefore resumes where it stopped, and a corrected resubmission is graded again on
the next run, without the instructor having to know which students changed.
"""

from __future__ import annotations

import dataclasses
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from grader.core.outcomes import GRADER_FAULT
from grader.grading.fingerprint import content_digest
from grader.grading.intake.model import Intake, Submission
from grader.grading.intake.unpack import unpack
from grader.grading.runrecord import load_record
from grader.grading.workers import ServerOf, Workers
from grader.results.formats import STORED_FILE, Options, write_student_files
from grader.results.gradescope import DEFAULT_VISIBILITY
from grader.results.model import SubmissionResult, load_submission

# Grade one submission from its intake (None: never unpacked) in a scratch folder.
Grade = Callable[[Submission, Intake | None, Path, ServerOf], SubmissionResult]


@dataclass(frozen=True)
class Plan:
    """Where results go, the run's setup (:func:`grader.grading.fingerprint.fingerprint`), and
    whether to grade again what is unchanged."""

    out: Path
    setup: str
    force: bool = False
    hidden_visibility: str = DEFAULT_VISIBILITY  # Gradescope's, of the hidden tests


def stored_result(out: Path, student: str) -> SubmissionResult | None:
    """The complete result stored for ``student`` (None: none, or a damaged one)."""
    try:
        return load_submission(out / student / STORED_FILE)
    except (OSError, ValueError):
        return None


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


def write_student(
    out: Path, result: SubmissionResult, hidden_visibility: str = DEFAULT_VISIBILITY
) -> None:
    """Every file of one student, atomically each; the stored result last marks them done."""
    directory = out / result.student
    directory.mkdir(parents=True, exist_ok=True)
    write_student_files(result, directory, Options(hidden_visibility))


def grade_or_reuse(submission: Submission, grade: Grade, server: ServerOf, plan: Plan) -> bool:
    """Grade one student and write their files, unless (``plan.force`` aside) their stored
    result was graded with the same setup from the same content; True when graded."""
    with tempfile.TemporaryDirectory(prefix="grade-") as scratch:
        root = Path(scratch)
        root.chmod(0o711)  # a sandbox with a uid of its own reaches its scratch folder, no more
        intake = None if submission.problems else unpack(submission, root / "impl")
        if (root / "impl").is_dir():
            (root / "impl").chmod(0o700)
        content = content_digest(submission, intake)
        stored = stored_result(plan.out, submission.student)
        if stored and not plan.force and (stored.graded_with, stored.content) == (
            plan.setup,
            content,
        ):
            return False
        result = grade(submission, intake, root, server)
        # A grader fault is kept (and shown), but never as current: the next run grades again.
        current = not result.message.startswith(GRADER_FAULT)
        result = dataclasses.replace(
            result, graded_with=plan.setup if current else "", content=content
        )
        write_student(plan.out, result, plan.hidden_visibility)
        return True


def grade_class(submissions: list[Submission], grade: Grade, plan: Plan, jobs: int) -> int:
    """Grade (or reuse) each submission, ``jobs`` at once, with a progress bar; how many were
    graded. Ctrl-C (KeyboardInterrupt) stops every job at once (:class:`Workers`) and is
    raised again for the caller to report."""
    from tqdm import tqdm

    def one(submission: Submission) -> bool:
        return grade_or_reuse(submission, grade, workers.server, plan)

    graded = 0
    with Workers(jobs) as workers, tqdm(total=len(submissions), unit="submission") as bar:
        done = workers.map(one, submissions)
        for submission, was_graded in zip(submissions, done, strict=True):
            graded += was_graded
            bar.set_postfix_str(submission.student)
            bar.update()
    return graded
