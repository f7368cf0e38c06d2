"""Tests of exercises/losses.py: MSE, L1, Huber, binary cross-entropy (from probabilities and from
logits), multi-class cross-entropy (class indices or class probabilities) and NLL, with their
reductions.

Oracles: torch.nn.functional's own losses, computed outside the student's call.
"""

from __future__ import annotations

import math

import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st
from support import (
    DEVICES,
    DEVICES_AND_META,
    DTYPES,
    assert_like,
    assert_tensor_close,
    describe,
    fail,
    random_tensor,
)

REDUCTIONS = ["mean", "sum", "none"]
# (input shape, reduction): every reduction, 1-d to 3-d inputs, a batch of one. A 2-d or 3-d input
# with "mean" tells the mean over all elements from the mean over the batch dimension only.
ELEMENTWISE_CASES = [
    pytest.param((4, 6), "mean", id="2d-mean"),
    pytest.param((2, 3, 4), "mean", id="3d-mean"),
    pytest.param((1, 5), "mean", id="batch-of-1-mean"),
    pytest.param((4, 6), "sum", id="2d-sum"),
    pytest.param((7,), "none", id="1d-none"),
    pytest.param((2, 3, 4), "none", id="3d-none"),
]
# (N, C) and reduction for cross_entropy; N > 1 with "mean" tells an average from a sum.
CLASS_CASES = [
    pytest.param((8, 10), "mean", id="N8-C10-mean"),
    pytest.param((1, 5), "mean", id="N1-C5-mean"),
    pytest.param((8, 10), "sum", id="N8-C10-sum"),
    pytest.param((16, 3), "none", id="N16-C3-none"),
    pytest.param((1, 5), "none", id="N1-C5-none"),
]
# For nll_loss: a square (N, C) first, where picking log_probs[target_n, n] (the wrong axis)
# still runs and gives wrong values; N > C and N < C, every reduction.
NLL_CASES = [
    pytest.param((6, 6), "mean", id="N6-C6-mean"),
    *CLASS_CASES,
    pytest.param((12, 4), "mean", id="N12-C4-mean"),
]

# What each reduction means, for the hints of the elementwise losses and of cross_entropy.
ELEMENTWISE_REDUCTION = {
    "mean": "reduction='mean' averages over every element: the sum divided by numel(), for a "
    "(4, 6) input by 24, not by the batch size 4",
    "sum": "reduction='sum' adds up the losses of every element",
    "none": "reduction='none' returns one loss per element, in the input's shape",
}
SAMPLE_REDUCTION = {
    "mean": "reduction='mean' averages the N per-sample losses (divide their sum by N: not the "
    "sum itself, and not divided by N * C)",
    "sum": "reduction='sum' adds up the N per-sample losses",
    "none": "reduction='none' returns the N per-sample losses, shape (N,)",
}


@pytest.fixture(scope="module")
def losses(load_impl):
    return load_impl("losses")


# --- inputs (all built from seeded generators, the same on every device) -----------------------


def uniform(shape: tuple[int, ...], dtype: torch.dtype, device: str, seed: int) -> torch.Tensor:
    """Values uniform in [0, 1)."""
    generator = torch.Generator().manual_seed(seed)
    return torch.rand(shape, generator=generator, dtype=torch.float64).to(
        dtype=dtype, device=device
    )


def binary_targets(
    shape: tuple[int, ...], dtype: torch.dtype, device: str, seed: int
) -> torch.Tensor:
    """About half hard targets (exactly 0 or 1), half soft ones in (0, 1)."""
    values = uniform(shape, torch.float64, "cpu", seed)
    hard = uniform(shape, torch.float64, "cpu", seed + 1000) < 0.5
    return torch.where(hard, values.round(), values).to(dtype=dtype, device=device)


def class_indices(n: int, c: int, device: str, seed: int) -> torch.Tensor:
    generator = torch.Generator().manual_seed(seed)
    return torch.randint(c, (n,), generator=generator).to(device)


