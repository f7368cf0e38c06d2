"""The reference solution of the metrics exercise.

Its instructions (the stub's module docstring) are written once, in
instructions/metrics.md, English and Chinese.
"""

import torch
from torch import Tensor


def accuracy(scores: Tensor, target: Tensor) -> float:
    """The fraction of the N rows whose predicted class is the target class, as a Python float.

    ``scores`` has shape (N, C) (logits, probabilities, any scores: larger means more likely);
    the predicted class of a row is its argmax. Ties go to the first maximal column, as
    torch.argmax does: a row of equal scores predicts class 0. ``target`` is either int64 class
    indices of shape (N,), or a floating (N, C) one-hot or probability matrix, whose row argmax
    (first maximal column again) is the target class. With n_correct the number of rows whose
    two classes agree,

        accuracy = n_correct / N

    over all N rows at once: not a mean of per-batch accuracies (a smaller last batch would
    weigh as much as a full one), not the count n_correct itself. Returns a Python float
    (``.item()``), not a tensor. Keeps no state between calls: each call counts its own rows.
    """
    # BEGIN SOLUTION
    if target.dim() == 2:
        target = target.argmax(dim=1)
    correct = (scores.argmax(dim=1) == target).sum().item()
    return correct / scores.shape[0]
    # END SOLUTION


def confusion_matrix(pred: Tensor, target: Tensor, num_classes: int) -> Tensor:
    """The (C, C) confusion matrix of int64 class indices ``pred`` and ``target`` (shape (N,)).

    Entry [i, j] counts the samples whose true class (``target``) is i and whose predicted
    class (``pred``) is j: rows are the true class, columns the predicted one (scikit-learn's
    convention, ``confusion_matrix(y_true, y_pred)``; note that pred comes first here). So

        M[i, j] = #{n : target[n] == i and pred[n] == j}

    the diagonal holds the correct predictions, row i sums to the number of samples of class
    i, and the matrix is (num_classes, num_classes) even when some classes never occur.
    Returns an int64 tensor on the inputs' device. A class outside 0 .. num_classes - 1 in
    either input is a ValueError (check before counting: torch.bincount would silently grow
    the matrix, and indexing out of range is an IndexError or worse on a GPU).
    """
    # BEGIN SOLUTION
    for name, labels in (("pred", pred), ("target", target)):
        if labels.numel() and (labels.min().item() < 0 or labels.max().item() >= num_classes):
            raise ValueError(
                f"{name} holds classes outside 0 .. {num_classes - 1} (num_classes = "
                f"{num_classes}): min {labels.min().item()}, max {labels.max().item()}"
            )
    flat = target.long() * num_classes + pred.long()
    counts = torch.bincount(flat, minlength=num_classes * num_classes)
    return counts.reshape(num_classes, num_classes)
    # END SOLUTION


def standardize(train: Tensor, *others: Tensor) -> tuple[Tensor, ...]:
    """Standardize each feature with the training data's statistics; a tuple of 1 + len(others).

    ``train`` has shape (N, D): each column is a feature. Its per-feature mean and population
    variance (ddof 0: divide by N, not N - 1), computed in float64 whatever train's dtype (as
    scikit-learn's StandardScaler does):

        mean_j = (1 / N) * sum_n train[n, j]
        var_j  = (1 / N) * sum_n (train[n, j] - mean_j) ** 2
        scale_j = 1 if feature j is constant, else sqrt(var_j)
        z[:, j] = (x[:, j] - mean_j) / scale_j

    applied to train and to each of ``others`` (shape (M, D), any M) with *train's* mean and
    scale: never statistics of the other sets, nor of train and the others together (that
    leaks the test data into the model). A feature is *constant* when its computed variance is
    no larger than the rounding error a constant column can leave in it, StandardScaler's rule
    (``_is_constant_feature`` in sklearn/preprocessing/_data.py, from Chan, Golub and LeVeque's
    error bound of the two-pass variance):

        var_j <= N * eps * var_j + (N * mean_j * eps) ** 2,   eps = torch.finfo(torch.float64).eps

    A constant feature is only shifted (scale 1), so no 0 / 0 and no blow-up: the column
    [0.1, 0.1, 0.1] has a computed std of 1.4e-17, not 0, and ``std == 0`` misses it. Note
    that torch.std divides by N - 1 unless told ``correction=0``.

    Returns a tuple even when ``others`` is empty (``(z_train,)``), each tensor in its input's
    shape, train's dtype and device; the inputs are not modified.

    train and the others may be views of other tensors in any layout (transposed, sliced with a
    step, or expanded from one row, which makes every feature constant): only read them.
    """
    # BEGIN SOLUTION
    data = train.double()
    mean = data.mean(dim=0)
    var = ((data - mean) ** 2).mean(dim=0)
    eps = torch.finfo(torch.float64).eps
    n = train.shape[0]
    constant = var <= n * eps * var + (n * mean * eps) ** 2
    scale = torch.where(constant, torch.ones_like(var), var.sqrt())
    return tuple(((x.double() - mean) / scale).to(train.dtype) for x in (train, *others))
    # END SOLUTION


def early_stopping(
    val_losses: list[float], *, patience: int, min_delta: float = 0.0
) -> tuple[int, int]:
    """(best epoch, stop epoch) of early stopping on a sequence of validation losses.

    Epochs are counted from 0: ``val_losses[e]`` is the loss after epoch e. The rule is
    Keras's EarlyStopping (mode "min"):

      - epoch 0 sets the best loss;
      - a later epoch e *improves* when val_losses[e] < best - min_delta (strictly below);
        only an improving epoch becomes the new best (and its loss the new best loss); a
        smaller decrease is not an improvement and changes nothing;
      - wait counts the epochs in a row without improvement since the last best; training
        stops at the first epoch where wait reaches ``patience``;
      - if that never happens, training runs to the last epoch, len(val_losses) - 1.

    Returns two Python ints: the best epoch seen up to the stop (epochs after the stop are
    never looked at) and the stop epoch. An empty sequence or patience < 1 is a ValueError.
    For example, losses [1.0, 0.9, 0.95, 0.91, 0.92] with patience 2 stop at epoch 3 with
    best epoch 1; with min_delta 0.2, epoch 1 does not improve either (0.9 >= 1.0 - 0.2), so
    training stops at epoch 2 with best epoch 0.
    """
    # BEGIN SOLUTION
    losses = [float(loss) for loss in val_losses]
    if not losses:
        raise ValueError("val_losses is empty: there is no epoch to stop at")
    if patience < 1:
        raise ValueError(f"patience must be at least 1, got {patience}")
    best, best_epoch, wait = losses[0], 0, 0
    for epoch in range(1, len(losses)):
        if losses[epoch] < best - min_delta:
            best, best_epoch, wait = losses[epoch], epoch, 0
        else:
            wait += 1
            if wait >= patience:
                return best_epoch, epoch
    return best_epoch, len(losses) - 1
    # END SOLUTION
