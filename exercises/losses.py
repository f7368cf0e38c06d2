"""Losses: MSE, L1, Huber, binary and multi-class cross-entropy, NLL

The instructions in English, then in Chinese. 中文说明在英文之后。

Write seven loss functions from elementary tensor operations: the mean squared and mean absolute
errors, the Huber loss, the binary cross-entropy of probabilities and of logits, the multi-class
cross-entropy and the negative log-likelihood, each with PyTorch's three reductions.

Each function compares a prediction with a target, computes one loss per element (per sample for
`cross_entropy` and `nll_loss`), then reduces them according to `reduction`:

* `"mean"` (the default): their average, a 0-dim tensor. For `mse_loss`, `l1_loss`, `huber_loss`
  and the two binary cross-entropies that is the average over *every element* (`numel()` of
  them); for `cross_entropy` and `nll_loss` it is the average of the N per-sample losses.
* `"sum"`: their sum, a 0-dim tensor.
* `"none"`: no reduction: one loss per element (the input's shape), or per sample (shape (N,)
  for `cross_entropy` and `nll_loss`).

Any other `reduction` raises `ValueError` naming the allowed values, for example
`ValueError("reduction must be 'mean', 'sum' or 'none', got 'avg'")`: the message must contain
each of the words `mean`, `sum` and `none`. The comparison is exact: `"Mean"`, `""` and `None`
are errors too. All seven functions need this check and the reduction itself, so a small helper
function of your own is a good idea.

Results keep the inputs' dtype and device; no function changes its inputs.

`mse_loss(pred, target, reduction="mean")`
------------------------------------------

The mean squared error between `pred` and `target`, two tensors of the same (any) shape:

    loss_i = (pred_i - target_i)^2

`"mean"` averages over every element: the sum divided by `pred.numel()`. For `pred` of shape (N,
D) that is a division by N * D, not by the batch size N. `"none"` returns the shape of `pred`.

`l1_loss(pred, target, reduction="mean")`
-----------------------------------------

The mean absolute error between `pred` and `target`, two tensors of the same (any) shape:

    loss_i = |pred_i - target_i|

`"mean"` averages over every element: the sum divided by `pred.numel()`, for `pred` of shape (N,
D) a division by N * D, not by the batch size N. `"none"` returns the shape of `pred`.

`huber_loss(pred, target, reduction="mean", delta=1.0)`
-------------------------------------------------------

The Huber loss between `pred` and `target` (the same, any shape), as PyTorch defines it. With
d_i = pred_i - target_i and delta > 0 (a Python float):

    loss_i = 0.5 * d_i^2                      if |d_i| <= delta
             delta * (|d_i| - 0.5 * delta)    otherwise

Quadratic near 0, linear with slope delta for outliers; the two pieces meet at |d| = delta. The
linear piece is multiplied by delta: without that factor the formula is right only for delta =
1. (PyTorch's `smooth_l1_loss` with `beta` is another loss: 0.5 * d^2 / beta, otherwise |d| -
0.5 * beta; `huber_loss` with delta equals delta times `smooth_l1_loss` with beta = delta.)

Stay finite wherever the loss is: for float32 d = 1e20, d^2 overflows to inf, which is harmless
in a branch that `torch.where` does not pick, but gives 0 * inf = NaN if the two pieces are
combined by multiplying them with a 0/1 mask. (Another safe form: with q = min(|d|, delta), loss
= q * (|d| - 0.5 * q).) `"mean"` averages over every element; `"none"` returns the shape of
`pred`.

`binary_cross_entropy(prob, target, reduction="mean")`
------------------------------------------------------

The binary cross-entropy between probabilities and targets of the same (any) shape:

    loss_i = -(target_i * log(prob_i) + (1 - target_i) * log(1 - prob_i))

`prob` holds probabilities in [0, 1] (sigmoid outputs, say); `target` holds values in [0, 1],
usually 0 or 1, but soft targets such as 0.3 are allowed. `"mean"` averages over every element;
`"none"` returns the shape of `prob`.

`prob` may be exactly 0 or 1: log(0) = -inf, and even a term with zero weight breaks, since 0 *
-inf = nan. Do what PyTorch does: clamp each log term at -100, that is
`torch.log(prob).clamp(min=-100)` and the same for log(1 - prob), so that no element's loss
exceeds 100. (`torch.log1p(-prob)` computes log(1 - prob) more accurately for small `prob`.)
Clamping `prob` itself to [eps, 1 - eps] is not the same: log(1e-7) is -16.1, not -100.

`binary_cross_entropy_with_logits(logits, target, reduction="mean")`
--------------------------------------------------------------------

The binary cross-entropy of sigmoid(logits) against `target`, computed from the logits, with x =
`logits` and t = `target` (the same shape, t in [0, 1], soft values allowed):

    loss_i = -(t_i * log(sigmoid(x_i)) + (1 - t_i) * log(1 - sigmoid(x_i)))
           = max(x_i, 0) - x_i * t_i + log(1 + exp(-|x_i|))

`"mean"` averages over every element; `"none"` returns the shape of `logits`.

Why not `binary_cross_entropy(sigmoid(x), t)`? sigmoid saturates: sigmoid(20) is exactly 1.0 in
float32 (sigmoid(40) in float64), so log(1 - sigmoid(x)) is log(0), clamped to -100, and the
loss of x = 500 with t = 0 comes out 100 instead of 500. The second form is exact for |x| in the
hundreds and beyond: it never exponentiates a positive number (exp(-|x|) is in (0, 1]), and
`torch.log1p(e)` computes log(1 + e) accurately for small e.

`cross_entropy(logits, target, reduction="mean")`
-------------------------------------------------

The multi-class cross-entropy of softmax(logits) against the target classes. `logits` has shape
(N, C): one row of unnormalized scores for each of N samples. `target` is either class indices,
an int64 tensor of shape (N,) with values in [0, C), and then

    loss_n = -log_softmax(logits_n)[target_n]

or class probabilities, a floating tensor of shape (N, C) with one distribution per row (soft
labels, label smoothing), and then

    loss_n = -sum_c target[n, c] * log_softmax(logits_n)[c]

Tell the two apart by dtype (`target.is_floating_point()`). The logarithm is the natural one
(`torch.log`). `"mean"` averages the N per-sample losses, for both kinds of target (divide by N,
not by N * C); `"none"` returns shape (N,).

Write log_softmax inline, along dim 1, in its stable form:

    log_softmax(x)_c = (x_c - m) - log(sum_j exp(x_j - m)),   m = max_j x_j

Without subtracting m, exp(1000) = inf. And do not take the log of a softmax: a class whose
probability underflows to 0 gets log(0) = -inf, while its true loss (1e4 for the class with
logit -1e4 in a row (0, -1e4)) is an ordinary number.

`nll_loss(log_probs, target, reduction="mean")`
-----------------------------------------------

The negative log-likelihood of the target classes, from log-probabilities. `log_probs` has shape
(N, C): one row of log-probabilities for each of N samples, usually the output of a log_softmax.
`target` holds class indices: an int64 tensor of shape (N,) with values in [0, C). Then

    loss_n = -log_probs[n, target_n]

the target's entry of row n (column target_n), negated. `log_probs` already are logarithms: take
no further log and no softmax. An entry may be -inf (the log of a probability 0) in a column
other than the target's: picking the target's entry (`gather`, or indexing with rows
`torch.arange(N)` and columns `target`) ignores it, while multiplying by a one-hot matrix
computes 0 * -inf = NaN. `"mean"` averages the N per-sample losses (divide by N, not by N * C);
`"none"` returns shape (N,). The result has the dtype of `log_probs` (not the target's int64).

Not allowed
-----------

Anything in `torch.nn.functional` (its losses `mse_loss`, `l1_loss`, `huber_loss`,
`smooth_l1_loss`, `binary_cross_entropy`, `binary_cross_entropy_with_logits`, `cross_entropy`,
`nll_loss` and `kl_div` among them), and torch's own softmax, log_softmax and logsumexp, sigmoid
and logsigmoid, in any spelling. Your activations module cannot be imported here either: write
the stable log-softmax inline where you need it.

损失函数：均方误差、L1、Huber、二元与多分类交叉熵、负对数似然
=============================================================

用基本的张量运算实现七个损失函数：均方误差与平均绝对误差、Huber 损失、基于概率和基于 logits 的二
元交叉熵、多分类交叉熵以及负对数似然，每个都支持 PyTorch 的三种归约（reduction）方式。

每个函数都把预测值与目标值比较，先为每个元素（`cross_entropy` 和 `nll_loss` 则为每个样本）算出一
个损失，再按 `reduction` 归约：

* `"mean"`（默认）：取平均，得到 0 维张量。对 `mse_loss`、`l1_loss`、`huber_loss` 和两个二元交叉
  熵来说，是对*所有元素*（共 `numel()` 个）取平均；对 `cross_entropy` 和 `nll_loss` 来说，是对 N
  个样本的损失取平均。
* `"sum"`：求和，得到 0 维张量。
* `"none"`：不归约：每个元素一个损失（形状与输入相同），`cross_entropy` 和 `nll_loss` 则每个样本
  一个损失（形状为 (N,)）。

其他任何 `reduction` 值都要抛出 `ValueError`，并在信息中列出允许的取值，例如
`ValueError("reduction must be 'mean', 'sum' or 'none', got 'avg'")`：信息中必须包含 `mean`、
`sum` 和 `none` 这三个词。比较是精确匹配的：`"Mean"`、`""` 和 `None` 同样是错误的取值。七个函数
都需要这个检查和归约步骤，所以最好自己写一个小的辅助函数。

结果保持输入的 dtype 和设备；任何函数都不得修改输入。

`mse_loss(pred, target, reduction="mean")`
------------------------------------------

`pred` 与 `target` 之间的均方误差，二者形状相同（可以是任意形状）：

    loss_i = (pred_i - target_i)^2

`"mean"` 对所有元素取平均：总和除以 `pred.numel()`。若 `pred` 的形状为 (N, D)，就要除以 N * D，
而不是批量大小 N。`"none"` 返回与 `pred` 相同的形状。

`l1_loss(pred, target, reduction="mean")`
-----------------------------------------

`pred` 与 `target` 之间的平均绝对误差，二者形状相同（可以是任意形状）：

    loss_i = |pred_i - target_i|

`"mean"` 对所有元素取平均：总和除以 `pred.numel()`；若 `pred` 的形状为 (N, D)，就要除以 N * D，
而不是批量大小 N。`"none"` 返回与 `pred` 相同的形状。

`huber_loss(pred, target, reduction="mean", delta=1.0)`
-------------------------------------------------------

按 PyTorch 的定义计算 `pred` 与 `target`（形状相同，可以是任意形状）之间的 Huber 损失。记 d_i =
pred_i - target_i，delta > 0（Python 浮点数）：

    loss_i = 0.5 * d_i^2                      if |d_i| <= delta
             delta * (|d_i| - 0.5 * delta)    otherwise

在 0 附近是二次函数，对离群值则是斜率为 delta 的线性函数；两段在 |d| = delta 处相接。线性段要乘
以 delta：少了这个因子，公式只在 delta = 1 时才正确。（PyTorch 的 `smooth_l1_loss` 带参数
`beta`，是另一个损失：0.5 * d^2 / beta，否则为 |d| - 0.5 * beta；带 delta 的 `huber_loss` 等于
delta 乘以 beta = delta 的 `smooth_l1_loss`。）

只要损失本身有限，结果就必须有限：在 float32 中 d = 1e20 时，d^2 上溢为 inf。在 `torch.where` 没
有选中的分支里这无关紧要，但如果用 0/1 掩码相乘来组合两段，就会得到 0 * inf = NaN。（另一种安全
的写法：令 q = min(|d|, delta)，则 loss = q * (|d| - 0.5 * q)。）`"mean"` 对所有元素取平均；
`"none"` 返回与 `pred` 相同的形状。

`binary_cross_entropy(prob, target, reduction="mean")`
------------------------------------------------------

形状相同（可以是任意形状）的概率与目标之间的二元交叉熵：

    loss_i = -(target_i * log(prob_i) + (1 - target_i) * log(1 - prob_i))

`prob` 是 [0, 1] 之间的概率（例如 sigmoid 的输出）；`target` 的取值在 [0, 1] 之间，通常是 0 或
1，但也允许 0.3 这样的软目标。`"mean"` 对所有元素取平均；`"none"` 返回与 `prob` 相同的形状。

`prob` 可能恰好等于 0 或 1：log(0) = -inf，而且即使某一项的权重为 0 也会出问题，因为 0 * -inf =
nan。请和 PyTorch 一样，把每个对数项截断在 -100，即 `torch.log(prob).clamp(min=-100)`，log(1 -
prob) 也同样处理，这样任何元素的损失都不会超过 100。（当 `prob` 很小时，`torch.log1p(-prob)` 计
算 log(1 - prob) 更精确。）把 `prob` 本身截断到 [eps, 1 - eps] 并不等价：log(1e-7) 是 -16.1，而
不是 -100。

`binary_cross_entropy_with_logits(logits, target, reduction="mean")`
--------------------------------------------------------------------

sigmoid(logits) 相对于 `target` 的二元交叉熵，但直接由 logits 计算。记 x = `logits`，t =
`target`（形状相同，t 在 [0, 1] 之间，允许软目标）：

    loss_i = -(t_i * log(sigmoid(x_i)) + (1 - t_i) * log(1 - sigmoid(x_i)))
           = max(x_i, 0) - x_i * t_i + log(1 + exp(-|x_i|))

`"mean"` 对所有元素取平均；`"none"` 返回与 `logits` 相同的形状。

为什么不直接用 `binary_cross_entropy(sigmoid(x), t)`？因为 sigmoid 会饱和：在 float32 中
sigmoid(20) 恰好等于 1.0（float64 中是 sigmoid(40)），于是 log(1 - sigmoid(x)) 就是 log(0)，被截
断为 -100，结果 x = 500、t = 0 时的损失是 100 而不是 500。第二种写法在 |x| 达到几百甚至更大时依
然精确：它从不对正数取指数（exp(-|x|) 落在 (0, 1] 内），而 `torch.log1p(e)` 在 e 很小时也能精确
计算 log(1 + e)。

`cross_entropy(logits, target, reduction="mean")`
-------------------------------------------------

softmax(logits) 相对于目标类别的多分类交叉熵。`logits` 的形状为 (N, C)：N 个样本各有一行未归一化
的得分。`target` 有两种形式。一种是类别索引：形状为 (N,) 的 int64 张量，取值在 [0, C) 内，此时

    loss_n = -log_softmax(logits_n)[target_n]

另一种是类别概率：形状为 (N, C) 的浮点张量，每行是一个概率分布（软标签、标签平滑），此时

    loss_n = -sum_c target[n, c] * log_softmax(logits_n)[c]

用 dtype 区分这两种形式（`target.is_floating_point()`）。对数取自然对数（`torch.log`）。对两种目
标，`"mean"` 都是对 N 个样本的损失取平均（除以 N，而不是 N * C）；`"none"` 返回形状 (N,)。

请在函数内直接沿维度 1 写出数值稳定的 log_softmax：

    log_softmax(x)_c = (x_c - m) - log(sum_j exp(x_j - m)),   m = max_j x_j

如果不减去 m，exp(1000) = inf。也不要对 softmax 取对数：概率下溢为 0 的类别会得到 log(0) =
-inf，而它真实的损失只是一个普通的数（在一行 (0, -1e4) 中，logit 为 -1e4 的类别损失是 1e4）。

`nll_loss(log_probs, target, reduction="mean")`
-----------------------------------------------

由对数概率计算目标类别的负对数似然。`log_probs` 的形状为 (N, C)：N 个样本各有一行对数概率，通常
是 log_softmax 的输出。`target` 是类别索引：形状为 (N,) 的 int64 张量，取值在 [0, C) 内。于是

    loss_n = -log_probs[n, target_n]

即取第 n 行中目标类别（第 target_n 列）的元素再取负。`log_probs` 已经是对数了：不要再取对数，也
不要再做 softmax。目标列以外的某个元素可能是 -inf（概率为 0 的对数）：直接取出目标元素（用
`gather`，或用行 `torch.arange(N)` 与列 `target` 做索引）不会受它影响，而乘以 one-hot 矩阵则会算
出 0 * -inf = NaN。`"mean"` 对 N 个样本的损失取平均（除以 N，而不是 N * C）；`"none"` 返回形状
(N,)。结果的 dtype 与 `log_probs` 相同（而不是目标的 int64）。

禁止使用
--------

`torch.nn.functional` 中的任何函数（其中包括损失函数 `mse_loss`、`l1_loss`、`huber_loss`、
`smooth_l1_loss`、`binary_cross_entropy`、`binary_cross_entropy_with_logits`、`cross_entropy`、
`nll_loss` 和 `kl_div`），以及 torch 自带的 softmax、log_softmax、logsumexp、sigmoid 和
logsigmoid，无论以何种写法调用。这里也不能导入你自己的 activations 模块：需要时请直接写出稳定的
log-softmax。
"""

