"""Text that came from anywhere (a student's exception message, a student id), made safe and
short: printable in every format, clipped, fitted to terminal columns. Imports nothing of grader."""

from __future__ import annotations

import re
import unicodedata

# A message shown to a student keeps its first CLIP_LINES lines and about CLIP_CHARS characters.
CLIP_LINES = 60
CLIP_CHARS = 6000


_UNPRINTABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ufffe\uffff]")


def escape_char(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def printable(text: str) -> str:
    """``text`` safe for any text format: newlines normalised to ``\\n``, control characters
    (other than tab and newline), DEL, lone surrogates and non-characters written as escapes."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return _UNPRINTABLE.sub(escape_char, text)


def one_line(text: str, limit: int | None = None) -> str:
    text = " ".join(printable(text).split())
    if limit is not None and len(text) > limit:
        text = text[: max(limit - 1, 0)] + "…"
    return text


def clip(text: str, max_lines: int = CLIP_LINES, max_chars: int = CLIP_CHARS) -> str:
    """The first ``max_lines`` lines of ``text`` and at most about ``max_chars`` characters, with
    a last line saying how much was left out. Made :func:`printable` first."""
    text = printable(text).rstrip("\n")
    lines = text.split("\n")
    kept = lines[:max_lines]
    clipped = "\n".join(kept)
    if len(clipped) > max_chars:
        clipped = clipped[:max_chars]
        kept = clipped.split("\n")
        clipped += "…"
    left_out = len(lines) - len(kept)
    if clipped != text:
        more = f"{left_out} more line{'s' if left_out != 1 else ''}" if left_out else "the rest"
        clipped += f"\n[... clipped: {more} not shown]"
    return clipped


def width(text: str) -> int:
    """Columns ``text`` takes in a terminal (wide East Asian characters 2, combining 0)."""
    columns = 0
    for char in text:
        if unicodedata.combining(char):
            continue
        columns += 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1
    return columns


def fit(text: str, columns: int) -> str:
    """``text`` cut (with "…") to at most ``columns`` columns."""
    if width(text) <= columns:
        return text
    out, used = "", 0
    for char in text:
        w = width(char)
        if used + w > columns - 1:
            break
        out, used = out + char, used + w
    return out + "…"


def pad(text: str, columns: int, right: bool = False) -> str:
    gap = " " * max(columns - width(text), 0)
    return gap + text if right else text + gap


def shorten(text: str, limit: int) -> str:
    """``text`` cut to at most ``limit`` characters, ending in "..." when cut."""
    return text if len(text) <= limit else text[: limit - 3] + "..."
