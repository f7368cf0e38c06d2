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

# SGD worked on param flattened with reshape, finished by {finish}: a copy for a non-contiguous
# param, so an update written into it in place never reaches param.
_FLAT_SGD = """
def sgd_step(param, grad, state, *, lr, momentum=0.0, weight_decay=0.0, nesterov=False):
    if nesterov and momentum <= 0:
        raise ValueError("nesterov needs momentum")
    flat = param.reshape(-1)
    g = grad.reshape(-1) + weight_decay * flat
    if momentum:
        buf = state["buf"] = momentum * state["buf"] + g if "buf" in state else g.clone()
        g = g + momentum * buf if nesterov else buf
    {finish}
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


# Nesterov's look-ahead applied to the parameter: the momentum step, then the parameter moved
# again by lr * momentum * buf. Right at step 1 ((1 + momentum) * g), wrong from step 2 on.
_SGD_NESTEROV_ON_THE_PARAMETER = """
def sgd_step(param, grad, state, *, lr, momentum=0.0, weight_decay=0.0, nesterov=False):
    if nesterov and momentum <= 0:
        raise ValueError("nesterov needs momentum")
    g = grad + weight_decay * param
    if not momentum:
        return param - lr * g
    buf = state.get("buf")
    buf = g.clone() if buf is None else momentum * buf + g
    state["buf"] = buf
    param = param - lr * buf
    if nesterov:
        param = param - lr * momentum * buf  # the look-ahead, on the parameter
    return param
"""

# A correct AdaGrad, written the textbook way, with one part to vary.
_ADAGRAD = """
def adagrad_step(param, grad, state, *, lr=1e-2, eps=1e-10, weight_decay=0.0):
    g = grad + weight_decay * param
    if {in_place}:
        s = state.setdefault("s", ({zeros})(param))
        s.mul_({keep}).add_({accumulate})
    else:
        s = {keep} * state.get("s", ({zeros})(param)) + {accumulate}
        if {store}:
            state["s"] = s
    return param - lr * g / ({denominator})
"""


def _adagrad_variant(**options: str) -> str:
    defaults = {"in_place": "False", "zeros": "torch.zeros_like", "keep": "1.0",
                "accumulate": "g * g", "store": "True", "denominator": "torch.sqrt(s) + eps"}  # fmt: skip
    return _ADAGRAD.format(**{**defaults, **options})


# A correct RMSProp (not centered), written the textbook way, with one part to vary.
_RMSPROP = """
_SHARED_RMSPROP = {{}}

def rmsprop_step(param, grad, state, *, lr=1e-2, alpha=0.99, eps=1e-8, weight_decay=0.0,
                 momentum=0.0):
    store = _SHARED_RMSPROP if {shared} else state
    g = grad + weight_decay * param
    store["t"] = t = store.get("t", 0) + 1
    v = store.get("v", torch.zeros_like(param))
    store["v"] = v = {average}
    if {correct}:
        v = v / (1 - alpha**t)
    denominator = {denominator}
    if momentum > 0:
        buf = store.get("buf", torch.zeros_like(param))
        if {raw_momentum}:
            store["buf"] = buf = momentum * buf + g
            return param - lr * buf / denominator
        store["buf"] = buf = momentum * buf + g / denominator
        return param - lr * buf
    return param - lr * g / denominator
"""


def _rmsprop_variant(**options: str) -> str:
    defaults = {"shared": "False", "average": "alpha * v + (1 - alpha) * g * g",
                "correct": "False", "denominator": "torch.sqrt(v) + eps",
                "raw_momentum": "False"}  # fmt: skip
    return _RMSPROP.format(**{**defaults, **options})


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
        message=r"adam_step\(.*values differ for the starting param: torch\.float64.*Hint: "
        r"state\['[mv]'\] is a torch\.float32 tensor",
        select="test_adam_matches_torch and float64",
    ),
    Variant(
        "adam-step-counter-a-float32-tensor",  # torch.optim's own habit: beta ** t in float32
        """
