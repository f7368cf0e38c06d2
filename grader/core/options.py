"""What every command line of the grader shares: the parser (its errors as every other error:
:mod:`grader.core.exits`), argument types that name the bad value, the help layout that shows
each option's default, the options several commands take (each defined once, here, with one
help text and one default) and progress bars (on a terminal only). Imports only grader.core
(paths, exits, devices, limits; walls when ``--isolation`` is added).

A type function runs inside argparse, so a bad value is reported with the option it was given
to, before any work starts::

    python -m grader grade SUBMISSIONS --out OUT --jobs 0
    grader: argument --jobs: must be a positive integer, got '0'

A check written after parsing would have to name the option by hand, and one command would
forget; these are reused by every option that takes a count, a size, a rate or a duration.

The shared options: ``--impl`` (check, notebooks, train, bench), ``--device`` in its two
meanings (the tests that count: check, grade, autograde and pytest; where to compute: train,
bench), ``--tests`` (grade, autograde, gradescope: one folder each, repeated for more),
``--jobs`` (grade, throughput), ``--timeout`` and ``--isolation`` (grade, autograde).
"""

from __future__ import annotations

import argparse
import math
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

from grader.core.devices import GRADED_DEVICES, local_devices
from grader.core.exits import error
from grader.core.limits import DEFAULT_TIMEOUT
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


def _number(text: str, fits: Callable[[float], bool], words: str) -> float:
    """``text`` as a finite number that ``fits``, or argparse's error saying ``words``."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be {words}, got {text!r}") from None
    if not (math.isfinite(value) and fits(value)):
        raise argparse.ArgumentTypeError(f"must be {words}, got {text!r}")
    return value


def positive_float(text: str) -> float:
    """A finite number above 0 (seconds, a learning rate)."""
    return _number(text, lambda value: value > 0, "a positive number")


def non_negative_float(text: str) -> float:
    """A finite number of 0 or more (minutes of grace)."""
    return _number(text, lambda value: value >= 0, "a number of 0 or more")


def percent(text: str) -> float:
    """A percentage, from 0 to 100 (a late penalty)."""
    return _number(text, lambda value: 0 <= value <= 100, "a percentage, 0 to 100")


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


class CommandLine(argparse.ArgumentParser):
    """argparse's parser, whose errors read as every other error of the grader: the usage,
    then ``grader: <what was wrong>`` on stderr, exit status :data:`grader.core.exits.USAGE`.
    The commands' parsers are of this class too (argparse makes a subparser of its parent's)."""

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(error(message))


def impl_help() -> str:
    """The help of an ``--impl`` option: the student's own code, the reference where this copy
    has it (:func:`grader.core.paths.instructor_copy`), or a folder of exercise files."""
    if instructor_copy():
        return "exercises (yours), solutions (the reference) or a directory"
    return "exercises (yours) or a directory"


# The help of ``--device`` where it chooses the tests that count (grader/core/devices.py); the
# pytest plugin's option shows it too.
GRADED_DEVICE_HELP = (
    "the tests that count: cpu (the same tests on every machine) or cuda (the CPU and the CUDA "
    "tests; refuses to start without a GPU)"
)


def add_impl_option(parser: argparse.ArgumentParser) -> None:
    """``--impl``: whose exercise files a job or a test run uses; the student's own by default."""
    parser.add_argument("--impl", default="exercises", help=impl_help())


def add_graded_device_option(parser: argparse.ArgumentParser) -> None:
    """``--device`` of check, grade and autograde: which tests count (the CPU tests by default,
    on every machine; the machine never decides)."""
    parser.add_argument(
        "--device", choices=GRADED_DEVICES, default=GRADED_DEVICES[0], help=GRADED_DEVICE_HELP
    )


def add_compute_device_option(parser: argparse.ArgumentParser, *, several: bool = False) -> None:
    """``--device`` of train and bench: where to compute, checked when the job starts
    (:func:`grader.core.devices.unavailable_device`). One device, by default the last of this
    machine's (a GPU where there is one); ``several`` (bench): one or more, by default each
    of this machine's, timed one after the other."""
    devices = local_devices()
    parser.add_argument(
        "--device",
        nargs="+" if several else None,
        default=devices if several else devices[-1],
        help="where to compute: cpu, cuda, cuda:1 or mps",
    )


def add_tests_option(parser: argparse.ArgumentParser) -> None:
    """``--tests DIR``: a folder of hidden test modules; repeated for several folders (one
    folder per ``--tests``, so that it never takes a positional argument as a folder)."""
    parser.add_argument(
        "--tests",
        type=Path,
        action="append",
        default=[],
        metavar="DIR",
        help="a folder of hidden test modules, test_<exercise>_<anything>.py; repeat for more",
    )


def add_jobs_option(parser: argparse.ArgumentParser) -> None:
    """``--jobs``: how many submissions are graded at once."""
    parser.add_argument("--jobs", type=positive_int, default=2, help="submissions graded at once")


def add_timeout_option(parser: argparse.ArgumentParser) -> None:
    """``--timeout``: each exercise's budget of the student's own time
    (:mod:`grader.core.limits`)."""
    parser.add_argument(
        "--timeout",
        type=positive_float,
        default=DEFAULT_TIMEOUT,
        help="seconds of the student's own time per exercise (its time limit)",
    )


def add_isolation_option(parser: argparse.ArgumentParser) -> None:
    """``--isolation``: how the operating system keeps student code apart
    (:mod:`grader.core.isolation`; chosen by :mod:`grader.grading.isolation_level`)."""
    from grader.core.walls import Isolation  # the commands that grade need it; no others

    parser.add_argument(
        "--isolation",
        choices=["auto", *Isolation],
        default="auto",
        help="how the operating system keeps student code apart (docs/GRADER.md): auto, the "
        "strongest this host gives (namespaces, else uid), refusing to start where neither is "
        "possible; or a level by name (process: process-level isolation only, enough for a "
        "self-check of one's own code). Said in every output",
    )


def progress_bar(iterable: Any = None, **options: Any) -> tqdm:
    """A tqdm progress bar that is drawn only where its stream (stderr unless ``file=``) is a
    terminal: in a log, a pipe or a CI run, a redrawn bar is only noise (tqdm's
    ``disable=None``). Its ``write`` prints either way."""
    from tqdm import tqdm  # imported when a bar is made: a command without one starts faster

    return tqdm(iterable, disable=None, **options)
