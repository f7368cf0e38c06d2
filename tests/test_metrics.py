"""Tests of exercises/metrics.py: accuracy, confusion_matrix, standardize and early_stopping.

Oracles, computed outside the student's call: scikit-learn's accuracy_score (with numpy's
argmax, first maximum on ties), confusion_matrix(y_true, y_pred, labels=range(C)) and
StandardScaler, in float64; for early stopping a small loop written here (Keras's rule in
another form: no wait counter, the best loss read back from the sequence), checked against a
table of hand-worked cases. Early-stopping losses near a min_delta boundary are dyadic
fractions, so best - min_delta and loss + min_delta are exact and every correct form of the
comparison agrees.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.metrics import accuracy_score
from sklearn.metrics import confusion_matrix as sk_confusion_matrix
from sklearn.preprocessing import StandardScaler
from support import (
    DEVICES,
    DTYPES,
    LAYOUTS,
    TOLERANCE,
    assert_like,
    assert_tensor_close,
    describe,
    fail,
    laid_out,
    layout_hint,
)
from torch import Tensor


@pytest.fixture(scope="module")
def metrics(load_impl):
    return load_impl("metrics")


def labels(n: int, c: int, seed: int) -> Tensor:
    return torch.randint(c, (n,), generator=torch.Generator().manual_seed(seed))


# --- accuracy ----------------------------------------------------------------------------------

ACCURACY_HINT = (
    "accuracy = n_correct / N: the predicted class of a row is argmax(scores[n]) and the target "
    "class is target[n] (or argmax(target[n]) for a floating (N, C) target); count the rows "
    "where they agree and divide by all N rows"
)


def class_scores(target: Tensor, c: int, dtype: torch.dtype, device: str, seed: int) -> Tensor:
    """Scores whose argmax is the target class on about 60 % of the rows (no ties)."""
    generator = torch.Generator().manual_seed(seed)
    scores = torch.randn(target.shape[0], c, generator=generator, dtype=torch.float64)
    boost = torch.rand(target.shape[0], generator=generator, dtype=torch.float64) < 0.5
    scores[torch.arange(target.shape[0]), target] += 3.0 * boost
    return scores.to(dtype=dtype, device=device)


def soft_target(target: Tensor, c: int, dtype: torch.dtype, seed: int) -> Tensor:
    """Probability rows whose largest entry is at ``target`` (0.55 there, 0.45 spread)."""
    generator = torch.Generator().manual_seed(seed)
    rest = torch.rand(target.shape[0], c, generator=generator, dtype=torch.float64) + 0.1
    rest[torch.arange(target.shape[0]), target] = 0.0
    rest = 0.45 * rest / rest.sum(dim=1, keepdim=True)
    rest[torch.arange(target.shape[0]), target] = 0.55
    assert (rest.argmax(dim=1) == target).all()  # 0.55 beats every other (<= 0.45)
    return rest.to(dtype)


def accuracy_inputs(
    n: int, c: int, kind: str, dtype: torch.dtype, device: str, seed: int
) -> tuple[Tensor, Tensor, Tensor]:
    """(scores, target as passed, target class indices) for one case."""
    classes = labels(n, c, seed)
    scores = class_scores(classes, c, dtype, device, seed + 1)
    if kind == "indices":
        target = classes
    elif kind == "one-hot":
        target = torch.zeros(n, c, dtype=torch.float64)
        target[torch.arange(n), classes] = 1.0
    else:
        target = soft_target(classes, c, torch.float64, seed + 2)
    return (
        scores,
        target.to(device=device, dtype=dtype if kind != "indices" else torch.int64),
        classes,
    )


def sklearn_accuracy(scores: Tensor, target: Tensor) -> float:
    """accuracy_score with numpy's argmax (the first maximal column on ties)."""
    predicted = np.argmax(scores.detach().cpu().double().numpy(), axis=1)
    wanted = target.cpu().numpy()
    if wanted.ndim == 2:
        wanted = np.argmax(wanted.astype(np.float64), axis=1)
    return float(accuracy_score(wanted, predicted))


def accuracy_value(result: object, call: str) -> float:
    """The number a call returned (a Python float is required by a separate test)."""
    if isinstance(result, Tensor) and result.numel() == 1 and result.device.type != "meta":
        return float(result.item())
    if isinstance(result, int | float | np.floating | np.integer) and not isinstance(result, bool):
        return float(result)
    fail(call, f"returned {result!r:.200}, expected a number (a Python float)")
    raise AssertionError  # unreachable: fail() raises


def assert_accuracy(actual: float, expected: float, n: int, *, call: str, inputs: str, hint: str):
    # A correct float32 mean of n booleans rounds n_correct / N by at most 2**-24.
    if not abs(actual - expected) <= 1e-6:
        if abs(actual - expected * n) < 1e-6 and n > 1:
            hint = (
                f"you returned the count of correct rows ({actual:g}): divide it by the number "
                f"of rows N = {n}. " + hint
            )
        fail(call, f"returned {actual!r}, expected {expected!r} for {inputs}", hint)


