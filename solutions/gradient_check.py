"""The reference solution of the gradient_check exercise.

Its instructions (the stub's module docstring) are written once, in
instructions/gradient_check.md, English and Chinese.
"""

import itertools
from collections.abc import Callable

import torch
from torch import Tensor


def numerical_gradient(
    f: Callable[[Tensor], Tensor | float], x: Tensor, *, eps: float = 1e-6
) -> Tensor:
    """The central-difference gradient of ``f`` at ``x``: a tensor with x's shape, dtype and device.

    ``f`` takes one tensor (x, or a tensor of x's shape, dtype and device) and returns a 0-d
    tensor or a Python float. Entry i of the result is

        (f(x + eps e_i) - f(x - eps e_i)) / (2 eps)

    computed one coordinate at a time: 2 · x.numel() calls of f. Any shape works, a 0-d x
    included.

    Three rules:

    * f may return a *view* of its argument (``x.reshape(-1)[3]`` is one): its value changes when
      you change x afterwards. Copy what you keep (``float(f(x))``) before you change x again.
    * Afterwards x holds exactly its original values, bit for bit: restore each entry from a
      saved copy of its value, never by adding and subtracting eps (x + eps - eps is not always
      x in floating point). Or leave x alone and perturb a copy of it.
    * If f raises an exception, x is restored all the same and the exception propagates to the
      caller unchanged (``try`` / ``finally``).

    x may be a view of another tensor (transposed, or sliced with a step: not contiguous).
    Perturb x through its own index, ``x[index]``: ``x.view(-1)`` fails on such a view, and
    ``x.clone().reshape(-1)`` is a copy whose changes f never sees.
    """
    # BEGIN SOLUTION
    gradient = torch.empty_like(x)
    for index in itertools.product(*(range(size) for size in x.shape)):
        original = x[index].clone()
        try:
            x[index] = original + eps
            above = float(f(x))
            x[index] = original - eps
            below = float(f(x))
        finally:
            x[index] = original
        gradient[index] = (above - below) / (2 * eps)
    return gradient
    # END SOLUTION


def relative_error(a: Tensor, b: Tensor) -> float:
    """The largest entrywise relative error between ``a`` and ``b``, as a Python float:

        max over entries of  |a - b| / max(|a| + |b|, 1e-12)

    a and b have the same shape (at least one entry), dtype and device. The floor 1e-12 keeps an
    entry where both are 0 at 0 (instead of 0 / 0 = NaN), and an entry where both are tiny from
    counting as a large error. The result is symmetric in a and b, and at most 1. Neither
    input is modified.
    """
    # BEGIN SOLUTION
    difference = (a - b).abs()
    scale = (a.abs() + b.abs()).clamp(min=1e-12)
    return (difference / scale).max().item()
    # END SOLUTION
