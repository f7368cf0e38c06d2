"""``python -m grader throughput``: how many seconds grading takes per submission.

Builds a class of N copies of the reference solutions and N copies of the untouched stubs
(which intake recognises: their tests are not run, all of them not attempted), grades it with
``python -m grader grade --jobs J`` (start-up included, as an instructor would run it) and
prints seconds per submission; then each half alone, for the cost of each kind. Beside it, the
baseline: the same public tests run once on the reference in one plain pytest process (no
sandbox, no isolation), so the ratio says what the isolation costs. And the reference copies
graded again with ``--isolation process`` (the audit hook alone, as before the kernel's walls),
side by side, so the second ratio says what the walls cost. Timings on a shared machine vary:
run it twice.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from grader.core.exits import FAILED, OK, error
from grader.core.isolation import strongest
from grader.core.limits import OUTPUT_TAIL_CHARS
from grader.core.manifest import load_manifest
from grader.core.options import add_jobs_option, positive_int
from grader.core.paths import EXERCISES_DIR, PROJECT_ROOT, SOLUTIONS_DIR

GOAL_SECONDS = 2.0  # per perfect submission (a reference copy), --jobs 2, on a 2-core machine
WALLS_GOAL = 1.25  # what the kernel's walls may cost, against the audit hook alone
PROCESS_LABEL = "reference, --isolation process"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("-n", type=positive_int, default=10, help="copies of each kind")
    add_jobs_option(parser)


class StepFailed(Exception):
    """A grading or pytest run of the benchmark failed: no timing to give."""


def _make_class(root: Path, sources: list[Path], copies: int, tag: str = "") -> Path:
    folder = root / "-".join([*(source.name for source in sources), *filter(None, [tag])])
    for source in sources:
        for number in range(copies):
            student = folder / f"{source.name}-{number:03d}"
            student.mkdir(parents=True)
            for exercise in load_manifest():
                shutil.copy2(source / f"{exercise.name}.py", student / f"{exercise.name}.py")
    return folder


def _seconds(command: list[str]) -> float:
    start = time.perf_counter()
    result = subprocess.run(command, cwd=PROJECT_ROOT, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if result.returncode not in (0, 1):  # 1: pytest found failures, still a timing
        raise StepFailed(f"`{' '.join(command)}` failed:\n{result.stderr[-OUTPUT_TAIL_CHARS:]}")
    return elapsed


def run(args: argparse.Namespace) -> int:
    try:
        return _measure(args)
    except StepFailed as failure:
        return error(str(failure), FAILED)


def _measure(args: argparse.Namespace) -> int:
    python = sys.executable
    tests = [str(PROJECT_ROOT / test) for exercise in load_manifest() for test in exercise.tests]
    baseline = _seconds([python, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                         "--impl=solutions", *tests])  # fmt: skip
    reference, stubs = SOLUTIONS_DIR, EXERCISES_DIR
    walled = strongest().describe()
    runs = {"the class (both kinds)": ([reference, stubs], 2 * args.n, "auto"),
            "reference copies only": ([reference], args.n, "auto"),
            "untouched stubs only": ([stubs], args.n, "auto"),
            PROCESS_LABEL: ([reference], args.n, "process")}  # fmt: skip
    seconds: dict[str, float] = {}
    with tempfile.TemporaryDirectory(prefix="throughput-") as scratch:
        root = Path(scratch)
        for label, (sources, count, isolation) in runs.items():
            submissions = _make_class(root, sources, args.n, isolation)
            out = root / f"out-{submissions.name}"
            command = [python, "-m", "grader", "grade", str(submissions), "--out", str(out),
                       "--jobs", str(args.jobs), "--isolation", isolation]  # fmt: skip
            seconds[label] = _seconds(command) / count
    print(f"grading {args.n} reference copies and {args.n} untouched stubs, --jobs {args.jobs}, "
          f"start-up included, seconds per submission (isolation: {walled}):")  # fmt: skip
    for label, value in seconds.items():
        goal = f"   (goal: {GOAL_SECONDS:g} s)" if label == "reference copies only" else ""
        print(f"  {label:<32} {value:6.2f}{goal}")
    print(f"baseline: the public tests on the reference in one plain pytest process, no "
          f"sandbox: {baseline:.2f} s")  # fmt: skip
    ratio = seconds["reference copies only"] / baseline
    print(f"ratio, a graded reference copy / the baseline run: {ratio:.2f}")
    walls = seconds["reference copies only"] / seconds[PROCESS_LABEL]
    print(
        f"ratio, a reference copy walled in / at --isolation process: {walls:.2f} "
        f"(goal: at most {WALLS_GOAL:g})"
    )
    return OK
