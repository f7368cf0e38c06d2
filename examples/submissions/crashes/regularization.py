"""Dropout whose mask is right but whose dropout() crashes the process it runs in (a real
segmentation fault, as a buggy C extension would cause). The grader reports the crash for this
exercise; everything else of the submission and of the class is graded normally."""

import faulthandler

import torch


def dropout_mask(shape, p, *, dtype=torch.float32, device="cpu", generator=None):
    if not 0 <= p <= 1:
        raise ValueError(f"p must be in [0, 1], got {p}")
    if p == 1:
        return torch.zeros(shape, dtype=dtype, device=device)
    keep = torch.rand(shape, generator=generator, device=device) >= p
    return keep.to(dtype) / (1 - p)


def dropout(x, p, *, training=True, generator=None):
    faulthandler._sigsegv()  # the crash
    return x
