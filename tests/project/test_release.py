"""`python -m grader release OUT`: the student distribution holds what a student needs, works
on its own, and gives no solution away."""

from __future__ import annotations

import configparser
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import run_grader

import grader.authoring.stubs
from grader.__main__ import COMMANDS, STUDENT_COMMANDS, main
from grader.authoring import release
from grader.core import instructions
from grader.core.manifest import load_manifest
from grader.core.paths import NOTEBOOKS_DIR, OUTPUT_DIR, PROJECT_ROOT, SOLUTIONS_DIR
from grader.grading.autograde import DEFAULT_OUT

# The test modules of every exercise, and the helper modules beside them that they import
# (support.py, gradient_functions.py, ...): every module of tests/ that is not a test module.
PUBLIC_TESTS = sorted(
    {Path(test).name for exercise in load_manifest() for test in exercise.tests}
    | {
        path.name
        for path in (PROJECT_ROOT / "tests").glob("*.py")
        if not path.name.startswith("test_")
    }
)
# Solution lines shorter than this are common code (`return x`, `else:`, `raise ValueError(`,
# `except EOFError:`, `return loss.mean()`): they occur in the grader and the tests on their own.
# From 20 characters a line is specific to its answer (`return x.clamp(min=0)` is 21).
MIN_CHARS = 20


@pytest.fixture(scope="module")
def released(tmp_path_factory) -> Path:
    """The release, written by the command line, as an instructor would."""
    out = tmp_path_factory.mktemp("release") / "out"
    finished = run_grader("release", str(out), cwd=PROJECT_ROOT)
    assert finished.returncode == 0, finished.stderr
    assert "no solutions" in finished.stdout
    return out


def _normalised(line: str) -> str:
    return " ".join(line.split())


def secret_lines() -> dict[str, str]:
    """Every answer line the stub generator removes (between the markers in solutions/*.py),
    whitespace-normalised, at least MIN_CHARS long and not a line of the public tests (which
    publish it on purpose, e.g. `for _ in range(epochs):` in an oracle): line -> where."""
    published = {
        _normalised(line)
        for name in PUBLIC_TESTS
        for line in (PROJECT_ROOT / "tests" / name).read_text(encoding="utf-8").splitlines()
    }
    secrets: dict[str, str] = {}
    for path in sorted(SOLUTIONS_DIR.glob("*.py")):
        inside = False
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            text = _normalised(line)
            if text == "# BEGIN SOLUTION":
                inside = True
            elif text == "# END SOLUTION":
                inside = False
            elif inside and len(text) >= MIN_CHARS and text not in published:
                secrets.setdefault(text, f"{path.name}:{number}")
    return secrets


def leaks_in(root: Path) -> list[str]:
    secrets = secret_lines()
    found = []
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        for number, line in enumerate(path.read_bytes().decode("utf-8", "replace").splitlines()):
            if _normalised(line) in secrets:
                found.append(
                    f"{path.relative_to(root)}:{number + 1} = {secrets[_normalised(line)]}"
                )
    return found


def test_the_scan_has_something_to_find():
    secrets = secret_lines()
    assert len(secrets) > 100, "the marker parsing found almost no answer lines"
    assert "return x.clamp(min=0)" in secrets  # relu's answer: short, but specific
    assert "generator = torch.Generator().manual_seed(seed)" not in secrets  # an oracle's too


def test_no_solution_code_anywhere_in_the_release(released):
    assert not (released / "solutions").exists()
    assert not list(released.rglob("*.pyc"))
    assert leaks_in(released) == []


def test_the_scan_finds_a_solution_copied_into_the_release(released, tmp_path):
    copy = tmp_path / "leaky"
    shutil.copytree(released, copy)
    shutil.copy(SOLUTIONS_DIR / "activations.py", copy / "exercises" / "activations.py")
    (copy / "README.md").write_text("notes:\n\n    return x.clamp(min=0)\n", encoding="utf-8")
    found = leaks_in(copy)
    assert any(hit.startswith("exercises/activations.py:") for hit in found)
    assert "README.md:3 = activations.py" in "\n".join(found)