def adam_step(param, grad, state, *, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0):
    beta1, beta2 = betas
    g = grad + weight_decay * param
    if not state:
        state.update(step=torch.tensor(0.0), m=torch.zeros_like(param), v=torch.zeros_like(param))
    state["step"] += 1
    t = state["step"]
    state["m"] = beta1 * state["m"] + (1 - beta1) * g
    state["v"] = beta2 * state["v"] + (1 - beta2) * g * g
    m_hat = state["m"] / (1 - beta1**t)
    v_hat = state["v"] / (1 - beta2**t)
    return param - lr * m_hat / (v_hat.sqrt() + eps)
""",
        expect="fail",
        message=r"adam_step\(.*\) at step 1 of \d+: values differ.*Hint: state\['step'\] is "
        r"a torch\.float32 tensor while param is torch\.float64.*keep it a Python int",
        select="test_adam_matches_torch and float64",
    ),
    Variant(
        "sgd-through-a-flat-view",  # param.view(-1): fails on a transposed or sliced param
        """
def sgd_step(param, grad, state, *, lr, momentum=0.0, weight_decay=0.0, nesterov=False):
    if nesterov and momentum <= 0:
        raise ValueError("nesterov needs momentum")
    flat, g = param.view(-1), grad.reshape(-1) + weight_decay * param.view(-1)
    if momentum:
        buf = state["buf"] = momentum * state["buf"] + g if "buf" in state else g.clone()
        g = g + momentum * buf if nesterov else buf
    flat -= lr * g
    return param
""",
        expect="fail",
        message=r"sgd_step\(.*\) with param .* (transposed|sliced with a step) views.*raised "
        r"RuntimeError.*Hint: param here is a \1 view of another tensor.*param\.view\(\.\.\.\) "
        r"fails on it",
        select="any_layout",
    ),
    Variant(
        "sgd-into-a-reshaped-copy",  # param.reshape(-1) is a copy for a non-contiguous param
        _FLAT_SGD.format(finish="flat.sub_(lr * g)\n    return param"),
        expect="fail",
        message=r"sgd_step\(.*\) at step 1 of 5: values differ.*Hint: param here is a "
        r"(transposed|sliced with a step) view.*is a copy, so what you write into that never "
        r"reaches param",
        select="any_layout",
    ),
    Variant(
        "sgd-flat-steps-on-a-flat-copy",  # correct: reshape to work flat, reshape back
        _FLAT_SGD.format(finish="return (flat - lr * g).reshape(param.shape)"),
        expect="pass",
        select="sgd",
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
    # --- SGD with Nesterov momentum -------------------------------------------------------------
    Variant(
        "sgd-nesterov-look-ahead-on-the-parameter",  # momentum step, then param moved again
        _SGD_NESTEROV_ON_THE_PARAMETER,
        expect="fail",
        message=r"sgd_step\(.*nesterov=True\) at step 2 of .*Hint: step 1 matched.*moving it "
        r"again by lr \* momentum \* buf \(the textbook look-ahead applied to the parameter\)",
        select="nesterov_looks_ahead",
    ),
    Variant(
        "sgd-nesterov-look-ahead-on-the-parameter-general",  # the torch comparison says it too
        _SGD_NESTEROV_ON_THE_PARAMETER,
        expect="fail",
        message=r"sgd_step\(.*nesterov=True\) at step 2 of 30.*Hint: step 1 matched.*the "
        r"look-ahead taken through the gradient",
        select="test_sgd_nesterov_matches_torch",
    ),
    Variant(
        "sgd-nesterov-with-the-old-buffer",  # g + momentum * buf before buf is updated
        """
def sgd_step(param, grad, state, *, lr, momentum=0.0, weight_decay=0.0, nesterov=False):
    if nesterov and momentum <= 0:
        raise ValueError("nesterov needs momentum")
    g = grad + weight_decay * param
    if momentum:
        previous = state.get("buf", torch.zeros_like(param))
        state["buf"] = momentum * previous + g
        g = g + momentum * previous if nesterov else state["buf"]
    return param - lr * g
""",
        expect="fail",
        message=r"sgd_step\(.*nesterov=True\) at step 1 of .*Hint: with nesterov=True step 1 is "
        r"param - lr \* \(1 \+ momentum\) \* g",
        select="nesterov_looks_ahead",
    ),
    Variant(
        "sgd-nesterov-ignored",  # classical momentum whatever nesterov says
        """
