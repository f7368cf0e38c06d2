"""Tests of exercises/linear_regression.py: fit_linear_regression (closed form, optional L2 on
the weights only) and linear_regression_step (one gradient-descent step on a batch's MSE).

Oracles, computed outside the student's call: scikit-learn's LinearRegression and Ridge (whose
objective is a sum, so its alpha is N * l2), in float64; autograd on the mean squared error for
the step. Tolerances: the step's from the dtype and the magnitude of its terms; the fit's from
the dtype and the condition number of the linear system (any correct form, solve, lstsq or
centered, is within it).
"""

from __future__ import annotations

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.linear_model import LinearRegression, Ridge
from support import (
    DEVICES,
    DEVICES_AND_META,
    DTYPES,
    assert_like,
    assert_tensor_close,
    describe,
    fail,
)
from torch import Tensor

FIT_HINT = (
    "append a column of ones to X (X1 = [X, 1], theta = [w, b]) and solve "
    "(X1^T X1 + N * l2 * P) theta = X1^T y with P = diag(1, ..., 1, 0): the bias is fitted "
    "together with w and is not penalized"
)
STEP_HINT = (
    "with r = X @ w + b - y over this batch's N rows: dL/dw = (2 / N) * X^T r, "
    "dL/db = (2 / N) * sum(r); return (w - lr * dL/dw, b - lr * dL/db)"
)


@pytest.fixture(scope="module")
def lr_impl(load_impl):
    return load_impl("linear_regression")


# --- data (float64 on the CPU from a seeded generator, then converted: the same everywhere) ----


def regression_data(
    n: int, d: int, dtype: torch.dtype, device: str, seed: int, noise: float = 0.5
) -> tuple[Tensor, Tensor]:
    """X (n, d) with columns of different means (offsets up to ±3) and scales, and
    y = X @ w_true + b_true + noise with b_true = 4: a fit without the bias, or with a
    penalized one, is far off."""
    generator = torch.Generator().manual_seed(seed)
    scales = torch.rand(d, generator=generator, dtype=torch.float64) * 1.5 + 0.5
    offsets = torch.rand(d, generator=generator, dtype=torch.float64) * 6 - 3
    X = torch.randn(n, d, generator=generator, dtype=torch.float64) * scales + offsets
    w_true = torch.randn(d, generator=generator, dtype=torch.float64)
    y = X @ w_true + 4.0 + noise * torch.randn(n, generator=generator, dtype=torch.float64)
    return X.to(dtype=dtype, device=device), y.to(dtype=dtype, device=device)


def sklearn_fit(X: Tensor, y: Tensor, l2: float) -> tuple[Tensor, Tensor]:
    """scikit-learn's fit in float64: LinearRegression, or Ridge with alpha = N * l2 (Ridge
    minimizes ||y - X w - b||^2 + alpha ||w||^2, a sum: N times the mean objective)."""
    X64, y64 = X.detach().cpu().double().numpy(), y.detach().cpu().double().numpy()
    model = LinearRegression() if l2 == 0 else Ridge(alpha=X.shape[0] * l2)
    model.fit(X64, y64)
    w = torch.as_tensor(model.coef_, dtype=torch.float64)
    b = torch.as_tensor(float(model.intercept_), dtype=torch.float64)
    return w, b


def augmented_system(X: Tensor, l2: float, bias_penalty: float = 0.0) -> Tensor:
    """X1^T X1 + diag(N * l2, ..., N * l2, bias_penalty), in float64 on the CPU."""
    X64 = X.detach().cpu().double()
    n, d = X64.shape
    X1 = torch.cat([X64, torch.ones(n, 1, dtype=torch.float64)], dim=1)
    penalty = torch.full((d + 1,), n * l2, dtype=torch.float64)
    penalty[d] = bias_penalty
    return X1.T @ X1 + torch.diag(penalty)


def solve_theta(X: Tensor, y: Tensor, matrix: Tensor) -> Tensor:
    X64, y64 = X.detach().cpu().double(), y.detach().cpu().double()
    X1 = torch.cat([X64, torch.ones(X64.shape[0], 1, dtype=torch.float64)], dim=1)
    return torch.linalg.solve(matrix, X1.T @ y64)


