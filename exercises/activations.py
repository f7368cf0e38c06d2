"""Activations: sigmoid, ReLU, softmax

The instructions in English, then in Chinese. 中文说明在英文之后。

Write the activation functions of a neural network, and their derivatives, from elementary
tensor operations, so that they stay finite and accurate for very large and very small inputs.

Every function takes a tensor of any shape and returns a new tensor of the same shape, dtype and
device (`leaky_relu` and `leaky_relu_grad` also take a `negative_slope`). None of them may
change its input.

`sigmoid(x)`
------------

The logistic function, elementwise:

    sigmoid(x) = 1 / (1 + exp(-x))

The output lies in [0, 1] and must stay finite and accurate for |x| up to 1e4. For very negative
x, exp(-x) overflows to inf, and 1 / (1 + inf) = 0 is the right limit, so this form is safe. The
algebraically equal exp(x) / (1 + exp(x)) is not: for large x it is inf / inf = NaN.

`sigmoid_grad(x)`
-----------------

The derivative of sigmoid, elementwise, at the pre-activation x: the *input* of sigmoid, not its
output.

    sigmoid'(x) = sigmoid(x) * (1 - sigmoid(x)) = e / (1 + e)^2,   e = exp(-|x|)

It must be finite and accurate for |x| up to 1e4: the derivative is tiny there, never NaN.

`tanh(x)`
---------

The hyperbolic tangent, elementwise:

    tanh(x) = (exp(x) - exp(-x)) / (exp(x) + exp(-x))
            = sign(x) * (1 - e) / (1 + e),   e = exp(-2|x|)

The output lies in [-1, 1] and must stay finite and accurate for |x| up to 1e4. The first form
is the textbook one, but exp(x) overflows to inf once |x| exceeds about 88 (float32) or 709
(float64), and inf / inf = NaN; (1 - exp(-2x)) / (1 + exp(-2x)) has the same problem for very
negative x. The second form never exponentiates a positive number: e lies in (0, 1].
(`torch.expm1(-2|x|)` computes e - 1 accurately when x is near 0.)

`tanh_grad(x)`
--------------

The derivative of tanh, elementwise, at the pre-activation x: the *input* of tanh, not its
output.

    tanh'(x) = 1 - tanh(x)^2 = 4e / (1 + e)^2,   e = exp(-2|x|)

It must be finite and accurate for |x| up to 1e4: the derivative is tiny there, never NaN.

`relu(x)`
---------

The rectified linear unit, elementwise:

    relu(x) = max(x, 0)

`relu_grad(x)`
--------------

The derivative of relu, elementwise:

    relu'(x) = 1 if x > 0 else 0

At x == 0 relu has no derivative; like PyTorch's autograd, use 0 there. The result has x's
dtype: a floating tensor of zeros and ones, not a bool tensor.

`leaky_relu(x, negative_slope=0.01)`
------------------------------------

The leaky rectified linear unit, elementwise, as torch defines it:

    leaky_relu(x) = x                    if x >= 0
                    negative_slope * x   otherwise

for any `negative_slope` (a Python float: 0.01 by default, also 0, negative, or above 1). Choose
by the sign of x. The shortcut max(x, negative_slope * x) equals it only when negative_slope <=
1: for negative_slope = 2 and x = 3 it gives 6, not 3.

`leaky_relu_grad(x, negative_slope=0.01)`
-----------------------------------------

The derivative of leaky_relu, elementwise:

    leaky_relu'(x) = 1 if x > 0 else negative_slope

At x == 0 leaky_relu has no derivative (unless negative_slope is 1); like PyTorch's autograd,
use negative_slope there, not 1 and not 0. The result has x's dtype: a floating tensor.

Make the slope in x's dtype: `torch.where(x > 0, 1.0, negative_slope)` with Python numbers makes
a float32 tensor, whose 0.01 is 0.009999999776.

`softmax(x, dim=-1)`
--------------------

Along `dim`: exponentiate, then normalize so that the values along `dim` sum to 1.

    softmax(x)_i = exp(x_i) / sum_j exp(x_j)

It must be stable for any finite input. exp(1000) is inf in every floating type, so first
subtract the maximum along `dim`: softmax(x - c) = softmax(x) for any constant c, and after the
shift the largest exponential is exp(0) = 1.

`log_softmax(x, dim=-1)`
------------------------

The logarithm of softmax along `dim`, computed without taking the log of a softmax:

    log_softmax(x)_i = x_i - log(sum_j exp(x_j))
                     = (x_i - m) - log(sum_j exp(x_j - m)),   m = max_j x_j

log(softmax(x)) fails for very negative entries: softmax underflows to 0 and log(0) = -inf,
while the true value, e.g. -1e4, is an ordinary number.

Not allowed
-----------

Anything in `torch.nn.functional`, and torch's own sigmoid, tanh, relu, leaky_relu (and its
relatives prelu and rrelu), softmax, log_softmax and logsumexp, in any spelling (`torch.*`,
Tensor methods). Calling one while your function runs fails the test with a message that names
it.

激活函数：sigmoid、ReLU 与 softmax
==================================

用基本的张量运算实现神经网络中的激活函数及其导数，并保证输入极大或极小时结果依然有限、精确。

每个函数都接受任意形状的张量，返回一个形状、dtype 和设备（device）都与输入相同的新张量
（`leaky_relu` 和 `leaky_relu_grad` 还接受参数 `negative_slope`）。任何函数都不得修改它的输入。

`sigmoid(x)`
------------

逐元素计算 logistic 函数：

    sigmoid(x) = 1 / (1 + exp(-x))

输出位于 [0, 1] 之间；当 |x| 不超过 1e4 时，结果必须有限且精确。x 非常负时，exp(-x) 会上溢为
inf，而 1 / (1 + inf) = 0 恰好是正确的极限，所以这种写法是安全的。代数上等价的 exp(x) / (1 +
exp(x)) 却不安全：x 很大时它会变成 inf / inf = NaN。

`sigmoid_grad(x)`
-----------------

逐元素计算 sigmoid 在预激活值 x 处的导数。注意参数 x 是 sigmoid 的*输入*，而不是它的输出。

    sigmoid'(x) = sigmoid(x) * (1 - sigmoid(x)) = e / (1 + e)^2,   e = exp(-|x|)

当 |x| 不超过 1e4 时，结果必须有限且精确：那里的导数非常小，但绝不能是 NaN。

`tanh(x)`
---------

逐元素计算双曲正切：

    tanh(x) = (exp(x) - exp(-x)) / (exp(x) + exp(-x))
            = sign(x) * (1 - e) / (1 + e),   e = exp(-2|x|)

输出位于 [-1, 1] 之间；当 |x| 不超过 1e4 时，结果必须有限且精确。第一种是教科书上的写法，但当
|x| 超过约 88（float32）或 709（float64）时，exp(x) 会上溢为 inf，而 inf / inf = NaN；(1 -
exp(-2x)) / (1 + exp(-2x)) 在 x 非常负时也有同样的问题。第二种写法从不对正数取指数：e 落在 (0,
1] 内。（x 接近 0 时，`torch.expm1(-2|x|)` 能精确计算 e - 1。）

`tanh_grad(x)`
--------------

逐元素计算 tanh 在预激活值 x 处的导数。注意参数 x 是 tanh 的*输入*，而不是它的输出。

    tanh'(x) = 1 - tanh(x)^2 = 4e / (1 + e)^2,   e = exp(-2|x|)

当 |x| 不超过 1e4 时，结果必须有限且精确：那里的导数非常小，但绝不能是 NaN。

`relu(x)`
---------

逐元素计算线性整流单元（ReLU）：

    relu(x) = max(x, 0)

`relu_grad(x)`
--------------

逐元素计算 relu 的导数：

    relu'(x) = 1 if x > 0 else 0

relu 在 x == 0 处不可导；与 PyTorch 的自动求导（autograd）一致，这里取 0。结果的 dtype 与 x 相
同：是由 0 和 1 组成的浮点张量，而不是布尔张量。

`leaky_relu(x, negative_slope=0.01)`
------------------------------------

按 torch 的定义逐元素计算带泄漏的线性整流单元（Leaky ReLU）：

    leaky_relu(x) = x                    if x >= 0
                    negative_slope * x   otherwise

`negative_slope` 可以取任意值（Python 浮点数：默认 0.01，也可以是 0、负数或大于 1 的数）。请按 x
的符号来选择。简便写法 max(x, negative_slope * x) 只在 negative_slope <= 1 时与之相等：
negative_slope = 2、x = 3 时它给出 6，而不是 3。

`leaky_relu_grad(x, negative_slope=0.01)`
-----------------------------------------

逐元素计算 leaky_relu 的导数：

    leaky_relu'(x) = 1 if x > 0 else negative_slope

leaky_relu 在 x == 0 处不可导（除非 negative_slope 为 1）；与 PyTorch 的自动求导（autograd）一
致，这里取 negative_slope，既不是 1 也不是 0。结果的 dtype 与 x 相同：是一个浮点张量。

斜率要用 x 的 dtype 表示：`torch.where(x > 0, 1.0, negative_slope)` 里传 Python 数字会得到
float32 张量，其中的 0.01 实际是 0.009999999776。

`softmax(x, dim=-1)`
--------------------

沿维度 `dim` 先取指数，再归一化，使沿 `dim` 的各值之和为 1。

    softmax(x)_i = exp(x_i) / sum_j exp(x_j)

对任何有限输入都必须数值稳定。在所有浮点类型中 exp(1000) 都是 inf，所以要先减去沿 `dim` 的最大
值：对任意常数 c 都有 softmax(x - c) = softmax(x)，平移之后最大的指数项就是 exp(0) = 1。

`log_softmax(x, dim=-1)`
------------------------

沿维度 `dim` 计算 softmax 的对数，但不能先算 softmax 再取对数：

    log_softmax(x)_i = x_i - log(sum_j exp(x_j))
                     = (x_i - m) - log(sum_j exp(x_j - m)),   m = max_j x_j

对于非常负的元素，log(softmax(x)) 会出错：softmax 下溢为 0，而 log(0) = -inf，但真实值（例如
-1e4）只是一个普通的数。

禁止使用
--------

`torch.nn.functional` 中的任何函数，以及 torch 自带的 sigmoid、tanh、relu、leaky_relu（及其同类
prelu 和 rrelu）、softmax、log_softmax 和 logsumexp，无论以何种写法调用（`torch.*`、Tensor 方
法）。在你的函数运行期间调用其中任何一个，测试都会失败，并在提示信息中指出它的名字。
"""

