"""Tests of exercises/datasets.py: load_idx, one_hot, minibatches.

Oracles: IDX files the tests write themselves from known arrays (every type code, 1-D to 4-D,
plain and gzip, big-endian multi-byte values whose bytes differ, so that a byte-order or offset
mistake changes the values); torchvision's own reading of the same files, laid out as
torchvision keeps MNIST and Fashion-MNIST (ROOT/FashionMNIST/raw/...); F.one_hot for one_hot;
for the random minibatches, structure, determinism under a generator seed, independence of the
global RNG, and a uniformity statistic.

No meta-device tests: one_hot must reject out-of-range labels, which needs their values (a meta
tensor has none, so a correct one_hot cannot run there), and minibatches and load_idx create
CPU data with no device argument. one_hot on CUDA runs where a GPU is present.
"""

from __future__ import annotations

import gzip
import itertools
import warnings
from pathlib import Path

import numpy as np
import pytest
import torch
import torch.nn.functional as F
import torchvision.datasets
from hypothesis import given, settings
from hypothesis import strategies as st
from support import (
    DEVICE_MARKS,
    DEVICES,
    LAYOUTS,
    assert_like,
    assert_statistic,
    assert_tensor_close,
    describe,
    fail,
    laid_out,
    layout_hint,
)
from torchvision.datasets.mnist import read_sn3_pascalvincent_tensor

from grader.jobs.idx import TYPE_CODES, idx_bytes

IDX_DTYPES = [dtype.name for dtype in TYPE_CODES]
SHAPES = [(7,), (5, 3), (4, 3, 2), (3, 2, 4, 5)]
_files = itertools.count()


@pytest.fixture(scope="module")
def ds(load_impl):
    return load_impl("datasets")


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("idx")


# --- load_idx ----------------------------------------------------------------------------------


def sample_array(dtype: str, shape: tuple[int, ...], seed: int = 0) -> np.ndarray:
    """Values spread over the type's range: every byte of a multi-byte value matters."""
    rng = np.random.default_rng(seed)
    if dtype.startswith(("uint", "int")):
        info = np.iinfo(dtype)
        return rng.integers(info.min, info.max, size=shape, endpoint=True, dtype=dtype)
    return (rng.standard_normal(shape) * 1e3).astype(dtype)


def write_file(folder: Path, content: bytes, compressed: bool) -> Path:
    path = folder / f"data{next(_files)}-idx{'.gz' if compressed else ''}"
    path.write_bytes(gzip.compress(content) if compressed else content)
    return path


def load(ds, path: str | Path, call: str, compressed: bool) -> np.ndarray:
    """ds.load_idx(path); an error on a gzip file gets a hint about gzip."""
    try:
        return ds.load_idx(path)
    except NotImplementedError:
        raise
    except Exception as error:
        if not compressed:
            raise
        fail(
            call,
            f"raised {type(error).__name__}({str(error)!r:.200}) for a gzip-compressed IDX file",
            "MNIST ships gzip-compressed: if the file starts with the gzip magic bytes 1f 8b "
            "(or its name ends in .gz), decompress it first (gzip.decompress, gzip.open)",
        )


def array_text(value: object) -> str:
    if isinstance(value, np.ndarray):
        return f"an array of shape {value.shape} and dtype {value.dtype}"
    return f"{value!r:.100}"


def check_loaded(actual: object, expected: np.ndarray, call: str, inputs: str) -> None:
    """``actual`` is ``expected``: same shape, element type, native byte order, values."""
    if not isinstance(actual, np.ndarray):
        fail(call, f"returned {type(actual).__name__}, expected a numpy array ({inputs})")
    if actual.shape != expected.shape:
        fail(
            call,
            f"returned shape {actual.shape}, expected {expected.shape} ({inputs})",
            "the shape is in the header: ndim = byte 3, then ndim big-endian uint32 sizes; "
            "reshape the data to it",
        )
    if actual.dtype.name != expected.dtype.name:
        fail(
            call,
            f"returned dtype {actual.dtype.name}, expected {expected.dtype.name} ({inputs})",
            "the type code (byte 2) decides the element type: 0x08 uint8, 0x09 int8, "
            "0x0B int16, 0x0C int32, 0x0D float32, 0x0E float64",
        )
    if not actual.dtype.isnative:
        fail(
            call,
            f"returned dtype {actual.dtype.str!r}, in big-endian byte order ({inputs}): the "
            "values are right, but torch.from_numpy rejects a non-native byte order",
            "convert after reading: .astype(dtype.newbyteorder('='))",
        )
    if not np.array_equal(actual, expected):
        index = tuple(int(i) for i in np.argwhere(actual != expected)[0])
        fail(
            call,
            f"values differ ({inputs}): at index {index} got {actual[index]!r}, expected "
            f"{expected[index]!r}",
            "the data starts right after the 4 + 4 * ndim header bytes and is big-endian: read "
            "it with a '>' dtype (np.dtype('>i2')), not the machine's little-endian one",
        )


