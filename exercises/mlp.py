"""Capstone: an MLP with hand-written backpropagation

The instructions in English, then in Chinese. 中文说明在英文之后。

Build a multilayer perceptron from scratch: initialize it, run the forward pass, compute every
gradient by backpropagation written by hand (autograd is switched off), and train it with
minibatch SGD.

The network, for `sizes = [d_0, d_1, ..., d_L]` (L layers, L - 1 of them hidden), on a batch X
of N samples with class labels y:

    a_0    = X                            (N, d_0)
    z_l    = a_{l-1} @ W_l.T + b_l        (N, d_l),   W_l: (d_l, d_{l-1}),   b_l: (d_l,)
    a_l    = relu(z_l),                   l = 1 .. L-1
    logits = z_L
    loss   = -(1/N) · sum_i log softmax(logits)[i, y_i]

The hidden layers use ReLU, the last layer has no activation, and the loss is the mean softmax
cross-entropy over the batch.

Backpropagation: the four equations, with delta_l = dloss/dz_l of shape (N, d_l):

    delta_L     = (softmax(logits) - onehot(y)) / N
    dW_l        = delta_l.T @ a_{l-1}                   (d_l, d_{l-1})
    db_l        = sum_i delta_l[i, :]                   (d_l,)
    delta_{l-1} = (delta_l @ W_l) * relu'(z_{l-1})

The 1/N comes from the mean. dW_l has the shape of W_l and db_l that of b_l: db_l sums delta_l
over the batch (axis 0). In the last equation relu' is the derivative of layer l-1's own
activation, at its own pre-activation z_{l-1}.

Parameters are a list of (W, b) per layer. No autograd anywhere here (it is switched off while
your functions run), and no torch softmax, cross-entropy, `nn.Linear` or `torch.nn.init`: you
write them. You cannot import your other exercise modules from this file; write small pieces
inline.

`init_mlp(sizes, *, generator=None, device=None, dtype=torch.float32)`
----------------------------------------------------------------------

Parameters for an MLP with layer widths `sizes` (at least two entries). Layer l maps sizes[l-1]
features to sizes[l]: W_l has shape (sizes[l], sizes[l-1]) and is drawn from He's normal
initialization N(0, 2 / fan_in) with fan_in = sizes[l-1]; b_l is zeros of shape (sizes[l],). All
on `device` with `dtype`; random numbers come from `generator` (which must live on `device`)
when one is given, else from torch's global random number generator. Returns a list of
len(sizes) - 1 pairs (W_l, b_l), the first layer first. Fewer than two sizes is a `ValueError`.

`mlp_forward(params, X, *, dropout=0.0, generator=None)`
--------------------------------------------------------

The forward pass: returns `(logits, cache)` for a batch X of shape (N, sizes[0]). `logits` has
shape (N, sizes[-1]) and the dtype and device of X: the last layer has no activation. `cache`
holds what the backward pass needs and is yours to design; a list with (a_{l-1}, z_l) for each
layer works (add the masks when there is dropout). Do not change the parameters or X.

Dropout (training): with 0 < `dropout` < 1, every hidden layer's activation is multiplied, after
the ReLU, by an inverted-dropout mask (never the input X, never the logits):

    a_l       = relu(z_l) * m_l,    l = 1 .. L-1
    m_l[i, j] = 0 if u_l[i, j] < dropout, else 1 / (1 - dropout)
    u_l       = torch.rand((N, d_l), generator=generator, dtype=X.dtype, device=D)

The random numbers: one such draw per hidden layer, for l = 1, 2, ..., L-1 in this order, and
nothing else. D is the device of `generator` (a CPU generator is fine whatever the device of X),
or the device of X when `generator=None` (torch's global random number generator); u_l is then
moved to the device of X. So the masks depend on nothing but the generator's state, N, the
widths and `dropout`: an equally seeded generator gives the same masks whatever the values of X
and the parameters are. Keep the masks in the cache: `mlp_backward` uses these same masks.

`dropout=0` (the default, evaluation) draws nothing and is the plain forward pass. A `dropout`
outside [0, 1) is a `ValueError`.

X, the labels y and the parameters may be views of other tensors in any layout (X or W
transposed or sliced with a step, X expanded from one sample): the passes only read them.

`mlp_backward(params, cache, y)`
--------------------------------

The gradients of the mean softmax cross-entropy of the logits against the labels `y`, int64
class indices of shape (N,). Returns a list of (dW, db), one per layer, with the shapes, dtypes
and device of (W, b). Follow the four equations above: average over the batch once (in delta_L),
sum db over axis 0, and propagate the error with the weights as they were in the forward pass.
Do not change the parameters.

If the forward pass used dropout, the error through hidden layer l is also multiplied by that
pass's own mask m_l (0 or 1 / (1 - dropout), from the cache; never a new draw). These are the
gradients of the network with those masks held fixed:

    delta_{l-1} = (delta_l @ W_l) * relu'(z_{l-1}) * m_{l-1}

`train_mlp(X, y, sizes, *, epochs, lr, batch_size, seed, device, weight_decay, dropout)`
----------------------------------------------------------------------------------------

Train an MLP with minibatch SGD; returns `(params, history)`. The defaults: `seed=0`,
`device=None`, `weight_decay=0.0`, `dropout=0.0`.

1. `generator = torch.Generator().manual_seed(seed)` (a CPU generator: the same seed gives the
   same run on every device); initialize with `init_mlp` from it, in the dtype of X, then move
   the parameters to `device` (default: the device of X).
2. Each epoch, reshuffle with `torch.randperm(N, generator=generator)` and walk the permutation
   in minibatches of `batch_size` (the last one may be smaller); for each:
   `mlp_forward(params, X_batch, dropout=dropout, generator=generator)`, backward, then the
   update below.
3. `history[e]` is epoch e's mean training loss: the average over all N samples of the
   cross-entropy computed in each minibatch's forward pass (before that step's update, with that
   pass's dropout masks): the data loss only, never the weight-decay penalty.

    W_l = W_l - lr * (dW_l + weight_decay * W_l)
    b_l = b_l - lr * db_l

Weight decay acts on the weights only, never the biases: weight_decay * W_l is the gradient of
the penalty weight_decay / 2 * sum(W_l**2), as the `weight_decay` of `torch.optim.SGD`.

The generator is used for nothing else, and the global random number generator not at all:
`init_mlp` first draws from it, then each epoch exactly one `torch.randperm` followed, minibatch
by minibatch, by the forward pass's mask draws (L-1 `torch.rand` calls, see `mlp_forward`, and
none when `dropout` is 0; the tests replay this sequence). The masks are drawn on the CPU, where
the generator lives, and moved to `device`: the same seed gives the same run on every device. X
and y are moved to `device` too; the returned parameters are a list of (W, b) on `device` in the
dtype of X, and `history` is a list of Python floats (one per epoch, not tensors).

With `epochs=0` it returns the initial parameters and an empty history. The same seed gives the
same result. No autograd and no torch cross-entropy: compute the loss from the logits. Dropout
is for training only: evaluate the trained network with `mlp_forward(params, X)` (`dropout` 0,
no rescaling needed: the masks' 1 / (1 - dropout) already did it). A `dropout` outside [0, 1) is
a `ValueError`.

Not allowed
-----------

Autograd (`torch.autograd.grad`, `Tensor.backward`, `torch.func.grad`, ...), torch's losses,
softmax and logsumexp, `torch.nn.functional.linear`, `nn.Linear`, `torch.nn.init` and
`torch.optim`.

综合练习：手写反向传播的多层感知机
==================================

从零实现一个多层感知机（MLP）：初始化参数，完成前向传播，手写反向传播算出所有梯度（自动求导已被
关闭），再用小批量随机梯度下降训练它。

对 `sizes = [d_0, d_1, ..., d_L]`（共 L 层，其中 L - 1 层是隐藏层），网络在由 N 个样本组成、类别
标签为 y 的批量 X 上的计算如下：

    a_0    = X                            (N, d_0)
    z_l    = a_{l-1} @ W_l.T + b_l        (N, d_l),   W_l: (d_l, d_{l-1}),   b_l: (d_l,)
    a_l    = relu(z_l),                   l = 1 .. L-1
    logits = z_L
    loss   = -(1/N) · sum_i log softmax(logits)[i, y_i]

隐藏层使用 ReLU 激活，最后一层没有激活函数，损失是整个批量上 softmax 交叉熵的平均值。

反向传播的四个方程，其中 delta_l = dloss/dz_l，形状为 (N, d_l)：

    delta_L     = (softmax(logits) - onehot(y)) / N
    dW_l        = delta_l.T @ a_{l-1}                   (d_l, d_{l-1})
    db_l        = sum_i delta_l[i, :]                   (d_l,)
    delta_{l-1} = (delta_l @ W_l) * relu'(z_{l-1})

1/N 来自对批量取平均。dW_l 的形状与 W_l 相同，db_l 的形状与 b_l 相同：db_l 是 delta_l 沿批量维度
（第 0 维）的和。最后一个方程中的 relu' 是第 l-1 层自身激活函数的导数，在该层自己的预激活值
z_{l-1} 处取值。

参数是每层一个 (W, b) 组成的列表。这里任何地方都不能用自动求导（你的函数运行期间它是关闭的），也
不能用 torch 的 softmax、交叉熵、`nn.Linear` 或 `torch.nn.init`：这些都要你自己写。这个文件里也
不能导入你的其他练习模块；需要的小功能请直接写在这里。

`init_mlp(sizes, *, generator=None, device=None, dtype=torch.float32)`
----------------------------------------------------------------------

为各层宽度为 `sizes`（至少两项）的 MLP 生成参数。第 l 层把 sizes[l-1] 个特征映射为 sizes[l] 个：
W_l 的形状为 (sizes[l], sizes[l-1])，按 He 正态初始化 N(0, 2 / fan_in) 抽取，其中 fan_in =
sizes[l-1]；b_l 是形状为 (sizes[l],) 的全零张量。所有参数都位于 `device` 上，dtype 为 `dtype`；
如果给了 `generator`（它必须位于 `device` 上），随机数就从它抽取，否则从 torch 的全局随机数生成
器抽取。返回由 len(sizes) - 1 个 (W_l, b_l) 组成的列表，第一层在前。少于两个 sizes 时抛出
`ValueError`。

`mlp_forward(params, X, *, dropout=0.0, generator=None)`
--------------------------------------------------------

前向传播：对形状为 (N, sizes[0]) 的批量 X 返回 `(logits, cache)`。`logits` 的形状为 (N,
sizes[-1])，dtype 和设备都与 X 相同：最后一层没有激活函数。`cache` 保存反向传播所需的内容，由你
自己设计；每层存一个 (a_{l-1}, z_l) 的列表就可以（有 dropout 时再加上掩码）。不得修改参数或 X。

丢弃法（训练时）：当 0 < `dropout` < 1 时，每个隐藏层的激活值在 ReLU 之后乘以一个“倒置”丢弃掩码
（绝不作用于输入 X，也绝不作用于 logits）：

    a_l       = relu(z_l) * m_l,    l = 1 .. L-1
    m_l[i, j] = 0 if u_l[i, j] < dropout, else 1 / (1 - dropout)
    u_l       = torch.rand((N, d_l), generator=generator, dtype=X.dtype, device=D)

随机数的约定：每个隐藏层恰好抽样一次，按 l = 1, 2, ..., L-1 的顺序，此外不再抽取任何随机数。D 是
`generator` 所在的设备（无论 X 在哪个设备上，CPU 生成器都可以），当 `generator=None` 时则是 X 所
在的设备（使用 torch 的全局随机数生成器）；然后把 u_l 移到 X 所在的设备上。因此掩码只取决于生成
器的状态、N、各层宽度和 `dropout`：无论 X 和参数的值是什么，种子相同的生成器都给出相同的掩码。把
掩码保存在 cache 中：`mlp_backward` 要使用这些相同的掩码。

`dropout=0`（默认值，即评估模式）时不抽取任何随机数，就是普通的前向传播。`dropout` 不在 [0, 1)
内时抛出 `ValueError`。

X、标签 y 和参数可能是其他张量的任意布局的视图（X 或 W 转置或带步长切片，X 由一个样本扩展而
来）：前向和反向传播只读取它们。

`mlp_backward(params, cache, y)`
--------------------------------

计算 logits 相对于标签 `y`（形状为 (N,) 的 int64 类别索引）的平均 softmax 交叉熵的梯度。返回每层
一个 (dW, db) 组成的列表，形状、dtype 和设备都与 (W, b) 相同。按照上面的四个方程来做：只在
delta_L 中对批量取一次平均，db 沿第 0 维求和，并用前向传播时的权重把误差往回传。不得修改参数。

如果前向传播使用了 dropout，经过第 l 个隐藏层的误差还要乘以该次前向传播自己的掩码 m_l（取 0 或 1
/ (1 - dropout)，从 cache 中取出；绝不能重新抽样）。这样得到的是在这些掩码固定不变时网络的梯度：

    delta_{l-1} = (delta_l @ W_l) * relu'(z_{l-1}) * m_{l-1}

`train_mlp(X, y, sizes, *, epochs, lr, batch_size, seed, device, weight_decay, dropout)`
----------------------------------------------------------------------------------------

用小批量随机梯度下降训练 MLP；返回 `(params, history)`。默认值：`seed=0`、`device=None`、
`weight_decay=0.0`、`dropout=0.0`。

1. `generator = torch.Generator().manual_seed(seed)`（一个 CPU 生成器：相同的种子在任何设备上都
   得到相同的训练过程）；用它通过 `init_mlp` 初始化参数，dtype 与 X 相同，然后把参数移到
   `device` 上（默认为 X 所在的设备）。
2. 每个轮次用 `torch.randperm(N, generator=generator)` 重新打乱，按 `batch_size` 大小的小批量遍
   历这个排列（最后一批可以更小）；对每个小批量：调用
   `mlp_forward(params, X_batch, dropout=dropout, generator=generator)` 做前向传播、再做反向传
   播，然后按下面的公式更新。
3. `history[e]` 是第 e 个轮次的平均训练损失：把每个小批量前向传播时（在该步更新之前，带着该次前
   向传播的 dropout 掩码）算出的交叉熵，对全部 N 个样本取平均；只包含数据损失，绝不包含权重衰减
   的惩罚项。

    W_l = W_l - lr * (dW_l + weight_decay * W_l)
    b_l = b_l - lr * db_l

权重衰减只作用于权重，绝不作用于偏置：weight_decay * W_l 是惩罚项 weight_decay / 2 * sum(W_l**2)
的梯度，与 `torch.optim.SGD` 的 `weight_decay` 相同。

这个生成器不用于其他任何地方，全局随机数生成器则完全不用：先由 `init_mlp` 从中抽样，然后每个轮次
恰好调用一次 `torch.randperm`，接着逐个小批量进行前向传播中的掩码抽样（L-1 次 `torch.rand` 调
用，见 `mlp_forward`；`dropout` 为 0 时一次也没有；测试会按这个顺序重放）。掩码在生成器所在的
CPU 上抽取，再移到 `device` 上：相同的种子在任何设备上都得到相同的训练过程。X 和 y 也要移到
`device` 上；返回的参数是位于 `device` 上、dtype 与 X 相同的 (W, b) 列表，`history` 是 Python 浮
点数组成的列表（每个轮次一个，不是张量）。

`epochs=0` 时返回初始参数和空的 history。相同的种子得到相同的结果。不能用自动求导，也不能用
torch 的交叉熵：请由 logits 自己算出损失。丢弃法只用于训练：用 `mlp_forward(params, X)`
（`dropout` 为 0）评估训练好的网络，无需再做缩放：掩码中的 1 / (1 - dropout) 已经做过了。
`dropout` 不在 [0, 1) 内时抛出 `ValueError`。

禁止使用
--------

自动求导（`torch.autograd.grad`、`Tensor.backward`、`torch.func.grad` 等）、torch 的损失函数、
softmax 和 logsumexp、`torch.nn.functional.linear`、`nn.Linear`、`torch.nn.init` 以及
`torch.optim`。
"""

