"""``python -m grader check``: the student's self-check, the public tests on their own code.

It runs pytest on every exercise's tests with this project's configuration, quietly, and
pytest prints the table (:mod:`grader.check.summary`): the same run as ``pytest`` in the
project, from any folder. A folder or a device that is not there is said first, as every
command says an error (:func:`grader.core.exits.error`); pytest's exit status is told in the
grader's codes (:func:`exit_code`): 0 when every test passed, 1 when one failed.
"""

from __future__ import annotations

import argparse

from grader.core.devices import device_problem
from grader.core.exits import FAILED, INTERRUPTED, OK, USAGE, error
from grader.core.manifest import load_manifest
from grader.core.options import add_graded_device_option, add_impl_option
from grader.core.paths import PROJECT_ROOT


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_impl_option(parser)
    add_graded_device_option(parser)


def exit_code(status: int) -> int:
    """pytest's exit status as one of :mod:`grader.core.exits`: failed tests, pytest's internal
    errors and a run that collected no test are all :data:`FAILED`."""
    import pytest

    codes = {pytest.ExitCode.OK: OK, pytest.ExitCode.USAGE_ERROR: USAGE,
             pytest.ExitCode.INTERRUPTED: INTERRUPTED}  # fmt: skip
    return codes.get(status, FAILED)


def run(args: argparse.Namespace) -> int:
    import pytest  # imported when the command runs (with torch): `check --help` starts fast

    from grader.check.implementation import resolve_impl

    try:
        resolve_impl(args.impl)
    except ValueError as problem:
        return error(str(problem))
    if problem := device_problem(args.device):
        return error(problem)
    test_files = [
        str(PROJECT_ROOT / test) for exercise in load_manifest() for test in exercise.tests
    ]
    return exit_code(
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
