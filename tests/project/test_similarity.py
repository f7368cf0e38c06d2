"""``python -m grader similarity``: calibrated on a corpus, a disguised copy ranks first, honest
work is not flagged, and what the students were given never counts.

The calibration corpus (``similarity_corpus.py`` beside this file) is built per exercise from
the project: honest files (the reference and the correct alternatives of ``tests/variants/``,
each filled into the stub), the stub untouched and restyled, and disguised copies of every
honest file (locals renamed, functions reordered, docstrings and comments dropped, dead code
inserted, an ``ast.unparse`` round trip; alone and combined). Every disguised copy must reach the
default threshold and every honest pair stay below it, with a margin; docs/GRADER.md quotes the
measured figures, and a test keeps the quote true.

The class run: honest students (the reference, the alternatives), a copier who took the
reference's activations (the instructor's disguise of issue 23: locals renamed, functions
reordered, docstrings dropped, reformatted by ``ast.unparse``) and the first alternative's
metrics (every disguise at once), and two students who handed in the stubs.
"""

from __future__ import annotations

import contextlib
import csv
import functools
import io
from pathlib import Path

import pytest
from similarity_corpus import (
    EXERCISES,
    Corpus,
    Figures,
    alternatives,
    corpus,
    disguised,
    measured,
    reference,
    restyled,
    score,
    stub,
    table,
)

from grader.__main__ import main
from grader.core.paths import PROJECT_ROOT
from grader.grading.copies.compare import (
    DEFAULT_MIN_OVERLAP,
    DEFAULT_THRESHOLD,
    Criteria,
    Pair,
    compare_exercise,
)
from grader.grading.copies.report import (
    CSV_NAME,
    HTML_NAME,
    STUDENTS_CSV_NAME,
    Run,
    by_student,
    similarity_csv,
    similarity_html,
    students_csv,
)
from grader.grading.copies.sources import Source

HONEST = ("reference", "alternative-1", "alternative-2", "alternative-3")
STUBS = ("stubs-only", "stubs-restyled")
COPIED = {"activations": ("reference", "instructor"), "metrics": ("alternative-1", "everything")}
MARGIN = 0.15  # the least distance from the threshold to either side of the corpus


@functools.cache
def calibrated(exercise: str) -> tuple[Corpus, dict[frozenset[str], Pair]]:
    """``exercise``'s corpus and its pairs as scored."""
    built = corpus(exercise)
    return built, measured(built)


# --- the calibration corpus -----------------------------------------------------------------


@pytest.mark.parametrize("exercise", EXERCISES)
def test_every_disguised_copy_reaches_the_threshold(exercise):
    """Each disguise alone and combined: the copy scores at or above the threshold, and is
    flagged whenever it shares enough code (a copy of a whole solution always does)."""
    built, pairs = calibrated(exercise)
    for original, copy in built.copies:
        assert score(pairs, original, copy) >= DEFAULT_THRESHOLD, (original, copy)
        pair = pairs[frozenset((original, copy))]
        assert pair.flagged or pair.overlap < DEFAULT_MIN_OVERLAP, (original, copy)
        if original == "reference":
            assert pair.flagged, copy


@pytest.mark.parametrize("exercise", EXERCISES)
def test_no_honest_pair_reaches_the_threshold(exercise):
    """Independent writings, one of them possibly disguised: below the threshold, never
    flagged; a disguise does not make independent work look alike."""
    built, pairs = calibrated(exercise)
    assert built.honest, "no honest pair: the corpus lost its teeth"
    for a, b in built.honest:
        assert score(pairs, a, b) < DEFAULT_THRESHOLD, (a, b)
        assert not (pair := pairs.get(frozenset((a, b)))) or not pair.flagged, (a, b)


@pytest.mark.parametrize("exercise", EXERCISES)
def test_given_code_is_never_a_pair(exercise):
    """The stub, untouched or restyled, shares nothing with anyone: not with the other stub,
    not with the solutions filled into it."""
    built, pairs = calibrated(exercise)
    for a, b in built.given:
        assert frozenset((a, b)) not in pairs, (a, b)


def test_the_documented_calibration_is_the_measured_one():
    """docs/GRADER.md quotes the table this corpus gives, and the default threshold keeps a
    margin to both sides of it."""
    figures = [Figures.of(calibrated(exercise)[0]) for exercise in EXERCISES]
    docs = (PROJECT_ROOT / "docs" / "GRADER.md").read_text(encoding="utf-8")
    assert table(figures) in docs, table(figures)
    lowest = min(f.lowest_copy[0] for f in figures)
    highest = max(f.highest_honest[0] for f in figures)
    assert lowest - DEFAULT_THRESHOLD >= MARGIN and DEFAULT_THRESHOLD - highest >= MARGIN
    assert f"{lowest:.2f}" in docs and f"{highest:.2f}" in docs and f"{DEFAULT_THRESHOLD}" in docs


