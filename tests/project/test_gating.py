"""The gating rule (grader/core/gating.py) as the student's table counts it."""

from __future__ import annotations

from collections import Counter

from grader.core.gating import WAITING, GatedTest, gate, gated_counts


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
    assert gated_counts([GatedTest(*test) for test in tests]) == Counter(
        {"failed": 2, WAITING: 1, "passed": 2, "not attempted": 1}
    )


def test_a_named_answer_counts_once_a_case_whose_answer_differs_passes():
    """A constant early_stopping passes the cases whose answer is that constant: alone, they
    earn nothing; beside a passing case with another answer, they count."""
    alone = [
        GatedTest("passed", ["early_stopping"], [], answer="(0, 2)"),
        GatedTest("passed", ["early_stopping"], [], answer="(0, 2)"),
        GatedTest("failed", ["early_stopping"], [], answer="(3, 3)"),
        GatedTest("failed", ["early_stopping"], []),
    ]
    (outcome, message), *_ = gate(alone)
    assert outcome == "failed" and "(0, 2)" in message and "early_stopping" in message
    assert gated_counts(alone) == Counter({WAITING: 2, "failed": 2})
    for other in ("(3, 3)", ""):  # another named answer, or a case on random inputs
        vouched = [
            GatedTest("passed", ["early_stopping"], [], answer="(0, 2)"),
            GatedTest("passed", ["early_stopping"], [], answer=other),
        ]
        assert [outcome for outcome, _ in gate(vouched)] == ["passed", "passed"]


def test_another_function_s_pass_vouches_for_nothing():
    tests = [
        GatedTest("passed", ["dropout"], [], answer="the input"),
        GatedTest("passed", ["dropout_mask"], []),
    ]
    assert [outcome for outcome, _ in gate(tests)] == ["failed", "passed"]
