"""Every documented way to set up works as written (README, the release's README, .ci/run).

* The quick-start commands make their own virtual environment: no `pip install` into the
  interpreter a user happens to have (a Debian or Ubuntu system Python refuses it:
  ``externally-managed-environment``; elsewhere it pins packages into the user's site-packages).
* They share one environment, `.venv/` (torch alone is 4 GB): the example, the check, the suite.
* CI runs exactly the README's test command.
* The own-environment route, made with the ``test`` extra alone, runs `pytest`: a test module that
  needs another extra (dev, similarity) skips itself instead of stopping the collection.
"""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib

import pytest

from grader.core.paths import PROJECT_ROOT

README = PROJECT_ROOT / "README.md"
STUDENT_README = PROJECT_ROOT / "grader" / "authoring" / "templates" / "student_README.md"
CI_SCRIPT = PROJECT_ROOT / ".ci" / "run"
PYPROJECT = PROJECT_ROOT / "pyproject.toml"
# Where a distribution's import name differs from its own.
IMPORT_NAMES = {"pyyaml": "yaml"}


def code_blocks(text: str) -> list[list[str]]:
    """The lines of each fenced code block."""
    return [block.splitlines() for block in re.findall(r"```\w*\n(.*?)```", text, re.S)]


def quick_start_commands() -> list[str]:
    section = README.read_text(encoding="utf-8").split("## Quick start", 1)[1].split("\n## ")[0]
    return [line.split(" #")[0].strip() for line in code_blocks(section)[0] if line.strip()]


def test_the_quick_start_commands_each_make_their_own_environment():
    """Each line works alone on a fresh clone, and all of them share `.venv/`."""
    commands = quick_start_commands()
    assert len(commands) == 3
    for command in commands:
        make, install, *run = command.split(" && ")
        assert make == "python3 -m venv .venv", command
        assert install.startswith(".venv/bin/pip install -q -c constraints.txt -e "), command
        assert run and all(step.startswith(".venv/bin/") for step in run), command


@pytest.mark.parametrize("readme", [README, STUDENT_README], ids=["README", "student"])
def test_no_documented_pip_install_outside_a_virtual_environment(readme):
    for block in code_blocks(readme.read_text(encoding="utf-8")):
        activated = False
        for line in block:
            activated = activated or ".venv/bin/activate" in line
            if re.search(r"\bpip install\b", line):
                assert activated or re.search(r"\.venv/bin/pip install", line), line


def test_ci_runs_the_readme_test_command():
    test_command = quick_start_commands()[-1]
    assert test_command in CI_SCRIPT.read_text(encoding="utf-8").splitlines()


def installed_with(requirements: list[str]) -> set[str]:
    """The distributions these requirements install, their dependencies included (as pip would
    resolve them, read from what is installed here)."""
    from importlib.metadata import PackageNotFoundError, requires

    from packaging.requirements import Requirement
    from packaging.utils import canonicalize_name

    found: set[str] = set()
    todo = [Requirement(text) for text in requirements]
    while todo:
        requirement = todo.pop()
        name = canonicalize_name(requirement.name)
        if name in found:
            continue
        found.add(name)
        try:
            needs = requires(name) or []
        except PackageNotFoundError:
            continue
        for text in needs:
            need = Requirement(text)
            if need.marker is None or need.marker.evaluate({"extra": ""}):
                todo.append(need)
    return found


def optional_imports() -> list[str]:
    """The import names of the packages that only extras other than `test` install."""
    from packaging.requirements import Requirement
    from packaging.utils import canonicalize_name

    project = tomllib.loads(PYPROJECT.read_text(encoding="utf-8"))["project"]
    extras = project["optional-dependencies"]
    installed = installed_with(project["dependencies"] + extras["test"])
    others = {
        canonicalize_name(Requirement(text).name)
        for extra, requirements in extras.items()
        if extra != "test"
        for text in requirements
    }
    return sorted(IMPORT_NAMES.get(name, name).replace("-", "_") for name in others - installed)


def test_pytest_collects_in_an_environment_with_the_test_extra_alone():
    """The README's own-environment route: `pip install -e ".[test]"`, then `pytest`."""
    blocked = optional_imports()
    assert "yaml" in blocked  # the dev extra's, which once stopped the collection
    script = (
        f"import sys; sys.modules.update(dict.fromkeys({blocked!r}));"  # `import yaml` fails
        "import pytest; sys.exit(pytest.main(['--collect-only', '-q', '-p', 'no:cacheprovider']))"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=PROJECT_ROOT, capture_output=True, text=True,
        timeout=300,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