def sgd_step(param, grad, state, *, lr, momentum=0.0, weight_decay=0.0, nesterov=False):
    if nesterov and momentum <= 0:
        raise ValueError("nesterov needs momentum")
    g = grad + weight_decay * param
    if momentum:
        previous = state.get("buf")
        g = g if previous is None else momentum * previous + g
        state["buf"] = g
    return param - lr * g
""",
        expect="fail",
        message=r"sgd_step\(.*nesterov=True\) at step 1 of .*Hint: with nesterov=True step 1 is",
        select="test_sgd_nesterov_matches_torch",
    ),
    Variant(
        "sgd-nesterov-without-momentum-accepted",  # no check: plain SGD
        """
def sgd_step(param, grad, state, *, lr, momentum=0.0, weight_decay=0.0, nesterov=False):
    g = grad + weight_decay * param
    if momentum:
        buf = state["buf"] = momentum * state["buf"] + g if "buf" in state else g.clone()
        g = g + momentum * buf if nesterov else buf
    return param - lr * g
""",
        expect="fail",
        message=r"sgd_step\(.*nesterov=True\): returned a result instead of "
        r"raising ValueError",
        select="without_momentum_raises",
    ),
    Variant(
        "sgd-nesterov-meets-a-wrong-momentum",  # not a Nesterov mistake: no Nesterov hint
        """
def sgd_step(param, grad, state, *, lr, momentum=0.0, weight_decay=0.0, nesterov=False):
    g = grad + weight_decay * param
    if momentum:
        buf = state.get("buf")
        buf = g.clone() if buf is None else momentum * buf + (1 - momentum) * g
        state["buf"] = buf
        g = g + momentum * buf if nesterov else buf
    return param - lr * g
""",
        expect="fail",
        message=r"nesterov=True\) at step 2 of .*Hint: your sgd_step already differs from "
        r"torch\.optim without nesterov",
        select="nesterov_looks_ahead",
    ),
    # --- AdaGrad --------------------------------------------------------------------------------
    Variant(
        "adagrad-eps-inside-sqrt",
        _adagrad_variant(denominator="torch.sqrt(s + eps)"),
        expect="fail",
        message=r"adagrad_step\(.*values differ.*Hint: the denominator is sqrt\(s\) \+ eps: eps "
        r"is added after the square root",
        select="adagrad and eps_is_added",
    ),
    Variant(
        "adagrad-without-eps",  # 0 / 0 where a gradient entry has always been 0
        _adagrad_variant(denominator="torch.sqrt(s)"),
        expect="fail",
        message=r"adagrad_step\(.*returned nan .*expected the finite value.*Hint: the "
        r"denominator is sqrt\(s\) \+ eps",
        select="adagrad and eps_is_added",
    ),
    Variant(
        "adagrad-accumulates-the-gradient-not-its-square",
        _adagrad_variant(accumulate="g"),
        expect="fail",
        message=r"adagrad_step\(.*\) at step 1 of .*returned nan .*Hint: s is the running sum of "
        r"squared gradients",
        select="adagrad and accumulates_squared",
    ),
    Variant(
        "adagrad-accumulates-the-gradient-not-its-square-general",
        _adagrad_variant(accumulate="g"),
        expect="fail",
        message=r"adagrad_step\(.*\) at step 1 of 30.*Hint: at step 1 the accumulator is s = g \* "
        r"g.*accumulate the square of the gradient",
        select="test_adagrad_matches_torch",
    ),
    Variant(
        "adagrad-decaying-sum",  # s = 0.9 * s + g * g: old squares fade, not AdaGrad
        _adagrad_variant(keep="0.9"),
        expect="fail",
        message=r"adagrad_step\(.*\) at step \d+ of .*Hint: s is the running sum of squared "
        r"gradients",
        select="adagrad and accumulates_squared",
    ),
    Variant(
        "adagrad-accumulator-not-kept",  # s starts afresh at every call: s = g * g
        _adagrad_variant(store="False"),
        expect="fail",
        message=r"adagrad_step\(.*\) at step 2 of .*Hint: step 1 matched.*s is the sum of \*all\* "
        r"squared gradients so far",
        select="test_adagrad_matches_torch",
    ),
    Variant(
        "adagrad-accumulator-in-a-module-variable",  # one sum for every parameter
        """
_SUM = {}

