"""One command-line convention: every command is a module with ``add_arguments`` and ``run``;
the options several commands take are defined once (one help text, one default); every error
is one line ``grader: ...`` on stderr with an exit status of :mod:`grader.core.exits`; and
``autograde`` grades through the grading API, not through another ``python -m grader grade``.
"""

from __future__ import annotations

import argparse
import ast
import importlib
import shutil
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

import pytest

from grader.__main__ import COMMANDS, build_parser, main
from grader.core import exits
from grader.core.devices import GRADED_DEVICES
from grader.core.options import GRADED_DEVICE_HELP
from grader.core.paths import EXERCISES_DIR, PROJECT_ROOT
from grader.grading import autograde
from grader.grading.amend import AmendOptions
from grader.grading.grade import Refused

PACKAGE = PROJECT_ROOT / "grader"
SHARED = ("--impl", "--device", "--tests", "--jobs", "--timeout", "--isolation",
          "--hidden-visibility")  # fmt: skip


def present(name: str) -> bool:
    """The command's module is in this copy (a release has no grader/authoring)."""
    return (PACKAGE / f"{COMMANDS[name][0].replace('.', '/')}.py").is_file()


def command_parser(name: str) -> argparse.ArgumentParser:
    parser = build_parser(name)
    commands = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return commands.choices[name]


@pytest.mark.parametrize("name", COMMANDS)
def test_every_command_is_a_module_with_add_arguments_and_run(name):
    if not present(name):
        pytest.skip(f"{name}: its module is absent from this distribution")
    module = importlib.import_module(f"grader.{COMMANDS[name][0]}")
    assert callable(module.add_arguments) and callable(module.run), name
    assert command_parser(name).get_default("run") is module.run, "the dispatcher runs it as is"


def test_the_dispatcher_defines_no_command_of_its_own():
    tree = ast.parse((PACKAGE / "__main__.py").read_text(encoding="utf-8"))
    functions = {node.name for node in tree.body if isinstance(node, ast.FunctionDef)}
    assert functions == {"build_parser", "main"}


def test_each_shared_option_has_one_help_text_and_one_default():
    """``--device`` has two meanings, each with its own help: the tests that count (a choice of
    GRADED_DEVICES) and where a job computes (train, bench); every other shared option has
    one help text and one default wherever it is taken."""
    seen: dict[tuple[str, bool], set[tuple[str, str]]] = defaultdict(set)
    takers: dict[str, list[str]] = defaultdict(list)
    for name in filter(present, COMMANDS):
        for action in command_parser(name)._actions:
            option = next((o for o in action.option_strings if o in SHARED), None)
            if option is None:
                continue
            graded = option == "--device" and action.choices is not None
            default = str(action.default) if option != "--device" or graded else "this machine's"
            seen[option, graded].add((action.help or "", default))
            takers[option].append(name)
            if graded:
                assert tuple(action.choices) == GRADED_DEVICES and action.help == GRADED_DEVICE_HELP
    assert {option for option, _ in seen} == set(SHARED), "a shared option is no longer shared"
    for (option, _), variants in seen.items():
        assert len(variants) == 1, f"{option} ({takers[option]}): {sorted(variants)}"
    assert set(takers["--tests"]) >= {"grade", "autograde"}
    assert set(takers["--hidden-visibility"]) >= {"grade", "autograde"}


def test_pytest_s_device_option_says_what_grader_check_s_says():
    shown = subprocess.run(
        [sys.executable, "-m", "pytest", "--help", "-p", "no:cacheprovider"],
        cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=120,
    ).stdout  # fmt: skip
    assert " ".join(GRADED_DEVICE_HELP.split()) in " ".join(shown.split())
    assert "--device={cpu,cuda}" in shown


def test_tests_is_one_folder_per_option_repeated_for_more(tmp_path):
    for name in ("grade", "autograde"):
        parser = command_parser(name)
        base = [str(tmp_path), "--out", "x"] if name == "grade" else []
        args = parser.parse_args([*base, "--tests", "a", "--tests", "b"])
        assert args.tests == [Path("a"), Path("b")]
        assert parser.parse_args(base).tests == []  # the default list is not shared
    args = command_parser("grade").parse_args(["--tests", "hidden", str(tmp_path), "--out", "x"])
    assert args.tests == [Path("hidden")] and args.submissions == tmp_path  # never swallowed


