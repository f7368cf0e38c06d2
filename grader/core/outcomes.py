"""How a test and an exercise end (:class:`Outcome`, :class:`ExerciseState`: the strings every
output spells), and how a student's code can end besides passing: what every layer shares.

A leaf module (pytest's ``_pytest/outcomes.py`` plays the same part): the test plugin, the
sandbox's child process and the grader all import it, and it imports nothing of grader and not
pytest, so the untrusted child can use it.
"""

from __future__ import annotations

import linecache
from enum import StrEnum
from pathlib import Path


class Outcome(StrEnum):
    """How one test ended, as the report, the stored results and every output spell it."""

    PASSED = "passed"
    FAILED = "failed"
    NOT_ATTEMPTED = "not attempted"  # it met a stub; also the prefix of its message
    ERROR = "error"  # its set-up failed
    SKIPPED = "skipped"  # it does not count (a CUDA test without a GPU, say)

    @property
    def counted(self) -> bool:
        """Whether it counts towards the score: every outcome but skipped."""
        return self is not Outcome.SKIPPED


class ExerciseState(StrEnum):
    """How the grading of one exercise went, as the stored results and every output spell it."""

    GRADED = "graded"  # its tests ran
    NOT_ATTEMPTED = "not attempted"  # no module, the untouched stub, or every test met a stub
    TIMEOUT = "timeout"  # it ran out of time
    CRASHED = "crashed"  # its code ended the process running it, or its tests could not all run
    INVALID = "invalid"  # its module was refused when taken in

    @property
    def abnormal(self) -> bool:
        """It was not graded normally: it timed out, crashed (its tests could not all run, or
        some failed because its code ended the process running it), or its module was
        invalid."""
        return self in (ExerciseState.TIMEOUT, ExerciseState.CRASHED, ExerciseState.INVALID)


# The message prefix of a submission whose grading failed through no fault of its code (a test
# process that died, a sandbox whose walls could not be put up): never stored as current, so
# the next run grades it again.
GRADER_FAULT = "grader fault"


class NotAttempted(NotImplementedError):
    """The implementation has no file for this exercise: nothing to grade yet."""


class StubReached(BaseException):
    """A stub's own ``raise NotImplementedError``, as the implementation's wrapper passes it
    on: a BaseException, like pytest's skip, so that no ``except Exception`` on the way (a
    property test's search for a smaller failing example, which took a minute over the stubs)
    takes it for a failure. The test plugin reports it as not attempted."""


class ImplementationError(Exception):
    """The student's module exists but cannot be loaded (syntax error, crash on import, ...)."""


class MissingFunction(AttributeError):
    """The student's module lacks a function the tests call."""


def raised_by_a_stub(error: BaseException, impl_dir: Path) -> bool:
    """A missing module, or a ``raise NotImplementedError`` written in the implementation itself
    (a stub). A NotImplementedError raised by torch (an op with no kernel for a device) is a real
    failure."""
    if isinstance(error, NotAttempted | StubReached):
        return True
    if not isinstance(error, NotImplementedError):
        return False
    innermost = error.__traceback__
    while innermost is not None and innermost.tb_next is not None:
        innermost = innermost.tb_next
    if innermost is None:
        return False
    filename = innermost.tb_frame.f_code.co_filename
    in_impl = Path(filename).resolve().is_relative_to(impl_dir)
    return in_impl and linecache.getline(filename, innermost.tb_lineno).lstrip().startswith("raise")