def fit_tolerance(X: Tensor, l2: float, theta: Tensor) -> dict[str, float]:
    """Forward error of a backward-stable solve: about cond(A) * eps relative, with A the
    augmented system (a bound for every correct form). Plus the dtype's own floor."""
    eps = torch.finfo(X.dtype).eps
    cond = torch.linalg.cond(augmented_system(X, l2)).item()
    bound = 64 * cond * eps
    return {"rtol": max(bound, 1e-5 if X.dtype == torch.float32 else 1e-10),
            "atol": max(bound * theta.abs().max().item(), 1e-6 if X.dtype == torch.float32
                        else 1e-12)}  # fmt: skip


def fit_diagnosis(w: object, b: object, X: Tensor, y: Tensor, l2: float, rtol: float = 1e-6) -> str:
    """A hint naming the mistake when the student's (w, b) is the minimizer of a wrong
    objective: no bias, a bias fitted after w, a penalized bias, l2 not scaled by N."""
    if not (isinstance(w, Tensor) and isinstance(b, Tensor)) or w.device.type == "meta":
        return FIT_HINT
    try:
        got = torch.cat(
            [w.detach().cpu().double().reshape(-1), b.detach().cpu().double().reshape(1)]
        )
    except RuntimeError:
        return FIT_HINT
    n, d = X.shape
    if got.numel() != d + 1 or not torch.isfinite(got).all():
        return FIT_HINT
    X64, y64 = X.detach().cpu().double(), y.detach().cpu().double()
    no_bias = torch.linalg.solve(
        X64.T @ X64 + n * l2 * torch.eye(d, dtype=torch.float64), X64.T @ y64
    )
    candidates = [
        (
            torch.cat([no_bias, torch.zeros(1, dtype=torch.float64)]),
            "b came out 0 and w is the fit of a line through the origin: X needs a column of "
            "ones (X1 = [X, 1]) so that the bias is fitted together with w",
        ),
        (
            torch.cat([no_bias, (y64 - X64 @ no_bias).mean().reshape(1)]),
            "w was fitted without the bias (through the origin) and b only afterwards: fitted "
            "after w, the bias cannot correct w. Fit both at once, with a column of ones in X "
            "(X1 = [X, 1]), or center X and y first",
        ),
        (
            solve_theta(X, y, augmented_system(X, l2, bias_penalty=n * l2)),
            "the bias was penalized too: the penalty l2 * sum(w ** 2) holds w only, so the last "
            "diagonal entry of the penalty is 0 (P = diag(1, ..., 1, 0))",
        ),
    ]
    if l2 > 0:
        unscaled = augmented_system(X, l2 / n)
        candidates += [
            (
                solve_theta(X, y, unscaled),
                f"the penalty added to X1^T X1 is l2 = {l2}, but X1^T X1 is a sum over the N = "
                f"{n} samples while the loss is a mean: multiply the objective by N and the "
                f"penalty becomes N * l2 = {n * l2:g} (scikit-learn's Ridge: alpha = N * l2)",
            ),
            (
                solve_theta(X, y, augmented_system(X, l2 / n, bias_penalty=l2)),
                f"the penalty is l2 = {l2} on every diagonal entry: it must be N * l2 = "
                f"{n * l2:g} (the loss is a mean over N samples), and 0 for the bias",
            ),
        ]
    scale = got.abs().max().item() + 1.0
    for theta, hint in candidates:
        if (got - theta).abs().max().item() <= max(1e-4, 4 * rtol) * scale:
            return hint
    return FIT_HINT


# --- fit_linear_regression ---------------------------------------------------------------------

# (N, D, l2): ordinary least squares and ridge, few and many features, a strong penalty.
FIT_CASES = [
    pytest.param(50, 3, 0.0, id="N50-D3-ols"),
    pytest.param(200, 10, 0.0, id="N200-D10-ols"),
    pytest.param(50, 3, 0.1, id="N50-D3-l2=0.1"),
    pytest.param(30, 8, 1.0, id="N30-D8-l2=1"),
    pytest.param(120, 5, 0.02, id="N120-D5-l2=0.02"),
]


