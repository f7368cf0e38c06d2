"""Score every pair of files of one exercise on their syntax trees, canonicalized.

**What is compared.** Each file is parsed (never run) and read out as a stream of tokens, one
per node of its syntax tree, in a fixed order: the node's kind and, for some kinds, a label (the
attribute or keyword named, a number's value, a name the file does not bind itself, like
``torch`` or ``len``). What a cheater changes without changing the program is not in it: every
name the student chose (variables, parameters, helper functions) reads ``_``, every string
``S``; docstrings and other bare strings, ``pass``, comments, type annotations, parentheses and
layout are not there at all, so an ``ast.unparse`` round trip gives the same stream. What every
student was given is not in it either: the signatures of the stub's functions, and each
statement the stub already holds (its imports and constants; in a function, its ``raise
NotImplementedError``), so an untouched or restyled stub is empty and takes part in no pair.

**How.** Each top-level statement (a function, mostly) is a unit of its own, so reordering
functions changes nothing. Every run of ``NOISE_TOKENS`` consecutive tokens of a unit (a k-gram,
as in MOSS's winnowing: Schleimer, Wilkerson and Aiken, SIGMOD 2003; every k-gram is kept, the
files are small) is a fingerprint; shared code shorter than that is never seen. The similarity
of ``a`` to ``b`` is the share of ``a``'s tokens (those in a k-gram) that lie in a k-gram ``b``
has too. Code inserted into a copy (dead code) lowers the copy's share but not the original's,
and a short file copied into a longer one is whole in it, so a pair is ranked and flagged by the
larger direction: flagged when it reaches ``threshold`` and the shared tokens number at least
``min_overlap`` (so that one short, natural function shared by two nearly empty files is not an
accusation). The defaults come from a calibration corpus (docs/GRADER.md, "Similarity report").
"""

from __future__ import annotations

import ast
import re
from collections import defaultdict
from dataclasses import dataclass

from grader.grading.copies.sources import Source

NOISE_TOKENS = 12  # k: syntax-tree tokens in a fingerprint, about one line of code
# Flag at 75 %: the calibration corpus (tests/project/similarity_corpus.py) puts every disguised
# copy at 0.96 or more and every pair of independent solutions at 0.54 or less (docs/GRADER.md).
DEFAULT_THRESHOLD = 0.75
DEFAULT_MIN_OVERLAP = 2 * NOISE_TOKENS  # shared tokens: two fingerprints' worth, two lines or so

Span = tuple[int, int]  # [start, end) character offsets in a file's text
Token = tuple[str, int]  # (what the token says, the line it comes from)
Gram = tuple[str, ...]
# Fields that are not the program: type annotations (a parameter's, a function's, a variable's).
_UNREAD_FIELDS = frozenset({"annotation", "returns", "type_comment"})
_FUNCTIONS = (ast.FunctionDef, ast.AsyncFunctionDef)
_NEWLINE = re.compile(r"\r\n|\r|\n")  # the line breaks the parser counts (not \f, not U+2028)


@dataclass(frozen=True)
class Criteria:
    """When a pair is flagged (``--threshold``, ``--min-overlap``)."""

    threshold: float = DEFAULT_THRESHOLD
    min_overlap: int = DEFAULT_MIN_OVERLAP

    def flags(self, similarity: float, overlap: int) -> bool:
        return similarity >= self.threshold and overlap >= self.min_overlap


@dataclass(frozen=True)
class Pair:
    """Two files of one exercise that share code. ``a`` is always from the class; ``b`` is too,
    or is earlier code (``--against``)."""

    exercise: str
    a: Source
    b: Source
    similarity_a: float  # share of a's own tokens found in b
    similarity_b: float  # share of b's own tokens found in a
    overlap: int  # tokens of a in the matching regions
    spans_a: tuple[Span, ...]  # where in a's text the matching regions are (whole lines)
    spans_b: tuple[Span, ...]
    flagged: bool

    @property
    def similarity(self) -> float:
        """The pair's score and rank: the larger direction (who copied a part of whom, or added
        dead code to it, does not matter)."""
        return max(self.similarity_a, self.similarity_b)


def rank_key(pair: Pair) -> tuple:
    """Most similar first; ties by more shared code, then by name, so the order is stable."""
    return (-pair.similarity, -pair.overlap, pair.exercise, pair.a.label, pair.b.label)


