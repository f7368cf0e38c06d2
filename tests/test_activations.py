"""Tests of exercises/activations.py: sigmoid, tanh, relu, leaky_relu, softmax, log_softmax and
the derivatives.

Oracles: torch's own functions and autograd, computed outside the student's call.
"""

from __future__ import annotations

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
    float64_oracle,
    input_scaled_tolerance,
    random_tensor,
)

EXTREMES = [
    -1e4,
    -1000.0,
    -710.0,
    -100.0,
    -88.8,
    -30.0,
    -1.0,
    -1e-8,
    0.0,
    1e-8,
    1.0,
    30.0,
    88.8,
    100.0,
    710.0,
    1000.0,
    1e4,
]


@pytest.fixture(scope="module")
def act(load_impl):
    return load_impl("activations")


def mixed_input(dtype: torch.dtype, device: str) -> torch.Tensor:
    """Ordinary values, the extremes above, and exact zeros."""
    ordinary = random_tensor((64,), dtype, device, scale=5.0)
    return torch.cat([ordinary, torch.tensor(EXTREMES, dtype=dtype, device=device)])


def autograd_derivative(function, x: torch.Tensor) -> torch.Tensor:
    x = x.detach().clone().requires_grad_(True)
    (grad,) = torch.autograd.grad(function(x).sum(), x)
    return grad


def check_ordinary_values(
    function, oracle, name: str, dtype, device, hint: str, call: str = ""
) -> None:
    """``name``'s values on ordinary inputs (no extremes, no exact zeros) against ``oracle``:
    the test of its values that its other tests wait for (grader/core/gating.py). ``call``: how the
    failure names the call (default ``name(x)``)."""
    x = random_tensor((8, 16), dtype, device, seed=7, scale=3.0)
    assert_tensor_close(
        function(x.clone()), oracle(x), call=call or f"{name}(x)", inputs=describe(x), hint=hint
    )


# --- sigmoid -----------------------------------------------------------------------------------


@pytest.mark.values("sigmoid")
@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("dtype", DTYPES)
def test_sigmoid_matches_torch_on_ordinary_inputs(act, dtype, device):
    check_ordinary_values(
        act.sigmoid, torch.sigmoid, "sigmoid", dtype, device, "sigmoid(x) = 1 / (1 + exp(-x))"
    )


@pytest.mark.values("sigmoid_grad")
@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("dtype", DTYPES)
def test_sigmoid_grad_matches_autograd_on_ordinary_inputs(act, dtype, device):
    check_ordinary_values(
        act.sigmoid_grad,
        lambda x: autograd_derivative(torch.sigmoid, x),
        "sigmoid_grad",
        dtype,
        device,
        "sigmoid_grad takes the pre-activation x: compute s = sigmoid(x) first, then s * (1 - s)",
    )


@pytest.mark.requires("sigmoid")
@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("dtype", DTYPES)
def test_sigmoid_matches_torch(act, dtype, device):
    x = mixed_input(dtype, device)
    assert_tensor_close(
        act.sigmoid(x.clone()),
        torch.sigmoid(x),
        call="sigmoid(x)",
        inputs=describe(x),
        hint="for x far from 0, exp(x) / (1 + exp(x)) is inf / inf = NaN; use exp(-|x|), which "
        "never overflows",
    )


@pytest.mark.requires("sigmoid_grad")
@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("dtype", DTYPES)
def test_sigmoid_grad_matches_autograd(act, dtype, device):
    x = mixed_input(dtype, device)
    assert_tensor_close(
        act.sigmoid_grad(x.clone()),
        autograd_derivative(torch.sigmoid, x),
        call="sigmoid_grad(x)",
        inputs=describe(x),
        hint="sigmoid_grad takes the pre-activation x: compute s = sigmoid(x) first, then "
        "s * (1 - s); stay finite for |x| up to 1e4",
    )


# --- tanh --------------------------------------------------------------------------------------

TANH_HINT = (
    "(exp(x) - exp(-x)) / (exp(x) + exp(-x)) is inf / inf = NaN once exp overflows (|x| > 88 in "
    "float32, > 709 in float64), and (1 - exp(-2x)) / (1 + exp(-2x)) likewise for very negative "
    "x; use e = exp(-2|x|) <= 1 and the sign of x: tanh(x) = sign(x) (1 - e) / (1 + e)"
)
TANH_GRAD_HINT = (
    "tanh_grad takes the pre-activation x: compute t = tanh(x) first, then 1 - t^2 (or 4e / (1 + "
    "e)^2 with e = exp(-2|x|)), never from exp(x), which overflows for |x| up to 1e4"
)


