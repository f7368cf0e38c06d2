"""The misconception report (grader/results/misconceptions.py, misconception_report.py, issue 22
item 5): the registry is well formed and every id is proven by a planted mistake; graded as
``grade`` grades it, each planted mistake mapped here is recognised as its own misconception and
as nothing else, and every correct alternative as nothing; a class's summary, CSV and chart
count the students that showed each; nothing of the class's counts reaches a student's files.
"""

from __future__ import annotations

import csv
import importlib
import io
import os
import re
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

import pytest
from conftest import VariantRunner, grade, reference, submission
from variants import Variant

from grader.core.manifest import Exercise, load_manifest
from grader.core.outcomes import Outcome
from grader.core.paths import SOLUTIONS_DIR
from grader.core.report import TestRecord
from grader.grading.grade import RESERVED_IDS
from grader.results.explain import failed_tests, hint_of
from grader.results.formats import (
    CLASS_FORMATS,
    STORED_FILE,
    STUDENT_FORMATS,
    Options,
    write_class_files,
    write_student_files,
)
from grader.results.misconception_report import (
    MISCONCEPTIONS_CSV,
    MISCONCEPTIONS_PLOT,
    misconception_lines,
    misconceptions_csv,
    prevalence,
)
from grader.results.misconceptions import MISCONCEPTIONS, recognize
from grader.results.model import ExerciseResult, SubmissionResult, TestOutcome
from grader.results.summary import class_summary_md

