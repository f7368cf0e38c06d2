"""Jupyter notebooks as data: read one, and turn its exercise cells into a module's source.

Nothing here executes a notebook's code: it is parsed as JSON, checked against the notebook
schema (nbformat), and its cells' text is joined. The grader's intake
(:mod:`grader.grading.intake`) and the test cell of a generated notebook (:mod:`grader.notebooks`)
both use it, so a notebook is tested and graded from the same code.

Which cells (a decision): the code cells tagged ``exercise`` (cell metadata ``tags``, set by
``python -m grader notebooks``); a notebook with no cell so tagged (one written by hand, or
whose tags a tool dropped) contributes all its code cells. Scratch cells a student adds to a
generated notebook carry no tag and are left out: a helper function belongs in an exercise
cell. Markdown and raw cells never count.

IPython syntax is not Python, so it is commented out, one line for one line (the module's line
numbers stay those of the joined cells): a cell magic (a cell whose first line starts with
``%%``) loses the whole cell; line magics (``%timeit f(x)``), shell lines (``!pip install``),
help lines (``f?``, ``?f``) and assignments from them (``files = !ls``) lose their line. A line
that only looks like one, inside a multi-line string, is kept. Where the commented line was the
first statement of a block, ``pass`` keeps the block valid.

Which exercise a notebook is: ``metadata.exercise`` (set at generation), see :func:`exercise_of`.
"""

from __future__ import annotations

import io
import json
import re
import tokenize
import warnings
from typing import Any

from grader.core.text import shorten

__all__ = [
    "EXERCISE_TAG",
    "METADATA_KEY",
    "NotebookError",
    "cell_magic",
    "exercise_cells",
    "exercise_code",
    "exercise_of",
    "neutralize",
    "read_notebook",
]

EXERCISE_TAG = "exercise"  # the tag of the cells that are the student's module
METADATA_KEY = "exercise"  # notebook metadata: the exercise's name
SUPPORTED_MAJOR = 4


class NotebookError(ValueError):
    """A notebook that cannot be read: the message is for its author."""


def read_notebook(data: bytes | str, label: str) -> Any:
    """Parse and validate a notebook (nbformat 4) from its bytes; returns the
    ``nbformat.NotebookNode``. Anything else (not UTF-8, not JSON, JSON that is not a notebook,
    another format version, a notebook the schema rejects) is a :class:`NotebookError` whose
    message names ``label`` and says what to do."""
    import nbformat

    resave = "Open it in Jupyter and save it again (File > Save), or export it again."
    if isinstance(data, bytes):
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as error:
            raise NotebookError(
                f"{label} is not UTF-8 text (byte offset {error.start}): it is not a Jupyter "
                f"notebook, or it is damaged. {resave}"
            ) from None
    else:
        text = data
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        raise NotebookError(
            f"{label} is not valid JSON (line {error.lineno}, column {error.colno}: {error.msg}): "
            f"it is damaged, or not a notebook saved by Jupyter. {resave}"
        ) from None
    except RecursionError:
        raise NotebookError(f"{label} is nested too deeply to be a notebook") from None
    if not isinstance(document, dict) or "cells" not in document or "nbformat" not in document:
        raise NotebookError(
            f'{label} is JSON but not a Jupyter notebook (it lacks the "nbformat" version or '
            'the "cells" list). Submit the .ipynb file that Jupyter saves.'
        )
    major, minor = document.get("nbformat"), document.get("nbformat_minor", 0)
    if major != SUPPORTED_MAJOR:
        raise NotebookError(
            f"{label} is a notebook in format version {major}.{minor}; only version "
            f"{SUPPORTED_MAJOR} (what every Jupyter since 2015 writes) is read. {resave}"
        )
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # nbformat warns about missing cell ids, etc.
            nbformat.validate(document)
            notebook = nbformat.versions[SUPPORTED_MAJOR].to_notebook_json(document, minor=minor)
    except nbformat.ValidationError as error:
        reason = str(error.message if hasattr(error, "message") else error).splitlines()[0]
        raise NotebookError(
            f"{label} is not a valid notebook ({shorten(reason, 120)}). {resave}"
        ) from None
    except (AttributeError, TypeError, KeyError, RecursionError) as error:
        raise NotebookError(
            f"{label} is not a valid notebook ({type(error).__name__}). {resave}"
        ) from None
    return notebook


def exercise_of(notebook: Any) -> str | None:
    """The exercise named in the notebook's metadata (``metadata.exercise``), or None."""
    value = notebook.get("metadata", {}).get(METADATA_KEY)
    return value if isinstance(value, str) and value else None