import torch
from torch import Tensor


def sigmoid(x: Tensor) -> Tensor:
    """The logistic function, applied elementwise.

        sigmoid(x) = 1 / (1 + exp(-x))

    Output in [0, 1]. Must stay finite and accurate for |x| up to 1e4. In floating point,
    exp(-x) overflows to inf for very negative x, and 1 / (1 + inf) = 0 is the right limit, so
    this form is safe. The algebraically equal exp(x) / (1 + exp(x)) is not: for large x it is
    inf / inf = NaN. (Another safe form: with e = exp(-|x|), 1 / (1 + e) where x >= 0 and
    e / (1 + e) elsewhere.)

    Returns a new tensor of x's shape, dtype and device; x itself is not modified.
    """
    # Your code here: replace the line below.
    raise NotImplementedError("sigmoid() is not written yet")


def sigmoid_grad(x: Tensor) -> Tensor:
    """The derivative of sigmoid at the pre-activation x, elementwise.

        sigmoid'(x) = sigmoid(x) * (1 - sigmoid(x))

    Note the argument: x is the input of sigmoid, not its output. Finite and accurate for |x| up
    to 1e4 (the derivative is tiny there, never NaN); it equals e / (1 + e)^2 with e = exp(-|x|).

    Returns a new tensor of x's shape, dtype and device; x itself is not modified.
    """
    # Your code here: replace the line below.
    raise NotImplementedError("sigmoid_grad() is not written yet")


