"""The reference solution of the losses exercise.

Its instructions (the stub's module docstring) are written once, in
instructions/losses.md, English and Chinese.
"""

import torch
from torch import Tensor

# BEGIN SOLUTION


def _reduce(loss: Tensor, reduction: str) -> Tensor:
    """The reference's shared reduction step. It sits inside the solution markers, so the stub
    drops it: checking ``reduction`` and reducing is part of what the student writes."""
    if reduction == "mean":
        return loss.mean()
    if reduction == "sum":
        return loss.sum()
    if reduction == "none":
        return loss
    raise ValueError(f"reduction must be 'mean', 'sum' or 'none', got {reduction!r}")


# END SOLUTION


def mse_loss(pred: Tensor, target: Tensor, reduction: str = "mean") -> Tensor:
    """Mean squared error between ``pred`` and ``target``, two tensors of the same (any) shape.

        loss_i = (pred_i - target_i)^2

    reduction="mean" averages over every element: sum / pred.numel(). For pred of shape (N, D)
    that is a division by N * D, not by the batch size N. "none" returns pred's shape.

    Any other reduction raises ValueError whose message names 'mean', 'sum' and 'none'. The
    result has pred's dtype and device; pred and target are not modified.
    """
    # BEGIN SOLUTION
    squared = pred - target  # a new tensor: squaring it in place leaves the inputs alone
    squared.square_()
    return _reduce(squared, reduction)
    # END SOLUTION


def l1_loss(pred: Tensor, target: Tensor, reduction: str = "mean") -> Tensor:
    """Mean absolute error between ``pred`` and ``target``, two tensors of the same (any) shape.

        loss_i = |pred_i - target_i|

    reduction="mean" averages over every element: sum / pred.numel(), for pred of shape (N, D) a
    division by N * D, not by the batch size N. "none" returns pred's shape.

    Any other reduction raises ValueError whose message names 'mean', 'sum' and 'none'. The
    result has pred's dtype and device; pred and target are not modified.
    """
    # BEGIN SOLUTION
    return _reduce((pred - target).abs_(), reduction)
    # END SOLUTION


def huber_loss(pred: Tensor, target: Tensor, reduction: str = "mean", delta: float = 1.0) -> Tensor:
    """Huber loss between ``pred`` and ``target`` (same, any shape), as PyTorch defines it.

    With d_i = pred_i - target_i and delta > 0 (a Python float):

        loss_i = 0.5 * d_i^2                      where |d_i| <= delta
                 delta * (|d_i| - 0.5 * delta)    elsewhere

    Quadratic near 0, linear (slope delta) for outliers; the two pieces meet at |d| = delta. The
    linear piece is multiplied by delta: without that factor the formula is right only for
    delta = 1. (PyTorch's smooth_l1_loss with beta is another loss: 0.5 d^2 / beta, else
    |d| - 0.5 beta; huber_loss with delta equals delta * smooth_l1_loss with beta = delta.)

    Stay finite wherever the loss is: for float32 d = 1e20, d^2 overflows to inf, which is
    harmless in a branch torch.where does not pick but gives 0 * inf = NaN if the two pieces are
    combined by multiplying with a 0/1 mask. (Another safe form: with q = min(|d|, delta),
    loss = q * (|d| - 0.5 * q).)

    reduction="mean" averages over every element; "none" returns pred's shape. Any other
    reduction raises ValueError whose message names 'mean', 'sum' and 'none'. The result has
    pred's dtype and device; pred and target are not modified.
    """
    # BEGIN SOLUTION
    abs_diff = (pred - target).abs_()
    clipped = abs_diff.clamp(max=delta)  # q = min(|d|, delta)
    loss = abs_diff.sub_(clipped * 0.5).mul_(clipped)  # q * (|d| - q / 2)
    return _reduce(loss, reduction)
    # END SOLUTION


def binary_cross_entropy(prob: Tensor, target: Tensor, reduction: str = "mean") -> Tensor:
    """Binary cross-entropy between probabilities and targets of the same (any) shape.

        loss_i = -(target_i * log(prob_i) + (1 - target_i) * log(1 - prob_i))

    prob holds probabilities in [0, 1] (sigmoid outputs, say); target holds values in [0, 1],
    usually 0 or 1, but soft targets such as 0.3 are allowed. reduction="mean" averages over
    every element; "none" returns prob's shape.

    prob may be exactly 0 or 1: log(0) = -inf, and even a term with zero weight breaks, since
    0 * -inf = nan. Do what PyTorch does: clamp each log term at -100, that is
    torch.log(prob).clamp(min=-100) and the same for log(1 - prob), so no element's loss
    exceeds 100. (torch.log1p(-prob) computes log(1 - prob) more accurately for small prob.)
    Clamping prob itself to [eps, 1 - eps] is not the same: log(1e-7) is -16.1, not -100.

    Any other reduction raises ValueError whose message names 'mean', 'sum' and 'none'. The
    result has prob's dtype and device; prob and target are not modified (no clamp_ on them).
    """
    # BEGIN SOLUTION
    log_p = torch.log(prob).clamp(min=-100)
    log_not_p = torch.log1p(-prob).clamp(min=-100)
    return _reduce(-(target * log_p + (1 - target) * log_not_p), reduction)
    # END SOLUTION


