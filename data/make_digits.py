"""Build data/digits/: scikit-learn's handwritten digits as MNIST-style IDX files.

scikit-learn ships the 1,797 8x8 digits of the UCI optical-recognition data set, pixel values
0..16. They are rescaled to 0..255 (as MNIST stores its pixels) and split once, stratified by
label, into 1,347 training and 450 test images, under MNIST's file names, so code written for
MNIST or Fashion-MNIST reads them unchanged:

    train-images-idx3-ubyte.gz  train-labels-idx1-ubyte.gz
    t10k-images-idx3-ubyte.gz   t10k-labels-idx1-ubyte.gz

Run ``python data/make_digits.py`` to rebuild them (the output is byte-for-byte reproducible).
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from grader.jobs.idx import write_idx  # noqa: E402

DIGITS_DIR = ROOT / "data" / "digits"
TEST_SIZE = 450
SEED = 20261125
FILES = {
    ("train", "images"): "train-images-idx3-ubyte.gz",
    ("train", "labels"): "train-labels-idx1-ubyte.gz",
    ("test", "images"): "t10k-images-idx3-ubyte.gz",
    ("test", "labels"): "t10k-labels-idx1-ubyte.gz",
}


def digits_split() -> dict[tuple[str, str], np.ndarray]:
    """{(split, kind): array}: uint8 images (N, 8, 8) in 0..255 and uint8 labels (N,)."""
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split

    digits = load_digits()
    images = np.rint(digits.images * (255 / 16)).astype(np.uint8)
    labels = digits.target.astype(np.uint8)
    train_x, test_x, train_y, test_y = train_test_split(
        images, labels, test_size=TEST_SIZE, stratify=labels, random_state=SEED
    )
    return {
        ("train", "images"): train_x,
        ("train", "labels"): train_y,
        ("test", "images"): test_x,
        ("test", "labels"): test_y,
    }


def main() -> None:
    DIGITS_DIR.mkdir(parents=True, exist_ok=True)
    for key, array in digits_split().items():
        path = write_idx(DIGITS_DIR / FILES[key], array)
        print(f"wrote {path.relative_to(ROOT)}: {array.dtype} {array.shape}")


if __name__ == "__main__":
    main()
