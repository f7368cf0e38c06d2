"""Results of grading: the data model, and the files written from it.

``python -m grader grade SUBMISSIONS --out OUT`` ends here. Grading one submission yields a
:class:`SubmissionResult` (one :class:`ExerciseResult` per exercise, each with the
:class:`TestOutcome` of every test). It is stored per student as JSON (:func:`save_submission`,
:func:`load_submission`) so that a killed run can resume, and turned into:

- ``results.json`` for Gradescope (:func:`write_results_json`),
- JUnit XML for CI tools (:func:`write_junit`),
- the student's feedback in Markdown (:func:`write_feedback_md`),
- the class gradebook as CSV (:func:`write_gradebook_csv`),
- the class summary, ``summary.md`` and ``scores.png`` (:func:`write_class_summary`),
- a text table for the terminal (:func:`render_table`).

Every function here is a pure function of the data model (plus the manifest, for the order of
the exercises); nothing runs student code. Every file is written atomically: to a temporary file
in the same directory, flushed and fsynced, then moved over the target with ``os.replace``, so a
reader (or a resumed run) sees the old file or the new one, never half of one.

Text in the results may come from student code (an exception message, a student id): the
writers neutralise it for each format (control characters and lone surrogates escaped, XML made
well-formed, Markdown fences longer than any backtick run inside, CSV quoted) and clip long
messages. The stored JSON keeps every string exactly.
"""

from __future__ import annotations

import csv
import io
import json
import math
import os
import re
import statistics
import xml.etree.ElementTree as ET
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Literal, get_args

from grader.core import gating
from grader.core.devices import device_text
from grader.core.files import atomic_write_bytes, atomic_write_text
from grader.core.text import (
    CLIP_CHARS,
    CLIP_LINES,
    clip,
    escape_char,
    fit,
    one_line,
    pad,
    printable,
    width,
)

__all__ = [
    "EXERCISE_STATUSES",
    "FORMAT_VERSION",
    "OUTCOMES",
    "SUBMISSION_STATUSES",
    "ExerciseResult",
    "SubmissionResult",
    "TestOutcome",
    "atomic_write_bytes",
    "atomic_write_text",
    "class_summary_md",
    "clip",
    "exercise_order",
    "feedback_md",
    "format_points",
    "gradebook_csv",
    "gradescope_json",
    "junit_xml",
    "load_submission",
    "printable",
    "render_table",
    "save_submission",
    "score",
    "scores_png",
    "write_class_summary",
    "write_feedback_md",
    "write_gradebook_csv",
    "write_junit",
    "write_results_json",
]

Outcome = Literal["passed", "failed", "not attempted", "error", "skipped"]
ExerciseStatus = Literal["graded", "not attempted", "timeout", "crashed", "invalid"]
SubmissionStatus = Literal["graded", "error"]
OUTCOMES: tuple[str, ...] = get_args(Outcome)
EXERCISE_STATUSES: tuple[str, ...] = get_args(ExerciseStatus)
SUBMISSION_STATUSES: tuple[str, ...] = get_args(SubmissionStatus)

# Gradescope's visibility of a test entry in results.json; the hidden tests' entries get the
# instructor's choice (grade --hidden-visibility), every other entry is visible.
VISIBILITIES = ("visible", "hidden", "after_due_date", "after_published")

FORMAT_VERSION = 1  # of the stored per-student JSON; another version is refused on load

# Clipping: a message shown to a student keeps its first CLIP_LINES lines; an exercise shows
# the full message of its first MAX_DETAILED failures and names the others.
MAX_DETAILED = 10
JUNIT_LINES = 200
JUNIT_CHARS = 20000

_POINTS_TOLERANCE = 0.005  # points are rounded to 2 decimals


# --------------------------------------------------------------------------------------------
# Scoring


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


# --------------------------------------------------------------------------------------------
# Data model


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