import torch
from torch import Tensor


def mse_loss(pred: Tensor, target: Tensor, reduction: str = "mean") -> Tensor:
    """Mean squared error between ``pred`` and ``target``, two tensors of the same (any) shape.

        loss_i = (pred_i - target_i)^2

    reduction="mean" averages over every element: sum / pred.numel(). For pred of shape (N, D)
    that is a division by N * D, not by the batch size N. "none" returns pred's shape.

    Any other reduction raises ValueError whose message names 'mean', 'sum' and 'none'. The
    result has pred's dtype and device; pred and target are not modified.
    """
    # Your code here: replace the line below.
    raise NotImplementedError("mse_loss() is not written yet")


def l1_loss(pred: Tensor, target: Tensor, reduction: str = "mean") -> Tensor:
    """Mean absolute error between ``pred`` and ``target``, two tensors of the same (any) shape.

        loss_i = |pred_i - target_i|

    reduction="mean" averages over every element: sum / pred.numel(), for pred of shape (N, D) a
    division by N * D, not by the batch size N. "none" returns pred's shape.

    Any other reduction raises ValueError whose message names 'mean', 'sum' and 'none'. The
    result has pred's dtype and device; pred and target are not modified.
    """
    # Your code here: replace the line below.
    raise NotImplementedError("l1_loss() is not written yet")


