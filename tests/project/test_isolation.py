"""An exercise's misbehaviour costs that exercise only, and a busy machine costs nothing.

Each submission is the reference with ONE exercise replaced by code that misbehaves: it hangs
while importing, hangs in a call, spins the CPU, allocates without bound, floods its output or
starts a child process. The exercises just before and just after it in the session (teaching
order) come with it and must keep full marks: what breaks isolation shows in its neighbours (a
session that dies or stalls takes the next exercise with it). The perfect submission holds every
exercise, graded under the same load. The time limit is short (5 s) and the machine is kept busy
by processes spinning on every core while the class is graded: the limit measures the student's
own code only (grader/core/limits.py), so correct code never times out, however slow the start.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
from collections.abc import Iterator

import pytest
from conftest import grade, gradebook, reference, submission

from grader.core.manifest import load_manifest
from grader.core.paths import SOLUTIONS_DIR

pytestmark = pytest.mark.slow

SPIN = "while True:\n    pass\n"
MISBEHAVING = {  # student -> (exercise it spoils, code appended to the reference module)
    "hangs-at-import": ("datasets", "import time\ntime.sleep(10_000)\n"),
    "spins-at-import": ("activations", SPIN),
    "hangs-in-a-call": ("model_selection", (
        "def k_fold_split(n_samples, k, *, shuffle=False, seed=None):\n"
        "    import time\n    time.sleep(10_000)\n"
    )),
    "spins-in-a-call": ("optimizers", (
        "def sgd_step(param, grad, state, *, lr, momentum=0.0, weight_decay=0.0):\n"
        "    " + SPIN.replace("\n    ", "\n        ")
    )),
    "allocates": ("losses", (
        "def mse_loss(pred, target, reduction='mean'):\n"
        "    hoard = []\n    while True:\n        hoard.append(bytearray(1 << 26))\n"
    )),
    "floods-output": ("regularization", (
        "def dropout(x, p, *, training=True, generator=None):\n"
        "    while True:\n        print('x' * 100_000)\n"
    )),
    "starts-children": ("initializers", (
        "import os\nimport subprocess\n\n"
        "def xavier_uniform(\n"
        "    shape, *, gain=1.0, generator=None, device=None, dtype=torch.float32\n):\n"
        "    subprocess.Popen(['sleep', '1000'])\n    os.fork()\n"
    )),
}  # fmt: skip


NAMES = [exercise.name for exercise in load_manifest()]


def neighbours(exercise: str) -> list[str]:
    """The exercise and the ones just before and after it in teaching order."""
    at = NAMES.index(exercise)
    return NAMES[max(at - 1, 0) : at + 2]


def _spin() -> None:
    while True:
        pass


@contextlib.contextmanager
def busy_machine() -> Iterator[None]:
    """One spinning process per core: every sandbox starts and runs slowly."""
    spinners = [multiprocessing.Process(target=_spin, daemon=True)
                for _ in range(os.cpu_count() or 2)]  # fmt: skip
    for spinner in spinners:
        spinner.start()
    try:
        yield
    finally:
        for spinner in spinners:
            spinner.kill()
            spinner.join()


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    root = tmp_path_factory.mktemp("isolation")
    submissions = root / "submissions"
    for student, (exercise, appended) in MISBEHAVING.items():
        spoiled = f"{reference(exercise)}\n\n{appended}"
        submission(submissions, student, base=SOLUTIONS_DIR, only=neighbours(exercise),
                   **{exercise: spoiled})  # fmt: skip
    submission(submissions, "perfect", base=SOLUTIONS_DIR)
    out = root / "out"
    with busy_machine():
        result = grade(submissions, out, "--timeout", "5", "--jobs", "2")
    assert result.returncode == 0, result.stderr[-3000:]
    return gradebook(out)


@pytest.mark.parametrize("student", ["perfect", *MISBEHAVING])
def test_every_other_exercise_keeps_full_marks(graded, student):
    spoiled = MISBEHAVING.get(student, ("",))[0]
    row = graded[student]
    present = neighbours(spoiled) if spoiled else NAMES
    assert len(present) >= 2
    for exercise in load_manifest():
        if exercise.name in present and exercise.name != spoiled:
            assert float(row[exercise.name]) == exercise.points, (exercise.name, row)
    if spoiled:
        assert float(row[spoiled]) < next(e.points for e in load_manifest() if e.name == spoiled), (
            row
        )
