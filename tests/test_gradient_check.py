"""Tests of exercises/gradient_check.py: numerical_gradient and relative_error.

Oracles: autograd's gradient of smooth functions in float64, the exact central difference of a
cubic (3 x² + eps², no autograd needed), and relative_error's formula computed here with numpy.

How far a correct central difference may be from the derivative (``central_difference_bound``),
for one coordinate with step eps, in a dtype of unit roundoff u:

* truncation: f(x ± eps) = f ± eps f' + eps²/2 f'' ± eps³/6 f'''(ξ±), so the central difference
  is f' + eps²/6 · f''' on average of the two ξ: at most eps²/6 · max|f'''|;
* rounding of f: each value of f is a sum of ``terms`` rounded terms of total magnitude
  ``magnitude``, off by at most (terms + 4) · u · magnitude; the difference of two such values,
  divided by 2 eps, is off by at most (terms + 4) · u · magnitude / eps;
* rounding of the step: x ± eps is rounded to x's dtype, so the step taken differs from 2 eps by
  up to 2 u (|x| + eps): a relative error u (|x| + eps) / eps of the difference, times |f'|.

The sum of the three, times 4 for the second-order terms the bound leaves out, is the absolute
tolerance. A forward difference is off by eps / 2 · |f''|, which the tests with eps = 1e-3
exceed by more than a thousand times.

The functions f are module-level functions of tests/gradient_functions.py (or partials of them
with plain-data arguments): when grading, they cross to the sandbox by name.
"""

from __future__ import annotations

import math
from functools import partial

import gradient_functions as gf
import numpy as np
import pytest
import torch
from support import (
    DEVICES,
    DTYPES,
    WRITABLE_LAYOUTS,
    assert_like,
    assert_tensor_close,
    describe,
    fail,
    laid_out,
    layout_hint,
    random_tensor,
)


@pytest.fixture(scope="module")
def gc(load_impl):
    return load_impl("gradient_check")


def central_difference_bound(
    *,
    eps: float,
    dtype: torch.dtype,
    third: float,
    magnitude: float,
    terms: int,
    x: torch.Tensor,
    slope: float,
) -> float:
    """The absolute tolerance of a central difference (module docstring): ``third`` bounds
    |f'''| near x, ``magnitude`` the sum of |terms| of f, ``slope`` |f'|."""
    u = torch.finfo(dtype).eps / 2
    largest = x.detach().abs().max().item() if x.numel() else 0.0
    truncation = eps**2 / 6 * third
    rounding = (terms + 4) * u * magnitude / eps
    step = slope * u * (largest + eps) / eps
    return 4 * (truncation + rounding + step)


def autograd_gradient(function, x: torch.Tensor, **tensors) -> torch.Tensor:
    """The oracle: autograd in float64 at x's exact values, returned in x's dtype."""
    leaf = x.detach().double().clone().requires_grad_(True)
    extra = {name: value.double() for name, value in tensors.items()}
    (gradient,) = torch.autograd.grad(function(leaf, **extra), leaf)
    return gradient.to(x.dtype)


def difference_hint(f, x, actual, expected, eps) -> str:
    """Name the mistake behind a wrong gradient: a forward difference, a wrong divisor, an
    ignored eps. Computed here, in the test, from f's values."""
    if not isinstance(actual, torch.Tensor) or actual.shape != x.shape:
        return ""
    actual = actual.detach().double().cpu()
    forward = torch.empty(x.shape, dtype=torch.float64)
    base = float(f(x.clone()))
    for index in np.ndindex(*x.shape):
        moved = x.clone()
        moved[index] += eps
        forward[index] = (float(f(moved)) - base) / eps
    expected = expected.double().cpu()
    error = (actual - expected).abs().max().item()

    def near(candidate):  # the candidate explains the error: it is 100 times closer
        return (actual - candidate).abs().max().item() <= 0.01 * error

    if near(forward):
        return (
            "that is the forward difference (f(x + eps) - f(x)) / eps, whose error is "
            "eps/2 · f'': use the central difference (f(x + eps e_i) - f(x - eps e_i)) / (2 eps)"
        )
    if near(2 * expected):
        return "twice the derivative: the two values are 2 eps apart, divide by 2 * eps"
    if near(expected / 2):
        return "half the derivative: divide the difference by 2 * eps, not by 4 * eps"
    return (
        "entry i is (f(x + eps e_i) - f(x - eps e_i)) / (2 eps), one coordinate at a time, "
        "with the eps given (not a fixed one)"
    )