@pytest.mark.values("load_idx")
@pytest.mark.parametrize("compressed", [False, True], ids=["plain", "gzip"])
@pytest.mark.parametrize("shape", SHAPES, ids=lambda shape: f"{len(shape)}d")
@pytest.mark.parametrize("dtype", IDX_DTYPES)
def test_load_idx_every_type_and_shape(ds, folder, dtype, shape, compressed):
    expected = sample_array(dtype, shape)
    path = write_file(folder, idx_bytes(expected), compressed)
    inputs = f"an IDX file of {dtype} data, shape {shape}{', gzip' if compressed else ''}"
    call = f"load_idx({path.name!r})"
    check_loaded(load(ds, path, call, compressed), expected, call, inputs)


@pytest.mark.values("load_idx")
@pytest.mark.parametrize("compressed", [False, True], ids=["plain", "gzip"])
@pytest.mark.parametrize("as_type", [str, Path], ids=["str", "Path"])
def test_load_idx_mnist_sized_images_and_labels(ds, folder, as_type, compressed):
    """MNIST's layout: images (N, 28, 28) uint8 with a 16-byte header, labels (N,) uint8 with an
    8-byte header; the path given as a str or as a pathlib.Path."""
    for expected in (sample_array("uint8", (50, 28, 28), seed=1), sample_array("uint8", (50,))):
        path = write_file(folder, idx_bytes(expected), compressed)
        inputs = f"MNIST-like uint8 data of shape {expected.shape}, path as {as_type.__name__}"
        call = f"load_idx({as_type.__name__}(...{path.name!r}))"
        check_loaded(load(ds, as_type(path), call, compressed), expected, call, inputs)


@pytest.mark.requires("load_idx")
@pytest.mark.parametrize("shape", [(0,), (0, 28, 28), (3, 0)])
def test_load_idx_empty_data(ds, folder, shape):
    expected = np.zeros(shape, dtype=np.int16)
    path = write_file(folder, idx_bytes(expected), compressed=False)
    inputs = f"a header of shape {shape}, no data"
    check_loaded(ds.load_idx(path), expected, "load_idx(path)", inputs)


@pytest.mark.requires("load_idx")
@pytest.mark.parametrize("dtype", ["int16", "int32", "float32", "float64"])
def test_load_idx_result_works_with_torch(ds, folder, dtype):
    expected = sample_array(dtype, (4, 5), seed=2)
    path = write_file(folder, idx_bytes(expected), compressed=True)
    loaded = load(ds, path, "load_idx(path)", compressed=True)
    try:
        with warnings.catch_warnings():  # a read-only array is allowed (torch warns, that's all)
            warnings.simplefilter("ignore", UserWarning)
            tensor = torch.from_numpy(loaded)
    except (TypeError, ValueError) as error:
        fail(
            f"torch.from_numpy(load_idx(path)) for {dtype} data",
            f"raised {type(error).__name__}: {error}",
            "return the array in native byte order: .astype(dtype.newbyteorder('='))",
        )
    assert_tensor_close(
        tensor.clone(),
        torch.from_numpy(expected),
        call="torch.from_numpy(load_idx(path))",
        inputs=f"{dtype} data of shape (4, 5)",
        rtol=0.0,
        atol=0.0,
    )


def corrupt(kind: str) -> tuple[bytes, bool]:
    """(content, gzip it?) for each way a file can fail to be IDX or be cut short."""
    good = idx_bytes(sample_array("int16", (5, 3, 4), seed=3))
    return {
        "text-file": (b"hello, this is not an IDX file\n", False),
        "first-byte-not-zero": (b"\x01" + good[1:], False),
        "second-byte-not-zero": (b"\x00\x08" + good[2:], False),
        "unknown-type-code": (good[:2] + b"\x0a" + good[3:], False),
        "gzip-of-text": (b"not IDX either\n" * 10, True),
        "empty-file": (b"", False),
        "cut-in-the-header": (good[:10], False),
        "missing-the-last-row": (good[: -3 * 4 * 2], False),
        "missing-the-last-row-gzip": (good[: -3 * 4 * 2], True),
        "cut-mid-value": (good[:-1], False),
        "interrupted-gzip-download": (gzip.compress(good)[:40], False),  # written as *.gz below
    }[kind]


