"""A folder as a submission: entries listed without following links, files opened with
``O_NOFOLLOW`` and read within the limits.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Callable
from pathlib import Path

from grader.grading.intake.acceptor import Acceptor
from grader.grading.intake.layout import JUNK, notebook_for, two_notebooks, wrapper_folder
from grader.grading.intake.model import (
    EXERCISES_FOLDER,
    NOFOLLOW,
    NONBLOCK,
    Candidate,
    Intake,
    IntakeLimits,
    Unreadable,
    ignored_note,
)


def unpack_directory(path: Path, accept: Acceptor, names: list[str], limits: IntakeLimits) -> None:
    intake = accept.intake
    kind = _kind(path)
    if kind != "dir":
        what = "a symbolic link" if kind == "link" else "not a folder"
        intake.problems.append(f"{path.name} is {what}: it was not read")
        return
    files = {f"{name}.py": name for name in names}
    listing = _list(path, limits, intake)
    base, shown = path, ""
    wrapper = wrapper_folder(((n, k in ("dir", "link")) for n, k in listing), files)
    if wrapper is not None:
        if _kind(path / wrapper) == "link":
            intake.problems.append(
                f"{wrapper} is a symbolic link: it was not followed (it could point at files "
                "that are not yours). Submit the folder itself."
            )
            return
        base, shown = path / wrapper, f"{wrapper}/"
        listing = [(n, k) for n, k in listing if n != wrapper]
        listing += [(f"{shown}{n}", k) for n, k in _list(base, limits, intake)]

    nested_dir = base / EXERCISES_FOLDER
    nested_kind = _kind(nested_dir)
    if nested_kind == "link":
        intake.problems.append(
            f"{shown}{EXERCISES_FOLDER} is a symbolic link: it was not followed (it could point "
            "at files that are not yours, such as the reference solutions). Submit the folder "
            "itself."
        )
    elif nested_kind == "dir":
        prefix = f"{shown}{EXERCISES_FOLDER}/"
        listing += [(f"{prefix}{n}", k) for n, k in _list(nested_dir, limits, intake)]

    graded = {f"{shown}{file}" for file in files}
    graded |= {f"{shown}{EXERCISES_FOLDER}/{file}" for file in files}
    graded.add(f"{shown}{EXERCISES_FOLDER}")
    notebooks: dict[str, dict[str, list[str]]] = {name: {} for name in names}
    for label, _ in listing:
        folder, _, basename = label.rpartition("/")
        where = {shown.rstrip("/"): "flat", f"{shown}{EXERCISES_FOLDER}": "nested"}.get(folder)
        name = notebook_for(basename, files)
        if where is not None and name is not None:
            notebooks[name].setdefault(f"{where}-notebook", []).append(basename)
            graded.add(label)
    ignored: list[str] = []
    for label, kind in listing:
        basename = label.rsplit("/", 1)[-1]
        if label in graded or basename.startswith(".") or basename in JUNK:
            continue
        ignored.append(f"{label}/" if kind == "dir" else label)
        accept.look_alike(label, basename, files)
    if ignored:
        intake.notes.append(ignored_note(ignored, names))
    for name in names:
        candidates: dict[str, Candidate] = {}
        if nested_kind == "dir":
            found = file_candidate(nested_dir, f"{shown}{EXERCISES_FOLDER}/", f"{name}.py")
            if found is not None:
                candidates["nested"] = found
        found = file_candidate(base, shown, f"{name}.py")
        if found is not None:
            candidates["flat"] = found
        for where, basenames in notebooks[name].items():
            folder, prefix = (
                (nested_dir, f"{shown}{EXERCISES_FOLDER}/") if where.startswith("nested")
                else (base, shown)
            )  # fmt: skip
            if len(basenames) > 1:
                first, second = sorted(basenames)[:2]
                message = two_notebooks(f"{prefix}{first}", f"{prefix}{second}", name)
                candidates[where] = Candidate(f"{prefix}{first}", message, notebook=True)
            else:
                found = file_candidate(folder, prefix, basenames[0], notebook=True)
                if found is not None:
                    candidates[where] = found
        accept.take(name, candidates)


def _kind(path: Path) -> str:
    """One of missing, link, dir, file, other; a link is never followed."""
    try:
        mode = os.lstat(path).st_mode
    except OSError:
        return "missing"
    if stat.S_ISLNK(mode):
        return "link"
    if stat.S_ISDIR(mode):
        return "dir"
    return "file" if stat.S_ISREG(mode) else "other"


def _list(folder: Path, limits: IntakeLimits, intake: Intake) -> list[tuple[str, str]]:
    """At most ``limits.entries`` (name, kind) of a folder, for notes and layout only: the
    exercise files themselves are looked up by their exact paths."""
    listing: list[tuple[str, str]] = []
    try:
        with os.scandir(folder) as scan:
            for entry in scan:
                if len(listing) == limits.entries:
                    intake.notes.append(
                        f"{folder.name} holds more than {limits.entries} entries; only the "
                        "first were listed (exercise files are still found by name)"
                    )
                    break
                listing.append((entry.name, _kind(Path(entry.path))))
    except OSError as error:
        intake.problems.append(f"{folder.name} could not be listed ({error.strerror})")
    return sorted(listing)


def file_candidate(
    folder: Path, shown: str, filename: str, notebook: bool = False
) -> Candidate | None:

    path = folder / filename
    label = f"{shown}{filename}"
    try:
        info = os.lstat(path)
    except FileNotFoundError:
        return None
    except OSError as error:
        return Candidate(label, f"{label} could not be read ({error.strerror})")
    if stat.S_ISLNK(info.st_mode):
        return Candidate(
            label,
            f"{label} is a symbolic link: it was skipped (it could point at files that are not "
            "yours, such as the reference solutions). Submit the file itself.",
        )
    if stat.S_ISDIR(info.st_mode):
        return Candidate(label, f"{label} is a folder, not a file: put the code in {label}")
    if not stat.S_ISREG(info.st_mode):
        return Candidate(label, f"{label} is not a regular file: it was skipped")
    return Candidate(label, read=_file_reader(path, label), size=info.st_size, notebook=notebook)


def _file_reader(path: Path, label: str) -> Callable[[int], bytes]:
    def read(limit: int) -> bytes:
        try:
            descriptor = os.open(path, os.O_RDONLY | NOFOLLOW | NONBLOCK)
        except OSError as error:
            raise Unreadable(f"{label} could not be read ({error.strerror})") from None
        with open(descriptor, "rb") as stream:
            if not stat.S_ISREG(os.fstat(descriptor).st_mode):
                raise Unreadable(f"{label} is not a regular file: it was skipped")
            return stream.read(limit)

    return read
