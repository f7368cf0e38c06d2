"""Wrong values earn nothing (grader/core/gating.py), for every exercise.

Type-perfect garbage (tests/variants/garbage.py: zeros, NaN, values off by 1 %, an input
echoed) in every function of an exercise earns 0 points on it; the same garbage in ONE
function (the others right) fails every test of that function. And every exercise test says
which function's values it checks or waits for, so that no test can pass on garbage unnoticed.

Only the value tests are run (``-k values``): every other test waits for them, so when they all
fail, everything fails (the gating itself is tested in tests/project/test_results.py). That
keeps the 60-odd sessions here to a few minutes.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

import pytest
from conftest import VariantRunner, reference
from variants import Variant
from variants.garbage import KINDS, garbage_source

from grader.core.gating import VALUES_MARKER
from grader.core.manifest import load_manifest
from grader.core.paths import PROJECT_ROOT
from grader.results.model import ExerciseResult, TestOutcome

pytestmark = pytest.mark.slow
EXERCISES = {exercise.name: exercise for exercise in load_manifest()}


def public_functions(exercise: str) -> list[str]:
    """The functions a student writes: the reference module's own top-level functions."""
    tree = ast.parse(reference(exercise))
    return [node.name for node in tree.body
            if isinstance(node, ast.FunctionDef) and not node.name.startswith("_")]  # fmt: skip


ALL_GARBAGE = [
    pytest.param(name, kind, id=f"{name}:{kind}") for name in EXERCISES for kind in KINDS
]
ONE_FUNCTION = [
    pytest.param(name, function, id=f"{name}:{function}")
    for name in EXERCISES
    for function in public_functions(name)
]


@pytest.fixture(scope="module")
def runs(request, run_variant: VariantRunner):
    """Every selected run at once, two at a time (each a forked pytest session)."""
    jobs = {}
    for item in request.session.items:
        if not hasattr(item, "callspec") or item.module is not request.module:
            continue
        exercise, second = item.callspec.params.values()
        functions = public_functions(exercise) if second in KINDS else [second]
        kind = second if second in KINDS else "zeros"
        variant = Variant(f"garbage-{second}", garbage_source(functions, kind), expect="pass",
                          select=VALUES_MARKER)  # fmt: skip
        jobs[item.callspec.id] = (EXERCISES[exercise], variant)
    with ThreadPoolExecutor(max_workers=2) as pool:
        futures = {key: pool.submit(run_variant, *job) for key, job in jobs.items()}
        yield futures


def outcomes(records: list[dict]) -> list[TestOutcome]:
    """The report's test records as grade reads them (the module file name aside)."""
    return [TestOutcome(**{k: v for k, v in record.items() if k != "file"}) for record in records]


@pytest.mark.parametrize(("exercise", "kind"), ALL_GARBAGE)
def test_garbage_in_every_function_earns_nothing(runs, request, exercise, kind):
    _, output, records = runs[request.node.callspec.id].result()
    tests = outcomes(records)
    assert any(test.values for test in tests), output[-3000:]
    result = ExerciseResult.from_tests(exercise, exercise, EXERCISES[exercise].points, tests)
    passed = [test.name for test in result.tests if test.outcome == "passed"]
    assert result.points == 0, f"{kind} garbage earns {result.points}: {passed[:20]}"


@pytest.mark.parametrize(("exercise", "function"), ONE_FUNCTION)
def test_garbage_in_one_function_fails_all_its_tests(runs, request, exercise, function):
    _, _, records = runs[request.node.callspec.id].result()
    tests = ExerciseResult.from_tests(
        exercise, exercise, EXERCISES[exercise].points, outcomes(records)
    ).tests
    mine = [test for test in tests if function in test.values + test.requires]
    assert any(function in test.values for test in mine), f"no test checks {function}'s values"
    passed = [test.name for test in mine if test.outcome == "passed"]
    assert not passed, f"garbage {function} passes: {passed[:20]}"


def test_every_exercise_test_names_its_functions():
    """Each test carries values(...) or requires(...) naming functions of its own exercise."""
    tests = [str(PROJECT_ROOT / test) for exercise in load_manifest() for test in exercise.tests]
    functions = {name: public_functions(name) for name in EXERCISES}
    code = (
        "import sys, pytest\n"
        "class Check:\n"
        "    problems = []\n"
        "    def pytest_collection_finish(self, session):\n"
        "        from grader.core.manifest import exercise_for_test_file\n"
        "        from grader.core.gating import VALUES_MARKER, REQUIRES_MARKER\n"
        f"        functions = {functions!r}\n"
        "        for item in session.items:\n"
        "            names = [n for m in (VALUES_MARKER, REQUIRES_MARKER)\n"
        "                     for mark in item.iter_markers(m) for n in mark.args]\n"
        "            mine = functions[exercise_for_test_file(item.path).name]\n"
        "            if not names:\n"
        "                self.problems.append(item.nodeid + ': no values/requires marker')\n"
        "            for name in names:\n"
        "                if name not in mine:\n"
        "                    self.problems.append(f'{item.nodeid}: {name!r} not in {mine}')\n"
        "check = Check()\n"
        f"pytest.main(['-q', '--collect-only', '--impl=solutions', '--slow', *{tests!r}],\n"
        "            plugins=[check])\n"
        "print('PROBLEMS', len(check.problems))\n"
        "print('\\n'.join(check.problems[:50]))\n"
    )
    finished = subprocess.run([sys.executable, "-c", code], cwd=PROJECT_ROOT,
                              capture_output=True, text=True, timeout=600)  # fmt: skip
    assert "PROBLEMS 0" in finished.stdout, finished.stdout[-5000:] + finished.stderr[-3000:]
