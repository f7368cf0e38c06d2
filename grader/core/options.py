"""What every command line of the grader shares: argument types that name the bad value, the
help layout that shows each option's default, the help of ``--impl`` (the reference only where
this copy has it) and progress bars (on a terminal only). Imports only grader.core.paths.

A type function runs inside argparse, so a bad value is reported with the option it was given
to, before any work starts::

    python -m grader grade SUBMISSIONS --out OUT --jobs 0
    error: argument --jobs: must be a positive integer, got '0'

A check written after parsing would have to name the option by hand, and one command would
forget; these are reused by every option that takes a count, a size, a rate or a duration.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from grader.core.paths import instructor_copy

if TYPE_CHECKING:
    from tqdm import tqdm


def positive_int(text: str) -> int:
    """An integer of 1 or more (a count of jobs, epochs, a batch size)."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a positive integer, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be a positive integer, got {text!r}")
    return value


def positive_float(text: str) -> float:
    """A finite number above 0 (seconds, a learning rate)."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a positive number, got {text!r}") from None
    if not 0 < value < float("inf"):
        raise argparse.ArgumentTypeError(f"must be a positive number, got {text!r}")
    return value


class HelpFormatter(argparse.HelpFormatter):
    """``--help`` with each option's default, "(default: 2)", unless its help already says
    it. Flags (default False) and options with no default (None, an empty list) get nothing:
    "(default: False)" would only be noise."""

    def _get_help_string(self, action: argparse.Action) -> str | None:
        text = action.help or ""
        default = action.default
        if "default" in text or default is None or default is False or default == []:
            return action.help
        if default == argparse.SUPPRESS:
            return action.help
        if not action.option_strings and action.nargs not in ("?", "*"):
            return action.help  # a required positional argument has no default to show
        return f"{text} (default: %(default)s)".lstrip()


def impl_help() -> str:
    """The help of an ``--impl`` option: the student's own code, the reference where this copy
    has it (:func:`grader.core.paths.instructor_copy`), or a folder of exercise files."""
    if instructor_copy():
        return "exercises (yours), solutions (the reference) or a directory"
    return "exercises (yours) or a directory"


def progress_bar(iterable: Any = None, **options: Any) -> tqdm:
    """A tqdm progress bar that is drawn only where its stream (stderr unless ``file=``) is a
    terminal: in a log, a pipe or a CI run, a redrawn bar is only noise (tqdm's
    ``disable=None``). Its ``write`` prints either way."""
    from tqdm import tqdm  # imported when a bar is made: a command without one starts faster

    return tqdm(iterable, disable=None, **options)
