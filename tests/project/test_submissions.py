"""Intake of submissions: only the exercise files are copied, safely, and every problem is told.

Each test builds real folders and zip archives under tmp_path. Student code is never run: the
intake only reads, parses and copies.
"""

from __future__ import annotations

import os
import stat
import struct
import time
import tracemalloc
import warnings
import zipfile
from pathlib import Path

import pytest

from grader.core.manifest import load_manifest
from grader.core.paths import PROJECT_ROOT
from grader.grading.intake.discovery import discover
from grader.grading.intake.model import STUBS_DIR, Intake, IntakeError, Submission
from grader.grading.intake.model import IntakeLimits as Limits
from grader.grading.intake.unpack import unpack

NAMES = [exercise.name for exercise in load_manifest()]
# A stub defines every function with the stub's signature: a complete, well-formed module.
STUB = {name: (STUBS_DIR / f"{name}.py").read_bytes() for name in NAMES}
MiB = 1 << 20


def write(path: Path, data: bytes | str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data.encode() if isinstance(data, str) else data)
    return path


def make_zip(path: Path, entries: dict[str, bytes | str] | list, level: int = 6) -> Path:
    """A zip of (name or ZipInfo, data) pairs, deflated."""
    items = entries.items() if isinstance(entries, dict) else entries
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=level) as archive:
        for name, data in items:
            archive.writestr(name, data)
    return path


def intake_of(tmp_path: Path, submission: Submission, **options) -> Intake:
    destination = tmp_path / "out" / f"{submission.student}-{submission.kind}"
    return unpack(submission, destination, **options)


def as_directory(tmp_path: Path, files: dict[str, bytes | str], student: str = "alice"):
    root = tmp_path / "submissions" / student
    root.mkdir(parents=True)
    for name, data in files.items():
        write(root / name, data)
    return Submission(student, root, "directory")


def as_zip(tmp_path: Path, files: dict[str, bytes | str] | list, student: str = "carol"):
    path = make_zip(tmp_path / "submissions" / f"{student}.zip", files)
    return Submission(student, path, "zip")


def copied(intake: Intake) -> dict[str, bytes]:
    return {name: path.read_bytes() for name, path in intake.modules.items()}


def destination_files(intake: Intake) -> list[str]:
    folders = {path.parent for path in intake.modules.values()}
    assert len(folders) <= 1
    return sorted(p.name for folder in folders for p in folder.iterdir())


def problems_text(intake: Intake) -> str:
    return "\n".join(intake.problems)


# ----------------------------------------------------------------------------- discovery


def test_discover_lists_folders_and_zips_by_student_and_ignores_the_rest(tmp_path):
    root = tmp_path / "submissions"
    write(root / "bob" / "losses.py", STUB["losses"])
    make_zip(root / "alice.zip", {"activations.py": STUB["activations"]})
    make_zip(root / "carol.ZIP", {"mlp.py": STUB["mlp"]})
    (root / ".git").mkdir()
    write(root / ".DS_Store", b"\0")
    write(root / "README.txt", "grading notes")
    notes: list[str] = []
    found = discover(root, notes=notes)
    assert [(s.student, s.kind, s.path.name) for s in found] == [
        ("alice", "zip", "alice.zip"),
        ("bob", "directory", "bob"),
        ("carol", "zip", "carol.ZIP"),
    ]
    assert all(s.problems == () for s in found)
    assert any("README.txt" in note and "folder or a .zip" in note for note in notes)
    assert any(".DS_Store" in note and "hidden" in note for note in notes)
    assert any(".git" in note for note in notes)
    with pytest.raises(AttributeError):
        found[0].student = "mallory"  # frozen


def test_discover_without_a_submissions_folder_is_a_clear_error(tmp_path):
    with pytest.raises(IntakeError, match="does not exist"):
        discover(tmp_path / "nowhere")
    write(tmp_path / "alice.zip", b"PK")
    with pytest.raises(IntakeError, match="is not a folder"):
        discover(tmp_path / "alice.zip")


