"""Load one implementation of the exercises: ``exercises/``, ``solutions/`` or a submission.

An implementation is a directory of flat module files (``activations.py``, ``losses.py``, ...).
Each module is loaded from its own file under a private name, so whatever else is importable
(an installed package, another directory on ``sys.path``) never stands in for it. Its public
functions are wrapped so that the routines the exercise re-implements are forbidden while they
run (see :mod:`grader.check.forbidden`).
"""

from __future__ import annotations

import functools
import importlib.util
import inspect
import linecache
import sys
from collections.abc import Callable, Generator, Iterator
from contextlib import contextmanager
from pathlib import Path
from types import ModuleType
from typing import Any

import torch

from grader.check.forbidden import ForbiddenCallError, forbid
from grader.core.manifest import exercise_named
from grader.core.options import impl_help
from grader.core.outcomes import (
    ImplementationError,
    MissingFunction,
    NotAttempted,
    StubReached,
    raised_by_a_stub,
)
from grader.core.paths import EXERCISES_DIR, SOLUTIONS_DIR, instructor_copy

NAMED_IMPLEMENTATIONS = {
    "exercises": EXERCISES_DIR,
    "solutions": SOLUTIONS_DIR,
}


def resolve_impl(choice: str) -> Path:
    """``exercises`` | ``solutions`` | a directory path -> the directory."""
    path = NAMED_IMPLEMENTATIONS.get(choice, Path(choice).expanduser())
    if choice == "solutions" and not path.is_dir():
        raise ValueError(
            "--impl=solutions: this distribution has no solutions/ (the reference stays with "
            "the instructor); use --impl exercises, your own code"
        )
    if not path.is_dir():
        raise ValueError(
            f"--impl={choice!r}: expected {impl_help()} holding the exercise files "
            f"(activations.py, losses.py, ...), but {path} is not a directory"
        )
    return path.resolve()


def implementation_repr(name: str) -> str:
    """How an implementation of exercise ``name`` reads wherever a test shows its arguments (an
    assert's explanation, a Hypothesis example): the module, never an object's address."""
    return f"<{name}.py under test>"


def reference_hint() -> str:
    """Advice for a job (train, bench) that met a stub: watch the reference instead, where
    there is one (the instructor's project; a student release has no ``solutions/``)."""
    return " (try --impl solutions to watch the reference)" if instructor_copy() else ""


