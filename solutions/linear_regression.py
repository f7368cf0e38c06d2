"""The reference solution of the linear_regression exercise.

Its instructions (the stub's module docstring) are written once, in
instructions/linear_regression.md, English and Chinese.
"""

import torch
from torch import Tensor


def fit_linear_regression(X: Tensor, y: Tensor, *, l2: float = 0.0) -> tuple[Tensor, Tensor]:
    """The (w, b) minimizing mean((X @ w + b - y) ** 2) + l2 * sum(w ** 2), in closed form.

    X has shape (N, D), y shape (N,); returns w of shape (D,) and b, a 0-d tensor, both in X's
    dtype and on X's device. The bias is never penalized: l2 * sum(w ** 2) holds w only.
    X has full column rank when l2 == 0, so the minimum is unique; with l2 > 0 it is unique
    for any X (even D > N).

    Setting the gradient to zero gives a linear system. Append a column of ones to X, so that
    the bias is the last coefficient: X1 = [X, 1] of shape (N, D + 1), theta = [w, b]. Then

        (X1^T X1 + N * l2 * P) theta = X1^T y,   P = diag(1, ..., 1, 0)

    The penalty is N * l2, not l2: the loss is a *mean* over N samples, so multiplying the
    whole objective by N (which leaves the minimum where it is) turns mean(...) into the sum
    X1^T X1 works with, and l2 into N * l2. scikit-learn's Ridge minimizes
    ||y - X w - b||^2 + alpha ||w||^2, a sum: its alpha is N * l2. P's last entry is 0 because
    the bias is not penalized (penalizing it pulls b, and so every prediction, toward 0).

    Solve the system with torch.linalg.solve (never form the inverse). An equivalent form:
    center the data (Xc = X - mean(X), yc = y - mean(y) over the samples), solve
    (Xc^T Xc + N * l2 * I) w = Xc^T yc, then b = mean(y) - mean(X) @ w; or least squares
    (torch.linalg.lstsq) on X1 when l2 == 0.
    """
    # BEGIN SOLUTION
    n, d = X.shape
    X1 = torch.cat([X, X.new_ones(n, 1)], dim=1)
    penalty = torch.ones(d + 1, dtype=X.dtype, device=X.device)
    penalty[d] = 0.0  # the bias is not penalized
    A = X1.T @ X1 + torch.diag(penalty * (n * l2))
    theta = torch.linalg.solve(A, X1.T @ y)
    return theta[:d].clone(), theta[d].clone()
    # END SOLUTION


def linear_regression_step(
    w: Tensor, b: Tensor, X: Tensor, y: Tensor, *, lr: float
) -> tuple[Tensor, Tensor]:
    """One step of gradient descent on mean((X @ w + b - y) ** 2) over this batch.

    X has shape (N, D), y shape (N,), w shape (D,) and b is a 0-d tensor. With the residual
    r = X @ w + b - y of the N rows of *this* batch, the gradient of the mean squared error is

        dL/dw = (2 / N) * X^T r
        dL/db = (2 / N) * sum(r)

    and the step returns (w - lr * dL/dw, b - lr * dL/db). The factor 2 comes from the
    derivative of the square. N is this batch's own number of rows (X.shape[0]), whatever it
    is: the last batch of an epoch is usually smaller than the others, and dividing its
    gradient by the nominal batch size would shrink its step.

    Returns new tensors (w shape (D,), b 0-d) in w's dtype and on its device; w, b, X and y
    are not modified (no w -= ...). Work the gradient out by hand: autograd is not allowed.
    """
    # BEGIN SOLUTION
    n = X.shape[0]
    residual = X @ w + b - y
    grad_w = (2.0 / n) * (X.T @ residual)
    grad_b = (2.0 / n) * residual.sum()
    return w - lr * grad_w, b - lr * grad_b
    # END SOLUTION
