"""Every planted mistake in tests/variants/ fails its exercise's tests with the message that
teaches it; every correct alternative passes. Each variant runs in its own pytest session
with ``--impl`` pointing at a copy of the reference with the variant appended (slow: ``--slow``).
Sessions are forked from warm workers (grader/forkserver.py), so torch is imported once per core."""

from __future__ import annotations

import importlib
import os
import re
import sys
import tempfile
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

import pytest

from grader.forkserver import ForkServer
from grader.manifest import PROJECT_ROOT, load_manifest

sys.path.insert(0, str(PROJECT_ROOT / "tests"))
from variants import Variant

CASES = [
    pytest.param(exercise, variant, id=f"{exercise.name}:{variant.name}")
    for exercise in load_manifest()
    if (PROJECT_ROOT / "tests" / "variants" / f"{exercise.name}.py").is_file()
    for variant in importlib.import_module(f"variants.{exercise.name}").VARIANTS
]


_servers = threading.local()


def run_variant(exercise, variant: Variant) -> tuple[int, str]:
    """(exit code, output) of the exercise's tests on the reference with the variant appended."""
    if not hasattr(_servers, "server"):
        _servers.server = ForkServer()
        _started.append(_servers.server)
    with tempfile.TemporaryDirectory(prefix=f"variant-{exercise.name}-") as workdir:
        impl = Path(workdir) / "impl"
        impl.mkdir()
        source = (PROJECT_ROOT / "solutions" / f"{exercise.name}.py").read_text(encoding="utf-8")
        (impl / f"{exercise.name}.py").write_text(
            f"{source}\n\n# --- planted variant: {variant.name} ---\n{variant.source}",
            encoding="utf-8",
        )
        args = [
            "-q", "-p", "no:cacheprovider", "--tb=short",
            "--rootdir", str(PROJECT_ROOT), "-c", str(PROJECT_ROOT / "pyproject.toml"),
            f"--impl={impl}", *(str(PROJECT_ROOT / test) for test in exercise.tests),
        ]  # fmt: skip
        if variant.select:
            args += ["-k", variant.select]
        if variant.expect == "fail":
            args.append("-x")
        output = Path(workdir) / "output.txt"
        exit_code = _servers.server.run(args, cwd=Path(workdir), output=output, timeout=600)
        return exit_code, output.read_text(encoding="utf-8", errors="replace")


_started: list[ForkServer] = []


@pytest.fixture(scope="module")
def outcomes(request) -> dict[str, Future[tuple[int, str]]]:
    """Start every selected variant at once, one warm fork server per core."""
    selected = {
        item.callspec.id
        for item in request.session.items
        if item.originalname == "test_variant" and hasattr(item, "callspec")
    }
    pool = ThreadPoolExecutor(max_workers=max(2, os.cpu_count() or 2))
    futures = {
        case.id: pool.submit(run_variant, *case.values) for case in CASES if case.id in selected
    }
    yield futures
    pool.shutdown(wait=True, cancel_futures=True)
    while _started:
        _started.pop().close()


@pytest.mark.slow
@pytest.mark.parametrize(("exercise", "variant"), CASES)
def test_variant(outcomes, request, exercise, variant: Variant):
    exit_code, output = outcomes[request.node.callspec.id].result()
    if variant.expect == "pass":
        assert exit_code == 0, f"a correct alternative was rejected:\n{output[-4000:]}"
        assert re.search(r"\d+ passed", output), output[-2000:]
    else:
        assert exit_code == 1, f"the planted mistake was not caught:\n{output[-4000:]}"
        assert re.search(variant.message, output, re.DOTALL), (
            f"caught, but the failure does not say /{variant.message}/:\n{output[-4000:]}"
        )
