"""The data model of a grading: a :class:`SubmissionResult` per student, an :class:`ExerciseResult`
per exercise, a :class:`TestOutcome` per test; the score; stored per student as JSON so that
a killed run can resume (:func:`save_submission`, :func:`load_submission`; the stored JSON
keeps every string exactly). Pure: nothing here runs student code or knows a file format.
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Literal, get_args

from grader.core import gating
from grader.core.files import atomic_write_bytes
from grader.core.outcomes import ExerciseState, Outcome
from grader.core.report import TestRecord

SubmissionStatus = Literal["graded", "error"]
SUBMISSION_STATUSES: tuple[str, ...] = get_args(SubmissionStatus)
FORMAT_VERSION = 1  # of the stored per-student JSON; another version is refused on load
_POINTS_TOLERANCE = 0.005  # points are rounded to 2 decimals


def score(passed: int, graded: int, max_points: float) -> float:
    """Points for ``passed`` of ``graded`` tests: ``max_points * passed / graded``, 2 decimals.

    ``graded`` counts the tests that passed, failed, errored or were not attempted (skipped
    tests are not graded); no graded test gives 0.
    """
    if passed < 0 or graded < 0 or passed > graded:
        raise ValueError(f"score: need 0 <= passed <= graded, got passed={passed}, graded={graded}")
    if graded == 0:
        return 0.0
    return round(max_points * passed / graded, 2) + 0.0  # + 0.0: never -0.0


def format_points(value: float) -> str:
    """A number with up to 2 decimals and no trailing zeros: 10, 7.5, 6.67."""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def _check_number(owner: str, name: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"{owner}.{name} must be a number, got {value!r}")
    value = float(value)
    if not math.isfinite(value) or value < 0:
        raise ValueError(f"{owner}.{name} must be finite and >= 0, got {value!r}")
    return value


def _check_str(owner: str, name: str, value: Any) -> str:
    if not isinstance(value, str):
        raise ValueError(f"{owner}.{name} must be a string, got {type(value).__name__}")
    return value


def _check_choice(owner: str, name: str, value: Any, choices: Iterable[str]) -> str:
    words = tuple(map(str, choices))  # an enum's members as the strings stored
    if value not in words:
        raise ValueError(f"{owner}.{name} must be one of {words}, got {value!r}")
    return value


def _mapping(data: Any, what: str) -> Mapping[str, Any]:
    if isinstance(data, str | bytes | bytearray):
        data = json.loads(data)
    if not isinstance(data, Mapping):
        raise ValueError(f"{what}: expected a JSON object, got {type(data).__name__}")
    return data


def _field(data: Mapping[str, Any], key: str, what: str, default: Any = ...) -> Any:
    if key in data:
        return data[key]
    if default is ...:
        raise ValueError(f"{what}: missing key {key!r}")
    return default


@dataclass(frozen=True)
class TestOutcome:
    """One test of one exercise, as the test process reported it."""

    __test__ = False  # not a pytest test class, despite the name

    exercise: str
    name: str  # the test id without the module: test_softmax_matches_torch[dim=-1-float32-cpu]
    outcome: Outcome
    message: str = ""  # the teaching failure text (input, expected, actual, hint); may be long
    duration: float = 0.0  # seconds
    values: tuple[str, ...] = ()  # the functions whose values it checks (grader/core/gating.py)
    requires: tuple[str, ...] = ()  # the functions whose values must be right for it to count
    hidden: bool = False  # from the instructor's hidden tests (grade --tests)

    def __post_init__(self) -> None:
        _check_str("TestOutcome", "exercise", self.exercise)
        _check_str("TestOutcome", "name", self.name)
        outcome = Outcome(_check_choice("TestOutcome", "outcome", self.outcome, Outcome))
        object.__setattr__(self, "outcome", outcome)
        _check_str("TestOutcome", "message", self.message)
        object.__setattr__(
            self, "duration", _check_number("TestOutcome", "duration", self.duration)
        )
        for key in ("values", "requires"):
            names = getattr(self, key)
            if not isinstance(names, list | tuple):
                raise ValueError(f"TestOutcome.{key} must be a list of function names")
            object.__setattr__(
                self, key, tuple(_check_str("TestOutcome", key, name) for name in names)
            )

    def to_json(self) -> dict[str, Any]:
        return {
            "exercise": self.exercise,
            "name": self.name,
            "outcome": self.outcome,
            "message": self.message,
            "duration": self.duration,
            "values": list(self.values),
            "requires": list(self.requires),
            "hidden": self.hidden,
        }

    @classmethod
    def from_record(cls, record: TestRecord, hidden: bool) -> TestOutcome:
        """A test as the test process reported it (:mod:`grader.core.report`); ``hidden``, which
        the name of its file told, stands for that name."""
        reported = record.to_json()
        del reported["file"]
        return cls(**reported, hidden=hidden)

    @classmethod
    def from_json(cls, data: Any) -> TestOutcome:
        data = _mapping(data, "TestOutcome")
        return cls(
            exercise=_field(data, "exercise", "TestOutcome"),
            name=_field(data, "name", "TestOutcome"),
            outcome=_field(data, "outcome", "TestOutcome"),
            message=_field(data, "message", "TestOutcome", ""),
            duration=_field(data, "duration", "TestOutcome", 0.0),
            values=_field(data, "values", "TestOutcome", ()),
            requires=_field(data, "requires", "TestOutcome", ()),
            hidden=_field(data, "hidden", "TestOutcome", False) is True,
        )


@dataclass(frozen=True)
class ExerciseResult:
    """One exercise of one submission.

    ``status`` other than "graded" says why the tests could not all run, and ``message`` says it
    for the student ("timed out after 60 s", "your code crashed the process (SIGSEGV)",
    "activations.py does not parse: ... line 3"). ``timings`` are (function, student seconds,
    reference seconds), shown in the feedback and never graded.
    """

    name: str
    title: str
    max_points: float
    points: float
    status: ExerciseState
    message: str
    tests: tuple[TestOutcome, ...]
    timings: tuple[tuple[str, float, float], ...] = ()

    def __post_init__(self) -> None:
        owner = f"ExerciseResult({self.name!r})"
        _check_str(owner, "name", self.name)
        _check_str(owner, "title", self.title)
        max_points = _check_number(owner, "max_points", self.max_points)
        points = _check_number(owner, "points", self.points)
        if points > max_points + _POINTS_TOLERANCE:
            raise ValueError(f"{owner}: points {points} exceed max_points {max_points}")
        status = ExerciseState(_check_choice(owner, "status", self.status, ExerciseState))
        object.__setattr__(self, "status", status)
        _check_str(owner, "message", self.message)
        tests = tuple(self.tests)
        for test in tests:
            if not isinstance(test, TestOutcome):
                raise ValueError(f"{owner}.tests must hold TestOutcome, got {test!r}")
        timings = []
        for timing in self.timings:
            if len(timing) != 3:
                raise ValueError(f"{owner}.timings: want (function, yours, reference): {timing!r}")
            function, yours, reference = timing
            timings.append(
                (
                    _check_str(owner, "timings function", function),
                    _check_number(owner, "timings student seconds", yours),
                    _check_number(owner, "timings reference seconds", reference),
                )
            )
        object.__setattr__(self, "max_points", max_points)
        object.__setattr__(self, "points", points)
        object.__setattr__(self, "tests", tests)
        object.__setattr__(self, "timings", tuple(timings))

    @classmethod
    def from_tests(
        cls,
        name: str,
        title: str,
        max_points: float,
        tests: Iterable[TestOutcome],
        timings: Iterable[tuple[str, float, float]] = (),
    ) -> ExerciseResult:
        """The result of an exercise whose tests all ran: points by :func:`score` after gating
        (:mod:`grader.core.gating`: a test waiting for a function whose values are wrong counts as
        failed); the status is "not attempted" when every graded test was not attempted,
        "graded" otherwise."""
        tests = gate(tests)
        counts = count_outcomes(tests)
        graded = sum(counts[outcome] for outcome in Outcome if outcome.counted)
        untouched = graded > 0 and counts[Outcome.NOT_ATTEMPTED] == graded
        return cls(
            name=name,
            title=title,
            max_points=max_points,
            points=score(counts[Outcome.PASSED], graded, max_points),
            status=ExerciseState.NOT_ATTEMPTED if untouched else ExerciseState.GRADED,
            message="",
            tests=tests,
            timings=tuple(timings),
        )

    def counts(self) -> dict[str, int]:
        """How many tests had each outcome, every outcome present (in Outcome's order)."""
        return count_outcomes(self.tests)

    @property
    def passed(self) -> int:
        return sum(1 for test in self.tests if test.outcome == Outcome.PASSED)

    @property
    def graded(self) -> int:
        """Tests that count: passed, failed, error, not attempted (skipped ones do not)."""
        return sum(1 for test in self.tests if test.outcome.counted)

    @property
    def full_marks(self) -> bool:
        graded = self.status == ExerciseState.GRADED
        return graded and self.points >= self.max_points - _POINTS_TOLERANCE

    @property
    def attempted(self) -> bool:
        """False for status "not attempted", and for a graded exercise whose every graded test
        was not attempted; True otherwise (a timeout, crash or invalid module was an attempt)."""
        if self.status == ExerciseState.NOT_ATTEMPTED:
            return False
        if self.status == ExerciseState.GRADED and self.tests:
            counted = [t for t in self.tests if t.outcome.counted]
            return not counted or any(t.outcome != Outcome.NOT_ATTEMPTED for t in counted)
        return True

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "title": self.title,
            "max_points": self.max_points,
            "points": self.points,
            "status": self.status,
            "message": self.message,
            "tests": [test.to_json() for test in self.tests],
            "timings": [list(timing) for timing in self.timings],
        }

    @classmethod
    def from_json(cls, data: Any) -> ExerciseResult:
        what = "ExerciseResult"
        data = _mapping(data, what)
        tests, timings = _field(data, "tests", what), _field(data, "timings", what, [])
        if not isinstance(tests, list) or not isinstance(timings, list):
            raise ValueError(f"{what}: tests and timings must be lists")
        for timing in timings:
            if not isinstance(timing, list):
                raise ValueError(f"{what}: a timing must be a list, got {timing!r}")
        return cls(
            name=_field(data, "name", what),
            title=_field(data, "title", what),
            max_points=_field(data, "max_points", what),
            points=_field(data, "points", what),
            status=_field(data, "status", what),
            message=_field(data, "message", what, ""),
            tests=tuple(TestOutcome.from_json(test) for test in tests),
            timings=tuple(tuple(timing) for timing in timings),
        )


