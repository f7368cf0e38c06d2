"""Find the submissions: one per folder, ``.zip`` or ``.ipynb`` in SUBMISSIONS, by student id."""

from __future__ import annotations

import os
from pathlib import Path

from grader.grading.intake.model import IntakeError, Kind, Submission


def discover(submissions_dir: Path, *, notes: list[str] | None = None) -> list[Submission]:
    """The submissions in ``submissions_dir``, sorted by student id.

    Each folder, ``.zip`` or ``.ipynb`` file is one submission; its student id is its name
    without ``.zip`` or ``.ipynb``. Hidden entries and other files are not submissions: they are
    skipped, with a line appended to ``notes`` when given. Entries sharing a student id
    (``alice/`` and ``alice.zip``, or names differing only in case) all come back with a problem,
    so neither silently replaces the other. A symbolic link is not followed (it could point at
    the reference solutions): it comes back with a problem.
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
        is_zip_name = name.lower().endswith(".zip") and len(name) > len(".zip")
        is_notebook_name = name.lower().endswith(".ipynb") and len(name) > len(".ipynb")
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
        if kind == "zip" and is_zip_name:
            student = name[: -len(".zip")]
        elif kind == "notebook" and is_notebook_name:
            student = name[: -len(".ipynb")]
        if not student.isprintable():
            problems.append(
                f"the name {student!r} contains control characters: rename the submission"
            )
        found.append(Submission(student, path, kind, tuple(problems)))

    by_id: dict[str, list[Submission]] = {}
    for submission in found:
        by_id.setdefault(submission.student.casefold(), []).append(submission)
    result: list[Submission] = []
    for group in by_id.values():
        if len(group) == 1:
            result.extend(group)
            continue
        names = ", ".join(s.path.name for s in group)
        message = (
            f"{len(group)} submissions share the student id {group[0].student!r} ({names}): "
            "none of them was graded, so that one cannot silently replace another. Keep one "
            "and remove or rename the others."
        )
        result.extend(Submission(s.student, s.path, s.kind, (*s.problems, message)) for s in group)
    return sorted(result, key=lambda s: (s.student, s.path.name))