def _tags(cell: Any) -> list[str]:
    tags = cell.get("metadata", {}).get("tags", [])
    return [tag for tag in tags if isinstance(tag, str)] if isinstance(tags, list) else []


def exercise_cells(notebook: Any) -> list[tuple[int, str]]:
    """(1-based position among all cells, source) of the cells that make the module: code cells
    tagged ``exercise``, or all code cells when none is tagged."""
    code = [
        (number, cell)
        for number, cell in enumerate(notebook.get("cells", []), start=1)
        if cell.get("cell_type") == "code"
    ]
    tagged = [(number, cell) for number, cell in code if EXERCISE_TAG in _tags(cell)]
    chosen = tagged or code
    return [(number, _source(cell)) for number, cell in chosen]


def _source(cell: Any) -> str:
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else str(source)


def exercise_code(notebook: Any) -> tuple[str, list[str]]:
    """The module a notebook submits, and what was left out of it. The module: its exercise
    cells (see :func:`exercise_cells`) in order, IPython syntax commented out
    (:func:`neutralize`), each after a comment line naming the cell. Left out: one message per
    cell dropped whole because it starts with a cell magic."""
    parts, dropped = [], []
    for number, source in exercise_cells(notebook):
        magic = cell_magic(source)
        if magic is not None:
            dropped.append(
                f"cell {number} starts with the cell magic {magic}, so the whole cell was left "
                "out (it is not Python): keep exercise code in cells without cell magics"
            )
        parts.append(f"# ---- notebook cell {number} ----\n{neutralize(source).rstrip()}\n")
    return "\n\n".join(parts), dropped


def cell_magic(source: str) -> str | None:
    """The cell magic (``%%time``, ...) that ``source`` starts with, or None."""
    first = next((line for line in source.splitlines() if line.strip()), "").strip()
    return first.split()[0] if first.startswith("%%") else None


# ----------------------------------------------------------------------------- IPython syntax

_SPECIAL = re.compile(
    r"""^\s*(?:
        [%!?]                                    # %magic, !shell, ?help
      | [\w.]+\s*\?{1,2}\s*$                     # name? / name??
      | [\w.]+(?:\s*,\s*[\w.]+)*\s*=\s*[%!]      # x = !ls, t = %timeit -o f()
    )""",
    re.VERBOSE,
)


def neutralize(source: str) -> str:
    """``source`` with its IPython-only lines commented out, line for line (see the module
    docstring). Lines inside strings are never touched."""
    lines = source.splitlines()
    if cell_magic(source) is not None:  # the whole cell is not Python
        return "\n".join(f"# {line}" if line.strip() else line for line in lines)
    candidates = {index for index, line in enumerate(lines) if _SPECIAL.match(line)}
    if not candidates:
        return source
    confirmed, block_starts = _outside_strings(lines, candidates)
    out = list(lines)
    for index in confirmed:
        line = lines[index]
        indent = line[: len(line) - len(line.lstrip())]
        keep = "pass  # " if index in block_starts else "# "
        out[index] = f"{indent}{keep}{line.strip()}"
    return "\n".join(out)


def _outside_strings(lines: list[str], candidates: set[int]) -> tuple[set[int], set[int]]:
    """Which candidate lines start a statement (not inside a string), and which of those are
    the first line of a block (after a line ending in ``:``). The candidates are probed as
    comments: a candidate that tokenizes as a comment was code, one inside a string was not."""
    probe = []
    for index, line in enumerate(lines):
        if index in candidates:
            at = len(line) - len(line.lstrip())
            line = line[:at] + "#" + line[at + 1 :]
        probe.append(line)
    confirmed: set[int] = set()
    block_starts: set[int] = set()
    recent: list[tuple[int, str]] = []  # the last two significant tokens
    try:
        readline = io.StringIO("\n".join(probe) + "\n").readline
        for token in tokenize.generate_tokens(readline):
            row = token.start[0] - 1
            if token.type == tokenize.COMMENT and row in candidates:
                if token.start[1] == len(lines[row]) - len(lines[row].lstrip()):
                    confirmed.add(row)
                    if [kind for kind, _ in recent] == [tokenize.OP, tokenize.NEWLINE] and (
                        recent[0][1] == ":"
                    ):
                        block_starts.add(row)
            elif token.type not in (
                tokenize.NL,
                tokenize.COMMENT,
                tokenize.INDENT,
                tokenize.DEDENT,
            ):
                recent = [*recent[-1:], (token.type, token.string)]
    except (tokenize.TokenError, SyntaxError):
        # Broken code: the compiler will report it. IPython lines still never reach it.
        return candidates, set()
    return confirmed, block_starts
