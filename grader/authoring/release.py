"""``python -m grader release OUT``: write the student distribution of the exercises to OUT.

What the release keeps (everything else stays with the instructor):

- ``exercises/`` (the stubs; refused while they are out of date with ``solutions/``),
- the public tests: ``tests/support.py`` and the test modules the manifest lists (no
  ``tests/project/``, no ``tests/variants/``, no hidden tests),
- ``data/``, ``manifest.toml``, ``pyproject.toml``, ``constraints.txt``, and
  ``instructions/`` or ``notebooks/`` where the project has them,
- the ``grader/`` package without its instructor folder (:data:`INSTRUCTOR_PACKAGE`,
  ``grader/authoring``: the stub generator, this module, the Gradescope bundler, the
  grading-throughput benchmark and their templates); ``check``, ``autograde``, ``notebooks``,
  ``train`` and ``bench`` work as in the project, and ``python -m grader --help`` lists only
  them (a copy without ``solutions/`` is a student's: :func:`grader.core.paths.instructor_copy`);
  it also keeps a copy of the stubs as handed out in ``grader/handout/``, which ``autograde``
  grades against,
- generated: a student ``README.md``, a ``tox.ini`` with the ``check`` and ``bench``
  environments (nothing that needs the reference), a ``.gitignore`` that tracks the student's
  notebooks, the README of ``instructions/`` (how to read them, the files in teaching order),
  and the GitHub Actions workflow ``.github/workflows/autograde.yml`` (see
  :mod:`grader.grading.autograde`); with ``--classroom``, its GitHub Classroom variant, which
  also hands the points to Classroom's reporter action (:mod:`grader.results.classroom`).

No ``solutions/``, and no line of solution code: before anything is written the release is
scanned for every line between ``# BEGIN SOLUTION`` and ``# END SOLUTION`` in ``solutions/``
(see :func:`solution_lines`), and a hit refuses the release. The public tests' comparisons
with the reference skip where ``solutions/`` is absent, so the release's own check passes.

The release is built in a temporary folder beside OUT and moved into place at the end: OUT
never holds half a release. An existing, non-empty OUT is refused unless ``--force``, which
replaces it.
"""

from __future__ import annotations

import argparse
import ast
import shutil
import tempfile
from collections.abc import Iterable
from pathlib import Path

from grader.authoring.templates import template
from grader.core import instructions
from grader.core.exits import OK, error
from grader.core.manifest import load_manifest
from grader.core.paths import (
    EXERCISES_DIR,
    HANDOUT_DIR,
    INSTRUCTIONS_DIR,
    NOTEBOOKS_DIR,
    OUTPUT_DIR,
    PROJECT_ROOT,
    SOLUTIONS_DIR,
    TEST_HELPERS,
    TESTS_DIR,
)
from grader.grading.autograde import DEFAULT_OUT

INSTRUCTOR_PACKAGE = "authoring"  # grader/authoring/: instructor code, never released
COPIED_FILES = ("manifest.toml", "pyproject.toml", "constraints.txt")
COPIED_DIRS = ("exercises", "data")
OPTIONAL_DIRS = (INSTRUCTIONS_DIR.name, NOTEBOOKS_DIR.name)  # copied where the project has them
WORKFLOW = Path(".github/workflows/autograde.yml")
# The workflow's templates: the plain one, and the one that reports to GitHub Classroom.
WORKFLOW_TEMPLATES = {False: "autograde.yml", True: "classroom.yml"}
# What the student README adds about the Classroom workflow (after the plain one's sentence).
CLASSROOM_README = (
    " It also reports your points to GitHub Classroom, and marks the run failed until every"
    " exercise has full marks."
)
IGNORED_NAMES = ("__pycache__", ".pytest_cache", ".hypothesis", ".benchmarks", ".ipynb_checkpoints")
# A solution line shorter than this (whitespace collapsed) is too common to be a leak:
# `return x`, `else:`, `raise ValueError(`, `return loss.mean()`, `except EOFError:` all occur
# in ordinary code. From 20 characters on, a line is specific enough to mean something
# (`return x.clamp(min=0)` is 21).
MIN_LEAK_CHARS = 20
BEGIN, END = "# BEGIN SOLUTION", "# END SOLUTION"


class ReleaseError(Exception):
    """Why a release cannot be written; the message is for the instructor."""


def normalise(line: str) -> str:
    """A line with its indentation dropped and every run of whitespace made one space."""
    return " ".join(line.split())


def solution_lines(solutions_dir: Path = SOLUTIONS_DIR) -> dict[str, str]:
    """Normalised solution line -> where it is (``file:line``), for every line between the
    solution markers, as long as it is :data:`MIN_LEAK_CHARS` or more and is not also a line of
    the public tests (those publish it on purpose: an oracle written like the reference)."""
    published = {
        normalise(line)
        for path in public_test_files()
        for line in path.read_text(encoding="utf-8").splitlines()
    }
    lines: dict[str, str] = {}
    for path in sorted(solutions_dir.glob("*.py")):
        inside = False
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            text = normalise(line)
            if text in (BEGIN, END):
                inside = text == BEGIN
            elif inside and len(text) >= MIN_LEAK_CHARS and text not in published:
                lines.setdefault(text, f"{path.name}:{number}")
    return lines


