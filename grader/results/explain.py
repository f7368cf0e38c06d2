"""What went wrong, for people: an exercise's status and failures as sentences and Markdown, shared
by the formats a student reads (feedback, Gradescope's results). Text from student code is
neutralised here: one line, Markdown special characters escaped, fences longer than any
backtick run inside, long messages clipped.

Escaping belongs to plain text only (:func:`md_text`): inside a code span (:func:`md_code`) or a
fenced block (:func:`md_block`) a backslash is shown as it is, so a name like
``fit_linear_regression`` goes into a code span unescaped, never through both. And plain text
escapes only what could change its meaning: an underscore inside a word
(``fit_linear_regression(x)``) never starts emphasis, so it stays as it is, readable in the raw
file too.

Failures repeat: a mistake fails every input of a parametrized test with the same hint.
:func:`failure_groups` gathers the failures of one test function that carry the same hint; the
feedback shows the first in full and counts the others ("and 23 more inputs like this").
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from grader.core.devices import device_text
from grader.core.outcomes import ExerciseState, Outcome
from grader.core.text import (
    CLIP_CHARS,
    CLIP_LINES,
    clip,
    one_line,
    printable,
)
from grader.results.amended import format_signed
from grader.results.model import ExerciseResult, SubmissionResult, TestOutcome, format_points
from grader.results.order import sorted_exercises

# Clipping: a message shown to a student keeps its first CLIP_LINES lines; an exercise shows
# the full message of its first MAX_DETAILED failures and names the others.
MAX_DETAILED = 10
# Markdown's special characters; an underscore between two letters or digits is left alone.
_MD_SPECIAL = re.compile(r"([\\`*\[\]<>|~#]|(?<![^\W_])_|_(?![^\W_]))")
_HINT = "Hint:"  # how a test's teaching message starts its advice (tests/support.py)


def md_text(text: str) -> str:
    """Inline Markdown for untrusted text: one line, special characters escaped (no HTML);
    never put the result in a code span, where the backslashes would show."""
    return _MD_SPECIAL.sub(r"\\\1", one_line(text))


def md_code(text: str) -> str:
    """Inline code span holding ``text`` whatever backticks it contains."""
    text = one_line(text)
    runs = [len(run) for run in re.findall(r"`+", text)]
    ticks = "`" * (max(runs, default=0) + 1)
    pad = " " if text.startswith("`") or text.endswith("`") or not text else ""
    return f"{ticks}{pad}{text}{pad}{ticks}"


def md_block(text: str, max_lines: int = CLIP_LINES, max_chars: int = CLIP_CHARS) -> str:
    """A fenced code block holding ``text`` clipped; the fence outlasts any backtick run in it."""
    body = clip(text, max_lines, max_chars)
    runs = [len(run) for run in re.findall(r"`{3,}", body)]
    fence = "`" * max(3, max(runs, default=0) + 1)
    return f"{fence}text\n{body}\n{fence}"


def seconds_text(value: float) -> str:
    if value >= 1:
        return f"{value:.2f} s"
    if value >= 1e-3:
        return f"{value * 1e3:.2f} ms"
    if value >= 1e-6:
        return f"{value * 1e6:.2f} µs"
    return f"{value * 1e9:.0f} ns"


def ratio_text(yours: float, reference: float) -> str:
    return f"{yours / reference:.1f}×" if reference > 0 else "–"


_FORBIDDEN = re.compile(r"(\S+) is not allowed")
# the states whose own word does not read in a sentence ("3 timed out")
_STATUS_LABELS = {ExerciseState.TIMEOUT: "timed out", ExerciseState.INVALID: "could not be loaded"}


def status_label(status: ExerciseState) -> str:
    """How an exercise's state reads in a sentence: "timed out", "could not be loaded", or the
    state's own word ("graded", "not attempted", "crashed")."""
    return _STATUS_LABELS.get(status, str(status))


def is_forbidden(test: TestOutcome) -> bool:
    return test.outcome in (Outcome.FAILED, Outcome.ERROR) and "is not allowed" in test.message


def forbidden_names(tests: Iterable[TestOutcome]) -> list[str]:
    names: dict[str, None] = {}
    for test in tests:
        if is_forbidden(test):
            match = _FORBIDDEN.search(test.message)
            names.setdefault(match.group(1).strip("`'\"") if match else "a forbidden routine")
    return list(names)


