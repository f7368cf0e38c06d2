from variants import Variant

# standardize writing into its inputs: wrong (the caller's data changes), and on an expanded
# train a write through one memory location shared by every row.
_STANDARDIZE_IN_PLACE = """
def standardize(train, *others):
    mean, std = train.mean(dim=0), train.std(dim=0, correction=0)
    std = torch.where(std == 0, torch.ones_like(std), std)
    for x in (*others, train):
        x.sub_(mean).div_(std)
    return (train, *others)
"""

VARIANTS = [
    # --- accuracy ------------------------------------------------------------------------------
    Variant(
        "accuracy-counters-never-reset",  # module-level running totals, as across epochs
        """
_correct = 0
_total = 0

def accuracy(scores, target):
    global _correct, _total
    if target.dim() == 2:
        target = target.argmax(dim=1)
    _correct += (scores.argmax(dim=1) == target).sum().item()
    _total += scores.shape[0]
    return _correct / _total
""",
        expect="fail",
        message=r"accuracy\(scores, target\), called with A, then B, then A again: returned 0.25 "
        r"for A the first time and 0.4 the second time.*Hint: the result depends on earlier "
        r"calls: counters kept at module level",
        select="accuracy",
    ),
    Variant(
        "accuracy-mean-of-per-batch-accuracies",
        """
def accuracy(scores, target):
    if target.dim() == 2:
        target = target.argmax(dim=1)
    batch_accuracies = []
    for start in range(0, scores.shape[0], 100):
        hits = scores[start:start + 100].argmax(dim=1) == target[start:start + 100]
        batch_accuracies.append(hits.float().mean().item())
    return sum(batch_accuracies) / len(batch_accuracies)
""",
        expect="fail",
        message=r"accuracy\(scores, target\): returned 0.90909.*, expected 0.99108.*Hint: accuracy "
        r"= n_correct / N over all N rows at once. A mean of per-batch accuracies",
        select="fraction_of_all_rows",
    ),
    Variant(
        "accuracy-returns-the-count",  # d2l's accuracy(y_hat, y) counts; the caller divides
        """
def accuracy(scores, target):
    if target.dim() == 2:
        target = target.argmax(dim=1)
    return float((scores.argmax(dim=1) == target).sum().item())
""",
        expect="fail",
        message=r"Hint: you returned the count of correct rows \(1\): divide it by the number of "
        r"rows N = 4",
        select="accuracy",
    ),
    Variant(
        "accuracy-probability-target-without-argmax",  # the 'soft' accuracy: p(target) at pred
        """
def accuracy(scores, target):
    pred = scores.argmax(dim=1)
    if target.dim() == 2:
        return target[torch.arange(len(pred)), pred].sum().item() / len(pred)
    return (pred == target).sum().item() / len(pred)
""",
        expect="fail",
        message=r"accuracy\(scores, target\): returned .*probabilities.*Hint: a floating \(N, C\) "
        r"target \(probabilities\) gives the target class of row n as argmax\(target\[n\]\)",
        select="accuracy_matches",
    ),
    Variant(
        "accuracy-a-tie-counts-for-every-tied-class",
        """
def accuracy(scores, target):
    if target.dim() == 1:
        target = torch.nn.functional.one_hot(target, scores.shape[1])
    is_max = scores == scores.max(dim=1, keepdim=True).values
    target_max = target == target.max(dim=1, keepdim=True).values
    return (is_max & target_max).any(dim=1).sum().item() / scores.shape[0]
""",
        expect="fail",
        message=r"tied maxima.*Hint: a tie goes to the first maximal column, as torch.argmax does",
        select="tied",
    ),
    Variant(
        "accuracy-ties-to-the-last-maximal-column",
        """
def accuracy(scores, target):
    c = scores.shape[1]
    pred = c - 1 - scores.flip(1).argmax(dim=1)
    if target.dim() == 2:
        target = target.argmax(dim=1)
    return (pred == target).sum().item() / len(pred)
""",
        expect="fail",
        message=r"accuracy\(scores, target\): returned 0.8, expected 0.4.*Hint: a tie goes to the "
        r"first maximal column",
        select="tied",
    ),
    Variant(
        "accuracy-returns-a-tensor",
        """
def accuracy(scores, target):
    if target.dim() == 2:
        target = target.argmax(dim=1)
    return (scores.argmax(dim=1) == target).double().mean()
""",
        expect="fail",
        message=r"returned Tensor .*expected a Python float.*Hint: convert the count with .item\(\)",
        select="python_float",
    ),
    Variant(
        "accuracy-calls-sklearn",
        """
from sklearn.metrics import accuracy_score

def accuracy(scores, target):
    if target.dim() == 2:
        target = target.argmax(dim=1)
    return float(accuracy_score(target.cpu().numpy(), scores.argmax(dim=1).cpu().numpy()))
""",
        expect="fail",
        message=r"sklearn\.metrics\.accuracy_score is not allowed in this exercise",
        select="accuracy",
    ),
    # --- confusion_matrix ----------------------------------------------------------------------
    Variant(
        "confusion-matrix-transposed",  # rows predicted, columns true
        """
def confusion_matrix(pred, target, num_classes):
    if min(pred.min().item(), target.min().item()) < 0 or max(pred.max().item(), target.max().item()) >= num_classes:
        raise ValueError(f"classes must be in 0 .. {num_classes - 1}")
    flat = pred * num_classes + target
    return torch.bincount(flat, minlength=num_classes**2).reshape(num_classes, num_classes)
""",
        expect="fail",
        message=r"confusion_matrix\(pred, target, 3\): values differ.*Hint: your matrix is the "
        r"transpose of the right one: rows are the \*true\* class",
        select="confusion_matrix_matches",
    ),
    Variant(
        "confusion-matrix-bincount-without-minlength",  # sized by the largest label seen
        """
def confusion_matrix(pred, target, num_classes):
    if min(pred.min().item(), target.min().item()) < 0 or max(pred.max().item(), target.max().item()) >= num_classes:
        raise ValueError(f"classes must be in 0 .. {num_classes - 1}")
    counts = torch.bincount(target * num_classes + pred)
    counts = torch.cat([counts, counts.new_zeros((-counts.numel()) % num_classes)])
    return counts.reshape(-1, num_classes)
""",
        expect="fail",
        message=r"confusion_matrix\(pred, target, 6\): returned shape \(3, 6\), expected \(6, 6\).*"
        r"Hint: the matrix is num_classes x num_classes whatever classes occur",
        select="never_occur",
    ),
    Variant(
        "confusion-matrix-no-range-check",  # bincount silently grows, or rejects negatives
        """
def confusion_matrix(pred, target, num_classes):
    counts = torch.bincount(target * num_classes + pred, minlength=num_classes**2)
    return counts[: num_classes**2].reshape(num_classes, num_classes)
""",
        expect="fail",
        message=r"confusion_matrix\(pred=\[0, 1, 3\], target=\[0, 1, 2\], num_classes=3\): "
        r"returned a result; pred holds 3, outside 0 .. 2: expected a ValueError",
        select="out_of_range",
    ),
    Variant(
        "confusion-matrix-float-counts",
        """
def confusion_matrix(pred, target, num_classes):
    if min(pred.min().item(), target.min().item()) < 0 or max(pred.max().item(), target.max().item()) >= num_classes:
        raise ValueError(f"classes must be in 0 .. {num_classes - 1}")
    matrix = torch.zeros(num_classes, num_classes, device=pred.device)
    matrix.index_put_((target, pred), torch.ones(len(pred), device=pred.device), accumulate=True)
    return matrix
""",
        expect="fail",
        message=r"confusion_matrix\(pred, target, 3\): returned dtype torch.float32, expected "
        r"torch.int64",
        select="confusion_matrix_matches",
    ),
    # --- standardize ---------------------------------------------------------------------------
    Variant(
        "standardize-with-train-and-test-together",  # data leakage
        """
def standardize(train, *others):
    everything = torch.cat([train, *others])
    mean, std = everything.mean(dim=0), everything.std(dim=0, correction=0)
    std = torch.where(std == 0, torch.ones_like(std), std)
    return tuple((x - mean) / std for x in (train, *others))
""",
        expect="fail",
        message=r"standardize\(train, other(, other)?\), result for train: values differ.*Hint: the mean "
        r"and std come from train and the other sets together: that leaks the test data",
        select="standard_scaler",
    ),
    Variant(
        "standardize-ddof-1",  # torch.std's default
        """
def standardize(train, *others):
    mean, std = train.mean(dim=0), train.std(dim=0)
    std = torch.where(std == 0, torch.ones_like(std), std)
    return tuple((x - mean) / std for x in (train, *others))
""",
        expect="fail",
        message=r"standardize\(train\), result for train: values differ.*Hint: the standard "
        r"deviation divides by N - 1 \(torch.std's default",
        select="standard_scaler",
    ),
    Variant(
        "standardize-each-set-with-its-own-statistics",
        """
def standardize(train, *others):
    def own(x):
        std = x.std(dim=0, correction=0)
        return (x - x.mean(dim=0)) / torch.where(std == 0, torch.ones_like(std), std)
    return tuple(own(x) for x in (train, *others))
""",
        expect="fail",
        message=r"result for others\[0\]: values differ.*Hint: each set was standardized with its "
        r"own mean and std",
        select="standard_scaler",
    ),
    Variant(
        "standardize-divides-by-a-zero-std",
        """
def standardize(train, *others):
    mean, std = train.mean(dim=0), train.std(dim=0, correction=0)
    return tuple((x - mean) / std for x in (train, *others))
""",
        expect="fail",
        message=r"returned (nan|inf|-inf) at index .*Hint: a constant feature gets scale 1",
        select="constant_feature",
    ),
    Variant(
        "standardize-adds-eps-to-std",
        """
def standardize(train, *others):
    mean, std = train.mean(dim=0), train.std(dim=0, correction=0)
    return tuple((x - mean) / (std + 1e-8) for x in (train, *others))
""",
        expect="fail",
        message=r"Hint: a constant feature gets scale 1.*adding a small eps",
        select="constant_feature",
    ),
    Variant(
        "standardize-std-exactly-zero",  # a computed std is rarely exactly 0
        """
def standardize(train, *others):
    data = train.double()
    mean = data.mean(dim=0)
    std = ((data - mean) ** 2).mean(dim=0).sqrt()
    scale = torch.where(std == 0, torch.ones_like(std), std)
    return tuple(((x.double() - mean) / scale).to(train.dtype) for x in (train, *others))
""",
        expect="fail",
        message=r"Hint: a constant feature gets scale 1.*rarely exactly 0",
        select="nearly_constant",
    ),
    Variant(
        "standardize-in-place",
        _STANDARDIZE_IN_PLACE,
        expect="fail",
        message=r"standardize\(\.\.\.\) changed its argument 1",
        select="not_modified",
    ),
    Variant(
        "standardize-in-place-meets-an-expanded-train",  # writes through an expanded view
        _STANDARDIZE_IN_PLACE,
        expect="fail",
        message=r"standardize\(train, other\) with train and other expanded views: raised "
        r"RuntimeError.*Hint: train here is an expanded view of another tensor.*never write "
        r"into it",
        select="any_layout and expanded",
    ),
    Variant(
        "standardize-returns-a-bare-tensor-without-others",
        """
_correct_standardize = standardize

def standardize(train, *others):
    result = _correct_standardize(train, *others)
    return result[0] if not others else result
""",
        expect="fail",
        message=r"standardize\(train\): returned Tensor, expected a tuple of 1 tensor\(s\)",
        select="standard_scaler",
    ),
    Variant(
        "standardize-calls-standard-scaler",
        """
from sklearn.preprocessing import StandardScaler

def standardize(train, *others):
    scaler = StandardScaler().fit(train.cpu().numpy())
    return tuple(torch.as_tensor(scaler.transform(x.cpu().numpy()), dtype=train.dtype,
                                 device=train.device) for x in (train, *others))
""",
        expect="fail",
        message=r"sklearn\.preprocessing\.StandardScaler is not allowed in this exercise",
        select="standard_scaler",
    ),
    # --- early_stopping ------------------------------------------------------------------------
    Variant(
        "early-stopping-ignores-min-delta",  # any decrease, however small, restarts the patience
        """
def early_stopping(val_losses, *, patience, min_delta=0.0):
    if not val_losses or patience < 1:
        raise ValueError("need losses and patience >= 1")
    best, best_epoch, wait = val_losses[0], 0, 0
    for epoch, loss in enumerate(val_losses[1:], start=1):
        if loss < best:
            best, best_epoch, wait = loss, epoch, 0
        else:
            wait += 1
            if wait >= patience:
                return best_epoch, epoch
    return best_epoch, len(val_losses) - 1
""",
        expect="fail",
        message=r"early_stopping\(\[1.0, 0.9, 0.95, 0.91, 0.92\], patience=2, min_delta=0.2\): "
        r"returned \(best_epoch, stop_epoch\) = \(1, 3\), expected \(0, 2\)",
        select="table",
    ),
    Variant(
        "early-stopping-any-decrease-resets-the-wait",  # best needs min_delta, the wait does not
        """
def early_stopping(val_losses, *, patience, min_delta=0.0):
    if not val_losses or patience < 1:
        raise ValueError("need losses and patience >= 1")
    best, best_epoch, wait = val_losses[0], 0, 0
    for epoch, loss in enumerate(val_losses[1:], start=1):
        if loss < best - min_delta:
            best, best_epoch, wait = loss, epoch, 0
        elif loss < best:
            wait = 0
        else:
            wait += 1
            if wait >= patience:
                return best_epoch, epoch
    return best_epoch, len(val_losses) - 1
""",
        expect="fail",
        message=r"returned \(best_epoch, stop_epoch\) = \(0, 4\), expected \(0, 2\).*Hint: "
        r"with min_delta = 0.2 epoch 1 is no improvement",
        select="table",
    ),
    Variant(
        "early-stopping-best-follows-every-lower-loss",
        """
def early_stopping(val_losses, *, patience, min_delta=0.0):
    if not val_losses or patience < 1:
        raise ValueError("need losses and patience >= 1")
    best, best_epoch, wait = val_losses[0], 0, 0
    for epoch, loss in enumerate(val_losses[1:], start=1):
        if loss < best - min_delta:
            best_epoch, wait = epoch, 0
        else:
            wait += 1
        best = min(best, loss)
        if wait >= patience:
            return best_epoch, epoch
    return best_epoch, len(val_losses) - 1
""",
        expect="fail",
        message=r"returned \(best_epoch, stop_epoch\) = \(0, 3\), expected \(3, 5\).*Hint: only "
        r"an improving epoch becomes the best",
        select="table",
    ),
    Variant(
        "early-stopping-one-epoch-late",  # wait > patience
        """
def early_stopping(val_losses, *, patience, min_delta=0.0):
    if not val_losses or patience < 1:
        raise ValueError("need losses and patience >= 1")
    best, best_epoch, wait = val_losses[0], 0, 0
    for epoch, loss in enumerate(val_losses[1:], start=1):
        if loss < best - min_delta:
            best, best_epoch, wait = loss, epoch, 0
        else:
            wait += 1
            if wait > patience:
                return best_epoch, epoch
    return best_epoch, len(val_losses) - 1
""",
        expect="fail",
        message=r"returned \(best_epoch, stop_epoch\) = \(1, 4\), expected \(1, 3\)",
        select="table",
    ),
    Variant(
        "early-stopping-epochs-counted-from-1",
        """
_correct_early_stopping = early_stopping

def early_stopping(val_losses, *, patience, min_delta=0.0):
    best, stop = _correct_early_stopping(val_losses, patience=patience, min_delta=min_delta)
    return best + 1, stop + 1
""",
        expect="fail",
        message=r"returned \(best_epoch, stop_epoch\) = \(4, 4\), expected \(3, 3\)",
        select="table",
    ),
    Variant(
        "early-stopping-compares-with-the-previous-epoch",
        """
def early_stopping(val_losses, *, patience, min_delta=0.0):
    if not val_losses or patience < 1:
        raise ValueError("need losses and patience >= 1")
    best_epoch, wait = 0, 0
    for epoch in range(1, len(val_losses)):
        if val_losses[epoch] < val_losses[epoch - 1] - min_delta:
            wait = 0
            if val_losses[epoch] < val_losses[best_epoch]:
                best_epoch = epoch
        else:
            wait += 1
            if wait >= patience:
                return best_epoch, epoch
    return best_epoch, len(val_losses) - 1
""",
        expect="fail",
        message=r"returned \(best_epoch, stop_epoch\) = \(1, 4\), expected \(1, 3\).*Hint: epoch "
        r"1 is the best \(0.9\); epochs 2 and 3 do not improve on the best",
        select="table",
    ),
    Variant(
        "early-stopping-equal-loss-improves",  # <= instead of <
        """
def early_stopping(val_losses, *, patience, min_delta=0.0):
    if not val_losses or patience < 1:
        raise ValueError("need losses and patience >= 1")
    best, best_epoch, wait = val_losses[0], 0, 0
    for epoch, loss in enumerate(val_losses[1:], start=1):
        if loss <= best - min_delta:
            best, best_epoch, wait = loss, epoch, 0
        else:
            wait += 1
            if wait >= patience:
                return best_epoch, epoch
    return best_epoch, len(val_losses) - 1
""",
        expect="fail",
        message=r"Hint: an equal loss is no improvement",
        select="table",
    ),
    Variant(
        "early-stopping-accepts-patience-0",
        """
_correct_early_stopping = early_stopping

def early_stopping(val_losses, *, patience, min_delta=0.0):
    if patience < 1 and val_losses:
        return 0, 0
    return _correct_early_stopping(val_losses, patience=patience, min_delta=min_delta)
""",
        expect="fail",
        message=r"early_stopping\(\[1.0, 0.5\], patience=0\): returned a result, expected a "
        r"ValueError",
        select="invalid",
    ),
    # Correct alternatives, written differently: all must pass.
    Variant(
        "accuracy-one-hot-dot-product-and-numpy",
        """
import numpy as np

def accuracy(scores, target):
    pred = np.argmax(scores.detach().cpu().numpy(), axis=1)
    wanted = target.detach().cpu().numpy()
    if wanted.ndim == 2:
        wanted = np.argmax(wanted, axis=1)
    return float(np.count_nonzero(pred == wanted)) / len(pred)
""",
        expect="pass",
    ),
    Variant(
        "accuracy-max-indices-and-mean",
        """
def accuracy(scores, target):
    _, pred = scores.max(dim=1)
    if target.is_floating_point():
        _, target = target.max(dim=1)
    return (pred == target).to(torch.float64).mean().item()
""",
        expect="pass",
    ),
    Variant(
        "confusion-matrix-index-put-accumulate",
        """
def confusion_matrix(pred, target, num_classes):
    for labels in (pred, target):
        if labels.numel() and not ((labels >= 0) & (labels < num_classes)).all():
            raise ValueError(f"labels must lie in [0, {num_classes})")
    matrix = torch.zeros(num_classes, num_classes, dtype=torch.int64, device=pred.device)
    matrix.index_put_((target, pred), torch.ones_like(pred), accumulate=True)
    return matrix
""",
        expect="pass",
    ),
    Variant(
        "confusion-matrix-one-hot-product",
        """
def confusion_matrix(pred, target, num_classes):
    if any(int(x) < 0 or int(x) >= num_classes for x in torch.cat([pred, target]).tolist()):
        raise ValueError("every class must be in range(num_classes)")
    eye = torch.eye(num_classes, dtype=torch.float64, device=pred.device)
    return (eye[target].T @ eye[pred]).round().to(torch.int64)
""",
        expect="pass",
    ),
    Variant(
        "standardize-var-mean-and-mask",  # torch.var_mean, masked assignment on a copy
        """
def standardize(train, *others):
    var, mean = torch.var_mean(train.to(torch.float64), dim=0, correction=0)
    eps, n = torch.finfo(torch.float64).eps, len(train)
    std = var.sqrt()
    std[var <= n * eps * var + (n * mean * eps) ** 2] = 1.0
    return tuple(x.double().sub(mean).div(std).to(train.dtype) for x in (train, *others))
""",
        expect="pass",
    ),
    Variant(
        "standardize-two-pass-sums",  # sums and divisions written out
        """
def standardize(train, *others):
    data = train.double()
    n = data.shape[0]
    mean = data.sum(dim=0) / n
    var = (((data - mean) ** 2).sum(dim=0) / n)
    bound = n * torch.finfo(torch.float64).eps * var + (n * mean * torch.finfo(torch.float64).eps) ** 2
    scale = torch.where(var <= bound, torch.ones_like(var), var.sqrt())
    return tuple(((x.double() - mean) / scale).to(train.dtype) for x in (train, *others))
""",
        expect="pass",
    ),
    Variant(
        "early-stopping-epochs-since-best",  # no wait counter
        """
def early_stopping(val_losses, *, patience, min_delta=0.0):
    losses = list(val_losses)
    if len(losses) == 0:
        raise ValueError("empty")
    if patience < 1:
        raise ValueError("patience must be >= 1")
    best_epoch = 0
    for epoch in range(1, len(losses)):
        if losses[epoch] + min_delta < losses[best_epoch]:
            best_epoch = epoch
        elif epoch - best_epoch == patience:
            return best_epoch, epoch
    return best_epoch, len(losses) - 1
""",
        expect="pass",
    ),
    Variant(
        "early-stopping-jump-between-improvements-numpy",  # vectorized search for the next best
        """
import numpy as np

def early_stopping(val_losses, *, patience, min_delta=0.0):
    losses = np.asarray(val_losses, dtype=np.float64)
    if losses.size == 0 or patience < 1:
        raise ValueError("need at least one loss and patience >= 1")
    best = 0
    while True:
        window = losses[best + 1: best + 1 + patience]
        better = np.flatnonzero(window < losses[best] - min_delta)
        if better.size:
            best = best + 1 + int(better[0])
        elif best + patience < losses.size:
            return best, best + patience
        else:
            return best, int(losses.size - 1)
""",
        expect="pass",
    ),
]