MANIFEST = {exercise.name: exercise for exercise in load_manifest()}
# exercise -> {planted mistake of tests/variants/<exercise>.py -> the misconception it shows}
PLANTED = {
    "linear_regression": {
        "fit-without-the-bias-column": "least-squares-without-the-bias-column",
        "step-divides-by-a-fixed-batch-size": "gradient-not-divided-by-the-batch-size",
        "step-remembers-the-first-batch-size": "gradient-not-divided-by-the-batch-size",
        "step-sums-over-the-batch": "gradient-not-divided-by-the-batch-size",
    },
    "activations": {
        "softmax-without-max-shift": "softmax-without-max-shift",
        "log-of-softmax": "log-of-softmax",
        "tanh-exponential-formula": "tanh-by-the-exponential-formula",
        "tanh-one-minus-exp-minus-2x": "tanh-by-the-exponential-formula",
        "sigmoid-grad-of-the-output": "activation-derivative-of-the-output",
        "tanh-grad-of-the-output": "activation-derivative-of-the-output",
        "leaky-relu-grad-one-at-zero": "leaky-relu-derivative-at-zero",
        "leaky-relu-grad-zero-at-zero": "leaky-relu-derivative-at-zero",
    },
    "losses": {
        "cross-entropy-log10": "cross-entropy-in-log-base-10",
        "bce-with-logits-through-sigmoid": "bce-with-logits-through-sigmoid",
        "bce-with-logits-log-one-plus-exp": "bce-with-logits-through-sigmoid",
    },
    "optimizers": {
        "adam-no-bias-correction": "adam-without-bias-correction",
        "adam-bias-correction-on-m-only": "adam-without-bias-correction",
        "adam-bias-correction-without-power-t": "adam-bias-correction-without-the-step-count",
        "adam-bias-correction-without-power-t-general":
            "adam-bias-correction-without-the-step-count",
        "adam-step-count-not-stored": "adam-bias-correction-without-the-step-count",
        "adam-eps-inside-sqrt": "eps-inside-the-sqrt",
        "adagrad-eps-inside-sqrt": "eps-inside-the-sqrt",
        "rmsprop-eps-inside-sqrt": "eps-inside-the-sqrt",
        "adam-decoupled-weight-decay": "adam-weight-decay-decoupled",
        "adam-weight-decay-after-the-moments": "adam-weight-decay-decoupled",
        "sgd-nesterov-look-ahead-on-the-parameter": "nesterov-look-ahead-on-the-parameter",
        "sgd-nesterov-look-ahead-on-the-parameter-general": "nesterov-look-ahead-on-the-parameter",
    },
    "regularization": {
        "mask-not-rescaled": "dropout-without-rescaling",
        "dropout-not-rescaled": "dropout-without-rescaling",
        "mask-keeps-with-probability-p": "dropout-p-as-the-keep-probability",
        "dropout-also-in-evaluation": "dropout-in-evaluation-mode",
        "dropout-scales-by-keep-probability-in-evaluation": "dropout-in-evaluation-mode",
    },
    "initializers": {
        "he-variance-used-as-std": "init-variance-used-as-std",
        "xavier-normal-variance-used-as-std": "init-variance-used-as-std",
        "he-without-the-2": "he-without-the-2",
        "he-uniform-with-xavier-bound": "he-uniform-with-xavier-bound",
        "he-uses-fan-out": "fan-in-and-fan-out-swapped",
        "he-uniform-uses-fan-out": "fan-in-and-fan-out-swapped",
        "uniform-from-zero-to-a": "uniform-from-zero-to-a",
        "he-uniform-from-zero-to-a": "uniform-from-zero-to-a",
    },
    "model_selection": {
        "drops-the-remainder": "k-fold-drops-the-remainder",
        "remainder-in-the-last-fold": "k-fold-remainder-in-the-last-fold",
        "validation-samples-also-in-train": "k-fold-validation-in-train",
        "shuffle-with-the-global-rng": "k-fold-global-rng",
        "reseeds-numpy-global-rng": "k-fold-global-rng",
    },
    "metrics": {
        "accuracy-counters-never-reset": "accuracy-counters-never-reset",
        "confusion-matrix-transposed": "confusion-matrix-transposed",
        "standardize-with-train-and-test-together": "standardize-with-test-statistics",
        "standardize-each-set-with-its-own-statistics": "standardize-each-set-on-its-own",
    },
    "datasets": {
        "minibatches-drop-the-last-partial-batch": "epoch-misses-samples",
        "minibatches-sample-with-replacement": "epoch-misses-samples",
    },
    "gradient_check": {
        "forward-difference": "forward-difference",
        "divided-by-eps-not-two-eps": "central-difference-over-eps",
        "relative-error-without-the-floor": "relative-error-without-the-floor",
    },
    "mlp": {
        "relu-derivative-of-the-wrong-layer": "relu-derivative-of-the-wrong-layer",
        "gradients-summed-not-averaged": "mlp-gradients-summed-not-averaged",
        "relu-on-the-logits": "relu-on-the-logits",
        "weight-decay-on-the-biases": "weight-decay-on-the-biases",
        "dropout-backward-without-the-scale": "dropout-backward-without-the-scale",
    },
}  # fmt: skip
BY_ID = {m.id: m for m in MISCONCEPTIONS}


def variants_of(exercise: str) -> dict[str, Variant]:
    """The planted variants of ``exercise`` (tests/variants/<exercise>.py), by name."""
    return {v.name: v for v in importlib.import_module(f"variants.{exercise}").VARIANTS}


# --- the registry ------------------------------------------------------------------------------


def test_ids_are_stable_kebab_case_and_unique():
    ids = [m.id for m in MISCONCEPTIONS]
    assert len(set(ids)) == len(ids), sorted(i for i in ids if ids.count(i) > 1)
    for misconception_id in ids:
        assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", misconception_id), misconception_id


def test_each_misconception_names_an_exercise_and_is_anchored_on_a_hint():
    for m in MISCONCEPTIONS:
        assert m.exercise in MANIFEST, m.id
        assert "Hint: " in m.pattern, f"{m.id}: recognise it by the words of a hint"
        re.compile(m.pattern)
        for text in (m.title, m.note):
            assert text.strip() and "\n" not in text, m.id
        assert m.note.endswith("."), m.id


