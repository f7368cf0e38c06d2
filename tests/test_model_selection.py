"""Tests of exercises/model_selection.py: k_fold_split.

Oracle: scikit-learn's KFold, called outside the student's call. Shuffled splits are never
compared with KFold's (another valid use of the RNG gives other folds): they are checked for
structure, determinism under a seed, independence of numpy's global RNG, and uniformity.
"""

from __future__ import annotations

from collections.abc import Iterator
from itertools import islice

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.model_selection import KFold
from support import assert_statistic, fail

Folds = list[tuple[np.ndarray, np.ndarray]]

# (n_samples, k): divisible and not, k = 2, leave-one-out (k = n), one sample per fold but one.
SIZES = [(10, 2), (10, 3), (10, 5), (11, 4), (7, 7), (2, 2), (13, 5), (100, 7), (1000, 10), (5, 4)]
# The ordinary ones are k_fold_split's values test (grader/core/gating.py); the unusual ones (k = n,
# the smallest n, one sample per fold but one) and every other test count once those pass.
UNUSUAL_SIZES = [(7, 7), (2, 2), (5, 4)]
SIZE_CASES = [
    pytest.param(
        n,
        k,
        id=f"n{n}-k{k}",
        marks=() if (n, k) in UNUSUAL_SIZES else pytest.mark.values("k_fold_split"),
    )
    for n, k in SIZES
]


@pytest.fixture(scope="module")
def ms(load_impl):
    return load_impl("model_selection")


def kfold(n_samples: int, k: int) -> Folds:
    return list(KFold(k).split(np.zeros(n_samples)))


def call_text(n_samples: int, k: int, shuffle: bool = False, seed: int | None = None) -> str:
    extra = f", shuffle=True, seed={seed}" if shuffle else ""
    return f"k_fold_split({n_samples}, {k}{extra})"


def gone_through(result: object, k: int) -> object:
    """What a caller's ``for`` loop would see: a generator (or any other iterator) is gone
    through once, up to one pair more than the k asked for; anything else is kept as it is."""
    if isinstance(result, Iterator):
        return list(islice(result, max(k, 0) + 1))
    return result


def check_folds(folds: object, n_samples: int, k: int, call: str) -> Folds:
    """The structure every k-fold split has, shuffled or not; returns the folds as a list."""
    gave = "yielded" if isinstance(folds, Iterator) else "returned"
    folds = gone_through(folds, k)
    if not isinstance(folds, list | tuple) or len(folds) != k:
        fail(
            call,
            f"{gave} {type(folds).__name__} {folds!r:.200}, expected {k} (train_idx, val_idx) "
            "pairs",
        )
    for i, fold in enumerate(folds):
        if not isinstance(fold, tuple | list) or len(fold) != 2:
            fail(call, f"fold {i} is {fold!r:.200}, expected a pair (train_idx, val_idx)")
        for name, part in zip(("train_idx", "val_idx"), fold, strict=True):
            if not isinstance(part, np.ndarray) or part.ndim != 1:
                fail(
                    call,
                    f"fold {i}: {name} is {type(part).__name__}, expected a 1-D numpy array",
                    "np.arange, np.flatnonzero and np.setdiff1d all give numpy arrays",
                )
            if not np.issubdtype(part.dtype, np.integer):
                fail(
                    call,
                    f"fold {i}: {name} has dtype {part.dtype}, expected an integer dtype",
                    "index arrays hold integers (not a boolean mask, not floats)",
                )

    vals = np.concatenate([val for _, val in folds])
    outside = (vals < 0) | (vals >= n_samples)
    if outside.any():
        fail(
            call,
            f"validation indices outside 0 .. {n_samples - 1}: {np.unique(vals[outside])[:10]}",
            "off by one at a fold boundary? fold i covers positions start_i .. stop_i - 1",
        )
    counts = np.bincount(vals, minlength=n_samples)
    if (counts == 0).any():
        missing = np.flatnonzero(counts == 0)
        fail(
            call,
            f"sample(s) {missing[:10].tolist()} are in no validation fold ({missing.size} of "
            f"{n_samples} never validated)",
            f"every sample is validated exactly once: here n_samples % k = {n_samples % k}, and "
            "the first n_samples % k folds take one extra sample (do not drop the remainder; "
            "check the fold boundaries for an off-by-one)",
        )
    if (counts > 1).any():
        fail(
            call,
            f"sample(s) {np.flatnonzero(counts > 1)[:10].tolist()} are in more than one "
            "validation fold",
            "the folds are consecutive, non-overlapping blocks",
        )

    sizes = [len(val) for _, val in folds]
    expected_sizes = [len(val) for _, val in kfold(n_samples, k)]
    if sizes != expected_sizes:
        fail(
            call,
            f"validation fold sizes are {sizes}, expected {expected_sizes} (KFold's)",
            "the first n_samples % k folds get one extra sample, size_i = n // k + (i < n % k); "
            "do not lump the remainder into the last fold",
        )

    for i, (train, val) in enumerate(folds):
        train_set, val_set = set(train.tolist()), set(val.tolist())
        if train_set & val_set:
            fail(
                call,
                f"fold {i}: samples {sorted(train_set & val_set)[:10]} are in both train_idx "
                "and val_idx",
                "a model must never train on the samples it is validated on: train_idx is the "
                "complement of val_idx",
            )
        if len(train_set) != len(train) or train_set | val_set != set(range(n_samples)):
            missing = sorted(set(range(n_samples)) - train_set - val_set)
            fail(
                call,
                f"fold {i}: train_idx is not the complement of val_idx ({len(train)} training "
                f"indices for {n_samples - len(val)} samples outside the fold; missing "
                f"{missing[:10]})",
                "train_idx holds every sample not in val_idx, each once; check the slice "
                "boundaries around the validation block",
            )
    return list(folds)


