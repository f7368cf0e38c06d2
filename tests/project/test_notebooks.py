"""Notebooks: generation, extraction of the exercise cells (never run), intake, and, slow, the
generated notebooks executed end to end in a real kernel with nbclient."""

from __future__ import annotations

import ast
import csv
import json
import re
import sys
import zipfile
from pathlib import Path

import nbformat
import pytest
from conftest import grade
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from grader.__main__ import main
from grader.core.ipynb import (
    NotebookError,
    exercise_cells,
    exercise_code,
    exercise_of,
    neutralize,
    read_notebook,
)
from grader.core.manifest import load_manifest
from grader.grading.intake.discovery import discover
from grader.grading.intake.model import IntakeLimits as Limits
from grader.grading.intake.model import Submission
from grader.grading.intake.unpack import unpack
from grader.notebooks import build, cells_of, module_from_inputs, run_tests, write_notebooks
from grader.results.stored import load_submission

EXERCISES = load_manifest()
NAMES = [exercise.name for exercise in EXERCISES]
PROJECT = Path(__file__).resolve().parents[2]
CJK = re.compile(r"[\u4e00-\u9fff]")


def source_of(impl: str, name: str) -> str:
    return (PROJECT / impl / f"{name}.py").read_text(encoding="utf-8")


def notebook_of(name: str, impl: str = "exercises", lang: str = "en"):
    number = NAMES.index(name) + 1
    return build(EXERCISES[number - 1], number, source_of(impl, name), lang)


def file_of(name: str) -> str:
    """The name the notebooks command gives the notebook of ``name``: its place in the manifest."""
    return f"{NAMES.index(name) + 1:02d}_{name}.ipynb"


def cell_of(notebook, function: str) -> int:
    """The index of the exercise cell that holds ``function``."""
    [index] = [
        i
        for i, cell in enumerate(notebook.cells)
        if cell.cell_type == "code" and cell.source.startswith("# exercise cell ")
        and cell.source.splitlines()[0].endswith(f": {function}")
    ]  # fmt: skip
    return index


def public_signatures(source: str) -> dict[str, str]:
    return {
        node.name: ast.unparse(node.args)
        for node in ast.parse(source).body
        if isinstance(node, ast.FunctionDef) and not node.name.startswith("_")
    }


def as_bytes(notebook) -> bytes:
    return nbformat.writes(notebook).encode("utf-8")


def hand_made(*cells, **metadata):
    return new_notebook(cells=list(cells), metadata=metadata)


# ----------------------------------------------------------------------------- IPython syntax


def test_neutralize_comments_out_magics_shell_and_help_lines_line_for_line():
    source = (
        "import torch\n"
        "%matplotlib inline\n"
        "!pip install numpy\n"
        "files = !ls\n"
        "t = %timeit -o f()\n"
        "sigmoid?\n"
        "??sigmoid\n"
        "def f(x):\n"
        "    y = x\n"
        "    %time g()\n"
        "    return y\n"
        "def g():\n"
        "    !echo hi\n"
        "x = 5 % 3\n"
    )
    out = neutralize(source)
    assert len(out.splitlines()) == len(source.splitlines())
    compile(out, "<cell>", "exec")
    lines = out.splitlines()
    for number in (1, 2, 3, 4, 5, 6):
        assert lines[number].startswith("# "), lines[number]
    assert lines[9] == "    # %time g()"  # inside a block: a comment is enough
    assert lines[12] == "    pass  # !echo hi"  # the block's first line: pass keeps it valid
    assert lines[13] == "x = 5 % 3"


def test_lines_inside_strings_are_never_touched():
    source = 'doc = """\n%not a magic\n!not a shell line\nhelp?\n"""\n%magic_after\n'
    out = neutralize(source).splitlines()
    assert out[1:4] == ["%not a magic", "!not a shell line", "help?"]
    assert out[5] == "# %magic_after"


def test_a_cell_magic_drops_the_whole_cell():
    out = neutralize("\n%%time\ndef f():\n    return 1\n")
    assert "def f" not in out.replace("# def f", "")
    notebook = hand_made(
        new_code_cell("%%timeit\ndef f():\n    return 1"), new_code_cell("def g():\n    return 2")
    )
    code, dropped = exercise_code(notebook)
    namespace: dict = {}
    exec(compile(code, "<nb>", "exec"), namespace)  # the test's own code: safe to run
    assert "g" in namespace and "f" not in namespace
    assert len(dropped) == 1 and "cell 1" in dropped[0] and "%%timeit" in dropped[0]


def test_python_without_ipython_syntax_is_returned_unchanged():
    source = "def f(x):\n    return x % 2  # 100%\n"
    assert neutralize(source) == source


