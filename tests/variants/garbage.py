"""Type-perfect garbage: each function of an exercise returns what the reference returns, with
the right types, shapes, dtypes and devices, but wrong values. Such code must earn nothing
(grader/core/gating.py); ``tests/project/test_garbage.py`` proves it for every exercise.

``garbage_source(functions, kind)`` is appended to a copy of the reference, like a variant: the
named functions are replaced by wrappers that call the reference and spoil its result.
"""

from __future__ import annotations

# zeros, nan, off-by-one-percent: never the right answer (a zero answer becomes -1, a boolean
# flips); echo: a same-shaped argument, echoed; constant-*: one constant whatever the right
# answer, and input-echoed: a same-shaped argument whatever the right answer, as a function
# that ignores its input would return (right by coincidence where the answer is that: such cases
# name their answer, grader/core/gating.py)
KINDS = (
    "zeros",
    "nan",
    "off-by-one-percent",
    "echo",
    "constant-zero",
    "constant-one",
    "input-echoed",
)

_SOURCE = '''
import functools as _functools
from collections.abc import Iterator as _Iterator

import numpy as _np
import torch as _torch


def _constant(value, one):
    """The same structure and types, every number 0 (or 1), every boolean False (or True)."""
    if isinstance(value, _torch.Tensor):
        return _torch.ones_like(value) if one else _torch.zeros_like(value)
    if isinstance(value, _np.ndarray):
        return _np.ones_like(value) if one else _np.zeros_like(value)
    if isinstance(value, bool):
        return one
    if isinstance(value, int | float):
        return type(value)(1 if one else 0)
    if isinstance(value, tuple | list):
        return type(value)(_constant(item, one) for item in value)
    if isinstance(value, dict):
        return {key: _constant(item, one) for key, item in value.items()}
    if isinstance(value, _Iterator):
        return (_constant(item, one) for item in value)
    return value


def _spoil(value, kind, args):
    """The same structure and types, other values."""
    if kind == "input-echoed" and isinstance(value, _torch.Tensor):
        for arg in args:
            if isinstance(arg, _torch.Tensor) and arg.shape == value.shape:
                return arg.clone().to(value.dtype)
    if kind in ("constant-zero", "constant-one", "input-echoed"):
        return _constant(value, kind == "constant-one")
    if isinstance(value, _torch.Tensor):
        if kind == "echo":
            for arg in args:
                if (isinstance(arg, _torch.Tensor) and arg.shape == value.shape
                        and arg.dtype == value.dtype and arg is not value):
                    return arg.clone()
        if value.is_floating_point():
            if kind == "nan":
                return _torch.full_like(value, float("nan"))
            if kind == "off-by-one-percent":
                return value * 1.01 + 0.01
            return _torch.zeros_like(value)
        if value.dtype == _torch.bool:
            return ~value
        return _torch.zeros_like(value) if kind != "off-by-one-percent" else value + 1
    if isinstance(value, _np.ndarray):
        if value.dtype.kind == "f":
            if kind == "nan":
                return _np.full_like(value, _np.nan)
            return value * 1.01 + 0.01 if kind == "off-by-one-percent" else _np.zeros_like(value)
        return _np.zeros_like(value) if kind != "off-by-one-percent" else value + 1
    if isinstance(value, bool):
        return not value
    if isinstance(value, int):  # an index, an epoch, a count
        return {"zeros": 0 if value else -1, "nan": -1}.get(kind, value + 1)
    if isinstance(value, float):
        return {"nan": float("nan"), "off-by-one-percent": value * 1.01 + 0.01}.get(kind, 0.0)
    if isinstance(value, tuple):
        return tuple(_spoil(item, kind, args) for item in value)
    if isinstance(value, list):
        return [_spoil(item, kind, args) for item in value]
    if isinstance(value, dict):
        return {key: _spoil(item, kind, args) for key, item in value.items()}
    if isinstance(value, _Iterator):
        return (_spoil(item, kind, args) for item in value)
    return value


def _garbage(function, kind):
    @_functools.wraps(function)
    def wrapper(*args, **kwargs):
        if kind != "input-echoed":
            return _spoil(function(*args, **kwargs), kind, args)
        # a function that ignores its input: what it was given comes back, unchanged
        before = [arg.clone() if isinstance(arg, _torch.Tensor) else arg for arg in args]
        value = function(*args, **kwargs)
        with _torch.no_grad():
            for arg, was in zip(args, before):
                if isinstance(arg, _torch.Tensor):
                    arg.copy_(was)  # undo what the reference did in place
        return _spoil(value, kind, before)

    return wrapper


for _name in FUNCTIONS:
    globals()[_name] = _garbage(globals()[_name], KIND)
'''


def garbage_source(functions: list[str], kind: str) -> str:
    if kind not in KINDS:
        raise ValueError(f"unknown garbage {kind!r}: one of {KINDS}")
    return _SOURCE.replace("FUNCTIONS", repr(list(functions))).replace("KIND", repr(kind))