def tanh_derivative(x: torch.Tensor) -> torch.Tensor:
    """The oracle: autograd of torch.tanh, in float64 from x's exact values, in x's dtype."""
    return float64_oracle(lambda x: autograd_derivative(torch.tanh, x), x)


@pytest.mark.values("tanh")
@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("dtype", DTYPES)
def test_tanh_matches_torch_on_ordinary_inputs(act, dtype, device):
    check_ordinary_values(
        act.tanh,
        lambda x: float64_oracle(torch.tanh, x),
        "tanh",
        dtype,
        device,
        "tanh(x) = (exp(x) - exp(-x)) / (exp(x) + exp(-x)), in [-1, 1], odd: tanh(-x) = -tanh(x)",
    )


@pytest.mark.values("tanh_grad")
@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("dtype", DTYPES)
def test_tanh_grad_matches_autograd_on_ordinary_inputs(act, dtype, device):
    check_ordinary_values(
        act.tanh_grad,
        tanh_derivative,
        "tanh_grad",
        dtype,
        device,
        "tanh_grad takes the pre-activation x (not tanh's output): compute t = tanh(x) first, "
        "then 1 - t^2",
    )


@pytest.mark.requires("tanh")
@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("dtype", DTYPES)
def test_tanh_matches_torch(act, dtype, device):
    x = mixed_input(dtype, device)
    assert_tensor_close(
        act.tanh(x.clone()),
        float64_oracle(torch.tanh, x),
        call="tanh(x)",
        inputs=describe(x),
        hint=TANH_HINT,
    )


@pytest.mark.requires("tanh_grad")
@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("dtype", DTYPES)
def test_tanh_grad_matches_autograd(act, dtype, device):
    x = mixed_input(dtype, device)
    assert_tensor_close(
        act.tanh_grad(x.clone()),
        tanh_derivative(x),
        call="tanh_grad(x)",
        inputs=describe(x),
        hint=TANH_GRAD_HINT,
    )


# --- relu --------------------------------------------------------------------------------------


@pytest.mark.values("relu")
@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("dtype", DTYPES)
def test_relu_matches_torch_on_ordinary_inputs(act, dtype, device):
    check_ordinary_values(act.relu, F.relu, "relu", dtype, device, "relu(x) = max(x, 0)")


@pytest.mark.values("relu_grad")
@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("dtype", DTYPES)
def test_relu_grad_matches_autograd_on_ordinary_inputs(act, dtype, device):
    check_ordinary_values(
        act.relu_grad,
        lambda x: autograd_derivative(torch.relu, x),
        "relu_grad",
        dtype,
        device,
        "1 where x > 0 (strictly), else 0, in x's dtype",
    )


@pytest.mark.requires("relu")
@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("dtype", DTYPES)
def test_relu_matches_torch(act, dtype, device):
    x = torch.cat(
        [mixed_input(dtype, device), torch.tensor([-0.0, 0.0], dtype=dtype, device=device)]
    )
    assert_tensor_close(act.relu(x.clone()), F.relu(x), call="relu(x)", inputs=describe(x))


@pytest.mark.requires("relu_grad")
@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("dtype", DTYPES)
def test_relu_grad_is_zero_at_zero_like_autograd(act, dtype, device):
    x = torch.cat([mixed_input(dtype, device), torch.zeros(3, dtype=dtype, device=device)])
    assert_tensor_close(
        act.relu_grad(x.clone()),
        autograd_derivative(torch.relu, x),
        call="relu_grad(x)",
        inputs=describe(x) + " (three exact zeros at the end)",
        hint="1 where x > 0 (strictly), else 0, in x's dtype",
    )


# --- leaky_relu --------------------------------------------------------------------------------

# The slopes of the values tests: the default (not passed) and another ordinary one.
ORDINARY_SLOPES = [pytest.param(None, id="default"), pytest.param(0.2, id="slope0.2")]
# Every slope torch accepts: none, negative, one, above one (where max(x, a x) is wrong).
ANY_SLOPES = [0.0, -0.5, 1.0, 1.5, 3.0]
LEAKY_HINT = "leaky_relu(x) = x where x >= 0, negative_slope * x elsewhere (default 0.01)"
LEAKY_GRAD_HINT = (
    "the derivative is 1 where x > 0 (strictly) and negative_slope elsewhere, in x's dtype: at "
    "x == 0 autograd gives negative_slope, neither 1 (x >= 0) nor 0"
)


