"""The hidden-test template an instructor copies (``examples/hidden/``, docs/HIDDEN_TESTS.md),
graded as ``grade --tests``: collected, gated and scored as the documentation says; what a
student sees of it, by default (name, outcome, points) and with ``--show-hidden`` (the
failure messages, a plain assert's own text included, no object's repr or address).

Graded: two k-fold submissions, each with one mistake that only one hidden test catches
(``lumps``: the remainder lumped into the last fold, which the public values tests catch too;
``unsorted``: shuffled training indices out of order, which no public test checks).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from xml.sax.saxutils import escape

import pytest
from conftest import grade, reference, submission

from grader.check.implementation import load
from grader.core.manifest import exercise_named
from grader.core.outcomes import ExerciseState, Outcome
from grader.core.paths import PROJECT_ROOT, SOLUTIONS_DIR, TESTS_DIR
from grader.grading.sessions import HIDDEN_DETAIL
from grader.results.explain import hidden_tests_lines
from grader.results.model import ExerciseResult, SubmissionResult, TestOutcome
from grader.results.stored import load_submission

TEMPLATE = PROJECT_ROOT / "examples" / "hidden" / "test_model_selection_hidden.py"
EXERCISE = "model_selection"
SIZES, SORTED = "test_fold_sizes_with_a_remainder", "test_shuffled_training_indices_are_sorted"
# What each failure says, which only --show-hidden may show.
SIZES_TEXT = "gave validation folds of sizes"
SORTED_TEXT = "not in increasing order"
OUTPUTS = ("feedback.md", "results.json", "junit.xml")

HEADER = (
    "\n\ndef k_fold_split(n_samples, k, *, shuffle=False, seed=None):\n"
    "    if not 2 <= k <= n_samples:\n"
    "        raise ValueError(f'k must satisfy 2 <= k <= n_samples (= {n_samples}), got {k}')\n"
    "    order = np.random.default_rng(seed).permutation(n_samples) if shuffle "
    "else np.arange(n_samples)\n"
)
LUMPS = HEADER + (  # [3, 3, 3, 5] for 14 in 4: the remainder in the last fold
    "    size = n_samples // k\n"
    "    stops = [size * (i + 1) for i in range(k - 1)] + [n_samples]\n"
    "    starts = [0] + stops[:-1]\n"
    "    vals = [np.sort(order[a:b]) for a, b in zip(starts, stops)]\n"
    "    return [(np.setdiff1d(np.arange(n_samples), val), val) for val in vals]\n"
)
UNSORTED = HEADER + (  # right folds; shuffled training indices in the permutation's order
    "    sizes = [n_samples // k + (i < n_samples % k) for i in range(k)]\n"
    "    folds, start = [], 0\n"
    "    for size in sizes:\n"
    "        train = np.concatenate([order[:start], order[start + size:]])\n"
    "        folds.append((train, np.sort(order[start:start + size])))\n"
    "        start += size\n"
    "    return folds\n"
)
# Beside the template: plain asserts whose messages would show an object's repr or address
# (Hypothesis's failing example names every argument, the implementation too).
PROBE = """\
import pytest
from hypothesis import given, strategies as st


@pytest.fixture(scope="module")
def ms(load_impl):
    return load_impl("model_selection")


@pytest.mark.values("k_fold_split")
@given(n_samples=st.integers(8, 30))
def test_fold_sizes_differ_by_one_at_most(ms, n_samples):
    sizes = [len(val) for _, val in ms.k_fold_split(n_samples, 4)]
    assert max(sizes) - min(sizes) <= 1


@pytest.mark.values("k_fold_split")
def test_the_last_fold_of_ten(ms):
    folds = (pair for pair in ms.k_fold_split(10, 4))
    assert len([val for _, val in folds][-1]) == 2, f"the folds {folds}"
