"""How a command ends: its exit status, and the one way it says why it could not go on.

Every command of ``python -m grader`` returns one of these codes, and every error it reports
goes to stderr as one line that starts with ``grader:`` (:func:`error`), argparse's own
included (:class:`grader.core.options.CommandLine`)::

    python -m grader grade SUBMISSIONS --out OUT --device cuda
    grader: --device cuda: this machine has no CUDA device (grade on a GPU machine)

A score, however low, is not an error: a command that graded exits with :data:`OK`. Imports
nothing of grader.
"""

from __future__ import annotations

import sys

OK = 0  # the command did what it was asked (whatever the score)
FAILED = 1  # it started, and then failed: the student's code raised, grading did not complete
USAGE = 2  # it could not start: a bad argument, a missing folder or device (argparse's too)
SANDBOX_FAILED = 70  # a sandbox's own status when the grader's code failed in it (EX_SOFTWARE)
INTERRUPTED = 130  # stopped with Ctrl-C (128 + SIGINT), as shells report it

PREFIX = "grader: "


def error(message: str, code: int = USAGE) -> int:
    """Print ``grader: message`` to stderr and return ``code``, for a command to exit with::

    return error(f"--out {out} exists and is not a directory")
    """
    print(f"{PREFIX}{message}", file=sys.stderr)
    return code
