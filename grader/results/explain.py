"""What went wrong, for people: an exercise's status and failures as sentences and Markdown, shared
by the formats a student reads (feedback, Gradescope's results). Text from student code is
neutralised here: one line, Markdown special characters escaped, fences longer than any
backtick run inside, long messages clipped.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from grader.core.devices import device_text
from grader.core.text import (
    CLIP_CHARS,
    CLIP_LINES,
    clip,
    one_line,
    printable,
)
from grader.results.model import ExerciseResult, SubmissionResult, TestOutcome, format_points
from grader.results.order import sorted_exercises

# Clipping: a message shown to a student keeps its first CLIP_LINES lines; an exercise shows
# the full message of its first MAX_DETAILED failures and names the others.
MAX_DETAILED = 10
_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|~#])")


def md_text(text: str) -> str:
    """Inline Markdown for untrusted text: one line, special characters escaped (no HTML)."""
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
STATUS_LABEL = {
    "graded": "graded",
    "not attempted": "not attempted",
    "timeout": "timed out",
    "crashed": "crashed",
    "invalid": "could not be loaded",
}


def is_forbidden(test: TestOutcome) -> bool:
    return test.outcome in ("failed", "error") and "is not allowed" in test.message


def forbidden_names(tests: Iterable[TestOutcome]) -> list[str]:
    names: dict[str, None] = {}
    for test in tests:
        if is_forbidden(test):
            match = _FORBIDDEN.search(test.message)
            names.setdefault(match.group(1).strip("`'\"") if match else "a forbidden routine")
    return list(names)


def failed_tests(exercise: ExerciseResult) -> list[TestOutcome]:
    return [test for test in exercise.tests if test.outcome in ("failed", "error")]


def passed_line(exercise: ExerciseResult) -> str:
    counts = exercise.counts()
    line = f"{counts['passed']} of {exercise.graded} tests passed"
    if counts["skipped"]:
        line += f" ({counts['skipped']} skipped, not counted)"
    return line + "."


def failure_section(exercise: ExerciseResult, max_lines: int, max_chars: int) -> list[str]:
    """Markdown: forbidden calls, then failures with their messages (the first MAX_DETAILED in
    full, the others by name), then the tests not attempted."""
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
    shown = (forbidden[:1] + others)[:MAX_DETAILED]
    for test in shown:
        kind = ", a hidden test" if test.hidden else ""
        lines += [f"- {md_code(test.name)} ({test.outcome}{kind})", ""]
        if test.message.strip():
            lines += [md_block(test.message, max_lines, max_chars), ""]
    shown_ids = {id(test) for test in shown}
    rest = [test for test in failures if id(test) not in shown_ids]
    if rest:
        lines += [f"{len(rest)} more failing test{'s' if len(rest) != 1 else ''}, in brief:", ""]
        for test in rest:
            first = next((line for line in test.message.splitlines() if line.strip()), "")
            summary = f": {md_text(one_line(first, 160))}" if first else ""
            lines.append(f"- {md_code(test.name)}{summary}")
        lines.append("")
    untouched = [test.name for test in exercise.tests if test.outcome == "not attempted"]
    if untouched and exercise.attempted:
        listed = ", ".join(md_code(name) for name in untouched[:MAX_DETAILED])
        more = f" and {len(untouched) - MAX_DETAILED} more" if len(untouched) > MAX_DETAILED else ""
        lines += [
            f"Not attempted yet ({len(untouched)}): {listed}{more}. A function that still raises "
            "`NotImplementedError` is reported as not attempted, never as wrong.",
            "",
        ]
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
    if exercise.status == "graded":
        if exercise.full_marks and exercise.graded:
            return [f"All {exercise.graded} tests passed. Well done.", ""]
        return [passed_line(exercise), ""]
    if exercise.status == "not attempted":
        sentence = as_sentence(f"Not attempted yet{': ' + message if message else ''}")
        return [
            f"{sentence} Write the functions in {md_code(exercise.name + '.py')} and the "
            "tests will tell you how they do.",
            "",
            *block,
        ]
    label = {
        "timeout": "**Time limit:**",
        "crashed": "**Crash:**",
        "invalid": "**Could not be loaded:**",
    }[exercise.status]
    detail = message or STATUS_LABEL[exercise.status]
    ran = exercise.graded
    counted = f" Of the {ran} tests that ran, {exercise.passed} passed." if ran else ""
    return [as_sentence(f"{label} {detail}") + counted, "", *block]


def summary_md(result: SubmissionResult) -> str:
    lines = [
        f"**Total: {format_points(result.total)} / {format_points(result.max_total)} points**"
        f" ({device_text(result.device)})"
    ]
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
            status = "full marks" if exercise.full_marks else STATUS_LABEL[exercise.status]
            lines.append(f"| {md_text(exercise.title or exercise.name)} | {points} | {status} |")
    return "\n".join(lines) + "\n"
