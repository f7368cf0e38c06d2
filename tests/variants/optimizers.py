from variants import Variant

# A correct Adam core for the variants to vary, written the textbook way (functional).
_ADAM = """
def _adam(param, grad, state, lr, betas, eps, weight_decay, *, t_power=True, correct_m=True,
          correct_v=True, eps_in_sqrt=False, store_step=True, zeros=torch.zeros_like):
    beta1, beta2 = betas
    g = grad + weight_decay * param
    t = state.get("t", 0) + 1
    if store_step:
        state["t"] = t
    m = beta1 * state.get("m", zeros(param)) + (1 - beta1) * g
    v = beta2 * state.get("v", zeros(param)) + (1 - beta2) * g * g
    state["m"], state["v"] = m, v
    power = t if t_power else 1
    m_hat = m / (1 - beta1**power) if correct_m else m
    v_hat = v / (1 - beta2**power) if correct_v else v
    denominator = torch.sqrt(v_hat + eps) if eps_in_sqrt else torch.sqrt(v_hat) + eps
    return param - lr * m_hat / denominator
"""

# The reference's in-place Adam, with the moments created by {zeros}.
_IN_PLACE_ADAM = """
def adam_step(param, grad, state, *, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0):
    beta1, beta2 = betas
    g = grad + weight_decay * param
    if not state:
        state.update(t=0, m={zeros}, v={zeros})
    state["t"] += 1
    t, m, v = state["t"], state["m"], state["v"]
    m.mul_(beta1).add_(g, alpha=1 - beta1)
    v.mul_(beta2).addcmul_(g, g, value=1 - beta2)
    return param - lr * (m / (1 - beta1**t)) / ((v / (1 - beta2**t)).sqrt() + eps)
"""

# dampening (1 - momentum): an exponential average, not torch's momentum
_SGD_MOMENTUM_AS_AVERAGE = """
def sgd_step(param, grad, state, *, lr, momentum=0.0, weight_decay=0.0):
    g = grad + weight_decay * param
    if momentum:
        buf = state.get("buf")
        buf = g.clone() if buf is None else momentum * buf + (1 - momentum) * g
        state["buf"] = g = buf
    return param - lr * g
"""


def _adam_variant(**options: str) -> str:
    arguments = "".join(f", {key}={value}" for key, value in options.items())
    return (
        _ADAM
        + f"""
def adam_step(param, grad, state, *, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0):
    return _adam(param, grad, state, lr, betas, eps, weight_decay{arguments})
"""
    )


