"""The reference solution of the model_selection exercise.

Its instructions (the stub's module docstring) are written once, in
instructions/model_selection.md, English and Chinese.
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
    # BEGIN SOLUTION
    if not 2 <= k <= n_samples:
        raise ValueError(
            f"k must satisfy 2 <= k <= n_samples (= {n_samples}), got k = {k}: k = 1 leaves no "
            "training data and k > n_samples leaves validation folds empty"
        )
    order = np.random.default_rng(seed).permutation(n_samples) if shuffle else np.arange(n_samples)
    sizes = np.full(k, n_samples // k)
    sizes[: n_samples % k] += 1
    stops = np.cumsum(sizes)
    folds = []
    for start, stop in zip(stops - sizes, stops, strict=True):
        in_val = np.zeros(n_samples, dtype=bool)
        in_val[order[start:stop]] = True
        folds.append((np.flatnonzero(~in_val), np.flatnonzero(in_val)))
    return folds
    # END SOLUTION