def sines_problem(shape, dtype, device, seed=0):
    x = random_tensor(shape, dtype, device, seed=seed, scale=2.0)
    scale = random_tensor(shape, dtype, device, seed=seed + 1)
    f = partial(gf.sum_of_sines, scale=scale)
    magnitude = scale.abs().sum().item()
    bound = dict(
        third=scale.abs().max().item(),
        magnitude=magnitude,
        terms=x.numel(),
        slope=scale.abs().max().item(),
    )
    return f, x, autograd_gradient(gf.sum_of_sines, x, scale=scale), bound


def quadratic_problem(shape, dtype, device, seed=0):
    x = random_tensor(shape, dtype, device, seed=seed)
    n = x.numel()
    matrix = random_tensor((n, n), dtype, device, seed=seed + 1)  # not symmetric, on purpose
    f = partial(gf.quadratic_form, matrix=matrix)
    v = x.reshape(-1).double().abs()
    magnitude = (v @ (matrix.double().abs() @ v)).item()
    slope = ((matrix + matrix.T).double().abs() @ v).max().item()
    bound = dict(third=0.0, magnitude=magnitude, terms=2 * n, slope=slope)
    return f, x, autograd_gradient(gf.quadratic_form, x, matrix=matrix), bound


def log_sum_exp_problem(shape, dtype, device, seed=0):
    x = random_tensor(shape, dtype, device, seed=seed, scale=3.0)
    # |d³/dx_i³ logsumexp| = p (1 - p) |1 - 2p| <= 1 / (6 sqrt(3)) < 0.1, p = softmax(x)_i
    magnitude = x.abs().max().item() + math.log(x.numel()) + 1
    bound = dict(third=0.1, magnitude=magnitude, terms=x.numel(), slope=1.0)
    expected = autograd_gradient(lambda t: torch.logsumexp(t.reshape(-1), 0), x)
    return gf.log_sum_exp, x, expected, bound


PROBLEMS = [
    pytest.param(sines_problem, (3, 4), id="sum-of-sines-3x4"),
    pytest.param(quadratic_problem, (6,), id="quadratic-form-6"),
    pytest.param(quadratic_problem, (2, 3), id="quadratic-form-2x3"),
    pytest.param(log_sum_exp_problem, (7,), id="log-sum-exp-7"),
    pytest.param(log_sum_exp_problem, (2, 2, 2), id="log-sum-exp-2x2x2"),
]


def check_gradient(gc, f, x, expected, bound, eps, call, dtype=torch.float64):
    before = x.clone()
    actual = (
        gc.numerical_gradient(f, x, eps=eps) if eps is not None else gc.numerical_gradient(f, x)
    )
    eps = 1e-6 if eps is None else eps
    tolerance = central_difference_bound(eps=eps, dtype=dtype, x=before, **bound)
    assert_like(
        actual,
        call=call,
        shape=x.shape,
        dtype=x.dtype,
        device=x.device,
        hint="the gradient has x's shape, dtype and device: torch.empty_like(x)",
    )
    if not torch.equal(x, before):  # x must be as it was before comparing with f's values again
        x.copy_(before)
    assert_tensor_close(
        actual,
        expected,
        call=call,
        inputs=f"{describe(before)}; the expected gradient is autograd's, within {tolerance:.2g} "
        "(truncation and rounding of a central difference)",
        hint=difference_hint(f, before, actual, expected, eps),
        rtol=0.0,
        atol=tolerance,
    )


# --- numerical_gradient: values ----------------------------------------------------------------


