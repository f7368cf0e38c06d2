"""One update step of two optimizers, SGD with momentum and Adam, for a single parameter tensor.

Each function takes a parameter ``param``, its gradient ``grad`` (same shape, dtype and device)
and ``state``, a dict that belongs to this one parameter: the caller creates it empty before the
first step and passes the same dict back at every later step of the same parameter. Keep in it
whatever must survive from one step to the next (a step count, running averages); never keep it
anywhere else (a module-level variable would be shared by every parameter of a model).

The function returns the updated parameter: update ``param`` in place (``param.add_(...)``) or
return a new tensor, as you like; the caller always uses the returned value. It must not change
``grad``, which belongs to the caller. The result keeps param's shape (any shape, a 0-d scalar
included), dtype (float32 or float64) and device; tensors stored in ``state`` live on param's
device and have its dtype too (``torch.zeros_like(param)``). ``param`` is a plain tensor here
(no autograd history).

Not allowed here: torch.optim's optimizers and its functional steps (torch.optim.sgd.sgd,
torch.optim.adam.adam).
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
    # BEGIN SOLUTION
    g = grad + weight_decay * param if weight_decay else grad  # a new tensor: grad untouched
    if momentum:
        buf = state.get("momentum_buffer")
        if buf is None:
            buf = state["momentum_buffer"] = g.clone()  # never the caller's grad itself
        else:
            buf.mul_(momentum).add_(g)
        g = buf
    return param.add_(g, alpha=-lr)
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
    """
    # BEGIN SOLUTION
    beta1, beta2 = betas
    g = grad + weight_decay * param if weight_decay else grad  # a new tensor: grad untouched
    if not state:
        state["step"] = 0
        state["exp_avg"] = torch.zeros_like(param)
        state["exp_avg_sq"] = torch.zeros_like(param)
    state["step"] += 1
    t = state["step"]
    m, v = state["exp_avg"], state["exp_avg_sq"]
    m.mul_(beta1).add_(g, alpha=1 - beta1)
    v.mul_(beta2).addcmul_(g, g, value=1 - beta2)
    # lr * m_hat / (sqrt(v_hat) + eps), with m_hat's division folded into the step size.
    denominator = (v / (1 - beta2**t)).sqrt_().add_(eps)
    return param.addcdiv_(m, denominator, value=-lr / (1 - beta1**t))
    # END SOLUTION
