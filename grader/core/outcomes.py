"""How a student's code can end besides passing: the outcomes every layer shares.

A leaf module (pytest's ``_pytest/outcomes.py`` plays the same part): the test plugin, the
sandbox's child process and the grader all import it, and it imports nothing of grader and not
pytest, so the untrusted child can use it.
"""

from __future__ import annotations

import linecache
from pathlib import Path

NOT_ATTEMPTED = "not attempted"  # the outcome of a test that met a stub, and its message prefix
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
