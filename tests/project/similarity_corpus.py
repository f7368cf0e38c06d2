"""The calibration corpus of ``python -m grader similarity``, generated (deterministically) from
the project itself, per exercise:

- honest files: the reference solution and the correct alternatives of ``tests/variants/``
  (each written independently of the reference), each filled into the handed-out stub the way a
  student fills it (the stub's signatures and docstrings kept, ``raise NotImplementedError``
  replaced by the body);
- the untouched stub, and a restyled one (comments added, indentation changed);
- disguised copies of every honest file, made by code as a cheater makes them: local variables
  renamed, functions reordered, docstrings and comments dropped, dead code inserted, the file
  reformatted by an ``ast.unparse`` round trip; alone and combined.

``tests/project/test_similarity.py`` measures it; ``python tests/project/similarity_corpus.py``
prints the calibration table that docs/GRADER.md ("Similarity report") quotes.
"""

from __future__ import annotations

import ast
import importlib
import io
import random
import re
import sys
import textwrap
import tokenize
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[2]
if str(PROJECT) not in sys.path:  # run as a script
    sys.path.insert(0, str(PROJECT))

from grader.core.manifest import load_manifest  # noqa: E402
from grader.core.paths import EXERCISES_DIR, SOLUTIONS_DIR, TESTS_DIR  # noqa: E402
from grader.grading.copies.compare import DEFAULT_THRESHOLD, Pair, compare_exercise  # noqa: E402
from grader.grading.copies.sources import Source  # noqa: E402

EXERCISES = [exercise.name for exercise in load_manifest()]


# --- honest files ---------------------------------------------------------------------------


def stub(exercise: str) -> str:
    """The handed-out stub of ``exercise``."""
    return (EXERCISES_DIR / f"{exercise}.py").read_text(encoding="utf-8")


def restyled(code: str) -> str:
    """``code`` with a comment between its paragraphs and two-space indentation: the same
    program, other text."""
    return re.sub(r"\n\n", "\n\n# TODO\n\n", code).replace("    ", "  ")


def filled(stub: str, sources: list[str]) -> str:
    """``stub`` with the body of each function defined in ``sources`` in place of that
    function's ``raise NotImplementedError`` (its docstring left out: the stub's stays); a
    function the stub does not have (a helper) is appended. A function two sources define is
    taken from the first."""
    lines = stub.splitlines()
    stub_functions = {n.name: n for n in ast.parse(stub).body if isinstance(n, ast.FunctionDef)}
    edits, helpers, done = [], [], set()
    for source in sources:
        source = textwrap.dedent(source)
        source_lines = source.splitlines()
        for function in ast.parse(source).body:
            if not isinstance(function, ast.FunctionDef) or function.name in done:
                continue
            done.add(function.name)
            target = stub_functions.get(function.name)
            raises = [s for s in target.body if isinstance(s, ast.Raise)] if target else []
            if not raises:
                helpers.append("\n".join(source_lines[function.lineno - 1 : function.end_lineno]))
                continue
            body = function.body[1:] if ast.get_docstring(function) else function.body
            text = "\n".join(source_lines[body[0].lineno - 1 : function.end_lineno])
            indented = textwrap.indent(textwrap.dedent(text), " " * raises[0].col_offset)
            edits.append((raises[0].lineno, raises[0].end_lineno, indented.splitlines()))
    for start, end, new in sorted(edits, reverse=True):
        lines[start - 1 : end] = new
    return "\n".join([*lines, "", *helpers]) + "\n"


def reference(exercise: str) -> str:
    """The reference solution as a student would hand it in: the stub, filled."""
    return filled(stub(exercise), [(SOLUTIONS_DIR / f"{exercise}.py").read_text(encoding="utf-8")])