def _check_choice(owner: str, name: str, value: Any, choices: tuple[str, ...]) -> str:
    if value not in choices:
        raise ValueError(f"{owner}.{name} must be one of {choices}, got {value!r}")
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
    values: tuple[str, ...] = ()  # the functions whose values it checks (grader/gating.py)
    requires: tuple[str, ...] = ()  # the functions whose values must be right for it to count
    hidden: bool = False  # from the instructor's hidden tests (grade --tests)

    def __post_init__(self) -> None:
        _check_str("TestOutcome", "exercise", self.exercise)
        _check_str("TestOutcome", "name", self.name)
        _check_choice("TestOutcome", "outcome", self.outcome, OUTCOMES)
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
    status: ExerciseStatus
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
        _check_choice(owner, "status", self.status, EXERCISE_STATUSES)
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
        counts = _count(tests)
        graded = sum(counts[o] for o in OUTCOMES if o != "skipped")
        untouched = graded > 0 and counts["not attempted"] == graded
        return cls(
            name=name,
            title=title,
            max_points=max_points,
            points=score(counts["passed"], graded, max_points),
            status="not attempted" if untouched else "graded",
            message="",
            tests=tests,
            timings=tuple(timings),
        )

    def counts(self) -> dict[str, int]:
        """How many tests had each outcome, every outcome present (in OUTCOMES order)."""
        return _count(self.tests)

    @property
    def passed(self) -> int:
        return sum(1 for test in self.tests if test.outcome == "passed")

    @property
    def graded(self) -> int:
        """Tests that count: passed, failed, error, not attempted (skipped ones do not)."""
        return sum(1 for test in self.tests if test.outcome != "skipped")

    @property
    def full_marks(self) -> bool:
        return self.status == "graded" and self.points >= self.max_points - _POINTS_TOLERANCE

    @property
    def attempted(self) -> bool:
        """False for status "not attempted", and for a graded exercise whose every graded test
        was not attempted; True otherwise (a timeout, crash or invalid module was an attempt)."""
        if self.status == "not attempted":
            return False
        if self.status == "graded" and self.tests:
            counted = [t for t in self.tests if t.outcome != "skipped"]
            return not counted or any(t.outcome != "not attempted" for t in counted)
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
        )


def gate(tests: Iterable[TestOutcome]) -> tuple[TestOutcome, ...]:
    """The outcomes with :mod:`grader.core.gating`'s rule applied."""
    tests = tuple(tests)
    rule = gating.gate([(test.outcome, test.values, test.requires) for test in tests])
    return tuple(
        test if outcome == test.outcome else replace(test, outcome=outcome, message=message)
        for test, (outcome, message) in zip(tests, rule, strict=True)
    )


def _count(tests: Iterable[TestOutcome]) -> dict[str, int]:
    counts = dict.fromkeys(OUTCOMES, 0)
    for test in tests:
        counts[test.outcome] += 1
    return counts


# --------------------------------------------------------------------------------------------
# Atomic files


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


# --------------------------------------------------------------------------------------------
# Text helpers

_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|~#])")


def _md_text(text: str) -> str:
    """Inline Markdown for untrusted text: one line, special characters escaped (no HTML)."""
    return _MD_SPECIAL.sub(r"\\\1", one_line(text))


def _md_code(text: str) -> str:
    """Inline code span holding ``text`` whatever backticks it contains."""
    text = one_line(text)
    runs = [len(run) for run in re.findall(r"`+", text)]
    ticks = "`" * (max(runs, default=0) + 1)
    pad = " " if text.startswith("`") or text.endswith("`") or not text else ""
    return f"{ticks}{pad}{text}{pad}{ticks}"


def _md_block(text: str, max_lines: int = CLIP_LINES, max_chars: int = CLIP_CHARS) -> str:
    """A fenced code block holding ``text`` clipped; the fence outlasts any backtick run in it."""
    body = clip(text, max_lines, max_chars)
    runs = [len(run) for run in re.findall(r"`{3,}", body)]
    fence = "`" * max(3, max(runs, default=0) + 1)
    return f"{fence}text\n{body}\n{fence}"


def _seconds(value: float) -> str:
    if value >= 1:
        return f"{value:.2f} s"
    if value >= 1e-3:
        return f"{value * 1e3:.2f} ms"
    if value >= 1e-6:
        return f"{value * 1e6:.2f} µs"
    return f"{value * 1e9:.0f} ns"


def _ratio(yours: float, reference: float) -> str:
    return f"{yours / reference:.1f}×" if reference > 0 else "–"


# --------------------------------------------------------------------------------------------
# Order of exercises


def _manifest_names() -> tuple[str, ...]:
    try:
        from grader.core.manifest import load_manifest

        return tuple(exercise.name for exercise in load_manifest())
    except (OSError, ValueError):
        return ()


