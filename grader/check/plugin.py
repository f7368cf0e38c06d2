"""The pytest plugin behind every exercise test run (enabled in pyproject.toml).

* ``--impl=exercises|solutions|PATH`` picks the implementation under test (default: exercises).
* Tests of an exercise carry its name as a marker: ``pytest -m activations`` runs one exercise;
  a test matches ``-k`` by the functions it checks or waits for: ``pytest -k softmax`` runs
  every test of softmax.
* A stub's ``raise NotImplementedError`` (or a missing module file) makes a test *not attempted*,
  shown as a skip, never as a failure.
* A failure of an exercise test reads as a message (the test's own, or the student's line that
  raised), never as pytest's traceback through the test.
* ``--slow`` adds the slow tests; benchmarks run only with ``--benchmark-only``.
* The run ends with a per-exercise table.
"""

from __future__ import annotations

import gc
import linecache
import os
import re
from collections import Counter
from collections.abc import Callable, Generator, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from grader.check.implementation import (
    Implementation,
    load,
    resolve_impl,
    student_line,
)
from grader.core.devices import CUDA_MARKER, GRADED_DEVICES, device_problem
from grader.core.gating import ANSWER, REQUIRES_MARKER, VALUES_MARKER, GatedTest
from grader.core.manifest import Exercise, exercise_for_test_file, load_manifest
from grader.core.options import GRADED_DEVICE_HELP, impl_help
from grader.core.outcomes import (
    ImplementationError,
    NotAttempted,
    Outcome,
    StubReached,
    raised_by_a_stub,
)
from grader.core.report import COLLECTED, TEST, TestRecord, append_record


@dataclass(frozen=True)
class Elsewhere:
    """How the implementation under test runs when it does not run in this process: the plugin
    that runs it elsewhere (the sandbox's, when grading: --sandbox) puts one in
    ``config.stash[ELSEWHERE]`` at configure; without one, load_impl loads it here."""

    load: Callable[[str], Any]  # load_impl's loader: an exercise's module, by name
    # what a failed test says of an error that came back from there (None: it did not)
    error_text: Callable[[BaseException], str | None]


ELSEWHERE = pytest.StashKey[Elsewhere]()
IMPL_DIR = pytest.StashKey[Path]()
# per exercise: each test's outcome and gating markers, in run order
TALLY = pytest.StashKey[dict[str, list[GatedTest]]]()
GRADED_TESTS = pytest.StashKey[Counter[str]]()  # per exercise: the tests a full run grades
# the exercises the command line named only part of (a test id, some of their test files): this
# run cannot count the tests it left out
NAMED_IN_PART = pytest.StashKey[set[str]]()
MESSAGE_LINES = 6  # of an error's message, shown in a failure: its first lines say what it is


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("exercises")
    group.addoption(
        "--impl",
        default="exercises",
        help=f"implementation under test: {impl_help()} (default: exercises)",
    )
    group.addoption("--slow", action="store_true", help="also run the tests marked slow")
    group.addoption(
        "--device",
        choices=GRADED_DEVICES,
        default=GRADED_DEVICES[0],
        help=f"{GRADED_DEVICE_HELP} (default: %(default)s)",  # as `grader check --device`
    )
    group.addoption(
        "--report-json",
        metavar="PATH",
        help="write every test's outcome and message to PATH as JSON (for the grader)",
    )


def pytest_configure(config: pytest.Config) -> None:
    _configure_hypothesis()
    try:
        config.stash[IMPL_DIR] = resolve_impl(config.getoption("impl"))
    except ValueError as error:
        raise pytest.UsageError(str(error)) from None
    config.stash[TALLY] = {}
    config.addinivalue_line("markers", f"{CUDA_MARKER}: a test on a CUDA device (--device cuda)")
    config.addinivalue_line(
        "markers",
        f"{VALUES_MARKER}(*functions, {ANSWER}=''): checks their values; {ANSWER}: names an "
        "answer a constant could give (grader/core/gating.py)",
    )
    config.addinivalue_line(
        "markers", f"{REQUIRES_MARKER}(*functions): counts once their values are right"
    )
    problem = device_problem(config.getoption("device"))
    if problem:
        raise pytest.UsageError(problem)
    report = config.getoption("report_json", None)
    if report:  # one JSON line per event from here on (see _report_line)
        Path(report).write_text("", encoding="utf-8")
    for exercise in load_manifest():
        config.addinivalue_line(
            "markers", f"{exercise.name}: tests of the {exercise.title} exercise"
        )