def _alternatives_by_function(exercise: str) -> dict[str, list[str]]:
    """The correct alternatives of ``tests/variants/<exercise>.py``, by the first function
    each defines."""
    sys.path.insert(0, str(TESTS_DIR))
    try:
        variants = importlib.import_module(f"variants.{exercise}").VARIANTS
    finally:
        sys.path.remove(str(TESTS_DIR))
    by_function: dict[str, list[str]] = {}
    for variant in variants:
        if variant.expect == "pass":
            name = re.search(r"def (\w+)", variant.source).group(1)
            by_function.setdefault(name, []).append(variant.source)
    return by_function


def alternatives(exercise: str, which: int) -> str | None:
    """The stub filled with the ``which``-th correct alternative of each function that has one
    (tests/variants/<exercise>.py); None when no function has that many."""
    by_function = _alternatives_by_function(exercise)
    chosen = [sources[which] for sources in by_function.values() if len(sources) > which]
    return filled(stub(exercise), chosen) if chosen else None


def honest(exercise: str) -> dict[str, str]:
    """The independent writings of ``exercise``, by name: ``reference``, ``alternative-1``, ..."""
    files = {"reference": reference(exercise)}
    which = 0
    while (code := alternatives(exercise, which)) is not None:
        files[f"alternative-{which + 1}"] = code
        which += 1
    return files


# --- disguises ------------------------------------------------------------------------------


def _offsets(code: str) -> list[int]:
    """The character offset at which each line of ``code`` starts (line 1 first)."""
    starts, total = [0], 0
    for line in code.splitlines(keepends=True):
        total += len(line)
        starts.append(total)
    return starts


def _position(code: str, starts: list[int], line: int, column: int) -> int:
    """The character offset of ``ast``'s (line, UTF-8 byte column) in ``code``."""
    text = code[starts[line - 1] : starts[line]]
    return starts[line - 1] + len(text.encode("utf-8")[:column].decode("utf-8"))


def rename_locals(code: str, rng: random.Random) -> str:
    """Every variable a function assigns (not its parameters) renamed, consistently."""
    tree = ast.parse(code)
    kept = set()  # parameters, and names a renaming could break
    for node in ast.walk(tree):
        if isinstance(node, ast.arg):
            kept.add(node.arg)
        elif isinstance(node, ast.Global | ast.Nonlocal):
            kept.update(node.names)
        elif isinstance(node, ast.FunctionDef | ast.ExceptHandler) and node.name:
            kept.add(node.name)
    assigned = {
        node.id
        for function in tree.body
        if isinstance(function, ast.FunctionDef)
        for node in ast.walk(function)
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store)
    }
    words = ["tmp", "val", "res", "aux", "buf", "acc", "out", "cur"]
    new = {
        name: f"{rng.choice(words)}_{index}" for index, name in enumerate(sorted(assigned - kept))
    }
    starts = _offsets(code)
    edits = [
        (_position(code, starts, node.lineno, node.col_offset), len(node.id), new[node.id])
        for node in ast.walk(tree)
        if isinstance(node, ast.Name) and node.id in new
    ]
    for start, length, name in sorted(edits, reverse=True):
        code = code[:start] + name + code[start + length :]
    return code


def reorder_functions(code: str, rng: random.Random) -> str:
    """The module's functions shuffled (each with the comments and blank lines that follow it);
    everything else stays where it was."""
    lines = code.splitlines()
    body = ast.parse(code).body
    firsts = [min([n.lineno, *(d.lineno for d in getattr(n, "decorator_list", []))]) for n in body]
    chunks = [lines[: firsts[0] - 1]] + [
        lines[first - 1 : end - 1]
        for first, end in zip(firsts, [*firsts[1:], len(lines) + 1], strict=True)
    ]
    movable = [i + 1 for i, node in enumerate(body) if isinstance(node, ast.FunctionDef)]
    order = movable[:]
    while len(order) > 1 and order == movable:
        rng.shuffle(order)
    moved = dict(zip(movable, (chunks[i] for i in order), strict=True))
    chunks = [moved.get(i, chunk) for i, chunk in enumerate(chunks)]
    return "\n".join(line for chunk in chunks for line in chunk) + "\n"