@pytest.mark.values("accuracy")
def test_accuracy_keeps_no_state_between_calls(metrics):
    """Three calls: A, B, A again. The third must equal the first."""
    scores_a = torch.tensor([[2.0, 1.0], [0.0, 1.0], [3.0, 0.0], [1.0, 5.0]])
    target_a = torch.tensor([0, 0, 1, 0])  # 1 of 4 right: 0.25
    scores_b = torch.tensor([[0.0, 1.0, 0.5], [2.0, 1.0, 0.0]])
    target_b = torch.tensor([1, 0])  # 2 of 2 right: 1.0
    call = "accuracy(scores, target)"
    first = accuracy_value(metrics.accuracy(scores_a, target_a), call)
    accuracy_value(metrics.accuracy(scores_b, target_b), call)
    third = accuracy_value(metrics.accuracy(scores_a, target_a), call)
    if first != third:
        fail(
            f"{call}, called with A, then B, then A again",
            f"returned {first!r} for A the first time and {third!r} the second time",
            "the result depends on earlier calls: counters kept at module level (or in a "
            "default argument) are never reset. Count the correct rows of this call only, in "
            "local variables",
        )
    for value, scores, target in ((first, scores_a, target_a),):
        assert_accuracy(
            value,
            sklearn_accuracy(scores, target),
            4,
            call=call,
            inputs=f"scores = {scores.tolist()}, target = {target.tolist()}",
            hint=ACCURACY_HINT,
        )


# (N, C, kind of target): class indices, one-hot and probability rows, a single row, 2 classes.
ACCURACY_CASES = [
    pytest.param(20, 5, "indices", id="N20-C5-indices"),
    pytest.param(
        1,
        3,
        "indices",
        id="N1-C3-indices",  # 0 or 1: a constant may be right
        marks=pytest.mark.values("accuracy", answer="0 or 1 (one sample)"),
    ),
    pytest.param(257, 2, "indices", id="N257-C2-indices"),
    pytest.param(64, 10, "one-hot", id="N64-C10-one-hot"),
    pytest.param(33, 4, "probabilities", id="N33-C4-probabilities"),
]


@pytest.mark.values("accuracy")
@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize(("n", "c", "kind"), ACCURACY_CASES)
def test_accuracy_matches_sklearn(metrics, n, c, kind, dtype, device):
    scores, target, _ = accuracy_inputs(n, c, kind, dtype, device, seed=n + c)
    call = "accuracy(scores, target)"
    hint = ACCURACY_HINT
    if kind != "indices":
        hint = (
            f"a floating (N, C) target ({kind}) gives the target class of row n as "
            "argmax(target[n]): compare argmax(scores[n]) with it (not with the probability "
            "target[n, argmax(scores[n])]). " + hint
        )
    assert_accuracy(
        accuracy_value(metrics.accuracy(scores.clone(), target.clone()), call),
        sklearn_accuracy(scores, target),
        n,
        call=call,
        inputs=f"scores: {describe(scores)}; target: {describe(target)} ({kind})",
        hint=hint,
    )


@pytest.mark.values("accuracy")
@pytest.mark.parametrize("dtype", DTYPES)
def test_accuracy_is_a_fraction_of_all_rows(metrics, dtype):
    """1009 rows (a prime: no batch size of 2 rows or more divides it): the first 1000 right,
    the last 9 wrong. A mean of per-batch accuracies weighs the short last batch like a full
    one: with batches of 100 it gives 10/11 = 0.909 instead of 1000/1009 = 0.991."""
    target = labels(1009, 10, seed=5)
    scores = torch.nn.functional.one_hot(target, 10).to(dtype)
    scores[1000:] = torch.nn.functional.one_hot((target[1000:] + 1) % 10, 10).to(dtype)
    call = "accuracy(scores, target)"
    assert_accuracy(
        accuracy_value(metrics.accuracy(scores.clone(), target.clone()), call),
        sklearn_accuracy(scores, target),
        1009,
        call=call,
        inputs="1009 rows, the first 1000 predicted right and the last 9 wrong",
        hint="accuracy = n_correct / N over all N rows at once. A mean of per-batch accuracies "
        "(sum of batch accuracies / number of batches) is wrong whenever the last batch is "
        "smaller: it weighs its few rows as much as a full batch",
    )


@pytest.mark.requires("accuracy")
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("kind", ["indices", "one-hot"])
def test_accuracy_with_tied_scores(metrics, kind, dtype):
    # Untrained models tie: rows of equal scores predict class 0 (torch.argmax's first maximum).
    scores = torch.tensor(
        [
            [0.0, 0.0, 0.0],  # all tied: predicts 0
            [0.0, 0.0, 0.0],  # all tied: predicts 0
            [1.0, 3.0, 3.0],  # columns 1 and 2 tied: predicts 1
            [5.0, 1.0, 5.0],  # columns 0 and 2 tied: predicts 0
            [1.0, 2.0, 0.0],  # predicts 1
        ],
        dtype=dtype,
    )
    classes = torch.tensor([0, 2, 2, 2, 1])  # right, wrong, wrong, wrong, right: 0.4
    target = classes if kind == "indices" else torch.nn.functional.one_hot(classes, 3).to(dtype)
    call = "accuracy(scores, target)"
    assert_accuracy(
        accuracy_value(metrics.accuracy(scores.clone(), target.clone()), call),
        0.4,
        5,
        call=call,
        inputs=f"scores = {scores.tolist()} (tied maxima), target = {target.tolist()}",
        hint="a tie goes to the first maximal column, as torch.argmax does: the rows [0, 0, 0] "
        "predict class 0 whatever the target, [1, 3, 3] predicts 1 and [5, 1, 5] predicts 0. "
        "A row is not right because its target is *one of* the tied maxima",
    )


