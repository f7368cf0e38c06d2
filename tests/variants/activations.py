from variants import Variant

VARIANTS = [
    Variant(
        "sigmoid-exp-over-one-plus-exp",
        """
def sigmoid(x):
    return torch.exp(x) / (1 + torch.exp(x))
""",
        expect="fail",
        message=r"sigmoid\(x\): returned nan .*expected the finite value",
        select="sigmoid",
    ),
    Variant(
        "sigmoid-grad-of-the-output",  # applies s(1-s) to x itself, as if x were sigmoid's output
        """
def sigmoid_grad(x):
    return x * (1 - x)
""",
        expect="fail",
        message=r"sigmoid_grad\(x\): .*Hint: sigmoid_grad takes the pre-activation",
        select="sigmoid_grad",
    ),
    Variant(
        "softmax-without-max-shift",
        """
def softmax(x, dim=-1):
    e = torch.exp(x)
    return e / e.sum(dim=dim, keepdim=True)
""",
        expect="fail",
        message=r"softmax\(x, dim=.*\): returned nan.*Hint: subtract the maximum",
        select="softmax and not log_softmax",
    ),
    Variant(
        "softmax-normalized-over-the-wrong-dim",
        """
def softmax(x, dim=-1):
    e = torch.exp(x - x.amax(dim=dim, keepdim=True))
    return e / e.sum()
""",
        expect="fail",
        message=r"softmax\(x, dim=.*\): values differ",
        select="softmax and not log_softmax",
    ),
    Variant(
        "log-of-softmax",
        """
def log_softmax(x, dim=-1):
    return torch.log(softmax(x, dim=dim))
""",
        expect="fail",
        message=r"log_softmax\(x.*returned -inf.*Hint: .*log\(softmax\(x\)\)",
        select="log_softmax",
    ),
    Variant(
        "softmax-in-place-on-the-input",
        """
def softmax(x, dim=-1):
    x -= x.amax(dim=dim, keepdim=True)
    x.exp_()
    return x / x.sum(dim=dim, keepdim=True)
""",
        expect="fail",
        message=r"softmax\(x\) changed its input",
        select="softmax",
    ),
    Variant(
        "softmax-calls-torch",
        """
def softmax(x, dim=-1):
    return torch.softmax(x, dim)
""",
        expect="fail",
        message=r"torch\.softmax is not allowed in this exercise",
        select="softmax and not log_softmax",
    ),
    Variant(
        "relu-calls-functional-imported-by-name",
        """
from torch.nn.functional import relu as _relu

def relu(x):
    return _relu(x)
""",
        expect="fail",
        message=r"torch\.nn\.functional\.relu is not allowed",
        select="relu and not grad",
    ),
    Variant(
        "relu-grad-one-at-zero",
        """
def relu_grad(x):
    return (x >= 0).to(x.dtype)
""",
        expect="fail",
        message=r"relu_grad\(x\): values differ",
        select="relu_grad",
    ),
    Variant(
        "relu-grad-returns-bool",
        """
def relu_grad(x):
    return x > 0
""",
        expect="fail",
        message=r"relu_grad\(x\): returned dtype torch.bool, expected torch.float.*Hint: a "
        r"comparison \(x > 0\) gives a bool tensor",
        select="relu_grad",
    ),
    Variant(
        "relu-constant-on-cpu",  # breaks on any other device; meta shows it without a GPU
        """
def relu(x):
    return torch.maximum(x, torch.zeros(x.shape, dtype=x.dtype))
""",
        expect="fail",
        message=r"meta",
        select="relu and not grad",
    ),
    # Correct alternatives, written differently: all must pass.
    Variant(
        "sigmoid-textbook-form",  # 1 / (1 + exp(-x)): exp(1e4) = inf and 1 / inf = 0, still right
        """
def sigmoid(x):
    return 1 / (1 + torch.exp(-x))

def sigmoid_grad(x):
    s = sigmoid(x)
    return s * (1 - s)
""",
        expect="pass",
    ),
    Variant(
        "sigmoid-piecewise-with-where",  # never exponentiates a positive number
        """
def sigmoid(x):
    e = torch.exp(-x.abs())
    return torch.where(x >= 0, 1 / (1 + e), e / (1 + e))

def relu(x):
    return torch.where(x > 0, x, torch.zeros_like(x))
""",
        expect="pass",
    ),
    Variant(
        "relu-clamp-and-mask",
        """
def relu(x):
    return x.clamp(min=0)

def relu_grad(x):
    return torch.where(x > 0, torch.ones_like(x), torch.zeros_like(x))
""",
        expect="pass",
    ),
    Variant(
        "softmax-from-log-softmax-in-place",
        """
def log_softmax(x, dim=-1):
    m = x.max(dim=dim, keepdim=True).values
    shifted = x - m
    return shifted - shifted.exp().sum(dim=dim, keepdim=True).log()

def softmax(x, dim=-1):
    out = log_softmax(x, dim)
    out.exp_()
    return out
""",
        expect="pass",
    ),
    Variant(
        # Boolean-mask indexing runs on CPU and CUDA; the meta device cannot run it (x[mask]
        # needs nonzero), which is not the student's mistake: those tests are not counted.
        "sigmoid-boolean-mask-assignment",
        """
def sigmoid(x):
    out = torch.empty_like(x)
    positive = x >= 0
    out[positive] = 1 / (1 + torch.exp(-x[positive]))
    e = torch.exp(x[~positive])
    out[~positive] = e / (1 + e)
    return out
""",
        expect="pass",
        select="sigmoid",
    ),
    Variant(
        # x - logsumexp(x): off by an ulp of max|x| (float32 at |x| ~ 2000: ~1e-4), which is
        # the dtype's precision at that magnitude, not a mistake.
        "log-softmax-textbook-logsumexp",
        """
def log_softmax(x, dim=-1):
    m = x.max(dim=dim, keepdim=True).values
    return x - (m + (x - m).exp().sum(dim=dim, keepdim=True).log())
""",
        expect="pass",
        select="log_softmax",
    ),
]
