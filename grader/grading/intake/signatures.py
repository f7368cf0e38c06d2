"""Source checks: a module compiled (never run), and each public function of the stub defined with
a call-compatible signature (the rule is in :mod:`grader.grading.intake`).
"""

from __future__ import annotations

import ast
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Literal

from grader.core.text import shorten
from grader.grading.intake.model import IntakeError

# The file name given to the parser. On a syntax error CPython reads the offending line back
# from the file of that name, relative to the working directory: with the student's path
# ("solutions/activations.py") that could be a reference file, shown in a message. No file has
# this name, and the line is taken from the student's own bytes.
_NO_FILE = "<submitted file>"


def compile_module(label: str, data: bytes) -> tuple[ast.Module | None, str | None]:
    """(its syntax tree, None), or (None, why it cannot be loaded at all: not UTF-8, NUL bytes,
    does not compile). ``compile`` builds a code object, as ``py_compile`` does, and runs
    nothing; it also finds what the parser alone lets through (``return`` outside a function,
    a duplicate parameter name)."""
    basename = label.rsplit("/", 1)[-1]
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as error:
        line, column = _position(data, error.start)
        return None, (
            f"{label} is not UTF-8 text: byte 0x{data[error.start]:02x} at line {line}, column "
            f"{column} (byte offset {error.start}) cannot be decoded. Save the file as UTF-8 "
            "(most editors: Save with Encoding > UTF-8); until then this exercise cannot be "
            "graded."
        )
    if b"\x00" in data:
        line, column = _position(data, data.index(b"\x00"))
        return None, (
            f"{label} contains a NUL byte (0x00) at line {line}, column {column}: it is not a "
            "text file. Submit the Python source itself."
        )
    try:
        tree = ast.parse(data, filename=_NO_FILE)
        compile(tree, _NO_FILE, "exec", dont_inherit=True)
    except SyntaxError as error:
        where = f"line {error.lineno}" if error.lineno else "an unknown line"
        if error.lineno and error.offset:
            where += f", column {error.offset}"
        text = _line(data, error.lineno).strip()  # not error.text: see _NO_FILE
        shown = f" in `{shorten(text, 100)}`" if text else ""
        check = (
            "run its exercise cells in Jupyter to see where"
            if basename.lower().endswith(".ipynb")
            else f"check with `python -m py_compile {basename}`"
        )
        return None, (
            f"{label}, {where}: {type(error).__name__}: {error.msg}{shown}. Fix it ({check}); "
            "until it compiles this exercise cannot be graded."
        )
    except (RecursionError, MemoryError):
        return None, f"{label} is nested too deeply for Python to compile: simplify it"
    return tree, None


def _line(data: bytes, lineno: int | None) -> str:
    lines = data.decode("utf-8", "replace").splitlines()
    return lines[lineno - 1] if lineno and 0 < lineno <= len(lines) else ""


def _position(data: bytes, offset: int) -> tuple[int, int]:
    line_start = data.rfind(b"\n", 0, offset) + 1
    return data.count(b"\n", 0, offset) + 1, offset - line_start + 1


@lru_cache(maxsize=64)
def _stub_parse(path: Path, mtime_ns: int, size: int) -> dict[str, ast.arguments]:
    try:
        tree = ast.parse(path.read_bytes(), filename=str(path))
    except (OSError, SyntaxError, ValueError) as error:
        raise IntakeError(
            f"the stub {path} cannot be read or parsed ({error}); regenerate the stubs with "
            "`python -m grader stubs`"
        ) from None
    return {
        node.name: node.args
        for node in tree.body
        if isinstance(node, ast.FunctionDef) and not node.name.startswith("_")
    }


def stub_signatures(path: Path) -> dict[str, ast.arguments]:
    """The public functions of a (trusted) stub: name -> parameters."""
    try:
        info = path.stat()
    except OSError:
        raise IntakeError(
            f"the stub {path} is missing; regenerate the stubs with `python -m grader stubs`"
        ) from None
    return _stub_parse(path, info.st_mtime_ns, info.st_size)


def _top_level(body: Iterable[ast.stmt]) -> Iterator[ast.stmt]:
    """Module-level statements, including those in if/try/with/for/while blocks (where a def
    still binds a module-level name), but not inside functions or classes."""
    for node in body:
        yield node
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            continue
        for block in ("body", "orelse", "finalbody"):
            yield from _top_level(getattr(node, block, []) or [])
        for handler in getattr(node, "handlers", []) or []:
            yield from _top_level(handler.body)
        for case in getattr(node, "cases", []) or []:
            yield from _top_level(case.body)


_Binding = ast.arguments | Literal["async", "other"]


