"""Files written atomically: a reader (or a resumed run) sees the old file or the new one,
never half of one. Imports nothing of grader."""

from __future__ import annotations

import io
import os
import tempfile
from contextlib import suppress
from pathlib import Path
from typing import Any


def atomic_write_bytes(path: str | os.PathLike[str], data: bytes) -> None:
    """Write ``data`` to ``path`` atomically: a temporary file in the same directory, flushed
    and fsynced, then ``os.replace``. On any error the temporary file is removed and a previous
    ``path`` is left as it was. Missing parent directories are created; the file gets mode
    0o644, or the mode of the file it replaces."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        mode = path.stat().st_mode & 0o7777
    except FileNotFoundError:
        mode = 0o644
    descriptor, temporary = tempfile.mkstemp(
        dir=path.parent, prefix=f".{path.name}.", suffix=".tmp"
    )
    try:
        with os.fdopen(descriptor, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(temporary, mode)
        os.replace(temporary, path)
    except BaseException:
        with suppress(OSError):
            os.unlink(temporary)
        raise
    _fsync_directory(path.parent)


def atomic_write_text(path: str | os.PathLike[str], text: str) -> None:
    """:func:`atomic_write_bytes` of ``text`` in UTF-8, newlines written as they are."""
    atomic_write_bytes(path, text.encode("utf-8"))


def _fsync_directory(directory: Path) -> None:
    """Make the rename durable (POSIX); a platform that cannot open directories skips it."""
    try:
        descriptor = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(descriptor)
    except OSError:
        pass
    finally:
        os.close(descriptor)


class UnreadableFile(ValueError):
    """A file given as input that cannot be read as text; the message is one line."""


def read_utf8(path: Path, what: str) -> str:
    """The UTF-8 text of an input file ``path`` (with or without the byte-order mark Excel
    writes); :class:`UnreadableFile` naming ``what`` and ``path`` when it is missing,
    unreadable or not UTF-8."""
    try:
        return path.read_bytes().decode("utf-8-sig")
    except FileNotFoundError:
        raise UnreadableFile(f"{what} {path}: no such file") from None
    except OSError as problem:
        raise UnreadableFile(f"{what} {path}: cannot read it ({problem.strerror})") from None
    except UnicodeDecodeError:
        raise UnreadableFile(f"{what} {path} is not UTF-8 text: save it as 'CSV UTF-8'") from None


def figure_png(figure: Any) -> bytes:
    """A matplotlib figure as PNG bytes, with no software or time in its metadata: the same
    figure always gives the same bytes."""
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=100, metadata={"Software": None})
    return buffer.getvalue()
