"""Model selection: k-fold cross-validation

The instructions in English, then in Chinese. 中文说明在英文之后。

Write the index splits of k-fold cross-validation with numpy index arithmetic, exactly like
scikit-learn's `KFold`.

k-fold cross-validation estimates how well a model generalizes without spending a separate test
set: cut the samples into k folds, train k times on k - 1 folds and validate on the one left
out, so that every sample is validated on exactly once.

`k_fold_split(n_samples, k, *, shuffle=False, seed=None)`
---------------------------------------------------------

Split the sample indices 0 .. n_samples - 1 into k folds. Returns k pairs `(train_idx, val_idx)`
of numpy integer arrays, in a list, or one by one from a generator (`yield`, as scikit-learn's
`KFold.split` does): the tests go through the result once. Fold i's validation indices are the
i-th of k consecutive blocks of an ordering of the samples, and its training indices are all the
other samples (sorted), so that every sample is in exactly one validation fold and never in the
training set of its own fold.

The first `n_samples % k` folds get one extra sample:

    size_i = n_samples // k + (1 if i < n_samples % k else 0)

For example 10 samples in 3 folds give sizes 4, 3, 3 (not 3, 3, 4, and not 3, 3, 3 dropping
one). Without shuffling the ordering is 0, 1, ..., n_samples - 1, so the result is exactly
`list(sklearn.model_selection.KFold(k).split(np.zeros(n_samples)))`: fold 0 validates on [0, 1,
2, 3] and trains on [4, ..., 9].

With `shuffle=True` the ordering is a random permutation drawn from
`np.random.default_rng(seed)`: the same seed gives the same folds, different seeds give
different folds, and numpy's global random state (`np.random.seed`, `np.random.permutation`) is
neither used nor changed. The fold sizes stay as above. `seed` is ignored when `shuffle` is
False.

Raises `ValueError` unless 2 <= k <= n_samples: one fold leaves nothing to train on, and more
folds than samples would leave some validation folds empty. k == n_samples is leave-one-out. The
message must name both bounds, 2 and n_samples (its value or the word), e.g.
`k must satisfy 2 <= k <= n_samples (= 10), got k = 1`.

Not allowed
-----------

Anything from `sklearn.model_selection` (`KFold`, `train_test_split`, ...); the tests use
`KFold` as the oracle.

模型选择：K 折交叉验证
======================

用 numpy 的索引运算实现 K 折交叉验证的索引划分，结果与 scikit-learn 的 `KFold` 完全一致。

K 折交叉验证可以在不额外占用一份测试集的情况下估计模型的泛化能力：把样本分成 k 折，训练 k 次，每
次在其中 k - 1 折上训练，在剩下的那一折上验证，这样每个样本恰好被验证一次。

`k_fold_split(n_samples, k, *, shuffle=False, seed=None)`
---------------------------------------------------------

把样本索引 0 .. n_samples - 1 划分为 k 折。返回 k 个 `(train_idx, val_idx)`，二者都是 numpy 整数
数组；可以放在一个列表里返回，也可以用生成器（`yield`，scikit-learn 的 `KFold.split` 就是这样）
逐个产出：测试只遍历结果一次。第 i 折的验证索引是样本某种排列中连续 k 块里的第 i 块，训练索引是
其余所有样本（按升序排列）；这样每个样本恰好属于一个验证折，而且从不出现在它自己那一折的训练集
中。

前 `n_samples % k` 折各多分到一个样本：

    size_i = n_samples // k + (1 if i < n_samples % k else 0)

例如 10 个样本分成 3 折，各折大小是 4、3、3（不是 3、3、4，也不是丢掉一个样本的 3、3、3）。不打
乱时样本的顺序就是 0, 1, ..., n_samples - 1，所以结果与
`list(sklearn.model_selection.KFold(k).split(np.zeros(n_samples)))` 完全相同：第 0 折在 [0, 1,
2, 3] 上验证，在 [4, ..., 9] 上训练。

当 `shuffle=True` 时，顺序是由 `np.random.default_rng(seed)` 生成的随机排列：相同的种子得到相同
的划分，不同的种子得到不同的划分，而且既不使用也不改变 numpy 的全局随机状态（`np.random.seed`、
`np.random.permutation`）。各折的大小仍如上所述。当 `shuffle` 为 False 时忽略 `seed`。

除非 2 <= k <= n_samples，否则抛出 `ValueError`：只有一折就没有数据可供训练，折数多于样本数则会
有验证折为空。k == n_samples 就是留一法（leave-one-out）。错误消息必须写出两个界限：2 和
n_samples（写它的值或写出 n_samples 这个词），例如
`k must satisfy 2 <= k <= n_samples (= 10), got k = 1`。

禁止使用
--------

`sklearn.model_selection` 中的任何内容（`KFold`、`train_test_split` 等）；测试用 `KFold` 作为参
照答案。
"""

import numpy as np


def k_fold_split(
    n_samples: int, k: int, *, shuffle: bool = False, seed: int | None = None
) -> list[tuple[np.ndarray, np.ndarray]]:
    """Split the sample indices 0 .. n_samples - 1 into k folds, like sklearn's KFold.

    Returns k pairs ``(train_idx, val_idx)`` of numpy integer arrays, in a list, or one by one
    from a generator (``yield``, as sklearn's ``KFold.split`` does): the tests go through the
    result once. Fold i's validation indices are the i-th of k consecutive blocks of an
    ordering of the samples, and its training indices are all the other samples (sorted), so
    that every sample is in exactly one validation fold and never in the training set of its
    own fold.

    Fold sizes: the first ``n_samples % k`` folds get one extra sample,

        size_i = n_samples // k + (1 if i < n_samples % k else 0)

    e.g. 10 samples in 3 folds -> sizes 4, 3, 3 (not 3, 3, 4, and not 3, 3, 3 dropping one).
    Without shuffling the ordering is 0, 1, ..., n_samples - 1, so the result is exactly
    ``list(sklearn.model_selection.KFold(k).split(np.zeros(n_samples)))``: fold 0 validates on
    [0, 1, 2, 3] and trains on [4, ..., 9].

    With ``shuffle=True`` the ordering is a random permutation drawn from
    ``np.random.default_rng(seed)``: the same seed gives the same folds, different seeds give
    different folds, and numpy's global RNG (np.random.seed, np.random.permutation) is neither
    used nor changed. The fold sizes stay as above. ``seed`` is ignored when shuffle is False.

    Raises ValueError unless 2 <= k <= n_samples: one fold leaves nothing to train on, and more
    folds than samples would leave some validation folds empty. k == n_samples is leave-one-out.
    The message must name both bounds, 2 and n_samples (its value or the word), e.g.
    "k must satisfy 2 <= k <= n_samples (= 10), got k = 1".
    """
    # Your code here: replace the line below.
    raise NotImplementedError("k_fold_split() is not written yet")