def find_leaks(root: Path, lines: dict[str, str]) -> list[str]:
    """``path:line: text (from solutions/file:line)`` for every solution line found in a file
    under ``root`` (every file, read as text whatever it holds)."""
    leaks = []
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        text = path.read_bytes().decode("utf-8", errors="replace")
        for number, line in enumerate(text.splitlines(), start=1):
            where = lines.get(normalise(line))
            if where is not None:
                relative = path.relative_to(root)
                leaks.append(f"{relative}:{number}: {normalise(line)} (from solutions/{where})")
    return leaks


def refuse_leaks(root: Path, done: str) -> None:
    """Raise :class:`ReleaseError` when a file under ``root`` holds a solution line: "solution
    code would be ``done``", and where."""
    leaks = find_leaks(root, solution_lines())
    if leaks:
        shown = "\n  ".join(leaks[:20])  # the first places: enough to find the cause, not a flood
        raise ReleaseError(f"solution code would be {done}, in:\n  {shown}")


def public_test_files() -> list[Path]:
    """The public test modules (the manifest's) and their shared helpers, in the project."""
    tests = TESTS_DIR
    listed = [PROJECT_ROOT / test for exercise in load_manifest() for test in exercise.tests]
    helpers = [tests / name for name in TEST_HELPERS]
    return sorted({*listed, *(path for path in helpers if path.is_file())})


def grader_modules() -> list[Path]:
    """The grader package as the student gets it: every module but the instructor's."""
    package = PROJECT_ROOT / "grader"
    return sorted(
        path
        for path in package.rglob("*.py")
        if path.relative_to(package).parts[0] not in (INSTRUCTOR_PACKAGE, HANDOUT_DIR.name)
    )


def _ignore(directory: str, names: list[str]) -> set[str]:
    return {name for name in names if name in IGNORED_NAMES or name.endswith((".pyc", ".pyo"))}


def copy_common(destination: Path, *, with_dirs: Iterable[str] = ()) -> None:
    """What the release and the Gradescope bundle share: the grader package (without the
    instructor's folder), the public tests, the manifest and the install files, the stubs and
    the data; plus ``with_dirs`` where the project has them."""
    (destination / "grader").mkdir(parents=True)
    for module in grader_modules():
        target = destination / module.relative_to(PROJECT_ROOT)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(module, target)
    for test in public_test_files():
        target = destination / test.relative_to(PROJECT_ROOT)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(test, target)
    for name in COPIED_FILES:
        if (PROJECT_ROOT / name).is_file():
            shutil.copy2(PROJECT_ROOT / name, destination / name)
    for name in (*COPIED_DIRS, *with_dirs):
        if (PROJECT_ROOT / name).is_dir():
            shutil.copytree(PROJECT_ROOT / name, destination / name, ignore=_ignore)


def check_project() -> None:
    """Refuse to release from a project whose stubs or manifest are not in order."""
    from grader.authoring.stubs import outdated_stubs

    try:
        exercises = load_manifest()
    except (OSError, ValueError) as error:
        raise ReleaseError(f"cannot read the manifest: {error}") from None
    missing = [t for e in exercises for t in e.tests if not (PROJECT_ROOT / t).is_file()]
    if missing:
        raise ReleaseError(f"the manifest lists test modules that do not exist: {missing}")
    outdated = outdated_stubs()
    if outdated:
        raise ReleaseError(
            f"exercises/ is out of date with solutions/ ({', '.join(outdated)}): run "
            "`python -m grader stubs` first, so that the release carries the current stubs"
        )


def build_release(out: Path, *, force: bool = False, classroom: bool = False) -> Path:
    """Write the student distribution to ``out`` (see the module docstring); returns ``out``.
    ``classroom``: the workflow reports the points to GitHub Classroom.

    Raises :class:`ReleaseError` for an unusable ``out``, a project not in order, or a leak.
    """
    out = Path(out).absolute()
    _check_destination(out, force)
    check_project()
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}-", dir=out.parent))
    try:
        copy_common(staging, with_dirs=OPTIONAL_DIRS)
        # The stubs as handed out, for `autograde` (exercises/ becomes the student's work).
        handout = staging / HANDOUT_DIR.relative_to(PROJECT_ROOT)
        shutil.copytree(EXERCISES_DIR, handout, ignore=_ignore)
        (staging / "README.md").write_text(student_readme(classroom), encoding="utf-8")
        (staging / "tox.ini").write_text(template("student_tox.ini"), encoding="utf-8")
        (staging / ".gitignore").write_text(
            template("student_gitignore").format(output=OUTPUT_DIR.name, autograde_out=DEFAULT_OUT),
            encoding="utf-8",
        )
        if (staging / INSTRUCTIONS_DIR.name).is_dir():  # the project's README there is for authors
            (staging / INSTRUCTIONS_DIR.name / "README.md").write_text(
                instructions_readme(), encoding="utf-8"
            )
        (staging / WORKFLOW).parent.mkdir(parents=True)
        (staging / WORKFLOW).write_text(
            template(WORKFLOW_TEMPLATES[classroom]).format(autograde_out=DEFAULT_OUT),
            encoding="utf-8",
        )
        refuse_leaks(staging, "released")
        if out.exists():
            shutil.rmtree(out)
        staging.rename(out)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return out