def huber_loss(pred: Tensor, target: Tensor, reduction: str = "mean", delta: float = 1.0) -> Tensor:
    """Huber loss between ``pred`` and ``target`` (same, any shape), as PyTorch defines it.

    With d_i = pred_i - target_i and delta > 0 (a Python float):

        loss_i = 0.5 * d_i^2                      where |d_i| <= delta
                 delta * (|d_i| - 0.5 * delta)    elsewhere

    Quadratic near 0, linear (slope delta) for outliers; the two pieces meet at |d| = delta. The
    linear piece is multiplied by delta: without that factor the formula is right only for
    delta = 1. (PyTorch's smooth_l1_loss with beta is another loss: 0.5 d^2 / beta, else
    |d| - 0.5 beta; huber_loss with delta equals delta * smooth_l1_loss with beta = delta.)

    Stay finite wherever the loss is: for float32 d = 1e20, d^2 overflows to inf, which is
    harmless in a branch torch.where does not pick but gives 0 * inf = NaN if the two pieces are
    combined by multiplying with a 0/1 mask. (Another safe form: with q = min(|d|, delta),
    loss = q * (|d| - 0.5 * q).)

    reduction="mean" averages over every element; "none" returns pred's shape. Any other
    reduction raises ValueError whose message names 'mean', 'sum' and 'none'. The result has
    pred's dtype and device; pred and target are not modified.
    """
    # Your code here: replace the line below.
    raise NotImplementedError("huber_loss() is not written yet")


