"""The bundled digits, the data-set loader, and the training and benchmark commands."""

from __future__ import annotations

import gzip
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch
import torchvision.datasets
from conftest import run_grader
from torchvision import transforms

from data.make_digits import DIGITS_DIR, FILES, digits_split
from grader.core.paths import PROJECT_ROOT, SOLUTIONS_DIR
from grader.jobs.data import KNOWN, DataError, dataset_dir, download, load_split
from grader.jobs.idx import idx_bytes


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
    from grader.check.implementation import load_module

    if not (SOLUTIONS_DIR / "datasets.py").is_file():
        pytest.skip("the reference solutions are not part of this copy")
    return load_module(SOLUTIONS_DIR, "datasets").load_idx


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
    with pytest.raises(DataError, match=r"Put the four IDX files .* in .*fashion"):
        dataset_dir(str(tmp_path / "fashion"))


def test_named_data_set_says_both_places_and_download(tmp_path):
    with pytest.raises(DataError) as caught:
        dataset_dir("fashion-mnist", tmp_path)
    message = str(caught.value)
    assert str(tmp_path / "FashionMNIST" / "raw") in message
    assert str(tmp_path / "fashion-mnist") in message and "--download" in message


def test_missing_file_is_named(tmp_path, load_idx):
    with pytest.raises(DataError, match=r"lacks t10k-images-idx3-ubyte"):
        load_split(tmp_path, "test", load_idx)


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
    assert "grader: cannot train yet" in result.stderr and "--impl solutions" in result.stderr


@pytest.mark.slow
def test_bench_command_prints_ratios():
    result = run_grader("bench", "--impl", "solutions", "--seconds", "0.2", "--device", "cpu")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "ratio = by hand / autograd" in result.stdout
    assert "cpu" in result.stdout and "GFLOP/s" in result.stdout
    # the pass beside the matmul is a ratio ("1.06x"), never a percentage above 100 %
    assert "%" not in result.stdout and "vs matmul" in result.stdout
    assert "No CUDA runtime" not in result.stdout + result.stderr


# --- MNIST and Fashion-MNIST where torchvision keeps them -----------------------------------------


def fake_fashion_mnist(
    root: Path,
    n_train: int = 300,
    n_test: int = 100,
    *,
    size: int = 28,
    gzipped: bool = True,
    layout: str = "torchvision",
) -> Path:
    """A small Fashion-MNIST-shaped data set: uint8 size x size images, labels 0..9, each class
    a different mean brightness pattern (learnable), written as torchvision leaves a download
    (ROOT/FashionMNIST/raw: the .gz files and the unpacked ones) or flat (ROOT/fashion-mnist)."""
    directory = root / "FashionMNIST" / "raw" if layout == "torchvision" else root / "fashion-mnist"
    directory.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(0)
    patterns = rng.integers(0, 256, size=(10, size, size))
    for prefix, n in (("train", n_train), ("t10k", n_test)):
        labels = (np.arange(n) % 10).astype(np.uint8)
        noise = rng.integers(-40, 41, size=(n, size, size))
        images = np.clip(patterns[labels] + noise, 0, 255).astype(np.uint8)
        for stem, array in ((f"{prefix}-images-idx3-ubyte", images),
                            (f"{prefix}-labels-idx1-ubyte", labels)):  # fmt: skip
            data = idx_bytes(array)
            (directory / stem).write_bytes(data)
            if gzipped:
                (directory / f"{stem}.gz").write_bytes(gzip.compress(data))
    return directory


def test_torchvision_layout_is_found_first(tmp_path):
    flat = fake_fashion_mnist(tmp_path, 20, 10, layout="flat")
    assert dataset_dir("fashion-mnist", tmp_path) == flat  # the flat directory is accepted
    raw = fake_fashion_mnist(tmp_path, 20, 10)
    assert dataset_dir("fashion-mnist", tmp_path) == raw  # torchvision's layout comes first
    (raw / "t10k-labels-idx1-ubyte").unlink()
    assert dataset_dir("fashion-mnist", tmp_path) == raw  # the .gz alone is enough


def test_training_images_are_what_to_tensor_gives(tmp_path, load_idx):
    """The scaled images equal torchvision's transforms.ToTensor() (uint8 0..255 to float32
    0..1) of the images torchvision's FashionMNIST reads, and the labels its targets."""
    fake_fashion_mnist(tmp_path, 30, 20)
    directory = dataset_dir("fashion-mnist", tmp_path)
    for split, train in (("train", True), ("test", False)):
        X, y = load_split(directory, split, load_idx, KNOWN["fashion-mnist"])
        dataset = torchvision.datasets.FashionMNIST(
            str(tmp_path), train=train, download=False, transform=transforms.ToTensor()
        )
        expected = torch.stack([image for image, _ in dataset])  # (N, 1, 28, 28)
        assert expected.dtype == X.dtype == torch.float32
        torch.testing.assert_close(X, expected.reshape(len(dataset), -1), rtol=0, atol=0)
        assert torch.equal(y, dataset.targets)


