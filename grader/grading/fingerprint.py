"""What a grade was computed from, as digests, so that a later run can tell whether it still holds.

The **setup** of a run (:func:`setup_parts`, :func:`fingerprint`), the same for every student,
is kept as named parts. The common parts are what every exercise is graded with: the grader
(the SHA-256 of every source file of the ``grader`` package but the handed-out stubs: a version
number is not bumped for every fix made during a term, a source hash is), ``pyproject.toml``
(pytest's configuration), the helpers every test module imports (``tests/support.py``,
``tests/gradient_functions.py``, ``conftest.py``), the settings that change what is written for
a student (``--device``, ``--timeout``, ``--show-hidden``, ``--hidden-visibility``, the
isolation), and the versions of Python and of the libraries the tests' oracles come from. The
parts of :data:`EXERCISE_PARTS` hold a digest per exercise: its manifest entry, its handed-out
stub, its public test modules and its hidden ones (``--tests``, by file name and bytes: moving
their folder changes nothing).

A stored result (``OUT/<student>/grade.json``) is reused whole while two digests are unchanged:
the setup's (:func:`fingerprint`, the result's ``graded_with``) and the **content** of the
submission as intake took it in (:func:`content_digest`): the bytes of each exercise module
copied for grading, and what intake said about the submission. A file intake ignores (a README,
a data file) changes nothing; an edited exercise does. Otherwise each exercise of it is kept
while its own digest is unchanged (:func:`exercise_fingerprints`: the common parts, the
exercise's own parts, the student's module of it and intake's problems with that module), and
only the others are graded again.

The named parts are written to ``run.json`` (:mod:`grader.grading.runrecord`), so that
``merge`` can say *what* differs between two shards (:func:`differences`), not only that
something does. Pure reading and hashing: nothing here runs a submission.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import platform
from collections.abc import Iterable, Mapping
from importlib import metadata
from pathlib import Path
from typing import Any

from grader.core.manifest import Exercise, exercise_for_test_file, load_manifest
from grader.core.paths import HANDOUT_DIR, PROJECT_ROOT, TEST_HELPERS, TESTS_DIR, handout_stubs
from grader.grading.intake.model import Intake, Submission

GRADER_PACKAGE = PROJECT_ROOT / "grader"
PYPROJECT = PROJECT_ROOT / "pyproject.toml"  # pytest's configuration for every session
# The distributions the tests' oracles and the grading session come from: another version of
# one may change an outcome, so it changes the setup.
LIBRARIES = ("torch", "torchvision", "numpy", "scikit-learn", "pytest", "hypothesis")
# The parts of the setup that map each exercise's name to a digest of its own files; the other
# parts are common to every exercise.
EXERCISE_PARTS = ("manifest", "stubs", "tests", "hidden tests")


class _Digest:
    """SHA-256 over labelled, length-prefixed pieces: ("a", "bc") and ("ab", "c") differ."""

    def __init__(self) -> None:
        self._hash = hashlib.sha256()

    def add(self, label: str, data: bytes | str) -> None:
        data = data.encode("utf-8", "surrogatepass") if isinstance(data, str) else data
        self._hash.update(f"{label}\0{len(data)}\0".encode("utf-8", "surrogatepass") + data)

    def hexdigest(self) -> str:
        return self._hash.hexdigest()


def files_digest(files: Iterable[tuple[str, Path]]) -> str:
    """The digest of ``(name, path)`` pairs: each name with its file's bytes, in that order."""
    digest = _Digest()
    for name, path in files:
        digest.add(name, path.read_bytes())
    return digest.hexdigest()


def test_helper_files() -> list[Path]:
    """The modules the tests import, copied beside them wherever tests go."""
    return [TESTS_DIR / helper for helper in TEST_HELPERS if (TESTS_DIR / helper).is_file()]


def public_test_modules() -> list[Path]:
    """The public test modules of the manifest's exercises, in its order."""
    return [TESTS_DIR / Path(test).name for exercise in load_manifest() for test in exercise.tests]


def hidden_test_files(folders: Iterable[Path]) -> list[Path]:
    """The hidden test modules of ``--tests`` folders, as grading takes them."""
    return sorted({path for folder in folders for path in folder.glob("test_*.py")})


def _grader_sources() -> list[tuple[str, Path]]:
    """The grader's source files but a release's handed-out stubs (each exercise's own part)."""
    paths = sorted(p for p in GRADER_PACKAGE.rglob("*.py") if not p.is_relative_to(HANDOUT_DIR))
    return [(path.relative_to(GRADER_PACKAGE).as_posix(), path) for path in paths]


def _named_digest(paths: Iterable[Path]) -> str:
    """The digest of files by name and bytes, wherever they lie."""
    return files_digest((path.name, path) for path in paths)


def _entry_digest(exercise: Exercise) -> str:
    """The digest of an exercise's manifest entry as read (its forbidden groups expanded): a
    comment, another exercise's entry or a group it does not use changes nothing."""
    entry = {}
    for field in dataclasses.fields(exercise):
        value = getattr(exercise, field.name)
        entry[field.name] = dict(value) if isinstance(value, Mapping) else value
    digest = _Digest()
    digest.add("entry", json.dumps(entry, sort_keys=True, ensure_ascii=False))
    return digest.hexdigest()