def exercise_order(
    results: Iterable[SubmissionResult], order: Sequence[str] | None = None
) -> list[str]:
    """The exercise names that occur in ``results``: those in ``order`` (default: the manifest)
    in that order, then any others in the order they first occur."""
    order = _manifest_names() if order is None else tuple(order)
    seen: dict[str, None] = {}
    for result in results:
        for exercise in result.exercises:
            seen.setdefault(exercise.name)
    known = [name for name in order if name in seen]
    return known + [name for name in seen if name not in set(order)]


def _sorted_exercises(result: SubmissionResult) -> list[ExerciseResult]:
    names = exercise_order([result])
    return sorted(result.exercises, key=lambda exercise: names.index(exercise.name))


def _sorted_results(results: Iterable[SubmissionResult]) -> list[SubmissionResult]:
    return sorted(results, key=lambda r: (r.student.casefold(), r.student, r.status, r.message))


# --------------------------------------------------------------------------------------------
# What went wrong, for people

_FORBIDDEN = re.compile(r"(\S+) is not allowed")
_STATUS_LABEL = {
    "graded": "graded",
    "not attempted": "not attempted",
    "timeout": "timed out",
    "crashed": "crashed",
    "invalid": "could not be loaded",
}


def _is_forbidden(test: TestOutcome) -> bool:
    return test.outcome in ("failed", "error") and "is not allowed" in test.message


def _forbidden_names(tests: Iterable[TestOutcome]) -> list[str]:
    names: dict[str, None] = {}
    for test in tests:
        if _is_forbidden(test):
            match = _FORBIDDEN.search(test.message)
            names.setdefault(match.group(1).strip("`'\"") if match else "a forbidden routine")
    return list(names)


def _failures(exercise: ExerciseResult) -> list[TestOutcome]:
    return [test for test in exercise.tests if test.outcome in ("failed", "error")]


def _passed_line(exercise: ExerciseResult) -> str:
    counts = exercise.counts()
    line = f"{counts['passed']} of {exercise.graded} tests passed"
    if counts["skipped"]:
        line += f" ({counts['skipped']} skipped, not counted)"
    return line + "."


def _failure_section(exercise: ExerciseResult, max_lines: int, max_chars: int) -> list[str]:
    """Markdown: forbidden calls, then failures with their messages (the first MAX_DETAILED in
    full, the others by name), then the tests not attempted."""
    lines: list[str] = []
    failures = _failures(exercise)
    forbidden = [test for test in failures if _is_forbidden(test)]
    others = [test for test in failures if not _is_forbidden(test)]
    if forbidden:
        names = ", ".join(_md_code(name) for name in _forbidden_names(forbidden))
        lines += [
            f"**Forbidden call:** your code called {names}, which this exercise asks you to write "
            f"yourself; {len(forbidden)} test{'s' if len(forbidden) != 1 else ''} failed for "
            "that reason.",
            "",
        ]
    shown = (forbidden[:1] + others)[:MAX_DETAILED]
    for test in shown:
        kind = ", a hidden test" if test.hidden else ""
        lines += [f"- {_md_code(test.name)} ({test.outcome}{kind})", ""]
        if test.message.strip():
            lines += [_md_block(test.message, max_lines, max_chars), ""]
    shown_ids = {id(test) for test in shown}
    rest = [test for test in failures if id(test) not in shown_ids]
    if rest:
        lines += [f"{len(rest)} more failing test{'s' if len(rest) != 1 else ''}, in brief:", ""]
        for test in rest:
            first = next((line for line in test.message.splitlines() if line.strip()), "")
            summary = f": {_md_text(one_line(first, 160))}" if first else ""
            lines.append(f"- {_md_code(test.name)}{summary}")
        lines.append("")
    untouched = [test.name for test in exercise.tests if test.outcome == "not attempted"]
    if untouched and exercise.attempted:
        listed = ", ".join(_md_code(name) for name in untouched[:MAX_DETAILED])
        more = f" and {len(untouched) - MAX_DETAILED} more" if len(untouched) > MAX_DETAILED else ""
        lines += [
            f"Not attempted yet ({len(untouched)}): {listed}{more}. A function that still raises "
            "`NotImplementedError` is reported as not attempted, never as wrong.",
            "",
        ]
    return lines


def _sentence(text: str) -> str:
    return text if text.endswith((".", "!", "?")) else text + "."


