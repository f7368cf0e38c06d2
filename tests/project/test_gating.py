"""The gating rule (grader/core/gating.py) as the student's table counts it."""

from __future__ import annotations

from collections import Counter

from grader.core.gating import WAITING, gated_counts


def test_a_pass_that_waits_is_neither_passed_nor_failed():
    """The table's failed column is what pytest reports failed: a pass waiting for wrong values
    counts apart, as waiting (it once counted as failed: "failed 10" where pytest said 7)."""
    tests = [
        ("failed", ["softmax"], []),  # softmax's values are wrong
        ("passed", [], ["softmax"]),  # waits for them
        ("failed", [], ["softmax"]),  # fails anyway
        ("passed", ["sigmoid"], []),
        ("passed", [], ["sigmoid"]),  # sigmoid's values are right: counts
        ("not attempted", [], ["relu"]),
    ]
    assert gated_counts(tests) == Counter(
        {"failed": 2, WAITING: 1, "passed": 2, "not attempted": 1}
    )