@pytest.mark.requires("load_idx")
@pytest.mark.parametrize(
    "kind",
    [
        "text-file",
        "first-byte-not-zero",
        "second-byte-not-zero",
        "unknown-type-code",
        "gzip-of-text",
    ],
)
def test_load_idx_bad_magic_is_a_value_error(ds, folder, kind):
    content, compressed = corrupt(kind)
    path = write_file(folder, content, compressed)
    call = f"load_idx(path) for a file with {kind.replace('-', ' ')}"
    try:
        result = ds.load_idx(path)
    except ValueError as error:
        if "magic" not in str(error).lower():
            fail(
                call,
                f"raised ValueError({str(error)!r}), whose message does not mention 'magic'",
                "say what is wrong: e.g. ValueError(f'bad magic number {raw[:4].hex()}')",
            )
        return
    except NotImplementedError:
        raise
    except Exception as error:
        fail(
            call,
            f"raised {type(error).__name__}({str(error)!r:.200}), expected ValueError",
            "check the magic number before using it: an unknown type code or non-zero leading "
            "bytes mean this is not an IDX file, ValueError('bad magic number ...')",
        )
    fail(
        call,
        f"returned {array_text(result)} instead of raising ValueError",
        "check the magic number first: bytes 0 and 1 are zero and byte 2 is a known type code; "
        "anything else is not an IDX file",
    )


@pytest.mark.requires("load_idx")
@pytest.mark.parametrize(
    "kind",
    [
        "empty-file",
        "cut-in-the-header",
        "missing-the-last-row",
        "missing-the-last-row-gzip",
        "cut-mid-value",
        "interrupted-gzip-download",
    ],
)
def test_load_idx_truncated_is_a_value_error(ds, folder, kind):
    content, compressed = corrupt(kind)
    path = folder / f"truncated{next(_files)}-idx{'.gz' if 'gzip' in kind else ''}"
    path.write_bytes(gzip.compress(content) if compressed else content)
    call = f"load_idx(path) for a file that is {kind.replace('-', ' ')} (shape (5, 3, 4) int16)"
    try:
        result = ds.load_idx(path)
    except ValueError as error:
        if "truncated" not in str(error).lower():
            fail(
                call,
                f"raised ValueError({str(error)!r}), whose message does not mention 'truncated'",
                "compare the length with what the header announces (4 + 4 * ndim header bytes, "
                "then prod(shape) * itemsize data bytes) and raise ValueError('... truncated')",
            )
        return
    except EOFError as error:
        fail(
            call,
            f"raised EOFError({str(error)!r})",
            "a cut gzip stream (an interrupted download) is a truncated file too: catch "
            "EOFError and raise ValueError('... truncated') instead",
        )
    except NotImplementedError:
        raise
    except Exception as error:
        fail(
            call,
            f"raised {type(error).__name__}({str(error)!r:.200}), expected ValueError",
            "check the length before reading: the header needs 4 + 4 * ndim bytes, the data "
            "prod(shape) * itemsize more; raise ValueError('... truncated') if they are missing",
        )
    fail(
        call,
        f"returned {array_text(result)} instead of raising ValueError",
        "a short file must not pass silently: check that the data holds prod(shape) * itemsize "
        "bytes (np.frombuffer without count, or reshape(-1, ...), accepts fewer)",
    )


# --- load_idx beside torchvision -----------------------------------------------------------------

TORCHVISION_SETS = ["MNIST", "FashionMNIST"]
SPLITS = {"train": 60, "t10k": 20}  # file prefix -> number of images


