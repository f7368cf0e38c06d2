"""Points per function (grader/core/scoring.py) and the manifest's function_points."""

from __future__ import annotations

from pathlib import Path

import pytest

from grader.core.gating import GatedTest
from grader.core.manifest import load_manifest
from grader.core.scoring import exercise_points, function_shares, worths
from grader.results.model import ExerciseResult, TestOutcome, format_points


def marked(counts: dict[str, tuple[int, int]]) -> list[GatedTest]:
    """Per function, (passed, failed) values tests."""
    tests = []
    for function, (passed, failed) in counts.items():
        tests += [GatedTest("passed", [function], [])] * passed
        tests += [GatedTest("failed", [function], [])] * failed
    return tests


def test_each_function_gets_an_equal_share_whatever_its_number_of_tests():
    """softmax with 24 cases and relu with 9 weigh the same: the count no longer sets it."""
    tests = marked({"softmax": (24, 0), "relu": (0, 9)})
    assert exercise_points(10, tests) == 5.0
    tests = marked({"softmax": (0, 24), "relu": (9, 0)})
    assert exercise_points(10, tests) == 5.0
    assert exercise_points(10, marked({"softmax": (12, 12), "relu": (9, 0)})) == 7.5


def test_function_points_from_the_manifest_and_the_rest_shared_equally():
    shares = function_shares(10, ["softmax", "relu", "tanh"], {"softmax": 6})
    assert shares == {"softmax": 6, "relu": 2, "tanh": 2}
    tests = marked({"softmax": (1, 1), "relu": (3, 0), "tanh": (0, 5)})
    assert exercise_points(10, tests, {"softmax": 6}) == 5.0


def test_a_function_without_graded_tests_gives_its_share_to_the_others():
    """Its tests all skipped (say, CUDA-only on a CPU machine): full marks stay reachable."""
    tests = [*marked({"relu": (2, 0)}), GatedTest("skipped", ["softmax"], [])]
    assert worths(10, tests, {"softmax": 5}) == [5.0, 5.0, 0.0]
    assert exercise_points(10, tests, {"softmax": 5}) == 10.0


def test_a_test_shares_the_points_of_the_function_it_names_last():
    tests = [
        GatedTest("passed", ["init_mlp"], []),
        GatedTest("passed", [], ["init_mlp", "train_mlp"]),
        GatedTest("failed", [], ["init_mlp", "train_mlp"]),
    ]
    assert worths(20, tests) == [10.0, 5.0, 5.0]
    assert exercise_points(20, tests) == 15.0


def test_a_hidden_test_rescales_only_its_own_function():
    """Three hidden tests of adam_step leave sgd_step's points as they were."""
    public = [TestOutcome("optimizers", f"t{i}", "passed", values=("sgd_step",)) for i in range(5)]
    adam = [TestOutcome("optimizers", f"a{i}", "failed", values=("adam_step",)) for i in range(4)]
    hidden = [
        TestOutcome("optimizers", f"h{i}", "passed", values=("adam_step",), hidden=True)
        for i in range(3)
    ]
    before = ExerciseResult.from_tests("optimizers", "O", 10, public + adam)
    after = ExerciseResult.from_tests("optimizers", "O", 10, public + adam + hidden)
    assert before.points == 5.0
    assert after.points == round(5 + 5 * 3 / 7, 2)
    assert after.functions()[0] == before.functions()[0] == ("sgd_step", 5.0, 5.0)


def test_functions_breakdown_adds_up_to_the_exercise():
    tests = [
        TestOutcome("activations", "a", "passed", values=("softmax",)),
        TestOutcome("activations", "b", "failed", values=("softmax",)),
        TestOutcome("activations", "c", "passed", values=("relu",)),
        TestOutcome("activations", "d", "skipped", values=("relu",)),
    ]
    result = ExerciseResult.from_tests("activations", "A", 10, tests)
    assert result.functions() == [("softmax", 2.5, 5.0), ("relu", 5.0, 5.0)]
    assert result.points == 7.5


@pytest.mark.parametrize(
    ("table", "problem"),
    [
        ("function_points = { softmax = 11 }", "add up to 11, more than the exercise's 10"),
        ("function_points = { softmax = -1 }", "softmax = -1, expected a positive number"),
        ("function_points = { softmax = true }", "expected a positive number"),
        ('function_points = "softmax"', "must be a table"),
    ],
)
def test_bad_function_points_are_refused_with_a_message(tmp_path: Path, table, problem):
    manifest = tmp_path / "manifest.toml"
    manifest.write_text(
        '[[exercise]]\nname = "activations"\ntitle = "A"\npoints = 10\n'
        f'tests = ["tests/test_activations.py"]\n{table}\n',
        encoding="utf-8",
    )
    with pytest.raises(ValueError, match="manifest: exercise 'activations': function_points"):
        load_manifest(manifest)
    with pytest.raises(ValueError) as raised:
        load_manifest.__wrapped__(manifest)
    assert problem in str(raised.value)


def hidden_class_result(visibility_passes: bool = True):
    """activations: sigmoid's public tests pass, its hidden ones fail; relu passes."""
    from grader.results.model import SubmissionResult

    tests = [
        TestOutcome("activations", "p1", "passed", values=("sigmoid",)),
        TestOutcome("activations", "p2", "passed", values=("sigmoid",)),
        TestOutcome(
            "activations", "h1", "failed", "hidden: not relu", values=("sigmoid",), hidden=True
        ),
        TestOutcome("activations", "r1", "passed", values=("relu",)),
    ]
    exercise = ExerciseResult.from_tests("activations", "Activations", 10, tests)
    return SubmissionResult("ada", "graded", "", (exercise,), ())


@pytest.mark.parametrize("visibility", ["after_due_date", "after_published"])
def test_the_visible_parts_of_results_json_tell_nothing_of_the_hidden_tests(visibility):
    """Gradescope hides the total while such an entry is hidden; our visible entry and summary
    must not give it away: public points, public status, public test counts."""
    import json

    from grader.results.gradescope import gradescope_json

    result = hidden_class_result()
    assert result.total == round(10 * 5 / 6, 2)  # sigmoid 2 of 3 tests: 5 * 2/3, relu 5
    document = json.loads(gradescope_json(result, visibility))
    visible, hidden = document["tests"]
    assert visible["status"] == "passed" and visible["score"] == visible["max_score"]
    assert visible["score"] == round(5 * 2 / 3 + 5, 2)
    assert hidden["visibility"] == visibility and hidden["max_score"] == round(5 / 3, 2)
    assert "All 3 tests passed" in visible["output"] and "4 tests" not in visible["output"]
    assert f"**Total: {format_points(visible['score'])} / {format_points(visible['max_score'])}" \
        in document["output"]  # fmt: skip
    assert "hidden tests' points are not shown" in document["output"]
    assert document["score"] == result.total


def test_with_visible_hidden_tests_the_summary_is_the_whole():
    import json

    from grader.results.gradescope import gradescope_json

    result = hidden_class_result()
    document = json.loads(gradescope_json(result, "visible"))
    assert f"**Total: {format_points(result.total)} / 10" in document["output"]