def binary_cross_entropy_with_logits(
    logits: Tensor, target: Tensor, reduction: str = "mean"
) -> Tensor:
    """Binary cross-entropy of sigmoid(logits) against target, computed from the logits.

        loss_i = -(t_i * log(sigmoid(x_i)) + (1 - t_i) * log(1 - sigmoid(x_i)))
               = max(x_i, 0) - x_i * t_i + log(1 + exp(-|x_i|))

    with x = logits and t = target (same shape, t in [0, 1], soft values allowed).
    reduction="mean" averages over every element; "none" returns the logits' shape.

    Why not binary_cross_entropy(sigmoid(x), t)? sigmoid saturates: sigmoid(20) is exactly 1.0
    in float32 (sigmoid(40) in float64), so log(1 - sigmoid(x)) is log(0), clamped to -100, and
    the loss of x = 500 with t = 0 comes out 100 instead of 500. The second form is exact for
    |x| in the hundreds and beyond: it never exponentiates a positive number (exp(-|x|) is in
    (0, 1]), and torch.log1p(e) computes log(1 + e) accurately for small e. Its first and last
    terms together are log(1 + exp(x)), also available stably as torch.logaddexp(0, x) (with 0
    as a tensor), so loss_i = log(1 + exp(x_i)) - x_i * t_i is another way to write it.

    Any other reduction raises ValueError whose message names 'mean', 'sum' and 'none'. The
    result has the logits' dtype and device; logits and target are not modified.
    """
    # BEGIN SOLUTION
    # max(x, 0) + log1p(exp(-|x|)) is log(1 + exp(x)), which torch.logaddexp(0, x) computes
    # stably in a single pass.
    return _reduce(torch.logaddexp(logits.new_zeros(()), logits) - logits * target, reduction)
    # END SOLUTION


def cross_entropy(logits: Tensor, target: Tensor, reduction: str = "mean") -> Tensor:
    """Multi-class cross-entropy of softmax(logits) against the target classes.

    logits has shape (N, C): one row of unnormalized scores for each of N samples. target is
    either

    * class indices: an int64 tensor of shape (N,) with values in [0, C), and
          loss_n = -log_softmax(logits_n)[target_n]
    * class probabilities: a floating tensor of shape (N, C), one distribution per row (soft
      labels, label smoothing), and
          loss_n = -sum_c target[n, c] * log_softmax(logits_n)[c]

    Tell the two apart by dtype (target.is_floating_point()). The logarithm is the natural one
    (torch.log). reduction="mean" averages the N per-sample losses, for both kinds of target
    (divide by N, not by N * C); "none" returns shape (N,).

    Write log_softmax inline, along dim 1, in its stable form:

        log_softmax(x)_c = (x_c - m) - log(sum_j exp(x_j - m)),   m = max_j x_j

    Without subtracting m, exp(1000) = inf. And do not take the log of a softmax: a class whose
    probability underflows to 0 gets log(0) = -inf, while its true loss (1e4 for the class with
    logit -1e4 in a row (0, -1e4)) is an ordinary number.

    Any other reduction raises ValueError whose message names 'mean', 'sum' and 'none'. The
    result has the logits' dtype and device (build any helper tensor, such as a one-hot target,
    on logits.device); logits and target are not modified (shift a copy, not the logits).
    """
    # BEGIN SOLUTION
    shifted = logits - logits.amax(dim=1, keepdim=True)  # (N, C), each row's maximum is 0
    log_norm = torch.log(torch.exp(shifted).sum(dim=1, keepdim=True))  # (N, 1)
    if target.is_floating_point():
        # -sum_c t_c * (shifted_c - log_norm) = log_norm * sum_c t_c - sum_c t_c * shifted_c,
        # which spares one pass over the (N, C) tensor.
        loss = log_norm.squeeze(1) * target.sum(dim=1) - (target * shifted).sum(dim=1)
    else:  # only the target's log-probability is needed: pick it before subtracting
        loss = (log_norm - shifted.gather(1, target.unsqueeze(1))).squeeze(1)
    return _reduce(loss, reduction)
    # END SOLUTION


def nll_loss(log_probs: Tensor, target: Tensor, reduction: str = "mean") -> Tensor:
    """Negative log-likelihood of the target classes, from log-probabilities.

    log_probs has shape (N, C): one row of log-probabilities for each of N samples, usually the
    output of a log_softmax. target holds class indices: an int64 tensor of shape (N,) with
    values in [0, C). Then

        loss_n = -log_probs[n, target_n]

    the target's entry of row n (column target_n), negated. log_probs already are logarithms:
    take no further log and no softmax. An entry may be -inf (log of a probability 0) in a
    column other than the target's: picking the target's entry (gather, or indexing with
    rows torch.arange(N) and columns target) ignores it, while multiplying by a one-hot matrix
    computes 0 * -inf = NaN. reduction="mean" averages the N per-sample losses (divide by N, not
    by N * C); "none" returns shape (N,).

    Any other reduction raises ValueError whose message names 'mean', 'sum' and 'none'. The
    result has log_probs' dtype and device (not the target's int64); log_probs and target are not
    modified.
    """
    # BEGIN SOLUTION
    picked = log_probs.gather(1, target.unsqueeze(1)).squeeze(1)  # (N,): log_probs[n, target_n]
    return _reduce(picked.neg_(), reduction)
    # END SOLUTION
