"""Jupyter notebooks of the exercises: ``python -m grader notebooks [OUT] [--lang] [--impl]``.

One notebook per exercise, in teaching order, named ``01_activations.ipynb``, ... Each holds:

1. the instructions (formulas included) in the chosen language (``--lang``, default
   ``GRADER_LANG``, see :mod:`grader.core.instructions`), and how to work in the notebook;
2. the exercise cells, tagged ``exercise``: the code of ``exercises/<name>.py`` (or, with
   ``--impl solutions``, of the reference), without its module docstring, one cell for the
   imports and one per function. The first line of each, ``# exercise cell 2/7 (activations):
   sigmoid``, lets the test cell find it;
3. a test cell, tagged ``tests``, that runs the exercise's tests on the exercise cells *as last
   run in the kernel* (saved or not), with pytest and the project's plugin: the same messages
   and summary table as ``python -m grader check``. It takes each exercise cell's latest run
   from IPython's input history, comments out IPython syntax as the grader does
   (:mod:`grader.core.ipynb`), writes the module to a scratch folder and runs
   ``pytest -m <exercise> --impl=<scratch folder>`` in a subprocess (a crash or an endless loop
   of the student's code never takes the kernel with it; interrupting the kernel stops it).

Where the project is (the tests, the ``grader`` package): the test cell looks at the environment
variable ``GRADER_PROJECT``, then at the notebook's working folder and its parents, so a
notebook kept inside the project (OUT defaults to ``<project>/notebooks/``, which git ignores in
the instructor's project) finds it wherever the project is. No path is written into the
notebook: the notebooks an instructor hands out do not carry the instructor's folders.

The notebook's metadata names its exercise (``metadata.exercise``), which the grader's intake
reads when a single notebook is submitted (:mod:`grader.grading.intake`). The grader tests the
*saved* notebook's exercise cells: save before handing it in.

Existing notebooks in OUT are never overwritten unless ``--force`` (they may hold a student's
work).
"""

from __future__ import annotations

import argparse
import ast
import itertools
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from grader.check.implementation import resolve_impl
from grader.core import instructions
from grader.core.exits import OK, error
from grader.core.ipynb import EXERCISE_TAG, METADATA_KEY, neutralize
from grader.core.manifest import Exercise, load_manifest
from grader.core.options import add_impl_option
from grader.core.paths import NOTEBOOKS_DIR, PROJECT_ROOT

__all__ = [
    "TESTS_TAG",
    "add_arguments",
    "build",
    "cells_of",
    "module_from_inputs",
    "notebook_name",
    "run",
    "run_tests",
    "write_notebooks",
]

TESTS_TAG = "tests"
INSTRUCTIONS_TAG = "instructions"
MARKER = re.compile(r"^#\s*exercise cell (\d+)/(\d+) \((\w+)\)")