import math
from itertools import pairwise

import torch
from torch import Tensor

Params = list[tuple[Tensor, Tensor]]


def init_mlp(
    sizes: list[int],
    *,
    generator: torch.Generator | None = None,
    device: torch.device | str | None = None,
    dtype: torch.dtype = torch.float32,
) -> Params:
    """Parameters for an MLP with layer widths ``sizes`` (at least two entries).

    Layer l maps sizes[l-1] features to sizes[l]: W_l has shape (sizes[l], sizes[l-1]) and is
    drawn from He's normal initialization N(0, 2 / fan_in) with fan_in = sizes[l-1]; b_l is
    zeros of shape (sizes[l],). All on ``device`` with ``dtype``; random numbers come from
    ``generator`` (which must live on ``device``) when one is given, else from torch's global
    RNG. Returns a list of len(sizes) - 1 pairs (W_l, b_l), the first layer first. Fewer than
    two sizes is a ValueError.
    """
    # Your code here: replace the line below.
    raise NotImplementedError("init_mlp() is not written yet")


def mlp_forward(
    params: Params,
    X: Tensor,
    *,
    dropout: float = 0.0,
    generator: torch.Generator | None = None,
) -> tuple[Tensor, list[tuple[Tensor, Tensor, Tensor | None]]]:
    """The forward pass: ``(logits, cache)`` for a batch X of shape (N, sizes[0]).

    logits has shape (N, sizes[-1]), X's dtype and X's device: the last layer has no
    activation. ``cache`` holds what the backward pass needs and is yours to design; a list with
    (a_{l-1}, z_l) for each layer works (add the masks when there is dropout). Do not change the
    parameters or X.

    Dropout (training): with 0 < dropout < 1, every hidden layer's activation is multiplied,
    after the ReLU, by an inverted-dropout mask (never the input X, never the logits):

        a_l = relu(z_l) * m_l                                       l = 1 .. L-1
        m_l[i, j] = 0 if u_l[i, j] < dropout, else 1 / (1 - dropout)
        u_l = torch.rand((N, d_l), generator=generator, dtype=X.dtype, device=D)

    The random numbers: one such draw per hidden layer, for l = 1, 2, ..., L-1 in this order,
    and nothing else; D is the generator's device (a CPU generator is fine whatever X's device),
    or X's device with generator=None (torch's global RNG), and u_l is then moved to X's device.
    So the masks depend on nothing but the generator's state, N, the widths and dropout: an
    equally seeded generator gives the same masks whatever X and the parameters' values are.
    Keep the masks in the cache: mlp_backward uses these same masks.

    dropout=0 (the default, evaluation) draws nothing and is the plain forward pass above. A
    dropout outside [0, 1) is a ValueError.

    X, the labels y and the parameters may be views of other tensors in any layout (X or W
    transposed or sliced with a step, X expanded from one sample): the passes only read them.
    """
    # Your code here: replace the line below.
    raise NotImplementedError("mlp_forward() is not written yet")