# ----------------------------------------------------------------------------- reading


def test_read_notebook_accepts_a_valid_notebook_and_names_its_exercise():
    notebook = read_notebook(as_bytes(notebook_of("activations")), file_of("activations"))
    assert exercise_of(notebook) == "activations"
    assert exercise_of(hand_made()) is None
    assert exercise_of(hand_made(exercise=3)) is None


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"def f(x):\n    return x\n", "is not valid JSON (line 1, column 1"),
        (b"\xff\xfe{}", "is not UTF-8"),
        (b"[1, 2, 3]", "not a Jupyter notebook"),
        (b'{"cells": []}', "not a Jupyter notebook"),
        (
            json.dumps({"nbformat": 3, "nbformat_minor": 0, "cells": [], "worksheets": []}),
            "format version 3.0; only version 4",
        ),
        (
            json.dumps({"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": "oops"}),
            "is not a valid notebook",
        ),
        (b"[" * 100_000, "nested too deeply"),
    ],
    ids=["python", "binary", "list", "no-version", "v3", "schema", "deep"],
)
def test_a_malformed_notebook_is_a_clear_error(data, message):
    data = data.encode() if isinstance(data, str) else data
    with pytest.raises(NotebookError, match=re.escape(message)) as caught:
        read_notebook(data, "alice.ipynb")
    assert str(caught.value).startswith("alice.ipynb ")


def test_exercise_cells_are_the_tagged_code_cells_or_else_every_code_cell():
    tagged = hand_made(
        new_markdown_cell("# Title"),
        new_code_cell("import torch", metadata={"tags": ["exercise"]}),
        new_code_cell("print('scratch')"),
        new_code_cell("def f():\n    pass", metadata={"tags": ["other", "exercise"]}),
        new_code_cell("run_tests()", metadata={"tags": ["tests"]}),
    )
    assert exercise_cells(tagged) == [(2, "import torch"), (4, "def f():\n    pass")]
    untagged = hand_made(new_markdown_cell("x"), new_code_cell("a = 1"), new_code_cell("b = 2"))
    assert exercise_cells(untagged) == [(2, "a = 1"), (3, "b = 2")]


# ----------------------------------------------------------------------------- generation


@pytest.mark.parametrize("name", NAMES)
def test_the_exercise_cells_are_the_stub_without_its_docstring_one_per_function(name):
    stub = source_of("exercises", name)
    notebook = notebook_of(name)
    cells = [c for c in notebook.cells if "exercise" in c.metadata.get("tags", [])]
    labels = [cell.source.splitlines()[0].rsplit(": ", 1)[1] for cell in cells]
    assert labels == ["imports", *public_signatures(stub)]
    code, dropped = exercise_code(notebook)
    assert dropped == []
    tree = ast.parse(stub)
    tree.body = tree.body[1:]  # the module docstring: the instructions cell holds it
    assert ast.dump(ast.parse(code)) == ast.dump(tree)


def test_a_notebook_has_instructions_exercise_cells_and_a_test_cell_last():
    notebook = notebook_of("losses", lang="zh")
    nbformat.validate(notebook)
    assert notebook.metadata["exercise"] == "losses"
    first = notebook.cells[0]
    assert first.cell_type == "markdown" and first.source.startswith(
        f"# {NAMES.index('losses') + 1}. 损失函数"
    )
    assert "```text\nloss_i = (pred_i - target_i)^2\n```" in first.source
    assert CJK.search(notebook.cells[1].source)
    last = notebook.cells[-1]
    assert last.cell_type == "code" and last.metadata["tags"] == ["tests"]
    assert "run_tests('losses', PROJECT, lang='zh')" in last.source
    assert str(PROJECT) not in last.source  # found from GRADER_PROJECT or the notebook's folder
    english = notebook_of("losses", lang="en")
    assert english.cells[0].source.startswith(
        f"# {NAMES.index('losses') + 1}. Losses"
    ) and not CJK.search(english.cells[0].source + english.cells[1].source)


def test_cells_of_keeps_comments_with_their_function_and_drops_the_docstring():
    source = '"""Doc."""\n\nimport os\n\nX = 1\n\n\n# about f\n@staticmethod\ndef f():\n    pass\n'
    assert cells_of(source) == [
        ("imports", "import os\n\nX = 1"),
        ("f", "# about f\n@staticmethod\ndef f():\n    pass"),
    ]


