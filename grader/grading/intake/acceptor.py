"""Where every kind of submission (folder, zip, single notebook) hands its chosen exercise files:
:class:`Acceptor` reads each within the submission's budget, parses it (never runs it), checks it
against the stub's signatures and copies it. The modules that walk a kind of submission import
this one; :mod:`.unpack` builds the Acceptor and calls them.
"""

from __future__ import annotations

import ast
from collections.abc import Callable
from pathlib import Path
from typing import Any

from grader.core.ipynb import NotebookError, exercise_code, exercise_of, read_notebook
from grader.grading.intake.model import (
    Candidate,
    Intake,
    IntakeLimits,
    Unreadable,
    size_text,
    too_large,
)
from grader.grading.intake.signatures import compile_module, signature_problems


def parse_notebook(label: str, data: bytes, report: Callable[[str], None]) -> Any | None:
    """The parsed notebook, or None after reporting why it cannot be read (never raised)."""
    try:
        return read_notebook(data, label)
    except NotebookError as error:
        report(str(error))
    except ImportError:
        report(
            f"{label} is a notebook, but this grader cannot read notebooks: install its notebook "
            "support (pip install -e '.[notebooks]') and grade again"
        )
    return None


class Acceptor:
    """Checks and copies chosen exercise files, within the submission's read budget."""

    def __init__(
        self,
        intake: Intake,
        destination: Path,
        signatures: dict[str, dict[str, ast.arguments]],
        limits: IntakeLimits,
    ) -> None:
        self.intake = intake
        self.destination = destination
        self.signatures = signatures
        self.limits = limits
        self.read_so_far = 0
        self.budget_spent = False
        # (label, exercise) of files that look like an exercise's but are misnamed or misplaced
        self.misplaced: list[tuple[str, str]] = []

    def look_alike(self, label: str, basename: str, files: dict[str, str]) -> None:
        """Remember a file named like an exercise file (maybe in another case) that is not
        graded, to tell the student if that exercise is otherwise missing."""
        by_lower = {file.lower(): name for file, name in files.items()}
        if basename.lower() in by_lower:
            self.misplaced.append((label, by_lower[basename.lower()]))

    def take(self, name: str, candidates: dict[str, Candidate]) -> None:
        """Use ``exercises/<name>.py`` if present, else the flat one (noting the other); without
        a ``.py`` file, the exercise's notebook, nested or flat, likewise."""
        module = self._either(candidates.get("nested"), candidates.get("flat"))
        notebook = self._either(candidates.get("nested-notebook"), candidates.get("flat-notebook"))
        if module and notebook:
            self.intake.notes.append(
                f"both {module.label} and the notebook {notebook.label} exist: {module.label} "
                "was graded and the notebook ignored. Keep only one of them."
            )
        chosen = module or notebook
        if chosen is None:
            return
        if chosen.problem is not None:
            self.intake.module_problem(name, chosen.problem)
            return
        assert chosen.read is not None
        data = self._read(name, chosen)
        if data is None:
            return
        if chosen.notebook:
            self.accept_notebook(name, chosen.label, data)
        else:
            self._accept(name, chosen.label, data)

    def _either(self, nested: Candidate | None, flat: Candidate | None) -> Candidate | None:
        if nested and flat:
            self.intake.notes.append(
                f"both {flat.label} and {nested.label} exist: {nested.label} was graded and "
                f"{flat.label} ignored. Keep only one copy."
            )
        return nested or flat

    def _read(self, name: str, candidate: Candidate) -> bytes | None:
        """Read at most the per-file limit, and never past the submission's total budget."""
        assert candidate.read is not None
        cap = self.limits.notebook_bytes if candidate.notebook else self.limits.module_bytes
        left = self.limits.total_bytes - self.read_so_far
        if candidate.size > cap:
            self.intake.module_problem(name, too_large(candidate.label, cap, candidate.size))
            return None
        if left <= 0 or candidate.size > left:
            self._over_budget(name, candidate.label)
            return None
        try:
            data = candidate.read(min(cap, left) + 1)
        except Unreadable as error:
            self.intake.module_problem(name, str(error))
            return None
        self.read_so_far += len(data)
        if len(data) > cap:
            self.intake.module_problem(name, too_large(candidate.label, cap))
            return None
        if len(data) > left:
            self._over_budget(name, candidate.label)
            return None
        return data

    def _over_budget(self, name: str, label: str) -> None:
        limit = size_text(self.limits.total_bytes)
        if not self.budget_spent:
            self.budget_spent = True
            self.intake.problems.append(
                f"reading stopped after {limit}, the limit for one submission: submit only your "
                "exercise files"
            )
        self.intake.module_problem(
            name, f"{label} was not read: the submission reached the {limit} limit before it"
        )

    def accept_notebook(self, name: str, label: str, data: bytes) -> None:
        """Parse a notebook (never run it), check that it is this exercise's, take its code."""
        notebook = parse_notebook(label, data, lambda text: self.intake.module_problem(name, text))
        if notebook is not None:
            self.accept_parsed_notebook(name, label, notebook)

    def accept_parsed_notebook(self, name: str, label: str, notebook: Any) -> None:
        declared = exercise_of(notebook)
        if declared is not None and declared != name:
            self.intake.module_problem(
                name,
                f"{label} is the notebook of the exercise {declared!r} (its metadata says so), "
                f"not of {name}: it was not graded. Rename it, or submit the {name} notebook.",
            )
            return
        code, dropped = exercise_code(notebook)
        for message in dropped:
            self.intake.module_problem(name, f"{label}: {message}")
        self._accept(name, label, code.encode("utf-8"))

    def _accept(self, name: str, label: str, data: bytes) -> None:
        """Decode, compile (without running), compare to the stub; copy unless it cannot load."""
        tree, fatal = compile_module(label, data)
        if tree is None:
            self.intake.module_problem(name, fatal or f"{label} could not be compiled")
            return
        for message in signature_problems(label, tree, self.signatures[name], name):
            self.intake.module_problem(name, message)
        target = self.destination / f"{name}.py"
        with open(target, "xb") as copy:  # "x": never through a link or over a file
            copy.write(data)
        self.intake.modules[name] = target
