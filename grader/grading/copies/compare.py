"""Score every pair of files of one exercise with copydetect (winnowing fingerprints, MOSS's
method: Schleimer, Wilkerson and Aiken, SIGMOD 2003).

How copydetect sees code: pygments splits it into tokens; every identifier becomes ``V``
(variables, attributes), ``F`` (functions) or ``O`` (classes), every string ``S``; comments and
whitespace disappear. So renaming variables, rewording comments or reformatting changes nothing.
Its "tokens" are the characters of that filtered text. Every run of ``NOISE_TOKENS`` of them is
hashed (a k-gram); two files share a region where they share k-grams, so shared code shorter
than ``NOISE_TOKENS`` is never seen, and reordering whole functions keeps nearly every match.
The k-grams of the handed-out stub (signatures, docstrings, ``raise NotImplementedError``) are
boilerplate: removed from every file first, so what every student received counts for nobody.

The similarity of ``a`` to ``b`` is the share of ``a``'s own tokens (boilerplate removed) that
lie in regions also found in ``b``; the two directions differ when one file is longer. A pair is
flagged when the larger of the two reaches ``threshold`` and the matching regions hold at least
``min_overlap`` tokens (so that one short, obvious line shared by two nearly empty files is not
an accusation). Defaults and why: docs/GRADER.md, "Similarity report".
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from types import ModuleType

from grader.grading.copies.sources import Source

NOISE_TOKENS = 25  # k: copydetect's default noise threshold; also its guarantee threshold
WINDOW = 1  # winnowing window: guarantee - noise + 1; 1 keeps every k-gram (the files are small)
DEFAULT_THRESHOLD = 0.7  # flag at 70 %: independent correct solutions measured at most 60 %
DEFAULT_MIN_OVERLAP = 2 * NOISE_TOKENS  # tokens: shared code at least two k-grams long
EXTRA = "similarity"  # the optional dependency group in pyproject.toml
MISSING_LIBRARY = (
    "the similarity report needs the copydetect library, which is not installed: install "
    f"the `{EXTRA}` extra (pip install -e '.[{EXTRA}]', or pip install 'copydetect>=0.5')"
)

Span = tuple[int, int]  # [start, end) character offsets in a file's text


class MissingLibrary(Exception):
    """copydetect is not installed; the message says how to install it."""


def library() -> ModuleType:
    """The copydetect module, or :class:`MissingLibrary` with a one-line way out."""
    try:
        import copydetect
    except ImportError:
        raise MissingLibrary(MISSING_LIBRARY) from None
    return copydetect


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
    spans_a: tuple[Span, ...]  # where in a's text the matching regions are
    spans_b: tuple[Span, ...]
    flagged: bool

    @property
    def similarity(self) -> float:
        """The pair's rank: the larger direction (who copied a part of whom does not matter)."""
        return max(self.similarity_a, self.similarity_b)


def rank_key(pair: Pair) -> tuple:
    """Most similar first; ties by more shared code, then by name, so the order is stable."""
    return (-pair.similarity, -pair.overlap, pair.exercise, pair.a.label, pair.b.label)


def compare_exercise(
    sources: list[Source], boilerplate: str, criteria: Criteria = Criteria()
) -> list[Pair]:
    """Every pair of ``sources`` (one exercise) that shares code, most similar first: the class
    with itself, and the class with earlier code, never earlier code with itself. A file with
    nothing of its own (the untouched stub) takes part in no pair."""
    copydetect = library()
    import numpy as np

    stub = copydetect.CodeFingerprint("stub.py", NOISE_TOKENS, WINDOW, fp=io.StringIO(boilerplate))
    removed = np.unique(np.array(sorted(stub.hashes), dtype=np.int64))
    prints = []
    for source in sources:
        fingerprint = copydetect.CodeFingerprint(
            f"{source.exercise}.py", NOISE_TOKENS, WINDOW, removed, fp=io.StringIO(source.text)
        )
        if fingerprint.token_coverage > 0:
            prints.append((source, fingerprint))
    pairs = []
    for i, (a, print_a) in enumerate(prints):
        if a.earlier:
            continue
        for b, print_b in prints[i + 1 :] + [p for p in prints[:i] if p[0].earlier]:
            overlap, (similarity_a, similarity_b), (slices_a, slices_b) = copydetect.compare_files(
                print_a, print_b
            )
            if overlap <= 0:
                continue
            overlap = int(overlap)
            larger = max(float(similarity_a), float(similarity_b))
            spans = (_spans(slices_a), _spans(slices_b))
            flagged = criteria.flags(larger, overlap)
            pair = Pair(
                a.exercise, a, b, float(similarity_a), float(similarity_b), overlap, *spans, flagged
            )
            pairs.append(pair)
    return sorted(pairs, key=rank_key)


def _spans(slices) -> tuple[Span, ...]:
    """copydetect's slices (a 2 x N array: starts, then ends) as plain pairs of ints."""
    return tuple((int(start), int(end)) for start, end in zip(slices[0], slices[1], strict=True))
