"""Image data sets stored as standard IDX files: the bundled digits, or MNIST / Fashion-MNIST.

A data set is a directory holding the four files under MNIST's names (gzip or not):

    train-images-idx3-ubyte[.gz]  train-labels-idx1-ubyte[.gz]
    t10k-images-idx3-ubyte[.gz]   t10k-labels-idx1-ubyte[.gz]

``data/digits`` ships with the project (built by ``data/make_digits.py``). For MNIST or
Fashion-MNIST, put their four files in ``data/mnist`` or ``data/fashion-mnist`` (or any
directory, passed by path): the same code trains on them. Where torchvision is installed,
``torchvision.datasets.FashionMNIST(root, download=True)`` leaves them in
``root/FashionMNIST/raw``. Nothing here downloads anything.

Reading the files is an exercise (``datasets.load_idx``), so the reader is passed in.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import torch

from grader.manifest import PROJECT_ROOT

DATA_DIR = PROJECT_ROOT / "data"
NAMED = {
    "digits": DATA_DIR / "digits",
    "mnist": DATA_DIR / "mnist",
    "fashion-mnist": DATA_DIR / "fashion-mnist",
}
FILES = {
    "train": ("train-images-idx3-ubyte", "train-labels-idx1-ubyte"),
    "test": ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"),
}


class DataError(Exception):
    """The data set cannot be found or read; the message says what to do."""


def dataset_dir(name_or_path: str) -> Path:
    """``digits`` | ``mnist`` | ``fashion-mnist`` | a directory -> the directory of IDX files."""
    directory = NAMED.get(name_or_path, Path(name_or_path).expanduser())
    if not directory.is_dir():
        names = ", ".join(name for pair in FILES.values() for name in pair)
        raise DataError(
            f"no data set {name_or_path!r}: expected one of {sorted(NAMED)} or a directory. "
            f"For MNIST or Fashion-MNIST, put the four IDX files ({names}, gzip or not) "
            f"in {directory}"
        )
    return directory


def _find(directory: Path, stem: str) -> Path:
    for candidate in (directory / f"{stem}.gz", directory / stem):
        if candidate.is_file():
            return candidate
    raise DataError(f"{directory} lacks {stem} (or {stem}.gz)")


def load_split(
    directory: Path, split: str, load_idx: Callable[[Path], np.ndarray]
) -> tuple[torch.Tensor, torch.Tensor]:
    """``(X, y)``: float32 images flattened to (N, H*W) and scaled to [0, 1], int64 labels."""
    images_stem, labels_stem = FILES[split]
    images = np.asarray(load_idx(_find(directory, images_stem)))
    labels = np.asarray(load_idx(_find(directory, labels_stem)))
    if images.ndim < 2 or labels.ndim != 1 or len(images) != len(labels):
        raise DataError(
            f"{directory}: {split} images of shape {images.shape} do not match labels of shape "
            f"{labels.shape}"
        )
    scale = np.iinfo(images.dtype).max if np.issubdtype(images.dtype, np.integer) else 1.0
    X = torch.from_numpy(images.reshape(len(images), -1).astype(np.float32) / np.float32(scale))
    return X, torch.from_numpy(labels.astype(np.int64))