def class_probabilities(n: int, c: int, dtype: torch.dtype, device: str, seed: int) -> torch.Tensor:
    """One distribution per row: half the mass on one class, the rest spread softly over the
    others (some exactly 0). Reducing a row to its argmax class changes its loss."""
    weights = uniform((n, c), torch.float64, "cpu", seed) ** 2
    weights = torch.where(weights < 0.1, torch.zeros_like(weights), weights)
    weights = weights / weights.sum(dim=1, keepdim=True).clamp(min=1e-12)
    peak = torch.zeros(n, c, dtype=torch.float64)
    peak[torch.arange(n), class_indices(n, c, "cpu", seed + 1000)] = 1.0
    target = torch.where(weights.sum(dim=1, keepdim=True) > 0, 0.5 * weights + 0.5 * peak, peak)
    return target.to(dtype=dtype, device=device)


FIRST_ARGUMENT = {
    "mse_loss": "pred",
    "l1_loss": "pred",
    "huber_loss": "pred",
    "binary_cross_entropy": "prob",
    "nll_loss": "log_probs",
}
PER_SAMPLE = ("cross_entropy", "nll_loss")  # one loss per row, not per element


def call_text(name: str, reduction: object, extra: str = "") -> str:
    first = FIRST_ARGUMENT.get(name, "logits")
    return f"{name}({first}, target, reduction={reduction!r}{extra})"


def inputs_text(first: torch.Tensor, target: torch.Tensor) -> str:
    return f"input: {describe(first)}; target: {describe(target)}"


# --- mse_loss ----------------------------------------------------------------------------------


@pytest.mark.values("mse_loss")
@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize(("shape", "reduction"), ELEMENTWISE_CASES)
def test_mse_loss_matches_torch(losses, shape, reduction, dtype, device):
    pred = random_tensor(shape, dtype, device, seed=10)
    target = random_tensor(shape, dtype, device, seed=11)
    assert_tensor_close(
        losses.mse_loss(pred.clone(), target.clone(), reduction=reduction),
        F.mse_loss(pred, target, reduction=reduction),
        call=call_text("mse_loss", reduction),
        inputs=inputs_text(pred, target),
        hint=f"the loss of each element is (pred - target)^2; {ELEMENTWISE_REDUCTION[reduction]}",
    )


# --- l1_loss -----------------------------------------------------------------------------------


@pytest.mark.values("l1_loss")
@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize(("shape", "reduction"), ELEMENTWISE_CASES)
def test_l1_loss_matches_torch(losses, shape, reduction, dtype, device):
    pred = random_tensor(shape, dtype, device, seed=12)
    target = random_tensor(shape, dtype, device, seed=13)
    assert_tensor_close(
        losses.l1_loss(pred.clone(), target.clone(), reduction=reduction),
        F.l1_loss(pred, target, reduction=reduction),
        call=call_text("l1_loss", reduction),
        inputs=inputs_text(pred, target),
        hint=f"the loss of each element is |pred - target|; {ELEMENTWISE_REDUCTION[reduction]}",
    )


# --- huber_loss --------------------------------------------------------------------------------

HUBER_FORMULA = (
    "the loss of each element is 0.5 d^2 where |d| <= delta, else delta * (|d| - 0.5 delta), "
    "with d = pred - target: the linear piece is multiplied by delta (huber_loss is delta "
    "times smooth_l1_loss with beta = delta, not smooth_l1_loss itself, whose quadratic piece "
    "is divided by beta)"
)


@pytest.mark.values("huber_loss")
@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize(("shape", "reduction"), ELEMENTWISE_CASES)
def test_huber_loss_matches_torch(losses, shape, reduction, dtype, device):
    # d = pred - target has standard deviation 2: both pieces of the default delta = 1 occur.
    pred = random_tensor(shape, dtype, device, seed=14, scale=2**0.5)
    target = random_tensor(shape, dtype, device, seed=15, scale=2**0.5)
    assert_tensor_close(
        losses.huber_loss(pred.clone(), target.clone(), reduction=reduction),
        F.huber_loss(pred, target, reduction=reduction),
        call=call_text("huber_loss", reduction),
        inputs=inputs_text(pred, target),
        hint=f"{HUBER_FORMULA}; {ELEMENTWISE_REDUCTION[reduction]}",
    )


