"""A student's result on disk (``grade.json``): written atomically, read back equal, so that
a killed run can resume; another format version is refused (:data:`model.FORMAT_VERSION`)."""

from __future__ import annotations

import json
import os
from pathlib import Path

from grader.core.files import atomic_write_bytes
from grader.results.model import SubmissionResult


def save_submission(result: SubmissionResult, path: str | os.PathLike[str]) -> None:
    """Store ``result`` as JSON (atomically); :func:`load_submission` reads it back equal.

    Non-ASCII text is written as UTF-8; a lone surrogate (undecodable bytes from a student's
    output) is written as its JSON escape ``\\udcXX``, which reads back as the same character.
    """
    text = json.dumps(result.to_json(), ensure_ascii=False, indent=1, allow_nan=False)
    atomic_write_bytes(path, (text + "\n").encode("utf-8", "backslashreplace"))


def load_submission(path: str | os.PathLike[str]) -> SubmissionResult:
    """Read a result written by :func:`save_submission`. A file that is not one (damaged, or
    from another format version) is a ValueError: grade that submission again."""
    try:
        data = json.loads(Path(path).read_bytes().decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as problem:
        raise ValueError(f"{path}: not a stored result ({problem})") from None
    return SubmissionResult.from_json(data)