def failed_tests(exercise: ExerciseResult) -> list[TestOutcome]:
    return [test for test in exercise.tests if test.outcome in (Outcome.FAILED, Outcome.ERROR)]


def passed_line(exercise: ExerciseResult) -> str:
    counts = exercise.counts()
    line = f"{counts[Outcome.PASSED]} of {exercise.graded} tests passed"
    if counts[Outcome.SKIPPED]:
        line += f" ({counts[Outcome.SKIPPED]} skipped, not counted)"
    return line + "."


def functions_lines(exercise: ExerciseResult) -> list[str]:
    """Markdown: its points per function (grader/core/scoring.py), where it has several."""
    functions = [f for f in exercise.functions() if f.name]
    if len(functions) < 2:
        return []
    parts = [
        f"{md_code(f.name)} {format_points(f.points)} / {format_points(f.max_points)}"
        for f in functions
    ]
    return ["Points by function: " + ", ".join(parts) + ".", ""]


def hint_of(message: str) -> str:
    """The advice of a teaching message: its last line starting ``Hint:`` ("" when none)."""
    hints = [line.strip() for line in message.splitlines() if line.strip().startswith(_HINT)]
    return hints[-1] if hints else ""


def failure_groups(failures: Iterable[TestOutcome]) -> list[list[TestOutcome]]:
    """The failures gathered by test function (the name before ``[``) and hint, in order of
    first appearance: the inputs of one parametrized test that fail for the same reason form
    one group. Without a hint, the same whole message is the same reason (a gated test's "counts
    once f's values are right"); a failure with neither stays on its own."""
    groups: dict[object, list[TestOutcome]] = {}
    for test in failures:
        reason = hint_of(test.message) or test.message.strip()
        key = (test.name.partition("[")[0], test.hidden, reason) if reason else id(test)
        groups.setdefault(key, []).append(test)
    return list(groups.values())


def more_like_this(group: list[TestOutcome]) -> str:
    """The words for a group's failures beyond its first: "and 23 more inputs like this" ("" for
    a group of one)."""
    more = len(group) - 1
    return f"and {more} more input{'s' if more != 1 else ''} like this" if more else ""


def failure_section(exercise: ExerciseResult, max_lines: int, max_chars: int) -> list[str]:
    """Markdown: forbidden calls, then failures with their messages, then the tests not
    attempted. Failures are grouped (:func:`failure_groups`): the first MAX_DETAILED groups
    show their first failure in full and count the rest, the other groups are named in brief."""
    lines: list[str] = []
    failures = failed_tests(exercise)
    forbidden = [test for test in failures if is_forbidden(test)]
    others = [test for test in failures if not is_forbidden(test)]
    if forbidden:
        names = ", ".join(md_code(name) for name in forbidden_names(forbidden))
        lines += [
            f"**Forbidden call:** your code called {names}, which this exercise asks you to write "
            f"yourself; {len(forbidden)} test{'s' if len(forbidden) != 1 else ''} failed for "
            "that reason.",
            "",
        ]
    groups = failure_groups(forbidden[:1] + others)
    shown, rest = groups[:MAX_DETAILED], [[test] for test in forbidden[1:]] + groups[MAX_DETAILED:]
    for group in shown:
        test, more = group[0], more_like_this(group)
        kind = ", a hidden test" if test.hidden else ""
        lines += [f"- {md_code(test.name)} ({test.outcome}{kind}){', ' + more if more else ''}", ""]
        if test.message.strip():
            lines += [md_block(test.message, max_lines, max_chars), ""]
    if rest:
        count = sum(len(group) for group in rest)
        lines += [f"{count} more failing test{'s' if count != 1 else ''}, in brief:", ""]
        for test, *others in rest:
            first = next((line for line in test.message.splitlines() if line.strip()), "")
            summary = f": {md_text(one_line(first, 160))}" if first else ""
            more = f" ({more_like_this([test, *others])})" if others else ""
            lines.append(f"- {md_code(test.name)}{summary}{more}")
        lines.append("")
    untouched = [test.name for test in exercise.tests if test.outcome == Outcome.NOT_ATTEMPTED]
    if untouched and exercise.attempted:
        listed = ", ".join(md_code(name) for name in untouched[:MAX_DETAILED])
        more = f" and {len(untouched) - MAX_DETAILED} more" if len(untouched) > MAX_DETAILED else ""
        lines += [
            f"Not attempted yet ({len(untouched)}): {listed}{more}. A function that still raises "
            "`NotImplementedError` is reported as not attempted, never as wrong.",
            "",
        ]
    return lines