@dataclass(frozen=True)
class Given:
    """What the stub gives, canonicalized: the names it defines at the top (its functions,
    constants, imports), its top-level statements, and the statements of each function."""

    names: frozenset[str]
    statements: frozenset[Gram]
    functions: dict[str, frozenset[Gram]]

    @classmethod
    def of(cls, stub: str) -> Given:
        """What ``stub`` (a handed-out stub's text; "" for none) gives."""
        tree = _parse(stub)
        names, statements, functions = set(), set(), {}
        for node in tree.body:
            if isinstance(node, _FUNCTIONS):
                names.add(node.name)
                functions[node.name] = frozenset(_gram(s, set()) for s in node.body)
            else:
                names |= _bound(node)
                statements.add(_gram(node, set()))
        return cls(frozenset(names), frozenset(statements), functions)


@dataclass(frozen=True)
class Fingerprint:
    """A file's fingerprints: each k-gram (by its hash) with the positions where it starts, the
    line of each token, where each unit starts, and ``size``, how many tokens lie in a k-gram
    (0: nothing of its own)."""

    source: Source
    grams: dict[int, list[int]]
    lines: tuple[int, ...]
    units: frozenset[int]
    size: int

    @classmethod
    def of(cls, source: Source, given: Given) -> Fingerprint:
        grams: dict[int, list[int]] = defaultdict(list)
        lines: list[int] = []
        units, size = set(), 0
        for unit in canonical(source.text, given):
            units.add(len(lines))
            if len(unit) >= NOISE_TOKENS:
                words = [word for word, _ in unit]
                for start in range(len(unit) - NOISE_TOKENS + 1):
                    gram = hash(tuple(words[start : start + NOISE_TOKENS]))
                    grams[gram].append(len(lines) + start)
                size += len(unit)
            lines += [line for _, line in unit]
        return cls(source, dict(grams), tuple(lines), frozenset(units), size)

    def shared(self, grams: set[int]) -> set[int]:
        """The positions of this file's tokens that lie in one of ``grams``."""
        return {
            position
            for gram in grams
            for start in self.grams[gram]
            for position in range(start, start + NOISE_TOKENS)
        }

    def line_ranges(self, positions: set[int]) -> list[tuple[int, int]]:
        """The first and last line of each run of consecutive ``positions`` within a unit."""
        ranges: list[list[int]] = []
        for position in sorted(positions):
            line = self.lines[position]
            if ranges and position - 1 in positions and position not in self.units:
                ranges[-1] = [min(ranges[-1][0], line), max(ranges[-1][1], line)]
            else:
                ranges.append([line, line])
        return [(first, last) for first, last in ranges]


def canonical(text: str, given: Given) -> list[list[Token]]:
    """The token streams of ``text``'s top-level statements (the units), what ``given`` gives
    left out: of a function the stub has, its body without the stub's statements. A file that
    does not parse (the intake takes in none) has none."""
    tree = _parse(text)
    chosen = _bound(tree) - given.names
    units = []
    for node in tree.body:
        if isinstance(node, _FUNCTIONS) and node.name in given.functions:
            body = [s for s in node.body if _gram(s, set()) not in given.functions[node.name]]
            units.append([token for s in body for token in _tokens(s, chosen, node.lineno)])
        elif _gram(node, set()) not in given.statements:
            units.append(_tokens(node, chosen, node.lineno))
    return [unit for unit in units if unit]


def compare_exercise(
    sources: list[Source], boilerplate: str, criteria: Criteria = Criteria()
) -> list[Pair]:
    """Every pair of ``sources`` (one exercise) that shares code, most similar first: the class
    with itself, and the class with earlier code, never earlier code with itself.
    ``boilerplate`` is the handed-out stub: a file with nothing of its own (the untouched stub)
    takes part in no pair."""
    given = Given.of(boilerplate)
    prints = [p for p in (Fingerprint.of(s, given) for s in sources) if p.size > 0]
    pairs = []
    for i, print_a in enumerate(prints):
        if print_a.source.earlier:
            continue
        for print_b in prints[i + 1 :] + [p for p in prints[:i] if p.source.earlier]:
            common = print_a.grams.keys() & print_b.grams.keys()
            if not common:
                continue
            shared_a, shared_b = print_a.shared(common), print_b.shared(common)
            similarity_a, similarity_b = len(shared_a) / print_a.size, len(shared_b) / print_b.size
            a, b = print_a.source, print_b.source
            pair = Pair(
                a.exercise, a, b, similarity_a, similarity_b, len(shared_a),
                _spans(a.text, print_a.line_ranges(shared_a)),
                _spans(b.text, print_b.line_ranges(shared_b)),
                criteria.flags(max(similarity_a, similarity_b), len(shared_a)),
            )  # fmt: skip
            pairs.append(pair)
    return sorted(pairs, key=rank_key)