@pytest.fixture(scope="module")
def torchvision_root(tmp_path_factory) -> Path:
    """Small MNIST and Fashion-MNIST in torchvision's layout, ROOT/<name>/raw/, holding what a
    torchvision download leaves there: each file gzip-compressed (*.gz) and unpacked."""
    root = tmp_path_factory.mktemp("torchvision")
    for seed, name in enumerate(TORCHVISION_SETS):
        raw = root / name / "raw"
        raw.mkdir(parents=True)
        for prefix, n in SPLITS.items():
            rng = np.random.default_rng([seed, n])
            images = rng.integers(0, 256, size=(n, 28, 28), dtype=np.uint8)
            labels = rng.integers(0, 10, size=n, dtype=np.uint8)
            for stem, array in (
                (f"{prefix}-images-idx3-ubyte", images),
                (f"{prefix}-labels-idx1-ubyte", labels),
            ):
                (raw / stem).write_bytes(idx_bytes(array))
                (raw / f"{stem}.gz").write_bytes(gzip.compress(idx_bytes(array)))
    return root


def load_beside_torchvision(ds, path: Path, torchvision_shape: tuple[int, ...]) -> object:
    """ds.load_idx(path) on a file torchvision reads; raising is a failure that says so."""
    call = f"load_idx({path.name!r})"
    try:
        return ds.load_idx(path)
    except NotImplementedError:
        raise
    except Exception as error:
        message = f"{type(error).__name__}({str(error)!r:.200})"
        if "truncat" in str(error).lower() or isinstance(error, MemoryError):
            hint = (
                "this file is complete: the sizes in the header are big-endian uint32 "
                "(struct format '>I'); read little-endian, a size of 28 becomes 469762048 and "
                "a complete file looks truncated"
            )
        else:
            hint = "read the header as the docstring lays it out, then the data right after it"
        fail(
            call,
            f"raised {message} for a valid IDX file that torchvision reads as shape "
            f"{torchvision_shape}",
            hint,
        )


@pytest.mark.values("load_idx")
@pytest.mark.parametrize("compressed", [False, True], ids=["plain", "gzip"])
@pytest.mark.parametrize("prefix", list(SPLITS))
@pytest.mark.parametrize("name", TORCHVISION_SETS)
def test_load_idx_reads_what_torchvision_reads(ds, torchvision_root, name, prefix, compressed):
    """torchvision.datasets.MNIST / FashionMNIST on the root (download=False) is the oracle for
    both files of a split: uint8 images (N, 28, 28) and uint8 labels (N,)."""
    dataset = getattr(torchvision.datasets, name)(
        str(torchvision_root), train=prefix == "train", download=False
    )
    raw = torchvision_root / name / "raw"
    for kind, expected in (("images", dataset.data), ("labels", dataset.targets)):
        stem = f"{prefix}-{kind}-idx{3 if kind == 'images' else 1}-ubyte"
        path = raw / f"{stem}{'.gz' if compressed else ''}"
        inputs = (
            f"torchvision's {name} {kind} ({'gzip, as downloaded' if compressed else 'unpacked'}"
            f"), read by torchvision.datasets.{name} as shape {tuple(expected.shape)}"
        )
        actual = load_beside_torchvision(ds, path, tuple(expected.shape))
        check_loaded(actual, expected.numpy().astype(np.uint8), f"load_idx({path.name!r})", inputs)


@pytest.mark.values("load_idx")
@pytest.mark.parametrize("compressed", [False, True], ids=["plain", "gzip"])
@pytest.mark.parametrize("shape", SHAPES[:3], ids=lambda shape: f"{len(shape)}d")
@pytest.mark.parametrize("dtype", IDX_DTYPES)
def test_load_idx_every_type_as_torchvision_reads_it(ds, folder, dtype, shape, compressed):
    """torchvision's IDX reader (read_sn3_pascalvincent_tensor, behind its MNIST classes: every
    type code, 1 to 3 dimensions) is the oracle, on files in torchvision's layout."""
    raw = folder / f"tv{next(_files)}" / "FashionMNIST" / "raw"
    raw.mkdir(parents=True)
    plain = raw / "train-images-idx3-ubyte"
    plain.write_bytes(idx_bytes(sample_array(dtype, shape, seed=len(shape))))
    expected = read_sn3_pascalvincent_tensor(str(plain), strict=True).numpy()
    path = plain
    if compressed:
        path = raw / f"{plain.name}.gz"
        path.write_bytes(gzip.compress(plain.read_bytes()))
    inputs = f"{dtype} data of shape {shape}{', gzip' if compressed else ''}, read by torchvision"
    actual = load_beside_torchvision(ds, path, tuple(expected.shape))
    check_loaded(
        actual,
        expected.astype(expected.dtype.newbyteorder("=")),
        f"load_idx({path.name!r})",
        inputs,
    )