class Implementation:
    """A loaded exercise module: its public functions, guarded; ``.module`` is the raw module."""

    def __init__(
        self, name: str, module: ModuleType, forbidden: tuple[str, ...], autograd: bool = True
    ) -> None:
        self.name = name
        self.module = module
        self._forbidden = forbidden
        self._autograd = autograd
        self._wrappers: dict[str, Callable[..., Any]] = {}
        self._directory = Path(module.__file__ or ".").resolve().parent

    def call_many(
        self, function_name: str, calls: list[tuple[tuple[Any, ...], dict[str, Any]]]
    ) -> list[Any]:
        """``[function(*args, **kwargs) for args, kwargs in calls]``: the statistical tests call
        a function thousands of times; the sandbox runs such a batch in one round trip."""
        function = getattr(self, function_name)
        return [function(*args, **kwargs) for args, kwargs in calls]

    def chain(
        self, function_name: str, first: Any, calls: list[tuple[tuple[Any, ...], dict[str, Any]]]
    ) -> Iterator[Any]:
        """``current = first``, then ``current = function(current, *args, **kwargs)`` for each
        ``(args, kwargs)`` of ``calls``, yielding each ``current`` as it comes: an optimizer's
        trajectory, each step fed what the last one returned. Here each step runs when the
        next result is asked for; the sandbox runs the whole chain in one round trip instead
        (30 steps: 1 ms, not 30) and hands back each result as it was when returned."""
        function = getattr(self, function_name)
        current = first
        for args, kwargs in calls:
            current = function(current, *args, **kwargs)
            yield current

    def __repr__(self) -> str:
        return implementation_repr(self.name)

    def __getattr__(self, function_name: str) -> Callable[..., Any]:
        __tracebackhide__ = True
        function = getattr(self.module, function_name, None)
        if function_name.startswith("_") or not callable(function):
            raise MissingFunction(
                f"{self.name}.py defines no function {function_name}(): keep the names and "
                "signatures of the stub"
            )
        wrapper = self._wrappers.get(function_name)
        if wrapper is None or wrapper.__wrapped__ is not function:  # type: ignore[attr-defined]
            wrapper = self._wrappers[function_name] = self._guarded(function_name, function)
        return wrapper

    @contextmanager
    def _guard(self, function_name: str) -> Iterator[None]:
        """Autograd as the manifest says, forbidden routines swapped out, violations reported;
        a stub's NotImplementedError passed on as :class:`StubReached`."""
        with (
            torch.set_grad_enabled(self._autograd and torch.is_grad_enabled()),
            forbid(self._forbidden, vars(self.module)) as guard,
        ):
            try:
                yield
            except NotImplementedError as error:
                if not raised_by_a_stub(error, self._directory):
                    raise
                raise StubReached(str(error) or "still raises NotImplementedError") from None
        if guard.violations:  # the student's code caught our error and carried on
            raise ForbiddenCallError(
                f"{self.name}.{function_name}() called {guard.violations[0]}, which is not "
                "allowed in this exercise"
            )

    def _guarded(self, function_name: str, function: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(function)
        def guarded(*args: Any, **kwargs: Any) -> Any:
            with self._guard(function_name):
                result = function(*args, **kwargs)
            if inspect.isgenerator(result):  # its body runs as it is iterated: guard each step
                return self._guarded_steps(function_name, result)
            return result

        guarded.__signature__ = inspect.signature(function)  # type: ignore[attr-defined]
        return guarded

    def _guarded_steps(self, function_name: str, steps: Generator[Any, None, Any]) -> Iterator[Any]:
        while True:
            with self._guard(function_name):
                try:
                    item = next(steps)
                except StopIteration:
                    return
            yield item


def load_module(directory: Path, name: str) -> ModuleType:
    """Execute ``directory/name.py`` as a fresh module called ``impl_<name>``."""
    path = directory / f"{name}.py"
    if not path.is_file():
        raise NotAttempted(f"{path.name} is missing from {directory}: {name} not attempted")
    module_name = f"impl_{name}"
    spec = importlib.util.spec_from_file_location(module_name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module  # dataclasses and pickling look modules up by name
    try:
        spec.loader.exec_module(module)
    except NotImplementedError:
        raise
    except SyntaxError as error:
        raise ImplementationError(
            f"{path.name} does not parse: {error.msg} (line {error.lineno}). "
            "Run `python -m py_compile " + path.name + "` to see where."
        ) from None
    except BaseException as error:  # any failure on import is the student's to fix
        raise ImplementationError(
            f"importing {path.name} failed with {type(error).__name__}: {error}"
        ) from error
    finally:
        if sys.modules.get(module_name) is module:
            del sys.modules[module_name]
    return module


def student_line(error: BaseException, directory: Path) -> str:
    """Where in the student's files ``error`` was raised: ``at losses.py, line 12: <the line>``
    for the innermost frame in ``directory`` ("" when none is). Error messages point there
    rather than at a traceback through torch's internals."""
    where, frame = None, error.__traceback__
    while frame is not None:
        if Path(frame.tb_frame.f_code.co_filename).resolve().is_relative_to(directory.resolve()):
            where = frame
        frame = frame.tb_next
    if where is None:
        return ""
    filename = where.tb_frame.f_code.co_filename
    line = linecache.getline(filename, where.tb_lineno).strip()
    return f"at {Path(filename).name}, line {where.tb_lineno}: {line}"


def load(directory: Path, name: str) -> Implementation:
    """The exercise ``name`` from ``directory``, with its forbidden routines guarded."""
    exercise = exercise_named(name)
    return Implementation(
        name, load_module(directory, name), exercise.forbidden, autograd=exercise.autograd
    )