def assert_same_as_kfold(folds: Folds, n_samples: int, k: int, call: str) -> None:
    for i, ((train, val), (train_expected, val_expected)) in enumerate(
        zip(folds, kfold(n_samples, k), strict=True)
    ):
        if not np.array_equal(val, val_expected):
            fail(
                call,
                f"fold {i}: val_idx is {val.tolist()[:20]}, expected "
                f"{val_expected.tolist()[:20]} (KFold's)",
                "without shuffling, fold i validates on the i-th consecutive block of "
                "0 .. n_samples - 1, in increasing order",
            )
        if not np.array_equal(train, train_expected):
            fail(
                call,
                f"fold {i}: train_idx is {train.tolist()[:20]}, expected "
                f"{train_expected.tolist()[:20]} (KFold's)",
                "train_idx is every other sample, in increasing order",
            )


def partition(folds: Folds) -> set[frozenset[int]]:
    """The validation folds as a set of sets: what stays equal if only the fold order changes."""
    return {frozenset(val.tolist()) for _, val in folds}


# --- without shuffling: exactly KFold ----------------------------------------------------------


@pytest.mark.requires("k_fold_split")
@pytest.mark.parametrize(("n_samples", "k"), SIZE_CASES)
def test_unshuffled_matches_kfold(ms, n_samples, k):
    call = call_text(n_samples, k)
    folds = check_folds(ms.k_fold_split(n_samples, k), n_samples, k, call)
    assert_same_as_kfold(folds, n_samples, k, call)


@pytest.mark.requires("k_fold_split")
@pytest.mark.parametrize(
    ("n_samples", "k"),
    [(10, 1), (10, 0), (10, -3), (5, 6), (0, 2), (1, 2), (13, 14)],
    ids=lambda value: str(value),
)
def test_invalid_k_is_a_value_error(ms, n_samples, k):
    call = call_text(n_samples, k)
    try:
        gone_through(ms.k_fold_split(n_samples, k), k)  # a generator checks as it is iterated
    except ValueError as error:
        message = str(error)
        says_lower = "2" in message or "two" in message.lower()
        says_upper = str(n_samples) in message or "n_samples" in message
        if not (says_lower and says_upper):
            fail(
                call,
                f"raised ValueError({message!r}), which does not say what is allowed",
                "name both bounds, e.g. f'k must satisfy 2 <= k <= n_samples (= {n_samples}), "
                "got k = {k}'",
            )
        return
    fail(
        call,
        "did not raise ValueError",
        "k must satisfy 2 <= k <= n_samples: k = 1 leaves nothing to train on, k > n_samples "
        "leaves empty validation folds",
    )


# --- with shuffling ----------------------------------------------------------------------------


@pytest.mark.requires("k_fold_split")
@pytest.mark.parametrize(("n_samples", "k"), [(10, 3), (101, 5), (7, 7), (1000, 10)])
def test_shuffled_is_a_valid_split(ms, n_samples, k):
    folds = ms.k_fold_split(n_samples, k, shuffle=True, seed=3)
    check_folds(folds, n_samples, k, call_text(n_samples, k, True, 3))


@pytest.mark.requires("k_fold_split")
@pytest.mark.parametrize("seed", [0, 1, 12345])
def test_shuffled_same_seed_same_folds(ms, seed):
    call = call_text(100, 5, True, seed)
    first = check_folds(ms.k_fold_split(100, 5, shuffle=True, seed=seed), 100, 5, call)
    np.random.seed(seed + 1)  # whatever the global RNG does in between must not matter
    np.random.random(17)
    second = check_folds(ms.k_fold_split(100, 5, shuffle=True, seed=seed), 100, 5, call)
    for i, (a, b) in enumerate(zip(first, second, strict=True)):
        if not (np.array_equal(a[0], b[0]) and np.array_equal(a[1], b[1])):
            fail(
                f"{call}, called twice",
                f"fold {i} differs between the two calls",
                "draw the permutation from a generator made from the seed, "
                "np.random.default_rng(seed), not from numpy's global RNG (np.random.permutation "
                "gives a new order on every call)",
            )