def _status_lines(exercise: ExerciseResult) -> list[str]:
    """Markdown: how the exercise went, in a sentence; a multi-line reason (a syntax error with
    its caret line, say) follows in a fenced block."""
    text = printable(exercise.message).strip()
    first, _, rest = text.partition("\n")
    block = [_md_block(rest), ""] if rest.strip() else []
    message = _md_text(first)
    if exercise.status == "graded":
        if exercise.full_marks and exercise.graded:
            return [f"All {exercise.graded} tests passed. Well done.", ""]
        return [_passed_line(exercise), ""]
    if exercise.status == "not attempted":
        sentence = _sentence(f"Not attempted yet{': ' + message if message else ''}")
        return [
            f"{sentence} Write the functions in {_md_code(exercise.name + '.py')} and the "
            "tests will tell you how they do.",
            "",
            *block,
        ]
    label = {
        "timeout": "**Time limit:**",
        "crashed": "**Crash:**",
        "invalid": "**Could not be loaded:**",
    }[exercise.status]
    detail = message or _STATUS_LABEL[exercise.status]
    ran = exercise.graded
    counted = f" Of the {ran} tests that ran, {exercise.passed} passed." if ran else ""
    return [_sentence(f"{label} {detail}") + counted, "", *block]


# --------------------------------------------------------------------------------------------
# Gradescope


def write_results_json(
    result: SubmissionResult,
    path: str | os.PathLike[str],
    hidden_visibility: str = "after_due_date",
) -> None:
    """Gradescope's ``results.json`` (https://gradescope-autograders.readthedocs.io/en/latest/specs/):
    the total as "score", a Markdown summary as "output", one test entry per exercise (title,
    points, "passed" on full marks, what failed), visible; where the instructor's hidden tests
    ran, a second entry per exercise with their share of the points, each hidden test by name
    and outcome only, with ``hidden_visibility``; the grader's stdout hidden."""
    atomic_write_text(path, gradescope_json(result, hidden_visibility))


def gradescope_json(result: SubmissionResult, hidden_visibility: str = "after_due_date") -> str:
    if hidden_visibility not in VISIBILITIES:
        raise ValueError(f"visibility {hidden_visibility!r}: one of {VISIBILITIES}")
    tests = []
    for number, exercise in enumerate(_sorted_exercises(result), start=1):
        hidden = [test for test in exercise.tests if test.hidden]
        public = replace(exercise, tests=tuple(t for t in exercise.tests if not t.hidden))
        hidden_max = round(exercise.max_points * len(hidden) / exercise.graded, 2) if (
            hidden and exercise.graded) else 0.0  # fmt: skip
        hidden_points = 0.0
        if hidden and exercise.status == "graded":
            passed = sum(test.outcome == "passed" for test in hidden)
            hidden_points = min(round(exercise.max_points * passed / exercise.graded, 2),
                                exercise.points)  # fmt: skip
        body = _status_lines(exercise)
        if exercise.status == "graded" or public.tests:
            body += _failure_section(public, CLIP_LINES, CLIP_CHARS)
        points = round(exercise.points - hidden_points, 2)
        tests.append(
            {
                "name": printable(exercise.title or exercise.name),
                "number": str(number),
                "score": points,
                "max_score": round(exercise.max_points - hidden_max, 2),
                "status": "passed" if exercise.full_marks else "failed",
                "output": "\n".join(body).strip() + "\n",
                "output_format": "md",
                "visibility": "visible",
                "extra_data": {"exercise": exercise.name, "grading_status": exercise.status},
            }
        )
        if hidden:
            lines = [f"- {_md_code(test.name)}: {test.outcome}" for test in hidden]
            tests.append(
                {
                    "name": printable(f"{exercise.title or exercise.name}: hidden tests"),
                    "number": f"{number}.h",
                    "score": hidden_points,
                    "max_score": hidden_max,
                    "status": "passed" if hidden_points >= hidden_max else "failed",
                    "output": "\n".join(lines) + "\n",
                    "output_format": "md",
                    "visibility": hidden_visibility,
                    "extra_data": {"exercise": exercise.name, "hidden": True},
                }
            )
    document = {
        "score": result.total,
        "output": _summary_md(result),
        "output_format": "md",
        "visibility": "visible",
        "stdout_visibility": "hidden",
        "extra_data": {"device": result.device},
        "tests": tests,
    }
    return json.dumps(document, ensure_ascii=False, indent=2, allow_nan=False) + "\n"