def slope_call(name: str, slope: float | None) -> str:
    return f"{name}(x)" if slope is None else f"{name}(x, negative_slope={slope!r})"


def call_with_slope(function, x: torch.Tensor, slope: float | None):
    return function(x) if slope is None else function(x, negative_slope=slope)


def leaky_relu_oracle(slope: float | None):
    return lambda x: F.leaky_relu(x, 0.01 if slope is None else slope)


@pytest.mark.values("leaky_relu")
@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("slope", ORDINARY_SLOPES)
def test_leaky_relu_matches_torch_on_ordinary_inputs(act, slope, dtype, device):
    check_ordinary_values(
        lambda x: call_with_slope(act.leaky_relu, x, slope),
        leaky_relu_oracle(slope),
        "leaky_relu",
        dtype,
        device,
        LEAKY_HINT,
        call=slope_call("leaky_relu", slope),
    )


@pytest.mark.values("leaky_relu_grad")
@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("slope", ORDINARY_SLOPES)
def test_leaky_relu_grad_matches_autograd_on_ordinary_inputs(act, slope, dtype, device):
    check_ordinary_values(
        lambda x: call_with_slope(act.leaky_relu_grad, x, slope),
        lambda x: autograd_derivative(leaky_relu_oracle(slope), x),
        "leaky_relu_grad",
        dtype,
        device,
        "1 where x > 0, negative_slope elsewhere (default 0.01), in x's dtype",
        call=slope_call("leaky_relu_grad", slope),
    )


def with_zeros(dtype: torch.dtype, device: str) -> torch.Tensor:
    """Ordinary values, the extremes, and exact zeros of both signs at the end."""
    zeros = torch.tensor([0.0, -0.0, 0.0], dtype=dtype, device=device)
    return torch.cat([mixed_input(dtype, device), zeros])


@pytest.mark.requires("leaky_relu")
@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("slope", ANY_SLOPES)
def test_leaky_relu_with_any_slope(act, slope, dtype, device):
    x = with_zeros(dtype, device)
    assert_tensor_close(
        act.leaky_relu(x.clone(), negative_slope=slope),
        F.leaky_relu(x, slope),
        call=slope_call("leaky_relu", slope),
        inputs=describe(x),
        hint=LEAKY_HINT + "; choose by the sign of x (torch.where(x >= 0, ...)): max(x, "
        "negative_slope * x) is the same only when negative_slope <= 1, for negative_slope = 3 "
        "and x = 2 it gives 6",
    )


@pytest.mark.requires("leaky_relu_grad")
@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("slope", [None, 0.2, *ANY_SLOPES])
def test_leaky_relu_grad_at_zero_and_any_slope_like_autograd(act, slope, dtype, device):
    x = with_zeros(dtype, device)
    assert_tensor_close(
        call_with_slope(act.leaky_relu_grad, x.clone(), slope),
        autograd_derivative(leaky_relu_oracle(slope), x),
        call=slope_call("leaky_relu_grad", slope),
        inputs=describe(x) + " (exact zeros 0.0, -0.0, 0.0 at the end)",
        hint=LEAKY_GRAD_HINT,
    )


# --- softmax and log_softmax -------------------------------------------------------------------


def large_logits(values: pytest.MarkDecorator) -> list:
    """The scales of the logits; the ordinary one checks the function's values (``values``),
    the others its stability, which counts once those values are right (grader/core/gating.py)."""
    return [
        pytest.param(1.0, id="ordinary", marks=values),
        pytest.param(1e3, id="exp-overflows"),  # exp(1000) = inf in float32 and float64
        pytest.param(1e4, id="huge"),
    ]


@pytest.mark.requires("softmax")
@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("scale", large_logits(pytest.mark.values("softmax")))
@pytest.mark.parametrize("dim", [-1, 0, 1])
def test_softmax_matches_torch(act, dim, scale, dtype, device):
    x = random_tensor((4, 5, 6), dtype, device, seed=1, scale=scale)
    assert_tensor_close(
        act.softmax(x.clone(), dim=dim),
        float64_oracle(F.softmax, x, dim=dim),
        call=f"softmax(x, dim={dim})",
        inputs=describe(x),
        hint="subtract the maximum along dim before exponentiating (keepdim=True keeps the "
        "shapes aligned); normalize along the same dim",
        **input_scaled_tolerance(x),
    )


