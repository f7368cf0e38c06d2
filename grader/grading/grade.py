"""``python -m grader grade SUBMISSIONS --out OUT``: grade a class of untrusted submissions.

For each submission (see :mod:`grader.grading.intake`), in a fresh temporary directory:

1. intake copies only its exercise modules (never executing them);
2. trusted copies of the tests (public, plus ``--tests`` directories) are written beside them;
3. for each exercise, a pytest session is forked from a warm worker
   (:mod:`grader.grading.forkserver`) with ``--sandbox``: the student's code runs in its own
   limited process, the assertions and the report stay in the test process
   (:mod:`grader.sandbox`); the session has a time limit;
4. the results are written atomically under ``OUT/<student>/``: ``results.json`` (Gradescope),
   ``feedback.md``, ``junit.xml``, and last ``grade.json``, which marks the student as done.

A student is graded again only when something their grade was computed from changed
(:mod:`grader.grading.fingerprint`): their submission as taken in, the tests, the hidden
tests, a setting, the grader. Otherwise their complete ``grade.json`` is reused, so a run that
was killed (or stopped with Ctrl-C: exit 130) resumes where it stopped, and a corrected
resubmission is graded on the next run without ``--force``. ``--force`` grades everyone
again, ``--only ID ...`` just those students. ``--shard K/N`` grades one N-th of the class
(:mod:`grader.grading.shards`; ``python -m grader merge`` joins the shards). ``OUT/run.json``
(:mod:`grader.grading.runrecord`) says what the run set out to grade.
"""

from __future__ import annotations

import argparse
import dataclasses
import functools
import shutil
import sys
from pathlib import Path

from grader.core.devices import GRADED_DEVICES, device_problem
from grader.core.isolation import Isolation, Walls
from grader.core.limits import session_limit_message, time_limit_message
from grader.core.manifest import Exercise, exercise_for_test_file, load_manifest
from grader.core.options import positive_float, positive_int
from grader.core.outcomes import GRADER_FAULT
from grader.core.paths import PROJECT_ROOT, handout_stubs
from grader.core.report import SessionReport, read_report
from grader.grading.copies.report import CSV_NAME, HTML_NAME
from grader.grading.fingerprint import hidden_test_files, public_test_modules, test_helper_files
from grader.grading.forkserver import TIMED_OUT
from grader.grading.intake.discovery import discover
from grader.grading.intake.model import Intake, IntakeError, Submission
from grader.grading.isolation_level import choose_isolation
from grader.grading.regrade import Plan, grade_class, progress, stored_result
from grader.grading.runrecord import RUN_FILE, new_record, save_record
from grader.grading.shards import parse_shard
from grader.grading.workers import ServerOf
from grader.results.formats import CLASS_FORMATS, write_class_files
from grader.results.gradescope import DEFAULT_VISIBILITY, VISIBILITIES
from grader.results.lms import LMS_NAMES
from grader.results.model import (
    ExerciseResult,
    SubmissionResult,
    TestOutcome,
)
from grader.results.table import render_table

STUBS = handout_stubs()
# The names OUT's class-level files take: no student id may be one (its folder would stand
# where the file goes). Lower case: some file systems ignore case.
RESERVED_IDS = frozenset(name.lower() for name in (
    *CLASS_FORMATS, RUN_FILE, CSV_NAME, HTML_NAME,
    *(f"{lms}-grades{suffix}.csv" for lms in LMS_NAMES for suffix in ("", "-report")),
))  # fmt: skip
NORMAL_ENDINGS = (0, 1)  # pytest's exit codes OK and TESTS_FAILED
INTERRUPTED = 130  # the exit code of a run stopped with Ctrl-C (128 + SIGINT), as shells use


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("submissions", type=Path, help="a directory with one entry per student")
    parser.add_argument("--out", type=Path, required=True, help="where the results go")
    parser.add_argument("--jobs", type=positive_int, default=2, help="submissions graded at once")
    parser.add_argument(
        "--timeout", type=positive_float, default=120.0, help="seconds per exercise"
    )
    parser.add_argument("--tests", type=Path, nargs="*", default=[], help="hidden test dirs")
    parser.add_argument(
        "--force", action="store_true", help="grade everyone again, changed or not"
    )
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


