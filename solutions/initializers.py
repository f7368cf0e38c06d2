"""The reference solution of the initializers exercise.

Its instructions (the stub's module docstring) are written once, in
instructions/initializers.md, English and Chinese.
"""

import math

import torch
from torch import Tensor


def xavier_uniform(
    shape: tuple[int, int],
    *,
    gain: float = 1.0,
    generator: torch.Generator | None = None,
    device: torch.device | str | None = None,
    dtype: torch.dtype = torch.float32,
) -> Tensor:
    """Weights of ``shape = (fan_out, fan_in)`` drawn from U(-a, a).

        a = gain · sqrt(6 / (fan_in + fan_out))

    Every value lies in [-a, a] and the variance is a² / 3 = gain² · 2 / (fan_in + fan_out).
    Tensor.uniform_(low, high, generator=...) fills a tensor in place; (torch.rand(...) * 2 - 1)
    * a does the same from U(0, 1).

    Every random number comes from ``generator``, or from torch's global RNG when it is None (so
    two such calls give different weights: never create a torch.Generator() here). The result
    is created on ``device`` (the CPU when None) with dtype ``dtype``.
    """
    # BEGIN SOLUTION
    fan_out, fan_in = shape
    a = gain * math.sqrt(6.0 / (fan_in + fan_out))
    return torch.empty(shape, device=device, dtype=dtype).uniform_(-a, a, generator=generator)
    # END SOLUTION


def xavier_normal(
    shape: tuple[int, int],
    *,
    gain: float = 1.0,
    generator: torch.Generator | None = None,
    device: torch.device | str | None = None,
    dtype: torch.dtype = torch.float32,
) -> Tensor:
    """Weights of ``shape = (fan_out, fan_in)`` drawn from N(0, std²).

        std = gain · sqrt(2 / (fan_in + fan_out))

    torch.randn(shape, ...) draws N(0, 1); multiply by the standard deviation std.

    Every random number comes from ``generator``, or from torch's global RNG when it is None (so
    two such calls give different weights: never create a torch.Generator() here). The result
    is created on ``device`` (the CPU when None) with dtype ``dtype``.
    """
    # BEGIN SOLUTION
    fan_out, fan_in = shape
    std = gain * math.sqrt(2.0 / (fan_in + fan_out))
    return torch.randn(shape, generator=generator, device=device, dtype=dtype).mul_(std)
    # END SOLUTION


def he_normal(
    shape: tuple[int, int],
    *,
    generator: torch.Generator | None = None,
    device: torch.device | str | None = None,
    dtype: torch.dtype = torch.float32,
) -> Tensor:
    """Weights of ``shape = (fan_out, fan_in)`` drawn from N(0, 2 / fan_in), for ReLU layers.

    The standard deviation is sqrt(2 / fan_in), with fan_in = shape[1] (the inputs each output
    sums over). This is torch.nn.init.kaiming_normal_(w, mode="fan_in", nonlinearity="relu").

    Every random number comes from ``generator``, or from torch's global RNG when it is None (so
    two such calls give different weights: never create a torch.Generator() here). The result
    is created on ``device`` (the CPU when None) with dtype ``dtype``.
    """
    # BEGIN SOLUTION
    fan_in = shape[1]
    std = math.sqrt(2.0 / fan_in)
    return torch.randn(shape, generator=generator, device=device, dtype=dtype).mul_(std)
    # END SOLUTION


def he_uniform(
    shape: tuple[int, int],
    *,
    generator: torch.Generator | None = None,
    device: torch.device | str | None = None,
    dtype: torch.dtype = torch.float32,
) -> Tensor:
    """Weights of ``shape = (fan_out, fan_in)`` drawn from U(-a, a), for ReLU layers.

        a = sqrt(6 / fan_in)

    with fan_in = shape[1]. The variance a² / 3 = 2 / fan_in is he_normal's: only the
    distribution differs. Not Xavier's bound sqrt(6 / (fan_in + fan_out)), not sqrt(3 / fan_in)
    (variance 1 / fan_in), and not fan_out. This is
    torch.nn.init.kaiming_uniform_(w, mode="fan_in", nonlinearity="relu").

    Every random number comes from ``generator``, or from torch's global RNG when it is None (so
    two such calls give different weights: never create a torch.Generator() here). The result
    is created on ``device`` (the CPU when None) with dtype ``dtype``.
    """
    # BEGIN SOLUTION
    bound = math.sqrt(6.0 / shape[1])
    return torch.empty(shape, device=device, dtype=dtype).uniform_(
        -bound, bound, generator=generator
    )
    # END SOLUTION