@dataclass(frozen=True)
class SubmissionResult:
    """One student's submission. Status "error": it could not be graded at all (``message``
    says why, e.g. an unreadable archive or a duplicate student id)."""

    student: str
    status: SubmissionStatus
    message: str
    exercises: tuple[ExerciseResult, ...]
    notes: tuple[str, ...] = field(default=())  # intake remarks for the student
    device: str = "cpu"  # the tests graded: grade --device (cpu, or cpu and cuda)
    # How student code was walled in (grader/core/isolation.py: Walls.describe()), "" where
    # nothing ran (an untouched stub, a submission that could not be taken in).
    isolation: str = ""
    # What the result was computed from (grader/grading/fingerprint.py), so that a later run
    # reuses it only while both are unchanged: the digest of the tests, settings and grader
    # (the same for the whole run), and the digest of the submission as taken in.
    graded_with: str = ""
    content: str = ""

    def __post_init__(self) -> None:
        owner = f"SubmissionResult({self.student!r})"
        _check_str(owner, "student", self.student)
        _check_choice(owner, "status", self.status, SUBMISSION_STATUSES)
        _check_str(owner, "message", self.message)
        exercises = tuple(self.exercises)
        for exercise in exercises:
            if not isinstance(exercise, ExerciseResult):
                raise ValueError(f"{owner}.exercises must hold ExerciseResult, got {exercise!r}")
        names = [exercise.name for exercise in exercises]
        if len(set(names)) != len(names):
            raise ValueError(f"{owner}: duplicate exercises in {names}")
        notes = tuple(self.notes)
        for note in notes:
            _check_str(owner, "notes", note)
        object.__setattr__(self, "exercises", exercises)
        object.__setattr__(self, "notes", notes)

    @property
    def total(self) -> float:
        return round(sum(exercise.points for exercise in self.exercises), 2) + 0.0

    @property
    def max_total(self) -> float:
        return round(sum(exercise.max_points for exercise in self.exercises), 2) + 0.0

    def exercise(self, name: str) -> ExerciseResult | None:
        for exercise in self.exercises:
            if exercise.name == name:
                return exercise
        return None

    def to_json(self) -> dict[str, Any]:
        return {
            "version": FORMAT_VERSION,
            "student": self.student,
            "status": self.status,
            "message": self.message,
            "exercises": [exercise.to_json() for exercise in self.exercises],
            "notes": list(self.notes),
            "device": self.device,
            "isolation": self.isolation,
            "graded_with": self.graded_with,
            "content": self.content,
        }

    @classmethod
    def from_json(cls, data: Any) -> SubmissionResult:
        what = "SubmissionResult"
        data = _mapping(data, what)
        version = data.get("version", FORMAT_VERSION)
        if version != FORMAT_VERSION:
            raise ValueError(
                f"{what}: format version {version!r}, this grader reads {FORMAT_VERSION}"
            )
        exercises, notes = _field(data, "exercises", what), _field(data, "notes", what, [])
        if not isinstance(exercises, list) or not isinstance(notes, list):
            raise ValueError(f"{what}: exercises and notes must be lists")
        return cls(
            student=_field(data, "student", what),
            status=_field(data, "status", what),
            message=_field(data, "message", what, ""),
            exercises=tuple(ExerciseResult.from_json(exercise) for exercise in exercises),
            notes=tuple(notes),
            device=_check_str(what, "device", data.get("device", "cpu")),
            isolation=_check_str(what, "isolation", data.get("isolation", "")),
            graded_with=_check_str(what, "graded_with", data.get("graded_with", "")),
            content=_check_str(what, "content", data.get("content", "")),
        )