# --- a class --------------------------------------------------------------------------------


def write_student(folder: Path, files: dict[str, str | None]) -> None:
    folder.mkdir(parents=True)
    for exercise, code in files.items():
        if code is not None:
            (folder / f"{exercise}.py").write_text(code, encoding="utf-8")


def read_csv(path: Path) -> list[dict[str, str]]:
    with open(path, newline="", encoding="utf-8") as stream:
        return list(csv.DictReader(stream))


def copied(exercise: str) -> str:
    original, disguise = COPIED[exercise]
    code = reference(exercise) if original == "reference" else alternatives(exercise, 0)
    return disguised(code, disguise, seed="copier")


@pytest.fixture(scope="module")
def run_on_class(tmp_path_factory):
    """The class, and the report of one run on it."""
    root = tmp_path_factory.mktemp("class")
    submissions = root / "submissions"
    write_student(submissions / "reference", {e: reference(e) for e in EXERCISES})
    for which, name in enumerate(HONEST[1:]):
        write_student(submissions / name, {e: alternatives(e, which) for e in EXERCISES})
    write_student(submissions / "copier", {e: copied(e) for e in COPIED})
    write_student(submissions / "stubs-only", {e: stub(e) for e in EXERCISES})
    write_student(submissions / "stubs-restyled", {e: restyled(stub(e)) for e in EXERCISES})
    out = root / "out"
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        assert main(["similarity", str(submissions), "--out", str(out)]) == 0
    assert "left out" not in printed.getvalue()  # intake took every submission
    return out


def test_the_planted_copies_rank_first_and_are_flagged(run_on_class):
    """Renamed variables, reordered functions, dropped docstrings and comments, dead code and
    an ``ast.unparse`` round trip do not hide a copy: the copier's two pairs come first."""
    rows = read_csv(run_on_class / CSV_NAME)
    expected = {(e, frozenset({"copier", original})) for e, (original, _) in COPIED.items()}
    first = {(r["exercise"], frozenset({r["student_a"], r["student_b"]})) for r in rows[:2]}
    assert first == expected
    for row in rows[:2]:
        assert row["flagged"] == "yes"
        assert max(float(row["similarity_a"]), float(row["similarity_b"])) > 0.95


def test_pairs_are_ranked_by_score(run_on_class):
    """The most suspicious first: by the larger similarity, whatever the size of the files."""
    rows = read_csv(run_on_class / CSV_NAME)
    scores = [max(float(r["similarity_a"]), float(r["similarity_b"])) for r in rows]
    assert len(rows) > 2 and scores == sorted(scores, reverse=True)


def test_independent_correct_solutions_are_not_flagged(run_on_class):
    """The reference and the variants' alternatives, filled into the stubs, are written
    independently: short exercises share some code, but no pair reaches the threshold."""
    rows = read_csv(run_on_class / CSV_NAME)
    honest = [r for r in rows if {r["student_a"], r["student_b"]} <= set(HONEST)]
    assert honest, "the honest students share no code at all: the test lost its teeth"
    assert [r for r in honest if r["flagged"] == "yes"] == []


def test_given_code_is_never_suspicious(run_on_class):
    """Two submissions of the handed-out stubs (one restyled: comments, indentation) are in no
    pair and no student row. What the students were given never counts: two identical
    solutions share nothing when the solution itself was handed out."""
    rows = read_csv(run_on_class / CSV_NAME)
    assert not [r for r in rows if {r["student_a"], r["student_b"]} & set(STUBS)]
    students = read_csv(run_on_class / STUDENTS_CSV_NAME)
    assert not [r for r in students if r["student"] in STUBS or r["partner"] in STUBS]
    solution = reference("metrics")
    twins = [Source("one", "metrics", solution), Source("two", "metrics", solution)]
    assert compare_exercise(twins, boilerplate=solution) == []
    (pair,) = compare_exercise(twins, boilerplate=stub("metrics"))
    assert pair.flagged and pair.similarity == 1.0
    highlighted = [solution[start:end] for start, end in pair.spans_a]
    assert highlighted and not [text for text in highlighted if '"""' in text or "def " in text]


