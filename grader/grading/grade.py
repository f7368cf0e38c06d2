"""``python -m grader grade SUBMISSIONS --out OUT``: grade a class of untrusted submissions.

The command finds the submissions (:mod:`grader.grading.intake.discovery`), records what the
run sets out to do (``OUT/run.json``, :mod:`grader.grading.runrecord`), then runs each student
through :mod:`grader.grading.pipeline` (take in, reuse or grade, write), ``--jobs`` at once,
and last writes the class files (gradebook, summary) and prints the table. All but the
printing is :func:`grade_folder`, a function of typed arguments, which ``autograde`` calls
too (:mod:`grader.grading.autograde`).

A student's exercise is graded again only when something its grade was computed from changed
(:mod:`grader.grading.fingerprint`): their module of it as taken in, its tests or hidden
tests, its manifest entry; or, for every exercise, a setting, the tests' helpers, the grader.
Otherwise their complete ``grade.json`` is reused (or the exercises of it that still hold), so
a run that was killed (or stopped with Ctrl-C: exit 130) resumes where it stopped, a corrected
resubmission is graded on the next run without ``--force``, and a hidden test added to one
exercise grades only that exercise again. ``--force`` grades everyone again, ``--only ID ...``
just those students. ``--shard K/N`` grades one N-th of the class
(:mod:`grader.grading.shards`; ``python -m grader merge`` joins the shards).
"""

from __future__ import annotations

import argparse
import difflib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from grader.core.devices import GRADED_DEVICES, device_problem
from grader.core.exits import INTERRUPTED, OK, error
from grader.core.isolation import Walls
from grader.core.limits import DEFAULT_TIMEOUT
from grader.core.options import (
    add_graded_device_option,
    add_isolation_option,
    add_jobs_option,
    add_tests_option,
    add_timeout_option,
    progress_bar,
)
from grader.grading.amend import (
    AmendError,
    AmendOptions,
    add_amend_options,
    counts_line,
    finish,
    options_from,
    prepare,
)
from grader.grading.copies.report import CSV_NAME, HTML_NAME
from grader.grading.fingerprint import exercise_setups
from grader.grading.intake.discovery import discover, without_suffix
from grader.grading.intake.model import IntakeError, Submission
from grader.grading.isolation_level import choose_isolation
from grader.grading.pipeline import Written, grade_one
from grader.grading.regrade import Plan, progress, stored_result
from grader.grading.runrecord import RUN_FILE, new_record, save_record
from grader.grading.settings import (
    RunSettings,
    add_hidden_visibility_option,
    hidden_visibility_problem,
)
from grader.grading.shards import Shard, parse_shard
from grader.grading.workers import Workers
from grader.results.formats import CLASS_FORMATS, write_class_files
from grader.results.gradescope import DEFAULT_VISIBILITY
from grader.results.lms import LMS_NAMES
from grader.results.model import SubmissionResult
from grader.results.table import render_table

# The names OUT's class-level files take: no student id may be one (its folder would stand
# where the file goes). Lower case: some file systems ignore case.
RESERVED_IDS = frozenset(name.lower() for name in (
    *CLASS_FORMATS, RUN_FILE, CSV_NAME, HTML_NAME,
    *(f"{lms}-grades{suffix}.csv" for lms in LMS_NAMES for suffix in ("", "-report")),
))  # fmt: skip


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("submissions", type=Path, help="a directory with one entry per student")
    parser.add_argument("--out", type=Path, required=True, help="where the results go")
    add_jobs_option(parser)
    add_timeout_option(parser)
    add_tests_option(parser)
    parser.add_argument("--force", action="store_true", help="grade everyone again, changed or not")
    which = parser.add_mutually_exclusive_group()
    which.add_argument(
        "--only", nargs="+", metavar="ID", help="grade just these students (again), by id"
    )
    which.add_argument(
        "--shard", type=parse_shard, metavar="K/N",
        help="grade the K-th of N parts of the class (K from 1); join with `grader merge`",
    )  # fmt: skip
    parser.add_argument(
        "--show-hidden",
        action="store_true",
        help="show the hidden tests' failures in full (inputs, expected values, hints); by "
        "default a hidden test is reported by name, outcome and points only",
    )
    add_hidden_visibility_option(parser)
    add_graded_device_option(parser)
    add_isolation_option(parser)
    add_amend_options(parser)


