"""Initialization: Xavier and He

The instructions in English, then in Chinese. 中文说明在英文之后。

Draw the initial weights of a layer with Xavier (Glorot) and He (Kaiming) initialization, from
torch's random numbers.

A good initialization keeps the variance of the activations (for Xavier: and of the gradients)
about the same from layer to layer. A weight matrix has `shape = (fan_out, fan_in)`, the shape
of `nn.Linear(fan_in, fan_out).weight`, with one row per output and one column per input: fan_in
is the number of inputs that each output sums over, fan_out the number of outputs each input
feeds.

    fan_in  = shape[1]
    fan_out = shape[0]

    xavier_uniform:  U(-a, a),     a   = gain · sqrt(6 / (fan_in + fan_out))
    xavier_normal:   N(0, std²),   std = gain · sqrt(2 / (fan_in + fan_out))
    he_normal:       N(0, std²),   std = sqrt(2 / fan_in)
    he_uniform:      U(-a, a),     a   = sqrt(6 / fan_in)

He's rules are for ReLU networks. Both Xavier rules have the variance gain² · 2 / (fan_in +
fan_out), both He rules 2 / fan_in: U(-a, a) has variance a² / 3. Careful:
`torch.randn(...) * s` has standard deviation s, so s must be the standard deviation (a square
root), not the variance.

Randomness: every random draw takes the `generator` argument (a `torch.Generator`), so that a
seeded generator gives the same weights whatever the global random state (`torch.manual_seed`)
is. The generator must live on `device`: `torch.Generator()` for CPU,
`torch.Generator(device="cuda")` for CUDA. With `generator=None`, torch's global random number
generator is used, so that two such calls give different weights (a `torch.Generator()` created
inside the function would give the same weights every time). The result is created on `device`
(CPU when None) with dtype `dtype`.

`xavier_uniform(shape, *, gain=1.0, generator=None, device=None, dtype=torch.float32)`
--------------------------------------------------------------------------------------

Weights drawn from U(-a, a), with a = gain · sqrt(6 / (fan_in + fan_out)). Every value lies in
[-a, a] and the variance is a² / 3 = gain² · 2 / (fan_in + fan_out).
`Tensor.uniform_(low, high, generator=...)` fills a tensor in place;
`(torch.rand(...) * 2 - 1) * a` does the same from U(0, 1).

`xavier_normal(shape, *, gain=1.0, generator=None, device=None, dtype=torch.float32)`
-------------------------------------------------------------------------------------

Weights drawn from N(0, std²), with std = gain · sqrt(2 / (fan_in + fan_out)).
`torch.randn(shape, ...)` draws from N(0, 1): multiply by the standard deviation std.

`he_normal(shape, *, generator=None, device=None, dtype=torch.float32)`
-----------------------------------------------------------------------

Weights drawn from N(0, 2 / fan_in), for ReLU layers: the standard deviation is sqrt(2 /
fan_in), with fan_in = shape[1] (the number of inputs each output sums over). This is
`torch.nn.init.kaiming_normal_(w, mode="fan_in", nonlinearity="relu")`.

`he_uniform(shape, *, generator=None, device=None, dtype=torch.float32)`
------------------------------------------------------------------------

Weights drawn from U(-a, a), for ReLU layers, with a = sqrt(6 / fan_in) and fan_in = shape[1].
The variance a² / 3 = 2 / fan_in is that of `he_normal`: only the distribution differs. Not
Xavier's bound sqrt(6 / (fan_in + fan_out)), not sqrt(3 / fan_in) (variance 1 / fan_in), and not
fan_out. This is `torch.nn.init.kaiming_uniform_(w, mode="fan_in", nonlinearity="relu")`.

Not allowed
-----------

Anything in `torch.nn.init`.

参数初始化：Xavier 与 He
========================

用 torch 的随机数，按 Xavier（Glorot）初始化和 He（Kaiming）初始化生成一层网络的初始权重。

好的初始化能让激活值的方差（对 Xavier 来说，还有梯度的方差）在各层之间大致保持不变。权重矩阵的形
状为 `shape = (fan_out, fan_in)`，也就是 `nn.Linear(fan_in, fan_out).weight` 的形状：每个输出占
一行，每个输入占一列。fan_in 是每个输出所求和的输入个数，fan_out 是每个输入所连接的输出个数。

    fan_in  = shape[1]
    fan_out = shape[0]

    xavier_uniform:  U(-a, a),     a   = gain · sqrt(6 / (fan_in + fan_out))
    xavier_normal:   N(0, std²),   std = gain · sqrt(2 / (fan_in + fan_out))
    he_normal:       N(0, std²),   std = sqrt(2 / fan_in)
    he_uniform:      U(-a, a),     a   = sqrt(6 / fan_in)

He 初始化适用于使用 ReLU 的网络。两种 Xavier 初始化的方差都是 gain² · 2 / (fan_in + fan_out)，两
种 He 初始化的方差都是 2 / fan_in：U(-a, a) 的方差为 a² / 3。注意：`torch.randn(...) * s` 的标准
差是 s，所以 s 必须是标准差（要开平方），而不是方差。

随机性：每次随机抽样都要使用参数 `generator`（一个 `torch.Generator`），这样只要生成器设定了种
子，无论全局随机状态（`torch.manual_seed`）如何，得到的权重都相同。生成器必须位于 `device` 上：
CPU 用 `torch.Generator()`，CUDA 用 `torch.Generator(device="cuda")`。当 `generator=None` 时，使
用 torch 的全局随机数生成器，这样两次这样的调用会得到不同的权重（在函数内部新建一个
`torch.Generator()` 则每次都会得到同样的权重）。结果创建在 `device` 上（为 None 时是 CPU），
dtype 为 `dtype`。

`xavier_uniform(shape, *, gain=1.0, generator=None, device=None, dtype=torch.float32)`
--------------------------------------------------------------------------------------

权重服从 U(-a, a)，其中 a = gain · sqrt(6 / (fan_in + fan_out))。所有值都落在 [-a, a] 内，方差为
a² / 3 = gain² · 2 / (fan_in + fan_out)。`Tensor.uniform_(low, high, generator=...)` 可以原地填
充一个张量；`(torch.rand(...) * 2 - 1) * a` 则从 U(0, 1) 得到同样的分布。

`xavier_normal(shape, *, gain=1.0, generator=None, device=None, dtype=torch.float32)`
-------------------------------------------------------------------------------------

权重服从 N(0, std²)，其中 std = gain · sqrt(2 / (fan_in + fan_out))。`torch.randn(shape, ...)`
从 N(0, 1) 抽样：再乘以标准差 std。

`he_normal(shape, *, generator=None, device=None, dtype=torch.float32)`
-----------------------------------------------------------------------

权重服从 N(0, 2 / fan_in)，适用于 ReLU 层：标准差为 sqrt(2 / fan_in)，其中 fan_in = shape[1]（每
个输出所求和的输入个数）。这相当于
`torch.nn.init.kaiming_normal_(w, mode="fan_in", nonlinearity="relu")`。

`he_uniform(shape, *, generator=None, device=None, dtype=torch.float32)`
------------------------------------------------------------------------

权重服从 U(-a, a)，适用于 ReLU 层，其中 a = sqrt(6 / fan_in)，fan_in = shape[1]。方差 a² / 3 = 2
/ fan_in 与 `he_normal` 相同：只是分布不同。边界不是 Xavier 的 sqrt(6 / (fan_in + fan_out))，不
是 sqrt(3 / fan_in)（方差为 1 / fan_in），也不用 fan_out。这相当于
`torch.nn.init.kaiming_uniform_(w, mode="fan_in", nonlinearity="relu")`。

禁止使用
--------

`torch.nn.init` 中的任何函数。
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
    # Your code here: replace the line below.
    raise NotImplementedError("xavier_uniform() is not written yet")


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
    # Your code here: replace the line below.
    raise NotImplementedError("xavier_normal() is not written yet")


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
    # Your code here: replace the line below.
    raise NotImplementedError("he_normal() is not written yet")


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
    # Your code here: replace the line below.
    raise NotImplementedError("he_uniform() is not written yet")