def _configure_hypothesis() -> None:
    """Property tests draw the same examples on every run, in every process, whatever the code
    under test: derandomized, nothing written to disk, and without the constants Hypothesis
    otherwise mines from the source of "local" modules. The student's module is one of those in
    a student's own run but not when grading (it lives in the sandbox), and two students' code
    holds different constants: the examples would depend on the code under test."""
    try:
        from hypothesis import settings
        from hypothesis.internal.conjecture import providers
    except ImportError:
        return
    settings.register_profile("exercises", derandomize=True, database=None, deadline=None)
    settings.load_profile("exercises")
    if hasattr(providers, "_get_local_constants"):  # hypothesis >= 6.131 (pinned in constraints)
        no_constants = providers.Constants()
        providers._get_local_constants = lambda: no_constants


def _skipped_here(item: pytest.Item) -> bool:
    """A test this machine skips anyway (a CUDA test without a GPU): grading does not run it,
    saving its set-up and report; a skip never counts for points."""
    return any(mark.args and mark.args[0] is True for mark in item.iter_markers("skipif"))


def pytest_report_header(config: pytest.Config) -> str:
    return f"implementation under test: {config.stash[IMPL_DIR]}"


@pytest.hookimpl(tryfirst=True)  # before -k and -m deselect: the whole graded set is counted
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    config.stash[NAMED_IN_PART] = _named_in_part(config, items)
    keep, drop = [], []
    benchmarks_only = bool(config.getoption("benchmark_only", False))
    grading = ELSEWHERE in config.stash  # the implementation runs in a sandbox
    for item in items:
        exercise = exercise_for_test_file(item.path)
        if exercise is not None:
            item.add_marker(exercise.name)
            # `-k huber_loss`: every test that checks huber_loss or waits for it
            values, requires, _ = _gating_names(item)
            item.extra_keyword_matches.update([*values, *requires])
        is_benchmark = "benchmark" in getattr(item, "fixturenames", ())
        if (
            is_benchmark != benchmarks_only
            or (item.get_closest_marker("slow") and not config.getoption("slow"))
            or (item.get_closest_marker(CUDA_MARKER) and config.getoption("device") != "cuda")
            or (grading and _skipped_here(item))
        ):
            drop.append(item)
        else:
            keep.append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep
    collected = Counter(getattr(exercise_for_test_file(item.path), "name", "") for item in items)
    config.stash[GRADED_TESTS] = collected
    counts = {name: n for name, n in collected.items() if name}
    append_record(config.getoption("report_json", None), COLLECTED, counts)


def _named_in_part(config: pytest.Config, items: list[pytest.Item]) -> set[str]:
    """The exercises the command line named only part of: some tests of a file (``file::test``)
    and not the whole file, or some of their test files only."""
    here = config.invocation_params.dir
    whole = [Path(os.path.abspath(here / arg)) for arg in config.args if "::" not in arg]
    files: dict[Exercise, set[Path]] = {}
    for item in items:
        exercise = exercise_for_test_file(item.path)
        if exercise is not None:
            files.setdefault(exercise, set()).add(item.path)
    return {
        exercise.name
        for exercise, found in files.items()
        if not all(any(path.is_relative_to(named) for named in whole) for path in found)
        or not {Path(test).name for test in exercise.tests} <= {path.name for path in found}
    }


def pytest_collection_finish(session: pytest.Session) -> None:
    """Everything the tests import is imported by now (torch, scikit-learn, torchvision: a
    million objects): freeze it, so that the garbage collections while the tests run, and
    pytest's own at the end of the session, do not walk it again and again (1.2 s a run)."""
    gc.freeze()


# --- fixtures the exercise tests use -----------------------------------------------------------