def _parse(text: str) -> ast.Module:
    try:
        return ast.parse(text)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return ast.Module(body=[], type_ignores=[])


def _bound(tree: ast.AST) -> set[str]:
    """Every name ``tree`` chooses: assigned, a parameter, a function or class defined, an
    ``import ... as`` name (a module imported under its own name is not chosen)."""
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and not isinstance(node.ctx, ast.Load):
            names.add(node.id)
        elif isinstance(node, ast.arg):
            names.add(node.arg)
        elif isinstance(node, ast.alias) and node.asname:
            names.add(node.asname)
        elif isinstance(node, (*_FUNCTIONS, ast.ClassDef, ast.ExceptHandler)) and node.name:
            names.add(node.name)
    return names


def _gram(node: ast.AST, chosen: set[str]) -> Gram:
    """``node``'s token stream without its lines: what two statements are compared by."""
    return tuple(word for word, _ in _tokens(node, chosen, 0))


def _tokens(node: ast.AST, chosen: set[str], line: int) -> list[Token]:
    """``node``'s token stream, depth first (with a stack of its own: a deeply nested expression
    cannot exhaust Python's); a name in ``chosen`` reads ``_``."""
    tokens: list[Token] = []
    stack = [(node, line)]
    while stack:
        node, line = stack.pop()
        if isinstance(node, ast.expr_context | ast.Pass) or _is_bare_string(node):
            continue
        line = getattr(node, "lineno", line)
        tokens.append((_word(node, chosen), line))
        children = [
            child
            for field, value in ast.iter_fields(node)
            if field not in _UNREAD_FIELDS
            for child in (value if isinstance(value, list) else [value])
            if isinstance(child, ast.AST)
        ]
        stack += [(child, line) for child in reversed(children)]
    return tokens


def _is_bare_string(node: ast.AST) -> bool:
    """A string on a line of its own (a docstring): it does nothing."""
    return (
        isinstance(node, ast.Expr)
        and isinstance(node.value, ast.Constant)
        and isinstance(node.value.value, str)
    )


def _word(node: ast.AST, chosen: set[str]) -> str:
    """What one node says: its kind, and what it names (never a name the student chose)."""
    kind = type(node).__name__
    if isinstance(node, ast.Name):
        return f"{kind}:{'_' if node.id in chosen else node.id}"
    if isinstance(node, ast.Attribute):
        return f".{node.attr}"
    if isinstance(node, ast.keyword):
        return f"{node.arg or '**'}="
    if isinstance(node, ast.alias):
        return f"import {node.name}"
    if isinstance(node, ast.Constant):
        return "S" if isinstance(node.value, str | bytes) else repr(node.value)
    if isinstance(node, (*_FUNCTIONS, ast.ClassDef)):
        return f"{kind}:{'_' if node.name in chosen else node.name}"
    return kind


def _spans(text: str, ranges: list[tuple[int, int]]) -> tuple[Span, ...]:
    """The lines ``first`` to ``last`` (1 = the first line, counted as the parser counts them)
    of each range, as spans of ``text``; overlapping or adjacent ranges merged."""
    ends = [match.start() for match in _NEWLINE.finditer(text)] + [len(text)]
    starts = [0] + [match.end() for match in _NEWLINE.finditer(text)]
    spans: list[Span] = []
    for first, last in sorted(ranges):
        last = min(last, len(ends))
        if not 0 < first <= last:
            continue
        start, end = starts[first - 1], ends[last - 1]
        if spans and spans[-1][1] >= start - 2:  # the next line, after its line break
            spans[-1] = (spans[-1][0], max(spans[-1][1], end))
        else:
            spans.append((start, end))
    return tuple(spans)
