"""Forbid the library routine an exercise re-implements, while a student function runs.

``forbid(names, module_globals)`` swaps each named routine (``torch.softmax``,
``torch.Tensor.softmax``, ``torch.nn.init.*`` ...) for a stand-in that records the call and
raises :class:`ForbiddenCallError`. Names the student's module imported directly
(``from torch.nn.functional import softmax``) are swapped in its globals too. Everything is
restored on exit, even when the student's code raises. If the student's code swallows the error,
the guard still reports the violation when the function returns.
"""

from __future__ import annotations

import importlib
import inspect
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from typing import Any

_MISSING = object()


class ForbiddenCallError(RuntimeError):
    """A student function called the library routine its exercise asks them to write."""


def _target(owner: Any, attr: str, obj: Any) -> tuple[Any, str, Any]:
    """Where to swap: a function in place; a class through its ``__init__``, so the class itself
    stays what it is for library code (isinstance checks, ``Optimizer | None`` annotations)."""
    if inspect.isclass(obj):
        return (obj, "__init__", obj.__init__)
    return (owner, attr, obj)


_IMMUTABLE_TYPE = 1 << 8  # Py_TPFLAGS_IMMUTABLETYPE: a static or extension type


def _swappable(cls: type) -> bool:
    return not cls.__flags__ & _IMMUTABLE_TYPE


@cache
def resolve(name: str) -> tuple[tuple[Any, str, Any], ...]:
    """``"torch.nn.functional.softmax"`` -> ((owner, attribute, original), ...).

    ``"pkg.module.*"`` gives every public function and class that module itself defines (a
    class of an extension module whose type cannot be changed, such as scikit-learn's
    ``DistanceMetric``, is left out: it cannot be swapped, and is not the routine asked for).
    An unknown name is a LookupError: the manifest is trusted configuration and must be right.
    """
    if name.endswith(".*"):
        module = importlib.import_module(name[:-2])
        return tuple(
            _target(module, attr, obj)
            for attr, obj in vars(module).items()
            if not attr.startswith("_")
            and (inspect.isfunction(obj) or (inspect.isclass(obj) and _swappable(obj)))
            and getattr(obj, "__module__", "").startswith(module.__name__)
        )
    parts = name.split(".")
    for split in range(len(parts) - 1, 0, -1):
        try:
            owner: Any = importlib.import_module(".".join(parts[:split]))
        except ImportError:
            continue
        for attr in parts[split:-1]:
            owner = getattr(owner, attr)
        original = getattr(owner, parts[-1], _MISSING)
        if original is _MISSING:
            break
        return (_target(owner, parts[-1], original),)
    raise LookupError(f"forbidden routine {name!r} does not exist in this environment")


class Guard:
    """The record of one guarded call: the forbidden routines it reached."""

    def __init__(self) -> None:
        self.violations: list[str] = []


_active: list[Guard] = []  # the guards in force, innermost last


def _stand_in(name: str) -> Any:
    def forbidden(*args: Any, **kwargs: Any) -> Any:
        if _active:
            _active[-1].violations.append(name)
        raise ForbiddenCallError(
            f"{name} is not allowed in this exercise: it is the routine you are asked to "
            "write yourself. Build it from elementary tensor operations instead."
        )

    return forbidden


@cache
def _plan(names: tuple[str, ...]) -> tuple[tuple[tuple[Any, str, Any], ...], dict[int, Any]]:
    """For ``names``: the (owner, attribute, stand-in) swaps, and stand-ins by id(original) for
    names a module imported directly. Built once per list of names: a guarded call is cheap."""
    swaps, by_original = [], {}
    for name in names:
        for owner, attr, original in resolve(name):
            dotted = name
            if name.endswith(".*"):
                dotted = f"{name[:-2]}.{owner.__name__ if attr == '__init__' else attr}"
            stand_in = _stand_in(dotted)
            swaps.append((owner, attr, stand_in))
            by_original[id(original)] = stand_in
    return tuple(swaps), by_original


_installed: set[tuple[str, ...]] = set()  # lists of names swapped out for good


def install(names: tuple[str, ...]) -> None:
    """Swap ``names`` out for good, in this process. Only for a process that runs nothing but
    the student's code (the sandbox): ``forbid`` then skips the swapping at every call."""
    swaps, _ = _plan(tuple(names))
    for owner, attr, stand_in in swaps:
        setattr(owner, attr, stand_in)
    _installed.add(tuple(names))


@contextmanager
def forbid(names: tuple[str, ...], module_globals: dict[str, Any] | None = None) -> Iterator[Guard]:
    """Within the block, calling any routine in ``names`` raises ForbiddenCallError."""
    swaps, by_original = _plan(tuple(names))
    guard = Guard()
    restore: list[tuple[Any, str, Any]] = []  # (namespace, attribute, previous value)
    _active.append(guard)
    try:
        for owner, attr, stand_in in () if tuple(names) in _installed else swaps:
            restore.append((owner, attr, owner.__dict__.get(attr, _MISSING)))
            setattr(owner, attr, stand_in)
        if module_globals is not None:
            for attr, value in list(module_globals.items()):
                stand_in = by_original.get(id(value))
                if stand_in is not None:
                    restore.append((module_globals, attr, value))
                    module_globals[attr] = stand_in
        yield guard
    finally:
        _active.remove(guard)
        for owner, attr, previous in reversed(restore):
            if isinstance(owner, dict):
                owner[attr] = previous
            elif previous is _MISSING:
                delattr(owner, attr)
            else:
                setattr(owner, attr, previous)
