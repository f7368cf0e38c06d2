"""What a grade was computed from, as digests, so that a later run can tell whether it still holds.

A stored result (``OUT/<student>/grade.json``) is reused only while two digests are unchanged:

* the **setup** (:func:`setup_parts`, :func:`fingerprint`), the same for every student of a
  run: the grader (the SHA-256 of every source file of the ``grader`` package, the handed-out
  stubs included: a version number is not bumped for every fix made during a term, a source
  hash is), the manifest and ``pyproject.toml`` (pytest's configuration), the public tests and
  their helpers as copied for grading, the hidden tests (``--tests``, by file name and bytes:
  moving their folder changes nothing), the settings that change what is written for a
  student (``--device``, ``--timeout``, ``--show-hidden``, ``--hidden-visibility``), and the
  versions of Python and of the libraries the tests' oracles come from;
* the **content** of the submission as intake took it in (:func:`content_digest`): the bytes
  of each exercise module copied for grading, and what intake said about the submission. A
  file intake ignores (a README, a data file) changes nothing; an edited exercise does.

The setup is kept as named parts (``run.json``, :mod:`grader.grading.runrecord`), so that
``merge`` can say *what* differs between two shards (:func:`differences`), not only that
something does. Pure reading and hashing: nothing here runs a submission.
"""

from __future__ import annotations

import hashlib
import json
import platform
from collections.abc import Iterable, Mapping
from importlib import metadata
from pathlib import Path
from typing import Any

from grader.core.manifest import load_manifest
from grader.core.paths import (
    MANIFEST_PATH,
    PROJECT_ROOT,
    TEST_HELPERS,
    TESTS_DIR,
    handout_stubs,
)
from grader.grading.intake.model import Intake, Submission

GRADER_PACKAGE = PROJECT_ROOT / "grader"
PYPROJECT = PROJECT_ROOT / "pyproject.toml"  # pytest's configuration for every session
# The distributions the tests' oracles and the grading session come from: another version of
# one may change an outcome, so it changes the setup.
LIBRARIES = ("torch", "torchvision", "numpy", "scikit-learn", "pytest", "hypothesis")


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
    paths = sorted(GRADER_PACKAGE.rglob("*.py"))
    return [(path.relative_to(GRADER_PACKAGE).as_posix(), path) for path in paths]


def setup_parts(
    settings: Mapping[str, Any],
    hidden: Iterable[Path],
    tests: Iterable[Path] | None = None,
) -> dict[str, Any]:
    """The setup of a run, by part: digests of files, and the ``settings`` as they are (plain
    JSON values). ``tests``: the public test files, by default the helpers and the modules."""
    tests = test_helper_files() + public_test_modules() if tests is None else list(tests)
    configuration = [path for path in (MANIFEST_PATH, PYPROJECT) if path.is_file()]
    return {
        "grader": files_digest(_grader_sources()),
        "stubs": files_digest((path.name, path) for path in sorted(handout_stubs().glob("*.py"))),
        "configuration": files_digest((path.name, path) for path in configuration),
        "tests": files_digest((path.name, path) for path in tests),
        "hidden tests": files_digest((path.name, path) for path in hidden_test_files(hidden)),
        "settings": dict(sorted(settings.items())),
        "versions": {"python": platform.python_version(), **_library_versions()},
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


def differences(first: Mapping[str, Any], second: Mapping[str, Any]) -> list[str]:
    """What differs between two setups, for a message: "tests", "settings: timeout 120 vs 60"."""
    found = []
    for name in sorted(set(first) | set(second)):
        one, other = first.get(name), second.get(name)
        if one == other:
            continue
        if isinstance(one, Mapping) and isinstance(other, Mapping):
            pairs = [(key, one.get(key), other.get(key)) for key in sorted(set(one) | set(other))]
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
