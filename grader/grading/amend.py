"""The final result of each student: the result the tests gave, with this run's overrides
(:mod:`grader.grading.adjustments`) and late penalty (:mod:`grader.grading.deadlines`, from the
times of :mod:`grader.grading.times`) on it.

:func:`prepare` reads and checks everything before anything is graded (a problem is one line,
:class:`AmendError`, and nothing is written); :func:`finish` applies it at the end of the run to
every result of the share, graded now or reused, and writes again the files of each student
whose result it changed. So a regrade keeps the overrides (they come from the file, each run),
and a reused result gets today's overrides and penalty without being graded again. The tests'
points themselves are never touched: a changed override changes no fingerprint.
"""

from __future__ import annotations

import argparse
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path

from grader.core.manifest import load_manifest
from grader.grading.adjustments import AdjustmentsError, Override, adjust, read_adjustments
from grader.grading.deadlines import (
    DeadlineError,
    LatePolicy,
    add_deadline_options,
    policy_from,
    roster_dues,
)
from grader.grading.intake.model import STUBS_DIR, IntakeError, Submission
from grader.grading.intake.signatures import stub_signatures
from grader.grading.times import Stamp, TimesError, canvas_stamp, git_stamp, read_times
from grader.results.formats import Options, write_student_files
from grader.results.model import SubmissionResult
from grader.results.roster import RosterError
from grader.results.summary import SUMMARY_FILE


class AmendError(ValueError):
    """Overrides or deadlines that cannot be used as they are; the message is one line."""


@dataclass(frozen=True)
class AmendOptions:
    """What the instructor asked for: the overrides file, the late policy (None: no due date),
    the times file (and the zone of its local times), the roster with students' own due dates,
    and times known already (``autograde``: Gradescope's, or the repository's commit)."""

    adjustments: Path | None = None
    policy: LatePolicy | None = None
    times: Path | None = None
    times_zone: str | None = None
    roster: Path | None = None
    stamps: Mapping[str, Stamp] = field(default_factory=dict)


@dataclass(frozen=True)
class Amend:
    """What :func:`prepare` read: overrides by student (None: no file given), the policy,
    students' own due dates and the submissions' times."""

    overrides: Mapping[str, tuple[Override, ...]] | None
    policy: LatePolicy | None
    dues: Mapping[str, datetime]
    stamps: Mapping[str, Stamp]

    def apply(self, result: SubmissionResult) -> SubmissionResult:
        """``result`` with these overrides and this penalty instead of any it had."""
        overrides = (self.overrides or {}).get(result.student, ())
        adjusted = replace(result, adjustments=adjust(result, overrides), late=None)
        if self.policy is None:
            return adjusted
        due = self.dues.get(result.student, self.policy.due)
        late = self.policy.late(due, self.stamps.get(result.student), adjusted.total)
        return replace(adjusted, late=late)


def add_amend_options(parser: argparse.ArgumentParser) -> None:
    """``grade``'s overrides and deadlines: ``--adjustments``, the deadline options,
    ``--roster``, ``--times`` and ``--times-zone``."""
    parser.add_argument(
        "--adjustments", type=Path, metavar="CSV",
        help="overrides: student, exercise, function (optional), points (set) or delta "
        "(move), comment; applied to every output, kept across regrades",
    )  # fmt: skip
    group = add_deadline_options(parser)
    group.add_argument(
        "--roster", type=Path, metavar="CSV",
        help="the roster (as `export --roster`): its 'due' (ISO 8601) or 'extension' (hours) "
        "column gives a student's own due date",
    )  # fmt: skip
    group.add_argument(
        "--times", type=Path, metavar="CSV",
        help="the submission times: Moodle's grading worksheet, or a CSV 'submission,submitted' "
        "(ISO 8601); else Canvas's LATE mark or a Git commit where there is one",
    )  # fmt: skip
    group.add_argument(
        "--times-zone", metavar="ZONE", help="the worksheet's time zone, e.g. Europe/Berlin"
    )