def run(args: argparse.Namespace) -> int:
    try:
        amendments = options_from(args)
        graded = grade_folder(
            args.submissions, args.out, jobs=args.jobs, isolation=args.isolation,
            timeout=args.timeout, device=args.device, hidden=args.tests,
            show_hidden=args.show_hidden, hidden_visibility=args.hidden_visibility,
            force=args.force, only=args.only or (), shard=args.shard, amendments=amendments,
        )  # fmt: skip
    except (Refused, AmendError) as problem:
        return error(str(problem))
    except KeyboardInterrupt:  # Workers stopped every job; the finished results are whole
        finished, total = progress(args.out)
        return error(f"interrupted; {finished} of {total} students are finished (kept); "
                     "the same command grades the rest", INTERRUPTED)  # fmt: skip
    print(render_table(graded.results))
    print(f"isolation of student code: {graded.walls.describe()}")
    print(_counts_line(graded, args.out))
    if amended := counts_line(graded.results):
        print(amended)
    print(f"gradebook: {args.out / 'gradebook.csv'}; per student: {args.out}/<student>/")
    return OK


def _counts_line(graded: ClassRun, out: Path) -> str:
    """What the run did, in one line: how many it graded (and, where it kept some exercises of
    theirs as stored, how many of their exercises it graded), reused and could not take in,
    and, with ``--only``, what became of the others; plainly when no submission could be taken
    in at all (no count then claims a student was graded)."""
    if graded.results and all(result.status == "error" for result in graded.results):
        return (f"no submission could be taken in: all {len(graded.results)} in "
                f"{out / 'gradebook.csv'} are errors, its message column says why")  # fmt: skip
    reused = graded.chosen - graded.graded - graded.refused
    exercises = ""
    if graded.exercises_kept:
        whole = graded.exercises_graded + graded.exercises_kept
        exercises = f" ({graded.exercises_graded} of {whole} exercises)"
    parts = [f"graded {graded.graded}{exercises}, reused {reused} unchanged"]
    if graded.refused:
        parts.append(f"{graded.refused} could not be taken in")
    if graded.kept:
        parts.append(f"{graded.kept} not in --only left as they were")
    missing = graded.share - graded.chosen - graded.kept
    if missing:
        parts.append(f"{missing} not in --only have no result in {out} (not in the gradebook)")
    return "; ".join(parts)


class Refused(Exception):
    """Grading cannot start: a folder, a device or an id that is not there, or a host that
    cannot keep student code apart as asked. Its message is one line, for the user."""


@dataclass(frozen=True)
class ClassRun:
    """What :func:`grade_folder` did."""

    results: list[SubmissionResult]  # the complete results of the run's share, stored in OUT
    walls: Walls  # how student code was kept apart
    graded: int  # students graded in this run (taken in: not those refused)
    refused: int  # students this run could not take in (their results are errors)
    chosen: int  # students the run set out to grade (the others of those were reused)
    share: int  # students of the run's shard (of the class, without --shard)
    kept: int  # students of the share not chosen (--only) whose stored result was there
    exercises_graded: int  # of the students graded, the exercises graded in this run
    exercises_kept: int  # of the students graded, the exercises kept as stored (unchanged)


