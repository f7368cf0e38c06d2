"""The functions tests/test_gradient_check.py differentiates numerically (trusted test code).

When grading, a student's function runs in a sandbox process and its arguments cross as plain
data, so the ``f`` handed to ``numerical_gradient`` is always one of the module-level functions
below, or ``functools.partial`` of one with plain-data arguments (tensors, numbers): the sandbox
passes it by name. Hence no lambdas, closures, bound methods, and no state kept in this module
(the sandbox imports it afresh): whatever a function needs comes in its arguments or from x.

Each function computes in x's dtype and on x's device, and uses elementary operations only (none
of the routines the exercise forbids).
"""

from __future__ import annotations

import torch
from torch import Tensor


def sum_of_sines(x: Tensor, scale: Tensor) -> Tensor:
    """sum(scale * sin(x)): gradient scale * cos(x); third derivative -scale * cos(x)."""
    return (scale * torch.sin(x)).sum()


def quadratic_form(x: Tensor, matrix: Tensor) -> Tensor:
    """v @ matrix @ v with v = x flattened: gradient (matrix + matrix.T) @ v, reshaped like x.
    A quadratic: its central difference has no truncation error, its forward one has eps·A_ii."""
    v = x.reshape(-1)
    return v @ (matrix @ v)


def log_sum_exp(x: Tensor) -> Tensor:
    """log(sum(exp(x))), shifted by the maximum: gradient softmax(x)."""
    peak = x.max()
    return peak + torch.log(torch.exp(x - peak).sum())


def sum_of_cubes(x: Tensor) -> Tensor:
    """sum(x**3). Its central difference with step eps is exactly 3 x² + eps² (a forward one is
    3 x² + 3 x eps + eps²): a check of the formula that needs no autograd."""
    return (x * x * x).sum()


def sum_of_cubes_as_float(x: Tensor) -> float:
    """sum(x**3) as a Python float, not a tensor: f may return either."""
    return float((x * x * x).sum())


def entry(x: Tensor, index: int) -> Tensor:
    """x.reshape(-1)[index]: for a contiguous x, a 0-d VIEW of x, whose value follows x's later
    changes. Its gradient is 1 at ``index`` and 0 elsewhere; an implementation that keeps f's
    result without copying it gets 0 there."""
    return x.reshape(-1)[index]


def raises_when_moved(x: Tensor, index: int, value: float) -> Tensor:
    """sum(x**2), but a ValueError (which crosses the sandbox as itself) as soon as
    x.reshape(-1)[index] is not ``value`` (its original): f fails in the middle of the
    gradient, once the entries before ``index`` were perturbed and restored and while entry
    ``index`` is perturbed."""
    if x.reshape(-1)[index].item() != value:
        raise ValueError(f"the test's f raised: entry {index} of x moved (as planned)")
    return (x * x).sum()
