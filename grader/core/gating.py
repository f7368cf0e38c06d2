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
* ``@pytest.mark.values("early_stopping", answer="(0, 2)")``: a values case whose expected
  answer a function that ignores its input could give (a constant, zeros, the input echoed:
  ``early_stopping`` on a table of epochs, ``dropout`` with ``p=0``), named. Its pass counts
  once the same function also passes a values case whose answer differs (another name, or
  none: a case on random inputs); until then it waits, as above.

So a module of garbage with the right types earns 0 points, a constant buys no points by
coincidence, and right values that, say, modify their input still lose the points of that test.
The rule is applied to the outcomes of one run, the same way by the student's own ``pytest``
(grader/check/summary.py) and by ``grade`` (grader/results/). A test may name several functions;
it then waits for all of them, and its points belong to the one it names last
(:func:`function_of`; :mod:`grader.core.scoring` shares the points out). Imports only
:mod:`grader.core.outcomes`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from typing import NamedTuple, Protocol

from grader.core.outcomes import Outcome

VALUES_MARKER = "values"
REQUIRES_MARKER = "requires"
ANSWER = "answer"  # values(..., answer="..."): the case's answer, which a constant could give
WAITING = "waiting"  # a pass that counts once the values of the functions it waits for are right


class Marked(Protocol):
    """A test's outcome and what its markers say (a GatedTest, a report's TestRecord, a stored
    TestOutcome)."""

    @property
    def outcome(self) -> str: ...
    @property
    def values(self) -> Sequence[str]: ...
    @property
    def requires(self) -> Sequence[str]: ...
    @property
    def answer(self) -> str: ...


class GatedTest(NamedTuple):
    """The least a test needs to be gated: its outcome and its markers."""

    outcome: str
    values: Sequence[str]
    requires: Sequence[str]
    answer: str = ""  # "": an answer no constant gives


def function_of(test: Marked) -> str:
    """The function a test grades, whose points it shares: the one its markers name last
    (``requires("init_mlp", "train_mlp")`` grades ``train_mlp``); "" when it names none."""
    names = [*test.values, *test.requires]
    return names[-1] if names else ""


def waiting_message(functions: Sequence[str]) -> str:
    names = " and ".join(f"{name}'s" for name in functions)
    return (
        f"passed, but counts once {names} values are right: a test of its values failed "
        "(fix that first)"
    )


def same_answer_message(functions: Sequence[str], answer: str) -> str:
    names = " and ".join(functions)
    return (
        f"passed, but its answer ({answer}) is one a function that ignores its input could give: "
        f"it counts once {names} also passes a values test whose answer differs"
    )


def functions_with_wrong_values(tests: Iterable[Marked]) -> set[str]:
    """The functions whose values tests did not all pass."""
    wrong: set[str] = set()
    for test in tests:
        if test.outcome != Outcome.PASSED:
            wrong.update(test.values)
    return wrong


def answers_passed(tests: Iterable[Marked]) -> dict[str, set[str]]:
    """Per function, the answers of its values tests that passed ("" for a case whose answer no
    constant gives)."""
    passed: dict[str, set[str]] = {}
    for test in tests:
        if test.outcome == Outcome.PASSED:
            for name in test.values:
                passed.setdefault(name, set()).add(test.answer)
    return passed


def gate(tests: Sequence[Marked]) -> list[tuple[str, str]]:
    """The rule over one run of an exercise: each test's (outcome, message) after gating
    (message "" where unchanged). A pass becomes a failure when it waits for a function with
    wrong values, or when its named answer is the only one its function got right; every
    other outcome stands."""
    wrong = functions_with_wrong_values(tests)
    answers = answers_passed(tests)
    gated = []
    for test in tests:
        waiting = [name for name in test.requires if name in wrong]
        alone = [name for name in test.values if answers.get(name, set()) <= {test.answer}]
        if test.outcome == Outcome.PASSED and waiting:
            gated.append((Outcome.FAILED, waiting_message(waiting)))
        elif test.outcome == Outcome.PASSED and test.answer and alone:
            gated.append((Outcome.FAILED, same_answer_message(alone, test.answer)))
        else:
            gated.append((test.outcome, ""))
    return gated


def gated_counts(tests: Sequence[Marked]) -> Counter[str]:
    """The outcome counts of one exercise's tests after gating: a pass that waits counts under
    :data:`WAITING`, neither as passed nor as failed (pytest reports it passed)."""
    gated = [outcome for outcome, _ in gate(tests)]
    return Counter(
        WAITING if after != test.outcome else after
        for after, test in zip(gated, tests, strict=True)
    )
