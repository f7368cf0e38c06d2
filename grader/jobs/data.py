"""Image data sets stored as IDX files: the bundled digits, MNIST and Fashion-MNIST.

A data set is a directory holding four files under MNIST's names (gzip or not):

    train-images-idx3-ubyte[.gz]  train-labels-idx1-ubyte[.gz]
    t10k-images-idx3-ubyte[.gz]   t10k-labels-idx1-ubyte[.gz]

Where ``--data NAME --data-root ROOT`` looks (ROOT is ``data/`` unless given):

    digits          data/digits, bundled (built by data/make_digits.py); ROOT is not used
    mnist           ROOT/MNIST/raw (torchvision's layout), else ROOT/mnist (a flat directory)
    fashion-mnist   ROOT/FashionMNIST/raw, else ROOT/fashion-mnist
    anything else   that directory

torchvision knows MNIST and Fashion-MNIST: where their files go, their names, their checksums
and how to download them (``--download``: ``torchvision.datasets.FashionMNIST(ROOT,
download=True)``, which leaves them in ROOT/FashionMNIST/raw). Reading the images is still an
exercise (``datasets.load_idx``), so the reader is passed in.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from grader.core.paths import DATA_DIR

FILES = {
    "train": ("train-images-idx3-ubyte", "train-labels-idx1-ubyte"),
    "test": ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"),
}


@dataclass(frozen=True)
class KnownDataSet:
    """A data set known by name: where it lives and what its files must hold."""

    name: str
    torchvision_class: str | None  # torchvision.datasets.<this>; None: not in torchvision
    image_shape: tuple[int, int]
    num_classes: int


KNOWN = {
    known.name: known
    for known in (
        KnownDataSet("digits", None, (8, 8), 10),
        KnownDataSet("mnist", "MNIST", (28, 28), 10),
        KnownDataSet("fashion-mnist", "FashionMNIST", (28, 28), 10),
    )
}


class DataError(Exception):
    """The data set cannot be found, fetched or read; the message says what to do."""


def candidate_dirs(name_or_path: str, root: Path = DATA_DIR) -> list[Path]:
    """The directories that may hold the data set, in the order they are tried."""
    known = KNOWN.get(name_or_path)
    if known is None:
        return [Path(name_or_path).expanduser()]
    if known.torchvision_class is None:
        return [DATA_DIR / known.name]
    return [root / known.torchvision_class / "raw", root / known.name]


def _has_file(directory: Path, stem: str) -> bool:
    return (directory / stem).is_file() or (directory / f"{stem}.gz").is_file()


def _missing(directory: Path) -> list[str]:
    return [stem for pair in FILES.values() for stem in pair if not _has_file(directory, stem)]


def dataset_dir(name_or_path: str, root: Path = DATA_DIR) -> Path:
    """The directory holding the data set's four files: the first candidate that has them."""
    candidates = candidate_dirs(name_or_path, root)
    for directory in candidates:
        if not _missing(directory):
            return directory
    existing = next((directory for directory in candidates if directory.is_dir()), None)
    if existing is not None:  # the place is right, the files are not all there
        raise DataError(f"{existing} lacks {', '.join(_missing(existing))} (gzip or not)")
    names = ", ".join(stem for pair in FILES.values() for stem in pair)
    where = " or ".join(str(directory) for directory in candidates)
    download = (
        f", or pass --download to fetch it with torchvision into {root}"
        if name_or_path in KNOWN and KNOWN[name_or_path].torchvision_class
        else ""
    )
    raise DataError(
        f"no data set {name_or_path!r}: expected one of {sorted(KNOWN)} or a directory. Put the "
        f"four IDX files ({names}, gzip or not) in {where}{download}"
    )


