"""The sandbox's pytest plugin (``--sandbox``): how ``grade`` runs an exercise's tests.

* Each exercise gets its own :class:`~grader.sandbox.client.Sandbox`, forked at configure,
  before any test ran; ``load_impl`` then hands the tests a
  :class:`~grader.sandbox.client.SandboxedImplementation` instead of the module itself.
* ``--exercise-timeout`` gives each exercise a budget of the student's own time (the timing
  model: :mod:`grader.core.limits`); past it, its remaining tests fail at once.
* A call that ends its sandbox (a crash, an exit) is reported (``crash``, in the report) and
  costs that function's tests: the exercise's other functions go on in a fresh sandbox.
* ``--timings`` times each exercise's key function beside the reference, reported, not graded.

Loaded with :mod:`grader.check.plugin` by ``-p grader.plugin``; does nothing without
``--sandbox``.
"""

from __future__ import annotations

import dataclasses
import functools
import math
import shutil
import tempfile
from pathlib import Path
from typing import Any

import pytest

from grader.check.implementation import load_module
from grader.check.plugin import ELSEWHERE, IMPL_DIR, TALLY, Elsewhere
from grader.check.timing import KEY_FUNCTIONS, best_time
from grader.core.gating import gated_counts
from grader.core.isolation import Isolation, strongest
from grader.core.limits import CALL_GRACE_SECONDS, time_limit_message, wall_allowance
from grader.core.manifest import exercise_for_test_file, load_manifest
from grader.core.outcomes import Outcome
from grader.core.paths import FUNCTIONS_MODULE, SOLUTIONS_DIR, TESTS_DIR
from grader.core.report import CRASH, TIMEOUT, TIMING, append_record
from grader.sandbox.client import Sandbox, SandboxedImplementation, error_text
from grader.sandbox.codec import TIME
from grader.sandbox.limits import DEFAULT_LIMITS, Limits

SANDBOXES = pytest.StashKey[dict[str, Sandbox]]()
STARTED = pytest.StashKey[list[str]]()  # the exercises whose tests have begun, in order
TIMED_OUT_EXERCISES = pytest.StashKey[set[str]]()


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("exercises")
    group.addoption(
        "--sandbox",
        action="store_true",
        help="run each exercise's implementation in its own separate, limited process (how the "
        "grader runs untrusted submissions)",
    )
    group.addoption(
        "--timings",
        action="store_true",
        help="with --sandbox and --report-json: also time each exercise's key function beside "
        "the reference (reported, not graded)",
    )
    group.addoption(
        "--isolation",
        choices=["auto", *Isolation],
        default="auto",
        help="with --sandbox: how the operating system keeps each sandbox apart "
        "(grader/core/isolation.py); auto: the strongest this host gives (default: auto)",
    )
    group.addoption(
        "--exercise-timeout",
        type=float,
        metavar="SECONDS",
        help="with --sandbox: the time an exercise's tests may take; past it, the exercise is "
        "reported as timed out and its remaining tests fail at once",
    )


@pytest.hookimpl(trylast=True)  # after grader.check.plugin has resolved --impl
def pytest_configure(config: pytest.Config) -> None:
    if not config.getoption("sandbox"):
        return
    functions = _functions_module(config)
    # One per exercise, so that a crash or a hang costs that exercise only (a crash, that
    # function only). Forked now, before any test has run a tensor operation or loaded the
    # reference.
    limits = limits_for_budget(config.getoption("exercise_timeout"))
    isolation = isolation_level(config.getoption("isolation"))
    report = config.getoption("report_json", None)
    # What torch imports lazily on first use (the meta device's checks import torch._dynamo),
    # imported here, once, so that no sandbox has to read it from disk behind its walls.
    import torch._dynamo  # noqa: F401

    config.stash[SANDBOXES] = {
        exercise.name: Sandbox(
            config.stash[IMPL_DIR],
            Path(tempfile.mkdtemp(prefix=f"sandbox-{exercise.name}-")),
            limits,
            exercise=exercise.name,
            functions=functions,
            cuda=config.getoption("device") == "cuda",
            isolation=isolation,
            on_crash=functools.partial(_report_crash, report, exercise.name),
        )
        for exercise in load_manifest()
    }
    config.stash[STARTED] = []
    config.stash[TIMED_OUT_EXERCISES] = set()
    sandboxes = config.stash[SANDBOXES]
    config.stash[ELSEWHERE] = Elsewhere(
        load=lambda name: SandboxedImplementation(sandboxes[name], name), error_text=error_text
    )


def _report_crash(report: str | None, exercise: str, reason: str) -> None:
    """The student's code of ``exercise`` ended its sandbox: into the report at once."""
    append_record(report, CRASH, {"exercise": exercise, "reason": reason})


def isolation_level(choice: str) -> Isolation:
    """``--isolation``: a level, or ``auto``, the strongest this host gives."""
    return strongest().level if choice == "auto" else Isolation(choice)