def options_from(args: argparse.Namespace) -> AmendOptions:
    """The options ``grade`` was given; an :class:`AmendError` where they do not go together."""
    try:
        policy = policy_from(args)
    except DeadlineError as problem:
        raise AmendError(str(problem)) from None
    if policy is None:
        for option in ("roster", "times", "times_zone"):
            if getattr(args, option) is not None:
                raise AmendError(f"--{option.replace('_', '-')} needs a due date: give --due")
    return AmendOptions(args.adjustments, policy, args.times, args.times_zone, args.roster)


def prepare(options: AmendOptions, class_: list[Submission], notes: list[str]) -> Amend:
    """Read and check everything ``options`` names against the submissions of the class
    (``class_``: every one, whatever the run's share); remarks go to ``notes``."""
    ids = [submission.student for submission in class_]
    try:
        overrides = None
        if options.adjustments is not None:
            overrides = read_adjustments(options.adjustments, ids, exercise_functions())
        if options.policy is None:
            return Amend(overrides, None, {}, {})
        dues = {}
        if options.roster is not None:
            dues = roster_dues(options.roster, options.policy.due, ids, notes)
        read = {}
        if options.times is not None:
            read = read_times(options.times, ids, options.times_zone)
    except (AdjustmentsError, DeadlineError, TimesError, RosterError, IntakeError) as problem:
        raise AmendError(str(problem)) from None
    stamps = {}
    for submission in class_:
        stamp = (
            read.get(submission.student)
            or options.stamps.get(submission.student)
            or canvas_stamp(submission.path.name)
            or (git_stamp(submission.path) if submission.kind == "directory" else None)
        )
        if stamp is not None:
            stamps[submission.student] = stamp
    return Amend(overrides, options.policy, dues, stamps)


def exercise_functions() -> dict[str, tuple[str, ...]]:
    """Each exercise of the manifest, with the public functions of its stub."""
    return {e.name: tuple(stub_signatures(STUBS_DIR / f"{e.name}.py")) for e in load_manifest()}


def finish(
    results: list[SubmissionResult], amend: Amend, out: Path, options: Options
) -> tuple[list[SubmissionResult], list[str]]:
    """Each result as :meth:`Amend.apply` makes it, its student's files written again where it
    changed; and what to tell the instructor (overrides or penalties this run dropped)."""
    finals, dropped = [], {"overrides": 0, "late penalties": 0}
    for result in results:
        final = amend.apply(result)
        dropped["overrides"] += bool(amend.overrides is None and result.adjustments)
        dropped["late penalties"] += bool(amend.policy is None and result.late is not None)
        if final != result:
            write_student_files(final, out / result.student, options)
        finals.append(final)
    option = {"overrides": "--adjustments", "late penalties": "--due"}
    notes = [f"dropped the {what} of {count} student(s): no {option[what]} this time (give it "
             "again to keep them)" for what, count in dropped.items() if count]  # fmt: skip
    return finals, notes


def counts_line(results: list[SubmissionResult]) -> str | None:
    """What the overrides and the deadline did, in one line for the terminal (None: neither
    was given): overrides applied, late submissions, times not known or not trusted."""
    overrides = sum(len(result.adjustments) for result in results)
    deadlines = [result.late for result in results if result.late is not None]
    counts = {
        "override(s) applied": overrides,
        "late": sum(late.is_late for late in deadlines),
        "with no known submission time": sum(not late.submitted for late in deadlines),
        "with an untrusted time": sum(bool(late.submitted) and not late.trusted
                                      for late in deadlines),
    }  # fmt: skip
    if not overrides and not deadlines:
        return None
    said = [f"{count} {what}" for what, count in counts.items() if count or what == "late"]
    return "; ".join(said) + f" ({SUMMARY_FILE} lists them)"