def test_the_release_refuses_to_publish_a_solution_line(tmp_path, monkeypatch):
    readme = "Try:\n    return x.clamp(min=0)\n"
    monkeypatch.setattr(release, "student_readme", lambda classroom=False: readme)
    with pytest.raises(release.ReleaseError, match=r"README\.md:2: return x\.clamp"):
        release.build_release(tmp_path / "out")
    assert not (tmp_path / "out").exists()  # nothing half-written
    assert list(tmp_path.iterdir()) == []  # and no staging folder left behind


def test_the_release_holds_the_student_files_only(released):
    top = {path.name for path in released.iterdir()}
    assert top == {
        ".github", ".gitignore", "README.md", "constraints.txt", "data", "exercises", "grader",
        "manifest.toml", "pyproject.toml", "tests", "tox.ini",
    } | {name for name in release.OPTIONAL_DIRS if (PROJECT_ROOT / name).is_dir()}  # fmt: skip
    assert sorted(path.name for path in (released / "tests").iterdir()) == PUBLIC_TESTS
    stubs = sorted(path.name for path in (PROJECT_ROOT / "exercises").glob("*.py"))
    assert sorted(path.name for path in (released / "exercises").iterdir()) == stubs
    for name in stubs:
        assert (released / "exercises" / name).read_bytes() == (
            PROJECT_ROOT / "exercises" / name
        ).read_bytes()
    handout = released / "grader" / "handout"  # the stubs as handed out, for autograde
    assert sorted(path.name for path in handout.iterdir()) == stubs
    assert all(
        (handout / name).read_bytes() == (released / "exercises" / name).read_bytes()
        for name in stubs
    )
    package = released / "grader"
    modules = {path.relative_to(package).as_posix() for path in package.rglob("*.py")}
    assert not [module for module in modules if module.startswith(release.INSTRUCTOR_PACKAGE)]
    assert {
        "plugin.py",
        "check/implementation.py",
        "check/forbidden.py",
        "core/manifest.py",
    } <= modules
    assert {
        "grading/autograde.py",
        "grading/grade.py",
        "sandbox/client.py",
        "__main__.py",
    } <= modules
    for name in ("manifest.toml", "pyproject.toml", "constraints.txt"):
        assert (released / name).read_bytes() == (PROJECT_ROOT / name).read_bytes()
    assert (released / "data" / "digits" / "train-images-idx3-ubyte.gz").is_file()
    assert (released / ".github" / "workflows" / "autograde.yml").is_file()


def test_the_student_tox_ini_has_only_environments_without_the_reference(released):
    text = (released / "tox.ini").read_text(encoding="utf-8")
    assert "solutions" not in text
    config = configparser.ConfigParser(interpolation=None)
    config.read_string(text)
    envs = {
        section.removeprefix("testenv:") for section in config if section.startswith("testenv:")
    }
    assert envs == {"check", "bench"}
    assert config["tox"]["env_list"].strip() == "check"
    assert config["testenv:check"]["commands"].strip() == "python -m grader check {posargs}"
    assert "constraints.txt" in config["testenv"]["set_env"]


def test_the_student_readme_says_how_to_install_and_check(released):
    text = (released / "README.md").read_text(encoding="utf-8")
    assert 'pip install -c constraints.txt -e ".[test]"' in text
    assert "python -m grader check" in text
    assert f"pytest -m {load_manifest()[0].name}" in text  # the first exercise
    assert "python -m grader autograde" in text
    for exercise in load_manifest():
        assert f"| `{exercise.name}` | {exercise.title} | {exercise.points} |" in text
    assert "`sigmoid`, `sigmoid_grad`" in text  # functions read from the stubs
    assert "--impl=solutions" not in text and "solutions/" not in text
    # what to hand in, and how, in both languages
    assert "## What to hand in / 提交什么" in text and "a zip of the `exercises/` folder" in text
    assert "把 `exercises/` 文件夹打成 zip" in text


