"""``python -m grader autograde``: grade one repository's own exercises, for CI and Gradescope.

The folder ``--root`` (default: the current one) is one submission: its ``exercises/`` folder,
or the folder itself when it has no ``exercises/`` (a flat upload of module files). Its
top-level files are copied (links as links, so that the intake reports them) into a
temporary SUBMISSIONS folder as the one student ``--student`` (default: ``$GITHUB_ACTOR``, else
``student``), and graded as ``python -m grader grade`` grades, in this process
(:func:`grader.grading.grade.grade_folder`: intake, trusted copies of the tests, this
project's public tests plus ``--tests`` folders, student code in the sandbox).

In a student's repository ``exercises/`` is the student's work, not the stubs the grader
compares a submission with (an untouched stub is not attempted; signatures must match): a
release keeps the stubs as handed out in ``grader/handout/``, which grading then uses
(:func:`grader.core.manifest.handout_stubs`).

Written to ``--out``: ``results.json`` (Gradescope's format; the hidden tests' entries with
``--hidden-visibility``), ``feedback.md`` and ``junit.xml``; appended to ``--summary``
(default: ``$GITHUB_STEP_SUMMARY`` where it is set): a Markdown score table; appended to
``--classroom-output`` (``"$GITHUB_OUTPUT"`` in a workflow step): the points for GitHub
Classroom's reporter action, as the step output ``result`` (:mod:`grader.results.classroom`).
Exit 0 when grading completed, whatever the score; 2 for bad arguments (or a host that cannot
keep student code apart as asked); 1 when the grading machinery itself failed; 130 when
stopped with Ctrl-C (:mod:`grader.core.exits`).

In a student's own repository this is a self-check: the student controls the tests and the
workflow, so the score is theirs to see, not a grade to trust. Grade from the instructor's
copy (``python -m grader grade``, or the Gradescope bundle of :mod:`grader.authoring.gradescope`).
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import tempfile
from pathlib import Path

from grader.core.exits import FAILED, INTERRUPTED, OK, error
from grader.core.options import (
    add_graded_device_option,
    add_isolation_option,
    add_tests_option,
    add_timeout_option,
)
from grader.grading.amend import AmendOptions
from grader.grading.deadlines import DeadlineError, add_deadline_options, policy_from
from grader.grading.grade import Refused, grade_folder
from grader.grading.settings import add_hidden_visibility_option
from grader.grading.times import GRADESCOPE_METADATA, TimesError, git_stamp, gradescope_metadata
from grader.results.classroom import OUTPUT_NAME, append_output
from grader.results.explain import amendment_lines
from grader.results.formats import STORED_FILE, STUDENT_FORMATS
from grader.results.model import SubmissionResult, format_points
from grader.results.stored import load_submission
from grader.results.table import render_table

MAX_COPIED_BYTES = 16 << 20  # a larger file is left out before the intake would refuse it
DEFAULT_OUT = "autograde-results"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--root", type=Path, default=Path("."), help="the repository to grade")
    parser.add_argument("--out", type=Path, default=Path(DEFAULT_OUT), help="results folder")
    parser.add_argument(
        "--summary",
        type=Path,
        default=None,
        help="append the score table (Markdown) to this file (default: $GITHUB_STEP_SUMMARY)",
    )
    parser.add_argument(
        "--classroom-output",
        type=Path,
        default=None,
        metavar="FILE",
        help="append the points for GitHub Classroom's reporter (the step output `result`) to "
        'this file: "$GITHUB_OUTPUT" in a workflow step',
    )
    parser.add_argument("--student", default=None, help="student id ($GITHUB_ACTOR or student)")
    add_tests_option(parser)
    add_timeout_option(parser)
    add_graded_device_option(parser)
    add_isolation_option(parser)
    add_hidden_visibility_option(parser)
    deadlines = add_deadline_options(parser)
    deadlines.add_argument(
        "--submission-metadata", type=Path, metavar="FILE",
        help="Gradescope's submission_metadata.json: the submission's time and due date "
        f"(default: {GRADESCOPE_METADATA} where it exists; else the last Git commit's time)",
    )  # fmt: skip


def amendments(args: argparse.Namespace, student: str) -> AmendOptions:
    """The deadline of ``student``'s submission: its time and due date from Gradescope's
    metadata (``--submission-metadata``, else Gradescope's file where it exists), else the time
    of the repository's last commit (untrusted); ``--due`` before Gradescope's due date. A
    DeadlineError or TimesError (one line) where they cannot be used."""
    metadata = args.submission_metadata
    if metadata is None and GRADESCOPE_METADATA.is_file():
        metadata = GRADESCOPE_METADATA
    stamp, due = gradescope_metadata(metadata) if metadata is not None else (None, None)
    policy = policy_from(args, due)
    if policy is not None and stamp is None:
        stamp = git_stamp(args.root)
    return AmendOptions(policy=policy, stamps={} if stamp is None else {student: stamp})


def student_id(name: str | None) -> str:
    """A safe folder name for the student: letters, digits, ``.``, ``_``, ``-``."""
    cleaned = re.sub(r"[^A-Za-z0-9._-]+", "_", name or "").strip("._")
    return cleaned or "student"


def exercises_folder(root: Path) -> Path:
    """Where the submission's module files are: ``root/exercises``, else ``root`` itself."""
    folder = root / "exercises"
    return folder if folder.is_dir() and not folder.is_symlink() else root


def copy_submission(source: Path, destination: Path) -> list[str]:
    """Copy the top-level files of ``source`` into ``destination`` (links as links, folders
    and hidden files left out); returns notes about what was left out."""
    destination.mkdir(parents=True)
    notes = []
    for entry in sorted(os.scandir(source), key=lambda entry: entry.name):
        if entry.name.startswith(".") or entry.is_dir(follow_symlinks=False):
            continue
        target = destination / entry.name
        if entry.is_symlink():
            os.symlink(os.readlink(entry.path), target)
        elif entry.is_file(follow_symlinks=False):
            if entry.stat(follow_symlinks=False).st_size > MAX_COPIED_BYTES:
                notes.append(f"{entry.name} was left out: larger than {MAX_COPIED_BYTES} bytes")
                continue
            shutil.copy2(entry.path, target)
    return notes


def markdown_summary(result: SubmissionResult) -> str:
    """The score table for ``$GITHUB_STEP_SUMMARY``."""
    total = f"{format_points(result.total)} / {format_points(result.max_total)}"
    lines = [f"## Autograde: {total} points", *amendment_lines(result), ""]
    if result.status != "graded":
        lines += [f"Not graded: {_cell(result.message)}", ""]
    lines += [
        "| # | exercise | points | tests passed | status |",
        "|--:|----------|-------:|-------------:|--------|",
    ]
    for number, exercise in enumerate(result.exercises, start=1):
        points = f"{format_points(exercise.points)} / {format_points(exercise.max_points)}"
        status = "full marks" if exercise.full_marks else exercise.status
        if exercise.message:
            status += f": {_cell(exercise.message)}"
        tests = f"{exercise.passed}/{exercise.graded}" if exercise.tests else "-"  # none ran
        lines.append(
            f"| {number} | {_cell(exercise.title or exercise.name)} | {points} | "
            f"{tests} | {status} |"
        )
    if result.notes:
        lines += ["", *(f"- {_cell(note)}" for note in result.notes)]
    lines += ["", "Details: `feedback.md` in the run's artifact."]
    return "\n".join(lines) + "\n"


def _cell(text: str, limit: int = 200) -> str:
    """One Markdown table cell of text that may come from student code."""
    one_line = " ".join(text.split())
    if len(one_line) > limit:
        one_line = one_line[: limit - 3] + "..."
    return re.sub(r"([\\|`*_<>\[\]])", r"\\\1", one_line)


def run(args: argparse.Namespace) -> int:
    root: Path = args.root
    if not root.is_dir():
        return error(f"--root {root} is not a folder")
    for folder in args.tests:
        if not folder.is_dir():
            return error(f"--tests {folder} is not a folder")
    if args.out.exists() and not args.out.is_dir():
        return error(f"--out {args.out} exists and is not a folder")
    if args.classroom_output is not None and args.classroom_output.is_dir():
        return error(f"--classroom-output {args.classroom_output} is a folder, not a file")
    summary = args.summary or (
        Path(os.environ["GITHUB_STEP_SUMMARY"]) if os.environ.get("GITHUB_STEP_SUMMARY") else None
    )
    student = student_id(args.student or os.environ.get("GITHUB_ACTOR"))
    try:
        amend = amendments(args, student)
    except (DeadlineError, TimesError) as problem:
        return error(str(problem))
    with tempfile.TemporaryDirectory(prefix="autograde-") as scratch:
        submissions, graded = Path(scratch) / "submissions", Path(scratch) / "graded"
        for note in copy_submission(exercises_folder(root), submissions / student):
            print(f"note: {note}")
        try:  # grade's own lines would name the temporary folder: ours follow instead
            grade_folder(
                submissions, graded, jobs=1, isolation=args.isolation, timeout=args.timeout,
                device=args.device, hidden=[folder.resolve() for folder in args.tests],
                hidden_visibility=args.hidden_visibility, amendments=amend,
            )  # fmt: skip
        except Refused as problem:
            return error(str(problem))
        except KeyboardInterrupt:
            return error("interrupted; nothing was written", INTERRUPTED)
        try:
            result = load_submission(graded / student / STORED_FILE)
        except (OSError, ValueError) as problem:
            return error(f"grading did not complete: {problem}", FAILED)
        args.out.mkdir(parents=True, exist_ok=True)
        for name in STUDENT_FORMATS:
            if (graded / student / name).is_file():
                shutil.copy2(graded / student / name, args.out / name)
    print(render_table([result]))
    print(f"results: {args.out / 'results.json'}; feedback: {args.out / 'feedback.md'}")
    if summary is not None:
        with summary.open("a", encoding="utf-8") as handle:
            handle.write(markdown_summary(result))
    if args.classroom_output is not None:
        append_output(result, args.classroom_output)
        print(f"points for GitHub Classroom: step output {OUTPUT_NAME} in {args.classroom_output}")
    return OK