def check_fit(lr_impl, X: Tensor, y: Tensor, l2: float, *, inputs: str = "") -> None:
    call = f"fit_linear_regression(X, y, l2={l2!r})"
    result = lr_impl.fit_linear_regression(X.clone(), y.clone(), l2=l2)
    if not isinstance(result, tuple | list) or len(result) != 2:
        fail(call, f"returned {type(result).__name__}, expected a pair (w, b)")
    w, b = result
    expected_w, expected_b = sklearn_fit(X, y, l2)
    tolerance = fit_tolerance(X, l2, torch.cat([expected_w, expected_b.reshape(1)]))
    hint = fit_diagnosis(w, b, X, y, l2, tolerance["rtol"])
    inputs = inputs or f"X: {describe(X)}; y: {describe(y)}"
    oracle = "LinearRegression" if l2 == 0 else f"Ridge(alpha=N * l2 = {X.shape[0] * l2:g})"
    for name, actual, expected in (("w", w, expected_w), ("b", b, expected_b)):
        assert_tensor_close(
            actual,
            expected.to(dtype=X.dtype, device=X.device),
            call=f"{call}, returned {name}",
            inputs=f"{inputs} (oracle: scikit-learn's {oracle})",
            hint=hint,
            **tolerance,
        )


@pytest.mark.values("fit_linear_regression")
@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize(("n", "d", "l2"), FIT_CASES)
def test_fit_matches_sklearn(lr_impl, n, d, l2, dtype, device):
    X, y = regression_data(n, d, dtype, device, seed=n + d)
    check_fit(lr_impl, X, y, l2)


@pytest.mark.requires("fit_linear_regression")
@pytest.mark.parametrize("dtype", DTYPES)
def test_fit_recovers_exact_linear_data(lr_impl, dtype):
    # Noiseless y = X @ w + b: the least-squares fit is exactly (w, b).
    X, _ = regression_data(40, 4, torch.float64, "cpu", seed=7)
    w_true = torch.tensor([1.5, -2.0, 0.25, 3.0], dtype=torch.float64)
    y = X @ w_true - 7.0
    X, y = X.to(dtype), y.to(dtype)
    check_fit(lr_impl, X, y, 0.0, inputs=f"noiseless y = X @ {w_true.tolist()} - 7")


@pytest.mark.requires("fit_linear_regression")
@pytest.mark.parametrize("dtype", DTYPES)
def test_fit_ridge_with_more_features_than_samples(lr_impl, dtype):
    # D > N: X1^T X1 is singular, but with l2 > 0 the (unpenalized-bias) minimum is unique.
    X, y = regression_data(12, 20, dtype, "cpu", seed=8)
    check_fit(lr_impl, X, y, 0.5, inputs=f"X: {describe(X)} (more features than samples)")


@pytest.mark.requires("fit_linear_regression")
@settings(max_examples=10, deadline=None)
@given(
    n=st.integers(8, 60),
    d=st.integers(1, 6),
    l2=st.sampled_from([0.0, 1e-3, 0.05, 0.5, 3.0]),
    seed=st.integers(0, 2**16),
)
def test_fit_any_shape_and_penalty(lr_impl, n, d, l2, seed):
    X, y = regression_data(n, d, torch.float64, "cpu", seed=seed)
    check_fit(lr_impl, X, y, l2)


@pytest.mark.requires("fit_linear_regression")
@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("dtype", DTYPES)
def test_fit_output_follows_input_dtype_and_device(lr_impl, dtype, device):
    X, y = regression_data(20, 3, dtype, device, seed=9)
    for l2 in (0.0, 0.3):
        call = f"fit_linear_regression(X, y, l2={l2})"
        result = lr_impl.fit_linear_regression(X, y, l2=l2)
        if not isinstance(result, tuple | list) or len(result) != 2:
            fail(call, f"returned {type(result).__name__}, expected a pair (w, b)")
        assert_like(result[0], call=f"{call}, returned w", shape=(3,), dtype=dtype, device=device)
        assert_like(
            result[1],
            call=f"{call}, returned b",
            shape=(),
            dtype=dtype,
            device=device,
            hint="b is a 0-d tensor (theta[-1], not theta[-1:]), in X's dtype, on X's device",
        )