@dataclasses.dataclass(frozen=True)
class Settings:
    """How a class is graded: the same for every student of a run."""

    timeout: float = 120.0  # seconds of the student's own time per exercise (grader/core/limits.py)
    device: str = GRADED_DEVICES[0]  # which tests count (grader/devices.py)
    hidden: tuple[Path, ...] = ()  # folders of hidden test modules (--tests)
    show_hidden: bool = False  # show hidden tests' inputs, expected values and hints
    walls: Walls = Walls(Isolation.PROCESS)  # noqa: RUF009  (frozen) how student code is walled in


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
    settings = Settings(args.timeout, args.device, tuple(args.tests), args.show_hidden, walls)
    share = [s for s in submissions if args.shard is None or args.shard.holds(s.student)]
    chosen = [s for s in share if not args.only or s.student in args.only]
    scored = {"device": settings.device, "timeout": settings.timeout,  # all that is written
              "show_hidden": settings.show_hidden, "hidden_visibility": args.hidden_visibility,
              "isolation": walls.describe()}
    students = [s.student for s in share]
    record = new_record(scored, settings.hidden, [s.student for s in submissions], students,
                        args.shard)  # fmt: skip
    save_record(record, args.out)
    plan = Plan(args.out, record.fingerprint, args.force or bool(args.only), args.hidden_visibility)
    grade = functools.partial(grade_submission, settings=settings)
    graded = grade_class(chosen, grade, plan, args.jobs)
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


def grade_submission(
    submission: Submission,
    intake: Intake | None,
    root: Path,
    server: ServerOf,
    settings: Settings = Settings(),
) -> SubmissionResult:
    """One student, every exercise, from what ``intake`` took in (None: never unpacked) in the
    scratch folder ``root``; problems of the submission become its status and message."""
    device = settings.device
    if intake is None or submission.problems:
        message = "; ".join(submission.problems)
        return SubmissionResult(submission.student, "error", message, (), device=device)
    message = "; ".join(intake.problems)
    if not intake.modules and intake.problems:
        return SubmissionResult(submission.student, "error", message, (), device=device)
    tests = _trusted_tests(root / "tests", list(settings.hidden))
    exercises = _grade_exercises(load_manifest(), intake, tests, root, server, settings)
    faults = [e.name for e in exercises if e.message.startswith(GRADER_FAULT)]
    if faults:  # first in the message: the result is then never stored as current
        fault = f"{GRADER_FAULT} in {', '.join(faults)}: graded again on the next run"
        message = "; ".join(filter(None, [fault, message]))
    ran = any(e.status not in ("not attempted", "invalid") for e in exercises)
    return SubmissionResult(
        submission.student, "graded", message, exercises, tuple(intake.notes), device,
        settings.walls.describe() if ran else "",
    )  # fmt: skip


@dataclasses.dataclass(frozen=True)
class TrustedTests:
    """The test modules copied for one submission, by exercise, and which are hidden."""

    by_exercise: dict[str, list[Path]]
    hidden_files: frozenset[str]  # file names of the copies of hidden modules

    def get(self, exercise: str, default: list[Path]) -> list[Path]:
        return self.by_exercise.get(exercise, default)


def _trusted_tests(directory: Path, hidden: list[Path]) -> TrustedTests:
    """Copies of the public and hidden test modules, by exercise, in a folder only the grader
    can open (a sandbox with a uid of its own cannot; one that shares the grader's sees it
    empty, or not at all, behind its mount namespace and Landlock)."""
    directory.mkdir(mode=0o700)
    for helper in test_helper_files():  # the modules the tests import, beside them
        shutil.copy2(helper, directory / helper.name)
    by_exercise: dict[str, list[Path]] = {}
    hidden_sources = set(hidden_test_files(hidden))
    sources = public_test_modules() + sorted(hidden_sources)
    hidden_files = set()
    for source in sources:
        exercise = exercise_for_test_file(source)
        if exercise is None:
            continue
        target = directory / source.name
        if target.exists():  # a hidden module named like a public one: keep both
            target = directory / f"{source.stem}_hidden{source.suffix}"
        shutil.copy2(source, target)
        by_exercise.setdefault(exercise.name, []).append(target)
        if source in hidden_sources:
            hidden_files.add(target.name)
    return TrustedTests(by_exercise, frozenset(hidden_files))


@dataclasses.dataclass
class _Report:
    """What one sandboxed pytest session left: its exit code, its output's tail, its report
    (:mod:`grader.core.report`) and the tests' outcomes read from it."""

    exit_code: int
    output: str
    session: SessionReport
    tests: dict[str, list[TestOutcome]]

    @property
    def ended_normally(self) -> bool:
        """pytest's own ending: every test ran, passed or failed. Any other (killed, an internal
        error, nothing collected) and nothing of its report is believed."""
        return self.exit_code in NORMAL_ENDINGS


HIDDEN_DETAIL = "a hidden test: its inputs, expected values and hints are not shown"


def _outcome(record: dict, hidden_files: frozenset[str], show_hidden: bool) -> TestOutcome:
    """One test's report line as a TestOutcome; a hidden test's details are dropped here,
    before anything is written, unless the instructor asked to show them."""
    record = dict(record)
    hidden = record.pop("file", "") in hidden_files
    if hidden and not show_hidden and record.get("message"):
        record["message"] = HIDDEN_DETAIL
    return TestOutcome(**record, hidden=hidden)


def session_limit(timeout: float, exercises: int) -> float:
    """Seconds a whole session may take before it is killed: each exercise stops its own calls
    at ``timeout``; the rest (start-up, the tests' own work) gets a generous allowance, since
    only a broken test process, never a student's code, can reach this limit."""
    return (timeout + 60) * exercises + 60