def _check_destination(out: Path, force: bool) -> None:
    project = PROJECT_ROOT.resolve()
    resolved = out.resolve()
    if resolved == project or project.is_relative_to(resolved):
        raise ReleaseError(f"OUT {out} would hold the project itself: choose another folder")
    for name in ("solutions", "grader", "tests", *COPIED_DIRS, *OPTIONAL_DIRS):
        if resolved.is_relative_to(project / name):
            raise ReleaseError(f"OUT {out} is inside the project's {name}/: choose another folder")
    if out.exists() and not out.is_dir():
        raise ReleaseError(f"OUT {out} exists and is not a folder")
    if out.is_dir() and any(out.iterdir()) and not force:
        raise ReleaseError(
            f"OUT {out} exists and is not empty: choose a new folder, or pass --force to "
            "replace its contents"
        )


# --------------------------------------------------------------------------------- generated


def _public_functions(stub: Path) -> list[str]:
    try:
        tree = ast.parse(stub.read_text(encoding="utf-8"))
    except (OSError, SyntaxError):
        return []
    return [
        node.name
        for node in tree.body
        if isinstance(node, ast.FunctionDef) and not node.name.startswith("_")
    ]


def _title() -> str:
    readme = PROJECT_ROOT / "README.md"
    if readme.is_file():
        for line in readme.read_text(encoding="utf-8").splitlines():
            if line.startswith("# "):
                return line[2:].strip()
    return "Deep-learning fundamentals, test-driven"


def student_readme(classroom: bool = False) -> str:
    """The README of the release: set-up, the exercises, checking, training, autograding
    (``classroom``: the workflow also reports to GitHub Classroom)."""
    exercises = load_manifest()
    rows = "\n".join(
        f"| {number} | `{exercise.name}` | {exercise.title} | {exercise.points} | "
        + ", ".join(f"`{name}`" for name in _public_functions(stub))
        + " |"
        for number, exercise in enumerate(exercises, start=1)
        for stub in [EXERCISES_DIR / f"{exercise.name}.py"]
    )
    first = exercises[0].name if exercises else "activations"
    functions = _public_functions(EXERCISES_DIR / f"{first}.py") or ["name"]
    commands = [
        ("python -m grader check", "every exercise, with the summary table"),
        (f"pytest -m {first}", "one exercise (the marker is its name)"),
        (f"pytest -m {first} -k {functions[0]}", "one function"),
        ("pytest --slow", "include the slow tests (training)"),
    ]
    width = max(len(command) for command, _ in commands) + 2
    check = "\n".join(f"{command:<{width}}# {what}" for command, what in commands)
    return template("student_README.md").format(
        title=_title(), rows=rows, first=first, total=sum(e.points for e in exercises),
        check=check, autograde_out=DEFAULT_OUT, workflow=WORKFLOW.as_posix(),
        classroom=CLASSROOM_README if classroom else "",
    )  # fmt: skip


def instructions_readme() -> str:
    """The README of the release's ``instructions/``, in English and Chinese: how the files are
    written and where else the instructions are, and the files in teaching order."""
    rows = "\n".join(
        f"| {number} | [{exercise.name}.md]({exercise.name}.md) | {exercise.title} | "
        f"{instructions.title(exercise.name, 'zh')} |"
        for number, exercise in enumerate(load_manifest(), start=1)
    )
    return template("student_instructions.md").format(rows=rows)


# --------------------------------------------------------------------------------- command


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("out", type=Path, metavar="OUT", help="the folder to write the release to")
    parser.add_argument("--force", action="store_true", help="replace a non-empty OUT")
    parser.add_argument(
        "--classroom",
        action="store_true",
        help="a workflow that also reports the points to GitHub Classroom (for the template "
        "repository of a Classroom assignment)",
    )


def run(args: argparse.Namespace) -> int:
    try:
        out = build_release(args.out, force=args.force, classroom=args.classroom)
    except ReleaseError as problem:
        return error(str(problem))
    files = sum(1 for path in out.rglob("*") if path.is_file())
    print(f"wrote the student release to {out} ({files} files, no solutions)")
    return OK