def _summary_md(result: SubmissionResult) -> str:
    lines = [
        f"**Total: {format_points(result.total)} / {format_points(result.max_total)} points**"
        f" ({device_text(result.device)})"
    ]
    if result.status == "error":
        lines += ["", f"Your submission could not be graded: {_md_text(result.message)}"]
    elif result.message:
        lines += ["", _md_text(result.message)]
    if result.notes:
        lines += ["", "Notes about your submission:", ""]
        lines += [f"- {_md_text(note)}" for note in result.notes]
    if result.exercises:
        lines += ["", "| exercise | points | status |", "|---|---:|---|"]
        for exercise in _sorted_exercises(result):
            points = f"{format_points(exercise.points)} / {format_points(exercise.max_points)}"
            status = "full marks" if exercise.full_marks else _STATUS_LABEL[exercise.status]
            lines.append(f"| {_md_text(exercise.title or exercise.name)} | {points} | {status} |")
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------------------------
# JUnit XML

_XML_BAD = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _xml(text: str) -> str:
    """``text`` with every character XML 1.0 cannot hold written as an escape."""
    return _XML_BAD.sub(escape_char, printable(text))


def _seconds_attr(value: float) -> str:
    return f"{value:.3f}"


def write_junit(result: SubmissionResult, path: str | os.PathLike[str]) -> None:
    """JUnit XML: one <testsuite> per exercise, one <testcase> per test; failed and error tests
    get <failure message=... type="failed|error">, not attempted ones <skipped message="not
    attempted">. An exercise that timed out, crashed or was invalid gets one more failing test
    case saying so; a submission that could not be graded, one failing suite."""
    atomic_write_text(path, junit_xml(result))


def junit_xml(result: SubmissionResult) -> str:
    root = ET.Element("testsuites", name=_xml(result.student))
    totals = dict.fromkeys(("tests", "failures", "errors", "skipped"), 0)
    total_time = 0.0
    suites: list[tuple[str, list[tuple[str, float, str | None, str, str]], dict[str, str]]] = []
    if result.status == "error":
        cases = [("submission", 0.0, "failure", result.message, "error")]
        suites.append(("submission", cases, {"status": "error"}))
    for exercise in _sorted_exercises(result):
        cases = []
        for test in exercise.tests:
            if test.outcome in ("failed", "error"):
                kind = "failure"
            elif test.outcome in ("not attempted", "skipped"):
                kind = "skipped"
            else:
                kind = None
            cases.append((test.name, test.duration, kind, test.message, test.outcome))
        if exercise.status in ("timeout", "crashed", "invalid"):
            reason = exercise.message or _STATUS_LABEL[exercise.status]
            cases.append((f"{exercise.name} ({exercise.status})", 0.0, "failure", reason, "error"))
        elif exercise.status == "not attempted" and not exercise.tests:
            cases.append((exercise.name, 0.0, "skipped", "not attempted", "not attempted"))
        properties = {
            "title": exercise.title,
            "status": exercise.status,
            "points": format_points(exercise.points),
            "max_points": format_points(exercise.max_points),
        }
        suites.append((exercise.name, cases, properties))
    for name, cases, properties in suites:
        counts = {
            "tests": len(cases),
            "failures": sum(1 for c in cases if c[2] == "failure" and c[4] != "error"),
            "errors": sum(1 for c in cases if c[2] == "failure" and c[4] == "error"),
            "skipped": sum(1 for c in cases if c[2] == "skipped"),
        }
        time = sum(c[1] for c in cases)
        suite = ET.SubElement(
            root,
            "testsuite",
            name=_xml(name),
            **{key: str(value) for key, value in counts.items()},
            time=_seconds_attr(time),
        )
        props = ET.SubElement(suite, "properties")
        for key, value in properties.items():
            ET.SubElement(props, "property", name=key, value=_xml(value))
        for case_name, duration, kind, message, outcome in cases:
            case = ET.SubElement(
                suite,
                "testcase",
                classname=_xml(name),
                name=_xml(case_name),
                time=_seconds_attr(duration),
            )
            if kind == "failure":
                first = next((line for line in message.splitlines() if line.strip()), outcome)
                failure = ET.SubElement(
                    case, "failure", message=_xml(one_line(first, 300)), type=outcome
                )
                failure.text = _xml(clip(message, JUNIT_LINES, JUNIT_CHARS))
            elif kind == "skipped":
                reason = "not attempted" if outcome == "not attempted" else "skipped"
                skipped = ET.SubElement(case, "skipped", message=reason)
                if message.strip() and outcome == "skipped":
                    skipped.text = _xml(clip(message, JUNIT_LINES, JUNIT_CHARS))
        for key, value in counts.items():
            totals[key] += value
        total_time += time
    for key, value in totals.items():
        root.set(key, str(value))
    root.set("time", _seconds_attr(total_time))
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, "unicode") + "\n"


