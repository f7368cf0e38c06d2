"""Zip archives, read without extracting: every entry checked (names, types, sizes) before a
bounded read; a damaged, encrypted or hostile archive is a problem of that submission.
"""

from __future__ import annotations

import os
import re
import stat
import struct
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

from grader.grading.intake.acceptor import Acceptor
from grader.grading.intake.layout import JUNK, slot_of, two_notebooks, wrapper_folder
from grader.grading.intake.model import (
    NOFOLLOW,
    NONBLOCK,
    Candidate,
    IntakeLimits,
    Unreadable,
    count_text,
    ignored_note,
    listing_text,
    reason_text,
    size_text,
)

_EOCD = struct.Struct("<4s4H2LH")  # end of central directory record (22 bytes)
_EOCD_SIGNATURE = b"PK\x05\x06"
_DRIVE = re.compile(r"^[A-Za-z]:")


def unpack_zip(path: Path, accept: Acceptor, names: list[str], limits: IntakeLimits) -> None:
    intake = accept.intake
    archive_name = path.name
    try:
        descriptor = os.open(path, os.O_RDONLY | NOFOLLOW | NONBLOCK)
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
                f"{archive_name} is not a valid zip archive ({reason_text(error)}): it may be "
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


def _archive_refusal(handle: BinaryIO, size: int, limits: IntakeLimits) -> str | None:
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
            f"lists {listed} entries in {size_text(directory_bytes)} (at most "
            f"{limits.archive_listed} entries and {size_text(limits.archive_directory_bytes)} are "
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
    accept: Acceptor,
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
        if not parts or parts[0] == JUNK[0] or parts[-1] == JUNK[1]:
            continue
        usable.append((entry, parts, _unsafe_type(entry)))

    files = {f"{name}.py": name for name in names}
    wrapper = wrapper_folder(
        ((parts[0], len(parts) > 1 or _is_folder(entry)) for entry, parts, _ in usable), files
    )
    base = [wrapper] if wrapper else []  # e.g. carol/exercises/mlp.py
    candidates: dict[str, dict[str, Candidate]] = {name: {} for name in names}
    ignored: list[str] = []
    for entry, parts, type_issue in usable:
        rel = parts[len(base) :] if parts[: len(base)] == base else None
        slot = slot_of(rel, files) if rel is not None else None
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
                candidates[name][where] = Candidate(
                    label, f"{label} is a folder, not a file: put the code in a file {label}"
                )
        elif type_issue is not None:
            candidates[name][where] = Candidate(
                label, f"{label} {type_issue}: it was skipped. Submit the file itself."
            )
        elif known is not None and known.label != label:  # two notebooks of one exercise
            candidates[name][where] = Candidate(
                label, two_notebooks(known.label, label, name), notebook=True
            )
        elif known is not None:
            candidates[name][where] = Candidate(
                label,
                f"{label} appears more than once in the archive, so which one you meant is "
                "unclear: it was skipped. Re-create the zip from your files.",
            )
        else:
            candidates[name][where] = Candidate(
                label,
                read=_zip_reader(archive, entry),
                size=entry.file_size,
                notebook=where.endswith("notebook"),
            )
    if unsafe:
        intake.problems.append(
            f"skipped {count_text(len(unsafe), 'unsafe archive entry', 'unsafe archive entries')}, "
            f"never extracted: {listing_text(unsafe)}. "
            "Zip only your exercise files, with paths inside the archive."
        )
    if ignored:
        intake.notes.append(ignored_note(ignored, names))
    for name in names:
        accept.take(name, candidates[name])


def _zip_reader(archive: zipfile.ZipFile, entry: zipfile.ZipInfo) -> Callable[[int], bytes]:
    label = entry.filename

    def read(limit: int) -> bytes:
        if entry.flag_bits & 0x1:
            raise Unreadable(f"{label} is encrypted: zip it again without a password")
        try:
            with archive.open(entry) as stream:
                # Inflates at most `limit` bytes, or one byte past what the header claims (zipfile
                # stops there, and fails the CRC check if the data was longer).
                return stream.read(min(limit, entry.file_size + 1))
        except Exception as error:  # bad CRC, truncated data, unknown compression, ...
            raise Unreadable(
                f"{label} could not be read from the archive ({reason_text(error)}): the archive "
                "is damaged. Re-create it and submit it again."
            ) from None

    return read
