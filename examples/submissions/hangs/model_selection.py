"""A k-fold split whose shuffle never ends: it draws random orders until one "looks shuffled"
enough, a condition that can never hold. Only the calls with shuffle=True hang; the grader
stops them at the time limit and this exercise alone scores 0."""

import numpy as np


def k_fold_split(n_samples, k, *, shuffle=False, seed=None):
    if not 2 <= k <= n_samples:
        raise ValueError(f"k must be between 2 and n_samples={n_samples}, got {k}")
    order = np.arange(n_samples)
    if shuffle:
        rng = np.random.default_rng(seed)
        while True:  # the bug: no permutation moves every sample by more than n places
            order = rng.permutation(n_samples)
            if np.all(np.abs(order - np.arange(n_samples)) > n_samples):
                break
    sizes = np.full(k, n_samples // k)
    sizes[: n_samples % k] += 1
    folds, start = [], 0
    for size in sizes:
        val = order[start : start + size]
        train = np.sort(np.concatenate([order[:start], order[start + size :]]))
        folds.append((train, val))
        start += size
    return folds
