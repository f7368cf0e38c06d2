"""The code to compare: every exercise file of every submission, read through the grading intake.

The intake (:mod:`grader.grading.intake`) is the same as ``grade``'s: folders, zips and
notebooks are read as data within its limits, only ``<exercise>.py`` files (or a notebook's
exercise cells) are taken, and nothing is ever run. A submission intake refuses entirely (a
duplicate id, a link, no exercise file) is left out with a note; a module that only fails the
signature check is still compared, since a copy need not be a working one.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path

from grader.core.manifest import load_manifest
from grader.core.paths import handout_stubs
from grader.grading.intake.discovery import discover
from grader.grading.intake.model import EXERCISES_FOLDER, Submission
from grader.grading.intake.unpack import unpack


@dataclass(frozen=True)
class Source:
    """One exercise file to compare. ``label``: the student id (untrusted text), or
    ``<folder>/<student>`` for code from ``--against``; ``earlier``: such code, compared with the
    class but not with other earlier code."""

    label: str
    exercise: str
    text: str
    earlier: bool = False


def stub_texts() -> dict[str, str]:
    """The handed-out stub of each exercise (the boilerplate every student started from): in a
    release ``grader/handout/``, in the instructor's project ``exercises/``. A missing stub is
    empty: nothing of that exercise is then discounted."""
    folder = handout_stubs()
    texts = {}
    for exercise in load_manifest():
        path = folder / f"{exercise.name}.py"
        texts[exercise.name] = path.read_text(encoding="utf-8") if path.is_file() else ""
    return texts


def read_folder(folder: Path, notes: list[str], *, earlier: bool = False) -> list[Source]:
    """Every exercise file of the submissions in ``folder`` (one folder, zip or notebook per
    student, as for ``grade``). With ``earlier`` (``--against``), the labels are prefixed with
    the folder's name, and a folder that itself holds exercise files counts as one submission
    (public code, or a single earlier solution). Raises IntakeError when ``folder`` cannot be
    listed; problems of single submissions become ``notes``."""
    if earlier and _holds_exercise_files(folder):
        submissions = [Submission(folder.name, folder, "directory")]
        prefix = ""
    else:
        submissions = discover(folder, notes=notes)
        prefix = f"{folder.name}/" if earlier else ""
    sources: list[Source] = []
    with tempfile.TemporaryDirectory(prefix="similarity-") as scratch:
        for index, submission in enumerate(submissions):
            label = prefix + submission.student
            intake = unpack(submission, Path(scratch) / str(index))
            if not intake.modules:
                reason = "; ".join(intake.problems) or "no exercise files"
                notes.append(f"{label!r} left out: {reason}")
                continue
            for exercise, path in sorted(intake.modules.items()):
                text = path.read_text(encoding="utf-8")  # intake compiled it: it is UTF-8
                sources.append(Source(label, exercise, text, earlier))
    return sources


def _holds_exercise_files(folder: Path) -> bool:
    """``folder`` has ``<exercise>.py`` at its top or in ``exercises/``: it is one submission,
    not a folder of submissions."""
    names = [exercise.name for exercise in load_manifest()]
    return any(
        (place / f"{name}.py").is_file()
        for place in (folder, folder / EXERCISES_FOLDER)
        for name in names
    )