def binary_cross_entropy(prob: Tensor, target: Tensor, reduction: str = "mean") -> Tensor:
    """Binary cross-entropy between probabilities and targets of the same (any) shape.

        loss_i = -(target_i * log(prob_i) + (1 - target_i) * log(1 - prob_i))

    prob holds probabilities in [0, 1] (sigmoid outputs, say); target holds values in [0, 1],
    usually 0 or 1, but soft targets such as 0.3 are allowed. reduction="mean" averages over
    every element; "none" returns prob's shape.

    prob may be exactly 0 or 1: log(0) = -inf, and even a term with zero weight breaks, since
    0 * -inf = nan. Do what PyTorch does: clamp each log term at -100, that is
    torch.log(prob).clamp(min=-100) and the same for log(1 - prob), so no element's loss
    exceeds 100. (torch.log1p(-prob) computes log(1 - prob) more accurately for small prob.)
    Clamping prob itself to [eps, 1 - eps] is not the same: log(1e-7) is -16.1, not -100.

    Any other reduction raises ValueError whose message names 'mean', 'sum' and 'none'. The
    result has prob's dtype and device; prob and target are not modified (no clamp_ on them).
    """
    # Your code here: replace the line below.
    raise NotImplementedError("binary_cross_entropy() is not written yet")


