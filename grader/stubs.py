"""Generate ``exercises/`` (the stubs) from ``solutions/`` (the references).

In a solution file, the lines between ``# BEGIN SOLUTION`` and ``# END SOLUTION`` are the
answer. Inside a function they become a comment and one ``raise NotImplementedError(...)`` at
the same indentation; at module level (a private helper of the reference) they are dropped.
Everything else (imports, signatures, type hints, the teaching docstrings) is copied as it is.

    python -m grader stubs           # rewrite exercises/
    python -m grader stubs --check   # exit 1 and name the files that are out of date
"""

from __future__ import annotations

import re
from pathlib import Path

from grader.manifest import PROJECT_ROOT

SOLUTIONS_DIR = PROJECT_ROOT / "solutions"
EXERCISES_DIR = PROJECT_ROOT / "exercises"
BEGIN, END = "# BEGIN SOLUTION", "# END SOLUTION"
_DEF = re.compile(r"^\s*def\s+(\w+)\s*\(")


def stub_source(solution: str, filename: str = "<solution>") -> str:
    """The stub text for one solution file's text."""
    out: list[str] = []
    inside: str | None = None  # the function whose answer we are skipping
    for number, line in enumerate(solution.splitlines(keepends=True), start=1):
        marker = line.strip()
        if marker == BEGIN:
            if inside is not None:
                raise ValueError(f"{filename}:{number}: {BEGIN} inside another solution region")
            indent = line[: len(line) - len(line.lstrip())]
            inside = next(
                (m.group(1) for previous in reversed(out) if (m := _DEF.match(previous))),
                "this function",
            )
            if indent:
                out.append(f"{indent}# Your code here: replace the line below.\n")
                out.append(f'{indent}raise NotImplementedError("{inside}() is not written yet")\n')
            else:
                inside = "<module level>"
        elif marker == END:
            if inside is None:
                raise ValueError(f"{filename}:{number}: {END} without {BEGIN}")
            inside = None
        elif inside is None:
            out.append(line)
    if inside is not None:
        raise ValueError(f"{filename}: {BEGIN} in {inside} is never closed")
    return re.sub(r"\n{3,}(?=\S)", "\n\n\n", "".join(out))


def expected_stubs(solutions_dir: Path = SOLUTIONS_DIR) -> dict[str, str]:
    """File name -> stub text, for every solution module."""
    return {
        path.name: stub_source(path.read_text(encoding="utf-8"), path.name)
        for path in sorted(solutions_dir.glob("*.py"))
    }


def outdated_stubs(
    solutions_dir: Path = SOLUTIONS_DIR, exercises_dir: Path = EXERCISES_DIR
) -> list[str]:
    """Names of the stub files that differ from what the generator writes (or should not exist)."""
    expected = expected_stubs(solutions_dir)
    present = {path.name for path in exercises_dir.glob("*.py")}
    stale = sorted(present - expected.keys())
    differing = [
        name
        for name, text in expected.items()
        if not (exercises_dir / name).is_file()
        or (exercises_dir / name).read_text(encoding="utf-8") != text
    ]
    return sorted(stale + differing)


def write_stubs(
    solutions_dir: Path = SOLUTIONS_DIR, exercises_dir: Path = EXERCISES_DIR
) -> list[str]:
    """Rewrite ``exercises_dir`` from ``solutions_dir``; returns the names it changed."""
    changed = outdated_stubs(solutions_dir, exercises_dir)
    expected = expected_stubs(solutions_dir)
    exercises_dir.mkdir(exist_ok=True)
    for name in changed:
        if name in expected:
            (exercises_dir / name).write_text(expected[name], encoding="utf-8")
        else:
            (exercises_dir / name).unlink()
    return changed