def adagrad_step(param, grad, state, *, lr=1e-2, eps=1e-10, weight_decay=0.0):
    g = grad + weight_decay * param
    _SUM["s"] = _SUM.get("s", torch.zeros_like(param)) + g * g
    return param - lr * g / (_SUM["s"].sqrt() + eps)
""",
        expect="fail",
        message=r"adagrad_step\(.*\) for parameter B at its step 1.*Hint: keep everything .* in "
        r"the state dict",
        select="own_state and adagrad",
    ),
    Variant(
        "adagrad-accumulator-in-float32",  # torch.zeros(shape, device=...) without dtype=
        _adagrad_variant(zeros="lambda p: torch.zeros(p.shape, device=p.device)", in_place="True"),
        expect="fail",
        message=r"adagrad_step\(.*\) at step 1: state\['s'\] has dtype torch\.float32, "
        r"expected torch\.float64 like param",
        select="follow_param and adagrad and meta",
    ),
    Variant(
        "adagrad-calls-torch-functional",
        """
from torch.optim.adagrad import adagrad as _torch_adagrad

def adagrad_step(param, grad, state, *, lr=1e-2, eps=1e-10, weight_decay=0.0):
    if not state:
        state.update(sum=torch.zeros_like(param), step=torch.tensor(0.0))
    _torch_adagrad([param], [grad], [state["sum"]], [state["step"]], lr=lr,
                   weight_decay=weight_decay, lr_decay=0.0, eps=eps, maximize=False,
                   foreach=False)
    return param
""",
        expect="fail",
        message=r"torch\.optim\.adagrad\.adagrad is not allowed in this exercise",
        select="test_adagrad_matches_torch",
    ),
    # --- RMSProp --------------------------------------------------------------------------------
    Variant(
        "rmsprop-eps-inside-sqrt",
        _rmsprop_variant(denominator="torch.sqrt(v + eps)"),
        expect="fail",
        message=r"rmsprop_step\(.*values differ.*Hint: the denominator is sqrt\(v\) \+ eps: eps "
        r"is added after the square root",
        select="rmsprop and eps_is_added",
    ),
    Variant(
        "rmsprop-alpha-on-the-wrong-term",  # v = (1 - alpha) * v + alpha * g * g
        _rmsprop_variant(average="(1 - alpha) * v + alpha * g * g"),
        expect="fail",
        message=r"rmsprop_step\(.*\) at step 1 of .*Hint: v = alpha \* v \+ \(1 - alpha\) \* g "
        r"\* g.*alpha weighs the old average and 1 - alpha the new square, not the other way",
        select="rmsprop and running_average",
    ),
    Variant(
        "rmsprop-alpha-on-the-wrong-term-general",
        _rmsprop_variant(average="(1 - alpha) * v + alpha * g * g"),
        expect="fail",
        message=r"rmsprop_step\(.*\) at step 1 of 30.*Hint: at step 1 v = \(1 - alpha\) \* g \* "
        r"g.*\(1 - alpha\) multiplies the new squared gradient",
        select="test_rmsprop_matches_torch",
    ),
    Variant(
        "rmsprop-with-bias-correction",  # Adam's v_hat = v / (1 - alpha**t)
        _rmsprop_variant(correct="True"),
        expect="fail",
        message=r"rmsprop_step\(.*\) at step 1 of .*Hint: .*RMSProp has no bias correction",
        select="rmsprop and running_average",
    ),
    Variant(
        "rmsprop-momentum-on-the-raw-gradient",  # buf = momentum * buf + g, then / sqrt(v)
        _rmsprop_variant(raw_momentum="True"),
        expect="fail",
        message=r"rmsprop_step\(.*momentum=0\.5\) at step 2 of 10.*Hint: with momentum > 0, buf = "
        r"momentum \* buf \+ g / \(sqrt\(v\) \+ eps\).*agrees at step 1 only",
        select="momentum_accumulates_scaled",
    ),
    Variant(
        "rmsprop-average-in-a-module-variable",  # one average for every parameter
        _rmsprop_variant(shared="True"),
        expect="fail",
        message=r"rmsprop_step\(.*\) for parameter B at its step 1.*Hint: keep everything .* in "
        r"the state dict",
        select="own_state and rmsprop",
    ),
    Variant(
        "rmsprop-eps-inside-sqrt-meets-the-momentum-test",  # not a momentum mistake
        _rmsprop_variant(denominator="torch.sqrt(v + eps)"),
        expect="fail",
        message=r"momentum=0\.5\) at step 1 of 10.*Hint: your rmsprop_step already differs from "
        r"torch\.optim without momentum",
        select="momentum_accumulates_scaled",
    ),
    # --- AdamW ----------------------------------------------------------------------------------
    Variant(
        "adamw-decay-in-the-gradient",  # Adam with L2, not AdamW
        _ADAM
        + """