@pytest.mark.requires("load_idx")
@settings(max_examples=30, deadline=None)
@given(
    dtype=st.sampled_from(IDX_DTYPES),
    shape=st.lists(st.integers(0, 5), min_size=1, max_size=4).map(tuple),
    compressed=st.booleans(),
    seed=st.integers(0, 2**16),
)
def test_load_idx_round_trip(ds, folder, dtype, shape, compressed, seed):
    expected = sample_array(dtype, shape, seed)
    path = write_file(folder, idx_bytes(expected), compressed)
    inputs = f"{dtype} data of shape {shape}{', gzip' if compressed else ''}"
    check_loaded(load(ds, path, "load_idx(path)", compressed), expected, "load_idx(path)", inputs)


# --- one_hot -----------------------------------------------------------------------------------


def random_labels(n: int, num_classes: int, device: str, seed: int = 0) -> torch.Tensor:
    generator = torch.Generator().manual_seed(seed)
    return torch.randint(num_classes, (n,), generator=generator).to(device)


def check_one_hot(ds, labels: torch.Tensor, num_classes: int, inputs: str) -> None:
    call = f"one_hot(labels, {num_classes})"
    expected = F.one_hot(labels, num_classes).float()
    actual = ds.one_hot(labels.clone(), num_classes)
    assert_like(
        actual,
        call=call,
        shape=expected.shape,
        dtype=torch.float32,
        device=labels.device,
        hint="the encoding is float32 (it is compared with float probabilities) and lives on "
        "labels' device: torch.zeros(n, num_classes, dtype=torch.float32, device=labels.device)",
    )
    assert_tensor_close(
        actual,
        expected,
        call=call,
        inputs=inputs,
        hint="row i is all zeros but a 1 in column labels[i]; use num_classes columns, not "
        "labels.max() + 1",
        rtol=0.0,
        atol=0.0,
    )


def values_where_ordinary(
    values: pytest.MarkDecorator, cases: dict[str, tuple], ordinary: set[str]
) -> list:
    """Each case (id -> arguments) on each device, with the ids stacked parametrize decorators
    would give ("mnist-cpu"): the ``values`` marker on the ordinary cases on the CPU; the
    unusual cases and the other devices count once those values are right (requires on the
    test, grader/core/gating.py)."""
    return [
        pytest.param(
            *case,
            device,
            id=f"{key}-{device}",
            marks=[*marks, *([values] if key in ordinary and device == "cpu" else [])],
        )
        for device, marks in DEVICE_MARKS.items()
        for key, case in cases.items()
    ]


ONE_HOT_CASES = {  # id -> (n, num_classes, label_range)
    "mnist": (50, 10, 10),
    "unused-classes": (60, 13, 5),
    "one-class": (1, 1, 1),
    "binary": (7, 2, 2),
    "no-labels": (0, 4, 4),
}


@pytest.mark.requires("one_hot")
@pytest.mark.parametrize(
    ("n", "num_classes", "label_range", "device"),
    values_where_ordinary(
        pytest.mark.values("one_hot"), ONE_HOT_CASES, {"mnist", "unused-classes", "binary"}
    ),
)
def test_one_hot_matches_torch(ds, n, num_classes, label_range, device):
    labels = random_labels(n, label_range, device, seed=n)
    inputs = f"{n} int64 labels in 0 .. {label_range - 1} on {device}"
    check_one_hot(ds, labels, num_classes, inputs)


@pytest.mark.requires("one_hot")
@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize(
    "bad",
    [[0, 3, -1, 2], [0, 10, 2], [9, 400]],
    ids=["negative", "equal-to-num-classes", "far-above"],
)
def test_one_hot_out_of_range_is_a_value_error(ds, bad, device):
    labels = torch.tensor(bad, device=device)
    call = f"one_hot(torch.tensor({bad}), 10)"
    try:
        result = ds.one_hot(labels, 10)
    except ValueError:
        return
    except NotImplementedError:  # a stub: not attempted, not failed
        raise
    except (IndexError, RuntimeError) as error:
        fail(
            call,
            f"raised {type(error).__name__}: {str(error).splitlines()[0]}",
            "check the labels before encoding (labels.min() < 0 or labels.max() >= "
            "num_classes) and raise ValueError saying which range is allowed",
        )
    fail(
        call,
        f"returned {describe(result)} instead of raising ValueError",
        "a negative label silently counts from the end (-1 is the last class) and a label "
        ">= num_classes is a bug upstream: check the range and raise ValueError",
    )


