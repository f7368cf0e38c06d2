from variants import Variant

VARIANTS = [
    # --- fit_linear_regression -----------------------------------------------------------------
    Variant(
        "fit-without-the-bias-column",  # the textbook theta = (X^T X)^-1 X^T y on X alone
        """
def fit_linear_regression(X, y, *, l2=0.0):
    n, d = X.shape
    A = X.T @ X + n * l2 * torch.eye(d, dtype=X.dtype, device=X.device)
    w = torch.linalg.solve(A, X.T @ y)
    return w, torch.zeros((), dtype=X.dtype, device=X.device)
""",
        expect="fail",
        message=r"fit_linear_regression\(X, y, l2=0.0\), returned w: values differ.*Hint: b came "
        r"out 0 .*X needs a column of ones",
        select="fit_matches",
    ),
    Variant(
        "fit-bias-after-w-through-the-origin",
        """
def fit_linear_regression(X, y, *, l2=0.0):
    n, d = X.shape
    A = X.T @ X + n * l2 * torch.eye(d, dtype=X.dtype, device=X.device)
    w = torch.linalg.solve(A, X.T @ y)
    return w, (y - X @ w).mean()
""",
        expect="fail",
        message=r"fit_linear_regression\(X, y, l2=0.0\), returned w: values differ.*Hint: w was "
        r"fitted without the bias .*and b only afterwards",
        select="fit_matches",
    ),
    Variant(
        "fit-penalizes-the-bias",  # l2 * I on the whole augmented system
        """
def fit_linear_regression(X, y, *, l2=0.0):
    n, d = X.shape
    X1 = torch.cat([X, torch.ones(n, 1, dtype=X.dtype, device=X.device)], dim=1)
    A = X1.T @ X1 + n * l2 * torch.eye(d + 1, dtype=X.dtype, device=X.device)
    theta = torch.linalg.solve(A, X1.T @ y)
    return theta[:d], theta[d]
""",
        expect="fail",
        message=r"fit_linear_regression\(X, y, l2=0.1\), returned w: values differ.*Hint: the "
        r"bias was penalized too",
        select="fit_matches",
    ),
    Variant(
        "fit-l2-not-scaled-by-n",  # X1^T X1 + l2 * P: the objective of a sum, not a mean
        """
def fit_linear_regression(X, y, *, l2=0.0):
    n, d = X.shape
    X1 = torch.cat([X, torch.ones(n, 1, dtype=X.dtype, device=X.device)], dim=1)
    P = torch.eye(d + 1, dtype=X.dtype, device=X.device)
    P[d, d] = 0
    theta = torch.linalg.solve(X1.T @ X1 + l2 * P, X1.T @ y)
    return theta[:d], theta[d]
""",
        expect="fail",
        message=r"fit_linear_regression\(X, y, l2=0.1\), returned w: values differ.*Hint: the "
        r"penalty added to X1\^T X1 is l2 = 0.1, .*N \* l2 = 5",
        select="fit_matches",
    ),
    Variant(
        "fit-l2-not-scaled-and-bias-penalized",  # X1^T X1 + l2 * I
        """
def fit_linear_regression(X, y, *, l2=0.0):
    n, d = X.shape
    X1 = torch.cat([X, torch.ones(n, 1, dtype=X.dtype, device=X.device)], dim=1)
    A = X1.T @ X1 + l2 * torch.eye(d + 1, dtype=X.dtype, device=X.device)
    theta = torch.linalg.solve(A, X1.T @ y)
    return theta[:d], theta[d]
""",
        expect="fail",
        message=r"returned w: values differ.*Hint: the penalty is l2 = 0.1 on every diagonal "
        r"entry: it must be N \* l2 = 5 .*and 0 for the bias",
        select="fit_matches",
    ),
    Variant(
        "fit-returns-b-as-a-1-element-tensor",
        """
_correct_fit = fit_linear_regression

def fit_linear_regression(X, y, *, l2=0.0):
    w, b = _correct_fit(X, y, l2=l2)
    return w, b.reshape(1)
""",
        expect="fail",
        message=r"fit_linear_regression\(X, y, l2=0.0\), returned b: returned shape \(1,\), "
        r"expected \(\)",
        select="fit_matches",
    ),
    Variant(
        "fit-centers-x-in-place",
        """
def fit_linear_regression(X, y, *, l2=0.0):
    n, d = X.shape
    x_mean, y_mean = X.mean(dim=0), y.mean()
    X -= x_mean
    A = X.T @ X + n * l2 * torch.eye(d, dtype=X.dtype, device=X.device)
    w = torch.linalg.solve(A, X.T @ (y - y_mean))
    return w, y_mean - x_mean @ w
""",
        expect="fail",
        message=r"fit_linear_regression\(X, y, l2=0.2\) changed its argument X",
        select="fit_leaves",
    ),
    Variant(
        "fit-calls-sklearn-ridge",
        """
from sklearn.linear_model import Ridge

def fit_linear_regression(X, y, *, l2=0.0):
    model = Ridge(alpha=X.shape[0] * l2).fit(X.cpu().double().numpy(), y.cpu().double().numpy())
    return (torch.as_tensor(model.coef_, dtype=X.dtype, device=X.device),
            torch.as_tensor(model.intercept_, dtype=X.dtype, device=X.device))
""",
        expect="fail",
        message=r"sklearn\.linear_model\.\w+ is not allowed in this exercise",
        select="fit_matches",
    ),
    # --- linear_regression_step ----------------------------------------------------------------
    Variant(
        "step-divides-by-a-fixed-batch-size",  # the tutorial's sgd(params, lr, batch_size)
        """
BATCH_SIZE = 32

def linear_regression_step(w, b, X, y, *, lr):
    r = X @ w + b - y
    return w - lr * 2 * (X.T @ r) / BATCH_SIZE, b - lr * 2 * r.sum() / BATCH_SIZE
""",
        expect="fail",
        message=r"linear_regression_step\(w, b, X, y, lr=0.1\), returned w: values differ.*"
        r"Hint: the step of w is 0.03125 times the right one: the gradient was divided by 32 "
        r"rather than by this batch's N = X.shape\[0\] = 1 rows",
        select="step_matches",
    ),
    Variant(
        "step-remembers-the-first-batch-size",  # right on full batches, wrong on the last one
        """
_batch_size = []

def linear_regression_step(w, b, X, y, *, lr):
    if not _batch_size:
        _batch_size.append(X.shape[0])
    n = _batch_size[0]
    r = X @ w + b - y
    return w - lr * 2 * (X.T @ r) / n, b - lr * 2 * r.sum() / n
""",
        expect="fail",
        message=r"on batch 3 of an epoch \(7 rows; the full batches have 32\), returned w: "
        r"values differ.*Hint: .*the gradient was divided by 32 rather than by this batch's "
        r"N = X.shape\[0\] = 7 rows",
        select="smaller_last_batch",
    ),
    Variant(
        "step-gradient-without-the-factor-2",
        """
def linear_regression_step(w, b, X, y, *, lr):
    r = X @ w + b - y
    return w - lr * (X.T @ r) / X.shape[0], b - lr * r.mean()
""",
        expect="fail",
        message=r"returned w: values differ.*Hint: the step of w is 0.5 times the right one: "
        r"the derivative of \(X @ w \+ b - y\) \*\* 2 has a factor 2",
        select="step_matches",
    ),
    Variant(
        "step-sums-over-the-batch",
        """
def linear_regression_step(w, b, X, y, *, lr):
    r = X @ w + b - y
    return w - lr * 2 * (X.T @ r), b - lr * 2 * r.sum()
""",
        expect="fail",
        message=r"lr=0.05\), returned w: values differ.*Hint: the step of w is 7 times the right "
        r"one: the gradient was not divided by this batch's N = X.shape\[0\] = 7 rows",
        select="step_matches",
    ),
    Variant(
        "step-updates-w-in-place",
        """
def linear_regression_step(w, b, X, y, *, lr):
    r = X @ w + b - y
    n = X.shape[0]
    w -= lr * (2 / n) * (X.T @ r)
    b -= lr * (2 / n) * r.sum()
    return w, b
""",
        expect="fail",
        message=r"linear_regression_step\(w, b, X, y, lr=0.1\) changed its argument w.*Hint: "
        r"return new tensors",
        select="step_leaves",
    ),
    Variant(
        "step-with-autograd",
        """
def linear_regression_step(w, b, X, y, *, lr):
    w = w.detach().clone().requires_grad_(True)
    b = b.detach().clone().requires_grad_(True)
    ((X @ w + b - y) ** 2).mean().backward()
    return (w - lr * w.grad).detach(), (b - lr * b.grad).detach()
""",
        expect="fail",
        message=r"torch\.(autograd\.backward|Tensor\.requires_grad_|Tensor\.backward) is not "
        r"allowed in this exercise",
        select="step_matches",
    ),
    # Correct alternatives, written differently: all must pass.
    Variant(
        "fit-lstsq-and-augmented-least-squares",  # ridge as least squares on stacked rows
        """
def fit_linear_regression(X, y, *, l2=0.0):
    n, d = X.shape
    X1 = torch.cat([X, torch.ones_like(X[:, :1])], dim=1)
    if l2 > 0:
        extra = torch.zeros(d, d + 1, dtype=X.dtype, device=X.device)
        extra[:, :d] = (n * l2) ** 0.5 * torch.eye(d, dtype=X.dtype, device=X.device)
        X1 = torch.cat([X1, extra], dim=0)
        y = torch.cat([y, torch.zeros(d, dtype=y.dtype, device=y.device)])
    # the gelsd driver (SVD) on the CPU; CUDA has only gels (QR), fine for full rank
    driver = "gelsd" if X.device.type == "cpu" else None
    theta = torch.linalg.lstsq(X1, y.unsqueeze(1), driver=driver).solution.squeeze(1)
    return theta[:d], theta[d]
""",
        expect="pass",
    ),
    Variant(
        "fit-centered-form-with-cholesky",
        """
def fit_linear_regression(X, y, *, l2=0.0):
    n, d = X.shape
    x_mean, y_mean = X.mean(dim=0), y.mean()
    Xc = X - x_mean
    A = Xc.T @ Xc
    A.diagonal().add_(n * l2)
    L = torch.linalg.cholesky(A)
    w = torch.cholesky_solve((Xc.T @ (y - y_mean)).unsqueeze(1), L).squeeze(1)
    b = y_mean - x_mean @ w
    return w, b
""",
        expect="pass",
    ),
    Variant(
        "fit-normal-equations-elementwise-penalty-mean-form",  # the mean form, divided by N
        """
def fit_linear_regression(X, y, *, l2=0.0):
    n, d = X.shape
    X1 = torch.nn.functional.pad(X, (0, 1), value=1.0)
    A = X1.T @ X1 / n
    A[:d, :d] += l2 * torch.eye(d, dtype=X.dtype, device=X.device)
    theta = torch.linalg.solve(A, X1.T @ y / n)
    return theta[:-1].contiguous(), theta[-1]
""",
        expect="pass",
    ),
    Variant(
        "step-residual-first-mean-form",
        """
def linear_regression_step(w, b, X, y, *, lr):
    residual = torch.addmv(b - y, X, w)
    grad_w = 2 * (residual.unsqueeze(1) * X).mean(dim=0)
    grad_b = 2 * residual.mean()
    return w - lr * grad_w, b - lr * grad_b
""",
        expect="pass",
    ),
    Variant(
        "step-augmented-theta",
        """
def linear_regression_step(w, b, X, y, *, lr):
    n = len(X)
    X1 = torch.cat([X, torch.ones(n, 1, dtype=X.dtype, device=X.device)], dim=1)
    theta = torch.cat([w, b.reshape(1)])
    theta = theta - lr * 2 / n * X1.T @ (X1 @ theta - y)
    return theta[:-1], theta[-1]
""",
        expect="pass",
    ),
]