def binary_cross_entropy_with_logits(
    logits: Tensor, target: Tensor, reduction: str = "mean"
) -> Tensor:
    """Binary cross-entropy of sigmoid(logits) against target, computed from the logits.

        loss_i = -(t_i * log(sigmoid(x_i)) + (1 - t_i) * log(1 - sigmoid(x_i)))
               = max(x_i, 0) - x_i * t_i + log(1 + exp(-|x_i|))

    with x = logits and t = target (same shape, t in [0, 1], soft values allowed).
    reduction="mean" averages over every element; "none" returns the logits' shape.

    Why not binary_cross_entropy(sigmoid(x), t)? sigmoid saturates: sigmoid(20) is exactly 1.0
    in float32 (sigmoid(40) in float64), so log(1 - sigmoid(x)) is log(0), clamped to -100, and
    the loss of x = 500 with t = 0 comes out 100 instead of 500. The second form is exact for
    |x| in the hundreds and beyond: it never exponentiates a positive number (exp(-|x|) is in
    (0, 1]), and torch.log1p(e) computes log(1 + e) accurately for small e. Its first and last
    terms together are log(1 + exp(x)), also available stably as torch.logaddexp(0, x) (with 0
    as a tensor), so loss_i = log(1 + exp(x_i)) - x_i * t_i is another way to write it.

    Any other reduction raises ValueError whose message names 'mean', 'sum' and 'none'. The
    result has the logits' dtype and device; logits and target are not modified.
    """
    # Your code here: replace the line below.
    raise NotImplementedError("binary_cross_entropy_with_logits() is not written yet")