@pytest.fixture(scope="session")
def load_impl(request: pytest.FixtureRequest) -> Callable[[str], Implementation]:
    """``load_impl("activations")``: the implementation under test, functions guarded."""
    directory = request.config.stash[IMPL_DIR]
    elsewhere = request.config.stash.get(ELSEWHERE, None)
    load_module_of = elsewhere.load if elsewhere else (lambda name: load(directory, name))
    cache: dict[str, Implementation | BaseException] = {}

    def loader(name: str) -> Implementation:
        if name not in cache:
            try:
                cache[name] = load_module_of(name)
            except (NotAttempted, ImplementationError) as error:
                cache[name] = error
        loaded = cache[name]
        if isinstance(loaded, NotAttempted):
            raise loaded
        if isinstance(loaded, ImplementationError):
            pytest.fail(str(loaded), pytrace=False)
        return loaded

    return loader


# --- not attempted, and the per-exercise tally -------------------------------------------------


class NotAttemptedSkip(pytest.skip.Exception):
    """How a test that met a stub ends: a skip, counted as not attempted."""


def not_attempted(reason: str) -> NotAttemptedSkip:
    """The skip of a test that met a stub: ``not attempted: <reason>``, at the test's line."""
    return NotAttemptedSkip(f"{Outcome.NOT_ATTEMPTED}: {reason}", _use_item_location=True)


@contextmanager
def _stubs_skip(item: pytest.Item) -> Iterator[None]:
    """Turn a stub's NotImplementedError into a cheap skip before pytest renders a failure."""
    try:
        yield
    except (NotImplementedError, StubReached) as error:
        if not raised_by_a_stub(error, item.config.stash[IMPL_DIR]):
            raise
        message = str(error) or "still raises NotImplementedError"
        raise not_attempted(message) from None


@pytest.hookimpl(wrapper=True)
def pytest_runtest_setup(item: pytest.Item) -> Generator[None, None, None]:
    with _stubs_skip(item):
        return (yield)


# What torch says when the meta device (shapes and dtypes, no values) cannot run an operation:
# a boolean-mask index, .item(), .tolist(), nonzero. Code doing that runs on CPU and CUDA, so
# on meta the test is not counted instead of failed (tests/support.py).
_META_CANNOT = re.compile(r"meta tensor|register_meta|data-dependent|on the meta device", re.I)


@contextmanager
def _meta_limits_skip(item: pytest.Item) -> Iterator[None]:
    try:
        yield
    except (RuntimeError, NotImplementedError) as error:
        params = getattr(getattr(item, "callspec", None), "params", {})
        if params.get("device") != "meta" or not _META_CANNOT.search(str(error)):
            raise
        pytest.skip(
            "not counted: the meta device cannot run an operation this code uses (it needs "
            "values); the CPU and CUDA tests check it"
        )


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Generator[None, None, None]:
    with _stubs_skip(item), _meta_limits_skip(item):
        return (yield)


def _student_error(excinfo: pytest.ExceptionInfo[BaseException], item: pytest.Item) -> str | None:
    """For an exception raised inside the implementation: a short message pointing at the
    student's line instead of a traceback through torch's internals (None otherwise)."""
    error = excinfo.value
    where = student_line(error, item.config.stash[IMPL_DIR])
    if not where:
        return None
    first_lines = "\n    ".join(str(error).strip().splitlines()[:MESSAGE_LINES])
    return (
        f"{item.name}: your code raised {type(error).__name__}:\n    {first_lines}\n"
        f"  {where}\n  (test: {item.nodeid})"
    )


def _error_from_elsewhere(
    excinfo: pytest.ExceptionInfo[BaseException], item: pytest.Item
) -> str | None:
    """For an exception that came back from where the implementation runs (the sandbox): its
    message as that side words it, not our traceback."""
    elsewhere = item.config.stash.get(ELSEWHERE, None)
    text = elsewhere.error_text(excinfo.value) if elsewhere else None
    return None if text is None else f"{item.name}: {text}\n  (test: {item.nodeid})"


# An object's address in its repr ("<generator object f at 0x7f3a...>"): noise that differs
# from run to run, so the same mistake would not read the same twice.
_ADDRESS = re.compile(r" at 0x[0-9a-f]+", re.IGNORECASE)