@pytest.mark.values("huber_loss")
@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("reduction", ["none", "mean"])
@pytest.mark.parametrize("delta", [0.3, 2.5])
def test_huber_loss_with_delta_matches_torch(losses, delta, reduction, dtype, device):
    # delta != 1 tells huber_loss from smooth_l1_loss; |d| falls on both sides of delta.
    pred = random_tensor((4, 6), dtype, device, seed=16, scale=2.0)
    target = random_tensor((4, 6), dtype, device, seed=17, scale=2.0)
    assert_tensor_close(
        losses.huber_loss(pred.clone(), target.clone(), reduction=reduction, delta=delta),
        F.huber_loss(pred, target, reduction=reduction, delta=delta),
        call=call_text("huber_loss", reduction, f", delta={delta}"),
        inputs=inputs_text(pred, target),
        hint=f"{HUBER_FORMULA}; {ELEMENTWISE_REDUCTION[reduction]}",
    )


@pytest.mark.requires("huber_loss")
@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("dtype", DTYPES)
def test_huber_loss_of_outliers_is_finite(losses, dtype, device):
    # d^2 overflows (1e20^2 > float32's 3.4e38, 1e200^2 > float64's 1.8e308); the loss does not.
    huge = 1e20 if dtype == torch.float32 else 1e200
    pred = torch.tensor([huge, -huge, 3.0, -0.5, 0.0], dtype=dtype, device=device)
    target = torch.tensor([0.0, 0.0, -huge, 0.25, 0.0], dtype=dtype, device=device)
    assert_tensor_close(
        losses.huber_loss(pred.clone(), target.clone(), reduction="none", delta=0.5),
        F.huber_loss(pred, target, reduction="none", delta=0.5),
        call=call_text("huber_loss", "none", ", delta=0.5"),
        inputs=f"pred = {pred.tolist()}, target = {target.tolist()}",
        hint="for these outliers d^2 overflows to inf: harmless in the branch torch.where does "
        "not pick, but a 0/1 mask times inf is 0 * inf = nan; choose the piece with torch.where "
        "(or use q = min(|d|, delta) and q * (|d| - 0.5 q)) instead of adding masked products",
    )


# --- binary_cross_entropy ----------------------------------------------------------------------


@pytest.mark.values("binary_cross_entropy")
@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize(("shape", "reduction"), ELEMENTWISE_CASES)
def test_binary_cross_entropy_matches_torch(losses, shape, reduction, dtype, device):
    prob = uniform(shape, dtype, device, seed=20)
    target = binary_targets(shape, dtype, device, seed=21)
    assert_tensor_close(
        losses.binary_cross_entropy(prob.clone(), target.clone(), reduction=reduction),
        F.binary_cross_entropy(prob, target, reduction=reduction),
        call=call_text("binary_cross_entropy", reduction),
        inputs=inputs_text(prob, target) + " (hard and soft targets)",
        hint="the loss of each element is -(t * log(p) + (1 - t) * log(1 - p)), with the "
        f"natural log; {ELEMENTWISE_REDUCTION[reduction]}",
    )


@pytest.mark.requires("binary_cross_entropy")
@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("dtype", DTYPES)
def test_binary_cross_entropy_at_probabilities_0_and_1(losses, dtype, device):
    # Exact 0 and 1, a probability whose log is below -100 (1e-44 is a float32 subnormal), one
    # a rounding step below 1, and 0.5; against hard targets 0 and 1 and a soft target 0.3.
    tiny, step = (1e-44, 2.0**-24) if dtype == torch.float32 else (1e-50, 2.0**-53)
    probs = torch.tensor([0.0, 1.0, tiny, 1.0 - step, 0.5], dtype=dtype, device=device)
    targets = torch.tensor([0.0, 1.0, 0.3], dtype=dtype, device=device)
    prob, target = torch.meshgrid(probs, targets, indexing="ij")
    assert_tensor_close(
        losses.binary_cross_entropy(prob.clone(), target.clone(), reduction="none"),
        F.binary_cross_entropy(prob, target, reduction="none"),
        call=call_text("binary_cross_entropy", "none"),
        inputs=f"prob (rows) = {probs.tolist()} against target (columns) = {targets.tolist()}",
        hint="clamp each log term at -100 as PyTorch does: torch.log(prob).clamp(min=-100) and "
        "the same for log(1 - prob); unclamped, log(0) = -inf and 0 * -inf = nan. Clamping prob "
        "to [eps, 1 - eps] instead gives other values (log(1e-7) = -16.1, not -100), and so "
        "does replacing only log(0) (log(1e-50) = -115.1 must become -100 too)",
    )