def drop_docstrings(code: str, rng: random.Random) -> str:
    """Every docstring (the module's too) deleted; a body left empty gets ``pass``."""
    tree = ast.parse(code)
    lines = code.splitlines()
    for node in sorted(
        (n for n in ast.walk(tree) if isinstance(n, ast.Module | ast.FunctionDef | ast.ClassDef)),
        key=lambda n: -(n.body[0].lineno if n.body else 0),
    ):
        if ast.get_docstring(node, clean=False) is None:
            continue
        first = node.body[0]
        indent = " " * first.col_offset
        lines[first.lineno - 1 : first.end_lineno] = [] if node.body[1:] else [indent + "pass"]
    return "\n".join(lines) + "\n"


def drop_comments(code: str, rng: random.Random) -> str:
    """Every comment deleted (a line left empty goes too)."""
    lines = code.splitlines()
    tokens = tokenize.generate_tokens(io.StringIO(code).readline)
    for token in reversed([t for t in tokens if t.type == tokenize.COMMENT]):
        row, column = token.start
        kept = lines[row - 1][:column].rstrip()
        lines[row - 1 : row] = [kept] if kept else []
    return "\n".join(lines) + "\n"


DEAD_CODE = (
    "unused_counter = 0",
    "if False:\n    print('debugging')",
    "for _ in range(0):\n    pass",
    "assert True, 'checked'",
    "_scratch = [i * i for i in range(3)]",
)


def insert_dead_code(code: str, rng: random.Random) -> str:
    """A statement that does nothing at the top of every function (after its docstring)."""
    tree = ast.parse(code)
    lines = code.splitlines()
    functions = [n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef)]
    for function in sorted(functions, key=lambda n: -n.lineno):
        docstring = ast.get_docstring(function, clean=False) is not None
        body = function.body[1:] if docstring and function.body[1:] else function.body
        first = body[0]
        dead = textwrap.indent(rng.choice(DEAD_CODE), " " * first.col_offset).splitlines()
        lines[first.lineno - 1 : first.lineno - 1] = dead
    return "\n".join(lines) + "\n"


def reformat(code: str, rng: random.Random) -> str:
    """The ``ast.unparse`` round trip: comments gone, every line re-laid out."""
    return ast.unparse(ast.parse(code)) + "\n"


Disguise = Callable[[str, random.Random], str]
DISGUISES: dict[str, tuple[Disguise, ...]] = {
    "renamed": (rename_locals,),
    "reordered": (reorder_functions,),
    "no-docstrings": (drop_docstrings,),
    "no-comments": (drop_comments,),
    "dead-code": (insert_dead_code,),
    "unparsed": (reformat,),
    # the instructor's copy of issue 23: locals renamed, reordered, no docstrings, unparsed
    "instructor": (rename_locals, reorder_functions, drop_docstrings, reformat),
    "everything": (
        rename_locals,
        reorder_functions,
        drop_docstrings,
        drop_comments,
        insert_dead_code,
        reformat,
    ),
}


def disguised(code: str, disguise: str, seed: str = "") -> str:
    """``code`` through the steps of ``DISGUISES[disguise]``, in order; deterministic (the
    random choices follow ``seed``: one cheater, one seed)."""
    rng = random.Random(f"{disguise}:{seed}")
    for step in DISGUISES[disguise]:
        code = step(code, rng)
    compile(code, "<disguised>", "exec")  # a disguise keeps the program a program
    return code


# --- the corpus -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Corpus:
    """One exercise's files, by label, and the pairs that matter: ``copies`` (an honest file,
    its disguised copy), ``honest`` (two independent writings, one of them possibly disguised:
    a disguise must not make independent work look alike), ``given`` (the stubs, with each
    other and with every other file)."""

    exercise: str
    files: dict[str, str]
    copies: list[tuple[str, str]]
    honest: list[tuple[str, str]]
    given: list[tuple[str, str]]


