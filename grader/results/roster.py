"""The class roster: which LMS student each graded submission belongs to.

A roster is a CSV file the instructor writes (or exports from the LMS and adds one column to).
Its header names the columns; ``submission`` is required: the submission id, i.e. the student's
folder name under ``grade --out``. The other columns are the LMS's own identifiers, spelled as
the LMS spells them in its gradebook export, so that an export plus a ``submission`` column is
a roster:

* Canvas: ``Student``, ``ID``, ``SIS User ID``, ``SIS Login ID``, ``Section``;
* Moodle: ``Email address``, ``ID number`` or ``Username`` (whichever it maps users on).

Two more columns are the instructor's, for ``grade --roster``: a student's own ``due`` date (ISO
8601 with its UTC offset) or their ``extension`` (hours added to ``grade --due``).

Header names are matched ignoring case and surrounding spaces; other columns are ignored. A
student whose ``submission`` is empty is on the roster but has no submission id. A row whose
``Student`` cell says "Points Possible" (the second row of a Canvas export) and blank rows are
skipped. The file is UTF-8, with or without the byte-order mark Excel writes.

Every problem is a :class:`RosterError` whose message is one line naming the file and line:
the command prints it and stops, it never guesses.
"""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from grader.core.files import UnreadableFile, read_utf8

SUBMISSION_COLUMN = "submission"
CANVAS_POINTS_ROW = "Points Possible"  # the first cell of Canvas's points row
CANVAS_COLUMNS = ("Student", "ID", "SIS User ID", "SIS Login ID", "Section")
CANVAS_KEYS = CANVAS_COLUMNS[1:4]  # ID, SIS User ID, SIS Login ID: what Canvas matches rows on
MOODLE_COLUMNS = {  # --match-by choice -> the roster column (Moodle's export header)
    "email": "Email address",
    "idnumber": "ID number",
    "username": "Username",
}
# A student's own deadline, for `grade --roster` (grader/grading/deadlines.py): their due date
# (ISO 8601 with its UTC offset), or hours added to `grade --due`.
DUE_COLUMN, EXTENSION_COLUMN = "due", "extension"
KNOWN_COLUMNS = (
    SUBMISSION_COLUMN,
    *CANVAS_COLUMNS,
    *MOODLE_COLUMNS.values(),
    DUE_COLUMN,
    EXTENSION_COLUMN,
)


class RosterError(ValueError):
    """A roster that cannot be used as it is; the message is one line, for the terminal."""


@dataclass(frozen=True)
class RosterStudent:
    """One roster row: its submission id ("" if none), its known columns (by their canonical
    names; absent columns read as ""), and its line in the file, for messages."""

    submission: str
    fields: Mapping[str, str]
    line: int

    def get(self, column: str) -> str:
        return self.fields.get(column, "")

    @property
    def label(self) -> str:
        """How to name the student to the instructor: the first non-empty identifying cell."""
        for column in (*CANVAS_COLUMNS, *MOODLE_COLUMNS.values(), SUBMISSION_COLUMN):
            if value := self.fields.get(column):
                return value
        return f"line {self.line}"


@dataclass(frozen=True)
class Roster:
    """The students, in the file's order, and the known columns its header has."""

    name: str  # the file, as the instructor named it (for messages)
    columns: tuple[str, ...]
    students: tuple[RosterStudent, ...]

    def require(self, wanted: tuple[str, ...], lms: str) -> None:
        """Every student must carry at least one of the ``wanted`` identifiers, and no two
        students the same one: otherwise ``lms`` could not tell whose grade a row is."""
        present = [column for column in wanted if column in self.columns]
        if not present:
            raise RosterError(
                f"roster {self.name} has none of the columns {_names(wanted)}, which {lms} "
                f"matches students on (its columns: {_names(self.columns)})"
            )
        owners: dict[tuple[str, str], RosterStudent] = {}
        for student in self.students:
            keys = [(column, student.get(column)) for column in present if student.get(column)]
            if not keys:
                raise RosterError(
                    f"roster {self.name} line {student.line} ({student.label}): no "
                    f"{' or '.join(present)}, so {lms} could not tell who the student is"
                )
            for key in keys:
                if key in owners:
                    raise RosterError(
                        f"roster {self.name} lines {owners[key].line} and {student.line} share "
                        f"the {key[0]} {key[1]!r}: {lms} could not tell the students apart"
                    )
                owners[key] = student


def read_roster(path: str | os.PathLike[str]) -> Roster:
    """The roster in the file ``path`` (see the module's docstring)."""
    path = Path(path)
    try:
        text = read_utf8(path, "roster")
    except UnreadableFile as problem:
        raise RosterError(str(problem)) from None
    return parse_roster(text, str(path))


def parse_roster(text: str, name: str = "ROSTER") -> Roster:
    """The roster in ``text`` (a leading byte-order mark is dropped); ``name`` names it in
    messages."""
    rows = csv.reader(io.StringIO(text.removeprefix("\ufeff"), newline=""))
    try:
        header = next(rows, None)
        if header is None or not any(cell.strip() for cell in header):
            raise RosterError(
                f"roster {name} is empty: want a header line with a '{SUBMISSION_COLUMN}' column"
            )
        columns = _columns(header, name)
        students: list[RosterStudent] = []
        for cells in rows:
            student = _student(cells, columns, name, rows.line_num)
            if student is not None:
                students.append(student)
    except csv.Error as problem:
        raise RosterError(
            f"roster {name} line {rows.line_num} is not valid CSV: {problem}"
        ) from None
    _check_unique_submissions(students, name)
    return Roster(name, tuple(c for c in columns if c is not None), tuple(students))


def _columns(header: list[str], name: str) -> list[str | None]:
    """The canonical name of each header cell (None: a column we do not use)."""
    known = {column.casefold(): column for column in KNOWN_COLUMNS}
    columns = [known.get(cell.strip().casefold()) for cell in header]
    if SUBMISSION_COLUMN not in columns:
        semicolons = ";" in ",".join(header)
        hint = "; it looks separated by ';': save it comma-separated" if semicolons else ""
        raise RosterError(
            f"roster {name} has no column '{SUBMISSION_COLUMN}' (the submission id: the "
            f"student's folder name in OUT); its columns: {_names(header)}{hint}"
        )
    seen = [c for c in columns if c is not None]
    if twice := sorted({c for c in seen if seen.count(c) > 1}):
        raise RosterError(f"roster {name} has the column {_names(twice)} more than once")
    return columns


def _student(
    cells: list[str], columns: list[str | None], name: str, line: int
) -> RosterStudent | None:
    if not any(cell.strip() for cell in cells):
        return None  # a blank line
    if len(cells) > len(columns) and any(cell.strip() for cell in cells[len(columns) :]):
        raise RosterError(f"roster {name} line {line} has more cells than the header")
    fields = {column: cell.strip() for column, cell in zip(columns, cells, strict=False) if column}
    if fields.get("Student", "").startswith(CANVAS_POINTS_ROW):
        return None  # Canvas's points row, not a student
    return RosterStudent(fields.get(SUBMISSION_COLUMN, ""), fields, line)


def _check_unique_submissions(students: list[RosterStudent], name: str) -> None:
    first: dict[str, RosterStudent] = {}
    for student in students:
        if not student.submission:
            continue
        if student.submission in first:
            raise RosterError(
                f"roster {name} lines {first[student.submission].line} and {student.line} "
                f"both name the submission {student.submission!r}"
            )
        first[student.submission] = student


def _names(columns: Iterable[str]) -> str:
    return ", ".join(repr(column) for column in columns) or "none"
