"""What the instructor reads: ``similarity.csv`` (the pairs), ``similarity-students.csv`` (the
students), ``similarity.html`` (both; its template, ``report.html``, is a real file beside this
module) and the terminal tables.

Pairs are ranked by score, the most suspicious first. Listed are the flagged pairs and, per
exercise, the ``NEAR_MISSES`` most similar pairs that were not flagged, so the margin between
them and the threshold is visible. Students are grouped: each student of the class in any pair,
with their most similar partner and the partners they were flagged with, the student whose top
pair ranks first coming first. Student ids are untrusted text: the page escapes everything
(Jinja's autoescape; the code is escaped piece by piece), the CSV guards its cells against
spreadsheet formulas, the tables print them on one line.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from grader.core.files import atomic_write_text
from grader.core.text import fit, one_line, pad, width
from grader.grading.copies.compare import NOISE_TOKENS, Criteria, Pair, Span, rank_key
from grader.grading.copies.sources import Source
from grader.results.gradebook import csv_safe

NEAR_MISSES = 3  # unflagged pairs listed per exercise, the most similar ones
CSV_NAME = "similarity.csv"
STUDENTS_CSV_NAME = "similarity-students.csv"
HTML_NAME = "similarity.html"
TEMPLATE = Path(__file__).resolve().with_name("report.html")
CSV_HEADER = (
    "exercise", "student_a", "student_b", "similarity_a", "similarity_b",
    "tokens_overlapping", "flagged",
)  # fmt: skip
STUDENTS_CSV_HEADER = (
    "student", "highest_similarity", "partner", "exercise", "flagged_pairs", "flagged_with",
)  # fmt: skip


@dataclass(frozen=True)
class Run:
    """What was compared, for the page's header."""

    students: int
    earlier: int  # sources of --against code (submissions or folders)
    exercises: int
    compared: int  # pairs of files compared
    criteria: Criteria


@dataclass(frozen=True)
class Student:
    """A student of the class and every pair they are in, ranked (the most similar first)."""

    label: str
    pairs: tuple[Pair, ...]

    @property
    def top(self) -> Pair:
        """The student's most similar pair."""
        return self.pairs[0]

    @property
    def flagged(self) -> tuple[Pair, ...]:
        return tuple(pair for pair in self.pairs if pair.flagged)

    def partner(self, pair: Pair) -> Source:
        """The other side of ``pair`` (``a`` is always from the class)."""
        return pair.b if pair.a.label == self.label else pair.a

    def flagged_with(self) -> str:
        """The flagged pairs in one line: ``partner (exercise 97%); ...``."""
        return "; ".join(
            f"{one_line(self.partner(pair).label)} ({pair.exercise} {percent(pair.similarity)})"
            for pair in self.flagged
        )


def by_student(pairs: Iterable[Pair]) -> list[Student]:
    """Each student of the class in ``pairs`` (earlier code is no student) with their pairs;
    the students whose most similar pair ranks first come first."""
    grouped: dict[str, list[Pair]] = {}
    for pair in sorted(pairs, key=rank_key):
        for side in (pair.a, pair.b):
            if not side.earlier:
                grouped.setdefault(side.label, []).append(pair)
    students = [Student(label, tuple(mine)) for label, mine in grouped.items()]
    return sorted(students, key=lambda student: (rank_key(student.top), student.label))


def listed(pairs: Iterable[Pair], near_misses: int = NEAR_MISSES) -> list[Pair]:
    """The flagged pairs and each exercise's ``near_misses`` most similar others, ranked."""
    kept, unflagged = [], {}
    for pair in sorted(pairs, key=rank_key):
        count = unflagged.get(pair.exercise, 0)
        if pair.flagged or count < near_misses:
            kept.append(pair)
        if not pair.flagged:
            unflagged[pair.exercise] = count + 1
    return kept


def percent(share: float) -> str:
    return f"{100 * share:.0f}%"