def _bindings(tree: ast.Module) -> tuple[dict[str, _Binding], bool]:
    """Module-level names -> the parameters of the def (or lambda) that binds them last, or
    how else they are bound; and whether a ``from ... import *`` hides what is bound."""
    bound: dict[str, _Binding] = {}
    star = False

    def names_in(target: ast.expr) -> Iterator[str]:
        if isinstance(target, ast.Name):
            yield target.id
        elif isinstance(target, ast.Tuple | ast.List):
            for element in target.elts:
                yield from names_in(element)
        elif isinstance(target, ast.Starred):
            yield from names_in(target.value)

    for node in _top_level(tree.body):
        if isinstance(node, ast.FunctionDef):
            bound[node.name] = node.args
        elif isinstance(node, ast.AsyncFunctionDef):
            bound[node.name] = "async"
        elif isinstance(node, ast.ClassDef):
            bound[node.name] = "other"
        elif isinstance(node, ast.Assign | ast.AnnAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                for name in names_in(target):
                    bound[name] = "other"
                if isinstance(target, ast.Name) and isinstance(node.value, ast.Lambda):
                    bound[target.id] = node.value.args  # f = lambda x: ...: checked like a def
        elif isinstance(node, ast.Import | ast.ImportFrom):
            for alias in node.names:
                if alias.name == "*":
                    star = True
                else:
                    bound[alias.asname or alias.name.split(".")[0]] = "other"
    return bound, star


@dataclass(frozen=True)
class _Param:
    name: str
    kind: Literal["positional-only", "positional", "keyword-only"]
    default: ast.expr | None

    def shown(self) -> str:
        if self.default is None:
            return self.name
        return f"{self.name}={shorten(ast.unparse(self.default), 30)}"


def _params(args: ast.arguments) -> tuple[list[_Param], list[_Param], str | None, str | None]:
    """(positional, keyword-only, *name, **name) of a parameter list."""
    positional_args = [*args.posonlyargs, *args.args]
    defaults: list[ast.expr | None] = [None] * (len(positional_args) - len(args.defaults))
    defaults += args.defaults
    positional = [
        _Param(arg.arg, "positional-only" if i < len(args.posonlyargs) else "positional", d)
        for i, (arg, d) in enumerate(zip(positional_args, defaults, strict=True))
    ]
    keyword = [
        _Param(arg.arg, "keyword-only", d)
        for arg, d in zip(args.kwonlyargs, args.kw_defaults, strict=True)
    ]
    return (
        positional,
        keyword,
        args.vararg.arg if args.vararg else None,
        args.kwarg.arg if args.kwarg else None,
    )


def _render(function: str, args: ast.arguments) -> str:
    positional, keyword, star, double = _params(args)
    shown: list[str] = []
    for i, param in enumerate(positional):
        shown.append(param.shown())
        if param.kind == "positional-only" and (
            i + 1 == len(positional) or positional[i + 1].kind != "positional-only"
        ):
            shown.append("/")
    if star:
        shown.append(f"*{star}")
    elif keyword:
        shown.append("*")
    shown += [param.shown() for param in keyword]
    if double:
        shown.append(f"**{double}")
    return f"{function}({', '.join(shown)})"


def _differences(stub: ast.arguments, mine: ast.arguments) -> list[str]:
    """How ``mine`` fails to accept every call that ``stub`` accepts (defaults' values aside)."""
    s_pos, s_kw, s_star, s_double = _params(stub)
    m_pos, m_kw, m_star, m_double = _params(mine)
    found: list[str] = []

    def needs_default(expected: _Param, param: _Param) -> None:
        if expected.default is not None and param.default is None:
            found.append(
                f"`{param.name}` has no default (the stub's is {expected.shown()}), so calls "
                "that leave it out fail"
            )

    for i, expected in enumerate(s_pos):
        if i >= len(m_pos):
            found.append(f"parameter `{expected.name}` is missing")
            continue
        param = m_pos[i]
        if param.name != expected.name:
            found.append(
                f"parameter {i + 1} is `{param.name}` where the stub has `{expected.name}`"
            )
        elif expected.kind == "positional" and param.kind == "positional-only":
            found.append(f"`{param.name}` is positional-only, so it cannot be passed by name")
        else:
            needs_default(expected, param)
    extra_positional = m_pos[len(s_pos) :]
    by_name = {param.name: param for param in m_kw}
    by_name.update({p.name: p for p in extra_positional if p.kind == "positional"})
    for expected in s_kw:
        param = by_name.get(expected.name)
        if param is None:
            found.append(f"keyword-only parameter `{expected.name}` is missing")
        else:
            needs_default(expected, param)
    expected_names = {param.name for param in (*s_pos, *s_kw)}
    for param in (*extra_positional, *m_kw):
        if param.name not in expected_names and param.default is None:
            found.append(f"extra parameter `{param.name}` has no default, so the tests lack it")
    if s_star and not m_star:
        found.append(f"`*{s_star}` is missing")
    if s_double and not m_double:
        found.append(f"`**{s_double}` is missing")
    return found


def signature_problems(
    label: str, tree: ast.Module, stub: dict[str, ast.arguments], exercise: str
) -> list[str]:
    bound, star = _bindings(tree)
    problems: list[str] = []
    for function, expected in stub.items():
        wanted = _render(function, expected)
        mine = bound.get(function)
        if mine is None:
            if not star:
                problems.append(
                    f"{label} defines no function {wanted}: keep every function of the stub "
                    f"exercises/{exercise}.py with its name and parameters. The other "
                    "functions are graded as usual."
                )
        elif mine == "async":
            problems.append(
                f"{label} defines {function}() with `async def`: the stub's {wanted} is a plain def"
            )
        elif isinstance(mine, ast.arguments):
            differences = _differences(expected, mine)
            if differences:
                problems.append(
                    f"{label}: {function}() does not match the stub: {'; '.join(differences)}. "
                    f"The stub has {wanted}, yours is {_render(function, mine)}: keep the "
                    "stub's parameter names, order and kinds (the tests pass some arguments "
                    "by name)."
                )
    return problems
