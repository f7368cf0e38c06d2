"""Copy one submission's exercise modules, flat, into a fresh directory: each candidate file is
read within the limits, compiled (never run) and checked against the stub's signatures.
"""

from __future__ import annotations

from pathlib import Path

from grader.core.manifest import load_manifest
from grader.grading.intake.acceptor import Acceptor
from grader.grading.intake.archives import unpack_zip
from grader.grading.intake.folders import unpack_directory
from grader.grading.intake.model import (
    EXERCISES_FOLDER,
    STUBS_DIR,
    Intake,
    IntakeError,
    IntakeLimits,
    Submission,
    listing_text,
)
from grader.grading.intake.notebooks import unpack_notebook
from grader.grading.intake.signatures import stub_signatures


def unpack(
    submission: Submission,
    destination: Path,
    *,
    stubs: Path = STUBS_DIR,
    limits: IntakeLimits | None = None,
) -> Intake:
    """Copy the exercise modules of ``submission``, flat, into ``destination``; report the rest.

    ``destination`` must not exist or be empty (so no file of an earlier run is graded); it is
    created. Only ``<name>.py`` for the exercise names of the manifest is copied, and only after
    it was read within ``limits``, decoded as UTF-8 and compiled (never run); its functions are
    checked against the stub ``stubs/<name>.py``. Problems of the submission are returned in the
    :class:`Intake`, never raised; :class:`IntakeError` means a mistake of the caller.
    """
    limits = limits or IntakeLimits()
    destination = Path(destination)
    if destination.is_symlink() or (
        destination.exists() and (not destination.is_dir() or any(destination.iterdir()))
    ):
        raise IntakeError(
            f"the destination {destination} must be a new or empty folder (files of an earlier "
            "run must not be graded as this submission's)"
        )
    names = [exercise.name for exercise in load_manifest()]
    signatures = {name: stub_signatures(stubs / f"{name}.py") for name in names}
    destination.mkdir(parents=True, exist_ok=True)

    intake = Intake(submission)
    if submission.problems:
        intake.problems.extend(submission.problems)
        return intake
    accept = Acceptor(intake, destination, signatures, limits)
    if submission.kind == "notebook":
        unpack_notebook(submission.path, accept, names)
        return intake
    if submission.kind == "zip":
        unpack_zip(submission.path, accept, names, limits)
    else:
        unpack_directory(submission.path, accept, names, limits)
    elsewhere = [
        label
        for label, name in accept.misplaced
        if name not in intake.modules and name not in intake.module_problems
    ]
    hint = (
        f"found {listing_text(elsewhere)}, but only files named exactly like the stubs "
        f"({names[0]}.py, ...) at the top of the submission or in {EXERCISES_FOLDER}/ are graded"
    )
    if not intake.modules and not intake.module_problems:
        examples = ", ".join(f"{name}.py" for name in names[:2])
        hint = f" ({hint})" if elsewhere else ""
        intake.problems.append(
            f"no exercise files found; expected files like {examples} (or notebooks like "
            f"01_{names[0]}.ipynb) at the top of the submission or in {EXERCISES_FOLDER}/{hint}. "
            "Nothing was graded."
        )
    elif elsewhere:
        intake.notes.append(f"{hint}: those were not graded")
    return intake