@pytest.mark.values("numerical_gradient")
@pytest.mark.parametrize("problem, shape", PROBLEMS)
def test_gradient_of_smooth_functions_with_the_default_eps(gc, problem, shape):
    f, x, expected, bound = problem(shape, torch.float64, "cpu")
    name = f.func.__name__ if isinstance(f, partial) else f.__name__
    check_gradient(gc, f, x, expected, bound, None, f"numerical_gradient({name}, x)")


@pytest.mark.values("numerical_gradient")
@pytest.mark.parametrize("problem, shape", PROBLEMS)
def test_gradient_of_smooth_functions_with_eps_1e_3(gc, problem, shape):
    """A forward difference is off by eps/2 · |f''| ~ 5e-4 here, the tolerance ~1e-6."""
    f, x, expected, bound = problem(shape, torch.float64, "cpu", seed=5)
    name = f.func.__name__ if isinstance(f, partial) else f.__name__
    check_gradient(gc, f, x, expected, bound, 1e-3, f"numerical_gradient({name}, x, eps=1e-3)")


@pytest.mark.values("numerical_gradient")
@pytest.mark.parametrize("eps", [0.1, 1e-2, 1e-3])
def test_exact_central_difference_of_a_cubic(gc, eps):
    """For f = sum(x³) the central difference is exactly 3 x² + eps² (the forward one is
    3 x² + 3 x eps + eps²): the formula and the eps given, checked without autograd."""
    x = random_tensor((4, 3), torch.float64, "cpu", seed=11)
    expected = 3 * x**2 + eps**2
    magnitude = (x.abs() + eps).pow(3).sum().item()
    bound = dict(
        third=0.0, magnitude=magnitude, terms=x.numel(), slope=3 * (x.abs().max().item() + eps) ** 2
    )
    check_gradient(
        gc,
        gf.sum_of_cubes,
        x,
        expected,
        bound,
        eps,
        f"numerical_gradient(sum_of_cubes, x, eps={eps})",
    )


# --- numerical_gradient: the rules -------------------------------------------------------------


@pytest.mark.requires("numerical_gradient")
@pytest.mark.parametrize("layout", WRITABLE_LAYOUTS)
def test_x_of_any_layout(gc, layout):
    """x a transposed view, or a slice with a step, of a larger tensor: f must see every
    perturbation, and x (so the tensor it views) is as it was afterwards."""
    eps = 1e-3
    x = laid_out(random_tensor((6, 4), torch.float64, "cpu", seed=23), layout)
    base = x._base  # the tensor x views
    before, base_before = x.clone(), base.clone()
    call = f"numerical_gradient(sum_of_cubes, x, eps={eps}) with x {layout} (not contiguous)"
    hint = layout_hint("x", x, layout) + (
        "; f never sees a perturbation written through a reshaped copy: perturb x by its own "
        "index, x[index] (or work on x.contiguous())"
    )
    try:
        actual = gc.numerical_gradient(gf.sum_of_cubes, x, eps=eps)
    except (RuntimeError, ValueError, IndexError) as error:
        fail(call, f"raised {type(error).__name__}: {error!s:.200}", hint)
    same = "the gradient has x's shape, dtype and device: torch.empty_like(x)"
    assert_like(actual, call=call, shape=x.shape, dtype=x.dtype, device=x.device, hint=same)
    magnitude = (before.abs() + eps).pow(3).sum().item()
    bound = dict(third=0.0, magnitude=magnitude, terms=x.numel(),
                 slope=3 * (before.abs().max().item() + eps) ** 2)  # fmt: skip
    tolerance = central_difference_bound(eps=eps, dtype=x.dtype, x=before, **bound)
    assert_tensor_close(
        actual, 3 * before**2 + eps**2, call=call,
        inputs=f"{describe(before)}; the expected gradient is 3 x² + eps², within {tolerance:.2g}",
        hint=hint, rtol=0.0, atol=tolerance,
    )  # fmt: skip
    if not torch.allclose(base, base_before, rtol=0.0, atol=0.0, equal_nan=True):  # exactly
        fail(call, "the tensor x is a view of changed afterwards", hint)