@pytest.mark.requires("accuracy")
@pytest.mark.parametrize("device", DEVICES)
def test_accuracy_returns_a_python_float(metrics, device):
    scores, target, _ = accuracy_inputs(10, 3, "indices", torch.float32, device, seed=6)
    result = metrics.accuracy(scores, target)
    if type(result) is not float:
        fail(
            "accuracy(scores, target)",
            f"returned {type(result).__name__} {result!r:.100}, expected a Python float",
            "convert the count with .item() and divide in Python (n_correct / N), or call "
            ".item() on a 0-d tensor; an int (n_correct // N) is not a fraction",
        )


# --- confusion_matrix --------------------------------------------------------------------------

CONFUSION_HINT = (
    "M[i, j] counts the samples with target[n] == i and pred[n] == j: rows are the true class, "
    "columns the predicted one, shape (num_classes, num_classes)"
)


def sklearn_confusion(pred: Tensor, target: Tensor, c: int) -> Tensor:
    matrix = sk_confusion_matrix(target.cpu().numpy(), pred.cpu().numpy(), labels=list(range(c)))
    return torch.as_tensor(matrix, dtype=torch.int64, device=pred.device)


def check_confusion(metrics, pred: Tensor, target: Tensor, c: int, inputs: str) -> None:
    call = f"confusion_matrix(pred, target, {c})"
    actual = metrics.confusion_matrix(pred.clone(), target.clone(), c)
    expected = sklearn_confusion(pred, target, c)
    hint = CONFUSION_HINT
    if (
        isinstance(actual, Tensor)
        and actual.shape == expected.shape
        and not torch.equal(expected, expected.T)
        and torch.equal(actual.cpu().to(torch.int64), expected.T.cpu())
    ):
        hint = (
            "your matrix is the transpose of the right one: rows are the *true* class (target) "
            "and columns the predicted one, as scikit-learn's confusion_matrix(y_true, y_pred); "
            "note the argument order here is (pred, target)"
        )
    assert_tensor_close(actual, expected, call=call, inputs=inputs, hint=hint)


# (N, C): a few classes, ten classes, a single sample.
CONFUSION_CASES = [
    pytest.param(50, 3, id="N50-C3"),
    pytest.param(300, 10, id="N300-C10"),
    pytest.param(1, 4, id="N1-C4"),
]


@pytest.mark.values("confusion_matrix")
@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize(("n", "c"), CONFUSION_CASES)
def test_confusion_matrix_matches_sklearn(metrics, n, c, device):
    target = labels(n, c, seed=10 + n).to(device)
    # about half the predictions right, the rest uniform: an asymmetric matrix
    wrong = labels(n, c, seed=20 + n).to(device)
    keep = labels(n, 2, seed=30 + n).to(device).bool()
    pred = torch.where(keep, target, wrong)
    check_confusion(
        metrics, pred, target, c, f"pred = {pred.tolist()[:20]}, target = {target.tolist()[:20]}"
    )


@pytest.mark.requires("confusion_matrix")
@pytest.mark.parametrize("device", DEVICES)
def test_confusion_matrix_with_classes_that_never_occur(metrics, device):
    # 6 classes, but only classes 0 .. 2 occur: the matrix is still 6 x 6.
    pred = torch.tensor([0, 1, 1, 2, 0], device=device)
    target = torch.tensor([0, 1, 2, 2, 1], device=device)
    call = "confusion_matrix(pred, target, 6)"
    actual = metrics.confusion_matrix(pred.clone(), target.clone(), 6)
    assert_like(
        actual,
        call=call,
        shape=(6, 6),
        dtype=torch.int64,
        device=device,
        hint="the matrix is num_classes x num_classes whatever classes occur: "
        "torch.bincount(..., minlength=num_classes * num_classes), or torch.zeros((C, C)) "
        "filled in, never sized from the data's largest label",
    )
    check_confusion(metrics, pred, target, 6, "classes 3, 4 and 5 never occur")