# Each command, called wrongly: the one line it answers with, after argparse's usage where the
# parser refused. Every command with a way to fail is here (the test below checks it).
WRONG = {
    "check": (["check", "--impl", "no/such/folder"], "--impl='no/such/folder'"),
    "grade": (["grade", "no/such/folder", "--out", "x"], "SUBMISSIONS no/such/folder is not"),
    "merge": (["merge", "no/such/folder", "--out", "x"], "merge: "),
    "autograde": (["autograde", "--root", "no/such/folder"], "--root no/such/folder is not"),
    "similarity": (["similarity", "no/such/folder", "--out", "x"], "no/such/folder is not"),
    "export": (
        ["export", "no/such/folder", "--roster", "r.csv", "--lms", "canvas"],
        "OUT no/such/folder is not a directory",
    ),
    "notebooks": (["notebooks", "x", "--impl", "no/such/folder"], "--impl='no/such/folder'"),
    "train": (["train", "--device", "gpu"], "cannot train: --device gpu: not a device"),
    "bench": (["bench", "--sizes", "5"], "cannot bench: --sizes needs at least two widths"),
    "release": (["release", "a-file", "--force"], "exists and is not a folder"),
    "gradescope": (["gradescope", "out.txt"], "must be a .zip file"),
    "throughput": (["throughput", "--jobs", "0"], "argument --jobs: must be a positive"),
    "stubs": (["stubs", "--no-such-option"], "unrecognized arguments: --no-such-option"),
}


def test_every_command_has_a_wrong_call_below():
    assert set(WRONG) == set(COMMANDS)


@pytest.mark.parametrize("name", WRONG)
def test_every_error_is_one_line_with_the_prefix_and_a_code_of_the_table(
    name, capsys, monkeypatch, tmp_path
):
    if not present(name):
        pytest.skip(f"{name}: its module is absent from this distribution")
    argv, words = WRONG[name]
    monkeypatch.chdir(tmp_path)  # what a command would write, it writes here
    (tmp_path / "a-file").write_text("", encoding="utf-8")
    try:
        code = main(argv)
    except SystemExit as exited:  # argparse's refusal
        code = exited.code
    said = capsys.readouterr()
    assert code == exits.USAGE, (code, said.err)
    *usage, line = said.err.splitlines()
    assert line.startswith(exits.PREFIX) and words in line, said.err
    assert all(earlier.startswith(("usage:", " ")) for earlier in usage), said.err
    assert said.out == "" and "Traceback" not in said.err


def test_no_command_line_at_all_is_a_usage_error(capsys):
    with pytest.raises(SystemExit) as exited:
        main(["no-such-command"])
    assert exited.value.code == exits.USAGE
    assert capsys.readouterr().err.splitlines()[-1].startswith("grader: argument COMMAND")


def test_only_exits_prints_an_error_and_a_command_returns_codes_of_the_table():
    """No module of grader writes to stderr or exits by itself but grader.core.exits (and
    argparse's usage line, and the dispatcher's ``sys.exit(main())``); no command's ``run``
    returns a bare number."""
    wrong = []
    for path in sorted(PACKAGE.rglob("*.py")):
        if path == PACKAGE / "core" / "exits.py" or "handout" in path.parts:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        where = path.relative_to(PROJECT_ROOT)
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            call = ast.unparse(node)
            if call.startswith("print(") and "stderr" in call:
                wrong.append(f"{where}:{node.lineno}: {call}")
            if call.startswith("sys.exit(") and call != "sys.exit(main())":
                wrong.append(f"{where}:{node.lineno}: {call}")
    for name in filter(present, COMMANDS):
        path = PACKAGE / f"{COMMANDS[name][0].replace('.', '/')}.py"
        tree = ast.parse(path.read_text(encoding="utf-8"))
        (run,) = [n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name == "run"]
        for node in ast.walk(run):
            if isinstance(node, ast.Return) and isinstance(node.value, ast.Constant):
                wrong.append(f"{name}: return {node.value.value!r} (a name of grader.core.exits)")
    assert not wrong, "\n".join(wrong)


