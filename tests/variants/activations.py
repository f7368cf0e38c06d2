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
    Variant(
        "tanh-exponential-formula",  # the textbook form: inf / inf = NaN once exp(x) overflows
        """
def tanh(x):
    return (torch.exp(x) - torch.exp(-x)) / (torch.exp(x) + torch.exp(-x))
""",
        expect="fail",
        message=r"tanh\(x\): returned nan .*expected the finite value.*Hint: \(exp\(x\) - "
        r"exp\(-x\)\) / \(exp\(x\) \+ exp\(-x\)\) is inf / inf = NaN",
        select="tanh and not grad",
    ),
    Variant(
        "tanh-one-minus-exp-minus-2x",  # (1 - e^-2x) / (1 + e^-2x): NaN for very negative x
        """
def tanh(x):
    e = torch.exp(-2 * x)
    return (1 - e) / (1 + e)
""",
        expect="fail",
        message=r"tanh\(x\): returned nan .*expected the finite value.*Hint: .*likewise for very "
        r"negative x",
        select="tanh and not grad",
    ),
    Variant(
        "tanh-grad-by-the-exponential-formula",
        """
def tanh_grad(x):
    t = (torch.exp(x) - torch.exp(-x)) / (torch.exp(x) + torch.exp(-x))
    return 1 - t * t
""",
        expect="fail",
        message=r"tanh_grad\(x\): returned nan .*expected the finite value.*Hint: tanh_grad takes "
        r"the pre-activation x.*never from exp\(x\)",
        select="tanh_grad",
    ),
    Variant(
        "tanh-grad-of-the-output",  # 1 - x^2, as if x were tanh's output
        """
def tanh_grad(x):
    return 1 - x * x
""",
        expect="fail",
        message=r"tanh_grad\(x\): values differ.*Hint: tanh_grad takes the pre-activation x",
        select="tanh_grad",
    ),
    Variant(
        "tanh-calls-torch",
        """
def tanh(x):
    return x.tanh()
""",
        expect="fail",
        message=r"torch\.Tensor\.tanh is not allowed in this exercise",
        select="tanh and not grad",
    ),
    Variant(
        "tanh-calls-functional",
        """
import torch.nn.functional as F

def tanh(x):
    return F.tanh(x)
""",
        expect="fail",
        message=r"torch\.nn\.functional\.tanh is not allowed in this exercise",
        select="tanh and not grad",
    ),
    Variant(
        "leaky-relu-as-max",  # max(x, a x): wrong for a > 1
        """
def leaky_relu(x, negative_slope=0.01):
    return torch.maximum(x, negative_slope * x)
""",
        expect="fail",
        message=r"leaky_relu\(x, negative_slope=(1\.5|3\.0)\): values differ.*Hint: .*max\(x, "
        r"negative_slope \* x\) is the same only when negative_slope <= 1",
        select="leaky_relu and not grad",
    ),
    Variant(
        "leaky-relu-ignores-the-slope",  # the default 0.01 hard-coded
        """
def leaky_relu(x, negative_slope=0.01):
    return torch.where(x >= 0, x, 0.01 * x)
""",
        expect="fail",
        message=r"leaky_relu\(x, negative_slope=0\.2\): values differ.*Hint: leaky_relu\(x\) = "
        r"x where x >= 0, negative_slope \* x elsewhere",
        select="leaky_relu and not grad",
    ),
    Variant(
        "leaky-relu-grad-one-at-zero",  # x >= 0 -> 1
        """
def leaky_relu_grad(x, negative_slope=0.01):
    return torch.where(x >= 0, torch.ones_like(x), torch.full_like(x, negative_slope))
""",
        expect="fail",
        message=r"leaky_relu_grad\(x.*\): values differ.*exact zeros.*Hint: .*at x == 0 autograd "
        r"gives negative_slope, neither 1",
        select="leaky_relu_grad",
    ),
    Variant(
        "leaky-relu-grad-zero-at-zero",  # 1 where x > 0, slope where x < 0, 0 at 0
        """
def leaky_relu_grad(x, negative_slope=0.01):
    return (x > 0).to(x.dtype) + negative_slope * (x < 0).to(x.dtype)
""",
        expect="fail",
        message=r"leaky_relu_grad\(x.*\): values differ.*exact zeros.*Hint: .*at x == 0 autograd "
        r"gives negative_slope, neither 1 \(x >= 0\) nor 0",
        select="leaky_relu_grad",
    ),
    Variant(
        "leaky-relu-grad-float32-slope",  # torch.where with Python numbers: a float32 tensor
        """
def leaky_relu_grad(x, negative_slope=0.01):
    return torch.where(x > 0, 1.0, negative_slope).to(x.dtype)
""",
        expect="fail",
        message=r"leaky_relu_grad\(x.*\): values differ.*Hint: your values are float32 "
        r"numbers stored as float64.*torch\.where\(condition, 1\.0, slope\) "
        r"with Python numbers makes a float32 tensor",
        select="leaky_relu_grad and float64",
    ),
    Variant(
        "leaky-relu-grad-in-place-masks",  # the tutorials' A[A > 0] = 1 on the caller's tensor
        """
def leaky_relu_grad(x, negative_slope=0.01):
    positive = x > 0
    x[positive] = 1.0
    x[~positive] = negative_slope
    return x.clone()
""",
        expect="fail",
        message=r"leaky_relu_grad\(x\) changed its input",
        select="leaky_relu_grad and not_modified",
    ),
    Variant(
        "leaky-relu-grad-default-float32",  # torch.where of two Python numbers is float32
        """
def leaky_relu_grad(x, negative_slope=0.01):
    return torch.where(x > 0, 1.0, negative_slope)
""",
        expect="fail",
        message=r"leaky_relu_grad\(x.*\): returned dtype torch\.float32, expected torch\.float64",
        select="leaky_relu_grad",
    ),
    Variant(
        "leaky-relu-calls-functional",
        """
from torch.nn.functional import leaky_relu as _leaky_relu

def leaky_relu(x, negative_slope=0.01):
    return _leaky_relu(x, negative_slope)
""",
        expect="fail",
        message=r"torch\.nn\.functional\.leaky_relu is not allowed",
        select="leaky_relu and not grad",
    ),
    # Correct alternatives, written differently: all must pass.
    Variant(
        "tanh-from-a-stable-sigmoid-and-one-minus-square",  # 2 sigmoid(2x) - 1, 1 - tanh^2
        """
def tanh(x):
    return 2 / (1 + torch.exp(-2 * x)) - 1

def tanh_grad(x):
    t = tanh(x)
    return 1 - t * t
""",
        expect="pass",
    ),
    Variant(
        "tanh-piecewise-with-where-and-cosh-form-grad",  # exp of non-positive numbers only
        """
def tanh(x):
    e = torch.exp(-2 * x.abs())
    magnitude = (1 - e) / (1 + e)
    return torch.where(x < 0, -magnitude, magnitude)

def tanh_grad(x):
    return 4 / (torch.exp(x) + torch.exp(-x)) ** 2  # exp(1e4) = inf and 4 / inf = 0: right
""",
        expect="pass",
    ),
    Variant(
        "leaky-relu-clamp-form-and-mask-arithmetic",
        """
def leaky_relu(x, negative_slope=0.01):
    return x.clamp(min=0) + negative_slope * x.clamp(max=0)

def leaky_relu_grad(x, negative_slope=0.01):
    positive = (x > 0).to(x.dtype)
    return positive + negative_slope * (1 - positive)
""",
        expect="pass",
    ),
    Variant(
        "leaky-relu-where-and-copy-then-fill",
        """
def leaky_relu(x, negative_slope=0.01):
    out = x.clone()
    out[x < 0] *= negative_slope
    return out

def leaky_relu_grad(x, negative_slope=0.01):
    return torch.where(x > 0, torch.ones_like(x), torch.full_like(x, negative_slope))
""",
        expect="pass",
    ),
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