@pytest.mark.requires("fit_linear_regression")
def test_fit_leaves_its_inputs_alone(lr_impl):
    X, y = regression_data(30, 4, torch.float64, "cpu", seed=10)
    before = (X.clone(), y.clone())
    lr_impl.fit_linear_regression(X, y, l2=0.2)
    for name, value, original in zip(("X", "y"), (X, y), before, strict=True):
        assert_tensor_close(
            value,
            original,
            call=f"fit_linear_regression(X, y, l2=0.2) changed its argument {name}",
            hint="center or extend copies (X - X.mean(0) makes a new tensor; X -= ... does not)",
            rtol=0.0,
            atol=0.0,
        )


# --- linear_regression_step --------------------------------------------------------------------


def oracle_step(w: Tensor, b: Tensor, X: Tensor, y: Tensor, lr: float) -> tuple[Tensor, Tensor]:
    """Autograd on mean((X @ w + b - y) ** 2) in float64, returned in w's dtype and device."""
    w64 = w.detach().cpu().double().requires_grad_(True)
    b64 = b.detach().cpu().double().requires_grad_(True)
    loss = ((X.detach().cpu().double() @ w64 + b64 - y.detach().cpu().double()) ** 2).mean()
    grad_w, grad_b = torch.autograd.grad(loss, (w64, b64))
    return (
        (w64 - lr * grad_w).detach().to(dtype=w.dtype, device=w.device),
        (b64 - lr * grad_b).detach().to(dtype=w.dtype, device=w.device),
    )


def step_tolerance(w: Tensor, b: Tensor, X: Tensor, y: Tensor, lr: float) -> dict[str, float]:
    """The float32 result rounds w, b and the step lr * (2 / N) * X^T r, whose terms (products
    of |X| and |r| summed over N rows) may each be off by a few ulps: allow 16 ulps of the
    largest term."""
    if w.dtype == torch.float64:
        return {"rtol": 1e-10, "atol": 1e-12}
    X64, y64 = X.detach().cpu().double(), y.detach().cpu().double()
    r = X64 @ w.detach().cpu().double() + b.item() - y64
    term = 2 * lr * (X64.abs().max().item() + 1) * r.abs().max().item()
    largest = max(w.detach().abs().max().item(), abs(b.item()), term)
    return {"rtol": 1e-5, "atol": 16 * torch.finfo(torch.float32).eps * largest}


def step_diagnosis(actual: object, before: Tensor, expected: Tensor, n: int, part: str) -> str:
    """A hint naming the mistake when the student's step is the right one times a constant
    factor: 1/2 (no factor 2), n / m (divided by a batch size m other than n), n (a sum)."""
    if (
        not isinstance(actual, Tensor)
        or actual.device.type == "meta"
        or actual.shape != expected.shape
    ):
        return STEP_HINT
    got = (before.detach().cpu().double() - actual.detach().cpu().double()).reshape(-1)
    want = (before.detach().cpu().double() - expected.detach().cpu().double()).reshape(-1)
    if not torch.isfinite(got).all() or want.norm() == 0:
        return STEP_HINT
    ratio = (got @ want / (want @ want)).item()
    if (got - ratio * want).norm() > 1e-4 * want.norm() or abs(ratio - 1) < 1e-6:
        return STEP_HINT
    said = f"the step of {part} is {ratio:.6g} times the right one: "
    if abs(ratio - 0.5) < 1e-4:
        return said + (
            "the derivative of (X @ w + b - y) ** 2 has a factor 2: (2 / N) * X^T r, "
            "(2 / N) * sum(r)"
        )
    if abs(ratio - n) < 1e-4 * n or abs(ratio - 2 * n) < 1e-4 * n:
        return said + (
            f"the gradient was not divided by this batch's N = X.shape[0] = {n} rows (a sum "
            "over the rows, or a batch size remembered from another call?): the loss is a mean "
            "over the N rows of the batch you are given"
        )
    if ratio < 0:
        return said + "gradient descent subtracts lr * gradient (it moves downhill)"
    other = n / ratio
    if abs(other - round(other)) < 1e-3 and round(other) != n:
        return said + (
            f"the gradient was divided by {round(other)} rather than by this batch's N = "
            f"X.shape[0] = {n} rows (a fixed or remembered batch size? the last batch of an "
            "epoch is smaller: always divide by the N of the batch you are given)"
        )
    return said + STEP_HINT


