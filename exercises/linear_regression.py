"""Linear regression: closed form and gradient descent

The instructions in English, then in Chinese. 中文说明在英文之后。

Fit a linear model y ≈ X w + b by least squares in closed form (with an optional L2 penalty on
the weights), and take one step of gradient descent on the mean squared error of a batch.

The model predicts `X @ w + b` for N samples of D features: `X` has shape (N, D), `y` shape
(N,), the weights `w` shape (D,), and the bias `b` is a 0-d tensor. Both functions use the mean
squared error:

    L(w, b) = mean((X @ w + b - y) ** 2) = (1 / N) * sum_i (x_i · w + b - y_i) ** 2

Every result keeps the dtype (float32 or float64) and the device of `X`; no function modifies
its inputs.

`fit_linear_regression(X, y, *, l2=0.0)`
----------------------------------------

Returns `(w, b)` minimizing `mean((X @ w + b - y) ** 2) + l2 * sum(w ** 2)`: `w` of shape (D,)
and `b` a 0-d tensor, both in the dtype of `X` and on its device. The bias is never penalized:
the penalty holds `w` only. `X` has full column rank when `l2 == 0`, so the minimum is unique;
with `l2 > 0` it is unique for any `X` (even D > N).

Setting the gradient to zero gives a linear system. Append a column of ones to `X`, so that the
bias is the last coefficient (X1 of shape (N, D + 1), theta = [w, b]):

    X1 = [X, 1]
    (X1^T X1 + N * l2 * P) theta = X1^T y,   P = diag(1, ..., 1, 0)

The penalty is N * l2, not l2: the loss is a *mean* over N samples, and multiplying the whole
objective by N (which does not move its minimum) turns the mean into the sum that X1^T X1 holds,
and l2 into N * l2. scikit-learn's `Ridge` minimizes a sum, `||y - X w - b||^2 + alpha ||w||^2`:
its alpha is N * l2. The last entry of P is 0 because the bias is not penalized (penalizing it
pulls b, and so every prediction, toward 0).

Solve the system with `torch.linalg.solve` (never form the inverse). Equivalent forms: center
the data (Xc = X - mean(X), yc = y - mean(y), means over the samples), solve for w, then recover
b:

    (Xc^T Xc + N * l2 * I) w = Xc^T yc
    b = mean(y) - mean(X) · w

or use least squares (`torch.linalg.lstsq`) on X1 when `l2 == 0`.

`linear_regression_step(w, b, X, y, *, lr)`
-------------------------------------------

One step of gradient descent on `mean((X @ w + b - y) ** 2)` over this batch. With the residual
r of the N rows of *this* batch, the gradient of the mean squared error and the step are:

    r = X @ w + b - y
    dL/dw = (2 / N) * X^T r
    dL/db = (2 / N) * sum(r)
    w_new = w - lr * dL/dw
    b_new = b - lr * dL/db

The factor 2 comes from the derivative of the square. N is the number of rows of this batch
(`X.shape[0]`), whatever it is: the last batch of an epoch is usually smaller than the others,
and dividing its gradient by the nominal batch size would shrink its step.

Returns new tensors `(w_new, b_new)` (shapes (D,) and 0-d) in the dtype of `w` and on its
device; `w`, `b`, `X` and `y` are not modified (no `w -= ...`). Work the gradient out by hand:
autograd is not allowed.

Not allowed
-----------

scikit-learn's linear models (`LinearRegression`, `Ridge`, ...: the tests use them as the
oracle) and autograd (`backward`, `torch.autograd.grad`, ...).

线性回归：闭式解与梯度下降
==========================

用最小二乘的闭式解拟合线性模型 y ≈ X w + b（可以对权重加 L2 惩罚），并在一个批次的均方误差上做一
步梯度下降。

模型对 N 个样本、每个样本 D 个特征给出预测 `X @ w + b`：`X` 的形状是 (N, D)，`y` 的形状是 (N,)，
权重 `w` 的形状是 (D,)，偏置 `b` 是 0 维张量。两个函数都使用均方误差：

    L(w, b) = mean((X @ w + b - y) ** 2) = (1 / N) * sum_i (x_i · w + b - y_i) ** 2

所有结果都保持 `X` 的 dtype（float32 或 float64）和设备；任何函数都不修改它的输入。

`fit_linear_regression(X, y, *, l2=0.0)`
----------------------------------------

返回使 `mean((X @ w + b - y) ** 2) + l2 * sum(w ** 2)` 最小的 `(w, b)`：`w` 的形状是 (D,)，`b`
是 0 维张量，二者都与 `X` 的 dtype 相同、在同一设备上。偏置永远不受惩罚：惩罚项只包含 `w`。当
`l2 == 0` 时 `X` 列满秩，所以最小值点唯一；当 `l2 > 0` 时，对任何 `X`（即使 D > N）最小值点都唯
一。

令梯度为零就得到一个线性方程组。在 `X` 右边添加一列 1，让偏置成为最后一个系数（X1 的形状是 (N, D
+ 1)，theta = [w, b]）：

    X1 = [X, 1]
    (X1^T X1 + N * l2 * P) theta = X1^T y,   P = diag(1, ..., 1, 0)

惩罚系数是 N * l2 而不是 l2：损失是 N 个样本上的*平均*，把整个目标函数乘以 N（这不改变最小值点的
位置）就把平均变成了 X1^T X1 中的求和，同时把 l2 变成 N * l2。scikit-learn 的 `Ridge` 最小化的是
求和形式 `||y - X w - b||^2 + alpha ||w||^2`：它的 alpha 就是 N * l2。P 的最后一个元素是 0，因为
偏置不受惩罚（惩罚偏置会把 b，从而把所有预测值，都拉向 0）。

用 `torch.linalg.solve` 求解这个方程组（不要显式求逆矩阵）。等价的写法：先把数据中心化（Xc = X -
mean(X)，yc = y - mean(y)，均值都是对样本求），解出 w，再求出 b：

    (Xc^T Xc + N * l2 * I) w = Xc^T yc
    b = mean(y) - mean(X) · w

或者在 `l2 == 0` 时对 X1 使用最小二乘（`torch.linalg.lstsq`）。

`linear_regression_step(w, b, X, y, *, lr)`
-------------------------------------------

在这个批次上对 `mean((X @ w + b - y) ** 2)` 做一步梯度下降。记*本批次* N 行的残差为 r，均方误差
的梯度以及这一步更新为：

    r = X @ w + b - y
    dL/dw = (2 / N) * X^T r
    dL/db = (2 / N) * sum(r)
    w_new = w - lr * dL/dw
    b_new = b - lr * dL/db

因子 2 来自平方的导数。N 是本批次的行数（`X.shape[0]`），不论它是多少：一个 epoch 的最后一个批次
通常比其他批次小，若用名义上的批大小去除它的梯度，这一步就会被缩小。

返回新的张量 `(w_new, b_new)`（形状为 (D,) 和 0 维），dtype 与 `w` 相同、在同一设备上；不修改
`w`、`b`、`X` 和 `y`（不要写 `w -= ...`）。请手工推导梯度：不允许使用自动求导。

禁止使用
--------

scikit-learn 的线性模型（`LinearRegression`、`Ridge` 等：测试用它们作为参照答案）以及自动求导
（`backward`、`torch.autograd.grad` 等）。
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
    # Your code here: replace the line below.
    raise NotImplementedError("fit_linear_regression() is not written yet")


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
    # Your code here: replace the line below.
    raise NotImplementedError("linear_regression_step() is not written yet")