def test_the_command_writes_one_notebook_per_exercise_and_keeps_existing_work(tmp_path, capsys):
    out = tmp_path / "nb"
    assert main(["notebooks", str(out), "--lang", "zh", "--impl", "solutions"]) == 0
    # outside the project (tmp_path): said, with what their test cells need to find it
    assert "is outside the project: their test cells find it only with GRADER_PROJECT=" in (
        capsys.readouterr().out
    )
    written = sorted(p.name for p in out.iterdir())
    assert written == [f"{i:02d}_{name}.ipynb" for i, name in enumerate(NAMES, start=1)]
    activations = nbformat.read(out / file_of("activations"), as_version=4)
    assert "return x.clamp(min=0)" in exercise_code(activations)[0]
    assert main(["notebooks", str(out), "--lang", "zh", "--impl", "solutions"]) == 0  # same
    assert main(["notebooks", str(out), "--lang", "en"]) == 2  # would overwrite: refused
    assert "--force" in capsys.readouterr().err
    assert nbformat.read(out / file_of("activations"), as_version=4) == activations
    assert write_notebooks(out, "en", force=True)[0].name == file_of(NAMES[0])
    with pytest.raises(ValueError, match="unknown language"):
        write_notebooks(tmp_path / "x", "fr")


# ----------------------------------------------------------------------------- the test cell


def test_the_test_cell_uses_the_latest_run_of_each_exercise_cell():
    inputs = [
        "",
        "# exercise cell 1/2 (model_selection): imports\nimport numpy as np",
        "# exercise cell 2/2 (model_selection): k_fold_split\ndef k_fold_split():\n    return 1",
        "print('scratch')",
        "# exercise cell 1/3 (losses): imports\nimport torch",
        "\n# exercise cell 2/2 (model_selection): k_fold_split\ndef k_fold_split():\n"
        "    %time x = 2\n    return 2",
    ]
    module, missing, total = module_from_inputs("model_selection", inputs)
    assert (missing, total) == ([], 2)
    assert "return 1" not in module and "return 2" in module and "torch" not in module
    assert "    pass  # %time x = 2" in module
    compile(module, "<module>", "exec")
    assert module_from_inputs("losses", inputs)[1:] == ([2, 3], 3)
    assert module_from_inputs("mlp", inputs)[1:] == ([], 0)


def test_the_test_cell_asks_for_the_cells_to_be_run_first(capsys):
    run_tests("losses", PROJECT, "zh", inputs=["# exercise cell 1/3 (losses): imports\n"])
    said = capsys.readouterr().out
    assert "第 2、3 个练习单元格" in said and "共 3 个" in said
    run_tests("mlp", PROJECT, "en", inputs=[])
    assert "none of the cells of mlp has been run" in capsys.readouterr().out


# ----------------------------------------------------------------------------- intake


def write(path: Path, data: bytes | str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data.encode() if isinstance(data, str) else data)
    return path


def solved(name: str) -> bytes:
    return as_bytes(notebook_of(name, "solutions"))


def test_a_folder_of_notebooks_unpacks_into_the_exercise_modules(tmp_path):
    root = tmp_path / "submissions"
    write(root / "alice" / file_of("activations"), solved("activations"))
    write(root / "alice" / "exercises" / "losses.ipynb", solved("losses"))
    write(root / "alice" / "notes.ipynb", as_bytes(hand_made()))
    [alice] = discover(root)
    intake = unpack(alice, tmp_path / "out")
    assert intake.problems == [] and intake.module_problems == {}
    assert sorted(intake.modules) == ["activations", "losses"]
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["activations.py", "losses.py"]
    for name, path in intake.modules.items():
        code = path.read_text(encoding="utf-8")
        assert public_signatures(code) == public_signatures(source_of("solutions", name))
        assert "# BEGIN SOLUTION" in code  # the reference's own cells, copied as they are
    assert any("notes.ipynb" in note for note in intake.notes)  # not an exercise's notebook


def test_a_zip_of_notebooks_unpacks_like_a_folder(tmp_path):
    path = tmp_path / "submissions" / "bob.zip"
    path.parent.mkdir()
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr(f"bob/exercises/{file_of('model_selection')}", solved("model_selection"))
        archive.writestr(f"bob/{file_of('optimizers')}", solved("optimizers"))
    intake = unpack(Submission("bob", path, "zip"), tmp_path / "out")
    assert intake.problems == [] and intake.module_problems == {}
    assert sorted(intake.modules) == ["model_selection", "optimizers"]