@pytest.mark.requires("log_softmax")
@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("scale", large_logits(pytest.mark.values("log_softmax")))
@pytest.mark.parametrize("dim", [-1, 0, 1])
def test_log_softmax_matches_torch(act, dim, scale, dtype, device):
    x = random_tensor((4, 5, 6), dtype, device, seed=2, scale=scale)
    assert_tensor_close(
        act.log_softmax(x.clone(), dim=dim),
        float64_oracle(F.log_softmax, x, dim=dim),
        call=f"log_softmax(x, dim={dim})",
        inputs=describe(x),
        hint="use (x - m) - log(sum(exp(x - m))) with m the max along dim; log(softmax(x)) "
        "turns tiny probabilities into -inf",
        **input_scaled_tolerance(x),
    )


@pytest.mark.requires("log_softmax")
@pytest.mark.parametrize("dtype", DTYPES)
def test_log_softmax_of_very_unlikely_class_is_finite(act, dtype):
    x = torch.tensor([[0.0, -1e4, 50.0], [-200.0, 0.0, 300.0]], dtype=dtype)
    assert_tensor_close(
        act.log_softmax(x.clone()),
        F.log_softmax(x, dim=-1),
        call="log_softmax(x)",
        inputs=f"x = {x.tolist()}",
        hint="softmax underflows to 0 for these entries and log(0) = -inf: do not take the log "
        "of a softmax",
    )


@pytest.mark.requires("softmax")
@settings(max_examples=40, deadline=None)
@given(
    rows=st.integers(1, 5),
    cols=st.integers(1, 7),
    shift=st.floats(-1e4, 1e4, allow_nan=False),
    seed=st.integers(0, 2**16),
)
def test_softmax_ignores_a_constant_shift(act, rows, cols, shift, seed):
    """softmax(x + c) == softmax(x): a property that the max-shift makes hold for huge c."""
    x = random_tensor((rows, cols), torch.float64, "cpu", seed=seed)
    assert_tensor_close(
        act.softmax(x + shift),
        F.softmax(x, dim=-1),
        call="softmax(x + c)",
        inputs=f"x of shape {(rows, cols)} and c = {shift!r}",
        hint="softmax is invariant to adding a constant; subtract the max along dim first",
        rtol=1e-8,
        atol=1e-10,
    )


# --- every function: shape, dtype, device, input untouched -------------------------------------

FUNCTIONS = [
    "sigmoid",
    "sigmoid_grad",
    "tanh",
    "tanh_grad",
    "relu",
    "relu_grad",
    "leaky_relu",
    "leaky_relu_grad",
    "softmax",
    "log_softmax",
]
# Each function's marker for the tests that count once its values are right (grader/core/gating.py).
REQUIRES = {name: pytest.mark.requires(name) for name in FUNCTIONS}


def each_function(names: list[str]) -> list:
    """One parameter per function, each counting once that function's values are right."""
    return [pytest.param(name, id=name, marks=REQUIRES[name]) for name in names]


@pytest.mark.parametrize("device", DEVICES_AND_META)
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", each_function(FUNCTIONS))
def test_output_follows_input_dtype_and_device(act, name, dtype, device):
    x = random_tensor((3, 7), dtype, device, seed=3)
    assert_like(getattr(act, name)(x), call=f"{name}(x)", shape=x.shape, dtype=dtype, device=device)


@pytest.mark.parametrize("name", each_function(FUNCTIONS))
def test_input_is_not_modified(act, name):
    x = random_tensor((5, 4), torch.float64, "cpu", seed=4, scale=100.0)
    before = x.clone()
    getattr(act, name)(x)
    assert_tensor_close(
        x,
        before,
        call=f"{name}(x) changed its input x",
        hint="in-place operations (x -= ..., x.exp_()) modify the caller's tensor; work on a new "
        "tensor",
        rtol=0.0,
        atol=0.0,
    )


# --- speed (pytest --impl=solutions --benchmark-only) ------------------------------------------

BENCHMARKS = {
    "sigmoid": torch.sigmoid,
    "tanh": torch.tanh,
    "relu": torch.relu,
    "leaky_relu": F.leaky_relu,
    "softmax": lambda x: torch.softmax(x, dim=-1),
    "log_softmax": lambda x: torch.log_softmax(x, dim=-1),
}


@pytest.mark.parametrize("source", ["impl", "torch"])
@pytest.mark.parametrize("name", each_function(list(BENCHMARKS)))
def test_benchmark(benchmark, act, name, source):
    """Realistic size: a batch of 512 rows of 1000 logits (ImageNet-sized classifier output)."""
    x = random_tensor((512, 1000), torch.float32, "cpu", seed=6)
    function = getattr(act.module, name) if source == "impl" else BENCHMARKS[name]
    benchmark.group = f"activations.{name}"
    benchmark(function, x)
