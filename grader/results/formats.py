"""Every file a grading run writes, registered once.

Per student: the stored result (:data:`STORED_FILE`, which a resumed run reads back) and the
formats below; per class: the gradebook, the summary and the plot. ``grade`` writes them all
from here, and ``autograde`` copies the student formats by these names. Adding an output
format is one new module (a pure function of :mod:`grader.results.model`) plus one line here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from grader.results.feedback import write_feedback_md
from grader.results.gradebook import write_gradebook_csv
from grader.results.gradescope import DEFAULT_VISIBILITY, write_results_json
from grader.results.junit import write_junit
from grader.results.model import SubmissionResult, save_submission
from grader.results.summary import PLOT_FILE, SUMMARY_FILE, write_scores_png, write_summary_md

STORED_FILE = "grade.json"  # the student's result as data; written last, so it marks "done"


@dataclass(frozen=True)
class Options:
    """The instructor's choices that change what a format writes."""

    hidden_visibility: str = DEFAULT_VISIBILITY  # Gradescope's visibility of hidden tests


StudentWriter = Callable[[SubmissionResult, Path, Options], None]
ClassWriter = Callable[[list[SubmissionResult], Path], None]

STUDENT_FORMATS: dict[str, StudentWriter] = {
    "results.json": lambda result, path, options: write_results_json(
        result, path, options.hidden_visibility
    ),
    "feedback.md": lambda result, path, _: write_feedback_md(result, path),
    "junit.xml": lambda result, path, _: write_junit(result, path),
}

CLASS_FORMATS: dict[str, ClassWriter] = {
    "gradebook.csv": write_gradebook_csv,
    SUMMARY_FILE: write_summary_md,
    PLOT_FILE: write_scores_png,
}


def write_student_files(result: SubmissionResult, directory: Path, options: Options) -> None:
    """Every student format, then the stored result last (a resumed run trusts only it)."""
    for name, write in STUDENT_FORMATS.items():
        write(result, directory / name, options)
    save_submission(result, directory / STORED_FILE)


def write_class_files(results: list[SubmissionResult], out: Path) -> None:
    for name, write in CLASS_FORMATS.items():
        write(results, out / name)
