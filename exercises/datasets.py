"""Data: IDX files, one-hot labels, minibatches

The instructions in English, then in Chinese. 中文说明在英文之后。

Write the data plumbing of training: read IDX files (the format of MNIST), one-hot encode class
labels, and iterate over minibatches of sample indices.

`load_idx(path)`
----------------

Read an IDX file (the format of MNIST and Fashion-MNIST) into a numpy array. Its layout, by byte
offset, every multi-byte number big-endian (most significant byte first):

    [0:2]            0x00 0x00
    [2]              0x08 uint8 | 0x09 int8 | 0x0B int16 | 0x0C int32 | 0x0D float32 | 0x0E float64
    [3]              ndim
    [4 : 4+4*ndim]   sizes = ndim × uint32         (MNIST: 10000, 28, 28)
    [4+4*ndim : ]    data  = prod(sizes) × dtype

Two zero bytes, a type code, the number of dimensions, then the size of each dimension: the
header is 4 + 4 * ndim bytes (16 for MNIST images, 8 for labels). The rest is the data: the
prod(sizes) elements of that type, in row-major order. The file may be gzip-compressed, as MNIST
is distributed: a gzip file starts with the bytes 0x1f 0x8b (the tests name such files *.gz).
`path` is a str or a `pathlib.Path`.

Return an array of the header's shape and element type in *native* byte order (on x86 and ARM:
little-endian). Read big-endian data with a big-endian dtype (`np.dtype(">i2")`, or
`dtype.newbyteorder(">")`), then convert it (`.astype(dtype.newbyteorder("="))`). Reading it as
native gives wrong values, and an array left big-endian holds the right values but
`torch.from_numpy` rejects it.

Raises `ValueError` with `"magic"` in its message if the file does not start with a valid magic
number (two zero bytes, a known type code), and `ValueError` with `"truncated"` in its message
if the file ends before the header or the data it announces is complete (an interrupted
download: a cut gzip stream counts too). A file too short to hold the magic number (an empty
file, say) is truncated, not a bad magic number. For a gzip file both checks apply to the
decompressed bytes: a gzip-compressed text file has a bad magic number.

`one_hot(labels, num_classes)`
------------------------------

One-hot encode integer class labels:

    one_hot(labels, C)[i, j] = 1.0 if labels[i] == j else 0.0

`labels` is an int64 tensor of shape (N,) with values in 0 .. C - 1. Returns a float32 tensor of
shape (N, C) on the device of `labels` (build it there: `device=labels.device`), every row all
zeros but a single 1. N = 0 gives shape (0, C). Raises `ValueError` if a label is negative or >=
`num_classes` (indexing would fail with an obscure error, or, for negative labels, silently
count from the end). `labels` itself is not modified.

`labels` may be a view of another tensor (sliced with a step, or expanded from one label): only
read it.

`minibatches(n, batch_size, *, shuffle=True, generator=None)`
-------------------------------------------------------------

Iterate over minibatches of the sample indices 0 .. n - 1: one epoch. Yields 1-D int64 tensors
on the CPU, each of at most `batch_size` indices; together they hold every index exactly once
(sampling without replacement). The caller only iterates over the result, so a generator
function (`yield`) and a returned list or iterator of tensors are all fine. All batches are full
except possibly the last: n = 10, `batch_size` = 4 gives sizes 4, 4, 2; the last partial batch
is kept, not dropped.

`shuffle=False`: the indices in order, [0, 1, 2, 3], [4, 5, 6, 7], [8, 9]. `shuffle=True`: the
order of `torch.randperm(n, generator=generator)`, so that a seeded generator gives the same
batches every time and None uses torch's global random number generator (a new order each
epoch). Drawing from the generator advances it: two epochs drawn with one generator object get
two different orders, as a training loop needs (never copy or reseed it). n = 0 yields nothing.
Raises `ValueError` if `batch_size` < 1.

Not allowed
-----------

`torch.nn.functional.one_hot`, and the `DataLoader`, `BatchSampler` and `RandomSampler` of
`torch.utils.data`: this exercise is what they do inside.

数据：IDX 文件、独热标签与小批量
================================

实现训练所需的数据处理：读取 IDX 文件（MNIST 所用的格式），把类别标签转换为独热（one-hot）编码，
以及按小批量遍历样本索引。

`load_idx(path)`
----------------

把 IDX 文件（MNIST 和 Fashion-MNIST 所用的格式）读成 numpy 数组。按字节偏移，文件布局如下，所有
多字节数都是大端序（高位字节在前）：

    [0:2]            0x00 0x00
    [2]              0x08 uint8 | 0x09 int8 | 0x0B int16 | 0x0C int32 | 0x0D float32 | 0x0E float64
    [3]              ndim
    [4 : 4+4*ndim]   sizes = ndim × uint32         (MNIST: 10000, 28, 28)
    [4+4*ndim : ]    data  = prod(sizes) × dtype

文件头依次是两个零字节、一个类型码和维数，然后是每一维的大小，共 4 + 4 * ndim 个字节（MNIST 图像
为 16 字节，标签为 8 字节）；其余部分是按行优先顺序存放的 prod(sizes) 个元素。文件可能经过 gzip
压缩（MNIST 就是这样发布的）：gzip 文件以字节 0x1f 0x8b 开头（测试中这类文件以 *.gz 命名）。
`path` 可以是 str，也可以是 `pathlib.Path`。

返回的数组的形状和元素类型由文件头决定，并采用*本机*字节序（在 x86 和 ARM 上是小端序）。先用大端
序的 dtype 读取大端数据（`np.dtype(">i2")` 或 `dtype.newbyteorder(">")`），再做转换
（`.astype(dtype.newbyteorder("="))`）。直接按本机字节序读取会得到错误的值；而保持大端序的数组虽
然数值正确，却会被 `torch.from_numpy` 拒绝。

如果文件开头不是有效的魔数（两个零字节加一个已知的类型码），抛出信息中含有 `"magic"` 的
`ValueError`；如果文件在文件头或其声明的数据完整之前就结束了（下载中断，被截断的 gzip 流也算），
抛出信息中含有 `"truncated"` 的 `ValueError`。短到连魔数都放不下的文件（例如空文件）算作被截断，
而不是魔数错误。对 gzip 文件，这两项检查都针对解压后的字节：经过 gzip 压缩的文本文件属于魔数错
误。

`one_hot(labels, num_classes)`
------------------------------

把整数类别标签转换为独热编码：

    one_hot(labels, C)[i, j] = 1.0 if labels[i] == j else 0.0

`labels` 是形状为 (N,) 的 int64 张量，取值在 0 .. C - 1 之间。返回与 `labels` 位于同一设备（直接
在那里创建：`device=labels.device`）、形状为 (N, C) 的 float32 张量，每行除了一个 1 以外全是 0。
N = 0 时形状为 (0, C)。如果某个标签为负或 >= `num_classes`，抛出 `ValueError`（否则索引会报出难
懂的错误，负标签甚至会悄悄地从末尾倒数）。不得修改 `labels` 本身。

`labels` 可能是另一个张量的视图（带步长切片的，或由一个标签扩展而来的）：只读取它。

`minibatches(n, batch_size, *, shuffle=True, generator=None)`
-------------------------------------------------------------

按小批量遍历样本索引 0 .. n - 1，即一个轮次（epoch）。每次产出一个位于 CPU 上、最多含
`batch_size` 个索引的一维 int64 张量；所有批次合起来恰好包含每个索引一次（无放回抽样）。调用者只
会遍历返回的结果，所以写成生成器函数（`yield`），或者返回由张量组成的列表或迭代器，都可以。除最
后一批外，每批都是满的：n = 10、`batch_size` = 4 时各批大小为 4、4、2；最后那个不满的批次要保
留，不能丢掉。

`shuffle=False`：按顺序产出 [0, 1, 2, 3]、[4, 5, 6, 7]、[8, 9]。`shuffle=True`：按
`torch.randperm(n, generator=generator)` 给出的顺序，这样设定了种子的生成器每次都给出相同的批
次，而 None 使用 torch 的全局随机数生成器（每个轮次顺序都不同）。从生成器抽取会使它前进：用同一
个生成器对象抽取的两个轮次得到两种不同的顺序，这正是训练循环所需要的（不要复制它，也不要重新设定
它的种子）。n = 0 时什么也不产出。若 `batch_size` < 1，抛出 `ValueError`。

禁止使用
--------

`torch.nn.functional.one_hot`，以及 `torch.utils.data` 中的 `DataLoader`、`BatchSampler` 和
`RandomSampler`：这个练习要你写的正是它们内部所做的事。
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
    # Your code here: replace the line below.
    raise NotImplementedError("load_idx() is not written yet")


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
    # Your code here: replace the line below.
    raise NotImplementedError("one_hot() is not written yet")


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
    # Your code here: replace the line below.
    raise NotImplementedError("minibatches() is not written yet")
