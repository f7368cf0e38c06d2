"""Points: an exercise's points are shared out among its functions, and a function's among its
graded tests.

    share(f)      = the manifest's ``function_points`` for f, or, for a function it does not
                    name, an equal part of what the named ones leave of the exercise's points
    worth(test)   = share(function_of(test)) / (number of graded tests of that function)
    points        = sum of worth(test) over the tests that passed after gating

So the number of parametrizations of a function no longer sets its weight: softmax's 24 cases
and relu's 9 are each worth a tenth of ``activations`` by default. A graded test passed, failed,
errored or was not attempted; a skipped one is worth nothing. Shares are scaled to add up to the
exercise's points over the functions that have graded tests, so a function with none (every
test skipped) gives its share to the others. An instructor's hidden test joins its function's
tests and shares that function's points; it never rescales another function. Pure: imports only
:mod:`grader.core.gating` and :mod:`grader.core.outcomes`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence

from grader.core.gating import Marked, function_of, gate
from grader.core.outcomes import Outcome


def function_shares(
    points: float, functions: Sequence[str], function_points: Mapping[str, float]
) -> dict[str, float]:
    """Each of ``functions``' share of an exercise worth ``points`` (see the module's
    docstring); the shares add up to ``points`` unless every share is 0."""
    left = max(points - sum(function_points.values()), 0.0)
    rest = [name for name in functions if name not in function_points]
    shares = {
        name: function_points[name] if name in function_points else left / len(rest)
        for name in functions
    }
    total = sum(shares.values())
    if total <= 0:
        return dict.fromkeys(functions, 0.0)
    return {name: share * points / total for name, share in shares.items()}


def worths(
    points: float, tests: Sequence[Marked], function_points: Mapping[str, float] | None = None
) -> list[float]:
    """Each test's worth in an exercise worth ``points``: its function's share over that
    function's graded tests; 0 for a test that is not graded (skipped)."""
    graded = [Outcome(test.outcome).counted for test in tests]
    counts = Counter(function_of(test) for test, counted in zip(tests, graded, strict=True)
                     if counted)  # fmt: skip
    shares = function_shares(points, list(counts), function_points or {})
    return [
        shares[function_of(test)] / counts[function_of(test)] if counted else 0.0
        for test, counted in zip(tests, graded, strict=True)
    ]


def earned(worth: Sequence[float], outcomes: Sequence[str]) -> float:
    """The points of the tests that passed (after gating), to 2 decimals."""
    total = sum(w for w, outcome in zip(worth, outcomes, strict=True) if outcome == Outcome.PASSED)
    return round(total, 2) + 0.0  # + 0.0: never -0.0


def exercise_points(
    points: float, tests: Sequence[Marked], function_points: Mapping[str, float] | None = None
) -> float:
    """What one run of an exercise's tests earns: gated (:func:`grader.core.gating.gate`), each
    test worth its share (:func:`worths`)."""
    after = [outcome for outcome, _ in gate(tests)]
    return earned(worths(points, tests, function_points), after)