def _graded_by(exercise: Exercise | None, files: Iterable[Path]) -> list[Path]:
    """The files among ``files`` that grade ``exercise`` (None: those that grade none, the
    helpers), in their order."""
    return [path for path in files if exercise_for_test_file(path) == exercise]


def _present(*paths: Path) -> list[Path]:
    return [path for path in paths if path.is_file()]


def setup_parts(
    settings: Mapping[str, Any],
    hidden: Iterable[Path],
    tests: Iterable[Path] | None = None,
) -> dict[str, Any]:
    """The setup of a run, by part: digests of files, and the ``settings`` as they are (plain
    JSON values); each part of :data:`EXERCISE_PARTS` a digest per exercise, in the manifest's
    order. ``tests``: the public test files, by default the helpers and the modules (a file
    that grades no exercise is a helper); ``hidden``: the ``--tests`` folders (a module there
    that grades no exercise is not graded, and changes nothing)."""
    tests = test_helper_files() + public_test_modules() if tests is None else list(tests)
    hidden_tests = hidden_test_files(hidden)
    exercises = load_manifest()
    stubs = handout_stubs()
    return {
        "grader": files_digest(_grader_sources()),
        "configuration": _named_digest(_present(PYPROJECT)),
        "test helpers": _named_digest(_graded_by(None, tests)),
        "settings": dict(sorted(settings.items())),
        "versions": {"python": platform.python_version(), **_library_versions()},
        "manifest": {e.name: _entry_digest(e) for e in exercises},
        "stubs": {e.name: _named_digest(_present(stubs / f"{e.name}.py")) for e in exercises},
        "tests": {e.name: _named_digest(_graded_by(e, tests)) for e in exercises},
        "hidden tests": {e.name: _named_digest(_graded_by(e, hidden_tests)) for e in exercises},
    }


def _library_versions() -> dict[str, str]:
    versions = {}
    for name in LIBRARIES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "absent"
    return versions


def fingerprint(parts: Mapping[str, Any]) -> str:
    """One digest of the whole setup: equal exactly when every part is."""
    digest = _Digest()
    digest.add("setup", json.dumps(parts, sort_keys=True, ensure_ascii=False))
    return digest.hexdigest()


def exercise_setups(parts: Mapping[str, Any]) -> dict[str, str]:
    """Per exercise, in the manifest's order: the digest of the setup it is graded with (the
    run's ``parts``, each part of :data:`EXERCISE_PARTS` narrowed to that exercise). A setting
    or a helper changes every exercise's; another exercise's tests leave it as it was."""
    common = {name: part for name, part in parts.items() if name not in EXERCISE_PARTS}
    setups = {}
    for exercise in parts["manifest"]:
        own = {part: parts[part][exercise] for part in EXERCISE_PARTS}
        setups[exercise] = fingerprint({**common, **own})
    return setups


def exercise_fingerprints(setups: Mapping[str, str], intake: Intake) -> dict[str, str]:
    """What each exercise of a taken-in submission is graded with: its setup
    (:func:`exercise_setups`), the bytes of the student's module of it (or none) and intake's
    problems with that module. A stored exercise result with the same digest still holds."""
    found = {}
    for name, setup in setups.items():
        digest = _Digest()
        digest.add("setup", setup)
        if name in intake.modules:
            digest.add("module", intake.modules[name].read_bytes())
        for problem in intake.module_problems.get(name, []):
            digest.add("problem", problem)
        found[name] = digest.hexdigest()
    return found


def differences(first: Mapping[str, Any], second: Mapping[str, Any]) -> list[str]:
    """What differs between two setups, for a message: "test helpers", "hidden tests: losses",
    "settings: timeout 120 vs 60"."""
    found = []
    for name in sorted(set(first) | set(second)):
        one, other = first.get(name), second.get(name)
        if one == other:
            continue
        if isinstance(one, Mapping) and isinstance(other, Mapping):
            pairs = [(key, one.get(key), other.get(key)) for key in sorted(set(one) | set(other))]
            if name in EXERCISE_PARTS:  # digests: the exercise says enough
                changed = [key for key, a, b in pairs if a != b]
            else:
                changed = [f"{key} {a} vs {b}" for key, a, b in pairs if a != b]
            found.append(f"{name}: {', '.join(changed)}")
        else:
            found.append(name)
    return found


def content_digest(submission: Submission, intake: Intake | None) -> str:
    """The digest of a submission as taken in: its exercise modules' bytes (what is graded)
    and its remarks (the other entries of its id), intake's problems and notes (what is
    reported). ``intake`` None: it was never unpacked (a link, a name with control
    characters), and its problems and remarks are all there is."""
    digest = _Digest()
    for problem in submission.problems:
        digest.add("submission problem", problem)
    for remark in submission.remarks:
        digest.add("submission remark", remark)
    if intake is None:
        return digest.hexdigest()
    for name, path in sorted(intake.modules.items()):
        digest.add(f"module {name}", path.read_bytes())
    for problem in intake.problems:
        digest.add("problem", problem)
    for name, problems in sorted(intake.module_problems.items()):
        for problem in problems:
            digest.add(f"problem {name}", problem)
    for note in intake.notes:
        digest.add("note", note)
    return digest.hexdigest()
