from variants import Variant

VARIANTS = [
    # --- mse_loss ------------------------------------------------------------------------------
    Variant(
        "mse-mean-over-the-batch-dimension-only",
        """
def mse_loss(pred, target, reduction="mean"):
    loss = (pred - target) ** 2
    if reduction == "mean":
        return loss.sum() / pred.shape[0]
    return _reduce(loss, reduction)
""",
        expect="fail",
        message=r"mse_loss\(pred, target, reduction='mean'\): values differ.*"
        r"Hint: .*averages over every element",
        select="mse_loss_matches_torch",
    ),
    Variant(
        "mse-subtracts-in-place",
        """
def mse_loss(pred, target, reduction="mean"):
    pred -= target
    return _reduce(pred * pred, reduction)
""",
        expect="fail",
        message=r"mse_loss\(pred, target, reduction='none'\) changed its input",
        select="not_modified and mse",
    ),
    Variant(
        "mse-calls-torch",
        """
import torch.nn.functional as F

def mse_loss(pred, target, reduction="mean"):
    return F.mse_loss(pred, target, reduction=reduction)
""",
        expect="fail",
        message=r"torch\.nn\.functional\.mse_loss is not allowed in this exercise",
        select="mse_loss",
    ),
    # --- binary_cross_entropy ------------------------------------------------------------------
    Variant(
        "bce-log-not-clamped",
        """
def binary_cross_entropy(prob, target, reduction="mean"):
    return _reduce(-(target * torch.log(prob) + (1 - target) * torch.log(1 - prob)), reduction)
""",
        expect="fail",
        message=r"binary_cross_entropy\(prob, .*returned (nan|inf) at index .*expected the finite "
        r"value.*Hint: clamp each log term at -100",
        select="binary_cross_entropy_at_probabilities",
    ),
    Variant(
        "bce-prob-clamped-with-epsilon",
        """
def binary_cross_entropy(prob, target, reduction="mean"):
    p = prob.clamp(1e-7, 1 - 1e-7)
    return _reduce(-(target * torch.log(p) + (1 - target) * torch.log(1 - p)), reduction)
""",
        expect="fail",
        message=r"binary_cross_entropy\(prob, .*values differ.*Hint: clamp each log term at -100.*"
        r"Clamping prob to \[eps, 1 - eps\]",
        select="binary_cross_entropy_at_probabilities",
    ),
    Variant(
        "bce-replaces-only-log-of-zero",  # log(1e-50) = -115 must be clamped to -100 too
        """
def binary_cross_entropy(prob, target, reduction="mean"):
    minus_100 = torch.full_like(prob, -100.0)
    log_p = torch.where(prob == 0, minus_100, torch.log(prob))
    log_not_p = torch.where(prob == 1, minus_100, torch.log1p(-prob))
    return _reduce(-(target * log_p + (1 - target) * log_not_p), reduction)
""",
        expect="fail",
        message=r"binary_cross_entropy\(prob, .*values differ.*Hint: clamp each log term at -100",
        select="binary_cross_entropy_at_probabilities",
    ),
    Variant(
        "bce-drops-the-negative-class-term",
        """
def binary_cross_entropy(prob, target, reduction="mean"):
    return _reduce(-target * torch.log(prob).clamp(min=-100), reduction)
""",
        expect="fail",
        message=r"binary_cross_entropy\(prob, .*values differ.*Hint: the loss of each element is "
        r"-\(t \* log\(p\) \+ \(1 - t\) \* log\(1 - p\)\)",
        select="binary_cross_entropy_matches_torch",
    ),
    Variant(
        "bce-clamps-prob-in-place",
        """
def binary_cross_entropy(prob, target, reduction="mean"):
    prob.clamp_(1e-300, 1.0)
    log_p = torch.log(prob).clamp(min=-100)
    log_not_p = torch.log1p(-prob).clamp(min=-100)
    return _reduce(-(target * log_p + (1 - target) * log_not_p), reduction)
""",
        expect="fail",
        message=r"binary_cross_entropy\(prob, target, reduction='none'\) changed its input",
        select="not_modified",
    ),
    # --- binary_cross_entropy_with_logits ------------------------------------------------------
    Variant(
        "bce-with-logits-through-sigmoid",  # saturates: sigmoid(500) == 1.0 exactly
        """
def binary_cross_entropy_with_logits(logits, target, reduction="mean"):
    prob = 1 / (1 + torch.exp(-logits))
    return binary_cross_entropy(prob, target, reduction)
""",
        expect="fail",
        message=r"binary_cross_entropy_with_logits\(logits, .*values differ.*"
        r"Hint: sigmoid saturates",
        select="extreme_logits",
    ),
    Variant(
        "bce-with-logits-log-one-plus-exp",  # log(1 + exp(500)) = inf
        """
def binary_cross_entropy_with_logits(logits, target, reduction="mean"):
    return _reduce(torch.log1p(torch.exp(logits)) - logits * target, reduction)
""",
        expect="fail",
        message=r"binary_cross_entropy_with_logits\(logits, .*returned inf .*Hint: sigmoid "
        r"saturates.*overflows to inf",
        select="extreme_logits",
    ),
    Variant(
        "bce-with-logits-calls-torch-sigmoid",
        """
def binary_cross_entropy_with_logits(logits, target, reduction="mean"):
    return binary_cross_entropy(torch.sigmoid(logits), target, reduction)
""",
        expect="fail",
        message=r"torch\.sigmoid is not allowed in this exercise",
        select="with_logits_matches_torch",
    ),
    # --- cross_entropy -------------------------------------------------------------------------
    Variant(
        "cross-entropy-log10",
        """
import math

def cross_entropy(logits, target, reduction="mean"):
    shifted = logits - logits.amax(dim=1, keepdim=True)
    log_probs = shifted / math.log(10) - torch.log10(torch.exp(shifted).sum(dim=1, keepdim=True))
    if target.is_floating_point():
        return _reduce(-(target * log_probs).sum(dim=1), reduction)
    return _reduce(-log_probs.gather(1, target.unsqueeze(1)).squeeze(1), reduction)
""",
        expect="fail",
        message=r"cross_entropy\(logits, .*values differ.*Hint: every class has probability "
        r"1/10.*natural logarithm",
        select="uniform_logits",
    ),
    Variant(
        "cross-entropy-without-max-shift",
        """
def cross_entropy(logits, target, reduction="mean"):
    log_probs = logits - torch.log(torch.exp(logits).sum(dim=1, keepdim=True))
    if target.is_floating_point():
        return _reduce(-(target * log_probs).sum(dim=1), reduction)
    return _reduce(-log_probs.gather(1, target.unsqueeze(1)).squeeze(1), reduction)
""",
        expect="fail",
        message=r"cross_entropy\(logits, .*returned (nan|inf) at index .*expected the finite "
        r"value.*Hint: subtract the row maximum",
        select="large_logits",
    ),
    Variant(
        "cross-entropy-log-of-softmax",
        """
def cross_entropy(logits, target, reduction="mean"):
    e = torch.exp(logits - logits.amax(dim=1, keepdim=True))
    log_probs = torch.log(e / e.sum(dim=1, keepdim=True))
    if target.is_floating_point():
        return _reduce(-(target * log_probs).sum(dim=1), reduction)
    return _reduce(-log_probs.gather(1, target.unsqueeze(1)).squeeze(1), reduction)
""",
        expect="fail",
        message=r"cross_entropy\(logits, .*returned (nan|inf) at index .*expected the finite "
        r"value.*Hint: the softmax of the target class underflows to 0",
        select="unlikely_class",
    ),
    Variant(
        "cross-entropy-mean-is-a-sum",
        """
_reference_cross_entropy = cross_entropy

def cross_entropy(logits, target, reduction="mean"):
    return _reference_cross_entropy(logits, target, "sum" if reduction == "mean" else reduction)
""",
        expect="fail",
        message=r"cross_entropy\(logits, target, reduction='mean'\): values differ.*"
        r"Hint: .*averages the N per-sample losses",
        select="class_indices_matches_torch",
    ),
    Variant(
        "cross-entropy-probabilities-mean-over-all-classes",  # divides by N * C, not N
        """
_reference_cross_entropy = cross_entropy

def cross_entropy(logits, target, reduction="mean"):
    if target.is_floating_point() and reduction == "mean":
        shifted = logits - logits.amax(dim=1, keepdim=True)
        log_probs = shifted - torch.log(torch.exp(shifted).sum(dim=1, keepdim=True))
        return -(target * log_probs).mean()
    return _reference_cross_entropy(logits, target, reduction)
""",
        expect="fail",
        message=r"cross_entropy\(logits, target, reduction='mean'\): values differ.*"
        r"Hint: .*not divided by N \* C",
        select="class_probabilities_matches_torch",
    ),
    Variant(
        "cross-entropy-probabilities-reduced-to-argmax",
        """
_reference_cross_entropy = cross_entropy

def cross_entropy(logits, target, reduction="mean"):
    if target.is_floating_point():
        target = target.argmax(dim=1)
    return _reference_cross_entropy(logits, target, reduction)
""",
        expect="fail",
        message=r"cross_entropy\(logits, .*values differ.*soft class probabilities.*"
        r"Hint: a floating target of shape \(N, C\) holds one probability distribution",
        select="class_probabilities_matches_torch",
    ),
    Variant(
        "cross-entropy-none-keeps-the-gathered-dim",
        """
_reference_cross_entropy = cross_entropy

def cross_entropy(logits, target, reduction="mean"):
    loss = _reference_cross_entropy(logits, target, reduction)
    return loss.unsqueeze(1) if reduction == "none" else loss
""",
        expect="fail",
        message=r"cross_entropy\(logits, target, reduction='none'\): returned shape \(\d+, 1\), "
        r"expected \(\d+,\)",
        select="cross_entropy",
    ),
    Variant(
        "cross-entropy-one-hot-built-on-cpu",  # breaks on any other device; meta shows it
        """
_reference_cross_entropy = cross_entropy

def cross_entropy(logits, target, reduction="mean"):
    if not target.is_floating_point():
        one_hot = torch.zeros(logits.shape, dtype=logits.dtype)
        one_hot[torch.arange(len(target)), target] = 1.0
        target = one_hot
    return _reference_cross_entropy(logits, target, reduction)
""",
        expect="fail",
        message=r"(on device \w+ is not on the expected device|on cpu, expected meta)",
        select="dtype_and_device",
    ),
    Variant(
        "cross-entropy-shifts-logits-in-place",
        """
def cross_entropy(logits, target, reduction="mean"):
    logits -= logits.amax(dim=1, keepdim=True)
    log_probs = logits - torch.log(torch.exp(logits).sum(dim=1, keepdim=True))
    if target.is_floating_point():
        return _reduce(-(target * log_probs).sum(dim=1), reduction)
    return _reduce(-log_probs.gather(1, target.unsqueeze(1)).squeeze(1), reduction)
""",
        expect="fail",
        message=r"cross_entropy\(logits, target, reduction='none'\) changed its input",
        select="not_modified",
    ),
    Variant(
        "cross-entropy-calls-log-softmax-method",
        """
def cross_entropy(logits, target, reduction="mean"):
    log_probs = logits.log_softmax(dim=1)
    if target.is_floating_point():
        return _reduce(-(target * log_probs).sum(dim=1), reduction)
    return _reduce(-log_probs.gather(1, target.unsqueeze(1)).squeeze(1), reduction)
""",
        expect="fail",
        message=r"torch\.Tensor\.log_softmax is not allowed in this exercise",
        select="class_indices_matches_torch",
    ),
    Variant(
        "cross-entropy-calls-nll-loss",
        """
from torch.nn.functional import nll_loss

def cross_entropy(logits, target, reduction="mean"):
    shifted = logits - logits.amax(dim=1, keepdim=True)
    log_probs = shifted - torch.log(torch.exp(shifted).sum(dim=1, keepdim=True))
    return nll_loss(log_probs, target, reduction=reduction)
""",
        expect="fail",
        message=r"torch\.nn\.functional\.nll_loss is not allowed in this exercise",
        select="class_indices_matches_torch",
    ),
    # --- l1_loss -------------------------------------------------------------------------------
    Variant(
        "l1-mean-over-the-batch-dimension-only",
        """
def l1_loss(pred, target, reduction="mean"):
    loss = (pred - target).abs()
    if reduction == "mean":
        return loss.sum() / pred.shape[0]
    return _reduce(loss, reduction)
""",
        expect="fail",
        message=r"l1_loss\(pred, target, reduction='mean'\): values differ.*"
        r"Hint: .*averages over every element",
        select="l1_loss_matches_torch",
    ),
    Variant(
        "l1-sum-for-mean",
        """
def l1_loss(pred, target, reduction="mean"):
    return _reduce((pred - target).abs(), "sum" if reduction == "mean" else reduction)
""",
        expect="fail",
        message=r"l1_loss\(pred, target, reduction='mean'\): values differ.*"
        r"Hint: the loss of each element is \|pred - target\|; reduction='mean' averages",
        select="l1_loss_matches_torch",
    ),
    # --- huber_loss ----------------------------------------------------------------------------
    Variant(
        "huber-linear-piece-without-delta",  # |d| - delta / 2: right only for delta = 1
        """
def huber_loss(pred, target, reduction="mean", delta=1.0):
    d = (pred - target).abs()
    return _reduce(torch.where(d <= delta, 0.5 * d * d, d - 0.5 * delta), reduction)
""",
        expect="fail",
        message=r"huber_loss\(pred, target, reduction='\w+', delta=(0\.3|2\.5)\): values differ"
        r".*Hint: .*the linear piece is multiplied by delta",
        select="huber_loss",
    ),
    Variant(
        "huber-as-smooth-l1",  # smooth_l1_loss with beta = delta: delta times too small
        """
def huber_loss(pred, target, reduction="mean", delta=1.0):
    d = (pred - target).abs()
    return _reduce(torch.where(d < delta, 0.5 * d * d / delta, d - 0.5 * delta), reduction)
""",
        expect="fail",
        message=r"huber_loss\(pred, target, reduction='\w+', delta=(0\.3|2\.5)\): values differ"
        r".*Hint: .*not smooth_l1_loss itself",
        select="huber_loss",
    ),
    Variant(
        "huber-mask-products",  # 0 * inf = nan where d^2 overflows
        """
def huber_loss(pred, target, reduction="mean", delta=1.0):
    d = (pred - target).abs()
    small = (d <= delta).to(pred.dtype)
    quadratic, linear = 0.5 * d**2, delta * (d - 0.5 * delta)
    loss = small * quadratic + (1 - small) * linear
    return _reduce(loss, reduction)
""",
        expect="fail",
        message=r"huber_loss\(pred, target, reduction='none', delta=0\.5\): returned nan .*"
        r"Hint: for these outliers d\^2 overflows to inf",
        select="huber_loss",
    ),
    Variant(
        "huber-calls-smooth-l1",
        """
import torch.nn.functional as F

def huber_loss(pred, target, reduction="mean", delta=1.0):
    return delta * F.smooth_l1_loss(pred, target, reduction=reduction, beta=delta)
""",
        expect="fail",
        message=r"torch\.nn\.functional\.smooth_l1_loss is not allowed in this exercise",
        select="huber_loss",
    ),
    # --- nll_loss ------------------------------------------------------------------------------
    Variant(
        "nll-takes-the-log-again",  # log of log-probabilities: log of a negative number
        """
def nll_loss(log_probs, target, reduction="mean"):
    picked = log_probs.gather(1, target.unsqueeze(1)).squeeze(1)
    return _reduce(-torch.log(picked), reduction)
""",
        expect="fail",
        message=r"nll_loss\(log_probs, target, reduction='mean'\): returned nan .*expected the "
        r"finite value.*Hint: .*log_probs already are logarithms",
        select="nll_loss",
    ),
    Variant(
        "nll-wrong-sign",
        """
def nll_loss(log_probs, target, reduction="mean"):
    return _reduce(log_probs.gather(1, target.unsqueeze(1)).squeeze(1), reduction)
""",
        expect="fail",
        message=r"nll_loss\(log_probs, target, reduction='mean'\): values differ.*"
        r"Hint: loss_n = -log_probs\[n, target_n\]",
        select="nll_loss",
    ),
    Variant(
        "nll-gathers-along-the-wrong-axis",  # log_probs[target_n, n]
        """
def nll_loss(log_probs, target, reduction="mean"):
    return _reduce(-log_probs.gather(0, target.unsqueeze(0)).squeeze(0), reduction)
""",
        expect="fail",
        message=r"nll_loss\(log_probs, target, reduction='mean'\): values differ.*"
        r"Hint: loss_n = -log_probs\[n, target_n\]: row n, column target_n",
        select="nll_loss",
    ),
    Variant(
        "nll-one-hot-product",  # 0 * -inf = nan
        """
def nll_loss(log_probs, target, reduction="mean"):
    one_hot = torch.zeros_like(log_probs).scatter_(1, target.unsqueeze(1), 1.0)
    return _reduce(-(one_hot * log_probs).sum(dim=1), reduction)
""",
        expect="fail",
        message=r"nll_loss\(log_probs, target, reduction='none'\): returned nan .*"
        r"Hint: pick each row's target entry",
        select="nll_loss",
    ),
    Variant(
        "nll-mean-over-every-entry",  # divides by N * C
        """
def nll_loss(log_probs, target, reduction="mean"):
    picked = -log_probs.gather(1, target.unsqueeze(1)).squeeze(1)
    if reduction == "mean":
        return picked.sum() / log_probs.numel()
    return _reduce(picked, reduction)
""",
        expect="fail",
        message=r"nll_loss\(log_probs, target, reduction='mean'\): values differ.*"
        r"Hint: .*not divided by N \* C",
        select="nll_loss",
    ),
    Variant(
        "nll-calls-torch",
        """
import torch.nn.functional as F

def nll_loss(log_probs, target, reduction="mean"):
    return F.nll_loss(log_probs, target, reduction=reduction)
""",
        expect="fail",
        message=r"torch\.nn\.functional\.nll_loss is not allowed in this exercise",
        select="nll_loss",
    ),
    # --- reduction -----------------------------------------------------------------------------
    Variant(
        "unknown-reduction-silently-means-none",
        """
def _reduce(loss, reduction):
    if reduction == "mean":
        return loss.mean()
    if reduction == "sum":
        return loss.sum()
    return loss
""",
        expect="fail",
        message=r"reduction='avg'\): returned a result instead of raising ValueError",
        select="unknown_reduction",
    ),
    Variant(
        "unknown-reduction-error-names-nothing",
        """
def _reduce(loss, reduction):
    if reduction == "mean":
        return loss.mean()
    if reduction == "sum":
        return loss.sum()
    if reduction == "none":
        return loss
    raise ValueError("invalid reduction")
""",
        expect="fail",
        message=r"raised ValueError\('invalid reduction'\), which does not name the allowed "
        r"value\(s\) 'mean', 'sum', 'none'",
        select="unknown_reduction",
    ),
    Variant(
        "reduction-mean-case-insensitive",  # "Mean" must be rejected, like PyTorch does
        """
_strict_reduce = _reduce

def _reduce(loss, reduction):
    return _strict_reduce(loss, reduction.lower() if isinstance(reduction, str) else reduction)
""",
        expect="fail",
        message=r"reduction='Mean'\): returned a result instead of raising ValueError",
        select="unknown_reduction",
    ),
    # --- correct alternatives, written differently: all must pass ------------------------------
    Variant(
        "l1-where-and-explicit-division",
        """
def l1_loss(pred, target, reduction="mean"):
    if reduction not in ("mean", "sum", "none"):
        raise ValueError(f"reduction {reduction!r}: choose 'mean', 'sum' or 'none'")
    d = pred - target
    loss = torch.where(d < 0, -d, d)
    if reduction == "none":
        return loss
    return loss.sum() / loss.numel() if reduction == "mean" else loss.sum()
""",
        expect="pass",
    ),
    Variant(
        "huber-via-where",
        """
def huber_loss(pred, target, reduction="mean", delta=1.0):
    d = pred - target
    a = d.abs()
    return _reduce(torch.where(a < delta, 0.5 * d * d, delta * (a - 0.5 * delta)), reduction)
""",
        expect="pass",
    ),
    Variant(
        "huber-piecewise-arithmetic-with-clamp",  # 0.5 q^2 + delta (|d| - q), q = clamp(d)
        """
def huber_loss(pred, target, reduction="mean", delta=1.0):
    d = pred - target
    q = d.clamp(-delta, delta)
    return _reduce(0.5 * q * q + delta * (d.abs() - q.abs()), reduction)
""",
        expect="pass",
    ),
    Variant(
        "nll-advanced-indexing",
        """
def nll_loss(log_probs, target, reduction="mean"):
    rows = torch.arange(log_probs.shape[0], device=log_probs.device)
    loss = -log_probs[rows, target]
    if reduction == "mean":
        return loss.sum() / len(loss)
    return _reduce(loss, reduction)
""",
        expect="pass",
    ),
    Variant(
        "nll-take-along-dim-and-in-place-negation",
        """
def nll_loss(log_probs, target, reduction="mean"):
    loss = torch.take_along_dim(log_probs, target[:, None], dim=1).flatten()
    loss.neg_()
    return _reduce(loss, reduction)
""",
        expect="pass",
    ),
    Variant(
        "mse-in-place-on-a-new-tensor-and-explicit-division",
        """
def mse_loss(pred, target, reduction="mean"):
    if reduction not in ("mean", "sum", "none"):
        raise ValueError(f"unknown reduction {reduction!r}: use 'mean', 'sum' or 'none'")
    diff = pred - target
    diff.mul_(diff)
    if reduction == "none":
        return diff
    total = diff.sum()
    return total / pred.numel() if reduction == "mean" else total
""",
        expect="pass",
    ),
    Variant(
        "bce-clamp-of-log-and-log-of-one-minus",  # torch.clamp(torch.log(...), -100) form
        """
def binary_cross_entropy(prob, target, reduction="mean"):
    log_p = torch.clamp(torch.log(prob), min=-100)
    log_not_p = torch.clamp(torch.log(1 - prob), min=-100)
    return _reduce(-target * log_p - (1 - target) * log_not_p, reduction)
""",
        expect="pass",
    ),
    Variant(
        "bce-via-torch-where",
        """
def binary_cross_entropy(prob, target, reduction="mean"):
    log_p, log_not_p = torch.log(prob), torch.log1p(-prob)
    floor = torch.full_like(prob, -100.0)
    log_p = torch.where(log_p > -100, log_p, floor)
    log_not_p = torch.where(log_not_p > -100, log_not_p, floor)
    return _reduce(-(log_not_p + target * (log_p - log_not_p)), reduction)
""",
        expect="pass",
    ),
    Variant(
        "bce-with-logits-piecewise-where",  # (1 - t) x + log1p(exp(-x)) or -t x + log1p(exp(x))
        """
def binary_cross_entropy_with_logits(logits, target, reduction="mean"):
    softplus_of_minus_abs = torch.log1p(torch.exp(-logits.abs()))
    positive = (1 - target) * logits + softplus_of_minus_abs
    negative = -target * logits + softplus_of_minus_abs
    return _reduce(torch.where(logits >= 0, positive, negative), reduction)
""",
        expect="pass",
    ),
    Variant(
        "bce-with-logits-log1p-form-and-softplus",
        """
import torch.nn.functional as F

def binary_cross_entropy_with_logits(logits, target, reduction="mean"):
    if logits.dtype == torch.float64:
        loss = torch.log1p(torch.exp(-logits.abs())) + logits.clamp(min=0) - logits * target
    else:
        loss = (1 - target) * logits + F.softplus(-logits)
    return _reduce(loss, reduction)
""",
        expect="pass",
    ),
    Variant(
        "cross-entropy-one-hot-multiplication",
        """
def cross_entropy(logits, target, reduction="mean"):
    if reduction not in {"mean", "sum", "none"}:
        raise ValueError("reduction: expected one of 'mean', 'sum', 'none', got " + repr(reduction))
    m = logits.max(dim=1, keepdim=True).values
    log_z = m + torch.log(torch.exp(logits - m).sum(dim=1, keepdim=True))
    if target.dim() == 1:
        target = torch.zeros_like(logits).scatter_(1, target.unsqueeze(1), 1.0)
    loss = (target * (log_z - logits)).sum(dim=1)
    if reduction == "none":
        return loss
    return loss.sum() / len(loss) if reduction == "mean" else loss.sum()
""",
        expect="pass",
    ),
    Variant(
        "cross-entropy-advanced-indexing-and-in-place-exp",
        """
def cross_entropy(logits, target, reduction="mean"):
    shifted = logits - logits.amax(dim=1, keepdim=True)
    exps = shifted.clone()
    exps.exp_()
    log_probs = shifted - exps.sum(dim=1, keepdim=True).log()
    if target.dtype == torch.int64:
        rows = torch.arange(len(target), device=logits.device)
        loss = -log_probs[rows, target]
    else:
        loss = -(target * log_probs).sum(dim=1)
    return _reduce(loss, reduction)
""",
        expect="pass",
    ),
]
