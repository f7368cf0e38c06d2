"""The pytest plugin as a student meets it: --impl, not attempted, the summary table.

Each test runs pytest in a subprocess (a few seconds each): marked slow, run in CI.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import torch
from conftest import reference, run_grader

from grader.core.manifest import load_manifest
from grader.core.paths import PROJECT_ROOT

SOLUTION = reference("activations")
STUB = (PROJECT_ROOT / "exercises" / "activations.py").read_text(encoding="utf-8")


def run_pytest(*args: str, cwd=None) -> subprocess.CompletedProcess[str]:
    command = [
        sys.executable,
        "-m",
        "pytest",
        "-p",
        "no:cacheprovider",
        "-q",
        "--rootdir",
        str(PROJECT_ROOT),
        "-c",
        str(PROJECT_ROOT / "pyproject.toml"),
        *args,
    ]
    return subprocess.run(
        command, cwd=cwd or PROJECT_ROOT, capture_output=True, text=True, timeout=300
    )


def summary_row(output: str, exercise: str) -> tuple[int, int, int, int, int]:
    """(passed, graded, failed, waiting, not attempted) from the exercise summary table."""
    row = rf"^\s*\d+\s+{exercise}\s+(\d+)/(\d+)\s+(\d+)\s+(\d+)\s+(\d+)"
    match = re.search(row, output, re.MULTILINE)
    assert match, f"no summary row for {exercise}:\n{output[-3000:]}"
    return tuple(int(group) for group in match.groups())  # type: ignore[return-value]


ACTIVATION_TESTS = str(PROJECT_ROOT / "tests" / "test_activations.py")
MLP_TESTS = str(PROJECT_ROOT / "tests" / "test_mlp.py")
pytestmark = pytest.mark.slow


def test_empty_submission_is_not_attempted_and_passes_the_run(tmp_path):
    result = run_pytest(f"--impl={tmp_path}", ACTIVATION_TESTS, cwd=tmp_path)
    passed, graded, failed, waiting, not_attempted = summary_row(result.stdout, "activations")
    assert result.returncode == 0, result.stdout[-3000:]
    assert (passed, failed, waiting) == (0, 0, 0) and not_attempted == graded > 0


def test_partly_done_module_counts_each_function(tmp_path):
    sigmoid = SOLUTION[SOLUTION.index("def sigmoid(") : SOLUTION.index("def sigmoid_grad(")]
    (tmp_path / "activations.py").write_text(STUB + "\n\n" + sigmoid, encoding="utf-8")
    result = run_pytest(f"--impl={tmp_path}", ACTIVATION_TESTS, cwd=tmp_path)
    passed, graded, failed, waiting, not_attempted = summary_row(result.stdout, "activations")
    assert result.returncode == 0, result.stdout[-3000:]
    assert failed == waiting == 0 and 0 < passed < graded and passed + not_attempted == graded
    assert "next: activations" in result.stdout and "edit exercises/" not in result.stdout


def test_not_implemented_from_a_library_is_a_failure_not_a_skip(tmp_path):
    source = SOLUTION + (
        "\n\nimport numbers\n\n"
        "def relu(x):\n"
        "    return numbers.Complex.real.fget(x)  # raises NotImplementedError inside numbers.py\n"
    )
    (tmp_path / "activations.py").write_text(source, encoding="utf-8")
    result = run_pytest(
        f"--impl={tmp_path}",
        ACTIVATION_TESTS,
        "-k",
        "relu and not grad and not leaky",
        cwd=tmp_path,
    )
    _, graded, failed, _, not_attempted = summary_row(result.stdout, "activations")
    assert result.returncode == 1 and failed == graded and not_attempted == 0
    assert "your code raised NotImplementedError" in result.stdout
    line = SOLUTION.count("\n") + 6  # the return line of the appended relu
    assert f"at activations.py, line {line}: return numbers.Complex.real.fget(x)" in result.stdout


# pytest's traceback, which a student must never meet: the test's source, its arguments (`act =
# <grader.check.implementation.Implementation object at 0x...>`), a chained exception
TRACEBACK = re.compile(r"^\s*def test_|object at 0x|During handling of the above|^Traceback", re.M)
ENDINGS = """
import pytest
import torch