def check_step(
    lr_impl, w: Tensor, b: Tensor, X: Tensor, y: Tensor, lr: float, *, what: str = ""
) -> tuple[Tensor, Tensor]:
    call = f"linear_regression_step(w, b, X, y, lr={lr!r})"
    if what:
        call += f" on {what}"
    result = lr_impl.linear_regression_step(w.clone(), b.clone(), X.clone(), y.clone(), lr=lr)
    if not isinstance(result, tuple | list) or len(result) != 2:
        fail(call, f"returned {type(result).__name__}, expected a pair (w, b)")
    expected = oracle_step(w, b, X, y, lr)
    tolerance = step_tolerance(w, b, X, y, lr)
    inputs = f"X: {describe(X)}, N = {X.shape[0]} rows; w: {describe(w)}; b = {b.item():.6g}"
    for name, actual, before, want in zip(("w", "b"), result, (w, b), expected, strict=True):
        assert_tensor_close(
            actual,
            want,
            call=f"{call}, returned {name}",
            inputs=inputs,
            hint=step_diagnosis(actual, before, want, X.shape[0], name),
            **tolerance,
        )
    return expected


def step_start(d: int, dtype: torch.dtype, device: str, seed: int) -> tuple[Tensor, Tensor]:
    generator = torch.Generator().manual_seed(seed)
    w = torch.randn(d, generator=generator, dtype=torch.float64)
    b = torch.randn((), generator=generator, dtype=torch.float64)
    return w.to(dtype=dtype, device=device), b.to(dtype=dtype, device=device)


# (N, D, lr): a batch of one row, small and ordinary batches.
STEP_CASES = [
    pytest.param(1, 3, 0.1, id="N1-D3"),
    pytest.param(7, 3, 0.05, id="N7-D3"),
    pytest.param(32, 5, 0.01, id="N32-D5"),
    pytest.param(100, 4, 0.2, id="N100-D4"),
]


@pytest.mark.values("linear_regression_step")
@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize(("n", "d", "lr"), STEP_CASES)
def test_step_matches_autograd(lr_impl, n, d, lr, dtype, device):
    X, y = regression_data(n, d, dtype, device, seed=20 + n)
    w, b = step_start(d, dtype, device, seed=30 + n)
    check_step(lr_impl, w, b, X, y, lr)


@pytest.mark.values("linear_regression_step")
@pytest.mark.parametrize("dtype", DTYPES)
def test_step_over_an_epoch_with_a_smaller_last_batch(lr_impl, dtype):
    """103 samples in batches of 32: 32, 32, 32 and a last batch of 7 rows. Each step starts
    from the oracle's previous parameters, so the first step that differs is the one named."""
    X, y = regression_data(103, 4, dtype, "cpu", seed=40)
    w, b = step_start(4, dtype, "cpu", seed=41)
    for start in range(0, 103, 32):
        rows = slice(start, start + 32)
        size = X[rows].shape[0]
        what = f"batch {start // 32} of an epoch ({size} rows; the full batches have 32)"
        w, b = check_step(lr_impl, w, b, X[rows], y[rows], 0.05, what=what)


@pytest.mark.requires("linear_regression_step")
@pytest.mark.parametrize("dtype", DTYPES)
def test_step_at_the_least_squares_solution_does_not_move(lr_impl, dtype):
    # At the minimum of the batch's MSE the gradient is 0: the step returns (w, b) unchanged.
    X, y = regression_data(25, 3, torch.float64, "cpu", seed=50)
    X1 = torch.cat([X, torch.ones(25, 1, dtype=torch.float64)], dim=1)
    theta = torch.linalg.lstsq(X1, y.unsqueeze(1)).solution.squeeze(1)
    w, b = theta[:3].to(dtype), theta[3].to(dtype)
    check_step(
        lr_impl, w, b, X.to(dtype), y.to(dtype), 0.1, what="the batch's least-squares minimum"
    )