# What the notebook itself says, beside the instructions, in each language.
TEXT = {
    "how_to": {
        "en": (
            "**How to work in this notebook.** Write your code in the exercise cells below: "
            "replace each `raise NotImplementedError(...)` line with your code, and run the "
            "cell. Keep the first line of each exercise cell (`# exercise cell ...`): the test "
            "cell finds the cells by it. The last cell runs this exercise's tests on the "
            "exercise cells as you last ran them, and prints the same messages and table as "
            "`python -m grader check`. Experiment in new cells of your own: only the exercise "
            "cells are tested and graded, so a helper function you need belongs in an exercise "
            "cell. Save the notebook (Ctrl+S) before you hand it in: the grader reads the "
            "saved file."
        ),
        "zh": (
            "**如何使用本笔记本。** 在下面的练习单元格中编写代码：把每一行 "
            "`raise NotImplementedError(...)` 换成你的代码，然后运行该单元格。请保留每个练习"
            "单元格的第一行（`# exercise cell ...`）：测试单元格靠它找到这些单元格。最后一个"
            "单元格会对你最近一次运行的练习单元格执行本练习的测试，并打印与 "
            "`python -m grader check` 相同的提示信息和汇总表。做实验请另建新的单元格：只有练习"
            "单元格会被测试和评分，所以你需要的辅助函数也要写在练习单元格里。提交之前请保存笔记"
            "本（Ctrl+S）：评分程序读取的是保存后的文件。"
        ),
    },
    "tests_heading": {"en": "## Test your work", "zh": "## 测试你的代码"},
    "no_project": {
        "en": (
            "The project (the folder with manifest.toml, grader/ and tests/) was not found: set "
            "the environment variable GRADER_PROJECT to it, or keep this notebook inside it."
        ),
        "zh": (
            "找不到项目文件夹（包含 manifest.toml、grader/ 和 tests/ 的文件夹）：请把环境变量 "
            "GRADER_PROJECT 设为该文件夹，或者把本笔记本放在该文件夹之内。"
        ),
    },
    "not_run": {
        "en": (
            "Run the exercise cells first: {cells} of {total} not run in this kernel yet "
            "(Run > Run All Cells runs them all). Each exercise cell starts with the line "
            "`# exercise cell N/{total} ({exercise})`: keep that line."
        ),
        "zh": (
            "请先运行练习单元格：本内核中还没有运行过 {cells}（共 {total} 个）（菜单 Run > Run "
            "All Cells 可以全部运行）。每个练习单元格的第一行是 "
            "`# exercise cell N/{total} ({exercise})`，请保留这一行。"
        ),
    },
    "cells": {"en": "cell {numbers}", "zh": "第 {numbers} 个练习单元格"},
    "none_run": {
        "en": (
            "Run the exercise cells first: none of the cells of {exercise} has been run in this "
            "kernel yet (Run > Run All Cells runs them all). Each exercise cell starts with a "
            "line `# exercise cell N/... ({exercise})`: keep that line."
        ),
        "zh": (
            "请先运行练习单元格：本内核中还没有运行过 {exercise} 的任何练习单元格（菜单 Run > "
            "Run All Cells 可以全部运行）。每个练习单元格的第一行是 "
            "`# exercise cell N/... ({exercise})`，请保留这一行。"
        ),
    },
    "testing": {
        "en": "Testing exercise cells 1-{total} of {exercise} as you last ran them:",
        "zh": "正在测试你最近一次运行的 {exercise} 练习单元格 1-{total}：",
    },
}


def notebook_name(number: int, exercise: str) -> str:
    """``01_activations.ipynb`` for the first exercise."""
    return f"{number:02d}_{exercise}.ipynb"


def cells_of(source: str, filename: str = "<module>") -> list[tuple[str, str]]:
    """A module's code as (label, code) cells: the code before the first function (imports,
    constants; label ``imports``), then one cell per top-level function or class (its name).
    The module docstring is left out (the instructions stand in for it). Comment lines right
    above a definition go with it."""
    tree = ast.parse(source, filename=filename)
    lines = source.splitlines()
    body = tree.body
    start = 0
    if (
        body
        and isinstance(body[0], ast.Expr)
        and isinstance(body[0].value, ast.Constant)
        and isinstance(body[0].value.value, str)
    ):
        start = body[0].end_lineno or 0
        body = body[1:]
    cuts: list[tuple[int, str]] = []
    for node in body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            first = min([node.lineno, *(d.lineno for d in node.decorator_list)]) - 1
            while first - 1 >= start and lines[first - 1].lstrip().startswith("#"):
                first -= 1
            cuts.append((first, node.name))
    cells: list[tuple[str, str]] = []
    bounds = [(start, "imports"), *cuts, (len(lines), "")]
    for (begin, label), (end, _) in itertools.pairwise(bounds):
        code = "\n".join(lines[begin:end]).strip("\n")
        if code.strip():
            cells.append((label, code))
    return cells


def _marker(index: int, total: int, exercise: str, label: str) -> str:
    return f"# exercise cell {index}/{total} ({exercise}): {label}"


