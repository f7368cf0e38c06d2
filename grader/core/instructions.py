"""The exercises' instructions, in English and Simplified Chinese, from ``instructions/``.

One Markdown file per exercise, ``instructions/<exercise>.md``, holds both languages side by
side: a sequence of sections, each opened by a line ``<!-- en -->`` or ``<!-- zh -->``,
alternating en, zh, en, zh, ... so that every English section is followed by its translation.
The first pair is the title (``# ...``, the English one equal to the manifest's title) and the
summary paragraph used in feedback. Formulas sit in fenced blocks (```` ```text ````) of plain
text and Unicode, which read the same in a docstring, a terminal and a Jupyter notebook; they
are language-neutral, so a section and its translation hold the *same* fenced blocks, the same
inline code spans and the same headings' levels (:func:`check` enforces it).

Paragraphs may be written on one line or wrapped; :func:`text` joins wrapped lines (without a
space between two Chinese characters), :func:`docstring` re-wraps them to 96 columns, counting
a Chinese character as two, for the stubs' module docstrings.

The language: :func:`language` reads the environment variable ``GRADER_LANG``: ``en`` (the
default when unset or empty) or ``zh``. Locale-style values are understood by their first part
(``zh_CN.UTF-8``, ``zh-Hans`` -> ``zh``; ``en_US`` -> ``en``). Any other value falls back to
English with a warning naming the variable (a decision: feedback is never worth stopping a
grading run over a typo), so ``GRADER_LANG=fr`` still works, in English.
"""

from __future__ import annotations

import os
import re
import unicodedata
import warnings
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Literal

from grader.core.manifest import exercise_named
from grader.core.paths import INSTRUCTIONS_DIR
from grader.core.text import width

__all__ = [
    "DEFAULT_LANGUAGE",
    "INSTRUCTIONS_DIR",
    "LANGUAGES",
    "Block",
    "check",
    "docstring",
    "language",
    "sections",
    "summary",
    "text",
    "title",
]

LANGUAGES = ("en", "zh")
DEFAULT_LANGUAGE = "en"
ENV_VAR = "GRADER_LANG"
DOCSTRING_WIDTH = 96

Lang = Literal["en", "zh"]
_MARKER = re.compile(r"^<!--\s*(\w+)\s*-->\s*$")
_FENCE = "```"
_ITEM = re.compile(r"^(\s*)([*-]|\d+\.)\s+")
_CODE_SPAN = re.compile(r"`[^`\n]+`")


def language() -> Lang:
    """The language chosen by ``GRADER_LANG`` (see the module docstring): ``en`` or ``zh``."""
    value = os.environ.get(ENV_VAR, "").strip()
    if not value:
        return DEFAULT_LANGUAGE
    primary = re.split(r"[-_.@]", value, maxsplit=1)[0].lower()
    if primary in LANGUAGES:
        return primary  # type: ignore[return-value]
    warnings.warn(
        f"{ENV_VAR}={value!r} is not a language of the instructions ({', '.join(LANGUAGES)}): "
        f"using English. Set {ENV_VAR}=zh for Chinese (简体中文) or {ENV_VAR}=en.",
        stacklevel=2,
    )
    return DEFAULT_LANGUAGE


def _checked_lang(lang: str | None) -> Lang:
    if lang is None:
        return language()
    if lang not in LANGUAGES:
        raise ValueError(f"unknown language {lang!r}: expected one of {', '.join(LANGUAGES)}")
    return lang  # type: ignore[return-value]


# ----------------------------------------------------------------------------- reading