def test_download_without_internet_is_one_clear_line(tmp_path, monkeypatch):
    """An address nothing answers (the port is closed), so that the test is the same with and
    without internet."""
    monkeypatch.setattr(torchvision.datasets.FashionMNIST, "mirrors", ["http://127.0.0.1:9/"])
    with pytest.raises(DataError) as caught:
        download("fashion-mnist", tmp_path)
    message = str(caught.value)
    assert message.startswith("could not download fashion-mnist into ")
    assert "\n" not in message and "Traceback" not in message


def train_here(*args: str) -> subprocess.CompletedProcess[str]:
    return run_grader("train", "--impl", "solutions", "--device", "cpu", *args)


@pytest.mark.slow
def test_train_on_a_fake_fashion_mnist_end_to_end(tmp_path):
    fake_fashion_mnist(tmp_path / "root")
    plot = tmp_path / "fashion.png"
    result = train_here("--data", "fashion-mnist", "--data-root", str(tmp_path / "root"),
                        "--epochs", "2", "--plot", str(plot))  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    assert str(tmp_path / "root" / "FashionMNIST" / "raw") in result.stdout
    assert "300 training and 100 test images, sizes [784, 128, 10]" in result.stdout
    assert "epoch   1  loss" in result.stdout and "epoch   2  loss" in result.stdout
    assert "2/2" not in result.stderr  # no progress bar: the output is not a terminal
    assert "not the official files" in result.stdout  # torchvision's MD5 sums
    assert plot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def _corrupt_half_download(raw: Path) -> None:
    for path in raw.glob("train-images*"):
        path.write_bytes(path.read_bytes()[: len(path.read_bytes()) // 2])


def _labels_out_of_range(raw: Path) -> None:
    labels = np.full(300, 12, dtype=np.uint8)
    (raw / "train-labels-idx1-ubyte").write_bytes(idx_bytes(labels))
    (raw / "train-labels-idx1-ubyte.gz").write_bytes(gzip.compress(idx_bytes(labels)))


@pytest.mark.slow
@pytest.mark.parametrize(
    ("spoil", "message"),
    [
        (lambda raw: [p.unlink() for p in raw.iterdir()], r"lacks train-images-idx3-ubyte"),
        (_corrupt_half_download, r"truncated"),
        (None, r"images are 8x8, but fashion-mnist images are 28x28"),
        (_labels_out_of_range, r"labels hold values from 12 to 12; fashion-mnist labels must be "
                               r"0 \.\. 9"),
    ],
    ids=["no-files", "half-downloaded", "8x8-images", "labels-out-of-range"],
)  # fmt: skip
def test_bad_data_is_one_line_and_exit_2(tmp_path, spoil, message):
    raw = fake_fashion_mnist(tmp_path, size=8 if spoil is None else 28)
    if spoil is not None:
        spoil(raw)
    result = train_here("--data", "fashion-mnist", "--data-root", str(tmp_path), "--epochs", "1",
                        "--plot", str(tmp_path / "x.png"))  # fmt: skip
    assert result.returncode == 2, result.stdout + result.stderr
    lines = [line for line in result.stderr.splitlines() if line.startswith("grader:")]
    assert len(lines) == 1 and lines[0].startswith("grader: cannot train: "), result.stderr
    assert re.search(message, lines[0]), lines[0]
    assert result.stdout == "" and "Traceback" not in result.stderr


@pytest.mark.slow
def test_download_option_fails_in_one_line_without_a_server(tmp_path):
    code = (
        "import sys, torchvision.datasets as d\n"
        "d.FashionMNIST.mirrors = ['http://127.0.0.1:9/']\n"
        "from grader.__main__ import main\n"
        f"sys.exit(main(['train', '--impl', 'solutions', '--data', 'fashion-mnist', "
        f"'--data-root', {str(tmp_path)!r}, '--download']))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=PROJECT_ROOT, capture_output=True,
                            text=True, timeout=300)  # fmt: skip
    assert result.returncode == 2, result.stdout + result.stderr
    lines = [line for line in result.stderr.splitlines() if line.startswith("grader:")]
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("grader: cannot train: could not download"), lines
    assert result.stdout == "" and "Traceback" not in result.stderr
