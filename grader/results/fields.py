"""The checks every field of a stored result passes when it is built or read back
(:mod:`grader.results.model`): a ValueError naming the owner and the field, never a
half-built result."""

from __future__ import annotations

import dataclasses
import json
import math
from collections.abc import Iterable, Mapping
from typing import Any


def check_number(owner: str, name: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"{owner}.{name} must be a number, got {value!r}")
    value = float(value)
    if not math.isfinite(value) or value < 0:
        raise ValueError(f"{owner}.{name} must be finite and >= 0, got {value!r}")
    return value


def check_str(owner: str, name: str, value: Any) -> str:
    if not isinstance(value, str):
        raise ValueError(f"{owner}.{name} must be a string, got {type(value).__name__}")
    return value


def check_choice(owner: str, name: str, value: Any, choices: Iterable[str]) -> str:
    words = tuple(map(str, choices))  # an enum's members as the strings stored
    if value not in words:
        raise ValueError(f"{owner}.{name} must be one of {words}, got {value!r}")
    return value


def mapping(data: Any, what: str) -> Mapping[str, Any]:
    if isinstance(data, str | bytes | bytearray):
        data = json.loads(data)
    if not isinstance(data, Mapping):
        raise ValueError(f"{what}: expected a JSON object, got {type(data).__name__}")
    return data


def field(data: Mapping[str, Any], key: str, what: str, default: Any = ...) -> Any:
    if key in data:
        return data[key]
    if default is ...:
        raise ValueError(f"{what}: missing key {key!r}")
    return default


def dataclass_fields(cls: type, data: Any, what: str) -> dict[str, Any]:
    """The values of the dataclass ``cls``'s fields read from the JSON object ``data``: each
    one required unless the class gives it a default (the inverse of ``dataclasses.asdict``
    for a class of plain fields)."""
    data = mapping(data, what)
    return {
        column.name: field(data, column.name, what)
        if column.default is dataclasses.MISSING
        else field(data, column.name, what, column.default)
        for column in dataclasses.fields(cls)
    }
