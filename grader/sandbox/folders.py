"""What a sandbox sees of the file system: the folders it may read (the Python installation)
and the folders it sees empty (the grader's own). Computed once per sandbox, in trusted code,
and handed to the walls (:func:`grader.core.walls.confine`) and the teaching audit hook
(:mod:`grader.sandbox.audit`), so the two agree.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from grader.core.paths import PROJECT_ROOT, SOLUTIONS_DIR, TESTS_DIR


def hidden_folders(scratch: Path) -> tuple[Path, ...]:
    """Folders a sandbox sees empty (where it has a mount namespace): its grading session's
    (the trusted tests, the report, the submission as taken in), the temporary folder holding
    the other sessions, the reference and the tests."""
    return (scratch.parent, Path(tempfile.gettempdir()), Path("/tmp"), SOLUTIONS_DIR, TESTS_DIR)


def python_folders(scratch: Path) -> tuple[str, ...]:
    """What the sandbox may read: the Python installation (its prefixes, wherever they are),
    and the folders on sys.path outside the trusted ones (the sandbox's parent and the
    temporary folder, where the grading session keeps its tests and report; the project's
    tests and solutions: pytest puts test folders on sys.path). A prefix that holds the
    project (or a trusted folder) gives only its ``lib`` and ``bin`` folders (a venv's)."""
    trusted = [Path(p).resolve() for p in (scratch.parent, tempfile.gettempdir(), TESTS_DIR,
                                           SOLUTIONS_DIR)]  # fmt: skip
    holders = [PROJECT_ROOT.resolve(), *trusted]
    prefixes = {sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix}
    folders: set[str] = set()
    for candidate in filter(None, prefixes | set(sys.path)):
        path = Path(candidate).resolve()
        inside_trusted = any(path.is_relative_to(t) for t in trusted)
        if not path.is_dir() or (inside_trusted and candidate not in prefixes):
            continue
        if not any(p.is_relative_to(path) for p in holders):
            folders.add(str(path))
            continue
        for child in ("lib", "lib64", "bin"):
            inner = path / child
            if inner.is_dir() and not any(p.is_relative_to(inner) for p in holders):
                folders.add(str(inner))
    return tuple(sorted(folders))