def test_every_misconception_is_proven_by_a_planted_mistake():
    assert set(PLANTED) <= set(MANIFEST)
    mapped = {misconception for planted in PLANTED.values() for misconception in planted.values()}
    assert mapped == set(BY_ID), f"no planted mistake proves {set(BY_ID) - mapped}"
    for exercise, planted in PLANTED.items():
        variants = variants_of(exercise)
        for name, misconception in planted.items():
            assert name in variants and variants[name].expect == "fail", (exercise, name)
            assert BY_ID[misconception].exercise == exercise, (exercise, name)


# --- recognition, on results built by hand -----------------------------------------------------

ADAM_HINT = (
    "adam_step(param, grad, state, lr=1.0, betas=(0.0, 0.5), eps=0.0) at step 1 of 2: values "
    "differ.\nHint: with a constant gradient g the bias-corrected averages are exactly m_hat = g "
    "and v_hat = g * g, so every step moves param by lr * sign(g) (eps = 0 here): divide m by "
    "1 - beta1**t and v by 1 - beta2**t"
)
DROPOUT_HINT = (
    "dropout(x, p=0.2, generator=g): values differ.\nHint: multiply x by a mask of 0s and "
    "1/(1 - p)s (inverted dropout): kept entries are rescaled by 1/(1 - p), dropped ones are "
    "exactly 0"
)


def exercise_with(name: str, *failures: str, passed: int = 1) -> ExerciseResult:
    """An exercise graded with ``passed`` tests passed and one failed test per message."""
    tests = [TestOutcome(name, f"test_ok[{i}]", Outcome.PASSED) for i in range(passed)]
    tests += [TestOutcome(name, f"test_bad[{i}]", Outcome.FAILED, message)
              for i, message in enumerate(failures)]  # fmt: skip
    return ExerciseResult.from_tests(name, MANIFEST[name].title, MANIFEST[name].points, tests)


def student(name: str, *exercises: ExerciseResult) -> SubmissionResult:
    return SubmissionResult(name, "graded", "", exercises)


def test_recognize_reads_the_failed_tests_of_its_own_exercise():
    assert [m.id for m in recognize(exercise_with("optimizers", ADAM_HINT, ADAM_HINT))] == [
        "adam-without-bias-correction"
    ]
    passed = ExerciseResult.from_tests(
        "optimizers", "Optimizers", 10, [TestOutcome("optimizers", "t", Outcome.PASSED, ADAM_HINT)]
    )
    assert recognize(passed) == []  # a passed test's text is no failure
    assert recognize(exercise_with("regularization", ADAM_HINT)) == []  # another exercise's hint
    assert recognize(exercise_with("optimizers", "adam_step(...): values differ")) == []


# --- the class's report ------------------------------------------------------------------------


def hand_built_class() -> list[SubmissionResult]:
    """one: Adam without bias correction; "=two" (an id a spreadsheet would run): that and
    dropout without rescaling; three: neither; a submission that could not be graded."""
    return [
        student("s-one", exercise_with("optimizers", ADAM_HINT), exercise_with("regularization")),
        student("=s-two", exercise_with("optimizers", ADAM_HINT, ADAM_HINT),
                exercise_with("regularization", DROPOUT_HINT)),
        student("s-three", exercise_with("optimizers"), exercise_with("regularization")),
        SubmissionResult("broken", "error", "not a zip", ()),
    ]  # fmt: skip


