"""Timing of one key function per exercise beside the reference: reported in the feedback,
never graded.

Each exercise names what is timed (``label``), builds its inputs (``inputs``, seeded) and says
how to run it on a module (``run``). Inputs are sized so one run takes milliseconds: enough to
compare, cheap enough for every submission. ``best_time`` runs it ``REPEATS`` times on fresh
inputs and keeps the fastest, the usual estimate of the cost without the machine's noise.
When grading, the student's run happens inside their sandbox (see :mod:`grader.sandbox`) and the
reference's in the test process, one after the other.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from itertools import pairwise
from typing import Any

import torch

REPEATS = 5


@dataclass(frozen=True)
class KeyFunction:
    label: str  # what the feedback shows, e.g. "softmax(x), x: 256 x 512"
    inputs: Callable[[], tuple[Any, ...]]
    run: Callable[..., Any]  # run(module, *inputs)


def _randn(*shape: int) -> torch.Tensor:
    return torch.randn(shape, generator=torch.Generator().manual_seed(0))


def _labels(n: int, classes: int) -> torch.Tensor:
    return torch.randint(0, classes, (n,), generator=torch.Generator().manual_seed(1))


def _mlp_inputs() -> tuple[Any, ...]:
    generator = torch.Generator().manual_seed(2)
    params = [
        (
            torch.randn(fan_out, fan_in, generator=generator) * (2 / fan_in) ** 0.5,
            torch.zeros(fan_out),
        )
        for fan_in, fan_out in pairwise([784, 128, 10])
    ]
    return params, _randn(64, 784), _labels(64, 10)


def _regression(n: int, d: int) -> tuple[torch.Tensor, torch.Tensor]:
    generator = torch.Generator().manual_seed(5)
    X = torch.randn(n, d, generator=generator, dtype=torch.float64)
    return X, X @ torch.randn(d, generator=generator, dtype=torch.float64) + 1.0


def _log_sum_exp(x: torch.Tensor) -> torch.Tensor:
    """The function whose gradient numerical_gradient estimates (it lives here, in the
    sandbox with the student's code: nothing but data crosses)."""
    peak = x.max()
    return peak + torch.log(torch.exp(x - peak).sum())


def _mlp_step(module: Any, params: Any, X: torch.Tensor, y: torch.Tensor) -> Any:
    return module.mlp_backward(params, module.mlp_forward(params, X)[1], y)


KEY_FUNCTIONS = {
    "linear_regression": KeyFunction(
        "fit_linear_regression(X, y, l2=0.01), X: 2000 x 50",
        lambda: _regression(2000, 50),
        lambda m, X, y: m.fit_linear_regression(X, y, l2=0.01),
    ),
    "activations": KeyFunction(
        "softmax(x), x: 256 x 512", lambda: (_randn(256, 512),), lambda m, x: m.softmax(x)
    ),
    "losses": KeyFunction(
        "cross_entropy(logits, target), 256 x 512",
        lambda: (_randn(256, 512), _labels(256, 512)),
        lambda m, logits, target: m.cross_entropy(logits, target),
    ),
    "optimizers": KeyFunction(
        "adam_step, 100,000 parameters",
        lambda: (_randn(100_000), _randn(100_000), {}),
        lambda m, param, grad, state: m.adam_step(param, grad, state, lr=1e-3),
    ),
    "regularization": KeyFunction(
        "dropout(x, 0.5), x: 256 x 512",
        lambda: (_randn(256, 512), torch.Generator().manual_seed(3)),
        lambda m, x, generator: m.dropout(x, 0.5, generator=generator),
    ),
    "initializers": KeyFunction(
        "he_normal((512, 512))",
        lambda: (torch.Generator().manual_seed(4),),
        lambda m, generator: m.he_normal((512, 512), generator=generator),
    ),
    "model_selection": KeyFunction(
        "k_fold_split(20,000, 5, shuffle=True)",
        lambda: (),
        lambda m: m.k_fold_split(20_000, 5, shuffle=True, seed=0),
    ),
    "datasets": KeyFunction(
        "one_hot(labels, 10), 50,000 labels",
        lambda: (_labels(50_000, 10),),
        lambda m, labels: m.one_hot(labels, 10),
    ),
    "metrics": KeyFunction(
        "confusion_matrix(pred, target, 10), 100,000 labels",
        lambda: (_labels(100_000, 10), _randn(100_000, 10).argmax(dim=1)),
        lambda m, pred, target: m.confusion_matrix(pred, target, 10),
    ),
    "gradient_check": KeyFunction(
        "numerical_gradient(log-sum-exp, x: 200 entries)",
        lambda: (_randn(200).double(),),
        lambda m, x: m.numerical_gradient(_log_sum_exp, x),
    ),
    "mlp": KeyFunction("mlp_forward + mlp_backward, 784-128-10, batch 64", _mlp_inputs, _mlp_step),
}


def best_time(module: Any, exercise: str, repeats: int = REPEATS) -> float:
    """The fastest of ``repeats`` runs of the exercise's key function on ``module``, in seconds."""
    key = KEY_FUNCTIONS[exercise]
    best = float("inf")
    for _ in range(repeats):
        inputs = key.inputs()
        start = time.perf_counter()
        key.run(module, *inputs)
        best = min(best, time.perf_counter() - start)
    return best