def tanh(x: Tensor) -> Tensor:
    """The hyperbolic tangent, applied elementwise.

        tanh(x) = (exp(x) - exp(-x)) / (exp(x) + exp(-x))
                = sign(x) * (1 - e) / (1 + e),   e = exp(-2|x|)

    Output in [-1, 1]. Must stay finite and accurate for |x| up to 1e4. The first form is the
    textbook one, but in floating point exp(x) overflows to inf once |x| exceeds about 88
    (float32) or 709 (float64), and inf / inf = NaN; (1 - exp(-2x)) / (1 + exp(-2x)) has the same
    problem for very negative x. The second form never exponentiates a positive number: e is in
    (0, 1]. (torch.expm1(-2|x|) computes e - 1 accurately when x is near 0.)

    Returns a new tensor of x's shape, dtype and device; x itself is not modified.
    """
    # Your code here: replace the line below.
    raise NotImplementedError("tanh() is not written yet")


def tanh_grad(x: Tensor) -> Tensor:
    """The derivative of tanh at the pre-activation x, elementwise.

        tanh'(x) = 1 - tanh(x)^2 = 4e / (1 + e)^2,   e = exp(-2|x|)

    Note the argument: x is the input of tanh, not its output. Finite and accurate for |x| up to
    1e4 (the derivative is tiny there, never NaN).

    Returns a new tensor of x's shape, dtype and device; x itself is not modified.
    """
    # Your code here: replace the line below.
    raise NotImplementedError("tanh_grad() is not written yet")


