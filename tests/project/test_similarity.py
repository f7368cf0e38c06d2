"""``python -m grader similarity``: a planted copy ranks first, honest work is not flagged.

The class is built in a temporary folder. Honest students: the reference solutions, and the
correct alternatives of ``tests/variants/`` (written independently of the reference), each
filled into the handed-out stub the way a student fills it: the stub's signatures and
docstrings kept, ``raise NotImplementedError`` replaced by the body. The copier took the
reference's activations, renamed its variables, reversed the order of its functions and rewrote
its comments.
"""

from __future__ import annotations

import ast
import contextlib
import csv
import importlib
import importlib.util
import io
import re
import sys
import textwrap
from pathlib import Path

import pytest

from grader.__main__ import main
from grader.core.manifest import load_manifest
from grader.core.paths import EXERCISES_DIR, SOLUTIONS_DIR, TESTS_DIR
from grader.grading.copies.compare import Criteria, Pair, compare_exercise
from grader.grading.copies.report import CSV_NAME, HTML_NAME, Run, similarity_csv, similarity_html
from grader.grading.copies.sources import Source

needs_copydetect = pytest.mark.skipif(
    importlib.util.find_spec("copydetect") is None,
    reason="the similarity extra (copydetect) is not installed",
)

EXERCISES = [exercise.name for exercise in load_manifest()]
COPIED = "activations"  # the exercise the copier copied
HONEST = ("reference", "alternative-1", "alternative-2", "alternative-3")


def filled(stub: str, sources: list[str]) -> str:
    """``stub`` with the body of each function defined in ``sources`` in place of that
    function's ``raise NotImplementedError`` (its docstring left out: the stub's stays); a
    function the stub does not have (a helper) is appended."""
    lines = stub.splitlines()
    stub_functions = {n.name: n for n in ast.parse(stub).body if isinstance(n, ast.FunctionDef)}
    edits, helpers = [], []
    for source in sources:
        source = textwrap.dedent(source)
        source_lines = source.splitlines()
        for function in ast.parse(source).body:
            if not isinstance(function, ast.FunctionDef):
                continue
            target = stub_functions.get(function.name)
            raises = [s for s in target.body if isinstance(s, ast.Raise)] if target else []
            if not raises:
                helpers.append("\n".join(source_lines[function.lineno - 1 : function.end_lineno]))
                continue
            body = function.body[1:] if ast.get_docstring(function) else function.body
            text = "\n".join(source_lines[body[0].lineno - 1 : function.end_lineno])
            indented = textwrap.indent(textwrap.dedent(text), " " * raises[0].col_offset)
            edits.append((raises[0].lineno, raises[0].end_lineno, indented.splitlines()))
    for start, end, new in sorted(edits, reverse=True):
        lines[start - 1 : end] = new
    return "\n".join([*lines, "", *helpers]) + "\n"


def stub(exercise: str) -> str:
    return (EXERCISES_DIR / f"{exercise}.py").read_text(encoding="utf-8")


def reference(exercise: str) -> str:
    """The reference solution as a student would hand it in: the stub, filled."""
    return filled(stub(exercise), [(SOLUTIONS_DIR / f"{exercise}.py").read_text(encoding="utf-8")])


def alternatives(exercise: str, which: int) -> str | None:
    """The stub filled with the ``which``-th correct alternative of each function that has one
    (tests/variants/<exercise>.py); None when no function has that many."""
    sys.path.insert(0, str(TESTS_DIR))
    try:
        variants = importlib.import_module(f"variants.{exercise}").VARIANTS
    finally:
        sys.path.remove(str(TESTS_DIR))
    by_function: dict[str, list[str]] = {}
    for variant in variants:
        if variant.expect == "pass":
            name = re.search(r"def (\w+)", variant.source).group(1)
            by_function.setdefault(name, []).append(variant.source)
    chosen = [sources[which] for sources in by_function.values() if len(sources) > which]
    return filled(stub(exercise), chosen) if chosen else None


def disguised(code: str) -> str:
    """A copy as a cheater makes it: local variables renamed, top-level functions in reverse
    order, every comment rewritten."""
    tree = ast.parse(code)
    parameters = {a.arg for node in ast.walk(tree) if isinstance(node, ast.arguments)
                  for a in node.args + node.kwonlyargs + node.posonlyargs}  # fmt: skip
    local = sorted(
        {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)}
        - parameters
    )
    for index, name in enumerate(local):
        code = re.sub(rf"(?<![.\w]){name}\b", f"tmp{index}_val", code)
    lines = code.splitlines()
    functions = [n for n in ast.parse(code).body if isinstance(n, ast.FunctionDef)]
    head = lines[: functions[0].lineno - 1]
    blocks = ["\n".join(lines[f.lineno - 1 : f.end_lineno]) for f in functions]
    code = "\n".join(head) + "\n\n" + "\n\n\n".join(reversed(blocks)) + "\n"
    return re.sub(r"#[^\n\"']*$", "# my own idea, worked out at home", code, flags=re.M)


def write_student(folder: Path, files: dict[str, str | None]) -> None:
    folder.mkdir(parents=True)
    for exercise, code in files.items():
        if code is not None:
            (folder / f"{exercise}.py").write_text(code, encoding="utf-8")


