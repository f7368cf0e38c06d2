"""Generate ``exercises/`` (the stubs) from ``solutions/`` (the references).

In a solution file, the lines between ``# BEGIN SOLUTION`` and ``# END SOLUTION`` are the
answer. Inside a function they become a comment and one ``raise NotImplementedError(...)`` at
the same indentation; at module level (a private helper of the reference) they are dropped.
The module docstring becomes the exercise's instructions, English then Chinese, from
``instructions/<exercise>.md`` (see :mod:`grader.core.instructions`); both languages whatever
``GRADER_LANG`` says, so the stubs are the same for everyone. A solution without an instructions
file keeps its own module docstring. Everything else (imports, signatures, type hints, the
functions' teaching docstrings) is copied as it is.

    python -m grader stubs           # rewrite exercises/
    python -m grader stubs --check   # exit 1 and name the files that are out of date
"""

from __future__ import annotations

import argparse
import ast
import re
from pathlib import Path

from grader.core.exits import FAILED, OK
from grader.core.paths import EXERCISES_DIR, INSTRUCTIONS_DIR, SOLUTIONS_DIR

BEGIN, END = "# BEGIN SOLUTION", "# END SOLUTION"
_DEF = re.compile(r"^\s*def\s+(\w+)\s*\(")


def stub_source(solution: str, filename: str = "<solution>", docstring: str | None = None) -> str:
    """The stub text for one solution file's text; ``docstring``, when given, replaces the
    solution's module docstring (or is added at the top if it has none)."""
    if docstring is not None:
        solution = with_module_docstring(solution, docstring, filename)
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
    return re.sub(r"\n{3,}(?=\S)", "\n\n\n", "".join(out)).rstrip("\n") + "\n"  # as ruff formats


def with_module_docstring(source: str, docstring: str, filename: str = "<solution>") -> str:
    """``source`` with its module docstring replaced by ``docstring`` (a plain text without
    triple quotes or backslashes, written as a triple-quoted string)."""
    if '"""' in docstring or "\\" in docstring:
        raise ValueError(f"{filename}: a docstring may not contain triple quotes or backslashes")
    body = docstring.strip("\n")
    literal = f'"""{body}\n"""\n' if "\n" in body else f'"""{body}"""\n'
    lines = source.splitlines(keepends=True)
    tree = ast.parse(source, filename=filename)
    first = tree.body[0] if tree.body else None
    if (
        isinstance(first, ast.Expr)
        and isinstance(first.value, ast.Constant)
        and isinstance(first.value.value, str)
    ):
        assert first.end_lineno is not None
        return "".join([*lines[: first.lineno - 1], literal, *lines[first.end_lineno :]])
    return literal + ("\n" if source.strip() else "") + source


def _instructions(name: str, instructions_dir: Path) -> str | None:
    """The stub's module docstring for the solution module ``name``, or None without
    instructions for it."""
    if not (instructions_dir / f"{name}.md").is_file():
        return None
    from grader.core.instructions import docstring

    return docstring(name, instructions_dir)


def expected_stubs(
    solutions_dir: Path = SOLUTIONS_DIR, instructions_dir: Path = INSTRUCTIONS_DIR
) -> dict[str, str]:
    """File name -> stub text, for every solution module."""
    return {
        path.name: stub_source(
            path.read_text(encoding="utf-8"), path.name, _instructions(path.stem, instructions_dir)
        )
        for path in sorted(solutions_dir.glob("*.py"))
    }


def outdated_stubs(
    solutions_dir: Path = SOLUTIONS_DIR,
    exercises_dir: Path = EXERCISES_DIR,
    instructions_dir: Path = INSTRUCTIONS_DIR,
) -> list[str]:
    """Names of the stub files that differ from what the generator writes (or should not exist)."""
    expected = expected_stubs(solutions_dir, instructions_dir)
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
    solutions_dir: Path = SOLUTIONS_DIR,
    exercises_dir: Path = EXERCISES_DIR,
    instructions_dir: Path = INSTRUCTIONS_DIR,
) -> list[str]:
    """Rewrite ``exercises_dir`` from ``solutions_dir``; returns the names it changed."""
    changed = outdated_stubs(solutions_dir, exercises_dir, instructions_dir)
    expected = expected_stubs(solutions_dir, instructions_dir)
    exercises_dir.mkdir(exist_ok=True)
    for name in changed:
        if name in expected:
            (exercises_dir / name).write_text(expected[name], encoding="utf-8")
        else:
            (exercises_dir / name).unlink()
    return changed


# --------------------------------------------------------------------------------- command


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--check", action="store_true", help="only report outdated stubs")


def run(args: argparse.Namespace) -> int:
    """Rewrite the stubs; with ``--check``, name those out of date instead (exit 1 if any)."""
    if args.check:
        outdated = outdated_stubs()
        for name in outdated:
            print(f"out of date: {EXERCISES_DIR.name}/{name}")
        if outdated:
            print("run `python -m grader stubs` to regenerate them from solutions/")
        return FAILED if outdated else OK
    changed = write_stubs()
    print(
        f"rewrote {len(changed)} stub(s): {', '.join(changed)}"
        if changed
        else "stubs are up to date"
    )
    return OK
