"""Optimizers: SGD (momentum, Nesterov), AdaGrad, RMSProp, Adam, AdamW

The instructions in English, then in Chinese. 中文说明在英文之后。

Write one update step of each of five optimizers for a single parameter tensor, exactly as
`torch.optim` computes them: stochastic gradient descent (with momentum, classical or
Nesterov's, and weight decay), AdaGrad, RMSProp, Adam and AdamW.

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

`param` and `grad` may be views of other tensors, in any layout: a weight stored transposed, a
slice taken with a step (not contiguous), or a gradient expanded from one row (stride 0, read
only). Index them or use `.reshape` to read them: `.view(...)` fails on such views, and writing
into `param.reshape(-1)` changes a copy, never `param`.

`sgd_step(param, grad, state, *, lr, momentum=0.0, weight_decay=0.0, nesterov=False)`
-------------------------------------------------------------------------------------

One step of stochastic gradient descent, as `torch.optim.SGD` computes it (dampening 0). At step
t (t = 1 at the first call):

    g     = grad + weight_decay * param
    buf_1 = g
    buf_t = momentum * buf_{t-1} + g
    param = param - lr * buf_t

Weight decay (L2) joins the gradient. With momentum == 0 the update is param - lr * g, and
nothing needs to be stored. The momentum buffer is a running *sum* of past gradients, each
scaled by a power of momentum: there is no (1 - momentum) factor. It lives in `state` between
calls, and it must be a tensor of its own: if it were `grad` itself, updating it in place at the
next step would change the caller's gradient.

With `nesterov=True` (Nesterov momentum, in the form `torch.optim.SGD` uses) the buffer is
updated the same way, and the step looks ahead along it through the *gradient*:

    param = param - lr * (g + momentum * buf_t)

with the buffer already updated at this step, so the first step is param - lr * (1 + momentum) *
g. The parameter itself moves once per call, by that amount only (the textbook look-ahead that
moves the parameter by lr * momentum * buf is another sequence of parameters). `nesterov=True`
needs momentum > 0: with momentum <= 0 raise `ValueError`, as `torch.optim.SGD` does; check it
first.

`adagrad_step(param, grad, state, *, lr=1e-2, eps=1e-10, weight_decay=0.0)`
---------------------------------------------------------------------------

One step of AdaGrad (Duchi et al., 2011), as `torch.optim.Adagrad` computes it (lr_decay 0,
initial accumulator 0). With s the sum of every squared gradient so far, kept in `state` (it
starts at zero and only grows):

    g     = grad + weight_decay * param
    s     = s + g * g
    param = param - lr * g / (sqrt(s) + eps)

Each entry gets its own step size, which shrinks as its squared gradients pile up: s adds the
*square* of the gradient, entry by entry, at every step, and is never reset. eps is added after
the square root: with tiny gradients (|g| ~ 1e-6, s ~ 1e-12) sqrt(s + eps) would be about
sqrt(eps), far larger than |g|, and the step would almost vanish. Where a gradient entry has
always been 0, s = 0 and the step is 0 / eps = 0.

`rmsprop_step(param, grad, state, *, lr=1e-2, alpha=0.99, eps=1e-8, weight_decay=0.0, momentum=0.0)`
----------------------------------------------------------------------------------------------------

One step of RMSProp (Hinton, 2012), as `torch.optim.RMSprop` computes it (not centered). With v
a running average of squared gradients that starts at zero, kept in `state`:

    g     = grad + weight_decay * param
    v     = alpha * v + (1 - alpha) * g * g
    step  = g / (sqrt(v) + eps)
    param = param - lr * step              (momentum == 0)
    buf   = momentum * buf + step          (momentum > 0, buf starts at zero)
    param = param - lr * buf               (momentum > 0)

alpha weighs the old average and 1 - alpha the new squared gradient. There is no bias correction
(that is Adam): with a constant gradient g, v after t steps is (1 - alpha ** t) * g * g. eps is
added after the square root, as in AdaGrad and Adam; where a gradient entry has always been 0
the step is 0 / eps = 0. With momentum the buffer accumulates the scaled steps g / (sqrt(v) +
eps), not the raw gradients.

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

Keep t a Python int: a counter kept as a tensor (torch.optim keeps a float32 one) makes beta **
t float32, and a float64 step then agrees with torch.optim's to float32's precision only.

`adamw_step(param, grad, state, *, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2)`
---------------------------------------------------------------------------------------------

One step of AdamW (Loshchilov and Hutter, 2019), as `torch.optim.AdamW` computes it (no
amsgrad): Adam with *decoupled* weight decay. First shrink the parameter, then take Adam's step
with the raw gradient:

    param = param * (1 - lr * weight_decay)
    m     = beta1 * m + (1 - beta1) * grad
    v     = beta2 * v + (1 - beta2) * grad * grad
    m_hat = m / (1 - beta1 ** t)
    v_hat = v / (1 - beta2 ** t)
    param = param - lr * m_hat / (sqrt(v_hat) + eps)

t, m, v and eps are exactly as in `adam_step`. The decay never enters the gradient, m or v:
adding weight_decay * param to the gradient instead is Adam with L2 regularization (the
`weight_decay` of `adam_step`), another optimizer, where the decay is divided by sqrt(v_hat)
like the gradient; here every entry shrinks by the same factor. The decay uses the parameter as
it was before this step's Adam update, and it is multiplied by lr. With weight_decay == 0, AdamW
is Adam.

Not allowed
-----------

`torch.optim`'s optimizers and its functional steps (`torch.optim.sgd.sgd`,
`torch.optim.adagrad.adagrad`, `torch.optim.rmsprop.rmsprop`, `torch.optim.adam.adam`,
`torch.optim.adamw.adamw`).

优化器：SGD（动量、Nesterov）、AdaGrad、RMSProp、Adam、AdamW
============================================================

针对单个参数张量，分别实现五种优化器的一步更新，计算方式与 `torch.optim` 完全一致：随机梯度下降
（支持经典动量或 Nesterov 动量，以及权重衰减）、AdaGrad、RMSProp、Adam 和 AdamW。

每个函数接收参数 `param`、它的梯度 `grad`（形状、dtype 和设备都相同）以及 `state`：一个只属于这
个参数的字典。调用者在第一步之前创建一个空字典，之后对同一个参数的每一步都把同一个字典传回来。凡
是需要从一步保留到下一步的东西（步数、滑动平均）都放在其中，绝不要放在别处（模块级变量会被模型的
所有参数共用）。

函数返回更新后的参数：可以原地更新 `param`（`param.add_(...)`），也可以返回一个新张量，随你选
择；调用者总是使用返回值。不得修改 `grad`，它属于调用者。结果保持 `param` 的形状（任意形状，包括
0 维标量）、dtype（float32 或 float64）和设备；存放在 `state` 中的张量也要放在同一设备上，并且
dtype 与 `param` 相同（`torch.zeros_like(param)`）。这里的 `param` 是普通张量，没有自动求导的历
史。

`param` 和 `grad` 可能是其他张量的视图，布局任意：转置存放的权重、带步长的切片（不连续），或由一
行扩展（expand）而来的梯度（步长为 0，只能读）。读取它们时用下标或 `.reshape`：对这样的视图
`.view(...)` 会失败，而写入 `param.reshape(-1)` 改的是一个副本，永远不是 `param`。

`sgd_step(param, grad, state, *, lr, momentum=0.0, weight_decay=0.0, nesterov=False)`
-------------------------------------------------------------------------------------

随机梯度下降的一步，计算方式与 `torch.optim.SGD` 相同（dampening 为 0）。在第 t 步（第一次调用时
t = 1）：

    g     = grad + weight_decay * param
    buf_1 = g
    buf_t = momentum * buf_{t-1} + g
    param = param - lr * buf_t

权重衰减（L2）直接加到梯度上。momentum == 0 时更新就是 param - lr * g，不需要保存任何东西。动量
缓冲是过去梯度的滑动*和*，每个梯度乘以 momentum 的某次幂：没有 (1 - momentum) 这个因子。它在两次
调用之间存放在 `state` 中，而且必须是一个独立的张量：如果它就是 `grad` 本身，下一步原地更新它时
就会改掉调用者的梯度。

当 `nesterov=True` 时（Nesterov 动量，采用 `torch.optim.SGD` 的形式），动量缓冲的更新方式不变，
这一步沿着缓冲“向前看”，而向前看是通过*梯度*完成的：

    param = param - lr * (g + momentum * buf_t)

其中的缓冲已经在这一步更新过，所以第一步是 param - lr * (1 + momentum) * g。每次调用参数本身只移
动一次，移动量就是上式（教科书里把参数再移动 lr * momentum * buf 的“向前看”写法，得到的是另一串
参数值）。`nesterov=True` 要求 momentum > 0：若 momentum <= 0，要像 `torch.optim.SGD` 一样抛出
`ValueError`；先检查这一点。

`adagrad_step(param, grad, state, *, lr=1e-2, eps=1e-10, weight_decay=0.0)`
---------------------------------------------------------------------------

AdaGrad（Duchi 等，2011）的一步，计算方式与 `torch.optim.Adagrad` 相同（lr_decay 为 0，累加器初
值为 0）。s 是到目前为止所有梯度平方之和，保存在 `state` 中（从 0 开始，只增不减）：

    g     = grad + weight_decay * param
    s     = s + g * g
    param = param - lr * g / (sqrt(s) + eps)

每个分量都有自己的步长，随着它的梯度平方不断累积而变小：s 每一步逐分量加上梯度的*平方*，并且从不
清零。eps 加在开平方之后：梯度极小时（|g| ~ 1e-6，s ~ 1e-12），sqrt(s + eps) 约为 sqrt(eps)，远
大于 |g|，步长几乎消失。某个梯度分量若一直为 0，则 s = 0，这一步的更新量是 0 / eps = 0。

`rmsprop_step(param, grad, state, *, lr=1e-2, alpha=0.99, eps=1e-8, weight_decay=0.0, momentum=0.0)`
----------------------------------------------------------------------------------------------------

RMSProp（Hinton，2012）的一步，计算方式与 `torch.optim.RMSprop` 相同（不是 centered 版本）。v 是
梯度平方的滑动平均，从 0 开始，保存在 `state` 中：

    g     = grad + weight_decay * param
    v     = alpha * v + (1 - alpha) * g * g
    step  = g / (sqrt(v) + eps)
    param = param - lr * step              (momentum == 0)
    buf   = momentum * buf + step          (momentum > 0, buf starts at zero)
    param = param - lr * buf               (momentum > 0)

alpha 是旧平均值的权重，1 - alpha 是新的梯度平方的权重。这里没有偏差修正（那是 Adam 的做法）：若
梯度恒为 g，t 步之后 v 等于 (1 - alpha ** t) * g * g。eps 加在开平方之后，与 AdaGrad 和 Adam 相
同；某个梯度分量若一直为 0，这一步的更新量是 0 / eps = 0。使用动量时，缓冲累积的是缩放后的步长 g
/ (sqrt(v) + eps)，而不是原始梯度。

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

t 要保持为 Python 整数：用张量保存的计数器（torch.optim 用的是 float32 张量）会让 beta ** t 变成
float32，float64 的更新步就只能在 float32 的精度上与 torch.optim 一致。

`adamw_step(param, grad, state, *, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2)`
---------------------------------------------------------------------------------------------

AdamW（Loshchilov 与 Hutter，2019）的一步，计算方式与 `torch.optim.AdamW` 相同（不用 amsgrad）：
带*解耦*权重衰减的 Adam。先把参数按比例缩小，再用原始梯度走 Adam 的一步：

    param = param * (1 - lr * weight_decay)
    m     = beta1 * m + (1 - beta1) * grad
    v     = beta2 * v + (1 - beta2) * grad * grad
    m_hat = m / (1 - beta1 ** t)
    v_hat = v / (1 - beta2 ** t)
    param = param - lr * m_hat / (sqrt(v_hat) + eps)

t、m、v 和 eps 与 `adam_step` 中完全相同。权重衰减绝不进入梯度、m 或 v：把 weight_decay * param
加到梯度上，得到的是带 L2 正则化的 Adam（即 `adam_step` 的 `weight_decay`），那是另一种优化器，
其中衰减项会像梯度一样被 sqrt(v_hat) 除；而这里每个分量都按同一个因子缩小。衰减使用的是这一步
Adam 更新之前的参数，并且要乘以 lr。weight_decay == 0 时，AdamW 就是 Adam。

禁止使用
--------

`torch.optim` 中的优化器及其函数式更新步骤（`torch.optim.sgd.sgd`、
`torch.optim.adagrad.adagrad`、`torch.optim.rmsprop.rmsprop`、`torch.optim.adam.adam`、
`torch.optim.adamw.adamw`）。
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
    nesterov: bool = False,
) -> Tensor:
    """One step of stochastic gradient descent, optionally with momentum (classical or
    Nesterov's) and weight decay.

    The update of torch.optim.SGD (dampening 0):

        g   = grad + weight_decay * param          (L2 weight decay joins the gradient)
        buf = g                                    at the first step (if momentum != 0)
        buf = momentum * buf + g                   at every later step
        param = param - lr * buf                   (param - lr * g when momentum == 0)

    The momentum buffer is a running *sum* of past gradients, each scaled by a power of
    momentum: no (1 - momentum) factor. It lives in ``state`` between calls. It must be a tensor
    of its own: if it were ``grad`` itself, updating it in place at the next step would change
    the caller's gradient. With momentum == 0 nothing needs to be stored.

    With nesterov=True (Nesterov momentum, in torch's form) the buffer is updated the same way,
    and the step looks ahead along it through the *gradient*:

        param = param - lr * (g + momentum * buf)  (buf already updated at this step)

    so the first step is param - lr * (1 + momentum) * g. The parameter itself moves once per
    call, by that amount only. nesterov=True needs momentum > 0: with momentum <= 0 raise
    ValueError (as torch.optim.SGD does); check it first.

    Returns the updated parameter, with param's shape, dtype and device (updating param in
    place and returning it is fine). grad is never modified, not even at a later step. Keep the
    buffer in ``state``, this parameter's own dict, never in a module-level variable; create it
    on param's device, in param's dtype.
    """
    # Your code here: replace the line below.
    raise NotImplementedError("sgd_step() is not written yet")


def adagrad_step(
    param: Tensor,
    grad: Tensor,
    state: dict,
    *,
    lr: float = 1e-2,
    eps: float = 1e-10,
    weight_decay: float = 0.0,
) -> Tensor:
    """One step of AdaGrad (Duchi et al., 2011), as torch.optim.Adagrad computes it (lr_decay 0,
    initial accumulator 0).

    With s the sum of every squared gradient so far, kept in ``state`` (it starts at zero and
    only grows):

        g = grad + weight_decay * param            (L2 weight decay joins the gradient)
        s = s + g * g                              (the *square*, entry by entry)
        param = param - lr * g / (sqrt(s) + eps)

    Each entry gets its own step size, which shrinks as its squared gradients pile up. eps is
    added after the square root: with tiny gradients (|g| ~ 1e-6, s ~ 1e-12) sqrt(s + eps)
    would be ~sqrt(eps), far larger than |g|, and the step would almost vanish. Where a gradient
    entry has always been 0, s = 0 and the step is 0 / eps = 0.

    Keep s in ``state``, this parameter's own dict (never in a module-level variable), created
    with torch.zeros_like(param): on param's device and in its dtype. Returns the updated
    parameter, with param's shape, dtype and device (updating param in place and returning it
    is fine); grad is never modified.
    """
    # Your code here: replace the line below.
    raise NotImplementedError("adagrad_step() is not written yet")


def rmsprop_step(
    param: Tensor,
    grad: Tensor,
    state: dict,
    *,
    lr: float = 1e-2,
    alpha: float = 0.99,
    eps: float = 1e-8,
    weight_decay: float = 0.0,
    momentum: float = 0.0,
) -> Tensor:
    """One step of RMSProp (Hinton, 2012), as torch.optim.RMSprop computes it (not centered).

    With v a running average of squared gradients that starts at zero, kept in ``state``:

        g = grad + weight_decay * param            (L2 weight decay joins the gradient)
        v = alpha * v + (1 - alpha) * g * g        (alpha weighs the old average, 1 - alpha
                                                    the new squared gradient)
        step = g / (sqrt(v) + eps)
        param = param - lr * step                  when momentum == 0
        buf = momentum * buf + step                when momentum > 0 (buf starts at zero,
        param = param - lr * buf                    so the first buf is the first step)

    There is no bias correction (that is Adam): with a constant gradient g, v after t steps is
    (1 - alpha**t) * g * g. eps is added after the square root, as in Adam and AdaGrad; where a
    gradient entry has always been 0 the step is 0 / eps = 0. With momentum the buffer
    accumulates the scaled steps g / (sqrt(v) + eps), not the raw gradients.

    Keep v (and buf, with momentum) in ``state``, this parameter's own dict (never in a
    module-level variable), created with torch.zeros_like(param): on param's device and in its
    dtype. Returns the updated parameter, with param's shape, dtype and device (updating param
    in place and returning it is fine); grad is never modified.
    """
    # Your code here: replace the line below.
    raise NotImplementedError("rmsprop_step() is not written yet")


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

    Keep t a Python int: a counter kept as a tensor (torch.optim keeps a float32 one) makes beta
    ** t float32, and a float64 step then agrees with torch.optim's to float32's precision only.
    """
    # Your code here: replace the line below.
    raise NotImplementedError("adam_step() is not written yet")