# --- binary_cross_entropy_with_logits ----------------------------------------------------------

SATURATION_HINT = (
    "sigmoid saturates: sigmoid(20) is exactly 1.0 in float32 (sigmoid(40) in float64), so "
    "binary_cross_entropy(sigmoid(x), t) loses the loss of large |x|, and log(1 + exp(x)) "
    "overflows to inf. Use max(x, 0) - x * t + log1p(exp(-|x|)), which never exponentiates a "
    "positive number"
)


@pytest.mark.values("binary_cross_entropy_with_logits")
@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize(("shape", "reduction"), ELEMENTWISE_CASES)
def test_binary_cross_entropy_with_logits_matches_torch(losses, shape, reduction, dtype, device):
    logits = random_tensor(shape, dtype, device, seed=30, scale=3.0)
    target = binary_targets(shape, dtype, device, seed=31)
    assert_tensor_close(
        losses.binary_cross_entropy_with_logits(
            logits.clone(), target.clone(), reduction=reduction
        ),
        F.binary_cross_entropy_with_logits(logits, target, reduction=reduction),
        call=call_text("binary_cross_entropy_with_logits", reduction),
        inputs=inputs_text(logits, target) + " (hard and soft targets)",
        hint="the loss of each element is max(x, 0) - x * t + log1p(exp(-|x|)); "
        f"{ELEMENTWISE_REDUCTION[reduction]}",
    )


@pytest.mark.requires("binary_cross_entropy_with_logits")
@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("dtype", DTYPES)
def test_binary_cross_entropy_with_logits_of_extreme_logits(losses, dtype, device):
    xs = torch.tensor(
        [-500.0, -100.0, -40.0, -20.0, -1.0, 0.0, 1.0, 20.0, 40.0, 100.0, 500.0],
        dtype=dtype,
        device=device,
    )
    targets = torch.tensor([0.0, 1.0, 0.3], dtype=dtype, device=device)
    logits, target = torch.meshgrid(xs, targets, indexing="ij")
    assert_tensor_close(
        losses.binary_cross_entropy_with_logits(logits.clone(), target.clone(), reduction="none"),
        F.binary_cross_entropy_with_logits(logits, target, reduction="none"),
        call=call_text("binary_cross_entropy_with_logits", "none"),
        inputs=f"logits (rows) = {xs.tolist()} against target (columns) = {targets.tolist()}",
        hint=SATURATION_HINT,
    )


@pytest.mark.requires("binary_cross_entropy_with_logits")
@settings(max_examples=25, deadline=None)
@given(
    pairs=st.lists(
        st.tuples(st.floats(-1e3, 1e3, allow_nan=False), st.floats(0.0, 1.0)),
        min_size=1,
        max_size=12,
    )
)
def test_binary_cross_entropy_with_logits_any_logit(losses, pairs):
    logits = torch.tensor([x for x, _ in pairs], dtype=torch.float64)
    target = torch.tensor([t for _, t in pairs], dtype=torch.float64)
    assert_tensor_close(
        losses.binary_cross_entropy_with_logits(logits.clone(), target.clone(), reduction="none"),
        F.binary_cross_entropy_with_logits(logits, target, reduction="none"),
        call=call_text("binary_cross_entropy_with_logits", "none"),
        inputs=f"logits = {logits.tolist()}, target = {target.tolist()}",
        hint=SATURATION_HINT,
    )


