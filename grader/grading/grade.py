"""``python -m grader grade SUBMISSIONS --out OUT``: grade a class of untrusted submissions.

The command finds the submissions (:mod:`grader.grading.intake.discovery`), records what the
run sets out to do (``OUT/run.json``, :mod:`grader.grading.runrecord`), then runs each student
through :mod:`grader.grading.pipeline` (take in, reuse or grade, write), ``--jobs`` at once,
and last writes the class files (gradebook, summary) and prints the table.

A student is graded again only when something their grade was computed from changed
(:mod:`grader.grading.fingerprint`): their submission as taken in, the tests, the hidden
tests, a setting, the grader. Otherwise their complete ``grade.json`` is reused, so a run that
was killed (or stopped with Ctrl-C: exit 130) resumes where it stopped, and a corrected
resubmission is graded on the next run without ``--force``. ``--force`` grades everyone
again, ``--only ID ...`` just those students. ``--shard K/N`` grades one N-th of the class
(:mod:`grader.grading.shards`; ``python -m grader merge`` joins the shards).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from grader.core.devices import GRADED_DEVICES, device_problem
from grader.core.isolation import Isolation
from grader.core.limits import DEFAULT_TIMEOUT
from grader.core.options import positive_float, positive_int, progress_bar
from grader.grading.copies.report import CSV_NAME, HTML_NAME
from grader.grading.intake.discovery import discover
from grader.grading.intake.model import IntakeError, Submission
from grader.grading.isolation_level import choose_isolation
from grader.grading.pipeline import grade_one
from grader.grading.regrade import Plan, progress, stored_result
from grader.grading.runrecord import RUN_FILE, new_record, save_record
from grader.grading.settings import RunSettings
from grader.grading.shards import parse_shard
from grader.grading.workers import Workers
from grader.results.formats import CLASS_FORMATS, write_class_files
from grader.results.gradescope import DEFAULT_VISIBILITY, VISIBILITIES
from grader.results.lms import LMS_NAMES
from grader.results.table import render_table

# The names OUT's class-level files take: no student id may be one (its folder would stand
# where the file goes). Lower case: some file systems ignore case.
RESERVED_IDS = frozenset(name.lower() for name in (
    *CLASS_FORMATS, RUN_FILE, CSV_NAME, HTML_NAME,
    *(f"{lms}-grades{suffix}.csv" for lms in LMS_NAMES for suffix in ("", "-report")),
))  # fmt: skip
INTERRUPTED = 130  # the exit code of a run stopped with Ctrl-C (128 + SIGINT), as shells use


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("submissions", type=Path, help="a directory with one entry per student")
    parser.add_argument("--out", type=Path, required=True, help="where the results go")
    parser.add_argument("--jobs", type=positive_int, default=2, help="submissions graded at once")
    parser.add_argument(
        "--timeout", type=positive_float, default=DEFAULT_TIMEOUT, help="seconds per exercise"
    )
    parser.add_argument("--tests", type=Path, nargs="*", default=[], help="hidden test dirs")
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
    parser.add_argument(
        "--hidden-visibility",
        choices=VISIBILITIES,
        default=DEFAULT_VISIBILITY,
        help="Gradescope's visibility of the hidden tests' entries in results.json "
        "(default: %(default)s)",
    )
    parser.add_argument(
        "--device",
        choices=GRADED_DEVICES,
        default=GRADED_DEVICES[0],
        help="the tests that count: cpu (the same on every machine) or cuda (the CPU "
        "and the CUDA tests; refuses to start without a GPU). Recorded with every result",
    )
    parser.add_argument(
        "--isolation",
        choices=["auto", *Isolation],
        default="auto",
        help="how the operating system keeps student code apart (docs/GRADER.md): auto, the "
        "strongest this host gives (namespaces, else uid), refusing to start where neither is "
        "possible; process: process-level isolation only, said in every output "
        "(default: %(default)s)",
    )


def run(args: argparse.Namespace) -> int:
    try:
        return _grade_class(args)
    except KeyboardInterrupt:  # Workers stopped every job; the finished results are whole
        finished, total = progress(args.out)
        print(f"grader: interrupted; {finished} of {total} students are finished (kept); "
              "the same command grades the rest", file=sys.stderr)  # fmt: skip
        return INTERRUPTED


def _grade_class(args: argparse.Namespace) -> int:
    problem = _check_arguments(args)
    if problem:
        print(f"grader: {problem}", file=sys.stderr)
        return 2
    walls, problem = choose_isolation(args.isolation, list(args.tests))
    if problem:
        print(f"grader: {problem}", file=sys.stderr)
        return 2
    notes: list[str] = []
    try:
        submissions = discover(args.submissions, notes=notes)
    except IntakeError as error:
        print(f"grader: {error}", file=sys.stderr)
        return 2
    for note in notes:
        print(f"note: {note}")
    clashing = [s for s in submissions if s.student.lower() in RESERVED_IDS]
    for submission in clashing:
        print(f"note: skipped {submission.path.name}: its id {submission.student!r} is the name "
              "of a class file of OUT; rename it (e.g. add the student's name)")  # fmt: skip
    submissions = [s for s in submissions if s not in clashing]
    unknown = sorted(set(args.only or ()) - {s.student for s in submissions})
    if unknown:
        print(f"grader: --only: no submission {', '.join(unknown)} in {args.submissions}",
              file=sys.stderr)  # fmt: skip
        return 2
    args.out.mkdir(parents=True, exist_ok=True)
    settings = RunSettings(args.timeout, args.device, tuple(args.tests), args.show_hidden,
                           args.hidden_visibility, walls)  # fmt: skip
    share = [s for s in submissions if args.shard is None or args.shard.holds(s.student)]
    chosen = [s for s in share if not args.only or s.student in args.only]
    students = [s.student for s in share]
    record = new_record(settings.scored(), settings.hidden, [s.student for s in submissions],
                        students, args.shard)  # fmt: skip
    save_record(record, args.out)
    plan = Plan(args.out, settings, record.fingerprint, args.force or bool(args.only))
    graded = grade_class(chosen, plan, args.jobs)
    results = [stored_result(args.out, student) for student in students]
    done = [result for result in results if result is not None]
    write_class_files(done, args.out)
    print(render_table(done))
    print(f"isolation of student code: {walls.describe()}")
    others = f"; {len(share) - len(chosen)} not in --only left as they were" if args.only else ""
    print(f"graded {graded}, reused {len(chosen) - graded} unchanged{others}")
    print(f"gradebook: {args.out / 'gradebook.csv'}; per student: {args.out}/<student>/")
    return 0


def _check_arguments(args: argparse.Namespace) -> str | None:
    if not args.submissions.is_dir():
        return f"SUBMISSIONS {args.submissions} is not a directory"
    for directory in args.tests:
        if not directory.is_dir():
            return f"--tests {directory} is not a directory"
    if problem := device_problem(args.device):
        return problem
    if args.out.exists() and not args.out.is_dir():
        return f"--out {args.out} exists and is not a directory"
    return None


def grade_class(submissions: list[Submission], plan: Plan, jobs: int) -> int:
    """Each submission through :func:`grader.grading.pipeline.grade_one`, ``jobs`` at once,
    with a progress bar (on a terminal only); how many were graded. Ctrl-C
    (KeyboardInterrupt) stops every job at once (:class:`Workers`) and is raised again for the
    caller to report."""

    def one(submission: Submission) -> bool:
        return grade_one(submission, plan, workers.server)

    graded = 0
    with Workers(jobs) as workers, progress_bar(total=len(submissions), unit="submission") as bar:
        done = workers.map(one, submissions)
        for submission, was_graded in zip(submissions, done, strict=True):
            graded += was_graded
            bar.set_postfix_str(submission.student)
            bar.update()
    return graded
