"""Optimizers: SGD with momentum, Adam

The instructions in English, then in Chinese. 中文说明在英文之后。

Write one update step of stochastic gradient descent (with momentum and weight decay) and one of
Adam, for a single parameter tensor, exactly as `torch.optim` computes them.

Each function takes a parameter `param`, its gradient `grad` (the same shape, dtype and device)
and `state`, a dict that belongs to this one parameter: the caller creates it empty before the
first step and passes the same dict back at every later step of the same parameter. Keep in it
whatever must survive from one step to the next (a step count, running averages); never keep it
anywhere else (a module-level variable would be shared by every parameter of a model).

The function returns the updated parameter: update `param` in place (`param.add_(...)`) or
return a new tensor, as you like; the caller always uses the returned value. It must not change
`grad`, which belongs to the caller. The result keeps the shape of `param` (any shape, a 0-d
scalar included), its dtype (float32 or float64) and its device; tensors stored in `state` live
on that device and have that dtype too (`torch.zeros_like(param)`). `param` is a plain tensor
here, with no autograd history.

`sgd_step(param, grad, state, *, lr, momentum=0.0, weight_decay=0.0)`
---------------------------------------------------------------------

One step of stochastic gradient descent, as `torch.optim.SGD` computes it (dampening 0, no
Nesterov). At step t (t = 1 at the first call):

    g     = grad + weight_decay * param
    buf_1 = g
    buf_t = momentum * buf_{t-1} + g
    param = param - lr * buf_t

Weight decay (L2) joins the gradient. With momentum == 0 the update is param - lr * g, and
nothing needs to be stored. The momentum buffer is a running *sum* of past gradients, each
scaled by a power of momentum: there is no (1 - momentum) factor. It lives in `state` between
calls, and it must be a tensor of its own: if it were `grad` itself, updating it in place at the
next step would change the caller's gradient.

`adam_step(param, grad, state, *, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0)`
-------------------------------------------------------------------------------------------

One step of Adam (Kingma and Ba, 2015), as `torch.optim.Adam` computes it (no amsgrad). With t
the number of steps taken so far, this one included (1 at the first call, kept in `state`), and
m and v running averages that start at zero, (beta1, beta2) = `betas`:

    g     = grad + weight_decay * param
    m     = beta1 * m + (1 - beta1) * g
    v     = beta2 * v + (1 - beta2) * g * g
    m_hat = m / (1 - beta1 ** t)
    v_hat = v / (1 - beta2 ** t)
    param = param - lr * m_hat / (sqrt(v_hat) + eps)

m is the first moment (the average gradient), v the second moment (the average squared
gradient). Weight decay is L2, added to the gradient before m and v: this is Adam, not AdamW's
decoupled decay. The bias correction (m_hat, v_hat) is needed because m and v start at 0, so
early averages are too small; t grows at every step. eps is added after the square root: with
tiny gradients (|g| ~ 1e-6, v ~ 1e-12) it keeps the step finite, and sqrt(v_hat + eps) would
give a very different (much smaller) step. Where a gradient entry has always been 0, m = v = 0
and the step is 0 / eps = 0.

Not allowed
-----------

`torch.optim`'s optimizers and its functional steps (`torch.optim.sgd.sgd`,
`torch.optim.adam.adam`).

优化器：带动量的 SGD 与 Adam
============================

针对单个参数张量，实现随机梯度下降（支持动量和权重衰减）的一步更新以及 Adam 的一步更新，计算方式
与 `torch.optim` 完全一致。

每个函数接收参数 `param`、它的梯度 `grad`（形状、dtype 和设备都相同）以及 `state`：一个只属于这
个参数的字典。调用者在第一步之前创建一个空字典，之后对同一个参数的每一步都把同一个字典传回来。凡
是需要从一步保留到下一步的东西（步数、滑动平均）都放在其中，绝不要放在别处（模块级变量会被模型的
所有参数共用）。

函数返回更新后的参数：可以原地更新 `param`（`param.add_(...)`），也可以返回一个新张量，随你选
择；调用者总是使用返回值。不得修改 `grad`，它属于调用者。结果保持 `param` 的形状（任意形状，包括
0 维标量）、dtype（float32 或 float64）和设备；存放在 `state` 中的张量也要放在同一设备上，并且
dtype 与 `param` 相同（`torch.zeros_like(param)`）。这里的 `param` 是普通张量，没有自动求导的历
史。

`sgd_step(param, grad, state, *, lr, momentum=0.0, weight_decay=0.0)`
---------------------------------------------------------------------

随机梯度下降的一步，计算方式与 `torch.optim.SGD` 相同（dampening 为 0，不用 Nesterov）。在第 t
步（第一次调用时 t = 1）：

    g     = grad + weight_decay * param
    buf_1 = g
    buf_t = momentum * buf_{t-1} + g
    param = param - lr * buf_t

权重衰减（L2）直接加到梯度上。momentum == 0 时更新就是 param - lr * g，不需要保存任何东西。动量
缓冲是过去梯度的滑动*和*，每个梯度乘以 momentum 的某次幂：没有 (1 - momentum) 这个因子。它在两次
调用之间存放在 `state` 中，而且必须是一个独立的张量：如果它就是 `grad` 本身，下一步原地更新它时
就会改掉调用者的梯度。

`adam_step(param, grad, state, *, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0)`
-------------------------------------------------------------------------------------------

Adam（Kingma 与 Ba，2015）的一步，计算方式与 `torch.optim.Adam` 相同（不用 amsgrad）。t 是到目前
为止（包括这一步）的步数（第一次调用时为 1，保存在 `state` 中），m 和 v 是从 0 开始的滑动平均，
(beta1, beta2) = `betas`：

    g     = grad + weight_decay * param
    m     = beta1 * m + (1 - beta1) * g
    v     = beta2 * v + (1 - beta2) * g * g
    m_hat = m / (1 - beta1 ** t)
    v_hat = v / (1 - beta2 ** t)
    param = param - lr * m_hat / (sqrt(v_hat) + eps)

m 是一阶矩（梯度的平均），v 是二阶矩（梯度平方的平均）。权重衰减是 L2 形式，在计算 m 和 v 之前加
到梯度上：这是 Adam，而不是 AdamW 那种解耦的权重衰减。需要偏差修正（m_hat、v_hat），是因为 m 和
v 从 0 开始，早期的平均值偏小；t 每一步都会增加。eps 加在开平方之后：梯度极小时（|g| ~ 1e-6，v ~
1e-12），它使步长保持有限，而 sqrt(v_hat + eps) 会得到截然不同（小得多）的步长。某个梯度分量若一
直为 0，则 m = v = 0，这一步的更新量是 0 / eps = 0。

禁止使用
--------

`torch.optim` 中的优化器及其函数式更新步骤（`torch.optim.sgd.sgd`、`torch.optim.adam.adam`）。
"""

