"""The bundled digits, the data-set loader, and the training and benchmark commands."""

from __future__ import annotations

import gzip
import subprocess
import sys

import pytest
import torch

from data.make_digits import DIGITS_DIR, FILES, digits_split
from grader.data import DataError, dataset_dir, load_split
from grader.idx import idx_bytes
from grader.manifest import PROJECT_ROOT

REFERENCE = PROJECT_ROOT / "solutions"


def test_bundled_digits_are_what_the_script_makes():
    for key, array in digits_split().items():
        stored = gzip.decompress((DIGITS_DIR / FILES[key]).read_bytes())
        assert stored == idx_bytes(array), f"{FILES[key]} differs: run python data/make_digits.py"


def test_split_is_stratified_and_disjoint():
    split = digits_split()
    train, test = split[("train", "labels")], split[("test", "labels")]
    assert len(train) + len(test) == 1797 and len(test) == 450
    for digit in range(10):  # each class keeps its share (within one image) in the test split
        share = (test == digit).sum() / len(test)
        overall = ((train == digit).sum() + (test == digit).sum()) / 1797
        assert abs(share - overall) <= 1 / len(test)


@pytest.fixture(scope="module")
def load_idx():
    from grader.implementation import load_module

    if not (REFERENCE / "datasets.py").is_file():
        pytest.skip("the reference solutions are not part of this copy")
    return load_module(REFERENCE, "datasets").load_idx


def test_loader_scales_to_unit_interval_and_int64(load_idx):
    X, y = load_split(dataset_dir("digits"), "test", load_idx)
    assert X.shape == (450, 64) and X.dtype == torch.float32 and y.dtype == torch.int64
    assert X.min() >= 0 and X.max() == 1 and set(y.tolist()) == set(range(10))


def test_loader_reads_plain_files_too(tmp_path, load_idx):
    for name in ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"):
        (tmp_path / name).write_bytes(gzip.decompress((DIGITS_DIR / f"{name}.gz").read_bytes()))
    X, y = load_split(tmp_path, "test", load_idx)
    assert X.shape == (450, 64) and len(y) == 450


def test_unknown_data_set_says_where_files_go(tmp_path):
    with pytest.raises(DataError, match=r"put the four IDX files .* in .*fashion"):
        dataset_dir(str(tmp_path / "fashion"))


def test_missing_file_is_named(tmp_path, load_idx):
    with pytest.raises(DataError, match=r"lacks t10k-images-idx3-ubyte"):
        load_split(tmp_path, "test", load_idx)


def run_grader(*args: str, cwd=None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "grader", *args],
        cwd=cwd or PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.mark.slow
def test_train_command_prints_epochs_and_saves_the_plot(tmp_path):
    plot = tmp_path / "run.png"
    result = run_grader("train", "--impl", "solutions", "--epochs", "3", "--plot", str(plot))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "epoch   3  loss" in result.stdout and "test accuracy" in result.stdout
    assert plot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


@pytest.mark.slow
def test_train_command_on_the_stubs_explains(tmp_path):
    result = run_grader(
        "train", "--impl", str(PROJECT_ROOT / "exercises"), "--plot", str(tmp_path / "x.png")
    )
    assert result.returncode == 2
    assert "cannot train yet" in result.stdout and "--impl solutions" in result.stdout


@pytest.mark.slow
def test_bench_command_prints_ratios():
    result = run_grader("bench", "--seconds", "0.2", "--device", "cpu")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "ratio = by hand / autograd" in result.stdout
    assert "cpu" in result.stdout and "GFLOP/s" in result.stdout
