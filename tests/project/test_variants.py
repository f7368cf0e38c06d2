"""Every planted mistake in tests/variants/ fails its exercise's tests with the message that
teaches it; every correct alternative passes, in the student's own run and sandboxed (as
``grade`` runs it) alike, with the same outcome test by test. Each variant runs in its own
pytest session with ``--impl`` pointing at a copy of the reference with the variant appended,
running the tests of the functions it touches (slow: ``--slow``). Sessions are forked from warm
workers (grader/grading/forkserver.py), so torch is imported once per core."""

from __future__ import annotations

import importlib
import os
import re
from concurrent.futures import Future, ThreadPoolExecutor

import pytest
from conftest import VariantRunner
from variants import Variant

from grader.core.manifest import load_manifest
from grader.core.paths import TESTS_DIR

CASES = [  # (id, exercise, variant)
    (f"{exercise.name}:{variant.name}", exercise, variant)
    for exercise in load_manifest()
    if (TESTS_DIR / "variants" / f"{exercise.name}.py").is_file()
    for variant in importlib.import_module(f"variants.{exercise.name}").VARIANTS
]
# Run sandboxed too: every correct alternative. (The reference is: the example class's perfect
# submission scores 100 through `grade`, tests/project/test_examples.py.)
ALTERNATIVES = [case for case in CASES if case[2].expect == "pass"]


def parameters(cases: list) -> list:
    """(exercise, variant) of each case, by its id."""
    return [pytest.param(exercise, variant, id=key) for key, exercise, variant in cases]


@pytest.fixture(scope="module")
def outcomes(request, run_variant: VariantRunner) -> dict[tuple[bool, str], Future]:
    """Start every selected variant at once, one warm fork server per core."""
    selected = {
        (item.originalname == "test_alternative_sandboxed", item.callspec.id)
        for item in request.session.items
        if item.originalname in ("test_variant", "test_alternative_sandboxed")
        and hasattr(item, "callspec")
    }
    pool = ThreadPoolExecutor(max_workers=max(2, os.cpu_count() or 2))
    futures = {
        (sandboxed, key): pool.submit(run_variant, exercise, variant, sandbox=sandboxed)
        for sandboxed, cases in ((False, CASES), (True, ALTERNATIVES))
        for key, exercise, variant in cases
        if (sandboxed, key) in selected
        or (not sandboxed and (True, key) in selected)  # the run to compare with
    }  # fmt: skip
    yield futures
    pool.shutdown(wait=True, cancel_futures=True)


@pytest.mark.slow
@pytest.mark.parametrize(("exercise", "variant"), parameters(CASES))
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
@pytest.mark.parametrize(("exercise", "variant"), parameters(ALTERNATIVES))
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