def test_the_class_report_counts_the_graded_students_showing_each(tmp_path):
    results = hand_built_class()
    found = {p.misconception.id: p for p in prevalence(results)}
    assert {m.id for m in MISCONCEPTIONS if m.exercise in ("optimizers", "regularization")} == set(
        found
    )  # every misconception of the exercises graded, those nobody showed too
    assert found["adam-without-bias-correction"].students == ("=s-two", "s-one")
    assert found["dropout-without-rescaling"].students == ("=s-two",)
    assert all(p.graded == 3 for p in found.values())  # the error counts in no share
    assert sum(1 for p in found.values() if p.students) == 2

    section = "\n".join(misconception_lines(results))
    assert "## Misconceptions" in section and "3 graded submissions" in section
    adam, dropout = BY_ID["adam-without-bias-correction"], BY_ID["dropout-without-rescaling"]
    assert f"**{adam.title}**: 67% (2 of 3)" in section
    assert "1/(1 - p) rescaling**: 33% (1 of 3)" in section
    assert section.index("`optimizers`") < section.index("`regularization`")  # teaching order
    assert "s-one" not in section  # the summary counts; the CSV names
    summary = class_summary_md(results)
    assert section in summary
    assert summary.index("## Misconceptions") < summary.index("## Submissions that could not")

    rows = list(csv.DictReader(io.StringIO(misconceptions_csv(results))))
    assert [row["misconception"] for row in rows] == list(found)
    adam_row = next(row for row in rows if row["misconception"] == adam.id)
    assert adam_row == {
        "misconception": adam.id, "exercise": "optimizers", "title": adam.title,
        "note": adam.note, "count": "2", "share": "0.6667", "students": "'=s-two; s-one",
    }  # fmt: skip
    assert next(row for row in rows if row["misconception"] == dropout.id)["count"] == "1"

    write_class_files(results, tmp_path)
    assert (tmp_path / MISCONCEPTIONS_PLOT).read_bytes().startswith(b"\x89PNG")
    written = (tmp_path / MISCONCEPTIONS_CSV).read_bytes().decode("utf-8")
    assert written == misconceptions_csv(results)


def test_a_class_without_misconceptions_says_so(tmp_path):
    results = [student("s-three", exercise_with("optimizers"))]
    assert misconception_lines(results)[-1] == "None recognised."
    rows = list(csv.DictReader(io.StringIO(misconceptions_csv(results))))
    assert rows and {row["count"] for row in rows} == {"0"}
    write_class_files(results, tmp_path)
    assert (tmp_path / MISCONCEPTIONS_PLOT).read_bytes().startswith(b"\x89PNG")


def test_nothing_of_the_class_reaches_a_students_files(tmp_path):
    """A student's files are the student formats and the stored result: the class's files
    (which name students) are written only to OUT, and no student may take their names."""
    assert {MISCONCEPTIONS_CSV, MISCONCEPTIONS_PLOT} <= set(CLASS_FORMATS)
    assert {MISCONCEPTIONS_CSV, MISCONCEPTIONS_PLOT} <= RESERVED_IDS
    assert not set(CLASS_FORMATS) & {*STUDENT_FORMATS, STORED_FILE}
    results = hand_built_class()
    write_student_files(results[1], tmp_path, Options())
    assert sorted(os.listdir(tmp_path)) == sorted([*STUDENT_FORMATS, STORED_FILE])
    for name in STUDENT_FORMATS:
        text = (tmp_path / name).read_text(encoding="utf-8")
        assert "isconception" not in text and "s-one" not in text, name
        assert not any(m.title in text or m.note in text for m in MISCONCEPTIONS), name


# --- the planted variants, graded --------------------------------------------------------------

# (id, exercise, variant): the mapped planted mistakes. The correct alternatives are not run
# here: test_variants shows they pass, and a passing test names no misconception.
CASES = [
    (f"{exercise.name}:{variant.name}", exercise, variant)
    for exercise in MANIFEST.values()
    for variant in variants_of(exercise.name).values()
    if variant.name in PLANTED.get(exercise.name, {})
]


@pytest.fixture(scope="module")
def graded(request, run_variant: VariantRunner) -> dict[str, Future]:
    """Every selected case started at once, each run whole (every test of the functions it
    touches, past the first failure), one warm fork server per core."""
    test = "test_a_planted_variant_is_recognised_as_itself"
    selected = {item.callspec.id for item in request.session.items
                if item.originalname == test}  # fmt: skip
    pool = ThreadPoolExecutor(max_workers=max(2, os.cpu_count() or 2))
    futures = {key: pool.submit(run_variant, exercise, variant, whole=True)
               for key, exercise, variant in CASES if key in selected}  # fmt: skip
    yield futures
    pool.shutdown(wait=True, cancel_futures=True)