@pytest.mark.parametrize(("other", "first"), [("alice.zip", "alice"), ("Alice", "Alice")])
def test_duplicate_student_ids_grade_the_first_by_name_and_say_so(tmp_path, other, first):
    """One entry per student id (names differing only in case are one id): the first by name
    is graded, the others are left out with a note, and the one graded says so."""
    root = tmp_path / "submissions"
    write(root / "alice" / "activations.py", STUB["activations"])
    if other.endswith(".zip"):
        make_zip(root / other, {"activations.py": STUB["activations"]})
    else:
        write(root / other / "activations.py", STUB["activations"])
    notes: list[str] = []
    (submission,) = discover(root, notes=notes)
    left_out = other if first == "alice" else "alice"
    assert (submission.student, submission.path.name, submission.problems) == (first, first, ())
    (remark,) = submission.remarks
    names = ", ".join(sorted(["alice", other]))
    assert f"2 submissions share the student id {first!r} ({names})" in remark
    assert f"{first} was graded" in remark and f"{left_out} was not" in remark
    assert any(note.startswith(f"ignored {left_out}:") and first in note for note in notes)
    intake = unpack(submission, tmp_path / "out")
    assert set(intake.modules) == {"activations"} and intake.problems == []


def test_a_duplicate_that_cannot_be_taken_in_gives_way_to_one_that_can(tmp_path):
    root = tmp_path / "submissions"
    make_zip(root / "bob.zip", {"activations.py": STUB["activations"]})
    root.joinpath("bob").symlink_to(root / "bob.zip")
    (submission,) = discover(root)
    assert submission.path.name == "bob.zip" and submission.problems == ()
    assert (
        "bob.zip was graded (the first by name of those that can be taken in)"
        in submission.remarks[0]
    )


def test_a_linked_submission_is_not_followed(tmp_path):
    root = tmp_path / "submissions"
    root.mkdir()
    (root / "dave").symlink_to(PROJECT_ROOT / "solutions")
    (root / "erin.zip").symlink_to(make_zip(tmp_path / "elsewhere.zip", {"a.py": "x = 1\n"}))
    found = discover(root)
    assert [(s.student, s.kind) for s in found] == [("dave", "directory"), ("erin", "zip")]
    for submission in found:
        assert "symbolic link" in submission.problems[0]
        intake = intake_of(tmp_path, submission)
        assert intake.modules == {} and "symbolic link" in problems_text(intake)
    # Even a Submission made by hand for a link is not read.
    intake = intake_of(tmp_path, Submission("frank", root / "dave", "directory"))
    assert intake.modules == {} and "symbolic link" in problems_text(intake)


# ----------------------------------------------------------------------------- layouts

LAYOUTS = {"flat": "", "exercises": "exercises/", "wrapped": "w/exercises/", "wrapped-flat": "w/"}


@pytest.mark.parametrize("kind", ["directory", "zip"])
@pytest.mark.parametrize("layout", LAYOUTS)
def test_every_layout_yields_the_same_flat_modules(tmp_path, kind, layout):
    prefix = LAYOUTS[layout]
    files: dict[str, bytes | str] = {
        f"{prefix}activations.py": STUB["activations"],
        f"{prefix}losses.py": STUB["losses"],
    }
    if prefix.startswith("w/"):
        files["README.md"] = "a loose file beside the wrapper folder"
    make = as_directory if kind == "directory" else as_zip
    intake = intake_of(tmp_path, make(tmp_path, files))
    assert intake.problems == [] and intake.module_problems == {}
    assert copied(intake) == {"activations": STUB["activations"], "losses": STUB["losses"]}
    assert destination_files(intake) == ["activations.py", "losses.py"]


@pytest.mark.parametrize("kind", ["directory", "zip"])
def test_only_exercise_files_are_copied_never_tests_or_configuration(tmp_path, kind):
    files = {
        "exercises/activations.py": STUB["activations"],
        "exercises/__init__.py": "",
        "exercises/conftest.py": "import os; os.system('echo pwned')\n",
        "exercises/helpers.py": "def helper(): ...\n",
        "conftest.py": "def pytest_collection_modifyitems(items): items.clear()\n",
        "pytest.ini": "[pytest]\naddopts = -p no:grader\n",
        "setup.cfg": "[tool:pytest]\n",
        "evil.pth": "import os; os.system('echo pwned')\n",
        "tests/test_activations.py": "def test_ok(): pass\n",
        "data.npy": b"\x93NUMPY",
    }
    make = as_directory if kind == "directory" else as_zip
    intake = intake_of(tmp_path, make(tmp_path, files))
    assert intake.problems == [] and intake.module_problems == {}
    assert destination_files(intake) == ["activations.py"]
    assert len(intake.notes) == 1
    for name in ("conftest.py", "pytest.ini", "evil.pth", "tests", "__init__.py", "data.npy"):
        assert name in intake.notes[0]