@pytest.fixture
def act(load_impl):
    return load_impl("activations")


def test_an_assertion_of_the_test(act):
    assert act.sigmoid(torch.zeros(1)).item() == 0.25, "sigmoid(0) is not 0.25"


def test_a_failure_while_handling_the_students_error(act):
    try:
        act.relu(torch.zeros(1))
    except EOFError as error:
        pytest.fail(f"relu raised EOFError({error})\\nHint: read no input", pytrace=False)


def test_an_error_of_the_test_on_what_came_back(act):
    low, high = act.sigmoid(torch.zeros(1))
"""


def test_every_failure_is_a_message_never_a_traceback(tmp_path):
    """However an exercise test ends (its assertion, its failure raised while handling the
    student's error, an error of its own code on what came back), the student reads a message
    (with the line it is about), never pytest's traceback: pytest's default --tb=auto printed
    the whole test and its arguments, and "During handling of the above exception" with the
    student's error before the hint."""
    impl = tmp_path / "impl"
    impl.mkdir()
    relu = "def relu(x):\n    raise EOFError('EOF when reading a line')\n"
    (impl / "activations.py").write_text(f"{SOLUTION}\n\n{relu}", encoding="utf-8")
    tests = tmp_path / "test_activations_endings.py"  # a hidden test module's name: activations
    tests.write_text(ENDINGS, encoding="utf-8")
    result = run_pytest(f"--impl={impl}", str(tests), cwd=tmp_path)
    assert result.returncode == 1 and "3 failed" in result.stdout, result.stdout[-3000:]
    assert not TRACEBACK.search(result.stdout), result.stdout
    line = SOLUTION.count("\n") + 4  # the raise of the appended relu
    assertion, unpacking = (ENDINGS.splitlines().index(f"    {code}") + 1 for code in (
        'assert act.sigmoid(torch.zeros(1)).item() == 0.25, "sigmoid(0) is not 0.25"',
        "low, high = act.sigmoid(torch.zeros(1))",
    ))  # fmt: skip
    for said in (
        "AssertionError: sigmoid(0) is not 0.25\n    assert 0.5 == 0.25\n  at "
        f"test_activations_endings.py, line {assertion}: assert act.sigmoid(torch.zeros(1))",
        "relu raised EOFError(EOF when reading a line)\nHint: read no input\n  (EOFError raised "
        f"at activations.py, line {line}: raise EOFError('EOF when reading a line'))",
        "ValueError: not enough values to unpack (expected 2, got 1)\n  at "
        f"test_activations_endings.py, line {unpacking}: low, high = act.sigmoid(torch.zeros(1))",
    ):
        assert said in result.stdout, f"{said!r} not in:\n{result.stdout}"


def plant_a_wrong_history(folder: Path) -> None:
    """The reference MLP whose train_mlp returns each epoch's loss 1 % too high."""
    mlp = reference("mlp")
    (folder / "mlp.py").write_text(
        f"{mlp}\n\n_train_mlp = train_mlp\n\n\ndef train_mlp(*args, **kwargs):\n"
        "    params, history = _train_mlp(*args, **kwargs)\n"
        "    return params, [loss * 1.01 for loss in history]\n",
        encoding="utf-8",
    )


def test_a_wrong_training_history_fails_with_its_hint_alone(tmp_path):
    """The train_mlp history checks printed the whole test and `mlp = <... object at 0x...>`
    before their message (an AssertionError of torch.testing.assert_close)."""
    plant_a_wrong_history(tmp_path)
    result = run_pytest(f"--impl={tmp_path}", "-k", "documented", MLP_TESTS, cwd=tmp_path)
    assert result.returncode == 1 and "2 failed" in result.stdout, result.stdout[-3000:]
    assert not TRACEBACK.search(result.stdout), result.stdout
    assert "train_mlp(epochs=3, batch_size=5): history is [" in result.stdout
    assert "Hint: history[e] is the mean loss over all N samples" in result.stdout
    assert "dropout=0.3): history is [" in result.stdout
    assert "Hint: the data loss of each minibatch's forward pass WITH" in result.stdout


def test_the_table_counts_failures_as_pytest_does_and_waiting_passes_apart(tmp_path):
    """train_mlp's values are wrong: its tests that pass wait for them, and count neither as
    passed nor as failed. The table once said "failed 10" where pytest said 7 failed."""
    plant_a_wrong_history(tmp_path)
    result = run_pytest(f"--impl={tmp_path}", MLP_TESTS, cwd=tmp_path)
    counted = re.search(r"^(\d+) failed, (\d+) passed", result.stdout, re.MULTILINE)
    assert result.returncode == 1 and counted, result.stdout[-3000:]
    passed, graded, failed, waiting, not_attempted = summary_row(result.stdout, "mlp")
    assert failed == int(counted.group(1)) and passed + waiting == int(counted.group(2))
    assert waiting > 0 and not_attempted == 0 and passed + failed + waiting == graded
    assert "waiting: passing tests that count once" in result.stdout


def test_syntax_error_is_a_clear_failure(tmp_path):
    (tmp_path / "activations.py").write_text("def sigmoid(x:\n", encoding="utf-8")
    result = run_pytest(f"--impl={tmp_path}", ACTIVATION_TESTS, "-k", "sigmoid", cwd=tmp_path)
    assert result.returncode == 1
    assert "activations.py does not parse" in result.stdout
    assert "Traceback" not in result.stdout and "grader/" not in result.stdout


def test_unknown_impl_is_a_usage_error(tmp_path):
    result = run_pytest(f"--impl={tmp_path / 'missing'}", ACTIVATION_TESTS)
    assert result.returncode == 4
    assert "expected exercises (yours), solutions (the reference) or a directory" in result.stderr


def test_student_check_of_the_stubs_runs_to_the_end_with_nothing_attempted():
    result = run_grader("check")
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    for exercise in load_manifest():
        passed, graded, failed, waiting, not_attempted = summary_row(result.stdout, exercise.name)
        assert (passed, failed, waiting) == (0, 0, 0) and not_attempted == graded > 0, exercise.name
    first = load_manifest()[0]
    assert f"next: {first.name} ({first.title})" in result.stdout
    assert f"- edit exercises/{first.name}.py" in result.stdout


@pytest.mark.slow
@pytest.mark.skipif(sys.platform != "linux", reason="the sandbox uses Linux limits")
def test_an_exercise_past_its_time_limit_is_reported_even_at_its_last_test(tmp_path):
    """--exercise-timeout: a hang in the exercise's last test must still mark the exercise as
    timed out (not as an ordinary failure, which would keep the points of the tests before)."""
    import json

    impl = tmp_path / "impl"
    impl.mkdir()
    (impl / "model_selection.py").write_text(
        "def k_fold_split(n_samples, k, *, shuffle=False, seed=None):\n"
        "    while shuffle:\n        pass\n    return []\n",
        encoding="utf-8",
    )
    tests = tmp_path / "tests"
    tests.mkdir()
    (tests / "test_model_selection_hidden.py").write_text(
        "def test_quick(load_impl):\n"
        "    assert load_impl('model_selection').k_fold_split(4, 2) == []\n\n"
        "def test_hangs(load_impl):\n"
        "    load_impl('model_selection').k_fold_split(4, 2, shuffle=True)\n",
        encoding="utf-8",
    )
    report = tmp_path / "report.jsonl"
    result = run_pytest(
        f"--impl={impl}", "--sandbox", "--exercise-timeout=2", f"--report-json={report}",
        str(tests / "test_model_selection_hidden.py"), cwd=tmp_path,
    )  # fmt: skip
    records = [json.loads(line) for line in report.read_text().splitlines()]
    outcomes = [r["test"]["outcome"] for r in records if "test" in r]
    assert outcomes == ["passed", "failed"], result.stdout[-2000:]
    assert {"timeout": {"exercise": "model_selection", "seconds": 2.0}} in records


@pytest.mark.slow
@pytest.mark.skipif(sys.platform != "linux", reason="the sandbox uses Linux limits")
def test_timing_a_partly_done_exercise_does_not_touch_the_next_one(tmp_path):
    """--timings times an exercise's key function once its tests are done. Here it is still a
    stub (softmax) while other functions pass: no timing, and the next exercise's tests run as
    usual (a stub's skip escaping from the timing once skipped every one of them)."""
    import json

    start, end = SOLUTION.index("def softmax("), SOLUTION.index("def log_softmax(")
    stub = "def softmax(x, dim=-1):\n    raise NotImplementedError('not written yet')\n\n\n"
    (tmp_path / "activations.py").write_text(SOLUTION[:start] + stub + SOLUTION[end:])
    losses = reference("losses")
    (tmp_path / "losses.py").write_text(losses, encoding="utf-8")
    report = tmp_path / "report.jsonl"
    result = run_pytest(
        f"--impl={tmp_path}", "--sandbox", "--timings", f"--report-json={report}",
        ACTIVATION_TESTS, str(PROJECT_ROOT / "tests" / "test_losses.py"), cwd=tmp_path,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout[-3000:]
    records = [json.loads(line) for line in report.read_text().splitlines()]
    tests = [record["test"] for record in records if "test" in record]
    assert {test["outcome"] for test in tests if test["exercise"] == "losses"} == {"passed"}
    timed = {r["timing"]["exercise"] for r in records if "timing" in r}
    assert timed == {"losses"}


def test_a_partial_run_shows_no_points_for_the_exercise(tmp_path):
    """`pytest -m activations -k sigmoid` on a module with only sigmoid done must not print
    10/10: the score counts every test of the exercise, as grading does."""
    sigmoid = SOLUTION[SOLUTION.index("def sigmoid(") : SOLUTION.index("def sigmoid_grad(")]
    (tmp_path / "activations.py").write_text(STUB + "\n\n" + sigmoid, encoding="utf-8")
    result = run_pytest(f"--impl={tmp_path}", "-k", "sigmoid and not grad", ACTIVATION_TESTS,
                        cwd=tmp_path)  # fmt: skip
    assert result.returncode == 0, result.stdout[-3000:]
    row = re.search(r"^\s*\d+\s+activations\s+.*$", result.stdout, re.MULTILINE)
    assert row and "partial/10" in row.group(0) and "10.0/10" not in row.group(0), result.stdout
    assert "partial run (activations: " in result.stdout and "chosen with -k)" in result.stdout
    total = re.search(r"^\s+total\s+(\S+)$", result.stdout, re.MULTILINE)
    assert total and total.group(1) == "partial/10", result.stdout  # not 0.0/10


RELU_VALUES = "tests/test_activations.py::test_relu_matches_torch_on_ordinary_inputs"


@pytest.mark.parametrize(
    ("selection", "named"),
    [
        (["-m", "values", ACTIVATION_TESTS], "-m"),
        (["-k", "relu and not leaky", ACTIVATION_TESTS], "-k"),
        ([f"--deselect={RELU_VALUES}", ACTIVATION_TESTS], "--deselect"),
        ([str(PROJECT_ROOT / RELU_VALUES)], "test ids"),
    ],
    ids=["-m", "-k", "--deselect", "test-id"],
)
def test_a_partial_run_names_the_option_that_chose_its_tests(selection, named):
    """Every selected test passes, yet the exercise and the total say "partial", not a score of
    the tests that ran (nor 0.0 for the total), and the note names what chose the tests: -m
    alone once got a note about -k; a test id named on the command line once got full marks
    for one test."""
    result = run_pytest("--impl=solutions", *selection)
    assert result.returncode == 0, result.stdout[-3000:]
    row = re.search(r"^\s*\d+\s+activations\s+.*?(\S+)$", result.stdout, re.MULTILINE)
    total = re.search(r"^\s+total\s+(\S+)$", result.stdout, re.MULTILINE)
    assert row and total and row.group(1) == total.group(1) == "partial/10", result.stdout
    note_line = r"^partial run \(activations: \d+ of its.*, chosen with (.*?)\):"
    note = re.search(note_line, result.stdout, re.MULTILINE)
    assert note and note.group(1) == named, result.stdout[-3000:]


def test_cuda_tests_count_only_with_device_cuda(tmp_path):
    """The tests that count are chosen by --device, never by the machine: with the default
    (cpu) no CUDA test is collected, GPU or not."""
    result = run_pytest("--impl=solutions", "--collect-only", ACTIVATION_TESTS)
    assert result.returncode == 0, result.stdout[-3000:]
    assert "-cpu]" in result.stdout and "cuda]" not in result.stdout
    cuda = run_pytest("--impl=solutions", "--device=cuda", "--collect-only", ACTIVATION_TESTS)
    if torch.cuda.is_available():
        assert cuda.returncode == 0 and "cuda]" in cuda.stdout
    else:
        assert cuda.returncode != 0 and "this machine has no CUDA device" in cuda.stderr


def test_property_examples_do_not_depend_on_what_else_is_imported(tmp_path_factory, monkeypatch):
    """Hypothesis mixes into its examples constants it finds in the source of every "local"
    module imported so far (test files aside): the grader's own modules among them. Which
    those are differs between a student's ``python -m grader check`` and a grading session
    (forked from another process, importing other modules): the examples, and so a borderline
    outcome, would differ between the two. The plugin turns it off: the examples come from the
    test alone."""
    import importlib.util

    from hypothesis.internal.conjecture import providers

    module_file = tmp_path_factory.mktemp("grader") / "helpers.py"
    module_file.write_text("LIMIT = 918273.645\nNAME = 'a-distinctive-constant'\n")
    spec = importlib.util.spec_from_file_location("helpers_seen_by_hypothesis", module_file)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, "helpers_seen_by_hypothesis", module)
    spec.loader.exec_module(module)
    constants = providers._get_local_constants()
    assert 918273.645 not in constants.floats
    assert "a-distinctive-constant" not in constants.strings


def test_an_installed_plugin_is_not_loaded_unasked(tmp_path):
    """An outcome must not depend on what else is installed: a plugin registered the usual way
    (a pytest11 entry point) stays out of the run unless named with -p."""
    site = tmp_path / "site"
    info = site / "spoiler-1.0.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: spoiler\nVersion: 1.0\n")
    (info / "entry_points.txt").write_text("[pytest11]\nspoiler = spoiler_plugin\n")
    (site / "spoiler_plugin.py").write_text(
        "def pytest_runtest_setup(item):\n"
        "    raise RuntimeError('an installed plugin was loaded unasked')\n"
    )
    env = {**os.environ, "PYTHONPATH": str(site)}
    args = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--impl=solutions",
            "tests/test_losses.py", "-k", "mse_loss and matches_torch"]  # fmt: skip
    unasked = subprocess.run(args, cwd=PROJECT_ROOT, env=env, capture_output=True, text=True,
                             timeout=300)  # fmt: skip
    assert unasked.returncode == 0 and "loaded unasked" not in unasked.stdout, unasked.stdout
    asked = subprocess.run([*args, "-p", "spoiler_plugin"], cwd=PROJECT_ROOT, env=env,
                           capture_output=True, text=True, timeout=300)  # fmt: skip
    assert asked.returncode == 1 and "loaded unasked" in asked.stdout, asked.stdout[-2000:]
