"""Metrics: accuracy, confusion matrix, standardization, early stopping

The instructions in English, then in Chinese. 中文说明在英文之后。

Write the tools around a training loop: the accuracy of a classifier, its confusion matrix,
standardization of the features with the training data's statistics, and the early-stopping rule
on a sequence of validation losses.

No function modifies its inputs or keeps anything between calls (no module-level counters): the
same arguments always give the same result. Tensors returned keep the device of the input.

`accuracy(scores, target)`
--------------------------

The fraction of the N rows whose predicted class is the target class, as a Python float.
`scores` has shape (N, C) (logits, probabilities or any scores: larger means more likely); the
predicted class of a row is its argmax. Ties go to the first maximal column, as `torch.argmax`
does: a row of equal scores predicts class 0. `target` is either int64 class indices of shape
(N,), or a floating (N, C) one-hot or probability matrix whose row argmax (the first maximal
column again) is the target class. With n_correct the number of rows whose two classes agree:

    accuracy = n_correct / N

over all N rows at once: not a mean of per-batch accuracies (a smaller last batch would weigh as
much as a full one), and not the count n_correct itself. Returns a Python float (`.item()`), not
a tensor. Keeps no state between calls: each call counts its own rows only.

`confusion_matrix(pred, target, num_classes)`
---------------------------------------------

The (C, C) confusion matrix of int64 class indices `pred` and `target` (both of shape (N,)), C =
`num_classes`. Entry [i, j] counts the samples whose true class (`target`) is i and whose
predicted class (`pred`) is j: rows are the true class, columns the predicted one (the
convention of scikit-learn's `confusion_matrix(y_true, y_pred)`; note that `pred` comes first
here):

    M[i, j] = #{n : target[n] == i and pred[n] == j}

The diagonal holds the correct predictions, row i sums to the number of samples of class i, and
the matrix is (C, C) even when some classes never occur. Returns an int64 tensor on the device
of the inputs. A class outside 0 .. C - 1 in either input is a `ValueError`: check before
counting (`torch.bincount` would silently grow the matrix, and indexing out of range is an
`IndexError`, or worse on a GPU).

`standardize(train, *others)`
-----------------------------

Standardize each feature with the statistics of the training data. `train` has shape (N, D):
each column is a feature, with its mean and population variance (ddof 0: divide by N, not N -
1), computed in float64 whatever the dtype of `train` (as scikit-learn's `StandardScaler` does):

    mean_j  = (1 / N) * sum_n train[n, j]
    var_j   = (1 / N) * sum_n (train[n, j] - mean_j) ** 2
    scale_j = 1 if feature j is constant, else sqrt(var_j)
    z[:, j] = (x[:, j] - mean_j) / scale_j

applied to `train` and to each of `others` (shape (M, D), any M) with the mean and scale *of
train*: never statistics of the other sets, nor of train and the others together (that leaks the
test data into the model). A feature is *constant* when its computed variance is no larger than
the rounding error a constant column can leave in it: `StandardScaler`'s rule
(`_is_constant_feature` in `sklearn/preprocessing/_data.py`, from Chan, Golub and LeVeque's
error bound of the two-pass variance):

    var_j <= N * eps * var_j + (N * mean_j * eps) ** 2,   eps = torch.finfo(torch.float64).eps

A constant feature is only shifted (scale 1), so there is no 0 / 0 and no blow-up: the column
[0.1, 0.1, 0.1] has a computed standard deviation of 1.4e-17, not 0, and `std == 0` misses it.
Note that `torch.std` divides by N - 1 unless told `correction=0`.

Returns a tuple of 1 + len(others) tensors, even when `others` is empty (`(z_train,)`), each in
the shape of its input, in the dtype of `train` and on its device; the inputs are not modified.

train and the others may be views of other tensors in any layout (transposed, sliced with a
step, or expanded from one row, which makes every feature constant): only read them.

`early_stopping(val_losses, *, patience, min_delta=0.0)`
--------------------------------------------------------

The best epoch and the epoch at which training stops, `(best_epoch, stop_epoch)`, for a sequence
of validation losses: `val_losses[e]` is the loss after epoch e, epochs counted from 0. The rule
is the one of Keras's `EarlyStopping` (mode "min"):

    best = val_losses[0], best_epoch = 0, wait = 0
    for e = 1, 2, ...:
        if val_losses[e] < best - min_delta:  best = val_losses[e], best_epoch = e, wait = 0
        else:                                 wait = wait + 1; stop at e if wait == patience
    no stop: stop_epoch = len(val_losses) - 1

An epoch improves only when its loss is strictly below the best minus `min_delta`, and only an
improving epoch becomes the new best: a smaller decrease is no improvement and changes nothing
(neither the best loss nor the count `wait`). Training stops at the first epoch that ends
`patience` epochs in a row without improvement; the best epoch is the last improving one up to
the stop (later epochs are never looked at).

Returns two Python ints. An empty sequence or `patience < 1` is a `ValueError`. For example, the
losses [1.0, 0.9, 0.95, 0.91, 0.92] with `patience=2` stop at epoch 3 with best epoch 1; with
`min_delta=0.2` epoch 1 does not improve either (0.9 is not below 1.0 - 0.2), so training stops
at epoch 2 with best epoch 0.

Not allowed
-----------

scikit-learn (`accuracy_score`, `confusion_matrix`, `StandardScaler`, ...): the tests use it as
the oracle.

评估指标：准确率、混淆矩阵、标准化与早停
========================================

实现训练循环周围的工具：分类器的准确率、它的混淆矩阵、用训练数据的统计量对特征做标准化，以及在一
串验证损失上的早停规则。

任何函数都不修改它的输入，也不在两次调用之间保存任何东西（不要用模块级的计数器）：相同的参数总是
给出相同的结果。返回的张量与输入在同一设备上。

`accuracy(scores, target)`
--------------------------

预测类别等于目标类别的行占全部 N 行的比例，以 Python float 返回。`scores` 的形状是 (N, C)
（logits、概率或任何得分：越大表示越可能）；每一行的预测类别是它的 argmax。出现并列时取第一个最
大的列，与 `torch.argmax` 一致：得分全部相等的一行预测为类别 0。`target` 要么是形状为 (N,) 的
int64 类别索引，要么是浮点型的 (N, C) one-hot 矩阵或概率矩阵，其每行的 argmax（同样取第一个最大
的列）就是目标类别。记 n_correct 为两个类别一致的行数：

    accuracy = n_correct / N

一次性在全部 N 行上计算：不是各批次准确率的平均（那样较小的最后一批会与完整的批次同等权重），也
不是计数 n_correct 本身。返回 Python float（`.item()`），而不是张量。两次调用之间不保存任何状
态：每次调用只统计它自己的行。

`confusion_matrix(pred, target, num_classes)`
---------------------------------------------

由 int64 类别索引 `pred` 和 `target`（形状都是 (N,)）构成的 (C, C) 混淆矩阵，C = `num_classes`。
元素 [i, j] 统计真实类别（`target`）为 i 且预测类别（`pred`）为 j 的样本数：行是真实类别，列是预
测类别（与 scikit-learn 的 `confusion_matrix(y_true, y_pred)` 约定相同；注意这里 `pred` 在前）：

    M[i, j] = #{n : target[n] == i and pred[n] == j}

对角线上是预测正确的样本，第 i 行之和是类别 i 的样本数；即使有的类别从未出现，矩阵也是 (C, C)。
返回 int64 张量，与输入在同一设备上。任一输入中出现 0 .. C - 1 之外的类别时抛出 `ValueError`：要
在计数之前检查（`torch.bincount` 会悄悄把矩阵变大，越界索引则是 `IndexError`，在 GPU 上更糟）。

`standardize(train, *others)`
-----------------------------

用训练数据的统计量对每个特征做标准化。`train` 的形状是 (N, D)：每一列是一个特征，计算它的均值和
总体方差（ddof 为 0：除以 N，而不是 N - 1）；无论 `train` 是什么 dtype，都用 float64 计算（与
scikit-learn 的 `StandardScaler` 相同）：

    mean_j  = (1 / N) * sum_n train[n, j]
    var_j   = (1 / N) * sum_n (train[n, j] - mean_j) ** 2
    scale_j = 1 if feature j is constant, else sqrt(var_j)
    z[:, j] = (x[:, j] - mean_j) / scale_j

用 *train 的*均值和缩放系数处理 `train` 以及 `others` 中的每一个（形状为 (M, D)，M 任意）：绝不
使用其他数据集的统计量，也不使用 train 与其他数据集合在一起的统计量（那样会把测试数据泄漏给模
型）。当一个特征算出的方差不超过常数列可能留下的舍入误差时，它就是*常数*特征，这是
`StandardScaler` 的规则（`sklearn/preprocessing/_data.py` 中的 `_is_constant_feature`，来自
Chan、Golub 和 LeVeque 关于两遍法方差的误差界）：

    var_j <= N * eps * var_j + (N * mean_j * eps) ** 2,   eps = torch.finfo(torch.float64).eps

常数特征只做平移（缩放系数为 1），因此不会出现 0 / 0，也不会被放大：列 [0.1, 0.1, 0.1] 算出的标
准差是 1.4e-17，而不是 0，`std == 0` 检查不到它。注意 `torch.std` 默认除以 N - 1，除非指定
`correction=0`。

返回 1 + len(others) 个张量组成的元组，即使 `others` 为空也是如此（`(z_train,)`）；每个张量的形
状与对应输入相同，dtype 与 `train` 相同，并在 `train` 所在的设备上；不修改输入。

train 和 others 可能是其他张量的任意布局的视图（转置的、带步长切片的，或由一行扩展而来的，此时每
个特征都是常数）：只读取它们。

`early_stopping(val_losses, *, patience, min_delta=0.0)`
--------------------------------------------------------

对一串验证损失给出最佳 epoch 和训练停止的 epoch，即 `(best_epoch, stop_epoch)`：`val_losses[e]`
是第 e 个 epoch 之后的损失，epoch 从 0 开始计数。规则与 Keras 的 `EarlyStopping`（mode 为
"min"）相同：

    best = val_losses[0], best_epoch = 0, wait = 0
    for e = 1, 2, ...:
        if val_losses[e] < best - min_delta:  best = val_losses[e], best_epoch = e, wait = 0
        else:                                 wait = wait + 1; stop at e if wait == patience
    no stop: stop_epoch = len(val_losses) - 1

只有当损失严格小于最佳值减去 `min_delta` 时，这个 epoch 才算有改进，而且只有有改进的 epoch 才成
为新的最佳：更小的下降不算改进，什么也不改变（既不改变最佳损失，也不改变计数 `wait`）。训练在第
一个使连续无改进的 epoch 数达到 `patience` 的 epoch 停止；最佳 epoch 是停止之前（含停止时）最后
一个有改进的 epoch（停止之后的 epoch 一概不看）。

返回两个 Python int。空序列或 `patience < 1` 时抛出 `ValueError`。例如，损失 [1.0, 0.9, 0.95,
0.91, 0.92] 在 `patience=2` 时于第 3 个 epoch 停止，最佳 epoch 为 1；若 `min_delta=0.2`，第 1 个
epoch 也没有改进（0.9 并不小于 1.0 - 0.2），所以训练在第 2 个 epoch 停止，最佳 epoch 为 0。

禁止使用
--------

scikit-learn（`accuracy_score`、`confusion_matrix`、`StandardScaler` 等）：测试用它作为参照答
案。
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
    # Your code here: replace the line below.
    raise NotImplementedError("accuracy() is not written yet")


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
    # Your code here: replace the line below.
    raise NotImplementedError("confusion_matrix() is not written yet")


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
    # Your code here: replace the line below.
    raise NotImplementedError("standardize() is not written yet")


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
    # Your code here: replace the line below.
    raise NotImplementedError("early_stopping() is not written yet")
