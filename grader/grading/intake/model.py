"""What intake works with: a submission, its limits, what unpacking made of it, and the messages
about it (a problem of one submission is reported, never raised).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from grader.core.paths import handout_stubs
from grader.core.text import shorten

STUBS_DIR = handout_stubs()
EXERCISES_FOLDER = "exercises"  # where a submission may keep its module files
Kind = Literal["directory", "zip", "notebook"]


class IntakeError(Exception):
    """A mistake of the grader's caller (no SUBMISSIONS folder, a used destination, broken
    stubs), as opposed to a problem of one submission, which is reported, never raised."""


@dataclass(frozen=True)
class IntakeLimits:
    """Bounds on what one submission may cost to read (resource exhaustion, zip bombs)."""

    module_bytes: int = 1 << 20  # one exercise file, uncompressed
    notebook_bytes: int = 4 << 20  # one exercise notebook (its outputs count), uncompressed
    entries: int = 200  # archive entries (or folder entries) looked at
    total_bytes: int = 16 << 20  # bytes read from one submission, in all
    archive_listed: int = 10_000  # entries an archive may list before it is refused unopened
    archive_directory_bytes: int = 4 << 20  # size of an archive's central directory, likewise


@dataclass(frozen=True)
class Submission:
    """One entry of SUBMISSIONS. ``problems``: why it cannot be graded at all (a symbolic link,
    a name with control characters); such a submission is reported as an error, never
    unpacked. ``remarks``: what its result must say though it is graded (the other entries of
    its student id, left out)."""

    student: str
    path: Path
    kind: Kind
    problems: tuple[str, ...] = ()
    remarks: tuple[str, ...] = ()


@dataclass
class Intake:
    """What :func:`unpack` made of one submission.

    ``modules``: exercise name -> its copy in the destination. ``problems``: about the whole
    submission (corrupt archive, nothing found, duplicate id, unsafe entries skipped, limits).
    ``module_problems``: per exercise (not UTF-8, syntax error, missing function, signature,
    a link, a folder or a file too large where its file should be). ``notes``: for information
    only (files ignored, which of two copies was taken); they do not affect the grade.
    """

    submission: Submission
    modules: dict[str, Path] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    module_problems: dict[str, list[str]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def module_problem(self, name: str, message: str) -> None:
        self.module_problems.setdefault(name, []).append(message)


@dataclass
class Candidate:
    """Where one exercise's file sits in a submission. ``problem`` when it cannot be used (a
    link, a folder, too large, duplicated); otherwise ``read(n)`` returns at most n bytes."""

    label: str  # its path inside the submission, for messages
    problem: str | None = None
    read: Callable[[int], bytes] | None = None
    size: int = 0  # what the file system or the archive's header claims; reads are bounded too
    notebook: bool = False  # a Jupyter notebook (.ipynb), not a module


class Unreadable(Exception):
    """Reading one file of a submission failed: the message says why, for the student."""


# A link swapped in after a check is refused (O_NOFOLLOW); opening a FIFO does not hang.
NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
NONBLOCK = getattr(os, "O_NONBLOCK", 0)


def size_text(count: int) -> str:
    if count < 1024:
        return f"{count} bytes"
    for unit, scale in (("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if count >= scale:
            value = count / scale
            return f"{value:.0f} {unit}" if value == int(value) else f"{value:.1f} {unit}"
    raise AssertionError("unreachable")


def too_large(label: str, limit: int, claimed: int | None = None) -> str:
    size = f" ({size_text(claimed)})" if claimed is not None else ""
    if label.lower().endswith(".ipynb"):
        return (
            f"{label} is larger than {size_text(limit)}{size}, the limit for one notebook: it was "
            "not read. Clear its outputs (Edit > Clear Outputs of All Cells), save it and submit "
            "it again."
        )
    return (
        f"{label} is larger than {size_text(limit)}{size}, the limit for one exercise file: it was "
        "not read. Submit only your source code (no data or generated code in it)."
    )


def reason_text(error: BaseException) -> str:
    text = str(error)
    return f"{type(error).__name__}: {shorten(text, 120)}" if text else type(error).__name__


def count_text(count: int, one: str, many: str) -> str:
    return f"{count} {one if count == 1 else many}"


def listing_text(items: list[str], shown: int = 12) -> str:
    head = ", ".join(items[:shown])
    return head + (f" and {len(items) - shown} more" if len(items) > shown else "")


def ignored_note(ignored: list[str], names: list[str]) -> str:
    return (
        f"ignored {count_text(len(ignored), 'entry', 'entries')} that are not exercise files (only "
        f"{', '.join(f'{name}.py' for name in names[:3])}, ... are graded; tests, "
        f"configuration and other files of a submission never run): {listing_text(ignored)}"
    )