@pytest.mark.requires("numerical_gradient")
@pytest.mark.parametrize("eps", [1e-6, 1e-3])
def test_x_holds_exactly_its_original_values_afterwards(gc, eps):
    """Bit for bit: restoring with x[i] -= eps after x[i] += eps leaves rounding errors behind."""
    x = random_tensor((5, 6), torch.float64, "cpu", seed=13, scale=10.0)
    before = x.clone()
    f = partial(gf.sum_of_sines, scale=torch.ones_like(x))
    gc.numerical_gradient(f, x, eps=eps)
    changed = (x != before).nonzero()
    if len(changed):
        index = tuple(int(i) for i in changed[0])
        fail(
            f"numerical_gradient(f, x, eps={eps})",
            f"x changed: {len(changed)} of its {x.numel()} entries differ afterwards, e.g. "
            f"x{list(index)} is {x[index].item()!r}, was {before[index].item()!r}",
            "save each entry's value before perturbing it and put that saved value back "
            "(x + eps - eps is not always x in floating point), or perturb a copy of x",
        )


@pytest.mark.requires("numerical_gradient")
@pytest.mark.parametrize("index", [0, 4, 11])
def test_f_may_return_a_view_of_x(gc, index):
    """f(x) = x.reshape(-1)[index] is a view of x: its value follows x's later changes. The
    gradient is 1 at index and 0 elsewhere (up to the rounding of x ± eps)."""
    x = random_tensor((3, 4), torch.float64, "cpu", seed=17)
    expected = torch.zeros_like(x)
    expected.view(-1)[index] = 1.0
    bound = dict(third=0.0, magnitude=x.abs().max().item(), terms=0, slope=1.0)
    call = f"numerical_gradient(f, x) with f(x) = x.reshape(-1)[{index}], a view of x"
    before = x.clone()
    actual = gc.numerical_gradient(partial(gf.entry, index=index), x)
    tolerance = central_difference_bound(eps=1e-6, dtype=torch.float64, x=before, **bound)
    hint = "entry i is (f(x + eps e_i) - f(x - eps e_i)) / (2 eps)"
    if (
        isinstance(actual, torch.Tensor)
        and actual.shape == x.shape
        and abs(actual.reshape(-1)[index].item()) < 0.5
    ):
        hint = (
            "f returned a view of x, and you kept it: by the time you subtract, x is restored "
            "and both values read the same entry. Copy f's value as you get it (float(f(x)))"
        )
    assert_tensor_close(
        actual, expected, call=call, inputs=describe(before), hint=hint, rtol=0.0, atol=tolerance
    )


@pytest.mark.requires("numerical_gradient")
def test_f_may_return_a_python_float(gc):
    x = random_tensor((2, 5), torch.float64, "cpu", seed=19)
    eps = 1e-2
    magnitude = (x.abs() + eps).pow(3).sum().item()
    bound = dict(
        third=0.0, magnitude=magnitude, terms=x.numel(), slope=3 * (x.abs().max().item() + eps) ** 2
    )
    call = "numerical_gradient(f, x, eps=0.01) with f returning a Python float (sum of cubes)"
    before = x.clone()
    actual = gc.numerical_gradient(gf.sum_of_cubes_as_float, x, eps=eps)
    tolerance = central_difference_bound(eps=eps, dtype=torch.float64, x=before, **bound)
    assert_tensor_close(
        actual,
        3 * before**2 + eps**2,
        call=call,
        inputs=describe(before),
        hint="f may return a 0-d tensor or a Python float: float(f(x)) takes both "
        "(a float has no .item())",
        rtol=0.0,
        atol=tolerance,
    )