@pytest.mark.requires("confusion_matrix")
@pytest.mark.parametrize(
    ("pred", "target", "where"),
    [
        pytest.param([0, 1, 3], [0, 1, 2], "pred holds 3", id="pred-too-large"),
        pytest.param([0, 1, 2], [0, 3, 2], "target holds 3", id="target-too-large"),
        pytest.param([0, -1, 2], [0, 1, 2], "pred holds -1", id="pred-negative"),
        pytest.param([0, 1, 2], [-2, 1, 2], "target holds -2", id="target-negative"),
        pytest.param([0, 1, 2], [0, 1, 200], "target holds 200", id="target-far-too-large"),
    ],
)
def test_confusion_matrix_class_out_of_range_is_a_value_error(metrics, pred, target, where):
    # CPU only: out-of-range indexing on a GPU is a device-side assert that ends the process.
    call = f"confusion_matrix(pred={pred}, target={target}, num_classes=3)"
    try:
        metrics.confusion_matrix(torch.tensor(pred), torch.tensor(target), 3)
    except ValueError:
        return
    except NotImplementedError:  # a stub: "not attempted", not a wrong error
        raise
    except Exception as error:
        problem = f"raised {type(error).__name__}: {str(error)[:200]}"
    else:
        problem = "returned a result"
    fail(
        call,
        f"{problem}; {where}, outside 0 .. 2: expected a ValueError",
        "check both inputs before counting (labels.min() < 0 or labels.max() >= num_classes: "
        "raise ValueError(...)); torch.bincount grows the matrix or rejects negatives with "
        "another error, and an index out of range is an IndexError",
    )


# --- standardize -------------------------------------------------------------------------------

STANDARDIZE_HINT = (
    "z = (x - mean) / std per feature (column), with the mean and population std (ddof 0, "
    "divide by N) of train only, applied unchanged to every other set; no eps added"
)


def feature_data(
    n: int, d: int, dtype: torch.dtype, device: str, seed: int, shift: float = 0.0
) -> Tensor:
    """Features with means in [-3, 3] (plus ``shift``) and standard deviations in [0.5, 3]."""
    generator = torch.Generator().manual_seed(seed)
    means = torch.linspace(-3, 3, d, dtype=torch.float64) + shift
    scales = torch.linspace(0.5, 3, d, dtype=torch.float64).flip(0)
    values = torch.randn(n, d, generator=generator, dtype=torch.float64) * scales + means
    return values.to(dtype=dtype, device=device)


def scaler_outputs(train: Tensor, others: tuple[Tensor, ...]) -> list[Tensor]:
    """StandardScaler fitted on train (float64), applied to train and each of others."""
    scaler = StandardScaler().fit(train.cpu().double().numpy())
    return [
        torch.as_tensor(scaler.transform(x.cpu().double().numpy())).to(train.dtype)
        for x in (train, *others)
    ]


def scaler_statistics(train: Tensor) -> tuple[Tensor, Tensor]:
    """(mean, scale) of StandardScaler fitted on train: scale 1 where its rule finds the
    feature constant (a computed variance within rounding error of 0)."""
    scaler = StandardScaler().fit(train.detach().cpu().double().numpy())
    return torch.as_tensor(scaler.mean_), torch.as_tensor(scaler.scale_)


def standardize_tolerance(train: Tensor, others: tuple[Tensor, ...]) -> dict[str, float]:
    """z = (x - m) / s: x - m is off by a few ulps of |x| + |m|, and s by a few ulps of
    (m / s)^2 relative (with the one-pass E[x^2] - E[x]^2 form), so allow 64 ulps of
    (|x| + |m|) / s + (m / s)^2 |z| for the worst feature (s: StandardScaler's scale, 1 for
    a constant feature)."""
    data = [x.detach().cpu().double() for x in (train, *others)]
    mean, std = scaler_statistics(train)
    largest = torch.stack([x.abs().amax(0) for x in data]).amax(0)
    z = torch.stack([((x - mean) / std).abs().amax(0) for x in data]).amax(0)
    worst = ((largest + mean.abs()) / std + (mean / std) ** 2 * z).max().item()
    tolerance = dict(TOLERANCE[train.dtype])
    tolerance["atol"] = max(tolerance["atol"], 64 * torch.finfo(train.dtype).eps * worst)
    return tolerance


def standardize_diagnosis(result: object, train: Tensor, others: tuple[Tensor, ...]) -> str:
    """Names the mistake when the result is the standardization by other statistics."""
    if not isinstance(result, tuple | list) or len(result) != 1 + len(others):
        return STANDARDIZE_HINT
    if not all(isinstance(z, Tensor) and z.device.type != "meta" for z in result):
        return STANDARDIZE_HINT
    data = [x.cpu().double() for x in (train, *others)]
    got = [z.detach().cpu().double() for z in result]
    if any(g.shape != x.shape for g, x in zip(got, data, strict=True)):
        return STANDARDIZE_HINT
    pooled = torch.cat(data)
    constant = scaler_statistics(train)[1] == 1.0  # scale 1: constant by StandardScaler's rule

    def by(stats_of, correction: int) -> list[Tensor]:
        out = []
        for x in data:
            source = stats_of(x)
            std = source.std(0, correction=correction)
            out.append((x - source.mean(0)) / torch.where(constant, torch.ones_like(std), std))
        return out

    candidates = [
        (by(lambda x: data[0], 1),
         "the standard deviation divides by N - 1 (torch.std's default, and pandas'): the "
         "population std divides by N, torch.std(..., correction=0) or unbiased=False"),
        (by(lambda x: pooled, 0),
         "the mean and std come from train and the other sets together: that leaks the test "
         "data into the preprocessing. Compute them from train only and apply them to all"),
        (by(lambda x: pooled, 1),
         "the statistics come from train and the other sets together (data leakage), and the "
         "std divides by N - 1: use train alone, and correction=0"),
        (by(lambda x: x, 0),
         "each set was standardized with its own mean and std: the others must use *train's* "
         "statistics (the model only ever saw train's scale)"),
    ]  # fmt: skip
    right = by(lambda x: data[0], 0)  # train's statistics, population std: the answer

    def near(one: list[Tensor], other: list[Tensor]) -> bool:
        pairs = zip(one, other, strict=True)
        return all(torch.allclose(a, b, rtol=1e-4, atol=1e-4) for a, b in pairs)

    for expected, hint in candidates:  # a mistake that gives the answer here is not this one
        if near(got, expected) and not near(expected, right):  # (pooled is train, without others)
            return hint
    return STANDARDIZE_HINT