"""


@pytest.fixture(scope="module")
def graded(tmp_path_factory) -> dict[str, Path]:
    """The class graded twice, into ``plain`` (by default) and ``shown`` (``--show-hidden``)."""
    root = tmp_path_factory.mktemp("hidden-class")
    hidden = root / "hidden"
    hidden.mkdir()
    shutil.copy(TEMPLATE, hidden / TEMPLATE.name)
    (hidden / f"test_{EXERCISE}_probe.py").write_text(PROBE, encoding="utf-8")
    submissions = root / "submissions"
    for student, mistake in (("lumps", LUMPS), ("unsorted", UNSORTED)):
        submission(submissions, student, only=[EXERCISE], model_selection=reference(EXERCISE)
                   + mistake)  # fmt: skip
    outs = {}
    for name, extra in (("plain", ()), ("shown", ("--show-hidden",))):
        outs[name] = root / name
        finished = grade(submissions, outs[name], "--tests", str(hidden), *extra)
        assert finished.returncode == 0, finished.stderr[-3000:]
    return outs


def stored(out: Path, student: str) -> SubmissionResult:
    return load_submission(out / student / "grade.json")


def exercise_of(result: SubmissionResult) -> ExerciseResult:
    return next(e for e in result.exercises if e.name == EXERCISE)


def test_the_template_passes_on_the_reference_as_docs_say_to_try_it():
    """``PYTHONPATH=tests pytest --impl solutions FOLDER`` (docs/HIDDEN_TESTS.md): the
    template's tests find tests/support.py and pass on the reference."""
    finished = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--impl", "solutions",
         str(TEMPLATE)],
        cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=300,
        env={**os.environ, "PYTHONPATH": str(TESTS_DIR)},
    )  # fmt: skip
    assert finished.returncode == 0 and "2 passed" in finished.stdout, finished.stdout[-3000:]


@pytest.mark.slow
def test_hidden_tests_are_collected_gated_and_scored_with_their_function(graded):
    for student in ("lumps", "unsorted"):
        result = stored(graded["plain"], student)
        exercise = exercise_of(result)
        hidden = {test.name: test for test in exercise.tests if test.hidden}
        assert {SIZES, SORTED} <= set(hidden), student  # collected, and known as hidden
        assert {test.function for test in hidden.values()} == {"k_fold_split"}
        # scored: k_fold_split is the exercise's one function, so its share is the exercise's
        # points, shared by every graded test of it, public or hidden, alike
        graded_tests = [test for test in exercise.tests if Outcome(test.outcome).counted]
        worth = exercise_named(EXERCISE).points / len(graded_tests)
        assert all(test.worth == pytest.approx(worth) for test in graded_tests)
        assert exercise.max_points == exercise_named(EXERCISE).points
        passed = sum(test.outcome == Outcome.PASSED for test in graded_tests)
        assert exercise.points == pytest.approx(worth * passed, abs=0.006)
        # Gradescope's hidden entry holds the hidden tests' part of those points
        document = json.loads((graded["plain"] / student / "results.json").read_text())
        (entry,) = [test for test in document["tests"] if test["extra_data"].get("hidden")]
        assert entry["max_score"] == pytest.approx(worth * len(hidden), abs=0.006)
    lumps = {test.name: test for test in exercise_of(stored(graded["plain"], "lumps")).tests}
    assert lumps[SIZES].outcome == Outcome.FAILED
    # gated: right on sorting, but k_fold_split's values are wrong, so it waits
    assert lumps[SORTED].outcome == Outcome.FAILED
    assert lumps[SORTED].message.startswith("passed, but counts once k_fold_split's values")
    unsorted = {test.name: test for test in exercise_of(stored(graded["plain"], "unsorted")).tests}
    assert unsorted[SIZES].outcome == Outcome.PASSED
    assert unsorted[SORTED].outcome == Outcome.FAILED
    public = [test for test in unsorted.values() if not test.hidden]
    assert all(test.outcome == Outcome.PASSED for test in public), "only a hidden test catches it"


@pytest.mark.slow
def test_by_default_a_student_sees_a_hidden_tests_name_outcome_and_points_only(graded):
    for student in ("lumps", "unsorted"):
        folder = graded["plain"] / student
        for name in OUTPUTS:
            text = (folder / name).read_text(encoding="utf-8")
            for secret in (SIZES_TEXT, SORTED_TEXT, "gives them in order", "<generator"):
                assert secret not in text, f"{student}/{name} shows {secret!r}"
        failed = [test for test in exercise_of(stored(graded["plain"], student)).tests
                  if test.hidden and test.outcome == Outcome.FAILED
                  and not test.message.startswith("passed, but")]  # fmt: skip
        assert failed and all(test.message == HIDDEN_DETAIL for test in failed)
        document = json.loads((folder / "results.json").read_text(encoding="utf-8"))
        (entry,) = [test for test in document["tests"] if test["extra_data"].get("hidden")]
        hidden = [test for test in exercise_of(stored(graded["plain"], student)).tests
                  if test.hidden]  # fmt: skip
        assert entry["output"] == "".join(f"- `{t.name}`: {t.outcome}\n" for t in hidden)


