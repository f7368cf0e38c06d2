"""Hidden tests of model_selection: the template an instructor copies (docs/HIDDEN_TESTS.md).

Copy this file into a folder of your own outside the project (``chmod 700`` it), name it
``test_<exercise>_<anything>.py`` after the exercise it grades, write your tests, and grade::

    python -m grader grade SUBMISSIONS --out OUT --tests FOLDER

Each test carries ``values(f)`` or ``requires(f)``, as the public tests do: it then joins f's
tests and shares f's points. A student sees its name, outcome and points only (its message
too with ``--show-hidden``), so let the name say no more than you mean to tell.
"""

from __future__ import annotations

import numpy as np
import pytest
from support import fail  # tests/support.py: the public tests' helpers, beside every copy


@pytest.fixture(scope="module")
def ms(load_impl):
    """The student's model_selection module; in grading its functions run in the sandbox."""
    return load_impl("model_selection")


@pytest.mark.values("k_fold_split")
def test_fold_sizes_with_a_remainder(ms):
    """A plain assert: its own message is what ``--show-hidden`` shows of a failure."""
    sizes = [len(val) for _, val in ms.k_fold_split(14, 4)]
    assert sizes == [4, 4, 3, 3], f"k_fold_split(14, 4) gave validation folds of sizes {sizes}"


@pytest.mark.requires("k_fold_split")
def test_shuffled_training_indices_are_sorted(ms):
    """A helper of tests/support.py: ``fail`` words the failure as the public tests do (the
    call, the problem, a hint); counts once k_fold_split's values tests all pass."""
    call = "k_fold_split(9, 3, shuffle=True, seed=7)"
    for i, (train, _) in enumerate(ms.k_fold_split(9, 3, shuffle=True, seed=7)):
        if not np.all(np.diff(train) > 0):
            fail(
                call,
                f"fold {i}: train_idx is {train.tolist()}, not in increasing order",
                "train_idx is every sample outside the fold, sorted (np.flatnonzero gives them "
                "in order)",
            )