# --- cross_entropy -----------------------------------------------------------------------------

CE_FORMULA = (
    "loss_n = -log_softmax(logits_n)[target_n] for class indices and "
    "-sum_c target[n, c] * log_softmax(logits_n)[c] for class probabilities, with the natural log"
)
PROBABILITY_TARGET_HINT = (
    "a floating target of shape (N, C) holds one probability distribution per row, not a class "
    "index: loss_n = -sum_c target[n, c] * log_softmax(logits_n)[c], using every class (do not "
    "reduce the row to its argmax)"
)
STABILITY_HINT = (
    "subtract the row maximum m before exponentiating (exp(1000) = inf) and compute "
    "log_softmax as (x - m) - log(sum(exp(x - m))), never as log(softmax(x))"
)


@pytest.mark.values("cross_entropy")
@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize(("shape", "reduction"), CLASS_CASES)
def test_cross_entropy_with_class_indices_matches_torch(losses, shape, reduction, dtype, device):
    n, c = shape
    logits = random_tensor(shape, dtype, device, seed=40, scale=3.0)
    target = class_indices(n, c, device, seed=41)
    assert_tensor_close(
        losses.cross_entropy(logits.clone(), target.clone(), reduction=reduction),
        F.cross_entropy(logits, target, reduction=reduction),
        call=call_text("cross_entropy", reduction),
        inputs=inputs_text(logits, target) + f" (class indices {target.tolist()})",
        hint=f"{CE_FORMULA}; {SAMPLE_REDUCTION[reduction]}",
    )


@pytest.mark.values("cross_entropy")
@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize(("shape", "reduction"), CLASS_CASES)
def test_cross_entropy_with_class_probabilities_matches_torch(
    losses, shape, reduction, dtype, device
):
    n, c = shape
    logits = random_tensor(shape, dtype, device, seed=42, scale=3.0)
    target = class_probabilities(n, c, dtype, device, seed=43)
    assert_tensor_close(
        losses.cross_entropy(logits.clone(), target.clone(), reduction=reduction),
        F.cross_entropy(logits, target, reduction=reduction),
        call=call_text("cross_entropy", reduction),
        inputs=inputs_text(logits, target) + " (soft class probabilities, rows sum to 1)",
        hint=f"{PROBABILITY_TARGET_HINT}; {SAMPLE_REDUCTION[reduction]}",
    )


@pytest.mark.requires("cross_entropy")
@pytest.mark.parametrize("dtype", DTYPES)
def test_cross_entropy_of_uniform_logits_is_log_of_class_count(losses, dtype):
    # Equal logits give every class probability 1/C, so each sample's loss is ln(C) exactly.
    logits = torch.zeros(3, 10, dtype=dtype)
    target = torch.tensor([0, 4, 9])
    expected = torch.full((3,), math.log(10), dtype=dtype)
    assert_tensor_close(
        losses.cross_entropy(logits.clone(), target.clone(), reduction="none"),
        expected,
        call=call_text("cross_entropy", "none"),
        inputs="logits all 0 over C = 10 classes, target [0, 4, 9]",
        hint="every class has probability 1/10, so the loss is -log(1/10) = ln(10) = 2.3026: "
        "cross-entropy uses the natural logarithm (torch.log, torch.exp), not log10 or log2",
    )


TARGET_KINDS = ["indices", "probabilities"]


def make_target(kind: str, n: int, c: int, dtype: torch.dtype, device: str, seed: int):
    if kind == "indices":
        return class_indices(n, c, device, seed)
    return class_probabilities(n, c, dtype, device, seed)


