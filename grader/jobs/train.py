"""``python -m grader train``: train the capstone MLP on real images, with the functions of one
implementation (yours by default), and watch the loss fall and the accuracy rise.

Everything that learns is the implementation's own: ``datasets.load_idx`` reads the files,
``datasets.minibatches`` shuffles, ``mlp.init_mlp``, ``mlp_forward`` and ``mlp_backward``
compute; this file only runs the SGD loop, measures and draws.
"""

from __future__ import annotations

import argparse
import math
import time
from pathlib import Path

import torch

from grader.check.implementation import load, reference_hint, resolve_impl
from grader.core.devices import unavailable_device
from grader.core.exits import FAILED, OK, error
from grader.core.options import (
    add_compute_device_option,
    add_impl_option,
    positive_float,
    positive_int,
    progress_bar,
)
from grader.core.outcomes import ImplementationError, NotAttempted, StubReached
from grader.core.paths import OUTPUT_DIR
from grader.jobs.data import (
    DATA_DIR,
    KNOWN,
    DataError,
    dataset_dir,
    download,
    load_split,
    official_files,
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_impl_option(parser)
    parser.add_argument(
        "--data",
        default="digits",
        help="digits (bundled, the default), mnist, fashion-mnist or a directory of IDX files",
    )
    parser.add_argument(
        "--data-root",
        type=Path,
        default=DATA_DIR,
        help="where mnist and fashion-mnist are: ROOT/FashionMNIST/raw (torchvision's layout) "
        "or ROOT/fashion-mnist",
    )
    parser.add_argument(
        "--download",
        action="store_true",
        help="download mnist or fashion-mnist with torchvision into --data-root first",
    )
    parser.add_argument(
        "--hidden", type=positive_int, nargs="*", default=[128], help="hidden widths"
    )
    parser.add_argument("--epochs", type=positive_int, default=50, help="passes over the data")
    parser.add_argument("--lr", type=positive_float, default=0.1, help="learning rate of SGD")
    parser.add_argument("--batch-size", type=positive_int, default=16, help="rows per step")
    parser.add_argument("--seed", type=int, default=0, help="of the initialization and shuffle")
    add_compute_device_option(parser)
    parser.add_argument(
        "--plot",
        type=Path,
        default=OUTPUT_DIR / "training.png",
        help="where to save the loss/accuracy plot (the default folder is ignored by git)",
    )


def _accuracy(forward, params, X: torch.Tensor, y: torch.Tensor) -> float:
    logits, _ = forward(params, X)
    return (logits.argmax(dim=1) == y).double().mean().item()


def _plot(path: Path, history: dict[str, list[float]], title: str) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    epochs = range(1, len(history["loss"]) + 1)
    figure, (left, right) = plt.subplots(1, 2, figsize=(10, 4))
    left.plot(epochs, history["loss"], marker=".")
    left.set(xlabel="epoch", ylabel="mean training loss", title="loss", yscale="log")
    right.plot(epochs, history["train_accuracy"], marker=".", label="train")
    right.plot(epochs, history["test_accuracy"], marker=".", label="test")
    right.set(xlabel="epoch", ylabel="accuracy", title="accuracy")
    right.legend()
    figure.suptitle(title)
    figure.tight_layout()
    figure.savefig(path, dpi=100)
    plt.close(figure)


def run(args: argparse.Namespace) -> int:
    if problem := unavailable_device(args.device):
        return error(f"cannot train: {problem}")
    try:
        impl_dir = resolve_impl(args.impl)
        datasets, mlp = load(impl_dir, "datasets"), load(impl_dir, "mlp")
        if args.download:
            download(args.data, args.data_root)
        directory = dataset_dir(args.data, args.data_root)
        known = KNOWN.get(args.data)
        (train_X, train_y), (test_X, test_y) = (
            load_split(directory, split, datasets.load_idx, known) for split in ("train", "test")
        )
        if not len(train_y):
            raise DataError(f"{directory}: the training split holds no images")
        classes = known.num_classes if known else int(train_y.max()) + 1
        if len(test_y) and int(test_y.max()) >= classes:
            raise DataError(
                f"{directory}: a test label is {int(test_y.max())}, but the training labels "
                f"only go up to {classes - 1}"
            )
    except (ValueError, DataError, ImplementationError) as reason:
        return error(f"cannot train: {reason}")
    except NotAttempted as reason:
        return error(
            f"cannot train yet: {reason}. This job uses datasets.load_idx and minibatches and "
            f"every function of mlp{reference_hint()}."
        )
    except (NotImplementedError, StubReached) as reason:
        return error(f"cannot train yet: {reason}{reference_hint()}")
    except Exception as raised:  # the implementation's load_idx failed in its own way
        return error(f"cannot train: reading the data raised {type(raised).__name__}: {raised}")

    device = torch.device(args.device)
    sizes = [train_X.shape[1], *args.hidden, classes]
    train_X, train_y, test_X, test_y = (t.to(device) for t in (train_X, train_y, test_X, test_y))
    official = official_files(args.data, directory)
    checksums = {True: ", the official files", False: ", not the official files"}.get(official, "")
    print(
        f"{args.data} from {directory}{checksums}: {len(train_X)} training and {len(test_X)} "
        f"test images, sizes {sizes}, "
        f"lr {args.lr}, batch {args.batch_size}, {args.epochs} epochs on {device}, "
        f"implementation {impl_dir}"
    )

    generator = torch.Generator().manual_seed(args.seed)
    history: dict[str, list[float]] = {"loss": [], "train_accuracy": [], "test_accuracy": []}
    started = time.perf_counter()
    try:
        params = [(w.to(device), b.to(device)) for w, b in mlp.init_mlp(sizes, generator=generator)]
        progress = progress_bar(range(1, args.epochs + 1), unit="epoch", dynamic_ncols=True)
        for epoch in progress:
            total = torch.zeros((), dtype=torch.float64, device=device)
            for batch in datasets.minibatches(len(train_X), args.batch_size, generator=generator):
                batch = batch.to(device)
                logits, cache = mlp.mlp_forward(params, train_X[batch])
                picked = logits.gather(1, train_y[batch, None]).squeeze(1)
                total += (torch.logsumexp(logits, dim=1) - picked).sum()
                grads = mlp.mlp_backward(params, cache, train_y[batch])
                params = [
                    (w - args.lr * dw, b - args.lr * db)
                    for (w, b), (dw, db) in zip(params, grads, strict=True)
                ]
            history["loss"].append(total.item() / len(train_X))
            history["train_accuracy"].append(_accuracy(mlp.mlp_forward, params, train_X, train_y))
            history["test_accuracy"].append(_accuracy(mlp.mlp_forward, params, test_X, test_y))
            loss, train, test = (history[key][-1] for key in history)
            progress.write(f"epoch {epoch:3d}  loss {loss:.4f}  train {train:.3f}  test {test:.3f}")
            if not math.isfinite(history["loss"][-1]):
                progress.write("the loss is no longer finite: check the gradients (pytest -m mlp)")
                break
    except (NotImplementedError, StubReached) as reason:
        return error(f"cannot train yet: {reason}{reference_hint()}")
    except Exception as raised:  # the implementation's bug, reported as such
        return error(f"training stopped: your code raised {type(raised).__name__}: {raised}",
                     FAILED)  # fmt: skip

    seconds = time.perf_counter() - started
    print(f"done in {seconds:.1f} s: test accuracy {history['test_accuracy'][-1]:.3f}")
    plot = Path(args.plot)
    plot.parent.mkdir(parents=True, exist_ok=True)
    _plot(plot, history, f"MLP {'-'.join(map(str, sizes))} on {args.data}")
    print(f"plot saved to {plot}")
    return OK
