"""Every planted mistake in tests/variants/ fails its exercise's tests with the message that
teaches it; every correct alternative passes, in the student's own run and sandboxed (as
``grade`` runs it) alike, with the same outcome test by test. Each variant runs in its own
pytest session with ``--impl`` pointing at a copy of the reference with the variant appended,
running the tests of the functions it touches (slow: ``--slow``). Sessions are forked from warm
workers (grader/grading/forkserver.py), so torch is imported once per core."""

from __future__ import annotations

import ast
import importlib
import json
import os
import re
import sys
import tempfile
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

import pytest

from grader.core.manifest import load_manifest
from grader.core.paths import PROJECT_ROOT, SOLUTIONS_DIR
from grader.grading.forkserver import ForkServer

sys.path.insert(0, str(PROJECT_ROOT / "tests"))
from variants import Variant

CASES = [
    pytest.param(exercise, variant, id=f"{exercise.name}:{variant.name}")
    for exercise in load_manifest()
    if (PROJECT_ROOT / "tests" / "variants" / f"{exercise.name}.py").is_file()
    for variant in importlib.import_module(f"variants.{exercise.name}").VARIANTS
]
# Run sandboxed too: every correct alternative. (The reference is: the example class's perfect
# submission scores 100 through `grade`, tests/project/test_examples.py.)
ALTERNATIVES = [case for case in CASES if case.values[1].expect == "pass"]


_servers = threading.local()


def run_variant(exercise, variant: Variant, sandbox: bool = False) -> tuple[int, str, list[dict]]:
    """(exit code, output, the report's record of each test) of the exercise's tests on the
    reference with the variant appended; ``sandbox``: as ``grade`` runs them."""
    if not hasattr(_servers, "server"):
        _servers.server = ForkServer()
        _started.append(_servers.server)
    with tempfile.TemporaryDirectory(prefix=f"variant-{exercise.name}-") as workdir:
        impl = Path(workdir) / "impl"
        impl.mkdir()
        source = (SOLUTIONS_DIR / f"{exercise.name}.py").read_text(encoding="utf-8")
        (impl / f"{exercise.name}.py").write_text(
            f"{source}\n\n# --- planted variant: {variant.name} ---\n{variant.source}",
            encoding="utf-8",
        )
        args = [
            "-q", "-p", "no:cacheprovider", "--tb=short",
            "--rootdir", str(PROJECT_ROOT), "-c", str(PROJECT_ROOT / "pyproject.toml"),
            f"--impl={impl}", *(str(PROJECT_ROOT / test) for test in exercise.tests),
        ]  # fmt: skip
        select = variant.select or " or ".join(functions_touched(exercise.name, variant.source))
        if select:
            args += ["-k", select]
        if variant.expect == "fail":
            args.append("-x")
        report = Path(workdir) / "report.jsonl"
        args.append(f"--report-json={report}")
        if sandbox:
            args += ["--sandbox", "--exercise-timeout=120"]
        output = Path(workdir) / "output.txt"
        exit_code = _servers.server.run(args, cwd=Path(workdir), output=output, timeout=600)
        lines = report.read_text(encoding="utf-8").splitlines()
        tests = [record["test"] for record in map(json.loads, lines) if "test" in record]
        return exit_code, output.read_text(encoding="utf-8", errors="replace"), tests


def functions_touched(exercise: str, source: str) -> list[str]:
    """The public functions whose tests a variant can change: those its source (re)defines,
    and the reference's functions that use them, directly or through others. Only their tests
    run (``-k``, which matches the functions a test checks or waits for): every other test
    calls the reference alone, and passes as it does on the reference."""
    reference = ast.parse((SOLUTIONS_DIR / f"{exercise}.py").read_text("utf-8"))
    uses = {node.name: {name.id for name in ast.walk(node) if isinstance(name, ast.Name)}
            for node in reference.body if isinstance(node, ast.FunctionDef)}  # fmt: skip
    variant = ast.parse(source).body
    touched = {node.name for node in variant if isinstance(node, ast.FunctionDef)}
    touched |= {target.id for node in variant if isinstance(node, ast.Assign)
                for target in node.targets if isinstance(target, ast.Name)}  # fmt: skip
    while grown := {name for name, used in uses.items() if used & touched} - touched:
        touched |= grown
    return sorted(name for name in touched if name in uses and not name.startswith("_"))


_started: list[ForkServer] = []


@pytest.fixture(scope="module")
def outcomes(request) -> dict[str, Future[tuple[int, str]]]:
    """Start every selected variant at once, one warm fork server per core."""
    selected = {
        (item.originalname == "test_alternative_sandboxed", item.callspec.id)
        for item in request.session.items
        if item.originalname in ("test_variant", "test_alternative_sandboxed")
        and hasattr(item, "callspec")
    }
    pool = ThreadPoolExecutor(max_workers=max(2, os.cpu_count() or 2))
    futures = {
        (sandboxed, case.id): pool.submit(run_variant, *case.values, sandbox=sandboxed)
        for sandboxed, cases in ((False, CASES), (True, ALTERNATIVES))
        for case in cases
        if (sandboxed, case.id) in selected
        or (not sandboxed and (True, case.id) in selected)  # the run to compare with
    }  # fmt: skip
    yield futures
    pool.shutdown(wait=True, cancel_futures=True)
    while _started:
        _started.pop().close()


@pytest.mark.slow
@pytest.mark.parametrize(("exercise", "variant"), CASES)
def test_variant(outcomes, request, exercise, variant: Variant):
    exit_code, output, _ = outcomes[False, request.node.callspec.id].result()
    if variant.expect == "pass":
        assert exit_code == 0, f"a correct alternative was rejected:\n{output[-4000:]}"
        assert re.search(r"\d+ passed", output), output[-2000:]
    else:
        assert exit_code == 1, f"the planted mistake was not caught:\n{output[-4000:]}"
        assert re.search(variant.message, output, re.DOTALL), (
            f"caught, but the failure does not say /{variant.message}/:\n{output[-4000:]}"
        )


@pytest.mark.slow
@pytest.mark.parametrize(("exercise", "variant"), ALTERNATIVES)
def test_alternative_sandboxed(outcomes, request, exercise, variant: Variant):
    """The same correct code gets the same outcome, test by test, sandboxed as in the
    student's own run: whatever a test can observe (results, arguments changed in place, the
    global RNG, a generator passed in, what happens while a returned iterator is consumed)
    crosses the sandbox exactly."""
    key = request.node.callspec.id
    _, plain_output, plain_tests = outcomes[False, key].result()
    exit_code, output, sandboxed_tests = outcomes[True, key].result()
    plain = {test["name"]: test["outcome"] for test in plain_tests}
    sandboxed = {test["name"]: test["outcome"] for test in sandboxed_tests}
    # A test this machine skips (CUDA without a GPU) is not even run when grading; a skip
    # never counts, but it must be the same skip.
    skipped = {name for name, outcome in sandboxed.items() if outcome == "skipped"}
    assert skipped <= {name for name, outcome in plain.items() if outcome == "skipped"}
    plain = {name: outcome for name, outcome in plain.items() if outcome != "skipped"}
    sandboxed = {name: outcome for name, outcome in sandboxed.items() if outcome != "skipped"}
    assert plain and set(plain.values()) == {"passed"}, plain_output[-4000:]
    differ = {name: (plain.get(name), sandboxed.get(name))
              for name in plain.keys() | sandboxed.keys()
              if plain.get(name) != sandboxed.get(name)}  # fmt: skip
    assert not differ, f"sandboxed outcomes differ: {differ}\n{output[-4000:]}"
    assert exit_code == 0, output[-4000:]