def check_standardize(
    metrics, train: Tensor, others: tuple[Tensor, ...], *, inputs: str, hint="", otherwise=""
):
    """``hint``: the hint, whatever the failure; ``otherwise``: the hint when the diagnosis
    finds none of the classic mistakes (the test's own subject)."""
    call = f"standardize(train{', other' * len(others)})"
    result = metrics.standardize(train.clone(), *(x.clone() for x in others))
    if not isinstance(result, tuple) or len(result) != 1 + len(others):
        fail(
            call,
            f"returned {type(result).__name__}"
            + (f" of length {len(result)}" if isinstance(result, tuple | list) else "")
            + f", expected a tuple of {1 + len(others)} tensor(s)",
            "return tuple(...) of the standardized train and others, even with no others: "
            "(z_train,)",
        )
    expected = scaler_outputs(train, others)
    tolerance = standardize_tolerance(train, others)
    hint = hint or standardize_diagnosis(result, train, others)
    if otherwise and hint == STANDARDIZE_HINT:
        hint = otherwise
    names = ["train", *(f"others[{i}]" for i in range(len(others)))]
    for name, actual, want in zip(names, result, expected, strict=True):
        assert_tensor_close(
            actual,
            want.to(device=train.device),
            call=f"{call}, result for {name}",
            inputs=f"{inputs} (oracle: StandardScaler fitted on train)",
            hint=hint,
            **tolerance,
        )


@pytest.mark.values("standardize")
@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("others", [0, 1, 2], ids=lambda k: f"{k}-others")
def test_standardize_matches_standard_scaler(metrics, others, dtype, device):
    # test and validation sets drawn from a shifted distribution: their own statistics differ
    train = feature_data(40, 5, dtype, device, seed=1)
    rest = tuple(
        feature_data(m, 5, dtype, device, seed=2 + m, shift=1.5 * (i + 1))
        for i, m in enumerate((25, 7)[:others])
    )
    inputs = f"train: {describe(train)}" + "".join(f"; other: {describe(x)}" for x in rest)
    check_standardize(metrics, train, rest, inputs=inputs)


@pytest.mark.requires("standardize")
@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("dtype", DTYPES)
def test_standardize_constant_feature_is_only_shifted(metrics, dtype, device):
    # Columns 1 and 3 are constant in train (2.5 and 0: means exact, std exactly 0); the other
    # set has other values there, which must come out as x - c (scale 1), not inf or nan.
    train = feature_data(20, 4, torch.float64, "cpu", seed=3)
    train[:, 1], train[:, 3] = 2.5, 0.0
    other = feature_data(6, 4, torch.float64, "cpu", seed=4)
    other[:, 1] = torch.tensor([2.5, 4.0, 1.0, 2.5, -3.0, 10.0], dtype=torch.float64)
    other[:, 3] = torch.tensor([0.0, 1.0, -1.0, 0.5, 0.0, 2.0], dtype=torch.float64)
    train, other = train.to(dtype=dtype, device=device), other.to(dtype=dtype, device=device)
    check_standardize(
        metrics,
        train,
        (other,),
        inputs="train's features 1 and 3 constant (2.5 and 0), other's not",
        otherwise=CONSTANT_HINT,
    )


CONSTANT_HINT = (
    "a constant feature gets scale 1: z = x - mean, as StandardScaler does. Dividing by its "
    "std gives nan (0 / 0) or inf, adding a small eps to std blows the other set's values up "
    "(1.5 / 1e-8), and a computed std is rarely exactly 0 ([0.1, 0.1, 0.1] gives 1.4e-17): "
    "test var <= N * eps * var + (N * mean * eps) ** 2 with float64 statistics and eps"
)


