from variants import Variant

# The reference's loop with one part changed, for the numerical_gradient mistakes below.
LOOP = """
def numerical_gradient(f, x, *, eps=1e-6):
    gradient = torch.empty_like(x)
    for index in itertools.product(*(range(size) for size in x.shape)):
        original = x[index].clone()
{body}
    return gradient
"""
REFERENCE_BODY = """\
        try:
            x[index] = original + eps
            above = float(f(x))
            x[index] = original - eps
            below = float(f(x))
        finally:
            x[index] = original
        gradient[index] = (above - below) / (2 * eps)"""


def loop(body=REFERENCE_BODY):
    return LOOP.format(body=body)


VARIANTS = [
    # --- numerical_gradient: classic mistakes ---------------------------------------------------
    Variant(
        "forward-difference",
        loop("""\
        base = float(f(x))
        try:
            x[index] = original + eps
            above = float(f(x))
        finally:
            x[index] = original
        gradient[index] = (above - base) / eps"""),
        expect="fail",
        message=r"Hint: that is the forward difference \(f\(x \+ eps\) - f\(x\)\) / eps",
        select="eps_1e_3",
    ),
    Variant(
        "divided-by-eps-not-two-eps",
        loop(REFERENCE_BODY.replace("/ (2 * eps)", "/ eps")),
        expect="fail",
        message=r"Hint: twice the derivative: the two values are 2 eps apart",
    ),
    Variant(
        "eps-argument-ignored",  # a fixed step of its own
        loop(REFERENCE_BODY.replace("eps", "1e-5")),
        expect="fail",
        message=r"numerical_gradient\(sum_of_cubes, x, eps=0\.1\).*with the eps given",
        select="cubic",
    ),
    Variant(
        "restored-by-subtracting-eps",  # x + eps - 2 eps + eps is not always x
        loop("""\
        x[index] += eps
        above = float(f(x))
        x[index] -= 2 * eps
        below = float(f(x))
        x[index] += eps
        gradient[index] = (above - below) / (2 * eps)"""),
        expect="fail",
        message=r"x changed: \d+ of its 30 entries differ afterwards.*Hint: save each entry's "
        r"value before perturbing it",
        select="original_values",
    ),
    Variant(
        "last-perturbation-left-in-x",  # the classic loop that forgets to put x back
        loop("""\
        x[index] = original + eps
        above = float(f(x))
        x[index] = original - eps
        below = float(f(x))
        gradient[index] = (above - below) / (2 * eps)"""),
        expect="fail",
        message=r"x changed: 30 of its 30 entries differ",
        select="original_values",
    ),
    Variant(
        "not-restored-when-f-raises",  # restored after both calls, but not in a finally block
        loop("""\
        x[index] = original + eps
        above = float(f(x))
        x[index] = original - eps
        below = float(f(x))
        x[index] = original
        gradient[index] = (above - below) / (2 * eps)"""),
        expect="fail",
        message=r"f raised and x was left changed.*Hint: restore the entry in a finally block",
        select="when_f_raises",
    ),
    Variant(
        "keeps-the-view-f-returns",  # above and below both read x[k] after it is restored
        loop("""\
        try:
            x[index] = original + eps
            above = f(x)
            x[index] = original - eps
            below = f(x)
        finally:
            x[index] = original
        gradient[index] = (above - below) / (2 * eps)"""),
        expect="fail",
        message=r"Hint: f returned a view of x, and you kept it",
        select="view_of_x",
    ),
    Variant(
        "item-of-f-fails-on-a-float",
        loop(REFERENCE_BODY.replace("float(f(x))", "f(x).item()")),
        expect="fail",
        message=r"AttributeError|'float' object has no attribute 'item'",
        select="python_float",
    ),
    Variant(
        "exception-of-f-swallowed",
        loop("""\
        try:
            x[index] = original + eps
            above = float(f(x))
            x[index] = original - eps
            below = float(f(x))
        except Exception:
            above = below = 0.0
        finally:
            x[index] = original
        gradient[index] = (above - below) / (2 * eps)"""),
        expect="fail",
        message=r"returned .* instead of raising f's ValueError.*do not catch it",
        select="when_f_raises",
    ),
    Variant(
        "gradient-by-autograd",
        """
def numerical_gradient(f, x, *, eps=1e-6):
    leaf = x.detach().clone().requires_grad_(True)
    return torch.autograd.grad(f(leaf), leaf)[0]
""",
        expect="fail",
        message=r"requires_grad_ is not allowed",
        select="default_eps",
    ),
    # --- relative_error: classic mistakes -------------------------------------------------------
    Variant(
        "relative-error-without-the-floor",  # 0 / 0 = NaN where both entries are 0
        """
def relative_error(a, b):
    return ((a - b).abs() / (a.abs() + b.abs())).max().item()
""",
        expect="fail",
        message=r"returned nan, expected 0\.0.*Hint: divide by max\(\|a\| \+ \|b\|, 1e-12\)",
        select="floor",
    ),
    Variant(
        "relative-error-floor-1e-8",  # another course's constant: tiny entries then count as 0
        """
def relative_error(a, b):
    return ((a - b).abs() / (a.abs() + b.abs()).clamp(min=1e-8)).max().item()
""",
        expect="fail",
        message=r"returned 2e-06, expected 0\.02.*Hint: divide by max\(\|a\| \+ \|b\|, 1e-12\)",
        select="floor",
    ),
    Variant(
        "relative-error-max-difference-over-max-value",
        """
def relative_error(a, b):
    return ((a - b).abs().max() / a.abs().max().clamp(min=1e-12)).item()
""",
        expect="fail",
        message=r"relative_error\(a, b\).*Hint: the maximum over entries of \|a - b\| / "
        r"max\(\|a\| \+ \|b\|, 1e-12\): entrywise",
        select="relative_error_values",
    ),
    Variant(
        "relative-error-norm-form",
        """
def relative_error(a, b):
    return (torch.linalg.vector_norm(a - b)
            / max(torch.linalg.vector_norm(a) + torch.linalg.vector_norm(b), 1e-12)).item()
""",
        expect="fail",
        message=r"Hint: the maximum over entries of .*not norms",
        select="relative_error",
    ),
    Variant(
        "relative-error-returns-a-tensor",
        """
def relative_error(a, b):
    return ((a - b).abs() / (a.abs() + b.abs()).clamp(min=1e-12)).max()
""",
        expect="fail",
        message=r"expected a Python float",
        select="relative_error_values",
    ),
    # --- numerical_gradient: layouts (a transposed or stepped x is not contiguous) ----------
    Variant(
        "clone-then-reshape-writes-into-a-copy",
        """
def numerical_gradient(f, x, *, eps=1e-6):
    work = x.clone()  # keeps x's strides
    flat = work.reshape(-1)  # a copy when work is not contiguous: f never sees the changes
    gradient = torch.empty(x.numel(), dtype=x.dtype, device=x.device)
    for i in range(flat.numel()):
        saved = flat[i].item()
        flat[i] = saved + eps
        above = float(f(work))
        flat[i] = saved - eps
        below = float(f(work))
        flat[i] = saved
        gradient[i] = (above - below) / (2 * eps)
    return gradient.reshape(x.shape)
""",
        expect="fail",
        message=r"x here is a transposed view.*reshaped copy",
        select="any_layout",
    ),
    Variant(
        "view-of-a-non-contiguous-x",
        """
def numerical_gradient(f, x, *, eps=1e-6):
    flat = x.view(-1)  # fails for a transposed x: view needs contiguous memory
    gradient = torch.empty(x.numel(), dtype=x.dtype, device=x.device)
    for i in range(flat.numel()):
        saved = flat[i].item()
        try:
            flat[i] = saved + eps
            above = float(f(x))
            flat[i] = saved - eps
            below = float(f(x))
        finally:
            flat[i] = saved
        gradient[i] = (above - below) / (2 * eps)
    return gradient.reshape(x.shape)
""",
        expect="fail",
        message=r"x here is a (transposed|sliced with a step) view",
        select="any_layout",
    ),
    # --- correct alternatives: all must pass ----------------------------------------------------
    Variant(
        "perturbs-a-clone-never-touches-x",
        """
def numerical_gradient(f, x, *, eps=1e-6):
    work = x.clone(memory_format=torch.contiguous_format)  # x may be a transposed view
    flat = work.view(-1)
    gradient = torch.zeros(x.numel(), dtype=torch.float64)
    for i in range(flat.numel()):
        saved = flat[i].item()
        flat[i] = saved + eps
        value = f(work)
        above = value.item() if isinstance(value, torch.Tensor) else float(value)
        flat[i] = saved - eps
        value = f(work)
        below = value.item() if isinstance(value, torch.Tensor) else float(value)
        flat[i] = saved
        gradient[i] = (above - below) / (2 * eps)
    return gradient.reshape(x.shape).to(dtype=x.dtype, device=x.device)
""",
        expect="pass",
    ),
    Variant(
        "fresh-shifted-tensors-divided-by-the-step-taken",
        """
def numerical_gradient(f, x, *, eps=1e-6):
    gradient = torch.zeros_like(x)
    for i in range(x.numel()):
        index = torch.unravel_index(torch.tensor(i), x.shape)
        step = torch.zeros_like(x)
        step[index] = eps
        plus, minus = x + step, x - step
        delta = (plus[index] - minus[index]).item()  # the 2 eps actually taken after rounding
        gradient[index] = (float(f(plus)) - float(f(minus))) / delta
    return gradient
""",
        expect="pass",
    ),
    Variant(
        "flat-view-saved-value-and-finally",
        """
def numerical_gradient(f, x, *, eps=1e-6):
    target = x if x.is_contiguous() else x.contiguous()  # a view(-1) needs contiguous memory
    flat = target.view(-1)
    values = []
    for i in range(flat.numel()):
        saved = flat[i].item()
        pair = []
        try:
            for sign in (1, -1):
                flat[i] = saved + sign * eps
                result = f(target)
                pair.append(torch.as_tensor(result, dtype=torch.float64).clone())
        finally:
            flat[i] = saved
        values.append((pair[0] - pair[1]) / (2 * eps))
    return torch.stack(values).reshape(x.shape).to(x)

def relative_error(a, b):
    a, b = a.double(), b.double()
    scale = torch.maximum(a.abs() + b.abs(), torch.full_like(a, 1e-12))
    return float(torch.max(torch.abs(a - b) / scale))
""",
        expect="pass",
    ),
    Variant(
        "relative-error-with-where",
        """
def relative_error(a, b):
    total = a.abs() + b.abs()
    ratio = torch.where(total > 1e-12, (a - b).abs() / total, (a - b).abs() / 1e-12)
    return max(ratio.reshape(-1).tolist())
""",
        expect="pass",
    ),
]
