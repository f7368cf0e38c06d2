"""Command line: ``python -m grader <command>``; ``python -m grader <command> --help`` for more.

The student's commands, in every copy:

check [--impl PATH]   the student's self-check: run the public tests, print the table
autograde             grade this repository's own exercises (GitHub Actions, Gradescope)
notebooks [OUT]       one Jupyter notebook per exercise ([--lang en|zh] [--impl ...])
train, bench          train the MLP on real images; time its forward and backward pass

The instructor's, listed only in the instructor's copy (the one with solutions/); a student's
copy runs one only when named (autograde runs grade), and has no grader/authoring at all:

grade SUBMISSIONS     grade a class of untrusted submissions (--out OUT, --jobs, --timeout)
merge OUT1 OUT2 ...   join the outputs of grade --shard K/N (--out OUT)
similarity SUBMISSIONS  pairs of submissions copied from each other (--out OUT, --against DIR)
export OUT            grades into the LMS: --roster R.csv --lms canvas|moodle
stubs [--check]       regenerate exercises/ from solutions/
release OUT           write the student distribution
gradescope OUT.zip    build the Gradescope autograder bundle
throughput [-n N]     seconds per graded submission"""

from __future__ import annotations

import argparse
import importlib
import sys
from pathlib import Path

from grader.core.devices import GRADED_DEVICES
from grader.core.manifest import load_manifest
from grader.core.options import HelpFormatter, impl_help
from grader.core.paths import PROJECT_ROOT, instructor_copy

PACKAGE = Path(__file__).resolve().parent


def _check(args: argparse.Namespace) -> int:
    import pytest

    test_files = [
        str(PROJECT_ROOT / test) for exercise in load_manifest() for test in exercise.tests
    ]
    return int(
        pytest.main(
            [
                "--rootdir",
                str(PROJECT_ROOT),
                "-c",
                str(PROJECT_ROOT / "pyproject.toml"),
                f"--impl={args.impl}",
                f"--device={args.device}",
                "-q",
                "-p",
                "no:cacheprovider",
                "--tb=short",
                "-rfE",
                "--no-header",
                *test_files,
            ]
        )
    )


def _stubs(args: argparse.Namespace) -> int:
    from grader.authoring.stubs import outdated_stubs, write_stubs
    from grader.core.paths import EXERCISES_DIR

    if args.check:
        outdated = outdated_stubs()
        for name in outdated:
            print(f"out of date: {EXERCISES_DIR.name}/{name}")
        if outdated:
            print("run `python -m grader stubs` to regenerate them from solutions/")
        return 1 if outdated else 0
    changed = write_stubs()
    print(
        f"rewrote {len(changed)} stub(s): {', '.join(changed)}"
        if changed
        else "stubs are up to date"
    )
    return 0


COMMANDS = {  # name -> (module of grader, help)
    "grade": ("grading.grade", "grade a class of submissions, safely"),
    "merge": ("grading.merge", "join the outputs of grade --shard into one class"),
    "autograde": ("grading.autograde", "grade this repository's exercises (CI)"),
    "similarity": ("grading.similarity", "which submissions were copied from each other"),
    "export": ("grading.export", "the graded class as a Canvas or Moodle import file"),
    "notebooks": ("notebooks", "write one Jupyter notebook per exercise"),
    "train": ("jobs.train", "train the MLP on real images, plot the run"),
    "bench": ("jobs.bench", "MLP forward+backward speed and GFLOP/s"),
    "stubs": ("authoring.stubs", "regenerate exercises/ from solutions/"),
    "release": ("authoring.release", "write the student distribution"),
    "gradescope": ("authoring.gradescope", "build the Gradescope autograder zip"),
    "throughput": ("authoring.throughput", "seconds per graded submission"),
}
# What a student's copy lists (with check); the instructor's copy lists every command.
STUDENT_COMMANDS = ("autograde", "notebooks", "train", "bench")


def build_parser(chosen: str) -> argparse.ArgumentParser:
    """The command line; only the ``chosen`` command's module is imported for its options
    (the other commands are listed with their one-line help). A student's copy lists ``check``
    and :data:`STUDENT_COMMANDS` only (:func:`grader.core.paths.instructor_copy`).
    Every command's ``--help`` shows its defaults (:class:`grader.core.options.HelpFormatter`)."""
    summary = __doc__.split("\n")[0].replace("``", "")
    parser = argparse.ArgumentParser(prog="python -m grader", description=summary)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", title="commands")
    check = commands.add_parser(
        "check", help="run the public tests on your exercises", formatter_class=HelpFormatter
    )
    check.add_argument("--impl", default="exercises", help=impl_help())
    check.add_argument(
        "--device",
        choices=GRADED_DEVICES,
        default=GRADED_DEVICES[0],
        help="the tests that count: cpu (as grading does) or cuda (needs a GPU)",
    )
    check.set_defaults(run=_check)
    # A command lives in a module with add_arguments() and run(); the folder the student
    # release leaves out (grader/authoring) takes its commands with it. There the other
    # instructor's commands are not listed, but one named still runs: autograde runs grade.
    # Only the chosen command's module is imported (some import torch: 1 s).
    for name, (module_name, help_text) in COMMANDS.items():
        if not (PACKAGE / f"{module_name.replace('.', '/')}.py").is_file():
            continue
        listed = name in STUDENT_COMMANDS or instructor_copy()
        if not listed and name != chosen:
            continue
        shown = {"help": help_text} if listed else {}  # argparse lists a command with a help
        command = commands.add_parser(name, formatter_class=HelpFormatter, **shown)
        if name == "stubs":
            command.add_argument("--check", action="store_true", help="only report outdated stubs")
            command.set_defaults(run=_stubs)
        elif name == chosen:
            module = importlib.import_module(f"grader.{module_name}")
            module.add_arguments(command)
            command.set_defaults(run=module.run)
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    chosen = next((arg for arg in argv if arg[:1] != "-"), "")
    parser = build_parser(chosen)
    args = parser.parse_args(argv)
    if args.command is None:  # no command: say which there are
        parser.print_help()
        return 2
    return args.run(args)


if __name__ == "__main__":
    sys.exit(main())
