"""Which tests count: ``--device`` of ``pytest``, ``grader check``, ``grade`` and ``autograde``;
and which devices this machine has for a job (``train``, ``bench``) to compute on.

``cpu`` (the default) grades the CPU tests only, on every machine, GPU or not; ``cuda`` adds the
tests on a CUDA device and refuses to start without one. The machine never decides: a GPU
grader and a CPU-only Gradescope or GitHub runner give the same submission the same score.
A CUDA test carries the ``cuda`` marker (``tests/support.py``). Imports nothing of grader (torch
only when ``cuda`` is asked for, or a job's devices are listed or checked).
"""

from __future__ import annotations

GRADED_DEVICES = ("cpu", "cuda")
CUDA_MARKER = "cuda"
JOB_DEVICE_TYPES = ("cpu", "cuda", "mps")  # what train and bench compute on


def device_text(device: str) -> str:
    """Which tests were graded, in words."""
    return "the CPU and CUDA tests" if device == "cuda" else "the CPU tests"


def device_problem(device: str) -> str | None:
    """Why this machine cannot grade with ``device`` (None when it can)."""
    if device != "cuda":
        return None
    problem = unavailable_device(device)
    return f"{problem} (grade on a GPU machine)" if problem else None


def local_devices() -> list[str]:
    """The devices this machine computes on, for a job's default (``train``, ``bench``): the
    CPU, then a CUDA device where there is one."""
    import torch

    return ["cpu", *(["cuda"] if torch.cuda.is_available() else [])]


def unavailable_device(name: str) -> str | None:
    """Why torch cannot compute on the device ``name`` here, as one line naming ``--device``
    (None when it can): a name torch does not know, or a GPU this machine lacks. Checked
    before a job starts, so that the answer is a sentence, not torch's traceback from the first
    tensor moved there."""
    import torch

    try:
        device = torch.device(name)
    except RuntimeError:
        device = None
    if device is None or device.type not in JOB_DEVICE_TYPES:
        return f"--device {name}: not a device to compute on (one of {', '.join(JOB_DEVICE_TYPES)})"
    if device.type == "cuda":
        count = torch.cuda.device_count() if torch.cuda.is_available() else 0
        if not count:
            return f"--device {name}: this machine has no CUDA device"
        if device.index is not None and device.index >= count:
            last = f"cuda:{count - 1}"
            return f"--device {name}: this machine has {count} CUDA device(s), cuda:0 to {last}"
    if device.type == "mps" and not torch.backends.mps.is_available():
        return f"--device {name}: this machine has no Apple GPU (mps)"
    return None