def _test_cell(exercise: str, lang: str) -> str:
    message = TEXT["no_project"][lang]
    return f"""# Runs the tests of {exercise} on the exercise cells above, as you last ran them.
import os
import pathlib
import sys

PROJECT = os.environ.get("GRADER_PROJECT") or next(
    (
        str(folder)
        for folder in (pathlib.Path.cwd(), *pathlib.Path.cwd().parents)
        if (folder / "manifest.toml").is_file() and (folder / "grader").is_dir()
    ),
    None,
)
if PROJECT is None:
    raise RuntimeError({message!r})
if PROJECT not in sys.path:
    sys.path.insert(0, PROJECT)
from grader.notebooks import run_tests

run_tests({exercise!r}, PROJECT, lang={lang!r})"""


def build(
    exercise: Exercise,
    number: int,
    source: str,
    lang: str,
) -> Any:
    """The notebook (an ``nbformat.NotebookNode``) of one exercise whose code is ``source``."""
    import nbformat
    from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

    name = exercise.name
    guide = instructions.text(name, lang)
    guide = re.sub(r"^# ", f"# {number}. ", guide, count=1)
    code = cells_of(source, f"{name}.py")
    cells = [
        new_markdown_cell(guide, id=f"{name}-instructions", metadata={"tags": [INSTRUCTIONS_TAG]}),
        new_markdown_cell(
            TEXT["how_to"][lang], id=f"{name}-how-to", metadata={"tags": [INSTRUCTIONS_TAG]}
        ),
    ]
    for index, (label, body) in enumerate(code, start=1):
        cells.append(
            new_code_cell(
                f"{_marker(index, len(code), name, label)}\n{body}",
                id=f"{name}-exercise-{index}",
                metadata={"tags": [EXERCISE_TAG]},
            )
        )
    cells += [
        new_markdown_cell(
            TEXT["tests_heading"][lang], id=f"{name}-tests-heading", metadata={"tags": [TESTS_TAG]}
        ),
        new_code_cell(_test_cell(name, lang), id=f"{name}-tests", metadata={"tags": [TESTS_TAG]}),
    ]
    notebook = new_notebook(
        cells=cells,
        metadata={
            "kernelspec": {
                "name": "python3",
                "display_name": "Python 3 (ipykernel)",
                "language": "python",
            },
            "language_info": {"name": "python"},
            METADATA_KEY: name,
            "exercise_language": lang,
        },
    )
    nbformat.validate(notebook)
    return notebook


def write_notebooks(
    out: Path = NOTEBOOKS_DIR,
    lang: str | None = None,
    impl: str = "exercises",
    *,
    force: bool = False,
) -> list[Path]:
    """Write one notebook per exercise of the manifest into ``out``; returns their paths.
    A notebook already there with other content is a FileExistsError unless ``force``."""
    import nbformat

    lang = lang or instructions.language()
    if lang not in instructions.LANGUAGES:
        raise ValueError(f"unknown language {lang!r}: expected one of en, zh")
    source_dir = resolve_impl(impl)  # a ValueError that says what --impl takes
    planned: list[tuple[Path, str]] = []
    for number, exercise in enumerate(load_manifest(), start=1):
        module = source_dir / f"{exercise.name}.py"
        if not module.is_file():
            raise ValueError(f"{module} does not exist: cannot write the {exercise.name} notebook")
        notebook = build(exercise, number, module.read_text(encoding="utf-8"), lang)
        planned.append((out / notebook_name(number, exercise.name), nbformat.writes(notebook)))
    clashes = [
        path.name
        for path, text in planned
        if path.exists() and path.read_text(encoding="utf-8") != text + "\n"
    ]
    if clashes and not force:
        raise FileExistsError(
            f"{out} already holds {', '.join(clashes)} with other content (maybe someone's "
            "work): choose another folder, or pass --force to overwrite them"
        )
    out.mkdir(parents=True, exist_ok=True)
    for path, text in planned:
        path.write_text(text + "\n", encoding="utf-8")
    return [path for path, _ in planned]


# ----------------------------------------------------------------------------- the test cell


