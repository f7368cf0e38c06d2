"""The manifest (``manifest.toml`` at the project root): the exercises in teaching order."""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from types import MappingProxyType
from typing import Any

from grader.core.paths import MANIFEST_PATH

FUNCTION_POINTS = "function_points"  # an exercise's table of points per function


@dataclass(frozen=True)
class Exercise:
    name: str  # module name, e.g. "activations"; also the pytest marker of its tests
    title: str
    points: int
    tests: tuple[str, ...]  # test modules, relative to the project root
    forbidden: tuple[str, ...]  # dotted names, groups already expanded
    autograd: bool = True  # False: the student's functions run under torch.no_grad()
    # points of a function, where the manifest gives them (grader/core/scoring.py); the functions
    # it does not name share what is left equally
    function_points: Mapping[str, float] = field(default_factory=dict, hash=False, compare=False)


def _expand(names: list[str], groups: dict[str, list[str]]) -> tuple[str, ...]:
    expanded: list[str] = []
    for name in names:
        if name.startswith("@"):
            if name[1:] not in groups:
                raise ValueError(f"manifest: unknown forbidden group {name!r}")
            expanded.extend(groups[name[1:]])
        else:
            expanded.append(name)
    return tuple(dict.fromkeys(expanded))


def _function_points(entry: dict[str, Any]) -> Mapping[str, float]:
    """An exercise's ``function_points`` table, checked: positive numbers that leave the
    exercise's points no smaller than their sum."""
    given = entry.get(FUNCTION_POINTS, {})
    where = f"manifest: exercise {entry.get('name')!r}: {FUNCTION_POINTS}"
    if not isinstance(given, dict):
        raise ValueError(f"{where} must be a table, e.g. {{ softmax = 4, relu = 2 }}")
    for name, value in given.items():
        if isinstance(value, bool) or not isinstance(value, int | float) or not value > 0:
            raise ValueError(f"{where}: {name} = {value!r}, expected a positive number")
    if sum(given.values()) > int(entry["points"]) + 1e-9:
        raise ValueError(
            f"{where} add up to {sum(given.values()):g}, more than the exercise's "
            f"{entry['points']} points"
        )
    return MappingProxyType({str(name): float(value) for name, value in given.items()})


@cache
def load_manifest(path: Path = MANIFEST_PATH) -> tuple[Exercise, ...]:
    """Read the manifest; a malformed one is a ValueError naming the problem."""
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    groups = data.get("groups", {})
    exercises = []
    for entry in data.get("exercise", []):
        try:
            exercises.append(
                Exercise(
                    name=entry["name"],
                    title=entry["title"],
                    points=int(entry["points"]),
                    tests=tuple(entry["tests"]),
                    forbidden=_expand(entry.get("forbidden", []), groups),
                    autograd=bool(entry.get("autograd", True)),
                    function_points=_function_points(entry),
                )
            )
        except KeyError as missing:
            raise ValueError(f"manifest: exercise entry {entry!r} lacks {missing}") from None
    names = [e.name for e in exercises]
    if len(set(names)) != len(names):
        raise ValueError(f"manifest: duplicate exercise names in {names}")
    return tuple(exercises)


def exercise_named(name: str) -> Exercise:
    for exercise in load_manifest():
        if exercise.name == name:
            return exercise
    raise KeyError(f"no exercise named {name!r} in {MANIFEST_PATH.name}")


def exercise_for_test_file(path: Path) -> Exercise | None:
    """The exercise a test module grades, or None for the project's own tests.

    Matched by file name, so a trusted copy of the tests elsewhere maps the same way; an
    instructor's hidden test module is named ``test_<exercise>_<anything>.py``.
    """
    return _exercise_for_test_name(Path(path).name)


@cache  # asked for every test at every phase: a thousand times a run
def _exercise_for_test_name(name: str) -> Exercise | None:
    for exercise in load_manifest():
        if any(Path(test).name == name for test in exercise.tests):
            return exercise
    for exercise in sorted(load_manifest(), key=lambda e: -len(e.name)):  # hidden tests
        if name.startswith(f"test_{exercise.name}_"):
            return exercise
    return None
