"""The layout of ``grader/`` is its architecture (docs/ARCHITECTURE.md): these tests keep it so.

Imports are read from the source (every ``import`` statement, also those inside functions), so
a lazy import cannot hide a wrong direction.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

import pytest

from grader.core.paths import PROJECT_ROOT

PACKAGE = PROJECT_ROOT / "grader"
MAX_LINES = 420  # "about 400"; a longer module says why in its docstring ("longer than ...")

# What each folder may import, besides itself. Top-level modules (__main__, the plugin's entry
# point, notebooks) are entry points: they may import anything.
ALLOWED = {
    "core": set(),
    "check": {"core"},
    "sandbox": {"check", "core"},
    "results": {"core"},
    "grading": {"results", "core"},  # the sandbox is reached through pytest, by name
    "jobs": {"check", "core"},
    "authoring": {"grading", "results", "check", "core"},
}
# Entry points a folder may name: the fork server warms the plugin modules grader.plugin lists.
ENTRY_IMPORTS = {("grading", "grader.plugin")}
# Constants that share a value but are different facts.
# Equal values that are different facts: a notebook cell's tag and a notebook's metadata key;
# a JUnit message's length and a sandbox's error text's.
COINCIDENCES = {"'exercise'", "20000", "4"}  # 4: the stored format's version and nbformat's
# What the untrusted child process runs: it must not need pytest or any plugin.
CHILD_ENTRY = "grader.sandbox.server"


def module_name(path: Path) -> str:
    parts = path.relative_to(PROJECT_ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def grader_modules() -> dict[str, Path]:
    return {
        module_name(path): path
        for path in sorted(PACKAGE.rglob("*.py"))
        if "handout" not in path.relative_to(PACKAGE).parts
    }


def imports_of(path: Path) -> set[str]:
    """Every module ``path`` imports (absolute names; ``from a import b`` gives a and a.b)."""
    found: set[str] = set()
    tree = ast.parse(path.read_text(encoding="utf-8"))
    type_only = {  # `if TYPE_CHECKING:` imports never run
        id(inner)
        for node in ast.walk(tree)
        if isinstance(node, ast.If) and ast.unparse(node.test).endswith("TYPE_CHECKING")
        for inner in ast.walk(node)
    }
    for node in ast.walk(tree):
        if id(node) in type_only:
            continue
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return found


@pytest.fixture(scope="module")
def graph() -> dict[str, set[str]]:
    modules = grader_modules()
    return {
        name: {
            imported for imported in imports_of(path) if imported in modules and imported != name
        }
        for name, path in modules.items()
    }


def folder(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 2 or (len(parts) == 2 and parts[1] in ALLOWED) else None


def test_every_folder_has_a_rule():
    folders = {p.name for p in PACKAGE.iterdir() if p.is_dir() and (p / "__init__.py").is_file()}
    assert folders == set(ALLOWED), "a new folder of grader/ needs its rule in ALLOWED"


def test_imports_point_one_way(graph):
    wrong = []
    for module, imported in graph.items():
        source = folder(module)
        if source is None:  # an entry point
            continue
        for target in imported:
            destination = folder(target)
            if (source, target) in ENTRY_IMPORTS:
                continue
            if destination is None and target != "grader":
                wrong.append(f"{module} imports the entry point {target}")
            elif destination not in (source, None) and destination not in ALLOWED[source]:
                wrong.append(f"{module} ({source}) imports {target} ({destination})")
    assert not wrong, "\n".join(sorted(wrong))


def test_no_import_cycles(graph):
    state: dict[str, int] = defaultdict(int)  # 0 new, 1 on the stack, 2 done
    cycles: list[str] = []

    def visit(module: str, stack: list[str]) -> None:
        state[module] = 1
        for target in sorted(graph[module]):
            if state[target] == 1:
                cycles.append(" -> ".join([*stack[stack.index(target) :], target]))
            elif state[target] == 0:
                visit(target, [*stack, target])
        state[module] = 2

    for module in sorted(graph):
        if state[module] == 0:
            visit(module, [module])
    assert not cycles, "\n".join(cycles)


def test_no_import_cycles_counting_type_checking_imports(tmp_path):
    """An import under ``if TYPE_CHECKING:`` never runs, but it is a dependency all the same: a
    cycle through one is a cycle of the design. Each module is read with those imports made
    plain (``if True:``) and checked as above."""
    modules = grader_modules()
    every: dict[str, set[str]] = {}
    for name, path in modules.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.If) and ast.unparse(node.test).endswith("TYPE_CHECKING"):
                node.test = ast.Constant(True)
        plain = tmp_path / f"{name}.py"
        plain.write_text(ast.unparse(tree), encoding="utf-8")
        every[name] = {imported for imported in imports_of(plain) if imported in modules} - {name}
    test_no_import_cycles(every)


def test_the_sandbox_child_imports_no_pytest():
    """The child answers calls with the codec, the implementation loader and the outcomes: none
    of what it imports (transitively, within grader) imports pytest or a plugin."""
    modules = grader_modules()
    seen, todo = set(), [CHILD_ENTRY]
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        imported = imports_of(modules[name])
        assert not {i for i in imported if i.split(".")[0] in ("pytest", "_pytest")}, name
        todo += [i for i in imported if i in modules and i != "grader"]
    assert "grader.check.plugin" not in seen and "grader.sandbox.plugin" not in seen
    assert {"grader.check.implementation", "grader.core.outcomes"} <= seen


def test_no_module_is_much_longer_than_400_lines_without_a_reason():
    long = []
    for name, path in grader_modules().items():
        lines = path.read_text(encoding="utf-8").count("\n")
        docstring = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8"))) or ""
        if lines > MAX_LINES and "longer than" not in docstring:
            long.append(f"{name}: {lines} lines")
    assert not long, long


def test_each_constant_is_defined_once():
    """No two modules of grader assign the same literal to a module-level constant: a file
    name, a path piece, a limit or a message is written in one place and imported elsewhere."""
    owners: dict[object, list[str]] = defaultdict(list)
    for name, path in grader_modules().items():
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            if not isinstance(node, ast.Assign | ast.AnnAssign) or node.value is None:
                continue
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            if not all(isinstance(t, ast.Name) and t.id.lstrip("_").isupper() for t in targets):
                continue
            try:
                value = ast.literal_eval(node.value)
            except ValueError:
                continue
            if isinstance(value, str | int | float | tuple) and value not in ("", 0, 1, ()):
                owners[repr(value)].append(f"{name}.{targets[0].id}")
    twins = {v: where for v, where in owners.items() if len(where) > 1 and v not in COINCIDENCES}
    assert not twins, twins


# Where a state's word means something else: the report's line for an exercise out of time, the
# name of a setting (of the run, of the Gradescope bundle), a job's field.
OTHER_MEANINGS = {
    ("grader.core.report", "timeout"),
    ("grader.grading.settings", "timeout"),
    ("grader.authoring.gradescope", "timeout"),
    ("grader.grading.forkserver", "timeout"),
}


def test_exercise_states_are_written_only_in_their_enum():
    """An exercise's state ("not attempted", "timeout", "crashed", "invalid") is spelled once, in
    grader/core/outcomes.py; everywhere else it is ``ExerciseState.X``. "graded" is left out: it
    is a submission's status too."""
    from grader.core.outcomes import ExerciseState

    words = {str(state) for state in ExerciseState} - {ExerciseState.GRADED}
    literals = []
    for name, path in grader_modules().items():
        if name == "grader.core.outcomes":
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        literals += [f"{name}, line {node.lineno}: {node.value!r}" for node in ast.walk(tree)
                     if isinstance(node, ast.Constant) and node.value in words
                     and (name, node.value) not in OTHER_MEANINGS]  # fmt: skip
    assert not literals, "\n".join(literals)
