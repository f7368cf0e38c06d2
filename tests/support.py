"""What every exercise test shares: devices, dtypes, tolerances, and assertions whose failure
messages teach (the call, the input, what was expected, what came back, a hint)."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import pytest
import torch

# A CUDA test carries the `cuda` marker: it runs only with `--device cuda`
# (grader/check/plugin.py), so that the tests graded are the instructor's choice, never the
# machine's; and skips without a GPU.
CUDA = [
    pytest.mark.cuda,
    pytest.mark.skipif(not torch.cuda.is_available(), reason="no CUDA device on this machine"),
]
DEVICES = [pytest.param("cpu", id="cpu"), pytest.param("cuda", id="cuda", marks=CUDA)]
# The meta device computes shapes, dtypes and devices but no values: it checks, on a machine
# without a GPU, that an implementation keeps its tensors on the input's device.
DEVICES_AND_META = [*DEVICES, pytest.param("meta", id="meta")]
DTYPES = [pytest.param(torch.float32, id="float32"), pytest.param(torch.float64, id="float64")]

# Tolerances for comparing with an oracle computed by a different but equally valid formula.
TOLERANCE = {
    torch.float32: {"rtol": 1e-5, "atol": 1e-6},
    torch.float64: {"rtol": 1e-10, "atol": 1e-12},
}

# Statistical checks allow Z standard errors: |N(0,1)| > 5.5 has probability 3.8e-8, so a correct
# implementation fails one with probability well under 1e-6 whatever random numbers it draws.
Z = 5.5


def describe(value: Any) -> str:
    """A short description of a test input or output, for failure messages."""
    if isinstance(value, torch.Tensor):
        text = f"{value.dtype} tensor of shape {tuple(value.shape)} on {value.device}"
        if value.device.type != "meta" and value.numel() and value.is_floating_point():
            finite = value[torch.isfinite(value)]
            if finite.numel():
                text += f", values in [{finite.min().item():.4g}, {finite.max().item():.4g}]"
        return text
    return repr(value)


def fail(call: str, problem: str, hint: str = "") -> None:
    """Fail the test with a message a student can act on (no traceback of ours)."""
    message = f"{call}: {problem}"
    if hint:
        message += f"\nHint: {hint}"
    pytest.fail(message, pytrace=False)


def check_tensor_type(actual: Any, call: str) -> torch.Tensor:
    if not isinstance(actual, torch.Tensor) or type(actual) not in (
        torch.Tensor,
        torch.nn.Parameter,
    ):
        fail(call, f"returned {type(actual).__name__}, expected a torch.Tensor")
    return actual


def dtype_hint(actual: torch.dtype, expected: torch.dtype) -> str:
    """What usually gives ``actual`` where ``expected`` was wanted."""
    if actual == torch.bool:
        return (
            "a comparison (x > 0) gives a bool tensor: convert it to the expected dtype "
            "(.to(x.dtype)) before returning it"
        )
    if not actual.is_floating_point and expected.is_floating_point:
        return f"an integer result: compute in floating point and return {expected}"
    if actual == torch.float32 and expected == torch.float64:
        return (
            "the output keeps the input's dtype: a float32 constant (torch.tensor(...) or "
            "torch.zeros(...) without dtype=) turns the result into float32"
        )
    return f"the output is {expected}: create new tensors with dtype= (or *_like functions)"


def assert_like(
    actual: Any,
    *,
    call: str,
    shape: tuple[int, ...] | torch.Size,
    dtype: torch.dtype,
    device: torch.device | str,
    hint: str = "",
) -> torch.Tensor:
    """The result is a tensor with this shape, dtype and device (values not checked)."""
    actual = check_tensor_type(actual, call)
    if tuple(actual.shape) != tuple(shape):
        fail(call, f"returned shape {tuple(actual.shape)}, expected {tuple(shape)}", hint)
    if actual.dtype != dtype:
        fail(
            call,
            f"returned dtype {actual.dtype}, expected {dtype}",
            hint or dtype_hint(actual.dtype, dtype),
        )
    if actual.device.type != torch.device(device).type:
        fail(
            call,
            f"returned a tensor on {actual.device}, expected {device}",
            hint or "create new tensors on the input's device (torch.zeros_like, device=x.device)",
        )
    return actual


def assert_tensor_close(
    actual: Any,
    expected: torch.Tensor,
    *,
    call: str,
    inputs: str = "",
    hint: str = "",
    rtol: float | None = None,
    atol: float | None = None,
) -> None:
    """``actual`` matches ``expected`` in type, shape, dtype, device, finiteness and values."""
    actual = assert_like(
        actual, call=call, shape=expected.shape, dtype=expected.dtype, device=expected.device
    )
    if expected.device.type == "meta":
        return
    actual = actual.detach()
    if rtol is None or atol is None:
        rtol, atol = TOLERANCE.get(expected.dtype, {"rtol": 0.0, "atol": 0.0}).values()
    where = f" for {inputs}" if inputs else ""
    bad = ~torch.isfinite(actual) & torch.isfinite(expected)
    if bad.any():
        index = tuple(int(i) for i in bad.nonzero()[0])
        fail(
            call,
            f"returned {actual[index].item()} at index {index}{where}; expected the finite value "
            f"{expected[index].item():.6g}",
            hint,
        )

    def message(generated: str) -> str:
        text = f"{call}: values differ{where}.\n{generated}"
        return text + (f"\nHint: {hint}" if hint else "")

    try:
        torch.testing.assert_close(actual, expected, rtol=rtol, atol=atol, msg=message)
    except AssertionError as error:
        problem = str(error)
    else:
        return
    pytest.fail(problem, pytrace=False)  # outside the except block: one message, not two


def input_scaled_tolerance(x: torch.Tensor) -> dict[str, float]:
    """The dtype's tolerance, with an absolute part that grows with the inputs' magnitude: a
    result computed from x (x - max, a log-sum-exp) can be off by a few units in the last
    place of max|x|, which any correct formula may be (float32 at |x| ~ 2000: ~1e-4)."""
    tolerance = dict(TOLERANCE[x.dtype])
    largest = x.detach().abs().max().item() if x.numel() else 0.0
    tolerance["atol"] = max(tolerance["atol"], 4 * torch.finfo(x.dtype).eps * largest)
    return tolerance


def float64_oracle(
    function: Callable[..., torch.Tensor], x: torch.Tensor, **kwargs
) -> torch.Tensor:
    """``function`` computed in float64 from x's exact values, returned in x's dtype."""
    return function(x.double(), **kwargs).to(x.dtype)


def assert_statistic(
    name: str, observed: float, expected: float, std_error: float, *, call: str, hint: str
) -> None:
    """``observed`` is within Z standard errors of ``expected``."""
    tolerance = Z * std_error
    if not math.isfinite(observed) or abs(observed - expected) > tolerance:
        fail(
            call,
            f"{name} is {observed:.6g}, expected {expected:.6g} ± {tolerance:.3g} "
            f"({Z} standard errors of the estimate)",
            hint,
        )


def make_generator(seed: int, device: str = "cpu") -> torch.Generator:
    """A seeded generator on the device the values are drawn on (the documented convention)."""
    return torch.Generator(device=device).manual_seed(seed)


def with_global_seed(seed: int, draw: Callable[[], torch.Tensor]) -> torch.Tensor:
    """``draw()`` after torch.manual_seed(seed), leaving the global RNG state as it was."""
    with torch.random.fork_rng(devices=list(range(torch.cuda.device_count()))):
        torch.manual_seed(seed)
        return draw()


def binomial_se(probability: float, n: int) -> float:
    """Standard error of the fraction of n independent events of this probability."""
    return math.sqrt(probability * (1 - probability) / n)


def random_tensor(
    shape: tuple[int, ...], dtype: torch.dtype, device: str, seed: int = 0, scale: float = 1.0
) -> torch.Tensor:
    """Standard normal values (times ``scale``), the same on every device."""
    generator = torch.Generator().manual_seed(seed)
    values = torch.randn(shape, generator=generator, dtype=torch.float64) * scale
    return values.to(dtype=dtype, device=device)


def numerical_gradient(
    loss: Callable[[], torch.Tensor], x: torch.Tensor, eps: float = 1e-6
) -> torch.Tensor:
    """Central differences (loss(x + eps) - loss(x - eps)) / 2 eps for every entry of ``x``.

    ``loss`` reads ``x`` (changed in place, one entry at a time, and restored). Use float64: the
    truncation error is O(eps²) and the rounding error O(1e-16 / eps).
    """
    grad = torch.zeros_like(x)
    flat, flat_grad = x.view(-1), grad.view(-1)
    for i in range(flat.numel()):
        original = flat[i].item()
        flat[i] = original + eps
        above = loss().item()
        flat[i] = original - eps
        below = loss().item()
        flat[i] = original
        flat_grad[i] = (above - below) / (2 * eps)
    return grad


def assert_gradient(
    analytic: Any,
    loss: Callable[[], torch.Tensor],
    x: torch.Tensor,
    *,
    call: str,
    hint: str = "",
    eps: float = 1e-6,
    rtol: float = 1e-6,
    atol: float = 1e-8,
) -> None:
    """The one gradient check: ``analytic`` matches finite differences of ``loss`` at ``x``."""
    assert_tensor_close(
        analytic,
        numerical_gradient(loss, x, eps),
        call=call,
        inputs="finite differences of the loss",
        hint=hint,
        rtol=rtol,
        atol=atol,
    )
