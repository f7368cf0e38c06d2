"""Which tests count: ``--device`` of ``pytest``, ``grader check``, ``grade`` and ``autograde``.

``cpu`` (the default) grades the CPU tests only, on every machine, GPU or not; ``cuda`` adds the
tests on a CUDA device and refuses to start without one. The machine never decides: a GPU
grader and a CPU-only Gradescope or GitHub runner give the same submission the same score.
A CUDA test carries the ``cuda`` marker (``tests/support.py``). Imports nothing of grader (torch
only when ``cuda`` is asked for).
"""

from __future__ import annotations

GRADED_DEVICES = ("cpu", "cuda")
CUDA_MARKER = "cuda"


def device_text(device: str) -> str:
    """Which tests were graded, in words."""
    return "the CPU and CUDA tests" if device == "cuda" else "the CPU tests"


def device_problem(device: str) -> str | None:
    """Why this machine cannot grade with ``device`` (None when it can)."""
    if device != "cuda":
        return None
    import torch

    if torch.cuda.is_available():
        return None
    return "--device cuda: this machine has no CUDA device (grade on a GPU machine)"
