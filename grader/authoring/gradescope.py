"""``python -m grader gradescope OUT.zip``: the autograder bundle to upload to Gradescope.

Gradescope unpacks the bundle into ``/autograder/source``, runs ``setup.sh`` once when it builds
the image, and ``run_autograder`` for every submission, which grades
``/autograder/submission`` and writes ``/autograder/results/results.json``. Both scripts take
the root from ``$AUTOGRADER_ROOT`` (default ``/autograder``), so the bundle can be tried end to
end anywhere; ``AUTOGRADER_SKIP_INSTALL=1`` makes ``setup.sh`` check the Python it finds instead
of installing one (for such a trial).

``run_autograder`` grades with the options the command was given, ``--timeout``, ``--device``
and ``--hidden-visibility`` (those of ``grade``, with the same defaults), written into it and
into the bundle's README; ``--hidden-visibility hidden`` with hidden tests is refused
(:func:`grader.grading.settings.hidden_visibility_problem`).

The bundle holds: the two scripts; the grader package without its instructor folder
(``grader/authoring``); the public tests and, from ``--tests DIR``, hidden test modules
(``hidden_tests/``; named ``test_<exercise>_<anything>.py``); the stubs (the intake compares a
submission's signatures with them); the data, the manifest and the install files
(``pyproject.toml``, ``constraints.txt``, a short ``README.md``). No ``solutions/``: grading
does not need them (the public tests' few comparisons with the reference skip, the oracle tests
decide the score), and a submission cannot read what the machine does not hold.

``run_autograder`` calls ``python -m grader autograde`` (see :mod:`grader.grading.autograde`): the
submission is graded with its code in the sandbox, as ``python -m grader grade`` does.
"""

from __future__ import annotations

import argparse
import os
import shlex
import shutil
import tempfile
import zipfile
from collections.abc import Sequence
from pathlib import Path

from grader.authoring.release import (
    ReleaseError,
    check_project,
    copy_common,
    refuse_leaks,
)
from grader.authoring.templates import template
from grader.core.devices import GRADED_DEVICES
from grader.core.exits import OK, error
from grader.core.limits import DEFAULT_TIMEOUT
from grader.core.manifest import exercise_for_test_file
from grader.core.options import add_graded_device_option, add_tests_option, add_timeout_option
from grader.grading.deadlines import FULL_CAP, UNITS, add_deadline_options
from grader.grading.settings import add_hidden_visibility_option, hidden_visibility_problem
from grader.results.gradescope import DEFAULT_VISIBILITY

HIDDEN_TESTS = "hidden_tests"
EXECUTABLES = ("setup.sh", "run_autograder")


def hidden_test_files(folders: Sequence[Path]) -> list[Path]:
    """The hidden test modules of ``folders``; :class:`ReleaseError` for a module that names no
    exercise, two modules of the same name, or a folder that is not one."""
    found: dict[str, Path] = {}
    for folder in folders:
        if not folder.is_dir():
            raise ReleaseError(f"--tests {folder} is not a folder")
        modules = sorted(folder.glob("test_*.py"))
        if not modules:
            raise ReleaseError(f"--tests {folder} holds no test_*.py module")
        for module in modules:
            if exercise_for_test_file(module) is None:
                raise ReleaseError(
                    f"hidden test module {module} grades no exercise: name it "
                    "test_<exercise>_<anything>.py (e.g. test_activations_hidden.py)"
                )
            if module.name in found:
                raise ReleaseError(
                    f"two hidden test modules named {module.name}: {found[module.name]} and "
                    f"{module}; rename one"
                )
            found[module.name] = module
    return list(found.values())


