"""Every planted mistake in tests/variants/ fails its exercise's tests with the message that
teaches it; every correct alternative passes. Each variant runs in its own pytest subprocess
with ``--impl`` pointing at a copy of the reference with the variant appended (slow: ``--slow``)."""

from __future__ import annotations

import importlib
import os
import re
import subprocess
import sys
import tempfile
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

import pytest

from grader.manifest import PROJECT_ROOT, load_manifest

sys.path.insert(0, str(PROJECT_ROOT / "tests"))
from variants import Variant

CASES = [
    pytest.param(exercise, variant, id=f"{exercise.name}:{variant.name}")
    for exercise in load_manifest()
    if (PROJECT_ROOT / "tests" / "variants" / f"{exercise.name}.py").is_file()
    for variant in importlib.import_module(f"variants.{exercise.name}").VARIANTS
]


def run_variant(exercise, variant: Variant) -> subprocess.CompletedProcess[str]:
    with tempfile.TemporaryDirectory(prefix=f"variant-{exercise.name}-") as workdir:
        impl = Path(workdir) / "impl"
        impl.mkdir()
        source = (PROJECT_ROOT / "solutions" / f"{exercise.name}.py").read_text(encoding="utf-8")
        (impl / f"{exercise.name}.py").write_text(
            f"{source}\n\n# --- planted variant: {variant.name} ---\n{variant.source}",
            encoding="utf-8",
        )
        command = [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "--tb=short",
            "--rootdir",
            str(PROJECT_ROOT),
            "-c",
            str(PROJECT_ROOT / "pyproject.toml"),
            f"--impl={impl}",
            *(str(PROJECT_ROOT / test) for test in exercise.tests),
        ]
        if variant.select:
            command += ["-k", variant.select]
        if variant.expect == "fail":
            command.append("-x")
        env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
        return subprocess.run(
            command, cwd=workdir, env=env, capture_output=True, text=True, timeout=600
        )


@pytest.fixture(scope="module")
def outcomes(request) -> dict[str, Future[subprocess.CompletedProcess[str]]]:
    """Start every selected variant at once, as many at a time as there are cores."""
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
    pool.shutdown(wait=False, cancel_futures=True)


@pytest.mark.slow
@pytest.mark.parametrize(("exercise", "variant"), CASES)
def test_variant(outcomes, request, exercise, variant: Variant):
    result = outcomes[request.node.callspec.id].result()
    output = result.stdout + result.stderr
    if variant.expect == "pass":
        assert result.returncode == 0, f"a correct alternative was rejected:\n{output[-4000:]}"
        assert re.search(r"\d+ passed", output), output[-2000:]
    else:
        assert result.returncode == 1, f"the planted mistake was not caught:\n{output[-4000:]}"
        assert re.search(variant.message, output, re.DOTALL), (
            f"caught, but the failure does not say /{variant.message}/:\n{output[-4000:]}"
        )