@pytest.mark.parametrize("kind", ["directory", "zip"])
def test_exercises_folder_wins_over_a_flat_copy_with_a_note(tmp_path, kind):
    newer = STUB["losses"] + b"\n# the one in exercises/\n"
    files = {"losses.py": STUB["losses"], "exercises/losses.py": newer}
    make = as_directory if kind == "directory" else as_zip
    intake = intake_of(tmp_path, make(tmp_path, files))
    assert copied(intake) == {"losses": newer}
    assert intake.problems == []
    assert any("exercises/losses.py was graded" in note for note in intake.notes)


@pytest.mark.parametrize("kind", ["directory", "zip"])
@pytest.mark.parametrize("files", [{}, {"notes.txt": "nothing here"}], ids=["empty", "no-py"])
def test_a_submission_without_exercise_files_says_what_is_expected(tmp_path, kind, files):
    make = as_directory if kind == "directory" else as_zip
    intake = intake_of(tmp_path, make(tmp_path, files))
    assert intake.modules == {} and intake.module_problems == {}
    assert len(intake.problems) == 1
    assert intake.problems[0].startswith(
        f"no exercise files found; expected files like {NAMES[0]}.py"  # the first exercise
    )


@pytest.mark.parametrize("kind", ["directory", "zip"])
def test_misnamed_or_misplaced_exercise_files_are_pointed_out(tmp_path, kind):
    files = {"Activations.py": STUB["activations"]}
    if kind == "zip":
        files["src/deep/losses.py"] = STUB["losses"]
    make = as_directory if kind == "directory" else as_zip
    intake = intake_of(tmp_path, make(tmp_path, files))
    assert intake.modules == {}
    assert "found Activations.py" in problems_text(intake)
    if kind == "zip":
        assert "src/deep/losses.py" in problems_text(intake)


def test_the_destination_must_be_new_or_empty(tmp_path):
    submission = as_directory(tmp_path, {"losses.py": STUB["losses"]})
    used = write(tmp_path / "used" / "activations.py", "stale\n").parent
    with pytest.raises(IntakeError, match="new or empty"):
        unpack(submission, used)
    assert unpack(submission, tmp_path / "fresh" / "deep").modules.keys() == {"losses"}


# ----------------------------------------------------------------------------- zip safety


def test_zip_entries_that_could_escape_are_skipped_and_reported(tmp_path):
    entries = {
        "../evil.py": "x = 1\n",
        "/abs.py": "x = 1\n",
        "../activations.py": STUB["activations"],
        "exercises/../../losses.py": STUB["losses"],
        "..\\windows.py": "x = 1\n",
        "C:/drive.py": "x = 1\n",
        "ok/\x01name.py": "x = 1\n",
        "mlp.py": STUB["mlp"],
    }
    submission = as_zip(tmp_path, entries)
    with zipfile.ZipFile(submission.path) as archive:  # the names really are in the archive
        assert {"../evil.py", "/abs.py", "..\\windows.py"} <= set(archive.namelist())
    intake = intake_of(tmp_path, submission)
    assert copied(intake) == {"mlp": STUB["mlp"]}
    text = problems_text(intake)
    assert "skipped 7 unsafe archive entries" in text
    for name in ("../evil.py", "/abs.py", "..\\\\windows.py", "C:/drive.py", "\\x01"):
        assert name in text, name
    assert "'..'" in text and "absolute path" in text and "backslash" in text
    assert "drive letter" in text and "control characters" in text
    assert not list(tmp_path.rglob("evil.py")) and not list(tmp_path.rglob("abs.py"))


