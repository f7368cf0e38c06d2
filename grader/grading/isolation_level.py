"""Which isolation a grading run uses (``--isolation``): the level asked for, if this host gives
it; with ``auto``, the strongest it gives; never the process level unless asked for by name.
What the levels mean: :mod:`grader.core.isolation` and ``docs/GRADER.md``.
"""

from __future__ import annotations

from pathlib import Path

from grader.core.isolation import Isolation, Walls, level_walls
from grader.core.paths import SOLUTIONS_DIR


def choose_isolation(choice: str, hidden: list[Path]) -> tuple[Walls, str | None]:
    """The walls for ``--isolation choice`` on this host, or why grading must not start."""
    if choice == Isolation.PROCESS:
        return Walls(Isolation.PROCESS), None
    walls = level_walls(None if choice == "auto" else Isolation(choice))
    if walls is None:
        return Walls(Isolation.PROCESS), (
            f"--isolation {choice}: this host cannot give it (docs/GRADER.md, 'Isolation "
            "levels'); --isolation auto takes the strongest there is"
        )
    if walls.level is Isolation.PROCESS:
        return walls, (
            "this host can keep student code apart only at the process level (no namespaces, "
            "and no root for a uid of its own): a submission could read and change what the "
            "grader can. Grade on a host that can (docs/GRADER.md), or accept it with "
            "--isolation process"
        )
    if walls.level is Isolation.UID and not walls.landlock:
        exposed = readable_by_others([SOLUTIONS_DIR, *hidden])
        if exposed:
            return walls, (
                f"{exposed[0]} is readable by other users, so by a sandbox's uid (this host "
                f"has no Landlock to hide it): chmod -R go-rwx {exposed[0]}"
            )
    return walls, None


def readable_by_others(paths: list[Path]) -> list[Path]:
    """Those of ``paths`` (and the files below them) that a user of no group can read."""
    exposed = []
    for path in paths:
        if not path.exists():
            continue
        below = [path, *path.rglob("*")] if path.is_dir() else [path]
        if any(p.stat().st_mode & 0o004 for p in below) and all(
            parent.stat().st_mode & 0o001 for parent in path.parents
        ):
            exposed.append(path)
    return exposed