def test_a_non_empty_out_is_refused_unless_forced(tmp_path, capsys):
    out = tmp_path / "out"
    out.mkdir()
    (out / "mine.txt").write_text("keep me", encoding="utf-8")
    assert main(["release", str(out)]) == 2
    error = capsys.readouterr().err
    assert "exists and is not empty" in error and "--force" in error
    assert "Traceback" not in error
    assert [path.name for path in out.iterdir()] == ["mine.txt"]
    assert main(["release", str(out), "--force"]) == 0
    assert not (out / "mine.txt").exists()  # replaced, not merged
    assert (out / "exercises" / "activations.py").is_file()


def test_an_empty_out_is_used(tmp_path):
    (tmp_path / "out").mkdir()
    assert main(["release", str(tmp_path / "out")]) == 0
    assert (tmp_path / "out" / "manifest.toml").is_file()


@pytest.mark.parametrize("inside", [".", "..", "exercises/release", "solutions/x", "tests/x"])
def test_out_may_not_be_or_hold_the_project(inside, monkeypatch, capsys):
    def stop() -> None:  # were the guard missing, nothing is written: the test fails here
        raise AssertionError(f"release {inside} was not refused")

    monkeypatch.setattr(release, "check_project", stop)
    assert main(["release", str((PROJECT_ROOT / inside).resolve()), "--force"]) == 2
    assert "choose another folder" in capsys.readouterr().err


def test_out_that_is_a_file_is_refused(tmp_path, capsys):
    (tmp_path / "out").write_text("x", encoding="utf-8")
    assert main(["release", str(tmp_path / "out"), "--force"]) == 2
    assert "is not a folder" in capsys.readouterr().err