@pytest.mark.requires("standardize")
@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("dtype", DTYPES)
def test_standardize_nearly_constant_feature_is_constant(metrics, dtype, device):
    """Columns whose values are all equal but not exactly representable (0.1, 1e6 + 0.1): their
    computed variance is a rounding error, not 0, and StandardScaler's rule still calls them
    constant (scale 1). A genuinely varying column beside them keeps its scale."""
    train = feature_data(7, 4, torch.float64, "cpu", seed=5)
    train[:, 0], train[:, 2] = 0.1, 1e6 + 0.1
    ulp_apart = torch.nextafter(torch.tensor(0.1, dtype=torch.float64), torch.tensor(1.0))
    train[::2, 3] = ulp_apart  # equal to 0.1 but for one ulp: a rounding error's worth
    train[1::2, 3] = 0.1
    other = feature_data(5, 4, torch.float64, "cpu", seed=6)
    other[:, 0] = torch.tensor([0.1, 0.2, -0.3, 0.1, 5.0], dtype=torch.float64)
    train, other = train.to(dtype=dtype, device=device), other.to(dtype=dtype, device=device)
    check_standardize(
        metrics, train, (other,), otherwise=CONSTANT_HINT,
        inputs="train's features 0 and 2 constant (0.1 and 1e6 + 0.1: not exact in binary), "
        "feature 3 alternating 0.1 and the float64 just above it",
    )  # fmt: skip


@pytest.mark.requires("standardize")
@pytest.mark.parametrize("layout", LAYOUTS)
def test_standardize_inputs_of_any_layout(metrics, layout):
    """train and the other set views of other tensors (a transposed feature matrix, every other
    column, one sample broadcast over rows: every feature constant): standardize only reads
    them, so StandardScaler's results all the same, and the inputs are left alone."""
    train = feature_data(12, 4, torch.float64, "cpu", seed=21)
    other = feature_data(5, 4, torch.float64, "cpu", seed=22, shift=1.0)
    if layout == "expanded":
        train, other = (x[:1].expand_as(x).clone() for x in (train, other))
    views = [laid_out(x, layout) for x in (train, other)]
    before = [x.clone() for x in views]
    call = f"standardize(train, other) with train and other {layout} views"
    hint = layout_hint("train", views[0], layout) + " (other is one too)"
    try:
        result = metrics.standardize(*views)
    except RuntimeError as error:
        fail(call, f"raised RuntimeError: {error!s:.200}", hint)
    if not isinstance(result, tuple) or len(result) != 2:
        fail(call, f"returned {type(result).__name__}, expected a pair")
    tolerance = standardize_tolerance(train, (other,))
    for name, actual, want in zip(
        ("train", "other"), result, scaler_outputs(train, (other,)), strict=True
    ):
        assert_tensor_close(
            actual, want, call=f"{call}, result for {name}", hint=hint,
            inputs=f"{describe(views[0])}, strides {tuple(views[0].stride())} (oracle: "
            "StandardScaler fitted on train)", **tolerance,
        )  # fmt: skip
    for name, view, was in zip(("train", "other"), views, before, strict=True):
        if not torch.equal(view, was):
            fail(call, f"changed {name}", hint)


@pytest.mark.requires("standardize")
@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("dtype", DTYPES)
def test_standardize_output_follows_input_dtype_and_device(metrics, dtype, device):
    train = feature_data(10, 3, dtype, device, seed=5)
    other = feature_data(4, 3, dtype, device, seed=6)
    result = metrics.standardize(train, other)
    if not isinstance(result, tuple) or len(result) != 2:
        fail("standardize(train, other)", f"returned {type(result).__name__}, expected a pair")
    for name, z, x in zip(("train", "other"), result, (train, other), strict=True):
        assert_like(
            z,
            call=f"standardize(train, other), result for {name}",
            shape=x.shape,
            dtype=dtype,
            device=device,
        )


# --- early_stopping ----------------------------------------------------------------------------


def early_stopping_oracle(losses: list[float], patience: int, min_delta: float) -> tuple[int, int]:
    """Keras's rule without a wait counter: since wait resets exactly at each new best, the
    epochs without improvement in a row at epoch e are e - best_epoch."""
    best_epoch = 0
    for epoch in range(1, len(losses)):
        if losses[epoch] < losses[best_epoch] - min_delta:
            best_epoch = epoch
        elif epoch - best_epoch >= patience:
            return best_epoch, epoch
    return best_epoch, len(losses) - 1


