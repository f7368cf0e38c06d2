"""Which tests count: ``--device`` of ``pytest``, ``grader check``, ``grade`` and ``autograde``.

``cpu`` (the default) grades the CPU tests only, on every machine, GPU or not; ``cuda`` adds the
tests on a CUDA device and refuses to start without one. The machine never decides: a GPU
grader and a CPU-only Gradescope or GitHub runner give the same submission the same score.
A CUDA test carries the ``cuda`` marker (``tests/support.py``). Imports nothing.
"""

from __future__ import annotations

GRADED_DEVICES = ("cpu", "cuda")
CUDA_MARKER = "cuda"


def device_text(device: str) -> str:
    """Which tests were graded, in words."""
    return "the CPU and CUDA tests" if device == "cuda" else "the CPU tests"