def exercise_result(exercise: Exercise, records: list[dict]) -> ExerciseResult:
    """The exercise's result from the report's records, as ``grade`` builds it (gated)."""
    tests = [TestOutcome.from_record(TestRecord.from_json(record), False) for record in records]
    return ExerciseResult.from_tests(
        exercise.name, exercise.title, exercise.points, tests,
        function_points=exercise.function_points,
    )  # fmt: skip


@pytest.mark.slow
@pytest.mark.parametrize(
    ("exercise", "variant"), [pytest.param(e, v, id=key) for key, e, v in CASES]
)
def test_a_planted_variant_is_recognised_as_itself(graded, request, exercise, variant: Variant):
    _, output, records = graded[request.node.callspec.id].result()
    result = exercise_result(exercise, records)
    recognized = [m.id for m in recognize(result)]
    wanted = [PLANTED[exercise.name][variant.name]]
    hints = sorted({hint_of(test.message) for test in failed_tests(result)})
    shown = "\n".join([f"shows {recognized}; the hints of its failures:", *hints])
    assert recognized == wanted, f"{shown}\n{output[-2000:]}"


# --- a class of planted mistakes, graded together ----------------------------------------------

CLASS = {  # student -> {exercise: the planted mistake it carries, or None for the reference}
    "reference": {"optimizers": None, "regularization": None, "model_selection": None},
    "adam": {"optimizers": "adam-no-bias-correction", "regularization": None},
    "adam-and-dropout": {"optimizers": "adam-bias-correction-on-m-only",
                         "regularization": "mask-not-rescaled"},
    "kfold-and-eps": {"optimizers": "adagrad-eps-inside-sqrt",
                      "model_selection": "drops-the-remainder"},
}  # fmt: skip


@pytest.mark.slow
def test_a_class_of_planted_mistakes_is_summed_up(tmp_path):
    """Graded with ``grade``: misconceptions.csv names each misconception's students, the
    summary gives their share of the class, the reference shows none."""
    submissions = tmp_path / "submissions"
    for name, planted in CLASS.items():
        sources = {exercise: f"{reference(exercise)}\n\n{variants_of(exercise)[mistake].source}"
                   for exercise, mistake in planted.items() if mistake}  # fmt: skip
        submission(submissions, name, base=SOLUTIONS_DIR, only=list(planted), **sources)
    out = tmp_path / "out"
    result = grade(submissions, out, "--timeout", "120")
    assert result.returncode == 0, result.stderr[-3000:]

    with (out / MISCONCEPTIONS_CSV).open(newline="", encoding="utf-8") as handle:
        rows = {row["misconception"]: row for row in csv.DictReader(handle)}
    shown = {key: row["students"] for key, row in rows.items() if row["count"] != "0"}
    assert shown == {
        "adam-without-bias-correction": "adam; adam-and-dropout",
        "eps-inside-the-sqrt": "kfold-and-eps",
        "dropout-without-rescaling": "adam-and-dropout",
        "k-fold-drops-the-remainder": "kfold-and-eps",
    }
    assert rows["adam-without-bias-correction"]["share"] == "0.5000"
    summary = (out / "summary.md").read_text(encoding="utf-8")
    assert f"**{BY_ID['adam-without-bias-correction'].title}**: 50% (2 of 4)" in summary
    assert f"**{BY_ID['k-fold-drops-the-remainder'].title}**: 25% (1 of 4)" in summary
    assert (out / MISCONCEPTIONS_PLOT).read_bytes().startswith(b"\x89PNG")
    for name in CLASS:
        assert sorted(os.listdir(out / name)) == sorted([*STUDENT_FORMATS, STORED_FILE])
        feedback = Path(out / name / "feedback.md").read_text(encoding="utf-8")
        assert not any(m.title in feedback for m in MISCONCEPTIONS), name