def cross_entropy(logits: Tensor, target: Tensor, reduction: str = "mean") -> Tensor:
    """Multi-class cross-entropy of softmax(logits) against the target classes.

    logits has shape (N, C): one row of unnormalized scores for each of N samples. target is
    either

    * class indices: an int64 tensor of shape (N,) with values in [0, C), and
          loss_n = -log_softmax(logits_n)[target_n]
    * class probabilities: a floating tensor of shape (N, C), one distribution per row (soft
      labels, label smoothing), and
          loss_n = -sum_c target[n, c] * log_softmax(logits_n)[c]

    Tell the two apart by dtype (target.is_floating_point()). The logarithm is the natural one
    (torch.log). reduction="mean" averages the N per-sample losses, for both kinds of target
    (divide by N, not by N * C); "none" returns shape (N,).

    Write log_softmax inline, along dim 1, in its stable form:

        log_softmax(x)_c = (x_c - m) - log(sum_j exp(x_j - m)),   m = max_j x_j

    Without subtracting m, exp(1000) = inf. And do not take the log of a softmax: a class whose
    probability underflows to 0 gets log(0) = -inf, while its true loss (1e4 for the class with
    logit -1e4 in a row (0, -1e4)) is an ordinary number.

    Any other reduction raises ValueError whose message names 'mean', 'sum' and 'none'. The
    result has the logits' dtype and device (build any helper tensor, such as a one-hot target,
    on logits.device); logits and target are not modified (shift a copy, not the logits).
    """
    # Your code here: replace the line below.
    raise NotImplementedError("cross_entropy() is not written yet")


def nll_loss(log_probs: Tensor, target: Tensor, reduction: str = "mean") -> Tensor:
    """Negative log-likelihood of the target classes, from log-probabilities.

    log_probs has shape (N, C): one row of log-probabilities for each of N samples, usually the
    output of a log_softmax. target holds class indices: an int64 tensor of shape (N,) with
    values in [0, C). Then

        loss_n = -log_probs[n, target_n]

    the target's entry of row n (column target_n), negated. log_probs already are logarithms:
    take no further log and no softmax. An entry may be -inf (log of a probability 0) in a
    column other than the target's: picking the target's entry (gather, or indexing with
    rows torch.arange(N) and columns target) ignores it, while multiplying by a one-hot matrix
    computes 0 * -inf = NaN. reduction="mean" averages the N per-sample losses (divide by N, not
    by N * C); "none" returns shape (N,).

    Any other reduction raises ValueError whose message names 'mean', 'sum' and 'none'. The
    result has log_probs' dtype and device (not the target's int64); log_probs and target are not
    modified.
    """
    # Your code here: replace the line below.
    raise NotImplementedError("nll_loss() is not written yet")