def grade_folder(
    submissions: Path,
    out: Path,
    *,
    jobs: int,
    isolation: str,
    timeout: float = DEFAULT_TIMEOUT,
    device: str = GRADED_DEVICES[0],
    hidden: Sequence[Path] = (),
    show_hidden: bool = False,
    hidden_visibility: str = DEFAULT_VISIBILITY,
    force: bool = False,
    only: Sequence[str] = (),
    shard: Shard | None = None,
    amendments: AmendOptions = AmendOptions(),  # noqa: B008  (frozen)
) -> ClassRun:
    """Grade the class in the folder ``submissions`` into ``out``, ``jobs`` students at once,
    with student code walled in at ``isolation`` (``auto`` or a level): what ``grade`` does,
    and ``autograde`` for its one student. Reuses each stored result that still holds (unless
    ``force``); ``only`` grades just these students (again), ``shard`` one part of the class;
    ``amendments``: the overrides and deadlines put on every result of the share, graded or
    reused (:mod:`grader.grading.amend`). Writes ``out/run.json``, each student's files and the
    class files; prints the intake's notes. :class:`Refused` before anything is graded; Ctrl-C
    (KeyboardInterrupt) is raised again, the finished students kept."""
    problem = _problem(submissions, out, hidden, device, hidden_visibility)
    if problem:
        raise Refused(problem)
    walls, problem = choose_isolation(isolation, list(hidden))
    if problem:
        raise Refused(problem)
    notes: list[str] = []
    try:
        found = discover(submissions, notes=notes)
    except IntakeError as intake_error:
        raise Refused(str(intake_error)) from None
    for note in notes:
        print(f"note: {note}")
    clashing = [s for s in found if s.student.lower() in RESERVED_IDS]
    for submission in clashing:
        print(f"note: skipped {submission.path.name}: its id {submission.student!r} is the name "
              "of a class file of OUT; rename it (e.g. add the student's name)")  # fmt: skip
    found = [s for s in found if s not in clashing]
    if problem := _unknown_ids(only, [s.student for s in found], submissions):
        raise Refused(problem)
    amend_notes: list[str] = []
    try:
        amend = prepare(amendments, found, amend_notes)
    except AmendError as amend_error:
        raise Refused(str(amend_error)) from None
    out.mkdir(parents=True, exist_ok=True)
    settings = RunSettings(timeout, device, tuple(hidden), show_hidden, hidden_visibility, walls)
    share = [s for s in found if shard is None or shard.holds(s.student)]
    chosen = [s for s in share if not only or s.student in only]
    students = [s.student for s in share]
    record = new_record(settings.scored(), settings.hidden, [s.student for s in found],
                        students, shard)  # fmt: skip
    save_record(record, out)
    plan = Plan(out, settings, record.fingerprint, exercise_setups(record.setup),
                force or bool(only))  # fmt: skip
    written = grade_class(chosen, plan, jobs)
    results = [stored_result(out, student) for student in students]
    done, remarks = finish([r for r in results if r is not None], amend, out,
                           settings.format_options())  # fmt: skip
    for note in amend_notes + remarks:
        print(f"note: {note}")
    write_class_files(done, out)
    refused = sum(one.result.status == "error" for one in written)
    kept = len({result.student for result in done} - {s.student for s in chosen})
    exercises = sum(one.graded for one in written), sum(one.kept for one in written)
    return ClassRun(done, walls, len(written) - refused, refused, len(chosen), len(share), kept,
                    *exercises)  # fmt: skip


def _unknown_ids(only: Sequence[str], ids: list[str], submissions: Path) -> str | None:
    """Why ``--only`` names a student that is not there, with the id meant where one is
    near: the entry's name (``cat.zip``, ``cat/``), another case, a slip (None: all there)."""
    unknown = sorted(set(only) - set(ids))
    if not unknown:
        return None
    by_case = {student.casefold(): student for student in ids}
    meant = []
    for name in unknown:
        plain = without_suffix(name.rstrip("/"))
        near = by_case.get(plain.casefold()) or next(
            iter(difflib.get_close_matches(plain, ids, n=1)), None
        )
        if near is not None:
            meant.append(near)
    problem = f"--only: no submission {', '.join(unknown)} in {submissions}"
    if meant:
        problem += (f" (did you mean {', '.join(meant)}? --only takes student ids: the entry's "
                    "name without .zip or .ipynb)")  # fmt: skip
    return problem


def _problem(
    submissions: Path, out: Path, hidden: Sequence[Path], device: str, visibility: str
) -> str | None:
    """Why grading cannot start with these folders, this device and this visibility of the
    hidden tests (None: it can)."""
    if not submissions.is_dir():
        return f"SUBMISSIONS {submissions} is not a directory"
    for directory in hidden:
        if not directory.is_dir():
            return f"--tests {directory} is not a directory"
    if problem := device_problem(device):
        return problem
    if out.exists() and not out.is_dir():
        return f"--out {out} exists and is not a directory"
    return hidden_visibility_problem(visibility, hidden)


def grade_class(submissions: list[Submission], plan: Plan, jobs: int) -> list[Written]:
    """Each submission through :func:`grader.grading.pipeline.grade_one`, ``jobs`` at once,
    with a progress bar (on a terminal only); the results written (not those reused whole).
    Ctrl-C (KeyboardInterrupt) stops every job at once (:class:`Workers`) and is raised again
    for the caller to report."""

    def one(submission: Submission) -> Written | None:
        return grade_one(submission, plan, workers.server)

    written = []
    with Workers(jobs) as workers, progress_bar(total=len(submissions), unit="submission") as bar:
        done = workers.map(one, submissions)
        for submission, result in zip(submissions, done, strict=True):
            if result is not None:
                written.append(result)
            bar.set_postfix_str(submission.student)
            bar.update()
    return written
