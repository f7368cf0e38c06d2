"""What a result carries beyond its tests: the instructor's overrides (:class:`Adjustment`, one
per applied row of ``adjustments.csv``) and the late penalty (:class:`Late`), each as JSON both
ways and as a sentence. The tests' points stay as the tests gave them;
:attr:`grader.results.model.SubmissionResult.total` adds these (docs/GRADER.md, "Deadlines and
overrides"). Pure data: the rules that make them are :mod:`grader.grading.adjustments` and
:mod:`grader.grading.deadlines`.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Any

from grader.results import fields


def format_signed(value: float) -> str:
    """Points moved, with their sign: +1.5, -2, 0 (2 decimals at most)."""
    text = f"{value:+.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("+0", "-0") else text


def _check_signed(owner: str, name: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ValueError(f"{owner}.{name} must be a finite number, got {value!r}")
    return float(value)


@dataclass(frozen=True)
class Adjustment:
    """One override, as applied: the exercise (and function, "" for the whole exercise) it
    names, its rule as written ("= 3" sets, "+1.5" or "-2" moves), the points it moved after
    clipping to what the exercise (or function) allows, and the instructor's comment."""

    exercise: str
    function: str
    rule: str
    points: float
    comment: str

    def __post_init__(self) -> None:
        owner = f"Adjustment({self.exercise!r})"
        for key in ("exercise", "function", "rule", "comment"):
            fields.check_str(owner, key, getattr(self, key))
        object.__setattr__(self, "points", _check_signed(owner, "points", self.points))

    @property
    def target(self) -> str:
        """What it overrides: ``activations``, or ``activations.softmax`` for a function."""
        return f"{self.exercise}.{self.function}" if self.function else self.exercise

    def describe(self) -> str:
        """One line: ``activations.softmax = 3: +0.5 points (regrade request)``."""
        return f"{self.target} {self.rule}: {format_signed(self.points)} points ({self.comment})"

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: Any) -> Adjustment:
        return cls(**fields.dataclass_fields(cls, data, "Adjustment"))


@dataclass(frozen=True)
class Late:
    """When the submission came in against the due date in force for its student (their
    extension included), and the penalty that follows. ``submitted`` is "" where no time is
    known: no penalty then, but ``flag`` says so, so that no submission is silently on time.
    ``trusted`` is False for a time the student could set (a Git commit time). Times are ISO
    8601 with their UTC offset."""

    due: str
    submitted: str
    source: str  # where the time came from ("" when none is known)
    trusted: bool
    hours: float  # hours after the due date (0: on time, or no time known)
    percent: float  # of the total after the overrides
    points: float  # the penalty, in points
    flag: str = ""  # why the instructor should look at it ("" when nothing is amiss)

    def __post_init__(self) -> None:
        for key in ("due", "submitted", "source", "flag"):
            fields.check_str("Late", key, getattr(self, key))
        if not isinstance(self.trusted, bool):
            raise ValueError(f"Late.trusted must be true or false, got {self.trusted!r}")
        for key in ("hours", "percent", "points"):
            object.__setattr__(self, key, fields.check_number("Late", key, getattr(self, key)))
        if self.percent > 100:
            raise ValueError(f"Late.percent must be at most 100, got {self.percent!r}")

    @property
    def is_late(self) -> bool:
        return self.hours > 0

    def describe(self) -> str:
        """One line: when it came in, from where, against which due date, and what it cost."""
        if not self.submitted:
            return f"{self.flag}; due {self.due}: no late penalty applied"
        when = f"submitted {self.submitted} ({self.source}"
        when += ")" if self.trusted else ", untrusted: the student could set it)"
        if not self.is_late:
            return f"{when}, on time for the due date {self.due}"
        cost = f"-{self.percent:g}% = {format_signed(-self.points)} points"
        return f"{when}, {self.hours:g} h after the due date {self.due}: {cost}"

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: Any) -> Late:
        return cls(**fields.dataclass_fields(cls, data, "Late"))