@dataclass(frozen=True)
class Block:
    """One Markdown block: a heading, a paragraph, a list item or a fenced block.
    ``lines`` are its source lines (a fenced block's include the fences)."""

    kind: Literal["heading", "paragraph", "item", "fence"]
    lines: tuple[str, ...]

    @property
    def level(self) -> int:
        """A heading's level (the number of ``#``), else 0."""
        if self.kind != "heading":
            return 0
        return len(self.lines[0]) - len(self.lines[0].lstrip("#"))

    @property
    def content(self) -> str:
        """The text: a heading without its ``#``, a fenced block without its fences, a
        paragraph or a list item joined into one line (its marker kept)."""
        if self.kind == "heading":
            return self.lines[0].lstrip("#").strip()
        if self.kind == "fence":
            return "\n".join(self.lines[1:-1])
        return _join(self.lines)


def _path(exercise: str, directory: Path | None) -> Path:
    return (directory or INSTRUCTIONS_DIR) / f"{exercise}.md"


def sections(exercise: str, directory: Path | None = None) -> list[tuple[str, tuple[Block, ...]]]:
    """The file's sections in order, as (language, blocks). A malformed file (no sections,
    text before the first marker, an unknown language, an unclosed fence) is a ValueError
    naming the file and the line."""
    path = _path(exercise, directory)
    try:
        source = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ValueError(
            f"no instructions for the exercise {exercise!r}: write {path} (English and Chinese "
            "sections, see grader/core/instructions.py)"
        ) from None
    return _parse(source, str(path))


@cache
def _cached_sections(path: Path, mtime_ns: int) -> list[tuple[str, tuple[Block, ...]]]:
    return _parse(path.read_text(encoding="utf-8"), str(path))


def _sections(exercise: str, directory: Path | None) -> list[tuple[str, tuple[Block, ...]]]:
    path = _path(exercise, directory)
    if not path.is_file():
        return sections(exercise, directory)  # raises the explanatory error
    return _cached_sections(path, path.stat().st_mtime_ns)


def _parse(source: str, name: str) -> list[tuple[str, tuple[Block, ...]]]:
    result: list[tuple[str, list[str], int]] = []
    for number, line in enumerate(source.splitlines(), start=1):
        marker = _MARKER.match(line)
        if marker and not (result and _open_fence(result[-1][1])):
            lang = marker.group(1)
            if lang not in LANGUAGES:
                raise ValueError(f"{name}:{number}: unknown language {lang!r} (en or zh)")
            result.append((lang, [], number))
        elif result:
            result[-1][1].append(line)
        elif line.strip():
            raise ValueError(f"{name}:{number}: text before the first <!-- en --> marker")
    if not result:
        raise ValueError(f"{name}: no <!-- en --> / <!-- zh --> sections")
    return [(lang, _blocks(lines, name, start)) for lang, lines, start in result]


def _open_fence(lines: list[str]) -> bool:
    return sum(line.strip().startswith(_FENCE) for line in lines) % 2 == 1


def _blocks(lines: list[str], name: str, start: int) -> tuple[Block, ...]:
    blocks: list[Block] = []
    current: list[str] = []
    kind: str | None = None

    def close() -> None:
        nonlocal current, kind
        if current and kind is not None:
            blocks.append(Block(kind, tuple(current)))  # type: ignore[arg-type]
        current, kind = [], None

    for line in lines:
        stripped = line.strip()
        if kind == "fence":
            current.append(line)
            if stripped == _FENCE:
                close()
            continue
        if stripped.startswith(_FENCE):
            close()
            kind, current = "fence", [line]
        elif not stripped:
            close()
        elif stripped.startswith("#"):
            close()
            blocks.append(Block("heading", (stripped,)))
        elif _ITEM.match(line):
            close()
            kind, current = "item", [line]
        else:
            if kind is None:
                kind = "paragraph"
            current.append(line)
    if kind == "fence":
        raise ValueError(f"{name}:{start + len(lines)}: a fenced block is never closed")
    close()
    return tuple(blocks)


def _wide(char: str) -> bool:
    return unicodedata.east_asian_width(char) in "WF"


def _join(lines: tuple[str, ...] | list[str]) -> str:
    """Wrapped lines as one: a space between them, none between two Chinese characters."""
    joined = ""
    for line in lines:
        piece = line.strip() if joined else line.rstrip()
        if joined and piece:
            joined += "" if _wide(joined[-1]) and _wide(piece[0]) else " "
        joined += piece
    return joined