@pytest.mark.requires("one_hot")
@pytest.mark.parametrize("layout", [layout for layout in LAYOUTS if layout != "transposed"])
def test_one_hot_of_labels_of_any_layout(ds, layout):
    """labels a view of another tensor (every other label, one label broadcast over a batch):
    one_hot only reads them, so torch's encoding all the same, and labels are left alone."""
    labels = random_labels(9, 4, "cpu", seed=8)
    if layout == "expanded":
        labels = labels[:1].expand_as(labels).clone()
    view = laid_out(labels, layout)
    call = f"one_hot(labels, 4) with labels a {layout} view, strides {tuple(view.stride())}"
    hint = layout_hint("labels", view, layout)
    try:
        actual = ds.one_hot(view, 4)
    except RuntimeError as error:
        fail(call, f"raised RuntimeError: {error!s:.200}", hint)
    assert_tensor_close(actual, F.one_hot(labels, 4).float(), call=call, inputs=describe(view),
                        hint=hint)  # fmt: skip
    if not torch.equal(view, labels):
        fail(call, "changed labels", hint)


@pytest.mark.requires("one_hot")
def test_one_hot_leaves_labels_unchanged(ds):
    labels = random_labels(20, 5, "cpu", seed=5)
    before = labels.clone()
    ds.one_hot(labels, 5)
    if not torch.equal(labels, before):
        fail("one_hot(labels, 5)", "changed its input labels", "work on a new tensor")


@pytest.mark.requires("one_hot")
@settings(max_examples=40, deadline=None)
@given(n=st.integers(0, 40), num_classes=st.integers(1, 12), seed=st.integers(0, 2**16))
def test_one_hot_any_labels(ds, n, num_classes, seed):
    labels = random_labels(n, num_classes, "cpu", seed)
    check_one_hot(ds, labels, num_classes, f"{n} labels in 0 .. {num_classes - 1}")


# --- minibatches -------------------------------------------------------------------------------


def epoch(ds, n: int, batch_size: int, **kwargs) -> list:
    """list(minibatches(...)); a generator is guarded step by step, like any student call."""
    batches = ds.minibatches(n, batch_size, **kwargs)
    try:
        iterator = iter(batches)
    except TypeError:
        fail(f"minibatches({n}, {batch_size})", f"returned {batches!r:.100}, not an iterator")
    return list(iterator)