def test_the_exit_codes_are_the_table():
    assert (exits.OK, exits.FAILED, exits.USAGE, exits.INTERRUPTED) == (0, 1, 2, 130)
    assert exits.SANDBOX_FAILED == 70 and exits.PREFIX == "grader: "


# ----------------------------------------------------------------------------- autograde


def test_autograde_grades_in_this_process_through_the_grading_api():
    source = (PACKAGE / "grading" / "autograde.py").read_text(encoding="utf-8")
    imported = {
        alias.name.split(".")[0]
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.Import)
        for alias in node.names
    }
    assert "subprocess" not in imported and "grade_folder(" in source


@pytest.fixture
def one_student(tmp_path) -> Path:
    root = tmp_path / "repository"
    shutil.copytree(EXERCISES_DIR, root / "exercises", ignore=shutil.ignore_patterns("__py*"))
    return root


def test_autograde_hands_grade_folder_typed_arguments(one_student, tmp_path, monkeypatch):
    calls: list[tuple[list[str], Path, dict]] = []

    def grade_folder(submissions: Path, graded: Path, **options):
        calls.append((sorted(path.name for path in submissions.iterdir()), graded, options))
        raise Refused("this host cannot give it")

    monkeypatch.setattr(autograde, "grade_folder", grade_folder)
    (tmp_path / "hidden").mkdir()
    monkeypatch.chdir(tmp_path)
    argv = ["autograde", "--root", str(one_student), "--student", "ada", "--tests", "hidden",
            "--timeout", "7", "--isolation", "process",
            "--hidden-visibility", "after_published"]  # fmt: skip
    assert main(argv) == exits.USAGE
    ((students, graded, options),) = calls
    assert students == ["ada"] and graded.name == "graded"
    assert options == {"jobs": 1, "isolation": "process", "timeout": 7.0, "device": "cpu",
                       "hidden": [(tmp_path / "hidden").resolve()],
                       "hidden_visibility": "after_published",
                       "amendments": AmendOptions()}  # fmt: skip


@pytest.mark.parametrize(
    ("raised", "code", "words"),
    [
        (Refused("--isolation uid: this host cannot give it"), exits.USAGE, "--isolation uid"),
        (KeyboardInterrupt(), exits.INTERRUPTED, "interrupted"),
        (None, exits.FAILED, "grading did not complete"),  # no result was stored
    ],
)
def test_autograde_says_why_it_did_not_grade(raised, code, words, one_student, monkeypatch,
                                             capsys, tmp_path):  # fmt: skip
    def grade_folder(*args, **kwargs):
        if raised is not None:
            raise raised

    monkeypatch.setattr(autograde, "grade_folder", grade_folder)
    out = tmp_path / "out"
    assert main(["autograde", "--root", str(one_student), "--out", str(out)]) == code
    error = capsys.readouterr().err
    assert error.startswith("grader: ") and words in error and error.count("\n") == 1, error
    assert not out.exists()


def test_autograde_grades_the_untouched_stubs_in_this_process(one_student, tmp_path, capsys):
    """A real run, quick since an untouched stub is never run: every exercise not attempted,
    the student's three files written, the table printed (process level: any host)."""
    out, summary = tmp_path / "out", tmp_path / "summary.md"
    argv = ["autograde", "--root", str(one_student), "--out", str(out), "--summary", str(summary),
            "--student", "ada", "--isolation", "process"]  # fmt: skip
    assert main(argv) == exits.OK, capsys.readouterr().err[-3000:]
    assert sorted(path.name for path in out.iterdir()) == [
        "feedback.md", "junit.xml", "results.json",
    ]  # fmt: skip
    assert summary.read_text(encoding="utf-8").startswith("## Autograde: 0 / ")
    said = capsys.readouterr().out
    assert "not attempted" in said and f"results: {out / 'results.json'}" in said