import torch
from torch import Tensor


def sgd_step(
    param: Tensor,
    grad: Tensor,
    state: dict,
    *,
    lr: float,
    momentum: float = 0.0,
    weight_decay: float = 0.0,
) -> Tensor:
    """One step of stochastic gradient descent, optionally with momentum and weight decay.

    The update of torch.optim.SGD (dampening 0, no Nesterov):

        g   = grad + weight_decay * param          (L2 weight decay joins the gradient)
        buf = g                                    at the first step (if momentum != 0)
        buf = momentum * buf + g                   at every later step
        param = param - lr * buf                   (param - lr * g when momentum == 0)

    The momentum buffer is a running *sum* of past gradients, each scaled by a power of
    momentum: no (1 - momentum) factor. It lives in ``state`` between calls. It must be a tensor
    of its own: if it were ``grad`` itself, updating it in place at the next step would change
    the caller's gradient. With momentum == 0 nothing needs to be stored.

    Returns the updated parameter, with param's shape, dtype and device (updating param in
    place and returning it is fine). grad is never modified, not even at a later step. Keep the
    buffer in ``state``, this parameter's own dict, never in a module-level variable; create it
    on param's device, in param's dtype.
    """
    # Your code here: replace the line below.
    raise NotImplementedError("sgd_step() is not written yet")


def adam_step(
    param: Tensor,
    grad: Tensor,
    state: dict,
    *,
    lr: float = 1e-3,
    betas: tuple[float, float] = (0.9, 0.999),
    eps: float = 1e-8,
    weight_decay: float = 0.0,
) -> Tensor:
    """One step of Adam (Kingma and Ba, 2015), as torch.optim.Adam computes it (no amsgrad).

    With t the number of steps taken so far, this one included (1 at the first call, kept in
    ``state``), and m and v running averages that start at zero:

        g = grad + weight_decay * param            (L2 weight decay, before m and v; this is
                                                    Adam, not AdamW's decoupled decay)
        m = beta1 * m + (1 - beta1) * g            (first moment: average gradient)
        v = beta2 * v + (1 - beta2) * g * g        (second moment: average squared gradient)
        m_hat = m / (1 - beta1 ** t)               (bias correction: m and v start at 0, so early
        v_hat = v / (1 - beta2 ** t)                averages are too small; t grows every step)
        param = param - lr * m_hat / (sqrt(v_hat) + eps)

    eps is added after the square root: with tiny gradients (|g| ~ 1e-6, v ~ 1e-12) it keeps
    the step finite, and sqrt(v_hat + eps) would give a very different (much smaller) step.
    Where a gradient entry has always been 0, m = v = 0 and the step is 0 / eps = 0.

    Keep t, m and v in ``state``, this parameter's own dict (never in a module-level variable),
    and write t back at every step. Create m and v with torch.zeros_like(param): on param's
    device and in its dtype (float32 moments would lose float64's precision). Returns the
    updated parameter, with param's shape, dtype and device (updating param in place and
    returning it is fine); grad is never modified.
    """
    # Your code here: replace the line below.
    raise NotImplementedError("adam_step() is not written yet")