def _language_blocks(exercise: str, lang: str, directory: Path | None) -> list[Block]:
    found = [
        block for code, blocks in _sections(exercise, directory) if code == lang for block in blocks
    ]
    if not found:
        raise ValueError(f"{_path(exercise, directory)} has no {lang!r} section")
    return found


# ----------------------------------------------------------------------------- rendering


def text(exercise: str, lang: str | None = None, directory: Path | None = None) -> str:
    """The instructions of ``exercise`` in ``lang`` (default: :func:`language`) as Markdown:
    the title heading, then the body; paragraphs and list items on one line each."""
    lang = _checked_lang(lang)
    rendered = [
        (block, list(block.lines) if block.kind in ("fence", "heading") else [block.content])
        for block in _language_blocks(exercise, lang, directory)
    ]
    return _assemble(rendered)


def _assemble(rendered: list[tuple[Block, list[str]]]) -> str:
    """Blocks separated by a blank line, except consecutive list items (one list)."""
    out: list[str] = []
    previous: Block | None = None
    for block, lines in rendered:
        if out and not (block.kind == "item" and previous is not None and previous.kind == "item"):
            out.append("")
        out += lines
        previous = block
    return "\n".join(out) + "\n"


def title(exercise: str, lang: str | None = None, directory: Path | None = None) -> str:
    """The exercise's title in ``lang``: the first heading of that language."""
    lang = _checked_lang(lang)
    for block in _language_blocks(exercise, lang, directory):
        if block.kind == "heading":
            return block.content
    raise ValueError(f"{_path(exercise, directory)}: the {lang!r} text has no title heading")


def summary(exercise: str, lang: str | None = None, directory: Path | None = None) -> str:
    """One short paragraph saying what the exercise is about, in ``lang`` (default:
    :func:`language`), plain text on one line: for the student's feedback."""
    lang = _checked_lang(lang)
    for block in _language_blocks(exercise, lang, directory):
        if block.kind == "paragraph":
            return block.content
    raise ValueError(f"{_path(exercise, directory)}: the {lang!r} text has no paragraph")


def docstring(exercise: str, directory: Path | None = None) -> str:
    """The stub's module docstring: the English instructions, then the Chinese ones, as plain
    text wrapped to :data:`DOCSTRING_WIDTH` columns (formulas indented by four spaces).

    Both languages, whatever ``GRADER_LANG`` says: the stubs are files shared by every
    student, and ``python -m grader stubs --check`` must not depend on who runs it.
    """
    rendered: list[tuple[Block, list[str]]] = []
    for lang in LANGUAGES:
        for index, block in enumerate(_language_blocks(exercise, lang, directory)):
            if lang == "en" and index == 0 and block.kind == "heading":
                continue  # the English title is the docstring's first line
            rendered.append((block, _plain(block)))
    head = f"{title(exercise, 'en', directory)}\n\n{_BOTH_LANGUAGES}\n\n"
    result = head + _assemble(rendered)
    if '"""' in result or "\\" in result:
        raise ValueError(
            f"{_path(exercise, directory)}: the instructions may not contain triple quotes or "
            "backslashes (they become a Python docstring)"
        )
    return result


_BOTH_LANGUAGES = "The instructions in English, then in Chinese. 中文说明在英文之后。"


def _plain(block: Block) -> list[str]:
    if block.kind == "fence":
        return [f"    {line}".rstrip() for line in block.lines[1:-1]]
    if block.kind == "heading":
        underline = "=" if block.level == 1 else "-"
        return [block.content, underline * width(block.content)]
    if block.kind == "item":
        marker = _ITEM.match(block.lines[0])
        assert marker is not None
        indent = " " * (len(marker.group(0)))
        body = block.content[len(marker.group(0)) :]
        return wrap(body, DOCSTRING_WIDTH, first=marker.group(0), rest=indent)
    return wrap(block.content, DOCSTRING_WIDTH)