@pytest.mark.requires("numerical_gradient")
@pytest.mark.parametrize("index", [0, 3])
def test_x_is_restored_when_f_raises(gc, index):
    """f raises while entry ``index`` is perturbed: the ValueError reaches the caller and x holds
    its original values. (When grading in the sandbox, a call that raises does not send x back,
    so there this test sees only the propagated exception.)"""
    x = random_tensor((5,), torch.float64, "cpu", seed=23)
    before = x.clone()
    f = partial(gf.raises_when_moved, index=index, value=x[index].item())
    call = f"numerical_gradient(f, x) with an f that raises once entry {index} is perturbed"
    try:
        result = gc.numerical_gradient(f, x)
    except ValueError as error:
        if "the test's f raised" not in str(error):
            fail(
                call,
                f"raised ValueError({error}), not f's own exception",
                "let f's exception propagate unchanged: no except clause that swallows or "
                "replaces it (try / finally restores x and re-raises)",
            )
    else:
        fail(
            call,
            f"returned {describe(result)} instead of raising f's ValueError",
            "an exception of f must propagate to the caller: do not catch it",
        )
    if not torch.equal(x, before):
        changed = int((x != before).sum())
        fail(
            call,
            f"f raised and x was left changed ({changed} entry differs: x[{index}] is "
            f"{x[index].item()!r}, was {before[index].item()!r})",
            "restore the entry in a finally block (try: ... finally: x[i] = saved), so that it "
            "is put back even when f raises",
        )


@pytest.mark.requires("numerical_gradient")
@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("dtype", DTYPES)
def test_dtype_and_device_follow_x(gc, dtype, device):
    """In float32 f's rounding is ~1e-7 of its size, so the step is 1e-2 (the bound says why)."""
    eps = 1e-2 if dtype == torch.float32 else 1e-4
    f, x, expected, bound = sines_problem((4, 5), dtype, device, seed=29)
    check_gradient(
        gc,
        f,
        x,
        expected,
        bound,
        eps,
        f"numerical_gradient(sum_of_sines, x, eps={eps}) for {dtype} x on {device}",
        dtype=dtype,
    )


@pytest.mark.requires("numerical_gradient")
def test_zero_dimensional_x(gc):
    x = torch.tensor(0.7, dtype=torch.float64)
    scale = torch.tensor(1.5, dtype=torch.float64)
    f = partial(gf.sum_of_sines, scale=scale)
    bound = dict(third=1.5, magnitude=1.5, terms=1, slope=1.5)
    check_gradient(
        gc,
        f,
        x,
        autograd_gradient(gf.sum_of_sines, x, scale=scale),
        bound,
        1e-3,
        "numerical_gradient(f, x, eps=1e-3) for a 0-d x",
    )


# --- relative_error ----------------------------------------------------------------------------


def relative_error_oracle(a: torch.Tensor, b: torch.Tensor) -> float:
    """The formula, in numpy float64 from the exact values."""
    a_, b_ = a.double().cpu().numpy(), b.double().cpu().numpy()
    return float(np.max(np.abs(a_ - b_) / np.maximum(np.abs(a_) + np.abs(b_), 1e-12)))


def pair(shape, noise, seed, dtype=torch.float64, device="cpu"):
    a = random_tensor(shape, dtype, device, seed=seed)
    return a, a + random_tensor(shape, dtype, device, seed=seed + 1, scale=noise)


RELATIVE_ERROR_HINT = (
    "the maximum over entries of |a - b| / max(|a| + |b|, 1e-12): entrywise, with |a| + |b| "
    "(not max|a|, not norms, not a mean)"
)


def check_relative_error(gc, a, b, call, *, rel_tol, hint=RELATIVE_ERROR_HINT):
    expected = relative_error_oracle(a, b)
    actual = gc.relative_error(a, b)
    if type(actual) is not float:
        fail(
            call,
            f"returned {describe(actual)}, expected a Python float",
            "return a Python float: .item() of the 0-d result",
        )
    if not math.isclose(actual, expected, rel_tol=rel_tol, abs_tol=0.0):
        fail(call, f"returned {actual!r}, expected {expected!r}", hint)


@pytest.mark.values("relative_error")
@pytest.mark.parametrize(
    "noise",  # noise 10 flips a sign somewhere, where the error is 1: what a constant 1 gives
    [1e-8, 1e-3, 0.5, pytest.param(10.0, marks=pytest.mark.values("relative_error", answer="1"))],
)
@pytest.mark.parametrize("shape", [(7,), (3, 4)], ids=["7", "3x4"])
def test_relative_error_values(gc, shape, noise):
    a, b = pair(shape, noise, seed=31)
    check_relative_error(
        gc,
        a,
        b,
        f"relative_error(a, b), {describe(a)}, b = a + noise of size {noise:g}",
        rel_tol=1e-12,
    )


