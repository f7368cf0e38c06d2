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
# Each device with the marks a test on it carries, and each float dtype by its id: plain data, for
# the grids that combine them with other inputs; DEVICES and DTYPES are the same as parameters.
DEVICE_MARKS = {"cpu": [], "cuda": CUDA}
FLOAT_DTYPES = {"float32": torch.float32, "float64": torch.float64}
DEVICES = [pytest.param(device, id=device, marks=marks) for device, marks in DEVICE_MARKS.items()]
# The meta device computes shapes, dtypes and devices but no values: it checks, on a machine
# without a GPU, that an implementation keeps its tensors on the input's device.
DEVICES_AND_META = [*DEVICES, pytest.param("meta", id="meta")]
DTYPES = [pytest.param(dtype, id=name) for name, dtype in FLOAT_DTYPES.items()]

# Tolerances for comparing with an oracle computed by a different but equally valid formula.
TOLERANCE = {
    torch.float32: {"rtol": 1e-5, "atol": 1e-6},
    torch.float64: {"rtol": 1e-10, "atol": 1e-12},
}

# Statistical checks allow Z standard errors: |N(0,1)| > 5.5 has probability 3.8e-8, so a correct
# implementation fails one with probability well under 1e-6 whatever random numbers it draws.
Z = 5.5

# Where an output's dtype comes from, for the dtype hints: the input's by default.
INPUT_DTYPE = "the input's dtype"
ARGUMENT_DTYPE = "the dtype given as dtype="

# A float64 result whose every value is a float32 number, off by float32 rounding only: its
# formula was right, but a float32 number (0.01 rounded to 0.009999999776) made the values.
FLOAT32_HINT = (
    "your values are float32 numbers stored as float64 (each differs from the expected one by "
    "float32 rounding, about 1e-8 relative), so a float32 number made them: "
    "torch.where(condition, 1.0, slope) with Python numbers makes a float32 tensor, and so "
    "does torch.tensor(value) without dtype=; use tensors of the input's dtype "
    "(torch.full_like(x, slope)), or Python numbers in arithmetic (slope * x)"
)


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


def dtype_hint(actual: torch.dtype, expected: torch.dtype, dtype_from: str = INPUT_DTYPE) -> str:
    """What usually gives ``actual`` where ``expected`` was wanted; ``dtype_from`` says where the
    expected dtype comes from (the input's, or a ``dtype=`` argument)."""
    if actual == torch.bool:
        return (
            "a comparison (x > 0) gives a bool tensor: convert it to the expected dtype "
            f"(.to({expected})) before returning it"
        )
    if not actual.is_floating_point and expected.is_floating_point:
        return f"an integer result: compute in floating point and return {expected}"
    if actual == torch.float32 and expected == torch.float64:
        return (
            f"the output has {dtype_from}, {expected}; something made a float32 tensor: "
            "torch.where(condition, 1.0, 0.0) with Python numbers does (pass tensors of the "
            "right dtype, e.g. x.new_tensor(1.0)), so do torch.tensor(...), torch.rand(...) "
            "and torch.zeros(...) without dtype=, and .float()"
        )
    return f"the output has {dtype_from}, {expected}: create new tensors with dtype= (or *_like)"


