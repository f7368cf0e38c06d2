"""The report between a test session and ``grade``: one JSON line per event, appended at once.

The test process writes it (``pytest --report-json PATH``); :mod:`grader.grading.grade` reads it.
A line is ``{KIND: value}``, one of the kinds below, so that a session killed part-way loses
nothing it has reported and a line cut short by the kill is skipped. Imports nothing of grader.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

COLLECTED = "collected"  # {exercise: number of tests this run grades}
TEST = (
    "test"  # one test's outcome: exercise, name, outcome, message, duration, values, requires, file
)
TIMEOUT = "timeout"  # {exercise, seconds}: the exercise ran out of time
TIMING = "timing"  # {exercise, function, yours, reference}: its key function timed (seconds)
FINISHED = "finished"  # the session ended normally


def append_record(path: str | Path | None, kind: str, value: Any) -> None:
    """Append one event to the report at ``path`` (nothing when there is no report)."""
    if path:
        with open(path, "a", encoding="utf-8") as report:
            report.write(json.dumps({kind: value}, ensure_ascii=False) + "\n")


@dataclass
class SessionReport:
    """What one session reported: tests as their raw records, per exercise."""

    collected: dict[str, int] = field(default_factory=dict)
    tests: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    timed_out: set[str] = field(default_factory=set)
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
                test = dict(record[TEST])
                report.tests.setdefault(str(test["exercise"]), []).append(test)
            elif COLLECTED in record:
                report.collected = {str(k): int(v) for k, v in record[COLLECTED].items()}
            elif TIMEOUT in record:
                report.timed_out.add(str(record[TIMEOUT]["exercise"]))
            elif TIMING in record:
                timing = record[TIMING]
                row = (str(timing["function"]), float(timing["yours"]), float(timing["reference"]))
                report.timings.setdefault(str(timing["exercise"]), []).append(row)
        except (ValueError, KeyError, TypeError, AttributeError):
            continue  # a line cut short by a kill
    return report
