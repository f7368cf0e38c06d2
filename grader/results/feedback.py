"""The student's feedback, ``feedback.md``: per exercise, the points, what failed and why, with
the instructions' summary in the student's language (``GRADER_LANG``).
"""

from __future__ import annotations

import os

from grader.core.files import atomic_write_text
from grader.core.outcomes import ExerciseState
from grader.core.text import (
    CLIP_CHARS,
    CLIP_LINES,
)
from grader.results.explain import (
    failed_tests,
    failure_section,
    functions_lines,
    md_code,
    md_text,
    ratio_text,
    seconds_text,
    status_lines,
    summary_md,
)
from grader.results.model import ExerciseResult, SubmissionResult, format_points
from grader.results.order import sorted_exercises


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
    lines = [f"# Feedback: {md_text(result.student)}", "", summary_md(result).rstrip("\n")]
    if any(failed_tests(exercise) for exercise in result.exercises):
        lines += [
            "",
            "Each failure below names the call, its input, what was expected, what came back "
            "and a hint.",
        ]
    for number, exercise in enumerate(sorted_exercises(result), start=1):
        while lines and not lines[-1]:
            lines.pop()
        title, summary = _localized(exercise)
        points = f"{format_points(exercise.points)} / {format_points(exercise.max_points)} points"
        lines += ["", f"## {number}. {md_text(title)}: {points}", ""]
        lines += [f"_{summary}_", ""] if summary else []  # trusted Markdown (instructions/)
        lines += status_lines(exercise)
        if not exercise.full_marks:
            lines += functions_lines(exercise)
        if exercise.status == ExerciseState.GRADED or exercise.tests:
            lines += failure_section(exercise, CLIP_LINES, CLIP_CHARS)
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
                    f"| {md_code(function)} | {seconds_text(yours)} | {seconds_text(reference)} "
                    f"| {ratio_text(yours, reference)} |"
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