@pytest.mark.requires("cross_entropy")
@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("kind", TARGET_KINDS)
def test_cross_entropy_of_large_logits(losses, kind, dtype, device):
    # Rows of scale 1e3 (exp(1000) = inf in every float type) and 1e4.
    scale = torch.tensor([1e3, 1e3, 1e3, 1e4, 1e4, 1e4], dtype=dtype, device=device)
    logits = random_tensor((6, 5), dtype, device, seed=44) * scale[:, None]
    target = make_target(kind, 6, 5, dtype, device, seed=45)
    assert_tensor_close(
        losses.cross_entropy(logits.clone(), target.clone(), reduction="none"),
        F.cross_entropy(logits, target, reduction="none"),
        call=call_text("cross_entropy", "none"),
        inputs=inputs_text(logits, target) + f" (class {kind})",
        hint=STABILITY_HINT,
    )


@pytest.mark.requires("cross_entropy")
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("kind", TARGET_KINDS)
def test_cross_entropy_of_very_unlikely_class_is_finite(losses, kind, dtype):
    # Moderate logits (exp of the shifted values never overflows) whose softmax still underflows
    # to 0 for the target class: the loss is 1e4 + 50 and 500, not inf.
    logits = torch.tensor([[0.0, -1e4, 50.0], [-200.0, 0.0, 300.0]], dtype=dtype)
    indices = torch.tensor([1, 0])
    target = indices if kind == "indices" else F.one_hot(indices, 3).to(dtype)
    assert_tensor_close(
        losses.cross_entropy(logits.clone(), target.clone(), reduction="none"),
        F.cross_entropy(logits, target, reduction="none"),
        call=call_text("cross_entropy", "none"),
        inputs=f"logits = {logits.tolist()}, target = {target.tolist()}",
        hint="the softmax of the target class underflows to 0 and log(0) = -inf: do not take "
        "the log of a softmax; (x - m) - log(sum(exp(x - m))) stays finite",
    )


@pytest.mark.requires("cross_entropy")
@settings(max_examples=25, deadline=None)
@given(
    n=st.integers(1, 5),
    c=st.integers(1, 7),
    shift=st.floats(-1e4, 1e4, allow_nan=False),
    seed=st.integers(0, 2**16),
)
def test_cross_entropy_ignores_a_constant_shift(losses, n, c, shift, seed):
    """cross_entropy(x + s) == cross_entropy(x): softmax only sees differences of logits."""
    logits = random_tensor((n, c), torch.float64, "cpu", seed=seed)
    target = class_indices(n, c, "cpu", seed)
    assert_tensor_close(
        losses.cross_entropy(logits + shift, target.clone(), reduction="none"),
        F.cross_entropy(logits, target, reduction="none"),
        call="cross_entropy(logits + s, target, reduction='none')",
        inputs=f"logits of shape {(n, c)}, target {target.tolist()} and s = {shift!r}",
        hint="adding the same constant to every logit of a row does not change the loss; "
        + STABILITY_HINT,
        rtol=1e-8,
        atol=1e-10,
    )


# --- nll_loss ----------------------------------------------------------------------------------

NLL_FORMULA = (
    "loss_n = -log_probs[n, target_n]: row n, column target_n (gather along dim 1, or index with "
    "rows torch.arange(N) and columns target), negated; log_probs already are logarithms, so no "
    "further log and no softmax"
)


def log_probabilities(n: int, c: int, dtype: torch.dtype, device: str, seed: int) -> torch.Tensor:
    """Rows of log-probabilities: log_softmax of random logits (computed here, by torch)."""
    return F.log_softmax(random_tensor((n, c), torch.float64, "cpu", seed, scale=3.0), dim=1).to(
        dtype=dtype, device=device
    )


@pytest.mark.values("nll_loss")
@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize(("shape", "reduction"), NLL_CASES)
def test_nll_loss_matches_torch(losses, shape, reduction, dtype, device):
    n, c = shape
    log_probs = log_probabilities(n, c, dtype, device, seed=46)
    target = class_indices(n, c, device, seed=47)
    assert_tensor_close(
        losses.nll_loss(log_probs.clone(), target.clone(), reduction=reduction),
        F.nll_loss(log_probs, target, reduction=reduction),
        call=call_text("nll_loss", reduction),
        inputs=inputs_text(log_probs, target) + f" (class indices {target.tolist()})",
        hint=f"{NLL_FORMULA}; {SAMPLE_REDUCTION[reduction]}",
    )


