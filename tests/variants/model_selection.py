from variants import Variant

VARIANTS = [
    Variant(
        "a-generator-of-folds",  # yield, as KFold.split does: correct, and must pass
        """
def k_fold_split(n_samples, k, *, shuffle=False, seed=None):
    if not 2 <= k <= n_samples:
        raise ValueError(f"k must satisfy 2 <= k <= n_samples (= {n_samples}), got k = {k}")
    order = np.random.default_rng(seed).permutation(n_samples) if shuffle else np.arange(n_samples)
    sizes = [n_samples // k + (1 if i < n_samples % k else 0) for i in range(k)]
    start = 0
    for size in sizes:
        val = np.sort(order[start:start + size])
        start += size
        yield np.setdiff1d(np.arange(n_samples), val), val
""",
        expect="pass",
    ),
    Variant(
        "a-generator-seeding-the-global-rng",  # its np.random.seed runs only once it is iterated
        """
def k_fold_split(n_samples, k, *, shuffle=False, seed=None):
    if not 2 <= k <= n_samples:
        raise ValueError(f"k must satisfy 2 <= k <= n_samples (= {n_samples}), got k = {k}")
    if shuffle:
        np.random.seed(seed)
    order = np.random.permutation(n_samples) if shuffle else np.arange(n_samples)
    bounds = np.cumsum([0] + [n_samples // k + (i < n_samples % k) for i in range(k)])
    for start, stop in zip(bounds[:-1], bounds[1:]):
        val = np.sort(order[start:stop])
        yield np.setdiff1d(np.arange(n_samples), val), val
""",
        expect="fail",
        message=r"changed the state of numpy's global RNG",
        select="global_rng",
    ),
    Variant(
        "a-generator-of-folds-still-validates-k",  # its checks run once it is iterated
        """
def k_fold_split(n_samples, k, *, shuffle=False, seed=None):
    if k < 2 or k > n_samples:
        raise ValueError("need 2 <= k <= n_samples, here n_samples is %d and k %d" % (n_samples, k))
    for nothing in ():
        yield nothing
""",
        expect="pass",
        select="invalid_k",
    ),
    Variant(
        "drops-the-remainder",  # n // k per fold: the last n % k samples are never validated
        """
def k_fold_split(n_samples, k, *, shuffle=False, seed=None):
    if not 2 <= k <= n_samples:
        raise ValueError(f"k must satisfy 2 <= k <= n_samples = {n_samples}")
    order = np.random.default_rng(seed).permutation(n_samples) if shuffle else np.arange(n_samples)
    size = n_samples // k
    folds = []
    for i in range(k):
        val = order[i * size:(i + 1) * size]
        folds.append((np.setdiff1d(np.arange(n_samples), val), np.sort(val)))
    return folds
""",
        expect="fail",
        message=r"k_fold_split\(10, 3\): sample\(s\) \[9\] are in no validation fold"
        r".*Hint: every sample is validated exactly once",
        select="unshuffled",
    ),
    Variant(
        "remainder-in-the-last-fold",
        """
def k_fold_split(n_samples, k, *, shuffle=False, seed=None):
    if not 2 <= k <= n_samples:
        raise ValueError(f"k must satisfy 2 <= k <= n_samples = {n_samples}")
    order = np.random.default_rng(seed).permutation(n_samples) if shuffle else np.arange(n_samples)
    size = n_samples // k
    folds = []
    for i in range(k):
        stop = n_samples if i == k - 1 else (i + 1) * size
        val = order[i * size:stop]
        folds.append((np.setdiff1d(np.arange(n_samples), val), np.sort(val)))
    return folds
""",
        expect="fail",
        message=r"validation fold sizes are \[3, 3, 4\], expected \[4, 3, 3\].*Hint: the first "
        r"n_samples % k folds get one extra sample",
    ),
    Variant(
        "validation-samples-also-in-train",
        """
def k_fold_split(n_samples, k, *, shuffle=False, seed=None):
    if not 2 <= k <= n_samples:
        raise ValueError(f"k must satisfy 2 <= k <= n_samples = {n_samples}")
    order = np.random.default_rng(seed).permutation(n_samples) if shuffle else np.arange(n_samples)
    return [(np.arange(n_samples), np.sort(val)) for val in np.array_split(order, k)]
""",
        expect="fail",
        message=r"fold 0: samples \[0, 1.*are in both train_idx and val_idx.*Hint: a model must "
        r"never train on the samples it is validated on",
    ),
    Variant(
        "shuffle-with-the-global-rng",  # ignores seed: a new permutation on every call
        """
def k_fold_split(n_samples, k, *, shuffle=False, seed=None):
    if not 2 <= k <= n_samples:
        raise ValueError(f"k must satisfy 2 <= k <= n_samples = {n_samples}")
    order = np.random.permutation(n_samples) if shuffle else np.arange(n_samples)
    return [(np.setdiff1d(order, val), np.sort(val)) for val in np.array_split(order, k)]
""",
        expect="fail",
        message=r"called twice: fold 0 differs between the two calls.*Hint: draw the permutation "
        r"from a generator made from the seed",
        select="shuffled",
    ),
    Variant(
        "seed-zero-treated-as-no-seed",  # `seed or None`: seed=0 gives a fresh permutation
        """
_correct = k_fold_split

def k_fold_split(n_samples, k, *, shuffle=False, seed=None):
    return _correct(n_samples, k, shuffle=shuffle, seed=seed or None)
""",
        expect="fail",
        message=r"k_fold_split\(100, 5, shuffle=True, seed=0\), called twice: fold 0 differs",
        select="same_seed",
    ),
    Variant(
        "reseeds-numpy-global-rng",  # deterministic, but resets the caller's random stream
        """
def k_fold_split(n_samples, k, *, shuffle=False, seed=None):
    if not 2 <= k <= n_samples:
        raise ValueError(f"k must satisfy 2 <= k <= n_samples = {n_samples}")
    if shuffle:
        np.random.seed(seed)
        order = np.random.permutation(n_samples)
    else:
        order = np.arange(n_samples)
    return [(np.setdiff1d(order, val), np.sort(val)) for val in np.array_split(order, k)]
""",
        expect="fail",
        message=r"changed the state of numpy's global RNG.*Hint: np.random.seed\(seed\) resets",
        select="global_rng",
    ),
    Variant(
        "off-by-one-validation-slice",  # stop - 1: the last sample of every block is dropped
        """
def k_fold_split(n_samples, k, *, shuffle=False, seed=None):
    if not 2 <= k <= n_samples:
        raise ValueError(f"k must satisfy 2 <= k <= n_samples = {n_samples}")
    order = np.random.default_rng(seed).permutation(n_samples) if shuffle else np.arange(n_samples)
    sizes = np.full(k, n_samples // k)
    sizes[: n_samples % k] += 1
    folds, start = [], 0
    for size in sizes:
        val = order[start:start + size - 1]
        folds.append((np.setdiff1d(np.arange(n_samples), val), np.sort(val)))
        start += size
    return folds
""",
        expect="fail",
        message=r"k_fold_split\(10, 2\): sample\(s\) \[4, 9\] are in no validation fold.*Hint: "
        r"every sample is validated exactly once.*off-by-one",
        select="unshuffled",
    ),
    Variant(
        "off-by-one-train-slice",  # the training set skips the sample right after the block
        """
def k_fold_split(n_samples, k, *, shuffle=False, seed=None):
    if not 2 <= k <= n_samples:
        raise ValueError(f"k must satisfy 2 <= k <= n_samples = {n_samples}")
    order = np.random.default_rng(seed).permutation(n_samples) if shuffle else np.arange(n_samples)
    sizes = np.full(k, n_samples // k)
    sizes[: n_samples % k] += 1
    folds, start = [], 0
    for size in sizes:
        stop = start + size
        val = order[start:stop]
        folds.append((np.sort(np.concatenate([order[:start], order[stop + 1:]])), np.sort(val)))
        start = stop
    return folds
""",
        expect="fail",
        message=r"fold 0: train_idx is not the complement of val_idx.*Hint: train_idx holds "
        r"every sample not in val_idx",
    ),
    Variant(
        "k-larger-than-n-accepted",  # only k < 2 is checked: empty validation folds
        """
def k_fold_split(n_samples, k, *, shuffle=False, seed=None):
    if k < 2:
        raise ValueError(f"k must be at least 2 and at most n_samples = {n_samples}")
    order = np.random.default_rng(seed).permutation(n_samples) if shuffle else np.arange(n_samples)
    return [(np.setdiff1d(order, val), np.sort(val)) for val in np.array_split(order, k)]
""",
        expect="fail",
        message=r"k_fold_split\(5, 6\): did not raise ValueError.*Hint: k must satisfy "
        r"2 <= k <= n_samples",
        select="invalid",
    ),
    Variant(
        "value-error-without-the-bounds",
        """
_correct = k_fold_split

def k_fold_split(n_samples, k, *, shuffle=False, seed=None):
    if not 2 <= k <= n_samples:
        raise ValueError("invalid k")
    return _correct(n_samples, k, shuffle=shuffle, seed=seed)
""",
        expect="fail",
        message=r"raised ValueError\('invalid k'\), which does not say what is allowed",
        select="invalid",
    ),
    Variant(
        "shuffles-the-fold-order-only",  # folds stay consecutive blocks
        """
def k_fold_split(n_samples, k, *, shuffle=False, seed=None):
    if not 2 <= k <= n_samples:
        raise ValueError(f"k must satisfy 2 <= k <= n_samples = {n_samples}")
    blocks = np.array_split(np.arange(n_samples), k)
    sizes = [len(block) for block in blocks]
    if shuffle:  # keep KFold's fold sizes, but each fold is still one consecutive block
        order = np.random.default_rng(seed).permutation(k)
        pieces = np.array_split(np.concatenate([blocks[i] for i in order]), np.cumsum(sizes)[:-1])
        blocks = [np.sort(piece) for piece in pieces]
    return [(np.setdiff1d(np.arange(n_samples), val), val) for val in blocks]
""",
        expect="fail",
        message=r"same consecutive blocks as without shuffling",
        select="shuffle",
    ),
    Variant(
        "shuffle-by-random-rotation",  # a random cyclic shift is not a uniform permutation
        """
def k_fold_split(n_samples, k, *, shuffle=False, seed=None):
    if not 2 <= k <= n_samples:
        raise ValueError(f"k must satisfy 2 <= k <= n_samples = {n_samples}")
    order = np.arange(n_samples)
    if shuffle:
        order = np.roll(order, np.random.default_rng(seed).integers(n_samples))
    return [(np.setdiff1d(order, val), np.sort(val)) for val in np.array_split(order, k)]
""",
        expect="fail",
        message=r"the fraction of seeds where samples 0 and 1 share a validation fold is "
        r".*Hint: shuffle with a uniform random permutation",
        select="uniform",
    ),
    Variant(
        "returns-lists-not-arrays",
        """
_correct = k_fold_split

def k_fold_split(n_samples, k, *, shuffle=False, seed=None):
    folds = _correct(n_samples, k, shuffle=shuffle, seed=seed)
    return [(train.tolist(), val.tolist()) for train, val in folds]
""",
        expect="fail",
        message=r"fold 0: train_idx is list, expected a 1-D numpy array",
        select="unshuffled",
    ),
    Variant(
        "calls-sklearn-kfold",
        """
from sklearn.model_selection import KFold

def k_fold_split(n_samples, k, *, shuffle=False, seed=None):
    return list(KFold(k, shuffle=shuffle, random_state=seed).split(np.zeros(n_samples)))
""",
        expect="fail",
        message=r"sklearn\.model_selection\.KFold is not allowed in this exercise",
        select="unshuffled",
    ),
    # Correct alternatives, written differently: all must pass.
    Variant(
        "array-split-setdiff-rng-permutation",
        """
def k_fold_split(n_samples, k, *, shuffle=False, seed=None):
    if k < 2 or k > n_samples:
        raise ValueError(f"need 2 <= k <= n_samples = {n_samples}, got k = {k}")
    order = np.arange(n_samples)
    if shuffle:
        order = np.random.default_rng(seed).permutation(n_samples)
    return [(np.setdiff1d(order, val), np.sort(val)) for val in np.array_split(order, k)]
""",
        expect="pass",
    ),
    Variant(
        "explicit-sizes-concatenation-rng-shuffle-unsorted",  # val in permutation order
        """
def k_fold_split(n_samples, k, *, shuffle=False, seed=None):
    if not (2 <= k <= n_samples):
        raise ValueError(f"k must be in [2, n_samples] = [2, {n_samples}], got {k}")
    order = np.arange(n_samples)
    if shuffle:
        rng = np.random.default_rng(seed)
        rng.shuffle(order)
    base, extra = divmod(n_samples, k)
    folds = []
    start = 0
    for i in range(k):
        stop = start + base + (1 if i < extra else 0)
        folds.append((np.concatenate([order[:start], order[stop:]]), order[start:stop]))
        start = stop
    return folds
""",
        expect="pass",
    ),
    Variant(
        "boolean-mask-legacy-randomstate",  # a local RandomState is fine: no global state
        """
def k_fold_split(n_samples, k, *, shuffle=False, seed=None):
    if k < 2 or k > n_samples:
        raise ValueError(f"k must be between 2 and n_samples ({n_samples}), got {k}")
    order = np.random.RandomState(seed).permutation(n_samples) if shuffle else np.arange(n_samples)
    fold_of = np.empty(n_samples, dtype=np.int64)
    sizes = [n_samples // k + (i < n_samples % k) for i in range(k)]
    fold_of[order] = np.repeat(np.arange(k), sizes)
    return [(np.nonzero(fold_of != i)[0], np.nonzero(fold_of == i)[0]) for i in range(k)]
""",
        expect="pass",
    ),
]
