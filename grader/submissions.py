"""Intake of a class's submissions for the grader: find them, then copy out the exercise files.

``python -m grader grade SUBMISSIONS --out OUT`` starts here. SUBMISSIONS holds one entry per
student: a folder of exercise files (flat, or under ``exercises/``) or a ``.zip`` of one (flat,
under ``exercises/``, or wrapped in one top-level folder). :func:`discover` lists them and
:func:`unpack` copies one submission's exercise modules, flat, into a fresh directory that the
grader then runs the tests on (``--impl=DIR``).

A submission is untrusted data. This module lists, reads, parses (``ast.parse`` and
``compile``, which build code objects but run nothing) and copies bytes; it never imports or
executes anything a student wrote. The threats it addresses:

- Code running at intake: modules are parsed only, never imported or executed.
- Smuggled test configuration or code: only the files ``<exercise>.py`` named in the manifest
  are copied, flat; a submission's ``conftest.py``, ``pytest.ini``, ``setup.cfg``, ``*.pth``,
  ``tests/``, ``__init__.py``, other modules and data files never reach the grading directory.
- Path traversal ("zip slip"): archive entries are never extracted by their own names (no
  ``extractall``); entries with absolute paths, ``..``, drive letters, backslashes or control
  characters are skipped and reported, and every copy is written to ``destination/<name>.py``.
- Links to files that are not the student's own, such as the reference solutions: symbolic
  links (in archives, Unix mode ``S_IFLNK``; in folders, the file itself or the ``exercises``
  folder) are never followed or copied.
- Resource exhaustion (zip bombs, lying size headers, enormous archives): every read is bounded
  (1 MiB per module file, 16 MiB in all), at most 200 entries are considered, and an archive
  whose directory lists more than 10,000 entries or 4 MiB is refused before it is opened.
- Broken or hostile archives: a damaged, truncated, encrypted or non-zip file is a problem of
  that submission, never an exception that stops the grading of the whole class.
- One submission silently replacing another: two entries with the same student id are both
  reported and neither is graded.
- Stale files from an earlier run being graded: :func:`unpack` wants an empty destination.

Signature check (a decision): each public function of the stub ``exercises/<name>.py`` must be
defined by the student with a call-compatible signature: the stub's positional parameters with
the same names, in the same order and of a kind that accepts the same calls; its ``*args``,
``**kwargs`` and keyword-only parameters by name (in any order). Default *values* are ignored
(the tests judge behaviour), but a parameter that has a default in the stub must keep one, since
the tests may leave it out. Extra parameters are allowed when they have defaults; extra
functions, helpers and imports are allowed. A missing function or a differing signature is
reported for that exercise and the module is still copied (its other functions count); a module
that is not UTF-8 or does not compile is not copied, and its exercise is reported as that.

Jupyter notebooks (``.ipynb``) are accepted as well (see :mod:`grader.core.ipynb`, which parses
them as JSON and never runs them):

- In a folder or a zip, an exercise's notebook is ``<exercise>.ipynb`` or, as
  ``python -m grader notebooks`` names them, ``NN_<exercise>.ipynb`` (``01_activations.ipynb``),
  flat or under ``exercises/``, like the ``.py`` files. Where both ``activations.py`` and a
  notebook of activations exist, the ``.py`` file is graded and a note says so. A notebook whose
  metadata names another exercise (``metadata.exercise``) is reported, not graded.
- A single ``.ipynb`` file in SUBMISSIONS is one student's submission of one exercise: the
  student id is the file name without ``.ipynb`` and the exercise is the one its metadata names
  (a notebook without that metadata is reported, not graded).
- The module graded is the notebook's exercise cells (cells tagged ``exercise``; all code cells
  where none is tagged) joined in order, with IPython magics and shell lines commented out line
  for line; a cell that starts with a cell magic (``%%time``) is left out whole, and that is
  reported for the exercise. It then goes through the same compile and signature checks. A
  notebook may be up to 4 MiB (outputs included); an invalid one (not JSON, not a notebook,
  another nbformat version) is a problem of that exercise, with a message saying what to do.
"""

from __future__ import annotations

import ast
import os
import re
import stat
import struct
import zipfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, BinaryIO, Literal

from grader.core.ipynb import (
    METADATA_KEY,
    NotebookError,
    exercise_code,
    exercise_of,
    read_notebook,
)
from grader.core.manifest import load_manifest
from grader.core.paths import handout_stubs
from grader.core.text import shorten

__all__ = [
    "STUBS_DIR",
    "Intake",
    "IntakeError",
    "Limits",
    "Submission",
    "discover",
    "unpack",
]

STUBS_DIR = handout_stubs()
EXERCISES_FOLDER = "exercises"  # where a submission may keep its module files

