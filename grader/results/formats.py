"""Every file a grading run writes, registered once.

Per student: the stored result (:data:`STORED_FILE`, which a resumed run reads back) and the
formats below; per class: the gradebook, the summary and the plot, and the misconceptions seen
(which name students: never handed out). ``grade`` writes them all from here, and
``autograde`` copies the student formats by these names. Adding an output format is one new
module (a pure function of :mod:`grader.results.model`) plus one line here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from grader.results.feedback import write_feedback_md
from grader.results.gradebook import write_functions_csv, write_gradebook_csv
from grader.results.gradescope import DEFAULT_VISIBILITY, write_results_json
from grader.results.junit import write_junit
from grader.results.misconception_report import (
    MISCONCEPTIONS_CSV,
    MISCONCEPTIONS_PLOT,
    write_misconceptions_csv,
    write_misconceptions_png,
)
from grader.results.model import SubmissionResult
from grader.results.stored import save_submission
from grader.results.summary import PLOT_FILE, SUMMARY_FILE, write_scores_png, write_summary_md

STORED_FILE = "grade.json"  # the student's result as data; written last, so it marks "done"


@dataclass(frozen=True)
class Options:
    """The instructor's choices that change what a format writes."""

    hidden_visibility: str = DEFAULT_VISIBILITY  # Gradescope's visibility of hidden tests
    show_hidden: bool = False  # the hidden tests' messages kept (grade --show-hidden)


StudentWriter = Callable[[SubmissionResult, Path, Options], None]
ClassWriter = Callable[[list[SubmissionResult], Path], None]

STUDENT_FORMATS: dict[str, StudentWriter] = {
    "results.json": lambda result, path, options: write_results_json(
        result, path, options.hidden_visibility, options.show_hidden
    ),
    "feedback.md": lambda result, path, _: write_feedback_md(result, path),
    "junit.xml": lambda result, path, _: write_junit(result, path),
}

CLASS_FORMATS: dict[str, ClassWriter] = {
    "gradebook.csv": write_gradebook_csv,
    "functions.csv": write_functions_csv,  # the gradebook's points per function
    SUMMARY_FILE: write_summary_md,
    PLOT_FILE: write_scores_png,
    MISCONCEPTIONS_CSV: write_misconceptions_csv,  # the instructor's only: it names students
    MISCONCEPTIONS_PLOT: write_misconceptions_png,
}


def write_student_files(result: SubmissionResult, directory: Path, options: Options) -> None:
    """Every student format, then the stored result last (a resumed run trusts only it)."""
    for name, write in STUDENT_FORMATS.items():
        write(result, directory / name, options)
    save_submission(result, directory / STORED_FILE)


def write_class_files(results: list[SubmissionResult], out: Path) -> None:
    for name, write in CLASS_FORMATS.items():
        write(results, out / name)
