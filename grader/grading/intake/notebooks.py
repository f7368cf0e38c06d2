"""A single ``.ipynb`` file as one student's submission of one exercise (parsed, never run)."""

from __future__ import annotations

from pathlib import Path

from grader.core.ipynb import METADATA_KEY, exercise_of
from grader.grading.intake.acceptor import Acceptor, parse_notebook
from grader.grading.intake.folders import file_candidate
from grader.grading.intake.model import Unreadable, too_large


def unpack_notebook(path: Path, accept: Acceptor, names: list[str]) -> None:
    """A submission that is one notebook: its metadata says which exercise it is."""
    intake, limits = accept.intake, accept.limits
    candidate = file_candidate(path.parent, "", path.name, notebook=True)
    if candidate is None or candidate.problem is not None or candidate.read is None:
        intake.problems.append(candidate.problem if candidate else f"{path.name} is missing")
        return
    cap = limits.notebook_bytes
    if candidate.size > cap:
        intake.problems.append(too_large(candidate.label, cap, candidate.size))
        return
    try:
        data = candidate.read(cap + 1)
    except Unreadable as error:
        intake.problems.append(str(error))
        return
    accept.read_so_far += len(data)
    if len(data) > cap:
        intake.problems.append(too_large(candidate.label, cap))
        return
    notebook = parse_notebook(path.name, data, intake.problems.append)
    if notebook is None:
        return
    declared = exercise_of(notebook)
    if declared not in names:
        what = "names no exercise" if declared is None else f"names {declared!r}, no exercise"
        intake.problems.append(
            f"{path.name} is a notebook on its own, so its metadata must say which exercise it "
            f'is, and its "{METADATA_KEY}" entry {what} of this course. Submit the notebook '
            "made by `python -m grader notebooks`, or put it, named like "
            f"01_{names[0]}.ipynb, in a folder named after you. Nothing was graded."
        )
        return
    accept.accept_parsed_notebook(declared, path.name, notebook)