@pytest.mark.requires("nll_loss")
@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("dtype", DTYPES)
def test_nll_loss_ignores_minus_inf_in_other_classes(losses, dtype, device):
    # log(0) = -inf for classes of probability 0 (masked out); the target's entry is finite.
    log_probs = log_probabilities(4, 5, dtype, device, seed=48)
    log_probs[0, 1:] = -math.inf
    log_probs[0, 0] = 0.0  # row 0: all the probability on class 0
    log_probs[2, 3] = -math.inf
    target = torch.tensor([0, 4, 1, 2], device=device)
    assert_tensor_close(
        losses.nll_loss(log_probs.clone(), target.clone(), reduction="none"),
        F.nll_loss(log_probs, target, reduction="none"),
        call=call_text("nll_loss", "none"),
        inputs=f"log_probs = {log_probs.tolist()}, target = {target.tolist()}",
        hint="pick each row's target entry (gather or indexing): multiplying log_probs by a "
        "one-hot matrix computes 0 * -inf = nan in the columns of probability 0",
    )


# --- every function: reductions, dtype and device, errors, inputs untouched --------------------

CASES = [
    "mse_loss",
    "l1_loss",
    "huber_loss",
    "binary_cross_entropy",
    "binary_cross_entropy_with_logits",
    "cross_entropy[indices]",
    "cross_entropy[probabilities]",
    "nll_loss",
]
# One case per function, for the errors of an unknown reduction.
REDUCTION_CASES = [case for case in CASES if case != "cross_entropy[probabilities]"]


# Each function's marker for the tests that count once its values are right (grader/core/gating.py).
REQUIRES = {
    "mse_loss": pytest.mark.requires("mse_loss"),
    "l1_loss": pytest.mark.requires("l1_loss"),
    "huber_loss": pytest.mark.requires("huber_loss"),
    "binary_cross_entropy": pytest.mark.requires("binary_cross_entropy"),
    "binary_cross_entropy_with_logits": pytest.mark.requires("binary_cross_entropy_with_logits"),
    "cross_entropy": pytest.mark.requires("cross_entropy"),
    "nll_loss": pytest.mark.requires("nll_loss"),
}


def each_case(cases: list[str]) -> list:
    """One parameter per case, each counting once its function's values are right."""
    return [pytest.param(case, id=case, marks=REQUIRES[case.split("[")[0]]) for case in cases]


def case_inputs(case: str, dtype: torch.dtype, device: str, seed: int = 50, scale: float = 1.0):
    """(first argument, target) for one of CASES; the first argument has shape (4, 6)."""
    name = case.split("[")[0]
    if name in ("mse_loss", "l1_loss", "huber_loss"):
        return random_tensor((4, 6), dtype, device, seed, scale), random_tensor(
            (4, 6), dtype, device, seed + 1, scale
        )
    if name == "nll_loss":
        return log_probabilities(4, 6, dtype, device, seed), class_indices(4, 6, device, seed + 1)
    if name == "binary_cross_entropy":
        prob = uniform((4, 6), dtype, device, seed)
        prob[0, :2] = torch.tensor([0.0, 1.0])  # exact 0 and 1, where clamping matters
        return prob, binary_targets((4, 6), dtype, device, seed + 1)
    logits = random_tensor((4, 6), dtype, device, seed, scale=50.0 * scale)
    if name == "binary_cross_entropy_with_logits":
        return logits, binary_targets((4, 6), dtype, device, seed + 1)
    return logits, make_target(case[len("cross_entropy[") : -1], 4, 6, dtype, device, seed + 1)


@pytest.mark.parametrize("device", DEVICES_AND_META)
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("case", each_case(CASES))
def test_output_follows_input_dtype_and_device(losses, case, dtype, device):
    name = case.split("[")[0]
    first, target = case_inputs(case, dtype, device)
    per_item = (first.shape[0],) if name in PER_SAMPLE else tuple(first.shape)
    for reduction, shape in (("mean", ()), ("sum", ()), ("none", per_item)):
        assert_like(
            getattr(losses, name)(first, target, reduction=reduction),
            call=call_text(name, reduction),
            shape=shape,
            dtype=dtype,
            device=device,
            hint=SAMPLE_REDUCTION[reduction]
            if name in PER_SAMPLE
            else ELEMENTWISE_REDUCTION[reduction],
        )


