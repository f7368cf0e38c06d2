"""Where a submission's files may sit: flat, under ``exercises/``, or inside one wrapper folder;
and how an exercise's notebook may be named (``activations.ipynb``, ``01_activations.ipynb``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from grader.grading.intake.model import EXERCISES_FOLDER

JUNK = ("__MACOSX", ".DS_Store")  # what archivers add; skipped without a note


def wrapper_folder(tops: Iterable[tuple[str, bool]], files: dict[str, str]) -> str | None:
    """The one folder a submission is wrapped in, or None. ``tops``: (name, is a folder) of
    each top-level item. A wrapper is the only visible top-level folder, when nothing sits at the
    top where exercise files go (no exercise file, no exercises/ folder); loose files beside it
    (a README) do not matter."""
    folders: set[str] = set()
    for top, is_folder in tops:
        if top.startswith(".") or top in JUNK:
            continue
        if top in files or top == EXERCISES_FOLDER or notebook_for(top, files):
            return None
        if is_folder:
            folders.add(top)
    return folders.pop() if len(folders) == 1 else None


def slot_of(rel: list[str], files: dict[str, str]) -> tuple[str, str, int] | None:
    """(exercise, "flat" | "nested", how many parts name the file) when ``rel`` is an
    exercise file, or sits inside a folder named like one; else None."""
    if rel and rel[0] in files:
        return files[rel[0]], "flat", 1
    if len(rel) >= 2 and rel[0] == EXERCISES_FOLDER and rel[1] in files:
        return files[rel[1]], "nested", 2
    if rel and (name := notebook_for(rel[0], files)):
        return name, "flat-notebook", 1
    if len(rel) >= 2 and rel[0] == EXERCISES_FOLDER and (name := notebook_for(rel[1], files)):
        return name, "nested-notebook", 2
    return None


_NOTEBOOK_NAME = re.compile(r"^(?:\d+[_-])?(\w+)\.ipynb$")


def notebook_for(basename: str, files: dict[str, str]) -> str | None:
    """The exercise whose notebook ``basename`` is (``activations.ipynb`` or, as generated,
    ``01_activations.ipynb``), or None. ``files``: exercise file name -> exercise."""
    found = _NOTEBOOK_NAME.match(basename)
    return found.group(1) if found and f"{found.group(1)}.py" in files else None


def two_notebooks(first: str, second: str, name: str) -> str:
    return (
        f"{first} and {second} are both notebooks of {name}, so which one you meant is unclear: "
        "neither was graded. Keep only one."
    )
