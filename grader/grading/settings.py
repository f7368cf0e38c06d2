"""How a class is graded: one frozen object for a whole run, the same for every student.

It gives the parts of the run's fingerprint (:func:`scored`, what a stored result was graded
with: :mod:`grader.grading.fingerprint`) and the choices that change what the formats write
(:func:`format_options`), so neither is assembled by hand anywhere else.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from grader.core.devices import GRADED_DEVICES
from grader.core.isolation import Isolation, Walls
from grader.core.limits import DEFAULT_TIMEOUT
from grader.results.formats import Options
from grader.results.gradescope import DEFAULT_VISIBILITY


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
        return Options(self.hidden_visibility)