def symlink_entry(name: str, target: str) -> tuple[zipfile.ZipInfo, str]:
    info = zipfile.ZipInfo(name)
    info.create_system = 3  # Unix
    info.external_attr = (stat.S_IFLNK | 0o777) << 16
    return info, target


def test_symlink_entries_in_a_zip_are_never_used(tmp_path):
    entries = [
        symlink_entry("exercises/activations.py", "../../../solutions/activations.py"),
        symlink_entry("solutions", "/work/main/solutions"),
        ("exercises/losses.py", STUB["losses"]),
    ]
    intake = intake_of(tmp_path, as_zip(tmp_path, entries))
    assert copied(intake) == {"losses": STUB["losses"]}
    [problem] = intake.module_problems["activations"]
    assert "exercises/activations.py is a symbolic link" in problem
    assert "'solutions' (is a symbolic link" in problems_text(intake)


def test_folders_named_like_modules_are_not_files(tmp_path):
    entries = [
        (zipfile.ZipInfo("activations.py/"), b""),
        ("exercises/losses.py/inner.py", "x = 1\n"),
        ("mlp.py", STUB["mlp"]),
    ]
    intake = intake_of(tmp_path, as_zip(tmp_path, entries))
    assert copied(intake) == {"mlp": STUB["mlp"]}
    assert "activations.py is a folder" in intake.module_problems["activations"][0]
    assert "exercises/losses.py is a folder" in intake.module_problems["losses"][0]
    submission = as_directory(tmp_path, {"activations.py/inner.py": "x = 1\n"}, student="dan")
    intake = intake_of(tmp_path, submission)
    assert intake.modules == {}
    assert "activations.py is a folder" in intake.module_problems["activations"][0]


def test_an_entry_twice_in_one_zip_is_ambiguous(tmp_path):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # zipfile warns about the duplicate name
        submission = as_zip(
            tmp_path, [("losses.py", STUB["losses"]), ("losses.py", "def mse_loss(): ...\n")]
        )
    intake = intake_of(tmp_path, submission)
    assert intake.modules == {}
    assert "appears more than once" in intake.module_problems["losses"][0]


def patched(data: bytes, local_offset: int, central_offset: int, fmt: str, value: int) -> bytes:
    """The archive with one header field of its first entry overwritten, in both headers."""
    buffer = bytearray(data)
    struct.pack_into(fmt, buffer, buffer.find(b"PK\x03\x04") + local_offset, value)
    struct.pack_into(fmt, buffer, buffer.find(b"PK\x01\x02") + central_offset, value)
    return bytes(buffer)


def measured(function):
    tracemalloc.start()
    started = time.perf_counter()
    try:
        result = function()
        return result, tracemalloc.get_traced_memory()[1], time.perf_counter() - started
    finally:
        tracemalloc.stop()


def test_a_zip_bomb_is_refused_by_its_size_without_being_inflated(tmp_path):
    bomb = b"#" * (24 * MiB)  # 24 MiB of one byte compresses to about 24 KiB
    submission = as_zip(tmp_path, {"activations.py": bomb, "losses.py": STUB["losses"]})
    assert submission.path.stat().st_size < 100_000
    intake, peak, seconds = measured(lambda: intake_of(tmp_path, submission))
    assert peak < 2 * MiB and seconds < 1.0
    assert copied(intake) == {"losses": STUB["losses"]}
    [problem] = intake.module_problems["activations"]
    assert "activations.py is larger than 1 MiB (24 MiB)" in problem


