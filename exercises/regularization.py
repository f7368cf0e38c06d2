"""Regularization: dropout

The instructions in English, then in Chinese. 中文说明在英文之后。

Write inverted dropout from uniform random numbers: in training, every activation is zeroed with
probability p and the survivors are scaled by 1 / (1 - p).

During training, dropout zeroes each activation independently with probability p and scales the
survivors by 1 / (1 - p) ("inverted dropout"): the expected value of every output entry is then
the input entry itself, so nothing needs rescaling at evaluation time, where dropout does
nothing. p is the probability of *dropping* an entry, as in `torch.nn.Dropout(p)`.

Randomness: every random draw takes the `generator` argument (a `torch.Generator`), so that a
seeded generator gives the same result whatever the global random state (`torch.manual_seed`)
is. The generator must live on the device you sample on: `torch.Generator()` for CPU tensors,
`torch.Generator(device="cuda")` for CUDA tensors. With `generator=None`, torch's global random
number generator is used.

`dropout_mask(shape, p, *, generator=None, device=None, dtype=torch.float32)`
-----------------------------------------------------------------------------

A random inverted-dropout mask of the given shape, dtype and device. Each entry is independently
0 (dropped) or 1 / (1 - p) (kept, and rescaled so that its mean is 1):

    P(mask = 0)           = p
    P(mask = 1 / (1 - p)) = 1 - p
    E[mask] = (1 - p) / (1 - p) = 1

Draw uniform numbers u in [0, 1) with
`torch.rand(shape, generator=generator, device=device, dtype=dtype)`: u < p happens with
probability p. (`torch.randn` draws from a normal distribution, not a uniform one.)

Edge cases: p = 0 gives all ones; p = 1 gives all zeros (beware: 0 / (1 - p) is 0 / 0 = NaN
there). Raises `ValueError` if p is not in [0, 1]. `generator`, if given, must live on `device`
(CPU by default). With `generator=None` draw from torch's global random number generator, so
that two calls give different masks (a `torch.Generator()` created inside the function would
give the same mask every time). `device=None` means the CPU. Any shape works, `()` and shapes
containing a 0 included.

`dropout(x, p, *, training=True, generator=None)`
-------------------------------------------------

Inverted dropout of x: in training, x times a fresh mask from `dropout_mask`.

    training=True:   out = x * mask
    training=False:  out = x

The mask is `dropout_mask(x.shape, p)` on the device of x and in its dtype: each output entry is
0 or x / (1 - p), and E[out] = x. In evaluation (`training=False`) dropout does nothing. The
output has the shape, dtype and device of x, and x itself is not modified. Raises `ValueError`
if p is not in [0, 1]. Hand `generator` on to `dropout_mask` (if given, it must live on the
device of x), so that a seeded generator makes the output reproducible; with `generator=None`
the mask comes from torch's global random number generator. p = 0 gives the values of x, and p =
1 gives zeros (never NaN).

x may be a view of another tensor in any layout (transposed, sliced with a step, or expanded
from one row): only read it. `x.view(...)` fails on such views, and writing into an expanded one
fails.

Not allowed
-----------

`torch.dropout`, `torch.nn.functional.dropout` (and its 1d, 2d and alpha variants),
`torch.nn.Dropout`.

正则化：丢弃法（dropout）
=========================

用均匀分布的随机数实现“倒置”丢弃法（inverted dropout）：训练时每个激活值以概率 p 被置零，保留下
来的值乘以 1 / (1 - p)。

训练时，丢弃法以概率 p 独立地把每个激活值置零，并把保留下来的值放大为原来的 1 / (1 - p) 倍（“倒
置”丢弃法）：这样每个输出元素的期望恰好等于对应的输入元素，评估时就无需再做缩放，此时丢弃法什么
也不做。p 是*丢弃*一个元素的概率，与 `torch.nn.Dropout(p)` 中的含义相同。

随机性：每次随机抽样都要使用参数 `generator`（一个 `torch.Generator`），这样只要随机数生成器设定
了种子，无论全局随机状态（`torch.manual_seed`）如何，结果都相同。生成器必须位于抽样所在的设备
上：CPU 张量用 `torch.Generator()`，CUDA 张量用 `torch.Generator(device="cuda")`。当
`generator=None` 时，使用 torch 的全局随机数生成器。

`dropout_mask(shape, p, *, generator=None, device=None, dtype=torch.float32)`
-----------------------------------------------------------------------------

生成给定形状、dtype 和设备的随机“倒置”丢弃掩码。每个元素独立地取 0（被丢弃）或 1 / (1 - p)（被保
留，并放大使其均值为 1）：

    P(mask = 0)           = p
    P(mask = 1 / (1 - p)) = 1 - p
    E[mask] = (1 - p) / (1 - p) = 1

用 `torch.rand(shape, generator=generator, device=device, dtype=dtype)` 抽取 [0, 1) 上的均匀随机
数 u：u < p 发生的概率正好是 p。（`torch.randn` 抽取的是正态分布，而不是均匀分布。）

边界情况：p = 0 时全为 1；p = 1 时全为 0（当心：这时 0 / (1 - p) 是 0 / 0 = NaN）。若 p 不在 [0,
1] 内，抛出 `ValueError`。如果给了 `generator`，它必须位于 `device` 上（默认为 CPU）。当
`generator=None` 时，从 torch 的全局随机数生成器抽样，这样两次调用会得到不同的掩码（在函数内部新
建一个 `torch.Generator()` 则每次都会得到同样的掩码）。`device=None` 表示 CPU。任何形状都可以，
包括 `()` 和含有 0 的形状。

`dropout(x, p, *, training=True, generator=None)`
-------------------------------------------------

对 x 做“倒置”丢弃：训练时，用 `dropout_mask` 新生成一个掩码，与 x 相乘。

    training=True:   out = x * mask
    training=False:  out = x

掩码是 `dropout_mask(x.shape, p)`，与 x 位于同一设备、dtype 相同：每个输出元素是 0 或 x / (1 -
p)，且 E[out] = x。评估时（`training=False`）丢弃法什么也不做。输出的形状、dtype 和设备都与 x 相
同，而且不得修改 x 本身。若 p 不在 [0, 1] 内，抛出 `ValueError`。把 `generator` 传给
`dropout_mask`（如果给了，它必须与 x 位于同一设备），这样设定了种子的生成器就能让输出可以复现；
当 `generator=None` 时，掩码来自 torch 的全局随机数生成器。p = 0 时输出等于 x 的值，p = 1 时输出
全为 0（绝不能是 NaN）。

x 可能是另一个张量的任意布局的视图（转置的、带步长切片的，或由一行扩展而来的）：只读取它。对这样
的视图 `x.view(...)` 会失败，写入由扩展得到的视图也会失败。

禁止使用
--------

`torch.dropout`、`torch.nn.functional.dropout`（及其 1d、2d 和 alpha 变体）、
`torch.nn.Dropout`。
"""

