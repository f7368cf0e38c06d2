"""Grades into an LMS: the class's totals as a file Canvas or Moodle imports, matched to the LMS's
students through the roster (:mod:`grader.results.roster`). Pure: text in, text out.

Canvas (Grades > Import, a gradebook CSV). Canvas reads the header ``Student, ID, SIS User ID,
SIS Login ID, Section`` and takes every further column as an assignment: one named as an
existing assignment (``Title`` or ``Title (assignment id)``, as Canvas's export writes it)
receives the grades, any other name creates a new assignment. A row whose first cell is
``Points Possible`` gives each column's points possible. A student row is matched on ``ID``
(Canvas's user id), then ``SIS User ID``, then ``SIS Login ID``, then the name. We write
exactly that: the five columns, one assignment column, the points row, one row per roster
student.

Moodle (Grades > Import > CSV file). The file is one header line and one line per student;
at import the teacher maps one column to the users ("Map from" this column, "Map to" email
address, ID number or username) and the grade column to a grade item (or a new one). A user
Moodle cannot find aborts the whole import, so only roster students are written, each with
its identifier. An empty cell is "no grade".

Who is missing: a graded submission with no roster entry is left out of the file (there is no
one to give the grade to) and reported; a roster student without a graded submission gets an
empty cell ("no submission" is not "0 points") unless ``missing_as_zero``; a submission that
could not be graded (status "error") gets an empty cell and is reported with its reason.

Every text cell is made safe for spreadsheets by the gradebook's rule
(:func:`grader.results.gradebook.csv_safe`): roster cells, the assignment name and, in the
report, the submission ids, which come from the students.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass

from grader.core.text import one_line
from grader.results.gradebook import csv_safe
from grader.results.model import SubmissionResult, format_points
from grader.results.order import sorted_results
from grader.results.roster import (
    CANVAS_COLUMNS,
    CANVAS_KEYS,
    CANVAS_POINTS_ROW,
    MOODLE_COLUMNS,
    Roster,
    RosterStudent,
)

LMS_NAMES = {"canvas": "Canvas", "moodle": "Moodle"}  # --lms choice -> the vendor's name
MOODLE_GRADE_LIMIT = 100  # Moodle's default largest grade ("gradepointmax"), unless unlimited
REPORT_COLUMNS = ("problem", "submission", "student", "detail")
NO_ROSTER_ENTRY = "no roster entry"
NO_SUBMISSION = "no submission"
NOT_GRADED = "could not be graded"


@dataclass(frozen=True)
class Matched:
    """The roster matched with the results: one row per roster student, in roster order (the
    result is None when nothing graded carries their submission id), and the graded
    submissions no roster student claims."""

    rows: tuple[tuple[RosterStudent, SubmissionResult | None], ...]
    unclaimed: tuple[SubmissionResult, ...]

    @property
    def missing(self) -> list[RosterStudent]:
        """Roster students with no submission."""
        return [student for student, result in self.rows if result is None]

    @property
    def not_graded(self) -> list[tuple[RosterStudent, SubmissionResult]]:
        """Roster students whose submission could not be graded at all."""
        return [(s, r) for s, r in self.rows if r is not None and r.status != "graded"]


@dataclass(frozen=True)
class Scale:
    """How a total becomes a cell: points as graded, or rescaled to ``out_of``; ``possible``
    is the class's maximum total (the manifest's points)."""

    possible: float
    out_of: float | None = None
    missing_as_zero: bool = False

    @property
    def points_possible(self) -> float:
        return self.possible if self.out_of is None else self.out_of

    def cell(self, result: SubmissionResult | None) -> str:
        """A number as text (``7.5``, never ``7,5``), or "" for no grade."""
        if result is None:
            return "0" if self.missing_as_zero else ""
        if result.status != "graded":
            return ""  # a grading failure is not a score: the report says why
        if self.out_of is None:
            return format_points(result.total)
        share = result.total / self.possible if self.possible > 0 else 0.0
        return format_points(round(share * self.out_of, 2))


def identifiers(lms: str, match_by: str) -> tuple[str, ...]:
    """The roster columns ``lms`` matches students on; each student needs one of them."""
    return CANVAS_KEYS if lms == "canvas" else (MOODLE_COLUMNS[match_by],)


def import_csv(lms: str, matched: Matched, assignment: str, scale: Scale, match_by: str) -> str:
    """The import file for ``lms`` (a key of :data:`LMS_NAMES`)."""
    if lms == "canvas":
        return canvas_csv(matched, assignment, scale)
    return moodle_csv(matched, match_by, assignment, scale)


def cautions(lms: str, scale: Scale) -> list[str]:
    """What the LMS will refuse in this file, said before the import fails."""
    if lms != "moodle" or scale.points_possible <= MOODLE_GRADE_LIMIT:
        return []
    return [
        f"note: Moodle refuses grades above {MOODLE_GRADE_LIMIT} unless the site allows "
        f"unlimited grades; --out-of {MOODLE_GRADE_LIMIT} rescales the totals"
    ]


def match(roster: Roster, results: Iterable[SubmissionResult]) -> Matched:
    by_id = {result.student: result for result in results}
    claimed = {student.submission for student in roster.students}
    rows = tuple((student, by_id.get(student.submission)) for student in roster.students)
    unclaimed = tuple(sorted_results(r for s, r in by_id.items() if s not in claimed))
    return Matched(rows, unclaimed)


def points_possible(results: Iterable[SubmissionResult]) -> float:
    """The class's maximum total: the largest ``max_total`` among graded submissions."""
    return max((r.max_total for r in results if r.status == "graded"), default=0.0)