@pytest.mark.requires("k_fold_split")
def test_shuffled_different_seeds_differ(ms):
    # 100 samples in 5 folds of 20: two independent permutations give the same partition with
    # probability 20!^5 / 100! < 1e-60 (fold i compared as a set, in fold order).
    first = check_folds(
        ms.k_fold_split(100, 5, shuffle=True, seed=0), 100, 5, call_text(100, 5, True, 0)
    )
    second = check_folds(
        ms.k_fold_split(100, 5, shuffle=True, seed=1), 100, 5, call_text(100, 5, True, 1)
    )
    if [set(val.tolist()) for _, val in first] == [set(val.tolist()) for _, val in second]:
        fail(
            "k_fold_split(100, 5, shuffle=True, seed=0) and seed=1",
            "gave the same folds",
            "the seed must decide the permutation: np.random.default_rng(seed).permutation(n)",
        )


@pytest.mark.requires("k_fold_split")
def test_shuffled_differs_from_unshuffled(ms):
    # Same partition as the consecutive blocks: probability 5! * 20!^5 / 100! < 1e-60.
    call = call_text(100, 5, True, 7)
    shuffled = partition(check_folds(ms.k_fold_split(100, 5, shuffle=True, seed=7), 100, 5, call))
    if shuffled == partition(kfold(100, 5)):
        fail(
            call,
            "the validation folds are the same consecutive blocks as without shuffling",
            "shuffle the samples (a permutation of 0 .. n - 1, then cut it into blocks), not "
            "just the order of the folds or the order within a fold",
        )


@pytest.mark.requires("k_fold_split")
def test_shuffle_leaves_numpy_global_rng_alone(ms):
    np.random.seed(2024)
    expected = np.random.random(5)
    np.random.seed(2024)
    gone_through(ms.k_fold_split(50, 5, shuffle=True, seed=3), 5)  # a generator draws as it goes
    if not np.array_equal(np.random.random(5), expected):
        fail(
            call_text(50, 5, True, 3),
            "changed the state of numpy's global RNG",
            "np.random.seed(seed) resets the caller's random stream as a side effect; use a "
            "local generator, np.random.default_rng(seed)",
        )


@pytest.mark.requires("k_fold_split")
def test_shuffled_pairs_are_uniform(ms):
    """6 samples in 3 folds of 2: under a uniform permutation, sample 0's fold partner is any of
    the 5 other samples with probability 1/5, so samples 0 and 1 share a fold with p = 1/5.
    Over S seeds the observed fraction has standard error sqrt(p (1 - p) / S) (binomial)."""
    seeds = 2000
    calls = [((6, 3), {"shuffle": True, "seed": seed}) for seed in range(seeds)]
    together = 0
    for folds in ms.call_many("k_fold_split", calls):  # one k_fold_split call per seed
        together += any(0 in val and 1 in val for _, val in folds)
    p = 1 / 5
    assert_statistic(
        "the fraction of seeds where samples 0 and 1 share a validation fold",
        together / seeds,
        p,
        (p * (1 - p) / seeds) ** 0.5,
        call="k_fold_split(6, 3, shuffle=True, seed=s) for s in range(2000)",
        hint="shuffle with a uniform random permutation of all samples (rng.permutation(n)), "
        "not a random rotation or a shuffle of the fold order",
    )


# --- properties --------------------------------------------------------------------------------


@pytest.mark.requires("k_fold_split")
@settings(max_examples=60, deadline=None)
@given(
    n_samples=st.integers(2, 120),
    k_fraction=st.floats(0, 1),
    shuffle=st.booleans(),
    seed=st.integers(0, 2**32 - 1),
)
def test_any_valid_n_and_k(ms, n_samples, k_fraction, shuffle, seed):
    k = 2 + round(k_fraction * (n_samples - 2))
    call = call_text(n_samples, k, shuffle, seed)
    folds = check_folds(
        ms.k_fold_split(n_samples, k, shuffle=shuffle, seed=seed), n_samples, k, call
    )
    if not shuffle:
        assert_same_as_kfold(folds, n_samples, k, call)


# --- speed (pytest --impl=solutions --benchmark-only) ------------------------------------------


@pytest.mark.requires("k_fold_split")
@pytest.mark.parametrize("source", ["impl", "sklearn"])
def test_benchmark(benchmark, ms, source):
    """MNIST-sized: 10-fold cross-validation of 60000 training samples (materialized folds)."""
    if source == "impl":
        function = lambda: ms.module.k_fold_split(60000, 10)  # noqa: E731
    else:
        function = lambda: kfold(60000, 10)  # noqa: E731
    benchmark.group = "model_selection.k_fold_split"
    benchmark(function)