def build_bundle(
    out: Path,
    *,
    hidden: Sequence[Path] = (),
    force: bool = False,
    timeout: float = DEFAULT_TIMEOUT,
    device: str = GRADED_DEVICES[0],
    hidden_visibility: str = DEFAULT_VISIBILITY,
    late: Sequence[str] = (),
) -> Path:
    """Write the bundle to ``out`` (a .zip), grading with ``timeout``, ``device``,
    ``hidden_visibility`` and the deadline options ``late`` (``--late-per-day 10``, ...: see
    :func:`late_options`); returns ``out``. :class:`ReleaseError` says why not."""
    out = Path(out).absolute()
    if out.suffix.lower() != ".zip":
        raise ReleaseError(f"OUT {out} must be a .zip file (Gradescope takes a zip)")
    if out.is_dir():
        raise ReleaseError(f"OUT {out} is a folder: name the .zip file to write")
    if out.exists() and not force:
        raise ReleaseError(f"OUT {out} exists: choose another name, or pass --force to replace it")
    if problem := hidden_visibility_problem(hidden_visibility, hidden):
        raise ReleaseError(problem)
    hidden_modules = hidden_test_files(hidden)
    check_project()
    options = grading_options(timeout, device, hidden_visibility)
    flags = [word for name, value in options.items()
             for word in (f"--{name.replace('_', '-')}", value)]  # fmt: skip
    arguments = shlex.join([*flags, *late])
    with tempfile.TemporaryDirectory(prefix="gradescope-") as scratch:
        staging = Path(scratch) / "source"
        copy_common(staging)
        policy = f"`{shlex.join(late)}`" if late else "none (no penalty; lateness is shown)"
        readme = template("gradescope_README.md").format(**options, late=policy)
        (staging / "README.md").write_text(readme, encoding="utf-8")
        (staging / "setup.sh").write_text(template("setup.sh"), encoding="utf-8")
        (staging / "run_autograder").write_text(
            template("run_autograder").format(options=arguments), encoding="utf-8"
        )
        refuse_leaks(staging, "bundled")  # before the hidden tests: theirs to hold
        if hidden_modules:
            (staging / HIDDEN_TESTS).mkdir()
            for module in hidden_modules:
                shutil.copy2(module, staging / HIDDEN_TESTS / module.name)
        out.parent.mkdir(parents=True, exist_ok=True)
        partial = Path(scratch) / "bundle.zip"
        _zip(staging, partial)
        shutil.move(partial, out)
    return out


def grading_options(timeout: float, device: str, hidden_visibility: str) -> dict[str, str]:
    """The options of ``autograde`` that ``run_autograder`` grades with, by name (``--timeout``:
    ``timeout``), as they are written into it and into the bundle's README."""
    return {"timeout": f"{timeout:g}", "device": device, "hidden_visibility": hidden_visibility}


def late_options(args: argparse.Namespace) -> list[str]:
    """The deadline options given to ``gradescope`` (:func:`add_deadline_options`), as
    ``autograde`` takes them in ``run_autograder``: only those given, so that Gradescope's own
    due date stands where no ``--due`` was."""
    words = []
    if args.due is not None:
        words += ["--due", args.due.isoformat()]
    for unit in UNITS:
        if getattr(args, f"late_per_{unit}") is not None:
            words += [f"--late-per-{unit}", f"{getattr(args, f'late_per_{unit}'):g}"]
    if args.late_cap != FULL_CAP:
        words += ["--late-cap", f"{args.late_cap:g}"]
    if args.grace:
        words += ["--grace", f"{args.grace:g}"]
    return words


def _zip(folder: Path, target: Path) -> None:
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(p for p in folder.rglob("*") if p.is_file()):
            name = path.relative_to(folder).as_posix()
            info = zipfile.ZipInfo.from_file(path, name)
            mode = 0o755 if name in EXECUTABLES else 0o644
            info.external_attr = (0o100000 | mode) << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, path.read_bytes())


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("out", type=Path, metavar="OUT.zip", help="the bundle to write")
    add_tests_option(parser)
    parser.add_argument("--force", action="store_true", help="replace an existing OUT.zip")
    add_timeout_option(parser)
    add_graded_device_option(parser)
    add_hidden_visibility_option(parser)
    add_deadline_options(parser)  # --due stands in for Gradescope's own due date


def run(args: argparse.Namespace) -> int:
    try:
        out = build_bundle(
            args.out, hidden=args.tests, force=args.force, timeout=args.timeout,
            device=args.device, hidden_visibility=args.hidden_visibility,
            late=late_options(args),
        )  # fmt: skip
    except ReleaseError as problem:
        return error(str(problem))
    with zipfile.ZipFile(out) as archive:
        count = len(archive.namelist())
    size = os.path.getsize(out)
    print(f"wrote the Gradescope autograder {out} ({count} files, {size // 1024} KiB)")
    return OK
