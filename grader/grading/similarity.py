"""``python -m grader similarity SUBMISSIONS --out OUT``: which submissions were copied from each
other.

For each exercise of the manifest, every pair of submissions is compared
(:mod:`grader.grading.copies`): the code is read through the same intake as ``grade`` (never
run), parsed, canonicalized (the names a student chose, strings, docstrings, comments and layout
left out, and all the handed-out stub gives), and fingerprinted as MOSS does; a pair's score is
how much of one file lies in regions the other shares. ``--against DIR`` adds earlier years'
submissions or public code, compared with the class but not with each other.

Writes ``OUT/similarity.html`` (the pairs ranked by score, the students with their most similar
partner, the matching regions side by side), ``OUT/similarity.csv`` (the pairs) and
``OUT/similarity-students.csv``, and prints the top pairs and students.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from grader.core.exits import OK, error
from grader.core.manifest import load_manifest
from grader.grading.copies.compare import (
    DEFAULT_MIN_OVERLAP,
    DEFAULT_THRESHOLD,
    Criteria,
    Pair,
    compare_exercise,
    rank_key,
)
from grader.grading.copies.report import (
    Run,
    by_student,
    listed,
    render_students,
    render_table,
    write_report,
)
from grader.grading.copies.sources import Source, read_folder, stub_texts
from grader.grading.intake.model import IntakeError


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("submissions", type=Path, help="a directory with one entry per student")
    parser.add_argument("--out", type=Path, required=True, help="where the report goes")
    parser.add_argument(
        "--against",
        type=Path,
        action="append",
        default=[],
        metavar="DIR",
        help="earlier years' submissions (a folder like SUBMISSIONS) or public code (a folder "
        "with exercise files): compared with the class, not with each other; repeat it for "
        "more folders",
    )
    parser.add_argument(
        "--threshold",
        type=float,
        default=DEFAULT_THRESHOLD,
        help="flag a pair when the larger of its two similarities reaches this share "
        "(default: %(default)s, calibrated: docs/GRADER.md)",
    )
    parser.add_argument(
        "--min-overlap",
        type=int,
        default=DEFAULT_MIN_OVERLAP,
        help="and its matching regions hold at least this many tokens (default: %(default)s)",
    )
    parser.add_argument(
        "--top",
        type=int,
        default=10,
        help="pairs and students shown on the terminal (default: %(default)s)",
    )


def run(args: argparse.Namespace) -> int:
    problem = _check_arguments(args)
    if problem:
        return error(problem)
    notes: list[str] = []
    try:
        sources = read_folder(args.submissions, notes)
        earlier = [s for folder in args.against for s in read_folder(folder, notes, earlier=True)]
    except IntakeError as intake_error:
        return error(str(intake_error))
    for note in notes:
        print(f"note: {note}")
    criteria = Criteria(args.threshold, args.min_overlap)
    pairs, compared = compare_all(sources + earlier, criteria)
    shown = listed(pairs)
    students = by_student(pairs)
    run_info = Run(
        students=len({s.label for s in sources}),
        earlier=len({s.label for s in earlier}),
        exercises=len({s.exercise for s in sources}),
        compared=compared,
        criteria=criteria,
    )
    args.out.mkdir(parents=True, exist_ok=True)
    html_path, csv_path = write_report(shown, run_info, args.out, students)
    flagged = [pair for pair in shown if pair.flagged]
    if shown and args.top:
        print(render_table(shown, args.top))
        print()
        print(render_students(students, args.top))
    exercises = len({pair.exercise for pair in flagged})
    suspects = sum(bool(student.flagged) for student in students)
    print(
        f"{len(flagged)} pair(s) flagged in {exercises} exercise(s), {suspects} student(s) "
        f"(threshold {args.threshold:g}, at least {args.min_overlap} tokens); "
        f"report: {html_path}; table: {csv_path}"
    )
    return OK


def compare_all(sources: list[Source], criteria: Criteria) -> tuple[list[Pair], int]:
    """Every exercise of the manifest: its pairs sharing code, ranked over all exercises, and
    how many pairs of files were compared."""
    stubs = stub_texts()
    pairs: list[Pair] = []
    compared = 0
    for exercise in load_manifest():
        files = [s for s in sources if s.exercise == exercise.name]
        mine = sum(not s.earlier for s in files)
        compared += mine * (mine - 1) // 2 + mine * (len(files) - mine)
        pairs += compare_exercise(files, stubs[exercise.name], criteria)
    return sorted(pairs, key=rank_key), compared


def _check_arguments(args: argparse.Namespace) -> str | None:
    if not args.submissions.is_dir():
        return f"SUBMISSIONS {args.submissions} is not a directory"
    names = [folder.name for folder in args.against]
    for folder in args.against:
        if not folder.is_dir():
            return f"--against {folder} is not a directory"
        if names.count(folder.name) > 1:
            return (
                f"two --against folders are named {folder.name!r}: their code would carry the "
                "same labels; rename one"
            )
    if not 0 < args.threshold <= 1:
        return f"--threshold is a share between 0 and 1 (like 0.7), got {args.threshold:g}"
    if args.min_overlap < 0:
        return f"--min-overlap is a number of tokens, 0 or more, got {args.min_overlap}"
    if args.top < 0:
        return f"--top must be 0 or more, got {args.top}"
    if args.out.exists() and not args.out.is_dir():
        return f"--out {args.out} exists and is not a directory"
    return None