def gate(tests: Iterable[TestOutcome]) -> tuple[TestOutcome, ...]:
    """The outcomes with :mod:`grader.core.gating`'s rule applied."""
    tests = tuple(tests)
    rule = gating.gate([(test.outcome, test.values, test.requires) for test in tests])
    return tuple(
        test if outcome == test.outcome else replace(test, outcome=outcome, message=message)
        for test, (outcome, message) in zip(tests, rule, strict=True)
    )


def count_outcomes(tests: Iterable[TestOutcome]) -> dict[str, int]:
    counts = dict.fromkeys(Outcome, 0)
    for test in tests:
        counts[test.outcome] += 1
    return counts


def save_submission(result: SubmissionResult, path: str | os.PathLike[str]) -> None:
    """Store ``result`` as JSON (atomically); :func:`load_submission` reads it back equal.

    Non-ASCII text is written as UTF-8; a lone surrogate (undecodable bytes from a student's
    output) is written as its JSON escape ``\\udcXX``, which reads back as the same character.
    """
    text = json.dumps(result.to_json(), ensure_ascii=False, indent=1, allow_nan=False)
    atomic_write_bytes(path, (text + "\n").encode("utf-8", "backslashreplace"))


def load_submission(path: str | os.PathLike[str]) -> SubmissionResult:
    """Read a result written by :func:`save_submission`. A file that is not one (damaged, or
    from another format version) is a ValueError: grade that submission again."""
    try:
        data = json.loads(Path(path).read_bytes().decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as problem:
        raise ValueError(f"{path}: not a stored result ({problem})") from None
    return SubmissionResult.from_json(data)