# (losses, patience, min_delta, (best epoch, stop epoch), what the case teaches)
EARLY_STOPPING_TABLE = [
    ([4.0, 3.0, 2.0, 1.0], 2, 0.0, (3, 3),
     "the loss decreases at every epoch: never stopped early, the stop epoch is the last one, "
     "len(val_losses) - 1 = 3"),
    ([1.0, 0.9, 0.95, 0.91, 0.92], 2, 0.0, (1, 3),
     "epoch 1 is the best (0.9); epochs 2 and 3 do not improve on the best 0.9 (0.91 is below the "
     "previous epoch's 0.95, which does not count), so epoch 3 ends patience = 2 epochs without "
     "improvement"),
    ([1.0, 0.9, 0.95, 0.91, 0.92], 2, 0.2, (0, 2),
     "with min_delta = 0.2 epoch 1 is no improvement (0.9 is not below 1.0 - 0.2): epochs 1 and "
     "2 are the two epochs without improvement"),
    ([1.0, 2.0, 0.5], 1, 0.0, (0, 1),
     "with patience = 1 the first epoch without improvement stops training (at epoch 1; the "
     "better epoch 2 is never seen)"),
    ([1.0, 1.0, 1.0, 1.0, 1.0], 3, 0.0, (0, 3),
     "an equal loss is no improvement: improving means strictly below best - min_delta"),
    ([1.0, 0.96875, 0.9375, 0.90625, 0.875, 0.5], 3, 0.125, (0, 3),
     "decreases smaller than min_delta = 0.125 are no improvement: they do not reset the count "
     "of epochs without improvement (the patience), nor become the best"),
    ([2.0, 1.875, 1.75, 1.625, 1.5, 1.375], 3, 0.25, (3, 5),
     "only an improving epoch becomes the best: the best loss stays 2.0 until epoch 3 (1.625 < "
     "2.0 - 0.25; 1.75 is not below 1.75), then 1.625. Updating the best to every lower loss "
     "makes the later epochs compare with a best they never beat by min_delta"),
    ([1.0, 2.0, 3.0, 4.0, 5.0, 6.0], 2, 0.0, (0, 2),
     "epochs are counted from 0: epochs 1 and 2 are the patience = 2 epochs without "
     "improvement, so training stops at epoch 2 (not 3: stop when the count reaches patience)"),
    ([1.0, 1.5, 1.5, 0.1], 2, 0.0, (0, 2),
     "training stops at epoch 2: the better loss at epoch 3 comes after the stop and is never "
     "seen, so the best epoch is 0"),
    ([0.5], 1, 0.0, (0, 0), "a single epoch is the best and the last"),
    ([1.0, 1.1, 1.2, 0.5, 0.6, 0.7, 0.8], 3, 0.0, (3, 6),
     "the improvement at epoch 3 resets the count: epochs 4, 5 and 6 make three without "
     "improvement"),
    ([1.0, 0.5, 0.75, 0.625, 0.5625, 0.53125], 2, 0.0, (1, 3),
     "compare with the best loss (0.5 at epoch 1), not with the previous epoch's loss: 0.625 "
     "is below 0.75 but not below the best"),
    ([3.0, 2.0, 2.5, 1.0, 1.5, 2.0, 0.5], 3, 0.5, (3, 6),
     "epoch 1 improves (2.0 < 3.0 - 0.5), epoch 3 too (1.0 < 2.0 - 0.5), but epoch 6 does not: "
     "0.5 is not below 1.0 - 0.5 = 0.5 (equal), so epochs 4, 5 and 6 end the patience"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("losses", "patience", "min_delta", "expected", "lesson"),
    [  # a constant pair is right where the table's answer is that pair: each names its answer
        pytest.param(*case, id=f"case{i}",
                     marks=pytest.mark.values("early_stopping", answer=str(case[3])))
        for i, case in enumerate(EARLY_STOPPING_TABLE)
    ],
)  # fmt: skip
def test_early_stopping_table(metrics, losses, patience, min_delta, expected, lesson):
    assert early_stopping_oracle(losses, patience, min_delta) == expected  # the table is right
    keywords = {"patience": patience} | ({"min_delta": min_delta} if min_delta else {})
    call = f"early_stopping({losses}, " + ", ".join(f"{k}={v}" for k, v in keywords.items()) + ")"
    result = metrics.early_stopping(list(losses), **keywords)
    check_epochs(result, expected, call, lesson)


def check_epochs(result: object, expected: tuple[int, int], call: str, lesson: str) -> None:
    try:
        got = tuple(int(value) for value in result)  # type: ignore[union-attr]
    except (TypeError, ValueError, RuntimeError):
        got = None
    if got is None or len(got) != 2:
        fail(call, f"returned {result!r:.200}, expected a pair (best_epoch, stop_epoch)")
    if got != expected:
        fail(
            call,
            f"returned (best_epoch, stop_epoch) = {got}, expected {expected}",
            lesson
            + ". The rule: epoch 0 sets the best; epoch e improves when val_losses[e] < best - "
            "min_delta, and only then becomes the best; stop at the first epoch where "
            "`patience` epochs in a row have not improved",
        )


@pytest.mark.requires("early_stopping")
@settings(max_examples=60, deadline=None)
@given(
    # multiples of 1/16: best - min_delta is exact, so every correct comparison agrees
    steps=st.lists(st.integers(0, 32), min_size=1, max_size=25),
    patience=st.integers(1, 5),
    delta_steps=st.integers(0, 4),
)
def test_early_stopping_any_sequence(metrics, steps, patience, delta_steps):
    losses = [step / 16 for step in steps]
    min_delta = delta_steps / 16
    call = f"early_stopping({losses}, patience={patience}, min_delta={min_delta})"
    result = metrics.early_stopping(losses, patience=patience, min_delta=min_delta)
    check_epochs(
        result,
        early_stopping_oracle(losses, patience, min_delta),
        call,
        "see the rule below (Keras's EarlyStopping)",
    )


@pytest.mark.requires("early_stopping")
def test_early_stopping_returns_python_ints(metrics):
    result = metrics.early_stopping((1.0, 0.5, 0.7, 0.8), patience=2)
    if (
        not isinstance(result, tuple)
        or len(result) != 2
        or any(type(value) is not int for value in result)
    ):
        fail(
            "early_stopping((1.0, 0.5, 0.7, 0.8), patience=2)",
            f"returned {result!r:.200}, expected a tuple of two Python ints",
            "return (best_epoch, stop_epoch) as ints: int(...) a tensor or numpy index",
        )


@pytest.mark.requires("early_stopping")
@pytest.mark.parametrize(
    ("losses", "patience"),
    [([], 3), ([1.0, 0.5], 0), ([1.0, 0.5], -2)],
    ids=["empty", "patience-0", "patience-negative"],
)
def test_early_stopping_invalid_input_is_a_value_error(metrics, losses, patience):
    call = f"early_stopping({losses}, patience={patience})"
    try:
        metrics.early_stopping(losses, patience=patience)
    except ValueError:
        return
    except NotImplementedError:  # a stub: "not attempted", not a wrong error
        raise
    except Exception as error:
        problem = f"raised {type(error).__name__}: {str(error)[:200]}"
    else:
        problem = "returned a result"
    fail(
        call,
        f"{problem}, expected a ValueError",
        "an empty sequence has no epoch to stop at, and patience < 1 makes no sense: check "
        "both first and raise ValueError",
    )


# --- every function: inputs untouched ----------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    [
        pytest.param(name, marks=pytest.mark.requires(name), id=name)
        for name in ("accuracy", "confusion_matrix", "standardize", "early_stopping")
    ],
)
def test_inputs_are_not_modified(metrics, name):
    if name == "accuracy":
        scores, target, _ = accuracy_inputs(12, 4, "probabilities", torch.float64, "cpu", 7)
        arguments: list = [scores, target]
    elif name == "confusion_matrix":
        arguments = [labels(30, 4, seed=8), labels(30, 4, seed=9), 4]
    elif name == "standardize":
        arguments = [feature_data(15, 3, torch.float64, "cpu", 10),
                     feature_data(5, 3, torch.float64, "cpu", 11, shift=2.0)]  # fmt: skip
    else:
        arguments = [[1.0, 0.5, 0.75, 0.25, 0.3, 0.4], 2]
    before = [x.clone() if isinstance(x, Tensor) else list(x) if isinstance(x, list) else x
              for x in arguments]  # fmt: skip
    if name == "early_stopping":
        metrics.early_stopping(arguments[0], patience=arguments[1])
    else:
        getattr(metrics, name)(*arguments)
    for i, (value, original) in enumerate(zip(arguments, before, strict=True)):
        call = f"{name}(...) changed its argument {i + 1}"
        hint = (
            "work on new tensors: x - mean makes one, x -= mean or x.sub_(mean) changes the "
            "caller's data"
        )
        if isinstance(value, Tensor):
            assert_tensor_close(value, original, call=call, hint=hint, rtol=0.0, atol=0.0)
        elif value != original:
            fail(call, f"the list is now {value}, was {original}", "do not sort or pop the list")