@pytest.mark.parametrize("claimed", [100, MiB - 1])
def test_a_lying_size_header_cannot_make_a_read_unbounded(tmp_path, claimed):
    honest = as_zip(tmp_path, {"activations.py": b"#" * (24 * MiB)}).path.read_bytes()
    lying = tmp_path / "submissions" / "liar.zip"
    lying.write_bytes(patched(honest, 22, 24, "<L", claimed))  # the uncompressed size
    with zipfile.ZipFile(lying) as archive:
        assert archive.getinfo("activations.py").file_size == claimed
    intake, peak, seconds = measured(lambda: intake_of(tmp_path, Submission("liar", lying, "zip")))
    # Bounded by the claim and by the 1 MiB limit, never by the 24 MiB the data inflates to.
    assert peak < min(3 * MiB, 3 * claimed + MiB // 2) and seconds < 1.0
    assert intake.modules == {}
    [problem] = intake.module_problems["activations"]
    assert "could not be read from the archive" in problem and "damaged" in problem


@pytest.mark.parametrize("kind", ["directory", "zip"])
def test_a_module_over_one_mib_is_not_read(tmp_path, kind):
    assert Limits().module_bytes == MiB
    big = STUB["losses"] + b"#" * MiB
    make = as_directory if kind == "directory" else as_zip
    intake = intake_of(tmp_path, make(tmp_path, {"losses.py": big, "mlp.py": STUB["mlp"]}))
    assert copied(intake) == {"mlp": STUB["mlp"]}
    assert "losses.py is larger than 1 MiB" in intake.module_problems["losses"][0]


def test_at_most_200_entries_are_considered(tmp_path):
    assert Limits().entries == 200
    entries = [(f"data/{i}.txt", "x") for i in range(250)] + [("losses.py", STUB["losses"])]
    intake = intake_of(tmp_path, as_zip(tmp_path, entries))
    assert intake.modules == {}
    assert "holds 251 entries; only the first 200 were looked at" in problems_text(intake)


def test_an_archive_listing_too_many_entries_is_not_opened(tmp_path):
    entries = [(f"{i}.txt", "x") for i in range(20)] + [("losses.py", STUB["losses"])]
    submission = as_zip(tmp_path, entries)
    intake = intake_of(tmp_path, submission, limits=Limits(archive_listed=10))
    assert intake.modules == {}
    assert "lists 21 entries" in problems_text(intake) and "not opened" in problems_text(intake)
    intake = unpack(submission, tmp_path / "big", limits=Limits(archive_directory_bytes=100))
    assert intake.modules == {} and "not opened" in problems_text(intake)


def test_the_total_read_is_bounded(tmp_path):
    assert Limits().total_bytes == 16 * MiB
    files = {f"{name}.py": STUB[name] for name in NAMES}
    budget = len(STUB[NAMES[0]]) + len(STUB[NAMES[1]])
    intake = intake_of(tmp_path, as_directory(tmp_path, files), limits=Limits(total_bytes=budget))
    assert set(intake.modules) == set(NAMES[:2])
    assert "reading stopped after" in problems_text(intake)
    assert all("limit before it" in intake.module_problems[name][0] for name in NAMES[2:])


def test_an_encrypted_entry_is_reported(tmp_path):
    honest = as_zip(tmp_path, {"losses.py": STUB["losses"]}).path.read_bytes()
    locked = write(tmp_path / "submissions" / "locked.zip", patched(honest, 6, 8, "<H", 1))
    intake = intake_of(tmp_path, Submission("locked", locked, "zip"))
    assert intake.modules == {}
    assert "encrypted" in intake.module_problems["losses"][0]


def test_a_corrupt_or_fake_zip_is_a_problem_not_an_exception(tmp_path):
    root = tmp_path / "submissions"
    good = make_zip(root / "good.zip", {"losses.py": STUB["losses"]}).read_bytes()
    cases = {
        "text": write(root / "text.zip", "this is a text file, renamed\n"),
        "empty-file": write(root / "empty-file.zip", b""),
        "truncated": write(root / "truncated.zip", good[: len(good) // 2]),
    }
    for student, path in cases.items():
        intake = intake_of(tmp_path, Submission(student, path, "zip"))
        assert intake.modules == {}
        assert f"{path.name} is not a valid zip archive" in intake.problems[0], student
        assert "Re-create it" in intake.problems[0]
    # Damaged data inside a well-formed archive: the entry fails its CRC check.
    start = good.find(b"PK\x03\x04") + 30 + len("losses.py")
    damaged = bytearray(good)
    damaged[start + 40 : start + 60] = bytes(20)
    path = write(root / "damaged.zip", bytes(damaged))
    intake = intake_of(tmp_path, Submission("damaged", path, "zip"))
    assert intake.modules == {}
    assert "could not be read from the archive" in intake.module_problems["losses"][0]


def test_an_empty_zip_has_no_exercise_files(tmp_path):
    intake = intake_of(tmp_path, as_zip(tmp_path, {}))
    assert intake.problems[0].startswith("no exercise files found")


# ----------------------------------------------------------------------------- folder safety


def test_a_linked_module_or_exercises_folder_is_not_followed(tmp_path):
    submission = as_directory(tmp_path, {"mlp.py": STUB["mlp"]})
    (submission.path / "activations.py").symlink_to(PROJECT_ROOT / "solutions" / "activations.py")
    (submission.path / "exercises").symlink_to(PROJECT_ROOT / "solutions")
    intake = intake_of(tmp_path, submission)
    assert copied(intake) == {"mlp": STUB["mlp"]}
    [problem] = intake.module_problems["activations"]
    assert "activations.py is a symbolic link" in problem and "reference solutions" in problem
    assert "exercises is a symbolic link" in problems_text(intake)
    assert set(intake.module_problems) == {"activations"}  # nothing read through the link


def test_a_linked_wrapper_folder_is_not_followed(tmp_path):
    root = tmp_path / "submissions" / "gina"
    root.mkdir(parents=True)
    (root / "gina").symlink_to(PROJECT_ROOT / "solutions")
    intake = intake_of(tmp_path, Submission("gina", root, "directory"))
    assert intake.modules == {} and "gina is a symbolic link" in problems_text(intake)


def test_a_fifo_named_like_a_module_does_not_hang(tmp_path):
    submission = as_directory(tmp_path, {"mlp.py": STUB["mlp"]})
    os.mkfifo(submission.path / "losses.py")
    intake = intake_of(tmp_path, submission)
    assert copied(intake) == {"mlp": STUB["mlp"]}
    assert "not a regular file" in intake.module_problems["losses"][0]


# ----------------------------------------------------------------------------- source checks


def test_student_code_is_parsed_never_run(tmp_path):
    marker = tmp_path / "it-ran"
    source = f"open({str(marker)!r}, 'w').close()\nraise SystemExit(3)\n".encode()
    intake = intake_of(tmp_path, as_directory(tmp_path, {"losses.py": source + STUB["losses"]}))
    assert not marker.exists()
    assert set(intake.modules) == {"losses"} and intake.module_problems == {}


@pytest.mark.parametrize("kind", ["directory", "zip"])
def test_non_utf8_source_names_the_byte_and_line_and_is_not_copied(tmp_path, kind):
    source = b"def relu(x):\n    return 'caf\xe9'\n"
    make = as_directory if kind == "directory" else as_zip
    intake = intake_of(tmp_path, make(tmp_path, {"activations.py": source}))
    assert intake.modules == {} and intake.problems == []
    [problem] = intake.module_problems["activations"]
    assert "activations.py is not UTF-8 text: byte 0xe9 at line 2, column 16" in problem
    assert "Save the file as UTF-8" in problem


def test_a_nul_byte_is_reported(tmp_path):
    intake = intake_of(tmp_path, as_directory(tmp_path, {"losses.py": b"x = 1\n\x00\n"}))
    assert intake.modules == {}
    assert "NUL byte (0x00) at line 2" in intake.module_problems["losses"][0]


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        (
            "def sigmoid(x:\n    pass\n",
            "line 1, column 12: SyntaxError: '(' was never closed in `def sigmoid(x:`",
        ),
        ("x = 1\n  y = 2\n", "line 2, column 2: IndentationError: unexpected indent in `y = 2`"),
        ("x = 1\nreturn x\n", "line 2, column 1: SyntaxError: 'return' outside function"),
        ("def f(a, a):\n    pass\n", "SyntaxError: duplicate argument 'a' in function"),
    ],
)
def test_a_syntax_error_is_reported_like_py_compile_and_not_copied(tmp_path, source, expected):
    intake = intake_of(tmp_path, as_directory(tmp_path, {"exercises/activations.py": source}))
    assert intake.modules == {} and intake.problems == []
    [problem] = intake.module_problems["activations"]
    assert problem.startswith("exercises/activations.py, ")
    assert expected in problem
    assert "python -m py_compile activations.py" in problem


def test_a_message_never_shows_a_line_of_a_file_outside_the_submission(tmp_path, monkeypatch):
    # CPython would read the line of a syntax error back from a file named like the student's,
    # relative to the working directory: here a stand-in for the reference solutions.
    write(tmp_path / "solutions" / "losses.py", "SECRET = 'the reference answer'\n")
    monkeypatch.chdir(tmp_path)
    submission = as_zip(tmp_path, {"solutions/losses.py": "def mse_loss(pred:\n"})
    intake = intake_of(tmp_path, submission)
    [problem] = intake.module_problems["losses"]
    assert "line 1" in problem and "def mse_loss(pred:" in problem
    assert "SECRET" not in problem


def test_a_missing_function_is_reported_and_the_module_still_copied(tmp_path):
    source = STUB["activations"].decode().split("\ndef log_softmax")[0]
    intake = intake_of(tmp_path, as_directory(tmp_path, {"activations.py": source}))
    assert set(intake.modules) == {"activations"}
    [problem] = intake.module_problems["activations"]
    assert "activations.py defines no function log_softmax(x, dim=-1)" in problem
    assert "other functions are graded" in problem


def with_def(name: str, old: str, new: str) -> str:
    source = STUB[name].decode()
    assert old in source
    return source.replace(old, new)


SOFTMAX = "def softmax(x: Tensor, dim: int = -1)"
SIGNATURES = {
    # Accepted: call-compatible, whatever the default values.
    "other default": (SOFTMAX, "def softmax(x, dim=0)", None),
    "extra optional": (SOFTMAX, "def softmax(x, dim=-1, t=1)", None),
    "extra *args": ("def relu(x: Tensor)", "def relu(x, *more)", None),
    "lambda": ("def relu(x: Tensor) -> Tensor:", "relu = lambda x: x\ndef _relu(x):", None),
    # Refused.
    "renamed": (
        SOFTMAX,
        "def softmax(x, axis=-1)",
        "parameter 2 is `axis` where the stub has `dim`",
    ),
    "lost default": (
        SOFTMAX,
        "def softmax(x, dim)",
        "`dim` has no default (the stub's is dim=-1)",
    ),
    "missing": (SOFTMAX, "def softmax(x)", "`dim` is missing"),
    "extra required": ("def relu(x: Tensor)", "def relu(x, y)", "extra parameter `y`"),
    "positional-only": ("def relu(x: Tensor)", "def relu(x, /)", "`x` is positional-only"),
    "async": ("def relu(x: Tensor)", "async def relu(x)", "with `async def`"),
}


@pytest.mark.parametrize("case", SIGNATURES)
def test_signatures_are_compared_with_the_stub(tmp_path, case):
    old, new, expected = SIGNATURES[case]
    source = with_def("activations", old, new)
    intake = intake_of(tmp_path, as_directory(tmp_path, {"activations.py": source}))
    assert set(intake.modules) == {"activations"}  # copied either way
    if expected is None:
        assert intake.module_problems == {}
    else:
        [problem] = intake.module_problems["activations"]
        assert "does not match the stub" in problem or "async" in problem
        assert expected in problem


def test_keyword_only_parameters_match_by_name(tmp_path):
    old = "x: Tensor, p: float, *, training: bool = True, generator: torch.Generator | None = None"
    reordered = with_def("regularization", old, "x, p, *, generator=None, training=True")
    as_positional = with_def("regularization", old, "x, p, training=True, generator=None")
    dropped = with_def("regularization", old, "x, p, **options")
    for number, source in enumerate([reordered, as_positional, dropped]):
        submission = as_directory(tmp_path, {"regularization.py": source}, student=f"s{number}")
        problems = intake_of(tmp_path, submission).module_problems.get("regularization", [])
        if source is dropped:
            [problem] = problems
            assert "keyword-only parameter `training` is missing" in problem
            assert "dropout(x, p, *, training=True, generator=None)" in problem
        else:
            assert problems == []


def test_the_stubs_must_be_there(tmp_path):
    submission = as_directory(tmp_path, {"losses.py": STUB["losses"]})
    with pytest.raises(IntakeError, match="python -m grader stubs"):
        unpack(submission, tmp_path / "out", stubs=tmp_path / "no-stubs")
