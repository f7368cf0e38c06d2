"""Tests of exercises/optimizers.py: sgd_step (momentum, Nesterov, weight decay), adagrad_step,
rmsprop_step, adam_step and adamw_step, one update of each optimizer for a single parameter, with
a state dict kept between calls.

Oracles, computed outside the student's call: torch.optim.SGD, Adagrad, RMSprop, Adam and AdamW
run for many steps on an identical parameter with the same gradients (a different gradient at
every step); closed forms where one exists (a constant gradient, where every one of these
optimizers has one; Adam with betas (0, 0)).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from support import (
    DEVICE_MARKS,
    DEVICES_AND_META,
    DTYPES,
    FLOAT_DTYPES,
    LAYOUTS,
    TOLERANCE,
    assert_like,
    assert_tensor_close,
    describe,
    fail,
    laid_out,
    layout_hint,
    random_tensor,
)
from torch import Tensor

STEPS = 30
SHAPES = {"1d": (17,), "2d": (6, 5), "0d": ()}  # id -> shape
ORACLES = {
    "sgd_step": torch.optim.SGD,
    "adagrad_step": torch.optim.Adagrad,
    "rmsprop_step": torch.optim.RMSprop,
    "adam_step": torch.optim.Adam,
    "adamw_step": torch.optim.AdamW,
}

# Over a whole trajectory float32 rounding accumulates (about 1e-7 of |param| per step, and the
# forms of the Adam step differ in rounding), so allow 1e-5 absolute as well as relative.
TRAJECTORY_TOLERANCE = {**TOLERANCE, torch.float32: {"rtol": 1e-5, "atol": 1e-5}}

SGD_HINT = (
    "at step 1, param - lr * g with g = grad + weight_decay * param (with momentum the buffer "
    "starts as g, so step 1 is the same)"
)
SGD_LATER_HINT = (
    "step 1 matched, a later step did not: with momentum, buf = momentum * buf + g (no "
    "(1 - momentum) factor), kept in state between calls; weight decay is part of g before g "
    "enters the buffer"
)
ADAM_HINT = (
    "at step 1 the bias-corrected averages are exactly m_hat = g and v_hat = g * g, so the step "
    "is lr * g / (|g| + eps) with g = grad + weight_decay * param: check the bias corrections "
    "(m / (1 - beta1**t), v / (1 - beta2**t)), the square root, eps added after the root, and "
    "weight decay added to the gradient first"
)
ADAM_LATER_HINT = (
    "step 1 matched, a later step did not: the bias corrections 1 - beta1**t and 1 - beta2**t use "
    "t, the number of steps taken so far (1, 2, 3, ...), stored in state and increased at every "
    "call; m and v are running averages kept in state"
)
NESTEROV_HINT = (
    "with nesterov=True step 1 is param - lr * (1 + momentum) * g, g = grad + weight_decay * "
    "param: the step is g + momentum * buf, with buf already updated at this step (buf = g at "
    "step 1)"
)
NESTEROV_LATER_HINT = (
    "step 1 matched, a later step did not: torch's Nesterov step is param - lr * (g + momentum "
    "* buf), the look-ahead taken through the gradient, with buf = momentum * buf + g updated "
    "first and kept in state. The parameter moves once per call, by that amount only: moving "
    "it again by lr * momentum * buf (the textbook look-ahead applied to the parameter) is "
    "another sequence of parameters"
)
ADAGRAD_HINT = (
    "at step 1 the accumulator is s = g * g, so the step is lr * g / (|g| + eps) with g = grad "
    "+ weight_decay * param: accumulate the square of the gradient, take the square root, then "
    "add eps"
)
ADAGRAD_LATER_HINT = (
    "step 1 matched, a later step did not: s is the sum of *all* squared gradients so far "
    "(s = s + g * g: never reset, not an average), kept in state between calls"
)
RMSPROP_HINT = (
    "at step 1 v = (1 - alpha) * g * g (v starts at 0), so the step is lr * g / (sqrt(1 - "
    "alpha) * |g| + eps) with g = grad + weight_decay * param: (1 - alpha) multiplies the new "
    "squared gradient, alpha the old average; no bias correction; eps after the square root"
)
RMSPROP_LATER_HINT = (
    "step 1 matched, a later step did not: v = alpha * v + (1 - alpha) * g * g is kept in state "
    "between calls; with momentum, buf = momentum * buf + g / (sqrt(v) + eps) (the scaled "
    "step, not the raw gradient), then param - lr * buf"
)
ADAMW_HINT = (
    "at step 1 Adam's m_hat / sqrt(v_hat) is exactly grad / |grad|, so the step is param * (1 - "
    "lr * weight_decay) - lr * grad / (|grad| + eps): shrink param by the factor 1 - lr * "
    "weight_decay first, and keep the decay out of the gradient, m and v (that is Adam with L2)"
)
ADAMW_LATER_HINT = (
    "step 1 matched, a later step did not: as in adam_step, the bias corrections use t, the "
    "number of steps taken so far, stored in state and increased at every call, and m and v "
    "are running averages of the raw gradient kept in state; the decay multiplies the "
    "parameter as it was before this step's Adam update"
)
HINTS = {
    "sgd_step": (SGD_HINT, SGD_LATER_HINT),
    "nesterov": (NESTEROV_HINT, NESTEROV_LATER_HINT),
    "adagrad_step": (ADAGRAD_HINT, ADAGRAD_LATER_HINT),
    "rmsprop_step": (RMSPROP_HINT, RMSPROP_LATER_HINT),
    "adam_step": (ADAM_HINT, ADAM_LATER_HINT),
    "adamw_step": (ADAMW_HINT, ADAMW_LATER_HINT),
}
# A test that is not about one optimizer's values counts once that optimizer's values are right.
REQUIRES_SGD = pytest.mark.requires("sgd_step")
REQUIRES_ADAGRAD = pytest.mark.requires("adagrad_step")
REQUIRES_RMSPROP = pytest.mark.requires("rmsprop_step")
REQUIRES_ADAM = pytest.mark.requires("adam_step")
REQUIRES_ADAMW = pytest.mark.requires("adamw_step")


@pytest.fixture(scope="module")
def opt(load_impl):
    return load_impl("optimizers")


def gradients(
    shape: tuple[int, ...], dtype: torch.dtype, device: str, *, steps: int = STEPS, seed: int = 0
) -> list[Tensor]:
    """A different gradient at every step. Entry i has magnitude 1, 1e-3 or 1e-6 (i mod 3): for
    the last, Adam's v is ~1e-12 and sqrt(v) ~1e-6, so eps = 1e-8 changes the step by ~1% and
    where it goes matters. About one entry in five is an exact 0 at each step, and entry 0 of a
    tensor with several entries is 0 at every step (Adam's m = v = 0 there: the step is 0)."""
    generator = torch.Generator().manual_seed(seed)
    n = torch.Size(shape).numel()
    magnitude = torch.tensor([1.0, 1e-3, 1e-6], dtype=torch.float64)[torch.arange(n) % 3]
    result = []
    for _ in range(steps):
        values = torch.randn(n, generator=generator, dtype=torch.float64) * magnitude
        values[torch.rand(n, generator=generator) < 0.2] = 0.0
        if n > 1:
            values[0] = 0.0
        result.append(values.reshape(shape).to(dtype=dtype, device=device))
    return result


def torch_trajectory(name: str, param: Tensor, grads: list[Tensor], hyper: dict) -> list[Tensor]:
    """The parameter after each step of the torch.optim optimizer of ``name`` (default
    implementation choice) fed these gradients, one clone per step."""
    p = param.detach().clone().requires_grad_(True)
    optimizer = ORACLES[name]([p], **hyper)
    trajectory = []
    for grad in grads:
        p.grad = grad.clone()
        optimizer.step()
        trajectory.append(p.detach().clone())
    return trajectory


def call_text(name: str, hyper: dict) -> str:
    keywords = "".join(f", {key}={value!r}" for key, value in hyper.items())
    return f"{name}(param, grad, state{keywords})"


def check_trajectory(
    opt: Any,
    name: str,
    param: Tensor,
    grads: list[Tensor],
    hyper: dict,
    expected: list[Tensor] | None = None,
    *,
    hint: str,
    later_hint: str,
    inputs: str = "",
) -> None:
    """From an empty state, the student's ``opt.<name>`` gives ``expected[k]`` after gradient k,
    at every step; the returned value is what the next step gets. The first step that differs
    fails. (The steps run as one chain: one round trip to the sandbox when grading.)

    ``expected`` defaults to torch.optim's trajectory, computed once the student's first step has
    returned (a stub is skipped without paying for torch.optim's first use, ~1.5 s of imports),
    from copies of the gradients taken before any student call."""
    pristine = [grad.clone() for grad in grads]
    state: dict = {}
    steps = opt.chain(name, param.clone(), [((grad, state), hyper) for grad in grads])
    for number, current in enumerate(steps, start=1):
        if expected is None:
            expected = torch_trajectory(name, param, pristine, hyper)
        want = expected[number - 1]
        assert_tensor_close(
            current,
            want,
            call=f"{call_text(name, hyper)} at step {number} of {len(grads)}",
            inputs=inputs
            or f"the starting param: {describe(param)}; a different gradient at every step",
            hint=float32_state_hint(opt, name, param, grads[0], hyper, current, want)
            or (hint if number == 1 else later_hint),
            **TRAJECTORY_TOLERANCE[param.dtype],
        )


def float32_state_hint(
    opt: Any, name: str, param: Tensor, grad: Tensor, hyper: dict, current: Any, want: Tensor
) -> str:
    """Where a float64 step differs: what the state holds in float32 after one step from an
    empty state, named (the formulas may all be right, rounded to float32's precision by it);
    "" when nothing is, or the step is right."""
    if (
        param.dtype != torch.float64
        or not isinstance(current, Tensor)
        or current.shape != want.shape
        or current.dtype != want.dtype
        or torch.allclose(current, want, **TRAJECTORY_TOLERANCE[param.dtype])
    ):
        return ""
    state: dict = {}
    try:
        getattr(opt, name)(param.clone(), grad.clone(), state, **hyper)
    except Exception:
        return ""
    float32 = [f"state[{key!r}] is a {value.dtype} tensor" for key, value in state.items()
               if isinstance(value, Tensor) and value.dtype == torch.float32]  # fmt: skip
    if not float32:
        return ""
    return (
        f"{' and '.join(float32)} while param is torch.float64: every step is then rounded to "
        "float32's precision (about 1e-7). A step counter kept as a tensor (torch.optim keeps "
        "state['step'] as a float32 tensor) makes beta ** t float32: keep it a Python int; "
        "make state tensors with torch.zeros_like(param), in param's dtype"
    )


def follows_torch(opt: Any, name: str, param: Tensor, grads: list[Tensor], hyper: dict) -> bool:
    """Whether the student's steps follow torch.optim's for these gradients: a probe, so that a
    test of one property blames that property only when the rest is right."""
    state: dict = {}
    try:
        expected = torch_trajectory(name, param, [grad.clone() for grad in grads], hyper)
        calls = [((grad.clone(), state), hyper) for grad in grads]
        for current, want in zip(opt.chain(name, param.clone(), calls), expected, strict=True):
            if not isinstance(current, Tensor) or not torch.allclose(
                current, want, **TRAJECTORY_TOLERANCE[param.dtype]
            ):
                return False
    except Exception:
        return False
    return True


def not_this_property(name: str, without: str) -> str:
    return (
        f"your {name} already differs from torch.optim {without}, so this test cannot tell "
        f"what else is wrong: make test_{name.removesuffix('_step')}_matches_torch pass first"
    )


# --- both optimizers against torch.optim, over many steps ---------------------------------------

SGD_CASES = [
    pytest.param({"lr": 0.1}, id="plain"),
    pytest.param({"lr": 0.1, "weight_decay": 0.05}, id="decay"),
    pytest.param({"lr": 0.05, "momentum": 0.9}, id="momentum"),
    pytest.param({"lr": 0.01, "momentum": 0.9, "weight_decay": 0.01}, id="momentum-decay"),
    pytest.param({"lr": 0.2, "momentum": 0.5, "weight_decay": 0.1}, id="half-momentum-decay"),
]
ADAM_CASES = [
    pytest.param({}, id="defaults"),
    pytest.param({"lr": 1e-2, "betas": (0.8, 0.99), "eps": 1e-6}, id="eps1e-6"),
    pytest.param({"lr": 0.05, "betas": (0.5, 0.9), "weight_decay": 0.1}, id="decay"),
    pytest.param(
        {"lr": 1e-3, "betas": (0.95, 0.9999), "eps": 1e-10, "weight_decay": 1e-3}, id="slow-betas"
    ),
]


def inputs(values: pytest.MarkDecorator) -> list[tuple[str, tuple, list]]:
    """(id, (shape, dtype, device), marks) for every input of SHAPES x DTYPES x DEVICES, with the
    ids and the order of three stacked parametrizations. ``values`` marks the ordinary inputs
    only: a shape with entries, on the CPU. A 0-d parameter and the other devices count once the
    values are right, and a mistake there costs only those tests."""
    return [
        (
            f"{shape_id}-{dtype_id}-{device}",
            (shape, dtype, device),
            [*marks, *([values] if shape_id != "0d" and device == "cpu" else [])],
        )
        for shape_id, shape in SHAPES.items()
        for dtype_id, dtype in FLOAT_DTYPES.items()
        for device, marks in DEVICE_MARKS.items()
    ]


def inputs_grid(values: pytest.MarkDecorator) -> list:
    """:func:`inputs` as parameters (shape, dtype, device)."""
    return [pytest.param(*args, id=key, marks=marks) for key, args, marks in inputs(values)]


@pytest.mark.requires("sgd_step")
@pytest.mark.parametrize(("shape", "dtype", "device"), inputs_grid(pytest.mark.values("sgd_step")))
@pytest.mark.parametrize("hyper", SGD_CASES)
def test_sgd_matches_torch(opt, hyper, shape, dtype, device):
    param = random_tensor(shape, dtype, device, seed=1)
    grads = gradients(shape, dtype, device, seed=2)
    check_trajectory(
        opt, "sgd_step", param, grads, hyper,
        hint=SGD_HINT, later_hint=SGD_LATER_HINT,
    )  # fmt: skip


@pytest.mark.requires("adam_step")
@pytest.mark.parametrize(("shape", "dtype", "device"), inputs_grid(pytest.mark.values("adam_step")))
@pytest.mark.parametrize("hyper", ADAM_CASES)
def test_adam_matches_torch(opt, hyper, shape, dtype, device):
    param = random_tensor(shape, dtype, device, seed=3)
    grads = gradients(shape, dtype, device, seed=4)
    check_trajectory(
        opt, "adam_step", param, grads, hyper,
        hint=ADAM_HINT, later_hint=ADAM_LATER_HINT,
    )  # fmt: skip


# --- SGD: one property at a time ------------------------------------------------------------------


@pytest.mark.requires("sgd_step")
@settings(max_examples=25, deadline=None)
@given(
    momentum=st.floats(0.0, 0.99),
    steps=st.integers(2, 15),
    lr=st.floats(1e-3, 1.0),
    seed=st.integers(0, 2**16),
)
def test_sgd_momentum_sums_past_gradients(opt, momentum, steps, lr, seed):
    """A constant gradient g: buf after k steps is g * (1 + momentum + ... + momentum**(k-1))."""
    param = random_tensor((4,), torch.float64, "cpu", seed=seed)
    grad = random_tensor((4,), torch.float64, "cpu", seed=seed + 1)
    hyper = {"lr": lr, "momentum": momentum}
    expected, current, buffer = [], param.clone(), torch.zeros_like(param)
    for k in range(steps):
        buffer = buffer + momentum**k * grad
        current = current - lr * buffer
        expected.append(current)
    hint = (
        "buf = momentum * buf + g adds each new gradient at full weight, and buf is kept in state "
        "between calls: with a constant gradient g, buf after k steps is g * (1 + momentum + ... "
        "+ momentum**(k-1)). momentum * buf + (1 - momentum) * g is an average, not torch's SGD"
    )
    check_trajectory(
        opt, "sgd_step", param, [grad.clone() for _ in range(steps)], hyper, expected,
        hint=hint, later_hint=hint, inputs=f"the same gradient g = {grad.tolist()} at every step",
    )  # fmt: skip


@pytest.mark.values("sgd_step")
def test_sgd_weight_decay_enters_the_momentum_buffer(opt):
    param = random_tensor((8,), torch.float64, "cpu", seed=5, scale=3.0)
    grads = gradients((8,), torch.float64, "cpu", steps=10, seed=6)
    hyper = {"lr": 0.05, "momentum": 0.9, "weight_decay": 0.1}
    hint = (
        "weight decay is part of the gradient before the momentum buffer sees it: g = grad + "
        "weight_decay * param, then buf = momentum * buf + g, param - lr * buf. Decaying param "
        "separately (param - lr * (buf + weight_decay * param)) agrees at step 1 only"
    )
    if not follows_torch(opt, "sgd_step", param, grads, {"lr": 0.05, "momentum": 0.9}):
        hint = not_this_property("sgd_step", "without weight decay")
    check_trajectory(
        opt, "sgd_step", param, grads, hyper, hint=hint, later_hint=hint
    )  # fmt: skip


# --- Adam: one property at a time -----------------------------------------------------------------


@pytest.mark.requires("adam_step")
@settings(max_examples=25, deadline=None)
@given(
    beta1=st.floats(0.0, 0.99),
    beta2=st.floats(0.0, 0.9999),
    steps=st.integers(2, 12),
    lr=st.floats(1e-4, 1.0),
    seed=st.integers(0, 2**16),
)
def test_adam_constant_gradient_moves_lr_per_step(opt, beta1, beta2, steps, lr, seed):
    """Bias correction makes m_hat = g and v_hat = g * g exactly when g is constant, at every t,
    so with eps = 0 every step moves each entry by lr * sign(g)."""
    generator = torch.Generator().manual_seed(seed)
    signs = torch.randint(0, 2, (5,), generator=generator, dtype=torch.float64) * 2 - 1
    grad = signs * 10.0 ** (torch.rand(5, generator=generator, dtype=torch.float64) * 6 - 3)
    param = random_tensor((5,), torch.float64, "cpu", seed=seed)
    hyper = {"lr": lr, "betas": (beta1, beta2), "eps": 0.0}
    expected = [param - k * lr * signs for k in range(1, steps + 1)]
    check_trajectory(
        opt, "adam_step", param, [grad.clone() for _ in range(steps)], hyper, expected,
        hint="with a constant gradient g the bias-corrected averages are exactly m_hat = g and "
        "v_hat = g * g, so every step moves param by lr * sign(g) (eps = 0 here): divide m by "
        "1 - beta1**t and v by 1 - beta2**t",
        later_hint="step 1 matched, a later step did not: bias correction uses 1 - beta1**t and "
        "1 - beta2**t with t the number of steps taken so far (1, 2, 3, ...), stored in state and "
        "increased at every call; 1 - beta1 is right at step 1 only",
        inputs=f"the same gradient g = {grad.tolist()} at every step",
    )  # fmt: skip


@pytest.mark.requires("adam_step")
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("eps", [1e-8, 1e-6])
def test_adam_eps_is_added_after_the_square_root(opt, eps, dtype):
    """betas = (0, 0): m_hat = g and v_hat = g * g at every step, whatever the bias correction,
    so each step is lr * g / (|g| + eps). The gradients are tiny, about 1e-6, and some are 0."""
    param = random_tensor((12,), dtype, "cpu", seed=7)
    grads = [random_tensor((12,), dtype, "cpu", seed=8 + k, scale=1e-6) for k in range(4)]
    for grad in grads:
        grad[::4] = 0.0
    hyper = {"lr": 0.01, "betas": (0.0, 0.0), "eps": eps}
    expected, current = [], param.double()
    for grad in grads:
        current = current - 0.01 * grad.double() / (grad.double().abs() + eps)
        expected.append(current.to(dtype))
    hint = (
        "the denominator is sqrt(v_hat) + eps: eps is added after the square root. With |g| ~ "
        "1e-6, sqrt(v_hat + eps) is ~sqrt(eps), far larger than |g|, and the step shrinks; where "
        "g has always been 0 the step is 0 / eps = 0 (never NaN)"
    )
    check_trajectory(
        opt, "adam_step", param, grads, hyper, expected, hint=hint, later_hint=hint,
        inputs=f"param: {describe(param)}; tiny gradients (~1e-6, every 4th entry 0)",
    )  # fmt: skip


@pytest.mark.values("adam_step")
@pytest.mark.parametrize("weight_decay", [0.1, 0.5])
def test_adam_weight_decay_is_l2_in_the_gradient(opt, weight_decay):
    param = random_tensor((9,), torch.float64, "cpu", seed=9, scale=3.0)
    grads = gradients((9,), torch.float64, "cpu", steps=10, seed=10)
    hyper = {"lr": 0.01, "weight_decay": weight_decay}
    hint = (
        "Adam's weight_decay is L2 regularization: g = grad + weight_decay * param is computed "
        "first and used in both m and v. Shrinking param directly (param *= 1 - lr * weight_decay, "
        "AdamW) or adding weight_decay * param after the moment updates is another optimizer"
    )
    if not follows_torch(opt, "adam_step", param, grads, {"lr": 0.01}):
        hint = not_this_property("adam_step", "without weight decay")
    check_trajectory(
        opt, "adam_step", param, grads, hyper, hint=hint, later_hint=hint
    )  # fmt: skip


# --- the other optimizers against torch.optim, over many steps ---------------------------------

# id -> hyperparameters
NESTEROV_CASES = {
    "nesterov": {"lr": 0.05, "momentum": 0.9, "nesterov": True},
    "nesterov-decay": {"lr": 0.02, "momentum": 0.5, "weight_decay": 0.05, "nesterov": True},
}
ADAGRAD_CASES = {
    "defaults": {},
    "decay": {"lr": 0.1, "weight_decay": 0.05},
    "eps1e-6": {"lr": 0.05, "eps": 1e-6},
}
RMSPROP_CASES = {
    "defaults": {},
    "alpha0.9-eps1e-6": {"lr": 1e-3, "alpha": 0.9, "eps": 1e-6},
    "momentum": {"lr": 1e-3, "momentum": 0.9},
    "momentum-decay": {"lr": 5e-3, "alpha": 0.95, "weight_decay": 0.1, "momentum": 0.5},
}
ADAMW_CASES = {
    "defaults": {},
    "strong-decay": {"lr": 0.05, "betas": (0.5, 0.9), "weight_decay": 0.5},
    "no-decay": {"lr": 1e-2, "weight_decay": 0.0},
    "slow-betas": {"lr": 1e-3, "betas": (0.95, 0.9999), "eps": 1e-10, "weight_decay": 0.1},
}


def cases_grid(name: str, cases: dict[str, dict]) -> list:
    """(hyper, shape, dtype, device) for each case: the first case on every input of
    :func:`inputs`, the others on the 2-d parameter only (both dtypes, every device), which
    keeps the suite fast; ``values(name)`` marks the CPU inputs with entries, as there."""
    return [
        pytest.param(hyper, *args, id=f"{case_id}-{key}", marks=marks)
        for index, (case_id, hyper) in enumerate(cases.items())
        for key, args, marks in inputs(pytest.mark.values(name))
        if index == 0 or key.startswith("2d-")
    ]


def check_matches_torch(opt, name: str, hyper: dict, shape, dtype, device, seed: int) -> None:
    param = random_tensor(shape, dtype, device, seed=seed)
    grads = gradients(shape, dtype, device, seed=seed + 1)
    hint, later_hint = HINTS["nesterov" if hyper.get("nesterov") else name]
    check_trajectory(opt, name, param, grads, hyper, hint=hint, later_hint=later_hint)


@pytest.mark.requires("sgd_step")
@pytest.mark.parametrize(
    ("hyper", "shape", "dtype", "device"), cases_grid("sgd_step", NESTEROV_CASES)
)
def test_sgd_nesterov_matches_torch(opt, hyper, shape, dtype, device):
    check_matches_torch(opt, "sgd_step", hyper, shape, dtype, device, seed=23)


@pytest.mark.requires("adagrad_step")
@pytest.mark.parametrize(
    ("hyper", "shape", "dtype", "device"), cases_grid("adagrad_step", ADAGRAD_CASES)
)
def test_adagrad_matches_torch(opt, hyper, shape, dtype, device):
    check_matches_torch(opt, "adagrad_step", hyper, shape, dtype, device, seed=25)


@pytest.mark.requires("rmsprop_step")
@pytest.mark.parametrize(
    ("hyper", "shape", "dtype", "device"), cases_grid("rmsprop_step", RMSPROP_CASES)
)
def test_rmsprop_matches_torch(opt, hyper, shape, dtype, device):
    check_matches_torch(opt, "rmsprop_step", hyper, shape, dtype, device, seed=27)


@pytest.mark.requires("adamw_step")
@pytest.mark.parametrize(
    ("hyper", "shape", "dtype", "device"), cases_grid("adamw_step", ADAMW_CASES)
)
def test_adamw_matches_torch(opt, hyper, shape, dtype, device):
    check_matches_torch(opt, "adamw_step", hyper, shape, dtype, device, seed=29)


def constant_gradient(seed: int, size: int = 5) -> tuple[Tensor, Tensor]:
    """(signs, gradient): a float64 gradient with entries of every magnitude from 1e-3 to 1e3,
    none of them 0, and its signs."""
    generator = torch.Generator().manual_seed(seed)
    signs = torch.randint(0, 2, (size,), generator=generator, dtype=torch.float64) * 2 - 1
    magnitude = 10.0 ** (torch.rand(size, generator=generator, dtype=torch.float64) * 6 - 3)
    return signs, signs * magnitude


# --- SGD with Nesterov momentum -------------------------------------------------------------------


@pytest.mark.requires("sgd_step")
@pytest.mark.parametrize("momentum", [0.5, 0.9])
def test_sgd_nesterov_looks_ahead_through_the_gradient(opt, momentum):
    """A constant gradient g: buf after k steps is g * (1 + momentum + ... + momentum**(k-1)),
    and Nesterov's k-th step moves param by lr * (g + momentum * buf)."""
    param = random_tensor((6,), torch.float64, "cpu", seed=31)
    grad = random_tensor((6,), torch.float64, "cpu", seed=32)
    hyper = {"lr": 0.1, "momentum": momentum, "nesterov": True}
    expected, current, buffer = [], param.clone(), torch.zeros_like(param)
    for k in range(8):
        buffer = buffer + momentum**k * grad
        current = current - 0.1 * (grad + momentum * buffer)
        expected.append(current)
    hint, later_hint = NESTEROV_HINT, NESTEROV_LATER_HINT
    classical = {"lr": 0.1, "momentum": momentum}
    if not follows_torch(opt, "sgd_step", param, [grad] * 8, classical):
        hint = later_hint = not_this_property("sgd_step", "without nesterov")
    check_trajectory(
        opt, "sgd_step", param, [grad.clone() for _ in range(8)], hyper, expected,
        hint=hint, later_hint=later_hint, inputs=f"the same gradient g = {grad.tolist()} at "
        "every step",
    )  # fmt: skip


@pytest.mark.requires("sgd_step")
@pytest.mark.parametrize(
    "momentum", [pytest.param(None, id="default-momentum"), pytest.param(0.0, id="momentum-0")]
)
def test_sgd_nesterov_without_momentum_raises_value_error(opt, momentum):
    hyper: dict = {"lr": 0.1} if momentum is None else {"lr": 0.1, "momentum": momentum}
    hyper["nesterov"] = True
    param = random_tensor((4,), torch.float64, "cpu", seed=33)
    grad = random_tensor((4,), torch.float64, "cpu", seed=34)
    try:
        opt.sgd_step(param, grad, {}, **hyper)
    except ValueError:
        return
    fail(
        call_text("sgd_step", hyper),
        "returned a result instead of raising ValueError: Nesterov's look-ahead follows the "
        "momentum buffer, so without momentum it means nothing, and torch.optim.SGD refuses it",
        "check it before anything else: if nesterov and momentum <= 0: raise ValueError(...)",
    )


# --- AdaGrad and RMSProp: one property at a time -------------------------------------------------


@pytest.mark.requires("adagrad_step")
@settings(max_examples=15, deadline=None)
@given(steps=st.integers(2, 12), lr=st.floats(1e-3, 1.0), seed=st.integers(0, 2**16))
def test_adagrad_accumulates_squared_gradients(opt, steps, lr, seed):
    """A constant gradient g: s after t steps is t * g * g, so with eps = 0 step t moves each
    entry by lr * sign(g) / sqrt(t)."""
    signs, grad = constant_gradient(seed)
    param = random_tensor((5,), torch.float64, "cpu", seed=seed)
    hyper = {"lr": lr, "eps": 0.0}
    moved = torch.cumsum(torch.arange(1, steps + 1, dtype=torch.float64).rsqrt(), 0)
    expected = [param - lr * signs * distance for distance in moved]
    hint = (
        "s is the running sum of squared gradients, s = s + g * g, kept in state: with a "
        "constant gradient g, s after t steps is t * g * g, so step t moves param by lr * "
        "sign(g) / sqrt(t) (eps = 0 here). Summing g instead of g * g (a negative sum has no "
        "square root: NaN), averaging, or starting s afresh at every call breaks this"
    )
    check_trajectory(
        opt, "adagrad_step", param, [grad.clone() for _ in range(steps)], hyper,
        expected, hint=hint, later_hint=hint,
        inputs=f"the same gradient g = {grad.tolist()} at every step",
    )  # fmt: skip


@pytest.mark.requires("rmsprop_step")
@settings(max_examples=15, deadline=None)
@given(
    alpha=st.floats(0.0, 0.999),
    steps=st.integers(2, 12),
    lr=st.floats(1e-4, 1.0),
    seed=st.integers(0, 2**16),
)
def test_rmsprop_keeps_a_running_average_of_squares(opt, alpha, steps, lr, seed):
    """A constant gradient g: v after t steps is (1 - alpha**t) * g * g, so with eps = 0 step t
    moves each entry by lr * sign(g) / sqrt(1 - alpha**t)."""
    signs, grad = constant_gradient(seed)
    param = random_tensor((5,), torch.float64, "cpu", seed=seed)
    hyper = {"lr": lr, "alpha": alpha, "eps": 0.0}
    t = torch.arange(1, steps + 1, dtype=torch.float64)
    moved = torch.cumsum((1 - alpha**t).rsqrt(), 0)
    expected = [param - lr * signs * distance for distance in moved]
    hint = (
        "v = alpha * v + (1 - alpha) * g * g, kept in state: with a constant gradient g, v after "
        "t steps is (1 - alpha**t) * g * g, so step t moves param by lr * sign(g) / sqrt(1 - "
        "alpha**t) (eps = 0 here). alpha weighs the old average and 1 - alpha the new square, "
        "not the other way round; and RMSProp has no bias correction (dividing v by 1 - "
        "alpha**t is Adam's)"
    )
    check_trajectory(
        opt, "rmsprop_step", param, [grad.clone() for _ in range(steps)], hyper,
        expected, hint=hint, later_hint=hint,
        inputs=f"the same gradient g = {grad.tolist()} at every step",
    )  # fmt: skip


EPS_CASES = [
    pytest.param("adagrad_step", {"lr": 0.01}, id="adagrad-eps1e-10", marks=REQUIRES_ADAGRAD),
    pytest.param(
        "adagrad_step", {"lr": 0.01, "eps": 1e-8}, id="adagrad-eps1e-8", marks=REQUIRES_ADAGRAD
    ),
    pytest.param(
        "rmsprop_step", {"lr": 0.01, "alpha": 0.9}, id="rmsprop-eps1e-8", marks=REQUIRES_RMSPROP
    ),
    pytest.param(
        "rmsprop_step",
        {"lr": 0.01, "alpha": 0.9, "eps": 1e-6},
        id="rmsprop-eps1e-6",
        marks=REQUIRES_RMSPROP,
    ),
]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize(("name", "hyper"), EPS_CASES)
def test_eps_is_added_after_the_square_root(opt, name, hyper, dtype):
    """A constant tiny gradient g (~1e-6, every 4th entry 0): the accumulated square is
    c_t * g * g, with c_t = t for AdaGrad and 1 - alpha**t for RMSProp, so step t moves param
    by lr * g / (sqrt(c_t) * |g| + eps)."""
    adagrad = name == "adagrad_step"
    eps = hyper.get("eps", 1e-10 if adagrad else 1e-8)  # the signatures' defaults
    param = random_tensor((12,), dtype, "cpu", seed=41)
    grad = random_tensor((12,), dtype, "cpu", seed=42, scale=1e-6)
    grad[::4] = 0.0
    expected, current, exact = [], param.double(), grad.double()
    for t in range(1, 6):
        accumulated = t if adagrad else 1 - hyper["alpha"] ** t
        current = current - hyper["lr"] * exact / (accumulated**0.5 * exact.abs() + eps)
        expected.append(current.to(dtype))
    accumulator = "s" if adagrad else "v"
    hint = (
        f"the denominator is sqrt({accumulator}) + eps: eps is added after the square root. "
        f"With |g| ~ 1e-6, sqrt({accumulator} + eps) is ~sqrt(eps), far larger than |g|, and "
        "the step almost vanishes; where g has always been 0 the step is 0 / eps = 0 (never "
        "NaN)"
    )
    # With eps = 0 and gradients of magnitude ~1 where eps goes cannot matter: the rest is
    # probed there, so that this hint blames eps only when the rest is right.
    probe = [random_tensor((12,), torch.float64, "cpu", seed=43 + k) for k in range(5)]
    if not follows_torch(opt, name, param.double(), probe, {**hyper, "eps": 0.0}):
        hint = not_this_property(name, "with eps = 0")
    check_trajectory(
        opt, name, param, [grad.clone() for _ in range(5)], hyper, expected, hint=hint,
        later_hint=hint, inputs=f"param: {describe(param)}; the same tiny gradient (~1e-6, "
        "every 4th entry 0) at every step",
    )  # fmt: skip


@pytest.mark.values("rmsprop_step")
@pytest.mark.parametrize("momentum", [0.5, 0.9])
def test_rmsprop_momentum_accumulates_scaled_steps(opt, momentum):
    param = random_tensor((9,), torch.float64, "cpu", seed=51, scale=3.0)
    grads = gradients((9,), torch.float64, "cpu", steps=10, seed=52)
    hyper = {"lr": 0.01, "alpha": 0.9, "momentum": momentum}
    hint = (
        "with momentum > 0, buf = momentum * buf + g / (sqrt(v) + eps) and param = param - lr * "
        "buf: the buffer accumulates the scaled steps, not the raw gradients (buf = momentum * "
        "buf + g, divided by sqrt(v) + eps afterwards, agrees at step 1 only); buf starts at "
        "zero, has no (1 - momentum) factor and is kept in state"
    )
    if not follows_torch(opt, "rmsprop_step", param, grads, {"lr": 0.01, "alpha": 0.9}):
        hint = not_this_property("rmsprop_step", "without momentum")
    check_trajectory(
        opt, "rmsprop_step", param, grads, hyper, hint=hint, later_hint=hint
    )  # fmt: skip


# --- AdamW: decoupled weight decay ----------------------------------------------------------------


@pytest.mark.values("adamw_step")
@pytest.mark.parametrize("weight_decay", [0.1, 0.5])
def test_adamw_weight_decay_is_decoupled(opt, weight_decay):
    """lr * weight_decay is large here (up to 0.025), so that shrinking the parameter after the
    Adam update instead of before (a change of lr**2 * weight_decay per step) shows."""
    param = random_tensor((9,), torch.float64, "cpu", seed=61, scale=3.0)
    grads = gradients((9,), torch.float64, "cpu", steps=10, seed=62)
    hyper = {"lr": 0.05, "weight_decay": weight_decay}
    hint = (
        "AdamW's decay is decoupled from the gradient: param = param * (1 - lr * weight_decay) "
        "first, then Adam's step with the raw grad. Adding weight_decay * param to the gradient "
        "(Adam with L2: the decay then goes through m and v), shrinking the parameter after the "
        "Adam update instead of before, or leaving lr out of the factor (param * (1 - "
        "weight_decay)) is another optimizer"
    )
    without_decay = {"lr": 0.05, "weight_decay": 0.0}
    if not follows_torch(opt, "adamw_step", param, grads, without_decay):
        hint = not_this_property("adamw_step", "without weight decay")
    check_trajectory(
        opt, "adamw_step", param, grads, hyper, hint=hint, later_hint=hint
    )  # fmt: skip


@pytest.mark.requires("adamw_step")
@settings(max_examples=15, deadline=None)
@given(
    beta1=st.floats(0.0, 0.99),
    beta2=st.floats(0.0, 0.9999),
    steps=st.integers(2, 12),
    lr=st.floats(1e-2, 0.5),
    weight_decay=st.floats(1e-2, 1.0),
    seed=st.integers(0, 2**16),
)
def test_adamw_constant_gradient_shrinks_then_moves_lr(
    opt, beta1, beta2, steps, lr, weight_decay, seed
):
    """A constant gradient g and eps = 0: Adam's m_hat / sqrt(v_hat) is exactly sign(g) at every
    step, so each AdamW step is param * (1 - lr * weight_decay) - lr * sign(g)."""
    signs, grad = constant_gradient(seed)
    param = random_tensor((5,), torch.float64, "cpu", seed=seed)
    hyper = {"lr": lr, "betas": (beta1, beta2), "eps": 0.0, "weight_decay": weight_decay}
    expected, current = [], param.clone()
    for _ in range(steps):
        current = (1 - lr * weight_decay) * current - lr * signs
        expected.append(current)
    hint = (
        "with a constant gradient g and eps = 0, Adam's bias-corrected m_hat / sqrt(v_hat) is "
        "exactly sign(g) at every step, so each AdamW step is param * (1 - lr * weight_decay) - "
        "lr * sign(g): shrink the parameter as it was before this step by 1 - lr * "
        "weight_decay, and keep the decay out of g, m and v"
    )
    check_trajectory(
        opt, "adamw_step", param, [grad.clone() for _ in range(steps)], hyper,
        expected, hint=hint, later_hint=hint,
        inputs=f"the same gradient g = {grad.tolist()} at every step",
    )  # fmt: skip


# --- contract: grad untouched, one state per parameter, dtype and device --------------------------

# id -> (optimizer, hyperparameters)
CONTRACT = {
    "sgd-plain": ("sgd_step", {"lr": 0.1}),
    "sgd-momentum": ("sgd_step", {"lr": 0.1, "momentum": 0.9}),
    "sgd-decay": ("sgd_step", {"lr": 0.1, "momentum": 0.9, "weight_decay": 0.1}),
    "adam": ("adam_step", {"lr": 0.01}),
    "adam-decay": ("adam_step", {"lr": 0.01, "weight_decay": 0.1}),
    "sgd-nesterov": (
        "sgd_step",
        {"lr": 0.1, "momentum": 0.9, "weight_decay": 0.1, "nesterov": True},
    ),
    "adagrad": ("adagrad_step", {"lr": 0.1, "weight_decay": 0.1}),
    "rmsprop": ("rmsprop_step", {"lr": 0.01, "momentum": 0.9, "weight_decay": 0.1}),
    "adamw": ("adamw_step", {"lr": 0.01, "weight_decay": 0.1}),
}


def contract_cases(ids: Iterable[str]) -> list:
    """The CONTRACT cases of ``ids``, (name, hyper) each: it counts once its optimizer's values
    are right."""
    return [
        pytest.param(*CONTRACT[key], id=key, marks=pytest.mark.requires(CONTRACT[key][0]))
        for key in ids
    ]


CONTRACT_CASES = contract_cases(CONTRACT)
# One case per kind of state (a momentum buffer, Adam's moments, AdaGrad's sum, RMSProp's average
# and buffer, AdamW's moments), for the tests of the state itself.
STATE_CASES = contract_cases(("sgd-decay", "adam-decay", "adagrad", "rmsprop", "adamw"))


@pytest.mark.parametrize(("name", "hyper"), CONTRACT_CASES)
def test_grad_is_not_modified(opt, name, hyper):
    """Every gradient passed in, checked after the last step: a momentum buffer that *is* the
    first step's grad, updated in place later, changes that grad only at step 2."""
    param = random_tensor((3, 4), torch.float64, "cpu", seed=11)
    grads = gradients((3, 4), torch.float64, "cpu", steps=6, seed=12)
    originals = [grad.clone() for grad in grads]
    state: dict = {}
    for grad in grads:
        param = getattr(opt, name)(param, grad, state, **hyper)
    for number, (grad, original) in enumerate(zip(grads, originals, strict=True), start=1):
        assert_tensor_close(
            grad,
            original,
            call=f"{call_text(name, hyper)} changed the grad passed at step {number} (checked "
            f"after step {len(grads)})",
            hint="grad belongs to the caller: grad + weight_decay * param makes a new tensor, "
            "grad.add_(...) does not; a momentum buffer must be a copy (grad.clone()), or "
            "updating it in place later writes into the caller's gradient",
            rtol=0.0,
            atol=0.0,
        )


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize(("name", "hyper"), CONTRACT_CASES)
def test_param_and_grad_of_any_layout(opt, name, hyper, layout):
    """param and the gradients views of other tensors, as a model's may be (a weight stored
    transposed, a slice of a flat buffer), or each gradient one row expanded (a broadcast
    gradient, read only): the steps are torch.optim's all the same."""
    param = random_tensor((4, 6), torch.float64, "cpu", seed=41)
    grads = gradients((4, 6), torch.float64, "cpu", steps=5, seed=42)
    # The same steps on contiguous tensors first: a mistake of the step itself is named as
    # such, never blamed on the layout.
    same = "the steps differ from torch.optim's on contiguous tensors too, so the layout is not "
    same += "the cause: fix the update itself (the tests of its values name the mistake)"
    plain = (
        [grad[:1].expand_as(grad).contiguous() for grad in grads] if layout == "expanded" else grads
    )
    check_trajectory(opt, name, param.clone(), [grad.clone() for grad in plain], hyper, hint=same,
                     later_hint=same, inputs=f"param {describe(param)}, contiguous")  # fmt: skip
    if layout == "expanded":  # only the gradients, which a step reads
        grads = [laid_out(grad[:1].expand_as(grad), layout) for grad in grads]
        hint = layout_hint("grad", grads[0], layout)
    else:
        param, grads = laid_out(param, layout), [laid_out(grad, layout) for grad in grads]
        hint = layout_hint("param", param, layout)
        hint += " (grad is one too)"
    inputs = (
        f"param {describe(param)}, {'grad' if layout == 'expanded' else 'param and grad'} "
        f"{layout} views, strides {tuple(param.stride())} and {tuple(grads[0].stride())}"
    )
    try:
        check_trajectory(opt, name, param, grads, hyper, hint=hint, later_hint=hint, inputs=inputs)
    except RuntimeError as error:  # .view() of a view it cannot view, a write through expand
        fail(
            f"{call_text(name, hyper)} with {inputs}", f"raised RuntimeError: {error!s:.200}", hint
        )


@pytest.mark.parametrize(("name", "hyper"), STATE_CASES)
def test_each_parameter_keeps_its_own_state(opt, name, hyper):
    """Two parameters of the same shape, each with its own state dict, stepped in turn."""
    params = [random_tensor((5,), torch.float64, "cpu", seed=seed) for seed in (13, 14)]
    grads = [gradients((5,), torch.float64, "cpu", steps=8, seed=seed) for seed in (15, 16)]
    pristine = [[grad.clone() for grad in steps] for steps in grads]
    expected: list[list[Tensor]] = []
    states: list[dict] = [{}, {}]
    hint = (
        "keep everything (the step count, the averages, the momentum buffer) in the state dict "
        "passed in: each parameter has its own. A module-level variable or a default argument "
        "is shared by every parameter"
    )

    current = [p.clone() for p in params]
    for number in range(8):
        for which in (0, 1):
            current[which] = getattr(opt, name)(
                current[which], grads[which][number], states[which], **hyper
            )
            if not expected:  # after the first student call, as in check_trajectory
                expected = [
                    torch_trajectory(name, p, g, hyper)
                    for p, g in zip(params, pristine, strict=True)
                ]
            assert_tensor_close(
                current[which],
                expected[which][number],
                call=f"{call_text(name, hyper)} for parameter {'AB'[which]} at its step "
                f"{number + 1}, steps of A and B taken in turn",
                # A state shared between the parameters shows at B's first step (it sees A's
                # state); any other first failure is in the steps themselves.
                hint=hint
                if (which, number) == (1, 0)
                else not_this_property(name, "for one parameter"),
            )


@pytest.mark.parametrize("device", DEVICES_AND_META)
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize(("name", "hyper"), STATE_CASES)
def test_result_and_state_follow_param(opt, name, hyper, dtype, device):
    param = random_tensor((3, 4), dtype, device, seed=17)
    state: dict = {}
    for number, grad in enumerate(gradients((3, 4), dtype, device, steps=3, seed=18), start=1):
        call = f"{call_text(name, hyper)} at step {number}"
        param = assert_like(
            getattr(opt, name)(param, grad, state, **hyper),
            call=call,
            shape=(3, 4),
            dtype=dtype,
            device=device,
        )
        for key, value in state.items():
            if isinstance(value, Tensor) and value.dim() > 0 and value.device.type != device:
                fail(
                    call,
                    f"state[{key!r}] is on {value.device}, expected {device} like param",
                    "create state tensors on param's device: torch.zeros_like(param) or "
                    "g.clone(); torch.zeros(param.shape) is always on the CPU",
                )
            # A running average or buffer, one entry per parameter entry (a step count may be
            # a 0-d tensor of any dtype).
            if isinstance(value, Tensor) and value.shape == param.shape and value.dtype != dtype:
                fail(
                    call,
                    f"state[{key!r}] has dtype {value.dtype}, expected {dtype} like param",
                    "create state tensors in param's dtype: torch.zeros_like(param) or "
                    "g.clone(); torch.zeros(param.shape, device=...) is float32 whatever "
                    "param's dtype (float64 would lose its precision in a float32 buffer)",
                )


# --- speed (pytest --impl=solutions --benchmark-only) ------------------------------------------

BENCHMARKS = {
    "sgd_step": {"lr": 0.01, "momentum": 0.9},
    "adagrad_step": {"lr": 1e-2},
    "rmsprop_step": {"lr": 1e-2},
    "adam_step": {"lr": 1e-3},
    "adamw_step": {"lr": 1e-3},
}


@pytest.mark.parametrize("source", ["impl", "torch"])
@pytest.mark.parametrize(
    "name",
    [
        pytest.param("sgd_step", marks=REQUIRES_SGD),
        pytest.param("adagrad_step", marks=REQUIRES_ADAGRAD),
        pytest.param("rmsprop_step", marks=REQUIRES_RMSPROP),
        pytest.param("adam_step", marks=REQUIRES_ADAM),
        pytest.param("adamw_step", marks=REQUIRES_ADAMW),
    ],
)
def test_benchmark(benchmark, opt, name, source):
    """Realistic size: a 1000 x 1000 float32 weight matrix, state warm (one step taken first).
    The baseline is torch.optim's optimizer.step() with p.grad set and foreach=False, the
    single-tensor loop torch picks by default for CPU tensors."""
    param = random_tensor((1000, 1000), torch.float32, "cpu", seed=21)
    grad = random_tensor((1000, 1000), torch.float32, "cpu", seed=22, scale=1e-2)
    hyper = BENCHMARKS[name]
    benchmark.group = f"optimizers.{name}"
    if source == "impl":
        step, state = getattr(opt.module, name), {}
        step(param, grad, state, **hyper)
        benchmark(step, param, grad, state, **hyper)
    else:
        param.requires_grad_(True)
        optimizer = ORACLES[name]([param], foreach=False, **hyper)
        param.grad = grad
        optimizer.step()
        benchmark(optimizer.step)
