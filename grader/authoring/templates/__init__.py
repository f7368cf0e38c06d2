"""The files the instructor's commands write, kept as real files beside this module: the
student release's README, tox.ini and workflow, and the Gradescope bundle's scripts and README.
A template with ``{placeholders}`` is filled with :meth:`str.format` by its caller."""

from __future__ import annotations

from pathlib import Path

TEMPLATES_DIR = Path(__file__).resolve().parent


def template(name: str) -> str:
    """The text of the template file ``name``."""
    return (TEMPLATES_DIR / name).read_text(encoding="utf-8")
