"""The reference solution of the activations exercise.

Its instructions (the stub's module docstring) are written once, in
instructions/activations.md, English and Chinese.
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
    # BEGIN SOLUTION
    return x.neg().exp_().add_(1).reciprocal_()  # one new tensor, then in place: one allocation
    # END SOLUTION


def sigmoid_grad(x: Tensor) -> Tensor:
    """The derivative of sigmoid at the pre-activation x, elementwise.

        sigmoid'(x) = sigmoid(x) * (1 - sigmoid(x))

    Note the argument: x is the input of sigmoid, not its output. Finite and accurate for |x| up
    to 1e4 (the derivative is tiny there, never NaN); it equals e / (1 + e)^2 with e = exp(-|x|).

    Returns a new tensor of x's shape, dtype and device; x itself is not modified.
    """
    # BEGIN SOLUTION
    e = torch.exp(-x.abs())
    return e.div_((e + 1).square_())
    # END SOLUTION


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
    # BEGIN SOLUTION
    e_minus_1 = torch.expm1(x.abs().mul_(-2))  # e - 1, in (-1, 0]
    # (1 - e) / (1 + e) = -(e - 1) / ((e - 1) + 2), then the sign of x
    return e_minus_1.div_(e_minus_1 + 2).neg_().copysign_(x)
    # END SOLUTION


def tanh_grad(x: Tensor) -> Tensor:
    """The derivative of tanh at the pre-activation x, elementwise.

        tanh'(x) = 1 - tanh(x)^2 = 4e / (1 + e)^2,   e = exp(-2|x|)

    Note the argument: x is the input of tanh, not its output. Finite and accurate for |x| up to
    1e4 (the derivative is tiny there, never NaN).

    Returns a new tensor of x's shape, dtype and device; x itself is not modified.
    """
    # BEGIN SOLUTION
    e = torch.exp(x.abs().mul_(-2))
    denominator = (e + 1).square_()
    return e.mul_(4).div_(denominator)
    # END SOLUTION


def relu(x: Tensor) -> Tensor:
    """The rectified linear unit, elementwise: relu(x) = max(x, 0).

    Returns a new tensor of x's shape, dtype and device; x itself is not modified.
    """
    # BEGIN SOLUTION
    return x.clamp(min=0)
    # END SOLUTION


def relu_grad(x: Tensor) -> Tensor:
    """The derivative of relu at x, elementwise: 1 where x > 0, else 0.

    At x == 0 relu has no derivative; like PyTorch's autograd, use 0 there. The result has x's
    dtype (a float tensor of zeros and ones, not a bool tensor), on x's device and of x's shape;
    x itself is not modified.
    """
    # BEGIN SOLUTION
    return (x > 0).to(x.dtype)
    # END SOLUTION


def leaky_relu(x: Tensor, negative_slope: float = 0.01) -> Tensor:
    """The leaky rectified linear unit, elementwise, as torch defines it:

        leaky_relu(x) = x                     where x >= 0
                        negative_slope * x    elsewhere

    for any negative_slope (a Python float: 0.01 by default, also 0, negative, or above 1).
    Choose by the sign of x. The shortcut max(x, negative_slope * x) equals it only when
    negative_slope <= 1: for negative_slope = 2 and x = 3 it gives 6, not 3.

    Returns a new tensor of x's shape, dtype and device; x itself is not modified.
    """
    # BEGIN SOLUTION
    return torch.where(x >= 0, x, x * negative_slope)
    # END SOLUTION


def leaky_relu_grad(x: Tensor, negative_slope: float = 0.01) -> Tensor:
    """The derivative of leaky_relu at x, elementwise: 1 where x > 0, else negative_slope.

    At x == 0 leaky_relu has no derivative (unless negative_slope is 1); like PyTorch's autograd,
    use negative_slope there, not 1 and not 0. The result has x's dtype (a float tensor), on x's
    device and of x's shape; x itself is not modified.

    Make the slope in x's dtype: ``torch.where(x > 0, 1.0, negative_slope)`` with Python numbers
    makes a float32 tensor, whose 0.01 is 0.009999999776.
    """
    # BEGIN SOLUTION
    return torch.full_like(x, negative_slope).masked_fill_(x > 0, 1.0)
    # END SOLUTION


def softmax(x: Tensor, dim: int = -1) -> Tensor:
    """Softmax along ``dim``: exponentiate, then normalize so the values along dim sum to 1.

        softmax(x)_i = exp(x_i) / sum_j exp(x_j)

    Stable for any finite input: exp(1000) is inf in every float type, so first subtract the
    maximum along dim. softmax(x - c) = softmax(x) for any constant c, and after the shift the
    largest exponent is exp(0) = 1.

    Returns a new tensor of x's shape, dtype and device; x itself is not modified.
    """
    # BEGIN SOLUTION
    exps = torch.exp(x - x.amax(dim=dim, keepdim=True))
    return exps.div_(exps.sum(dim=dim, keepdim=True))
    # END SOLUTION


def log_softmax(x: Tensor, dim: int = -1) -> Tensor:
    """The logarithm of softmax along ``dim``, computed without taking log of a softmax.

        log_softmax(x)_i = x_i - log(sum_j exp(x_j))
                         = (x_i - m) - log(sum_j exp(x_j - m)),   m = max_j x_j

    log(softmax(x)) fails for very negative entries: softmax underflows to 0 and log(0) = -inf,
    while the true value, e.g. -1e4, is perfectly representable.

    Returns a new tensor of x's shape, dtype and device; x itself is not modified.
    """
    # BEGIN SOLUTION
    shifted = x - x.amax(dim=dim, keepdim=True)
    return shifted.sub_(torch.exp(shifted).sum(dim=dim, keepdim=True).log_())
    # END SOLUTION
