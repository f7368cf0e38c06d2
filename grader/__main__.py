"""Command line: ``python -m grader <command>``.

check [--impl PATH]   the student's self-check: run the public tests, print the table
stubs [--check]       regenerate exercises/ from solutions/ (or only report what differs)
notebooks OUT         one Jupyter notebook per exercise ([--lang en|zh] [--impl ...])
autograde             grade this repository's own exercises (GitHub Actions, Gradescope)
release OUT           write the student distribution (instructor)
gradescope OUT.zip    build the Gradescope autograder bundle (instructor)
"""

from __future__ import annotations

import argparse
import sys

from grader.manifest import PROJECT_ROOT, load_manifest


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
    from grader.stubs import EXERCISES_DIR, outdated_stubs, write_stubs

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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m grader", description=__doc__.split("\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    check = commands.add_parser("check", help="run the public tests on your exercises")
    check.add_argument(
        "--impl", default="exercises", help="exercises (default), solutions or a directory"
    )
    check.set_defaults(run=_check)
    from grader import bench, grade, train

    grading = commands.add_parser("grade", help="grade a class of submissions, safely")
    grade.add_arguments(grading)
    grading.set_defaults(run=grade.run)

    training = commands.add_parser("train", help="train the MLP on real images, plot the run")
    train.add_arguments(training)
    training.set_defaults(run=train.run)
    benchmarking = commands.add_parser("bench", help="MLP forward+backward speed and GFLOP/s")
    bench.add_arguments(benchmarking)
    benchmarking.set_defaults(run=bench.run)
    from grader import notebooks

    notebooking = commands.add_parser("notebooks", help="write one Jupyter notebook per exercise")
    notebooks.add_arguments(notebooking)
    notebooking.set_defaults(run=notebooks.run)
    from grader import autograde

    autograding = commands.add_parser("autograde", help="grade this repository's exercises (CI)")
    autograde.add_arguments(autograding)
    autograding.set_defaults(run=autograde.run)
    # The instructor's commands exist only where their modules are: the student release
    # (python -m grader release) leaves out stubs.py, release.py and gradescope.py.
    if (PROJECT_ROOT / "grader" / "stubs.py").is_file():
        stubs = commands.add_parser("stubs", help="regenerate exercises/ from solutions/")
        stubs.add_argument("--check", action="store_true", help="only report out-of-date stubs")
        stubs.set_defaults(run=_stubs)
    if (PROJECT_ROOT / "grader" / "release.py").is_file():
        from grader import gradescope, release

        releasing = commands.add_parser("release", help="write the student distribution")
        release.add_arguments(releasing)
        releasing.set_defaults(run=release.run)
        bundling = commands.add_parser("gradescope", help="build the Gradescope autograder zip")
        gradescope.add_arguments(bundling)
        bundling.set_defaults(run=gradescope.run)
    if (PROJECT_ROOT / "grader" / "throughput.py").is_file():
        from grader import throughput

        timing = commands.add_parser("throughput", help="seconds per graded submission")
        throughput.add_arguments(timing)
        timing.set_defaults(run=throughput.run)
    args = parser.parse_args(argv)
    return args.run(args)


if __name__ == "__main__":
    sys.exit(main())