def canvas_csv(matched: Matched, assignment: str, scale: Scale) -> str:
    """Canvas's gradebook import: the five student columns, ``assignment``, the Points
    Possible row, then one row per roster student."""
    rows = [
        [*CANVAS_COLUMNS, assignment],
        [
            CANVAS_POINTS_ROW,
            *[""] * (len(CANVAS_COLUMNS) - 1),
            format_points(scale.points_possible),
        ],
    ]
    rows += [
        [*(student.get(column) for column in CANVAS_COLUMNS), scale.cell(result)]
        for student, result in matched.rows
    ]
    return _csv(rows, guarded_columns=len(CANVAS_COLUMNS), guard_header=True)


def moodle_csv(matched: Matched, match_by: str, assignment: str, scale: Scale) -> str:
    """Moodle's CSV grade import: the identifier column ``match_by`` names (see
    :data:`grader.results.roster.MOODLE_COLUMNS`) and ``assignment``; one line per roster
    student."""
    column = MOODLE_COLUMNS[match_by]
    rows = [[column, assignment]]
    rows += [[student.get(column), scale.cell(result)] for student, result in matched.rows]
    return _csv(rows, guarded_columns=1, guard_header=True)


def report_csv(matched: Matched, scale: Scale) -> str:
    """Who is not in the export as graded: one line per problem (``problem, submission,
    student, detail``), submissions without a roster entry first."""
    rows: list[list[str]] = [list(REPORT_COLUMNS)]
    for result in matched.unclaimed:
        detail = f"left out: {format_points(result.total)} of {format_points(result.max_total)}"
        if result.status != "graded":
            detail = f"left out: {NOT_GRADED}: {one_line(result.message, 200)}"
        rows.append([NO_ROSTER_ENTRY, result.student, "", detail])
    given = "0 points (--missing-as-zero)" if scale.missing_as_zero else "empty cell"
    for student in matched.missing:
        rows.append([NO_SUBMISSION, student.submission, student.label, given])
    for student, result in matched.not_graded:
        reason = one_line(result.message, 200) or "status " + result.status
        rows.append([NOT_GRADED, student.submission, student.label, f"empty cell: {reason}"])
    return _csv(rows, guarded_columns=len(REPORT_COLUMNS), guard_header=False)


def summary_lines(matched: Matched, scale: Scale, limit: int = 10) -> list[str]:
    """What the terminal says about the match, one line per kind of problem, with at most
    ``limit`` names each, made printable (student ids come from submissions)."""
    given = "0 points" if scale.missing_as_zero else "empty cells"
    kinds = {
        "submission(s) with no roster entry, left out of the export": [
            result.student for result in matched.unclaimed
        ],
        f"roster student(s) with no submission ({given})": [s.label for s in matched.missing],
        "submission(s) that could not be graded (empty cells)": [
            student.label for student, _ in matched.not_graded
        ],
    }
    lines = []
    for what, names in kinds.items():
        if names:
            shown = "; ".join(_unambiguous(one_line(name, 40)) for name in names[:limit])
            more = f"; and {len(names) - limit} more" if len(names) > limit else ""
            lines.append(f"{len(names)} {what}: {shown}{more}")
    return lines


def _unambiguous(name: str) -> str:
    """A name as a list shows it: quoted when it holds the list's own separators ("Lee, Alice"
    is one student, not two)."""
    return f'"{name}"' if any(mark in name for mark in ',;"') else name


def _csv(rows: list[list[str]], guarded_columns: int, guard_header: bool) -> str:
    """CSV text (RFC 4180 quoting, CRLF line ends), the first ``guarded_columns`` cells of
    each row, and the whole header when ``guard_header``, made spreadsheet-safe."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    for index, row in enumerate(rows):
        limit = len(row) if index == 0 and guard_header else guarded_columns
        writer.writerow([csv_safe(cell) if i < limit else cell for i, cell in enumerate(row)])
    return buffer.getvalue()