def limits_for_budget(seconds: float | None) -> Limits:
    """The sandbox's limits for an exercise budget of ``seconds`` (``--exercise-timeout``): the
    defaults, with CPU time enough for the budget to run out first, however long it is, so that
    code spinning past it is timed out, not killed as a crash by the CPU-time limit."""
    if not seconds:
        return DEFAULT_LIMITS
    cpu = max(DEFAULT_LIMITS.cpu_seconds, math.ceil(seconds + CALL_GRACE_SECONDS) + 60)
    return dataclasses.replace(DEFAULT_LIMITS, cpu_seconds=cpu)


def _functions_module(config: pytest.Config) -> Path | None:
    """The trusted functions module beside the session's test modules (grade runs trusted
    copies of the tests elsewhere), else beside the project's tests."""
    places = [Path(arg.split("::")[0]) for arg in config.args] + [TESTS_DIR]
    for place in places:
        folder = place if place.is_dir() else place.parent
        candidate = folder / f"{FUNCTIONS_MODULE}.py"
        if candidate.is_file():
            return candidate.resolve()
    return None


def pytest_runtest_setup(item: pytest.Item) -> None:
    _enter_exercise(item)


def pytest_unconfigure(config: pytest.Config) -> None:
    for sandbox in config.stash.get(SANDBOXES, {}).values():
        sandbox.close()
        shutil.rmtree(sandbox.workdir, ignore_errors=True)


def pytest_sessionfinish(session: pytest.Session) -> None:
    for name in session.config.stash.get(STARTED, []):
        _finish_exercise(session.config, name)


def _finish_exercise(config: pytest.Config, name: str) -> None:
    """Its tests are done: time its key function if asked (and if any test passed, and its code
    never crashed a sandbox), then close its sandbox, freeing what the student's code holds.
    Nothing the student's code does here (a stub, an error, a crash) may reach the tests that
    follow."""
    sandbox = config.stash[SANDBOXES][name]
    if _timed_out(config, name) or sandbox.closed:  # its last test may have run out of time
        return
    if sandbox.crashed:  # no fresh sandbox started just to time it
        sandbox.close()
        return
    sandbox.time_left = sandbox.wall_left = None  # not graded: only the per-call limit holds
    try:
        passed = gated_counts(config.stash[TALLY].get(name, []))[Outcome.PASSED]
        reference = SOLUTIONS_DIR
        if config.getoption("timings") and passed and (reference / f"{name}.py").is_file():
            _report_timing(config, name, sandbox, reference)
    finally:
        sandbox.close()


def _report_timing(config: pytest.Config, name: str, sandbox: Any, reference: Path) -> None:
    try:
        yours = sandbox.call(name, TIME, (), {})
        theirs = best_time(load_module(reference, name), name)
    except BaseException:  # a stub's skip, the student's error, a dead sandbox: no timing
        return
    if type(yours) is float and yours > 0:
        timing = {"exercise": name, "function": KEY_FUNCTIONS[name].label,
                  "yours": yours, "reference": theirs}  # fmt: skip
        append_record(config.getoption("report_json", None), TIMING, timing)


def _enter_exercise(item: pytest.Item) -> None:
    """With --sandbox: at an exercise's first test, close the sandboxes of the exercises already
    done (freeing their memory) and give this one its time limit; fail every test of an
    exercise that ran out of time (the timing model: :mod:`grader.core.limits`)."""
    sandboxes = item.config.stash.get(SANDBOXES, None)
    exercise = exercise_for_test_file(item.path)
    if sandboxes is None or exercise is None:
        return
    started = item.config.stash[STARTED]
    limit = item.config.getoption("exercise_timeout")
    if exercise.name not in started:
        for done in started:
            _finish_exercise(item.config, done)
        started.append(exercise.name)
        sandbox = sandboxes[exercise.name]
        sandbox.time_left = limit or None
        sandbox.wall_left = wall_allowance(limit) if limit else None
        sandbox.time_limit_message = time_limit_message(exercise.name, limit or 0)
    if _timed_out(item.config, exercise.name):
        pytest.fail(time_limit_message(exercise.name, limit or 0), pytrace=False)


def _timed_out(config: pytest.Config, name: str) -> bool:
    """Whether the exercise's calls ran out of time; reported (once) when they have."""
    sandbox = config.stash[SANDBOXES][name]
    out_of_time = any(
        left is not None and left <= 0 for left in (sandbox.time_left, sandbox.wall_left)
    )
    if not (sandbox.timed_out or out_of_time):
        return False
    if name not in config.stash[TIMED_OUT_EXERCISES]:
        config.stash[TIMED_OUT_EXERCISES].add(name)
        config.stash[SANDBOXES][name].close()
        limit = config.getoption("exercise_timeout")
        report = config.getoption("report_json", None)
        append_record(report, TIMEOUT, {"exercise": name, "seconds": limit})
    return True