# Kinsoku: Chinese punctuation that may not start a line, and that may not end one.
_NO_LINE_START = set("，。、；：！？）》」』】”’…%,.;:!?)]}")
_NO_LINE_END = set("（《「『【“‘([{")
_ATOM = re.compile(r"`[^`\n]*`|\s+|[^\s`]")


def wrap(text: str, limit: int, first: str = "", rest: str = "") -> list[str]:
    """Greedy line wrapping of one paragraph, aware of Chinese: a line may break at a space or
    between two Chinese characters (not before closing or after opening punctuation); a code
    span in backticks is never broken. ``first``/``rest`` prefix the first and later lines."""
    atoms = _ATOM.findall(text)
    lines: list[str] = []
    line = first
    last_break: int | None = None  # index in `line` where a break may happen
    previous = ""
    for atom in atoms:
        if atom.isspace():
            last_break = len(line)
            line += " "
            previous = " "
            continue
        wide = _wide(atom[0])
        if previous and previous != " " and _may_break(previous, atom, wide):
            last_break = len(line)
        line += atom
        previous = atom
        if width(line.rstrip()) > limit and last_break is not None and last_break > len(first):
            head, tail = line[:last_break].rstrip(), line[last_break:].lstrip()
            lines.append(head)
            line = rest + tail
            last_break = None
            first = rest
    if line.strip():
        lines.append(line.rstrip())
    return lines


def _may_break(before: str, atom: str, wide: bool) -> bool:
    before_char, after_char = before[-1], atom[0]
    if after_char in _NO_LINE_START or before_char in _NO_LINE_END:
        return False
    return wide or _wide(before_char)


# ----------------------------------------------------------------------------- checking


def check(exercise: str, directory: Path | None = None) -> list[str]:
    """Problems of one instructions file, empty when it is sound: both languages present and
    non-empty, sections alternating en/zh, and each pair alike in structure: the same heading
    levels, the same fenced (formula) blocks, the same inline code spans."""
    try:
        found = _sections(exercise, directory)
    except ValueError as error:
        return [str(error)]
    name = _path(exercise, directory).name
    problems: list[str] = []
    order = [lang for lang, _ in found]
    expected = [LANGUAGES[i % 2] for i in range(len(order))]
    if order != expected or len(order) % 2:
        return [f"{name}: sections must alternate en, zh, en, zh, ...; found {order}"]
    for index in range(0, len(found), 2):
        (_, en), (_, zh) = found[index], found[index + 1]
        where = f"{name}, section pair {index // 2 + 1}"
        if not en or not zh:
            problems.append(f"{where}: a section is empty")
            continue
        if [b.level for b in en if b.kind == "heading"] != [
            b.level for b in zh if b.kind == "heading"
        ]:
            problems.append(f"{where}: the headings differ in number or level")
        en_code = [b.content for b in en if b.kind == "fence"]
        zh_code = [b.content for b in zh if b.kind == "fence"]
        if en_code != zh_code:
            problems.append(f"{where}: the formula blocks differ (they must be identical)")
        en_spans, zh_spans = _spans(en), _spans(zh)
        if en_spans != zh_spans:
            problems.append(
                f"{where}: inline code differs: only in en {sorted(en_spans - zh_spans)}, "
                f"only in zh {sorted(zh_spans - en_spans)}"
            )
    en_title = title(exercise, "en", directory)
    try:
        manifest_title = exercise_named(exercise).title
    except KeyError:
        manifest_title = None
    if manifest_title is not None and en_title != manifest_title:
        problems.append(f"{name}: the English title {en_title!r} is not the manifest's")
    return problems


def _spans(blocks: tuple[Block, ...]) -> set[str]:
    return {
        span
        for block in blocks
        if block.kind != "fence"
        for span in _CODE_SPAN.findall(block.content)
    }
