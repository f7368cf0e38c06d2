"""Import the installed pytest plugins before pytest starts.

pytest rewrites the asserts of every module of a distribution that registers a plugin
(Hypothesis, pytest-benchmark, ...) when that module is first imported in a session, and, where
bytecode is not cached (``PYTHONDONTWRITEBYTECODE``, a fresh copy), it parses and compiles
them all again on every run: about 3 s for Hypothesis's 75 modules. Imported beforehand they
are used as they are (they are libraries: nothing of ours asserts through them).
``python -m grader check`` and the grading fork server call :func:`import_pytest_plugins` before
pytest starts.
"""

from __future__ import annotations

import importlib
from contextlib import suppress
from importlib.metadata import Distribution, entry_points


def import_pytest_plugins() -> None:
    """Import every installed pytest plugin with its distribution's top-level modules."""
    for entry in entry_points(group="pytest11"):
        for name in sorted({entry.module, *_top_level_modules(entry.dist)}):
            with suppress(Exception):  # a broken plugin is pytest's to report, not ours
                importlib.import_module(name)


def _top_level_modules(distribution: Distribution | None) -> set[str]:
    """The importable top-level names a distribution installs (``hypothesis``, ...)."""
    names = set()
    for path in (distribution.files or []) if distribution else []:
        parts = path.parts
        if len(parts) == 1 and parts[0].endswith(".py"):
            names.add(parts[0].removesuffix(".py"))
        elif len(parts) == 2 and parts[1] == "__init__.py":
            names.add(parts[0])
    return {name for name in names if name.isidentifier()}