def corpus(exercise: str) -> Corpus:
    """The calibration corpus of ``exercise``."""
    originals = honest(exercise)
    files = dict(originals)
    files["stub"] = stub(exercise)
    files["stub-restyled"] = restyled(stub(exercise))
    copies = []
    for name, code in originals.items():
        for disguise in DISGUISES:
            label = f"{name}~{disguise}"
            files[label] = disguised(code, disguise, seed=name)
            copies.append((name, label))
    labels = [label for label in files if not label.startswith("stub")]
    pairs = [
        (a, b)
        for i, a in enumerate(labels)
        for b in labels[i + 1 :]
        if a.partition("~")[0] != b.partition("~")[0] and not ("~" in a and "~" in b)
    ]
    stubs = ("stub", "stub-restyled")
    given = [stubs] + [(s, label) for s in stubs for label in labels]
    return Corpus(exercise, files, copies, pairs, given)


def measured(corpus: Corpus) -> dict[frozenset[str], Pair]:
    """Every pair of ``corpus``'s files that shares code, by its two labels, as ``similarity``
    scores it (the stub as what was given)."""
    sources = [Source(label, corpus.exercise, text) for label, text in corpus.files.items()]
    pairs = compare_exercise(sources, stub(corpus.exercise))
    return {frozenset((pair.a.label, pair.b.label)): pair for pair in pairs}


def score(pairs: dict[frozenset[str], Pair], a: str, b: str) -> float:
    """The score of ``a`` and ``b`` (0 when they share nothing)."""
    pair = pairs.get(frozenset((a, b)))
    return pair.similarity if pair else 0.0


@dataclass(frozen=True)
class Figures:
    """One exercise's calibration: its lowest disguised copy, the lowest of the instructor's
    disguise alone, and its highest honest pair, each with its labels."""

    exercise: str
    lowest_copy: tuple[float, tuple[str, str]]
    lowest_instructor: float
    highest_honest: tuple[float, tuple[str, str]]

    @classmethod
    def of(cls, corpus: Corpus) -> Figures:
        pairs = measured(corpus)
        copies = [(score(pairs, *pair), pair) for pair in corpus.copies]
        instructor = [s for s, (_, copy) in copies if copy.endswith("~instructor")]
        honest = [(score(pairs, *pair), pair) for pair in corpus.honest]
        return cls(corpus.exercise, min(copies), min(instructor), max(honest))

    def row(self) -> str:
        """The exercise's row of the table in docs/GRADER.md."""
        copy, honest = self.lowest_copy[0], self.highest_honest[0]
        cells = [self.exercise, f"{copy:.2f}", f"{self.lowest_instructor:.2f}", f"{honest:.2f}"]
        return "| " + " | ".join(cells) + " |"


COLUMNS = ("exercise", "lowest disguised copy", "the instructor's disguise", "highest honest pair")
TABLE_HEADER = "| " + " | ".join(COLUMNS) + " |\n" + "|---" * len(COLUMNS) + "|"


def table(figures: list[Figures]) -> str:
    """The calibration table of docs/GRADER.md."""
    return "\n".join([TABLE_HEADER, *(f.row() for f in figures)])


if __name__ == "__main__":
    every = [Figures.of(corpus(exercise)) for exercise in EXERCISES]
    print(table(every))
    low, high = min(f.lowest_copy for f in every), max(f.highest_honest for f in every)
    print(
        f"lowest disguised copy {low[0]:.3f} {low[1]}; highest honest pair {high[0]:.3f} {high[1]}"
    )
    print(
        f"threshold {DEFAULT_THRESHOLD}: margins {low[0] - DEFAULT_THRESHOLD:.3f} above, "
        f"{DEFAULT_THRESHOLD - high[0]:.3f} below"
    )
