"""``grade --shard K/N``: grade one N-th of a class, so that N machines grade it side by side.

K counts from 1: ``--shard 1/3``, ``2/3``, ``3/3`` are the three shards of a class, as
people (and GitHub's matrix, and Slurm's ``--array=1-N``) count; Kubernetes' 0-based
``JOB_COMPLETION_INDEX`` is passed as ``$((JOB_COMPLETION_INDEX + 1))``
(``examples/scaling/``).

A student's shard is a function of their submission id alone (:func:`shard_of`: SHA-256 of
the id, modulo N): the order in which the submissions were found, and which other students
there are, change nothing. So a late submission lands in one shard and moves nobody else,
and every shard's earlier results are reused when the class is graded again. The price is an
uneven split of a small class (a shard may even be empty); over a class large enough to need
shards, the sizes even out. ``python -m grader merge`` puts the shards' outputs together.
"""

from __future__ import annotations

import argparse
import hashlib
from dataclasses import dataclass


@dataclass(frozen=True)
class Shard:
    """Shard ``index`` (1 to ``count``) of ``count``."""

    index: int
    count: int

    def __str__(self) -> str:
        return f"{self.index}/{self.count}"

    def holds(self, student: str) -> bool:
        return shard_of(student, self.count) == self.index


def shard_of(student: str, count: int) -> int:
    """The shard (1 to ``count``) that grades ``student``."""
    digest = hashlib.sha256(student.encode("utf-8", "surrogatepass")).digest()
    return int.from_bytes(digest[:8], "big") % count + 1


def parse_shard(text: str) -> Shard:
    """``K/N`` with 1 <= K <= N as a :class:`Shard`; an argparse type, so a mistake is reported
    as ``argument --shard: ...`` before any work starts."""
    index, slash, count = text.partition("/")
    try:
        shard = Shard(int(index), int(count))
    except ValueError:
        shard = None
    if not slash or shard is None:
        raise argparse.ArgumentTypeError(f"want K/N, such as 1/3 (K counts from 1), got {text!r}")
    if shard.count < 1 or not 1 <= shard.index <= shard.count:
        raise argparse.ArgumentTypeError(
            f"want K/N with 1 <= K <= N (K counts from 1: 1/3, 2/3, 3/3), got {text!r}"
        )
    return shard