@pytest.mark.values("relative_error")
def test_relative_error_of_gradients_with_mixed_signs_and_sizes(gc):
    """Large and small entries together: the entrywise maximum differs from max|a - b| / max|a|
    and from the norm form ||a - b|| / (||a|| + ||b||)."""
    # No entry changes sign: there |a - b| / (|a| + |b|) is 1, the largest it can be, which a
    # constant 1 would match. The answer, 1/3, comes from the small entries.
    a = torch.tensor([[100.0, -2.0, 0.5], [1e-3, 3.0, -40.0]], dtype=torch.float64)
    b = torch.tensor([[100.5, -2.0, 0.25], [2e-3, 2.0, -40.0]], dtype=torch.float64)
    check_relative_error(
        gc, a, b, f"relative_error(a, b) for a = {a.tolist()}, b = {b.tolist()}", rel_tol=1e-12
    )


@pytest.mark.requires("relative_error")
def test_relative_error_floor(gc):
    """Entries where both are 0 count as 0 (not 0/0 = NaN); where both are tiny, the floor 1e-12
    keeps a difference of 2e-14 at 0.02 (without the floor it would be 1)."""
    a = torch.tensor([0.0, 1.0, 1e-14, 0.0], dtype=torch.float64)
    b = torch.tensor([0.0, 1.0, -1e-14, 0.0], dtype=torch.float64)
    check_relative_error(
        gc,
        a,
        b,
        "relative_error(a, b) for a = [0, 1, 1e-14, 0], b = [0, 1, -1e-14, 0]",
        rel_tol=1e-12,
        hint="divide by max(|a| + |b|, 1e-12): the floor 1e-12 keeps 0/0 from being NaN and "
        "makes entries below 1e-12 count in absolute terms",
    )
    a, b = torch.zeros(3, dtype=torch.float64), torch.zeros(3, dtype=torch.float64)
    check_relative_error(
        gc,
        a,
        b,
        "relative_error(zeros(3), zeros(3))",
        rel_tol=0.0,
        hint="two zero tensors agree: max(|a| + |b|, 1e-12) is 1e-12, not 0, "
        "so the result is 0.0, not NaN",
    )


@pytest.mark.requires("relative_error")
@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("dtype", DTYPES)
def test_relative_error_dtype_and_device(gc, dtype, device):
    """A Python float whatever the inputs; in float32 within a few roundings of the exact value."""
    a, b = pair((4, 4), 1e-2, seed=37, dtype=dtype, device=device)
    rel_tol = 8 * torch.finfo(dtype).eps
    check_relative_error(
        gc, a, b, f"relative_error(a, b) for {dtype} tensors on {device}", rel_tol=rel_tol
    )


@pytest.mark.requires("relative_error")
def test_relative_error_leaves_its_inputs_alone(gc):
    a, b = pair((5,), 0.1, seed=41)
    a0, b0 = a.clone(), b.clone()
    gc.relative_error(a, b)
    if not (torch.equal(a, a0) and torch.equal(b, b0)):
        fail("relative_error(a, b)", "changed a or b", "compute new tensors: no in-place ops")


# --- speed (pytest --impl=solutions --benchmark-only) ------------------------------------------


@pytest.mark.requires("numerical_gradient")
@pytest.mark.parametrize("source", ["impl", "autograd"])
def test_benchmark(benchmark, gc, source):
    """The gradient of log-sum-exp over 200 entries: 400 evaluations of f, beside one backward
    pass of autograd (what a gradient check costs compared with what it checks)."""
    x = random_tensor((200,), torch.float64, "cpu", seed=43)
    benchmark.group = "gradient_check.numerical_gradient"
    if source == "impl":
        benchmark(gc.module.numerical_gradient, gf.log_sum_exp, x)
    else:

        def gradient():
            leaf = x.clone().requires_grad_(True)
            return torch.autograd.grad(gf.log_sum_exp(leaf), leaf)

        benchmark(gradient)