def test_a_single_notebook_is_a_submission_of_the_exercise_its_metadata_names(tmp_path):
    root = tmp_path / "submissions"
    write(root / "carol.ipynb", solved("initializers"))
    write(root / "dave.IPYNB", as_bytes(hand_made(new_code_cell("x = 1"))))
    found = discover(root)
    assert [(s.student, s.kind) for s in found] == [("carol", "notebook"), ("dave", "notebook")]
    carol = unpack(found[0], tmp_path / "carol")
    assert list(carol.modules) == ["initializers"] and carol.problems == []
    dave = unpack(found[1], tmp_path / "dave")
    assert dave.modules == {} and "metadata must say which exercise" in dave.problems[0]


def test_a_notebook_of_another_exercise_is_reported_not_graded(tmp_path):
    intake = unpack(
        Submission("erin", write(tmp_path / "s" / "erin" / "losses.ipynb", solved("mlp")).parent,
                   "directory"),
        tmp_path / "out",
    )  # fmt: skip
    assert intake.modules == {}
    assert "is the notebook of the exercise 'mlp'" in intake.module_problems["losses"][0]


def test_a_py_file_wins_over_a_notebook_of_the_same_exercise_with_a_note(tmp_path):
    folder = tmp_path / "s" / "frank"
    write(folder / "activations.py", source_of("solutions", "activations"))
    write(folder / file_of("activations"), as_bytes(notebook_of("activations")))
    intake = unpack(Submission("frank", folder, "directory"), tmp_path / "out")
    assert intake.modules["activations"].read_text() == source_of("solutions", "activations")
    assert any("activations.py was graded and the notebook ignored" in n for n in intake.notes)


def test_two_notebooks_of_one_exercise_are_both_refused(tmp_path):
    folder = tmp_path / "s" / "gina"
    write(folder / "activations.ipynb", solved("activations"))
    write(folder / file_of("activations"), solved("activations"))
    write(folder / file_of("losses"), solved("losses"))
    intake = unpack(Submission("gina", folder, "directory"), tmp_path / "out")
    assert list(intake.modules) == ["losses"]
    assert "are both notebooks of activations" in intake.module_problems["activations"][0]


def test_problems_of_a_notebook_are_that_exercise_s_only(tmp_path):
    folder = tmp_path / "s" / "hal"
    write(folder / file_of("activations"), b'{"cells": [')  # truncated
    broken = notebook_of("losses", "solutions")
    broken.cells[cell_of(broken, "_reduce")].source += "\n    return (("
    write(folder / file_of("losses"), as_bytes(broken))
    magic = notebook_of("optimizers", "solutions")
    timed = cell_of(magic, "sgd_step")  # a function of the stub: its cell left out
    magic.cells[timed].source = "%%time\n" + magic.cells[timed].source
    write(folder / file_of("optimizers"), as_bytes(magic))
    write(folder / file_of("model_selection"), solved("model_selection"))
    intake = unpack(Submission("hal", folder, "directory"), tmp_path / "out")
    problems = intake.module_problems
    assert f"{file_of('activations')} is not valid JSON" in problems["activations"][0]
    assert "SyntaxError" in problems["losses"][0]
    assert "run its exercise cells" in problems["losses"][0]
    assert any("cell magic %%time" in p for p in problems["optimizers"])
    assert any("defines no function" in p for p in problems["optimizers"])
    assert sorted(intake.modules) == ["model_selection", "optimizers"]
    assert intake.problems == []


def test_a_notebook_over_its_size_limit_is_not_read(tmp_path):
    folder = tmp_path / "s" / "ivy"
    write(folder / file_of("activations"), solved("activations"))
    intake = unpack(
        Submission("ivy", folder, "directory"), tmp_path / "out", limits=Limits(notebook_bytes=1000)
    )
    assert intake.modules == {}
    assert "Clear its outputs" in intake.module_problems["activations"][0]


# ----------------------------------------------------------------------------- end to end