def adamw_step(param, grad, state, *, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2):
    return _adam(param, grad, state, lr, betas, eps, weight_decay)
""",
        expect="fail",
        message=r"adamw_step\(.*weight_decay=0\.1\) at step 1 of 10.*Hint: AdamW's decay is "
        r"decoupled from the gradient.*Adding weight_decay \* param to the gradient \(Adam with L2",
        select="weight_decay_is_decoupled",
    ),
    Variant(
        "adamw-decay-in-the-gradient-general",
        _ADAM
        + """
def adamw_step(param, grad, state, *, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2):
    return _adam(param, grad, state, lr, betas, eps, weight_decay)
""",
        expect="fail",
        message=r"adamw_step\(.*\) at step 1 of 30.*Hint: at step 1 Adam's m_hat / sqrt\(v_hat\)"
        r".*keep the decay out of the gradient, m and v \(that is Adam with L2\)",
        select="test_adamw_matches_torch",
    ),
    Variant(
        "adamw-decay-after-the-update",  # shrinks the updated parameter: lr**2 * wd off per step
        _ADAM
        + """
def adamw_step(param, grad, state, *, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2):
    stepped = _adam(param, grad, state, lr, betas, eps, 0.0)
    return stepped * (1 - lr * weight_decay)
""",
        expect="fail",
        message=r"adamw_step\(.*weight_decay=0\.1\) at step 1 of 10.*Hint: AdamW's decay is "
        r"decoupled.*shrinking the parameter after the Adam update instead of before",
        select="weight_decay_is_decoupled",
    ),
    Variant(
        "adamw-decay-without-lr",  # param * (1 - weight_decay)
        _ADAM
        + """
def adamw_step(param, grad, state, *, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2):
    return _adam(param * (1 - weight_decay), grad, state, lr, betas, eps, 0.0)
""",
        expect="fail",
        message=r"adamw_step\(.*weight_decay=0\.1\) at step 1 of 10.*Hint: AdamW's decay is "
        r"decoupled.*leaving lr out of the factor",
        select="weight_decay_is_decoupled",
    ),
    Variant(
        "adamw-decay-without-lr-constant-gradient",  # the closed form catches it too
        _ADAM
        + """
def adamw_step(param, grad, state, *, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2):
    return _adam(param * (1 - weight_decay), grad, state, lr, betas, eps, 0.0)
""",
        expect="fail",
        message=r"adamw_step\(.*\) at step 1 of .*Hint: with a constant gradient g and eps = 0.*"
        r"shrink the parameter as it was before this step by 1 - lr \* weight_decay",
        select="adamw and constant_gradient",
    ),
    Variant(
        "adamw-bias-correction-without-power-t-meets-the-decay-test",  # not a decay mistake
        _ADAM
        + """
def adamw_step(param, grad, state, *, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2):
    return _adam(param * (1 - lr * weight_decay), grad, state, lr, betas, eps, 0.0,
                 t_power=False)
""",
        expect="fail",
        message=r"weight_decay=0\.1\) at step 2 of 10.*Hint: your adamw_step already differs "
        r"from torch\.optim without weight decay",
        select="weight_decay_is_decoupled",
    ),
    Variant(
        "adamw-calls-torch-functional",
        """
from torch.optim.adamw import adamw as _torch_adamw

def adamw_step(param, grad, state, *, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2):
    if not state:
        state.update(m=torch.zeros_like(param), v=torch.zeros_like(param), t=torch.tensor(0.0))
    _torch_adamw([param], [grad], [state["m"]], [state["v"]], [], [state["t"]], foreach=False,
                 capturable=False, differentiable=False, fused=None, grad_scale=None,
                 found_inf=None, has_complex=False, amsgrad=False, beta1=betas[0],
                 beta2=betas[1], lr=lr, weight_decay=weight_decay, eps=eps, maximize=False)
    return param