def adamw_step(
    param: Tensor,
    grad: Tensor,
    state: dict,
    *,
    lr: float = 1e-3,
    betas: tuple[float, float] = (0.9, 0.999),
    eps: float = 1e-8,
    weight_decay: float = 1e-2,
) -> Tensor:
    """One step of AdamW (Loshchilov and Hutter, 2019), as torch.optim.AdamW computes it (no
    amsgrad): Adam with *decoupled* weight decay.

    First shrink the parameter, then take Adam's step with the raw gradient:

        param = param * (1 - lr * weight_decay)    (decay scaled by lr, before the Adam step)
        m = beta1 * m + (1 - beta1) * grad         (grad itself: the decay never enters m or v)
        v = beta2 * v + (1 - beta2) * grad * grad
        m_hat = m / (1 - beta1 ** t)
        v_hat = v / (1 - beta2 ** t)
        param = param - lr * m_hat / (sqrt(v_hat) + eps)

    t, m, v and eps are exactly as in adam_step. Adding weight_decay * param to the gradient
    instead is Adam with L2 regularization (adam_step's weight_decay), another optimizer: there
    the decay is divided by sqrt(v_hat) like the gradient, here every entry shrinks by the same
    factor. The decay uses the parameter as it was before this step's Adam update, and is
    multiplied by lr. With weight_decay == 0, AdamW is Adam.

    Keep t, m and v in ``state``, this parameter's own dict (never in a module-level variable);
    create m and v with torch.zeros_like(param). Returns the updated parameter, with param's
    shape, dtype and device (updating param in place and returning it is fine); grad is never
    modified.
    """
    # Your code here: replace the line below.
    raise NotImplementedError("adamw_step() is not written yet")