@pytest.mark.slow
def test_show_hidden_shows_the_messages_without_an_objects_repr(graded):
    shown = graded["shown"]
    lumps = {name: (shown / "lumps" / name).read_text(encoding="utf-8") for name in OUTPUTS}
    unsorted = {name: (shown / "unsorted" / name).read_text(encoding="utf-8") for name in OUTPUTS}
    # a plain assert: its own text, then pytest's comparison
    assert f"{SIZES_TEXT} [3, 3, 3, 5]" in lumps["junit.xml"]
    assert SIZES_TEXT in lumps["feedback.md"]
    # support.fail: the call, the problem and the hint, as the public tests word them
    for name in ("feedback.md", "junit.xml"):
        assert SORTED_TEXT in unsorted[name] and "Hint: train_idx is every sample" in unsorted[name]
    entries = json.loads(unsorted["results.json"])["tests"]
    hidden_entry = next(entry for entry in entries if entry["extra_data"].get("hidden"))
    assert SORTED_TEXT in hidden_entry["output"]  # results.json's hidden entry: the message too
    # Hypothesis's failing example names the implementation as the module under test
    probe = exercise_of(stored(shown, "lumps")).tests
    example = next(test for test in probe if test.name == "test_fold_sizes_differ_by_one_at_most")
    assert "ms=<model_selection.py under test>" in example.message
    assert escape("ms=<model_selection.py under test>") in lumps["junit.xml"]
    last = next(test for test in probe if test.name == "test_the_last_fold_of_ten")
    assert "the folds <generator object" in last.message
    for texts in (lumps, unsorted):
        for name, text in texts.items():
            for noise in (" at 0x", "SandboxedImplementation", "Implementation object"):
                assert noise not in text, f"{name}: {noise!r}"


def test_the_hidden_entry_shows_failures_only_with_details():
    """Gradescope's hidden entry (results.json): each hidden test by name and outcome; with
    ``--show-hidden`` its failure too, as the feedback words it."""
    failed = TestOutcome(EXERCISE, SORTED, Outcome.FAILED, "k_fold_split(9, 3): not sorted",
                         requires=("k_fold_split",), hidden=True, worth=0.5)  # fmt: skip
    passed = TestOutcome(EXERCISE, SIZES, Outcome.PASSED, values=("k_fold_split",), hidden=True,
                         worth=0.5)  # fmt: skip
    hidden = ExerciseResult(EXERCISE, "K-fold", 1.0, 0.5, ExerciseState.GRADED, "",
                            (passed, failed))  # fmt: skip
    names = [f"- `{SIZES}`: passed", f"- `{SORTED}`: failed"]
    assert hidden_tests_lines(hidden, details=False) == names
    shown = "\n".join(hidden_tests_lines(hidden, details=True))
    assert shown.startswith("\n".join(names)) and "k_fold_split(9, 3): not sorted" in shown


def test_an_implementation_reads_as_its_module_wherever_it_is_shown():
    assert repr(load(SOLUTIONS_DIR, EXERCISE)) == f"<{EXERCISE}.py under test>"


def test_grade_refuses_hidden_visibility_with_hidden_tests_in_one_line(tmp_path):
    """Gradescope shows the total while an entry is "hidden": the hidden tests' points would
    show at once. Refused before anything is graded (autograde and gradescope alike)."""
    (tmp_path / "class").mkdir()
    hidden = tmp_path / "hidden"
    hidden.mkdir()
    (hidden / "test_model_selection_hidden.py").write_text("", encoding="utf-8")
    result = grade(tmp_path / "class", tmp_path / "out", "--tests", str(hidden),
                   "--hidden-visibility", "hidden")  # fmt: skip
    assert result.returncode == 2 and result.stderr.count("\n") == 1, result.stderr
    assert "after_due_date or after_published" in result.stderr
    assert not (tmp_path / "out").exists()