def _run_session(
    exercises: list[Exercise],
    tests: TrustedTests,
    root: Path,
    server: ServerOf,
    settings: Settings,
) -> _Report:
    """One pytest session over ``exercises`` (each with its own sandbox and time limit)."""
    label = exercises[0].name if len(exercises) == 1 else "all"
    report, output = root / f"report-{label}.jsonl", root / f"output-{label}.txt"
    args = [
        f"--impl={root / 'impl'}", "--sandbox", f"--exercise-timeout={settings.timeout:g}",
        "--timings", f"--device={settings.device}", f"--isolation={settings.walls.level}",
        "-q", "-p", "no:cacheprovider", "--rootdir", str(PROJECT_ROOT),
        "-c", str(PROJECT_ROOT / "pyproject.toml"), f"--report-json={report}",
        *(str(path) for exercise in exercises for path in tests.get(exercise.name, [])),
    ]  # fmt: skip
    limit = session_limit(settings.timeout, len(exercises))
    exit_code = server().run(args, cwd=root, output=output, timeout=limit)
    tail = output.read_text(errors="replace")[-1500:] if output.exists() else ""
    session = read_report(report)
    tests_run = {
        exercise: [_outcome(record, tests.hidden_files, settings.show_hidden) for record in records]
        for exercise, records in session.tests.items()
    }
    result = _Report(exit_code, tail, session, tests_run)
    return result


def _grade_exercises(
    exercises: list[Exercise],
    intake: Intake,
    tests: TrustedTests,
    root: Path,
    server: ServerOf,
    settings: Settings,
) -> tuple[ExerciseResult, ...]:
    """Every exercise the submission has, in one session; if that session did not end normally,
    or did not finish an exercise, the exercise gets a session of its own, with fresh copies of
    the tests. An untouched stub is not run. When that second session does not end normally
    either (and did not run out of time), the exercise is a grader fault: a test process is
    out of student code's reach, so its end is never the student's."""
    untouched = {name for name, path in intake.modules.items() if _untouched_stub(name, path)}
    present = [e for e in exercises if e.name in intake.modules and e.name not in untouched]
    session = _run_session(present, tests, root, server, settings) if present else None
    results = []
    for exercise in exercises:
        if exercise.name in untouched:
            message = f"{exercise.name}.py is the untouched stub"
            results.append(_unscored(exercise, "not attempted", message))
            continue
        if exercise.name not in intake.modules:
            problems = intake.module_problems.get(exercise.name, [])
            status = "invalid" if problems else "not attempted"
            message = "; ".join(problems) or f"no {exercise.name}.py in the submission"
            results.append(_unscored(exercise, status, message))
            continue
        assert session is not None
        report = session
        if not (session.ended_normally and session.session.complete(exercise.name)):
            fresh = _trusted_tests(root / f"tests-{exercise.name}", list(settings.hidden))
            report = _run_session([exercise], fresh, root, server, settings)
            if not report.ended_normally and report.exit_code != TIMED_OUT:
                results.append(_unscored(exercise, "crashed", (
                    f"{GRADER_FAULT}: the tests of {exercise.name} could not run (exit "
                    f"{report.exit_code}), through no fault of your code: graded again on the "
                    f"next run\n{report.output[-300:].strip()}"
                )))  # fmt: skip
                continue
        results.append(_exercise_result(exercise, report, intake, settings.timeout))
    return tuple(results)


def _untouched_stub(name: str, path: Path) -> bool:
    """The file is byte for byte the stub handed out: every test would be not attempted."""
    stub = STUBS / f"{name}.py"
    try:
        return stub.is_file() and stub.read_bytes() == path.read_bytes()
    except OSError:
        return False


def _exercise_result(
    exercise: Exercise, report: _Report, intake: Intake, timeout: float
) -> ExerciseResult:
    if exercise.name in report.session.timed_out:
        return _unscored(exercise, "timeout", time_limit_message(exercise.name, timeout))
    if not report.session.complete(exercise.name) and report.exit_code == TIMED_OUT:
        message = session_limit_message(exercise.name, session_limit(timeout, 1))
        return _unscored(exercise, "timeout", message)
    if not report.session.complete(exercise.name):
        message = f"the tests of {exercise.name} could not run (exit {report.exit_code})"
        return _unscored(exercise, "crashed", f"{message}\n{report.output}")
    outcomes = report.tests[exercise.name]
    timings = report.session.timings.get(exercise.name, [])
    result = ExerciseResult.from_tests(
        exercise.name, exercise.title, exercise.points, outcomes, timings
    )
    problems = intake.module_problems.get(exercise.name, [])
    if problems:
        result = dataclasses.replace(result, message="; ".join(problems))
    return result


def _unscored(exercise: Exercise, status: str, message: str) -> ExerciseResult:
    return ExerciseResult(exercise.name, exercise.title, exercise.points, 0.0, status, message, ())