VARIANTS = [
    # --- Adam: bias correction ---------------------------------------------------------------
    Variant(
        "adam-bias-correction-without-power-t",  # 1 - beta1 instead of 1 - beta1**t
        _adam_variant(t_power="False"),
        expect="fail",
        message=r"at step 2 of .*1 - beta1 is right at step 1 only",
        select="adam and constant_gradient",
    ),
    Variant(
        "adam-step-count-not-stored",  # t computed from state but never written back: t stays 1
        _adam_variant(store_step="False"),
        expect="fail",
        message=r"at step 2 of .*stored in state and increased at every call",
        select="adam and constant_gradient",
    ),
    Variant(
        "adam-no-bias-correction",
        _adam_variant(correct_m="False", correct_v="False"),
        expect="fail",
        message=r"at step 1 of .*Hint: .*divide m by 1 - beta1\*\*t and v by 1 - beta2\*\*t",
        select="adam and constant_gradient",
    ),
    Variant(
        "adam-bias-correction-on-m-only",
        _adam_variant(correct_v="False"),
        expect="fail",
        message=r"at step 1 of .*Hint: .*divide m by 1 - beta1\*\*t and v by 1 - beta2\*\*t",
        select="adam and constant_gradient",
    ),
    Variant(
        "adam-bias-correction-without-power-t-general",  # the general test explains it too
        _adam_variant(t_power="False"),
        expect="fail",
        message=r"adam_step\(.*\) at step 2 of 30.*Hint: step 1 matched.*1 - beta1\*\*t",
        select="test_adam_matches_torch",
    ),
    # --- Adam: eps, weight decay ------------------------------------------------------------
    Variant(
        "adam-eps-inside-sqrt",
        _adam_variant(eps_in_sqrt="True"),
        expect="fail",
        message=r"adam_step\(.*values differ.*Hint: the denominator is sqrt\(v_hat\) \+ eps",
        select="eps_is_added",
    ),
    Variant(
        "adam-without-eps",  # 0 / 0 where a gradient entry has always been 0
        """
def adam_step(param, grad, state, *, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0):
    beta1, beta2 = betas
    g = grad + weight_decay * param
    state["t"] = t = state.get("t", 0) + 1
    state["m"] = m = beta1 * state.get("m", torch.zeros_like(param)) + (1 - beta1) * g
    state["v"] = v = beta2 * state.get("v", torch.zeros_like(param)) + (1 - beta2) * g * g
    return param - lr * (m / (1 - beta1**t)) / torch.sqrt(v / (1 - beta2**t))
""",
        expect="fail",
        message=r"returned nan .*expected the finite value.*Hint: the denominator is sqrt",
        select="eps_is_added",
    ),
    Variant(
        "adam-without-sqrt",
        """
def adam_step(param, grad, state, *, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0):
    beta1, beta2 = betas
    g = grad + weight_decay * param
    state["t"] = t = state.get("t", 0) + 1
    state["m"] = m = beta1 * state.get("m", torch.zeros_like(param)) + (1 - beta1) * g
    state["v"] = v = beta2 * state.get("v", torch.zeros_like(param)) + (1 - beta2) * g * g
    return param - lr * (m / (1 - beta1**t)) / (v / (1 - beta2**t) + eps)
""",
        expect="fail",
        message=r"adam_step\(.*\) at step 1 of .*values differ.*Hint: at step 1 the bias-corrected",
        select="test_adam_matches_torch",
    ),
    Variant(
        "adam-decoupled-weight-decay",  # AdamW: param *= 1 - lr * weight_decay
        _ADAM
        + """
def adam_step(param, grad, state, *, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0):
    return _adam(param * (1 - lr * weight_decay), grad, state, lr, betas, eps, 0.0)
""",
        expect="fail",
        message=r"adam_step\(.*weight_decay=.*values differ.*Hint: Adam's weight_decay is L2",
        select="weight_decay_is_l2",
    ),
    Variant(
        "adam-weight-decay-after-the-moments",  # m and v from the raw grad, decay in the step
        _ADAM
        + """
def adam_step(param, grad, state, *, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0):
    stepped = _adam(param, grad, state, lr, betas, eps, 0.0)
    return stepped - lr * weight_decay * param
""",
        expect="fail",
        message=r"adam_step\(.*weight_decay=.*values differ.*Hint: Adam's weight_decay is L2",
        select="weight_decay_is_l2",
    ),
    Variant(
        "adam-weight-decay-in-place-on-grad",
        _ADAM
        + """
def adam_step(param, grad, state, *, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0):
    if weight_decay:
        grad.add_(param, alpha=weight_decay)
    return _adam(param, grad, state, lr, betas, eps, 0.0)
""",
        expect="fail",
        message=r"adam_step\(.*weight_decay=0\.1\) changed the grad passed at step 1",
        select="grad_is_not_modified",
    ),
    # --- Adam: state and device ---------------------------------------------------------------
    Variant(
        "adam-moments-created-on-cpu",  # torch.zeros(param.shape) ignores param's device
        _IN_PLACE_ADAM.format(zeros="torch.zeros(param.shape, dtype=param.dtype)"),
        expect="fail",
        message=r"your code raised RuntimeError:\s+Tensor on device meta is not on the expected "
        r"device cpu",
        select="adam and follow_param",
    ),
    Variant(
        "adam-moments-created-on-cpu-functional",  # the same, mixing devices in one expression
        _adam_variant(zeros="lambda p: torch.zeros(p.shape, dtype=p.dtype)"),
        expect="fail",
        message=r"your code raised RuntimeError:.*device meta",
        select="adam and follow_param",
    ),
    Variant(
        "adam-moments-in-float32",  # in-place updates keep them float32: float64 loses precision
        _IN_PLACE_ADAM.format(zeros="torch.zeros(param.shape, device=param.device)"),
        expect="fail",
        message=r"adam_step\(.*values differ for param .*torch\.float64",
        select="test_adam_matches_torch and float64",
    ),
    Variant(
        "adam-state-in-a-module-variable",  # one state for every parameter
        _ADAM
        + """
_SHARED = {}

def adam_step(param, grad, state, *, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0):
    return _adam(param, grad, _SHARED, lr, betas, eps, weight_decay)
""",
        expect="fail",
        message=r"for parameter B at its step 1.*Hint: keep everything .* in the state dict",
        select="own_state",
    ),
    Variant(
        "adam-calls-torch-functional",
        """
from torch.optim.adam import adam as _torch_adam

def adam_step(param, grad, state, *, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0):
    if not state:
        state.update(m=torch.zeros_like(param), v=torch.zeros_like(param), t=torch.tensor(0.0))
    _torch_adam([param], [grad], [state["m"]], [state["v"]], [], [state["t"]], foreach=False,
                capturable=False, differentiable=False, fused=None, grad_scale=None,
                found_inf=None, has_complex=False, amsgrad=False, beta1=betas[0],
                beta2=betas[1], lr=lr, weight_decay=weight_decay, eps=eps, maximize=False)
    return param
""",
        expect="fail",
        message=r"torch\.optim\.adam\.adam is not allowed in this exercise",
        select="test_adam_matches_torch",
    ),
    # --- SGD ----------------------------------------------------------------------------------
    Variant(
        "sgd-momentum-as-average",  # dampening (1 - momentum): an EMA, not torch's momentum
        _SGD_MOMENTUM_AS_AVERAGE,
        expect="fail",
        message=r"sgd_step\(.*momentum=.*at step 2 of .*Hint: buf = momentum \* buf \+ g adds",
        select="momentum_sums_past",
    ),
    Variant(
        "sgd-momentum-buffer-not-kept",  # a fresh buffer every call: plain SGD
        """
def sgd_step(param, grad, state, *, lr, momentum=0.0, weight_decay=0.0):
    g = grad + weight_decay * param
    buf = g.clone()
    return param - lr * buf
""",
        expect="fail",
        message=r"at step 2 of .*Hint: .*buf is kept in state between calls",
        select="momentum_sums_past",
    ),
    Variant(
        "sgd-weight-decay-outside-the-buffer",  # decay applied to param after the momentum step
        """
def sgd_step(param, grad, state, *, lr, momentum=0.0, weight_decay=0.0):
    buf = grad.clone()
    if momentum and "buf" in state:
        buf = momentum * state["buf"] + grad
    if momentum:
        state["buf"] = buf
    return param - lr * (buf + weight_decay * param)
""",
        expect="fail",
        message=r"sgd_step\(.*weight_decay=0\.1\) at step 2 of 10.*Hint: weight decay is part",
        select="enters_the_momentum_buffer",
    ),
    Variant(
        "sgd-momentum-buffer-aliases-grad",  # buf = g at step 1, then updated in place
        """
def sgd_step(param, grad, state, *, lr, momentum=0.0, weight_decay=0.0):
    g = grad + weight_decay * param if weight_decay else grad
    if momentum:
        if "buf" not in state:
            state["buf"] = g
        else:
            state["buf"].mul_(momentum).add_(g)
        g = state["buf"]
    return param - lr * g
""",
        expect="fail",
        message=r"sgd_step\(.*momentum=0\.9\) changed the grad passed at step 1 .*a momentum "
        r"buffer must be a copy",
        select="grad_is_not_modified",
    ),
    Variant(
        "sgd-forgets-to-return",
        """
def sgd_step(param, grad, state, *, lr, momentum=0.0, weight_decay=0.0):
    param = param - lr * (grad + weight_decay * param)
""",
        expect="fail",
        message=r"sgd_step\(.*\) at step 1 of .*: returned NoneType, expected a torch\.Tensor",
        select="test_sgd_matches_torch",
    ),
    Variant(
        "sgd-momentum-buffer-on-cpu",  # zeros without device=, then buf = momentum * buf + g
        """
def sgd_step(param, grad, state, *, lr, momentum=0.0, weight_decay=0.0):
    g = grad + weight_decay * param
    if momentum:
        buf = state.get("buf", torch.zeros(param.shape, dtype=param.dtype))
        state["buf"] = g = buf.mul_(momentum).add_(g)
    return param.sub_(lr * g)
""",
        expect="fail",
        message=r"state\['buf'\] is on cpu, expected meta like param",
        select="sgd and follow_param",
    ),
    Variant(
        "sgd-calls-torch-optim",
        """
def sgd_step(param, grad, state, *, lr, momentum=0.0, weight_decay=0.0):
    optimizer = torch.optim.SGD([param], lr=lr, momentum=momentum, weight_decay=weight_decay)
    param.grad = grad
    optimizer.step()
    return param
""",
        expect="fail",
        message=r"torch\.optim\.SGD is not allowed in this exercise",
        select="test_sgd_matches_torch",
    ),
    # --- correct alternatives: all must pass ------------------------------------------------
    Variant(
        "functional-textbook-forms",  # new tensors everywhere; m_hat / (sqrt(v_hat) + eps)
        _adam_variant()
        + """
def sgd_step(param, grad, state, *, lr, momentum=0.0, weight_decay=0.0):
    g = grad + weight_decay * param
    if momentum:
        previous = state.get("buf")
        g = g if previous is None else momentum * previous + g
        state["buf"] = g
    return param - lr * g
""",
        expect="pass",
    ),
    Variant(
        "in-place-torch-form-with-tensor-step",  # torch's algebra, lerp_, step as a 0-d tensor
        """
def adam_step(param, grad, state, *, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0):
    beta1, beta2 = betas
    if weight_decay:
        grad = grad.add(param, alpha=weight_decay)
    if "step" not in state:
        state["step"] = torch.zeros((), dtype=param.dtype, device=param.device)
        state["m"] = torch.zeros_like(param)
        state["v"] = torch.zeros_like(param)
    state["step"] += 1
    step, m, v = state["step"], state["m"], state["v"]
    m.lerp_(grad, 1 - beta1)
    v.mul_(beta2).addcmul_(grad, grad, value=1 - beta2)
    bias_correction1 = 1 - beta1**step
    bias_correction2_sqrt = (1 - beta2**step).sqrt()
    denominator = (v.sqrt() / bias_correction2_sqrt).add_(eps)
    param.sub_(lr / bias_correction1 * m / denominator)
    return param
""",
        expect="pass",
    ),
    Variant(
        "sgd-buffer-starts-at-zero",  # zeros, then momentum * buf + g: the same as a copy of g
        """
def sgd_step(param, grad, state, *, lr, momentum=0.0, weight_decay=0.0):
    g = grad.add(param, alpha=weight_decay)
    if momentum != 0:
        buf = state.setdefault("momentum", torch.zeros_like(param))
        buf.mul_(momentum).add_(g)
        g = buf
    param.sub_(lr * g)
    return param
""",
        expect="pass",
    ),
    # --- hints name the mistake a test isolates, or only what it checked -----------------------
    Variant(
        "adam-eps-inside-sqrt-meets-the-decay-test",  # not a decay mistake: no AdamW hint
        _adam_variant(eps_in_sqrt="True"),
        expect="fail",
        message=r"weight_decay=.*values differ.*Hint: your adam_step already differs from "
        r"torch\.optim without weight decay",
        select="weight_decay_is_l2",
    ),
    Variant(
        "sgd-momentum-as-average-meets-the-state-test",  # not shared state: no such hint
        _SGD_MOMENTUM_AS_AVERAGE,
        expect="fail",
        message=r"for parameter A at its step 2.*Hint: your sgd_step already differs from "
        r"torch\.optim for one parameter",
        select="own_state",
    ),
]
