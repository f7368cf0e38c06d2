"""exercises/ is what the stub generator makes of solutions/, and it gives nothing away."""

from __future__ import annotations

import ast

import pytest

from grader.authoring.stubs import BEGIN, END, outdated_stubs, stub_source, write_stubs
from grader.core.paths import EXERCISES_DIR, SOLUTIONS_DIR

SOLUTION_FILES = sorted(SOLUTIONS_DIR.glob("*.py"))


def test_exercises_are_up_to_date():
    outdated = outdated_stubs()
    assert not outdated, f"out of date: {outdated}; run `python -m grader stubs`"


def _functions(source: str) -> dict[str, ast.FunctionDef]:
    return {node.name: node for node in ast.parse(source).body if isinstance(node, ast.FunctionDef)}


@pytest.mark.parametrize("solution", SOLUTION_FILES, ids=lambda p: p.name)
def test_stubs_keep_signatures_and_docstrings_and_raise(solution):
    solved = _functions(solution.read_text(encoding="utf-8"))
    stubbed = _functions((EXERCISES_DIR / solution.name).read_text(encoding="utf-8"))
    public = [name for name in solved if not name.startswith("_")]
    assert public, f"{solution.name} defines no public function"
    for name in public:
        assert name in stubbed, f"the stub of {solution.name} lost {name}()"
        assert ast.unparse(stubbed[name].args) == ast.unparse(solved[name].args), name
        assert ast.unparse(stubbed[name].returns) == ast.unparse(solved[name].returns), name
        docstring = ast.get_docstring(solved[name])
        assert docstring and len(docstring) > 40, f"{name}() needs a teaching docstring"
        assert ast.get_docstring(stubbed[name]) == docstring, name
        body = stubbed[name].body[-1]
        assert isinstance(body, ast.Raise) and "NotImplementedError" in ast.unparse(body), (
            f"the stub of {name}() must end by raising NotImplementedError"
        )


@pytest.mark.parametrize("solution", SOLUTION_FILES, ids=lambda p: p.name)
def test_stubs_hold_no_solution_line(solution):
    text = solution.read_text(encoding="utf-8")
    stub = (EXERCISES_DIR / solution.name).read_text(encoding="utf-8")
    stub_lines = {line.strip() for line in stub.splitlines()}
    inside, leaked = False, []
    for line in text.splitlines():
        if line.strip() in (BEGIN, END):
            inside = line.strip() == BEGIN
        elif inside and len(line.strip()) > 12 and line.strip() in stub_lines:
            leaked.append(line.strip())
    assert not leaked, f"solution lines found in the stub of {solution.name}: {leaked}"


def test_region_inside_function_becomes_a_raise_at_its_indentation():
    source = 'def f(x):\n    """Doc."""\n    # BEGIN SOLUTION\n    return x\n    # END SOLUTION\n'
    assert stub_source(source) == (
        'def f(x):\n    """Doc."""\n'
        "    # Your code here: replace the line below.\n"
        '    raise NotImplementedError("f() is not written yet")\n'
    )


def test_module_level_region_is_dropped():
    source = (
        "import torch\n\n\n# BEGIN SOLUTION\ndef _helper():\n    return 1\n# END SOLUTION\n"
        "\n\ndef g():\n    pass\n"
    )
    assert stub_source(source) == "import torch\n\n\ndef g():\n    pass\n"


def test_a_region_at_the_end_of_the_file_leaves_no_blank_lines_behind():
    """mlp.py's reference ends with a helper inside the markers: its stub ended in blank
    lines, which ruff format would strip."""
    source = "def g():\n    pass\n\n\n# BEGIN SOLUTION\ndef _h():\n    return 1\n# END SOLUTION\n"
    assert stub_source(source) == "def g():\n    pass\n"


@pytest.mark.parametrize(
    ("source", "problem"),
    [
        ("def f():\n    # BEGIN SOLUTION\n    return 1\n", "never closed"),
        ("def f():\n    return 1\n    # END SOLUTION\n", "without"),
        ("def f():\n    # BEGIN SOLUTION\n    # BEGIN SOLUTION\n", "inside another"),
    ],
)
def test_unbalanced_markers_are_errors(source, problem):
    with pytest.raises(ValueError, match=problem):
        stub_source(source, "bad.py")


def test_write_stubs_rewrites_changed_and_removes_stale(tmp_path):
    solutions, exercises = tmp_path / "solutions", tmp_path / "exercises"
    solutions.mkdir()
    exercises.mkdir()
    (solutions / "a.py").write_text(
        "def a():\n    # BEGIN SOLUTION\n    return 1\n    # END SOLUTION\n"
    )
    (exercises / "old.py").write_text("x = 1\n")
    assert write_stubs(solutions, exercises) == ["a.py", "old.py"]
    assert not (exercises / "old.py").exists()
    assert "NotImplementedError" in (exercises / "a.py").read_text()
    assert outdated_stubs(solutions, exercises) == []
