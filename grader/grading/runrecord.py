"""``OUT/run.json``: what a grading run set out to do, written before it grades anyone.

``grade`` writes it first; ``merge`` reads one from each shard's output to check that the
shards belong together (the same setup, the same class), that together they cover the class,
and that each is finished (every student it lists has a result graded with that setup). A
merged output gets one too, as if graded whole, so a later ``grade`` into it reuses what is
unchanged.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from grader.core.files import atomic_write_text
from grader.grading.fingerprint import fingerprint, setup_parts
from grader.grading.shards import Shard

RUN_FILE = "run.json"
RECORD_VERSION = 1  # of run.json; another version is refused on load


@dataclass(frozen=True)
class RunRecord:
    """``setup``: the named parts of :func:`grader.grading.fingerprint.setup_parts`;
    ``fingerprint``: their digest; ``shard``: "K/N", or "" for a whole class; ``everyone``: the
    submission ids of the whole class (all shards), sorted; ``students``: the ids this run
    grades (its shard's)."""

    setup: Mapping[str, Any]
    fingerprint: str
    shard: str
    everyone: tuple[str, ...] = field(default=())
    students: tuple[str, ...] = field(default=())

    def to_json(self) -> dict[str, Any]:
        return {
            "version": RECORD_VERSION,
            "fingerprint": self.fingerprint,
            "shard": self.shard,
            "everyone": list(self.everyone),
            "students": list(self.students),
            "setup": dict(self.setup),
        }


def new_record(
    settings: Mapping[str, Any],
    hidden: Iterable[Path],
    everyone: Iterable[str],
    share: Iterable[str],
    shard: Shard | None,
) -> RunRecord:
    """The record of a run that grades ``share`` of the class ``everyone`` (submission ids),
    with ``settings`` (:func:`grader.grading.fingerprint.setup_parts`) and hidden test folders."""
    parts = setup_parts(settings, hidden)
    everyone = tuple(sorted(set(everyone)))
    return RunRecord(parts, fingerprint(parts), shard_text(shard), everyone, tuple(share))


def shard_text(shard: Shard | None) -> str:
    return "" if shard is None else str(shard)


def save_record(record: RunRecord, out: Path) -> None:
    text = json.dumps(record.to_json(), ensure_ascii=False, indent=1)
    atomic_write_text(out / RUN_FILE, text + "\n")


def load_record(out: Path) -> RunRecord:
    """The record of the run that wrote ``out``; ValueError (with a message naming the file)
    when there is none or it is not one."""
    path = out / RUN_FILE
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ValueError(f"{path} is missing: {out} is not the output of a grade run") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as problem:
        raise ValueError(f"{path} cannot be read ({problem})") from None
    if not isinstance(data, dict) or data.get("version") != RECORD_VERSION:
        raise ValueError(f"{path} is not a run record of this grader (version {RECORD_VERSION})")
    try:
        return RunRecord(
            setup=dict(data["setup"]),
            fingerprint=str(data["fingerprint"]),
            shard=str(data["shard"]),
            everyone=tuple(str(student) for student in data["everyone"]),
            students=tuple(str(student) for student in data["students"]),
        )
    except (KeyError, TypeError, ValueError) as problem:
        raise ValueError(f"{path} is not a run record ({problem!r})") from None
