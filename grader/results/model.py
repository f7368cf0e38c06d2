"""The data model of a grading: a :class:`SubmissionResult` per student, an :class:`ExerciseResult`
per exercise, a :class:`TestOutcome` per test; the score (:mod:`grader.core.scoring`); each as
JSON both ways (stored per student by :mod:`grader.results.stored`, every string exactly).
Pure: nothing here runs student code or knows a file format.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any, Literal, NamedTuple, get_args

from grader.core import gating, scoring
from grader.core.outcomes import ExerciseState, Outcome
from grader.core.report import TestRecord
from grader.results import fields
from grader.results.amended import Adjustment, Late

SubmissionStatus = Literal["graded", "error"]
SUBMISSION_STATUSES: tuple[str, ...] = get_args(SubmissionStatus)
FORMAT_VERSION = 4  # of the stored per-student JSON; another version is refused on load
_POINTS_TOLERANCE = 0.005  # points are rounded to 2 decimals


def format_points(value: float) -> str:
    """A number with up to 2 decimals and no trailing zeros: 10, 7.5, 6.67."""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


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
    answer: str = ""  # the answer it names, which a constant could give (grader/core/gating.py)
    worth: float = 0.0  # the points it earns when it passes (grader/core/scoring.py)

    def __post_init__(self) -> None:
        fields.check_str("TestOutcome", "exercise", self.exercise)
        fields.check_str("TestOutcome", "name", self.name)
        outcome = Outcome(fields.check_choice("TestOutcome", "outcome", self.outcome, Outcome))
        object.__setattr__(self, "outcome", outcome)
        fields.check_str("TestOutcome", "message", self.message)
        for key in ("duration", "worth"):
            object.__setattr__(
                self, key, fields.check_number("TestOutcome", key, getattr(self, key))
            )
        fields.check_str("TestOutcome", "answer", self.answer)
        for key in ("values", "requires"):
            names = getattr(self, key)
            if not isinstance(names, list | tuple):
                raise ValueError(f"TestOutcome.{key} must be a list of function names")
            object.__setattr__(
                self, key, tuple(fields.check_str("TestOutcome", key, name) for name in names)
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
            "answer": self.answer,
            "worth": self.worth,
        }

    @property
    def function(self) -> str:
        """The function whose points it shares (:func:`grader.core.gating.function_of`)."""
        return gating.function_of(self)

    @classmethod
    def from_record(cls, record: TestRecord, hidden: bool) -> TestOutcome:
        """A test as the test process reported it (:mod:`grader.core.report`); ``hidden``, which
        the name of its file told, stands for that name."""
        reported = record.to_json()
        del reported["file"]
        return cls(**reported, hidden=hidden)

    @classmethod
    def from_json(cls, data: Any) -> TestOutcome:
        data = fields.mapping(data, "TestOutcome")
        return cls(
            exercise=fields.field(data, "exercise", "TestOutcome"),
            name=fields.field(data, "name", "TestOutcome"),
            outcome=fields.field(data, "outcome", "TestOutcome"),
            message=fields.field(data, "message", "TestOutcome", ""),
            duration=fields.field(data, "duration", "TestOutcome", 0.0),
            values=fields.field(data, "values", "TestOutcome", ()),
            requires=fields.field(data, "requires", "TestOutcome", ()),
            hidden=fields.field(data, "hidden", "TestOutcome", False) is True,
            answer=fields.field(data, "answer", "TestOutcome", ""),
            worth=fields.field(data, "worth", "TestOutcome", 0.0),
        )


class FunctionScore(NamedTuple):
    """One function's part of an exercise's points."""

    name: str
    points: float
    max_points: float


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
    graded_with: str = ""  # what it was graded with (grading/fingerprint.py); "" for a fault

    def __post_init__(self) -> None:
        owner = f"ExerciseResult({self.name!r})"
        fields.check_str(owner, "name", self.name)
        fields.check_str(owner, "title", self.title)
        max_points = fields.check_number(owner, "max_points", self.max_points)
        points = fields.check_number(owner, "points", self.points)
        if points > max_points + _POINTS_TOLERANCE:
            raise ValueError(f"{owner}: points {points} exceed max_points {max_points}")
        status = ExerciseState(fields.check_choice(owner, "status", self.status, ExerciseState))
        object.__setattr__(self, "status", status)
        fields.check_str(owner, "message", self.message)
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
                    fields.check_str(owner, "timings function", function),
                    fields.check_number(owner, "timings student seconds", yours),
                    fields.check_number(owner, "timings reference seconds", reference),
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
        function_points: Mapping[str, float] | None = None,
    ) -> ExerciseResult:
        """The result of an exercise whose tests all ran: each test worth its function's share
        (:mod:`grader.core.scoring`, ``function_points`` from the manifest), the points those
        that passed after gating are worth (:mod:`grader.core.gating`: a test waiting for a
        function whose values are wrong counts as failed); the status is "not attempted" when
        every graded test was not attempted, "graded" otherwise."""
        tests = gate(tests)
        worth = scoring.worths(max_points, tests, function_points)
        tests = tuple(replace(test, worth=w) for test, w in zip(tests, worth, strict=True))
        counts = count_outcomes(tests)
        graded = sum(counts[outcome] for outcome in Outcome if outcome.counted)
        untouched = graded > 0 and counts[Outcome.NOT_ATTEMPTED] == graded
        return cls(
            name=name,
            title=title,
            max_points=max_points,
            points=scoring.earned(worth, [test.outcome for test in tests]),
            status=ExerciseState.NOT_ATTEMPTED if untouched else ExerciseState.GRADED,
            message="",
            tests=tests,
            timings=tuple(timings),
        )

    def functions(self) -> list[FunctionScore]:
        """Its points per function, in the order its tests ran (empty when no test ran)."""
        found: dict[str, FunctionScore] = {}
        for test in self.tests:
            was = found.get(test.function, FunctionScore(test.function, 0.0, 0.0))
            won = test.worth if test.outcome == Outcome.PASSED else 0.0
            found[test.function] = FunctionScore(
                test.function, was.points + won, was.max_points + test.worth
            )
        return [
            FunctionScore(f.name, round(f.points, 2) + 0.0, round(f.max_points, 2) + 0.0)
            for f in found.values()
        ]

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
            "graded_with": self.graded_with,
        }

    @classmethod
    def from_json(cls, data: Any) -> ExerciseResult:
        what = "ExerciseResult"
        data = fields.mapping(data, what)
        tests, timings = fields.field(data, "tests", what), fields.field(data, "timings", what, [])
        if not isinstance(tests, list) or not isinstance(timings, list):
            raise ValueError(f"{what}: tests and timings must be lists")
        for timing in timings:
            if not isinstance(timing, list):
                raise ValueError(f"{what}: a timing must be a list, got {timing!r}")
        return cls(
            name=fields.field(data, "name", what),
            title=fields.field(data, "title", what),
            max_points=fields.field(data, "max_points", what),
            points=fields.field(data, "points", what),
            status=fields.field(data, "status", what),
            message=fields.field(data, "message", what, ""),
            tests=tuple(TestOutcome.from_json(test) for test in tests),
            timings=tuple(tuple(timing) for timing in timings),
            graded_with=fields.check_str(what, "graded_with", data.get("graded_with", "")),
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
    # reuses it whole only while both are unchanged: the digest of the run's setup, and that of
    # the submission as taken in; each exercise's own keeps it while the rest is graded again.
    graded_with: str = ""
    content: str = ""
    # What the instructor changed after the tests (grader/results/amended.py): the overrides
    # applied, and the late penalty (None: no due date was given).
    adjustments: tuple[Adjustment, ...] = ()
    late: Late | None = None

    def __post_init__(self) -> None:
        owner = f"SubmissionResult({self.student!r})"
        fields.check_str(owner, "student", self.student)
        fields.check_choice(owner, "status", self.status, SUBMISSION_STATUSES)
        fields.check_str(owner, "message", self.message)
        exercises = tuple(self.exercises)
        for exercise in exercises:
            if not isinstance(exercise, ExerciseResult):
                raise ValueError(f"{owner}.exercises must hold ExerciseResult, got {exercise!r}")
        names = [exercise.name for exercise in exercises]
        if len(set(names)) != len(names):
            raise ValueError(f"{owner}: duplicate exercises in {names}")
        notes = tuple(self.notes)
        for note in notes:
            fields.check_str(owner, "notes", note)
        adjustments = tuple(self.adjustments)
        for adjustment in adjustments:
            if not isinstance(adjustment, Adjustment):
                raise ValueError(f"{owner}.adjustments must hold Adjustment, got {adjustment!r}")
        if self.late is not None and not isinstance(self.late, Late):
            raise ValueError(f"{owner}.late must be a Late or None, got {self.late!r}")
        object.__setattr__(self, "exercises", exercises)
        object.__setattr__(self, "notes", notes)
        object.__setattr__(self, "adjustments", adjustments)

    @property
    def autograded_total(self) -> float:
        """The tests' points alone."""
        return round(sum(exercise.points for exercise in self.exercises), 2) + 0.0

    @property
    def adjusted(self) -> float:
        """The points the overrides moved, in all (negative: taken away)."""
        return round(sum(adjustment.points for adjustment in self.adjustments), 2) + 0.0

    @property
    def penalty(self) -> float:
        """The late penalty, in points (0 without one)."""
        return 0.0 if self.late is None else self.late.points

    @property
    def total(self) -> float:
        """The grade: the tests' points, plus the overrides, less the late penalty."""
        return max(round(self.autograded_total + self.adjusted - self.penalty, 2), 0.0) + 0.0

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
            "adjustments": [adjustment.to_json() for adjustment in self.adjustments],
            "late": None if self.late is None else self.late.to_json(),
        }

    @classmethod
    def from_json(cls, data: Any) -> SubmissionResult:
        what = "SubmissionResult"
        data = fields.mapping(data, what)
        version = data.get("version", FORMAT_VERSION)
        if version != FORMAT_VERSION:
            raise ValueError(
                f"{what}: format version {version!r}, this grader reads {FORMAT_VERSION}"
            )
        exercises, notes = fields.field(data, "exercises", what), data.get("notes", [])
        adjustments, late = data.get("adjustments", []), data.get("late")
        if not all(isinstance(value, list) for value in (exercises, notes, adjustments)):
            raise ValueError(f"{what}: exercises, notes and adjustments must be lists")
        return cls(
            student=fields.field(data, "student", what),
            status=fields.field(data, "status", what),
            message=fields.field(data, "message", what, ""),
            exercises=tuple(ExerciseResult.from_json(exercise) for exercise in exercises),
            notes=tuple(notes),
            device=fields.check_str(what, "device", data.get("device", "cpu")),
            isolation=fields.check_str(what, "isolation", data.get("isolation", "")),
            graded_with=fields.check_str(what, "graded_with", data.get("graded_with", "")),
            content=fields.check_str(what, "content", data.get("content", "")),
            adjustments=tuple(Adjustment.from_json(adjustment) for adjustment in adjustments),
            late=None if late is None else Late.from_json(late),
        )


def gate(tests: Iterable[TestOutcome]) -> tuple[TestOutcome, ...]:
    """The outcomes with :mod:`grader.core.gating`'s rule applied."""
    tests = tuple(tests)
    rule = gating.gate(tests)
    return tuple(
        test if outcome == test.outcome else replace(test, outcome=outcome, message=message)
        for test, (outcome, message) in zip(tests, rule, strict=True)
    )


def count_outcomes(tests: Iterable[TestOutcome]) -> dict[str, int]:
    counts = dict.fromkeys(Outcome, 0)
    for test in tests:
        counts[test.outcome] += 1
    return counts
