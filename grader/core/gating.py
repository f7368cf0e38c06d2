"""Wrong values earn nothing: a function's other tests count only once its values are right.

Every test of an exercise is one of two kinds, by its markers (``tests/test_<exercise>.py``):

* ``@pytest.mark.values("softmax")``: it compares softmax's values with an oracle on ordinary
  inputs. Its pass means the values are right; type-perfect garbage (zeros, NaN, the input
  echoed, values off by 1 %) fails it.
* ``@pytest.mark.requires("softmax")``: everything else about softmax (the input left alone,
  dtype and device, extreme inputs, errors raised, statistics, determinism). It counts only
  once every ``values("softmax")`` test of the run passed; until then its pass is graded as
  a failure that says so ("counts once softmax's values are right"), and the student's table
  counts it as waiting.

So a module of garbage with the right types earns 0 points, and right values that, say,
modify their input still lose the points of that test. The rule is applied to the outcomes of
one run, the same way by the student's own ``pytest`` (grader/check/summary.py) and by ``grade``
(grader/results/). A test may name several functions; it then waits for all of them.
Imports only :mod:`grader.core.outcomes`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence

from grader.core.outcomes import Outcome

VALUES_MARKER = "values"
REQUIRES_MARKER = "requires"
WAITING = "waiting"  # a pass that counts once the values of the functions it waits for are right


def waiting_message(functions: Sequence[str]) -> str:
    names = " and ".join(f"{name}'s" for name in functions)
    return (
        f"passed, but counts once {names} values are right: a test of its values failed "
        "(fix that first)"
    )


def functions_with_wrong_values(
    outcomes: Iterable[tuple[str, Sequence[str]]],
) -> set[str]:
    """The functions whose values tests did not all pass: (outcome, values functions) pairs."""
    wrong: set[str] = set()
    for outcome, functions in outcomes:
        if outcome != Outcome.PASSED:
            wrong.update(functions)
    return wrong


def gated_outcome(outcome: str, requires: Sequence[str], wrong: set[str]) -> tuple[str, str]:
    """(outcome, message) of a test after gating: a pass of a test that waits for a function
    with wrong values becomes a failure; every other outcome stands (message "")."""
    waiting = [name for name in requires if name in wrong]
    if outcome == Outcome.PASSED and waiting:
        return Outcome.FAILED, waiting_message(waiting)
    return outcome, ""


def gate(tests: Sequence[tuple[str, Sequence[str], Sequence[str]]]) -> list[tuple[str, str]]:
    """The rule over one run of an exercise: for each test's (outcome, values functions,
    requires functions), its (outcome, message) after gating (message "" where unchanged)."""
    wrong = functions_with_wrong_values((outcome, values) for outcome, values, _ in tests)
    return [gated_outcome(outcome, requires, wrong) for outcome, _, requires in tests]


def gated_counts(tests: list[tuple[str, list[str], list[str]]]) -> Counter[str]:
    """The outcome counts of one exercise's tests after gating: a pass that waits counts under
    :data:`WAITING`, neither as passed nor as failed (pytest reports it passed)."""
    gated = [outcome for outcome, _ in gate(tests)]
    return Counter(
        WAITING if after != before else after
        for after, (before, _, _) in zip(gated, tests, strict=True)
    )