def _failure_message(excinfo: pytest.ExceptionInfo[BaseException], item: pytest.Item) -> str:
    """What a student sees of a failed exercise test: always one of the messages below, never
    pytest's traceback (which prints the test's source, its arguments and chained errors), and
    no object's address."""
    message = (
        _test_failure(excinfo, item)
        or _student_error(excinfo, item)
        or _error_from_elsewhere(excinfo, item)
        or _test_error(excinfo, item)
    )
    return _ADDRESS.sub("", message)


def _test_failure(excinfo: pytest.ExceptionInfo[BaseException], item: pytest.Item) -> str | None:
    """A test's own failure (tests/support.py's ``fail``, ``pytest.fail``): its message alone.
    Raised while handling an error of the student's code, it names that error's line instead
    of printing its traceback ("During handling of the above exception ...")."""
    if not excinfo.errisinstance(pytest.fail.Exception):
        return None
    error = excinfo.value
    handled = error.__context__
    where = student_line(handled, item.config.stash[IMPL_DIR]) if handled is not None else ""
    return f"{error}\n  ({type(handled).__name__} raised {where})" if where else str(error)


def _test_error(excinfo: pytest.ExceptionInfo[BaseException], item: pytest.Item) -> str:
    """Any other failure: an assertion of the test, or an error in the test's code (often on
    what the student's code returned, say a tuple of the wrong length): the error and the
    test's line."""
    error = excinfo.value
    in_test = [entry for entry in excinfo.traceback if entry.path == item.path]
    entry = (in_test or excinfo.traceback)[-1]  # the test's line, else the innermost one
    number = entry.lineno + 1
    source = linecache.getline(str(entry.path), number).strip()
    # a failed assert's explanation: its comparison, not the " +  where" lines naming every
    # object on the way (<...Implementation object at 0x...>)
    lines = [line for line in str(error).strip().splitlines() if not line.startswith(" +")]
    text = "\n    ".join([*lines[:MESSAGE_LINES], *getattr(error, "__notes__", ())])
    return (
        f"{item.name}: {type(error).__name__}: {text}\n"
        f"  at {Path(entry.path).name}, line {number}: {source}\n  (test: {item.nodeid})"
    )


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    report = yield
    exercise = exercise_for_test_file(item.path)
    status = Outcome(report.outcome)
    if call.excinfo is not None and call.when in ("setup", "call"):
        if call.excinfo.errisinstance(NotAttemptedSkip):
            status = Outcome.NOT_ATTEMPTED
        elif report.failed and exercise is not None:
            report.longrepr = _failure_message(call.excinfo, item)
        elif report.failed and not call.excinfo.errisinstance(pytest.fail.Exception):
            report.longrepr = (
                _student_error(call.excinfo, item)
                or _error_from_elsewhere(call.excinfo, item)
                or report.longrepr
            )
    counts_once = call.when == "call" or (call.when == "setup" and report.outcome != "passed")
    if exercise is not None and counts_once:
        values, requires, answer = _gating_names(item)
        tally = item.config.stash[TALLY].setdefault(exercise.name, [])
        tally.append(GatedTest(status, values, requires, answer))
        if call.when == "setup" and report.failed:
            status = Outcome.ERROR
        record = TestRecord(
            exercise=exercise.name,
            name=item.name,
            outcome=status,
            message="" if report.passed else _report_text(report),
            duration=report.duration,
            values=tuple(values),
            requires=tuple(requires),
            file=item.path.name,
            answer=answer,
        )
        append_record(item.config.getoption("report_json", None), TEST, record.to_json())
    return report


def _gating_names(item: pytest.Item) -> tuple[list[str], list[str], str]:
    """The functions a test checks the values of, those it waits for, and the answer it names
    ("" where none: grader/core/gating.py)."""
    marks = list(item.iter_markers(VALUES_MARKER))
    values = list(dict.fromkeys(name for mark in marks for name in mark.args))
    requires = [name for mark in item.iter_markers(REQUIRES_MARKER) for name in mark.args
                if name not in values]  # fmt: skip
    answers = [str(mark.kwargs[ANSWER]) for mark in marks if ANSWER in mark.kwargs]
    return values, requires, answers[0] if answers else ""


def _report_text(report: pytest.TestReport) -> str:
    if report.skipped and isinstance(report.longrepr, tuple):
        return str(report.longrepr[2]).removeprefix("Skipped: ")
    return report.longreprtext