# --------------------------------------------------------------------------------------------
# Feedback for the student


def write_feedback_md(result: SubmissionResult, path: str | os.PathLike[str]) -> None:
    """The student's feedback in Markdown: the total, then per exercise (manifest order) the
    points and status, how many tests passed, each failure's message in a fenced block (clipped
    to about 60 lines), forbidden calls and time limits named as such, the tests not attempted,
    and the timing table (not graded)."""
    atomic_write_text(path, feedback_md(result))


def _localized(exercise: ExerciseResult) -> tuple[str, str]:
    """The exercise's title and one-line summary in the student's language (``GRADER_LANG``,
    see :mod:`grader.core.instructions`); its title alone where it has no instructions."""
    from grader.core import instructions

    fallback = (exercise.title or exercise.name, "")
    if not (instructions.INSTRUCTIONS_DIR / f"{exercise.name}.md").is_file():
        return fallback
    try:
        lang = instructions.language()
        return instructions.title(exercise.name, lang), instructions.summary(exercise.name, lang)
    except ValueError:
        return fallback


def feedback_md(result: SubmissionResult) -> str:
    lines = [f"# Feedback: {_md_text(result.student)}", "", _summary_md(result).rstrip("\n")]
    if any(_failures(exercise) for exercise in result.exercises):
        lines += [
            "",
            "Each failure below names the call, its input, what was expected, what came back "
            "and a hint.",
        ]
    for number, exercise in enumerate(_sorted_exercises(result), start=1):
        while lines and not lines[-1]:
            lines.pop()
        title, summary = _localized(exercise)
        points = f"{format_points(exercise.points)} / {format_points(exercise.max_points)} points"
        lines += ["", f"## {number}. {_md_text(title)}: {points}", ""]
        lines += [f"_{summary}_", ""] if summary else []  # trusted Markdown (instructions/)
        lines += _status_lines(exercise)
        if exercise.status == "graded" or exercise.tests:
            lines += _failure_section(exercise, CLIP_LINES, CLIP_CHARS)
        if exercise.timings and exercise.attempted:
            lines += [
                "Timing (not graded): how long your function took beside the reference, the "
                "fastest of 5 runs each; on a shared machine a ratio under about 1.5 is noise.",
                "",
                "| function | yours | reference | ratio |",
                "|---|---:|---:|---:|",
            ]
            for function, yours, reference in exercise.timings:
                lines.append(
                    f"| {_md_code(function)} | {_seconds(yours)} | {_seconds(reference)} "
                    f"| {_ratio(yours, reference)} |"
                )
    while lines and not lines[-1]:
        lines.pop()
    if (
        result.status == "graded"
        and result.exercises
        and all(exercise.full_marks for exercise in result.exercises)
    ):
        lines += ["", "Every exercise has full marks. Congratulations!"]
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------------------------
# Gradebook


def write_gradebook_csv(
    results: Iterable[SubmissionResult],
    path: str | os.PathLike[str],
    order: Sequence[str] | None = None,
) -> None:
    """The class gradebook: ``student``, one column of points per exercise (manifest order, or
    ``order``), ``total``, ``max_total``, ``status``, ``message``; one row per submission,
    sorted by student. A submission without a result for an exercise has an empty cell there."""
    atomic_write_text(path, gradebook_csv(results, order))


def gradebook_csv(results: Iterable[SubmissionResult], order: Sequence[str] | None = None) -> str:
    results = _sorted_results(results)
    names = exercise_order(results, order)
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow(["student", *names, "total", "max_total", "status", "device",
                     *(f"{name} state" for name in names), "message"])  # fmt: skip
    for result in results:
        cells, states = [], []
        for name in names:
            exercise = result.exercise(name)
            cells.append("" if exercise is None else format_points(exercise.points))
            states.append("" if exercise is None else exercise.status)
        writer.writerow(
            [
                _csv_safe(result.student),
                *cells,
                format_points(result.total),
                format_points(result.max_total),
                result.status,
                result.device,
                *states,
                _csv_safe(_row_message(result)),
            ]
        )
    return buffer.getvalue()