def relu(x: Tensor) -> Tensor:
    """The rectified linear unit, elementwise: relu(x) = max(x, 0).

    Returns a new tensor of x's shape, dtype and device; x itself is not modified.
    """
    # Your code here: replace the line below.
    raise NotImplementedError("relu() is not written yet")


def relu_grad(x: Tensor) -> Tensor:
    """The derivative of relu at x, elementwise: 1 where x > 0, else 0.

    At x == 0 relu has no derivative; like PyTorch's autograd, use 0 there. The result has x's
    dtype (a float tensor of zeros and ones, not a bool tensor), on x's device and of x's shape;
    x itself is not modified.
    """
    # Your code here: replace the line below.
    raise NotImplementedError("relu_grad() is not written yet")


def leaky_relu(x: Tensor, negative_slope: float = 0.01) -> Tensor:
    """The leaky rectified linear unit, elementwise, as torch defines it:

        leaky_relu(x) = x                     where x >= 0
                        negative_slope * x    elsewhere

    for any negative_slope (a Python float: 0.01 by default, also 0, negative, or above 1).
    Choose by the sign of x. The shortcut max(x, negative_slope * x) equals it only when
    negative_slope <= 1: for negative_slope = 2 and x = 3 it gives 6, not 3.

    Returns a new tensor of x's shape, dtype and device; x itself is not modified.
    """
    # Your code here: replace the line below.
    raise NotImplementedError("leaky_relu() is not written yet")


def leaky_relu_grad(x: Tensor, negative_slope: float = 0.01) -> Tensor:
    """The derivative of leaky_relu at x, elementwise: 1 where x > 0, else negative_slope.

    At x == 0 leaky_relu has no derivative (unless negative_slope is 1); like PyTorch's autograd,
    use negative_slope there, not 1 and not 0. The result has x's dtype (a float tensor), on x's
    device and of x's shape; x itself is not modified.

    Make the slope in x's dtype: ``torch.where(x > 0, 1.0, negative_slope)`` with Python numbers
    makes a float32 tensor, whose 0.01 is 0.009999999776.
    """
    # Your code here: replace the line below.
    raise NotImplementedError("leaky_relu_grad() is not written yet")


def softmax(x: Tensor, dim: int = -1) -> Tensor:
    """Softmax along ``dim``: exponentiate, then normalize so the values along dim sum to 1.

        softmax(x)_i = exp(x_i) / sum_j exp(x_j)

    Stable for any finite input: exp(1000) is inf in every float type, so first subtract the
    maximum along dim. softmax(x - c) = softmax(x) for any constant c, and after the shift the
    largest exponent is exp(0) = 1.

    Returns a new tensor of x's shape, dtype and device; x itself is not modified.
    """
    # Your code here: replace the line below.
    raise NotImplementedError("softmax() is not written yet")


def log_softmax(x: Tensor, dim: int = -1) -> Tensor:
    """The logarithm of softmax along ``dim``, computed without taking log of a softmax.

        log_softmax(x)_i = x_i - log(sum_j exp(x_j))
                         = (x_i - m) - log(sum_j exp(x_j - m)),   m = max_j x_j

    log(softmax(x)) fails for very negative entries: softmax underflows to 0 and log(0) = -inf,
    while the true value, e.g. -1e4, is perfectly representable.

    Returns a new tensor of x's shape, dtype and device; x itself is not modified.
    """
    # Your code here: replace the line below.
    raise NotImplementedError("log_softmax() is not written yet")
