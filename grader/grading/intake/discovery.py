"""Find the submissions: one per folder, ``.zip`` or ``.ipynb`` in SUBMISSIONS, by student id."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from grader.grading.intake.model import IntakeError, Kind, Submission

ZIP, NOTEBOOK = ".zip", ".ipynb"  # the file entries that are submissions, by name


def discover(submissions_dir: Path, *, notes: list[str] | None = None) -> list[Submission]:
    """The submissions in ``submissions_dir``, sorted by student id.

    Each folder, ``.zip`` or ``.ipynb`` file is one submission; its student id is its name
    without ``.zip`` or ``.ipynb``. Hidden entries and other files are not submissions: they are
    skipped, with a line appended to ``notes`` when given. Of entries sharing a student id
    (``alice/`` and ``alice.zip``, or names differing only in case) one comes back, never
    silently: :func:`one_per_student` says which. A symbolic link is not followed (it could
    point at the reference solutions): it comes back with a problem.
    """
    root = Path(submissions_dir)
    if not root.exists():
        raise IntakeError(
            f"the submissions folder {root} does not exist: pass the folder that holds one "
            "folder or .zip file per student"
        )
    if not root.is_dir():
        raise IntakeError(
            f"{root} is not a folder: pass the folder that holds one folder or .zip file per "
            "student (not a single submission)"
        )
    try:
        entries = sorted(os.scandir(root), key=lambda entry: entry.name)
    except OSError as error:
        raise IntakeError(f"cannot list the submissions folder {root}: {error}") from None

    def note(message: str) -> None:
        if notes is not None:
            notes.append(message)

    found: list[Submission] = []
    for entry in entries:
        name, path = entry.name, Path(entry.path)
        if name.startswith("."):
            note(f"ignored {name}: hidden entries are not submissions")
            continue
        is_zip_name = name.lower().endswith(ZIP) and len(name) > len(ZIP)
        is_notebook_name = name.lower().endswith(NOTEBOOK) and len(name) > len(NOTEBOOK)
        problems: list[str] = []
        if entry.is_symlink():
            kind: Kind = "zip" if is_zip_name else "notebook" if is_notebook_name else "directory"
            problems.append(
                f"{name} is a symbolic link: it was not followed (it could point at files that "
                "are not this student's). Copy the submission itself into the submissions folder."
            )
        elif entry.is_dir(follow_symlinks=False):
            kind = "directory"
        elif is_zip_name and entry.is_file(follow_symlinks=False):
            kind = "zip"
        elif is_notebook_name and entry.is_file(follow_symlinks=False):
            kind = "notebook"
        else:
            note(f"ignored {name}: a submission is a folder or a .zip file (or an .ipynb)")
            continue
        student = name
        if (kind == "zip" and is_zip_name) or (kind == "notebook" and is_notebook_name):
            student = without_suffix(name)
        if not student.isprintable():
            problems.append(
                f"the name {student!r} contains control characters: rename the submission"
            )
        found.append(Submission(student, path, kind, tuple(problems)))

    return one_per_student(found, note)


def without_suffix(name: str) -> str:
    """The student id an entry named ``name`` gives as a file: without ``.zip`` or ``.ipynb``
    (in any case)."""
    for suffix in (ZIP, NOTEBOOK):
        if name.lower().endswith(suffix) and len(name) > len(suffix):
            return name[: -len(suffix)]
    return name


def one_per_student(found: list[Submission], note: Callable[[str], None]) -> list[Submission]:
    """One submission per student id, sorted by id. Where entries share an id (names differing
    only in case are one id: some file systems do not tell them apart), the one graded is the
    first by name (byte order: ``ada`` before ``ada.zip``, ``Ada`` before ``ada``) of those
    without a problem of their own, else the first by name; it carries a remark (a problem, if
    it has problems already) naming every entry and the one graded, and the others are left
    out with a note. Deterministic: the same folder always grades the same entry."""
    by_id: dict[str, list[Submission]] = {}
    for submission in found:
        by_id.setdefault(submission.student.casefold(), []).append(submission)
    result: list[Submission] = []
    for group in by_id.values():
        chosen = min(group, key=lambda s: (bool(s.problems), s.path.name))
        if len(group) == 1:
            result.append(chosen)
            continue
        names = sorted(s.path.name for s in group)
        others = [name for name in names if name != chosen.path.name]
        taken = "was kept" if chosen.problems else "was graded"
        remark = (
            f"{len(group)} submissions share the student id {chosen.student!r} "
            f"({', '.join(names)}): {chosen.path.name} {taken} (the first by name of those "
            f"that can be taken in); {', '.join(others)} {'was' if len(others) == 1 else 'were'} "
            "not. Keep one and remove or rename the others."
        )
        for other in others:
            note(f"ignored {other}: {chosen.path.name} has the same student id and {taken}")
        if chosen.problems:
            result.append(replace(chosen, problems=(*chosen.problems, remark)))
        else:
            result.append(replace(chosen, remarks=(remark,)))
    return sorted(result, key=lambda s: (s.student, s.path.name))