def test_out_of_date_stubs_are_refused(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(grader.authoring.stubs, "outdated_stubs", lambda: ["losses.py"])
    assert main(["release", str(tmp_path / "out")]) == 2
    error = capsys.readouterr().err
    assert "losses.py" in error and "python -m grader stubs" in error
    assert not (tmp_path / "out").exists()


def test_the_instructor_commands_are_absent_from_the_release(released):
    finished = run_grader("stubs", cwd=released)
    assert finished.returncode == 2
    assert "invalid choice: 'stubs'" in finished.stderr  # not a rewrite of the student's work
    assert "Traceback" not in finished.stderr
    assert "autograde" in finished.stderr  # the commands the student has are listed


def test_the_release_grades_the_same_tests(released):
    """No exercise test depends on the reference solutions (absent from the release): the
    release collects exactly the tests this repository collects, so a score computed there (a
    student's check, autograde, Gradescope) is computed on the same tests as `grade` here."""

    def collected(root: Path) -> list[str]:
        tests = [str(root / test) for exercise in load_manifest() for test in exercise.tests]
        finished = subprocess.run(
            [sys.executable, "-m", "pytest", "-q", "--collect-only", "-p", "no:cacheprovider",
             f"--impl={SOLUTIONS_DIR}", *tests],
            cwd=root, capture_output=True, text=True, timeout=600,
        )  # fmt: skip
        assert finished.returncode == 0, finished.stdout[-3000:]
        return [line for line in finished.stdout.splitlines() if "::" in line]

    here, there = collected(PROJECT_ROOT), collected(released)
    assert here and here == there


@pytest.mark.slow
def test_a_clean_copy_of_the_release_passes_its_own_check(released, tmp_path):
    copy = tmp_path / "student"
    shutil.copytree(released, copy)
    finished = run_grader("check", cwd=copy)
    assert finished.returncode == 0, finished.stdout[-3000:] + finished.stderr[-3000:]
    assert f"exercise summary ({copy / 'exercises'})" in finished.stdout  # the copy's stubs
    rows = {
        match["name"]: match
        for match in re.finditer(
            r"^\s*\d+\s+(?P<name>\w+)\s+(?P<passed>\d+)/(?P<graded>\d+)\s+(?P<failed>\d+)"
            r"\s+(?P<waiting>\d+)\s+(?P<missing>\d+)\s",
            finished.stdout,
            re.MULTILINE,
        )
    }
    assert set(rows) == {exercise.name for exercise in load_manifest()}
    for name, row in rows.items():
        assert int(row["passed"]) == int(row["failed"]) == int(row["waiting"]) == 0, name
        assert int(row["missing"]) == int(row["graded"]) > 0, f"{name} is not 'not attempted'"


def test_the_jobs_work_or_say_why_in_one_line_in_the_release(released):
    """The jobs default to the student's own code, which every distribution has: on the
    untouched stubs, and with the reference asked for where there is none, one line each, no
    traceback and no advice to use the absent reference."""
    stubs = run_grader("bench", "--device", "cpu", "--seconds", "0.01", cwd=released)
    assert stubs.returncode == 2 and stubs.stdout == "", stubs.stdout
    assert "Traceback" not in stubs.stderr, stubs.stderr  # torch may warn above the line
    said = stubs.stderr.splitlines()[-1]
    assert said == "grader: cannot bench yet: mlp_forward() is not written yet", stubs.stderr
    reference = run_grader("train", "--impl", "solutions", cwd=released)
    assert reference.returncode == 2 and "Traceback" not in reference.stderr
    assert "this distribution has no solutions/" in reference.stderr


def test_the_release_s_command_line_offers_the_student_s_commands_only(released):
    """`python -m grader --help` there lists check and the student's commands; no command's
    help offers the absent reference. An instructor's command still runs when named (a
    grading machine may hold a copy without solutions/)."""
    listing = run_grader("--help", cwd=released)
    assert listing.returncode == 0, listing.stderr
    listed = re.findall(r"^    (\w+)", listing.stdout, re.MULTILINE)
    assert listed == list(STUDENT_COMMANDS)
    assert set(STUDENT_COMMANDS) < set(COMMANDS)
    for name in listed:
        helped = run_grader(name, "--help", cwd=released)
        assert helped.returncode == 0, helped.stderr
        assert "solutions" not in helped.stdout, name
    wrong = run_grader("nonsense", cwd=released)
    assert "invalid choice" in wrong.stderr and "'grade'" not in wrong.stderr
    assert run_grader("grade", "--help", cwd=released).returncode == 0


def test_the_release_s_gitignore_speaks_to_students(released, tmp_path):
    """The release's own .gitignore: what the student's commands write by default is ignored,
    the student's work (exercises, notebooks) is not, and no line names the instructor's files."""
    text = (released / ".gitignore").read_text(encoding="utf-8")
    for instructor_s in ("authoring", "release.py", "examples", "solutions", "gpu-check"):
        assert instructor_s not in text
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    repository = tmp_path / "clone"  # git's own answer, in a repository of its own
    repository.mkdir()
    (repository / ".gitignore").write_text(text, encoding="utf-8")
    subprocess.run(["git", "init", "-q"], cwd=repository, check=True)

    def ignored(path: str) -> bool:
        check = subprocess.run(["git", "check-ignore", "-q", path], cwd=repository)
        return check.returncode == 0

    generated = [f"{OUTPUT_DIR.name}/training.png", f"{DEFAULT_OUT}/results.json", ".venv",
                 ".tox/check/x", "exercises/__pycache__/x.pyc", ".pytest_cache/x"]  # fmt: skip
    assert [path for path in generated if not ignored(path)] == []
    work = [f"{NOTEBOOKS_DIR.name}/02_activations.ipynb", "exercises/activations.py"]
    assert [path for path in work if ignored(path)] == []


def test_the_release_s_instructions_readme_is_for_students(released):
    """The project's instructions/README.md is for their authors (the checks, the stub
    generator); the release's tells a student how to read them, in both languages."""
    if not (PROJECT_ROOT / "instructions").is_dir():
        pytest.skip("this project has no instructions/")
    text = (released / "instructions" / "README.md").read_text(encoding="utf-8")
    for author_s in ("tests/project", "grader stubs", "test_instructions"):
        assert author_s not in text
    assert "python -m grader notebooks --lang zh" in text and "GRADER_LANG=zh" in text
    assert "每个练习一个文件" in text  # the Chinese half
    for exercise in load_manifest():
        zh = instructions.title(exercise.name, "zh")
        assert f"[{exercise.name}.md]({exercise.name}.md) | {exercise.title} | {zh} |" in text
    for path in (PROJECT_ROOT / "instructions").glob("*.md"):  # the others, as written
        if path.name != "README.md":
            assert (released / "instructions" / path.name).read_bytes() == path.read_bytes()