def module_from_inputs(exercise: str, inputs: Sequence[str]) -> tuple[str, list[int], int]:
    """The module made of the latest run of each exercise cell of ``exercise`` among
    ``inputs`` (IPython's raw input history, oldest first): (source, the numbers of the cells
    never run, the number of exercise cells; 0 when none was run)."""
    latest: dict[int, str] = {}
    total = 0
    for source in inputs:
        first = next((line for line in source.splitlines() if line.strip()), "")
        found = MARKER.match(first.strip())
        if found and found.group(3) == exercise:
            latest[int(found.group(1))] = source
            total = int(found.group(2))
    missing = [index for index in range(1, total + 1) if index not in latest]
    module = "\n\n".join(
        neutralize(latest[index]).rstrip() + "\n" for index in sorted(latest) if index <= total
    )
    return module, missing, total


def _kernel_inputs() -> list[str]:
    try:
        from IPython import get_ipython
    except ImportError:
        get_ipython = None
    shell = get_ipython() if get_ipython else None
    if shell is None:
        raise RuntimeError("run_tests() runs in a Jupyter notebook's test cell")
    return list(shell.history_manager.input_hist_raw)


def run_tests(
    exercise: str,
    project: str | os.PathLike[str] | None = None,
    lang: str = "en",
    inputs: Sequence[str] | None = None,
) -> None:
    """Run the tests of ``exercise`` on its exercise cells as last run in this kernel (or on
    ``inputs``), printing pytest's report and the summary table as they come."""
    lang = lang if lang in instructions.LANGUAGES else "en"
    root = Path(project) if project is not None else PROJECT_ROOT
    module, missing, total = module_from_inputs(
        exercise, _kernel_inputs() if inputs is None else inputs
    )
    if not total:
        print(TEXT["none_run"][lang].format(exercise=exercise))
        return
    if missing:
        numbers = ("、" if lang == "zh" else ", ").join(map(str, missing))
        cells = TEXT["cells"][lang].format(numbers=numbers)
        print(TEXT["not_run"][lang].format(cells=cells, total=total, exercise=exercise))
        return
    manifest = load_manifest(root / "manifest.toml")
    tests = [str(root / test) for e in manifest if e.name == exercise for test in e.tests]
    scratch = Path(tempfile.mkdtemp(prefix=f"notebook-{exercise}-"))
    try:
        (scratch / f"{exercise}.py").write_text(module, encoding="utf-8")
        print(TEXT["testing"][lang].format(total=total, exercise=exercise), flush=True)
        command = [
            sys.executable, "-m", "pytest", "--rootdir", str(root), "-c",
            str(root / "pyproject.toml"), f"--impl={scratch}", "-m", exercise, "-q",
            "-p", "no:cacheprovider", "--tb=short", "-rfE", "--no-header", "--color=yes",
            *tests,
        ]  # fmt: skip
        environment = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
        with subprocess.Popen(
            command, cwd=root, env=environment, stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT, text=True, encoding="utf-8", errors="replace",
        ) as process:  # fmt: skip
            try:
                assert process.stdout is not None
                for line in process.stdout:
                    print(line, end="", flush=True)
            finally:
                if process.poll() is None:  # interrupted: stop the tests too
                    process.kill()
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


# ----------------------------------------------------------------------------- command line


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "out",
        type=Path,
        nargs="?",
        default=NOTEBOOKS_DIR,
        help="folder to write the notebooks into; keep them inside the project, or set "
        "GRADER_PROJECT, so that their test cells find it",
    )
    parser.add_argument(
        "--lang",
        choices=instructions.LANGUAGES,
        default=None,
        help="language of the instructions (default: GRADER_LANG, else en)",
    )
    add_impl_option(parser)
    parser.add_argument("--force", action="store_true", help="overwrite notebooks already in OUT")


def run(args: argparse.Namespace) -> int:
    try:
        written = write_notebooks(args.out, args.lang, args.impl, force=args.force)
    except (ValueError, FileExistsError) as problem:
        return error(str(problem))
    print(f"wrote {len(written)} notebooks to {args.out}: {', '.join(p.name for p in written)}")
    if not Path(args.out).resolve().is_relative_to(PROJECT_ROOT.resolve()):
        print(f"note: {args.out} is outside the project: their test cells find it only with "
              f"GRADER_PROJECT={PROJECT_ROOT.resolve()} set where Jupyter runs")  # fmt: skip
    return OK
