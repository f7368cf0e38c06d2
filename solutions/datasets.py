"""The reference solution of the datasets exercise.

Its instructions (the stub's module docstring) are written once, in
instructions/datasets.md, English and Chinese.
"""

import gzip
import math
import os
import struct
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import torch
from torch import Tensor

# IDX type code (the third byte of the magic number) -> element type, without byte order.
IDX_TYPES = {
    0x08: np.uint8,
    0x09: np.int8,
    0x0B: np.int16,
    0x0C: np.int32,
    0x0D: np.float32,
    0x0E: np.float64,
}


def load_idx(path: str | os.PathLike) -> np.ndarray:
    """Read an IDX file (the format of MNIST and Fashion-MNIST) into a numpy array.

    Layout, every multi-byte number big-endian (most significant byte first):

        bytes 0-1    0x00 0x00
        byte  2      type code: 0x08 uint8, 0x09 int8, 0x0B int16, 0x0C int32,
                     0x0D float32, 0x0E float64
        byte  3      ndim, the number of dimensions
        4 * ndim     the size of each dimension, as uint32 (e.g. 10000, 28, 28)
        the rest     prod(sizes) elements of the type, row-major, big-endian

    So the header is 4 + 4 * ndim bytes (16 for MNIST images, 8 for labels). The file may be
    gzip-compressed, as MNIST is distributed: a gzip file starts with the bytes 0x1f 0x8b
    (tests name such files *.gz). ``path`` is a str or a pathlib.Path.

    Returns an array of the header's shape and element type in NATIVE byte order (on x86 and
    ARM: little-endian). Read big-endian data with a big-endian dtype (``np.dtype(">i2")``, or
    ``dtype.newbyteorder(">")``), then convert (``.astype(dtype.newbyteorder("="))``). Reading
    it as native gives wrong values, and an array left big-endian holds the right values but
    torch.from_numpy rejects it ("byte order different from the native byte order").

    Raises ValueError with "magic" in its message if the file does not start with a valid
    magic number (two zero bytes, a known type code), and ValueError with "truncated" in its
    message if the file ends before the header or the data it announces is complete (an
    interrupted download: a cut gzip stream counts too). A file too short to hold the magic
    number (an empty file, say) is truncated, not a bad magic number. For a gzip file both
    checks apply to the decompressed bytes: a gzip-compressed text file has a bad magic number.
    """
    # BEGIN SOLUTION
    raw = Path(path).read_bytes()
    if raw[:2] == b"\x1f\x8b":
        try:
            raw = gzip.decompress(raw)
        except EOFError:
            raise ValueError(f"{path}: the gzip stream is truncated") from None
    if len(raw) >= 3 and (raw[:2] != b"\x00\x00" or raw[2] not in IDX_TYPES):
        raise ValueError(f"{path}: bad magic number {raw[:4].hex()}, not an IDX file")
    if len(raw) < 4 or len(raw) < 4 + 4 * raw[3]:
        raise ValueError(f"{path}: the IDX header is truncated ({len(raw)} bytes)")
    ndim = raw[3]
    shape = struct.unpack(f">{ndim}I", raw[4 : 4 + 4 * ndim])
    dtype = np.dtype(IDX_TYPES[raw[2]]).newbyteorder(">")
    count = math.prod(shape)
    if len(raw) - (4 + 4 * ndim) < count * dtype.itemsize:
        raise ValueError(
            f"{path}: the data is truncated: shape {shape} needs {count * dtype.itemsize} bytes "
            f"of {dtype}, the file has {len(raw) - (4 + 4 * ndim)}"
        )
    data = np.frombuffer(raw, dtype=dtype, count=count, offset=4 + 4 * ndim)
    return data.reshape(shape).astype(dtype.newbyteorder("="))
    # END SOLUTION


def one_hot(labels: Tensor, num_classes: int) -> Tensor:
    """One-hot encode integer class labels.

        one_hot(labels, C)[i, j] = 1.0 if labels[i] == j else 0.0

    ``labels``: int64 tensor of shape (N,) with values in 0 .. C - 1. Returns a float32 tensor
    of shape (N, C) on labels' device (build it there: device=labels.device), every row all
    zeros but a single 1. N = 0 gives shape (0, C).

    Raises ValueError if a label is negative or >= num_classes (indexing would fail with an
    obscure error, or, for negative labels, silently count from the end). labels itself is not
    modified.

    ``labels`` may be a view of another tensor (sliced with a step, or expanded from one label):
    only read it.
    """
    # BEGIN SOLUTION
    if labels.numel() and (labels.min() < 0 or labels.max() >= num_classes):
        raise ValueError(
            f"labels must lie in 0 .. num_classes - 1 = {num_classes - 1}, got values in "
            f"{labels.min().item()} .. {labels.max().item()}"
        )
    encoded = torch.zeros(labels.shape[0], num_classes, dtype=torch.float32, device=labels.device)
    return encoded.scatter_(1, labels.unsqueeze(1), 1.0)
    # END SOLUTION


def minibatches(
    n: int, batch_size: int, *, shuffle: bool = True, generator: torch.Generator | None = None
) -> Iterator[Tensor]:
    """Iterate over minibatches of the sample indices 0 .. n - 1: one epoch.

    Yields 1-D int64 tensors on the CPU, each of at most ``batch_size`` indices; together they
    hold every index exactly once (sampling without replacement). The caller only iterates over
    the result, so a generator function (yield) and a returned list or iterator of tensors are
    all fine. All batches are full except possibly the last:
    n = 10, batch_size = 4 gives sizes 4, 4, 2; the last partial batch is kept, not dropped.

    shuffle=False: the indices in order, [0, 1, 2, 3], [4, 5, 6, 7], [8, 9].
    shuffle=True: the order of ``torch.randperm(n, generator=generator)``, so that a seeded
    generator gives the same batches every time and None uses torch's global RNG (a new order
    each epoch). Drawing from the generator advances it: two epochs drawn with one generator
    object get two different orders, as a training loop needs (never copy or reseed it).

    n = 0 yields nothing. Raises ValueError if batch_size < 1.
    """
    # BEGIN SOLUTION
    if batch_size < 1:
        raise ValueError(f"batch_size must be at least 1, got {batch_size}")
    order = torch.randperm(n, generator=generator) if shuffle else torch.arange(n)
    return iter(order.split(batch_size) if n else ())
    # END SOLUTION