@pytest.mark.parametrize("case", each_case(REDUCTION_CASES))
def test_unknown_reduction_raises_value_error(losses, case):
    name = case.split("[")[0]
    first, target = case_inputs(case, torch.float64, "cpu")
    hint = (
        "check reduction and raise ValueError(f\"reduction must be 'mean', 'sum' or 'none', "
        'got {reduction!r}")'
    )
    for reduction in ("avg", "Mean", "batchmean", "", None):
        call = call_text(name, reduction)
        try:
            getattr(losses, name)(first, target, reduction=reduction)
        except ValueError as error:
            message = str(error)
        else:
            fail(
                call,
                "returned a result instead of raising ValueError: an unknown reduction must not "
                "be accepted silently (a typo would go unnoticed)",
                hint,
            )
        missing = [word for word in ("mean", "sum", "none") if word not in message]
        if missing:  # failing outside the except block keeps the student's error out of the report
            fail(
                call,
                f"raised ValueError({message!r}), which does not name the allowed value(s) "
                + ", ".join(repr(word) for word in missing),
                hint,
            )


@pytest.mark.parametrize("case", each_case(CASES))
def test_inputs_are_not_modified(losses, case):
    name = case.split("[")[0]
    first, target = case_inputs(case, torch.float64, "cpu", seed=60, scale=2.0)
    before = (first.clone(), target.clone())
    getattr(losses, name)(first, target, reduction="none")
    for argument, value, original in zip(("input", "target"), (first, target), before, strict=True):
        assert_tensor_close(
            value,
            original,
            call=f"{call_text(name, 'none')} changed its {argument}",
            hint="in-place operations (x -= ..., x.clamp_(...), x.exp_()) modify the caller's "
            "tensor; work on a new tensor",
            rtol=0.0,
            atol=0.0,
        )


# --- speed (pytest --impl=solutions --benchmark-only) ------------------------------------------

BENCHMARKS = {
    "mse_loss": F.mse_loss,
    "l1_loss": F.l1_loss,
    "huber_loss": F.huber_loss,
    "binary_cross_entropy": F.binary_cross_entropy,
    "binary_cross_entropy_with_logits": F.binary_cross_entropy_with_logits,
    "cross_entropy[indices]": F.cross_entropy,
    "cross_entropy[probabilities]": F.cross_entropy,
    "nll_loss": F.nll_loss,
}


@pytest.mark.parametrize("source", ["impl", "torch"])
@pytest.mark.parametrize("case", each_case(list(BENCHMARKS)))
def test_benchmark(benchmark, losses, case, source):
    """Realistic size: a batch of 512 rows of 1000 outputs (ImageNet-sized classifier output)."""
    name = case.split("[")[0]
    first = random_tensor((512, 1000), torch.float32, "cpu", seed=80)
    if name in ("mse_loss", "l1_loss", "huber_loss"):
        target = random_tensor((512, 1000), torch.float32, "cpu", seed=81)
    elif name == "nll_loss":
        first = log_probabilities(512, 1000, torch.float32, "cpu", seed=80)
        target = class_indices(512, 1000, "cpu", seed=81)
    elif name == "binary_cross_entropy":
        first = uniform((512, 1000), torch.float32, "cpu", seed=80)
        target = binary_targets((512, 1000), torch.float32, "cpu", seed=81)
    elif name == "binary_cross_entropy_with_logits":
        target = binary_targets((512, 1000), torch.float32, "cpu", seed=81)
    else:
        target = make_target(case[len("cross_entropy[") : -1], 512, 1000, torch.float32, "cpu", 81)
    function = getattr(losses.module, name) if source == "impl" else BENCHMARKS[case]
    benchmark.group = f"losses.{case}"
    benchmark(function, first, target)
