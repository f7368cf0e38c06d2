"""Command line: ``python -m grader <command>``; ``python -m grader <command> --help`` for more.

The student's commands, in every copy:

check [--impl PATH]   the student's self-check: run the public tests, print the table
autograde             grade this repository's own exercises (GitHub Actions, Gradescope)
notebooks [OUT]       one Jupyter notebook per exercise ([--lang en|zh] [--impl ...])
train, bench          train the MLP on real images; time its forward and backward pass

The instructor's, listed only in the instructor's copy (the one with solutions/); a student's
copy runs one only when named, and has no grader/authoring at all:

grade SUBMISSIONS     grade a class of untrusted submissions (--out OUT, --jobs, --timeout)
merge OUT1 OUT2 ...   join the outputs of grade --shard K/N (--out OUT)
similarity SUBMISSIONS  pairs of submissions copied from each other (--out OUT, --against DIR)
export OUT            grades into the LMS: --roster R.csv --lms canvas|moodle
stubs [--check]       regenerate exercises/ from solutions/
release OUT           write the student distribution
gradescope OUT.zip    build the Gradescope autograder bundle
throughput [-n N]     seconds per graded submission

Each command is a module with add_arguments(parser) and run(args) -> exit status; the options
several take are defined once (grader/core/options.py), the exit statuses and the one error
line, "grader: ...", on stderr, too (grader/core/exits.py)."""

from __future__ import annotations

import argparse
import importlib
import sys
from pathlib import Path

from grader.core.exits import USAGE
from grader.core.options import CommandLine, HelpFormatter
from grader.core.paths import instructor_copy

PACKAGE = Path(__file__).resolve().parent


COMMANDS = {  # name -> (module of grader, help)
    "check": ("check.selfcheck", "run the public tests on your exercises"),
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
# What a student's copy lists; the instructor's copy lists every command.
STUDENT_COMMANDS = ("check", "autograde", "notebooks", "train", "bench")


def build_parser(chosen: str) -> argparse.ArgumentParser:
    """The command line; only the ``chosen`` command's module is imported for its options
    (the other commands are listed with their one-line help). A student's copy lists
    :data:`STUDENT_COMMANDS` only (:func:`grader.core.paths.instructor_copy`). Every command's
    ``--help`` shows its defaults (:class:`grader.core.options.HelpFormatter`), and every error
    of the command line reads ``grader: ...`` (:class:`grader.core.options.CommandLine`)."""
    summary = __doc__.split("\n")[0].replace("``", "")
    parser = CommandLine(prog="python -m grader", description=summary)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", title="commands")
    # A command lives in a module with add_arguments() and run(); the folder the student
    # release leaves out (grader/authoring) takes its commands with it. There the other
    # instructor's commands are not listed, but one named still runs (a grading machine may
    # hold a copy without solutions/). Only the chosen command's module is imported (some
    # import torch: 1 s).
    for name, (module_name, help_text) in COMMANDS.items():
        if not (PACKAGE / f"{module_name.replace('.', '/')}.py").is_file():
            continue
        listed = name in STUDENT_COMMANDS or instructor_copy()
        if not listed and name != chosen:
            continue
        shown = {"help": help_text} if listed else {}  # argparse lists a command with a help
        command = commands.add_parser(name, formatter_class=HelpFormatter, **shown)
        if name == chosen:
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
        return USAGE
    return args.run(args)


if __name__ == "__main__":
    sys.exit(main())
