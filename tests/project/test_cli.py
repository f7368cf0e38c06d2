"""`python -m grader`: every command explains itself, and a wrong choice is one clear line.

The help of each command shows its defaults; a bad number names its option; a device this
machine lacks, or an implementation not written yet, ends a job with a sentence instead of a
traceback; and what the commands generate lands in folders git ignores, without the
instructor's paths inside.
"""

from __future__ import annotations

import argparse
import io
import json
import re
import subprocess

import pytest
import torch

from grader.__main__ import COMMANDS, STUDENT_COMMANDS, build_parser, main
from grader.core import options, paths
from grader.core.devices import device_problem, unavailable_device
from grader.core.paths import NOTEBOOKS_DIR, OUTPUT_DIR, PROJECT_ROOT
from grader.jobs import bench, train
from grader.notebooks import write_notebooks

NO_GPU = not torch.cuda.is_available()


def subparser(name: str) -> argparse.ArgumentParser:
    parser = build_parser(name)
    commands = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return commands.choices[name]


@pytest.mark.parametrize("name", COMMANDS)
def test_every_command_s_help_shows_its_defaults(name, capsys):
    if name not in build_parser("").format_help():
        pytest.skip(f"{name}: its module is absent from this distribution")
    with pytest.raises(SystemExit) as exited:
        main([name, "--help"])
    assert exited.value.code == 0
    assert capsys.readouterr().out.startswith("usage:")
    parser = subparser(name)
    formatter = parser.formatter_class(prog=parser.prog)
    for action in parser._actions:
        default = action.default
        if default is None or default is False or default == [] or default == argparse.SUPPRESS:
            continue
        if not action.option_strings:
            continue
        text = formatter._get_help_string(action) or ""
        assert "default" in text, f"{name} {action.option_strings[0]}: {text!r}"


def test_no_command_lists_the_commands(capsys):
    assert main([]) == 2
    out = capsys.readouterr().out
    assert "the following arguments are required" not in out
    assert all(name in out for name in ("check", "grade", "train", "bench", "notebooks"))


@pytest.mark.parametrize(
    ("argv", "words"),
    [
        (["grade", ".", "--out", "x", "--jobs", "0"], "argument --jobs: must be a positive"),
        (["grade", ".", "--out", "x", "--timeout", "-1"], "argument --timeout: must be a positive"),
        (["train", "--epochs", "0"], "argument --epochs: must be a positive integer, got '0'"),
        (["train", "--lr", "nan"], "argument --lr: must be a positive number"),
        (["train", "--batch-size", "x"], "argument --batch-size: must be a positive integer"),
        (["bench", "--batch", "0"], "argument --batch: must be a positive integer"),
        (["bench", "--seconds", "0"], "argument --seconds: must be a positive number"),
        (["autograde", "--timeout", "0"], "argument --timeout: must be a positive number"),
        (["throughput", "--jobs", "0"], "argument --jobs: must be a positive integer"),
    ],
)
def test_a_bad_number_names_its_option(argv, words, capsys):
    if not (PROJECT_ROOT / "grader" / "authoring").is_dir() and argv[0] == "throughput":
        pytest.skip("an instructor command")
    with pytest.raises(SystemExit) as exited:
        main(argv)
    assert exited.value.code == 2
    assert words in capsys.readouterr().err


def test_the_number_types_accept_what_they_should():
    assert options.positive_int("3") == 3 and options.positive_float("0.5") == 0.5
    for bad in ("0", "-2", "1.5", "", "two"):
        with pytest.raises(argparse.ArgumentTypeError):
            options.positive_int(bad)
    for bad in ("0", "-0.1", "inf", "nan", "x"):
        with pytest.raises(argparse.ArgumentTypeError):
            options.positive_float(bad)


def test_an_unknown_or_absent_device_is_a_sentence():
    assert unavailable_device("cpu") is None
    assert "not a device" in unavailable_device("gpu")
    assert "not a device" in unavailable_device("meta")
    if NO_GPU:
        assert unavailable_device("cuda") == "--device cuda: this machine has no CUDA device"
        assert device_problem("cuda").startswith(unavailable_device("cuda"))
    else:
        assert "CUDA device(s)" in unavailable_device(f"cuda:{torch.cuda.device_count()}")