# --- speed (pytest --impl=solutions --benchmark-only) ------------------------------------------


@pytest.mark.parametrize("source", ["impl", "sklearn"])
@pytest.mark.parametrize(
    "name",
    [
        pytest.param(name, marks=pytest.mark.requires(name), id=name)
        for name in ("accuracy", "confusion_matrix", "standardize", "early_stopping")
    ],
)
def test_benchmark(benchmark, metrics, name, source):
    """accuracy of 100,000 x 10 scores; a confusion matrix of 100,000 labels in 10 classes;
    standardize 10,000 x 100 features (train) and 2,000 x 100 (test); early stopping over
    10,000 epochs (the baseline there is the test's own loop)."""
    benchmark.group = f"metrics.{name}"
    module = metrics.module
    if name == "accuracy":
        target = labels(100_000, 10, seed=90)
        scores = class_scores(target, 10, torch.float32, "cpu", seed=91)
        if source == "impl":
            benchmark(module.accuracy, scores, target)
        else:
            scores64, target64 = scores.numpy(), target.numpy()
            benchmark(lambda: accuracy_score(target64, scores64.argmax(1)))
    elif name == "confusion_matrix":
        pred, target = labels(100_000, 10, seed=92), labels(100_000, 10, seed=93)
        if source == "impl":
            benchmark(module.confusion_matrix, pred, target, 10)
        else:
            p, t = pred.numpy(), target.numpy()
            benchmark(lambda: sk_confusion_matrix(t, p, labels=list(range(10))))
    elif name == "standardize":
        train = feature_data(10_000, 100, torch.float32, "cpu", seed=94)
        test = feature_data(2_000, 100, torch.float32, "cpu", seed=95)
        if source == "impl":
            benchmark(module.standardize, train, test)
        else:
            a, b = train.numpy(), test.numpy()
            benchmark(lambda: (lambda s: (s.transform(a), s.transform(b)))(StandardScaler().fit(a)))
    else:
        losses = (1.0 / torch.arange(1, 10_001, dtype=torch.float64)).tolist()
        if source == "impl":
            benchmark(module.early_stopping, losses, patience=10, min_delta=1e-9)
        else:
            benchmark(early_stopping_oracle, losses, 10, 1e-9)