import torch
from torch import Tensor


def dropout_mask(
    shape: tuple[int, ...],
    p: float,
    *,
    generator: torch.Generator | None = None,
    device: torch.device | str | None = None,
    dtype: torch.dtype = torch.float32,
) -> Tensor:
    """A random inverted-dropout mask of the given shape, dtype and device.

    Each entry is independently

        0            with probability p       (dropped)
        1 / (1 - p)  with probability 1 - p   (kept, and rescaled so that its mean is 1)

    so that E[mask] = (1 - p) / (1 - p) = 1 entrywise. Draw uniform numbers u in [0, 1) with
    torch.rand(shape, generator=generator, device=device, dtype=dtype): u < p happens with
    probability p. (torch.randn draws from a normal distribution, not a uniform one.)

    Edge cases: p = 0 gives all ones; p = 1 gives all zeros (beware: 0 / (1 - p) is 0 / 0 = NaN
    there). Raises ValueError if p is not in [0, 1].

    ``generator``, if given, must live on ``device`` (CPU by default), and every random number
    is drawn from it: a seeded generator gives the same mask whatever the global random state.
    With generator=None draw from torch's global RNG, so that two calls give different masks (a
    torch.Generator() created inside the function would give the same mask every time).
    device=None means the CPU. Any shape works, () and shapes containing a 0 included.
    """
    # Your code here: replace the line below.
    raise NotImplementedError("dropout_mask() is not written yet")


def dropout(
    x: Tensor, p: float, *, training: bool = True, generator: torch.Generator | None = None
) -> Tensor:
    """Inverted dropout of x: in training, x * mask with a fresh mask from dropout_mask.

        training=True:   out = x * mask,  mask as in dropout_mask(x.shape, p) on x's device
                         and in x's dtype: each entry is 0 or x / (1 - p), and E[out] = x
        training=False:  out = x (evaluation: dropout does nothing)

    The output has x's shape, dtype and device. x itself is not modified. Raises ValueError if p
    is not in [0, 1]. Hand ``generator`` on to dropout_mask (if given, it must live on x's
    device), so that a seeded generator makes the output reproducible; with generator=None the
    mask comes from torch's global RNG. p = 0 gives x's values and p = 1 gives zeros (never NaN).

    x may be a view of another tensor in any layout (transposed, sliced with a step, or expanded
    from one row): only read it. ``x.view(...)`` fails on such views, and writing into an
    expanded one fails.
    """
    # Your code here: replace the line below.
    raise NotImplementedError("dropout() is not written yet")
