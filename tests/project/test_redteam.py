"""The red-team class: attacks by a student who read the grader's source, graded beside a
perfect control and a victim, at the same time, with hidden tests.

Every attack of ``tests/redteam/attacks.py`` is appended to the untouched stub of one exercise,
so its student has written nothing: it must earn 0, whatever the attack reached. The control
and the victim (both the reference) keep full marks; nothing outside the grader's output
changes; no process outlives grading; no hidden test's text reaches any output; a submission
named like a class file is refused. ``test_the_attacks_work_without_the_walls`` grades the
attacks that cannot hurt the machine with ``--isolation process``, the audit hook alone, and
shows they then win: these tests have teeth.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from pathlib import Path

import pytest
from conftest import grade, gradebook, submission

from grader.core.isolation import Isolation, level_walls, strongest
from grader.core.paths import EXERCISES_DIR, PROJECT_ROOT, SOLUTIONS_DIR
from tests.redteam.attacks import ATTACKS, EXERCISE, LINGER, PRELUDE, SECRET, TRACE

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        strongest().level is Isolation.PROCESS, reason="this host cannot wall student code in"
    ),
]
HIDDEN_TEST = f'''"""A hidden test: its text ({SECRET}) must reach no output."""
import pytest


@pytest.fixture
def ms(load_impl):
    return load_impl("model_selection")

@pytest.mark.requires("k_fold_split")
def test_hidden_folds_cover_everything(ms):
    folds = list(ms.k_fold_split(10, 5))
    assert sorted(i for _, test in folds for i in test.tolist()) == list(range(10)), "{SECRET}"
'''
WATCHED = [PROJECT_ROOT / "tests", SOLUTIONS_DIR, EXERCISES_DIR, PROJECT_ROOT / "grader"]
RESERVED = ("gradebook.csv", "run.json")  # student ids that are names of class files


def attack_source(attack: str) -> str:
    stub = (EXERCISES_DIR / f"{EXERCISE}.py").read_text(encoding="utf-8")
    return f"{stub}\n\n# --- attack ---\n{PRELUDE}\n{ATTACKS[attack]}"


def build_class(root: Path, attacks: list[str]) -> Path:
    submissions = root / "submissions"
    for student in ("control", "victim", *RESERVED):
        submission(submissions, student, base=SOLUTIONS_DIR)
    for attack in attacks:
        submission(submissions, attack, only=(), **{EXERCISE: attack_source(attack)})
    return submissions


def digest(folders: list[Path]) -> dict[str, str]:
    """Every file under ``folders`` (caches aside), by path: its content's digest."""
    found = {}
    for folder in folders:
        for path in sorted(folder.rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                found[str(path)] = hashlib.sha256(path.read_bytes()).hexdigest()
    return found


def traces(places: list[Path]) -> list[str]:
    """Files an attack left outside (their names hold TRACE). Other jobs' folders may come and
    go in /tmp while it looks: a folder gone is skipped (os.walk ignores it)."""
    found = []
    for place in places:
        for folder, folders, files in os.walk(place):
            found += [str(Path(folder, name)) for name in [*folders, *files] if TRACE in name]
    return found


def lingering() -> list[str]:
    """Processes an attack started that are still running (a `sleep LINGER`)."""
    found = []
    for name in os.listdir("/proc"):
        if name.isdigit():
            try:
                command = Path("/proc", name, "cmdline").read_bytes()
            except OSError:
                continue
            if str(LINGER).encode() in command and b"sleep" in command:
                found.append(f"{name}: {command!r}")
    return found


# Every walled level this host gives: namespaces here; uid too where the grader is root and its
# Python is readable by other users (a uid of its own is then also taken inside namespaces).
WALLED = [level for level in (Isolation.NAMESPACES, Isolation.UID) if level_walls(level)]


@pytest.fixture(scope="module", params=WALLED, ids=str)
def attacked(request, tmp_path_factory):
    level = request.param
    root = tmp_path_factory.mktemp(f"redteam-{level}")
    submissions = build_class(root, list(ATTACKS))
    hidden = root / "hidden"
    hidden.mkdir()
    (hidden / f"test_{EXERCISE}_redteam.py").write_text(HIDDEN_TEST, encoding="utf-8")
    before = digest([*WATCHED, submissions / "victim", hidden])
    out = root / "out"
    result = grade(submissions, out, "--jobs", "2", "--timeout", "30", "--tests", str(hidden),
                   "--isolation", level)  # fmt: skip
    after = digest([*WATCHED, submissions / "victim", hidden])
    return result, out, before, after, root, level


def test_the_run_completes_with_every_student(attacked):
    result, out, *_ = attacked
    assert result.returncode == 0, result.stderr[-3000:]
    assert set(gradebook(out)) == {"control", "victim", *ATTACKS}


@pytest.mark.parametrize("student", ["control", "victim"])
def test_the_control_and_the_victim_keep_full_marks(attacked, student):
    _, out, *_ = attacked
    row = gradebook(out)[student]
    assert row["status"] == "graded"
    assert float(row["total"]) == float(row["max_total"]), row


@pytest.mark.parametrize("attack", list(ATTACKS))
def test_an_attacker_earns_what_its_own_code_earns(attacked, attack):
    """Nothing: its own code is the stub. Never a grader fault either (graded, not an error)."""
    _, out, *_ = attacked
    row = gradebook(out)[attack]
    assert row["status"] == "graded", row
    assert float(row["total"]) == 0, row


def test_nothing_outside_changes(attacked):
    """The project's tests, reference, stubs and grader, the hidden tests and the victim's
    submission are as they were, byte for byte; no file was written outside a sandbox."""
    _, _, before, after, root, _ = attacked
    assert after == before
    places = [Path("/tmp"), PROJECT_ROOT, root, Path.home()]
    assert traces(places) == []


def test_no_process_outlives_grading(attacked):
    assert lingering() == []


def test_no_hidden_text_reaches_any_output(attacked):
    result, out, *_ = attacked
    assert SECRET not in result.stdout + result.stderr
    for path in out.rglob("*"):
        if path.is_file():
            assert SECRET not in path.read_text(encoding="utf-8", errors="replace"), path


def test_a_student_id_never_takes_a_class_file_s_place(attacked):
    result, out, *_ = attacked
    for name in RESERVED:
        assert (out / name).is_file(), name
        assert f"skipped {name}" in result.stdout
    assert (out / "gradebook.csv").read_text(encoding="utf-8").startswith("student,")


def test_the_isolation_in_force_is_recorded(attacked):
    result, out, *_, level = attacked
    said = level_walls(level).describe()
    assert said in result.stdout
    assert said in (out / "summary.md").read_text(encoding="utf-8")
    assert said in (out / "run.json").read_text(encoding="utf-8")
    stored = json.loads((out / "control" / "grade.json").read_text(encoding="utf-8"))
    assert stored["isolation"] == said
    gradescope = json.loads((out / "control" / "results.json").read_text(encoding="utf-8"))
    assert gradescope["extra_data"]["isolation"] == said


# The attacks that cannot harm the machine when they win (no shell, no signals to everyone).
HARMLESS = ["links-solutions", "leaks-hidden-tests", "rewrites-report"]


def test_the_attacks_work_without_the_walls(tmp_path):
    """With the audit hook alone (--isolation process), hard-linking the reference earns full
    marks and the hidden test's text leaks into the feedback: what the walls stop is real."""
    submissions = build_class(tmp_path, HARMLESS)
    for name in ("victim", *RESERVED):
        shutil.rmtree(submissions / name)
    hidden = tmp_path / "hidden"
    hidden.mkdir()
    (hidden / f"test_{EXERCISE}_redteam.py").write_text(HIDDEN_TEST, encoding="utf-8")
    out = tmp_path / "out"
    result = grade(submissions, out, "--jobs", "2", "--timeout", "30", "--tests", str(hidden),
                   "--isolation", "process")  # fmt: skip
    assert result.returncode == 0, result.stderr[-3000:]
    book = gradebook(out)
    assert float(book["links-solutions"][EXERCISE]) > 0
    assert SECRET in (out / "leaks-hidden-tests" / "feedback.md").read_text(encoding="utf-8")
    assert "isolation of student code: process" in result.stdout


def test_a_level_this_host_cannot_give_is_refused_in_one_line(tmp_path):
    missing = [level for level in (Isolation.NAMESPACES, Isolation.UID) if not level_walls(level)]
    if not missing:
        pytest.skip("this host gives every level")
    (tmp_path / "submissions").mkdir()
    result = grade(tmp_path / "submissions", tmp_path / "out", "--isolation", missing[0])
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "cannot give it" in result.stderr


@pytest.mark.parametrize("attack", list(ATTACKS))
def test_every_attack_is_valid_python(attack):
    """An attack that does not parse would fail its import and earn 0 for the wrong reason."""
    compile(attack_source(attack), f"{attack}.py", "exec")