def read_csv(out: Path) -> list[dict[str, str]]:
    with open(out / CSV_NAME, newline="", encoding="utf-8") as stream:
        return list(csv.DictReader(stream))


@pytest.fixture(scope="module")
def run_on_class(tmp_path_factory):
    """The class, and the report of one run on it."""
    root = tmp_path_factory.mktemp("class")
    submissions = root / "submissions"
    write_student(submissions / "reference", {e: reference(e) for e in EXERCISES})
    for which, name in enumerate(HONEST[1:]):
        write_student(submissions / name, {e: alternatives(e, which) for e in EXERCISES})
    write_student(submissions / "copier", {COPIED: disguised(reference(COPIED))})
    write_student(submissions / "stubs-only", {e: stub(e) for e in EXERCISES})
    restyled = {
        e: re.sub(r"\n\n", "\n\n# TODO\n\n", stub(e)).replace("    ", "  ") for e in EXERCISES
    }
    write_student(submissions / "stubs-restyled", restyled)
    out = root / "out"
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        assert main(["similarity", str(submissions), "--out", str(out)]) == 0
    assert "left out" not in printed.getvalue()  # intake took every submission
    return out


@needs_copydetect
def test_the_planted_copy_ranks_first_and_is_flagged(run_on_class):
    """Renamed variables, reordered functions and new comments do not hide a copy."""
    first = read_csv(run_on_class)[0]
    assert (first["exercise"], {first["student_a"], first["student_b"]}) == (
        COPIED,
        {"copier", "reference"},
    )
    assert first["flagged"] == "yes"
    assert min(float(first["similarity_a"]), float(first["similarity_b"])) > 0.9


@needs_copydetect
def test_independent_correct_solutions_are_not_flagged(run_on_class):
    """The reference and the variants' alternatives, filled into the stubs, are written
    independently: short exercises share some code, but no pair reaches the threshold."""
    honest = [r for r in read_csv(run_on_class) if {r["student_a"], r["student_b"]} <= set(HONEST)]
    assert honest, "the honest students share no code at all: the test lost its teeth"
    assert [r for r in honest if r["flagged"] == "yes"] == []


@needs_copydetect
def test_stubs_are_boilerplate(run_on_class):
    """Two submissions of the handed-out stubs (one restyled: comments, indentation) are
    never listed; without the stub as boilerplate the same two files would be a perfect match."""
    rows = read_csv(run_on_class)
    assert not [r for r in rows if "stubs-only" in (r["student_a"], r["student_b"])]
    assert not [r for r in rows if "stubs-restyled" in (r["student_a"], r["student_b"])]
    sources = [Source("one", COPIED, stub(COPIED)), Source("two", COPIED, stub(COPIED))]
    assert compare_exercise(sources, boilerplate=stub(COPIED))[:1] == []
    (unguarded,) = compare_exercise(sources, boilerplate="")
    assert unguarded.flagged


@needs_copydetect
def test_the_report_page_shows_the_pair_side_by_side(run_on_class):
    page = (run_on_class / HTML_NAME).read_text(encoding="utf-8")
    assert "copier" in page and "<mark>" in page
    assert page.count('class="side-by-side"') == len(read_csv(run_on_class))


@needs_copydetect
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
        {"losses": disguised(reference("losses")), "metrics": reference("metrics")},
    )
    out = tmp_path / "out"
    command = ["similarity", str(submissions), "--out", str(out), "--against", str(earlier)]
    assert main([*command, "--against", str(public)]) == 0
    rows = read_csv(out)
    flagged = {
        (r["exercise"], r["student_a"], r["student_b"]) for r in rows if r["flagged"] == "yes"
    }
    assert flagged == {
        ("losses", "junior", "2023/senior"),
        ("losses", "junior", "2023/senior-twin"),
        ("metrics", "junior", "public"),
    }
    assert not [r for r in rows if r["student_a"].startswith("2023/")]  # earlier is never "a"
    assert "junior" in capsys.readouterr().out


@needs_copydetect
def test_hostile_student_ids_are_escaped_in_html_and_never_formulas_in_csv():
    hostile = "<img src=x onerror=alert(1)>"
    formula = '=HYPERLINK("http:evil","x")'
    code = "def f():\n    return '</pre><script>alert(2)</script>'\n"
    pair = Pair(
        COPIED, Source(hostile, COPIED, code), Source(formula, COPIED, code),
        1.0, 1.0, 80, ((0, len(code)),), ((0, 10),), True,
    )  # fmt: skip
    page = similarity_html([pair], Run(2, 0, 1, 1, Criteria()))
    assert hostile not in page and "<script>" not in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page
    (row,) = csv.DictReader(similarity_csv([pair]).splitlines())
    assert (row["student_a"], row["student_b"]) == (hostile, "'" + formula)


def test_missing_library_is_one_line_naming_the_extra(tmp_path, monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "copydetect", None)  # import copydetect now fails
    (tmp_path / "submissions").mkdir()
    assert main(["similarity", str(tmp_path / "submissions"), "--out", str(tmp_path)]) == 2
    error = capsys.readouterr().err
    assert error.count("\n") == 1 and "Traceback" not in error
    assert "copydetect" in error and "[similarity]" in error


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