@pytest.mark.parametrize("job", ["train", "bench"])
def test_a_job_on_a_device_this_machine_lacks_is_one_line(job, capsys):
    device = "cuda" if NO_GPU else f"cuda:{torch.cuda.device_count()}"
    assert main([job, "--device", device]) == 2
    said = capsys.readouterr()
    assert said.err.startswith(f"grader: cannot {job}: --device {device}: this machine has")
    assert said.err.count("\n") == 1 and said.out == ""


def test_bench_on_the_stubs_says_not_yet_in_one_line(capsys):
    """The default implementation is the student's own code (the stubs, in this project)."""
    assert main(["bench", "--device", "cpu", "--seconds", "0.01", "--batch", "2"]) == 2
    said = capsys.readouterr()
    assert said.err.startswith("grader: cannot bench yet: mlp_forward() is not written yet")
    assert "Traceback" not in said.err and said.out == ""


def test_the_jobs_default_to_the_student_s_code_and_ignored_outputs():
    for module in (train, bench):
        parser = argparse.ArgumentParser()
        module.add_arguments(parser)
        assert parser.parse_args([]).impl == "exercises"
    parser = argparse.ArgumentParser()
    train.add_arguments(parser)
    assert parser.parse_args([]).plot.parent == OUTPUT_DIR
    assert subparser("notebooks").parse_args([]).out == NOTEBOOKS_DIR


def test_the_generated_folders_are_ignored_by_git():
    for folder in (OUTPUT_DIR, NOTEBOOKS_DIR, PROJECT_ROOT / "examples" / "graded"):
        probe = folder / "probe.txt"  # need not exist
        ignored = subprocess.run(
            ["git", "check-ignore", "-q", str(probe)], cwd=PROJECT_ROOT, capture_output=True
        )
        if ignored.returncode == 128:
            pytest.skip("not a git checkout")
        assert ignored.returncode == 0, f"{folder} is not ignored by .gitignore"


@pytest.fixture
def student_s_copy(monkeypatch, tmp_path):
    """This project as a student's copy sees it: without solutions/, as a release is."""
    monkeypatch.setattr(paths, "SOLUTIONS_DIR", tmp_path / "solutions")
    assert not paths.instructor_copy()


def test_a_student_s_copy_lists_the_student_s_commands_only(student_s_copy, capsys):
    assert main([]) == 2
    listed = re.findall(r"^    (\w+)", capsys.readouterr().out, re.MULTILINE)
    assert listed == list(STUDENT_COMMANDS)
    # unlisted, but it runs when named (an instructor may grade from a copy without solutions/)
    assert build_parser("grade").parse_args(["grade", ".", "--out", "x"]).command == "grade"


@pytest.mark.parametrize("name", ["check", "notebooks", "train", "bench"])
def test_impl_offers_the_reference_only_where_there_is_one(name, monkeypatch, tmp_path):
    def help_text() -> str:  # its lines joined, as argparse wraps them where it likes
        return " ".join(subparser(name).format_help().split())

    assert "solutions (the reference)" in help_text()  # the instructor's copy
    monkeypatch.setattr(paths, "SOLUTIONS_DIR", tmp_path / "solutions")
    assert "--impl IMPL" in help_text() and "solutions" not in help_text()


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_bars_are_drawn_on_a_terminal_only():
    for stream, drawn in ((io.StringIO(), False), (Terminal(), True)):
        with options.progress_bar(range(3), file=stream, unit="epoch") as bar:
            assert list(bar) == [0, 1, 2]
        assert ("3/3" in stream.getvalue()) is drawn


def test_train_draws_no_progress_bar_into_a_log(tmp_path, capsys):
    """Captured output is not a terminal: the epochs' lines, without tqdm's bar between them."""
    plot = str(tmp_path / "plot.png")
    assert main(["train", "--impl", "solutions", "--device", "cpu", "--epochs", "2",
                 "--hidden", "8", "--plot", plot]) == 0  # fmt: skip
    said = capsys.readouterr()
    assert "epoch   2  loss" in said.out
    assert "2/2" not in said.err and "\r" not in said.err


def test_notebooks_do_not_carry_the_project_s_path(tmp_path):
    for path in write_notebooks(tmp_path, "en"):
        text = path.read_text(encoding="utf-8")
        assert str(PROJECT_ROOT) not in text, path.name
        json.loads(text)
