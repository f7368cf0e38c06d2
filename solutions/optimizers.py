"""The reference solution of the optimizers exercise.

Its instructions (the stub's module docstring) are written once, in
instructions/optimizers.md, English and Chinese.
"""

import torch
from torch import Tensor

# BEGIN SOLUTION


def _adam_update(p: Tensor, g: Tensor, state: dict, lr: float, betas: tuple, eps: float) -> Tensor:
    """The reference's Adam step of parameter p on gradient g (weight decay already handled by
    the caller), shared by adam_step and adamw_step. Inside the solution markers: the stub
    drops it."""
    beta1, beta2 = betas
    if not state:
        state["step"] = 0
        state["exp_avg"] = torch.zeros_like(p)
        state["exp_avg_sq"] = torch.zeros_like(p)
    state["step"] += 1
    t = state["step"]
    m, v = state["exp_avg"], state["exp_avg_sq"]
    m.mul_(beta1).add_(g, alpha=1 - beta1)
    v.mul_(beta2).addcmul_(g, g, value=1 - beta2)
    # lr * m_hat / (sqrt(v_hat) + eps), with m_hat's division folded into the step size.
    denominator = (v / (1 - beta2**t)).sqrt_().add_(eps)
    return p.addcdiv_(m, denominator, value=-lr / (1 - beta1**t))


# END SOLUTION


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
    # BEGIN SOLUTION
    if nesterov and momentum <= 0:
        raise ValueError(f"Nesterov momentum requires momentum > 0, got momentum={momentum}")
    g = grad + weight_decay * param if weight_decay else grad  # a new tensor: grad untouched
    if momentum:
        buf = state.get("momentum_buffer")
        if buf is None:
            buf = state["momentum_buffer"] = g.clone()  # never the caller's grad itself
        else:
            buf.mul_(momentum).add_(g)
        g = g.add(buf, alpha=momentum) if nesterov else buf
    return param.add_(g, alpha=-lr)
    # END SOLUTION


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
    # BEGIN SOLUTION
    g = grad + weight_decay * param if weight_decay else grad  # a new tensor: grad untouched
    if "sum" not in state:
        state["sum"] = torch.zeros_like(param)
    total = state["sum"].addcmul_(g, g)
    return param.addcdiv_(g, total.sqrt().add_(eps), value=-lr)
    # END SOLUTION


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
    # BEGIN SOLUTION
    g = grad + weight_decay * param if weight_decay else grad  # a new tensor: grad untouched
    if "square_avg" not in state:
        state["square_avg"] = torch.zeros_like(param)
    square_avg = state["square_avg"].mul_(alpha).addcmul_(g, g, value=1 - alpha)
    denominator = square_avg.sqrt().add_(eps)
    if momentum > 0:
        if "momentum_buffer" not in state:
            state["momentum_buffer"] = torch.zeros_like(param)
        buf = state["momentum_buffer"].mul_(momentum).addcdiv_(g, denominator)
        return param.add_(buf, alpha=-lr)
    return param.addcdiv_(g, denominator, value=-lr)
    # END SOLUTION


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
    # BEGIN SOLUTION
    g = grad + weight_decay * param if weight_decay else grad  # a new tensor: grad untouched
    return _adam_update(param, g, state, lr, betas, eps)
    # END SOLUTION


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
    # BEGIN SOLUTION
    param = param.mul_(1 - lr * weight_decay)
    return _adam_update(param, grad, state, lr, betas, eps)
    # END SOLUTION