@pytest.fixture
def kernel(tmp_path, monkeypatch) -> str:
    """A kernelspec for this very interpreter, in a folder of its own (nothing installed for
    the user; works from a fresh `pip install -e .[test]`)."""
    spec = tmp_path / "jupyter" / "kernels" / "grader-test"
    spec.mkdir(parents=True)
    argv = [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"]
    kernel_json = {"argv": argv, "display_name": "grader test", "language": "python"}
    (spec / "kernel.json").write_text(json.dumps(kernel_json))
    monkeypatch.setenv("JUPYTER_PATH", str(tmp_path / "jupyter"))
    monkeypatch.setenv("IPYTHONDIR", str(tmp_path / "ipython"))
    # The notebooks are run from tmp_path, outside the project, and carry no path to it: the
    # variable a student outside the project sets finds it.
    monkeypatch.setenv("GRADER_PROJECT", str(PROJECT))
    return "grader-test"


def execute(path: Path, kernel: str, *, save: bool = False) -> tuple[str, list[str]]:
    """Run every cell of the notebook at ``path``; (the test cell's text, error outputs).
    With ``save``, the executed notebook (outputs included) is written back to ``path``, as a
    student's Ctrl+S would."""
    from nbclient import NotebookClient

    notebook = nbformat.read(path, as_version=4)
    where = {"metadata": {"path": str(path.parent)}}  # the kernel's working folder
    client = NotebookClient(notebook, kernel_name=kernel, timeout=300, resources=where)
    client.execute()
    if save:
        nbformat.write(notebook, path)
    errors = [
        f"{output.ename}: {output.evalue}"
        for cell in notebook.cells
        for output in cell.get("outputs", [])
        if output.output_type == "error"
    ]
    text = "".join(output.get("text", "") for output in notebook.cells[-1].outputs)
    return re.sub(r"\x1b\[[0-9;]*m", "", text), errors


@pytest.mark.slow
def test_generated_notebooks_run_their_tests_in_a_kernel(tmp_path, kernel):
    """The reference filled in: every test passes; the stubs: every test not attempted."""
    name = "model_selection"  # the quickest tests
    number = NAMES.index(name) + 1
    for impl in ("solutions", "exercises"):
        out = tmp_path / impl
        write_notebooks(out, "en", impl)
        text, errors = execute(out / f"{number:02d}_{name}.ipynb", kernel)
        assert errors == [], errors
        assert "exercise summary" in text, text
        # passed/graded, failed, waiting, not attempted
        columns = r"(\d+)/(\d+)\s+(\d+)\s+(\d+)\s+(\d+)"
        row = re.search(rf"^\s*{number}\s+{name}\s+{columns}", text, re.M)
        assert row, text
        passed, graded, failed, waiting, not_attempted = map(int, row.groups())
        assert graded > 10 and failed == waiting == 0, text
        if impl == "solutions":
            assert (passed, not_attempted) == (graded, 0), text
        else:
            assert (passed, not_attempted) == (0, graded), text


@pytest.mark.slow
def test_a_notebook_run_and_saved_by_a_student_is_graded(tmp_path, kernel):
    """Issue 5 end to end: the command writes the notebooks, a student runs one in a kernel and
    saves it (outputs and all), and hands it in beside an untouched stub notebook of another
    exercise; `python -m grader grade` gives the first full points, the stub nothing (not
    attempted), and writes the student's feedback."""
    solved, stub = "model_selection", "regularization"  # the quickest tests to run and grade
    notebooks = {impl: tmp_path / "notebooks" / impl for impl in ("solutions", "exercises")}
    for impl, out in notebooks.items():
        assert main(["notebooks", str(out), "--lang", "en", "--impl", impl]) == 0
    mine = notebooks["solutions"] / f"{NAMES.index(solved) + 1:02d}_{solved}.ipynb"
    text, errors = execute(mine, kernel, save=True)  # the one kernel run of this test
    assert errors == [] and "exercise summary" in text, errors or text
    saved = nbformat.read(mine, as_version=4)
    assert saved.cells[-1].outputs, "the executed notebook was saved without its outputs"

    student = tmp_path / "submissions" / "alice"
    student.mkdir(parents=True)
    (student / mine.name).write_bytes(mine.read_bytes())
    untouched = f"{NAMES.index(stub) + 1:02d}_{stub}.ipynb"
    (student / untouched).write_bytes((notebooks["exercises"] / untouched).read_bytes())
    graded = tmp_path / "graded"
    finished = grade(student.parent, graded, "--timeout", "60")
    said = finished.stdout[-3000:] + finished.stderr[-3000:]
    assert finished.returncode == 0, said

    points = {exercise.name: exercise.points for exercise in EXERCISES}
    with (graded / "gradebook.csv").open(encoding="utf-8", newline="") as handle:
        (row,) = csv.DictReader(handle)
    assert row["student"] == "alice" and row["status"] == "graded", row
    assert float(row[solved]) == points[solved] == 10, row
    assert float(row[stub]) == 0, row
    assert float(row["total"]) == points[solved], row
    result = load_submission(graded / "alice" / "grade.json")
    mark = result.exercise(solved)
    assert mark.full_marks and mark.passed == mark.graded > 10, mark
    untouched_result = result.exercise(stub)
    assert untouched_result.points == 0 and not untouched_result.attempted, untouched_result
    assert re.search(r"^alice\s.*\b0n\b", finished.stdout, re.M), said  # the table's mark
    feedback = (graded / "alice" / "feedback.md").read_text(encoding="utf-8")
    assert "not attempted" in feedback.lower(), feedback[:2000]
