"""How a class is graded: one frozen object for a whole run, the same for every student.

It gives the parts of the run's fingerprint (:func:`scored`, what a stored result was graded
with: :mod:`grader.grading.fingerprint`) and the choices that change what the formats write
(:func:`format_options`), so neither is assembled by hand anywhere else.

Here too: ``--hidden-visibility`` (grade, autograde, gradescope; its choices are the results'
formats', which grader/core/options.py cannot import) and the one rule that refuses a
visibility with hidden tests (:func:`hidden_visibility_problem`).
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from grader.core.devices import GRADED_DEVICES
from grader.core.isolation import Isolation, Walls
from grader.core.limits import DEFAULT_TIMEOUT
from grader.results.formats import Options
from grader.results.gradescope import DEFAULT_VISIBILITY, VISIBILITIES


@dataclass(frozen=True)
class RunSettings:
    timeout: float = DEFAULT_TIMEOUT  # seconds of the student's own time per exercise
    device: str = GRADED_DEVICES[0]  # which tests count (grader/core/devices.py)
    hidden: tuple[Path, ...] = ()  # folders of hidden test modules (--tests)
    show_hidden: bool = False  # show hidden tests' inputs, expected values and hints
    hidden_visibility: str = DEFAULT_VISIBILITY  # Gradescope's, of the hidden tests' entries
    walls: Walls = Walls(Isolation.PROCESS)  # noqa: RUF009  (frozen) how student code is walled in

    def scored(self) -> dict[str, Any]:
        """Every setting that changes a result or a file written from it: part of the run's
        fingerprint (the hidden tests count through their content, not their folders)."""
        return {
            "device": self.device,
            "timeout": self.timeout,
            "show_hidden": self.show_hidden,
            "hidden_visibility": self.hidden_visibility,
            "isolation": self.walls.describe(),
        }

    def format_options(self) -> Options:
        """The choices that change what the per-student formats write."""
        return Options(self.hidden_visibility, self.show_hidden)


def add_hidden_visibility_option(parser: argparse.ArgumentParser) -> None:
    """``--hidden-visibility``: Gradescope's visibility of the hidden tests' entries in
    results.json (:mod:`grader.results.gradescope`)."""
    parser.add_argument(
        "--hidden-visibility",
        choices=VISIBILITIES,
        default=DEFAULT_VISIBILITY,
        help="Gradescope's visibility of the hidden tests' entries in results.json "
        "(default: %(default)s)",
    )


def hidden_visibility_problem(visibility: str, hidden: Sequence[Path]) -> str | None:
    """Why hidden tests (the ``--tests`` folders ``hidden``) cannot be graded with Gradescope's
    ``visibility`` (None: they can). Gradescope hides a student's total while an entry is
    after_due_date or after_published, but not for a ``hidden`` entry, which its specs keep
    for tests that carry no points; every hidden test carries its share of its function's
    points (grader/core/scoring.py), so the total would show them at once."""
    if visibility != "hidden" or not hidden:
        return None
    return (
        "--hidden-visibility hidden would show the hidden tests' points in the student's total "
        "at once (Gradescope hides the total only while an entry is after_due_date or "
        "after_published): use after_due_date or after_published"
    )