""",
        expect="fail",
        message=r"torch\.optim\.adamw\.adamw is not allowed in this exercise",
        select="test_adamw_matches_torch",
    ),
    # --- correct alternatives: all must pass ------------------------------------------------
    Variant(
        "functional-textbook-forms",  # new tensors everywhere; m_hat / (sqrt(v_hat) + eps)
        _adam_variant()
        + _adagrad_variant()
        + _rmsprop_variant()
        + """
def sgd_step(param, grad, state, *, lr, momentum=0.0, weight_decay=0.0, nesterov=False):
    if nesterov and momentum <= 0:
        raise ValueError(f"Nesterov momentum needs momentum > 0, got {momentum}")
    g = grad + weight_decay * param
    if momentum:
        previous = state.get("buf")
        buf = g if previous is None else momentum * previous + g
        state["buf"] = buf
        g = g + momentum * buf if nesterov else buf
    return param - lr * g


def adamw_step(param, grad, state, *, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2):
    # the decay from the parameter before this step, subtracted after Adam's step: the same
    return _adam(param, grad, state, lr, betas, eps, 0.0) - lr * weight_decay * param
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
def sgd_step(param, grad, state, *, lr, momentum=0.0, weight_decay=0.0, nesterov=False):
    if nesterov and not momentum > 0:
        raise ValueError("nesterov=True requires momentum > 0")
    g = grad.add(param, alpha=weight_decay)
    if momentum != 0:
        buf = state.setdefault("momentum", torch.zeros_like(param))
        buf.mul_(momentum).add_(g)
        g = g.add(buf, alpha=momentum) if nesterov else buf
    param.sub_(lr * g)
    return param
""",
        expect="pass",
    ),
    Variant(
        "other-forms-of-the-other-optimizers",  # Bengio's Nesterov, torch.where, lerp_, reuse
        """
def sgd_step(param, grad, state, *, lr, momentum=0.0, weight_decay=0.0, nesterov=False):
    if nesterov and momentum <= 0:
        raise ValueError("Nesterov momentum requires a momentum")
    g = grad + weight_decay * param
    if momentum == 0:
        return param.sub_(g, alpha=lr)
    previous = state.get("velocity", torch.zeros_like(param))
    velocity = momentum * previous + g if "velocity" in state else g.clone()
    state["velocity"] = velocity
    if nesterov:  # Bengio et al.'s form: (1 + momentum) * v_new - momentum * v_old
        return param.sub_(lr * ((1 + momentum) * velocity - momentum * previous))
    return param.sub_(lr * velocity)


def adagrad_step(param, grad, state, *, lr=1e-2, eps=1e-10, weight_decay=0.0):
    g = grad.add(param, alpha=weight_decay)
    if "G" not in state:
        state["G"] = torch.zeros_like(param)
        state["step"] = torch.tensor(0.0)  # as torch keeps it: a 0-d float32 tensor on the CPU
    state["step"] += 1
    state["G"].addcmul_(g, g)
    root = state["G"].sqrt()
    # where G is 0 every gradient so far was 0: the step is 0 there
    return param - lr * torch.where(root > 0, g / (root + eps), torch.zeros_like(g))


def rmsprop_step(param, grad, state, *, lr=1e-2, alpha=0.99, eps=1e-8, weight_decay=0.0,
                 momentum=0.0):
    g = grad.add(param, alpha=weight_decay) if weight_decay else grad
    mean_square = state.setdefault("mean_square", torch.zeros_like(param))
    mean_square.lerp_(g * g, 1 - alpha)
    scaled = g / mean_square.sqrt().add(eps)
    if momentum > 0:
        if "buf" in state:
            state["buf"].mul_(momentum).add_(scaled)
        else:
            state["buf"] = scaled.clone()  # momentum * 0 + scaled
        scaled = state["buf"]
    param.sub_(scaled, alpha=lr)
    return param


def adamw_step(param, grad, state, *, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2):
    # the decoupled decay, then this module's own Adam without L2
    return adam_step(param * (1 - lr * weight_decay), grad, state, lr=lr, betas=betas, eps=eps)
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