def download(name: str, root: Path = DATA_DIR) -> Path:
    """Fetch MNIST or Fashion-MNIST with torchvision into ROOT/<Class>/raw; its directory.

    torchvision downloads the gzip files, checks their MD5 sums and unpacks them; files already
    there are kept. What it prints goes to stdout only when it succeeds: a failure is one line.
    """
    known = KNOWN.get(name)
    if known is None or known.torchvision_class is None:
        raise DataError(f"--download fetches {', '.join(torchvision_names())}, not {name!r}")
    import torchvision.datasets

    dataset_class = getattr(torchvision.datasets, known.torchvision_class)
    printed = io.StringIO()
    try:
        with contextlib.redirect_stdout(printed):
            for train in (True, False):
                dataset_class(str(root), train=train, download=True)
    except Exception as error:  # torchvision's RuntimeError, URLError, OSError, ...
        reason = " ".join(str(error).split())
        raise DataError(
            f"could not download {name} into {root / known.torchvision_class / 'raw'} "
            f"(no internet here?): {reason[:300]}"
        ) from None
    print(printed.getvalue(), end="")
    return root / known.torchvision_class / "raw"


def torchvision_names() -> list[str]:
    return [name for name, known in KNOWN.items() if known.torchvision_class]


def official_files(name: str, directory: Path) -> bool | None:
    """Whether the gzip files in ``directory`` are the official ones (torchvision's MD5 sums);
    None when there is nothing to compare (not a torchvision data set, or no .gz files)."""
    known = KNOWN.get(name)
    if known is None or known.torchvision_class is None:
        return None
    import torchvision.datasets

    resources = getattr(torchvision.datasets, known.torchvision_class).resources
    checks = [
        hashlib.md5((directory / file).read_bytes()).hexdigest() == md5
        for file, md5 in resources
        if (directory / file).is_file()
    ]
    return all(checks) if checks else None


def _find(directory: Path, stem: str) -> Path:
    for candidate in (directory / f"{stem}.gz", directory / stem):
        if candidate.is_file():
            return candidate
    raise DataError(f"{directory} lacks {stem} (or {stem}.gz)")


def load_split(
    directory: Path,
    split: str,
    load_idx: Callable[[Path], np.ndarray],
    known: KnownDataSet | None = None,
) -> tuple[torch.Tensor, torch.Tensor]:
    """``(X, y)``: float32 images flattened to (N, H*W) and scaled to [0, 1], int64 labels.

    Integer pixels are divided by their type's maximum (uint8: 255, as torchvision's
    ``transforms.ToTensor()`` does). ``known`` adds the checks of a named data set: its image
    size and its number of classes.
    """
    images_stem, labels_stem = FILES[split]
    images = np.asarray(load_idx(_find(directory, images_stem)))
    labels = np.asarray(load_idx(_find(directory, labels_stem)))
    where = f"{directory}: the {split} "
    if images.ndim != 3 or labels.ndim != 1 or len(images) != len(labels):
        raise DataError(
            f"{where}images of shape {images.shape} do not match labels of shape "
            f"{labels.shape} (expected images (N, height, width) and labels (N,))"
        )
    if not np.issubdtype(labels.dtype, np.integer):
        raise DataError(f"{where}labels are {labels.dtype}, expected integer class indices")
    if known is not None and images.shape[1:] != known.image_shape:
        size = "x".join(map(str, known.image_shape))
        raise DataError(
            f"{where}images are {images.shape[1]}x{images.shape[2]}, but {known.name} images "
            f"are {size}: are these the files of another data set?"
        )
    high = known.num_classes if known is not None else None
    if len(labels) and (labels.min() < 0 or (high is not None and labels.max() >= high)):
        allowed = f"0 .. {high - 1}" if high is not None else "0 or more"
        raise DataError(
            f"{where}labels hold values from {labels.min()} to {labels.max()}; "
            f"{known.name if known else 'class'} labels must be {allowed}"
        )
    scale = np.iinfo(images.dtype).max if np.issubdtype(images.dtype, np.integer) else 1.0
    X = torch.from_numpy(images.reshape(len(images), -1).astype(np.float32) / np.float32(scale))
    return X, torch.from_numpy(labels.astype(np.int64))
