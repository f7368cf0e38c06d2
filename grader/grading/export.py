"""``python -m grader export OUT --roster ROSTER.csv --lms canvas|moodle``: grades into the LMS.

Reads the stored result of every student graded into OUT (``OUT/<student>/grade.json``),
matches them with the roster (:mod:`grader.results.roster`: the ``submission`` column names
the student's folder in OUT, the other columns the LMS's identifiers) and writes the LMS's
import file (:mod:`grader.results.lms`), by default ``OUT/<lms>-grades.csv``, and beside it
a report of who is not in it as graded (``<file>-report.csv``): submissions with no roster
entry, roster students with no submission, submissions that could not be graded. The same
lines are printed.

Exit 0 when the file was written (even with names in the report: read it); 2 when it could
not be (a missing or malformed roster, OUT without graded students, a damaged result), with
a one-line message.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from grader.core.exits import OK, error
from grader.core.files import atomic_write_text
from grader.core.options import positive_float
from grader.core.text import one_line
from grader.grading.runrecord import load_record
from grader.results.formats import STORED_FILE
from grader.results.lms import (
    LMS_NAMES,
    Matched,
    Scale,
    cautions,
    identifiers,
    import_csv,
    match,
    points_possible,
    report_csv,
    summary_lines,
)
from grader.results.model import SubmissionResult, format_points
from grader.results.roster import MOODLE_COLUMNS, RosterError, read_roster
from grader.results.stored import load_submission

DEFAULT_ASSIGNMENT = "Deep-learning fundamentals"
DEFAULT_MATCH_BY = "email"


class ExportError(Exception):
    """A one-line reason the export cannot be written."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("out", type=Path, metavar="OUT", help="the folder `grade --out` wrote")
    parser.add_argument(
        "--roster",
        type=Path,
        metavar="CSV",
        required=True,
        help="CSV (UTF-8) with a 'submission' column (the student's folder in OUT) and the "
        "LMS's identifiers: Canvas: Student, ID, SIS User ID, SIS Login ID, Section; "
        "Moodle: Email address, ID number or Username",
    )
    parser.add_argument("--lms", choices=tuple(LMS_NAMES), required=True, help="the import format")
    parser.add_argument(
        "--assignment",
        default=DEFAULT_ASSIGNMENT,
        metavar="NAME",
        help="the grade column's name: Canvas's assignment (exact title, or 'Title (id)' as "
        "Canvas exports it; another name creates an assignment), Moodle's grade item "
        "(default: %(default)s)",
    )
    parser.add_argument(
        "--out",
        dest="file",
        type=Path,
        default=None,
        help="the import file (default: OUT/<lms>-grades.csv); the report goes beside it",
    )
    parser.add_argument(
        "--match-by",
        choices=tuple(MOODLE_COLUMNS),
        default=DEFAULT_MATCH_BY,
        help="Moodle only: the roster column Moodle maps users on: "
        + ", ".join(f"{key} = '{column}'" for key, column in MOODLE_COLUMNS.items())
        + " (default: %(default)s)",
    )
    parser.add_argument(
        "--missing-as-zero",
        action="store_true",
        help="give roster students with no submission 0 points (default: an empty cell, "
        "which is no grade)",
    )
    parser.add_argument(
        "--out-of",
        type=positive_float,
        default=None,
        metavar="N",
        help="rescale the totals to N points (default: the points as graded)",
    )


def run(args: argparse.Namespace) -> int:
    try:
        written = export(args)
    except (ExportError, RosterError) as problem:
        return error(str(problem))
    for line in written:
        print(line)
    return OK


def export(args: argparse.Namespace) -> list[str]:
    """Write the import file and its report; return what to print."""
    if not args.assignment.strip():
        raise ExportError("--assignment must name the grade column, got an empty name")
    results = load_results(args.out)
    roster = read_roster(args.roster)
    roster.require(identifiers(args.lms, args.match_by), LMS_NAMES[args.lms])
    matched = match(roster, results)
    stale = not_graded_yet(args.out, matched)
    if stale and args.missing_as_zero:
        raise ExportError(
            f"OUT is out of date: {stale[0]}, and --missing-as-zero would give them 0: run "
            "`python -m grader grade SUBMISSIONS --out OUT` again first"
        )
    scale = Scale(points_possible(results), args.out_of, args.missing_as_zero)
    text = import_csv(args.lms, matched, args.assignment.strip(), scale, args.match_by)
    file = args.file or args.out / f"{args.lms}-grades.csv"
    report = file.with_name(f"{file.stem}-report.csv")
    if args.roster.resolve() in (file.resolve(), report.resolve()):
        raise ExportError(f"--out {file} would overwrite the roster: choose another file")
    try:
        atomic_write_text(file, text)
        atomic_write_text(report, report_csv(matched, scale))
    except OSError as problem:
        raise ExportError(f"cannot write {problem.filename}: {problem.strerror}") from None
    caution = [f"warning: OUT is out of date: {stale[0]} (empty cells); run `python -m grader "
               "grade SUBMISSIONS --out OUT` again"] if stale else []  # fmt: skip
    return [
        *summary_lines(matched, scale),
        *caution,
        _written(file, matched, scale),
        *cautions(args.lms, scale),
        f"report: {report}",
    ]


def not_graded_yet(out: Path, matched: Matched) -> list[str]:
    """Where roster students listed as having no submission do have one that the last grade
    run found (``run.json``) but left without a result (interrupted, or ``--only``): one phrase
    naming them (empty: none, or no record of the run)."""
    try:
        found = set(load_record(out).everyone)
    except ValueError:
        return []
    waiting = [s.label for s in matched.missing if s.submission and s.submission in found]
    if not waiting:
        return []
    names = "; ".join(one_line(name, 40) for name in waiting[:10])
    more = f"; and {len(waiting) - 10} more" if len(waiting) > 10 else ""
    return [f"{len(waiting)} roster student(s) have a submission not graded yet ({names}{more})"]


def load_results(out: Path) -> list[SubmissionResult]:
    """Every stored result under ``out`` (one folder per student); a damaged one stops the
    export: a grade must not go missing without a word."""
    if not out.is_dir():
        raise ExportError(f"OUT {out} is not a directory (the folder `grade --out` wrote)")
    try:
        folders = sorted(path for path in out.iterdir() if path.is_dir())
    except OSError as problem:
        raise ExportError(f"OUT {out}: cannot list it ({problem.strerror})") from None
    results = []
    for folder in folders:
        stored = folder / STORED_FILE
        if not stored.is_file():
            continue
        try:
            results.append(load_submission(stored))
        except (OSError, ValueError) as problem:
            reason = str(problem).splitlines()[0] if str(problem) else type(problem).__name__
            raise ExportError(
                f"{stored} is not a readable result ({reason}): grade that student again"
            ) from None
    if not results:
        raise ExportError(
            f"OUT {out} holds no graded students (no <student>/{STORED_FILE}): run "
            "`python -m grader grade SUBMISSIONS --out OUT` first"
        )
    return results


def _written(file: Path, matched: Matched, scale: Scale) -> str:
    """What was written, counted as written: the grades, and the zeros of ``--missing-as-zero``."""
    graded = sum(1 for _, r in matched.rows if r is not None and r.status == "graded")
    zeros = len(matched.missing) if scale.missing_as_zero else 0
    given = f"{graded + zeros} with a number ({graded} graded, {zeros} given 0 for no submission)"
    return (
        f"wrote {file}: {len(matched.rows)} roster students, "
        f"{given if zeros else f'{graded} with a grade'}, out of "
        f"{format_points(scale.points_possible)}"
    )
