"""Gradient checking: numerical gradients

The instructions in English, then in Chinese. 中文说明在英文之后。

Estimate a gradient from function values alone, by central differences, and measure how far a
backpropagated gradient is from it: the tool for debugging a hand-written backward pass.

The central difference of f at x along coordinate i, with a small step eps (e_i is 1 at entry i
and 0 elsewhere), and its error:

    g_i = (f(x + eps·e_i) - f(x - eps·e_i)) / (2·eps)
    g_i - ∂f/∂x_i ≈ eps² / 6 · f'''          central difference
    forward difference (f(x + eps·e_i) - f(x)) / eps:  error ≈ eps / 2 · f''

The even terms of Taylor's expansion cancel in the central difference, which is why it is far
more accurate than the forward one. Rounding pulls the other way: each value of f carries a
relative error of about the dtype's machine epsilon, which the division by 2·eps magnifies, so
eps cannot be tiny either. In float64, eps = 1e-6 balances the two for functions of moderate
size; in float32 use a step near 1e-2.

Compare a backpropagated gradient with this estimate by their relative error: below about 1e-7
in float64 the backward pass is right; around 1e-2 it is wrong.

Not allowed: autograd in every form (`torch.autograd.grad`, `Tensor.backward`,
`Tensor.requires_grad_`, `torch.autograd.functional`, `torch.func`, forward-mode AD, torch's own
`gradcheck`). Autograd is switched off while your functions run.

`numerical_gradient(f, x, *, eps=1e-6)`
---------------------------------------

The central-difference gradient of `f` at `x`: a tensor with the shape, dtype and device of x.
`f` takes one tensor (x, or a tensor of the shape, dtype and device of x) and returns a 0-d
tensor or a Python float. Entry i of the result is g_i above, computed one coordinate at a time:
2 · `x.numel()` calls of f. Any shape works, a 0-d x included.

Three rules:

- f may return a *view* of its argument (`x.reshape(-1)[3]` is one): its value changes when you
  change x afterwards. Copy what you keep (`float(f(x))`) before you change x again.
- Afterwards x holds exactly its original values, bit for bit: restore each entry from a saved
  copy of its value, never by adding and subtracting eps (x + eps - eps is not always x in
  floating point). Or leave x alone and perturb a copy of it.
- If f raises an exception, x is restored all the same and the exception propagates to the
  caller unchanged (`try` / `finally`).

x may be a view of another tensor (transposed, or sliced with a step: not contiguous). Perturb x
through its own index, `x[index]`: `x.view(-1)` fails on such a view, and
`x.clone().reshape(-1)` is a copy whose changes f never sees.

`relative_error(a, b)`
----------------------

The largest entrywise relative error between `a` and `b`, as a Python float:

    relative_error(a, b) = max over entries of |a - b| / max(|a| + |b|, 1e-12)

a and b have the same shape (at least one entry), dtype and device. The floor 1e-12 keeps an
entry where both are 0 at 0 (instead of 0 / 0 = NaN), and an entry where both are tiny from
counting as a large error. The result is symmetric in a and b, and at most 1. Neither input is
modified.

梯度检验：数值梯度
==================

只用函数值、通过中心差分来估计梯度，并度量反向传播得到的梯度与它相差多少：这是调试手写反向传播的
工具。

f 在 x 处沿第 i 个坐标、步长为小量 eps 的中心差分（e_i 在第 i 个元素处为 1，其余为 0）及其误差：

    g_i = (f(x + eps·e_i) - f(x - eps·e_i)) / (2·eps)
    g_i - ∂f/∂x_i ≈ eps² / 6 · f'''          central difference
    forward difference (f(x + eps·e_i) - f(x)) / eps:  error ≈ eps / 2 · f''

在中心差分中，泰勒展开的偶数次项相互抵消，所以它比前向差分精确得多。舍入误差的作用方向相反：f 的
每个值都带有大约为该 dtype 机器精度的相对误差，除以 2·eps 会把它放大，所以 eps 也不能太小。在
float64 下，对大小适中的函数，eps = 1e-6 能让两者取得平衡；在 float32 下步长应取 1e-2 左右。

用相对误差比较反向传播得到的梯度与这个估计：在 float64 下低于约 1e-7 说明反向传播是对的；在 1e-2
左右则说明它是错的。

禁止使用：任何形式的自动求导（`torch.autograd.grad`、`Tensor.backward`、
`Tensor.requires_grad_`、`torch.autograd.functional`、`torch.func`、前向模式自动微分以及 torch
自带的 `gradcheck`）。你的函数运行期间自动求导是关闭的。

`numerical_gradient(f, x, *, eps=1e-6)`
---------------------------------------

`f` 在 `x` 处的中心差分梯度：一个形状、dtype 和设备都与 x 相同的张量。`f` 接受一个张量（x，或与
x 形状、dtype、设备都相同的张量），返回一个 0 维张量或 Python 浮点数。结果的第 i 个元素就是上面
的 g_i，一次处理一个坐标：共调用 f 2 · `x.numel()` 次。任何形状都可以，包括 0 维的 x。

三条规则：

- f 可能返回其参数的*视图*（`x.reshape(-1)[3]` 就是一个视图）：之后你修改 x 时，它的值也会随之改
  变。在再次修改 x 之前，先把要保留的值复制下来（`float(f(x))`）。
- 结束后 x 必须逐位精确地恢复为原来的值：用事先保存的该元素的值来恢复，绝不能靠先加 eps 再减 eps
  （在浮点运算中 x + eps - eps 不一定等于 x）。也可以完全不动 x，而去扰动它的一个副本。
- 如果 f 抛出异常，x 也要照样恢复，并且异常要原样传给调用者（`try` / `finally`）。

x 可能是另一个张量的视图（转置的，或带步长切片的：不连续）。通过 x 自己的下标 `x[index]` 去扰动
它：对这样的视图 `x.view(-1)` 会失败，而 `x.clone().reshape(-1)` 是一个副本，对它的修改 f 永远看
不到。

`relative_error(a, b)`
----------------------

`a` 与 `b` 之间逐元素相对误差的最大值，以 Python 浮点数返回：

    relative_error(a, b) = max over entries of |a - b| / max(|a| + |b|, 1e-12)

a 和 b 的形状（至少有一个元素）、dtype 和设备都相同。下限 1e-12 使两者都为 0 的元素得到 0（而不
是 0 / 0 = NaN），也使两者都极小的元素不会被算成很大的误差。结果关于 a 和 b 对称，且不超过 1。不
得修改任何一个输入。
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
    # Your code here: replace the line below.
    raise NotImplementedError("numerical_gradient() is not written yet")


def relative_error(a: Tensor, b: Tensor) -> float:
    """The largest entrywise relative error between ``a`` and ``b``, as a Python float:

        max over entries of  |a - b| / max(|a| + |b|, 1e-12)

    a and b have the same shape (at least one entry), dtype and device. The floor 1e-12 keeps an
    entry where both are 0 at 0 (instead of 0 / 0 = NaN), and an entry where both are tiny from
    counting as a large error. The result is symmetric in a and b, and at most 1. Neither
    input is modified.
    """
    # Your code here: replace the line below.
    raise NotImplementedError("relative_error() is not written yet")
