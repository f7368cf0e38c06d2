"""Grade one taken-in submission: its exercises, in sandboxed pytest sessions.

The trusted tests are copied beside the student's modules, in a folder only the grader can
open; one pytest session (forked from a warm worker, :mod:`grader.grading.forkserver`, with
``--sandbox``) runs every exercise the submission has, each exercise's code in its own walled
sandbox (:mod:`grader.sandbox`) with its own time budget, while the assertions and the report
stay in the test process. An exercise that session did not finish gets a session of its own,
with fresh copies of the tests. The report (:mod:`grader.core.report`) becomes the
submission's :class:`grader.results.model.SubmissionResult`; the exercises a stored result
still holds (:func:`grader.grading.regrade.kept_exercises`) are not run, but kept as they are.
"""

from __future__ import annotations

import dataclasses
import shutil
import signal
from collections.abc import Mapping
from pathlib import Path

from grader.core.limits import (
    FAULT_TAIL_CHARS,
    OUTPUT_TAIL_CHARS,
    session_limit,
    session_limit_message,
    time_limit_message,
)
from grader.core.manifest import Exercise, exercise_for_test_file, load_manifest
from grader.core.outcomes import GRADER_FAULT, ExerciseState
from grader.core.paths import PROJECT_ROOT, handout_stubs
from grader.core.report import SessionReport, TestRecord, read_report
from grader.grading.fingerprint import hidden_test_files, public_test_modules, test_helper_files
from grader.grading.forkserver import TIMED_OUT
from grader.grading.intake.model import Intake, Submission
from grader.grading.settings import RunSettings
from grader.grading.workers import ServerOf
from grader.results.model import ExerciseResult, SubmissionResult, TestOutcome

STUBS = handout_stubs()
NORMAL_ENDINGS = (0, 1)  # pytest's exit codes OK and TESTS_FAILED


def grade_submission(
    submission: Submission,
    intake: Intake | None,
    root: Path,
    server: ServerOf,
    settings: RunSettings,
    kept: Mapping[str, ExerciseResult] | None = None,
) -> SubmissionResult:
    """One student, every exercise but those ``kept`` (by name: their stored results, which
    still hold, taken as they are), from what ``intake`` took in (None: never unpacked) in the
    scratch folder ``root``; problems of the submission become its status and message, its
    remarks lead the message."""
    device = settings.device
    if intake is None or submission.problems:
        message = "; ".join((*submission.problems, *submission.remarks))
        return SubmissionResult(submission.student, "error", message, (), device=device)
    message = "; ".join((*submission.remarks, *intake.problems))
    if not intake.modules and intake.problems:
        return SubmissionResult(submission.student, "error", message, (), device=device)
    kept = kept or {}
    manifest = load_manifest()
    tests = _trusted_tests(root / "tests", list(settings.hidden))
    todo = [exercise for exercise in manifest if exercise.name not in kept]
    graded = {e.name: e for e in _grade_exercises(todo, intake, tests, root, server, settings)}
    exercises = tuple(kept[e.name] if e.name in kept else graded[e.name] for e in manifest)
    faults = [e.name for e in exercises if e.message.startswith(GRADER_FAULT)]
    if faults:  # first in the message: the result is then never stored as current
        fault = f"{GRADER_FAULT} in {', '.join(faults)}: graded again on the next run"
        message = "; ".join(filter(None, [fault, message]))
    never_run = (ExerciseState.NOT_ATTEMPTED, ExerciseState.INVALID)
    ran = any(e.status not in never_run for e in exercises)
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


def _outcome(record: TestRecord, hidden_files: frozenset[str], show_hidden: bool) -> TestOutcome:
    """One test's report line as a TestOutcome; a hidden test's details are dropped here,
    before anything is written, unless the instructor asked to show them."""
    hidden = record.file in hidden_files
    outcome = TestOutcome.from_record(record, hidden)
    if hidden and not show_hidden and outcome.message:
        return dataclasses.replace(outcome, message=HIDDEN_DETAIL)
    return outcome