def mlp_backward(
    params: Params, cache: list[tuple[Tensor, Tensor, Tensor | None]], y: Tensor
) -> Params:
    """Gradients of the mean softmax cross-entropy of the logits against labels ``y``.

    y holds int64 class indices, shape (N,). Returns a list of (dW, db), one per layer, with
    the shapes, dtypes and device of (W, b). Follow the four equations in the module docstring:
    average over the batch once (in delta_L), sum db over axis 0, and propagate the error with
    the weights as they were in the forward pass. Do not change the parameters.

    If the forward pass used dropout, the error through hidden layer l is also multiplied by
    that pass's own mask m_l (0 or 1 / (1 - dropout), from the cache; never a new draw):

        delta_{l-1} = (delta_l @ W_l) * relu'(z_{l-1}) * m_{l-1}

    These are the gradients of the network with those masks held fixed.
    """
    # Your code here: replace the line below.
    raise NotImplementedError("mlp_backward() is not written yet")


def train_mlp(
    X: Tensor,
    y: Tensor,
    sizes: list[int],
    *,
    epochs: int,
    lr: float,
    batch_size: int,
    seed: int = 0,
    device: torch.device | str | None = None,
    weight_decay: float = 0.0,
    dropout: float = 0.0,
) -> tuple[Params, list[float]]:
    """Train an MLP with minibatch SGD; returns ``(params, history)``.

    1. ``generator = torch.Generator().manual_seed(seed)`` (a CPU generator: the same seed
       gives the same run on every device); initialize with ``init_mlp`` from it, in X's dtype,
       then move the parameters to ``device`` (default: X's device).
    2. Each epoch, reshuffle with ``torch.randperm(N, generator=generator)`` and walk the
       permutation in minibatches of ``batch_size`` (the last one may be smaller); for each:
       ``mlp_forward(params, X_batch, dropout=dropout, generator=generator)``, backward, then

           W <- W - lr * (dW + weight_decay * W)        the weights of every layer
           b <- b - lr * db                             the biases: never any decay

       (weight_decay * W is the gradient of the penalty weight_decay / 2 * sum(W**2), as
       torch.optim.SGD's weight_decay; the biases are not penalized).
    3. ``history[e]`` is epoch e's mean training loss: the average over all N samples of the
       cross-entropy computed in each minibatch's forward pass (before that step's update, with
       that pass's dropout masks), the data loss only: never the weight-decay penalty.

    The generator is used for nothing else, and the global RNG not at all: init_mlp first
    draws from it, then each epoch exactly one torch.randperm followed, minibatch by minibatch,
    by the forward pass's mask draws (L-1 torch.rand calls, see mlp_forward, and none when
    dropout is 0; the tests replay this sequence). The masks are drawn on the CPU, where the
    generator lives, and moved to ``device``: the same seed gives the same run on every device.
    X and y are moved to ``device`` too; the returned params are a list of (W, b) on ``device``
    in X's dtype, and ``history`` is a list of Python floats (one per epoch, not tensors).

    With ``epochs=0`` it returns the initial parameters and an empty history. Same seed, same
    result. No autograd and no torch cross-entropy: compute the loss from the logits. Dropout
    is for training only: evaluate the trained network with mlp_forward(params, X) (dropout 0,
    no rescaling needed: the masks' 1 / (1 - dropout) already did it). A dropout outside
    [0, 1) is a ValueError.
    """
    # Your code here: replace the line below.
    raise NotImplementedError("train_mlp() is not written yet")
