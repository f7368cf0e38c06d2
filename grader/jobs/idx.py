"""Writing IDX files, the format of MNIST and Fashion-MNIST (reading them is an exercise).

magic      two zero bytes, a type code, the number of dimensions
dims       one big-endian uint32 per dimension
data       the values, big-endian, row-major
"""

from __future__ import annotations

import gzip
import struct
from pathlib import Path

import numpy as np

TYPE_CODES = {
    np.dtype(np.uint8): 0x08,
    np.dtype(np.int8): 0x09,
    np.dtype(np.int16): 0x0B,
    np.dtype(np.int32): 0x0C,
    np.dtype(np.float32): 0x0D,
    np.dtype(np.float64): 0x0E,
}


def idx_bytes(array: np.ndarray) -> bytes:
    """The IDX encoding of ``array`` (its dtype must be one of TYPE_CODES)."""
    native = np.dtype(array.dtype).newbyteorder("=")
    if native not in TYPE_CODES:
        raise ValueError(f"IDX has no type code for {array.dtype}; use one of {list(TYPE_CODES)}")
    header = struct.pack(">BBBB", 0, 0, TYPE_CODES[native], array.ndim)
    header += struct.pack(f">{array.ndim}I", *array.shape)
    return header + np.ascontiguousarray(array, dtype=native.newbyteorder(">")).tobytes()


def write_idx(path: Path | str, array: np.ndarray) -> Path:
    """Write ``array`` to ``path``, gzip-compressed when the name ends in ``.gz``."""
    path = Path(path)
    data = idx_bytes(array)
    if path.suffix == ".gz":
        data = gzip.compress(data, mtime=0)  # mtime=0: the same array gives the same bytes
    path.write_bytes(data)
    return path