def _run_session(
    exercises: list[Exercise],
    tests: TrustedTests,
    root: Path,
    server: ServerOf,
    settings: RunSettings,
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
    tail = output.read_text(errors="replace")[-OUTPUT_TAIL_CHARS:] if output.exists() else ""
    session = read_report(report)
    tests_run = {
        exercise: [_outcome(record, tests.hidden_files, settings.show_hidden) for record in records]
        for exercise, records in session.tests.items()
    }
    return _Report(exit_code, tail, session, tests_run)


def _grade_exercises(
    exercises: list[Exercise],
    intake: Intake,
    tests: TrustedTests,
    root: Path,
    server: ServerOf,
    settings: RunSettings,
) -> tuple[ExerciseResult, ...]:
    """Every exercise the submission has, in one session; if that session did not end normally,
    or did not finish an exercise, the exercise gets a session of its own, with fresh copies of
    the tests. An untouched stub is not run. When that second session does not end normally
    either (and did not run out of time), the exercise is a grader fault: a test process is
    out of student code's reach, so its end is never the student's; a test process killed by
    a signal is "crashed" there as everywhere."""
    untouched = {name for name, path in intake.modules.items() if _untouched_stub(name, path)}
    present = [e for e in exercises if e.name in intake.modules and e.name not in untouched]
    session = _run_session(present, tests, root, server, settings) if present else None
    results = []
    for exercise in exercises:
        if exercise.name in untouched:
            message = f"{exercise.name}.py is the untouched stub"
            results.append(_unscored(exercise, ExerciseState.NOT_ATTEMPTED, message))
            continue
        if exercise.name not in intake.modules:
            problems = intake.module_problems.get(exercise.name, [])
            status = ExerciseState.INVALID if problems else ExerciseState.NOT_ATTEMPTED
            message = "; ".join(problems) or f"no {exercise.name}.py in the submission"
            results.append(_unscored(exercise, status, message))
            continue
        assert session is not None
        report = session
        if not (session.ended_normally and session.session.complete(exercise.name)):
            fresh = _trusted_tests(root / f"tests-{exercise.name}", list(settings.hidden))
            report = _run_session([exercise], fresh, root, server, settings)
            if not report.ended_normally and report.exit_code != TIMED_OUT:
                results.append(_unscored(exercise, ExerciseState.CRASHED, (
                    f"{GRADER_FAULT}: the tests of {exercise.name} could not run "
                    f"({ending_text(report.exit_code)}), through no fault of your code: graded "
                    f"again on the next run\n{report.output[-FAULT_TAIL_CHARS:].strip()}"
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
        message = time_limit_message(exercise.name, timeout)
        return _unscored(exercise, ExerciseState.TIMEOUT, message)
    if not report.session.complete(exercise.name) and report.exit_code == TIMED_OUT:
        message = session_limit_message(exercise.name, session_limit(timeout, 1))
        return _unscored(exercise, ExerciseState.TIMEOUT, message)
    if not report.session.complete(exercise.name):
        ending = ending_text(report.exit_code)
        message = f"the tests of {exercise.name} could not run ({ending})"
        return _unscored(exercise, ExerciseState.CRASHED, f"{message}\n{report.output}")
    outcomes = report.tests[exercise.name]
    timings = report.session.timings.get(exercise.name, [])
    result = ExerciseResult.from_tests(
        exercise.name, exercise.title, exercise.points, outcomes, timings, exercise.function_points
    )
    # Its tests all ran, but the student's code ended a sandbox (its function's tests failed,
    # the others ran in a fresh one): "crashed", with the points its tests earned.
    crashes = list(dict.fromkeys(report.session.crashed.get(exercise.name, [])))
    problems = intake.module_problems.get(exercise.name, [])
    if crashes:
        result = dataclasses.replace(result, status=ExerciseState.CRASHED)
    if crashes or problems:
        result = dataclasses.replace(result, message="; ".join([*crashes, *problems]))
    return result


def ending_text(exit_code: int) -> str:
    """How a test session ended, for a message: ``exit 3``, or ``killed by SIGSEGV`` (a
    negative exit code: the signal that killed it)."""
    if exit_code >= 0:
        return f"exit {exit_code}"
    try:
        return f"killed by {signal.Signals(-exit_code).name}"
    except ValueError:
        return f"killed by signal {-exit_code}"


def _unscored(exercise: Exercise, status: ExerciseState, message: str) -> ExerciseResult:
    return ExerciseResult(exercise.name, exercise.title, exercise.points, 0.0, status, message, ())