def test_students_are_grouped_with_their_most_similar_partner(run_on_class):
    """One row per student who shares code, the most suspicious first: the copier and the
    students copied from, each with the partner and every flagged pair."""
    students = read_csv(run_on_class / STUDENTS_CSV_NAME)
    assert len({r["student"] for r in students}) == len(students)
    assert {r["student"] for r in students[:3]} == {"copier", "reference", "alternative-1"}
    copier = next(r for r in students if r["student"] == "copier")
    assert copier["flagged_pairs"] == "2" and copier["partner"] in ("reference", "alternative-1")
    assert "reference (activations" in copier["flagged_with"]
    assert "alternative-1 (metrics" in copier["flagged_with"]
    honest = [r for r in students if r["student"] in HONEST[2:]]
    assert honest and all(r["flagged_pairs"] == "0" for r in honest)
    scores = [float(r["highest_similarity"]) for r in students]
    assert scores == sorted(scores, reverse=True)


def test_the_report_page_shows_the_pairs_side_by_side_and_the_students(run_on_class):
    page = (run_on_class / HTML_NAME).read_text(encoding="utf-8")
    assert "copier" in page and "<mark>" in page
    assert page.count('class="side-by-side"') == len(read_csv(run_on_class / CSV_NAME))
    assert page.count("<h2>Students</h2>") == 1 and 'href="#pair-1"' in page


def test_against_finds_a_copy_of_an_earlier_year_but_does_not_compare_earlier_code(
    tmp_path, capsys
):
    earlier = tmp_path / "2023"
    write_student(earlier / "senior", {"losses": reference("losses")})
    write_student(earlier / "senior-twin", {"losses": reference("losses")})
    public = tmp_path / "public"  # a folder of exercise files: one source, labelled "public"
    write_student(public, {"metrics": reference("metrics")})
    submissions = tmp_path / "submissions"
    write_student(submissions / "honest", {"losses": alternatives("losses", 0)})
    write_student(
        submissions / "junior",
        {"losses": disguised(reference("losses"), "instructor"), "metrics": reference("metrics")},
    )
    out = tmp_path / "out"
    command = ["similarity", str(submissions), "--out", str(out), "--against", str(earlier)]
    assert main([*command, "--against", str(public)]) == 0
    rows = read_csv(out / CSV_NAME)
    flagged = {
        (r["exercise"], r["student_a"], r["student_b"]) for r in rows if r["flagged"] == "yes"
    }
    assert flagged == {
        ("losses", "junior", "2023/senior"),
        ("losses", "junior", "2023/senior-twin"),
        ("metrics", "junior", "public"),
    }
    assert not [r for r in rows if r["student_a"].startswith("2023/")]  # earlier is never "a"
    students = read_csv(out / STUDENTS_CSV_NAME)
    assert {r["student"] for r in students} <= {"junior", "honest"}  # earlier code is no student
    assert students[0]["student"] == "junior" and students[0]["flagged_pairs"] == "3"
    assert "junior" in capsys.readouterr().out


def test_hostile_student_ids_are_escaped_in_html_and_never_formulas_in_csv():
    hostile = "<img src=x onerror=alert(1)>"
    formula = '=HYPERLINK("http:evil","x")'
    code = "def f():\n    return '</pre><script>alert(2)</script>'\n"
    pair = Pair(
        "activations", Source(hostile, "activations", code), Source(formula, "activations", code),
        1.0, 1.0, 80, ((0, len(code)),), ((0, 10),), True,
    )  # fmt: skip
    students = by_student([pair])
    page = similarity_html([pair], Run(2, 0, 1, 1, Criteria()), students)
    assert hostile not in page and "<script>" not in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page
    (row,) = csv.DictReader(similarity_csv([pair]).splitlines())
    assert (row["student_a"], row["student_b"]) == (hostile, "'" + formula)
    rows = list(csv.DictReader(students_csv(students).splitlines()))
    assert {r["student"] for r in rows} == {hostile, "'" + formula}
    assert all(not r["flagged_with"].startswith("=") for r in rows)


@pytest.mark.parametrize(
    "options, message",
    [
        (["--threshold", "70"], "--threshold is a share between 0 and 1"),
        (["--min-overlap", "-1"], "--min-overlap is a number of tokens"),
    ],
)
def test_bad_options_are_one_line(tmp_path, capsys, options, message):
    assert main(["similarity", str(tmp_path), "--out", str(tmp_path / "out"), *options]) == 2
    assert message in capsys.readouterr().err