def hidden_tests_lines(hidden: ExerciseResult, details: bool) -> list[str]:
    """Markdown: an exercise's hidden tests (``hidden``, those tests alone), each by name and
    outcome; with ``details`` (``grade --show-hidden``: their messages were kept) also their
    failures, as the feedback shows them (:func:`failure_section`)."""
    lines = [f"- {md_code(test.name)}: {test.outcome}" for test in hidden.tests]
    if details:
        lines += ["", *failure_section(hidden, CLIP_LINES, CLIP_CHARS)]
    return lines


def as_sentence(text: str) -> str:
    return text if text.endswith((".", "!", "?")) else text + "."


def status_lines(exercise: ExerciseResult) -> list[str]:
    """Markdown: how the exercise went, in a sentence; a multi-line reason (a syntax error with
    its caret line, say) follows in a fenced block."""
    text = printable(exercise.message).strip()
    first, _, rest = text.partition("\n")
    block = [md_block(rest), ""] if rest.strip() else []
    message = md_text(first)
    if exercise.status == ExerciseState.GRADED:
        if exercise.full_marks and exercise.graded:
            return [f"All {exercise.graded} tests passed. Well done.", ""]
        return [passed_line(exercise), ""]
    if exercise.status == ExerciseState.NOT_ATTEMPTED:
        sentence = as_sentence(f"Not attempted yet{': ' + message if message else ''}")
        return [
            f"{sentence} Write the functions in {md_code(exercise.name + '.py')} and the "
            "tests will tell you how they do.",
            "",
            *block,
        ]
    label = {
        ExerciseState.TIMEOUT: "**Time limit:**",
        ExerciseState.CRASHED: "**Crash:**",
        ExerciseState.INVALID: "**Could not be loaded:**",
    }[exercise.status]
    detail = message or status_label(exercise.status)
    ran = exercise.graded
    counted = f" Of the {ran} tests that ran, {exercise.passed} passed." if ran else ""
    return [as_sentence(f"{label} {detail}") + counted, "", *block]


def amendment_lines(result: SubmissionResult) -> list[str]:
    """Markdown: how the total comes from the tests' points, where the instructor changed it:
    the tests' points, each override with its comment, the submission time and the late
    penalty (docs/GRADER.md, "Deadlines and overrides"). None without either."""
    if not result.adjustments and result.late is None:
        return []
    lines = ["", f"- tests: {format_points(result.autograded_total)} points"]
    for adjustment in result.adjustments:
        lines.append(
            f"- override of {md_code(adjustment.target)} ({adjustment.rule}): "
            f"{format_signed(adjustment.points)} points: {md_text(adjustment.comment)}"
        )
    if result.late is not None:
        lines.append(f"- deadline: {md_text(result.late.describe())}")
    return lines


def summary_md(result: SubmissionResult) -> str:
    lines = [
        f"**Total: {format_points(result.total)} / {format_points(result.max_total)} points**"
        f" ({device_text(result.device)})"
    ]
    lines += amendment_lines(result)
    if result.status == "error":
        lines += ["", f"Your submission could not be graded: {md_text(result.message)}"]
    elif result.message:
        lines += ["", md_text(result.message)]
    if result.notes:
        lines += ["", "Notes about your submission:", ""]
        lines += [f"- {md_text(note)}" for note in result.notes]
    if result.exercises:
        lines += ["", "| exercise | points | status |", "|---|---:|---|"]
        for exercise in sorted_exercises(result):
            points = f"{format_points(exercise.points)} / {format_points(exercise.max_points)}"
            status = "full marks" if exercise.full_marks else status_label(exercise.status)
            lines.append(f"| {md_text(exercise.title or exercise.name)} | {points} | {status} |")
    return "\n".join(lines) + "\n"
