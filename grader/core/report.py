"""The report between a test session and ``grade``: one JSON line per event, appended at once.

The test process writes it (``pytest --report-json PATH``); :mod:`grader.grading.sessions` reads
it. A line is ``{KIND: value}``, one of the kinds below, so that a session killed part-way loses
nothing it has reported and a line cut short by the kill is skipped. A test's line is a
:class:`TestRecord`, which owns its JSON both ways. Imports only :mod:`grader.core.outcomes`.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

from grader.core.outcomes import Outcome

COLLECTED = "collected"  # {exercise: number of tests this run grades}
TEST = "test"  # one test's outcome: a TestRecord
TIMEOUT = "timeout"  # {exercise, seconds}: the exercise ran out of time
CRASH = "crash"  # {exercise, reason}: the student's code ended the process running it
TIMING = "timing"  # {exercise, function, yours, reference}: its key function timed (seconds)


def append_record(path: str | Path | None, kind: str, value: Any) -> None:
    """Append one event to the report at ``path`` (nothing when there is no report)."""
    if path:
        with open(path, "a", encoding="utf-8") as report:
            report.write(json.dumps({kind: value}, ensure_ascii=False) + "\n")


@dataclass(frozen=True)
class TestRecord:
    """One test's outcome, as the test process reports it (a :data:`TEST` line)."""

    __test__ = False  # not a pytest test class, despite the name

    exercise: str
    name: str  # the test id without the module: test_softmax_matches_torch[dim=-1-float32-cpu]
    outcome: Outcome
    message: str  # what the student reads of it ("" for a pass)
    duration: float  # seconds
    values: tuple[str, ...]  # the functions whose values it checks (grader/core/gating.py)
    requires: tuple[str, ...]  # the functions whose values must be right for it to count
    file: str  # the name of its test module's file (grade tells a hidden test by it)
    answer: str = ""  # the answer it names, which a constant could give (grader/core/gating.py)

    def __post_init__(self) -> None:
        object.__setattr__(self, "outcome", Outcome(self.outcome))
        object.__setattr__(self, "values", tuple(self.values))
        object.__setattr__(self, "requires", tuple(self.requires))

    def to_json(self) -> dict[str, Any]:
        """The record as data for ``json.dumps`` (which writes its tuples as lists)."""
        return asdict(self)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> TestRecord:
        """The record :meth:`to_json` wrote; KeyError, ValueError or TypeError for anything else."""
        return cls(**{column.name: data[column.name] for column in fields(cls)})


@dataclass
class SessionReport:
    """What one session reported: its tests' records, per exercise."""

    collected: dict[str, int] = field(default_factory=dict)
    tests: dict[str, list[TestRecord]] = field(default_factory=dict)
    timed_out: set[str] = field(default_factory=set)
    crashed: dict[str, list[str]] = field(default_factory=dict)  # exercise: each crash's reason
    timings: dict[str, list[tuple[str, float, float]]] = field(default_factory=dict)

    def complete(self, exercise: str) -> bool:
        """Every test of ``exercise`` reported (or it ran out of time)."""
        reported = len(self.tests.get(exercise, []))
        return exercise in self.timed_out or reported == self.collected.get(exercise, -1) > 0


def read_report(path: Path) -> SessionReport:
    """The report at ``path``; a missing file is an empty report, a malformed line is skipped."""
    report = SessionReport()
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError:
        return report
    for line in lines:
        try:
            record = json.loads(line)
            if TEST in record:
                test = TestRecord.from_json(record[TEST])
                report.tests.setdefault(test.exercise, []).append(test)
            elif COLLECTED in record:
                report.collected = {str(k): int(v) for k, v in record[COLLECTED].items()}
            elif TIMEOUT in record:
                report.timed_out.add(str(record[TIMEOUT]["exercise"]))
            elif CRASH in record:
                crash = record[CRASH]
                report.crashed.setdefault(str(crash["exercise"]), []).append(str(crash["reason"]))
            elif TIMING in record:
                timing = record[TIMING]
                row = (str(timing["function"]), float(timing["yours"]), float(timing["reference"]))
                report.timings.setdefault(str(timing["exercise"]), []).append(row)
        except (ValueError, KeyError, TypeError, AttributeError):
            continue  # a line cut short by a kill
    return report