def _row_message(result: SubmissionResult) -> str:
    """Why the row is below full marks where points alone do not say: the submission's message,
    then each exercise that was not graded normally, with its reason on one line."""
    parts = [result.message] if result.message else []
    for exercise in _sorted_exercises(result):
        if exercise.status in ("timeout", "crashed", "invalid"):
            reason = one_line(exercise.message, 200) if exercise.message else ""
            label = _STATUS_LABEL[exercise.status]
            parts.append(f"{exercise.name} {label}" + (f": {reason}" if reason else ""))
    return "; ".join(parts)


_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _csv_safe(text: str) -> str:
    """Exact text, except lone surrogates (not encodable as UTF-8) written as escapes, and text a
    spreadsheet would run as a formula (it starts with = + - @, a tab or a carriage return)
    prefixed with a single quote. Student ids and messages come from submissions: a zip named
    ``=HYPERLINK(...).zip`` must not become a live formula when the instructor opens the
    gradebook in Excel or LibreOffice. The quote is visible in a plain CSV reader; that is the
    price of the instructor's safety (OWASP's advice for CSV injection)."""
    text = text.encode("utf-8", "backslashreplace").decode("utf-8")
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


# --------------------------------------------------------------------------------------------
# Terminal table

_MARK = {"not attempted": "n", "timeout": "t", "crashed": "c", "invalid": "i", "graded": ""}


def render_table(results: Iterable[SubmissionResult], order: Sequence[str] | None = None) -> str:
    """The gradebook as a fixed-width text table: student, points per exercise (a letter marks
    an exercise not attempted, timed out, crashed or invalid), total/max, status."""
    results = _sorted_results(results)
    names = exercise_order(results, order)
    header = ["student", *names, "total", "status"]
    rows = []
    used: set[str] = set()
    for result in results:
        cells = [fit(one_line(result.student), 24)]
        for name in names:
            exercise = result.exercise(name)
            if exercise is None:
                cells.append("–")
                continue
            mark = _MARK[exercise.status]
            if exercise.status == "graded" and not exercise.attempted:
                mark = "n"
            used.add(mark)
            cells.append(format_points(exercise.points) + mark)
        cells.append(f"{format_points(result.total)}/{format_points(result.max_total)}")
        status = result.status if result.status == "graded" else f"error: {result.message}"
        cells.append(fit(one_line(status), 48))
        rows.append(cells)
    widths = [max(width(row[i]) for row in [header, *rows]) for i in range(len(header))]
    numeric = [False] + [True] * (len(names) + 1) + [False]

    def line(cells: list[str]) -> str:
        parts = [pad(c, w, right) for c, w, right in zip(cells, widths, numeric, strict=True)]
        return "  ".join(parts).rstrip()

    out = [line(header), "  ".join("-" * w for w in widths)]
    out += [line(row) for row in rows]
    if not rows:
        out.append("(no submissions)")
    legend = {
        "n": "n not attempted",
        "t": "t timed out",
        "c": "c crashed",
        "i": "i invalid module",
    }
    marks = [legend[mark] for mark in "ntci" if mark in used]
    if marks:
        out += ["", "marks: " + ", ".join(marks)]
    return "\n".join(out) + "\n"


# --------------------------------------------------------------------------------------------
# Class summary


@dataclass(frozen=True)
class _ExerciseStats:
    name: str
    title: str
    max_points: float
    mean_points: float
    pass_rate: float  # full marks
    attempt_rate: float


def _exercise_stats(graded: list[SubmissionResult], names: list[str]) -> list[_ExerciseStats]:
    stats = []
    for name in names:
        found = [r.exercise(name) for r in graded]
        present = [e for e in found if e is not None]
        title = present[0].title if present else name
        max_points = max((e.max_points for e in present), default=0.0)
        count = len(graded) or 1
        stats.append(
            _ExerciseStats(
                name=name,
                title=title,
                max_points=max_points,
                mean_points=sum(e.points for e in present) / count,
                pass_rate=sum(1 for e in present if e.full_marks) / count,
                attempt_rate=sum(1 for e in present if e.attempted) / count,
            )
        )
    return stats