def check_batches(batches: list, n: int, batch_size: int, call: str) -> list[list[int]]:
    """Int64 index tensors covering range(n) once, all full but the last; returns them as lists."""
    for i, batch in enumerate(batches):
        assert_like(
            batch,
            call=f"{call}, batch {i}",
            shape=(batch.numel(),) if isinstance(batch, torch.Tensor) else (),
            dtype=torch.int64,
            device="cpu",
            hint="batches are 1-D int64 index tensors (torch.randperm and torch.arange give int64)",
        )
    sizes = [len(batch) for batch in batches]
    expected_sizes = [batch_size] * (n // batch_size) + ([n % batch_size] if n % batch_size else [])
    indices = sorted(itertools.chain.from_iterable(batch.tolist() for batch in batches))
    if indices != list(range(n)):
        repeated = sorted({i for i in indices if indices.count(i) > 1})[:10]
        missing = sorted(set(range(n)) - set(indices))[:10]
        fail(
            call,
            f"the batches do not hold every index in 0 .. {n - 1} exactly once (missing "
            f"{missing}, repeated {repeated}; {len(indices)} indices for n = {n})",
            "one epoch visits each sample once: cut one permutation into batches (sampling "
            "with torch.randint repeats samples), and keep the last, partial batch",
        )
    if sizes != expected_sizes:
        fail(
            call,
            f"batch sizes are {sizes[:12]}, expected {expected_sizes[:12]}",
            "all batches hold batch_size indices except possibly the last (n % batch_size)",
        )
    return [batch.tolist() for batch in batches]


def call_text(n: int, batch_size: int, **kwargs) -> str:
    extra = "".join(f", {key}={value}" for key, value in kwargs.items())
    return f"minibatches({n}, {batch_size}{extra})"


def seeded(seed: int) -> torch.Generator:
    return torch.Generator().manual_seed(seed)


@pytest.mark.values("minibatches")
@pytest.mark.parametrize(("n", "batch_size"), [(10, 4), (12, 4), (3, 10), (5, 1), (7, 7)])
def test_minibatches_unshuffled_in_order(ds, n, batch_size):
    call = call_text(n, batch_size, shuffle=False)
    batches = check_batches(epoch(ds, n, batch_size, shuffle=False), n, batch_size, call)
    expected = [list(range(start, min(start + batch_size, n))) for start in range(0, n, batch_size)]
    if batches != expected:
        fail(call, f"gave {batches}, expected {expected}", "shuffle=False keeps the order")


@pytest.mark.requires("minibatches")
@pytest.mark.parametrize(
    ("n", "batch_size"),
    [
        pytest.param(1000, 64, marks=pytest.mark.values("minibatches")),
        pytest.param(10, 3, marks=pytest.mark.values("minibatches")),
        pytest.param(7, 7, marks=pytest.mark.values("minibatches")),
        (1, 5),  # a single sample: any batch holding index 0 covers it, even a tensor of zeros
        pytest.param(60, 1, marks=pytest.mark.values("minibatches")),
    ],
)
def test_minibatches_shuffled_cover_each_index_once(ds, n, batch_size):
    batches = epoch(ds, n, batch_size, generator=seeded(0))
    check_batches(batches, n, batch_size, call_text(n, batch_size, generator="g"))


@pytest.mark.requires("minibatches")
@pytest.mark.parametrize("shuffle", [True, False])
def test_minibatches_of_nothing(ds, shuffle):
    batches = epoch(ds, 0, 4, shuffle=shuffle)
    if batches:
        fail(
            call_text(0, 4, shuffle=shuffle),
            f"yielded {batches}, expected no batches at all",
            "n = 0 is an empty epoch (torch.split of an empty tensor still gives one empty piece)",
        )


@pytest.mark.requires("minibatches")
@pytest.mark.parametrize("batch_size", [0, -2])
def test_minibatches_batch_size_below_one_is_a_value_error(ds, batch_size):
    try:
        batches = epoch(ds, 10, batch_size)
    except ValueError:
        return
    fail(
        call_text(10, batch_size),
        f"gave {batches!r:.100} instead of raising ValueError",
        "check batch_size >= 1 and raise ValueError",
    )


@pytest.mark.requires("minibatches")
def test_minibatches_same_seed_same_batches(ds):
    torch.manual_seed(1)
    first = epoch(ds, 100, 16, generator=seeded(42))
    torch.manual_seed(2)  # the global RNG must not matter when a generator is given
    second = epoch(ds, 100, 16, generator=seeded(42))
    if [b.tolist() for b in first] != [b.tolist() for b in second]:
        fail(
            "minibatches(100, 16, generator=torch.Generator().manual_seed(42)), called twice",
            "gave different batches",
            "draw the order with the generator: torch.randperm(n, generator=generator); "
            "torch.randperm(n) alone uses the global RNG",
        )


@pytest.mark.requires("minibatches")
def test_minibatches_different_seeds_differ(ds):
    # Two independent permutations of 100 give the same batches with probability 1/100!.
    first = epoch(ds, 100, 16, generator=seeded(0))
    second = epoch(ds, 100, 16, generator=seeded(1))
    if [b.tolist() for b in first] == [b.tolist() for b in second]:
        fail(
            "minibatches(100, 16, generator=g) with seeds 0 and 1",
            "gave the same batches",
            "the generator must decide the order: torch.randperm(n, generator=generator)",
        )


@pytest.mark.requires("minibatches")
def test_minibatches_shuffle_mixes_samples(ds):
    # The same set of batches as in order: probability 10! * 10!^10 / 100! < 1e-90.
    batches = epoch(ds, 100, 10, generator=seeded(3))
    in_order = {frozenset(range(start, start + 10)) for start in range(0, 100, 10)}
    if {frozenset(b.tolist()) for b in batches} == in_order:
        fail(
            call_text(100, 10, generator="g"),
            "the batches hold the same consecutive indices as without shuffling",
            "shuffle the samples (torch.randperm(n)), then cut into batches: shuffling only "
            "the batch order, or only within each batch, leaves the batches' contents fixed",
        )


@pytest.mark.requires("minibatches")
def test_minibatches_one_generator_two_epochs_differ(ds):
    # Two independent permutations of 50 give the same batches with probability 1/50!.
    generator = seeded(9)
    first, second = (epoch(ds, 50, 8, generator=generator) for _ in range(2))
    if [b.tolist() for b in first] == [b.tolist() for b in second]:
        fail(
            "minibatches(50, 8, generator=g), two epochs with the same generator g",
            "gave the same batches",
            "draw from the generator itself (torch.randperm(n, generator=generator)): it "
            "advances, so the next epoch gets a new order; a copy or a reseed repeats the order",
        )


@pytest.mark.requires("minibatches")
def test_minibatches_without_generator_use_the_global_rng(ds):
    torch.manual_seed(7)
    first = [b.tolist() for b in epoch(ds, 50, 8)]
    second = [b.tolist() for b in epoch(ds, 50, 8)]
    torch.manual_seed(7)
    again = [b.tolist() for b in epoch(ds, 50, 8)]
    if first != again:
        fail(
            "minibatches(50, 8) after torch.manual_seed(7), twice",
            "gave different batches",
            "with generator=None, torch.randperm(n, generator=None) uses torch's global RNG, "
            "which torch.manual_seed makes reproducible",
        )
    if first == second:  # same order twice in a row: probability 1/50!
        fail(
            "minibatches(50, 8), two epochs in a row",
            "gave the same batches",
            "with generator=None each epoch must get a new order from the global RNG; a fresh "
            "torch.Generator() always starts from the same default seed",
        )


@pytest.mark.requires("minibatches")
def test_minibatches_shuffle_is_uniform(ds):
    """n = 10 in two batches of 5: under a uniform permutation, sample 0 shares its batch with
    4 of the 9 other samples, so samples 0 and 1 share a batch with p = 4/9. Over S seeds the
    observed fraction has standard error sqrt(p (1 - p) / S) (binomial)."""
    seeds = 1000
    calls = [((10, 5), {"generator": seeded(seed)}) for seed in range(seeds)]
    together = 0
    for batches in ds.call_many("minibatches", calls):  # one minibatches call per seed
        first_batch = next(iter(batches)).tolist()
        together += (0 in first_batch) == (1 in first_batch)
    p = 4 / 9
    assert_statistic(
        "the fraction of seeds where samples 0 and 1 share a batch",
        together / seeds,
        p,
        (p * (1 - p) / seeds) ** 0.5,
        call="minibatches(10, 5, generator=torch.Generator().manual_seed(s)) for s in range(1000)",
        hint="every order of the samples must be equally likely: torch.randperm(n, generator=...)",
    )


@pytest.mark.requires("minibatches")
@settings(max_examples=40, deadline=None)
@given(n=st.integers(0, 60), batch_size=st.integers(1, 70), shuffle=st.booleans())
def test_minibatches_any_size(ds, n, batch_size, shuffle):
    batches = epoch(ds, n, batch_size, shuffle=shuffle, generator=seeded(n))
    check_batches(batches, n, batch_size, call_text(n, batch_size, shuffle=shuffle))


# --- speed (pytest --impl=solutions --benchmark-only) ------------------------------------------


def numpy_gzip_baseline(path: Path) -> np.ndarray:
    """torch has no IDX reader: the fair library baseline is what any reader must do at least,
    gzip.decompress and np.frombuffer with the known 16-byte header and shape."""
    raw = gzip.decompress(path.read_bytes())
    return np.frombuffer(raw, np.uint8, offset=16).reshape(-1, 28, 28)


@pytest.mark.requires("load_idx")
@pytest.mark.parametrize("source", ["impl", "numpy"])
def test_benchmark_load_idx(benchmark, ds, folder, source):
    """An MNIST test-set-sized file: 10000 images of 28 x 28 uint8, gzip-compressed."""
    images = sample_array("uint8", (10000, 28, 28), seed=8) // 2  # compresses a little, like MNIST
    path = write_file(folder, idx_bytes(images), compressed=True)
    benchmark.group = "datasets.load_idx"
    benchmark(ds.module.load_idx if source == "impl" else numpy_gzip_baseline, path)


@pytest.mark.requires("one_hot")
@pytest.mark.parametrize("source", ["impl", "torch"])
def test_benchmark_one_hot(benchmark, ds, source):
    """The 60000 MNIST training labels, 10 classes."""
    labels = random_labels(60000, 10, "cpu", seed=9)
    function = ds.module.one_hot if source == "impl" else lambda x, c: F.one_hot(x, c).float()
    benchmark.group = "datasets.one_hot"
    benchmark(function, labels, 10)