def similarity_csv(pairs: Sequence[Pair]) -> str:
    """One row per listed pair, in rank order; similarities as fractions (3 decimals)."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow(CSV_HEADER)
    for pair in pairs:
        writer.writerow(
            [
                pair.exercise,
                csv_safe(pair.a.label),
                csv_safe(pair.b.label),
                f"{pair.similarity_a:.3f}",
                f"{pair.similarity_b:.3f}",
                pair.overlap,
                "yes" if pair.flagged else "no",
            ]
        )
    return buffer.getvalue()


def students_csv(students: Sequence[Student]) -> str:
    """One row per student, in the order of :func:`by_student`."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow(STUDENTS_CSV_HEADER)
    for student in students:
        top = student.top
        writer.writerow(
            [
                csv_safe(student.label),
                f"{top.similarity:.3f}",
                csv_safe(student.partner(top).label),
                top.exercise,
                len(student.flagged),
                csv_safe(student.flagged_with()),
            ]
        )
    return buffer.getvalue()


def highlighted(text: str, spans: Sequence[Span]):
    """``text`` as HTML (escaped), the matching regions in ``<mark>``: a Markup string, which
    the template inserts as it is."""
    from markupsafe import Markup, escape

    pieces, done = [], 0
    for start, end in sorted(spans):
        start = max(start, done)
        if end <= start:
            continue
        pieces += [escape(text[done:start]), Markup("<mark>"), escape(text[start:end])]
        pieces.append(Markup("</mark>"))
        done = end
    pieces.append(escape(text[done:]))
    return Markup("").join(pieces)


def similarity_html(pairs: Sequence[Pair], run: Run, students: Sequence[Student] = ()) -> str:
    """The page: a ranked table of the listed pairs, the students with their most similar
    partner, then each listed pair's two files side by side."""
    import jinja2

    environment = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined)
    template = environment.from_string(TEMPLATE.read_text(encoding="utf-8"))
    rows = [
        {
            "pair": pair,
            "code_a": highlighted(pair.a.text, pair.spans_a),
            "code_b": highlighted(pair.b.text, pair.spans_b),
        }
        for pair in pairs
    ]
    anchors = {id(pair): index for index, pair in enumerate(pairs, start=1)}  # listed pairs
    student_rows = [
        {
            "student": student,
            "top": student.top,
            "partner": student.partner(student.top).label,
            "anchor": anchors.get(id(student.top)),
        }
        for student in students
    ]
    return template.render(
        rows=rows, students=student_rows, run=run, noise=NOISE_TOKENS, percent=percent
    )


def write_report(
    pairs: Sequence[Pair], run: Run, out: Path, students: Sequence[Student] = ()
) -> tuple[Path, Path]:
    """``similarity.html``, ``similarity.csv`` and ``similarity-students.csv`` in ``out``, each
    written atomically; the page's and the pairs table's paths."""
    html_path, csv_path = out / HTML_NAME, out / CSV_NAME
    atomic_write_text(csv_path, similarity_csv(pairs))
    atomic_write_text(out / STUDENTS_CSV_NAME, students_csv(students))
    atomic_write_text(html_path, similarity_html(pairs, run, students))
    return html_path, csv_path


def render_table(pairs: Sequence[Pair], top: int) -> str:
    """The ``top`` most similar listed pairs as a fixed-width text table."""
    header = ["#", "exercise", "student a", "student b", "a in b", "b in a", "tokens", "flagged"]
    rows = [_row(rank, pair) for rank, pair in enumerate(pairs[:top], start=1)]
    return _table(header, rows, right={0, 4, 5, 6})


def render_students(students: Sequence[Student], top: int) -> str:
    """The first ``top`` students of :func:`by_student` as a fixed-width text table."""
    header = ["student", "most similar", "partner", "exercise", "flagged pairs"]
    rows = [
        [
            fit(one_line(student.label), 24),
            percent(student.top.similarity),
            fit(one_line(student.partner(student.top).label), 24),
            student.top.exercise,
            str(len(student.flagged)),
        ]
        for student in students[:top]
    ]
    return _table(header, rows, right={1, 4})


def _table(header: list[str], rows: list[list[str]], right: set[int]) -> str:
    widths = [max(width(cells[i]) for cells in [header, *rows]) for i in range(len(header))]
    return "\n".join(
        "  ".join(pad(cell, widths[i], right=i in right) for i, cell in enumerate(cells)).rstrip()
        for cells in [header, *rows]
    )


def _row(rank: int, pair: Pair) -> list[str]:
    return [
        str(rank),
        pair.exercise,
        fit(one_line(pair.a.label), 24),
        fit(one_line(pair.b.label), 24),
        percent(pair.similarity_a),
        percent(pair.similarity_b),
        str(pair.overlap),
        "yes" if pair.flagged else "",
    ]