def class_summary_md(
    results: Iterable[SubmissionResult], order: Sequence[str] | None = None
) -> str:
    results = _sorted_results(results)
    graded = [r for r in results if r.status == "graded"]
    errors = [r for r in results if r.status == "error"]
    names = exercise_order(results, order)
    devices = sorted({r.device for r in results}) or ["cpu"]
    states = Counter(e.status for r in graded for e in r.exercises)
    lines = [
        "# Class summary",
        "",
        f"- submissions: {len(results)} ({len(graded)} graded, {len(errors)} could not be "
        "graded at all)",
        f"- tests graded: {', '.join(device_text(d) for d in devices)} "
        f"(--device {', '.join(devices)})",
        "- exercises of the graded submissions: "
        + ", ".join(f"{states[status]} {_STATUS_LABEL[status]}" for status in EXERCISE_STATUSES),
    ]
    if graded:
        totals = [r.total for r in graded]
        max_total = max(r.max_total for r in graded)
        lines += [
            f"- total (out of {format_points(max_total)}), over the graded submissions: "
            f"mean {format_points(statistics.fmean(totals))}, "
            f"median {format_points(statistics.median(totals))}, "
            f"min {format_points(min(totals))}, max {format_points(max(totals))}",
            "",
            "## Exercises",
            "",
            "Over the graded submissions; a missing exercise counts as 0 points, not attempted.",
            "Pass rate: share with full marks. Attempt rate: share that attempted it.",
            "",
            "| exercise | max | mean points | pass rate | attempt rate |",
            "|---|---:|---:|---:|---:|",
        ]
        for stat in _exercise_stats(graded, names):
            lines.append(
                f"| {_md_text(stat.name)} | {format_points(stat.max_points)} "
                f"| {format_points(stat.mean_points)} | {stat.pass_rate:.0%} "
                f"| {stat.attempt_rate:.0%} |"
            )
    else:
        lines += ["- no graded submissions"]
    lines += ["", "## Submissions that could not be graded", ""]
    if errors:
        lines += [f"- {_md_text(r.student)}: {_md_text(r.message)}" for r in errors]
    else:
        lines.append("None: every submission was graded.")
    problems = [(r.student, e) for r in graded for e in _sorted_exercises(r)
                if e.status in ("timeout", "crashed", "invalid")]  # fmt: skip
    if problems:
        lines += ["", "## Exercises timed out, crashed or invalid", ""]
        lines += [f"- {_md_text(student)}, {_md_text(e.name)}: {_STATUS_LABEL[e.status]}"
                  + (f": {_md_text(one_line(e.message, 200))}" if e.message else "")
                  for student, e in problems]  # fmt: skip
    return "\n".join(lines) + "\n"


def write_class_summary(
    results: Iterable[SubmissionResult],
    out_dir: str | os.PathLike[str],
    order: Sequence[str] | None = None,
) -> tuple[Path, Path]:
    """``out_dir/summary.md`` (counts, total statistics, per-exercise mean points, pass rate and
    attempt rate, the submissions with status error) and ``out_dir/scores.png`` (histogram of
    the totals, mean fraction of points per exercise). Returns the two paths."""
    results = list(results)
    out_dir = Path(out_dir)
    summary, plot = out_dir / "summary.md", out_dir / "scores.png"
    atomic_write_text(summary, class_summary_md(results, order))
    atomic_write_bytes(plot, scores_png(results, order))
    return summary, plot


def scores_png(results: Iterable[SubmissionResult], order: Sequence[str] | None = None) -> bytes:
    """The class plot as PNG bytes (matplotlib's Agg canvas; pyplot's global state untouched)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    results = _sorted_results(results)
    graded = [r for r in results if r.status == "graded"]
    names = exercise_order(results, order)
    figure = Figure(figsize=(11, 4.5))
    FigureCanvasAgg(figure)
    left, right = figure.subplots(1, 2, width_ratios=(1, 1.4))
    if graded:
        max_total = max(r.max_total for r in graded) or 1.0
        left.hist([r.total for r in graded], bins=20, range=(0, max_total), edgecolor="white")
        left.set(xlabel=f"total points (out of {format_points(max_total)})", ylabel="submissions")
        stats = _exercise_stats(graded, names)
        fractions = [s.mean_points / s.max_points if s.max_points else 0.0 for s in stats]
        right.bar(range(len(stats)), fractions)
        right.set_xticks(range(len(stats)), [s.name for s in stats], rotation=30, ha="right")
        right.set(ylim=(0, 1), ylabel="mean fraction of points")
    else:
        for axes in (left, right):
            axes.text(0.5, 0.5, "no graded submissions", ha="center", va="center")
    left.set_title(f"totals ({len(graded)} graded submissions)")
    right.set_title("mean fraction of points per exercise")
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=100, metadata={"Software": None})
    return buffer.getvalue()