def assert_like(
    actual: Any,
    *,
    call: str,
    shape: tuple[int, ...] | torch.Size,
    dtype: torch.dtype,
    device: torch.device | str,
    hint: str = "",
    dtype_from: str = INPUT_DTYPE,
) -> torch.Tensor:
    """The result is a tensor with this shape, dtype and device (values not checked);
    ``dtype_from`` says where the dtype comes from, for the hint."""
    actual = check_tensor_type(actual, call)
    if tuple(actual.shape) != tuple(shape):
        fail(call, f"returned shape {tuple(actual.shape)}, expected {tuple(shape)}", hint)
    if actual.dtype != dtype:
        fail(
            call,
            f"returned dtype {actual.dtype}, expected {dtype}",
            hint or dtype_hint(actual.dtype, dtype, dtype_from),
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
    dtype_from: str = INPUT_DTYPE,
) -> None:
    """``actual`` matches ``expected`` in type, shape, dtype, device, finiteness and values.

    A float64 result of float32 numbers, each one rounding off, gets :data:`FLOAT32_HINT`
    instead of ``hint`` (whose formulas were right): it names the float32 number that caused
    it."""
    actual = assert_like(
        actual, call=call, shape=expected.shape, dtype=expected.dtype, device=expected.device,
        dtype_from=dtype_from,
    )  # fmt: skip
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
        shown = FLOAT32_HINT if float32_rounded(actual, expected) else hint
        return text + (f"\nHint: {shown}" if shown else "")

    try:
        torch.testing.assert_close(actual, expected, rtol=rtol, atol=atol, msg=message)
    except AssertionError as error:
        problem = str(error)
    else:
        return
    pytest.fail(problem, pytrace=False)  # outside the except block: one message, not two


def float32_rounded(actual: torch.Tensor, expected: torch.Tensor) -> bool:
    """Whether a float64 ``actual`` holds float32 numbers only, each within one float32
    rounding of ``expected`` (which does not): a float32 number made its values."""
    if expected.dtype != torch.float64 or torch.equal(expected, expected.float().double()):
        return False
    float32 = torch.finfo(torch.float32).eps
    return torch.equal(actual, actual.float().double()) and torch.allclose(
        actual, expected, rtol=float32, atol=0.0
    )


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


# Layouts a caller's tensor may come in besides contiguous, each a view of a larger tensor that
# holds the same values. What a function reshapes (.view needs contiguous memory), or writes
# into through a reshaped copy (x.clone() keeps x's strides, so x.clone().reshape(-1) copies),
# goes wrong on them; code that indexes x itself does not. An expanded view (stride 0, its rows
# share their memory) may only be read.
WRITABLE_LAYOUTS = ("transposed", "sliced with a step")
LAYOUTS = (*WRITABLE_LAYOUTS, "expanded")


def laid_out(values: torch.Tensor, layout: str) -> torch.Tensor:
    """A view equal to ``values`` (at least 1-D) in ``layout``: "transposed" (its last two
    dimensions swapped in memory; a 1-D tensor is sliced instead), "sliced with a step" (every
    other entry of a last dimension twice as long), or "expanded" (its first row repeated,
    stride 0: ``values`` must equal its first row along dimension 0)."""
    if layout == "expanded":
        row = values[:1].clone()
        if not torch.equal(row.expand_as(values), values):
            raise ValueError("an expanded view repeats one row: values differ along dim 0")
        return row.expand_as(values)
    if layout == "transposed" and values.dim() >= 2:
        return values.mT.contiguous().mT
    shape = (*values.shape[:-1], 2 * values.shape[-1])
    base = values.new_full(shape, float("nan") if values.is_floating_point() else -1)  # gaps
    base[..., ::2] = values
    return base[..., ::2]


def layout_hint(name: str, view: torch.Tensor, layout: str) -> str:
    """What goes wrong with a tensor ``name`` passed as ``view``, in ``layout``."""
    where = f"{name} here is a{'n' if layout == 'expanded' else ''} {layout} view of another "
    where += f"tensor (strides {tuple(view.stride())}, not contiguous)"
    if layout == "expanded":
        return (
            f"{where}: its rows share one memory location, so read it and never write into it "
            f"(in place: -=, add_, [...] =); and {name}.view(...) fails on it"
        )
    return (
        f"{where}: {name}.view(...) fails on it, and {name}.reshape(...), .flatten() or "
        f"{name}.clone().reshape(...) is a copy, so what you write into that never reaches "
        f"{name}; index {name} itself (or read it through .reshape or .contiguous())"
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