Kind = Literal["directory", "zip", "notebook"]


class IntakeError(Exception):
    """A mistake of the grader's caller (no SUBMISSIONS folder, a used destination, broken
    stubs), as opposed to a problem of one submission, which is reported, never raised."""


@dataclass(frozen=True)
class Limits:
    """Bounds on what one submission may cost to read (resource exhaustion, zip bombs)."""

    module_bytes: int = 1 << 20  # one exercise file, uncompressed
    notebook_bytes: int = 4 << 20  # one exercise notebook (its outputs count), uncompressed
    entries: int = 200  # archive entries (or folder entries) looked at
    total_bytes: int = 16 << 20  # bytes read from one submission, in all
    archive_listed: int = 10_000  # entries an archive may list before it is refused unopened
    archive_directory_bytes: int = 4 << 20  # size of an archive's central directory, likewise


@dataclass(frozen=True)
class Submission:
    """One entry of SUBMISSIONS. ``problems``: why it cannot be graded at all (a duplicate
    student id, a symbolic link); such a submission is reported as an error, never unpacked."""

    student: str
    path: Path
    kind: Kind
    problems: tuple[str, ...] = ()


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


# ----------------------------------------------------------------------------- discovery


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


# ----------------------------------------------------------------------------- unpacking


def unpack(
    submission: Submission,
    destination: Path,
    *,
    stubs: Path = STUBS_DIR,
    limits: Limits | None = None,
) -> Intake:
    """Copy the exercise modules of ``submission``, flat, into ``destination``; report the rest.

    ``destination`` must not exist or be empty (so no file of an earlier run is graded); it is
    created. Only ``<name>.py`` for the exercise names of the manifest is copied, and only after
    it was read within ``limits``, decoded as UTF-8 and compiled (never run); its functions are
    checked against the stub ``stubs/<name>.py``. Problems of the submission are returned in the
    :class:`Intake`, never raised; :class:`IntakeError` means a mistake of the caller.
    """
    limits = limits or Limits()
    destination = Path(destination)
    if destination.is_symlink() or (
        destination.exists() and (not destination.is_dir() or any(destination.iterdir()))
    ):
        raise IntakeError(
            f"the destination {destination} must be a new or empty folder (files of an earlier "
            "run must not be graded as this submission's)"
        )
    names = [exercise.name for exercise in load_manifest()]
    signatures = {name: _stub_signatures(stubs / f"{name}.py") for name in names}
    destination.mkdir(parents=True, exist_ok=True)

    intake = Intake(submission)
    if submission.problems:
        intake.problems.extend(submission.problems)
        return intake
    accept = _Acceptor(intake, destination, signatures, limits)
    if submission.kind == "notebook":
        _unpack_notebook(submission.path, accept, names)
        return intake
    if submission.kind == "zip":
        _unpack_zip(submission.path, accept, names, limits)
    else:
        _unpack_directory(submission.path, accept, names, limits)
    elsewhere = [
        label
        for label, name in accept.misplaced
        if name not in intake.modules and name not in intake.module_problems
    ]
    hint = (
        f"found {_listing(elsewhere)}, but only files named exactly like the stubs "
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


@dataclass
class _Candidate:
    """Where one exercise's file sits in a submission. ``problem`` when it cannot be used (a
    link, a folder, too large, duplicated); otherwise ``read(n)`` returns at most n bytes."""

    label: str  # its path inside the submission, for messages
    problem: str | None = None
    read: Callable[[int], bytes] | None = None
    size: int = 0  # what the file system or the archive's header claims; reads are bounded too
    notebook: bool = False  # a Jupyter notebook (.ipynb), not a module


class _Unreadable(Exception):
    """Reading one file of a submission failed: the message says why, for the student."""


class _Acceptor:
    """Checks and copies chosen exercise files, within the submission's read budget."""

    def __init__(
        self,
        intake: Intake,
        destination: Path,
        signatures: dict[str, dict[str, ast.arguments]],
        limits: Limits,
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

    def take(self, name: str, candidates: dict[str, _Candidate]) -> None:
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

    def _either(self, nested: _Candidate | None, flat: _Candidate | None) -> _Candidate | None:
        if nested and flat:
            self.intake.notes.append(
                f"both {flat.label} and {nested.label} exist: {nested.label} was graded and "
                f"{flat.label} ignored. Keep only one copy."
            )
        return nested or flat

    def _read(self, name: str, candidate: _Candidate) -> bytes | None:
        """Read at most the per-file limit, and never past the submission's total budget."""
        assert candidate.read is not None
        cap = self.limits.notebook_bytes if candidate.notebook else self.limits.module_bytes
        left = self.limits.total_bytes - self.read_so_far
        if candidate.size > cap:
            self.intake.module_problem(name, _too_large(candidate.label, cap, candidate.size))
            return None
        if left <= 0 or candidate.size > left:
            self._over_budget(name, candidate.label)
            return None
        try:
            data = candidate.read(min(cap, left) + 1)
        except _Unreadable as error:
            self.intake.module_problem(name, str(error))
            return None
        self.read_so_far += len(data)
        if len(data) > cap:
            self.intake.module_problem(name, _too_large(candidate.label, cap))
            return None
        if len(data) > left:
            self._over_budget(name, candidate.label)
            return None
        return data

    def _over_budget(self, name: str, label: str) -> None:
        limit = _size(self.limits.total_bytes)
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
        notebook = _parse_notebook(label, data, lambda text: self.intake.module_problem(name, text))
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
        tree, fatal = _compile(label, data)
        if tree is None:
            self.intake.module_problem(name, fatal or f"{label} could not be compiled")
            return
        for message in _signature_problems(label, tree, self.signatures[name], name):
            self.intake.module_problem(name, message)
        target = self.destination / f"{name}.py"
        with open(target, "xb") as copy:  # "x": never through a link or over a file
            copy.write(data)
        self.intake.modules[name] = target


# ----------------------------------------------------------------------------- zip archives

_EOCD = struct.Struct("<4s4H2LH")  # end of central directory record (22 bytes)
_EOCD_SIGNATURE = b"PK\x05\x06"
_DRIVE = re.compile(r"^[A-Za-z]:")
_JUNK = ("__MACOSX", ".DS_Store")  # what archivers add; skipped without a note
# A link swapped in after a check is refused (O_NOFOLLOW); opening a FIFO does not hang.
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_NONBLOCK = getattr(os, "O_NONBLOCK", 0)


def _unpack_zip(path: Path, accept: _Acceptor, names: list[str], limits: Limits) -> None:
    intake = accept.intake
    archive_name = path.name
    try:
        descriptor = os.open(path, os.O_RDONLY | _NOFOLLOW | _NONBLOCK)
    except OSError as error:
        intake.problems.append(
            f"{archive_name} could not be opened ({error.strerror}); a symbolic link is never "
            "followed"
        )
        return
    with open(descriptor, "rb") as handle:
        info = os.fstat(descriptor)
        if not stat.S_ISREG(info.st_mode):
            intake.problems.append(f"{archive_name} is not a regular file: it was not opened")
            return
        refusal = _archive_refusal(handle, info.st_size, limits)
        if refusal is not None:
            intake.problems.append(f"{archive_name} {refusal}")
            return
        try:
            archive = zipfile.ZipFile(handle)
        except Exception as error:  # any failure to read a hostile file is that file's problem
            intake.problems.append(
                f"{archive_name} is not a valid zip archive ({_reason(error)}): it may be "
                "damaged, truncated or another kind of file renamed .zip. Re-create it with "
                "your system's Compress / zip command and submit it again."
            )
            return
        with archive:
            entries = archive.infolist()
            if len(entries) > limits.entries:
                intake.problems.append(
                    f"{archive_name} holds {len(entries)} entries; only the first "
                    f"{limits.entries} were looked at, so exercise files after them were not "
                    "found. Zip only your exercise files, not the whole project (.git, .venv)."
                )
                entries = entries[: limits.entries]
            _take_from_archive(archive, entries, accept, names)


def _archive_refusal(handle: BinaryIO, size: int, limits: Limits) -> str | None:
    """Why the archive is refused before ``zipfile`` reads its whole central directory into
    memory (a crafted directory listing millions of entries), or None."""
    tail = min(size, _EOCD.size + 0xFFFF)
    handle.seek(size - tail)
    data = handle.read(tail)
    at = data.rfind(_EOCD_SIGNATURE)
    if at < 0 or len(data) - at < _EOCD.size:
        return None  # no end record: zipfile reports it as not a zip archive
    fields = _EOCD.unpack_from(data, at)
    listed, directory_bytes = fields[4], fields[5]
    if listed > limits.archive_listed or directory_bytes > limits.archive_directory_bytes:
        return (
            f"lists {listed} entries in {_size(directory_bytes)} (at most "
            f"{limits.archive_listed} entries and {_size(limits.archive_directory_bytes)} are "
            "accepted): it was not opened. Zip only your exercise files."
        )
    return None


def _unsafe_name(name: str) -> str | None:
    """Why an entry's name could write outside the destination if extracted, or None."""
    if not name:
        return "has an empty name"
    if not name.isprintable():
        return "has control characters in its name"
    if "\\" in name:
        return "has a backslash in its name (a Windows path that could climb out of the folder)"
    if name.startswith("/"):
        return "is an absolute path"
    if _DRIVE.match(name):
        return "starts with a drive letter"
    if ".." in name.split("/"):
        return "climbs out of the folder with '..'"
    return None


def _unsafe_type(entry: zipfile.ZipInfo) -> str | None:
    mode = entry.external_attr >> 16
    if stat.S_ISLNK(mode):
        return "is a symbolic link (it could point at files that are not yours)"
    if stat.S_IFMT(mode) not in (0, stat.S_IFREG, stat.S_IFDIR):
        return "is not a regular file (a device, a FIFO or a socket)"
    return None


def _parts(name: str) -> list[str]:
    return [part for part in name.split("/") if part not in ("", ".")]


def _is_folder(entry: zipfile.ZipInfo) -> bool:
    return entry.filename.endswith("/") or stat.S_ISDIR(entry.external_attr >> 16)


def _take_from_archive(
    archive: zipfile.ZipFile,
    entries: list[zipfile.ZipInfo],
    accept: _Acceptor,
    names: list[str],
) -> None:
    intake = accept.intake
    unsafe: list[str] = []
    usable: list[tuple[zipfile.ZipInfo, list[str], str | None]] = []  # entry, parts, type issue
    for entry in entries:
        reason = _unsafe_name(entry.filename)
        if reason is not None:
            unsafe.append(f"{entry.filename!r} ({reason})")
            continue
        parts = _parts(entry.filename)
        if not parts or parts[0] == _JUNK[0] or parts[-1] == _JUNK[1]:
            continue
        usable.append((entry, parts, _unsafe_type(entry)))

    files = {f"{name}.py": name for name in names}
    wrapper = _wrapper(
        ((parts[0], len(parts) > 1 or _is_folder(entry)) for entry, parts, _ in usable), files
    )
    base = [wrapper] if wrapper else []  # e.g. carol/exercises/mlp.py
    candidates: dict[str, dict[str, _Candidate]] = {name: {} for name in names}
    ignored: list[str] = []
    for entry, parts, type_issue in usable:
        rel = parts[len(base) :] if parts[: len(base)] == base else None
        slot = _slot(rel, files) if rel is not None else None
        if slot is None:
            if type_issue is not None:
                unsafe.append(f"{entry.filename!r} ({type_issue})")
            elif not _is_folder(entry) and not any(p.startswith(".") for p in parts):
                ignored.append(entry.filename)
                accept.look_alike(entry.filename, parts[-1], files)
            continue
        name, where, depth = slot
        label = "/".join(parts[: len(base) + depth])
        known = candidates[name].get(where)
        if depth < len(rel or ()) or _is_folder(entry):  # activations.py/ is a folder
            if known is None:
                candidates[name][where] = _Candidate(
                    label, f"{label} is a folder, not a file: put the code in a file {label}"
                )
        elif type_issue is not None:
            candidates[name][where] = _Candidate(
                label, f"{label} {type_issue}: it was skipped. Submit the file itself."
            )
        elif known is not None and known.label != label:  # two notebooks of one exercise
            candidates[name][where] = _Candidate(
                label, _two_notebooks(known.label, label, name), notebook=True
            )
        elif known is not None:
            candidates[name][where] = _Candidate(
                label,
                f"{label} appears more than once in the archive, so which one you meant is "
                "unclear: it was skipped. Re-create the zip from your files.",
            )
        else:
            candidates[name][where] = _Candidate(
                label,
                read=_zip_reader(archive, entry),
                size=entry.file_size,
                notebook=where.endswith("notebook"),
            )
    if unsafe:
        intake.problems.append(
            f"skipped {_count(len(unsafe), 'unsafe archive entry', 'unsafe archive entries')}, "
            f"never extracted: {_listing(unsafe)}. "
            "Zip only your exercise files, with paths inside the archive."
        )
    if ignored:
        intake.notes.append(_ignored_note(ignored, names))
    for name in names:
        accept.take(name, candidates[name])


def _wrapper(tops: Iterable[tuple[str, bool]], files: dict[str, str]) -> str | None:
    """The one folder a submission is wrapped in, or None. ``tops``: (name, is a folder) of
    each top-level item. A wrapper is the only visible top-level folder, when nothing sits at the
    top where exercise files go (no exercise file, no exercises/ folder); loose files beside it
    (a README) do not matter."""
    folders: set[str] = set()
    for top, is_folder in tops:
        if top.startswith(".") or top in _JUNK:
            continue
        if top in files or top == EXERCISES_FOLDER or _notebook_for(top, files):
            return None
        if is_folder:
            folders.add(top)
    return folders.pop() if len(folders) == 1 else None


def _slot(rel: list[str], files: dict[str, str]) -> tuple[str, str, int] | None:
    """(exercise, "flat" | "nested", how many parts name the file) when ``rel`` is an
    exercise file, or sits inside a folder named like one; else None."""
    if rel and rel[0] in files:
        return files[rel[0]], "flat", 1
    if len(rel) >= 2 and rel[0] == EXERCISES_FOLDER and rel[1] in files:
        return files[rel[1]], "nested", 2
    if rel and (name := _notebook_for(rel[0], files)):
        return name, "flat-notebook", 1
    if len(rel) >= 2 and rel[0] == EXERCISES_FOLDER and (name := _notebook_for(rel[1], files)):
        return name, "nested-notebook", 2
    return None


_NOTEBOOK_NAME = re.compile(r"^(?:\d+[_-])?(\w+)\.ipynb$")


def _notebook_for(basename: str, files: dict[str, str]) -> str | None:
    """The exercise whose notebook ``basename`` is (``activations.ipynb`` or, as generated,
    ``01_activations.ipynb``), or None. ``files``: exercise file name -> exercise."""
    found = _NOTEBOOK_NAME.match(basename)
    return found.group(1) if found and f"{found.group(1)}.py" in files else None


def _zip_reader(archive: zipfile.ZipFile, entry: zipfile.ZipInfo) -> Callable[[int], bytes]:
    label = entry.filename

    def read(limit: int) -> bytes:
        if entry.flag_bits & 0x1:
            raise _Unreadable(f"{label} is encrypted: zip it again without a password")
        try:
            with archive.open(entry) as stream:
                # Inflates at most `limit` bytes, or one byte past what the header claims (zipfile
                # stops there, and fails the CRC check if the data was longer).
                return stream.read(min(limit, entry.file_size + 1))
        except Exception as error:  # bad CRC, truncated data, unknown compression, ...
            raise _Unreadable(
                f"{label} could not be read from the archive ({_reason(error)}): the archive is "
                "damaged. Re-create it and submit it again."
            ) from None

    return read


# ----------------------------------------------------------------------------- notebooks


def _two_notebooks(first: str, second: str, name: str) -> str:
    return (
        f"{first} and {second} are both notebooks of {name}, so which one you meant is unclear: "
        "neither was graded. Keep only one."
    )


def _parse_notebook(label: str, data: bytes, report: Callable[[str], None]) -> Any | None:
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


def _unpack_notebook(path: Path, accept: _Acceptor, names: list[str]) -> None:
    """A submission that is one notebook: its metadata says which exercise it is."""
    intake, limits = accept.intake, accept.limits
    candidate = _file_candidate(path.parent, "", path.name, notebook=True)
    if candidate is None or candidate.problem is not None or candidate.read is None:
        intake.problems.append(candidate.problem if candidate else f"{path.name} is missing")
        return
    cap = limits.notebook_bytes
    if candidate.size > cap:
        intake.problems.append(_too_large(candidate.label, cap, candidate.size))
        return
    try:
        data = candidate.read(cap + 1)
    except _Unreadable as error:
        intake.problems.append(str(error))
        return
    accept.read_so_far += len(data)
    if len(data) > cap:
        intake.problems.append(_too_large(candidate.label, cap))
        return
    notebook = _parse_notebook(path.name, data, intake.problems.append)
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


# ----------------------------------------------------------------------------- folders


def _unpack_directory(path: Path, accept: _Acceptor, names: list[str], limits: Limits) -> None:
    intake = accept.intake
    kind = _kind(path)
    if kind != "dir":
        what = "a symbolic link" if kind == "link" else "not a folder"
        intake.problems.append(f"{path.name} is {what}: it was not read")
        return
    files = {f"{name}.py": name for name in names}
    listing = _list(path, limits, intake)
    base, shown = path, ""
    wrapper = _wrapper(((n, k in ("dir", "link")) for n, k in listing), files)
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
        name = _notebook_for(basename, files)
        if where is not None and name is not None:
            notebooks[name].setdefault(f"{where}-notebook", []).append(basename)
            graded.add(label)
    ignored: list[str] = []
    for label, kind in listing:
        basename = label.rsplit("/", 1)[-1]
        if label in graded or basename.startswith(".") or basename in _JUNK:
            continue
        ignored.append(f"{label}/" if kind == "dir" else label)
        accept.look_alike(label, basename, files)
    if ignored:
        intake.notes.append(_ignored_note(ignored, names))
    for name in names:
        candidates: dict[str, _Candidate] = {}
        if nested_kind == "dir":
            found = _file_candidate(nested_dir, f"{shown}{EXERCISES_FOLDER}/", f"{name}.py")
            if found is not None:
                candidates["nested"] = found
        found = _file_candidate(base, shown, f"{name}.py")
        if found is not None:
            candidates["flat"] = found
        for where, basenames in notebooks[name].items():
            folder, prefix = (
                (nested_dir, f"{shown}{EXERCISES_FOLDER}/") if where.startswith("nested")
                else (base, shown)
            )  # fmt: skip
            if len(basenames) > 1:
                first, second = sorted(basenames)[:2]
                message = _two_notebooks(f"{prefix}{first}", f"{prefix}{second}", name)
                candidates[where] = _Candidate(f"{prefix}{first}", message, notebook=True)
            else:
                found = _file_candidate(folder, prefix, basenames[0], notebook=True)
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


def _list(folder: Path, limits: Limits, intake: Intake) -> list[tuple[str, str]]:
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


def _file_candidate(
    folder: Path, shown: str, filename: str, notebook: bool = False
) -> _Candidate | None:
    path = folder / filename
    label = f"{shown}{filename}"
    try:
        info = os.lstat(path)
    except FileNotFoundError:
        return None
    except OSError as error:
        return _Candidate(label, f"{label} could not be read ({error.strerror})")
    if stat.S_ISLNK(info.st_mode):
        return _Candidate(
            label,
            f"{label} is a symbolic link: it was skipped (it could point at files that are not "
            "yours, such as the reference solutions). Submit the file itself.",
        )
    if stat.S_ISDIR(info.st_mode):
        return _Candidate(label, f"{label} is a folder, not a file: put the code in {label}")
    if not stat.S_ISREG(info.st_mode):
        return _Candidate(label, f"{label} is not a regular file: it was skipped")
    return _Candidate(label, read=_file_reader(path, label), size=info.st_size, notebook=notebook)


def _file_reader(path: Path, label: str) -> Callable[[int], bytes]:
    def read(limit: int) -> bytes:
        try:
            descriptor = os.open(path, os.O_RDONLY | _NOFOLLOW | _NONBLOCK)
        except OSError as error:
            raise _Unreadable(f"{label} could not be read ({error.strerror})") from None
        with open(descriptor, "rb") as stream:
            if not stat.S_ISREG(os.fstat(descriptor).st_mode):
                raise _Unreadable(f"{label} is not a regular file: it was skipped")
            return stream.read(limit)

    return read


# ----------------------------------------------------------------------------- source checks


# The file name given to the parser. On a syntax error CPython reads the offending line back
# from the file of that name, relative to the working directory: with the student's path
# ("solutions/activations.py") that could be a reference file, shown in a message. No file has
# this name, and the line is taken from the student's own bytes.
_NO_FILE = "<submitted file>"


def _compile(label: str, data: bytes) -> tuple[ast.Module | None, str | None]:
    """(its syntax tree, None), or (None, why it cannot be loaded at all: not UTF-8, NUL bytes,
    does not compile). ``compile`` builds a code object, as ``py_compile`` does, and runs
    nothing; it also finds what the parser alone lets through (``return`` outside a function,
    a duplicate parameter name)."""
    basename = label.rsplit("/", 1)[-1]
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as error:
        line, column = _position(data, error.start)
        return None, (
            f"{label} is not UTF-8 text: byte 0x{data[error.start]:02x} at line {line}, column "
            f"{column} (byte offset {error.start}) cannot be decoded. Save the file as UTF-8 "
            "(most editors: Save with Encoding > UTF-8); until then this exercise cannot be "
            "graded."
        )
    if b"\x00" in data:
        line, column = _position(data, data.index(b"\x00"))
        return None, (
            f"{label} contains a NUL byte (0x00) at line {line}, column {column}: it is not a "
            "text file. Submit the Python source itself."
        )
    try:
        tree = ast.parse(data, filename=_NO_FILE)
        compile(tree, _NO_FILE, "exec", dont_inherit=True)
    except SyntaxError as error:
        where = f"line {error.lineno}" if error.lineno else "an unknown line"
        if error.lineno and error.offset:
            where += f", column {error.offset}"
        text = _line(data, error.lineno).strip()  # not error.text: see _NO_FILE
        shown = f" in `{shorten(text, 100)}`" if text else ""
        check = (
            "run its exercise cells in Jupyter to see where"
            if basename.lower().endswith(".ipynb")
            else f"check with `python -m py_compile {basename}`"
        )
        return None, (
            f"{label}, {where}: {type(error).__name__}: {error.msg}{shown}. Fix it ({check}); "
            "until it compiles this exercise cannot be graded."
        )
    except (RecursionError, MemoryError):
        return None, f"{label} is nested too deeply for Python to compile: simplify it"
    return tree, None


def _line(data: bytes, lineno: int | None) -> str:
    lines = data.decode("utf-8", "replace").splitlines()
    return lines[lineno - 1] if lineno and 0 < lineno <= len(lines) else ""


def _position(data: bytes, offset: int) -> tuple[int, int]:
    line_start = data.rfind(b"\n", 0, offset) + 1
    return data.count(b"\n", 0, offset) + 1, offset - line_start + 1


@lru_cache(maxsize=64)
def _stub_parse(path: Path, mtime_ns: int, size: int) -> dict[str, ast.arguments]:
    try:
        tree = ast.parse(path.read_bytes(), filename=str(path))
    except (OSError, SyntaxError, ValueError) as error:
        raise IntakeError(
            f"the stub {path} cannot be read or parsed ({error}); regenerate the stubs with "
            "`python -m grader stubs`"
        ) from None
    return {
        node.name: node.args
        for node in tree.body
        if isinstance(node, ast.FunctionDef) and not node.name.startswith("_")
    }


def _stub_signatures(path: Path) -> dict[str, ast.arguments]:
    """The public functions of a (trusted) stub: name -> parameters."""
    try:
        info = path.stat()
    except OSError:
        raise IntakeError(
            f"the stub {path} is missing; regenerate the stubs with `python -m grader stubs`"
        ) from None
    return _stub_parse(path, info.st_mtime_ns, info.st_size)


def _top_level(body: Iterable[ast.stmt]) -> Iterator[ast.stmt]:
    """Module-level statements, including those in if/try/with/for/while blocks (where a def
    still binds a module-level name), but not inside functions or classes."""
    for node in body:
        yield node
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            continue
        for block in ("body", "orelse", "finalbody"):
            yield from _top_level(getattr(node, block, []) or [])
        for handler in getattr(node, "handlers", []) or []:
            yield from _top_level(handler.body)
        for case in getattr(node, "cases", []) or []:
            yield from _top_level(case.body)


_Binding = ast.arguments | Literal["async", "other"]


def _bindings(tree: ast.Module) -> tuple[dict[str, _Binding], bool]:
    """Module-level names -> the parameters of the def (or lambda) that binds them last, or
    how else they are bound; and whether a ``from ... import *`` hides what is bound."""
    bound: dict[str, _Binding] = {}
    star = False

    def names_in(target: ast.expr) -> Iterator[str]:
        if isinstance(target, ast.Name):
            yield target.id
        elif isinstance(target, ast.Tuple | ast.List):
            for element in target.elts:
                yield from names_in(element)
        elif isinstance(target, ast.Starred):
            yield from names_in(target.value)

    for node in _top_level(tree.body):
        if isinstance(node, ast.FunctionDef):
            bound[node.name] = node.args
        elif isinstance(node, ast.AsyncFunctionDef):
            bound[node.name] = "async"
        elif isinstance(node, ast.ClassDef):
            bound[node.name] = "other"
        elif isinstance(node, ast.Assign | ast.AnnAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                for name in names_in(target):
                    bound[name] = "other"
                if isinstance(target, ast.Name) and isinstance(node.value, ast.Lambda):
                    bound[target.id] = node.value.args  # f = lambda x: ...: checked like a def
        elif isinstance(node, ast.Import | ast.ImportFrom):
            for alias in node.names:
                if alias.name == "*":
                    star = True
                else:
                    bound[alias.asname or alias.name.split(".")[0]] = "other"
    return bound, star


@dataclass(frozen=True)
class _Param:
    name: str
    kind: Literal["positional-only", "positional", "keyword-only"]
    default: ast.expr | None

    def shown(self) -> str:
        if self.default is None:
            return self.name
        return f"{self.name}={shorten(ast.unparse(self.default), 30)}"


def _params(args: ast.arguments) -> tuple[list[_Param], list[_Param], str | None, str | None]:
    """(positional, keyword-only, *name, **name) of a parameter list."""
    positional_args = [*args.posonlyargs, *args.args]
    defaults: list[ast.expr | None] = [None] * (len(positional_args) - len(args.defaults))
    defaults += args.defaults
    positional = [
        _Param(arg.arg, "positional-only" if i < len(args.posonlyargs) else "positional", d)
        for i, (arg, d) in enumerate(zip(positional_args, defaults, strict=True))
    ]
    keyword = [
        _Param(arg.arg, "keyword-only", d)
        for arg, d in zip(args.kwonlyargs, args.kw_defaults, strict=True)
    ]
    return (
        positional,
        keyword,
        args.vararg.arg if args.vararg else None,
        args.kwarg.arg if args.kwarg else None,
    )


def _render(function: str, args: ast.arguments) -> str:
    positional, keyword, star, double = _params(args)
    shown: list[str] = []
    for i, param in enumerate(positional):
        shown.append(param.shown())
        if param.kind == "positional-only" and (
            i + 1 == len(positional) or positional[i + 1].kind != "positional-only"
        ):
            shown.append("/")
    if star:
        shown.append(f"*{star}")
    elif keyword:
        shown.append("*")
    shown += [param.shown() for param in keyword]
    if double:
        shown.append(f"**{double}")
    return f"{function}({', '.join(shown)})"


def _differences(stub: ast.arguments, mine: ast.arguments) -> list[str]:
    """How ``mine`` fails to accept every call that ``stub`` accepts (defaults' values aside)."""
    s_pos, s_kw, s_star, s_double = _params(stub)
    m_pos, m_kw, m_star, m_double = _params(mine)
    found: list[str] = []

    def needs_default(expected: _Param, param: _Param) -> None:
        if expected.default is not None and param.default is None:
            found.append(
                f"`{param.name}` has no default (the stub's is {expected.shown()}), so calls "
                "that leave it out fail"
            )

    for i, expected in enumerate(s_pos):
        if i >= len(m_pos):
            found.append(f"parameter `{expected.name}` is missing")
            continue
        param = m_pos[i]
        if param.name != expected.name:
            found.append(
                f"parameter {i + 1} is `{param.name}` where the stub has `{expected.name}`"
            )
        elif expected.kind == "positional" and param.kind == "positional-only":
            found.append(f"`{param.name}` is positional-only, so it cannot be passed by name")
        else:
            needs_default(expected, param)
    extra_positional = m_pos[len(s_pos) :]
    by_name = {param.name: param for param in m_kw}
    by_name.update({p.name: p for p in extra_positional if p.kind == "positional"})
    for expected in s_kw:
        param = by_name.get(expected.name)
        if param is None:
            found.append(f"keyword-only parameter `{expected.name}` is missing")
        else:
            needs_default(expected, param)
    expected_names = {param.name for param in (*s_pos, *s_kw)}
    for param in (*extra_positional, *m_kw):
        if param.name not in expected_names and param.default is None:
            found.append(f"extra parameter `{param.name}` has no default, so the tests lack it")
    if s_star and not m_star:
        found.append(f"`*{s_star}` is missing")
    if s_double and not m_double:
        found.append(f"`**{s_double}` is missing")
    return found


def _signature_problems(
    label: str, tree: ast.Module, stub: dict[str, ast.arguments], exercise: str
) -> list[str]:
    bound, star = _bindings(tree)
    problems: list[str] = []
    for function, expected in stub.items():
        wanted = _render(function, expected)
        mine = bound.get(function)
        if mine is None:
            if not star:
                problems.append(
                    f"{label} defines no function {wanted}: keep every function of the stub "
                    f"exercises/{exercise}.py with its name and parameters. The other "
                    "functions are graded as usual."
                )
        elif mine == "async":
            problems.append(
                f"{label} defines {function}() with `async def`: the stub's {wanted} is a plain def"
            )
        elif isinstance(mine, ast.arguments):
            differences = _differences(expected, mine)
            if differences:
                problems.append(
                    f"{label}: {function}() does not match the stub: {'; '.join(differences)}. "
                    f"The stub has {wanted}, yours is {_render(function, mine)}: keep the "
                    "stub's parameter names, order and kinds (the tests pass some arguments "
                    "by name)."
                )
    return problems


# ----------------------------------------------------------------------------- messages


def _size(count: int) -> str:
    if count < 1024:
        return f"{count} bytes"
    for unit, scale in (("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if count >= scale:
            value = count / scale
            return f"{value:.0f} {unit}" if value == int(value) else f"{value:.1f} {unit}"
    raise AssertionError("unreachable")


def _too_large(label: str, limit: int, claimed: int | None = None) -> str:
    size = f" ({_size(claimed)})" if claimed is not None else ""
    if label.lower().endswith(".ipynb"):
        return (
            f"{label} is larger than {_size(limit)}{size}, the limit for one notebook: it was "
            "not read. Clear its outputs (Edit > Clear Outputs of All Cells), save it and submit "
            "it again."
        )
    return (
        f"{label} is larger than {_size(limit)}{size}, the limit for one exercise file: it was "
        "not read. Submit only your source code (no data or generated code in it)."
    )


def _reason(error: BaseException) -> str:
    text = str(error)
    return f"{type(error).__name__}: {shorten(text, 120)}" if text else type(error).__name__


def _count(count: int, one: str, many: str) -> str:
    return f"{count} {one if count == 1 else many}"


def _listing(items: list[str], shown: int = 12) -> str:
    head = ", ".join(items[:shown])
    return head + (f" and {len(items) - shown} more" if len(items) > shown else "")


def _ignored_note(ignored: list[str], names: list[str]) -> str:
    return (
        f"ignored {_count(len(ignored), 'entry', 'entries')} that are not exercise files (only "
        f"{', '.join(f'{name}.py' for name in names[:3])}, ... are graded; tests, "
        f"configuration and other files of a submission never run): {_listing(ignored)}"
    )
