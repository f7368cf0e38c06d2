"""What the tests of the tooling share: the grader's command line, run as an instructor or a
student runs it; classes of submissions built in a temporary folder from the stubs or the
reference; planted variants of the reference run through their exercise's tests.

pytest loads this module before the test modules of this folder and puts the folder on
``sys.path``, so they import its helpers by name (``from conftest import grade``); its fixtures
they simply ask for.
"""

from __future__ import annotations

import ast
import csv
import json
import os
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterable, Iterator
from pathlib import Path

import pytest

from grader.core.manifest import Exercise, load_manifest
from grader.core.paths import EXERCISES_DIR, PROJECT_ROOT, SOLUTIONS_DIR, TESTS_DIR
from grader.grading.forkserver import ForkServer

sys.path.insert(0, str(TESTS_DIR))  # the planted variants, tests/variants/, as `variants`
from variants import Variant

# A command that grades a class for real is stopped after this: a hang fails its test, never
# the whole run.
COMMAND_SECONDS = 600


# --- the command line --------------------------------------------------------------------------


def grader_command(*args: str | Path) -> list[str]:
    """``python -m grader ARGS`` with this suite's Python, as a list of arguments."""
    return [sys.executable, "-m", "grader", *map(str, args)]


def run_grader(
    *args: str | Path,
    cwd: Path = PROJECT_ROOT,
    env: dict[str, str] | None = None,
    timeout: float = COMMAND_SECONDS,
) -> subprocess.CompletedProcess[str]:
    """``python -m grader ARGS`` run to its end in ``cwd``, its output captured as text."""
    return subprocess.run(
        grader_command(*args), cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout
    )


def grade(submissions: Path, out: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    """``python -m grader grade SUBMISSIONS --out OUT EXTRA``."""
    return run_grader("grade", submissions, "--out", out, *extra)


def gradebook(out: Path) -> dict[str, dict[str, str]]:
    """``OUT/gradebook.csv``: each student's row, by student id."""
    with (out / "gradebook.csv").open(newline="", encoding="utf-8") as handle:
        return {row["student"]: row for row in csv.DictReader(handle)}


def python_first(**variables: str) -> dict[str, str]:
    """This environment with ``variables``, and this suite's Python first on ``PATH``: a script
    that runs ``python`` runs it."""
    path = f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"
    return {**os.environ, "PATH": path, **variables}


# --- classes of submissions --------------------------------------------------------------------


def reference(exercise: str) -> str:
    """The reference implementation of ``exercise`` (``solutions/<exercise>.py``), as text."""
    return (SOLUTIONS_DIR / f"{exercise}.py").read_text(encoding="utf-8")


def submission(
    root: Path,
    student: str,
    *,
    base: Path = EXERCISES_DIR,
    only: Iterable[str] | None = None,
    **modules: str,
) -> Path:
    """A folder submission ``root/student``: the exercise modules of ``base`` (the stubs unless
    told; ``SOLUTIONS_DIR`` for the reference), every exercise's or ``only`` those, with the
    sources given in ``modules`` (exercise name -> source) instead."""
    folder = root / student
    folder.mkdir(parents=True)
    for name in only if only is not None else [exercise.name for exercise in load_manifest()]:
        (folder / f"{name}.py").write_bytes((base / f"{name}.py").read_bytes())
    for name, source in modules.items():
        (folder / f"{name}.py").write_text(source, encoding="utf-8")
    return folder


# --- planted variants, run through their exercise's tests ----------------------------------------


class VariantRunner:
    """Runs an exercise's tests on the reference with a variant appended, in a pytest session
    forked from a warm worker: one worker per calling thread, so torch is imported once per
    thread (grader/grading/forkserver.py). :meth:`close` ends them all."""

    def __init__(self) -> None:
        self._local = threading.local()
        self._started: list[ForkServer] = []

    def __call__(
        self, exercise: Exercise, variant: Variant, sandbox: bool = False, whole: bool = False
    ) -> tuple[int, str, list[dict]]:
        """(exit code, output, the report's record of each test) of the exercise's tests on the
        reference with the variant appended; ``sandbox``: as ``grade`` runs them; ``whole``:
        every test of the functions it touches, past the first failure (``grade`` runs them
        all), not only the tests its ``select`` names."""
        if not hasattr(self._local, "server"):
            self._local.server = ForkServer()
            self._started.append(self._local.server)
        with tempfile.TemporaryDirectory(prefix=f"variant-{exercise.name}-") as workdir:
            impl = Path(workdir) / "impl"
            impl.mkdir()
            (impl / f"{exercise.name}.py").write_text(
                f"{reference(exercise.name)}\n\n"
                f"# --- planted variant: {variant.name} ---\n{variant.source}",
                encoding="utf-8",
            )
            args = [
                "-q", "-p", "no:cacheprovider", "--tb=short",
                "--rootdir", str(PROJECT_ROOT), "-c", str(PROJECT_ROOT / "pyproject.toml"),
                f"--impl={impl}", *(str(PROJECT_ROOT / test) for test in exercise.tests),
            ]  # fmt: skip
            touched = " or ".join(functions_touched(exercise.name, variant.source))
            select = touched if whole else variant.select or touched
            if select:
                args += ["-k", select]
            if variant.expect == "fail" and not whole:
                args.append("-x")
            report = Path(workdir) / "report.jsonl"
            args.append(f"--report-json={report}")
            if sandbox:
                args += ["--sandbox", "--exercise-timeout=120"]
            output = Path(workdir) / "output.txt"
            exit_code = self._local.server.run(
                args, cwd=Path(workdir), output=output, timeout=COMMAND_SECONDS
            )
            lines = report.read_text(encoding="utf-8").splitlines()
            tests = [record["test"] for record in map(json.loads, lines) if "test" in record]
            return exit_code, output.read_text(encoding="utf-8", errors="replace"), tests

    def close(self) -> None:
        while self._started:
            self._started.pop().close()


def functions_touched(exercise: str, source: str) -> list[str]:
    """The public functions whose tests a variant can change: those its source (re)defines,
    and the reference's functions that use them, directly or through others. Only their tests
    run (``-k``, which matches the functions a test checks or waits for): every other test
    calls the reference alone, and passes as it does on the reference."""
    tree = ast.parse(reference(exercise))
    uses = {node.name: {name.id for name in ast.walk(node) if isinstance(name, ast.Name)}
            for node in tree.body if isinstance(node, ast.FunctionDef)}  # fmt: skip
    variant = ast.parse(source).body
    touched = {node.name for node in variant if isinstance(node, ast.FunctionDef)}
    touched |= {target.id for node in variant if isinstance(node, ast.Assign)
                for target in node.targets if isinstance(target, ast.Name)}  # fmt: skip
    while grown := {name for name, used in uses.items() if used & touched} - touched:
        touched |= grown
    return sorted(name for name in touched if name in uses and not name.startswith("_"))


@pytest.fixture(scope="module")
def run_variant() -> Iterator[VariantRunner]:
    """A :class:`VariantRunner` for the module's variants; its workers end with the module."""
    runner = VariantRunner()
    yield runner
    runner.close()