@pytest.mark.requires("linear_regression_step")
@pytest.mark.parametrize("device", DEVICES_AND_META)
@pytest.mark.parametrize("dtype", DTYPES)
def test_step_output_follows_input_dtype_and_device(lr_impl, dtype, device):
    X, y = regression_data(9, 3, dtype, device, seed=60)
    w, b = step_start(3, dtype, device, seed=61)
    call = "linear_regression_step(w, b, X, y, lr=0.1)"
    result = lr_impl.linear_regression_step(w, b, X, y, lr=0.1)
    if not isinstance(result, tuple | list) or len(result) != 2:
        fail(call, f"returned {type(result).__name__}, expected a pair (w, b)")
    assert_like(result[0], call=f"{call}, returned w", shape=(3,), dtype=dtype, device=device)
    assert_like(
        result[1],
        call=f"{call}, returned b",
        shape=(),
        dtype=dtype,
        device=device,
        hint="b stays a 0-d tensor: r.sum() is 0-d, r.sum(dim=0, keepdim=True) is not",
    )


@pytest.mark.requires("linear_regression_step")
def test_step_leaves_its_inputs_alone(lr_impl):
    X, y = regression_data(16, 3, torch.float64, "cpu", seed=70)
    w, b = step_start(3, torch.float64, "cpu", seed=71)
    arguments = {"w": w, "b": b, "X": X, "y": y}
    before = {name: value.clone() for name, value in arguments.items()}
    lr_impl.linear_regression_step(w, b, X, y, lr=0.1)
    for name, value in arguments.items():
        assert_tensor_close(
            value,
            before[name],
            call=f"linear_regression_step(w, b, X, y, lr=0.1) changed its argument {name}",
            hint="return new tensors (w - lr * grad_w); w -= ... or w.sub_(...) changes the "
            "caller's parameters",
            rtol=0.0,
            atol=0.0,
        )


# --- speed (pytest --impl=solutions --benchmark-only) ------------------------------------------


@pytest.mark.requires("fit_linear_regression")
@pytest.mark.parametrize("source", ["impl", "sklearn"])
def test_benchmark_fit(benchmark, lr_impl, source):
    """2000 samples of 50 features, float64, ridge (l2 = 0.01) beside scikit-learn's Ridge."""
    X, y = regression_data(2000, 50, torch.float64, "cpu", seed=80)
    benchmark.group = "linear_regression.fit_linear_regression"
    if source == "impl":
        benchmark(lr_impl.module.fit_linear_regression, X, y, l2=0.01)
    else:
        X64, y64 = X.numpy(), y.numpy()
        benchmark(lambda: Ridge(alpha=2000 * 0.01).fit(X64, y64))


@pytest.mark.requires("linear_regression_step")
@pytest.mark.parametrize("source", ["impl", "autograd"])
def test_benchmark_step(benchmark, lr_impl, source):
    """A batch of 512 rows of 100 features, float32, beside an autograd step."""
    X, y = regression_data(512, 100, torch.float32, "cpu", seed=81)
    w, b = step_start(100, torch.float32, "cpu", seed=82)
    benchmark.group = "linear_regression.linear_regression_step"
    if source == "impl":
        benchmark(lr_impl.module.linear_regression_step, w, b, X, y, lr=0.01)
    else:

        def autograd_step() -> tuple[Tensor, Tensor]:
            wg, bg = w.clone().requires_grad_(True), b.clone().requires_grad_(True)
            loss = ((X @ wg + bg - y) ** 2).mean()
            grad_w, grad_b = torch.autograd.grad(loss, (wg, bg))
            return (wg - 0.01 * grad_w).detach(), (bg - 0.01 * grad_b).detach()

        benchmark(autograd_step)
